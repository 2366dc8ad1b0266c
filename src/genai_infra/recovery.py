"""What the synthesized templates promise if a region is lost: RPO and RTO per component.

Pure Python over template JSON. Timings the templates set (health-check interval and threshold,
backup schedules, backup retention) are read from them; timings AWS sets are constants below,
each with the AWS statement it comes from. A component the environment does not replicate says
so, and its recovery falls back to backups.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

Templates = Mapping[str, Mapping[str, Mapping[str, Any]]]  # region -> stack -> template

# AWS's own figures (Aurora, ElastiCache and Route 53 user guides).
AURORA_GLOBAL_LAG_SECONDS = 1  # "typically under a second" of storage-level replication lag
AURORA_GLOBAL_FAILOVER_SECONDS = 60  # managed cross-Region failover: "typically" about a minute
AURORA_PITR_SECONDS = 300  # the latest restorable time trails by up to 5 minutes
REDIS_GLOBAL_LAG_SECONDS = 1  # global datastore: "latency of typically under one second"
REDIS_GLOBAL_PROMOTION_SECONDS = 60  # promoting a secondary cluster: "less than a minute"
ALIAS_TO_ALB_TTL_SECONDS = 60  # an alias to an ALB answers with the ALB's 60-second TTL
CRON_INTERVALS = {"daily": 86_400, "weekly": 7 * 86_400, "monthly": 31 * 86_400}


@dataclass(frozen=True)
class RecoveryPath:
    component: str
    mechanism: str
    rpo_seconds: int | None  # None: no bound can be stated
    rto_seconds: int | None
    basis: str


def _resources(templates: Templates, resource_type: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (region, resource.get("Properties", {}))
        for region, stacks in templates.items()
        for template in stacks.values()
        for resource in template.get("Resources", {}).values()
        if resource.get("Type") == resource_type
    ]


def cron_interval_seconds(expression: str) -> int:
    """Seconds between runs of an AWS Backup cron: cron(min hour day-of-month month day-of-week year)."""
    match = re.fullmatch(r"cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)", expression)
    if match is None:
        raise ValueError(f"{expression!r} is not a cron expression")
    _, _, day_of_month, _, day_of_week, _ = match.groups()
    if day_of_month not in ("*", "?"):
        return CRON_INTERVALS["monthly"]
    if day_of_week not in ("*", "?"):
        return CRON_INTERVALS["weekly"]
    return CRON_INTERVALS["daily"]


def _dns_failover(templates: Templates) -> tuple[int, str] | None:
    checks = [props.get("HealthCheckConfig", {}) for _, props in _resources(templates, "AWS::Route53::HealthCheck")]
    failover = [props for _, props in _resources(templates, "AWS::Route53::RecordSet") if props.get("Failover")]
    if not checks or not failover:
        return None
    detection = max(int(c.get("RequestInterval", 30)) * int(c.get("FailureThreshold", 3)) for c in checks)
    seconds = detection + ALIAS_TO_ALB_TTL_SECONDS
    return seconds, f"health check {detection} s (interval x failure threshold) + {ALIAS_TO_ALB_TTL_SECONDS} s TTL"


def _aurora(templates: Templates, dns: tuple[int, str] | None) -> RecoveryPath:
    secondaries = [p for _, p in _resources(templates, "AWS::RDS::DBCluster") if p.get("GlobalClusterIdentifier")]
    globals_ = _resources(templates, "AWS::RDS::GlobalCluster")
    if globals_ and secondaries:
        rto = AURORA_GLOBAL_FAILOVER_SECONDS + (dns[0] if dns else 0)
        return RecoveryPath(
            "Aurora PostgreSQL",
            "global database: secondary cluster in another region",
            AURORA_GLOBAL_LAG_SECONDS,
            rto,
            f"AWS: replication lag typically < 1 s, managed failover about {AURORA_GLOBAL_FAILOVER_SECONDS} s"
            + (f"; traffic moves after {dns[1]}" if dns else ""),
        )
    clusters = _resources(templates, "AWS::RDS::DBCluster")
    if not clusters:
        return RecoveryPath("Aurora PostgreSQL", "none in this environment", None, None, "no DBCluster")
    retention = min(int(p.get("BackupRetentionPeriod", 1)) for _, p in clusters)
    return RecoveryPath(
        "Aurora PostgreSQL",
        f"point-in-time restore in the same region ({retention}-day backups)",
        AURORA_PITR_SECONDS,
        None,
        "restorable to within 5 minutes; a restore takes as long as the volume needs (hours for large ones); "
        "a region loss is recovered from AWS Backup copies only",
    )


def _redis(templates: Templates) -> RecoveryPath:
    if _resources(templates, "AWS::ElastiCache::GlobalReplicationGroup"):
        return RecoveryPath(
            "ElastiCache Redis",
            "global datastore: secondary replication group in another region",
            REDIS_GLOBAL_LAG_SECONDS,
            REDIS_GLOBAL_PROMOTION_SECONDS,
            "AWS: cross-region latency typically < 1 s, promotion < 1 minute",
        )
    groups = _resources(templates, "AWS::ElastiCache::ReplicationGroup")
    if not groups:
        return RecoveryPath("ElastiCache Redis", "none in this environment", None, None, "no ReplicationGroup")
    return RecoveryPath(
        "ElastiCache Redis",
        "daily snapshot (cache contents are rebuilt from the database)",
        CRON_INTERVALS["daily"],
        None,
        "sessions and cached queries since the last snapshot are lost; the cache refills on use",
    )


def _kafka(templates: Templates) -> RecoveryPath:
    if _resources(templates, "AWS::MSK::Replicator"):
        return RecoveryPath(
            "MSK Kafka",
            "MSK Replicator to the other region",
            None,
            None,
            "asynchronous; AWS states no bound: watch the replicator's ReplicationLatency metric",
        )
    if not _resources(templates, "AWS::MSK::Cluster"):
        return RecoveryPath("MSK Kafka", "none in this environment", None, None, "no MSK cluster")
    return RecoveryPath(
        "MSK Kafka",
        "three brokers across three AZs (no copy in another region)",
        None,
        None,
        "a region loss loses the topics",
    )


def _backups(templates: Templates) -> Iterable[RecoveryPath]:
    for region, props in _resources(templates, "AWS::Backup::BackupPlan"):
        for rule in props.get("BackupPlan", {}).get("BackupPlanRule", []):
            copies = rule.get("CopyActions") or []
            where = "copied to another region" if copies else f"in {region} only"
            yield RecoveryPath(
                f"AWS Backup rule {rule['RuleName']}",
                f"{rule['ScheduleExpression']}, kept {rule['Lifecycle']['DeleteAfterDays']} days, {where}",
                cron_interval_seconds(rule["ScheduleExpression"]),
                None,
                "worst case loses everything since the previous run; restore time depends on size",
            )


def recovery_paths(templates: Templates) -> list[RecoveryPath]:
    """Every component's recovery path in the environment whose templates (by region) are given."""
    dns = _dns_failover(templates)
    paths = [_aurora(templates, dns), _redis(templates), _kafka(templates)]
    if dns is not None:
        paths.append(RecoveryPath("Route 53 failover", "health-checked failover records", 0, dns[0], dns[1]))
    paths.extend(_backups(templates))
    return paths


def templates_by_region(assemblies: Iterable[Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """region -> stack -> template, from the cloud assemblies of one environment."""
    return {
        assembly.target.region: {stack: assembly.template(stack) for stack in assembly.templates}
        for assembly in assemblies
    }
