"""Synthesis targets (one environment in one region) and the stacks each one holds. Pure Python.

The app builder creates exactly these stacks, and a test checks it, so `genai-infra list` can
answer without starting jsii.
"""

from __future__ import annotations

from dataclasses import dataclass

from genai_infra.config import EnvironmentConfig, ProjectConfig
from genai_infra.phases import in_deployment_order

# Every stack a serving region (primary or secondary) can hold; which ones it does is configuration (C12).
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
    "AnalyticsStack",
    "DisasterRecoveryStack",
    "CostOptimizationStack",
)
# Budgets and Cost Anomaly Detection notify from us-east-1 only, so every environment has its
# CostOptimizationStack there; CloudFront's certificate, WAF and edge alarms join it with the edge.
GLOBAL_REGION_STACKS: tuple[str, ...] = ("CertificateStack", "AlertingStack", "EdgeStack", "CostOptimizationStack")


@dataclass(frozen=True)
class Target:
    environment: str
    region: str
    role: str  # primary | secondary | global
    # The stacks of this target, as the environment's configuration gives them (in any order).
    stacks: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.environment}/{self.region}"


def stacks_for(environment: EnvironmentConfig, role: str) -> tuple[str, ...]:
    """The stacks a target of `role` holds under the environment's configuration (decision C12)."""
    if role == "global":
        edge = ("CertificateStack", "AlertingStack", "EdgeStack") if environment.stacks.edge else ()
        return (*edge, "CostOptimizationStack")
    stacks = environment.stacks.names(primary=role == "primary")
    # Non-production clusters shrink outside working hours; the schedules live beside the cluster.
    off_hours = ("CostOptimizationStack",) if environment.off_hours.enabled else ()
    return (*stacks, *off_hours)


def targets_of(environment: EnvironmentConfig) -> list[Target]:
    """The environment's targets in deployment order: primary, secondary, then us-east-1."""
    serving = [
        Target(environment.name, name, region.role, stacks_for(environment, region.role))
        for name, region in environment.regions.items()
    ]
    return [*serving, Target(environment.name, environment.global_region, "global", stacks_for(environment, "global"))]


def all_targets(config: ProjectConfig) -> list[Target]:
    return [target for environment in config.environments.values() for target in targets_of(environment)]


def stacks_of(target: Target) -> list[str]:
    """Stack construct ids of a target, in deployment order."""
    return in_deployment_order(target.stacks)
