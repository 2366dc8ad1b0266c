"""Data: Aurora, Redis and MSK of a region, the environment's backups and its event data lake."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from genai_infra.config import catalog
from genai_infra.config.fields import CronExpression, Frozen, LogRetentionDays


class AuroraConfig(Frozen):
    """Aurora PostgreSQL 15. A cluster is either provisioned (writer/readers) or Serverless v2."""

    engine_major_version: Literal[15] = 15
    # Decision V3: the newest 15.x minor that the pinned aws-cdk-lib exposes (VER_15_17).
    engine_version: str = Field(default="15.17", pattern=r"^15\.\d+$")
    database_name: str = Field(default="genaidemo", pattern=r"^[a-z][a-z0-9_]{0,62}$")
    master_username: str = Field(default="genaidemo_admin", pattern=r"^[a-z][a-z0-9_]{0,62}$")
    # Secrets Manager rotates the master password (hosted single-user rotation) this often.
    secret_rotation_days: int = Field(default=30, ge=1, le=365)
    iam_authentication: bool = True
    cloudwatch_log_exports: tuple[Literal["postgresql"], ...] = ("postgresql",)
    writer_instance_class: str | None = None
    reader_instance_classes: tuple[str, ...] = ()
    serverless_min_acu: float | None = None
    serverless_max_acu: float | None = None
    global_role: Literal["none", "primary", "secondary"] = "none"
    backup_retention_days: int = Field(default=7, ge=1, le=35)
    backup_window_utc: str = "03:00-04:00"
    # After the backup window, so the two never overlap (RDS refuses overlapping windows).
    maintenance_window_utc: str = "sun:04:00-sun:05:00"
    performance_insights_retention_days: int = 7
    monitoring_interval_seconds: Literal[0, 1, 5, 10, 15, 30, 60] = 60

    @model_validator(mode="after")
    def _one_shape(self) -> AuroraConfig:
        for instance_class in (self.writer_instance_class, *self.reader_instance_classes):
            if instance_class is not None and instance_class not in catalog.AURORA_POSTGRES_CLASSES:
                raise ValueError(
                    f"unknown Aurora PostgreSQL instance class {instance_class!r}; use one of "
                    f"{', '.join(sorted(catalog.AURORA_POSTGRES_CLASSES))}"
                )
        serverless = self.serverless_max_acu is not None
        if serverless:
            low, high = self.serverless_min_acu or 0.0, self.serverless_max_acu or 0.0
            if not 0 <= low <= high <= 256 or high < 1:
                raise ValueError(
                    f"Serverless v2 capacity must satisfy 0 <= min <= max <= 256 ACU with max >= 1, got {low}-{high}"
                )
            if low * 2 != int(low * 2) or high * 2 != int(high * 2):
                raise ValueError(f"Serverless v2 capacity moves in steps of 0.5 ACU, got {low}-{high}")
            if self.writer_instance_class is not None or self.reader_instance_classes:
                raise ValueError("a Serverless v2 cluster takes no instance classes; remove them or serverless_max_acu")
        if self.global_role == "secondary":
            if self.writer_instance_class is not None:
                raise ValueError("a global secondary Aurora cluster has no writer; remove writer_instance_class")
            if not self.reader_instance_classes:
                raise ValueError("a global secondary Aurora cluster needs at least one reader instance class")
        elif not serverless and self.writer_instance_class is None:
            raise ValueError("set writer_instance_class, or serverless_max_acu for Aurora Serverless v2")
        return self


class RedisConfig(Frozen):
    node_type: str
    replicas: int = Field(default=0, ge=0, le=5)
    # Decision V4: Redis OSS 7.0, parameter group family redis7.
    engine_version: Literal["7.0"] = "7.0"
    parameter_group_family: Literal["redis7"] = "redis7"
    maxmemory_policy: Literal["allkeys-lru", "volatile-lru", "allkeys-lfu", "noeviction"] = "allkeys-lru"
    # The document's "max memory 80 %": Redis keeps 20 % of the node's memory for itself.
    reserved_memory_percent: int = Field(default=20, ge=0, le=100)
    global_role: Literal["none", "primary", "secondary"] = "none"
    snapshot_window_utc: str = "04:00-05:00"
    snapshot_retention_days: int = Field(default=7, ge=0, le=35)
    # After the snapshot window, so the two never overlap.
    maintenance_window_utc: str = "sun:05:00-sun:06:00"
    # The document's usage patterns, published for the application (seconds).
    session_ttl_seconds: int = Field(default=1800, ge=1)
    query_cache_ttl_seconds: int = Field(default=300, ge=1)
    lock_ttl_seconds: int = Field(default=30, ge=1)

    @field_validator("node_type")
    @classmethod
    def _known_node_type(cls, value: str) -> str:
        if value not in catalog.CACHE_NODE_TYPES:
            raise ValueError(
                f"unknown ElastiCache node type {value!r}; use one of {', '.join(sorted(catalog.CACHE_NODE_TYPES))}"
            )
        return value

    @model_validator(mode="after")
    def _global_datastore_node_family(self) -> RedisConfig:
        # AWS refuses burstable (t-family) and small nodes in a global datastore; cfn-lint does not know it.
        _, family, size = self.node_type.split(".")
        supported = family in catalog.CACHE_GLOBAL_DATASTORE_FAMILIES and size not in catalog.CACHE_SIZES_BELOW_LARGE
        if self.global_role != "none" and not supported:
            raise ValueError(
                f"an ElastiCache global datastore needs a non-burstable node type of size large or above "
                f"({', '.join(sorted(catalog.CACHE_GLOBAL_DATASTORE_FAMILIES))}), got {self.node_type}"
            )
        return self

    @property
    def multi_az(self) -> bool:
        """Multi-AZ with automatic failover needs at least one replica."""
        return self.replicas > 0


class MskConfig(Frozen):
    broker_instance_type: str
    broker_count: int = Field(default=3, ge=2)
    ebs_volume_gb: int = Field(default=20, ge=1)
    kafka_version: str = "3.9.x"
    enhanced_monitoring: Literal["DEFAULT", "PER_BROKER", "PER_TOPIC_PER_BROKER", "PER_TOPIC_PER_PARTITION"] = (
        "PER_BROKER"
    )
    broker_log_retention_days: LogRetentionDays = 7
    # Production replicates its topics to the DR region (MSK Replicator).
    replicate_to_region: str | None = None

    @property
    def supports_replicator(self) -> bool:
        """MSK Replicator supports m5.large or larger brokers, never kafka.t3.small."""
        return not self.broker_instance_type.startswith("kafka.t3.")

    @field_validator("broker_instance_type")
    @classmethod
    def _known_broker_type(cls, value: str) -> str:
        if value not in catalog.MSK_BROKER_TYPES:
            raise ValueError(
                f"unknown MSK broker type {value!r}; use one of {', '.join(sorted(catalog.MSK_BROKER_TYPES))}"
            )
        return value


class BackupRuleConfig(Frozen):
    """One AWS Backup rule: when it runs (UTC), how long recovery points live, and where copies go."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,50}$")
    # An EventBridge cron expression in UTC, e.g. cron(0 5 * * ? *) for 05:00 daily.
    schedule: CronExpression
    delete_after_days: int = Field(ge=1)
    copy_to_region: str | None = None
    copy_delete_after_days: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _copy_is_complete(self) -> BackupRuleConfig:
        if (self.copy_to_region is None) != (self.copy_delete_after_days is None):
            raise ValueError(
                f"backup rule {self.name} needs both copy_to_region and copy_delete_after_days, or neither"
            )
        return self


