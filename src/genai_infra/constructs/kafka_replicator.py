"""MSK Replicator from the primary region's cluster to this region's cluster, and its IAM role.

The replicator lives in the target region. The role may act on exactly the two clusters, their
topics and their consumer groups: cluster ARNs end in a UUID, so topics and groups are scoped
by the deterministic cluster name (`topic/<cluster-name>/*`).
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_msk as msk
from constructs import Construct

from genai_infra.nag import AWS_SOLUTIONS, acknowledge

CLUSTER_ACTIONS = ("kafka-cluster:Connect", "kafka-cluster:DescribeCluster", "kafka-cluster:AlterCluster")
TOPIC_ACTIONS = (
    "kafka-cluster:DescribeTopic",
    "kafka-cluster:CreateTopic",
    "kafka-cluster:AlterTopic",
    "kafka-cluster:ReadData",
    "kafka-cluster:WriteData",
    "kafka-cluster:DescribeTopicDynamicConfiguration",
    "kafka-cluster:AlterTopicDynamicConfiguration",
)
GROUP_ACTIONS = ("kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup")


@dataclass(frozen=True)
class ReplicatedCluster:
    """One side of the replication: its ARN, name, region and the replicator's network in its VPC."""

    arn: str
    name: str
    region: str
    subnet_ids: list[str]
    security_group_id: str


class KafkaReplicator(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        replicator_name: str,
        role_name: str,
        source: ReplicatedCluster,
        target: ReplicatedCluster,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)

        def kafka_arns(kind: str) -> list[str]:
            return [
                stack.format_arn(
                    service="kafka",
                    region=side.region,
                    resource=kind,
                    resource_name=f"{side.name}/*",
                    arn_format=ArnFormat.SLASH_RESOURCE_NAME,
                )
                for side in (source, target)
            ]

        self.policy = iam.ManagedPolicy(
            self,
            "Permissions",
            managed_policy_name=f"{role_name}-policy",
            statements=[
                iam.PolicyStatement(sid="Clusters", actions=list(CLUSTER_ACTIONS), resources=[source.arn, target.arn]),
                iam.PolicyStatement(sid="Topics", actions=list(TOPIC_ACTIONS), resources=kafka_arns("topic")),
                iam.PolicyStatement(sid="ConsumerGroups", actions=list(GROUP_ACTIONS), resources=kafka_arns("group")),
            ],
        )
        self.role = iam.Role(
            self,
            "Role",
            role_name=role_name,
            assumed_by=iam.ServicePrincipal("kafka.amazonaws.com"),
            managed_policies=[self.policy],
            description=f"MSK Replicator {replicator_name}",
        )
        acknowledge(
            self.policy,
            f"{AWS_SOLUTIONS}-IAM5",
            "Topic and consumer group ARNs embed the cluster UUID and each topic name; the wildcard is scoped to "
            "the two named clusters, whose topics the replicator copies by design.",
            *(f"Resource::{arn}" for arn in _nag_names(stack.partition, source, target)),
        )

        def cluster(side: ReplicatedCluster) -> msk.CfnReplicator.KafkaClusterProperty:
            return msk.CfnReplicator.KafkaClusterProperty(
                amazon_msk_cluster=msk.CfnReplicator.AmazonMskClusterProperty(msk_cluster_arn=side.arn),
                vpc_config=msk.CfnReplicator.KafkaClusterClientVpcConfigProperty(
                    subnet_ids=side.subnet_ids, security_group_ids=[side.security_group_id]
                ),
            )

        self.replicator = msk.CfnReplicator(
            self,
            "Replicator",
            replicator_name=replicator_name,
            description=f"Topics and consumer groups of {source.name} ({source.region}) to {target.region}",
            service_execution_role_arn=self.role.role_arn,
            kafka_clusters=[cluster(source), cluster(target)],
            replication_info_list=[
                msk.CfnReplicator.ReplicationInfoProperty(
                    source_kafka_cluster_arn=source.arn,
                    target_kafka_cluster_arn=target.arn,
                    target_compression_type="NONE",
                    topic_replication=msk.CfnReplicator.TopicReplicationProperty(
                        topics_to_replicate=[".*"],
                        copy_topic_configurations=True,
                        copy_access_control_lists_for_topics=True,
                        detect_and_copy_new_topics=True,
                        # Failover needs no client change: topics keep their names in the DR region.
                        topic_name_configuration=msk.CfnReplicator.ReplicationTopicNameConfigurationProperty(
                            type="IDENTICAL"
                        ),
                    ),
                    consumer_group_replication=msk.CfnReplicator.ConsumerGroupReplicationProperty(
                        consumer_groups_to_replicate=[".*"],
                        detect_and_copy_new_consumer_groups=True,
                        synchronise_consumer_group_offsets=True,
                    ),
                )
            ],
        )


def _nag_names(partition: str, source: ReplicatedCluster, target: ReplicatedCluster) -> list[str]:
    """The ARNs as cdk-nag prints them: the account as <AWS::AccountId>."""
    return [
        f"arn:{partition}:kafka:{side.region}:<AWS::AccountId>:{kind}/{side.name}/*"
        for kind in ("topic", "group")
        for side in (source, target)
    ]
