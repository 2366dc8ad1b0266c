"""AWS Backup: an encrypted vault per region, and the environment's backup plan in its primary region.

The plan selects Aurora clusters and EBS volumes (the EKS persistent volumes) of this region by the
`Environment` tag every resource of the project carries. ElastiCache and MSK are not AWS Backup
resource types: Redis keeps its own snapshots and MSK replicates to the other region.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_backup as backup
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from constructs import Construct

from genai_infra.config.data import BackupConfig
from genai_infra.constructs.kms_keys import environment_key
from genai_infra.nag import AWS_SOLUTIONS, acknowledge
from genai_infra.naming import backup_vault_name

# Aurora clusters only: the snapshots development keeps without a DisasterRecoveryStack (C12).
AURORA_CLUSTERS: tuple[tuple[str, str, str, ArnFormat], ...] = (("rds", "cluster", "*", ArnFormat.COLON_RESOURCE_NAME),)
# Resource types the plan protects, as ARN patterns of this account and region.
PROTECTED_RESOURCES: tuple[tuple[str, str, str, ArnFormat], ...] = (
    ("rds", "cluster", "*", ArnFormat.COLON_RESOURCE_NAME),
    ("ec2", "volume", "*", ArnFormat.SLASH_RESOURCE_NAME),
)
START_WINDOW = Duration.hours(1)
COMPLETION_WINDOW = Duration.hours(8)


class BackupVault(Construct):
    """A vault with its own rotating KMS key; locked (governance mode) when the configuration says so."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: str,
        config: BackupConfig,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        self.key = environment_key(
            self,
            "Key",
            environment=environment,
            purpose="backup",
            description="AWS Backup recovery points",
            removal_policy=removal_policy,
        )
        lock = None
        if config.vault_lock:
            # No changeable_for_days: governance mode, so an administrator can still lift the lock
            # (compliance mode would make the vault undeletable for good after its grace period).
            lock = backup.LockConfiguration(
                min_retention=Duration.days(config.vault_lock_min_retention_days),
                max_retention=Duration.days(config.vault_lock_max_retention_days),
            )
        self.vault = backup.BackupVault(
            self,
            "Vault",
            backup_vault_name=backup_vault_name(environment),
            encryption_key=self.key,
            lock_configuration=lock,
            removal_policy=removal_policy,
        )


class BackupPlan(Construct):
    """The configured rules into `vault`, with cross-region copies, over the tagged resources."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: str,
        config: BackupConfig,
        vault: backup.BackupVault,
        protected: tuple[tuple[str, str, str, ArnFormat], ...] = PROTECTED_RESOURCES,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        rules = [
            backup.BackupPlanRule(
                rule_name=rule.name,
                schedule_expression=events.Schedule.expression(rule.schedule),
                start_window=START_WINDOW,
                completion_window=COMPLETION_WINDOW,
                delete_after=Duration.days(rule.delete_after_days),
                copy_actions=self._copies(rule.copy_to_region, rule.copy_delete_after_days, environment),
            )
            for rule in config.rules
        ]
        self.plan = backup.BackupPlan(
            self,
            "Plan",
            backup_plan_name=f"genai-demo-{environment}",
            backup_vault=vault,
            backup_plan_rules=rules,
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("backup.amazonaws.com"),
            description=f"AWS Backup of genai-demo {environment}",
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name(f"service-role/{name}")
                for name in ("AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores")
            ],
        )
        acknowledge(
            self.role,
            f"{AWS_SOLUTIONS}-IAM4",
            "AWS maintains the backup and restore permissions of every resource type AWS Backup supports; "
            "AWS Backup documents these service-role policies as the role's intended policies",
            *(
                f"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/{name}"
                for name in ("AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores")
            ),
        )
        self.selection = backup.CfnBackupSelection(
            self,
            "Selection",
            backup_plan_id=self.plan.backup_plan_id,
            backup_selection=backup.CfnBackupSelection.BackupSelectionResourceTypeProperty(
                selection_name=f"genai-demo-{environment}-tagged",
                iam_role_arn=self.role.role_arn,
                resources=[
                    stack.format_arn(service=service, resource=resource, resource_name=name, arn_format=arn_format)
                    for service, resource, name, arn_format in protected
                ],
                # Conditions is a JSON property in CloudFormation's schema: keys stay as AWS spells them.
                conditions={
                    "StringEquals": [{"ConditionKey": "aws:ResourceTag/Environment", "ConditionValue": environment}]
                },
            ),
        )

    def _copies(
        self, region: str | None, delete_after_days: int | None, environment: str
    ) -> list[backup.BackupPlanCopyActionProps] | None:
        if region is None or delete_after_days is None:
            return None
        # The destination vault is the DisasterRecoveryStack's vault of that region, found by name.
        arn = Stack.of(self).format_arn(
            service="backup",
            region=region,
            resource="backup-vault",
            resource_name=backup_vault_name(environment),
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        destination = backup.BackupVault.from_backup_vault_arn(self, f"VaultIn{region}", arn)
        return [
            backup.BackupPlanCopyActionProps(
                destination_backup_vault=destination, delete_after=Duration.days(delete_after_days)
            )
        ]
