"""AnalyticsStack: MSK topic -> Firehose -> KMS-encrypted S3 data lake -> Glue table -> Athena workgroup.

Only production's primary region holds the stack by default (see test_app's stack lists), so the
template assertions read production/ap-east-2; the configuration tests cover every environment.
"""

from __future__ import annotations

from typing import Any

import pytest

from genai_infra.config import ConfigError, ProjectConfig, load_config
from genai_infra.targets import targets_of
from tests.conftest import Template, render

ENV, REGION = "production", "ap-east-2"
GIB = 1024**3


@pytest.fixture(scope="module")
def t(template: Any) -> Template:
    result: Template = template(ENV, REGION, "AnalyticsStack")
    return result


def _logical_id(t: Template, resource_type: str, prefix: str) -> str:
    (found,) = [k for k in t.of_type(resource_type) if k.startswith(prefix)]
    return found


def _ssm_parameter(t: Template, name: str) -> dict[str, str]:
    """The Ref to the stack parameter that reads SSM parameter `name` at deploy time."""
    (found,) = [k for k, v in t.data["Parameters"].items() if v.get("Default") == name]
    assert t.data["Parameters"][found]["Type"] == "AWS::SSM::Parameter::Value<String>"
    return {"Ref": found}


def _buckets(t: Template) -> dict[str, dict[str, Any]]:
    return {
        name: t.resources[_logical_id(t, "AWS::S3::Bucket", f"DataLake{name}")]
        for name in ("Events", "QueryResults", "AccessLogs")
    }


def _lifecycle(bucket: dict[str, Any]) -> dict[str, Any]:
    (rule,) = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled"
    result: dict[str, Any] = rule
    return result


def _key_arn(t: Template) -> dict[str, Any]:
    return {"Fn::GetAtt": [_logical_id(t, "AWS::KMS::Key", "DataLakeKey"), "Arn"]}


# --- Storage -----------------------------------------------------------------------------------


def test_the_lake_has_its_own_rotating_key_kept_in_production(t: Template) -> None:
    key = t.resources[_logical_id(t, "AWS::KMS::Key", "DataLakeKey")]
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"
    assert t.one("AWS::KMS::Alias")["AliasName"] == "alias/genai-demo/production/analytics"


def test_every_bucket_is_versioned_private_owner_enforced_and_retained(t: Template) -> None:
    for name, bucket in _buckets(t).items():
        props = bucket["Properties"]
        assert props["VersioningConfiguration"] == {"Status": "Enabled"}, name
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }, name
        assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}, name
        # Decision S5: production keeps its data when the stack goes.
        assert bucket["DeletionPolicy"] == "Retain", name


def test_events_and_results_use_the_lake_key_and_log_access(t: Template) -> None:
    buckets = _buckets(t)
    logs_ref = {"Ref": _logical_id(t, "AWS::S3::Bucket", "DataLakeAccessLogs")}
    for name, prefix in (("Events", "events/"), ("QueryResults", "query-results/")):
        props = buckets[name]["Properties"]
        (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rule == {
            "BucketKeyEnabled": True,
            "ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": _key_arn(t)},
        }
        assert props["LoggingConfiguration"] == {"DestinationBucketName": logs_ref, "LogFilePrefix": prefix}
    # Server access logging delivers only to SSE-S3 buckets.
    (rule,) = buckets["AccessLogs"]["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}


def test_every_bucket_refuses_requests_without_tls_1_2(t: Template) -> None:
    policies = {render(p["Bucket"]): p["PolicyDocument"]["Statement"] for p in t.props("AWS::S3::BucketPolicy")}
    assert set(policies) == {
        "${" + _logical_id(t, "AWS::S3::Bucket", f"DataLake{name}") + "}"
        for name in ("Events", "QueryResults", "AccessLogs")
    }
    for statements in policies.values():
        denies = [s for s in statements if s["Effect"] == "Deny"]
        conditions = [s["Condition"] for s in denies]
        assert {"Bool": {"aws:SecureTransport": "false"}} in conditions
        assert {"NumericLessThan": {"s3:TlsVersion": 1.2}} in conditions
        assert all(s["Principal"] == {"AWS": "*"} and s["Action"] == "s3:*" for s in denies)


def test_events_move_to_cheaper_classes_athena_can_still_read(t: Template) -> None:
    rule = _lifecycle(_buckets(t)["Events"])
    assert rule["Transitions"] == [
        {"StorageClass": "STANDARD_IA", "TransitionInDays": 30},
        {"StorageClass": "GLACIER_IR", "TransitionInDays": 90},
    ]
    # Production keeps events; only replaced versions expire.
    assert "ExpirationInDays" not in rule
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": 90}
    assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}


