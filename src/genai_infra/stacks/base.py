"""What every stack of the project shares: its name, region, description and protection."""

from __future__ import annotations

from aws_cdk import DefaultStackSynthesizer, Environment, Stack
from constructs import Construct

from genai_infra.constructs.shared_values import read_value
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
            # Without a configured account, the account stays unresolved (the one of the deploying
            # credentials) and synthesis needs no credentials either way; the region is fixed.
            env=Environment(account=target.environment.account, region=target.region),
            # Decision S6: the environment's own bootstrap roles, bucket and version parameter.
            synthesizer=DefaultStackSynthesizer(qualifier=target.environment.bootstrap_qualifier),
            description=f"genai-demo {target.environment.name} {target.region}: {description}",
            termination_protection=target.environment.termination_protection,
        )
        self.target = target

    def published(self, key: str) -> str:
        """A value a stack of this environment published (/genai-demo/<env>/<key> in SSM), read
        when this stack deploys: how stacks pass values on without CloudFormation exports."""
        return read_value(self, environment=self.target.environment.name, key=key)
