"""`genai-infra recovery --env E`: the RPO and RTO the synthesized environment gives, per component."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from genai_infra.cli import common
from genai_infra.cli.options import ConfigOption, EnvOption, FromOption, SetOption
from genai_infra.recovery import recovery_paths, templates_by_region


def _duration(seconds: int | None) -> str:
    if seconds is None:
        return "not bounded"
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def recovery(
    env: EnvOption,
    out: Annotated[Path, typer.Option(help="directory for the cloud assemblies")] = Path("cdk.out"),
    output_format: Annotated[str, typer.Option("--format", help="table or json", metavar="[table|json]")] = "table",
    source: FromOption = None,
    config_file: ConfigOption = None,
    overrides: SetOption = None,
) -> None:
    """RPO and RTO per component if a region is lost, computed from the synthesized templates.

    Example: genai-infra recovery --env production --from cdk.out/main
    """

    if output_format not in ("table", "json"):
        raise common.fail(f"unknown format {output_format!r}; use table or json.")
    common.refuse_overrides_with_source(source, overrides)
    config = common.project_config(config_file, overrides)
    assemblies = common.target_assemblies(config, common.chosen_targets(config, env, None), out, source)
    paths = recovery_paths(templates_by_region(assemblies))
    if output_format == "json":
        sys.stdout.write(json.dumps({"environment": env, "paths": [asdict(p) for p in paths]}, indent=2) + "\n")
        return
    table = Table("component", "mechanism", "RPO", "RTO", "basis", title=f"{env}: recovery from a region loss")
    for path in paths:
        table.add_row(
            path.component, path.mechanism, _duration(path.rpo_seconds), _duration(path.rto_seconds), path.basis
        )
    Console().print(table)
