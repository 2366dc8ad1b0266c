"""ElastiCacheStack: Redis per environment and region, AUTH token, global datastore, cache TTLs."""

from __future__ import annotations

from typing import Any

import pytest

from genai_infra.config import catalog
from tests.conftest import SERVING_TARGETS, Template, render
from tests.data_layer import is_secret_reference, published, remote_read, split_ssm_key, ssm_key

# (environment, region) -> group id, node type (None: inherited from the global datastore), nodes, snapshot days
EXPECTED: dict[tuple[str, str], tuple[str, str | None, int, int]] = {
    ("development", "ap-northeast-1"): ("genai-demo-development-redis", "cache.t3.micro", 1, 7),
    ("staging", "ap-east-2"): ("genai-demo-staging-redis", "cache.t4g.medium", 1, 7),
    ("production", "ap-east-2"): ("genai-demo-production-redis", "cache.r6g.large", 3, 30),
    ("production", "ap-northeast-1"): ("genai-demo-production-apne1-redis", None, 2, 7),
}
NOT_SECONDARY = [t for t in SERVING_TARGETS if t != ("production", "ap-northeast-1")]


def _cache(template: Any, environment: str, region: str) -> Template:
    t: Template = template(environment, region, "ElastiCacheStack")
    return t


def _group(t: Template) -> tuple[str, dict[str, Any]]:
    ((logical_id, resource),) = t.of_type("AWS::ElastiCache::ReplicationGroup").items()
    return logical_id, resource


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_replication_group_of_the_environment(template: Any, environment: str, region: str) -> None:
    group_id, node_type, nodes, snapshot_days = EXPECTED[(environment, region)]
    t = _cache(template, environment, region)
    _, resource = _group(t)
    group = resource["Properties"]
    prefix = f"/genai-demo/{environment}/"
    assert group["ReplicationGroupId"] == group_id
    assert len(group_id) <= 40  # ElastiCache's limit on replication group ids
    assert group.get("CacheNodeType") == node_type
    assert group["NumCacheClusters"] == nodes
    # Production: primary + 2 replicas (DR: + 1), Multi-AZ with automatic failover; elsewhere one node.
    assert group["MultiAZEnabled"] is (nodes > 1)
    assert group["AutomaticFailoverEnabled"] is (nodes > 1)
    assert group["Port"] == 6379
    assert ssm_key(t, group["KmsKeyId"]) == f"{prefix}kms/elasticache-key-arn"
    assert [ssm_key(t, sg) for sg in group["SecurityGroupIds"]] == [f"{prefix}network/database-security-group-id"]
    subnets = t.one("AWS::ElastiCache::SubnetGroup")["SubnetIds"]
    # Decision C4: the database subnets.
    assert [split_ssm_key(t, s, i) for i, s in enumerate(subnets)] == [f"{prefix}network/database-subnet-ids"] * 2
    assert group["CacheSubnetGroupName"]["Ref"] in t.of_type("AWS::ElastiCache::SubnetGroup")
    assert group["SnapshotWindow"] == "04:00-05:00"
    assert group["SnapshotRetentionLimit"] == snapshot_days
    assert group["PreferredMaintenanceWindow"] == "sun:05:00-sun:06:00"
    # Decision S5: production keeps a final snapshot; staging too (issue 17); development may be destroyed.
    assert resource["DeletionPolicy"] == ("Snapshot" if environment in ("production", "staging") else "Delete")


@pytest.mark.parametrize(("environment", "region"), NOT_SECONDARY)
def test_engine_tls_at_rest_and_auth_token(template: Any, environment: str, region: str) -> None:
    t = _cache(template, environment, region)
    _, resource = _group(t)
    group = resource["Properties"]
    # Decision V4: Redis OSS 7.0, family redis7.
    assert group["Engine"] == "redis"
    assert group["EngineVersion"] == "7.0"
    assert group["TransitEncryptionEnabled"] is True
    assert group["AtRestEncryptionEnabled"] is True
    ((secret_id, secret_resource),) = t.of_type("AWS::SecretsManager::Secret").items()
    assert is_secret_reference(group["AuthToken"], secret_id, None)
    secret = secret_resource["Properties"]
    assert secret["Name"] == f"genai-demo/{environment}/redis/auth-token"
    assert ssm_key(t, secret["KmsKeyId"]) == f"/genai-demo/{environment}/kms/secrets-key-arn"
    assert secret["GenerateSecretString"]["PasswordLength"] == 64
    assert secret["GenerateSecretString"]["ExcludePunctuation"] is True
    assert "SecretString" not in secret
    replicas = ["ap-northeast-1"] if environment == "production" else []
    assert secret.get("ReplicaRegions", []) == [
        {"Region": r, "KmsKeyId": f"alias/genai-demo/{environment}/secrets"} for r in replicas
    ]


