"""An Amazon Managed Grafana workspace reading CloudWatch and X-Ray of this account.

Sign-in is through IAM Identity Center (AWS_SSO), which the account must have enabled; the
workspace role may only read metrics, logs and traces.
"""

from __future__ import annotations

from aws_cdk import aws_grafana as grafana
from aws_cdk import aws_iam as iam
from constructs import Construct

from genai_infra.nag import AWS_SOLUTIONS, acknowledge

DATA_SOURCES = ("CLOUDWATCH", "XRAY")


class GrafanaWorkspace(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, environment: str) -> None:
        super().__init__(scope, construct_id)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("grafana.amazonaws.com"),
            description=f"Amazon Managed Grafana of genai-demo {environment}: read metrics, logs and traces",
        )
        # A managed policy of its own (not inline) so the permissions are reviewable on their own.
        self.policy = iam.ManagedPolicy(
            self,
            "ReadTelemetry",
            managed_policy_name=f"genai-demo-{environment}-grafana-read-telemetry",
            roles=[self.role],
            document=iam.PolicyDocument(
                statements=[
                    iam.PolicyStatement(
                        sid="ReadMetricsLogsAndTraces",
                        actions=[
                            "cloudwatch:DescribeAlarms",
                            "cloudwatch:GetMetricData",
                            "cloudwatch:GetMetricStatistics",
                            "cloudwatch:ListMetrics",
                            "logs:DescribeLogGroups",
                            "logs:GetLogEvents",
                            "logs:GetQueryResults",
                            "logs:StartQuery",
                            "logs:StopQuery",
                            "xray:BatchGetTraces",
                            "xray:GetServiceGraph",
                            "xray:GetTraceGraph",
                            "xray:GetTraceSummaries",
                            "xray:GetGroups",
                            "ec2:DescribeRegions",
                            "tag:GetResources",
                        ],
                        # These read APIs do not support resource-level permissions.
                        resources=["*"],
                    )
                ]
            ),
        )
        acknowledge(
            self.policy,
            f"{AWS_SOLUTIONS}-IAM5",
            "CloudWatch, Logs Insights and X-Ray read APIs that Grafana calls do not support resource-level "
            "permissions; the policy grants reads only",
            "Resource::*",
        )
        self.workspace = grafana.CfnWorkspace(
            self,
            "Workspace",
            name=f"genai-demo-{environment}",
            description=f"genai-demo {environment}: CloudWatch and X-Ray dashboards",
            account_access_type="CURRENT_ACCOUNT",
            authentication_providers=["AWS_SSO"],
            permission_type="CUSTOMER_MANAGED",
            role_arn=self.role.role_arn,
            data_sources=list(DATA_SOURCES),
        )
