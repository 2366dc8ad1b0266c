"""Findings as CI reads them: SARIF 2.1.0 (GitHub code scanning), JUnit XML (test reports) and JSON.

One `Result` per finding or per passing check; the three formats group the findings by rule with
a count, so a summary reads "CKV_X: 3" rather than three loose lines.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from xml.etree import ElementTree

FORMATS = ("table", "json", "sarif", "junit")
FormatHelp = "table, json, sarif (SARIF 2.1.0) or junit (JUnit XML)"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


@dataclass(frozen=True)
class Result:
    """One finding (passed=False) or one passing check (passed=True)."""

    target: str  # environment/region, or a region for validate
    checker: str  # preflight, cfn-lint, cdk-nag; or the validate group
    rule: str
    severity: str  # error, warning, or "ok" for a pass
    location: str  # stack/logical id, template:line, or the check's name
    message: str
    passed: bool = False


def by_rule(results: Sequence[Result]) -> list[tuple[str, int]]:
    """(rule, number of findings), most frequent first."""
    counts = Counter(f"{r.checker}/{r.rule}" for r in results if not r.passed)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def to_json(tool: str, results: Sequence[Result]) -> str:
    findings = [r for r in results if not r.passed]
    payload = {
        "tool": tool,
        "errors": sum(r.severity == "error" for r in findings),
        "warnings": sum(r.severity == "warning" for r in findings),
        "passed": sum(r.passed for r in results),
        "rules": [{"rule": rule, "count": count} for rule, count in by_rule(results)],
        "results": [asdict(r) for r in results],
    }
    return json.dumps(payload, indent=2) + "\n"


def to_sarif(tool: str, version: str, results: Sequence[Result]) -> str:
    """A SARIF 2.1.0 log with one run; each rule carries its finding count."""
    findings = [r for r in results if not r.passed]
    rules = [
        {"id": rule, "name": rule.split("/", 1)[1] or rule, "properties": {"count": count}}
        for rule, count in by_rule(results)
    ]
    index = {rule["id"]: n for n, rule in enumerate(rules)}
    sarif_results = []
    for r in findings:
        rule_id = f"{r.checker}/{r.rule}"
        sarif_results.append(
            {
                "ruleId": rule_id,
                "ruleIndex": index[rule_id],
                "level": "error" if r.severity == "error" else "warning",
                "message": {"text": r.message},
                "locations": [
                    {"logicalLocations": [{"fullyQualifiedName": f"{r.target}/{r.location}", "kind": "resource"}]}
                ],
            }
        )
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": tool, "version": version, "rules": rules}}, "results": sarif_results}],
    }
    return json.dumps(log, indent=2) + "\n"


def to_junit(tool: str, results: Sequence[Result]) -> str:
    """JUnit XML: a test suite per target, a test case per check or finding; errors fail, warnings are notes."""
    suites = ElementTree.Element("testsuites", name=tool)
    for target in dict.fromkeys(r.target for r in results):
        own = [r for r in results if r.target == target]
        failures = sum(not r.passed and r.severity == "error" for r in own)
        suite = ElementTree.SubElement(
            suites, "testsuite", name=target, tests=str(len(own)), failures=str(failures), errors="0", skipped="0"
        )
        for r in own:
            case = ElementTree.SubElement(
                suite, "testcase", classname=f"{tool}.{r.checker}", name=f"{r.rule} {r.location}".strip()
            )
            if r.passed:
                continue
            if r.severity == "error":
                ElementTree.SubElement(case, "failure", message=r.message, type=r.rule).text = r.message
            else:
                ElementTree.SubElement(case, "system-out").text = f"warning: {r.message}"
    suites.set("tests", str(len(results)))
    suites.set("failures", str(sum(not r.passed and r.severity == "error" for r in results)))
    ElementTree.indent(suites)
    return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def render(output_format: str, tool: str, version: str, results: Sequence[Result]) -> str:
    if output_format == "sarif":
        return to_sarif(tool, version, results)
    if output_format == "junit":
        return to_junit(tool, results)
    return to_json(tool, results)
