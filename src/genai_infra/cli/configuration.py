"""`genai-infra config show --env E` and `genai-infra config schema`: the configuration you can see.

`show` prints every resolved setting of an environment (and the project-wide ones) with where its
value came from: the defaults (genai_infra/config/defaults.py), ./genai-infra.toml, the --config
file, a GENAI_INFRA_ variable (env) or a --set: the highest layer that sets it.
`schema` prints the JSON Schema of the configuration file. Neither synthesizes.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from typing import Annotated, Any

import typer
from rich.table import Table

from genai_infra.cli import common
from genai_infra.cli.options import ConfigOption, EnvOption, SetOption
from genai_infra.config import ConfigError, ProjectConfig, select_environment
from genai_infra.config.loader import Layer, read_layers

config_app = typer.Typer(
    no_args_is_help=True, help="The resolved configuration and its schema (no synthesis).", name="config"
)


def flatten(data: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Dotted key -> leaf value; lists and empty mappings are leaves."""
    if isinstance(data, Mapping) and data:
        for key, value in data.items():
            yield from flatten(value, f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix, data


def _set_by(key: str, paths: set[str]) -> bool:
    return any(key == path or key.startswith(f"{path}.") for path in paths)


def settings_with_sources(config: ProjectConfig, env: str, layers: Sequence[Layer]) -> list[tuple[str, Any, str]]:
    """(dotted key, value, source) of the project-wide settings and those of one environment."""
    resolved = config.model_dump(mode="json")
    chosen = {key: value for key, value in resolved.items() if key != "environments"}
    chosen["environments"] = {env: resolved["environments"][env]}
    # Highest layer first; the defaults set everything the others leave.
    above_defaults = [(layer.source, {key for key, _ in flatten(layer.data)}) for layer in layers[:-1]]
    rows = []
    for key, value in flatten(chosen):
        source = next((name for name, keys in above_defaults if _set_by(key, keys)), "default")
        rows.append((key, value, source))
    return rows


@config_app.command("show")
def show(
    env: EnvOption,
    output_format: Annotated[str, typer.Option("--format", help="table or json", metavar="[table|json]")] = "table",
    config_file: ConfigOption = None,
    overrides: SetOption = None,
) -> None:
    """Every resolved setting of an environment and where its value came from (default, --config, env, --set).

    Example: genai-infra config show --env staging --set environments.staging.budget.monthly_limit_usd=500
    """
    if output_format not in ("table", "json"):
        raise common.fail(f"unknown format {output_format!r}; use table or json.")
    config = common.project_config(config_file, overrides)
    try:
        select_environment(config, env)
    except ConfigError as error:
        raise common.fail(str(error)) from None
    # The layers were read and validated above; read again only to know which keys each one sets.
    rows = settings_with_sources(config, env, read_layers(config_file, overrides or []))
    if output_format == "json":
        payload = [{"key": key, "value": value, "source": source} for key, value, source in rows]
        sys.stdout.write(json.dumps({"environment": env, "settings": payload}, indent=2) + "\n")
        return
    table = Table("setting", "value", "source", title=f"configuration of {env}")
    for key, value, source in rows:
        table.add_row(key, json.dumps(value), source)
    common.console.print(table)


@config_app.command("schema")
def schema() -> None:
    """The JSON Schema of the configuration (the --config TOML file has the same shape).

    Example: genai-infra config schema > genai-infra.schema.json
    """
    sys.stdout.write(json.dumps(ProjectConfig.model_json_schema(), indent=2) + "\n")
