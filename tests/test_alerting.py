"""AlertingStack: encrypted TLS-only topics, and alarms with actions on real resources of the region."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import render, targets_with

ALERTING_TARGETS = targets_with("AlertingStack")
ALARM_TARGETS = [t for t in ALERTING_TARGETS if t[1] != "us-east-1"]


@pytest.mark.parametrize(("environment", "region"), ALERTING_TARGETS)
def test_critical_and_warning_topics_are_encrypted_and_tls_only(template: Any, environment: str, region: str) -> None:
    stack = template(environment, region, "AlertingStack")
    topics = {t["TopicName"]: t for t in stack.props("AWS::SNS::Topic")}
    assert set(topics) == {f"genai-demo-{environment}-critical", f"genai-demo-{environment}-warning"}
    (key_id,) = stack.of_type("AWS::KMS::Key")
    assert all(t["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]} for t in topics.values())
    for policy in stack.props("AWS::SNS::TopicPolicy"):
        (deny,) = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    grant = next(
        s
        for s in stack.one("AWS::KMS::Key")["KeyPolicy"]["Statement"]
        if s.get("Sid") == "AllowCloudWatchAlarmsOfThisAccount"
    )
    assert grant["Principal"] == {"Service": "cloudwatch.amazonaws.com"}


def _alarms(template: Any, environment: str, region: str) -> dict[str, dict[str, Any]]:
    stack = template(environment, region, "AlertingStack")
    prefix = f"genai-demo-{environment}-"
    return {a["AlarmName"].removeprefix(prefix): a for a in stack.props("AWS::CloudWatch::Alarm")}


WARNING_ALARMS = ("alb-p99-latency", "aurora-cpu", "engine-cpu", "evictions", "redis-00", "eks-app-restarts", "nat-")
CRITICAL_ALARMS = ("alb-target-5xx", "alb-elb-5xx", "alb-unhealthy", "aurora-freeable", "aurora-replica-lag",
                   "aurora-global", "-memory", "msk-broker-", "eks-failed-nodes",
                   "node-root-filesystem")  # fmt: skip


def _severity(name: str) -> str:
    if any(marker in name for marker in CRITICAL_ALARMS):
        return "critical"
    assert any(marker in name for marker in WARNING_ALARMS), name
    return "warning"


@pytest.mark.parametrize(("environment", "region"), ALARM_TARGETS)
def test_every_alarm_has_alarm_and_ok_actions_on_its_severitys_topic(
    template: Any, environment: str, region: str
) -> None:
    stack = template(environment, region, "AlertingStack")
    topics = {t["TopicName"].rsplit("-", 1)[1]: logical for logical, t in _topics(stack).items()}
    alarms = _alarms(template, environment, region)
    for name, alarm in alarms.items():
        assert alarm["AlarmActions"] == alarm["OKActions"] == [{"Ref": topics[_severity(name)]}], name
        assert alarm["Dimensions"], name


def _topics(stack: Any) -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in stack.of_type("AWS::SNS::Topic").items()}


def test_us_east_1_has_topics_and_no_regional_alarms(template: Any) -> None:
    assert template("production", "us-east-1", "AlertingStack").props("AWS::CloudWatch::Alarm") == []


def test_only_production_has_the_alerting_stack() -> None:
    # Decision C12: no alerting stack outside production by default (the budgets still alert).
    assert {environment for environment, _ in ALERTING_TARGETS} == {"production"}


def _dimension(alarm: dict[str, Any], name: str) -> str:
    (value,) = [d["Value"] for d in alarm["Dimensions"] if d["Name"] == name]
    return str(render(value))


def test_production_primary_alarms_name_this_regions_resources(template: Any) -> None:
    alarms = _alarms(template, "production", "ap-east-2")
    expected = {
        "alb-target-5xx", "alb-elb-5xx", "alb-unhealthy-targets", "alb-p99-latency",
        "aurora-cpu", "aurora-freeable-memory", "aurora-replica-lag",
        *(f"redis-00{n}-{m}" for n in (1, 2, 3) for m in ("engine-cpu", "memory", "evictions")),
        "redis-002-replication-lag", "redis-003-replication-lag",
        *(f"msk-broker-{n}-{m}" for n in (1, 2, 3) for m in ("disk", "under-replicated")),
        "eks-failed-nodes", "eks-app-restarts",
        # Node exporter metrics the CloudWatch agent publishes (ContainerInsights/Prometheus).
        "node-root-filesystem-free", "node-memory-available",
        "nat-1-port-allocation-errors", "nat-1-packets-dropped",
    }  # fmt: skip
    assert set(alarms) == expected
    # Dimensions come from the values the stacks of this environment publish.
    ssm = "SsmParameterValuegenaidemoproduction"
    assert _dimension(alarms["alb-target-5xx"], "LoadBalancer").startswith(f"${{{ssm}albfullname")
    assert _dimension(alarms["aurora-cpu"], "DBClusterIdentifier").startswith(f"${{{ssm}auroraclusteridentifier")
    assert _dimension(alarms["redis-003-memory"], "CacheClusterId").endswith("-003")
    assert _dimension(alarms["msk-broker-2-disk"], "Broker ID") == "2"
    assert _dimension(alarms["msk-broker-2-disk"], "Cluster Name").startswith(f"${{{ssm}mskclustername")
    assert _dimension(alarms["eks-failed-nodes"], "ClusterName").startswith(f"${{{ssm}eksclustername")
    restarts = alarms["eks-app-restarts"]
    assert (_dimension(restarts, "Namespace"), _dimension(restarts, "PodName")) == ("default", "genai-demo-app")


def test_thresholds_and_statistics(template: Any) -> None:
    alarms = _alarms(template, "production", "ap-east-2")
    summary = {
        name: (
            a["MetricName"],
            a.get("Statistic") or a.get("ExtendedStatistic"),
            a["Threshold"],
            a["ComparisonOperator"],
        )
        for name, a in alarms.items()
    }
    assert summary["alb-target-5xx"] == ("HTTPCode_Target_5XX_Count", "Sum", 10, "GreaterThanThreshold")
    assert summary["alb-p99-latency"] == ("TargetResponseTime", "p99", 2, "GreaterThanThreshold")
    assert summary["aurora-cpu"] == ("CPUUtilization", "Average", 80, "GreaterThanThreshold")
    assert summary["aurora-freeable-memory"] == ("FreeableMemory", "Minimum", 512 * 1024 * 1024, "LessThanThreshold")
    assert summary["redis-001-memory"] == ("DatabaseMemoryUsagePercentage", "Maximum", 80, "GreaterThanThreshold")
    assert summary["msk-broker-1-disk"] == ("KafkaDataLogsDiskUsed", "Maximum", 80, "GreaterThanThreshold")
    assert summary["msk-broker-1-under-replicated"][2:] == (0, "GreaterThanThreshold")
    assert alarms["alb-target-5xx"]["TreatMissingData"] == "notBreaching"


def test_the_tokyo_secondary_watches_global_replication_lag(template: Any) -> None:
    tokyo = _alarms(template, "production", "ap-northeast-1")
    lag = tokyo["aurora-global-replication-lag"]
    assert (lag["MetricName"], lag["Threshold"], lag["TreatMissingData"]) == (
        "AuroraGlobalDBReplicationLag",
        1000,
        "breaching",
    )
    assert "aurora-global-replication-lag" not in _alarms(template, "production", "ap-east-2")
    # Tokyo's Redis is a primary and one replica.
    assert {n for n in tokyo if n.startswith("redis-") and n.endswith("-memory")} == {
        "redis-001-memory",
        "redis-002-memory",
    }


def test_single_node_environments_have_no_replica_alarms(template: Any) -> None:
    # Staging has no AlertingStack (C12); its dashboard draws the same alarm list (constructs.monitored).
    (dashboard,) = template("staging", "ap-east-2", "ObservabilityStack").props("AWS::CloudWatch::Dashboard")
    body = json.dumps(render(dashboard["DashboardBody"]))
    assert "ReplicationLag" not in body
    assert "AuroraReplicaLag" not in body
    assert body.count("EngineCPUUtilization") == 1
