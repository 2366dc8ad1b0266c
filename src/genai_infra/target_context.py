"""What one synthesis knows about its target: the project, the environment and the region.

Below both the constructs and the stacks, which take it as their `target`.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import RemovalPolicy

from genai_infra.config import EnvironmentConfig, ProjectConfig
from genai_infra.naming import iam_role_name


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

    @property
    def snapshot_removal_policy(self) -> RemovalPolicy:
        """Of the resources CloudFormation can snapshot (Aurora, ElastiCache): a final snapshot, or nothing."""
        environment = self.environment
        snapshot = environment.retain_stateful_resources or environment.snapshot_on_destroy
        return RemovalPolicy.SNAPSHOT if snapshot else RemovalPolicy.DESTROY

    def role_name(self, purpose: str) -> str:
        return iam_role_name(self.environment.name, purpose, self.region, self.environment.primary_region)
