"""The event data lake's storage: its KMS key and three buckets (events, Athena results, access logs).

Every bucket is versioned, blocks public access, refuses requests without TLS 1.2 and logs its
own access to the log bucket. The log bucket uses S3-managed keys because S3 server access
logging cannot deliver to a bucket encrypted with a customer-managed KMS key.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from genai_infra.config.data import AnalyticsConfig
from genai_infra.constructs.kms_keys import environment_key
from genai_infra.nag import AWS_SOLUTIONS, NIST, acknowledge, skip_checkov


def secure_bucket_props(removal_policy: RemovalPolicy) -> dict[str, Any]:
    """What every bucket of the lake shares; callers add encryption, logging and lifecycle."""
    return {
        "versioned": True,
        "block_public_access": s3.BlockPublicAccess.BLOCK_ALL,
        "object_ownership": s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        "enforce_ssl": True,
        "minimum_tls_version": 1.2,
        "removal_policy": removal_policy,
    }


class DataLake(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: str,
        config: AnalyticsConfig,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        self.key = environment_key(
            self,
            "Key",
            environment=environment,
            purpose="analytics",
            description="analytics data lake and query results",
            removal_policy=removal_policy,
        )
        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            **secure_bucket_props(removal_policy),
            encryption=s3.BucketEncryption.S3_MANAGED,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-access-logs",
                    expiration=Duration.days(config.access_log_expire_after_days),
                    noncurrent_version_expiration=Duration.days(config.noncurrent_versions_expire_after_days),
                )
            ],
        )
        encrypted = {
            **secure_bucket_props(removal_policy),
            "encryption": s3.BucketEncryption.KMS,
            "encryption_key": self.key,
            # One data key per bucket instead of one KMS call per object: Firehose writes many objects.
            "bucket_key_enabled": True,
            "server_access_logs_bucket": self.access_logs,
        }
        self.events = s3.Bucket(
            self,
            "Events",
            **encrypted,
            server_access_logs_prefix="events/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="tier-events",
                    transitions=[
                        s3.Transition(
                            storage_class=s3.StorageClass.INFREQUENT_ACCESS,
                            transition_after=Duration.days(config.infrequent_access_after_days),
                        ),
                        # Glacier Instant Retrieval, not Flexible: Athena cannot read the archive classes.
                        s3.Transition(
                            storage_class=s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
                            transition_after=Duration.days(config.glacier_instant_retrieval_after_days),
                        ),
                    ],
                    expiration=Duration.days(config.expire_after_days) if config.expire_after_days else None,
                    noncurrent_version_expiration=Duration.days(config.noncurrent_versions_expire_after_days),
                    abort_incomplete_multipart_upload_after=Duration.days(7),
                )
            ],
        )
        self.query_results = s3.Bucket(
            self,
            "QueryResults",
            **encrypted,
            server_access_logs_prefix="query-results/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-query-results",
                    expiration=Duration.days(config.query_results_expire_after_days),
                    noncurrent_version_expiration=Duration.days(1),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                )
            ],
        )
        acknowledge(
            self.access_logs,
            f"{AWS_SOLUTIONS}-S1",
            "This is the access log bucket itself; logging its own access would log every log delivery, endlessly.",
        )
        acknowledge(
            self.access_logs,
            f"{NIST}-S3BucketLoggingEnabled",
            "This is the access log bucket itself; logging its own access would log every log delivery, endlessly.",
        )
        skip_checkov(
            self.access_logs,
            "CKV_AWS_18",
            "This is the access log bucket itself; logging its own access would log every log delivery, endlessly.",
        )
        acknowledge(
            self.access_logs,
            f"{NIST}-S3DefaultEncryptionKMS",
            "S3 server access logging delivers only to buckets with S3-managed keys (SSE-S3), not SSE-KMS.",
        )
        for bucket in (self.access_logs, self.events, self.query_results):
            acknowledge(
                bucket,
                f"{NIST}-S3BucketReplicationEnabled",
                "The data lake is an optional analytics copy of the MSK event stream, kept in the primary region "
                "only; losing the region loses analytics history, not system-of-record data.",
            )
