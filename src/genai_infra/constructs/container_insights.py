"""Container Insights around the cluster: what the observability add-on collects, and where its logs go.

The amazon-cloudwatch-observability add-on runs the CloudWatch agent as a DaemonSet (host network)
and Fluent Bit. Its configuration values take `agent.config` (the agent's JSON configuration) and
`agent.prometheus.config` (a Prometheus configuration), as the add-on's chart defines them
(aws-observability/helm-charts: charts/amazon-cloudwatch-observability/values.yaml, `agent.prometheus`,
rendered into the AmazonCloudWatchAgent resource by templates/linux/cloudwatch-agent-custom-resource.yaml).
The add-on's operator writes the Prometheus configuration to /etc/prometheusconfig/prometheus.yaml
and points the agent's `logs.metrics_collected.prometheus` at it (aws/amazon-cloudwatch-agent-operator:
internal/manifests/collector/config_replace.go). With them, each agent:

- collect Container Insights with enhanced metrics (namespace ContainerInsights);
- scrape the Prometheus node exporter of its own node (both use the host network, so the target
  is localhost:9100 and every node is scraped once) and publish the node metrics Container
  Insights lacks through its embedded-metric-format pipeline: namespace
  ContainerInsights/Prometheus, the dimensions of `NODE_METRIC_DECLARATIONS`;
- receive traces where the X-Ray daemon would listen (2000) and over OTLP (4317/4318), bound to
  all interfaces because the agent's defaults (127.0.0.1; aws/amazon-cloudwatch-agent:
  translator/translate/otel/receiver/otlp/translator.go and .../awsxray/translator.go) are the
  node's loopback, which pods cannot reach. The operator gives the agent a Service with these ports
  and internalTrafficPolicy Local (internal/manifests/collector/service.go); the application's
  Deployment points at it (kubernetes/tracing.py).

The agent and Fluent Bit create their log groups at run time with no retention; `ContainerInsightsLogs`
creates them first, with the environment's retention and the logs key.
"""

from __future__ import annotations

from typing import Any, Final

from aws_cdk import CfnResource, Fn, RemovalPolicy, Stack
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from genai_infra.constructs.log_retention import log_retention
from genai_infra.constructs.service_logs import ServiceLogGroups
from genai_infra.kubernetes.tracing import OTLP_GRPC_PORT, XRAY_DAEMON_PORT

# Log groups of the add-on: Fluent Bit's application, dataplane and host logs, the agent's
# performance events (Container Insights) and its Prometheus events (below).
CONTAINER_INSIGHTS_LOG_TYPES: Final = ("application", "dataplane", "host", "performance", "prometheus")
PROMETHEUS_NAMESPACE: Final = "ContainerInsights/Prometheus"
NODE_EXPORTER_JOB: Final = "node-exporter"
NODE_EXPORTER_PORT: Final = 9100
ROOT_MOUNTPOINT: Final = "/"
# Node metrics only the exporter provides: free bytes of the root filesystem (the kubelet evicts pods
# when it drops below 10 %) and the memory the kernel can still hand out (MemAvailable, which counts
# reclaimable page cache; Container Insights reports the working set).
FILESYSTEM_AVAILABLE: Final = "node_filesystem_avail_bytes"
MEMORY_AVAILABLE: Final = "node_memory_MemAvailable_bytes"
# The agent's dimension sets: the cluster (and the mount point for filesystems). Alarms need fixed
# dimensions, and node names change with every replacement node; the per-node values stay in the
# prometheus log group's events. Statistics Minimum over a period give the worst node.
NODE_METRIC_DECLARATIONS: Final[tuple[dict[str, Any], ...]] = (
    {
        "source_labels": ["job", "mountpoint"],
        "label_matcher": f"^{NODE_EXPORTER_JOB};{ROOT_MOUNTPOINT}$",
        "dimensions": [["ClusterName", "mountpoint"]],
        "metric_selectors": [f"^{FILESYSTEM_AVAILABLE}$"],
    },
    {
        "source_labels": ["job"],
        "label_matcher": f"^{NODE_EXPORTER_JOB}$",
        "dimensions": [["ClusterName"]],
        "metric_selectors": [f"^{MEMORY_AVAILABLE}$"],
    },
)
# Chart values the scrape relies on (prometheus-node-exporter): host network, port 9100, all interfaces.
NODE_EXPORTER_VALUES: Final[dict[str, Any]] = {
    "hostNetwork": True,
    "service": {"port": NODE_EXPORTER_PORT, "targetPort": NODE_EXPORTER_PORT, "listenOnAllInterfaces": True},
}


