"""SARIF 2.1.0, JUnit XML and JSON from the same results, findings grouped by rule with counts."""

from __future__ import annotations

import json
from xml.etree import ElementTree

from genai_infra.cli.reports import Result, by_rule, render

RESULTS = [
    Result("staging/ap-east-2", "preflight", "PF006", "error", "NetworkStack/Db", "open to the internet"),
    Result("staging/ap-east-2", "cfn-lint", "W3005", "warning", "EKSStack.template.json:12", "redundant"),
    Result("staging/ap-east-2", "cfn-lint", "W3005", "warning", "RdsStack.template.json:40", "redundant"),
    Result("staging/us-east-1", "cdk-nag", "", "ok", "", "4 templates", passed=True),
]


def test_findings_are_grouped_by_rule_with_counts() -> None:
    assert by_rule(RESULTS) == [("cfn-lint/W3005", 2), ("preflight/PF006", 1)]


def test_sarif() -> None:
    log = json.loads(render("sarif", "genai-infra check staging", "0.1.0", RESULTS))
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    assert [(r["id"], r["properties"]["count"]) for r in run["tool"]["driver"]["rules"]] == [
        ("cfn-lint/W3005", 2),
        ("preflight/PF006", 1),
    ]
    assert [r["level"] for r in run["results"]] == ["error", "warning", "warning"]
    assert run["results"][0]["ruleIndex"] == 1
    where = run["results"][0]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
    assert where == "staging/ap-east-2/NetworkStack/Db"


def test_junit() -> None:
    text = render("junit", "genai-infra check staging", "0.1.0", RESULTS)
    assert text.startswith("<?xml")
    suites = ElementTree.fromstring(text.split("\n", 1)[1])
    assert (suites.get("tests"), suites.get("failures")) == ("4", "1")
    by_name = {suite.get("name"): suite for suite in suites.iter("testsuite")}
    assert (by_name["staging/ap-east-2"].get("tests"), by_name["staging/ap-east-2"].get("failures")) == ("3", "1")
    assert by_name["staging/us-east-1"].get("failures") == "0"
    (failure,) = suites.iter("failure")
    assert failure.get("type") == "PF006"


def test_json() -> None:
    report = json.loads(render("json", "genai-infra check staging", "0.1.0", RESULTS))
    assert (report["errors"], report["warnings"], report["passed"]) == (1, 2, 1)
    assert report["rules"] == [{"rule": "cfn-lint/W3005", "count": 2}, {"rule": "preflight/PF006", "count": 1}]