def test_query_results_and_access_logs_expire(t: Template) -> None:
    buckets = _buckets(t)
    assert _lifecycle(buckets["QueryResults"])["ExpirationInDays"] == 30
    assert _lifecycle(buckets["AccessLogs"])["ExpirationInDays"] == 365


# --- Delivery ----------------------------------------------------------------------------------


def test_firehose_reads_the_topic_from_the_published_cluster_over_private_iam(t: Template) -> None:
    stream = t.one("AWS::KinesisFirehose::DeliveryStream")
    role = {"Fn::GetAtt": [_logical_id(t, "AWS::IAM::Role", "DeliveryRole"), "Arn"]}
    assert stream["DeliveryStreamName"] == "genai-demo-production-domain-events"
    assert stream["DeliveryStreamType"] == "MSKAsSource"
    assert stream["MSKSourceConfiguration"] == {
        "MSKClusterARN": _ssm_parameter(t, "/genai-demo/production/msk/cluster-arn"),
        "TopicName": "genai-demo.domain-events",
        "AuthenticationConfiguration": {"Connectivity": "PRIVATE", "RoleARN": role},
    }


def test_firehose_writes_gzip_json_lines_by_day_encrypted_with_the_lake_key(t: Template) -> None:
    destination = t.one("AWS::KinesisFirehose::DeliveryStream")["ExtendedS3DestinationConfiguration"]
    assert destination["BucketARN"] == {"Fn::GetAtt": [_logical_id(t, "AWS::S3::Bucket", "DataLakeEvents"), "Arn"]}
    assert destination["Prefix"] == "events/!{timestamp:yyyy/MM/dd}/"
    assert destination["ErrorOutputPrefix"] == "errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/"
    assert destination["BufferingHints"] == {"IntervalInSeconds": 300, "SizeInMBs": 128}
    assert destination["CompressionFormat"] == "GZIP"
    assert destination["EncryptionConfiguration"] == {"KMSEncryptionConfig": {"AWSKMSKeyARN": _key_arn(t)}}
    assert destination["ProcessingConfiguration"] == {
        "Enabled": True,
        "Processors": [{"Type": "AppendDelimiterToRecord"}],
    }
    logging = destination["CloudWatchLoggingOptions"]
    assert logging["Enabled"] is True
    group = t.one("AWS::Logs::LogGroup")
    assert group["LogGroupName"] == "/aws/genai-demo/production/firehose/domain-events"
    assert group["KmsKeyId"] == _ssm_parameter(t, "/genai-demo/production/kms/logs-key-arn")
    assert group["RetentionInDays"] == 7


def test_delivery_role_reads_one_topic_and_writes_one_bucket_without_delete(t: Template) -> None:
    role = t.one("AWS::IAM::Role")
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "firehose.amazonaws.com"}
    statements = t.one("AWS::IAM::Policy")["PolicyDocument"]["Statement"]
    grants = {
        tuple(sorted(s["Action"] if isinstance(s["Action"], list) else [s["Action"]])): render(s["Resource"])
        for s in statements
    }
    cluster = "${" + _ssm_parameter(t, "/genai-demo/production/msk/cluster-arn")["Ref"] + "}"
    assert grants[("kafka:DescribeCluster", "kafka:DescribeClusterV2", "kafka:GetBootstrapBrokers")] == cluster
    assert grants[("kafka-cluster:Connect",)] == cluster
    topic = grants[
        ("kafka-cluster:DescribeTopic", "kafka-cluster:DescribeTopicDynamicConfiguration", "kafka-cluster:ReadData")
    ]
    assert topic.startswith("arn:aws:kafka:ap-east-2:${AWS::AccountId}:topic/")
    assert topic.endswith("/genai-demo.domain-events")
    assert grants[("kafka-cluster:DescribeGroup",)].endswith("/*")
    actions = {a for s in statements for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}
    assert not any(a.startswith("s3:Delete") or a.endswith(":*") for a in actions)
    assert {"s3:PutObject", "kms:GenerateDataKey", "logs:PutLogEvents"} <= actions
    assert not any("kafka-cluster:Write" in a or "kafka-cluster:Alter" in a for a in actions)


