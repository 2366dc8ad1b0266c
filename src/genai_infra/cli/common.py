"""What every `genai-infra` command shares: the consoles, the one-sentence failure, and the steps
from options to configuration, targets and cloud assemblies.

Command modules import this module (never `main`, which only assembles the application), and call
its functions through the module (`common.synthesize_targets(...)`) so that tests can replace them.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from genai_infra.config import ConfigError, ProjectConfig, load_config, select_environment, select_region
from genai_infra.targets import Target, targets_of

if TYPE_CHECKING:
    from genai_infra.synth import Assembly

# Set when the user presses Ctrl-C (main installs the handler): a failure after it is the interrupt's
# doing (the jsii Node process gets the signal too), not an error to report.
INTERRUPT = threading.Event()
console = Console()
# Progress and errors go to stderr so that --format json output stays parseable.
errors = Console(stderr=True)


WHOLE_COLUMNS = ("target", "region", "environment")


def keep_whole(table: Table) -> Table:
    """Never cut the target or region column, even at 80 columns: the other columns wrap instead."""
    for column in table.columns:
        if str(column.header) in WHOLE_COLUMNS:
            cells = [str(column.header), *(str(cell) for cell in column.cells)]
            column.no_wrap = True
            column.min_width = max(len(cell) for cell in cells)
    return table


def fail(message: str) -> typer.Exit:
    """Print one sentence on stderr; the caller raises the returned exit (code 1, nothing ran)."""
    errors.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code=1)


def confirmed(env: str, confirm: str | None, action: str) -> None:
    """The environment's name typed back (or --confirm ENV), before anything is synthesized; else exit 1."""
    if confirm is not None:
        if confirm != env:
            raise fail(f"{action} of {env} refused: --confirm {confirm!r} is not the environment's name.")
        return
    try:
        typed = typer.prompt(f"{action} of {env}: type the environment's name to go on", default="", show_default=False)
    except typer.Abort:  # end of input (no terminal) or Ctrl-C at the prompt
        raise fail(f"{action} of {env} needs its name typed back; in CI add --confirm {env}.") from None
    if typed.strip() != env:
        raise fail(f"{action} of {env} refused: the environment's name was not typed back (--confirm {env}).")


def project_config(config_file: Path | None, overrides: list[str] | None) -> ProjectConfig:
    try:
        return load_config(config_file, overrides or [])
    except ConfigError as error:
        raise fail(str(error)) from None


def chosen_targets(config: ProjectConfig, env: str, region: str | None) -> list[Target]:
    """The environment's targets in deployment order, or the one of `region`."""
    try:
        environment = select_environment(config, env)
        targets = targets_of(environment)
        if region is None:
            return targets
        chosen = select_region(environment, region)
        return [target for target in targets if target.region == chosen]
    except ConfigError as error:
        raise fail(str(error)) from None


def synthesize_targets(config: ProjectConfig, targets: list[Target], out: Path) -> list[Assembly]:
    from genai_infra.synth import synthesize

    assemblies: list[Assembly] = []
    for target in targets:
        with errors.status(f"synthesizing {target.label}"):
            try:
                assemblies.append(synthesize(config, target, out))
            except Exception as error:  # jsii reports validation failures as a generic error
                if INTERRUPT.is_set():
                    raise KeyboardInterrupt from None
                first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
                raise fail(
                    f"synthesis of {target.label} failed: {first_line} "
                    f"(details in {out}/{target.environment}-{target.region}/validation-report.json)"
                ) from None
        errors.print(f"[green]synthesized[/green] {target.label} -> {assemblies[-1].directory}")
    return assemblies


def target_assemblies(config: ProjectConfig, targets: list[Target], out: Path, source: Path | None) -> list[Assembly]:
    """The targets' cloud assemblies: synthesized into `out`, or read from `source` (`synth --out` layout)."""
    if source is None:
        return synthesize_targets(config, targets, out)
    from genai_infra.synth import Assembly, target_directory

    if not source.is_dir():
        raise fail(f"--from {source} is not a folder; pass the folder `genai-infra check --out DIR` wrote.")
    assemblies = [Assembly(target, target_directory(source, target)) for target in targets]
    for assembly in assemblies:
        target = assembly.target
        manifest = assembly.directory / "manifest.json"
        if not manifest.is_file():
            raise fail(
                f"{source} holds no assembly of {target.label}; run `genai-infra synth --env {target.environment} "
                f"--out {source}` first, or leave out --from."
            )
        try:
            artifacts = json.loads(manifest.read_text(encoding="utf-8"))["artifacts"]
            if not isinstance(artifacts, dict):
                raise TypeError(type(artifacts).__name__)
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
            raise fail(
                f"{manifest} is not a cloud assembly manifest; synthesize again with "
                f"`genai-infra synth --env {target.environment} --out {source}`."
            ) from None
    return assemblies


def refuse_overrides_with_source(source: Path | list[Path] | None, overrides: list[str] | None) -> None:
    """--set changes what synthesis produces; assemblies read with --from were synthesized without it."""
    if source and overrides:
        raise fail(
            f"--set {overrides[0]} would not change the assemblies read with --from, which are already synthesized; "
            "drop --from to synthesize with it, or drop --set."
        )
