"""Aurora (provisioned, Serverless v2, global), ElastiCache (Redis OSS, Valkey, global) and MSK."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from genai_infra.cost.catalog import CostError
from genai_infra.cost.rules.base import Category, Charge, PricingContext, Resource, literal, number, transfer

# ---------------------------------------------------------------- Aurora


def _cluster_of(resource: Resource) -> Mapping[str, Any] | None:
    return resource.sibling(resource.properties.get("DBClusterIdentifier"))


def aurora_cluster(resource: Resource, ctx: PricingContext) -> list[Charge]:
    props = resource.properties
    storage_type = literal(props, "StorageType") or "aurora"
    if storage_type != "aurora":
        raise CostError(
            f"{resource.stack}/{resource.logical_id}: Aurora storage type {storage_type!r} is not priced; "
            "the catalog holds Aurora Standard prices only."
        )
    retention = number(props, "BackupRetentionPeriod")
    if retention is None:
        retention = ctx.serving(resource, "BackupRetentionPeriod").aurora.backup_retention_days
    usage = ctx.usage
    # Backups up to 100 % of the cluster volume are free; each retained day adds the changed share.
    backup_gb = usage.aurora_storage_gb * usage.aurora_daily_change_percent / 100 * max(retention - 1, 0)
    return [
        ctx.charge(
            f"cluster volume {usage.aurora_storage_gb:g} GB (usage file)", usage.aurora_storage_gb, "rds.aurora.storage"
        ),
        ctx.charge(
            f"I/O {usage.aurora_io_millions:g} M requests (usage file)", usage.aurora_io_millions, "rds.aurora.io"
        ),
        ctx.charge(
            f"backup beyond the free volume: {retention:g} days x {usage.aurora_daily_change_percent:g} % daily change",
            backup_gb,
            "rds.aurora.backup",
        ),
    ]


def aurora_instance(resource: Resource, ctx: PricingContext) -> list[Charge]:
    props = resource.properties
    instance_class = literal(props, "DBInstanceClass")
    engine = literal(props, "Engine") or literal(_cluster_of(resource) or {}, "Engine") or "aurora-postgresql"
    if instance_class is None:
        raise CostError(f"{resource.stack}/{resource.logical_id}: DBInstanceClass is a token; state it literally.")
    hours = ctx.usage.hours_per_month
    if instance_class != "db.serverless":
        return [
            ctx.charge(
                f"{engine} {instance_class} instance", hours, f"rds.{engine}.{instance_class}", commitment="aurora"
            )
        ]
    scaling = literal(_cluster_of(resource) or {}, "ServerlessV2ScalingConfiguration") or {}
    low, high = number(scaling, "MinCapacity"), number(scaling, "MaxCapacity")
    if low is None or high is None:
        aurora = ctx.serving(resource, "the Serverless v2 capacity range").aurora
        low, high = aurora.serverless_min_acu or 0.0, aurora.serverless_max_acu or 0.0
    usage = ctx.usage
    active = min(usage.aurora_serverless_active_hours, hours)
    busy_acu = low + usage.aurora_serverless_active_acu_fraction * (high - low)
    # Only a minimum of 0 ACU can pause, and only when no connection is open: while the application
    # runs, its connection pools keep the instance at 0.5 ACU or more. Pausing is a usage assumption.
    paused = min(usage.aurora_serverless_paused_hours, hours - active) if low == 0 else 0.0
    idle_acu = max(low, 0.5)
    acu_hours = active * busy_acu + (hours - active - paused) * idle_acu
    return [
        ctx.charge(
            f"Serverless v2 {low:g}-{high:g} ACU: {active:g} h at {busy_acu:g} ACU, {paused:g} h paused, "
            f"the rest at {idle_acu:g}",
            acu_hours,
            "rds.aurora.serverless-v2",
        )
    ]


def aurora_global(resource: Resource, ctx: PricingContext) -> list[Charge]:
    usage = ctx.usage
    return [
        transfer(ctx, "Aurora global database replication", usage.aurora_replication_gb),
        ctx.charge(
            f"replicated write I/O {usage.aurora_replicated_write_io_millions:g} M (usage file)",
            usage.aurora_replicated_write_io_millions,
            "rds.aurora.replicated-write-io",
            Category.DATA_TRANSFER,
        ),
    ]


# ---------------------------------------------------------------- ElastiCache


def _cache_node(resource: Resource, ctx: PricingContext, count: float, node_type: str | None) -> list[Charge]:
    if node_type is None:
        # A global datastore secondary inherits the node type of its primary: the template has none.
        node_type = ctx.serving(resource, "CacheNodeType").redis.node_type
    engine = literal(resource.properties, "Engine") or "redis"
    node = ctx.price(f"elasticache.{node_type}")
    hours = ctx.usage.hours_per_month * count
    charges: list[Charge]
    if engine == "valkey":
        ratio = ctx.price("elasticache.valkey-ratio")
        charges = [
            Charge(
                f"{count:g} x {node_type} Valkey nodes",
                hours,
                node.unit,
                node.usd * ratio.usd,
                (node, ratio),
                commitment="elasticache",
            )
        ]
    elif engine == "redis":
        charges = [
            Charge(
                f"{count:g} x {node_type} Redis OSS nodes",
                hours,
                node.unit,
                node.usd,
                (node,),
                commitment="elasticache",
            )
        ]
    else:
        raise CostError(f"{resource.stack}/{resource.logical_id}: cache engine {engine!r} has no pricing rule.")
    # One snapshot per cluster is stored free; each further retained daily snapshot is billed.
    retention = number(resource.properties, "SnapshotRetentionLimit") or 0
    if retention > 1:
        gb = ctx.usage.redis_snapshot_gb
        charges.append(
            ctx.charge(
                f"backup storage: {retention - 1:g} snapshots beyond the free one x {gb:g} GB (usage file)",
                (retention - 1) * gb,
                "elasticache.backup-storage",
            )
        )
    return charges


def cache_replication_group(resource: Resource, ctx: PricingContext) -> list[Charge]:
    props = resource.properties
    count = number(props, "NumCacheClusters")
    if count is None:
        groups = number(props, "NumNodeGroups")
        replicas = number(props, "ReplicasPerNodeGroup")
        if groups is not None and replicas is not None:
            count = groups * (replicas + 1)
        else:
            count = ctx.serving(resource, "the node count").redis.replicas + 1
    return _cache_node(resource, ctx, count, literal(props, "CacheNodeType"))


def cache_cluster(resource: Resource, ctx: PricingContext) -> list[Charge]:
    count = number(resource.properties, "NumCacheNodes") or 1
    return _cache_node(resource, ctx, count, literal(resource.properties, "CacheNodeType"))


def cache_global(resource: Resource, ctx: PricingContext) -> list[Charge]:
    return [transfer(ctx, "Redis global datastore replication", ctx.usage.redis_replication_gb)]


# ---------------------------------------------------------------- MSK

# Paid broker-level metrics of PER_BROKER monitoring (https://docs.aws.amazon.com/msk/latest/developerguide/metrics-details.html).
MSK_PER_BROKER_METRICS = 40


def msk_cluster(resource: Resource, ctx: PricingContext) -> list[Charge]:
    props = resource.properties
    broker_type = literal(props, "BrokerNodeGroupInfo", "InstanceType")
    brokers = number(props, "NumberOfBrokerNodes")
    volume = number(props, "BrokerNodeGroupInfo", "StorageInfo", "EBSStorageInfo", "VolumeSize")
    if broker_type is None or brokers is None or volume is None:
        msk = ctx.serving(resource, "the broker type, count or volume").msk
        broker_type = broker_type or msk.broker_instance_type
        brokers = brokers if brokers is not None else msk.broker_count
        volume = volume if volume is not None else msk.ebs_volume_gb
    charges = [
        ctx.charge(f"{brokers:g} x {broker_type} brokers", brokers * ctx.usage.hours_per_month, f"msk.{broker_type}"),
        ctx.charge(f"broker storage {brokers:g} x {volume:g} GB", brokers * volume, "msk.storage"),
    ]
    monitoring = literal(props, "EnhancedMonitoring") or "DEFAULT"
    if monitoring == "PER_BROKER":
        # DEFAULT metrics are free; PER_BROKER adds about 40 paid CloudWatch metrics on every broker.
        charges.append(
            ctx.charge(
                f"PER_BROKER monitoring: {brokers:g} brokers x {MSK_PER_BROKER_METRICS} metrics",
                brokers * MSK_PER_BROKER_METRICS,
                "cloudwatch.metric",
                Category.MONITORING,
            )
        )
    elif monitoring != "DEFAULT":
        raise CostError(
            f"{resource.stack}/{resource.logical_id}: MSK enhanced monitoring {monitoring} bills per-topic metrics "
            "the estimator cannot count; use DEFAULT or PER_BROKER."
        )
    return charges


def msk_replicator(resource: Resource, ctx: PricingContext) -> list[Charge]:
    gb = ctx.usage.msk_replication_gb
    return [
        ctx.charge("MSK Replicator hours", ctx.usage.hours_per_month, "msk.replicator"),
        ctx.charge(f"MSK Replicator data {gb:g} GB (usage file)", gb, "msk.replicator-data"),
        transfer(ctx, "MSK replication", gb),
    ]
