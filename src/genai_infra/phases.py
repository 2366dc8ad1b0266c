"""The six deployment phases of the specification, as data, and the check that the app obeys them.

A stack may depend on stacks of its own or an earlier phase, never on a later one: the deploy
command runs phase by phase, so a backwards dependency would deadlock or deploy out of order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Phase:
    number: int
    stacks: tuple[str, ...]


PHASES: tuple[Phase, ...] = (
    Phase(1, ("SecurityStack", "NetworkStack", "CertificateStack")),
    Phase(2, ("RdsStack", "ElastiCacheStack", "MSKStack")),
    Phase(3, ("EKSStack",)),
    Phase(4, ("ObservabilityStack", "AlertingStack")),
    Phase(5, ("Route53FailoverStack", "AnalyticsStack", "EdgeStack")),
    Phase(6, ("DisasterRecoveryStack", "CostOptimizationStack")),
)

PHASE_OF: dict[str, int] = {stack: phase.number for phase in PHASES for stack in phase.stacks}

# Within one target: which stacks each stack reads published values from (SSM parameters need explicit ordering).
DEPENDS_ON: dict[str, tuple[str, ...]] = {
    "NetworkStack": ("SecurityStack",),
    # The dashboard and alarms name the resources these stacks publish.
    "ObservabilityStack": ("SecurityStack", "NetworkStack", "RdsStack", "ElastiCacheStack", "MSKStack", "EKSStack"),
    "AlertingStack": ("NetworkStack", "RdsStack", "ElastiCacheStack", "MSKStack", "EKSStack"),
    # The logs key from SecurityStack, the cluster ARN from MSKStack (linked once MSKStack exists).
    "AnalyticsStack": ("SecurityStack", "MSKStack"),
    "RdsStack": ("SecurityStack", "NetworkStack"),
    "ElastiCacheStack": ("SecurityStack", "NetworkStack"),
    "MSKStack": ("SecurityStack", "NetworkStack"),
    # RdsStack: the app role's rds-db:connect names the cluster's resource id and the user it creates (S8).
    "EKSStack": ("SecurityStack", "NetworkStack", "CertificateStack", "RdsStack"),
    "Route53FailoverStack": ("SecurityStack", "EKSStack"),
    "EdgeStack": ("CertificateStack", "AlertingStack"),
    # In a serving region it scales the node groups the EKSStack creates.
    "CostOptimizationStack": ("EKSStack",),
}


class PhaseOrderError(ValueError):
    """A stack depends on a stack of a later phase, or on a stack that has no phase."""


def check_dependencies(dependencies: Mapping[str, Iterable[str]]) -> None:
    """Raise PhaseOrderError unless every dependency is of the same or an earlier phase."""
    for stack, needs in dependencies.items():
        if stack not in PHASE_OF:
            raise PhaseOrderError(f"stack {stack} has no deployment phase; add it to genai_infra.phases.PHASES.")
        for need in needs:
            if need not in PHASE_OF:
                raise PhaseOrderError(f"stack {need} has no deployment phase; add it to genai_infra.phases.PHASES.")
            if PHASE_OF[need] > PHASE_OF[stack]:
                raise PhaseOrderError(
                    f"{stack} (phase {PHASE_OF[stack]}) depends on {need} (phase {PHASE_OF[need]}); "
                    "a stack may only depend on its own or an earlier phase."
                )


def in_deployment_order(stacks: Iterable[str]) -> list[str]:
    """The given stack ids sorted by phase, keeping the phase table's order inside a phase."""
    order = [stack for phase in PHASES for stack in phase.stacks]
    return sorted(stacks, key=order.index)
