"""Each environment holds the stacks decision C12 gives it, and what depends on the set follows it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from genai_infra.config import ConfigError, load_config
from genai_infra.off_hours import node_group_plan
from genai_infra.pod_capacity import max_pods_per_node, node_group_sizes, scheduled_pods
from genai_infra.targets import stacks_of, targets_of
from tests.conftest import SERVING_TARGETS

ALWAYS = ["SecurityStack", "NetworkStack", "CertificateStack", "RdsStack", "EKSStack"]


def stack_sets(overrides: list[str] | None = None, environment: str = "development") -> dict[str, list[str]]:
    config = load_config(overrides=overrides or [])
    return {t.region: stacks_of(t) for t in targets_of(config.environments[environment])}


def test_development_is_the_document_set_plus_c12() -> None:
    assert stack_sets() == {
        "ap-northeast-1": [*ALWAYS[:4], "ElastiCacheStack", "EKSStack", "CostOptimizationStack"],
        "us-east-1": ["CostOptimizationStack"],
    }


def test_staging_adds_observability_only() -> None:
    assert stack_sets(environment="staging") == {
        "ap-east-2": [*ALWAYS[:4], "ElastiCacheStack", "EKSStack", "ObservabilityStack", "CostOptimizationStack"],
        "us-east-1": ["CostOptimizationStack"],
    }


def test_production_keeps_every_stack() -> None:
    serving = [
        *ALWAYS[:4],
        "ElastiCacheStack",
        "MSKStack",
        "EKSStack",
        "ObservabilityStack",
        "AlertingStack",
        "Route53FailoverStack",
    ]
    assert stack_sets(environment="production") == {
        "ap-east-2": [*serving, "AnalyticsStack", "DisasterRecoveryStack"],
        "ap-northeast-1": [*serving, "DisasterRecoveryStack"],
        "us-east-1": ["CertificateStack", "AlertingStack", "EdgeStack", "CostOptimizationStack"],
    }


def test_msk_for_staging_is_one_setting() -> None:
    sets = stack_sets(["environments.staging.stacks.msk=true"], environment="staging")
    assert "MSKStack" in sets["ap-east-2"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["environments.development.stacks.edge=true"], "stacks.edge needs stacks.route53_failover"),
        (["environments.development.stacks.analytics=true"], "stacks.analytics needs stacks.msk"),
        (
            ["environments.development.stacks.route53_failover=true"],
            "needs a second serving region to fail over to",
        ),
        (
            [
                "environments.production.stacks.alerting=false",
            ],
            "stacks.edge needs stacks.alerting",
        ),
        (
            ["environments.production.stacks.disaster_recovery=false"],
            "whose vault only the DisasterRecoveryStack creates",
        ),
    ],
)
def test_sets_whose_stacks_need_one_another_are_refused(overrides: list[str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(overrides=overrides)


def test_environments_without_msk_have_no_path_or_permission_to_it(template: Any) -> None:
    for environment, region in (("development", "ap-northeast-1"), ("staging", "ap-east-2")):
        network = template(environment, region, "NetworkStack")
        groups = [p["GroupDescription"] for p in network.props("AWS::EC2::SecurityGroup")]
        assert not any("MSK" in description for description in groups)
        ports = {p.get("FromPort") for p in network.props("AWS::EC2::SecurityGroupEgress")}
        assert not ports & {9094, 9098}
        eks = json.dumps(template(environment, region, "EKSStack").data)
        assert "kafka" not in eks.lower()


def test_production_app_may_reach_its_msk(template: Any) -> None:
    network = template("production", "ap-east-2", "NetworkStack")
    assert {9094, 9098} <= {p.get("FromPort") for p in network.props("AWS::EC2::SecurityGroupEgress")}
    assert "kafka-cluster:WriteData" in json.dumps(template("production", "ap-east-2", "EKSStack").data)


def test_interface_endpoints_only_where_configured(template: Any) -> None:
    counts = {
        target: len(template(*target, "NetworkStack").props("AWS::EC2::VPCEndpoint")) for target in SERVING_TARGETS
    }
    # The free S3 gateway everywhere; ECR api/dkr and CloudWatch logs/monitoring in production only.
    assert counts == {
        ("development", "ap-northeast-1"): 1,
        ("staging", "ap-east-2"): 1,
        ("production", "ap-east-2"): 5,
        ("production", "ap-northeast-1"): 5,
    }


def test_non_production_answers_at_its_own_name_from_its_alb(template: Any) -> None:
    for environment, region in (("development", "ap-northeast-1"), ("staging", "ap-east-2")):
        eks = template(environment, region, "EKSStack")
        (record,) = eks.props("AWS::Route53::RecordSet")
        assert record["Name"] == f"{environment}.genai-demo.kimkao.io."
        assert record["Type"] == "A"
        assert "AliasTarget" in record
        assert "Failover" not in record
        # No CloudFront in front: the HTTPS listener forwards to the app instead of answering 403.
        (listener,) = [p for p in eks.props("AWS::ElasticLoadBalancingV2::Listener") if p["Port"] == 443]
        assert listener["DefaultActions"][0]["Type"] == "forward"
    production = template("production", "ap-east-2", "EKSStack")
    assert production.props("AWS::Route53::RecordSet") == []


def test_development_keeps_its_monthly_aurora_snapshot_without_the_dr_stack(template: Any) -> None:
    rds = template("development", "ap-northeast-1", "RdsStack")
    (plan,) = rds.props("AWS::Backup::BackupPlan")
    (rule,) = plan["BackupPlan"]["BackupPlanRule"]
    assert rule["ScheduleExpression"] == "cron(0 5 1 * ? *)"
    assert rule["Lifecycle"]["DeleteAfterDays"] == 7
    (selection,) = rds.props("AWS::Backup::BackupSelection")
    resources = json.dumps(selection["BackupSelection"]["Resources"])
    assert ":cluster:*" in resources
    assert "volume" not in resources
    assert template("production", "ap-east-2", "RdsStack").props("AWS::Backup::BackupPlan") == []


def test_alarms_and_dashboards_cover_only_what_exists(template: Any) -> None:
    staging = json.dumps(template("staging", "ap-east-2", "ObservabilityStack").data)
    assert "AWS/Kafka" not in staging
    assert "AWS/ElastiCache" in staging
    production = json.dumps(template("production", "ap-east-2", "ObservabilityStack").data)
    assert "AWS/Kafka" in production


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_the_pods_fit_the_nodes_at_desired_and_off_hours_size(
    template: Any, config: Any, environment: str, region: str
) -> None:
    eks = template(environment, region, "EKSStack").data
    pods, max_pods = scheduled_pods(eks), max_pods_per_node(eks)
    # Six DaemonSets (CNI, kube-proxy, EBS CSI node, CloudWatch agent, Fluent Bit, node exporter), and
    # the platform's Deployments with the application at its minimum of two.
    assert pods.per_node == 6
    assert pods.replicas == 14
    sizes = node_group_sizes(eks)
    desired = sum(size[1] for size in sizes.values())
    assert pods.pods_on(desired) <= desired * max_pods
    env = config.environments[environment]
    if env.off_hours.enabled:
        night = sum(hours.off_hours[1] for hours in node_group_plan(environment, env.regions[region].eks))
        assert night == 1
        assert pods.pods_on(night) <= night * max_pods
    # Without prefix delegation a t3.small holds 11 pods and a t3.medium 17: the document's single
    # development node could not hold the platform at all.
    assert pods.pods_on(1) > 17


def test_prefix_delegation_is_on_with_the_kubelet_limit(template: Any) -> None:
    eks = template("development", "ap-northeast-1", "EKSStack")
    (cni,) = [p for p in eks.props("AWS::EKS::Addon") if p["AddonName"] == "vpc-cni"]
    assert json.loads(cni["ConfigurationValues"])["env"]["ENABLE_PREFIX_DELEGATION"] == "true"
    assert max_pods_per_node(eks.data) == 32


@pytest.mark.parametrize(("environment", "spot_nodes", "total"), [("development", 0, 1), ("staging", 1, 2)])
def test_spot_share_at_desired_size_is_the_closest_whole_node_share_to_30_percent(
    config: Any, environment: str, spot_nodes: int, total: int
) -> None:
    env = config.environments[environment]
    on_demand, spot = env.regions[env.primary_region].eks.split_capacity()
    assert (spot[1], on_demand[1] + spot[1]) == (spot_nodes, total)
    # One On-Demand node always stays; among the shares that leaves, none is closer to 30 %.
    shares = [n / total for n in range(total)]
    assert min(shares, key=lambda share: abs(share - 0.30)) == spot_nodes / total
