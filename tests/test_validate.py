"""`genai-infra validate` against moto seeded like a deployed environment, and its failure cases."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from typer.testing import CliRunner

from genai_infra.cli import common
from genai_infra.cli import validate as validate_cli
from genai_infra.cli.main import app
from genai_infra.config import ProjectConfig
from genai_infra.naming import app_target_group_name, cluster_name, data_resource_id
from genai_infra.validation.result import CheckResult
from genai_infra.validation.suite import ClientFactory, Outcome, ProbeOptions, validate_environment
from tests.conftest import SERVING_TARGETS
from tests.validation_seed import Patched, addon_stub, seed_region

NO_PROBES = ProbeOptions(enabled=False)


@pytest.fixture
def aws(moto_aws: None) -> None:
    """moto (tests/conftest.py); the name these tests have always used."""


def factory(**overrides: dict[str, Any]) -> ClientFactory:
    """moto clients; `overrides` maps a service to operations replaced in every region (add-ons always)."""

    def clients(region: str, service: str) -> Any:
        client = boto3.client(service, region_name=region)
        replaced = dict(overrides.get(service, {}))
        if service == "eks":
            replaced.setdefault("describe_addon", addon_stub(client))
        return Patched(client, **replaced) if replaced else client

    return clients


def by_name(outcomes: list[Outcome]) -> dict[str, Outcome]:
    return {outcome.result.name: outcome for outcome in outcomes}


def failed(outcomes: list[Outcome]) -> list[str]:
    return [f"{o.result.name}: {o.result.reason}" for o in outcomes if not o.result.passed]


def test_a_deployed_single_region_environment_passes(aws: None, config: ProjectConfig) -> None:
    staging = config.environments["staging"]
    region = staging.primary_region
    seed_region(staging, region, {})
    outcomes = validate_environment(staging, [region], factory(), NO_PROBES)
    assert failed(outcomes) == []
    names = by_name(outcomes)
    # Every name comes from naming.py and the configuration.
    assert f"ALB targets {app_target_group_name('staging')}" in names
    assert names[f"ALB targets {app_target_group_name('staging')}"].result.reason == "1 healthy"
    # Decision C12: staging has no Route 53 failover and no MSK, so validate looks for neither.
    assert f"Route 53 health check {region}" not in names
    assert names[f"EKS cluster {cluster_name('staging')}"].result.passed
    assert {f"EKS node group {cluster_name('staging')}-{s}" for s in ("on-demand", "spot")} <= set(names)
    assert {f"EKS add-on {addon}" for addon in staging.regions[region].eks.addon_versions} <= set(names)
    aurora = data_resource_id("staging", region, region, "aurora")
    assert names[f"Aurora endpoints {aurora}"].result.reason.startswith("1 writer, 0 reader instance(s)")
    assert names[f"Redis {data_resource_id('staging', region, region, 'redis')}"].result.passed
    assert f"MSK {data_resource_id('staging', region, region, 'msk')}" not in names
    assert {o.group for o in outcomes} == {"health", "service discovery", "data"}


def test_a_degraded_node_group_fails(aws: None, config: ProjectConfig) -> None:
    staging = config.environments["staging"]
    region = staging.primary_region
    seed_region(staging, region, {})
    moto_eks = boto3.client("eks", region_name=region)

    def describe_nodegroup(**kwargs: str) -> dict[str, Any]:
        group = moto_eks.describe_nodegroup(**kwargs)
        if kwargs["nodegroupName"].endswith("-spot"):
            group["nodegroup"]["status"] = "DEGRADED"
            group["nodegroup"]["health"] = {
                "issues": [{"code": "AsgInstanceLaunchFailures", "message": "Could not launch Spot Instances"}]
            }
        return group

    outcomes = validate_environment(
        staging, [region], factory(eks={"describe_nodegroup": describe_nodegroup}), NO_PROBES
    )
    assert failed(outcomes) == [
        f"EKS node group {cluster_name('staging')}-spot: status DEGRADED, desired 2 node(s); "
        "AsgInstanceLaunchFailures: Could not launch Spot Instances"
    ]


def test_an_unhealthy_target_and_a_degraded_addon_fail(aws: None, config: ProjectConfig) -> None:
    staging = config.environments["staging"]
    region = staging.primary_region
    seed_region(staging, region, {})
    moto_elbv2 = boto3.client("elbv2", region_name=region)

    def describe_target_health(**kwargs: str) -> dict[str, Any]:
        health = moto_elbv2.describe_target_health(**kwargs)
        health["TargetHealthDescriptions"][0]["TargetHealth"] = {
            "State": "unhealthy",
            "Reason": "Target.ResponseCodeMismatch",
        }
        return health

    clients = factory(
        elbv2={"describe_target_health": describe_target_health},
        eks={"describe_addon": addon_stub(broken="coredns")},
    )
    problems = failed(validate_environment(staging, [region], clients, NO_PROBES))
    assert problems == [
        f"ALB targets {app_target_group_name('staging')}: 1 unhealthy; 10.0.16.10:8080 unhealthy "
        "(Target.ResponseCodeMismatch)",
        "EKS add-on coredns: status DEGRADED, version v1.22.3-eksbuild.1; 1 of 2 pods ready",
    ]


def test_missing_resources_and_unavailable_clusters_fail_with_the_aws_error(aws: None, config: ProjectConfig) -> None:
    staging = config.environments["staging"]
    region = staging.primary_region
    # Nothing deployed: every check fails with what AWS (moto) said, none raises.
    outcomes = validate_environment(staging, [region], factory(), NO_PROBES)
    assert outcomes
    assert not any(o.result.passed for o in outcomes)
    names = by_name(outcomes)
    assert "TargetGroupNotFound" in names[f"ALB targets {app_target_group_name('staging')}"].result.reason
    aurora = data_resource_id("staging", region, region, "aurora")
    assert "DBClusterNotFoundFault" in names[f"Aurora cluster {aurora}"].result.reason
    assert f"MSK {data_resource_id('staging', region, region, 'msk')}" not in names

    seed_region(staging, region, {})
    moto_rds = boto3.client("rds", region_name=region)
    moto_redis = boto3.client("elasticache", region_name=region)

    def describe_db_clusters(**kwargs: str) -> dict[str, Any]:
        found = moto_rds.describe_db_clusters(**kwargs)
        found["DBClusters"][0]["Status"] = "backing-up"
        return found

    def describe_replication_groups(**kwargs: str) -> dict[str, Any]:
        found = moto_redis.describe_replication_groups(**kwargs)
        found["ReplicationGroups"][0]["Status"] = "modifying"
        return found

    clients = factory(
        rds={"describe_db_clusters": describe_db_clusters},
        elasticache={"describe_replication_groups": describe_replication_groups},
    )
    problems = failed(validate_environment(staging, [region], clients, NO_PROBES))
    assert problems == [
        f"Aurora cluster {aurora}: status backing-up, engine aurora-postgresql 15.17",
        f"Redis {data_resource_id('staging', region, region, 'redis')}: status modifying, 1 node(s), "
        "transit encryption True; group modifying",
    ]


def global_clusters_stub(environment: str, sync: str, writer: str = "ap-east-2") -> Any:
    """rds describe_global_clusters with production's two members (moto cannot build a cross-region one);
    `writer` is the region whose cluster writes (ap-northeast-1 after `failover --to ap-northeast-1`)."""

    def describe_global_clusters(**kwargs: str) -> dict[str, Any]:
        arn = "arn:aws:rds:{}:{}:cluster:{}"
        members = [
            {
                "DBClusterArn": arn.format(
                    "ap-east-2", DEFAULT_ACCOUNT_ID, data_resource_id(environment, "ap-east-2", "ap-east-2", "aurora")
                ),
                "IsWriter": writer == "ap-east-2",
            },
            {
                "DBClusterArn": arn.format(
                    "ap-northeast-1",
                    DEFAULT_ACCOUNT_ID,
                    data_resource_id(environment, "ap-northeast-1", "ap-east-2", "aurora"),
                ),
                "IsWriter": writer == "ap-northeast-1",
                "SynchronizationStatus": sync,
            },
        ]
        return {
            "GlobalClusters": [
                {
                    "GlobalClusterIdentifier": kwargs["GlobalClusterIdentifier"],
                    "Status": "available",
                    "GlobalClusterMembers": members,
                }
            ]
        }

    return describe_global_clusters


def test_production_checks_both_regions_and_a_lagging_global_secondary(aws: None, config: ProjectConfig) -> None:
    production = config.environments["production"]
    regions = list(production.regions)
    ids: dict[str, str] = {}
    for region in regions:
        seed_region(production, region, ids)
    clients = factory(rds={"describe_global_clusters": global_clusters_stub("production", "connected")})
    outcomes = validate_environment(production, regions, clients, NO_PROBES)
    # moto's secondary cluster has its own writer instance; a real global secondary has none.
    secondary = data_resource_id("production", "ap-northeast-1", "ap-east-2", "aurora")
    assert failed(outcomes) == [
        f"Aurora endpoints {secondary}: 0 reader instance(s), 1 writer (a global secondary has none); "
        + next(o.result.reason.split("; ", 1)[1] for o in outcomes if o.result.name == f"Aurora endpoints {secondary}")
    ]
    route53 = [o for o in outcomes if o.result.name.startswith("Route 53 health check")]
    assert [(o.region, o.result.passed) for o in route53] == [("ap-east-2", True), ("ap-northeast-1", True)]
    assert ids["ap-northeast-1"] in route53[1].result.reason

    lagging = factory(rds={"describe_global_clusters": global_clusters_stub("production", "pending-resync")})
    names = by_name(validate_environment(production, ["ap-northeast-1"], lagging, NO_PROBES))
    result = names["Aurora global database genai-demo-production-global"].result
    assert not result.passed
    assert result.reason == f":cluster:{secondary} replicates, synchronization pending-resync"


def test_probes_after_a_switchover_log_in_to_the_writer_in_tokyo(
    aws: None, config: ProjectConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After `failover --to ap-northeast-1` the PostgreSQL probes expect the writer where the global
    database says it is (as the Aurora endpoint check does), not where global_role first put it:
    Tokyo's writer endpoint must be writable, Taipei has its reader only."""
    from genai_infra.validation import probes

    production = config.environments["production"]
    regions = list(production.regions)
    for region in regions:
        seed_region(production, region, {})
    logins: list[tuple[str, str, bool]] = []

    def postgres_connect(*, label: str, host: str, port: int, expect_writer: bool, **_: Any) -> CheckResult:
        region = next(r for r in regions if f".{r}." in host)  # moto's endpoints name their region
        logins.append((region, label, expect_writer))
        return CheckResult(f"PostgreSQL {label} {host}:{port}", True, "recorded")

    monkeypatch.setattr(probes, "postgres_connect", postgres_connect)
    monkeypatch.setattr(probes, "postgres_app_user", lambda **_: CheckResult("PostgreSQL app user", True, "recorded"))
    monkeypatch.setattr(probes, "https_health", lambda *_, **__: CheckResult("HTTPS", True, "recorded"))
    monkeypatch.setattr(probes, "redis_ping", lambda **_: CheckResult("Redis PING", True, "recorded"))
    monkeypatch.setattr(probes, "tls_connect", lambda **_: CheckResult("TLS broker", True, "recorded"))
    switched = factory(
        rds={"describe_global_clusters": global_clusters_stub("production", "connected", "ap-northeast-1")}
    )
    outcomes = validate_environment(production, regions, switched, ProbeOptions(iam_login=False))
    assert logins == [
        ("ap-east-2", "reader", False),
        ("ap-northeast-1", "writer", True),
        ("ap-northeast-1", "reader", False),
    ]
    tokyo = data_resource_id("production", "ap-northeast-1", "ap-east-2", "aurora")
    assert by_name(outcomes)[f"Aurora endpoints {tokyo}"].result.reason.startswith("1 writer")


