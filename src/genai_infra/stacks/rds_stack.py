"""RdsStack: Aurora PostgreSQL 15, its master secret and rotation, the global database (phase 2).

The global database spans the environment's regions: the primary region creates the cluster and
the `AWS::RDS::GlobalCluster` from it; the secondary region's cluster joins it by its
deterministic identifier, with no master credentials, encrypted by that region's own rds key.
"""

from __future__ import annotations

from aws_cdk import Fn
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_rds as rds
from constructs import Construct

from genai_infra.constructs.app_database_user import AppDatabaseUser
from genai_infra.constructs.aurora import AuroraCluster, AuroraPlacement
from genai_infra.constructs.backup import AURORA_CLUSTERS, BackupPlan, BackupVault
from genai_infra.constructs.generated_secret import GeneratedSecret
from genai_infra.constructs.secret_rotation import PostgresSecretRotation
from genai_infra.constructs.service_logs import ServiceLogGroups
from genai_infra.constructs.shared_values import PublishedValues
from genai_infra.naming import APP_DATABASE_USER, aurora_global_cluster_id, data_resource_id, secret_name
from genai_infra.stacks.base import GenaiStack, TargetContext


class RdsStack(GenaiStack):
    def __init__(self, scope: Construct, stack_id: str, *, target: TargetContext) -> None:
        super().__init__(scope, stack_id, target=target, description="Aurora PostgreSQL and its master secret")
        environment = target.environment
        env = environment.name
        config = environment.regions[target.region].aurora
        protect = environment.retain_stateful_resources

        cluster_id = data_resource_id(env, target.region, environment.primary_region, "aurora")
        global_id = aurora_global_cluster_id(env) if config.global_role != "none" else None
        name_of_secret = secret_name(env, "aurora", "master")
        secret: GeneratedSecret | None = None
        if config.global_role != "secondary":
            secret = GeneratedSecret(
                self,
                "MasterSecret",
                name=name_of_secret,
                description=f"Master user of Aurora cluster {cluster_id}",
                key=kms.Key.from_key_arn(self, "SecretsKey", self.published("kms/secrets-key-arn")),
                environment=env,
                # The DR region reads the same secret name from its own replica.
                replica_regions=tuple(r for r in environment.regions if r != target.region),
                removal_policy=target.stateful_removal_policy,
                username=config.master_username,
            )
        self.aurora = AuroraCluster(
            self,
            "Aurora",
            cluster_id=cluster_id,
            config=config,
            placement=AuroraPlacement(
                subnet_ids=Fn.split(",", self.published("network/database-subnet-ids"), assumed_length=2),
                security_group_id=self.published("network/database-security-group-id"),
                # The key of this region: a global secondary is encrypted by its own region's rds key.
                storage_key_arn=self.published("kms/rds-key-arn"),
                deletion_protection=protect,
                removal_policy=target.snapshot_removal_policy,
            ),
            master_username=None if secret is None else secret.field("username"),
            master_password=None if secret is None else secret.field("password"),
            global_cluster_id=global_id,
        )
        # Aurora's log exports and the hosted rotation function write to groups of fixed names; created
        # here first, they keep the environment's retention instead of everything forever.
        rotation_function = f"{cluster_id}-secret-rotation"
        logs_key = kms.Key.from_key_arn(self, "LogsKey", self.published("kms/logs-key-arn"))
        self.database_logs = ServiceLogGroups(
            self,
            "DatabaseLogs",
            groups=[
                *(
                    (f"Export{kind.title()}", f"/aws/rds/cluster/{cluster_id}/{kind}")
                    for kind in config.cloudwatch_log_exports
                ),
                *([("Rotation", f"/aws/lambda/{rotation_function}")] if secret is not None else []),
            ],
            key=logs_key,
            retention_days=environment.log_retention_days,
            removal_policy=target.stateful_removal_policy,
        )
        self.aurora.cluster.node.add_dependency(self.database_logs)
        if config.global_role == "primary" and global_id is not None:
            self.global_cluster = rds.CfnGlobalCluster(
                self,
                "GlobalCluster",
                global_cluster_identifier=global_id,
                source_db_cluster_identifier=self.aurora.cluster.attr_db_cluster_arn,
                deletion_protection=protect,
            )
            self.global_cluster.add_resource_dependency(self.aurora.writer)
            self.global_cluster.apply_removal_policy(target.stateful_removal_policy)
        if secret is not None:
            self.rotation = PostgresSecretRotation(
                self,
                "MasterSecretRotation",
                secret=secret.secret,
                secret_key_arn=self.published("kms/secrets-key-arn"),
                cluster=self.aurora.cluster,
                writer=self.aurora.writer,
                vpc_id=self.published("network/vpc-id"),
                subnet_ids=self.published("network/private-subnet-ids"),
                database_security_group_id=self.published("network/database-security-group-id"),
                function_name=rotation_function,
                rotation_days=config.secret_rotation_days,
            )
            self.rotation.node.add_dependency(self.database_logs)
        self.snapshots: BackupPlan | None = None
        if not environment.stacks.disaster_recovery and target.region == environment.primary_region:
            # Without the DisasterRecoveryStack (decision C12) the environment's backup rules still run,
            # over its Aurora cluster only: Aurora has no scheduled snapshots of its own, and AWS Backup
            # is the one managed way to take them and also expire them (plans cost nothing; storage does).
            vault = BackupVault(
                self,
                "Snapshots",
                environment=env,
                config=environment.backup,
                removal_policy=target.stateful_removal_policy,
            )
            self.snapshots = BackupPlan(
                self,
                "SnapshotPlan",
                environment=env,
                config=environment.backup,
                vault=vault.vault,
                protected=AURORA_CLUSTERS,
            )
        cluster = self.aurora.cluster
        rotation_group = {}
        if secret is not None:
            # Decision S8: the application's own IAM user. A global secondary receives it (and its
            # grants) from the primary through replication, so only a writer's region creates it.
            self.app_user = AppDatabaseUser(
                self,
                "AppDatabaseUser",
                user_name=APP_DATABASE_USER,
                function_name=f"{cluster_id}-app-user",
                cluster=self.aurora.cluster,
                writer=self.aurora.writer,
                database_name=config.database_name,
                master_secret_arn=secret.secret.secret_arn,
                secrets_key_arn=self.published("kms/secrets-key-arn"),
                logs_key=logs_key,
                log_retention_days=environment.audit_log_retention_days,
                vpc=ec2.Vpc.from_vpc_attributes(
                    self,
                    "Vpc",
                    vpc_id=self.published("network/vpc-id"),
                    availability_zones=list(environment.regions[target.region].network.availability_zones[:2]),
                    private_subnet_ids=Fn.split(",", self.published("network/private-subnet-ids"), assumed_length=2),
                ),
                database_security_group_id=self.published("network/database-security-group-id"),
                removal_policy=target.stateful_removal_policy,
            )
            # Preflight knows these groups as the rotation and user-setup roles, allowed 5432 into the
            # database group.
            rotation_group = {
                "aurora/rotation-security-group-id": self.rotation.security_group.attr_group_id,
                "aurora/user-setup-security-group-id": self.app_user.security_group.attr_group_id,
            }
        PublishedValues(
            self,
            "Published",
            environment=env,
            values={
                **rotation_group,
                # The DBClusterIdentifier dimension of the Aurora alarms.
                "aurora/cluster-identifier": cluster.ref,
                "aurora/writer-endpoint": cluster.attr_endpoint_address,
                "aurora/reader-endpoint": cluster.attr_read_endpoint_address,
                "aurora/port": cluster.attr_endpoint_port,
                "aurora/database-name": config.database_name,
                "aurora/secret-name": name_of_secret,
                # The application's IAM user (decision S8) and the cluster's resource id, which
                # its rds-db:connect permission names (arn:aws:rds-db:<region>:<account>:dbuser:<id>/<user>).
                "aurora/app-user": APP_DATABASE_USER,
                "aurora/cluster-resource-id": cluster.attr_db_cluster_resource_id,
            },
        )
