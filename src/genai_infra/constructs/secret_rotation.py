"""Secrets Manager hosted single-user rotation of an Aurora PostgreSQL master secret.

The hosted rotation function is created by the AWS::SecretsManager transform (AWS maintains its
code). It runs in the private subnets, which reach the Secrets Manager API through the NAT
gateway, with a security group of its own: HTTPS out, PostgreSQL to the database group, and the
matching ingress on the database group. Nothing else gains access to the database.
"""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_rds as rds
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from genai_infra.constructs.database_client import database_client_group
from genai_infra.constructs.generated_secret import EXCLUDED_CHARACTERS

SECRETS_MANAGER_TRANSFORM = "AWS::SecretsManager-2024-09-16"


class PostgresSecretRotation(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        secret: secretsmanager.ISecret,
        secret_key_arn: str,
        cluster: rds.CfnDBCluster,
        writer: rds.CfnDBInstance,
        vpc_id: str,
        subnet_ids: str,
        database_security_group_id: str,
        function_name: str,
        rotation_days: int,
    ) -> None:
        super().__init__(scope, construct_id)
        self.security_group, self.database_ingress = database_client_group(
            self,
            vpc_id=vpc_id,
            group_name=f"{function_name}-sg",
            description="Secrets Manager rotation of the Aurora master secret: HTTPS and PostgreSQL out",
            https_reason="Secrets Manager API through the NAT gateway",
            database_security_group_id=database_security_group_id,
            ingress_description="PostgreSQL from the secret rotation function",
        )
        # The rotation function reads host, port and engine from the secret: attach the cluster first.
        self.attachment = secretsmanager.CfnSecretTargetAttachment(
            self, "Attachment", secret_id=secret.secret_arn, target_id=cluster.ref, target_type="AWS::RDS::DBCluster"
        )
        self.schedule = secretsmanager.CfnRotationSchedule(
            self,
            "Schedule",
            secret_id=secret.secret_arn,
            hosted_rotation_lambda=secretsmanager.CfnRotationSchedule.HostedRotationLambdaProperty(
                rotation_type="PostgreSQLSingleUser",
                rotation_lambda_name=function_name,
                vpc_security_group_ids=self.security_group.attr_group_id,
                vpc_subnet_ids=subnet_ids,
                kms_key_arn=secret_key_arn,
                exclude_characters=EXCLUDED_CHARACTERS,
            ),
            rotation_rules=secretsmanager.CfnRotationSchedule.RotationRulesProperty(
                schedule_expression=f"rate({Duration.days(rotation_days).to_days():.0f} days)"
            ),
        )
        # Rotation starts at once and logs in to the writer: it must exist and accept connections.
        self.schedule.add_resource_dependency(self.attachment)
        self.schedule.add_resource_dependency(writer)
        self.schedule.add_resource_dependency(self.database_ingress)
        Stack.of(self).add_transform(SECRETS_MANAGER_TRANSFORM)
