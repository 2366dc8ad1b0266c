"""DNS and edge: the hosted zone, the Route 53 failover health check, CloudFront and WAF (decision S3)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from genai_infra.config.fields import Frozen
from genai_infra.tls_policies import CLOUDFRONT_TLS12_POLICIES, cloudfront_policy_keeps_tls12


class DnsConfig(Frozen):
    zone_name: str = "genai-demo.kimkao.io"
    # The hosted zone is passed in, never looked up. Left unset, stacks read it at deploy time
    # from the SSM parameter /genai-demo/common/dns/hosted-zone-id, created once per account.
    zone_id: str | None = Field(default=None, pattern=r"^Z[A-Z0-9]{1,31}$")


class FailoverHealthCheckConfig(Frozen):
    """The Route 53 health check on each serving region's ALB, and its alarm in us-east-1."""

    path: str = Field(default="/actuator/health/readiness", pattern=r"^/[A-Za-z0-9._~/-]*$")
    # Route 53 offers exactly these two intervals (fast checks cost more, and detect in 30 s instead of 90 s).
    request_interval_seconds: Literal[10, 30] = 10
    failure_threshold: int = Field(default=3, ge=1, le=10)
    # HealthCheckStatus is published once a minute; the alarm fires after this many unhealthy minutes.
    alarm_evaluation_minutes: int = Field(default=1, ge=1, le=60)


class EdgeConfig(Frozen):
    """CloudFront and WAF in us-east-1 (decision S3)."""

    # PriceClass_200 adds the Asian edge locations (Taiwan, Japan, Hong Kong, ...) where the users are.
    price_class: Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"] = "PriceClass_200"
    # Cost section: cache static content; everything else goes to the origin uncached.
    static_paths: tuple[Annotated[str, Field(pattern=r"^[A-Za-z0-9_.*/-]{1,255}$")], ...] = (
        "/static/*",
        "/assets/*",
        "*.js",
        "*.css",
    )
    # CloudFront's viewer TLS policy; anything below TLS 1.2 is refused (genai_infra.tls_policies).
    minimum_protocol_version: str = "TLSv1.2_2021"
    # Requests one client IP may send in the window before WAF blocks it (WAF's minimum is 10).
    waf_rate_limit: int = Field(default=2000, ge=10, le=2_000_000_000)
    waf_rate_window_seconds: Literal[60, 120, 300, 600] = 300
    health_check: FailoverHealthCheckConfig = FailoverHealthCheckConfig()

    @field_validator("minimum_protocol_version")
    @classmethod
    def _tls12_floor(cls, value: str) -> str:
        if not cloudfront_policy_keeps_tls12(value):
            raise ValueError(
                f"{value} is not a CloudFront security policy with TLS 1.2 as its floor; use one of "
                f"{', '.join(CLOUDFRONT_TLS12_POLICIES)}"
            )
        return value
