"""Charges the first estimator left out (issue 15 item 1), each by hand from small synthetic templates.

Pure Python: no synthesis. Prices are written out from prices.toml so that a changed price or rule fails here.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from genai_infra.config import ProjectConfig
from genai_infra.cost.catalog import CostError, load_catalog
from genai_infra.cost.estimate import estimate
from genai_infra.cost.rules import PricingContext, Resource, price_resource
from genai_infra.cost.schedules import node_schedules, weekly_hours
from genai_infra.cost.usage import load_usage

TOKYO, TAIPEI, US_EAST_1 = "ap-northeast-1", "ap-east-2", "us-east-1"


def context(config: ProjectConfig, environment: str, region: str, **usage: Any) -> PricingContext:
    base = load_usage().for_target(environment, region)
    return PricingContext(config.environments[environment], region, base.model_copy(update=usage), load_catalog())


def resource(kind: str, properties: dict[str, Any] | None = None, **siblings: dict[str, Any]) -> Resource:
    props = properties or {}
    return Resource("TestStack", "Subject", kind, props, {"Subject": {"Type": kind, "Properties": props}, **siblings})


def amounts(res: Resource, ctx: PricingContext) -> list[float]:
    priced = price_resource(res, ctx)
    assert priced is not None
    return [round(charge.monthly_usd, 4) for charge in priced[1]]


def test_aurora_serverless_stays_awake_while_the_app_runs_unless_pausing_is_assumed(config: ProjectConfig) -> None:
    cluster = {
        "Type": "AWS::RDS::DBCluster",
        "Properties": {"ServerlessV2ScalingConfiguration": {"MinCapacity": 0, "MaxCapacity": 4}},
    }
    serverless = resource(
        "AWS::RDS::DBInstance", {"DBInstanceClass": "db.serverless", "DBClusterIdentifier": {"Ref": "Db"}}, Db=cluster
    )
    ctx = context(config, "development", TOKYO, aurora_serverless_active_hours=176)
    assert load_usage().for_target("development", TOKYO).aurora_serverless_paused_hours == 0
    # 176 h at 2 ACU (halfway 0-4); the connection pools keep it at 0.5 ACU the other 554 h.
    assert amounts(serverless, ctx) == [round((176 * 2 + 554 * 0.5) * 0.15, 4)]
    paused = context(
        config, "development", TOKYO, aurora_serverless_active_hours=176, aurora_serverless_paused_hours=500
    )
    # Paused 500 of the 554 idle hours (MinCapacity 0 allows it): 54 h at 0.5 ACU.
    assert amounts(serverless, paused) == [round((352 + 54 * 0.5) * 0.15, 4)]
    # A minimum above zero cannot pause at all.
    awake = {
        "Type": "AWS::RDS::DBCluster",
        "Properties": {"ServerlessV2ScalingConfiguration": {"MinCapacity": 1, "MaxCapacity": 3}},
    }
    floor = resource(
        "AWS::RDS::DBInstance", {"DBInstanceClass": "db.serverless", "DBClusterIdentifier": {"Ref": "Db"}}, Db=awake
    )
    assert amounts(floor, paused) == [round((176 * 2 + 554 * 1) * 0.15, 4)]


def test_msk_per_broker_monitoring_bills_forty_metrics_a_broker(config: ProjectConfig) -> None:
    ctx = context(config, "production", TOKYO)
    cluster = {
        "NumberOfBrokerNodes": 3,
        "EnhancedMonitoring": "PER_BROKER",
        "BrokerNodeGroupInfo": {
            "InstanceType": "kafka.m7g.large",
            "StorageInfo": {"EBSStorageInfo": {"VolumeSize": 100}},
        },
    }
    assert amounts(resource("AWS::MSK::Cluster", cluster), ctx)[2:] == [3 * 40 * 0.30]
    default = {**cluster, "EnhancedMonitoring": "DEFAULT"}
    assert len(amounts(resource("AWS::MSK::Cluster", default), ctx)) == 2
    with pytest.raises(CostError, match="PER_TOPIC_PER_PARTITION"):
        amounts(resource("AWS::MSK::Cluster", {**cluster, "EnhancedMonitoring": "PER_TOPIC_PER_PARTITION"}), ctx)


def test_waf_and_cloudfront_log_volume_follows_the_requests(config: ProjectConfig) -> None:
    ctx = context(config, "production", US_EAST_1, requests_millions=30, log_gb_per_group=1)
    waf = resource(
        "AWS::Logs::LogGroup", {"LogGroupName": "aws-waf-logs-genai-demo-production", "RetentionInDays": 365}
    )
    # 30 M requests x 1.1 KB = 33 GB of vended logs at 0.50, kept 365/30 months at 0.03.
    assert amounts(waf, ctx) == [16.5, round(33 * 365 / 30 * 0.03, 4)]
    destination = {
        "Type": "AWS::Logs::DeliveryDestination",
        "Properties": {
            "DestinationResourceArn": {
                "Fn::Join": [
                    "",
                    ["arn:aws:logs:us-east-1:", {"Ref": "AWS::AccountId"}, ":log-group:/x/cloudfront/access"],
                ]
            }
        },
    }
    access = resource(
        "AWS::Logs::LogGroup", {"LogGroupName": "/x/cloudfront/access", "RetentionInDays": 365}, Dest=destination
    )
    assert amounts(access, ctx) == [16.5, round(33 * 365 / 30 * 0.03, 4)]


def test_xray_prices_the_reservoir_and_the_rate(config: ProjectConfig) -> None:
    ctx = context(config, "production", TAIPEI, requests_millions=30, xray_sampling_percent=10, custom_metrics=50)
    # 1 trace/s all month (2.628 M), then 10 % of the other 27.372 M requests: 5.3652 M traces x 5.00.
    assert amounts(resource("AWS::EKS::Cluster"), ctx)[2] == round((2.628 + 0.1 * 27.372) * 5, 4)
    quiet = context(config, "development", TOKYO, requests_millions=1, xray_sampling_percent=10)
    # Fewer requests than the reservoir holds: every request is traced.
    assert amounts(resource("AWS::EKS::Cluster"), quiet)[2] == 5.0


def test_grafana_users_are_priced_where_the_workspace_is(config: ProjectConfig) -> None:
    workspace_region = TOKYO  # Managed Grafana is not offered in ap-east-2; production's workspace is in Tokyo
    ctx = context(config, "production", workspace_region)
    assert amounts(resource("AWS::Grafana::Workspace"), ctx) == [18.0, 15.0]  # 2 editors x 9, 3 viewers x 5


def _addon(enhanced: bool) -> dict[str, Any]:
    values = {
        "agent": {"config": {"logs": {"metrics_collected": {"kubernetes": {"enhanced_container_insights": enhanced}}}}}
    }
    return {"AddonName": "amazon-cloudwatch-observability", "ConfigurationValues": json.dumps(values)}


def test_container_insights_observations_and_logs(config: ProjectConfig) -> None:
    ctx = context(
        config,
        "production",
        TOKYO,
        container_insights_observations_per_node_minute=400,
        container_insights_log_gb=10,
        node_off_hours=0,
    )
    group = {"Type": "AWS::EKS::Nodegroup", "Properties": {"ScalingConfig": {"DesiredSize": 3}}}
    addon = resource("AWS::EKS::Addon", _addon(True), Nodes=group)
    # 3 nodes x 400 observations a minute x 43,800 minutes = 52.56 M x 0.21; 10 GB of container logs x 0.76.
    assert amounts(addon, ctx) == [round(52.56 * 0.21, 4), 7.6]
    assert amounts(resource("AWS::EKS::Addon", {"AddonName": "coredns"}), ctx) == []
    with pytest.raises(CostError, match="enhanced"):
        amounts(resource("AWS::EKS::Addon", _addon(False), Nodes=group), ctx)


def test_internet_facing_alb_nodes_hold_public_addresses(config: ProjectConfig) -> None:
    ctx = context(config, "production", TAIPEI, alb_lcu=3)
    alb = {"Type": "application", "Scheme": "internet-facing", "Subnets": [{"Ref": "A"}, {"Ref": "B"}]}
    assert amounts(resource("AWS::ElasticLoadBalancingV2::LoadBalancer", alb), ctx)[2:] == [2 * 730 * 0.005]
    internal = {**alb, "Scheme": "internal"}
    assert len(amounts(resource("AWS::ElasticLoadBalancingV2::LoadBalancer", internal), ctx)) == 2


def _schedule(group: str, desired: int, cron: str) -> dict[str, Any]:
    request = {"clusterName": "c", "nodegroupName": group, "scalingConfig": {"desiredSize": desired}}
    return {
        "Type": "AWS::Scheduler::Schedule",
        "Properties": {
            "ScheduleExpression": cron,
            "Target": {"Arn": "arn:aws:scheduler:::aws-sdk:eks:updateNodegroupConfig", "Input": json.dumps(request)},
        },
    }


def test_weekly_hours_of_the_off_hours_crons() -> None:
    # Down at 20:00 and up at 08:00 Monday to Friday: 4 nights of 12 h plus the weekend of 60 h.
    assert weekly_hours("cron(0 20 ? * MON-FRI *)", "cron(0 8 ? * MON-FRI *)") == 108
    with pytest.raises(CostError, match="cron"):
        weekly_hours("cron(0/5 20 ? * MON-FRI *)", "cron(0 8 ? * MON-FRI *)")


def test_off_hours_schedules_price_each_group_as_the_templates_scale_it(config: ProjectConfig) -> None:
    templates = {
        "CostOptimizationStack": {
            "Resources": {
                "SpotDown": _schedule("g-spot", 0, "cron(0 20 ? * MON-FRI *)"),
                "SpotUp": _schedule("g-spot", 2, "cron(0 8 ? * MON-FRI *)"),
            }
        }
    }
    schedules = node_schedules(templates)
    assert set(schedules) == {"g-spot"}
    # Any usage default for off-hours is ignored once the templates say how the group is scaled.
    ctx = context(config, "staging", TAIPEI, node_off_hours=500, node_off_hours_count=1)
    ctx = PricingContext(ctx.environment, ctx.region, ctx.usage, ctx.catalog, schedules)
    group = {
        "NodegroupName": "g-spot",
        "InstanceTypes": ["t3.medium"],
        "CapacityType": "SPOT",
        "ScalingConfig": {"DesiredSize": 2},
        "DiskSize": 20,
    }
    on_hours = 730 * (168 - 108) / 168  # the group runs two nodes only during working hours, none at night
    assert amounts(resource("AWS::EKS::Nodegroup", group), ctx) == [
        round(2 * on_hours * 0.0544 * 0.35, 4),
        round(2 * on_hours / 730 * 20 * 0.096, 4),
    ]


def test_backup_prices_aurora_and_ebs_points_at_their_own_rates(config: ProjectConfig) -> None:
    ctx = context(config, "production", TAIPEI, backup_aurora_gb=100, backup_ebs_gb=50, backup_copy_gb=30)
    selection = {
        "Type": "AWS::Backup::BackupSelection",
        "Properties": {
            "BackupSelection": {
                "Resources": [
                    {"Fn::Join": ["", ["arn:aws:rds:ap-east-2:", {"Ref": "AWS::AccountId"}, ":cluster:*"]]},
                    {"Fn::Join": ["", ["arn:aws:ec2:ap-east-2:", {"Ref": "AWS::AccountId"}, ":volume/*"]]},
                ]
            }
        },
    }
    plan = {
        "BackupPlan": {"BackupPlanRule": [{"RuleName": "daily", "CopyActions": [{"DestinationBackupVaultArn": "x"}]}]}
    }
    # Aurora 100 GB x 0.023, EBS 50 GB x 0.05; copies: 30 GB at the selection's blended rate, and sent.
    blended = (100 * 0.023 + 50 * 0.05) / 150
    assert amounts(resource("AWS::Backup::BackupPlan", plan, Sel=selection), ctx) == [
        2.3,
        2.5,
        round(30 * blended, 4),
        2.7,
    ]


def test_elasticache_snapshots_beyond_the_free_one_are_billed(config: ProjectConfig) -> None:
    ctx = context(config, "production", TAIPEI, redis_snapshot_gb=5)
    props = {"CacheNodeType": "cache.r6g.large", "NumCacheClusters": 3, "SnapshotRetentionLimit": 30}
    # 29 snapshots beyond the free one x 5 GB x 0.085.
    assert amounts(resource("AWS::ElastiCache::ReplicationGroup", props), ctx)[1:] == [round(29 * 5 * 0.085, 4)]


def test_firehose_reading_msk_uses_its_own_tier(config: ProjectConfig) -> None:
    ctx = context(config, "production", TAIPEI, firehose_gb=30)
    assert amounts(resource("AWS::KinesisFirehose::DeliveryStream", {"DeliveryStreamType": "MSKAsSource"}), ctx) == [
        round(30 * 0.055, 4)
    ]
    assert amounts(resource("AWS::KinesisFirehose::DeliveryStream", {}), ctx) == [round(30 * 0.036, 4)]


def test_production_on_demand_estimate_includes_the_new_charges(config: ProjectConfig) -> None:
    """The Grafana users and MSK monitoring reach production's total through estimate() itself."""
    group = {"Type": "AWS::Grafana::Workspace", "Properties": {}}
    templates = {region: {} for region in config.environments["production"].target_regions}
    templates[TOKYO] = {"ObservabilityStack": {"Resources": {"Grafana": group}}}
    result = estimate(config.environments["production"], templates, load_usage(), load_catalog())
    assert round(result.total_usd, 2) == 33.0


def test_estimate_reads_the_schedules_of_every_stack_of_the_region(config: ProjectConfig) -> None:
    group = {
        "Type": "AWS::EKS::Nodegroup",
        "Properties": {
            "NodegroupName": "g-spot",
            "InstanceTypes": ["t3.medium"],
            "CapacityType": "SPOT",
            "ScalingConfig": {"DesiredSize": 2},
            "DiskSize": 20,
        },
    }
    environment = config.environments["staging"]
    templates: dict[str, dict[str, Any]] = {region: {} for region in environment.target_regions}
    templates[TAIPEI] = {
        "EKSStack": {"Resources": {"Spot": group}},
        "CostOptimizationStack": {
            "Resources": {
                "Down": _schedule("g-spot", 0, "cron(0 20 ? * MON-FRI *)"),
                "Up": _schedule("g-spot", 2, "cron(0 8 ? * MON-FRI *)"),
            }
        },
    }
    result = estimate(environment, templates, load_usage(), load_catalog())
    on_hours = 730 * 60 / 168
    assert result.total_usd == pytest.approx(2 * on_hours * (0.0544 * 0.35 + 20 * 0.096 / 730))
