"""Configuration you can see: `config show` with each value's source, `config schema`, and every
validation error at once with "did you mean" for a misspelt key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from genai_infra.cli import main
from genai_infra.config import ConfigError, ProjectConfig, load_config

BUDGET = "environments.staging.budget.monthly_limit_usd"


def test_show_names_where_each_value_came_from(tmp_path: Path) -> None:
    toml = tmp_path / "staging.toml"
    toml.write_text("[environments.staging.budget]\nmonthly_limit_usd = 450\n", encoding="utf-8")
    args = ["config", "show", "--env", "staging", "--format", "json", "--config", str(toml)]
    result = CliRunner().invoke(main.app, [*args, "--set", "environments.staging.off_hours.enabled=false"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    settings = {row["key"]: (row["value"], row["source"]) for row in report["settings"]}
    assert settings[BUDGET] == (450.0, "--config")
    assert settings["environments.staging.off_hours.enabled"] == (False, "--set")
    assert settings["environments.staging.snapshot_on_destroy"] == (True, "default")
    assert not [key for key in settings if key.startswith("environments.production")]
    assert settings["project"][1] == "default"


def test_schema_is_the_models_json_schema() -> None:
    result = CliRunner().invoke(main.app, ["config", "schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema == ProjectConfig.model_json_schema()
    assert "environments" in schema["properties"]


def test_every_error_at_once_with_did_you_mean() -> None:
    with pytest.raises(ConfigError) as error:
        load_config(None, ["environments.production.budget.monthly_limt_usd=900", f"{BUDGET}=-1"])
    message = str(error.value)
    assert "and 1 more" in message
    assert f"{BUDGET}: Input should be greater than 0" in message
    assert "monthly_limt_usd: is not a known setting" in message
    assert "(did you mean 'monthly_limit_usd'?)" in message
