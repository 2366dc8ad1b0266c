"""Options every `genai-infra` command spells the same way."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

EnvOption = Annotated[str, typer.Option("--env", "-e", help="development, staging or production", metavar="ENV")]
ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="TOML file with configuration overrides", metavar="FILE")
]
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="override one value: dotted.key=value (repeatable)", metavar="KEY=VALUE"),
]
FromOption = Annotated[
    Path | None,
    typer.Option(
        "--from", help="read the assemblies `genai-infra check/synth --out DIR` wrote; do not synthesize", metavar="DIR"
    ),
]
