"""The deployed resources a region's dashboard and alarms watch, and what the alarms are.

Identifiers come from the SSM parameters their stacks publish, so every alarm names a resource
this environment really has. The alarm list is data: the dashboard draws the same metrics.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Fn
from constructs import Construct

from genai_infra.config.environment import EnvironmentConfig
from genai_infra.config.platform import AlertingConfig
from genai_infra.constructs.container_insights import (
    FILESYSTEM_AVAILABLE,
    MEMORY_AVAILABLE,
    PROMETHEUS_NAMESPACE,
    ROOT_MOUNTPOINT,
)
from genai_infra.constructs.irsa import APP_SERVICE_ACCOUNT
from genai_infra.constructs.shared_values import read_value

MIB = 1024 * 1024
GIB = 1024 * MIB
# The application's Deployment has the name and namespace of its service account.
APP_NAMESPACE, APP_NAME = APP_SERVICE_ACCOUNT


@dataclass(frozen=True)
class MonitoredResources:
    """CloudWatch dimension values of this region's resources (deploy-time tokens)."""

    cluster_name: str
    load_balancer: str  # app/<name>/<id>
    target_group: str  # targetgroup/<name>/<id>
    aurora_cluster: str
    redis_nodes: tuple[str, ...]  # CacheClusterId of each node: <replication group>-001, -002, ...
    msk_cluster: str
    msk_broker_ids: tuple[str, ...]
    nat_gateways: tuple[str, ...]
    aurora_has_readers: bool
    aurora_global_secondary: bool
    node_disk_gib: int  # the node groups' root volume (launch template)


def read_monitored(scope: Construct, environment: EnvironmentConfig, region: str) -> MonitoredResources:
    config = environment.regions[region]
    name = environment.name

    def value(key: str) -> str:
        return read_value(scope, environment=name, key=key)

    # Only what the environment runs is watched (decision C12): no Redis or MSK alarms without them.
    redis_nodes: tuple[str, ...] = ()
    if environment.has("ElastiCacheStack"):
        replication_group = value("redis/replication-group-id")
        redis_nodes = tuple(Fn.join("-", [replication_group, f"{n:03d}"]) for n in range(1, config.redis.replicas + 2))
    kafka = environment.has("MSKStack")
    nat_ids = value("network/nat-gateway-ids")
    nat_count = config.network.nat_gateways
    aurora = config.aurora
    return MonitoredResources(
        cluster_name=value("eks/cluster-name"),
        load_balancer=value("alb/full-name"),
        target_group=value("alb/target-group-full-name"),
        aurora_cluster=value("aurora/cluster-identifier"),
        redis_nodes=redis_nodes,
        msk_cluster=value("msk/cluster-name") if kafka else "",
        msk_broker_ids=tuple(str(n) for n in range(1, config.msk.broker_count + 1)) if kafka else (),
        nat_gateways=tuple(Fn.select(i, Fn.split(",", nat_ids, nat_count)) for i in range(nat_count)),
        aurora_has_readers=bool(aurora.reader_instance_classes) or aurora.global_role == "secondary",
        aurora_global_secondary=aurora.global_role == "secondary",
        node_disk_gib=config.eks.node_group.disk_size_gb,
    )


@dataclass(frozen=True)
class AlarmSpec:
    """One alarm: a metric of one resource, its statistic and threshold, and who hears of it."""

    name: str
    severity: str  # critical | warning
    service: str  # the dashboard section
    namespace: str
    metric: str
    dimensions: dict[str, str]
    statistic: str
    threshold: float
    comparison: str = "GreaterThanThreshold"
    period_seconds: int = 300
    evaluation_periods: int = 1
    # Counters publish nothing when nothing happens; gauges that go silent are worth a look.
    missing_data: str = "notBreaching"
    description: str = ""


