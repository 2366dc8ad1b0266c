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
    "Route53FailoverStack",
    "DisasterRecoveryStack",
)
# Budgets and Cost Anomaly Detection notify from us-east-1 only.
GLOBAL_REGION_STACKS: tuple[str, ...] = ("CertificateStack", "EdgeStack", "CostOptimizationStack")


@dataclass(frozen=True)
class Target:
    environment: str
    region: str
    role: str  # primary | secondary | global

    @property
    def label(self) -> str:
        return f"{self.environment}/{self.region}"


def targets_of(environment: EnvironmentConfig) -> list[Target]:
    """The environment's targets in deployment order: primary, secondary, then us-east-1."""
    serving = [Target(environment.name, name, region.role) for name, region in environment.regions.items()]
    return [*serving, Target(environment.name, environment.global_region, "global")]


def all_targets(config: ProjectConfig) -> list[Target]:
    return [target for environment in config.environments.values() for target in targets_of(environment)]


def stacks_of(target: Target) -> list[str]:
    """Stack construct ids of a target, in deployment order."""
    stacks = GLOBAL_REGION_STACKS if target.role == "global" else SERVING_REGION_STACKS
    return in_deployment_order(stacks)
