"""Kinesis Data Firehose reading one MSK topic (IAM auth, private connectivity) into the events bucket.

Firehose writes newline-delimited, gzip-compressed JSON under events/yyyy/MM/dd/ (UTC), the layout
the Glue table's partition projection expects; failed records go under errors/.
L1 only: the L2 DeliveryStream of aws-cdk-lib has no MSK source.
"""

from __future__ import annotations

import json

from aws_cdk import ArnFormat, Fn, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_msk as msk
from aws_cdk import aws_s3 as s3
from constructs import Construct

from genai_infra.config.data import AnalyticsConfig
from genai_infra.constructs.log_retention import log_retention
from genai_infra.nag import AWS_SOLUTIONS, NIST, acknowledge

EVENTS_PREFIX = "events/"
# Firehose's own namespace, not a CloudFormation substitution: the UTC arrival day of the record.
DAY = "!{timestamp:yyyy/MM/dd}"


class EventDelivery(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stream_name: str,
        cluster_arn: str,
        config: AnalyticsConfig,
        bucket: s3.IBucket,
        bucket_key: kms.IKey,
        log_group_name: str,
        log_retention_days: int,
        log_key: kms.IKey,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        # arn:...:cluster/<name>/<uuid> -> "<name>/<uuid>", the part topic and group ARNs share.
        cluster_path = Fn.select(1, Fn.split(":cluster/", cluster_arn))

        def kafka_arn(resource: str, name: str) -> str:
            return stack.format_arn(
                service="kafka", resource=resource, resource_name=name, arn_format=ArnFormat.SLASH_RESOURCE_NAME
            )

        self.log_group = logs.LogGroup(
            self,
            "LogGroup",
            log_group_name=log_group_name,
            encryption_key=log_key,
            retention=log_retention(log_retention_days),
            removal_policy=removal_policy,
        )
        self.log_stream = logs.LogStream(self, "S3Delivery", log_group=self.log_group, log_stream_name="S3Delivery")
        self.role = iam.Role(self, "Role", assumed_by=iam.ServicePrincipal("firehose.amazonaws.com"))
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="ReadClusterMetadata",
                actions=["kafka:GetBootstrapBrokers", "kafka:DescribeCluster", "kafka:DescribeClusterV2"],
                resources=[cluster_arn],
            )
        )
        self.role.add_to_policy(iam.PolicyStatement(actions=["kafka-cluster:Connect"], resources=[cluster_arn]))
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="ReadTheEventTopic",
                actions=[
                    "kafka-cluster:DescribeTopic",
                    "kafka-cluster:DescribeTopicDynamicConfiguration",
                    "kafka-cluster:ReadData",
                ],
                resources=[kafka_arn("topic", Fn.join("/", [cluster_path, config.topic]))],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="UseItsConsumerGroups",
                actions=["kafka-cluster:DescribeGroup"],
                resources=[kafka_arn("group", Fn.join("/", [cluster_path, "*"]))],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="DeliverToTheEventsBucket",
                # The S3 permissions Firehose documents for an S3 destination, and no delete.
                actions=[
                    "s3:AbortMultipartUpload",
                    "s3:GetBucketLocation",
                    "s3:GetObject",
                    "s3:ListBucket",
                    "s3:ListBucketMultipartUploads",
                    "s3:PutObject",
                ],
                resources=[bucket.bucket_arn, bucket.arn_for_objects("*")],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="EncryptDeliveredObjects",
                actions=["kms:GenerateDataKey", "kms:Decrypt"],
                resources=[bucket_key.key_arn],
            )
        )
        self.log_group.grant_write(self.role)
        # Firehose creates its private connection to the cluster only if the cluster's policy lets it.
        self.cluster_policy = msk.CfnClusterPolicy(
            self,
            "ClusterPolicy",
            cluster_arn=cluster_arn,
            policy={
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "FirehoseCreatesItsPrivateConnection",
                        "Effect": "Allow",
                        "Principal": {"Service": "firehose.amazonaws.com"},
                        "Action": ["kafka:CreateVpcConnection"],
                        "Resource": cluster_arn,
                    }
                ],
            },
        )
        self.stream = firehose.CfnDeliveryStream(
            self,
            "Stream",
            delivery_stream_name=stream_name,
            delivery_stream_type="MSKAsSource",
            msk_source_configuration=firehose.CfnDeliveryStream.MSKSourceConfigurationProperty(
                msk_cluster_arn=cluster_arn,
                topic_name=config.topic,
                authentication_configuration=firehose.CfnDeliveryStream.AuthenticationConfigurationProperty(
                    connectivity="PRIVATE", role_arn=self.role.role_arn
                ),
            ),
            extended_s3_destination_configuration=firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty(
                bucket_arn=bucket.bucket_arn,
                role_arn=self.role.role_arn,
                prefix=f"{EVENTS_PREFIX}{DAY}/",
                error_output_prefix=f"errors/!{{firehose:error-output-type}}/{DAY}/",
                buffering_hints=firehose.CfnDeliveryStream.BufferingHintsProperty(
                    interval_in_seconds=config.buffer_interval_seconds, size_in_m_bs=config.buffer_size_mib
                ),
                compression_format="GZIP",
                file_extension=".json.gz",
                encryption_configuration=firehose.CfnDeliveryStream.EncryptionConfigurationProperty(
                    kms_encryption_config=firehose.CfnDeliveryStream.KMSEncryptionConfigProperty(
                        awskms_key_arn=bucket_key.key_arn
                    )
                ),
                # Kafka records carry no line ending; Athena's JSON reader needs one record per line.
                processing_configuration=firehose.CfnDeliveryStream.ProcessingConfigurationProperty(
                    enabled=True,
                    processors=[firehose.CfnDeliveryStream.ProcessorProperty(type="AppendDelimiterToRecord")],
                ),
                cloud_watch_logging_options=firehose.CfnDeliveryStream.CloudWatchLoggingOptionsProperty(
                    enabled=True,
                    log_group_name=self.log_group.log_group_name,
                    log_stream_name=self.log_stream.log_stream_name,
                ),
            ),
        )
        # The role's policy (a separate resource) must exist before Firehose first uses the role.
        policy = self.role.node.find_child("DefaultPolicy")
        self.stream.node.add_dependency(policy)
        self.stream.node.add_dependency(self.cluster_policy)
        acknowledge(
            self.stream,
            f"{AWS_SOLUTIONS}-KDF1",
            "Stream-level SSE exists only for Direct PUT streams; here the records rest encrypted in MSK and in "
            "the bucket under the analytics KMS key set in the destination.",
        )
        # cdk-nag names each wildcard resource as it renders it: GetAtt as <Id.Arn>, other intrinsics as JSON.
        bucket_id = stack.resolve(stack.get_logical_id(bucket.node.default_child))  # type: ignore[arg-type]
        cluster_json = json.dumps(stack.resolve(cluster_path), separators=(",", ":"))
        acknowledge(
            self.role,
            f"{AWS_SOLUTIONS}-IAM5",
            "Two wildcards, both scoped: objects under the one events bucket (Firehose names each file by time) "
            "and consumer groups of the one cluster (Firehose names its own group).",
            f"Resource::<{bucket_id}.Arn>/*",
            f"Resource::arn:aws:kafka:{stack.region}:<AWS::AccountId>:group/{cluster_json}/*",
        )
        acknowledge(
            self.role,
            f"{NIST}-IAMNoInlinePolicy",
            "The delivery role's policy is this stream's own grant (one topic, one bucket, one key, one log "
            "group); it lives and dies with the role.",
        )
