"""Route53FailoverStack (each serving region, phase 5): the health check and origin records of its ALB.

The health check's alarm lives in us-east-1, where Route 53 publishes its metrics; us-east-1
deploys after the serving regions, so this stack leaves the health check id there in SSM.
"""

from __future__ import annotations

from typing import Literal

from aws_cdk import aws_kms as kms
from constructs import Construct

from genai_infra.config.catalog import US_EAST_1
from genai_infra.constructs.cross_region_parameter import CrossRegionParameter
from genai_infra.constructs.hosted_zone import hosted_zone
from genai_infra.constructs.origin_records import AlbHealthCheck, LoadBalancerAlias, OriginRecords
from genai_infra.constructs.origin_verify import health_check_token_reference
from genai_infra.naming import health_check_id_parameter
from genai_infra.stacks.base import GenaiStack, TargetContext


class Route53FailoverStack(GenaiStack):
    def __init__(self, scope: Construct, stack_id: str, *, target: TargetContext) -> None:
        super().__init__(scope, stack_id, target=target, description="Route 53 health check and origin records")
        environment = target.environment
        name = environment.name

        alb = LoadBalancerAlias(
            dns_name=self.published("alb/dns-name"), hosted_zone_id=self.published("alb/canonical-hosted-zone-id")
        )
        self.health_check = AlbHealthCheck(
            self,
            "Alb",
            alb_dns_name=alb.dns_name,
            config=environment.edge.health_check,
            token=health_check_token_reference(name),
        ).health_check
        failover: Literal["PRIMARY", "SECONDARY"] | None = None
        if len(environment.regions) > 1:
            failover = "PRIMARY" if target.region == environment.primary_region else "SECONDARY"
        self.records = OriginRecords(
            self,
            "Origin",
            zone=hosted_zone(self, "Zone", dns=target.project.dns),
            domain=environment.domain,
            region=target.region,
            alb=alb,
            failover=failover,
            health_check=self.health_check,
        )
        self.health_check_id = CrossRegionParameter(
            self,
            "HealthCheckId",
            name=health_check_id_parameter(name, target.region),
            value=self.health_check.health_check_id,
            region=US_EAST_1,
            log_key=kms.Key.from_key_arn(self, "LogsKey", self.published("kms/logs-key-arn")),
            log_retention_days=environment.log_retention_days,
            log_removal_policy=target.stateful_removal_policy,
        )
