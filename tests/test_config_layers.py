"""The configuration's layers (pydantic-settings): each one beats the one below, GENAI_INFRA_ variables
reach any nested setting, a bad variable is one sentence, and the tools' own variables are not configuration."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from genai_infra.cli import main
from genai_infra.config import ConfigError, load_config
from genai_infra.config.loader import CONVENTIONAL_FILE, config_variables

ROOT = Path(__file__).resolve().parents[1]
BUDGET = "environments.staging.budget.monthly_limit_usd"
BUDGET_VARIABLE = "GENAI_INFRA_ENVIRONMENTS__STAGING__BUDGET__MONTHLY_LIMIT_USD"
TOKYO_EKS = "GENAI_INFRA_ENVIRONMENTS__PRODUCTION__REGIONS__AP-NORTHEAST-1__EKS__"


@pytest.fixture
def in_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory of the test's own, where a genai-infra.toml may be put."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def budget_file(path: Path, usd: int) -> Path:
    path.write_text(f"[environments.staging.budget]\nmonthly_limit_usd = {usd}\n", encoding="utf-8")
    return path


def staging_budget(config_file: Path | None = None, overrides: tuple[str, ...] = ()) -> float:
    return load_config(config_file, overrides).environments["staging"].budget.monthly_limit_usd


def show(*args: str) -> dict[str, tuple[object, str]]:
    result = CliRunner().invoke(main.app, ["config", "show", "--env", "staging", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return {row["key"]: (row["value"], row["source"]) for row in json.loads(result.stdout)["settings"]}


def test_each_layer_beats_the_one_below(in_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert staging_budget() == 400  # defaults.py
    assert show()[BUDGET] == (400.0, "default")
    budget_file(in_folder / CONVENTIONAL_FILE, 401)
    assert staging_budget() == 401
    assert show()[BUDGET] == (401.0, "genai-infra.toml")
    config_file = budget_file(in_folder / "override.toml", 402)
    assert staging_budget(config_file) == 402
    assert show("--config", str(config_file))[BUDGET] == (402.0, "--config")
    monkeypatch.setenv(BUDGET_VARIABLE, "403")
    assert staging_budget(config_file) == 403
    assert show("--config", str(config_file))[BUDGET] == (403.0, "env")
    assert staging_budget(config_file, (f"{BUDGET}=404",)) == 404
    assert show("--config", str(config_file), "--set", f"{BUDGET}=404")[BUDGET] == (404.0, "--set")
    # Repeated --set: the last one wins.
    assert staging_budget(config_file, (f"{BUDGET}=404", f"{BUDGET}=405")) == 405


def test_a_layer_sets_only_the_keys_it_names(in_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    budget_file(in_folder / CONVENTIONAL_FILE, 401)
    monkeypatch.setenv("GENAI_INFRA_ENVIRONMENTS__STAGING__BUDGET__ANOMALY_THRESHOLD_PERCENT", "30")
    budget = load_config().environments["staging"].budget
    assert (budget.monthly_limit_usd, budget.anomaly_threshold_percent) == (401, 30)
    assert budget.alert_thresholds_percent == (80, 90, 100)  # the default, untouched by either layer


def test_a_variable_overrides_a_nested_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(f"{TOKYO_EKS}NODE_GROUP__MAX_SIZE", "12")
    monkeypatch.setenv(f"{TOKYO_EKS}KUBERNETES_VERSION", "1.36")  # a text setting keeps the text
    monkeypatch.setenv(f"{TOKYO_EKS}SPOT_INSTANCE_TYPES", '["t3.large", "m5.large"]')
    monkeypatch.setenv("GENAI_INFRA_ENVIRONMENTS__PRODUCTION__EDGE__HEALTH_CHECK__REQUEST_INTERVAL_SECONDS", "30")
    monkeypatch.setenv("genai_infra_dns__zone_id", "Z0123456789ABCDEFGHIJ")  # names match without case
    config = load_config()
    production = config.environments["production"]
    eks = production.regions["ap-northeast-1"].eks
    assert eks.node_group.max_size == 12
    assert eks.kubernetes_version == "1.36"
    assert eks.spot_instance_types == ("t3.large", "m5.large")
    assert production.edge.health_check.request_interval_seconds == 30
    assert config.dns.zone_id == "Z0123456789ABCDEFGHIJ"
    # Nothing else moved: Taipei keeps its defaults.
    assert (
        production.regions["ap-east-2"].eks == load_config(None, ()).environments["production"].regions["ap-east-2"].eks
    )


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        (BUDGET_VARIABLE, "-5", f"{BUDGET} (set by {BUDGET_VARIABLE}): Input should be greater than 0"),
        (BUDGET_VARIABLE, "lots", f"{BUDGET} (set by {BUDGET_VARIABLE}): Input should be a valid number"),
        (BUDGET_VARIABLE, "nan", f"environment variable {BUDGET_VARIABLE}: nan is not a finite number"),
        (
            "GENAI_INFRA_ENVIRONMENTS__STAGING__BUDGET__MONTHLY_LIMT_USD",
            "900",
            "monthly_limt_usd (set by GENAI_INFRA_ENVIRONMENTS__STAGING__BUDGET__MONTHLY_LIMT_USD): "
            "is not a known setting; check its spelling against genai-infra config schema "
            "(did you mean 'monthly_limit_usd'?)",
        ),
        (
            "GENAI_INFRA_ENVIRONMENTS__STAGING__BUDGET__ALERT_THRESHOLDS_PERCENT",
            "[80,",
            "variable GENAI_INFRA_ENVIRONMENTS__STAGING__BUDGET__ALERT_THRESHOLDS_PERCENT is not valid JSON",
        ),
    ],
    ids=["negative", "not-a-number", "nan", "misspelt", "bad-json"],
)
def test_a_bad_variable_is_one_sentence_and_exit_1(
    variable: str, value: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=re.escape(expected)):
        load_config()
    result = CliRunner().invoke(main.app, ["config", "show", "--env", "staging"])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    message = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(message) == 1, result.stderr
    assert message[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output


def test_a_broken_conventional_file_is_one_sentence(in_folder: Path) -> None:
    (in_folder / CONVENTIONAL_FILE).write_text("[environments\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^configuration file genai-infra.toml is not valid TOML"):
        load_config()
    (in_folder / CONVENTIONAL_FILE).unlink()
    (in_folder / CONVENTIONAL_FILE).mkdir()
    with pytest.raises(ConfigError, match="is a folder"):
        load_config()


def test_a_misspelt_key_in_the_conventional_file_names_the_file(in_folder: Path) -> None:
    (in_folder / CONVENTIONAL_FILE).write_text("[dns]\nzone_idd = 'Z1'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"dns\.zone_idd \(set by genai-infra\.toml\): is not a known setting"):
        load_config()


def test_the_tools_own_variables_are_not_configuration() -> None:
    tools = set()  # every GENAI_INFRA_ variable the code, scripts and pipelines read (the loader aside)
    for folder in ("src", "scripts", ".ci", ".github"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and path.suffix in ("", ".py", ".sh", ".yml", ".yaml") and path.parent.name != "config":
                text = path.read_text(encoding="utf-8", errors="ignore")
                tools |= set(re.findall(r"\bGENAI_INFRA_[A-Z_]*[A-Z]", text))
    assert {"GENAI_INFRA_CDK", "GENAI_INFRA_CHECKOV", "GENAI_INFRA_WORKERS"} <= tools
    assert config_variables(dict.fromkeys(tools, "1")) == []
    assert config_variables({BUDGET_VARIABLE: "1", "GENAI_INFRA_PROJECT": "x", "GENAI_INFRA_CIA": "1"}) == [
        BUDGET_VARIABLE,
        "GENAI_INFRA_PROJECT",
    ]


def test_a_tool_variable_changes_no_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    before = load_config()
    for name in ("GENAI_INFRA_CDK", "GENAI_INFRA_CHECKOV", "GENAI_INFRA_WORKERS"):
        monkeypatch.setenv(name, "1")
    assert load_config() == before


@pytest.mark.parametrize(
    ("variable", "expected"),
    [
        (
            "GENAI_INFRA_ENVIRONMENTS__PRODUCTON__BUDGET__MONTHLY_LIMIT_USD",
            "invalid configuration at environments.producton: not one of the environments (development, staging, "
            "production); did you mean 'production'? A new environment also needs name, spring_profile, "
            "bootstrap_qualifier, domain, regions, backup, workload.",
        ),
        (
            "GENAI_INFRA_ENVIRONMENTS__QA__BUDGET__MONTHLY_LIMIT_USD",
            "invalid configuration at environments.qa: not one of the environments (development, staging, "
            "production). A new environment also needs name, spring_profile, bootstrap_qualifier, domain, "
            "regions, backup, workload.",
        ),
    ],
    ids=["misspelt", "new"],
)
def test_a_setting_of_an_unknown_environment_is_one_sentence_naming_the_known_ones(
    variable: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, "500")
    with pytest.raises(ConfigError) as raised:
        load_config()
    assert str(raised.value) == expected
    result = CliRunner().invoke(main.app, ["config", "show", "--env", "production"])
    assert result.exit_code == 1
    assert [line for line in result.stderr.splitlines() if line.strip()] == [f"error: {expected}"]