@pytest.mark.parametrize(("environment", "region"), NOT_SECONDARY)
def test_parameter_group_allkeys_lru_with_80_percent_for_data(template: Any, environment: str, region: str) -> None:
    t = _cache(template, environment, region)
    ((group_id, parameters),) = t.of_type("AWS::ElastiCache::ParameterGroup").items()
    assert parameters["Properties"]["CacheParameterGroupFamily"] == "redis7"
    assert parameters["Properties"]["Properties"] == {
        "maxmemory-policy": "allkeys-lru",
        "reserved-memory-percent": "20",
    }
    assert _group(t)[1]["Properties"]["CacheParameterGroupName"] == {"Ref": group_id}


def test_production_primary_creates_the_global_datastore_and_publishes_its_id(template: Any) -> None:
    t = _cache(template, "production", "ap-east-2")
    group_id, _ = _group(t)
    ((datastore_id, resource),) = t.of_type("AWS::ElastiCache::GlobalReplicationGroup").items()
    datastore = resource["Properties"]
    assert datastore["GlobalReplicationGroupIdSuffix"] == "genai-demo-production"
    assert datastore["Members"] == [
        {"ReplicationGroupId": {"Ref": group_id}, "ReplicationGroupRegion": "ap-east-2", "Role": "PRIMARY"}
    ]
    assert "Tags" not in datastore
    assert resource["DeletionPolicy"] == "Retain"
    # The id AWS returns (account prefix included) goes to SSM for the secondary region.
    assert published(t)["/genai-demo/production/elasticache/global-datastore-id"] == {"Ref": datastore_id}


def test_production_secondary_joins_the_datastore_read_from_the_primary_region(template: Any) -> None:
    t = _cache(template, "production", "ap-northeast-1")
    _, resource = _group(t)
    group = resource["Properties"]
    call = remote_read(t, group["GlobalReplicationGroupId"])
    assert call["service"] == "SSM"
    assert call["action"] == "getParameter"
    assert call["region"] == "ap-east-2"
    assert call["parameters"] == {"Name": "/genai-demo/production/elasticache/global-datastore-id"}
    # Inherited from the global datastore; CloudFormation refuses them on a secondary member.
    for absent in (
        "Engine", "EngineVersion", "CacheNodeType", "CacheParameterGroupName",
        "AtRestEncryptionEnabled", "TransitEncryptionEnabled", "AuthToken",
    ):  # fmt: skip
        assert absent not in group
    assert t.of_type("AWS::SecretsManager::Secret") == {}
    assert t.of_type("AWS::ElastiCache::ParameterGroup") == {}
    # The reader may read exactly that parameter in ap-east-2.
    ((_, policy),) = t.of_type("AWS::IAM::Policy").items()
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Action"] == "ssm:GetParameter"
    assert render(statement["Resource"]) == (
        "arn:aws:ssm:ap-east-2:${AWS::AccountId}:parameter/genai-demo/production/elasticache/global-datastore-id"
    )
    log_group = t.one("AWS::Logs::LogGroup")
    assert ssm_key(t, log_group["KmsKeyId"]) == "/genai-demo/production/kms/logs-key-arn"


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_endpoints_secret_name_and_usage_pattern_ttls_are_published(
    template: Any, environment: str, region: str
) -> None:
    t = _cache(template, environment, region)
    group_id, _ = _group(t)
    values = published(t)
    prefix = f"/genai-demo/{environment}/redis/"
    assert values[f"{prefix}primary-endpoint"] == {"Fn::GetAtt": [group_id, "PrimaryEndPoint.Address"]}
    assert values[f"{prefix}reader-endpoint"] == {"Fn::GetAtt": [group_id, "ReaderEndPoint.Address"]}
    assert values[f"{prefix}port"] == "6379"
    assert values[f"{prefix}auth-token-secret-name"] == f"genai-demo/{environment}/redis/auth-token"
    # The document's usage patterns: session 30 min, query cache 5 min, lock 30 s.
    assert values[f"{prefix}session-ttl-seconds"] == "1800"
    assert values[f"{prefix}query-cache-ttl-seconds"] == "300"
    assert values[f"{prefix}lock-ttl-seconds"] == "30"


# --- Rules AWS enforces that cfn-lint does not check ------------------------------------------


@pytest.mark.parametrize(("environment", "region"), NOT_SECONDARY)
def test_node_types_exist(template: Any, environment: str, region: str) -> None:
    assert _group(_cache(template, environment, region))[1]["Properties"]["CacheNodeType"] in catalog.CACHE_NODE_TYPES


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_a_global_datastore_member_is_never_burstable(template: Any, environment: str, region: str) -> None:
    t = _cache(template, environment, region)
    group = _group(t)[1]["Properties"]
    if "GlobalReplicationGroupId" in group:
        # The secondary inherits the primary's node type: check the primary region's template.
        group = _group(_cache(template, environment, "ap-east-2"))[1]["Properties"]
    elif not t.of_type("AWS::ElastiCache::GlobalReplicationGroup"):
        return
    _, family, size = group["CacheNodeType"].split(".")
    assert family in catalog.CACHE_GLOBAL_DATASTORE_FAMILIES
    assert size not in catalog.CACHE_SIZES_BELOW_LARGE
