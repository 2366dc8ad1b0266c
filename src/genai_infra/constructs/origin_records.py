"""A serving region's origin names in the hosted zone, and the Route 53 health check of its ALB.

Each region writes its own records into the one hosted zone (decision S2):
- `origin-<region>.<domain>`: a simple alias to this region's ALB (CloudFront's secondary origin);
- `origin.<domain>`: the failover alias, PRIMARY in the primary region and SECONDARY elsewhere,
  each with its region's health check; a simple alias where the environment has one region.
The ALB is known by the DNS name and hosted zone id EKSStack publishes, not by a construct.
"""

from __future__ import annotations

from typing import Literal

import jsii
from aws_cdk import Duration
from aws_cdk import aws_route53 as route53
from constructs import Construct

from genai_infra.config.edge import FailoverHealthCheckConfig
from genai_infra.naming import HEALTH_CHECK_TOKEN_KEY, origin_domain, regional_origin_domain

HTTPS_PORT = 443


@jsii.implements(route53.IAliasRecordTarget)
class LoadBalancerAlias:
    """An alias target from an ALB's DNS name and canonical hosted zone id (tokens read from SSM)."""

    def __init__(self, *, dns_name: str, hosted_zone_id: str) -> None:
        self.dns_name = dns_name
        self.hosted_zone_id = hosted_zone_id

    def bind(
        self, _record: route53.IRecordSet, _zone: route53.IHostedZone | None = None
    ) -> route53.AliasRecordTargetConfig:
        # Evaluate target health: with no healthy target in the ALB, Route 53 answers with the other region.
        return route53.AliasRecordTargetConfig(
            dns_name=self.dns_name, hosted_zone_id=self.hosted_zone_id, evaluate_target_health=True
        )


class AlbHealthCheck(Construct):
    """HTTPS on the ALB's own DNS name, port 443, the readiness path with the health-check token (the
    ALB's one exemption from the origin header check: Route 53 cannot send headers, but its resource
    path may carry a query string)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        alb_dns_name: str,
        config: FailoverHealthCheckConfig,
        token: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.health_check = route53.HealthCheck(
            self,
            "HealthCheck",
            type=route53.HealthCheckType.HTTPS,
            fqdn=alb_dns_name,
            port=HTTPS_PORT,
            resource_path=f"{config.path}?{HEALTH_CHECK_TOKEN_KEY}={token}",
            request_interval=Duration.seconds(config.request_interval_seconds),
            failure_threshold=config.failure_threshold,
            # Route 53 does not validate the endpoint's certificate. The ALB's certificate names
            # *.<domain>, never the ALB's own DNS name, so sending that name in SNI would only make
            # every checker fail the first handshake and retry without it: SNI stays off.
            enable_sni=False,
        )


class OriginRecords(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        zone: route53.IHostedZone,
        domain: str,
        region: str,
        alb: LoadBalancerAlias,
        failover: Literal["PRIMARY", "SECONDARY"] | None,
        health_check: route53.IHealthCheck,
    ) -> None:
        super().__init__(scope, construct_id)
        target = route53.RecordTarget.from_alias(alb)
        self.regional = route53.ARecord(
            self,
            "Regional",
            zone=zone,
            record_name=regional_origin_domain(domain, region),
            target=target,
            comment=f"The ALB of {region}",
        )
        if failover is None:
            self.origin = route53.ARecord(
                self,
                "Origin",
                zone=zone,
                record_name=origin_domain(domain),
                target=target,
                comment=f"The only serving region, {region}",
            )
            return
        self.origin = route53.ARecord(
            self,
            "Origin",
            zone=zone,
            record_name=origin_domain(domain),
            target=target,
            failover=route53.Failover[failover],
            set_identifier=region,
            health_check=health_check,
            comment=f"{failover} origin: the ALB of {region}",
        )


class DirectRecord(Construct):
    """`<domain>`: a simple alias to the one ALB of an environment without the edge (decision C12)."""

    def __init__(
        self, scope: Construct, construct_id: str, *, zone: route53.IHostedZone, domain: str, alb: LoadBalancerAlias
    ) -> None:
        super().__init__(scope, construct_id)
        self.record = route53.ARecord(
            self,
            "App",
            zone=zone,
            record_name=domain,
            target=route53.RecordTarget.from_alias(alb),
            comment="The application, straight to its ALB (no CloudFront, no failover)",
        )
