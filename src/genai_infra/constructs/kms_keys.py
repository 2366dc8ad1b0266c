"""Customer-managed KMS keys for data at rest, one per purpose, rotation on.

One key per service limits what a single key policy change can expose. The logs key also lets
CloudWatch Logs of this account and region use it, which a log group needs to be encrypted.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from genai_infra.naming import kms_alias

KEY_PURPOSES: tuple[str, ...] = ("eks", "rds", "elasticache", "msk", "logs", "secrets")


def environment_key(
    scope: Construct,
    construct_id: str,
    *,
    environment: str,
    purpose: str,
    description: str,
    removal_policy: RemovalPolicy,
) -> kms.Key:
    """A customer-managed key of one purpose: alias/genai-demo/<env>/<purpose>, rotation on."""
    return kms.Key(
        scope,
        construct_id,
        alias=kms_alias(environment, purpose),
        description=f"genai-demo {environment}: {description}",
        enable_key_rotation=True,
        # The longest wait before deletion: a key scheduled by mistake can still be recovered.
        pending_window=Duration.days(30),
        removal_policy=removal_policy,
    )


class DataKeys(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: str,
        removal_policy: RemovalPolicy,
        purposes: tuple[str, ...] = KEY_PURPOSES,
    ) -> None:
        """`purposes`: the keys the environment needs (no elasticache or msk key where it runs neither)."""
        super().__init__(scope, construct_id)
        self.keys: dict[str, kms.Key] = {
            purpose: environment_key(
                self,
                purpose.capitalize(),
                environment=environment,
                purpose=purpose,
                description=f"{purpose} data at rest",
                removal_policy=removal_policy,
            )
            for purpose in purposes
        }
        stack = Stack.of(self)
        self.keys["logs"].add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchLogsOfThisAccount",
                principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
                actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                resources=["*"],
                conditions={
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": stack.format_arn(
                            service="logs",
                            resource="log-group",
                            resource_name="*",
                            arn_format=ArnFormat.COLON_RESOURCE_NAME,
                        )
                    }
                },
            )
        )
