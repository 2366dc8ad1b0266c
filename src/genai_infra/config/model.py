"""The typed, frozen configuration model: environment -> regions -> network, EKS, Aurora, Redis, MSK.

Every model forbids unknown keys and validates itself, so an override file with a typo or an
impossible value is refused before anything is synthesized. Stacks receive these typed values;
they never branch on an environment name.
"""

from __future__ import annotations

import ipaddress
import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

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
    # The cost section's interface endpoints (ECR api/dkr, CloudWatch logs/monitoring). Each costs
    # about 20 USD a month per region and pays for itself only above roughly 390 GB a month of NAT
    # traffic (`genai-infra cost` says whether it does); the S3 gateway endpoint is free and always on.
    interface_endpoints: bool = True

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
    """The application's ECR repository (the image tag the workload runs is `workload.image_tag`)."""

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
    # Pods per node. The VPC CNI's default (one IP per pod from the ENIs' slots) allows 11 pods on a
    # t3.small and 17 on a t3.medium, fewer than the platform's ~20 on development's single node; with
    # prefix delegation (on) a node takes /28 prefixes and EKS allows up to 110. The kubelet reserves
    # memory by this number (255 MiB + 11 MiB a pod), so it stays near what the nodes really run.
    max_pods: int = Field(default=32, ge=8, le=110)
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
    # Decision V3: the newest 15.x minor that the pinned aws-cdk-lib exposes (VER_15_17).
    engine_version: str = Field(default="15.17", pattern=r"^15\.\d+$")
    database_name: str = Field(default="genaidemo", pattern=r"^[a-z][a-z0-9_]{0,62}$")
    master_username: str = Field(default="genaidemo_admin", pattern=r"^[a-z][a-z0-9_]{0,62}$")
    # Secrets Manager rotates the master password (hosted single-user rotation) this often.
    secret_rotation_days: int = Field(default=30, ge=1, le=365)
    iam_authentication: bool = True
    cloudwatch_log_exports: tuple[Literal["postgresql"], ...] = ("postgresql",)
    writer_instance_class: str | None = None
    reader_instance_classes: tuple[str, ...] = ()
    serverless_min_acu: float | None = None
    serverless_max_acu: float | None = None
    global_role: Literal["none", "primary", "secondary"] = "none"
    backup_retention_days: int = Field(default=7, ge=1, le=35)
    backup_window_utc: str = "03:00-04:00"
    # After the backup window, so the two never overlap (RDS refuses overlapping windows).
    maintenance_window_utc: str = "sun:04:00-sun:05:00"
    performance_insights_retention_days: int = 7
    monitoring_interval_seconds: Literal[0, 1, 5, 10, 15, 30, 60] = 60

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
            if low * 2 != int(low * 2) or high * 2 != int(high * 2):
                raise ValueError(f"Serverless v2 capacity moves in steps of 0.5 ACU, got {low}-{high}")
            if self.writer_instance_class is not None or self.reader_instance_classes:
                raise ValueError("a Serverless v2 cluster takes no instance classes; remove them or serverless_max_acu")
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
    # Decision V4: Redis OSS 7.0, parameter group family redis7.
    engine_version: Literal["7.0"] = "7.0"
    parameter_group_family: Literal["redis7"] = "redis7"
    maxmemory_policy: Literal["allkeys-lru", "volatile-lru", "allkeys-lfu", "noeviction"] = "allkeys-lru"
    # The document's "max memory 80 %": Redis keeps 20 % of the node's memory for itself.
    reserved_memory_percent: int = Field(default=20, ge=0, le=100)
    global_role: Literal["none", "primary", "secondary"] = "none"
    snapshot_window_utc: str = "04:00-05:00"
    snapshot_retention_days: int = Field(default=7, ge=0, le=35)
    # After the snapshot window, so the two never overlap.
    maintenance_window_utc: str = "sun:05:00-sun:06:00"
    # The document's usage patterns, published for the application (seconds).
    session_ttl_seconds: int = Field(default=1800, ge=1)
    query_cache_ttl_seconds: int = Field(default=300, ge=1)
    lock_ttl_seconds: int = Field(default=30, ge=1)

    @field_validator("node_type")
    @classmethod
    def _known_node_type(cls, value: str) -> str:
        if value not in catalog.CACHE_NODE_TYPES:
            raise ValueError(
                f"unknown ElastiCache node type {value!r}; use one of {', '.join(sorted(catalog.CACHE_NODE_TYPES))}"
            )
        return value

    @model_validator(mode="after")
    def _global_datastore_node_family(self) -> RedisConfig:
        # AWS refuses burstable (t-family) and small nodes in a global datastore; cfn-lint does not know it.
        _, family, size = self.node_type.split(".")
        supported = family in catalog.CACHE_GLOBAL_DATASTORE_FAMILIES and size not in catalog.CACHE_SIZES_BELOW_LARGE
        if self.global_role != "none" and not supported:
            raise ValueError(
                f"an ElastiCache global datastore needs a non-burstable node type of size large or above "
                f"({', '.join(sorted(catalog.CACHE_GLOBAL_DATASTORE_FAMILIES))}), got {self.node_type}"
            )
        return self

    @property
    def multi_az(self) -> bool:
        """Multi-AZ with automatic failover needs at least one replica."""
        return self.replicas > 0