def test_cluster_policy_lets_only_firehose_create_its_private_connection(t: Template) -> None:
    policy = t.one("AWS::MSK::ClusterPolicy")
    cluster = _ssm_parameter(t, "/genai-demo/production/msk/cluster-arn")
    assert policy["ClusterArn"] == cluster
    assert policy["Policy"]["Statement"] == [
        {
            "Sid": "FirehoseCreatesItsPrivateConnection",
            "Effect": "Allow",
            "Principal": {"Service": "firehose.amazonaws.com"},
            "Action": ["kafka:CreateVpcConnection"],
            "Resource": cluster,
        }
    ]
    stream = t.of_type("AWS::KinesisFirehose::DeliveryStream")
    (depends,) = [v["DependsOn"] for v in stream.values()]
    assert _logical_id(t, "AWS::MSK::ClusterPolicy", "DeliveryClusterPolicy") in depends


# --- Catalog and queries -----------------------------------------------------------------------


def test_glue_table_projects_day_partitions_over_the_firehose_layout(t: Template) -> None:
    assert t.one("AWS::Glue::Database")["DatabaseInput"]["Name"] == "genai_demo_production_events"
    table = t.one("AWS::Glue::Table")
    assert table["DatabaseName"] == "genai_demo_production_events"
    props = table["TableInput"]
    assert props["Name"] == "domain_events"
    assert props["PartitionKeys"] == [{"Name": "dt", "Type": "string"}]
    bucket = "${" + _logical_id(t, "AWS::S3::Bucket", "DataLakeEvents") + "}"
    parameters = props["Parameters"]
    assert {k: render(v) for k, v in parameters.items() if k.startswith(("projection.", "storage."))} == {
        "projection.enabled": "true",
        "projection.dt.type": "date",
        "projection.dt.format": "yyyy/MM/dd",
        "projection.dt.range": "2026/01/01,NOW",
        "projection.dt.interval": "1",
        "projection.dt.interval.unit": "DAYS",
        "storage.location.template": f"s3://{bucket}/events/${{dt}}/",
    }
    storage = props["StorageDescriptor"]
    assert render(storage["Location"]) == f"s3://{bucket}/events/"
    assert storage["SerdeInfo"]["SerializationLibrary"] == "org.openx.data.jsonserde.JsonSerDe"
    assert [c["Name"] for c in storage["Columns"]] == [
        "eventid",
        "eventtype",
        "aggregateid",
        "aggregatetype",
        "occurredon",
    ]
    assert not t.of_type("AWS::Glue::Crawler")


def test_athena_workgroup_enforces_encrypted_results_and_a_scan_cutoff(t: Template) -> None:
    workgroup = t.one("AWS::Athena::WorkGroup")
    assert workgroup["Name"] == "genai-demo-production-events"
    assert workgroup["RecursiveDeleteOption"] is False
    configuration = workgroup["WorkGroupConfiguration"]
    assert configuration["EnforceWorkGroupConfiguration"] is True
    assert configuration["BytesScannedCutoffPerQuery"] == 10 * GIB
    assert configuration["PublishCloudWatchMetricsEnabled"] is True
    assert configuration["EngineVersion"] == {"SelectedEngineVersion": "Athena engine version 3"}
    results = configuration["ResultConfiguration"]
    bucket = "${" + _logical_id(t, "AWS::S3::Bucket", "DataLakeQueryResults") + "}"
    assert render(results["OutputLocation"]) == f"s3://{bucket}/athena/"
    assert results["EncryptionConfiguration"] == {"EncryptionOption": "SSE_KMS", "KmsKey": _key_arn(t)}


