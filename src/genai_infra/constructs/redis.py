"""An ElastiCache Redis OSS replication group, standalone or a member of a global datastore.

L1 resources: there is no L2 for ElastiCache. A global secondary takes its engine, version,
node type, parameter group, encryption settings and AUTH token from the global datastore
(CloudFormation refuses them on a secondary member), so it only sets placement and size.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import RemovalPolicy
from aws_cdk import aws_elasticache as elasticache
from constructs import Construct

from genai_infra.config.data import RedisConfig
from genai_infra.nag import AWS_SOLUTIONS, NIST, acknowledge, skip_checkov

REDIS_PORT = 6379


@dataclass(frozen=True)
class RedisPlacement:
    subnet_ids: list[str]
    security_group_id: str
    storage_key_arn: str
    removal_policy: RemovalPolicy


class RedisReplicationGroup(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        group_id: str,
        config: RedisConfig,
        placement: RedisPlacement,
        auth_token: str | None,
        global_datastore_id: str | None,
    ) -> None:
        super().__init__(scope, construct_id)
        secondary = config.global_role == "secondary"
        if secondary != (global_datastore_id is not None) or secondary == (auth_token is not None):
            raise ValueError("a global secondary joins a datastore and takes no AUTH token; other groups need one")
        self.subnet_group = elasticache.CfnSubnetGroup(
            self,
            "SubnetGroup",
            cache_subnet_group_name=f"{group_id}-subnets",
            description=f"{group_id}: the database subnets (decision C4)",
            subnet_ids=placement.subnet_ids,
        )
        self.parameter_group: elasticache.CfnParameterGroup | None = None
        if not secondary:
            self.parameter_group = elasticache.CfnParameterGroup(
                self,
                "ParameterGroup",
                cache_parameter_group_family=config.parameter_group_family,
                description=f"{group_id}: {config.maxmemory_policy}, {100 - config.reserved_memory_percent} % for data",
                properties={
                    "maxmemory-policy": config.maxmemory_policy,
                    "reserved-memory-percent": str(config.reserved_memory_percent),
                },
            )
        nodes = 1 + config.replicas
        self.group = elasticache.CfnReplicationGroup(
            self,
            "ReplicationGroup",
            replication_group_id=group_id,
            replication_group_description=f"genai-demo Redis {group_id}",
            global_replication_group_id=global_datastore_id,
            engine=None if secondary else "redis",
            engine_version=None if secondary else config.engine_version,
            cache_node_type=None if secondary else config.node_type,
            cache_parameter_group_name=None if self.parameter_group is None else self.parameter_group.ref,
            num_cache_clusters=nodes,
            automatic_failover_enabled=config.multi_az,
            multi_az_enabled=config.multi_az,
            cache_subnet_group_name=self.subnet_group.ref,
            security_group_ids=[placement.security_group_id],
            port=REDIS_PORT,
            at_rest_encryption_enabled=None if secondary else True,
            transit_encryption_enabled=None if secondary else True,
            kms_key_id=placement.storage_key_arn,
            auth_token=auth_token,
            snapshot_window=config.snapshot_window_utc,
            snapshot_retention_limit=config.snapshot_retention_days,
            preferred_maintenance_window=config.maintenance_window_utc,
            auto_minor_version_upgrade=True,
        )
        self.group.apply_removal_policy(placement.removal_policy)
        acknowledge(
            self.group,
            f"{AWS_SOLUTIONS}-AEC5",
            "Redis keeps the standard port 6379: the specification's database security group opens exactly 6379, "
            "and only to the application's security group.",
        )
        if not config.multi_az:
            reason = (
                "The cost section keeps Multi-AZ for production only: staging and development run one cache node, "
                "whose contents the application rebuilds from the database."
            )
            acknowledge(self.group, f"{AWS_SOLUTIONS}-AEC4", reason)
        if config.snapshot_retention_days < 15:
            acknowledge(
                self.group,
                f"{NIST}-ElastiCacheRedisClusterAutomaticBackup",
                f"{config.snapshot_retention_days} days of snapshots are configured: the cache holds sessions and "
                "query results the application rebuilds, and production's primary region keeps 30 days.",
            )
        if secondary:
            reason = (
                "A global datastore secondary inherits at-rest and in-transit encryption and the AUTH token from the "
                "encrypted primary; CloudFormation refuses these properties on a secondary member."
            )
            acknowledge(self.group, f"{AWS_SOLUTIONS}-AEC3", reason)
            acknowledge(self.group, f"{AWS_SOLUTIONS}-AEC6", reason)
            # checkov: at-rest encryption, in-transit encryption, in-transit encryption with an AUTH token.
            for check in ("CKV_AWS_29", "CKV_AWS_30", "CKV_AWS_31"):
                skip_checkov(self.group, check, reason)

    @property
    def primary_endpoint(self) -> str:
        return self.group.attr_primary_end_point_address

    @property
    def reader_endpoint(self) -> str:
        return self.group.attr_reader_end_point_address