class MskConfig(Frozen):
    broker_instance_type: str
    broker_count: int = Field(default=3, ge=2)
    ebs_volume_gb: int = Field(default=20, ge=1)
    kafka_version: str = "3.9.x"
    enhanced_monitoring: Literal["DEFAULT", "PER_BROKER", "PER_TOPIC_PER_BROKER", "PER_TOPIC_PER_PARTITION"] = (
        "PER_BROKER"
    )
    broker_log_retention_days: LogRetentionDays = 7
    # Production replicates its topics to the DR region (MSK Replicator).
    replicate_to_region: str | None = None

    @property
    def supports_replicator(self) -> bool:
        """MSK Replicator supports m5.large or larger brokers, never kafka.t3.small."""
        return not self.broker_instance_type.startswith("kafka.t3.")

    @field_validator("broker_instance_type")
    @classmethod
    def _known_broker_type(cls, value: str) -> str:
        if value not in catalog.MSK_BROKER_TYPES:
            raise ValueError(
                f"unknown MSK broker type {value!r}; use one of {', '.join(sorted(catalog.MSK_BROKER_TYPES))}"
            )
        return value


_QUANTITY = re.compile(r"^(?P<number>\d+(?:\.\d+)?)(?P<suffix>m|k|M|G|T|Ki|Mi|Gi|Ti)?$")
_QUANTITY_FACTORS: dict[str, Decimal] = {
    "": Decimal(1),
    "m": Decimal("0.001"),
    "k": Decimal(10**3),
    "M": Decimal(10**6),
    "G": Decimal(10**9),
    "T": Decimal(10**12),
    "Ki": Decimal(2**10),
    "Mi": Decimal(2**20),
    "Gi": Decimal(2**30),
    "Ti": Decimal(2**40),
}
_JVM_SIZE = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30}


def quantity_value(quantity: str) -> Decimal:
    """The number a Kubernetes quantity such as 100m, 0.5 or 512Mi stands for (cores or bytes)."""
    match = _QUANTITY.match(quantity)
    if match is None:
        raise ValueError(f"{quantity!r} is not a Kubernetes quantity such as 100m, 0.5, 128Mi or 1Gi")
    return Decimal(match["number"]) * _QUANTITY_FACTORS[match["suffix"] or ""]


def _quantity(value: str) -> str:
    quantity_value(value)
    return value


def _number_as_quantity(value: object) -> object:
    # TOML and key=value overrides give 1 or 0.5 as numbers; Kubernetes writes quantities as strings.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


Quantity = Annotated[str, BeforeValidator(_number_as_quantity), AfterValidator(_quantity)]


def jvm_option_bytes(java_opts: str, option: str) -> int | None:
    """The size given by the last -Xmx/-Xms style option in JAVA_OPTS (the JVM honours the last one)."""
    found = re.findall(rf"(?:^|\s){re.escape(option)}(\d+)([kKmMgG]?)(?=\s|$)", java_opts)
    if not found:
        return None
    number, unit = found[-1]
    return int(number) * _JVM_SIZE[unit.lower()]


class PodResources(Frozen):
    cpu: Quantity
    memory: Quantity


class ProbeConfig(Frozen):
    path: str = Field(pattern=r"^/[A-Za-z0-9/._-]*$")
    initial_delay_seconds: int = Field(ge=0)
    period_seconds: int = Field(ge=1)
    timeout_seconds: int = Field(ge=1)
    failure_threshold: int = Field(ge=1)

    @model_validator(mode="after")
    def _timeout_within_period(self) -> ProbeConfig:
        if self.timeout_seconds > self.period_seconds:
            raise ValueError(
                f"probe {self.path} times out after {self.timeout_seconds} s but runs every {self.period_seconds} s; "
                "keep the timeout within the period"
            )
        return self


