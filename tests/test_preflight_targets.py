"""Preflight over the seven real targets, the rule registry, and the exit codes of check and plan."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from genai_infra.cli import common, main
from genai_infra.cli.check import Row
from genai_infra.preflight import RULES, check_assemblies, from_assembly, support
from genai_infra.synth import Assembly
from genai_infra.targets import stacks_of
from tests.conftest import ALL_TARGETS, target_of

TESTS = Path(__file__).parent


def test_all_seven_targets_pass_preflight(assemblies: dict[tuple[str, str], Assembly]) -> None:
    assert sorted(assemblies) == sorted(ALL_TARGETS)
    findings = check_assemblies(assemblies.values(), support.AS_OF)
    # Decision S7: the default configuration names no administrator role (account ids are the operator's),
    # so each production cluster carries exactly one warning, and nothing else is found.
    warned = sorted(f.target for f in findings if f.rule_id == "PF026")
    assert warned == ["production/ap-east-2", "production/ap-northeast-1"]
    others = [f for f in findings if f.rule_id != "PF026"]
    assert others == [], "\n".join(f"{f.target} {f.rule_id} {f.stack}/{f.logical_id}: {f.message}" for f in others)


def test_the_security_group_roles_are_found_in_every_serving_target(assemblies: Any) -> None:
    from genai_infra.preflight.rules.network import GroupGraph

    for (environment, region), assembly in assemblies.items():
        roles = sorted(GroupGraph(from_assembly(assembly)).roles.values())
        # The Aurora secret rotation function and the function creating the app's database user where
        # the region owns the master secret (not the global secondary); the MSK Replicator's clients
        # on both sides of production; MSK (and its group) in production only (decision C12).
        expected = ["alb", "app", "database", *(["msk"] if environment == "production" else [])]
        if (environment, region) != ("production", "ap-northeast-1"):
            expected += ["rotation", "user-setup"]
        if environment == "production":
            expected.append("replicator")
        assert roles == ([] if region == "us-east-1" else sorted(expected)), (environment, region)


def test_the_target_reads_its_manifest_dependencies(assemblies: Any, config: Any) -> None:
    target = from_assembly(assemblies[("production", "ap-east-2")])
    assert sorted(target.stacks) == sorted(stacks_of(target_of("production", "ap-east-2", config)))
    assert target.depends_on("NetworkStack", "SecurityStack")
    assert not target.depends_on("SecurityStack", "NetworkStack")


def test_the_rule_set_is_large_enough_and_every_rule_is_described_and_tested() -> None:
    assert len(RULES) >= 25
    tested = "".join(path.read_text(encoding="utf-8") for path in TESTS.glob("test_preflight_*.py"))
    for rule_id, rule in RULES.items():
        assert re.fullmatch(r"PF\d{3}", rule_id)
        assert rule.summary, rule_id
        assert "\n" not in rule.summary, rule_id
        assert len(rule.summary) <= 110, rule_id
        assert f'"{rule_id}"' in tested, f"{rule_id} has no test"


def test_support_tables_are_dated_and_consistent() -> None:
    for version, row in support.EKS_KUBERNETES_VERSIONS.items():
        assert row.released < row.standard_support_ends < row.extended_support_ends, version
    assert support.AS_OF.isoformat() >= "2026-11-01"
    assert all(name.startswith("AWS::") for name in support.US_EAST_1_ONLY)


# --- CLI: check and plan read the session's assemblies instead of synthesizing again ------------


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, assemblies: Any) -> Any:
    """Run the CLI in-process with `_synthesize` answering from the given assemblies."""
    monkeypatch.setenv("COLUMNS", "250")
    # The module's consoles read COLUMNS when imported, which may be before this fixture runs.
    monkeypatch.setattr(common, "console", Console(width=250))
    monkeypatch.setattr(common, "errors", Console(stderr=True, width=250))

    def run(args: list[str], source: dict[tuple[str, str], Assembly] | None = None) -> Any:
        chosen = source or assemblies

        def synthesize(config: Any, targets: list[Any], out: Path) -> list[Assembly]:
            return [chosen[(t.environment, t.region)] for t in targets]

        monkeypatch.setattr(common, "synthesize_targets", synthesize)
        return CliRunner().invoke(main.app, args)

    return run


def test_check_prints_one_table_and_exits_zero_when_everything_passes(cli: Any, tmp_path: Path) -> None:
    result = cli(["check", "--env", "production", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for label in ("production/ap-east-2", "production/ap-northeast-1", "production/us-east-1"):
        rows = [line for line in result.output.splitlines() if label in line]
        checkers = ("preflight", "cfn-lint", "cdk-nag", "checkov")
        assert [checker for checker in checkers if any(checker in r for r in rows)] == list(checkers)
    assert f"{len(RULES)} rules pass" in result.output
    assert "no unacknowledged finding; " in next(line for line in result.output.splitlines() if "checkov" in line)


def tampered(assemblies: Any, tmp_path: Path) -> dict[tuple[str, str], Assembly]:
    """Staging with its database security group opened to the internet on 5432."""
    copies = {}
    for key in (("staging", "ap-east-2"), ("staging", "us-east-1")):
        original = assemblies[key]
        directory = tmp_path / original.directory.name
        shutil.copytree(original.directory, directory)
        copies[key] = Assembly(original.target, directory)
    path = copies[("staging", "ap-east-2")].templates["NetworkStack"]
    template = json.loads(path.read_text(encoding="utf-8"))
    database = next(k for k in template["Resources"] if k.startswith("SecurityGroupsDatabase"))
    template["Resources"][database]["Properties"]["SecurityGroupIngress"] = [
        {"CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432}
    ]
    path.write_text(json.dumps(template), encoding="utf-8")
    return copies


def test_check_exits_non_zero_on_a_preflight_error(cli: Any, assemblies: Any, tmp_path: Path) -> None:
    result = cli(["check", "--env", "staging", "--out", str(tmp_path / "out")], tampered(assemblies, tmp_path))
    assert result.exit_code == 1
    assert "PF006" in result.output
    # checkov sees it too: the added rule has no description (CKV_AWS_23).
    assert any("CKV_AWS_23" in line and "SecurityGroupsDatabase" in line for line in result.output.splitlines())
    assert "error: 2 error(s) in staging" in result.output


def test_plan_runs_preflight_and_fails_on_its_errors(cli: Any, assemblies: Any, tmp_path: Path) -> None:
    passing = cli(["plan", "--env", "staging", "--format", "json", "--out", str(tmp_path / "a")])
    assert passing.exit_code == 0, passing.output
    assert "preflight: 0 error(s), 0 warning(s) in 2 targets." in passing.output
    failing = cli(["plan", "--env", "staging", "--out", str(tmp_path / "b")], tampered(assemblies, tmp_path))
    assert failing.exit_code == 1
    assert "PF006" in failing.output
    assert "preflight found errors" in failing.output


def test_check_of_an_unknown_environment_is_one_sentence() -> None:
    from tests.test_cli_errors import run

    result = run("check", "--env", "bogus")
    assert result.returncode == 1
    assert [line for line in result.stderr.splitlines() if line.strip()] == [
        "error: unknown environment 'bogus'; use one of development, staging, production."
    ]


def test_nested_stack_templates_are_checked_too(tmp_path: Path) -> None:
    from genai_infra.targets import Target

    manifest = {"artifacts": {"EKSStack": {"type": "aws:cloudformation:stack", "dependencies": ["NetworkStack"]}}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (tmp_path / "EKSStack.template.json").write_text('{"Resources": {}}', encoding="utf-8")
    old_runtime = {"Resources": {"Handler": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "python3.9"}}}}
    (tmp_path / "EKSStackKubectlProvider.nested.template.json").write_text(json.dumps(old_runtime), encoding="utf-8")
    assembly = Assembly(Target("production", "ap-east-2", "primary"), tmp_path)
    target = from_assembly(assembly, support.AS_OF)
    assert list(target.stacks) == ["EKSStack", "EKSStackKubectlProvider.nested"]
    assert target.dependencies == {"EKSStack": frozenset({"NetworkStack"})}
    findings = check_assemblies([assembly], support.AS_OF)
    # The handler's runtime is deprecated, and it has no log group (Lambda would create one without retention).
    assert sorted((f.rule_id, f.stack, f.logical_id) for f in findings) == [
        ("PF038", "EKSStackKubectlProvider.nested", "Handler"),
        ("PF050", "EKSStackKubectlProvider.nested", "Handler"),
    ]


def test_stale_support_tables_are_reported_as_a_warning(assemblies: Any) -> None:
    from datetime import timedelta

    from genai_infra.cli.check import preflight_findings

    chosen = [assemblies[("staging", "ap-east-2")], assemblies[("staging", "us-east-1")]]
    assert preflight_findings(chosen, support.AS_OF) == []
    later = support.AS_OF + timedelta(days=support.STALE_AFTER_DAYS + 1)
    (stale,) = [f for f in preflight_findings(chosen, later) if f.rule_id == "PF000"]
    assert stale.severity == "warning"
    assert "update AS_OF" in stale.message


def test_check_writes_sarif_for_ci(cli: Any, assemblies: Any, tmp_path: Path) -> None:
    # One run (cfn-lint is the slow part); JUnit and JSON render the same results (tests/test_cli_reports.py).
    source = tampered(assemblies, tmp_path)
    sarif = cli(["check", "--env", "staging", "--out", str(tmp_path / "out"), "--format", "sarif"], source)
    assert sarif.exit_code == 1
    # PF006, and checkov's CKV_AWS_23 on the added rule, which has no description.
    assert "error: 2 error(s) in staging" in sarif.stderr
    log = json.loads(sarif.stdout)
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    found = [r for r in run["results"] if r["ruleId"] == "preflight/PF006"]
    assert len(found) == 1
    assert found[0]["level"] == "error"
    assert run["tool"]["driver"]["rules"][found[0]["ruleIndex"]]["properties"]["count"] == 1


def test_check_at_80_columns_keeps_targets_whole_and_a_passing_target_on_one_line() -> None:
    from genai_infra.cli.check import combined_table

    narrow = Console(width=80, file=io.StringIO())
    targets = [("production/ap-northeast-1", 12), ("staging/ap-east-2", 11)]
    row = Row("staging/ap-east-2", "preflight", "PF006", "error", "NetworkStack/Database", "open to 0.0.0.0/0 " * 6)
    narrow.print(common.keep_whole(combined_table("production", targets, [row], {"production/ap-northeast-1": 3})))
    text = narrow.file.getvalue()  # type: ignore[attr-defined]
    assert "production/ap-northeast-1" in text
    assert "staging/ap-east-2" in text
    assert len([line for line in text.splitlines() if "production/ap-northeast-1" in line]) == 1
    assert max(len(line) for line in text.splitlines()) <= 80


def test_long_lists_are_behind_details() -> None:
    from genai_infra.cli.check import SHOWN, combined_table

    rows = [
        Row("staging/ap-east-2", "cfn-lint", f"W{3000 + n}", "warning", f"T.json:{n}", "a warning") for n in range(8)
    ]
    rows.append(Row("staging/ap-east-2", "cfn-lint", "E3001", "error", "T.json:99", "an error"))
    targets = [("staging/ap-east-2", 11)]
    short = Console(width=200, file=io.StringIO())
    short.print(combined_table("staging", targets, rows, {}, details=False))
    text = short.file.getvalue()  # type: ignore[attr-defined]
    assert "E3001" in text  # errors come first, so a cut never hides one
    assert f"{len(rows) - SHOWN + 1} more (0 error(s)); --details lists them" in text
    full = Console(width=200, file=io.StringIO())
    full.print(combined_table("staging", targets, rows, {}, details=True))
    assert all(row.rule in full.file.getvalue() for row in rows)  # type: ignore[attr-defined]
