"""What every stack of the project shares: its name, region, description and protection."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import DefaultStackSynthesizer, Environment, RemovalPolicy, Stack
from constructs import Construct

from genai_infra.config import EnvironmentConfig, ProjectConfig
from genai_infra.naming import iam_role_name, stack_name


@dataclass(frozen=True)
class TargetContext:
    """The configuration one synthesis needs: the project, its environment and the region."""

    project: ProjectConfig
    environment: EnvironmentConfig
    region: str

    @property
    def name_prefix(self) -> str:
        return f"{self.project.project}-{self.environment.name}"

    @property
    def stateful_removal_policy(self) -> RemovalPolicy:
        return RemovalPolicy.RETAIN if self.environment.retain_stateful_resources else RemovalPolicy.DESTROY

    def role_name(self, purpose: str) -> str:
        return iam_role_name(self.environment.name, purpose, self.region, self.environment.primary_region)


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