class ThreadPoolTriggerConfig(Frozen):
    """Decision C7's third trigger: the busy request threads the application publishes to CloudWatch.

    The application role may call cloudwatch:PutMetricData (spec, "Application Service Role"), and
    the specification runs no Prometheus server, so KEDA reads this metric with its aws-cloudwatch
    scaler. The metric is the Micrometer Tomcat gauge, published with the single dimension
    `environment`; all pods publish the same series, so the Average statistic is the busy threads
    per pod.
    """

    metric_namespace: str = Field(default="GenAIDemo", pattern=r"^[A-Za-z0-9./#:_-]{1,255}$")
    metric_name: str = Field(default="tomcat.threads.busy", min_length=1, max_length=255)
    # 70 % of Tomcat's default 200 request threads, the same headroom as the CPU target.
    target_busy_threads_per_pod: int = Field(default=140, ge=1)
    # The application publishes every 60 s; KEDA reads the last five minutes of one-minute averages.
    period_seconds: int = Field(default=60, ge=60)
    collection_seconds: int = Field(default=300, ge=60)

    @model_validator(mode="after")
    def _window_holds_a_period(self) -> ThreadPoolTriggerConfig:
        if self.collection_seconds < self.period_seconds:
            raise ValueError(
                f"the thread-pool trigger collects {self.collection_seconds} s of data, shorter than its "
                f"{self.period_seconds} s period; collect at least one period"
            )
        return self