def alarm_specs(resources: MonitoredResources, thresholds: AlertingConfig) -> list[AlarmSpec]:
    """Every alarm of a serving region, from the issue's list of what breaks this system."""
    r, t = resources, thresholds
    lb = {"LoadBalancer": r.load_balancer}
    specs = [
        AlarmSpec(
            "alb-target-5xx",
            "critical",
            "ALB",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            lb,
            "Sum",
            t.alb_5xx_per_5_minutes,
            description="The application answers 5xx",
        ),
        AlarmSpec(
            "alb-elb-5xx",
            "critical",
            "ALB",
            "AWS/ApplicationELB",
            "HTTPCode_ELB_5XX_Count",
            lb,
            "Sum",
            t.alb_5xx_per_5_minutes,
            description="The load balancer answers 5xx (no healthy target, timeouts)",
        ),
        AlarmSpec(
            "alb-unhealthy-targets",
            "critical",
            "ALB",
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            {**lb, "TargetGroup": r.target_group},
            "Maximum",
            0,
            period_seconds=60,
            evaluation_periods=3,
            description="Pods fail their readiness check",
        ),
        AlarmSpec(
            "alb-p99-latency",
            "warning",
            "ALB",
            "AWS/ApplicationELB",
            "TargetResponseTime",
            lb,
            "p99",
            t.p99_latency_seconds,
            evaluation_periods=2,
            description="p99 response time in seconds",
        ),
        AlarmSpec(
            "aurora-cpu",
            "warning",
            "Aurora",
            "AWS/RDS",
            "CPUUtilization",
            {"DBClusterIdentifier": r.aurora_cluster},
            "Average",
            t.aurora_cpu_percent,
            evaluation_periods=3,
            missing_data="missing",
        ),
        AlarmSpec(
            "aurora-freeable-memory",
            "critical",
            "Aurora",
            "AWS/RDS",
            "FreeableMemory",
            {"DBClusterIdentifier": r.aurora_cluster},
            "Minimum",
            t.aurora_freeable_memory_mib * MIB,
            comparison="LessThanThreshold",
            evaluation_periods=2,
            missing_data="missing",
        ),
    ]
    if r.aurora_has_readers:
        specs.append(
            AlarmSpec(
                "aurora-replica-lag",
                "critical",
                "Aurora",
                "AWS/RDS",
                "AuroraReplicaLag",
                {"DBClusterIdentifier": r.aurora_cluster},
                "Maximum",
                t.aurora_replica_lag_ms,
                evaluation_periods=3,
                missing_data="missing",
                description="Reader lag in milliseconds",
            )
        )
    if r.aurora_global_secondary:
        specs.append(
            AlarmSpec(
                "aurora-global-replication-lag",
                "critical",
                "Aurora",
                "AWS/RDS",
                "AuroraGlobalDBReplicationLag",
                {"DBClusterIdentifier": r.aurora_cluster},
                "Maximum",
                t.aurora_global_replication_lag_ms,
                evaluation_periods=3,
                missing_data="breaching",
                description="Lag behind the global database's primary region, in milliseconds",
            )
        )
    for index, node in enumerate(r.redis_nodes):
        label = f"{index + 1:03d}"
        dims = {"CacheClusterId": node}
        specs += [
            AlarmSpec(
                f"redis-{label}-engine-cpu",
                "warning",
                "Redis",
                "AWS/ElastiCache",
                "EngineCPUUtilization",
                dims,
                "Average",
                t.redis_engine_cpu_percent,
                evaluation_periods=3,
                missing_data="missing",
            ),
            AlarmSpec(
                f"redis-{label}-memory",
                "critical",
                "Redis",
                "AWS/ElastiCache",
                "DatabaseMemoryUsagePercentage",
                dims,
                "Maximum",
                t.redis_memory_percent,
                evaluation_periods=2,
                missing_data="missing",
            ),
            AlarmSpec(
                f"redis-{label}-evictions",
                "warning",
                "Redis",
                "AWS/ElastiCache",
                "Evictions",
                dims,
                "Sum",
                t.redis_evictions_per_5_minutes,
            ),
        ]
        if index > 0:  # node 001 starts as the primary; replicas report their lag
            specs.append(
                AlarmSpec(
                    f"redis-{label}-replication-lag",
                    "warning",
                    "Redis",
                    "AWS/ElastiCache",
                    "ReplicationLag",
                    dims,
                    "Maximum",
                    t.redis_replication_lag_seconds,
                    evaluation_periods=3,
                    missing_data="missing",
                )
            )
    for broker in r.msk_broker_ids:
        dims = {"Cluster Name": r.msk_cluster, "Broker ID": broker}
        specs += [
            AlarmSpec(
                f"msk-broker-{broker}-disk",
                "critical",
                "MSK",
                "AWS/Kafka",
                "KafkaDataLogsDiskUsed",
                dims,
                "Maximum",
                t.msk_disk_used_percent,
                missing_data="missing",
            ),
            AlarmSpec(
                f"msk-broker-{broker}-under-replicated",
                "critical",
                "MSK",
                "AWS/Kafka",
                "UnderReplicatedPartitions",
                dims,
                "Maximum",
                0,
                evaluation_periods=3,
                missing_data="missing",
            ),
        ]
    cluster = {"ClusterName": r.cluster_name}
    specs += [
        AlarmSpec(
            "eks-failed-nodes",
            "critical",
            "EKS",
            "ContainerInsights",
            "cluster_failed_node_count",
            cluster,
            "Maximum",
            0,
            period_seconds=60,
            evaluation_periods=5,
        ),
        AlarmSpec(
            "eks-app-restarts",
            "warning",
            "EKS",
            "ContainerInsights",
            "pod_number_of_container_restarts",
            {**cluster, "Namespace": APP_NAMESPACE, "PodName": APP_NAME},
            "Sum",
            t.app_container_restarts_per_5_minutes,
        ),
    ]
    specs += node_alarm_specs(r, t)
    for index, nat in enumerate(r.nat_gateways):
        dims = {"NatGatewayId": nat}
        specs += [
            AlarmSpec(
                f"nat-{index + 1}-port-allocation-errors",
                "warning",
                "NAT",
                "AWS/NATGateway",
                "ErrorPortAllocation",
                dims,
                "Sum",
                0,
            ),
            AlarmSpec(
                f"nat-{index + 1}-packets-dropped",
                "warning",
                "NAT",
                "AWS/NATGateway",
                "PacketsDropCount",
                dims,
                "Sum",
                0,
            ),
        ]
    return specs


