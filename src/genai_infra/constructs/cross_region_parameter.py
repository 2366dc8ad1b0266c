"""An SSM String parameter written into another region by a custom resource.

CloudFormation creates resources only in the stack's own region, and SSM parameters are regional.
A value a later-deploying region needs (the health check id for the alarm in us-east-1) is
therefore put there by an SDK call: PutParameter (Overwrite) on create and update,
DeleteParameter on delete, with a role that may touch that one parameter and nothing else.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import custom_resources as cr
from constructs import Construct

from genai_infra.constructs.log_retention import log_retention
from genai_infra.constructs.sdk_provider import acknowledge_sdk_provider
from genai_infra.nag import NIST, acknowledge


class CrossRegionParameter(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        value: str,
        region: str,
        log_key: kms.IKey,
        log_retention_days: int,
        log_removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        if not name.startswith("/"):
            raise ValueError(f"SSM parameter name {name!r} must start with / (a hierarchical name)")
        stack = Stack.of(self)
        self.parameter_arn = stack.format_arn(
            service="ssm",
            region=region,
            resource="parameter",
            resource_name=name.lstrip("/"),
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            encryption_key=log_key,
            retention=log_retention(log_retention_days),
            removal_policy=log_removal_policy,
        )
        put = cr.AwsSdkCall(
            service="SSM",
            action="putParameter",
            parameters={"Name": name, "Value": value, "Type": "String", "Overwrite": True},
            region=region,
            physical_resource_id=cr.PhysicalResourceId.of(name),
        )
        self.resource = cr.AwsCustomResource(
            self,
            "Resource",
            on_create=put,
            on_update=put,
            on_delete=cr.AwsSdkCall(
                service="SSM",
                action="deleteParameter",
                parameters={"Name": name},
                region=region,
                # Already gone (deleted by hand) is what delete wants.
                ignore_error_codes_matching="ParameterNotFound",
            ),
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [
                    iam.PolicyStatement(
                        actions=["ssm:PutParameter", "ssm:DeleteParameter"], resources=[self.parameter_arn]
                    )
                ]
            ),
            # The SDK bundled with the Lambda runtime has SSM; downloading another needs internet at deploy.
            install_latest_aws_sdk=False,
            log_group=self.log_group,
            timeout=Duration.minutes(2),
        )
        acknowledge(
            self.resource,
            f"{NIST}-IAMNoInlinePolicy",
            "The custom resource's policy allows PutParameter and DeleteParameter on this one parameter ARN "
            "only; it lives and dies with the resource that needs it.",
        )
        acknowledge_sdk_provider(stack)
