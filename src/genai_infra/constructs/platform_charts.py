"""The platform's Helm charts: cluster-autoscaler, KEDA, metrics-server and the Prometheus node exporter.

Every chart is pinned to the version in configuration. The AWS Load Balancer Controller is
installed by aws_eks_v2 itself (`GenaiCluster`), with the IAM policy that ships for its version.
"""

from __future__ import annotations

from typing import cast

from aws_cdk import Duration, Stack
from aws_cdk import aws_eks_v2 as eks
from constructs import Construct

from genai_infra.config.compute import ClusterAutoscalerConfig, HelmChartConfig
from genai_infra.constructs.container_insights import NODE_EXPORTER_VALUES
from genai_infra.constructs.eks_cluster import GenaiCluster, autoscaler_discovery_tags
from genai_infra.constructs.irsa import AUTOSCALER_SERVICE_ACCOUNT

IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"


def cluster_autoscaler_values(
    *, cluster_name: str, region: str, role_arn: str, image_tag: str, autoscaler: ClusterAutoscalerConfig
) -> dict[str, object]:
    _, service_account = AUTOSCALER_SERVICE_ACCOUNT
    return {
        "cloudProvider": "aws",
        "awsRegion": region,
        "autoDiscovery": {"clusterName": cluster_name, "tags": sorted(autoscaler_discovery_tags(cluster_name))},
        "image": {"tag": image_tag},
        # The document's "Cluster Autoscaler ClusterRole (node management permissions)": the chart
        # creates it only with both flags (templates/clusterrole.yaml), bound to this IRSA service account.
        "rbac": {
            "create": True,
            "clusterScoped": True,
            "serviceAccount": {"create": True, "name": service_account, "annotations": {IRSA_ANNOTATION: role_arn}},
        },
        "extraArgs": {
            # The document's "Node Utilization Target: 70%" and "Scale Down Delay: 10 minutes".
            "scale-down-utilization-threshold": str(autoscaler.scale_down_utilization_threshold),
            "scale-down-delay-after-add": autoscaler.scale_down_delay_after_add,
            # The On-Demand and Spot groups hold the same kind of nodes: spread scale-ups over both.
            "balance-similar-node-groups": "true",
            "expander": "least-waste",
        },
    }


class PlatformCharts(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        compute: GenaiCluster,
        autoscaler_role_arn: str,
        keda_role_arn: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.cluster = compute.cluster
        charts, autoscaler = compute.config.charts, compute.config.autoscaler
        namespace, _ = AUTOSCALER_SERVICE_ACCOUNT
        assert charts.cluster_autoscaler.namespace == namespace, "the autoscaler role trusts kube-system only"
        self.charts: dict[str, eks.HelmChart] = {
            "cluster-autoscaler": self._chart(
                "ClusterAutoscaler",
                charts.cluster_autoscaler,
                cluster_autoscaler_values(
                    cluster_name=self.cluster.cluster_name,
                    region=Stack.of(self).region,
                    role_arn=autoscaler_role_arn,
                    image_tag=charts.cluster_autoscaler_image_tag,
                    autoscaler=autoscaler,
                ),
            ),
            # The operator's service account is annotated with its IRSA role (TriggerAuthentication podIdentity aws).
            "keda": self._chart(
                "Keda", charts.keda, {"podIdentity": {"aws": {"irsa": {"enabled": True, "roleArn": keda_role_arn}}}}
            ),
            "metrics-server": self._chart("MetricsServer", charts.metrics_server, {}),
            # The CloudWatch agent scrapes it on localhost (constructs/container_insights.py).
            "prometheus-node-exporter": self._chart("NodeExporter", charts.node_exporter, NODE_EXPORTER_VALUES),
        }
        # The load balancer controller's webhook intercepts every Service created after it: charts that
        # create Services wait for the controller to be ready instead of racing its webhook.
        for chart in self.charts.values():
            chart.node.add_dependency(compute.alb_controller)

    def _chart(self, construct_id: str, chart: HelmChartConfig, values: dict[str, object]) -> eks.HelmChart:
        return eks.HelmChart(
            self,
            construct_id,
            # The generated typing of Cluster omits an ICluster property it does implement.
            cluster=cast(eks.ICluster, self.cluster),
            repository=chart.repository,
            chart=chart.chart,
            version=chart.version,
            namespace=chart.namespace,
            release=chart.release,
            create_namespace=True,
            values=values or None,
            wait=True,
            timeout=Duration.minutes(15),
        )
