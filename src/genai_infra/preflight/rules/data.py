"""Data services: instance classes each engine offers, topology AWS accepts, production protection."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from genai_infra.preflight import support
from genai_infra.preflight.cfn import SSM_PARAMETER_TYPE, TargetIndex, render
from genai_infra.preflight.model import Hit, Severity, StackTemplate, TargetTemplates, rule

PRODUCTION = "production"
# Stateful types and the DeletionPolicy/UpdateReplacePolicy values that keep their data (decision S5).
KEEPS_DATA: dict[str, frozenset[str]] = {
    "AWS::RDS::DBCluster": frozenset({"Retain", "Snapshot"}),
    "AWS::RDS::GlobalCluster": frozenset({"Retain"}),
    "AWS::ElastiCache::ReplicationGroup": frozenset({"Retain", "Snapshot"}),
    "AWS::ElastiCache::GlobalReplicationGroup": frozenset({"Retain"}),
    "AWS::MSK::Cluster": frozenset({"Retain"}),
    "AWS::KMS::Key": frozenset({"Retain"}),
    "AWS::S3::Bucket": frozenset({"Retain"}),
    "AWS::DynamoDB::Table": frozenset({"Retain", "Snapshot"}),
    "AWS::DynamoDB::GlobalTable": frozenset({"Retain"}),
    "AWS::EFS::FileSystem": frozenset({"Retain"}),
    "AWS::SecretsManager::Secret": frozenset({"Retain"}),
    "AWS::Logs::LogGroup": frozenset({"Retain"}),
}


def _aurora_postgres(template: StackTemplate, properties: Mapping[str, Any]) -> bool:
    engine = render(properties.get("Engine")).literal
    if engine is None and isinstance(properties.get("DBClusterIdentifier"), dict):
        cluster = next(iter(properties["DBClusterIdentifier"].values()))
        name = cluster[0] if isinstance(cluster, list) else cluster
        engine = render(template.resources.get(str(name), {}).get("Properties", {}).get("Engine")).literal
    return engine == "aurora-postgresql"


@rule("PF040", Severity.ERROR, "template", "Aurora PostgreSQL instances use a class the engine offers")
def aurora_instance_class(template: StackTemplate) -> Iterator[Hit]:
    for logical_id, properties in template.of_type("AWS::RDS::DBInstance"):
        instance_class = render(properties.get("DBInstanceClass")).literal
        offered = instance_class in support.AURORA_POSTGRES_CLASSES
        if instance_class and not offered and _aurora_postgres(template, properties):
            yield template.hit(
                logical_id,
                f"instance {logical_id} uses {instance_class}, which Aurora PostgreSQL does not offer; use one "
                f"of {', '.join(sorted(support.AURORA_POSTGRES_CLASSES))}",
            )


@rule("PF041", Severity.ERROR, "template", "ElastiCache node types exist")
def cache_node_type(template: StackTemplate) -> Iterator[Hit]:
    for logical_id, properties in template.of_type(
        "AWS::ElastiCache::ReplicationGroup", "AWS::ElastiCache::CacheCluster"
    ):
        node_type = render(properties.get("CacheNodeType")).literal
        if node_type and node_type not in support.CACHE_NODE_TYPES:
            yield template.hit(
                logical_id,
                f"{logical_id} uses cache node type {node_type}, which ElastiCache does not offer; use one of "
                f"{', '.join(sorted(support.CACHE_NODE_TYPES))}",
            )


@rule("PF042", Severity.ERROR, "template", "MSK broker instance types exist")
def msk_broker_type(template: StackTemplate) -> Iterator[Hit]:
    for logical_id, properties in template.of_type("AWS::MSK::Cluster"):
        broker_type = render(properties.get("BrokerNodeGroupInfo", {}).get("InstanceType")).literal
        if broker_type and broker_type not in support.MSK_BROKER_TYPES:
            yield template.hit(
                logical_id,
                f"MSK cluster {logical_id} uses broker type {broker_type}, which MSK does not offer; use one of "
                f"{', '.join(sorted(support.MSK_BROKER_TYPES))}",
            )


def _subnet_count(index: TargetIndex, template: StackTemplate, subnets: Any) -> int | None:
    """How many subnets a ClientSubnets value lists, reading through Fn::Split of an SSM import."""
    if isinstance(subnets, list):
        counts = [_subnet_count(index, template, item) for item in subnets]
        return None if None in counts else sum(c for c in counts if c is not None)
    if isinstance(subnets, dict) and "Fn::Split" in subnets:
        _, source = subnets["Fn::Split"]
        name = source.get("Ref") if isinstance(source, dict) else None
        parameter = template.parameters.get(str(name), {})
        if SSM_PARAMETER_TYPE.match(str(parameter.get("Type", ""))):
            published = index.published.get(str(parameter.get("Default")))
            if published is not None:
                return render(published[1]).text.count(",") + 1
        return None
    return 1


@rule("PF043", Severity.ERROR, "target", "the MSK broker count is a multiple of its client subnets (2 or 3 AZs)")
def msk_broker_count(target: TargetTemplates) -> Iterator[Hit]:
    index = TargetIndex(target)
    for template, logical_id, properties in target.of_type("AWS::MSK::Cluster"):
        brokers = properties.get("NumberOfBrokerNodes")
        subnets = _subnet_count(index, template, properties.get("BrokerNodeGroupInfo", {}).get("ClientSubnets"))
        if not isinstance(brokers, int) or subnets is None:
            continue
        if subnets not in (2, 3) or brokers % subnets:
            yield template.hit(
                logical_id,
                f"MSK cluster {logical_id} has {brokers} brokers over {subnets} client subnets; MSK needs 2 or 3 "
                "subnets in different AZs and a broker count that is a multiple of them",
            )


@rule("PF044", Severity.ERROR, "template", "db.serverless instances belong to a cluster with Serverless v2 scaling")
def serverless_scaling(template: StackTemplate) -> Iterator[Hit]:
    for logical_id, properties in template.of_type("AWS::RDS::DBInstance"):
        if render(properties.get("DBInstanceClass")).literal != "db.serverless":
            continue
        cluster = properties.get("DBClusterIdentifier")
        name = cluster.get("Ref") if isinstance(cluster, dict) else None
        scaling = template.resources.get(str(name), {}).get("Properties", {}).get("ServerlessV2ScalingConfiguration")
        if name in template.resources and not scaling:
            yield template.hit(
                logical_id,
                f"instance {logical_id} is db.serverless but cluster {name} has no ServerlessV2ScalingConfiguration; "
                "set serverless_v2_min/max_capacity on the cluster",
            )


@rule("PF045", Severity.ERROR, "template", "Redis automatic failover and Multi-AZ have the replicas they need")
def redis_failover(template: StackTemplate) -> Iterator[Hit]:
    for logical_id, properties in template.of_type("AWS::ElastiCache::ReplicationGroup"):
        failover = properties.get("AutomaticFailoverEnabled") is True
        multi_az = properties.get("MultiAZEnabled") is True
        nodes = properties.get("NumCacheClusters")
        replicas = properties.get("ReplicasPerNodeGroup")
        too_few = (isinstance(nodes, int) and nodes < 2) or (isinstance(replicas, int) and replicas < 1)
        if (failover and too_few) or (multi_az and not failover):
            yield template.hit(
                logical_id,
                f"replication group {logical_id} enables failover/Multi-AZ without the replica and automatic "
                "failover it needs; add at least one replica and enable AutomaticFailoverEnabled, or disable both",
            )


@rule("PF046", Severity.ERROR, "template", "production databases have deletion protection on")
def deletion_protection(template: StackTemplate) -> Iterator[Hit]:
    if template.environment != PRODUCTION:
        return
    checks = (
        ("AWS::RDS::DBCluster", "DeletionProtection"),
        ("AWS::DynamoDB::Table", "DeletionProtectionEnabled"),
        ("AWS::RDS::DBInstance", "DeletionProtection"),
    )
    for resource_type, key in checks:
        for logical_id, properties in template.of_type(resource_type):
            if resource_type == "AWS::RDS::DBInstance" and "DBClusterIdentifier" in properties:
                continue  # an Aurora instance is protected by its cluster
            if render(properties.get(key)).literal not in ("true", "True"):
                yield template.hit(
                    logical_id, f"production {resource_type} {logical_id} has no {key}; set it to true (decision S5)"
                )


@rule("PF047", Severity.ERROR, "template", "production stateful resources are retained or snapshotted on delete")
def keeps_data(template: StackTemplate) -> Iterator[Hit]:
    if template.environment != PRODUCTION:
        return
    for logical_id, resource in template.resources.items():
        allowed = KEEPS_DATA.get(str(resource.get("Type")))
        if allowed is None:
            continue
        for key in ("DeletionPolicy", "UpdateReplacePolicy"):
            if resource.get(key, "Delete") not in allowed:
                yield template.hit(
                    logical_id,
                    f"production {resource['Type']} {logical_id} has {key} {resource.get(key, 'Delete')}; use "
                    f"{' or '.join(sorted(allowed))} (removal policy RETAIN/SNAPSHOT, decision S5)",
                )
