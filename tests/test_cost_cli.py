"""`genai-infra cost` on the session's synthesized templates (--from): exit codes, JSON, chart, errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from genai_infra.cli.cost import OVER_BUDGET_EXIT, expand_optional_values
from genai_infra.cli.main import app

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def out(assemblies: Any) -> str:
    return str(assemblies[("development", "ap-northeast-1")].directory.parent)


def cost(*args: str) -> Any:
    return CliRunner().invoke(app, expand_optional_values(["cost", *args]), env={"COLUMNS": "200"})


def test_optional_percentage_of_fail_over_budget_is_expanded() -> None:
    assert expand_optional_values(["cost", "--fail-over-budget"]) == ["cost", "--fail-over-budget", "alert"]
    assert expand_optional_values(["--fail-over-budget", "--env", "x"]) == ["--fail-over-budget", "alert", "--env", "x"]
    assert expand_optional_values(["--fail-over-budget", "90"]) == ["--fail-over-budget", "90"]


# Development as synthesized today (decision C12's stack set): 304.3 USD, 152 % of its 200 USD budget.
DEVELOPMENT_USD, PRODUCTION_USD = 304.3, 4787.77


def test_under_a_given_percentage_exits_zero(out: str) -> None:
    result = cost("--env", "development", "--from", out, "--fail-over-budget", "300")
    assert result.exit_code == 0, result.output
    assert f"{DEVELOPMENT_USD}" in result.output
    assert "152 %" in result.output


def test_over_a_given_percentage_exits_three(out: str) -> None:
    result = cost("--env", "development", "--from", out, "--fail-over-budget", "100")
    assert result.exit_code == OVER_BUDGET_EXIT
    assert "over budget: development 152 % of its budget (limit 100 %)" in result.output


def test_over_the_alert_threshold_by_default_exits_three(out: str) -> None:
    result = cost("--env", "development", "--from", out, "--planned", "--fail-over-budget")
    assert result.exit_code == OVER_BUDGET_EXIT
    assert "development 152 % of its budget (limit 80 %)" in result.output


def test_json_output(out: str) -> None:
    result = CliRunner().invoke(app, ["cost", "--env", "production", "--from", out, "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    (production,) = payload["estimates"]
    assert production["environment"] == "production"
    assert production["total_usd"] == PRODUCTION_USD
    assert production["budget_usd"] == 1000
    assert production["document_estimate_usd"] == 800
    assert production["budget_percent"] == 478.8
    # On-demand and 1-year committed totals side by side; MSK (no commitment offered) keeps its price.
    committed = {item["scenario"]: item for item in production["committed"]}
    assert production["on_demand_total_usd"] == PRODUCTION_USD
    assert committed["reserved"]["total_usd"] < committed["document"]["total_usd"] < PRODUCTION_USD
    assert committed["reserved"]["by_category"]["MSK"] == production["by_category"]["MSK"]
    assert set(production["by_category"]) == {
        "EKS + EC2",
        "RDS Aurora",
        "ElastiCache",
        "MSK",
        "Data transfer + network",
        "Monitoring",
        "Route 53/DNS",
        "Other",
    }
    nat = next(line for line in production["lines"] if line["type"] == "AWS::EC2::NatGateway")
    assert nat["prices"][0]["source"] == "https://aws.amazon.com/vpc/pricing/"
    assert "AWS::EC2::VPC" in production["free_types"]


def test_compare_shows_the_three_environments(out: str) -> None:
    result = cost("--compare", "--from", out, "--planned")
    assert result.exit_code == 0, result.output
    for text in ("development", "staging", "production", "304.30", "495.62", "4,787.77", "1,000.00"):
        assert text in result.output


def test_chart_is_a_deterministic_png(out: str, tmp_path: Path) -> None:
    first, second = tmp_path / "a.png", tmp_path / "b.png"
    for path in (first, second):
        result = cost("--env", "production", "--from", out, "--planned", "--chart", str(path))
        assert result.exit_code == 0, result.output
    assert first.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "no environment given"),
        (("--env", "development", "--format", "xml"), "unknown format 'xml'"),
        (("--env", "development", "--what-if", "budget.monthly_limit_usd=1"), "--what-if changes the templates"),
        (("--env", "development", "--fail-over-budget", "lots"), "takes a percentage of the budget"),
        (("--env", "qa"), "unknown environment 'qa'"),
    ],
)
def test_user_errors_exit_one_with_a_sentence(out: str, args: tuple[str, ...], message: str) -> None:
    result = cost(*args, "--from", out)
    assert result.exit_code == 1
    assert message in result.output


def test_missing_templates_name_the_synth_command(tmp_path: Path) -> None:
    result = cost("--env", "staging", "--from", str(tmp_path))
    assert result.exit_code == 1
    assert "run `genai-infra synth --env staging" in " ".join(result.output.split())


def test_the_installed_entry_point_accepts_the_bare_flag(out: str) -> None:
    env = dict(os.environ, COLUMNS="200", JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20")
    base = [sys.executable, "-m", "genai_infra.cli.main", "cost", "--env", "development", "--from", out]
    run = subprocess.run(
        [*base, "--fail-over-budget", "--planned"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == OVER_BUDGET_EXIT, run.stderr
    run = subprocess.run(
        [*base, "--fail-over-budget", "300"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr


def test_what_if_keys_are_relative_to_the_environment() -> None:
    from genai_infra.cli.cost import _environment_keys

    assert _environment_keys(["regions.ap-east-2.redis.replicas=1", "dns.zone_name=x"], "staging") == [
        "environments.staging.regions.ap-east-2.redis.replicas=1",
        "dns.zone_name=x",
    ]


def test_an_invalid_what_if_fails_before_any_synthesis() -> None:
    result = cost("--env", "development", "--what-if", "regions.ap-northeast-1.redis.node_type=cache.x9")
    assert result.exit_code == 1
    assert "unknown ElastiCache node type 'cache.x9'" in result.output
    assert "synthesized" not in result.output


def test_one_target_assemblies_of_cdk_synth_can_be_combined(assemblies: Any) -> None:
    folders = [str(assemblies[("production", region)].directory) for region in ("ap-east-2", "ap-northeast-1")]
    partial = cost("--env", "production", *(f"--from={folder}" for folder in folders), "--format", "json")
    assert partial.exit_code == 1
    assert "holds no templates of production in us-east-1" in " ".join(partial.output.split())
    folders.append(str(assemblies[("production", "us-east-1")].directory))
    # A staging assembly among them is ignored: its stacks belong to another environment.
    folders.append(str(assemblies[("staging", "ap-east-2")].directory))
    result = cost("--env", "production", *(f"--from={folder}" for folder in folders), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["estimates"][0]["total_usd"] == PRODUCTION_USD


def test_a_usage_file_reprices_without_editing_anything(out: str, tmp_path: Path) -> None:
    usage = tmp_path / "usage.toml"
    usage.write_text("[environments.development]\nnat_data_gb = 120\n")
    result = CliRunner().invoke(
        app, ["cost", "--env", "development", "--from", out, "--usage", str(usage), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    (development,) = json.loads(result.stdout)["estimates"]
    # 100 GB more through the NAT gateway at 0.062 USD/GB (JSON rounds to cents).
    assert development["total_usd"] == pytest.approx(DEVELOPMENT_USD + 100 * 0.062, abs=0.011)
    assert str(usage) in development["usage"]


def test_advise_names_the_floor_and_the_changes_of_development(out: str) -> None:
    # Structure only: development's stack set changes under decision C12, its numbers with it.
    result = CliRunner().invoke(
        app, ["cost", "--env", "development", "--from", out, "--advise", "--format", "json"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    advice = payload["advice"]
    total = payload["estimates"][0]["total_usd"]
    assert advice["total_usd"] == total
    assert advice["over_budget"] is (total > 200)
    savings = [item["saving_usd"] for item in advice["changes"]]
    assert savings == sorted(savings, reverse=True)
    assert all(saving > 0 for saving in savings)
    assert all(item["set"].startswith("environments.development.") for item in advice["changes"])
    faithful = sum(item["saving_usd"] for item in advice["changes"] if item["gives_up"] is None)
    assert advice["faithful_floor_usd"] <= total
    assert advice["faithful_floor_usd"] == pytest.approx(total - faithful, abs=0.05)
    assert advice["faithful_floor_drivers"]
    assert advice["sentence"]


def test_advise_refuses_compare(out: str) -> None:
    result = cost("--compare", "--from", out, "--advise")
    assert result.exit_code == 1
    assert "--advise works on one environment" in result.output
