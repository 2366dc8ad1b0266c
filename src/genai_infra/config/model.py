"""The typed, frozen configuration model: environment -> regions -> network, EKS, Aurora, Redis, MSK.

Every model forbids unknown keys and validates itself, so an override file with a typo or an
impossible value is refused before anything is synthesized. Stacks receive these typed values;
they never branch on an environment name.
"""

from __future__ import annotations

import ipaddress
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


class EksConfig(Frozen):
    # Decision V1: the newest version that the pinned aws-cdk-lib and a kubectl layer support.
    kubernetes_version: str = "1.36"
    node_group: NodeGroupConfig
    capacity_type: Literal["ON_DEMAND", "SPOT"] = "ON_DEMAND"
    # Cost section: about 30 % of non-production capacity on Spot.
    spot_percent: int = Field(default=0, ge=0, le=100)


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


EmailAddress = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class BudgetConfig(Frozen):
    monthly_limit_usd: float = Field(gt=0)
    # Share of actual spend that notifies; the forecast alert fires when the month is forecast past it.
    alert_thresholds_percent: tuple[Annotated[int, Field(gt=0, le=1000)], ...] = (80, 90, 100)
    forecast_alert_percent: int = Field(default=100, gt=0, le=1000)
    # Cost anomaly detection alerts when an anomaly's impact reaches this share over the expected spend.
    anomaly_threshold_percent: int = Field(default=20, gt=0)
    # Who hears about budget and anomaly alerts; the SNS topic exists either way for chat integrations.
    notification_emails: tuple[EmailAddress, ...] = ()


class BackupRuleConfig(Frozen):
    """One AWS Backup rule: when it runs (UTC), how long recovery points live, and where copies go."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,50}$")
    # An EventBridge cron expression in UTC, e.g. cron(0 5 * * ? *) for 05:00 daily.
    schedule: str = Field(pattern=r"^cron\((\S+ ){5}\S+\)$")
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
    termination_protection: bool = False
    # Decision S5: keep stateful resources (KMS keys, databases) when a stack is deleted.
    retain_stateful_resources: bool = False
    log_retention_days: LogRetentionDays = 7
    audit_log_retention_days: LogRetentionDays = 90
    analytics_enabled: bool = False
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
            target = region.msk.replicate_to_region
            if target is not None and target not in self.regions:
                raise ValueError(f"MSK in {name} replicates to {target}, which is not a region of {self.name}")
        for rule in self.backup.rules:
            copy = rule.copy_to_region
            if copy is not None and (copy not in self.regions or copy == self.primary_region):
                raise ValueError(
                    f"backup rule {rule.name} copies to {copy}, which is not a secondary region of {self.name}"
                )
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
