"""The environment matrix of the specification and its decisions, in one place.

Python counterpart of the document's `deploy.config.ts`. Decision numbers (C2, C3, ...) refer to
`shared/spec/decisions.md`. Users override any value with a TOML file or `key=value` pairs
(see `genai_infra.config.loader`), never by editing this module.
"""

from __future__ import annotations

import copy
from typing import Any

from genai_infra.config.catalog import TAIPEI, TOKYO


def spec_network(second_octet: int, zones: tuple[str, str, str]) -> dict[str, Any]:
    """The document's subnet plan for VPC 10.<second_octet>.0.0/16 (plus the MSK subnet of C5)."""
    base = f"10.{second_octet}"
    return {
        "vpc_cidr": f"{base}.0.0/16",
        "availability_zones": zones,
        "public_subnet_cidrs": (f"{base}.0.0/24", f"{base}.1.0/24"),
        "private_subnet_cidrs": (f"{base}.2.0/24", f"{base}.3.0/24"),
        "database_subnet_cidrs": (f"{base}.4.0/28", f"{base}.5.0/28"),
        "msk_subnet_cidr": f"{base}.6.0/24",
    }


TAIPEI_NETWORK = spec_network(0, ("ap-east-2a", "ap-east-2b", "ap-east-2c"))
TOKYO_NETWORK = spec_network(1, ("ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"))
# "Pod Resource Configuration", with decisions C7 (one KEDA ScaledObject: CPU 70 %, memory 80 % and
# the thread pool, 2 to 10 replicas) and C8 (heap 384m inside the 512Mi limit). Every environment.
SPEC_WORKLOAD: dict[str, Any] = {
    "min_replicas": 2,
    "max_replicas": 10,
    "requests": {"cpu": "100m", "memory": "128Mi"},
    "limits": {"cpu": "500m", "memory": "512Mi"},
    "java_opts": "-Xms256m -Xmx384m -XX:+UseG1GC",
    "liveness": {
        "path": "/actuator/health/liveness",
        "initial_delay_seconds": 30,
        "period_seconds": 10,
        "timeout_seconds": 5,
        "failure_threshold": 3,
    },
    "readiness": {
        "path": "/actuator/health/readiness",
        "initial_delay_seconds": 10,
        "period_seconds": 5,
        "timeout_seconds": 3,
        "failure_threshold": 3,
    },
    "cpu_target_percent": 70,
    "memory_target_percent": 80,
}