def test_analytics_names_are_published(t: Template) -> None:
    params = {p["Name"]: render(p["Value"]) for p in t.props("AWS::SSM::Parameter")}
    assert params == {
        "/genai-demo/production/analytics/events-bucket-name": "${"
        + _logical_id(t, "AWS::S3::Bucket", "DataLakeEvents")
        + "}",
        "/genai-demo/production/analytics/glue-database-name": "genai_demo_production_events",
        "/genai-demo/production/analytics/athena-workgroup-name": "genai-demo-production-events",
    }


# --- Configuration per environment -------------------------------------------------------------


@pytest.mark.parametrize(
    ("environment", "enabled", "cutoff_gib", "expire", "results_days", "buffer"),
    [
        ("development", False, 1, 180, 7, (60, 64)),
        ("staging", False, 1, 180, 7, (60, 64)),
        ("production", True, 10, None, 30, (300, 128)),
    ],
)
def test_analytics_defaults_per_environment(
    config: ProjectConfig,
    environment: str,
    enabled: bool,
    cutoff_gib: int,
    expire: int | None,
    results_days: int,
    buffer: tuple[int, int],
) -> None:
    env = config.environments[environment]
    analytics = env.analytics
    assert env.stacks.analytics is enabled
    assert analytics.topic == "genai-demo.domain-events"
    assert analytics.bytes_scanned_cutoff_per_query == cutoff_gib * GIB
    assert analytics.expire_after_days == expire
    assert analytics.query_results_expire_after_days == results_days
    assert (analytics.buffer_interval_seconds, analytics.buffer_size_mib) == buffer
    assert (analytics.infrequent_access_after_days, analytics.glacier_instant_retrieval_after_days) == (30, 90)


def test_only_the_primary_region_holds_the_lake(config: ProjectConfig) -> None:
    holders = {
        (t.environment, t.region)
        for env in config.environments.values()
        for t in targets_of(env)
        if "AnalyticsStack" in t.stacks
    }
    assert holders == {("production", "ap-east-2")}


def test_staging_gets_the_lake_with_brokers_that_offer_private_connectivity() -> None:
    config = load_config(
        overrides=[
            "environments.staging.stacks.msk=true",
            "environments.staging.stacks.analytics=true",
            "environments.staging.regions.ap-east-2.msk.broker_instance_type=kafka.m5.large",
        ]
    )
    targets = targets_of(config.environments["staging"])
    assert ["AnalyticsStack" in t.stacks for t in targets] == [True, False]


def test_analytics_on_t3_small_brokers_is_refused_with_the_reason() -> None:
    with pytest.raises(ConfigError, match=r"kafka\.t3\.small brokers do not support"):
        load_config(overrides=["environments.staging.stacks.msk=true", "environments.staging.stacks.analytics=true"])


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("glacier_instant_retrieval_after_days=45", "at least 30 days after infrequent_access_after_days"),
        ("expire_after_days=60", "must come after the Glacier Instant Retrieval"),
        ("infrequent_access_after_days=10", "greater than or equal to 30"),
        ("topic=bad/topic", "should match pattern"),
    ],
)
def test_impossible_analytics_settings_are_refused(override: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(overrides=[f"environments.production.analytics.{override}"])


def test_analytics_waits_for_security_and_msk_when_the_target_has_them(
    config: ProjectConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MSKStack comes from another branch: a stand-in shows the registered dependency links to it."""
    import aws_cdk as cdk
    from constructs import Construct

    from genai_infra import app_builder
    from genai_infra.stacks.base import GenaiStack, TargetContext
    from genai_infra.synth import cdk_json_context
    from tests.conftest import target_of

    class StandInMskStack(GenaiStack):
        def __init__(self, scope: Construct, stack_id: str, *, target: TargetContext) -> None:
            super().__init__(scope, stack_id, target=target, description="stand-in for the MSK cluster")

    monkeypatch.setitem(app_builder.STACK_CLASSES, "MSKStack", StandInMskStack)
    monkeypatch.setattr(app_builder, "stacks_of", lambda _: ["SecurityStack", "MSKStack", "AnalyticsStack"])
    stacks = app_builder.build_target(cdk.App(context=dict(cdk_json_context())), config, target_of(ENV, REGION, config))
    assert {dependency.node.id for dependency in stacks["AnalyticsStack"].dependencies} == {"SecurityStack", "MSKStack"}
