"""The application's ECR repository: scan on push, immutable tags, KMS encryption, lifecycle rules."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_kms as kms
from constructs import Construct

from genai_infra.config.compute import RegistryConfig


class AppRepository(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        repository_name: str,
        config: RegistryConfig,
        key: kms.IKey,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        self.repository = ecr.Repository(
            self,
            "Repository",
            repository_name=repository_name,
            image_scan_on_push=True,
            image_tag_mutability=ecr.TagMutability.IMMUTABLE,
            encryption=ecr.RepositoryEncryption.KMS,
            encryption_key=key,
            lifecycle_rules=[
                ecr.LifecycleRule(
                    rule_priority=1,
                    description="Expire untagged images (failed or superseded pushes)",
                    tag_status=ecr.TagStatus.UNTAGGED,
                    max_image_age=Duration.days(config.untagged_expiry_days),
                ),
                ecr.LifecycleRule(
                    rule_priority=2,
                    description=f"Keep the newest {config.keep_tagged_images} images",
                    tag_status=ecr.TagStatus.ANY,
                    max_image_count=config.keep_tagged_images,
                ),
            ],
            removal_policy=removal_policy,
        )
