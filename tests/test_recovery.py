"""RPO and RTO from the synthesized templates (genai_infra.recovery) and `genai-infra recovery`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from genai_infra.cli import main
from genai_infra.recovery import cron_interval_seconds, recovery_paths, templates_by_region


def _paths(assemblies: Any, environment: str) -> dict[str, Any]:
    chosen = [a for (env, _), a in assemblies.items() if env == environment]
    return {path.component: path for path in recovery_paths(templates_by_region(chosen))}


def test_production_recovers_from_a_region_loss_by_replication(assemblies: Any) -> None:
    paths = _paths(assemblies, "production")
    # The health check of the template: 10 s interval x 3 failures, then the ALB alias's 60 s TTL.
    assert (paths["Route 53 failover"].rpo_seconds, paths["Route 53 failover"].rto_seconds) == (0, 30 + 60)
    aurora = paths["Aurora PostgreSQL"]
    assert aurora.mechanism.startswith("global database")
    assert (aurora.rpo_seconds, aurora.rto_seconds) == (1, 60 + 90)
    redis = paths["ElastiCache Redis"]
    assert redis.mechanism.startswith("global datastore")
    assert (redis.rpo_seconds, redis.rto_seconds) == (1, 60)
    assert paths["MSK Kafka"].mechanism == "MSK Replicator to the other region"
    assert paths["MSK Kafka"].rpo_seconds is None  # AWS states no bound; said, not invented
    assert paths["AWS Backup rule daily"].rpo_seconds == 86_400
    assert "copied to another region" in paths["AWS Backup rule daily"].mechanism
    assert paths["AWS Backup rule weekly"].rpo_seconds == 7 * 86_400


@pytest.mark.parametrize("environment", ["development", "staging"])
def test_single_region_environments_rely_on_backups(assemblies: Any, environment: str) -> None:
    paths = _paths(assemblies, environment)
    assert "Route 53 failover" not in paths
    aurora = paths["Aurora PostgreSQL"]
    assert aurora.mechanism == "point-in-time restore in the same region (7-day backups)"
    assert (aurora.rpo_seconds, aurora.rto_seconds) == (300, None)
    assert paths["ElastiCache Redis"].mechanism.startswith("daily snapshot")
    assert paths["MSK Kafka"].mechanism == "none in this environment"  # decision C12: MSK in production only
    rule = {"development": "monthly", "staging": "weekly"}[environment]
    assert paths[f"AWS Backup rule {rule}"].rpo_seconds == {"monthly": 31, "weekly": 7}[rule] * 86_400


@pytest.mark.parametrize(
    ("expression", "seconds"),
    [("cron(0 5 * * ? *)", 86_400), ("cron(0 6 ? * SUN *)", 604_800), ("cron(0 5 1 * ? *)", 2_678_400)],
)
def test_backup_schedules_become_intervals(expression: str, seconds: int) -> None:
    assert cron_interval_seconds(expression) == seconds


def test_a_slower_health_check_lengthens_the_failover() -> None:
    check = {"Type": "AWS::Route53::HealthCheck", "Properties": {"HealthCheckConfig": {"RequestInterval": 30,
             "FailureThreshold": 5}}}  # fmt: skip
    record = {"Type": "AWS::Route53::RecordSet", "Properties": {"Failover": "PRIMARY"}}
    paths = {p.component: p for p in recovery_paths({"ap-east-2": {"Dns": {"Resources": {"C": check, "R": record}}}})}
    assert paths["Route 53 failover"].rto_seconds == 30 * 5 + 60
    assert paths["Aurora PostgreSQL"].mechanism == "none in this environment"


def test_the_cli_prints_json(monkeypatch: pytest.MonkeyPatch, assemblies: Any) -> None:
    chosen = {key: value for key, value in assemblies.items() if key[0] == "production"}
    monkeypatch.setattr(
        main, "_synthesize", lambda config, targets, out: [chosen[(t.environment, t.region)] for t in targets]
    )
    result = CliRunner().invoke(main.app, ["recovery", "--env", "production", "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["environment"] == "production"
    assert {p["component"] for p in payload["paths"]} >= {"Aurora PostgreSQL", "Route 53 failover"}
    bad = CliRunner().invoke(main.app, ["recovery", "--env", "production", "--format", "xml"])
    assert bad.exit_code == 1
    assert "unknown format 'xml'" in bad.output


def test_plan_and_recovery_read_synthesized_assemblies_with_from(assemblies: Any, tmp_path: Any) -> None:
    # The session's assemblies sit in one `synth --out` folder; --from reads them and synthesizes nothing.
    source = str(assemblies[("production", "ap-east-2")].directory.parent)
    recovered = CliRunner().invoke(main.app, ["recovery", "--env", "production", "--from", source, "--format", "json"])
    assert recovered.exit_code == 0, recovered.output
    assert "synthesized" not in recovered.output
    paths = {p["component"]: p for p in json.loads(recovered.stdout)["paths"]}
    assert paths["Route 53 failover"]["rto_seconds"] == 90
    planned = CliRunner().invoke(main.app, ["plan", "--env", "staging", "--from", source, "--format", "json"])
    assert planned.exit_code == 0, planned.output
    assert {step["stack"] for step in json.loads(planned.stdout)["steps"]} >= {"EKSStack", "ObservabilityStack"}
    missing = CliRunner().invoke(main.app, ["plan", "--env", "staging", "--from", str(tmp_path)])
    assert missing.exit_code == 1
    assert f"{tmp_path} holds no assembly of staging/ap-east-2" in " ".join(missing.output.split())
