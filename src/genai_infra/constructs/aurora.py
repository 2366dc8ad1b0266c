"""An Aurora PostgreSQL cluster: standalone, Serverless v2, or a member of a global database.

Built from L1 resources because the L2 `DatabaseCluster` cannot express a global secondary: it
always generates master credentials, which AWS refuses on a cluster that joins a global database.
One construct keeps the three shapes identical in everything else (encryption, backups,
monitoring, log exports, TLS-only parameter group).
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_rds as rds
from constructs import Construct

from genai_infra.config.data import AuroraConfig
from genai_infra.nag import AWS_SOLUTIONS, NIST, acknowledge

ENGINE = "aurora-postgresql"
POSTGRES_PORT = 5432
SERVERLESS_CLASS = "db.serverless"


@dataclass(frozen=True)
class AuroraPlacement:
    """Where the cluster lives and what protects it; all values are deploy-time tokens or names."""

    subnet_ids: list[str]
    security_group_id: str
    storage_key_arn: str
    deletion_protection: bool
    removal_policy: RemovalPolicy


class AuroraCluster(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster_id: str,
        config: AuroraConfig,
        placement: AuroraPlacement,
        master_username: str | None,
        master_password: str | None,
        global_cluster_id: str | None,
    ) -> None:
        super().__init__(scope, construct_id)
        if (master_username is None) != (config.global_role == "secondary"):
            raise ValueError("a global secondary cluster takes no master credentials; every other cluster needs them")
        self.cluster_id = cluster_id
        self.subnet_group = rds.CfnDBSubnetGroup(
            self,
            "SubnetGroup",
            db_subnet_group_name=f"{cluster_id}-subnets",
            db_subnet_group_description=f"{cluster_id}: the database subnets",
            subnet_ids=placement.subnet_ids,
        )
        self.parameter_group = rds.CfnDBClusterParameterGroup(
            self,
            "ParameterGroup",
            family=f"{ENGINE}{config.engine_major_version}",
            description=f"{cluster_id}: TLS-only connections",
            # Clients must use TLS; plain-text connections are refused by the server.
            parameters={"rds.force_ssl": "1"},
        )
        serverless = config.serverless_max_acu is not None
        self.cluster = rds.CfnDBCluster(
            self,
            "Cluster",
            db_cluster_identifier=cluster_id,
            engine=ENGINE,
            engine_version=config.engine_version,
            port=POSTGRES_PORT,
            master_username=master_username,
            master_user_password=master_password,
            database_name=None if master_username is None else config.database_name,
            global_cluster_identifier=global_cluster_id if config.global_role == "secondary" else None,
            db_subnet_group_name=self.subnet_group.ref,
            vpc_security_group_ids=[placement.security_group_id],
            db_cluster_parameter_group_name=self.parameter_group.ref,
            storage_encrypted=True,
            kms_key_id=placement.storage_key_arn,
            backup_retention_period=config.backup_retention_days,
            preferred_backup_window=config.backup_window_utc,
            preferred_maintenance_window=config.maintenance_window_utc,
            enable_iam_database_authentication=config.iam_authentication,
            enable_cloudwatch_logs_exports=list(config.cloudwatch_log_exports),
            deletion_protection=placement.deletion_protection,
            copy_tags_to_snapshot=True,
            serverless_v2_scaling_configuration=(
                rds.CfnDBCluster.ServerlessV2ScalingConfigurationProperty(
                    min_capacity=config.serverless_min_acu or 0, max_capacity=config.serverless_max_acu
                )
                if serverless
                else None
            ),
        )
        self.cluster.apply_removal_policy(placement.removal_policy)
        if not placement.deletion_protection:
            reason = (
                "Decision S5: only production protects its stateful resources; development and staging may be "
                "deleted freely."
            )
            acknowledge(self.cluster, f"{AWS_SOLUTIONS}-RDS10", reason)
            acknowledge(self.cluster, f"{NIST}-RDSInstanceDeletionProtectionEnabled", reason)

        self.monitoring_role = iam.Role(
            self,
            "MonitoringRole",
            assumed_by=iam.ServicePrincipal("monitoring.rds.amazonaws.com"),
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AmazonRDSEnhancedMonitoringRole")
            ],
            description=f"Enhanced monitoring of {cluster_id}",
        )
        acknowledge(
            self.monitoring_role,
            f"{AWS_SOLUTIONS}-IAM4",
            "AmazonRDSEnhancedMonitoringRole is the AWS-maintained policy RDS enhanced monitoring requires; it only "
            "writes the RDSOSMetrics log group.",
            "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
        )

        if serverless:
            classes = [SERVERLESS_CLASS]
        else:
            classes = [c for c in (config.writer_instance_class, *config.reader_instance_classes) if c is not None]
        self.instances = [
            self._instance(index, instance_class, config, placement) for index, instance_class in enumerate(classes)
        ]

    def _instance(
        self, index: int, instance_class: str, config: AuroraConfig, placement: AuroraPlacement
    ) -> rds.CfnDBInstance:
        # The first instance of a primary cluster becomes its writer; a secondary has readers only.
        name = f"{self.cluster_id}-{index + 1}"
        instance = rds.CfnDBInstance(
            self,
            f"Instance{index + 1}",
            db_instance_identifier=name,
            db_cluster_identifier=self.cluster.ref,
            db_instance_class=instance_class,
            engine=ENGINE,
            publicly_accessible=False,
            auto_minor_version_upgrade=True,
            promotion_tier=index,
            enable_performance_insights=True,
            performance_insights_retention_period=config.performance_insights_retention_days,
            performance_insights_kms_key_id=placement.storage_key_arn,
            monitoring_interval=config.monitoring_interval_seconds,
            monitoring_role_arn=self.monitoring_role.role_arn,
        )
        acknowledge(
            instance,
            f"{NIST}-RDSInBackupPlan",
            "Aurora's automated backups (the configured retention, with point-in-time restore) protect the cluster "
            "volume; instances hold no data an AWS Backup plan could add.",
        )
        return instance

    @property
    def writer(self) -> rds.CfnDBInstance:
        return self.instances[0]
