"""DisasterRecoveryStack: the backup vault of the region and, in the primary region, the backup plan (phase 6)."""

from __future__ import annotations

from constructs import Construct

from genai_infra.constructs.backup import BackupPlan, BackupVault
from genai_infra.constructs.shared_values import PublishedValues
from genai_infra.stacks.base import GenaiStack, TargetContext


class DisasterRecoveryStack(GenaiStack):
    def __init__(self, scope: Construct, stack_id: str, *, target: TargetContext) -> None:
        super().__init__(scope, stack_id, target=target, description="AWS Backup vault and plan")
        environment = target.environment
        self.vault = BackupVault(
            self,
            "Backup",
            environment=environment.name,
            config=environment.backup,
            removal_policy=target.stateful_removal_policy,
        )
        self.plan: BackupPlan | None = None
        # A secondary region only receives copies: its resources are replicas of the primary's.
        if target.region == environment.primary_region:
            self.plan = BackupPlan(
                self, "Plan", environment=environment.name, config=environment.backup, vault=self.vault.vault
            )
        PublishedValues(
            self,
            "Published",
            environment=environment.name,
            values={"backup/vault-arn": self.vault.vault.backup_vault_arn},
        )
