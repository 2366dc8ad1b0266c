"""An MSK provisioned cluster: one broker per client subnet zone, TLS only, IAM authentication.

L1 resources: there is no stable L2 for MSK in aws-cdk-lib. Brokers log to a KMS-encrypted
CloudWatch log group of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_msk as msk
from constructs import Construct

from genai_infra.config.data import MskConfig
from genai_infra.constructs.log_retention import log_retention

# Kafka over TLS with IAM authentication (decision C6); the only client port the cluster opens.
KAFKA_IAM_PORT = 9098


@dataclass(frozen=True)
class KafkaPlacement:
    client_subnet_ids: list[str]
    security_group_id: str
    storage_key_arn: str
    logs_key: kms.IKey
    log_group_name: str
    removal_policy: RemovalPolicy


class KafkaCluster(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster_name: str,
        config: MskConfig,
        placement: KafkaPlacement,
        replication_source: bool,
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_group = logs.LogGroup(
            self,
            "BrokerLogs",
            log_group_name=placement.log_group_name,
            encryption_key=placement.logs_key,
            retention=log_retention(config.broker_log_retention_days),
            removal_policy=placement.removal_policy,
        )
        iam_only = msk.CfnCluster.ClientAuthenticationProperty(
            sasl=msk.CfnCluster.SaslProperty(iam=msk.CfnCluster.IamProperty(enabled=True)),
            unauthenticated=msk.CfnCluster.UnauthenticatedProperty(enabled=False),
        )
        connectivity = None
        if replication_source:
            # Cross-region MSK Replicator reaches the source cluster through multi-VPC private connectivity.
            connectivity = msk.CfnCluster.ConnectivityInfoProperty(
                vpc_connectivity=msk.CfnCluster.VpcConnectivityProperty(
                    client_authentication=msk.CfnCluster.VpcConnectivityClientAuthenticationProperty(
                        sasl=msk.CfnCluster.VpcConnectivitySaslProperty(
                            iam=msk.CfnCluster.VpcConnectivityIamProperty(enabled=True)
                        )
                    )
                )
            )
        self.cluster = msk.CfnCluster(
            self,
            "Cluster",
            cluster_name=cluster_name,
            kafka_version=config.kafka_version,
            number_of_broker_nodes=config.broker_count,
            broker_node_group_info=msk.CfnCluster.BrokerNodeGroupInfoProperty(
                client_subnets=placement.client_subnet_ids,
                instance_type=config.broker_instance_type,
                security_groups=[placement.security_group_id],
                storage_info=msk.CfnCluster.StorageInfoProperty(
                    ebs_storage_info=msk.CfnCluster.EBSStorageInfoProperty(volume_size=config.ebs_volume_gb)
                ),
                connectivity_info=connectivity,
            ),
            client_authentication=iam_only,
            encryption_info=msk.CfnCluster.EncryptionInfoProperty(
                encryption_at_rest=msk.CfnCluster.EncryptionAtRestProperty(
                    data_volume_kms_key_id=placement.storage_key_arn
                ),
                encryption_in_transit=msk.CfnCluster.EncryptionInTransitProperty(client_broker="TLS", in_cluster=True),
            ),
            enhanced_monitoring=config.enhanced_monitoring,
            logging_info=msk.CfnCluster.LoggingInfoProperty(
                broker_logs=msk.CfnCluster.BrokerLogsProperty(
                    cloud_watch_logs=msk.CfnCluster.CloudWatchLogsProperty(
                        enabled=True, log_group=self.log_group.log_group_name
                    )
                )
            ),
        )
        self.cluster.apply_removal_policy(placement.removal_policy)

    @property
    def arn(self) -> str:
        return self.cluster.attr_arn


class KafkaClientGroup(Construct):
    """A security group for a Kafka client other than the app (MSK Replicator), admitted on 9098 only."""

    def __init__(
        self, scope: Construct, construct_id: str, *, vpc_id: str, msk_security_group_id: str, group_name: str
    ) -> None:
        super().__init__(scope, construct_id)
        self.security_group = ec2.CfnSecurityGroup(
            self,
            "SecurityGroup",
            vpc_id=vpc_id,
            group_name=group_name,
            group_description="MSK Replicator: Kafka with IAM authentication to the MSK brokers only",
            security_group_egress=[
                ec2.CfnSecurityGroup.EgressProperty(
                    ip_protocol="tcp", from_port=KAFKA_IAM_PORT, to_port=KAFKA_IAM_PORT,
                    destination_security_group_id=msk_security_group_id, description="To the MSK brokers",
                )
            ],
        )  # fmt: skip
        self.broker_ingress = ec2.CfnSecurityGroupIngress(
            self,
            "BrokerIngress",
            group_id=msk_security_group_id,
            ip_protocol="tcp",
            from_port=KAFKA_IAM_PORT,
            to_port=KAFKA_IAM_PORT,
            source_security_group_id=self.security_group.attr_group_id,
            description="Kafka IAM from MSK Replicator",
        )

    @property
    def group_id(self) -> str:
        return self.security_group.attr_group_id
