"""checkov, the fourth checker: zero unacknowledged findings on all seven targets, acknowledgements
with reasons that each cover a real finding, and a broken template reported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from genai_infra.checkov_scan import (
    BASELINE,
    METADATA_SOURCE,
    MIN_REASON,
    Acknowledgement,
    CheckovError,
    CheckovFinding,
    ScanResult,
    checkov_available,
    load_baseline,
    metadata_acknowledgements,
    scan,
    without_checkov_metadata,
)
from genai_infra.synth import Assembly
from tests.conftest import ALL_TARGETS

needs_checkov = pytest.mark.skipif(
    not checkov_available(), reason="checkov's venv (.venv-checkov) is absent: run `bash scripts/setup.sh`"
)


@pytest.fixture(scope="module")
def checkov_result(assemblies: dict[tuple[str, str], Assembly]) -> ScanResult:
    """One checkov run over every template of the seven targets."""
    return scan([assemblies[key] for key in ALL_TARGETS])


def listing(findings: list[CheckovFinding]) -> str:
    return "\n".join(f"{f.target} {f.check} {f.resource}: {f.name}" for f in findings)


@needs_checkov
def test_no_target_has_an_unacknowledged_checkov_finding(checkov_result: ScanResult) -> None:
    assert len(checkov_result.labels) == 7
    assert checkov_result.passed > 1000, "checkov evaluated (almost) nothing"
    assert checkov_result.unacknowledged == [], (
        "unacknowledged checkov findings; fix the construct or acknowledge with a reason "
        "(`genai-infra checkov` prints stanzas):\n" + listing(checkov_result.unacknowledged)
    )


@needs_checkov
def test_every_acknowledgement_has_a_reason_and_covers_a_real_finding(checkov_result: ScanResult) -> None:
    baseline = load_baseline()
    assert baseline, f"{BASELINE.name} is read"
    in_metadata = [ack for ack in checkov_result.acknowledgements if ack.source == METADATA_SOURCE]
    assert in_metadata, "the constructs' checkov skips are read from the templates"
    for ack in checkov_result.acknowledgements:
        assert len(ack.reason.strip()) >= MIN_REASON, f"{ack.check} on {ack.resource} ({ack.where})"
    stale = checkov_result.stale(baseline=True)
    assert stale == [], "acknowledgements that cover no finding any more; remove them:\n" + "\n".join(
        f"{ack.check} {ack.resource} ({ack.where}, targets {', '.join(ack.targets)})" for ack in stale
    )


@needs_checkov
def test_the_certificates_name_no_wildcard(checkov_result: ScanResult) -> None:
    # CKV2_AWS_71 was fixed in the construct (exact names), not acknowledged.
    assert not [f for f in checkov_result.findings if f.check == "CKV2_AWS_71"]
    assert not [a for a in checkov_result.acknowledgements if a.check == "CKV2_AWS_71"]


def mutated_staging(assemblies: dict[tuple[str, str], Assembly], tmp_path: Path) -> Assembly:
    """Staging's ap-east-2 with an unencrypted Aurora cluster, and the ALB log bucket unversioned and
    without its checkov skip (the EKSStack's other skips stay)."""
    original = assemblies[("staging", "ap-east-2")]
    directory = tmp_path / original.directory.name
    directory.mkdir()
    rds = original.template("RdsStack")
    cluster = next(k for k, v in rds["Resources"].items() if v["Type"] == "AWS::RDS::DBCluster")
    assert rds["Resources"][cluster]["Properties"]["StorageEncrypted"] is True
    rds["Resources"][cluster]["Properties"]["StorageEncrypted"] = False
    eks = original.template("EKSStack")
    bucket = next(k for k in eks["Resources"] if k.startswith("AlbAccessLogs"))
    eks["Resources"][bucket]["Properties"].pop("VersioningConfiguration")
    eks["Resources"][bucket]["Metadata"].pop("checkov")
    for name, template in (("RdsStack", rds), ("EKSStack", eks)):
        (directory / f"{name}.template.json").write_text(json.dumps(template), encoding="utf-8")
    return Assembly(original.target, directory)


def resource_name(logical_id: str) -> str:
    """The construct path part of a logical id, without the hash CDK appends."""
    return logical_id[:-8]


@needs_checkov
def test_an_unencrypted_database_is_reported_and_acknowledgements_still_apply(
    assemblies: dict[tuple[str, str], Assembly], tmp_path: Path
) -> None:
    result = scan([mutated_staging(assemblies, tmp_path)])
    reported = {(f.check, f.stack, resource_name(f.logical_id)) for f in result.unacknowledged}
    assert reported == {
        ("CKV_AWS_96", "RdsStack", "AuroraCluster"),  # storage not encrypted
        ("CKV_AWS_21", "EKSStack", "AlbAccessLogs"),  # bucket not versioned
        ("CKV_AWS_18", "EKSStack", "AlbAccessLogs"),  # its skip next to the construct is gone
    }
    # The kubectl handler's skips next to its construct still cover its findings in the same template.
    covered = {
        (f.check, ack.source) for f, ack in result.covered_by.items() if "KubectlProviderHandler" in f.logical_id
    }
    assert covered == {
        ("CKV_AWS_115", METADATA_SOURCE),
        ("CKV_AWS_116", METADATA_SOURCE),
        ("CKV_AWS_173", METADATA_SOURCE),
    }


@needs_checkov
def test_checkov_command_prints_the_finding_and_a_stanza_and_exits_one(
    assemblies: dict[tuple[str, str], Assembly], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rich.console import Console
    from typer.testing import CliRunner

    from genai_infra.cli import common, main

    mutated = mutated_staging(assemblies, tmp_path)
    monkeypatch.setattr(common, "console", Console(width=250))
    monkeypatch.setattr(common, "errors", Console(stderr=True, width=250))
    monkeypatch.setattr(common, "synthesize_targets", lambda config, targets, out: [mutated])
    result = CliRunner().invoke(main.app, ["checkov", "--env", "staging"])
    assert result.exit_code == 1, result.output
    assert any("CKV_AWS_96" in line and "RdsStack/AuroraCluster" in line for line in result.output.splitlines())
    assert 'check = "CKV_AWS_96"' in result.output
    assert 'resource = "RdsStack/AuroraCluster*"' in result.output
    assert "unacknowledged checkov finding(s)" in result.output


# --- the acknowledgement formats, without running checkov ----------------------------------------


def finding(check: str = "CKV_AWS_18", resource: str = "EKSStack/AlbAccessLogs4EBA3815") -> CheckovFinding:
    stack, logical_id = resource.split("/")
    return CheckovFinding("production/ap-east-2", stack, logical_id, check, "AWS::S3::Bucket", "a check")


def test_baseline_entries_match_by_check_resource_glob_and_target() -> None:
    ack = Acknowledgement("CKV_AWS_18", "EKSStack/AlbAccessLogs*", "a reason long enough to count", "file")
    assert ack.covers(finding())
    assert not ack.covers(finding(check="CKV_AWS_19"))
    assert not ack.covers(finding(resource="NetworkStack/AlbAccessLogs4EBA3815"))
    only_tokyo = Acknowledgement("CKV_AWS_18", "*/*", "a reason long enough to count", "file", ("*/ap-northeast-1",))
    assert not only_tokyo.covers(finding())


def test_a_stale_acknowledgement_is_reported() -> None:
    used = Acknowledgement("CKV_AWS_18", "EKSStack/*", "a reason long enough to count", "file")
    unused = Acknowledgement("CKV_AWS_21", "EKSStack/*", "a reason long enough to count", "file")
    skip = Acknowledgement("CKV_AWS_19", "EKSStack/X", "a reason long enough to count", METADATA_SOURCE)
    result = ScanResult(("production/ap-east-2",), [finding()], [used, unused, skip], 1, 0.0)
    assert result.unacknowledged == []
    assert result.stale(baseline=True) == [unused, skip]
    # One environment's scan cannot judge baseline entries, only the skips in its own templates.
    assert result.stale(baseline=False) == [skip]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[acknowledged]]\ncheck = "CKV_AWS_18"\nresource = "EKSStack/*"\nreason = "short"', "needs a reason"),
        ('[[acknowledged]]\ncheck = "S3"\nresource = "EKSStack/*"\nreason = "' + "x" * 30 + '"', "check id"),
        ('[[acknowledged]]\ncheck = "CKV_AWS_18"\nresource = "Bucket*"\nreason = "' + "x" * 30 + '"', "<StackId>"),
        ('[[acknowledged]]\ncheck = "CKV_AWS_18"\nresources = "EKSStack/*"', "may only have"),
        ("[[acknowledged]\n", "not valid TOML"),
    ],
    ids=["short-reason", "bad-check", "no-stack", "misspelt-key", "bad-toml"],
)
def test_a_malformed_baseline_entry_is_one_sentence(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "checkov-acknowledged.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CheckovError, match=message):
        load_baseline(path)


def test_metadata_skips_need_a_comment_and_are_stripped_before_the_scan() -> None:
    template: dict[str, Any] = {
        "Resources": {
            "Bucket": {
                "Type": "AWS::S3::Bucket",
                "Metadata": {
                    "checkov": {"skip": [{"id": "CKV_AWS_18", "comment": "the log bucket itself, endlessly"}]}
                },
            }
        }
    }
    (ack,) = metadata_acknowledgements("production/ap-east-2", "EKSStack", template)
    assert (ack.check, ack.resource, ack.targets) == ("CKV_AWS_18", "EKSStack/Bucket", ("production/ap-east-2",))
    assert without_checkov_metadata(template)["Resources"]["Bucket"] == {"Type": "AWS::S3::Bucket"}
    assert "Metadata" in template["Resources"]["Bucket"], "the original is left as it was"
    template["Resources"]["Bucket"]["Metadata"]["checkov"]["skip"] = [{"id": "CKV_AWS_18"}]
    with pytest.raises(CheckovError, match="needs an id and a comment"):
        metadata_acknowledgements("production/ap-east-2", "EKSStack", template)


def test_check_reports_a_missing_checkov_as_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from genai_infra import checkov_scan
    from genai_infra.cli.check import finish_checkov, start_checkov

    monkeypatch.setattr(checkov_scan, "CHECKOV", tmp_path / "absent" / "checkov")
    message = finish_checkov(start_checkov([]))
    assert message == f"checkov is not installed at {tmp_path}/absent/checkov; run `bash scripts/setup.sh`."


def test_the_project_baseline_is_well_formed() -> None:
    for ack in load_baseline():
        assert ack.source == BASELINE.name
        assert len(ack.reason) >= MIN_REASON