def node_alarm_specs(r: MonitoredResources, t: AlertingConfig) -> list[AlarmSpec]:
    """Node metrics that only the Prometheus node exporter provides, as the CloudWatch agent publishes them.

    The agent publishes each metric per cluster (constructs/container_insights.py); the Minimum of a
    period is the worst node's value.
    """
    cluster = {"ClusterName": r.cluster_name}
    return [
        AlarmSpec(
            "node-root-filesystem-free",
            "critical",
            "Nodes",
            PROMETHEUS_NAMESPACE,
            FILESYSTEM_AVAILABLE,
            {**cluster, "mountpoint": ROOT_MOUNTPOINT},
            "Minimum",
            r.node_disk_gib * GIB * t.node_filesystem_free_percent / 100,
            comparison="LessThanThreshold",
            evaluation_periods=2,
            missing_data="missing",
            description=f"A node's root filesystem has less than {t.node_filesystem_free_percent:g} % "
            f"of its {r.node_disk_gib} GiB free (bytes)",
        ),
        AlarmSpec(
            "node-memory-available",
            "critical",
            "Nodes",
            PROMETHEUS_NAMESPACE,
            MEMORY_AVAILABLE,
            cluster,
            "Minimum",
            t.node_memory_available_mib * MIB,
            comparison="LessThanThreshold",
            evaluation_periods=2,
            missing_data="missing",
            description=f"A node has less than {t.node_memory_available_mib} MiB of memory available (bytes)",
        ),
    ]
