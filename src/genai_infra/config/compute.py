"""Compute: the EKS cluster of a region, its node groups, platform charts, registry and load balancer."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from genai_infra.config import catalog
from genai_infra.config.fields import Frozen
from genai_infra.tls_policies import alb_policy_keeps_tls12

# EKS service quota "Nodes per managed node group" (default 450, adjustable on request):
# https://docs.aws.amazon.com/eks/latest/userguide/service-quotas.html
MAX_NODES_PER_MANAGED_NODE_GROUP = 450


class NodeGroupConfig(Frozen):
    instance_types: tuple[str, ...] = Field(min_length=1)
    min_size: int = Field(ge=0)
    desired_size: int = Field(ge=0)
    max_size: int = Field(ge=1)
    disk_size_gb: int = Field(default=20, ge=20)

    @field_validator("instance_types")
    @classmethod
    def _known_types(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for instance_type in value:
            if instance_type not in catalog.EC2_NODE_TYPES:
                raise ValueError(
                    f"unknown node instance type {instance_type!r}; use one of "
                    f"{', '.join(sorted(catalog.EC2_NODE_TYPES))}"
                )
        return value

    @field_validator("max_size")
    @classmethod
    def _within_the_eks_quota(cls, value: int) -> int:
        if value > MAX_NODES_PER_MANAGED_NODE_GROUP:
            raise ValueError(
                f"a managed node group holds at most {MAX_NODES_PER_MANAGED_NODE_GROUP} nodes (EKS service quota), "
                f"got max {value}"
            )
        return value

    @model_validator(mode="after")
    def _sizes_in_order(self) -> NodeGroupConfig:
        if not self.min_size <= self.desired_size <= self.max_size:
            raise ValueError(
                f"node group sizes must satisfy min <= desired <= max, got min {self.min_size}, "
                f"desired {self.desired_size}, max {self.max_size}"
            )
        return self


class HelmChartConfig(Frozen):
    """One Helm chart, pinned: a chart is never installed at "whatever is newest"."""

    repository: str = Field(pattern=r"^(https|oci)://")
    chart: str
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    namespace: str
    release: str


class PlatformChartsConfig(Frozen):
    """The platform's Helm charts, each the newest release known (catalog date) to support Kubernetes 1.36."""

    # 9.58.0 is the newest published chart; its default image predates 1.36, so the tag is set below.
    cluster_autoscaler: HelmChartConfig = HelmChartConfig(
        repository="https://kubernetes.github.io/autoscaler",
        chart="cluster-autoscaler",
        version="9.58.0",
        namespace="kube-system",
        release="cluster-autoscaler",
    )
    # The autoscaler's minor version must equal the cluster's; the chart's default image lags.
    cluster_autoscaler_image_tag: str = Field(default="v1.36.1", pattern=r"^v\d+\.\d+\.\d+$")
    # KEDA 2.20 is the newest release line at the catalog date (released after Kubernetes 1.36); 2.20.2 its patch.
    keda: HelmChartConfig = HelmChartConfig(
        repository="https://kedacore.github.io/charts", chart="keda", version="2.20.2", namespace="keda", release="keda"
    )
    # 3.14.0 ships metrics-server built against the Kubernetes 1.36 client libraries.
    metrics_server: HelmChartConfig = HelmChartConfig(
        repository="https://kubernetes-sigs.github.io/metrics-server/",
        chart="metrics-server",
        version="3.14.0",
        namespace="kube-system",
        release="metrics-server",
    )
    # The node exporter does not depend on the Kubernetes version; 4.48.0 is a current release.
    node_exporter: HelmChartConfig = HelmChartConfig(
        repository="https://prometheus-community.github.io/helm-charts",
        chart="prometheus-node-exporter",
        version="4.48.0",
        namespace="monitoring",
        release="prometheus-node-exporter",
    )
    # The AWS Load Balancer Controller is installed by aws_eks_v2 with the IAM policy it ships for
    # this version; only versions the pinned aws-cdk-lib ships are accepted.
    alb_controller_version: str = "v3.2.2"

    @field_validator("alb_controller_version")
    @classmethod
    def _shipped_version(cls, value: str) -> str:
        if value not in catalog.ALB_CONTROLLER_VERSIONS:
            raise ValueError(
                f"AWS Load Balancer Controller {value} is not shipped by the pinned aws-cdk-lib; use one of "
                f"{', '.join(catalog.ALB_CONTROLLER_VERSIONS)}"
            )
        return value


class ClusterAutoscalerConfig(Frozen):
    """The document's "Node Utilization Target: 70%" and "Scale Down Delay: 10 minutes"."""

    scale_down_utilization_threshold: float = Field(default=0.7, gt=0, lt=1)
    scale_down_delay_after_add: str = Field(default="10m", pattern=r"^\d+[smh]$")


class RegistryConfig(Frozen):
    """The application's ECR repository (the image tag the workload runs is `workload.image_tag`)."""

    keep_tagged_images: int = Field(default=30, ge=1)
    untagged_expiry_days: int = Field(default=7, ge=1)


class LoadBalancerConfig(Frozen):
    """The internet-facing ALB of decision S1."""

    # The AWS-recommended policy: TLS 1.3 and 1.2 with forward-secret ciphers only.
    ssl_policy: str = "ELBSecurityPolicy-TLS13-1-2-2021-06"

    @field_validator("ssl_policy")
    @classmethod
    def _tls12_floor(cls, value: str) -> str:
        if not alb_policy_keeps_tls12(value):
            raise ValueError(
                f"{value} is not an ELB security policy with TLS 1.2 as its floor; use one whose name carries "
                "1-2 or 1-3, such as ELBSecurityPolicy-TLS13-1-2-2021-06"
            )
        return value

    idle_timeout_seconds: int = Field(default=60, ge=1, le=4000)
    access_log_retention_days: int = Field(default=90, ge=1)
    target_port: int = 8080
    # Also the one path the HTTPS listener serves without CloudFront's header (Route 53's checks):
    # a literal path, since an ALB path pattern would read * and ? as wildcards.
    health_check_path: str = Field(default="/actuator/health/readiness", pattern=r"^/[A-Za-z0-9._~/-]*$")


