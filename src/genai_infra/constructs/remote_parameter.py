"""Read an SSM parameter of another region at deploy time (decision S2).

CloudFormation resolves `{{resolve:ssm:...}}` and SSM parameter types only in the stack's own
region. Some ids exist only after the other region deployed and cannot be derived offline: the
global datastore id AWS prefixes with an account-specific string, the MSK cluster ARN with its
UUID. The producer publishes them in its region; this custom resource calls ssm:GetParameter
there, with a policy scoped to exactly that parameter. Deployment runs phase by phase, primary
region first, so the parameter exists when the secondary region reads it.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import custom_resources as cr
from constructs import Construct

from genai_infra.constructs.log_retention import log_retention
from genai_infra.constructs.sdk_provider import acknowledge_sdk_provider
from genai_infra.constructs.shared_values import read_value
from genai_infra.nag import NIST, acknowledge
from genai_infra.naming import log_group_name, ssm_parameter
from genai_infra.target_context import TargetContext


class RemoteParameterLogs(Construct):
    """The provider function's log group: KMS-encrypted with the logs key, with the environment's retention."""

    def __init__(self, scope: Construct, construct_id: str, *, target: TargetContext) -> None:
        super().__init__(scope, construct_id)
        environment = target.environment.name
        stack = Stack.of(self)
        self.log_group = logs.LogGroup(
            self,
            "LogGroup",
            log_group_name=log_group_name(environment, "custom-resources", stack.stack_name),
            encryption_key=kms.Key.from_key_arn(
                self, "LogsKey", read_value(self, environment=environment, key="kms/logs-key-arn")
            ),
            retention=log_retention(target.environment.log_retention_days),
            removal_policy=target.stateful_removal_policy,
        )


class RemoteParameter(Construct):
    """`value` is the parameter /genai-demo/<environment>/<key> of `region`, read when the stack deploys."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: str,
        region: str,
        key: str,
        log_group: logs.ILogGroup,
    ) -> None:
        super().__init__(scope, construct_id)
        self.name = ssm_parameter(environment, *key.split("/"))
        parameter_arn = Stack.of(self).format_arn(
            service="ssm",
            region=region,
            resource="parameter",
            resource_name=self.name.removeprefix("/"),
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )
        call = cr.AwsSdkCall(
            service="SSM",
            action="getParameter",
            parameters={"Name": self.name},
            region=region,
            # The parameter name is stable; a changed value is picked up on the next stack update.
            physical_resource_id=cr.PhysicalResourceId.of(f"{region}:{self.name}"),
            output_paths=["Parameter.Value"],
        )
        self.resource = cr.AwsCustomResource(
            self,
            "Read",
            on_create=call,
            on_update=call,
            policy=cr.AwsCustomResourcePolicy.from_sdk_calls(resources=[parameter_arn]),
            # The SDK bundled with the Lambda runtime has GetParameter; nothing is downloaded at deploy time.
            install_latest_aws_sdk=False,
            log_group=log_group,
        )
        self.value = self.resource.get_response_field("Parameter.Value")
        acknowledge(
            self.resource,
            f"{NIST}-IAMNoInlinePolicy",
            "CDK generates this inline policy from the SDK call: ssm:GetParameter on this one parameter only.",
        )
        acknowledge_sdk_provider(Stack.of(self))
