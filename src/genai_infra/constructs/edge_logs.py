"""Where the edge writes its logs in us-east-1: WAF logs and CloudFront access logs, KMS-encrypted.

CloudFront access logs use standard logging v2 (AWS::Logs::Delivery*) into CloudWatch Logs,
not legacy S3 logging: legacy logging needs a bucket with ACLs enabled (CloudFront writes with
the awslogsdelivery account's ACL grant), which the account's S3 hardening (Object Ownership
BucketOwnerEnforced) forbids, and it would add a bucket with its own access logs and lifecycle.
In CloudWatch Logs both edge logs share one key, one retention and Logs Insights queries.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

from genai_infra.constructs.kms_keys import environment_key
from genai_infra.constructs.log_retention import log_retention
from genai_infra.naming import log_group_name, waf_log_group_name

LOG_DELIVERY = "delivery.logs.amazonaws.com"


def log_group_arn(scope: Construct, name: str) -> str:
    """A log group's ARN without the trailing :* that LogGroup.log_group_arn carries (WAF refuses it)."""
    return Stack.of(scope).format_arn(
        service="logs", resource="log-group", resource_name=name, arn_format=ArnFormat.COLON_RESOURCE_NAME
    )


class EdgeLogGroups(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: str,
        retention_days: int,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.key = environment_key(
            self,
            "Key",
            environment=environment,
            purpose="edge-logs",
            description="WAF and CloudFront access logs",
            removal_policy=removal_policy,
        )
        # CloudWatch Logs encrypts the log groups' data with this key, for this account's log groups only.
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchLogsOfThisAccount",
                principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
                actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                resources=["*"],
                conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": log_group_arn(self, "*")}},
            )
        )
        retention = log_retention(retention_days)
        self.waf_name = waf_log_group_name(environment)
        self.access_name = log_group_name(environment, "cloudfront", "access")
        self.waf = logs.LogGroup(
            self,
            "Waf",
            log_group_name=self.waf_name,
            encryption_key=self.key,
            retention=retention,
            removal_policy=removal_policy,
        )
        self.access = logs.LogGroup(
            self,
            "Access",
            log_group_name=self.access_name,
            encryption_key=self.key,
            retention=retention,
            removal_policy=removal_policy,
        )
        # WAF and CloudFront deliver through the log delivery service, which needs this policy on the
        # groups. Written here rather than left to the services, which would add one policy per call.
        self.delivery_policy = logs.ResourcePolicy(
            self,
            "DeliveryPolicy",
            resource_policy_name=f"genai-demo-{environment}-edge-log-delivery",
            policy_statements=[
                iam.PolicyStatement(
                    sid="AllowLogDeliveryToTheEdgeLogGroups",
                    principals=[iam.ServicePrincipal(LOG_DELIVERY)],
                    actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                    resources=[
                        f"{log_group_arn(self, name)}:log-stream:*" for name in (self.waf_name, self.access_name)
                    ],
                    conditions={
                        "StringEquals": {"aws:SourceAccount": stack.account},
                        "ArnLike": {"aws:SourceArn": stack.format_arn(service="logs", resource="*")},
                    },
                )
            ],
        )
        self.delivery_policy.node.add_dependency(self.waf, self.access)


class CloudFrontAccessLogs(Construct):
    """Standard logging v2: the distribution's ACCESS_LOGS delivered as JSON to the access log group."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: str,
        distribution_arn: str,
        log_groups: EdgeLogGroups,
    ) -> None:
        super().__init__(scope, construct_id)
        self.source = logs.CfnDeliverySource(
            self,
            "Source",
            name=f"genai-demo-{environment}-cloudfront",
            log_type="ACCESS_LOGS",
            resource_arn=distribution_arn,
        )
        self.destination = logs.CfnDeliveryDestination(
            self,
            "Destination",
            name=f"genai-demo-{environment}-cloudfront-access",
            destination_resource_arn=log_group_arn(self, log_groups.access_name),
            output_format="json",
        )
        self.destination.node.add_dependency(log_groups.access, log_groups.delivery_policy)
        self.delivery = logs.CfnDelivery(
            self,
            "Delivery",
            delivery_source_name=self.source.name,
            delivery_destination_arn=self.destination.attr_arn,
        )
        self.delivery.node.add_dependency(self.source)