def log_group_names(cluster_name: str) -> dict[str, str]:
    """/aws/containerinsights/<cluster>/<type>, the names the add-on writes to."""
    return {kind: f"/aws/containerinsights/{cluster_name}/{kind}" for kind in CONTAINER_INSIGHTS_LOG_TYPES}


def node_exporter_scrape_config() -> dict[str, Any]:
    """The Prometheus configuration of `agent.prometheus.config`: this node's exporter, only what is published."""
    published = "|".join((f"{MEMORY_AVAILABLE};", f"{FILESYSTEM_AVAILABLE};{ROOT_MOUNTPOINT}"))
    return {
        "global": {"scrape_interval": "1m", "scrape_timeout": "10s"},
        "scrape_configs": [
            {
                "job_name": NODE_EXPORTER_JOB,
                "static_configs": [{"targets": [f"localhost:{NODE_EXPORTER_PORT}"]}],
                # Every kept sample becomes a log event: keep the series that become metrics.
                "metric_relabel_configs": [
                    {"source_labels": ["__name__", "mountpoint"], "regex": published, "action": "keep"}
                ],
            }
        ],
    }


def observability_addon_configuration(cluster_name: str) -> dict[str, Any]:
    """The configuration values of the amazon-cloudwatch-observability add-on."""
    # The agent runs in the host network; pods reach it through its Service (internalTrafficPolicy Local).
    everywhere = "0.0.0.0"
    return {
        "agent": {
            "config": {
                "logs": {
                    "metrics_collected": {
                        "kubernetes": {"enhanced_container_insights": True},
                        "prometheus": {
                            "cluster_name": cluster_name,
                            "log_group_name": log_group_names(cluster_name)["prometheus"],
                            "emf_processor": {
                                "metric_declaration_dedup": True,
                                "metric_namespace": PROMETHEUS_NAMESPACE,
                                "metric_declaration": list(NODE_METRIC_DECLARATIONS),
                            },
                        },
                    }
                },
                "traces": {
                    "traces_collected": {
                        "xray": {
                            "bind_address": f"{everywhere}:{XRAY_DAEMON_PORT}",
                            "tcp_proxy": {"bind_address": f"{everywhere}:{XRAY_DAEMON_PORT}"},
                        },
                        "otlp": {
                            "grpc_endpoint": f"{everywhere}:{OTLP_GRPC_PORT}",
                            "http_endpoint": f"{everywhere}:{OTLP_GRPC_PORT + 1}",
                        },
                    }
                },
            },
            "prometheus": {"config": node_exporter_scrape_config()},
        }
    }


class ContainerInsightsLogs(ServiceLogGroups):
    """The add-on's log groups, created before the add-on with the environment's retention and the logs key."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster_name: str,
        key: kms.IKey,
        retention_days: int,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            groups=[(kind.capitalize(), name) for kind, name in log_group_names(cluster_name).items()],
            key=key,
            retention_days=retention_days,
            removal_policy=removal_policy,
        )


class ProviderLogs(Construct):
    """Retention for the logs of the functions CDK adds to the EKS stack.

    The kubectl provider's functions come with log groups that keep two years; they get the
    environment's retention. CDK's CfnJson provider function has none: it would write to an
    /aws/lambda/<name> group that Lambda creates without retention, so that group is created here,
    before any CfnJson resource invokes the function.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster: eks.Cluster,
        key: kms.IKey,
        retention_days: int,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        days = log_retention(retention_days)
        provider = cluster.node.find_child("KubectlProvider")
        for child in provider.node.find_all():
            if isinstance(child, logs.CfnLogGroup):
                child.retention_in_days = retention_days
        self.cfn_json_logs: logs.LogGroup | None = None
        stack = Stack.of(self)
        cfn_utils = stack.node.try_find_child("AWSCDKCfnUtilsProviderCustomResourceProvider")
        handler = cfn_utils.node.try_find_child("Handler") if cfn_utils is not None else None
        if not isinstance(handler, CfnResource):
            return
        self.cfn_json_logs = logs.LogGroup(
            self,
            "CfnJsonProvider",
            log_group_name=Fn.join("", ["/aws/lambda/", handler.ref]),
            encryption_key=key,
            retention=days,
            removal_policy=removal_policy,
        )
        for construct in stack.node.find_all():
            if isinstance(construct, CfnResource) and construct.cfn_resource_type == "Custom::AWSCDKCfnJson":
                construct.node.add_dependency(self.cfn_json_logs)