class EksConfig(Frozen):
    # Decision V1: the newest version that the pinned aws-cdk-lib and a kubectl layer support.
    kubernetes_version: str = "1.36"
    node_group: NodeGroupConfig
    capacity_type: Literal["ON_DEMAND", "SPOT"] = "ON_DEMAND"
    # Cost section: about 30 % of non-production capacity on Spot.
    spot_percent: int = Field(default=0, ge=0, le=100)
    # Instance types of the Spot node group; several sizes keep Spot capacity available.
    spot_instance_types: tuple[str, ...] = ()
    # Managed add-on versions. None lets EKS install its default build for the cluster's
    # Kubernetes version (the builds are per minor version and only `aws eks
    # describe-addon-versions` in an account can list them); a string pins that exact build.
    addon_versions: dict[str, str | None] = {  # noqa: RUF012 (pydantic copies a default per instance)
        "vpc-cni": "v1.22.3-eksbuild.1",
        "coredns": None,
        "kube-proxy": None,
        "aws-ebs-csi-driver": None,
        "amazon-cloudwatch-observability": None,
    }
    charts: PlatformChartsConfig = PlatformChartsConfig()
    # Pods per node. The VPC CNI's default (one IP per pod from the ENIs' slots) allows 11 pods on a
    # t3.small and 17 on a t3.medium, fewer than the platform's ~20 on development's single node; with
    # prefix delegation (on) a node takes /28 prefixes and EKS allows up to 110. The kubelet reserves
    # memory by this number (255 MiB + 11 MiB a pod), so it stays near what the nodes really run.
    max_pods: int = Field(default=32, ge=8, le=110)
    # IAM roles of the operators, granted AmazonEKSClusterAdminPolicy through access entries. The
    # endpoint is private, so they reach the API from inside the VPC (or a peered network).
    admin_role_arns: tuple[Annotated[str, Field(pattern=r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$")], ...] = ()
    # Decision S7: IAM roles granted AmazonEKSViewPolicy (read-only, cluster-wide) through access entries.
    read_only_role_arns: tuple[Annotated[str, Field(pattern=r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$")], ...] = ()
    autoscaler: ClusterAutoscalerConfig = ClusterAutoscalerConfig()
    registry: RegistryConfig = RegistryConfig()
    load_balancer: LoadBalancerConfig = LoadBalancerConfig()

    @model_validator(mode="after")
    def _one_access_entry_per_role(self) -> EksConfig:
        for arns in (self.admin_role_arns, self.read_only_role_arns):
            if len(set(arns)) != len(arns):
                raise ValueError("a role is listed twice; EKS takes one access entry per role, so list it once")
        both = sorted(set(self.admin_role_arns) & set(self.read_only_role_arns))
        if both:
            raise ValueError(
                f"{both[0]} is in both admin_role_arns and read_only_role_arns; EKS takes one access entry per "
                "role, so keep it in one list"
            )
        return self

    @field_validator("kubernetes_version")
    @classmethod
    def _supported_version(cls, value: str) -> str:
        if value not in catalog.KUBERNETES_VERSIONS:
            raise ValueError(
                f"Kubernetes {value} has no kubectl layer pinned in this project; use one of "
                f"{', '.join(catalog.KUBERNETES_VERSIONS)}"
            )
        return value

    @field_validator("spot_instance_types")
    @classmethod
    def _known_spot_types(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for instance_type in value:
            if instance_type not in catalog.EC2_NODE_TYPES:
                known = ", ".join(sorted(catalog.EC2_NODE_TYPES))
                raise ValueError(f"unknown Spot instance type {instance_type!r}; use one of {known}")
        return value

    @field_validator("addon_versions")
    @classmethod
    def _required_addons(cls, value: dict[str, str | None]) -> dict[str, str | None]:
        missing = [name for name in catalog.EKS_ADDONS if name not in value]
        unknown = [name for name in value if name not in catalog.EKS_ADDONS]
        if missing or unknown:
            raise ValueError(
                f"addon_versions must name exactly the add-ons {', '.join(catalog.EKS_ADDONS)}"
                + (f"; missing {', '.join(missing)}" if missing else "")
                + (f"; unknown {', '.join(unknown)}" if unknown else "")
            )
        for name, version in value.items():
            if version is not None and not re.fullmatch(r"v\d+\.\d+\.\d+-eksbuild\.\d+", version):
                raise ValueError(f"add-on {name} version {version!r} is not an EKS build such as v1.2.3-eksbuild.1")
        return value

    def split_capacity(self) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        """(min, desired, max) of the On-Demand and the Spot node group.

        The Spot share is applied to each size, rounded half up, while On-Demand keeps at least one
        node of every size so the cluster never depends on Spot alone.
        """
        group = self.node_group
        sizes = (group.min_size, group.desired_size, group.max_size)
        if self.capacity_type == "SPOT" or self.spot_percent == 0:
            return sizes, (0, 0, 0)
        spot = tuple(min(n - 1, (n * self.spot_percent + 50) // 100) if n > 0 else 0 for n in sizes)
        on_demand = tuple(n - s for n, s in zip(sizes, spot, strict=True))
        return (on_demand[0], on_demand[1], on_demand[2]), (spot[0], spot[1], spot[2])
