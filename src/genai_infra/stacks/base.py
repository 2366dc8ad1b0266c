"""What every stack of the project shares: its name, region, description and protection."""

from __future__ import annotations

from aws_cdk import Environment, Stack
from constructs import Construct

from genai_infra.naming import stack_name

# Stacks import the context from here, beside GenaiStack; constructs import it from genai_infra.target_context.
from genai_infra.target_context import TargetContext

__all__ = ["GenaiStack", "TargetContext"]


class GenaiStack(Stack):
    def __init__(self, scope: Construct, stack_id: str, *, target: TargetContext, description: str) -> None:
        super().__init__(
            scope,
            stack_id,
            stack_name=stack_name(target.environment.name, stack_id),
            # The account stays unresolved so synthesis needs no credentials; the region is fixed.
            env=Environment(region=target.region),
            description=f"genai-demo {target.environment.name} {target.region}: {description}",
            termination_protection=target.environment.termination_protection,
        )
        self.target = target
