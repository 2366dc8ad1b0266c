"""The typed, frozen configuration model: environment -> regions -> network, EKS, Aurora, Redis, MSK.

Every model forbids unknown keys and validates itself, so an override file with a typo or an
impossible value is refused before anything is synthesized. Stacks receive these typed values;
they never branch on an environment name.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from genai_infra.config import catalog


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _retention(days: int) -> int:
    if days not in catalog.LOG_RETENTION_DAYS:
        raise ValueError(
            f"CloudWatch Logs does not accept a retention of {days} days; use one of "
            f"{', '.join(map(str, catalog.LOG_RETENTION_DAYS))}"
        )
    return days


LogRetentionDays = Annotated[int, AfterValidator(_retention)]


def _network(cidr: str) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(cidr, strict=True)
    except ValueError as error:
        raise ValueError(f"{cidr!r} is not a valid IPv4 network ({error})") from None


class NetworkConfig(Frozen):
    """One region's VPC. Everything runs in the first two AZs; the third holds MSK's third broker."""

    vpc_cidr: str
    availability_zones: tuple[str, str, str]
    public_subnet_cidrs: tuple[str, str]
    private_subnet_cidrs: tuple[str, str]
    database_subnet_cidrs: tuple[str, str]
    # Decision C5: a private subnet in a third AZ, used by MSK only.
    msk_subnet_cidr: str
    nat_gateways: int = Field(default=1, ge=1, le=2)
    # Sources allowed to reach port 22 through the public network ACL. The design's public NACL
    # opens SSH for a bastion host it never builds; it stays closed unless a CIDR is configured.
    admin_ssh_cidrs: tuple[str, ...] = ()
    flow_log_retention_days: LogRetentionDays = 90

    @model_validator(mode="after")
    def _subnets_fit_the_vpc(self) -> NetworkConfig:
        vpc = _network(self.vpc_cidr)
        subnets = {
            "public": self.public_subnet_cidrs,
            "private": self.private_subnet_cidrs,
            "database": self.database_subnet_cidrs,
            "msk": (self.msk_subnet_cidr,),
        }
        seen: list[tuple[str, ipaddress.IPv4Network]] = []
        for tier, cidrs in subnets.items():
            for cidr in cidrs:
                net = _network(cidr)
                if not net.subnet_of(vpc):
                    raise ValueError(
                        f"{tier} subnet {cidr} lies outside the VPC {self.vpc_cidr}; "
                        "choose a subnet inside the VPC range"
                    )
                for other_name, other in seen:
                    if net.overlaps(other):
                        raise ValueError(f"{tier} subnet {cidr} overlaps {other_name}; give each subnet its own range")
                seen.append((f"{tier} subnet {cidr}", net))
        for cidr in self.admin_ssh_cidrs:
            _network(cidr)
        if len(set(self.availability_zones)) != 3:
            raise ValueError("availability_zones must name three different zones")
        return self


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
    """The application's ECR repository and the image tag the workload runs."""

    # Tags are immutable, so the workload names an exact build; CI pushes it and overrides this.
    image_tag: str = Field(default="1.0.0", pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
    keep_tagged_images: int = Field(default=30, ge=1)
    untagged_expiry_days: int = Field(default=7, ge=1)


class LoadBalancerConfig(Frozen):
    """The internet-facing ALB of decision S1."""

    # The AWS-recommended policy: TLS 1.3 and 1.2 with forward-secret ciphers only.
    ssl_policy: str = "ELBSecurityPolicy-TLS13-1-2-2021-06"
    idle_timeout_seconds: int = Field(default=60, ge=1, le=4000)
    access_log_retention_days: int = Field(default=90, ge=1)
    target_port: int = 8080
    health_check_path: str = "/actuator/health/readiness"


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
    addon_versions: dict[str, str | None] = {
        "vpc-cni": "v1.22.3-eksbuild.1",
        "coredns": None,
        "kube-proxy": None,
        "aws-ebs-csi-driver": None,
        "amazon-cloudwatch-observability": None,
    }
    charts: PlatformChartsConfig = PlatformChartsConfig()
    # IAM roles of the operators, granted AmazonEKSClusterAdminPolicy through access entries. The
    # endpoint is private, so they reach the API from inside the VPC (or a peered network).
    admin_role_arns: tuple[Annotated[str, Field(pattern=r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$")], ...] = ()
    autoscaler: ClusterAutoscalerConfig = ClusterAutoscalerConfig()
    registry: RegistryConfig = RegistryConfig()
    load_balancer: LoadBalancerConfig = LoadBalancerConfig()

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


class AuroraConfig(Frozen):
    """Aurora PostgreSQL 15. A cluster is either provisioned (writer/readers) or Serverless v2."""

    engine_major_version: Literal[15] = 15
    writer_instance_class: str | None = None
    reader_instance_classes: tuple[str, ...] = ()
    serverless_min_acu: float | None = None
    serverless_max_acu: float | None = None
    global_role: Literal["none", "primary", "secondary"] = "none"
    backup_retention_days: int = Field(default=7, ge=1, le=35)
    backup_window_utc: str = "03:00-04:00"
    performance_insights_retention_days: int = 7
    monitoring_interval_seconds: int = 60

    @model_validator(mode="after")
    def _one_shape(self) -> AuroraConfig:
        for instance_class in (self.writer_instance_class, *self.reader_instance_classes):
            if instance_class is not None and instance_class not in catalog.AURORA_POSTGRES_CLASSES:
                raise ValueError(
                    f"unknown Aurora PostgreSQL instance class {instance_class!r}; use one of "
                    f"{', '.join(sorted(catalog.AURORA_POSTGRES_CLASSES))}"
                )
        serverless = self.serverless_max_acu is not None
        if serverless:
            low, high = self.serverless_min_acu or 0.0, self.serverless_max_acu or 0.0
            if not 0 <= low <= high <= 256 or high < 1:
                raise ValueError(
                    f"Serverless v2 capacity must satisfy 0 <= min <= max <= 256 ACU with max >= 1, got {low}-{high}"
                )
        if self.global_role == "secondary":
            if self.writer_instance_class is not None:
                raise ValueError("a global secondary Aurora cluster has no writer; remove writer_instance_class")
            if not self.reader_instance_classes:
                raise ValueError("a global secondary Aurora cluster needs at least one reader instance class")
        elif not serverless and self.writer_instance_class is None:
            raise ValueError("set writer_instance_class, or serverless_max_acu for Aurora Serverless v2")
        return self


class RedisConfig(Frozen):
    node_type: str
    replicas: int = Field(default=0, ge=0, le=5)
    engine_version: str = "7.0"
    parameter_group_family: str = "redis7"
    global_role: Literal["none", "primary", "secondary"] = "none"
    snapshot_window_utc: str = "04:00-05:00"
    snapshot_retention_days: int = Field(default=7, ge=0, le=35)

    @field_validator("node_type")
    @classmethod
    def _known_node_type(cls, value: str) -> str:
        if value not in catalog.CACHE_NODE_TYPES:
            raise ValueError(
                f"unknown ElastiCache node type {value!r}; use one of {', '.join(sorted(catalog.CACHE_NODE_TYPES))}"
            )
        return value

    @property
    def multi_az(self) -> bool:
        """Multi-AZ with automatic failover needs at least one replica."""
        return self.replicas > 0


class MskConfig(Frozen):
    broker_instance_type: str
    broker_count: int = Field(default=3, ge=2)
    ebs_volume_gb: int = Field(default=20, ge=1)
    kafka_version: str = "3.9.x"
    # Production replicates its topics to the DR region (MSK Replicator).
    replicate_to_region: str | None = None

    @field_validator("broker_instance_type")
    @classmethod
    def _known_broker_type(cls, value: str) -> str:
        if value not in catalog.MSK_BROKER_TYPES:
            raise ValueError(
                f"unknown MSK broker type {value!r}; use one of {', '.join(sorted(catalog.MSK_BROKER_TYPES))}"
            )
        return value


class RegionConfig(Frozen):
    """A serving region of an environment: it runs the whole regional stack set."""

    role: Literal["primary", "secondary"]
    network: NetworkConfig
    eks: EksConfig
    aurora: AuroraConfig
    redis: RedisConfig
    msk: MskConfig


class BudgetConfig(Frozen):
    monthly_limit_usd: float = Field(gt=0)
    alert_thresholds_percent: tuple[int, ...] = (80, 90, 100)
    forecast_alert_percent: int = 100
    anomaly_threshold_percent: int = Field(default=20, gt=0)


class EnvironmentConfig(Frozen):
    name: Literal["development", "staging", "production"]
    spring_profile: str
    # Decision C11: the application's name, under the configured hosted zone.
    domain: str
    # Serving regions, primary first. us-east-1 is added as the global region of every environment.
    regions: dict[str, RegionConfig]
    global_region: Literal["us-east-1"] = catalog.US_EAST_1
    budget: BudgetConfig
    termination_protection: bool = False
    # Decision S5: keep stateful resources (KMS keys, databases) when a stack is deleted.
    retain_stateful_resources: bool = False
    log_retention_days: LogRetentionDays = 7
    audit_log_retention_days: LogRetentionDays = 90
    analytics_enabled: bool = False

    @model_validator(mode="after")
    def _regions_make_sense(self) -> EnvironmentConfig:
        if not self.regions:
            raise ValueError(f"environment {self.name} needs at least one serving region")
        roles = [region.role for region in self.regions.values()]
        if roles.count("primary") != 1 or roles[0] != "primary":
            raise ValueError(f"environment {self.name} needs exactly one primary region, listed first")
        vpcs: list[tuple[str, ipaddress.IPv4Network]] = []
        for name, region in self.regions.items():
            if name not in catalog.KNOWN_REGIONS or name == catalog.US_EAST_1:
                raise ValueError(
                    f"region {name} has no configuration in this project; serving regions are "
                    f"{catalog.TAIPEI} and {catalog.TOKYO}"
                )
            for zone in region.network.availability_zones:
                if not zone.startswith(name) or len(zone) != len(name) + 1:
                    raise ValueError(f"availability zone {zone} is not a zone of {name}")
            vpc = _network(region.network.vpc_cidr)
            for other_name, other in vpcs:
                if vpc.overlaps(other):
                    raise ValueError(
                        f"the VPC of {name} ({vpc}) overlaps the VPC of {other_name} ({other}); "
                        "regions of one environment need separate ranges"
                    )
            vpcs.append((name, vpc))
            target = region.msk.replicate_to_region
            if target is not None and target not in self.regions:
                raise ValueError(f"MSK in {name} replicates to {target}, which is not a region of {self.name}")
        return self

    @property
    def primary_region(self) -> str:
        return next(iter(self.regions))

    @property
    def target_regions(self) -> tuple[str, ...]:
        """Every region this environment synthesizes: serving regions, then the global region."""
        return (*self.regions, self.global_region)


class TagsConfig(Frozen):
    """The required tags of the specification's cost section (Environment is added per environment)."""

    project: str = "genai-demo"
    owner: str = "platform-team"
    cost_center: str = "engineering"
    managed_by: str = "cdk"


class DnsConfig(Frozen):
    zone_name: str = "genai-demo.kimkao.io"
    # The hosted zone is passed in, never looked up. Left unset, stacks read it at deploy time
    # from the SSM parameter /genai-demo/common/dns/hosted-zone-id, created once per account.
    zone_id: str | None = Field(default=None, pattern=r"^Z[A-Z0-9]{1,31}$")


class ProjectConfig(Frozen):
    project: str = "genai-demo"
    tags: TagsConfig = TagsConfig()
    dns: DnsConfig = DnsConfig()
    environments: dict[str, EnvironmentConfig]

    @model_validator(mode="after")
    def _names_match(self) -> ProjectConfig:
        for key, environment in self.environments.items():
            if key != environment.name:
                raise ValueError(f"environment key {key!r} does not match its name {environment.name!r}")
            if not (environment.domain == self.dns.zone_name or environment.domain.endswith("." + self.dns.zone_name)):
                raise ValueError(
                    f"domain {environment.domain} of {key} is not inside the hosted zone {self.dns.zone_name}"
                )
        return self