DEFAULTS: dict[str, Any] = {
    "environments": {
        "development": {
            "name": "development",
            "spring_profile": "development",
            "workload": copy.deepcopy(SPEC_WORKLOAD),
            # Decision C12: non-production environments answer at <environment>.<domain>, straight from their ALB.
            "domain": "development.genai-demo.kimkao.io",
            # C12: Security, Network, Certificate, Rds, ElastiCache (single node), EKS and the cost alerts.
            "stacks": {},
            "budget": {"monthly_limit_usd": 200, "document_estimate_usd": 150},
            # Spec backup strategy: monthly snapshots in development, kept 7 days.
            "backup": {"rules": ({"name": "monthly", "schedule": "cron(0 5 1 * ? *)", "delete_after_days": 7},)},
            # Cost section: one node outside working hours (Tokyo time, where development runs).
            "off_hours": {"enabled": True, "timezone": "Asia/Tokyo"},
            "audit_log_retention_days": 30,
            # Off: the issue keeps development without the data lake (and its kafka.t3.small brokers cannot feed it).
            "analytics": {"buffer_interval_seconds": 60, "expire_after_days": 180, "noncurrent_versions_expire_after_days": 7,
                          "query_results_expire_after_days": 7, "bytes_scanned_cutoff_per_query_gib": 1},
            "regions": {
                TOKYO: {
                    "role": "primary",
                    # Interface endpoints pay for themselves above ~390 GB/month of NAT traffic; development sends far less.
                    "network": {**TOKYO_NETWORK, "flow_log_retention_days": 30, "interface_endpoints": False},
                    # C2: 1 x t3.small, min 1, max 3; cost section: ~30 % Spot outside production.
                    "eks": {"node_group": {"instance_types": ("t3.small",), "min_size": 1, "desired_size": 1, "max_size": 3},
                            "spot_percent": 30, "spot_instance_types": ("t3.small", "t3.medium")},
                    # C1: Aurora Serverless v2, 0 (auto-pause) to 2 ACU.
                    "aurora": {"serverless_min_acu": 0, "serverless_max_acu": 2, "backup_retention_days": 7},
                    "redis": {"node_type": "cache.t3.micro"},
                    "msk": {"broker_instance_type": "kafka.t3.small", "ebs_volume_gb": 10},
                },
            },
        },
        "staging": {
            "name": "staging",
            "spring_profile": "staging",
            "workload": copy.deepcopy(SPEC_WORKLOAD),
            "domain": "staging.genai-demo.kimkao.io",
            # C12: development's set plus ObservabilityStack.
            "stacks": {"observability": True},
            "budget": {"monthly_limit_usd": 400, "document_estimate_usd": 300},
            # The document is silent on staging: weekly snapshots, kept as long as its Aurora backups (7 days).
            "backup": {"rules": ({"name": "weekly", "schedule": "cron(0 5 ? * SUN *)", "delete_after_days": 7},)},
            "off_hours": {"enabled": True, "timezone": "Asia/Taipei"},
            "analytics": {"buffer_interval_seconds": 60, "expire_after_days": 180, "noncurrent_versions_expire_after_days": 7,
                          "query_results_expire_after_days": 7, "bytes_scanned_cutoff_per_query_gib": 1},
            "regions": {
                TAIPEI: {
                    "role": "primary",
                    "network": {**TAIPEI_NETWORK, "interface_endpoints": False},
                    # C2: 2 x t3.medium, min 2, max 4.
                    # Cost section: Spot diversified over [t3.medium, t3.large, m5.large].
                    "eks": {"node_group": {"instance_types": ("t3.medium",), "min_size": 2, "desired_size": 2, "max_size": 4},
                            "spot_percent": 30, "spot_instance_types": ("t3.medium", "t3.large", "m5.large")},
                    # C3: one writer db.t4g.large.
                    "aurora": {"writer_instance_class": "db.t4g.large", "backup_retention_days": 7},
                    # C3: cache.t4g.medium, single node.
                    "redis": {"node_type": "cache.t4g.medium"},
                    "msk": {"broker_instance_type": "kafka.t3.small", "ebs_volume_gb": 20},
                },
            },
        },
        "production": {
            "name": "production",
            "spring_profile": "production",
            "workload": copy.deepcopy(SPEC_WORKLOAD),
            "domain": "genai-demo.kimkao.io",
            # C12: every stack.
            "stacks": {"elasticache": True, "msk": True, "observability": True, "alerting": True,
                       "route53_failover": True, "edge": True, "analytics": True, "disaster_recovery": True},
            "budget": {"monthly_limit_usd": 1000, "document_estimate_usd": 800},
            # Spec backup strategy: daily backups kept 30 days and copied to Tokyo (kept 7 days there), weekly
            # "manual" snapshots (the document gives no retention: 90 days), after the 03:00-05:00 UTC windows.
            "backup": {
                "rules": (
                    {"name": "daily", "schedule": "cron(0 5 * * ? *)", "delete_after_days": 30,
                     "copy_to_region": TOKYO, "copy_delete_after_days": 7},
                    {"name": "weekly", "schedule": "cron(0 6 ? * SUN *)", "delete_after_days": 90},
                ),
                "vault_lock": True,
            },
            "termination_protection": True,
            "retain_stateful_resources": True,
            "audit_log_retention_days": 365,
            # Grafana where the region offers it: Tokyo only (catalog.GRAFANA_REGIONS).
            "observability": {"grafana": True},
            "analytics": {"buffer_size_mib": 128, "noncurrent_versions_expire_after_days": 90,
                          "access_log_expire_after_days": 365, "bytes_scanned_cutoff_per_query_gib": 10},
            "regions": {
                TAIPEI: {
                    "role": "primary",
                    "network": {**TAIPEI_NETWORK, "flow_log_retention_days": 365},
                    # C2: [t3.large, t3.medium], min 2, desired 3, max 10, On-Demand.
                    "eks": {"node_group": {"instance_types": ("t3.large", "t3.medium"), "min_size": 2, "desired_size": 3, "max_size": 10}},
                    # Writer + reader db.r6g.large; global database primary; 30-day backups.
                    "aurora": {"writer_instance_class": "db.r6g.large", "reader_instance_classes": ("db.r6g.large",),
                               "global_role": "primary", "backup_retention_days": 30},
                    "redis": {"node_type": "cache.r6g.large", "replicas": 2, "global_role": "primary",
                              "snapshot_retention_days": 30},
                    "msk": {"broker_instance_type": "kafka.m7g.large", "ebs_volume_gb": 100, "replicate_to_region": TOKYO,
                            "broker_log_retention_days": 90},
                },
                # C9: the DR side runs the full stack at standby capacity and takes traffic on failover.
                TOKYO: {
                    "role": "secondary",
                    "network": {**TOKYO_NETWORK, "flow_log_retention_days": 365},
                    # C2: 2 x t3.medium standby, min 2, max 10.
                    "eks": {"node_group": {"instance_types": ("t3.medium",), "min_size": 2, "desired_size": 2, "max_size": 10}},
                    # C3: global secondary readers db.r6g.large and db.r6g.large.
                    "aurora": {"reader_instance_classes": ("db.r6g.large", "db.r6g.large"), "global_role": "secondary",
                               "backup_retention_days": 30},
                    "redis": {"node_type": "cache.r6g.large", "replicas": 1, "global_role": "secondary",
                              "snapshot_retention_days": 7},
                    "msk": {"broker_instance_type": "kafka.m7g.large", "ebs_volume_gb": 100,
                            "broker_log_retention_days": 90},
                },
            },
        },
    },
}  # fmt: skip
