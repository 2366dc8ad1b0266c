"""MSKStack: the Kafka cluster of the region and, in the DR region, MSK Replicator (phase 2).

The source cluster's ARN ends in a UUID AWS assigns, and the replicator also needs the source
VPC's subnets and security group: the source region publishes them to its SSM parameters and the
target region reads them cross-region at deploy time (`RemoteParameter`).
"""

from __future__ import annotations

from aws_cdk import Fn
from aws_cdk import aws_kms as kms
from constructs import Construct

from genai_infra.constructs.kafka import KafkaClientGroup, KafkaCluster, KafkaPlacement
from genai_infra.constructs.kafka_replicator import KafkaReplicator, ReplicatedCluster
from genai_infra.constructs.remote_parameter import RemoteParameter, RemoteParameterLogs
from genai_infra.constructs.shared_values import PublishedValues
from genai_infra.naming import data_resource_id, log_group_name, region_code
from genai_infra.stacks.base import GenaiStack, TargetContext

REPLICATOR_GROUP_KEY = "msk/replicator-security-group-id"


def _client_subnets(private_subnet_ids: str, msk_subnet_ids: str) -> list[str]:
    """Decision C5: the two private subnets and the third-AZ MSK subnet, one broker in each."""
    return [*Fn.split(",", private_subnet_ids, assumed_length=2), msk_subnet_ids]


class MSKStack(GenaiStack):
    def __init__(self, scope: Construct, stack_id: str, *, target: TargetContext) -> None:
        super().__init__(scope, stack_id, target=target, description="MSK Kafka cluster and cross-region replication")
        environment = target.environment
        env = environment.name
        config = environment.regions[target.region].msk
        replication_sources = [
            name for name, region in environment.regions.items() if region.msk.replicate_to_region == target.region
        ]
        is_source = config.replicate_to_region is not None

        def cluster_name(region: str) -> str:
            return data_resource_id(env, region, environment.primary_region, "msk")

        self.kafka = KafkaCluster(
            self,
            "Kafka",
            cluster_name=cluster_name(target.region),
            config=config,
            placement=KafkaPlacement(
                client_subnet_ids=_client_subnets(
                    self.published("network/private-subnet-ids"), self.published("network/msk-subnet-ids")
                ),
                security_group_id=self.published("network/msk-security-group-id"),
                storage_key_arn=self.published("kms/msk-key-arn"),
                logs_key=kms.Key.from_key_arn(self, "LogsKey", self.published("kms/logs-key-arn")),
                log_group_name=log_group_name(env, "msk", cluster_name(target.region)),
                removal_policy=target.stateful_removal_policy,
            ),
            replication_source=is_source,
        )
        published = {"msk/cluster-arn": self.kafka.arn, "msk/cluster-name": cluster_name(target.region)}
        replicator_group: KafkaClientGroup | None = None
        if is_source or replication_sources:
            replicator_group = KafkaClientGroup(
                self,
                "ReplicatorClients",
                vpc_id=self.published("network/vpc-id"),
                msk_security_group_id=self.published("network/msk-security-group-id"),
                group_name=f"{cluster_name(target.region)}-replicator-sg",
            )
            published[REPLICATOR_GROUP_KEY] = replicator_group.group_id
        if replication_sources and replicator_group is not None:
            (source_region,) = replication_sources
            logs_of_reads = RemoteParameterLogs(self, "RemoteParameterLogs", target=target).log_group

            def remote(key: str) -> str:
                return RemoteParameter(
                    self,
                    "Source" + "".join(part.title() for part in key.replace("/", "-").split("-")),
                    environment=env,
                    region=source_region,
                    key=key,
                    log_group=logs_of_reads,
                ).value

            self.replicator = KafkaReplicator(
                self,
                "Replication",
                replicator_name=f"{env}-{region_code(source_region)}-to-{region_code(target.region)}",
                role_name=target.role_name("msk-replicator"),
                source=ReplicatedCluster(
                    arn=remote("msk/cluster-arn"),
                    name=cluster_name(source_region),
                    region=source_region,
                    subnet_ids=_client_subnets(remote("network/private-subnet-ids"), remote("network/msk-subnet-ids")),
                    security_group_id=remote(REPLICATOR_GROUP_KEY),
                ),
                target=ReplicatedCluster(
                    arn=self.kafka.arn,
                    name=cluster_name(target.region),
                    region=target.region,
                    subnet_ids=_client_subnets(
                        self.published("network/private-subnet-ids"), self.published("network/msk-subnet-ids")
                    ),
                    security_group_id=replicator_group.group_id,
                ),
            )
        PublishedValues(self, "Published", environment=env, values=published)