def test_route53_counts_an_inverted_check_unhealthy_and_a_disabled_one_healthy(
    aws: None, config: ProjectConfig
) -> None:
    """validate judges a region's health check as Route 53 (and `failover`) does: inverted, a check
    whose checkers succeed is unhealthy (how a region's loss is simulated); disabled, always healthy."""
    production = config.environments["production"]
    regions = list(production.regions)
    ids: dict[str, str] = {}
    for region in regions:
        seed_region(production, region, ids)
    taipei, tokyo = regions
    route53 = boto3.client("route53", region_name="us-east-1")
    route53.update_health_check(HealthCheckId=ids[taipei], Inverted=True)
    stub = {"describe_global_clusters": global_clusters_stub("production", "connected")}

    def route53_rows(clients: ClientFactory) -> dict[str, tuple[bool, str]]:
        outcomes = validate_environment(production, regions, clients, NO_PROBES)
        return {o.region: (o.result.passed, o.result.reason) for o in outcomes if o.result.name.startswith("Route 53")}

    assert route53_rows(factory(rds=stub)) == {
        taipei: (False, f"Route 53 counts it unhealthy (1/1, inverted); health check {ids[taipei]}"),
        tokyo: (True, f"Route 53 counts it healthy (1/1); health check {ids[tokyo]}"),
    }

    route53.update_health_check(HealthCheckId=ids[taipei], Inverted=False)
    route53.update_health_check(HealthCheckId=ids[tokyo], Disabled=True)
    failure = "Failure: HTTP Status Code 503, Service Unavailable."

    def get_health_check_status(**_: str) -> dict[str, Any]:
        report = {"Status": failure, "CheckedTime": "2026-01-01T00:00:00Z"}
        return {"HealthCheckObservations": [{"Region": r, "StatusReport": report} for r in ("us-east-1", "eu-west-1")]}

    failing = factory(rds=stub, route53={"get_health_check_status": get_health_check_status})
    assert route53_rows(failing) == {
        taipei: (False, f"Route 53 counts it unhealthy (0/2); health check {ids[taipei]}; e.g. {failure}"),
        tokyo: (
            True,
            "Route 53 counts it healthy (health check disabled; Route 53 treats it as healthy, 0/2); "
            f"health check {ids[tokyo]}",
        ),
    }


