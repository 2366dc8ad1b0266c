"""VPC flow logs (all traffic) to a KMS-encrypted CloudWatch log group under /aws/genai-demo/."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from genai_infra.constructs.log_retention import log_retention
from genai_infra.nag import NIST, acknowledge


class VpcFlowLogs(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        log_group_name: str,
        retention_days: int,
        key: kms.IKey,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_group = logs.LogGroup(
            self,
            "LogGroup",
            log_group_name=log_group_name,
            encryption_key=key,
            retention=log_retention(retention_days),
            removal_policy=removal_policy,
        )
        role = iam.Role(self, "Role", assumed_by=iam.ServicePrincipal("vpc-flow-logs.amazonaws.com"))
        self.flow_log = ec2.FlowLog(
            self,
            "FlowLog",
            resource_type=ec2.FlowLogResourceType.from_vpc(vpc),
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(self.log_group, role),
            traffic_type=ec2.FlowLogTrafficType.ALL,
        )
        acknowledge(
            role,
            f"{NIST}-IAMNoInlinePolicy",
            "The flow log delivery role's policy is CDK's grant of write access to this one log group; it lives "
            "and dies with the role and grants nothing else.",
        )
