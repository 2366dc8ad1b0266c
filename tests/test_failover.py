"""`genai-infra failover`: the DR drill's steps against stateful stubs of the AWS APIs.

The stubs keep the state those APIs change and answer in the response shapes of the AWS API
reference (GlobalClusters[].GlobalClusterMembers[], GlobalReplicationGroups[].Members[]), so each
step's logic is shown fast and in isolation (a lagging secondary, a timeout, no healthy region).
tests/test_emulator_failover.py runs the same drill against production deployed in the emulator.
"""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from genai_infra.cli import common
from genai_infra.cli import validate as validate_cli
from genai_infra.cli.main import app
from genai_infra.config import ProjectConfig
from genai_infra.naming import aurora_global_cluster_id, data_resource_id
from genai_infra.validation.failover import FailoverError, StepReport, Waiting, drill_steps, run_steps

TAIPEI, TOKYO = "ap-east-2", "ap-northeast-1"
ACCOUNT = "000000000000"  # the stubs' own account; no AWS account is contacted


class GlobalAurora:
    """describe/switchover/failover_global_cluster; the switch completes after `polls` describes."""

    def __init__(self, sync: str = "connected", polls: int = 2) -> None:
        self.writer = TAIPEI
        self.sync = sync
        self.status = "available"
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._pending: str | None = None
        self._polls = polls

    def arn(self, region: str) -> str:
        return f"arn:aws:rds:{region}:{ACCOUNT}:cluster:{data_resource_id('production', region, TAIPEI, 'aurora')}"

    def describe_global_clusters(self, *, GlobalClusterIdentifier: str) -> dict[str, Any]:  # noqa: N803
        assert GlobalClusterIdentifier == aurora_global_cluster_id("production")
        if self._pending is not None:
            self._polls -= 1
            if self._polls <= 0:
                self.writer, self._pending, self.status = self._pending, None, "available"
        members = [
            {"DBClusterArn": self.arn(region), "IsWriter": region == self.writer}
            | ({} if region == self.writer else {"SynchronizationStatus": self.sync})
            for region in (TAIPEI, TOKYO)
        ]
        return {
            "GlobalClusters": [
                {
                    "GlobalClusterIdentifier": GlobalClusterIdentifier,
                    "Status": self.status,
                    "GlobalClusterMembers": members,
                }
            ]
        }

    def _start(self, name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((name, kwargs))
        self._pending = kwargs["TargetDbClusterIdentifier"].split(":")[3]
        self.status = "switching-over" if name == "switchover" else "failing-over"
        return {"GlobalCluster": {}}

    def switchover_global_cluster(self, **kwargs: Any) -> dict[str, Any]:
        return self._start("switchover", kwargs)

    def failover_global_cluster(self, **kwargs: Any) -> dict[str, Any]:
        return self._start("failover", kwargs)


class GlobalRedis:
    """describe/failover_global_replication_group with AWS's account-specific id prefix."""

    ID = "ldgnf-genai-demo-production"

    def __init__(self, polls: int = 1) -> None:
        self.primary = TAIPEI
        self.status = "available"
        self.calls: list[dict[str, Any]] = []
        self._pending: str | None = None
        self._polls = polls

    def describe_global_replication_groups(self, *, ShowMemberInfo: bool) -> dict[str, Any]:  # noqa: N803
        assert ShowMemberInfo
        if self._pending is not None:
            self._polls -= 1
            if self._polls <= 0:
                self.primary, self._pending, self.status = self._pending, None, "available"
        members = [
            {
                "ReplicationGroupId": data_resource_id("production", region, TAIPEI, "redis"),
                "ReplicationGroupRegion": region,
                "Role": "PRIMARY" if region == self.primary else "SECONDARY",
                "Status": "associated",
            }
            for region in (TAIPEI, TOKYO)
        ]
        other = {"GlobalReplicationGroupId": "ldgnf-someone-else", "Status": "available", "Members": []}
        return {
            "GlobalReplicationGroups": [
                other,
                {"GlobalReplicationGroupId": self.ID, "Status": self.status, "Members": members},
            ]
        }

    def failover_global_replication_group(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        self._pending = kwargs["PrimaryRegion"]
        self.status = "modifying"
        return {"GlobalReplicationGroup": {}}


class HealthChecks:
    """route53: the hosted zone, origin's failover records (Taipei PRIMARY, Tokyo SECONDARY, as
    Route53FailoverStack creates them), each health check's configuration and its checkers' reports."""

    ZONE = "/hostedzone/Z0STUB"

    def __init__(self, healthy: dict[str, bool], inverted: frozenset[str] = frozenset()) -> None:
        self.healthy = healthy
        self.inverted = inverted

    def list_hosted_zones(self) -> dict[str, Any]:
        other = {"Id": "/hostedzone/Z0PRIVATE", "Name": "genai-demo.kimkao.io.", "Config": {"PrivateZone": True}}
        mine = {"Id": self.ZONE, "Name": "genai-demo.kimkao.io.", "Config": {"PrivateZone": False}}
        return {"HostedZones": [other, mine], "IsTruncated": False}

    def list_resource_record_sets(self, *, HostedZoneId: str, StartRecordName: str, StartRecordType: str) -> Any:  # noqa: N803
        assert (HostedZoneId, StartRecordName, StartRecordType) == (self.ZONE, "origin.genai-demo.kimkao.io.", "A")
        regional = {"Name": "origin-ap-east-2.genai-demo.kimkao.io.", "Type": "A"}
        failover = [
            {
                "Name": "origin.genai-demo.kimkao.io.",
                "Type": "A",
                "SetIdentifier": region,
                "Failover": role,
                "HealthCheckId": f"hc-{region}",
            }
            for region, role in ((TOKYO, "SECONDARY"), (TAIPEI, "PRIMARY"))
            if region in self.healthy
        ]
        return {"ResourceRecordSets": [regional, *failover]}

    def get_health_check(self, *, HealthCheckId: str) -> dict[str, Any]:  # noqa: N803
        region = HealthCheckId.removeprefix("hc-")
        return {"HealthCheck": {"Id": HealthCheckId, "HealthCheckConfig": {"Inverted": region in self.inverted}}}

    def get_health_check_status(self, *, HealthCheckId: str) -> dict[str, Any]:  # noqa: N803
        ok = self.healthy[HealthCheckId.removeprefix("hc-")]
        status = "Success: HTTP Status Code 200, OK" if ok else "Failure: Connection timed out."
        return {
            "HealthCheckObservations": [
                {"Region": r, "StatusReport": {"Status": status}} for r in ("us-east-1", "eu-west-1", "ap-southeast-1")
            ]
        }


def clients_of(aurora: GlobalAurora, redis: GlobalRedis, health: HealthChecks) -> Any:
    def clients(region: str, service: str) -> Any:
        return {"rds": aurora, "elasticache": redis, "route53": health}[service]

    return clients


FAST = Waiting(poll_seconds=0, timeout_seconds=60, sleep=lambda _: None)


def run(config: ProjectConfig, to: str, clients: Any, *, unplanned: bool = False) -> tuple[bool, list[StepReport]]:
    reports: list[StepReport] = []
    steps = drill_steps(config.environments["production"], to, clients, unplanned=unplanned, waiting=FAST)
    return run_steps(steps, reports.append), reports


def test_planned_switchover_to_tokyo_and_back(config: ProjectConfig) -> None:
    aurora, redis, health = GlobalAurora(), GlobalRedis(), HealthChecks({TAIPEI: True, TOKYO: True})
    passed, reports = run(config, TOKYO, clients_of(aurora, redis, health))
    assert passed, reports
    assert [r.number for r in reports] == [1, 2, 3, 4]
    assert all(r.seconds >= 0 for r in reports)
    assert aurora.calls == [
        (
            "switchover",
            {"GlobalClusterIdentifier": "genai-demo-production-global", "TargetDbClusterIdentifier": aurora.arn(TOKYO)},
        )
    ]
    assert (aurora.writer, aurora.status) == (TOKYO, "available")
    assert redis.calls == [
        {
            "GlobalReplicationGroupId": GlobalRedis.ID,
            "PrimaryRegion": TOKYO,
            "PrimaryReplicationGroupId": "genai-demo-production-apne1-redis",
        }
    ]
    assert redis.primary == TOKYO
    assert reports[3].detail.startswith(
        f"{TAIPEI} healthy (3/3); {TOKYO} healthy (3/3); origin.genai-demo.kimkao.io answers from {TAIPEI} "
        "(the failover record stays with the healthy PRIMARY region"
    )

    back, reports = run(config, TAIPEI, clients_of(aurora, redis, health))
    assert back, reports
    assert (aurora.writer, redis.primary) == (TAIPEI, TAIPEI)
    assert aurora.calls[-1][1]["TargetDbClusterIdentifier"] == aurora.arn(TAIPEI)
    assert reports[3].detail.endswith(f"answers from {TAIPEI}")


def test_unplanned_failover_allows_data_loss_and_reports_the_answering_region(config: ProjectConfig) -> None:
    aurora, redis = GlobalAurora(sync="pending-resync"), GlobalRedis()
    health = HealthChecks({TAIPEI: False, TOKYO: True})
    passed, reports = run(config, TOKYO, clients_of(aurora, redis, health), unplanned=True)
    assert passed, reports
    assert aurora.calls == [
        (
            "failover",
            {
                "GlobalClusterIdentifier": "genai-demo-production-global",
                "TargetDbClusterIdentifier": aurora.arn(TOKYO),
                "AllowDataLoss": True,
            },
        )
    ]
    assert reports[3].detail == (
        f"{TAIPEI} unhealthy (0/3); {TOKYO} healthy (3/3); origin.genai-demo.kimkao.io answers from {TOKYO}"
    )


def test_route53_answers_from_the_secondary_when_the_primary_check_is_inverted(config: ProjectConfig) -> None:
    """An inverted health check counts as unhealthy while its checkers succeed (Route 53's rule), so
    origin answers from the SECONDARY record's region; the records decide, not the configuration."""
    health = HealthChecks({TAIPEI: True, TOKYO: True}, inverted=frozenset({TAIPEI}))
    passed, reports = run(config, TOKYO, clients_of(GlobalAurora(), GlobalRedis(), health), unplanned=True)
    assert passed, reports
    assert reports[3].detail == (
        f"{TAIPEI} unhealthy (3/3, inverted); {TOKYO} healthy (3/3); origin.genai-demo.kimkao.io answers from {TOKYO}"
    )


def test_route53_without_failover_records_fails_the_step(config: ProjectConfig) -> None:
    passed, reports = run(config, TOKYO, clients_of(GlobalAurora(), GlobalRedis(), HealthChecks({})))
    assert not passed
    assert reports[-1].detail == (
        "origin.genai-demo.kimkao.io has no failover records with health checks in hosted zone genai-demo.kimkao.io."
    )


def test_waiting_polls_after_one_second_then_doubles_to_the_poll_interval(config: ProjectConfig) -> None:
    pauses: list[float] = []
    waiting = Waiting(poll_seconds=15, timeout_seconds=10**6, sleep=pauses.append)
    aurora = GlobalAurora(polls=7)
    steps = drill_steps(
        config.environments["production"],
        TOKYO,
        clients_of(aurora, GlobalRedis(), HealthChecks({TAIPEI: True, TOKYO: True})),
        unplanned=False,
        waiting=waiting,
    )
    assert steps[1].run().startswith("global database available")
    assert pauses == [1, 2, 4, 8, 15, 15]


def test_planned_switchover_refuses_a_lagging_secondary_and_stops(config: ProjectConfig) -> None:
    aurora, redis = GlobalAurora(sync="pending-resync"), GlobalRedis()
    passed, reports = run(config, TOKYO, clients_of(aurora, redis, HealthChecks({TAIPEI: True, TOKYO: True})))
    assert not passed
    assert len(reports) == 1
    assert "found available and pending-resync; wait for replication or use --unplanned" in reports[0].detail
    assert aurora.calls == []
    assert redis.calls == []


def test_a_step_that_never_completes_times_out(config: ProjectConfig) -> None:
    aurora, redis = GlobalAurora(polls=10**6), GlobalRedis()
    ticks = iter(range(10**6))
    waiting = Waiting(poll_seconds=0, timeout_seconds=5, sleep=lambda _: None, clock=lambda: float(next(ticks)))
    steps = drill_steps(
        config.environments["production"],
        TOKYO,
        clients_of(aurora, redis, HealthChecks({TAIPEI: True, TOKYO: True})),
        unplanned=False,
        waiting=waiting,
    )
    reports: list[StepReport] = []
    assert not run_steps(steps, reports.append)
    assert reports[-1].number == 2
    assert reports[-1].detail == (
        "the Aurora switchover to ap-northeast-1 did not complete within 5 s "
        "(last state: global database switching-over, target writer False)."
    )
    assert redis.calls == []


def test_already_primary_and_no_healthy_region(config: ProjectConfig) -> None:
    aurora, redis = GlobalAurora(), GlobalRedis()
    passed, reports = run(config, TAIPEI, clients_of(aurora, redis, HealthChecks({TAIPEI: True, TOKYO: True})))
    assert not passed
    assert reports[0].detail == (
        "genai-demo-production-aurora already is the writer of genai-demo-production-global; nothing to fail over."
    )
    passed, reports = run(config, TOKYO, clients_of(aurora, redis, HealthChecks({TAIPEI: False, TOKYO: False})))
    assert not passed
    assert [r.passed for r in reports] == [True, True, True, False]
    assert reports[3].detail.startswith("no region's health check is healthy")


def test_environments_without_a_secondary_are_refused(config: ProjectConfig) -> None:
    with pytest.raises(FailoverError, match="staging has no secondary region"):
        drill_steps(
            config.environments["staging"],
            TOKYO,
            clients_of(GlobalAurora(), GlobalRedis(), HealthChecks({})),
            unplanned=False,
        )


def test_cli_dry_run_prints_the_plan_and_calls_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_aws(*_: Any) -> Any:
        raise AssertionError("a dry run must not create AWS clients")

    monkeypatch.setattr(validate_cli, "aws_clients", no_aws)
    monkeypatch.setattr(common.console, "width", 250)
    result = CliRunner().invoke(app, ["failover", "--env", "production", "--to", TOKYO, "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"production: planned switchover to {TOKYO} (dry run, nothing is changed)"
    assert lines[2] == (
        "  2. Aurora global database switchover to genai-demo-production-apne1-aurora in ap-northeast-1"
    )
    back = CliRunner().invoke(app, ["failover", "--env", "production", "--to", TAIPEI, "--dry-run", "--unplanned"])
    assert "failover (AllowDataLoss) to genai-demo-production-aurora in ap-east-2" in back.output


def test_cli_runs_the_drill_and_fails_at_a_failed_step(monkeypatch: pytest.MonkeyPatch) -> None:
    aurora, redis = GlobalAurora(sync="pending-resync"), GlobalRedis()
    factory = clients_of(aurora, redis, HealthChecks({TAIPEI: True, TOKYO: True}))
    monkeypatch.setattr(validate_cli, "aws_clients", lambda *_: (None, factory))
    monkeypatch.setattr(common.console, "width", 250)
    result = CliRunner().invoke(app, ["failover", "--env", "production", "--to", TOKYO, "--yes"])
    assert result.exit_code == 1
    assert "1. check the Aurora global database genai-demo-production-global" in result.output
    assert "FAILED in" in result.output
    assert "the planned switchover to ap-northeast-1 stopped at a failed step" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["failover", "--env", "staging", "--to", TOKYO, "--dry-run"], "staging has no secondary region"),
        (["failover", "--env", "production", "--to", "us-east-1", "--dry-run"], "us-east-1 is not a serving region"),
        (["failover", "--env", "production", "--to", TOKYO, "--timeout", "-1"], "--timeout must be a positive"),
    ],
)
def test_cli_refuses_bad_input(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
