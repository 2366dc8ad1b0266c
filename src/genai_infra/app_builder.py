"""Builds the stacks of one target (environment + region) into a CDK app, with tags and checks."""

from __future__ import annotations

from collections.abc import Callable

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks, NIST80053R5Checks

from genai_infra.config import ProjectConfig
from genai_infra.phases import DEPENDS_ON, check_dependencies
from genai_infra.stacks.alerting_stack import AlertingStack
from genai_infra.stacks.analytics_stack import AnalyticsStack
from genai_infra.stacks.base import GenaiStack, TargetContext
from genai_infra.stacks.certificate_stack import CertificateStack
from genai_infra.stacks.cost_optimization_stack import CostOptimizationStack
from genai_infra.stacks.disaster_recovery_stack import DisasterRecoveryStack
from genai_infra.stacks.edge_stack import EdgeStack
from genai_infra.stacks.eks_stack import EKSStack
from genai_infra.stacks.elasticache_stack import ElastiCacheStack
from genai_infra.stacks.msk_stack import MSKStack
from genai_infra.stacks.network_stack import NetworkStack
from genai_infra.stacks.observability_stack import ObservabilityStack
from genai_infra.stacks.rds_stack import RdsStack
from genai_infra.stacks.route53_failover_stack import Route53FailoverStack
from genai_infra.stacks.security_stack import SecurityStack
from genai_infra.targets import Target, stacks_of

StackFactory = Callable[..., GenaiStack]

STACK_CLASSES: dict[str, StackFactory] = {
    "SecurityStack": SecurityStack,
    "NetworkStack": NetworkStack,
    "CertificateStack": CertificateStack,
    "ObservabilityStack": ObservabilityStack,
    "AlertingStack": AlertingStack,
    "DisasterRecoveryStack": DisasterRecoveryStack,
    "CostOptimizationStack": CostOptimizationStack,
    "AnalyticsStack": AnalyticsStack,
    "RdsStack": RdsStack,
    "ElastiCacheStack": ElastiCacheStack,
    "MSKStack": MSKStack,
    "EKSStack": EKSStack,
    "Route53FailoverStack": Route53FailoverStack,
    "EdgeStack": EdgeStack,
}


def build_target(app: cdk.App, config: ProjectConfig, target: Target, *, nag: bool = True) -> dict[str, GenaiStack]:
    """Create the target's stacks in `app`, tag them and register the cdk-nag packs (unless nag=False)."""
    environment = config.environments[target.environment]
    context = TargetContext(project=config, environment=environment, region=target.region)
    stacks: dict[str, GenaiStack] = {}
    for stack_id in stacks_of(target):
        stacks[stack_id] = STACK_CLASSES[stack_id](app, stack_id, target=context)
        for need in DEPENDS_ON.get(stack_id, ()):
            if need in stacks:
                stacks[stack_id].add_stack_dependency(stacks[need])
    check_dependencies(
        {stack_id: [dependency.node.id for dependency in stack.dependencies] for stack_id, stack in stacks.items()}
    )
    tags = config.tags
    for key, value in (
        ("Environment", environment.name),
        ("Project", tags.project),
        ("Owner", tags.owner),
        ("CostCenter", tags.cost_center),
        ("ManagedBy", tags.managed_by),
    ):
        cdk.Tags.of(app).add(key, value)
    if nag:
        cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app), NIST80053R5Checks(app))
    return stacks
