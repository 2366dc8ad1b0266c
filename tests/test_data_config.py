"""Data layer configuration: defaults of the issue and the rules AWS enforces that cfn-lint misses. No jsii."""

from __future__ import annotations

import pytest

from genai_infra.config import ConfigError, ProjectConfig, load_config
from genai_infra.naming import data_resource_id, region_code

TAIPEI = "ap-east-2"
TOKYO = "ap-northeast-1"
PROD_TAIPEI = f"environments.production.regions.{TAIPEI}"
PROD_TOKYO = f"environments.production.regions.{TOKYO}"
DEV_TOKYO = f"environments.development.regions.{TOKYO}"
STAGING = f"environments.staging.regions.{TAIPEI}"


@pytest.fixture(scope="module")
def defaults() -> ProjectConfig:
    return load_config()


def test_aurora_defaults(defaults: ProjectConfig) -> None:
    for environment in defaults.environments.values():
        for region in environment.regions.values():
            aurora = region.aurora
            assert aurora.engine_version == "15.17"
            assert aurora.performance_insights_retention_days == 7
            assert aurora.monitoring_interval_seconds == 60
            assert aurora.cloudwatch_log_exports == ("postgresql",)
            assert aurora.iam_authentication is True
            assert aurora.secret_rotation_days == 30


def test_redis_usage_patterns_and_memory(defaults: ProjectConfig) -> None:
    redis = defaults.environments["production"].regions[TAIPEI].redis
    assert (redis.session_ttl_seconds, redis.query_cache_ttl_seconds, redis.lock_ttl_seconds) == (1800, 300, 30)
    assert redis.maxmemory_policy == "allkeys-lru"
    assert redis.reserved_memory_percent == 20


@pytest.mark.parametrize(
    ("environment", "region", "broker", "ebs_gb"),
    [
        ("development", TOKYO, "kafka.t3.small", 10),
        ("staging", TAIPEI, "kafka.t3.small", 20),
        ("production", TAIPEI, "kafka.m7g.large", 100),
        ("production", TOKYO, "kafka.m7g.large", 100),
    ],
)
def test_msk_brokers(defaults: ProjectConfig, environment: str, region: str, broker: str, ebs_gb: int) -> None:
    config = defaults.environments[environment].regions[region]
    assert config.msk.broker_count == 3
    assert config.msk.broker_instance_type == broker
    assert config.msk.ebs_volume_gb == ebs_gb
    assert config.msk_client_zones == config.network.availability_zones


def test_identifiers_fit_aws_limits() -> None:
    assert region_code(TOKYO) == "apne1"
    assert region_code(TAIPEI) == "ape2"
    assert data_resource_id("production", TOKYO, TAIPEI, "redis") == "genai-demo-production-apne1-redis"
    assert data_resource_id("production", TAIPEI, TAIPEI, "redis") == "genai-demo-production-redis"
    assert len(data_resource_id("development", TOKYO, TAIPEI, "redis")) <= 40


REFUSED = {
    "Aurora class that does not exist": (
        [f'{PROD_TOKYO}.aurora.reader_instance_classes=["db.r6g.large", "db.r6g.medium"]'],
        "unknown Aurora PostgreSQL instance class 'db.r6g.medium'",
    ),
    "Aurora major version other than 15": ([f'{STAGING}.aurora.engine_version="14.9"'], "should match pattern"),
    "Serverless max above 256": ([f"{DEV_TOKYO}.aurora.serverless_max_acu=300"], "0 <= min <= max <= 256"),
    "Serverless min above max": (
        [f"{DEV_TOKYO}.aurora.serverless_min_acu=4", f"{DEV_TOKYO}.aurora.serverless_max_acu=2"],
        "0 <= min <= max <= 256",
    ),
    "Serverless max below 1": ([f"{DEV_TOKYO}.aurora.serverless_max_acu=0.5"], "max >= 1"),
    "Serverless off the 0.5 grid": ([f"{DEV_TOKYO}.aurora.serverless_max_acu=2.25"], "steps of 0.5 ACU"),
    "Serverless with instance classes": (
        [f"{DEV_TOKYO}.aurora.writer_instance_class=db.r6g.large"],
        "takes no instance classes",
    ),
    "Enhanced monitoring interval AWS refuses": (
        [f"{STAGING}.aurora.monitoring_interval_seconds=45"],
        "monitoring_interval_seconds",
    ),
    "Aurora global secondary without primary": (
        [f"{PROD_TAIPEI}.aurora.global_role=none"],
        "aurora of production needs exactly one global primary",
    ),
    "Redis global datastore on burstable nodes": (
        [f"{PROD_TAIPEI}.redis.node_type=cache.t4g.medium"],
        "global datastore needs a non-burstable node type of size large or above",
    ),
    "Redis other than 7.0": ([f"{STAGING}.redis.engine_version=6.2"], "redis.engine_version"),
    "Redis global secondary without primary": (
        [f"{PROD_TAIPEI}.redis.global_role=none"],
        "redis of production needs exactly one global primary",
    ),
    "MSK brokers not a multiple of the zones": (
        [f"{STAGING}.msk.broker_count=4"],
        "multiple of its 3 client subnet zones, got 4",
    ),
    "MSK Replicator on t3.small brokers": (
        [f"{PROD_TOKYO}.msk.broker_instance_type=kafka.t3.small"],
        "MSK Replicator needs kafka.m5.large or larger brokers, but ap-northeast-1 uses kafka.t3.small",
    ),
}


@pytest.mark.parametrize(("overrides", "phrase"), list(REFUSED.values()), ids=list(REFUSED))
def test_refused_data_override_is_one_clear_sentence(overrides: list[str], phrase: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(overrides=overrides)
    message = str(raised.value)
    assert phrase in message
    assert "\n" not in message
    assert message.endswith(".")


@pytest.mark.parametrize(
    "overrides",
    [
        [f"{DEV_TOKYO}.aurora.serverless_max_acu=256"],
        [f"{DEV_TOKYO}.aurora.serverless_min_acu=0.5", f"{DEV_TOKYO}.aurora.serverless_max_acu=1.5"],
        [f"{STAGING}.msk.broker_count=6"],
        [f"{PROD_TAIPEI}.redis.node_type=cache.m7g.large"],
    ],
)
def test_accepted_data_override(overrides: list[str]) -> None:
    load_config(overrides=overrides)
