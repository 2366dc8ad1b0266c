"""The planned view: resources of the stacks not synthesized yet, described from the configuration.

Most stacks of the specification (Aurora, ElastiCache, MSK, EKS, observability, edge, DR) are
built by other work streams. Until their templates exist, `--planned` prices them from the typed
configuration with the same rules, in CloudFormation's own shape, so the numbers are comparable.
A planned stack is used only while the target has no template of that name: once the real stack
is merged, its template replaces the plan and nothing is counted twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from genai_infra.config import EnvironmentConfig, RegionConfig
from genai_infra.config.catalog import GRAFANA_REGIONS
from genai_infra.cost.rules import Resource
from genai_infra.cost.usage import Usage
from genai_infra.targets import stacks_for

# Decision S3: a WAF web ACL with AWS managed rule groups. Planned with the three baseline groups
# (common rule set, known bad inputs, IP reputation) and one rate-based rule.
PLANNED_WAF_RULES = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
    "RateLimit",
)

Spec = tuple[str, str, Mapping[str, Any]]  # logical id, type, properties


def _eks(region: RegionConfig, primary: bool) -> list[Spec]:
    group = region.eks.node_group
    spot_nodes = round(group.desired_size * region.eks.spot_percent / 100)
    if region.eks.capacity_type == "SPOT":
        spot_nodes = group.desired_size
    on_demand = group.desired_size - spot_nodes
    specs: list[Spec] = [("Cluster", "AWS::EKS::Cluster", {})]
    for name, count, capacity in (("OnDemand", on_demand, "ON_DEMAND"), ("Spot", spot_nodes, "SPOT")):
        if count:
            specs.append(
                (
                    f"{name}Nodes",
                    "AWS::EKS::Nodegroup",
                    {
                        "InstanceTypes": list(group.instance_types),
                        "CapacityType": capacity,
                        "DiskSize": group.disk_size_gb,
                        "ScalingConfig": {
                            "MinSize": min(group.min_size, count),
                            "DesiredSize": count,
                            "MaxSize": group.max_size,
                        },
                    },
                )
            )
    specs.append(("AppLoadBalancer", "AWS::ElasticLoadBalancingV2::LoadBalancer", {"Type": "application"}))
    if primary:
        specs.append(("AppRepository", "AWS::ECR::Repository", {}))
    return specs


def _rds(region: RegionConfig) -> list[Spec]:
    aurora = region.aurora
    cluster: dict[str, Any] = {"Engine": "aurora-postgresql", "BackupRetentionPeriod": aurora.backup_retention_days}
    classes = [
        *([aurora.writer_instance_class] if aurora.writer_instance_class else []),
        *aurora.reader_instance_classes,
    ]
    if aurora.serverless_max_acu is not None:
        cluster["ServerlessV2ScalingConfiguration"] = {
            "MinCapacity": aurora.serverless_min_acu or 0,
            "MaxCapacity": aurora.serverless_max_acu,
        }
        if aurora.writer_instance_class is None:
            classes.insert(0, "db.serverless")
    specs: list[Spec] = [("Cluster", "AWS::RDS::DBCluster", cluster)]
    specs += [
        (
            f"Instance{index + 1}",
            "AWS::RDS::DBInstance",
            {
                "DBInstanceClass": instance_class,
                "Engine": "aurora-postgresql",
                "DBClusterIdentifier": {"Ref": "Cluster"},
            },
        )
        for index, instance_class in enumerate(classes)
    ]
    if aurora.global_role == "primary":
        specs.append(("GlobalCluster", "AWS::RDS::GlobalCluster", {}))
    if aurora.global_role != "secondary":
        specs.append(("DatabaseSecret", "AWS::SecretsManager::Secret", {}))
    return specs


def _cache(region: RegionConfig) -> list[Spec]:
    redis = region.redis
    specs: list[Spec] = [
        (
            "ReplicationGroup",
            "AWS::ElastiCache::ReplicationGroup",
            {
                "Engine": "redis",
                "CacheNodeType": redis.node_type,
                "NumCacheClusters": redis.replicas + 1,
            },
        )
    ]
    if redis.global_role == "primary":
        specs.append(("GlobalDatastore", "AWS::ElastiCache::GlobalReplicationGroup", {}))
    if redis.global_role != "secondary":
        specs.append(("AuthToken", "AWS::SecretsManager::Secret", {}))
    return specs


def _msk(region: RegionConfig) -> list[Spec]:
    msk = region.msk
    specs: list[Spec] = [
        (
            "Cluster",
            "AWS::MSK::Cluster",
            {
                "NumberOfBrokerNodes": msk.broker_count,
                "EnhancedMonitoring": msk.enhanced_monitoring,
                "BrokerNodeGroupInfo": {
                    "InstanceType": msk.broker_instance_type,
                    "StorageInfo": {"EBSStorageInfo": {"VolumeSize": msk.ebs_volume_gb}},
                },
            },
        )
    ]
    if msk.replicate_to_region:
        specs.append(("Replicator", "AWS::MSK::Replicator", {}))
    return specs


def _observability(environment: EnvironmentConfig, usage: Usage, region: str) -> list[Spec]:
    specs: list[Spec] = [
        (
            "ApplicationLogs",
            "AWS::Logs::LogGroup",
            {
                "LogGroupName": f"/aws/genai-demo/{environment.name}/application",
                "RetentionInDays": environment.log_retention_days,
            },
        ),
        ("Sampling", "AWS::XRay::SamplingRule", {}),
    ]
    specs += [(f"Dashboard{index + 1}", "AWS::CloudWatch::Dashboard", {}) for index in range(usage.dashboards)]
    # Like the ObservabilityStack: a workspace only where the region offers Managed Grafana.
    if environment.observability.grafana and region in GRAFANA_REGIONS:
        specs.append(("Grafana", "AWS::Grafana::Workspace", {}))
    return specs


def _alerting(usage: Usage) -> list[Spec]:
    specs: list[Spec] = [("AlertTopic", "AWS::SNS::Topic", {})]
    specs += [(f"Alarm{index + 1}", "AWS::CloudWatch::Alarm", {"Period": 60}) for index in range(usage.alarms)]
    return specs


def _failover(environment: EnvironmentConfig) -> list[Spec]:
    specs: list[Spec] = [("AppRecord", "AWS::Route53::RecordSet", {"AliasTarget": {}})]
    if len(environment.regions) > 1:
        specs.append(("AppHealthCheck", "AWS::Route53::HealthCheck", {"HealthCheckConfig": {"Type": "HTTPS"}}))
    return specs


def _analytics() -> list[Spec]:
    return [
        ("DataLake", "AWS::S3::Bucket", {}),
        ("Delivery", "AWS::KinesisFirehose::DeliveryStream", {}),
        ("Crawler", "AWS::Glue::Crawler", {}),
        ("WorkGroup", "AWS::Athena::WorkGroup", {}),
    ]


def _disaster_recovery() -> list[Spec]:
    return [
        ("Vault", "AWS::Backup::BackupVault", {}),
        ("Plan", "AWS::Backup::BackupPlan", {"BackupPlan": {"BackupPlanRule": [{"CopyActions": [{}]}]}}),
    ]


def _edge() -> list[Spec]:
    return [
        ("Distribution", "AWS::CloudFront::Distribution", {}),
        ("WebAcl", "AWS::WAFv2::WebACL", {"Scope": "CLOUDFRONT", "Rules": [{"Name": n} for n in PLANNED_WAF_RULES]}),
    ]


def _cost() -> list[Spec]:
    return [("Budget", "AWS::Budgets::Budget", {}), ("AnomalyMonitor", "AWS::CE::AnomalyMonitor", {})]


def planned_stacks(environment: EnvironmentConfig, region: str, usage: Usage) -> dict[str, list[Spec]]:
    """Every planned stack of the target (environment, region), by the specification's stack names.

    Only the stacks the environment's configuration gives the target (decision C12) are planned.
    """
    config = environment.regions.get(region)
    if config is None:
        stacks = {"EdgeStack": _edge(), "CostOptimizationStack": _cost()}
        wanted = stacks_for(environment, "global")
    else:
        primary = config.role == "primary"
        stacks = {
            "RdsStack": _rds(config),
            "ElastiCacheStack": _cache(config),
            "MSKStack": _msk(config),
            "EKSStack": _eks(config, primary),
            "ObservabilityStack": _observability(environment, usage, region),
            "AlertingStack": _alerting(usage),
            "Route53FailoverStack": _failover(environment),
            "AnalyticsStack": _analytics(),
            "DisasterRecoveryStack": _disaster_recovery(),
        }
        wanted = stacks_for(environment, config.role)
        if not (primary and len(environment.regions) > 1):
            # The backup plan and its cross-region copies are priced once, in the primary region.
            stacks.pop("DisasterRecoveryStack")
    return {name: specs for name, specs in stacks.items() if name in wanted}


def planned_resources(
    environment: EnvironmentConfig, region: str, usage: Usage, synthesized: set[str]
) -> list[Resource]:
    """The planned resources of the stacks this target has no template for yet."""
    resources: list[Resource] = []
    for stack, specs in planned_stacks(environment, region, usage).items():
        if stack in synthesized:
            continue
        siblings = {logical_id: {"Type": kind, "Properties": props} for logical_id, kind, props in specs}
        resources += [
            Resource(stack, logical_id, kind, props, siblings, planned=True) for logical_id, kind, props in specs
        ]
    return resources
