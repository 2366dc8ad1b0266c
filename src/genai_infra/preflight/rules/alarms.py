"""CloudWatch alarms: every alarm acts, watches a metric that exists, of a resource that exists."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from genai_infra.preflight import support
from genai_infra.preflight.cfn import TargetIndex, as_list, render
from genai_infra.preflight.model import Hit, Severity, StackTemplate, TargetTemplates, rule

# For each AWS namespace: dimension -> resource types it names, and the property holding the name.
DIMENSIONS: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {
    "AWS/RDS": {
        "DBClusterIdentifier": (("AWS::RDS::DBCluster", "DBClusterIdentifier"),),
        "DBInstanceIdentifier": (("AWS::RDS::DBInstance", "DBInstanceIdentifier"),),
        "Role": (),
    },
    "AWS/ElastiCache": {
        "ReplicationGroupId": (("AWS::ElastiCache::ReplicationGroup", "ReplicationGroupId"),),
        "CacheClusterId": (
            ("AWS::ElastiCache::ReplicationGroup", "ReplicationGroupId"),
            ("AWS::ElastiCache::CacheCluster", "ClusterName"),
        ),
        "CacheNodeId": (),
    },
    "AWS/Kafka": {
        "Cluster Name": (("AWS::MSK::Cluster", "ClusterName"),),
        "Broker ID": (),
        "Topic": (),
        "Consumer Group": (),
    },
    "AWS/ApplicationELB": {
        "LoadBalancer": (("AWS::ElasticLoadBalancingV2::LoadBalancer", "Name"),),
        "TargetGroup": (("AWS::ElasticLoadBalancingV2::TargetGroup", "Name"),),
        "AvailabilityZone": (),
    },
    "AWS/Route53": {"HealthCheckId": (("AWS::Route53::HealthCheck", ""),)},
    "AWS/Lambda": {"FunctionName": (("AWS::Lambda::Function", "FunctionName"),), "Resource": ()},
    "AWS/CloudFront": {"DistributionId": (("AWS::CloudFront::Distribution", ""),), "Region": ()},
    "AWS/WAFV2": {"WebACL": (("AWS::WAFv2::WebACL", "Name"),), "Rule": (), "Region": ()},
    "ContainerInsights": {
        "ClusterName": (("AWS::EKS::Cluster", "Name"), ("Custom::AWSCDK-EKS-Cluster", "")),
        "Namespace": (),
        "PodName": (),
        "Service": (),
        "NodeName": (),
        "InstanceId": (),
    },
    # The CloudWatch agent's Prometheus pipeline: ClusterName plus the labels its metric_declaration names.
    "ContainerInsights/Prometheus": {
        "ClusterName": (("AWS::EKS::Cluster", "Name"), ("Custom::AWSCDK-EKS-Cluster", "")),
        "mountpoint": (),
        "job": (),
        "Namespace": (),
        "Service": (),
    },
}


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Metric names each namespace publishes (the ones an alarm of this project can watch).
METRICS: dict[str, frozenset[str]] = {
    "AWS/RDS": words(
        "CPUUtilization FreeableMemory DatabaseConnections ReadLatency WriteLatency ReadIOPS WriteIOPS "
        "ReadThroughput WriteThroughput FreeLocalStorage AuroraReplicaLag AuroraReplicaLagMaximum "
        "AuroraGlobalDBReplicationLag AuroraGlobalDBRPOLag ServerlessDatabaseCapacity ACUUtilization "
        "Deadlocks CommitLatency DMLLatency SelectLatency BufferCacheHitRatio NetworkThroughput "
        "DiskQueueDepth SwapUsage MaximumUsedTransactionIDs TransactionLogsDiskUsage VolumeBytesUsed "
        "EngineUptime FreeStorageSpace"
    ),
    "AWS/ElastiCache": words(
        "CPUUtilization EngineCPUUtilization DatabaseMemoryUsagePercentage FreeableMemory CurrConnections "
        "NewConnections Evictions CacheHits CacheMisses CacheHitRate ReplicationLag SwapUsage "
        "NetworkBytesIn NetworkBytesOut IsMaster GlobalDatastoreReplicationLag"
    ),
    "AWS/Kafka": words(
        "CpuUser CpuSystem CpuIdle KafkaDataLogsDiskUsed MemoryUsed MemoryFree ActiveControllerCount "
        "OfflinePartitionsCount UnderReplicatedPartitions UnderMinIsrPartitionCount ZooKeeperRequestLatencyMsMean "
        "BytesInPerSec BytesOutPerSec MessagesInPerSec ConnectionCount SumOffsetLag MaxOffsetLag "
        "EstimatedMaxTimeLag GlobalPartitionCount GlobalTopicCount ReplicationLatency MessageLag"
    ),
    "AWS/ApplicationELB": words(
        "RequestCount TargetResponseTime HTTPCode_ELB_5XX_Count HTTPCode_ELB_4XX_Count HTTPCode_Target_5XX_Count "
        "HTTPCode_Target_4XX_Count HTTPCode_Target_2XX_Count HealthyHostCount UnHealthyHostCount "
        "ActiveConnectionCount NewConnectionCount RejectedConnectionCount TargetConnectionErrorCount "
        "ProcessedBytes ConsumedLCUs"
    ),
    "AWS/Route53": words(
        "HealthCheckStatus HealthCheckPercentageHealthy ChildHealthCheckHealthyCount ConnectionTime "
        "SSLHandshakeTime TimeToFirstByte"
    ),
    "AWS/Lambda": words("Invocations Errors Throttles Duration ConcurrentExecutions IteratorAge DeadLetterErrors"),
    "AWS/CloudFront": words(
        "Requests BytesDownloaded BytesUploaded 4xxErrorRate 5xxErrorRate TotalErrorRate OriginLatency"
    ),
    "AWS/WAFV2": words("AllowedRequests BlockedRequests CountedRequests PassedRequests"),
    "ContainerInsights": words(
        "cluster_failed_node_count cluster_node_count node_cpu_utilization node_memory_utilization "
        "node_filesystem_utilization pod_cpu_utilization pod_memory_utilization pod_number_of_container_restarts "
        "service_number_of_running_pods namespace_number_of_running_pods node_number_of_running_pods "
        "pod_cpu_utilization_over_pod_limit pod_memory_utilization_over_pod_limit node_network_total_bytes"
    ),
    # Node exporter gauges the agent can publish (its pipeline drops untyped and histogram metrics).
    "ContainerInsights/Prometheus": words(
        "node_filesystem_avail_bytes node_filesystem_size_bytes node_filesystem_files_free "
        "node_memory_MemAvailable_bytes node_memory_MemTotal_bytes node_load1 node_load5 node_load15"
    ),
}


def _metrics(properties: Mapping[str, Any]) -> Iterator[tuple[str, str, list[Any]]]:
    """(namespace, metric name, dimensions) of a single-metric alarm or each metric of a math alarm."""
    if "MetricName" in properties:
        yield str(properties.get("Namespace")), str(properties["MetricName"]), as_list(properties.get("Dimensions"))
    for query in as_list(properties.get("Metrics")):
        metric = query.get("MetricStat", {}).get("Metric") if isinstance(query, dict) else None
        if metric:
            yield str(metric.get("Namespace")), str(metric.get("MetricName")), as_list(metric.get("Dimensions"))


def _alarms(target: TargetTemplates) -> Iterator[tuple[StackTemplate, str, Mapping[str, Any]]]:
    yield from target.of_type("AWS::CloudWatch::Alarm")


@rule("PF030", Severity.ERROR, "template", "every alarm (and composite alarm) has an enabled alarm action")
def alarm_has_action(template: StackTemplate) -> Iterator[Hit]:
    for logical_id, properties in template.of_type("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"):
        if not as_list(properties.get("AlarmActions")) or properties.get("ActionsEnabled") is False:
            yield template.hit(
                logical_id,
                f"alarm {logical_id} has no enabled alarm action, so nobody hears it; add an SNS topic action",
            )


def _names(index: TargetIndex, resource_types: tuple[tuple[str, str], ...]) -> set[str]:
    names = set()
    for resource_type, key in resource_types:
        for _, _, properties in index.target.of_type(resource_type):
            name = render(properties.get(key), region=index.target.region).literal if key else None
            if name:
                names.add(name)
    return names


@rule("PF031", Severity.ERROR, "target", "every alarm dimension names a resource of the target, of the right type")
def alarm_dimensions(target: TargetTemplates) -> Iterator[Hit]:
    index = TargetIndex(target)
    for template, logical_id, properties in _alarms(target):
        for namespace, _, dimensions in _metrics(properties):
            known = DIMENSIONS.get(namespace)
            if known is None:
                continue
            for dimension in dimensions:
                name, value = str(dimension.get("Name")), dimension.get("Value")
                if name not in known:
                    yield template.hit(
                        logical_id,
                        f"alarm {logical_id} uses dimension {name!r}, which {namespace} does not publish; use one "
                        f"of {', '.join(sorted(known))}",
                    )
                    continue
                types = known[name]
                if not types:
                    continue
                pointer = index.resolve_any(template, value)
                literal = render(value, region=target.region).literal or index.imported_literal(template, value)
                if pointer is not None and index.type_of(pointer) in {t for t, _ in types}:
                    continue
                if pointer is None and index.remote_type(template, value) in {t for t, _ in types}:
                    continue
                if (
                    pointer is None
                    and literal is not None
                    and any(literal == n or literal.startswith(n + "-") for n in _names(index, types))
                ):
                    continue
                yield template.hit(
                    logical_id,
                    f"alarm {logical_id} watches {namespace} {name}={literal or 'a value'} that names no "
                    f"{' or '.join(t for t, _ in types)} of this target; reference the resource itself",
                )


@rule("PF032", Severity.ERROR, "template", "every alarm's metric is one its AWS namespace publishes")
def alarm_metric_exists(template: StackTemplate) -> Iterator[Hit]:
    for logical_id, properties in template.of_type("AWS::CloudWatch::Alarm"):
        for namespace, metric, _ in _metrics(properties):
            known = METRICS.get(namespace)
            if known is not None and metric not in known:
                yield template.hit(
                    logical_id,
                    f"alarm {logical_id} watches {namespace} {metric}, which that namespace does not publish; the "
                    "alarm would stay INSUFFICIENT_DATA: fix the metric name",
                )


@rule("PF033", Severity.ERROR, "template", "Route 53, CloudFront and billing metric alarms are only in us-east-1")
def global_metric_region(template: StackTemplate) -> Iterator[Hit]:
    if template.region == "us-east-1":
        return
    for logical_id, properties in template.of_type("AWS::CloudWatch::Alarm"):
        for namespace, metric, _ in _metrics(properties):
            if namespace in support.US_EAST_1_ONLY_METRIC_NAMESPACES:
                yield template.hit(
                    logical_id,
                    f"alarm {logical_id} watches {namespace} {metric} in {template.region}, but that namespace "
                    "only has data in us-east-1; create the alarm in a us-east-1 stack",
                )
