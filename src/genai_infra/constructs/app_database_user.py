"""Decision S8: the application's own IAM-authenticated database user, created by a custom resource.

A Lambda function in the private subnets (genai_infra.app_database.user_setup, which also says why
a function and not a Kubernetes Job) reads the master secret and runs the idempotent SQL on the
writer. It is the only holder of the master secret besides Secrets Manager's rotation: the
application's role gets `rds-db:connect` on this user and no access to the master secret. Its
security group sends HTTPS (Secrets Manager, CloudFormation's response URL) and PostgreSQL to the
database group only, like the rotation function's.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from aws_cdk import CfnResource, CustomResource, Duration, RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from constructs import Construct

from genai_infra import app_database
from genai_infra.app_database.user_setup import setup_statements
from genai_infra.constructs.database_client import database_client_group
from genai_infra.constructs.log_retention import log_retention
from genai_infra.nag import AWS_SOLUTIONS, NIST, acknowledge, skip_checkov

CODE_DIRECTORY = Path(app_database.__file__).parent
HANDLER = "user_setup.handler"
VPC_ACCESS_POLICY = "service-role/AWSLambdaVPCAccessExecutionRole"


class AppDatabaseUser(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        user_name: str,
        function_name: str,
        cluster: rds.CfnDBCluster,
        writer: rds.CfnDBInstance,
        database_name: str,
        master_secret_arn: str,
        secrets_key_arn: str,
        logs_key: kms.IKey,
        log_retention_days: int,
        vpc: ec2.IVpc,
        database_security_group_id: str,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        self.user_name = user_name
        self.security_group, self.database_ingress = database_client_group(
            self,
            vpc_id=vpc.vpc_id,
            group_name=f"{function_name}-sg",
            description="Creates the application database user: HTTPS and PostgreSQL out",
            https_reason="Secrets Manager API and CloudFormation's response URL through the NAT gateway",
            database_security_group_id=database_security_group_id,
            ingress_description="PostgreSQL from the function that creates the application's user",
        )
        role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(VPC_ACCESS_POLICY)],
            description=f"Creates the database user {user_name} with the master secret",
        )
        read_master_secret = iam.ManagedPolicy(
            self,
            "ReadMasterSecret",
            roles=[role],
            statements=[
                iam.PolicyStatement(
                    actions=["secretsmanager:GetSecretValue"],
                    resources=[master_secret_arn],
                ),
                iam.PolicyStatement(
                    actions=["kms:Decrypt"],
                    resources=[secrets_key_arn],
                    conditions={
                        "StringEquals": {"kms:ViaService": f"secretsmanager.{cluster.stack.region}.amazonaws.com"}
                    },
                ),
            ],
        )
        log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=f"/aws/lambda/{function_name}",
            encryption_key=logs_key,
            retention=log_retention(log_retention_days),
            removal_policy=removal_policy,
        )
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=function_name,
            description=f"Creates the IAM-authenticated database user {user_name} (decision S8)",
            runtime=lambda_.Runtime.PYTHON_3_14,
            handler=HANDLER,
            code=lambda_.Code.from_asset(str(CODE_DIRECTORY), exclude=["__pycache__", "*.pyc"]),
            role=role,
            timeout=Duration.minutes(2),
            memory_size=256,
            log_group=log_group,
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            security_groups=[
                ec2.SecurityGroup.from_security_group_id(
                    self, "Group", self.security_group.attr_group_id, mutable=False
                )
            ],
            environment={
                "MASTER_SECRET_ARN": master_secret_arn,
                "DATABASE_HOST": cluster.attr_endpoint_address,
                "DATABASE_PORT": cluster.attr_endpoint_port,
                "DATABASE_NAME": database_name,
            },
        )
        function = self.function.node.default_child
        assert isinstance(function, CfnResource)
        # The function's only DependsOn is its role, which the Role GetAtt already orders (cfn-lint
        # W3005); CDK adds it above the L1, so it is dropped as a property.
        function.add_deletion_override("DependsOn")
        sql = "\n;\n".join(setup_statements(user_name))
        self.resource = CustomResource(
            self,
            "User",
            service_token=self.function.function_arn,
            resource_type="Custom::AppDatabaseUser",
            # A change of the SQL re-runs it on the next deployment (the SQL is idempotent).
            properties={"UserName": user_name, "SqlSha256": hashlib.sha256(sql.encode()).hexdigest()},
        )
        # The writer must accept connections, through the ingress rule above, and the function must
        # be allowed to read the master secret before CloudFormation invokes it.
        self.resource.node.add_dependency(writer, self.database_ingress, read_master_secret)
        acknowledge(
            role,
            f"{AWS_SOLUTIONS}-IAM4",
            "AWSLambdaVPCAccessExecutionRole grants exactly what a function in a VPC needs: its network "
            "interfaces and its own logs.",
            f"Policy::arn:<AWS::Partition>:iam::aws:policy/{VPC_ACCESS_POLICY}",
        )
        for subnet in vpc.private_subnets:
            acknowledge(
                subnet,
                "Annotation::@aws-cdk/aws-ec2:noSubnetRouteTableId",
                "Subnets are imported by id from the NetworkStack; the function only places its interfaces there.",
            )
        for rule, check, reason in (
            (
                "LambdaConcurrency",
                "CKV_AWS_115",
                "CloudFormation invokes the function once per deployment that changes the user.",
            ),
            (
                "LambdaDLQ",
                "CKV_AWS_116",
                "CloudFormation invokes the function synchronously and records its failure itself.",
            ),
        ):
            acknowledge(self.function, f"{NIST}-{rule}", reason)
            skip_checkov(self.function, check, reason)
        skip_checkov(
            self.function,
            "CKV_AWS_173",
            "The environment holds names and ARNs only, never a secret (the function reads the master secret from "
            "Secrets Manager at run time); Lambda encrypts it at rest with its service key.",
        )
