"""An environment and its serving regions: where the areas meet, and the checks across them."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from genai_infra.config import catalog
from genai_infra.config.access import OperatorAccessConfig
from genai_infra.config.compute import EksConfig
from genai_infra.config.cost import BudgetConfig, OffHoursConfig
from genai_infra.config.data import AnalyticsConfig, AuroraConfig, BackupConfig, MskConfig, RedisConfig
from genai_infra.config.edge import EdgeConfig
from genai_infra.config.fields import Frozen, LogRetentionDays, ipv4_network
from genai_infra.config.network import NetworkConfig
from genai_infra.config.platform import AlertingConfig, ObservabilityConfig
from genai_infra.config.stack_set import StackSetConfig
from genai_infra.config.workload import WorkloadConfig


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


def _digits_as_text(value: object) -> object:
    # `--set environments.E.account=123456789012` parses as a number; an account id is text.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class EnvironmentConfig(Frozen):
    name: Literal["development", "staging", "production"]
    spring_profile: str
    # Decision S6. The AWS account of this environment; None deploys to the account of the
    # credentials at deploy time (the templates stay account-agnostic).
    account: Annotated[str | None, BeforeValidator(_digits_as_text)] = Field(default=None, pattern=r"^\d{12}$")
    # The environment's own CDK bootstrap (cdk-<qualifier>-*-role-...): environments that share an
    # account never share bootstrap roles. `cdk bootstrap` takes up to 10 lowercase alphanumerics.
    bootstrap_qualifier: str = Field(pattern=r"^[a-z0-9]{1,10}$")
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
    operator_access: OperatorAccessConfig = OperatorAccessConfig()
    termination_protection: bool = False
    # Decision S5: keep stateful resources (KMS keys, databases) when a stack is deleted.
    retain_stateful_resources: bool = False
    # Without retention, Aurora and Redis still take a final snapshot when their stack is deleted.
    snapshot_on_destroy: bool = False
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
            vpc = ipv4_network(region.network.vpc_cidr)
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
