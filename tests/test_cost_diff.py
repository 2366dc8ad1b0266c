"""`genai-infra cost diff`: per-resource + and -, totals per environment, markdown, and the increase gate."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from genai_infra.cli.cost import INCREASE_EXIT
from genai_infra.cli.main import app
from genai_infra.cost.catalog import CostError
from genai_infra.cost.diff import compare, markdown, side_from_report


def line(stack: str, logical_id: str, usd: float, kind: str = "AWS::EC2::NatGateway") -> dict[str, Any]:
    return {"region": "ap-east-2", "stack": stack, "logical_id": logical_id, "type": kind, "usd": usd}


def report(environment: str, *lines: dict[str, Any]) -> dict[str, Any]:
    return {"environment": environment, "total_usd": sum(item["usd"] for item in lines), "lines": list(lines)}


BEFORE = {
    "estimates": [
        report(
            "staging",
            line("NetworkStack", "Nat", 45.0),
            line("NetworkStack", "Nat", 1.0),
            line("MSKStack", "Kafka", 120.0),
        ),
        report("production", line("EKSStack", "Nodes", 300.0)),
    ]
}
AFTER = {
    "estimates": [
        report("staging", line("NetworkStack", "Nat", 46.0), line("RdsStack", "Writer", 30.0, "AWS::RDS::DBInstance")),
        report("production", line("EKSStack", "Nodes", 300.0)),
        report("development", line("EKSStack", "Nodes", 50.0)),
    ]
}


def test_resources_added_removed_and_unchanged() -> None:
    result = compare(side_from_report(BEFORE, "a"), side_from_report(AFTER, "b"))
    rows = [(row.sign, row.key[2], row.key[3], row.before, row.after) for row in result.rows]
    # Largest change first; the NAT's two charges (46 before, 46 after) cancel out and are not listed.
    assert rows == [
        ("-", "MSKStack", "Kafka", 120.0, None),
        ("+", "EKSStack", "Nodes", None, 50.0),
        ("+", "RdsStack", "Writer", None, 30.0),
    ]
    totals = {t.environment: (t.before, t.after, t.percent) for t in result.totals}
    assert totals["staging"] == (166.0, 76.0, pytest.approx(-54.2168, abs=1e-3))
    assert totals["production"] == (300.0, 300.0, 0.0)
    assert totals["development"] == (None, 50.0, None)
    assert [t.environment for t in result.totals] == ["development", "staging", "production"]
    # The gate: a new environment counts as an increase; staging fell; production did not move.
    assert [t.environment for t in result.increases_over(10)] == ["development"]


def test_the_gate_is_on_the_share_of_the_earlier_total() -> None:
    after = copy.deepcopy(BEFORE)
    after["estimates"][1] = report("production", line("EKSStack", "Nodes", 330.0))
    result = compare(side_from_report(BEFORE, "a"), side_from_report(after, "b"))
    assert [t.environment for t in result.increases_over(9.9)] == ["production"]
    assert result.increases_over(10) == []


def test_markdown_for_a_pull_request_comment() -> None:
    text = markdown(compare(side_from_report(BEFORE, "a"), side_from_report(AFTER, "b")))
    assert "| staging | 166.00 | 76.00 | -90.00 | -54.2 % |" in text
    assert "| development | - | 50.00 | +50.00 | new |" in text
    assert "| - | ap-east-2 | MSKStack | Kafka | AWS::EC2::NatGateway | 120.00 | - | -120.00 |" in text
    assert "<details><summary>staging: 2 resource(s) changed (-90.00 USD)</summary>" in text


def test_a_file_that_is_not_a_report_is_refused() -> None:
    with pytest.raises(CostError, match="is not a `genai-infra cost --format json` report"):
        side_from_report({"something": []}, "x.json")


def diff(*args: str) -> Any:
    return CliRunner().invoke(app, ["cost", "diff", *args], env={"COLUMNS": "200"})


def test_cli_between_a_saved_report_and_a_synthesized_folder(assemblies: Any, tmp_path: Path) -> None:
    out = str(assemblies[("production", "ap-east-2")].directory.parent)
    saved = CliRunner().invoke(app, ["cost", "--env", "production", "--from", out, "--format", "json"])
    assert saved.exit_code == 0, saved.output
    payload = json.loads(saved.stdout)
    (production,) = payload["estimates"]
    dropped = [item for item in production["lines"] if item["type"] == "AWS::MSK::Replicator"]
    assert dropped
    production["lines"] = [item for item in production["lines"] if item["type"] != "AWS::MSK::Replicator"]
    production["total_usd"] -= sum(item["usd"] for item in dropped)
    before = tmp_path / "before.json"
    before.write_text(json.dumps(payload), encoding="utf-8")

    result = diff(str(before), out, "--env", "production", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert "| + | ap-northeast-1 | MSKStack |" in result.output
    assert "AWS::MSK::Replicator" in result.output
    same = diff(out, out, "--env", "production", "--fail-on-increase", "0")
    assert same.exit_code == 0, same.output
    assert "No resource changes its monthly cost." in same.output
    gated = diff(str(before), out, "--env", "production", "--fail-on-increase", "1")
    assert gated.exit_code == INCREASE_EXIT
    assert "cost increase: production +" in gated.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("/nonexistent-a", "/nonexistent-b"), "/nonexistent-a does not exist"),
        ((".", ".", "--format", "html"), "unknown format 'html'"),
        ((".", ".", "--fail-on-increase", "-1"), "takes a percentage of zero or more"),
        ((".", "."), "holds the templates of no environment"),
    ],
)
def test_user_errors_are_one_sentence(args: tuple[str, ...], message: str) -> None:
    result = diff(*args)
    assert result.exit_code == 1
    assert message in result.output