class BackupConfig(Frozen):
    """AWS Backup of the environment's stateful resources (selected by the Environment tag)."""

    rules: tuple[BackupRuleConfig, ...]
    # Vault lock in governance mode: recovery points cannot be deleted before min_retention_days.
    vault_lock: bool = False
    vault_lock_min_retention_days: int = Field(default=7, ge=1)
    vault_lock_max_retention_days: int = Field(default=365, ge=1)

    @model_validator(mode="after")
    def _retention_fits_the_lock(self) -> BackupConfig:
        if not self.vault_lock:
            return self
        low, high = self.vault_lock_min_retention_days, self.vault_lock_max_retention_days
        if low > high:
            raise ValueError(f"vault lock minimum retention {low} days is above its maximum {high} days")
        for rule in self.rules:
            for days in filter(None, (rule.delete_after_days, rule.copy_delete_after_days)):
                if not low <= days <= high:
                    raise ValueError(
                        f"backup rule {rule.name} keeps recovery points {days} days, outside the vault lock's "
                        f"{low}-{high} days; the vault would refuse them"
                    )
        return self


class AnalyticsConfig(Frozen):
    """The event data lake: an MSK topic, delivered by Firehose to S3, catalogued in Glue, queried by Athena."""

    # The topic the application publishes its domain events to (Kafka topic name rules).
    topic: str = Field(default="genai-demo.domain-events", pattern=r"^[a-zA-Z0-9._-]{1,249}$")
    # Firehose writes a file when either limit is reached; larger files make Athena scans cheaper.
    buffer_interval_seconds: int = Field(default=300, ge=0, le=900)
    buffer_size_mib: int = Field(default=64, ge=1, le=128)
    # Storage classes Athena can still read: Standard-IA, then Glacier Instant Retrieval.
    infrequent_access_after_days: int = Field(default=30, ge=30)
    glacier_instant_retrieval_after_days: int = Field(default=90, ge=30)
    # None keeps events for as long as the bucket exists.
    expire_after_days: int | None = Field(default=None, ge=1)
    noncurrent_versions_expire_after_days: int = Field(default=30, ge=1)
    access_log_expire_after_days: int = Field(default=90, ge=1)
    query_results_expire_after_days: int = Field(default=30, ge=1)
    # Athena cancels any query of the workgroup that would scan more than this.
    bytes_scanned_cutoff_per_query_gib: int = Field(default=10, ge=1)
    # The first day Athena's partition projection considers (format yyyy/MM/dd, as Firehose writes).
    first_partition_date: str = Field(default="2026/01/01", pattern=r"^\d{4}/\d{2}/\d{2}$")

    @model_validator(mode="after")
    def _transitions_in_order(self) -> AnalyticsConfig:
        # S3 bills Standard-IA for at least 30 days, so a later transition sooner than that costs more, not less.
        if self.glacier_instant_retrieval_after_days < self.infrequent_access_after_days + 30:
            raise ValueError(
                "glacier_instant_retrieval_after_days must be at least 30 days after infrequent_access_after_days, "
                f"got {self.infrequent_access_after_days} and {self.glacier_instant_retrieval_after_days}"
            )
        if self.expire_after_days is not None and self.expire_after_days <= self.glacier_instant_retrieval_after_days:
            raise ValueError(
                f"expire_after_days ({self.expire_after_days}) must come after the Glacier Instant Retrieval "
                f"transition ({self.glacier_instant_retrieval_after_days})"
            )
        return self

    @property
    def bytes_scanned_cutoff_per_query(self) -> int:
        return self.bytes_scanned_cutoff_per_query_gib * 1024**3
