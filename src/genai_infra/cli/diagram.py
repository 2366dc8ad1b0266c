"""`genai-infra diagram --env E`: the spec's pictures, drawn from the environment's synthesized assemblies.

Mermaid goes to stdout (or one .mmd file per picture with --out); SVG and PNG are drawn by
Graphviz's `dot` from the same pictures' DOT text; --write-docs refreshes docs/architecture.md.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from genai_infra.cli import common
from genai_infra.cli.options import ConfigOption, EnvOption, FromOption, SetOption

if TYPE_CHECKING:
    from genai_infra.synth import Assembly

FORMATS = ("mermaid", "svg", "png")
DOCS_ENVIRONMENT = "production"


def architecture_path() -> Path:
    from genai_infra.synth import PROJECT_ROOT

    return PROJECT_ROOT / "docs" / "architecture.md"


def diagram(
    env: EnvOption,
    output_format: Annotated[
        str, typer.Option("--format", help="mermaid, svg or png", metavar="[mermaid|svg|png]")
    ] = "mermaid",
    out: Annotated[Path | None, typer.Option(help="directory for one file per picture; stdout when omitted")] = None,
    write_docs: Annotated[
        bool, typer.Option("--write-docs", metavar="", help="rewrite docs/architecture.md (production)")
    ] = False,
    source: FromOption = None,
    config_file: ConfigOption = None,
    overrides: SetOption = None,
) -> None:
    """Stack organization by layer, regional architecture and deployment phases, from the cloud assemblies.

    The assemblies are read from --from DIR, or synthesized into a scratch folder.
    Example: genai-infra diagram --env production --from cdk.out/main --out docs/pictures
    """
    from genai_infra.diagrams.render import RenderError, find_dot

    if output_format not in FORMATS:
        raise common.fail(f"unknown format {output_format!r}; use mermaid, svg or png.")
    if output_format != "mermaid":
        if out is None:
            raise common.fail(f"--format {output_format} writes one file per picture; pass --out DIR.")
        try:  # before synthesis: a missing `dot` should not cost a minute of synthesis first
            find_dot()
        except RenderError as error:
            raise common.fail(f"{error}.") from None
    if write_docs and env != DOCS_ENVIRONMENT:
        raise common.fail(
            f"docs/architecture.md shows {DOCS_ENVIRONMENT}; use --env {DOCS_ENVIRONMENT} with --write-docs."
        )
    common.refuse_overrides_with_source(source, overrides)
    config = common.project_config(config_file, overrides)
    with tempfile.TemporaryDirectory(prefix="genai-diagram-") as scratch:
        targets = common.chosen_targets(config, env, None)
        assemblies = common.target_assemblies(config, targets, Path(scratch), source)
        _draw(env, assemblies, output_format, out, write_docs)


def _draw(env: str, assemblies: list[Assembly], output_format: str, out: Path | None, write_docs: bool) -> None:
    from genai_infra.diagrams import architecture_document, diagrams_of, to_mermaid
    from genai_infra.diagrams.render import RenderError, render_images

    if write_docs:
        path = architecture_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(architecture_document(env, assemblies), encoding="utf-8")
        common.errors.print(f"[green]wrote[/green] {path}")
    if out is None:
        if not write_docs:
            sys.stdout.write(architecture_document(env, assemblies))
        return
    pictures = {f"{env}-{stem}": picture for stem, picture in diagrams_of(assemblies).items()}
    try:
        if output_format == "mermaid":
            out.mkdir(parents=True, exist_ok=True)
            written = []
            for stem, picture in pictures.items():
                written.append(out / f"{stem}.mmd")
                written[-1].write_text(to_mermaid(picture), encoding="utf-8")
        else:
            with common.errors.status(f"drawing {len(pictures)} {output_format} images"):
                written = render_images(pictures, out, output_format)
    except RenderError as error:
        raise common.fail(f"{error}.") from None
    except OSError as error:
        raise common.fail(f"cannot write to {out} ({error.strerror or error}).") from None
    for path in written:
        common.errors.print(f"[green]wrote[/green] {path}")
