"""EdgeStack (us-east-1, phase 5): CloudFront, its WAF web ACL, access logs, DNS, and the failover alarms.

CloudFront takes its certificate and web ACL from us-east-1 only (decision S3), and Route 53
publishes health check metrics only there, so the alarms on the serving regions' health checks
live here too. Shield Standard covers the distribution automatically; Shield Advanced is not bought.
"""

from __future__ import annotations

from aws_cdk import ArnFormat
from aws_cdk import aws_sns as sns
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from genai_infra.config import EnvironmentConfig
from genai_infra.constructs.edge_distribution import EdgeDistribution
from genai_infra.constructs.edge_logs import CloudFrontAccessLogs, EdgeLogGroups, log_group_arn
from genai_infra.constructs.hosted_zone import hosted_zone
from genai_infra.constructs.origin_health_alarm import OriginHealthAlarm
from genai_infra.constructs.origin_verify import origin_verify_reference
from genai_infra.constructs.web_acl import EdgeWebAcl
from genai_infra.naming import alert_topic_name, health_check_id_parameter, origin_domain, regional_origin_domain
from genai_infra.stacks.base import GenaiStack, TargetContext


class EdgeStack(GenaiStack):
    def __init__(self, scope: Construct, stack_id: str, *, target: TargetContext) -> None:
        super().__init__(scope, stack_id, target=target, description="CloudFront, WAF and the origin health alarms")
        environment = target.environment
        name, domain = environment.name, environment.domain
        self.logs = EdgeLogGroups(
            self,
            "Logs",
            environment=name,
            retention_days=environment.audit_log_retention_days,
            removal_policy=target.stateful_removal_policy,
        )
        self.waf = EdgeWebAcl(
            self,
            "Waf",
            environment=name,
            config=environment.edge,
            log_group_arn=log_group_arn(self, self.logs.waf_name),
        )
        self.waf.logging.node.add_dependency(self.logs.waf, self.logs.delivery_policy)
        secondary = [region for region, config in environment.regions.items() if config.role == "secondary"]
        self.edge = EdgeDistribution(
            self,
            "Cdn",
            environment=name,
            domain=domain,
            primary_origin=origin_domain(domain),
            secondary_origin=regional_origin_domain(domain, secondary[0]) if secondary else None,
            origin_verify=origin_verify_reference(name),
            certificate_arn=self.published("certificate/arn"),
            web_acl_arn=self.waf.web_acl.attr_arn,
            config=environment.edge,
            zone=hosted_zone(self, "Zone", dns=target.project.dns),
        )
        self.access_logs = CloudFrontAccessLogs(
            self,
            "AccessLogs",
            environment=name,
            distribution_arn=self.edge.distribution.distribution_arn,
            log_groups=self.logs,
        )
        # AlertingStack (phase 4) of this region owns the topic; its name is deterministic.
        critical = sns.Topic.from_topic_arn(
            self,
            "Critical",
            self.format_arn(
                service="sns", resource=alert_topic_name(name, "critical"), arn_format=ArnFormat.NO_RESOURCE_NAME
            ),
        )
        self.alarms = {
            region: OriginHealthAlarm(
                self,
                f"Health-{region}",
                alarm_name=f"genai-demo-{name}-{region}-origin-unhealthy",
                description=_alarm_description(environment, region),
                health_check_id=ssm.StringParameter.value_for_string_parameter(
                    self, health_check_id_parameter(name, region)
                ),
                config=environment.edge.health_check,
                topic=critical,
            )
            for region in environment.regions
        }


def _alarm_description(environment: EnvironmentConfig, region: str) -> str:
    """What an unhealthy origin means for this environment's traffic."""
    unhealthy = f"Route 53 reports the ALB of {region} unhealthy on {origin_domain(environment.domain)}"
    if len(environment.regions) == 1:
        return f"{unhealthy}: the only serving region, so the application is down."
    if region == environment.primary_region:
        return f"{unhealthy}: traffic has failed over to the secondary region."
    return f"{unhealthy}: the standby region cannot take traffic if the primary fails."
