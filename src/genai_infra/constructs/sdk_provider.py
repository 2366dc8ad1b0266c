"""The Lambda function CDK shares among every AwsCustomResource of a stack: its findings, once."""

from __future__ import annotations

from aws_cdk import CfnResource, Stack
from aws_cdk import custom_resources as cr

from genai_infra.nag import AWS_SOLUTIONS, NIST, acknowledge, skip_checkov

# The construct id CDK gives the singleton provider function in each stack.
PROVIDER_ID = f"AWS{cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace('-', '')}"


def acknowledge_sdk_provider(stack: Stack) -> None:
    """Drop the provider's redundant DependsOn its role and acknowledge its cdk-nag findings with reasons."""
    provider = stack.node.try_find_child(PROVIDER_ID)
    if provider is None:
        return
    function = provider.node.default_child
    if isinstance(function, CfnResource):
        # CDK's only DependsOn here is the service role, which the Role property's GetAtt already
        # orders (cfn-lint W3005); the dependency is added above the L1, so it is dropped as a property.
        function.add_deletion_override("DependsOn")
    acknowledge(
        provider,
        f"{AWS_SOLUTIONS}-IAM4",
        "AWSLambdaBasicExecutionRole only lets the CDK provider function write its own CloudWatch logs.",
        "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    )
    for rule, check, reason in (
        (
            "LambdaConcurrency",
            "CKV_AWS_115",
            "The provider runs only during deployments, one SDK call per custom resource.",
        ),
        (
            "LambdaDLQ",
            "CKV_AWS_116",
            "CloudFormation invokes the provider synchronously and reports its failures itself.",
        ),
        (
            "LambdaInsideVPC",
            "CKV_AWS_117",
            "The provider calls only the public SSM API of another region; no VPC resource.",
        ),
    ):
        acknowledge(provider, f"{NIST}-{rule}", reason)
        skip_checkov(provider, check, reason)
