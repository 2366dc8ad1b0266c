"""Synthesis targets (one environment in one region) and the stacks each one holds. Pure Python.

The app builder creates exactly these stacks, and a test checks it, so `genai-infra list` can
answer without starting jsii.
"""

from __future__ import annotations

from dataclasses import dataclass

from genai_infra.config import EnvironmentConfig, ProjectConfig
from genai_infra.phases import in_deployment_order

# Stacks of a serving region (primary or secondary) and of the global region (us-east-1).
SERVING_REGION_STACKS: tuple[str, ...] = (
    "SecurityStack",
    "NetworkStack",
    "CertificateStack",
    "RdsStack",
    "ElastiCacheStack",
    "MSKStack",
    "EKSStack",
    "ObservabilityStack",
    "AlertingStack",
    "Route53FailoverStack",
    "DisasterRecoveryStack",
)
# Budgets and Cost Anomaly Detection notify from us-east-1 only.
GLOBAL_REGION_STACKS: tuple[str, ...] = ("CertificateStack", "AlertingStack", "EdgeStack", "CostOptimizationStack")


@dataclass(frozen=True)
class Target:
    environment: str
    region: str
    role: str  # primary | secondary | global
    # Stacks the environment's configuration switches on for this target, beyond the fixed sets.
    optional_stacks: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.environment}/{self.region}"


def optional_stacks_of(environment: EnvironmentConfig, role: str) -> tuple[str, ...]:
    """The optional stacks a target of `role` holds under the environment's configuration."""
    optional: list[str] = []
    # One data lake per environment, beside the MSK cluster the application publishes to: the
    # secondary region's cluster only receives replicated topics while it stands by.
    if environment.analytics_enabled and role == "primary":
        optional.append("AnalyticsStack")
    # Non-production clusters shrink outside working hours; the schedules live beside the cluster.
    if environment.off_hours.enabled and role in ("primary", "secondary"):
        optional.append("CostOptimizationStack")
    return tuple(optional)


def targets_of(environment: EnvironmentConfig) -> list[Target]:
    """The environment's targets in deployment order: primary, secondary, then us-east-1."""
    serving = [
        Target(environment.name, name, region.role, optional_stacks_of(environment, region.role))
        for name, region in environment.regions.items()
    ]
    return [*serving, Target(environment.name, environment.global_region, "global")]


def all_targets(config: ProjectConfig) -> list[Target]:
    return [target for environment in config.environments.values() for target in targets_of(environment)]


def stacks_of(target: Target) -> list[str]:
    """Stack construct ids of a target, in deployment order."""
    stacks = GLOBAL_REGION_STACKS if target.role == "global" else SERVING_REGION_STACKS
    return in_deployment_order((*stacks, *target.optional_stacks))
