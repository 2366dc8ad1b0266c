"""The application's Kubernetes objects (genai_infra.kubernetes), applied to the cluster in two manifests.

The ServiceAccount, its Role and RoleBinding, Deployment, Service and PodDisruptionBudget go first;
the KEDA and TargetGroupBinding objects wait for the charts that install their CRDs (KEDA's chart,
the AWS Load Balancer Controller).
"""

from __future__ import annotations

from aws_cdk import aws_eks_v2 as eks

from genai_infra.constructs.eks_cluster import GenaiCluster
from genai_infra.constructs.platform_charts import PlatformCharts
from genai_infra.kubernetes import WorkloadInputs, workload_manifests
from genai_infra.kubernetes.manifests import Manifest

# Objects of built-in kinds, applied before those of the KEDA and load balancer controller CRDs.
CORE_KINDS = ("ServiceAccount", "Role", "RoleBinding", "Deployment", "Service", "PodDisruptionBudget")


class AppWorkload:
    """The manifests bound to `inputs` (image, IRSA role, ALB target group), added to the cluster.

    `cluster.add_manifest` makes each manifest a child of the cluster, where its logical id has
    always been; this class only chooses the split and the order.
    """

    def __init__(self, *, compute: GenaiCluster, platform: PlatformCharts, inputs: WorkloadInputs) -> None:
        self.manifests: list[Manifest] = workload_manifests(inputs)
        split = len(CORE_KINDS)
        assert [m["kind"] for m in self.manifests[:split]] == list(CORE_KINDS), "manifest order changed"
        self.core: eks.KubernetesManifest = compute.cluster.add_manifest("AppWorkload", *self.manifests[:split])
        self.extensions: eks.KubernetesManifest = compute.cluster.add_manifest(
            "AppScalingAndTraffic", *self.manifests[split:]
        )
        self.extensions.node.add_dependency(self.core)
        self.extensions.node.add_dependency(compute.alb_controller)
        self.extensions.node.add_dependency(platform.charts["keda"])
