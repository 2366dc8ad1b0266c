"""Platform: logs, traces and dashboards (observability), and who is alerted at which thresholds."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from genai_infra.config.fields import EmailAddress, Frozen

HttpsUrl = Annotated[str, Field(pattern=r"^https://[^\s]+$")]


class ObservabilityConfig(Frozen):
    """Log groups, X-Ray and Grafana of each serving region (spec: monitoring cost control)."""

    # Spec: "X-Ray Sampling: 10% sampling rate for cost control".
    xray_sampling_rate: float = Field(default=0.10, gt=0, le=1)
    xray_reservoir_per_second: int = Field(default=1, ge=0)
    # Amazon Managed Grafana, where the region offers it (catalog.GRAFANA_REGIONS); billed per active user.
    grafana: bool = False


class AlertingConfig(Frozen):
    """Who is told, and the thresholds of the alarms (a breach of any of them means users notice soon)."""

    critical_emails: tuple[EmailAddress, ...] = ()
    warning_emails: tuple[EmailAddress, ...] = ()
    # Chat webhooks (e.g. an incoming-webhook relay) subscribed to the critical topic over HTTPS.
    critical_https_endpoints: tuple[HttpsUrl, ...] = ()
    alb_5xx_per_5_minutes: int = Field(default=10, ge=1)
    p99_latency_seconds: float = Field(default=2.0, gt=0)
    aurora_cpu_percent: float = Field(default=80, gt=0, le=100)
    aurora_freeable_memory_mib: int = Field(default=512, ge=1)
    aurora_replica_lag_ms: int = Field(default=1000, ge=1)
    aurora_global_replication_lag_ms: int = Field(default=1000, ge=1)
    redis_engine_cpu_percent: float = Field(default=80, gt=0, le=100)
    redis_memory_percent: float = Field(default=80, gt=0, le=100)
    redis_evictions_per_5_minutes: int = Field(default=100, ge=0)
    redis_replication_lag_seconds: float = Field(default=1.0, gt=0)
    msk_disk_used_percent: float = Field(default=80, gt=0, le=100)
    app_container_restarts_per_5_minutes: int = Field(default=3, ge=1)
    # Node metrics of the Prometheus node exporter. The kubelet evicts pods below 10 % free on the
    # node's filesystem and below 100Mi available memory; these warn before it does.
    node_filesystem_free_percent: float = Field(default=15, gt=0, lt=100)
    node_memory_available_mib: int = Field(default=256, ge=1)
