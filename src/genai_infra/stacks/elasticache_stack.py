"""ElastiCacheStack: Redis OSS 7.0, its AUTH token, the global datastore, the cache TTLs (phase 2).

The global datastore id is `<prefix>-<suffix>`, where AWS picks the prefix per account: it cannot
be known offline. The primary region publishes the id AWS returns to its own SSM parameter; the
secondary region reads that parameter cross-region at deploy time (`RemoteParameter`) and joins.
"""

from __future__ import annotations

from aws_cdk import Fn
from aws_cdk import aws_elasticache as elasticache
from aws_cdk import aws_kms as kms
from constructs import Construct

from genai_infra.constructs.generated_secret import GeneratedSecret
from genai_infra.constructs.redis import RedisPlacement, RedisReplicationGroup
from genai_infra.constructs.remote_parameter import RemoteParameter, RemoteParameterLogs
from genai_infra.constructs.shared_values import PublishedValues
from genai_infra.nag import AWS_SOLUTIONS, NIST, acknowledge
from genai_infra.naming import data_resource_id, redis_global_datastore_suffix, secret_name
from genai_infra.stacks.base import GenaiStack, TargetContext

GLOBAL_DATASTORE_KEY = "elasticache/global-datastore-id"


class ElastiCacheStack(GenaiStack):
    def __init__(self, scope: Construct, stack_id: str, *, target: TargetContext) -> None:
        super().__init__(scope, stack_id, target=target, description="ElastiCache Redis and its AUTH token")
        environment = target.environment
        env = environment.name
        config = environment.regions[target.region].redis

        group_id = data_resource_id(env, target.region, environment.primary_region, "redis")
        name_of_secret = secret_name(env, "redis", "auth-token")
        token: GeneratedSecret | None = None
        global_id: str | None = None
        if config.global_role == "secondary":
            self.global_datastore_id = RemoteParameter(
                self,
                "GlobalDatastoreId",
                environment=env,
                region=environment.primary_region,
                key=GLOBAL_DATASTORE_KEY,
                log_group=RemoteParameterLogs(self, "RemoteParameterLogs", target=target).log_group,
            )
            global_id = self.global_datastore_id.value
        else:
            token = GeneratedSecret(
                self,
                "AuthToken",
                name=name_of_secret,
                description=f"AUTH token of Redis replication group {group_id}",
                key=kms.Key.from_key_arn(self, "SecretsKey", self.published("kms/secrets-key-arn")),
                environment=env,
                replica_regions=tuple(r for r in environment.regions if r != target.region),
                removal_policy=target.stateful_removal_policy,
                length=64,
            )
            reason = (
                "ElastiCache has no Secrets Manager rotation function for AUTH tokens. The token is rotated by "
                "putting a new secret version and applying it with AuthTokenUpdateStrategy ROTATE, which keeps the "
                "old token valid until clients have reconnected (README, Redis AUTH rotation)."
            )
            acknowledge(token.secret, f"{AWS_SOLUTIONS}-SMG4", reason)
            acknowledge(token.secret, f"{NIST}-SecretsManagerRotationEnabled", reason)
        self.redis = RedisReplicationGroup(
            self,
            "Redis",
            group_id=group_id,
            config=config,
            placement=RedisPlacement(
                subnet_ids=Fn.split(",", self.published("network/database-subnet-ids"), assumed_length=2),
                security_group_id=self.published("network/database-security-group-id"),
                storage_key_arn=self.published("kms/elasticache-key-arn"),
                removal_policy=target.snapshot_removal_policy,
            ),
            auth_token=None if token is None else token.whole,
            global_datastore_id=global_id,
        )
        published = {
            "redis/primary-endpoint": self.redis.primary_endpoint,
            "redis/reader-endpoint": self.redis.reader_endpoint,
            "redis/port": str(self.redis.group.port),
            # Node ids are <replication group>-001, -002, ...: the dimensions of the Redis alarms.
            "redis/replication-group-id": self.redis.group.ref,
            "redis/auth-token-secret-name": name_of_secret,
            # The document's usage patterns: configuration the application reads, in seconds.
            "redis/session-ttl-seconds": str(config.session_ttl_seconds),
            "redis/query-cache-ttl-seconds": str(config.query_cache_ttl_seconds),
            "redis/lock-ttl-seconds": str(config.lock_ttl_seconds),
        }
        if config.global_role == "primary":
            self.global_datastore = elasticache.CfnGlobalReplicationGroup(
                self,
                "GlobalDatastore",
                global_replication_group_id_suffix=redis_global_datastore_suffix(env),
                global_replication_group_description=f"genai-demo {env}: Redis replicated to the DR region",
                members=[
                    elasticache.CfnGlobalReplicationGroup.GlobalReplicationGroupMemberProperty(
                        replication_group_id=self.redis.group.ref,
                        replication_group_region=target.region,
                        role="PRIMARY",
                    )
                ],
            )
            self.global_datastore.apply_removal_policy(target.stateful_removal_policy)
            # AWS::ElastiCache::GlobalReplicationGroup has no Tags property; the app-wide tags would break it.
            self.global_datastore.add_property_deletion_override("Tags")
            # Ref of the global datastore is the full id, prefix included: what the secondary needs.
            published[GLOBAL_DATASTORE_KEY] = self.global_datastore.ref
        PublishedValues(self, "Published", environment=env, values=published)
