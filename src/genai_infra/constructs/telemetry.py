"""The application's log groups and its X-Ray sampling rule and error group.

Non-critical logs keep the spec's 7 days; audit logs keep longer (configuration). Sampling 10 %
of requests is the spec's X-Ray cost control.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_xray as xray
from constructs import Construct

from genai_infra.config.environment import EnvironmentConfig
from genai_infra.constructs.log_retention import log_retention
from genai_infra.kubernetes.tracing import TRACE_SERVICE_NAME
from genai_infra.naming import log_group_name

APP_SERVICE_NAME = TRACE_SERVICE_NAME
ERROR_FILTER = "fault = true OR error = true"


class ApplicationLogs(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: EnvironmentConfig,
        key: kms.IKey,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        self.groups: dict[str, logs.LogGroup] = {}
        for purpose, days in (
            ("application", environment.log_retention_days),
            ("audit", environment.audit_log_retention_days),
        ):
            self.groups[purpose] = logs.LogGroup(
                self,
                purpose.capitalize(),
                log_group_name=log_group_name(environment.name, purpose),
                encryption_key=key,
                retention=log_retention(days),
                removal_policy=removal_policy,
            )


class Tracing(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, environment: EnvironmentConfig) -> None:
        super().__init__(scope, construct_id)
        config = environment.observability
        self.sampling_rule = xray.CfnSamplingRule(
            self,
            "SamplingRule",
            sampling_rule=xray.CfnSamplingRule.SamplingRuleProperty(
                rule_name=f"genai-demo-{environment.name}"[:32],
                priority=100,
                fixed_rate=config.xray_sampling_rate,
                reservoir_size=config.xray_reservoir_per_second,
                service_name=APP_SERVICE_NAME,
                service_type="*",
                host="*",
                http_method="*",
                url_path="*",
                resource_arn="*",
                version=1,
            ),
        )
        self.error_group = xray.CfnGroup(
            self,
            "ErrorGroup",
            group_name=f"genai-demo-{environment.name}-errors",
            filter_expression=f'service("{APP_SERVICE_NAME}") AND ({ERROR_FILTER})',
            # X-Ray Insights bills every trace it analyses; the group's filter and the alarms suffice here.
            insights_configuration=xray.CfnGroup.InsightsConfigurationProperty(
                insights_enabled=False, notifications_enabled=False
            ),
        )