def test_cli_prints_the_table_and_exits_1_on_failure(
    aws: None, config: ProjectConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    staging = config.environments["staging"]
    seed_region(staging, staging.primary_region, {})
    monkeypatch.setattr(validate_cli, "aws_clients", lambda *_: (None, factory()))
    # Wide enough that no check name wraps inside its cell, whatever terminal runs the tests.
    monkeypatch.setattr(common.console, "width", 250)
    runner = CliRunner()
    ok = runner.invoke(app, ["validate", "--env", "staging", "--no-probes"], env={"COLUMNS": "250"})
    assert ok.exit_code == 0, ok.output
    assert "genai-infra validate staging" in ok.output
    # ALB, cluster, two node groups, the add-ons, Aurora cluster/endpoints/instance, Redis (staging has no
    # Route 53 failover or MSK, decision C12).
    expected = 8 + len(staging.regions[staging.primary_region].eks.addon_versions)
    assert f"{expected} of {expected} checks pass." in ok.output

    broken = factory(eks={"describe_addon": addon_stub(broken="kube-proxy")})
    monkeypatch.setattr(validate_cli, "aws_clients", lambda *_: (None, broken))
    bad = runner.invoke(app, ["validate", "--env", "staging", "--no-probes"], env={"COLUMNS": "250"})
    assert bad.exit_code == 1
    assert "EKS add-on kube-proxy" in bad.output
    assert "FAIL" in bad.output
    assert f"1 of {expected} validation check(s) failed in staging" in bad.output


def test_cli_without_credentials_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    # No instance metadata service in the tests: botocore would otherwise probe 169.254.169.254.
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    result = CliRunner().invoke(app, ["validate", "--env", "staging"])
    assert result.exit_code == 1
    assert "no AWS credentials found" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["validate", "--env", "qa"], "qa"),
        (["validate", "--env", "staging", "--region", "us-east-1"], "global region"),
        (["validate", "--env", "staging", "--timeout", "0"], "--timeout must be a positive"),
    ],
)
def test_cli_refuses_bad_input_in_one_sentence(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_validate_looks_up_the_names_the_stacks_give(
    template: Any, config: ProjectConfig, environment: str, region: str
) -> None:
    """validate finds resources by naming.py; the synthesized stacks must use exactly those names."""
    primary = config.environments[environment].primary_region
    eks = template(environment, region, "EKSStack")
    assert eks.one("AWS::ElasticLoadBalancingV2::TargetGroup")["Name"] == app_target_group_name(environment)
    assert eks.one("AWS::EKS::Cluster")["Name"] == cluster_name(environment)
    node_groups = [props["NodegroupName"] for props in eks.props("AWS::EKS::Nodegroup")]
    assert node_groups
    assert all(name.startswith(f"{cluster_name(environment)}-") for name in node_groups)
    addons = sorted(props["AddonName"] for props in eks.props("AWS::EKS::Addon"))
    assert addons == sorted(config.environments[environment].regions[region].eks.addon_versions)
    rds = template(environment, region, "RdsStack").one("AWS::RDS::DBCluster")
    assert rds["DBClusterIdentifier"] == data_resource_id(environment, region, primary, "aurora")
    redis = template(environment, region, "ElastiCacheStack").one("AWS::ElastiCache::ReplicationGroup")
    assert redis["ReplicationGroupId"] == data_resource_id(environment, region, primary, "redis")
    if environment == "production":
        msk = template(environment, region, "MSKStack").one("AWS::MSK::Cluster")
        assert msk["ClusterName"] == data_resource_id(environment, region, primary, "msk")


@pytest.mark.parametrize("output_format", ["json", "sarif", "junit"])
def test_cli_writes_reports_ci_reads(
    aws: None, config: ProjectConfig, monkeypatch: pytest.MonkeyPatch, output_format: str
) -> None:
    import json
    from xml.etree import ElementTree

    staging = config.environments["staging"]
    seed_region(staging, staging.primary_region, {})
    broken = factory(eks={"describe_addon": addon_stub(broken="kube-proxy")})
    monkeypatch.setattr(validate_cli, "aws_clients", lambda *_: (None, broken))
    result = CliRunner().invoke(app, ["validate", "--env", "staging", "--no-probes", "--format", output_format])
    assert result.exit_code == 1
    # Staging has no Route 53 failover and no MSK to check (decision C12).
    expected = 8 + len(staging.regions[staging.primary_region].eks.addon_versions)
    if output_format == "junit":
        suites = ElementTree.fromstring(result.stdout.split("\n", 1)[1])
        assert suites.get("tests") == str(expected)
        assert suites.get("failures") == "1"
        (failed,) = [case for case in suites.iter("testcase") if case.find("failure") is not None]
        assert "kube-proxy" in (failed.get("name") or "")
    elif output_format == "sarif":
        log = json.loads(result.stdout)
        assert log["version"] == "2.1.0"
        (run,) = log["runs"]
        (finding,) = run["results"]
        assert finding["level"] == "error"
        assert run["tool"]["driver"]["rules"][finding["ruleIndex"]]["properties"]["count"] == 1
    else:
        report = json.loads(result.stdout)
        assert report["errors"] == 1
        assert report["passed"] == expected - 1
        assert [rule["count"] for rule in report["rules"]] == [1]


def test_cli_reports_a_skipped_check_as_neither_pass_nor_failure(
    config: ProjectConfig, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    """--no-iam-login (local emulator): that login is a skipped row, never a pass; --ca-bundle reaches the probes."""
    from genai_infra.validation import suite

    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    seen: list[suite.ProbeOptions] = []

    def outcomes(environment: Any, regions: Any, clients: Any, probe: suite.ProbeOptions) -> list[Outcome]:
        seen.append(probe)
        region = regions[0]
        return [
            Outcome(region, "data", CheckResult("PostgreSQL writer", True, "connected")),
            Outcome(region, "data", CheckResult("PostgreSQL writer as app (IAM)", False, "not verifiable", True)),
        ]

    monkeypatch.setattr(suite, "validate_environment", outcomes)
    monkeypatch.setattr(validate_cli, "aws_clients", lambda *_: (None, factory()))
    monkeypatch.setattr(common.console, "width", 250)
    runner = CliRunner()
    options = ["validate", "--env", "staging", "--ca-bundle", str(bundle), "--no-iam-login"]
    table = runner.invoke(app, options, env={"COLUMNS": "250"})
    assert table.exit_code == 0, table.output
    assert "skip" in table.output
    assert "1 of 2 checks pass, 1 skipped (not verified)." in table.output
    assert (seen[0].iam_login, seen[0].postgres_root_cert, seen[0].redis_ca_file) == (False, str(bundle), str(bundle))
    report = json.loads(runner.invoke(app, [*options, "--format", "json"]).output)
    assert (report["passed"], report["warnings"], report["errors"]) == (1, 1, 0)

    missing = runner.invoke(app, ["validate", "--env", "staging", "--ca-bundle", str(tmp_path / "none.pem")])
    assert missing.exit_code == 1
    assert f"--ca-bundle {tmp_path / 'none.pem'} is not a file; pass a PEM file of CA certificates." in missing.output