class WorkloadConfig(Frozen):
    """The application Deployment: "Pod Resource Configuration" with decisions C7 and C8."""

    # The release the pipeline deploys; override per environment, e.g. workload.image_tag=1.4.2.
    # ECR tags are immutable (EKSStack's repository), so this names one exact build, never "latest".
    image_tag: str = Field(default="1.0.0", pattern=r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")
    # The document's values and decisions C7/C8 are in defaults.py (SPEC_WORKLOAD).
    min_replicas: int = Field(ge=1)
    max_replicas: int = Field(ge=1)
    requests: PodResources
    limits: PodResources
    java_opts: str
    liveness: ProbeConfig
    readiness: ProbeConfig
    # Percent of the request, so values above 100 are legal (the limit is five times the request).
    cpu_target_percent: int = Field(ge=1)
    memory_target_percent: int = Field(ge=1)
    thread_pool: ThreadPoolTriggerConfig = ThreadPoolTriggerConfig()
    # Voluntary disruptions (node drains, scale-down) evict at most this many pods at a time.
    max_unavailable: int = Field(default=1, ge=1)

    @model_validator(mode="after")
    def _consistent(self) -> WorkloadConfig:
        if self.min_replicas > self.max_replicas:
            raise ValueError(
                f"workload replicas must satisfy min <= max, got min {self.min_replicas}, max {self.max_replicas}"
            )
        # A single replica cannot be protected without blocking every drain; from two on, keep one.
        if self.min_replicas > 1 and self.max_unavailable >= self.min_replicas:
            raise ValueError(
                f"max_unavailable {self.max_unavailable} would let a drain evict every one of the "
                f"{self.min_replicas} minimum replicas; keep it below min_replicas"
            )
        for resource in ("cpu", "memory"):
            request, limit = getattr(self.requests, resource), getattr(self.limits, resource)
            if quantity_value(request) > quantity_value(limit):
                raise ValueError(f"the {resource} request {request} exceeds its limit {limit}; requests <= limits")
        heap_max = jvm_option_bytes(self.java_opts, "-Xmx")
        heap_start = jvm_option_bytes(self.java_opts, "-Xms")
        if heap_max is not None and heap_max >= quantity_value(self.limits.memory):
            raise ValueError(
                f"JAVA_OPTS sets a heap of {heap_max // 2**20} MiB, which does not fit the memory limit "
                f"{self.limits.memory} (decision C8); lower -Xmx or raise the limit"
            )
        if heap_max is not None and heap_start is not None and heap_start > heap_max:
            raise ValueError("JAVA_OPTS sets -Xms above -Xmx; the JVM refuses to start")
        return self


class RegionConfig(Frozen):
    """A serving region of an environment: it runs the whole regional stack set."""

    role: Literal["primary", "secondary"]
    network: NetworkConfig
    eks: EksConfig
    aurora: AuroraConfig
    redis: RedisConfig
    msk: MskConfig

    @property
    def msk_client_zones(self) -> tuple[str, ...]:
        """Zones of MSK's client subnets (decision C5): the two private subnets and the MSK subnet."""
        zones = self.network.availability_zones
        return tuple(dict.fromkeys((*zones[: len(self.network.private_subnet_cidrs)], zones[2])))

    @model_validator(mode="after")
    def _msk_brokers_fill_the_zones(self) -> RegionConfig:
        zones = len(self.msk_client_zones)
        if self.msk.broker_count % zones:
            raise ValueError(
                f"MSK needs a broker count that is a multiple of its {zones} client subnet zones, "
                f"got {self.msk.broker_count}"
            )
        return self


EmailAddress = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
# An EventBridge cron expression: cron(minutes hours day-of-month month day-of-week year).
CronExpression = Annotated[str, Field(pattern=r"^cron\((\S+ ){5}\S+\)$")]


class BudgetConfig(Frozen):
    monthly_limit_usd: float = Field(gt=0)
    # Share of actual spend that notifies; the forecast alert fires when the month is forecast past it.
    alert_thresholds_percent: tuple[Annotated[int, Field(gt=0, le=1000)], ...] = (80, 90, 100)
    forecast_alert_percent: int = Field(default=100, gt=0, le=1000)
    # Cost anomaly detection alerts when an anomaly's impact reaches this share over the expected spend.
    anomaly_threshold_percent: int = Field(default=20, gt=0)
    # Decision C10: the document's own estimate, shown beside the measured one (never used as a price).
    document_estimate_usd: float | None = Field(default=None, gt=0)
    # Who hears about budget and anomaly alerts; the SNS topic exists either way for chat integrations.
    notification_emails: tuple[EmailAddress, ...] = ()


class BackupRuleConfig(Frozen):
    """One AWS Backup rule: when it runs (UTC), how long recovery points live, and where copies go."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,50}$")
    # An EventBridge cron expression in UTC, e.g. cron(0 5 * * ? *) for 05:00 daily.
    schedule: CronExpression
    delete_after_days: int = Field(ge=1)
    copy_to_region: str | None = None
    copy_delete_after_days: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _copy_is_complete(self) -> BackupRuleConfig:
        if (self.copy_to_region is None) != (self.copy_delete_after_days is None):
            raise ValueError(
                f"backup rule {self.name} needs both copy_to_region and copy_delete_after_days, or neither"
            )
        return self


class BackupConfig(Frozen):
    """AWS Backup of the environment's stateful resources (selected by the Environment tag)."""

    rules: tuple[BackupRuleConfig, ...]
    # Vault lock in governance mode: recovery points cannot be deleted before min_retention_days.
    vault_lock: bool = False
    vault_lock_min_retention_days: int = Field(default=7, ge=1)
    vault_lock_max_retention_days: int = Field(default=365, ge=1)

    @model_validator(mode="after")
    def _retention_fits_the_lock(self) -> BackupConfig:
        if not self.vault_lock:
            return self
        low, high = self.vault_lock_min_retention_days, self.vault_lock_max_retention_days
        if low > high:
            raise ValueError(f"vault lock minimum retention {low} days is above its maximum {high} days")
        for rule in self.rules:
            for days in filter(None, (rule.delete_after_days, rule.copy_delete_after_days)):
                if not low <= days <= high:
                    raise ValueError(
                        f"backup rule {rule.name} keeps recovery points {days} days, outside the vault lock's "
                        f"{low}-{high} days; the vault would refuse them"
                    )
        return self


HttpsUrl = Annotated[str, Field(pattern=r"^https://[^\s]+$")]


class ObservabilityConfig(Frozen):
    """Log groups, X-Ray and Grafana of each serving region (spec: monitoring cost control)."""

    # Spec: "X-Ray Sampling: 10% sampling rate for cost control".
    xray_sampling_rate: float = Field(default=0.10, gt=0, le=1)
    xray_reservoir_per_second: int = Field(default=1, ge=0)
    # Amazon Managed Grafana, where the region offers it (catalog.GRAFANA_REGIONS); billed per active user.
    grafana: bool = False


class AlertingConfig(Frozen):
    """Who is told, and the thresholds of the alarms (a breach of any of them means users notice soon)."""

    critical_emails: tuple[EmailAddress, ...] = ()
    warning_emails: tuple[EmailAddress, ...] = ()
    # Chat webhooks (e.g. an incoming-webhook relay) subscribed to the critical topic over HTTPS.
    critical_https_endpoints: tuple[HttpsUrl, ...] = ()
    alb_5xx_per_5_minutes: int = Field(default=10, ge=1)
    p99_latency_seconds: float = Field(default=2.0, gt=0)
    aurora_cpu_percent: float = Field(default=80, gt=0, le=100)
    aurora_freeable_memory_mib: int = Field(default=512, ge=1)
    aurora_replica_lag_ms: int = Field(default=1000, ge=1)
    aurora_global_replication_lag_ms: int = Field(default=1000, ge=1)
    redis_engine_cpu_percent: float = Field(default=80, gt=0, le=100)
    redis_memory_percent: float = Field(default=80, gt=0, le=100)
    redis_evictions_per_5_minutes: int = Field(default=100, ge=0)
    redis_replication_lag_seconds: float = Field(default=1.0, gt=0)
    msk_disk_used_percent: float = Field(default=80, gt=0, le=100)
    app_container_restarts_per_5_minutes: int = Field(default=3, ge=1)
    # Node metrics of the Prometheus node exporter. The kubelet evicts pods below 10 % free on the
    # node's filesystem and below 100Mi available memory; these warn before it does.
    node_filesystem_free_percent: float = Field(default=15, gt=0, lt=100)
    node_memory_available_mib: int = Field(default=256, ge=1)


class AnalyticsConfig(Frozen):
    """The event data lake: an MSK topic, delivered by Firehose to S3, catalogued in Glue, queried by Athena."""

    # The topic the application publishes its domain events to (Kafka topic name rules).
    topic: str = Field(default="genai-demo.domain-events", pattern=r"^[a-zA-Z0-9._-]{1,249}$")
    # Firehose writes a file when either limit is reached; larger files make Athena scans cheaper.
    buffer_interval_seconds: int = Field(default=300, ge=0, le=900)
    buffer_size_mib: int = Field(default=64, ge=1, le=128)
    # Storage classes Athena can still read: Standard-IA, then Glacier Instant Retrieval.
    infrequent_access_after_days: int = Field(default=30, ge=30)
    glacier_instant_retrieval_after_days: int = Field(default=90, ge=30)
    # None keeps events for as long as the bucket exists.
    expire_after_days: int | None = Field(default=None, ge=1)
    noncurrent_versions_expire_after_days: int = Field(default=30, ge=1)
    access_log_expire_after_days: int = Field(default=90, ge=1)
    query_results_expire_after_days: int = Field(default=30, ge=1)
    # Athena cancels any query of the workgroup that would scan more than this.
    bytes_scanned_cutoff_per_query_gib: int = Field(default=10, ge=1)
    # The first day Athena's partition projection considers (format yyyy/MM/dd, as Firehose writes).
    first_partition_date: str = Field(default="2026/01/01", pattern=r"^\d{4}/\d{2}/\d{2}$")

    @model_validator(mode="after")
    def _transitions_in_order(self) -> AnalyticsConfig:
        # S3 bills Standard-IA for at least 30 days, so a later transition sooner than that costs more, not less.
        if self.glacier_instant_retrieval_after_days < self.infrequent_access_after_days + 30:
            raise ValueError(
                "glacier_instant_retrieval_after_days must be at least 30 days after infrequent_access_after_days, "
                f"got {self.infrequent_access_after_days} and {self.glacier_instant_retrieval_after_days}"
            )
        if self.expire_after_days is not None and self.expire_after_days <= self.glacier_instant_retrieval_after_days:
            raise ValueError(
                f"expire_after_days ({self.expire_after_days}) must come after the Glacier Instant Retrieval "
                f"transition ({self.glacier_instant_retrieval_after_days})"
            )
        return self

    @property
    def bytes_scanned_cutoff_per_query(self) -> int:
        return self.bytes_scanned_cutoff_per_query_gib * 1024**3


class FailoverHealthCheckConfig(Frozen):
    """The Route 53 health check on each serving region's ALB, and its alarm in us-east-1."""

    path: str = Field(default="/actuator/health/readiness", pattern=r"^/[A-Za-z0-9._~/-]*$")
    # Route 53 offers exactly these two intervals (fast checks cost more, and detect in 30 s instead of 90 s).
    request_interval_seconds: Literal[10, 30] = 10
    failure_threshold: int = Field(default=3, ge=1, le=10)
    # HealthCheckStatus is published once a minute; the alarm fires after this many unhealthy minutes.
    alarm_evaluation_minutes: int = Field(default=1, ge=1, le=60)


class EdgeConfig(Frozen):
    """CloudFront and WAF in us-east-1 (decision S3)."""

    # PriceClass_200 adds the Asian edge locations (Taiwan, Japan, Hong Kong, ...) where the users are.
    price_class: Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"] = "PriceClass_200"
    # Cost section: cache static content; everything else goes to the origin uncached.
    static_paths: tuple[Annotated[str, Field(pattern=r"^[A-Za-z0-9_.*/-]{1,255}$")], ...] = (
        "/static/*",
        "/assets/*",
        "*.js",
        "*.css",
    )
    # Requests one client IP may send in the window before WAF blocks it (WAF's minimum is 10).
    waf_rate_limit: int = Field(default=2000, ge=10, le=2_000_000_000)
    waf_rate_window_seconds: Literal[60, 120, 300, 600] = 300
    health_check: FailoverHealthCheckConfig = FailoverHealthCheckConfig()


class OffHoursConfig(Frozen):
    """Scale the node groups down to one node outside working hours (cost section; non-production)."""

    enabled: bool = False
    # EventBridge Scheduler cron expressions, in `timezone`: down on weekday evenings, up on weekday mornings.
    scale_down: CronExpression = "cron(0 20 ? * MON-FRI *)"
    scale_up: CronExpression = "cron(0 8 ? * MON-FRI *)"
    timezone: str = Field(default="Asia/Taipei", pattern=r"^[A-Za-z]+/[A-Za-z_]+$")


class StackSetConfig(Frozen):
    """Which of the document's stacks an environment runs (decision C12).

    Every environment has SecurityStack, NetworkStack, CertificateStack (the ALB's HTTPS listener),
    RdsStack, EKSStack and CostOptimizationStack (its budget and anomaly alerts, in us-east-1; the
    off-hours schedules beside the cluster when `off_hours` is on). The rest is switched here.
    """

    elasticache: bool = True
    msk: bool = False
    observability: bool = False
    alerting: bool = False
    route53_failover: bool = False
    # CloudFront and WAF in us-east-1, with the CertificateStack and AlertingStack they need there.
    edge: bool = False
    analytics: bool = False
    # AWS Backup (vault, plan, cross-region copies). Without it, the backup rules of the environment
    # still run from a plan beside the Aurora cluster (RdsStack), so development keeps its monthly snapshot.
    disaster_recovery: bool = False

    @model_validator(mode="after")
    def _stacks_have_what_they_need(self) -> StackSetConfig:
        needs = {
            "edge": ("route53_failover", "CloudFront's origin is the failover record origin.<domain>"),
            "analytics": ("msk", "the data lake reads the MSK cluster's events"),
        }
        for stack, (needed, why) in needs.items():
            if getattr(self, stack) and not getattr(self, needed):
                raise ValueError(f"stacks.{stack} needs stacks.{needed} ({why}); switch both on or {stack} off")
        if self.edge and not self.alerting:
            raise ValueError(
                "stacks.edge needs stacks.alerting (the edge alarms notify the alerting topics in us-east-1); "
                "switch both on or edge off"
            )
        return self

    def names(self, *, primary: bool = True) -> tuple[str, ...]:
        """The serving-region stack ids these switches give (AnalyticsStack in the primary region only)."""
        switched = {
            "ElastiCacheStack": self.elasticache,
            "MSKStack": self.msk,
            "ObservabilityStack": self.observability,
            "AlertingStack": self.alerting,
            "Route53FailoverStack": self.route53_failover,
            "AnalyticsStack": self.analytics and primary,
            "DisasterRecoveryStack": self.disaster_recovery,
        }
        always = ("SecurityStack", "NetworkStack", "CertificateStack", "RdsStack", "EKSStack")
        return (*always, *(name for name, on in switched.items() if on))


class EnvironmentConfig(Frozen):
    name: Literal["development", "staging", "production"]
    spring_profile: str
    # Decision C11: the application's name, under the configured hosted zone.
    domain: str
    # Serving regions, primary first. us-east-1 is added as the global region of every environment.
    regions: dict[str, RegionConfig]
    global_region: Literal["us-east-1"] = catalog.US_EAST_1
    budget: BudgetConfig
    backup: BackupConfig
    observability: ObservabilityConfig = ObservabilityConfig()
    alerting: AlertingConfig = AlertingConfig()
    off_hours: OffHoursConfig = OffHoursConfig()
    termination_protection: bool = False
    # Decision S5: keep stateful resources (KMS keys, databases) when a stack is deleted.
    retain_stateful_resources: bool = False
    log_retention_days: LogRetentionDays = 7
    audit_log_retention_days: LogRetentionDays = 90
    stacks: StackSetConfig = StackSetConfig()
    # The application's Kubernetes workload (issue 4), the same shape in every region of the environment.
    workload: WorkloadConfig
    analytics: AnalyticsConfig = AnalyticsConfig()
    edge: EdgeConfig = EdgeConfig()

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
            target = region.msk.replicate_to_region if self.stacks.msk else None
            if target is not None and target not in self.regions:
                raise ValueError(f"MSK in {name} replicates to {target}, which is not a region of {self.name}")
            if target is not None:
                for side in (name, target):
                    if not self.regions[side].msk.supports_replicator:
                        raise ValueError(
                            f"MSK Replicator needs kafka.m5.large or larger brokers, but {side} uses "
                            f"{self.regions[side].msk.broker_instance_type}"
                        )
        for service in ("aurora", "redis") if self.stacks.elasticache else ("aurora",):
            roles = [getattr(region, service).global_role for region in self.regions.values()]
            if ("secondary" in roles) != ("primary" in roles) or roles.count("primary") > 1:
                raise ValueError(
                    f"{service} of {self.name} needs exactly one global primary when it has a global secondary, "
                    f"and a secondary when it has a primary"
                )
        for rule in self.backup.rules:
            copy = rule.copy_to_region
            if copy is not None and (copy not in self.regions or copy == self.primary_region):
                raise ValueError(
                    f"backup rule {rule.name} copies to {copy}, which is not a secondary region of {self.name}"
                )
            if copy is not None and not self.stacks.disaster_recovery:
                raise ValueError(
                    f"backup rule {rule.name} copies to {copy}, whose vault only the DisasterRecoveryStack creates; "
                    "switch stacks.disaster_recovery on or drop the copy"
                )
        primary_brokers = self.regions[self.primary_region].msk.broker_instance_type
        if self.stacks.analytics and primary_brokers in catalog.MSK_BROKERS_WITHOUT_MULTI_VPC:
            raise ValueError(
                f"analytics in {self.name} reads MSK through Firehose over multi-VPC private connectivity, which "
                f"{primary_brokers} brokers do not support; use larger brokers or set stacks.analytics to false"
            )
        if self.stacks.route53_failover and len(self.regions) < 2:
            raise ValueError(
                f"stacks.route53_failover in {self.name} needs a second serving region to fail over to; "
                "add a secondary region or switch it off"
            )
        return self

    def has(self, stack: str) -> bool:
        """Whether a serving region of this environment runs `stack` (a document stack id)."""
        return stack in self.stacks.names()

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


class CiConfig(Frozen):
    """GitHub Actions deploys through GitHub's OIDC provider and a role per environment (DeployRoleStack)."""

    # owner/repository whose workflow jobs may assume the deploy roles, only from a job that names
    # the GitHub environment (repo:<owner>/<repo>:environment:<env>). Unset: no deploy role is built.
    github_repository: str | None = Field(default=None, pattern=r"^[A-Za-z0-9-]{1,39}/[A-Za-z0-9_.-]{1,100}$")
    # IAM holds one OIDC provider per URL and account. Unset, DeployRoleStack creates it; where
    # environments share an account, the second one names the first one's provider here.
    oidc_provider_arn: str | None = Field(
        default=None, pattern=r"^arn:aws[a-z-]*:iam::\d{12}:oidc-provider/token\.actions\.githubusercontent\.com$"
    )
    # The CDK bootstrap qualifier of the target accounts (cdk bootstrap's default).
    bootstrap_qualifier: str = Field(default="hnb659fds", pattern=r"^[a-z0-9]{1,10}$")
    max_session_hours: int = Field(default=1, ge=1, le=12)


class ProjectConfig(Frozen):
    project: str = "genai-demo"
    tags: TagsConfig = TagsConfig()
    dns: DnsConfig = DnsConfig()
    ci: CiConfig = CiConfig()
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
