"""MSKStack: the Kafka cluster per environment and region, and MSK Replicator to the DR region."""

from __future__ import annotations

from typing import Any

import pytest

from genai_infra.config import catalog
from tests.conftest import Template, render, targets_with
from tests.data_layer import published, remote_read, split_ssm_key, ssm_key

MSK_TARGETS = targets_with("MSKStack")

# (environment, region) -> cluster name, broker type, EBS GB, broker log days, protected
EXPECTED: dict[tuple[str, str], tuple[str, str, int, int, bool]] = {
    ("development", "ap-northeast-1"): ("genai-demo-development-msk", "kafka.t3.small", 10, 7, False),
    ("staging", "ap-east-2"): ("genai-demo-staging-msk", "kafka.t3.small", 20, 7, False),
    ("production", "ap-east-2"): ("genai-demo-production-msk", "kafka.m7g.large", 100, 90, True),
    ("production", "ap-northeast-1"): ("genai-demo-production-apne1-msk", "kafka.m7g.large", 100, 90, True),
}


def _msk(template: Any, environment: str, region: str) -> Template:
    t: Template = template(environment, region, "MSKStack")
    return t


def _cluster(t: Template) -> tuple[str, dict[str, Any]]:
    ((logical_id, resource),) = t.of_type("AWS::MSK::Cluster").items()
    return logical_id, resource


@pytest.mark.parametrize(("environment", "region"), MSK_TARGETS)
def test_cluster_of_the_environment(template: Any, environment: str, region: str) -> None:
    name, broker_type, ebs_gb, _, protected = EXPECTED[(environment, region)]
    t = _msk(template, environment, region)
    _, resource = _cluster(t)
    cluster = resource["Properties"]
    prefix = f"/genai-demo/{environment}/"
    assert cluster["ClusterName"] == name
    assert cluster["KafkaVersion"] == "3.9.x"
    assert cluster["NumberOfBrokerNodes"] == 3
    brokers = cluster["BrokerNodeGroupInfo"]
    assert brokers["InstanceType"] == broker_type
    assert brokers["StorageInfo"] == {"EBSStorageInfo": {"VolumeSize": ebs_gb}}
    # Decision C5: one broker in each of the two private subnets and the third-AZ MSK subnet.
    subnets = brokers["ClientSubnets"]
    assert split_ssm_key(t, subnets[0], 0) == f"{prefix}network/private-subnet-ids"
    assert split_ssm_key(t, subnets[1], 1) == f"{prefix}network/private-subnet-ids"
    assert ssm_key(t, subnets[2]) == f"{prefix}network/msk-subnet-ids"
    # Decision C6: the MSK security group.
    assert [ssm_key(t, sg) for sg in brokers["SecurityGroups"]] == [f"{prefix}network/msk-security-group-id"]
    assert cluster["EncryptionInfo"]["EncryptionInTransit"] == {"ClientBroker": "TLS", "InCluster": True}
    assert ssm_key(t, cluster["EncryptionInfo"]["EncryptionAtRest"]["DataVolumeKMSKeyId"]) == f"{prefix}kms/msk-key-arn"
    assert cluster["ClientAuthentication"] == {
        "Sasl": {"Iam": {"Enabled": True}},
        "Unauthenticated": {"Enabled": False},
    }
    assert cluster["EnhancedMonitoring"] == "PER_BROKER"
    assert resource["DeletionPolicy"] == ("Retain" if protected else "Delete")


@pytest.mark.parametrize(("environment", "region"), MSK_TARGETS)
def test_broker_logs_go_to_an_encrypted_log_group(template: Any, environment: str, region: str) -> None:
    name, _, _, days, protected = EXPECTED[(environment, region)]
    t = _msk(template, environment, region)
    _, resource = _cluster(t)
    logs = {k: v for k, v in t.of_type("AWS::Logs::LogGroup").items() if "Broker" in k}
    ((log_id, log_group),) = logs.items()
    assert resource["Properties"]["LoggingInfo"] == {
        "BrokerLogs": {"CloudWatchLogs": {"Enabled": True, "LogGroup": {"Ref": log_id}}}
    }
    assert log_group["Properties"]["LogGroupName"] == f"/aws/genai-demo/{environment}/msk/{name}"
    assert log_group["Properties"]["RetentionInDays"] == days
    assert ssm_key(t, log_group["Properties"]["KmsKeyId"]) == f"/genai-demo/{environment}/kms/logs-key-arn"
    assert log_group["DeletionPolicy"] == ("Retain" if protected else "Delete")


@pytest.mark.parametrize(("environment", "region"), MSK_TARGETS)
def test_only_the_replication_source_opens_multi_vpc_connectivity(template: Any, environment: str, region: str) -> None:
    brokers = _cluster(_msk(template, environment, region))[1]["Properties"]["BrokerNodeGroupInfo"]
    if (environment, region) == ("production", "ap-east-2"):
        assert brokers["ConnectivityInfo"] == {
            "VpcConnectivity": {"ClientAuthentication": {"Sasl": {"Iam": {"Enabled": True}}}}
        }
    else:
        assert "ConnectivityInfo" not in brokers


@pytest.mark.parametrize(("environment", "region"), MSK_TARGETS)
def test_cluster_values_are_published(template: Any, environment: str, region: str) -> None:
    t = _msk(template, environment, region)
    cluster_id, _ = _cluster(t)
    values = published(t)
    prefix = f"/genai-demo/{environment}/msk/"
    expected = {
        f"{prefix}cluster-arn": {"Fn::GetAtt": [cluster_id, "Arn"]},
        f"{prefix}cluster-name": EXPECTED[(environment, region)][0],
    }
    if environment == "production":
        ((group_id, _),) = t.of_type("AWS::EC2::SecurityGroup").items()
        expected[f"{prefix}replicator-security-group-id"] = {"Fn::GetAtt": [group_id, "GroupId"]}
    assert values == expected


@pytest.mark.parametrize("region", ["ap-east-2", "ap-northeast-1"])
def test_replicator_clients_reach_the_brokers_on_9098_only(template: Any, region: str) -> None:
    t = _msk(template, "production", region)
    ((group_id, group),) = t.of_type("AWS::EC2::SecurityGroup").items()
    msk_group = "/genai-demo/production/network/msk-security-group-id"
    (egress,) = group["Properties"]["SecurityGroupEgress"]
    assert (egress["IpProtocol"], egress["FromPort"], egress["ToPort"]) == ("tcp", 9098, 9098)
    assert ssm_key(t, egress["DestinationSecurityGroupId"]) == msk_group
    assert "SecurityGroupIngress" not in group["Properties"]
    ingress = t.one("AWS::EC2::SecurityGroupIngress")
    assert ssm_key(t, ingress["GroupId"]) == msk_group
    assert ingress["SourceSecurityGroupId"] == {"Fn::GetAtt": [group_id, "GroupId"]}
    assert (ingress["FromPort"], ingress["ToPort"]) == (9098, 9098)


@pytest.mark.parametrize(("environment", "region"), [t for t in MSK_TARGETS if t != ("production", "ap-northeast-1")])
def test_no_replicator_outside_the_dr_region(template: Any, environment: str, region: str) -> None:
    t = _msk(template, environment, region)
    assert t.of_type("AWS::MSK::Replicator") == {}
    assert t.of_type("Custom::AWS") == {}


def test_replicator_in_tokyo_copies_every_topic_and_group_from_taipei(template: Any) -> None:
    t = _msk(template, "production", "ap-northeast-1")
    target_id, _ = _cluster(t)
    replicator = t.one("AWS::MSK::Replicator")
    assert replicator["ReplicatorName"] == "production-ape2-to-apne1"
    source, target = replicator["KafkaClusters"]
    source_arn = source["AmazonMskCluster"]["MskClusterArn"]
    call = remote_read(t, source_arn)
    assert (call["region"], call["parameters"]) == ("ap-east-2", {"Name": "/genai-demo/production/msk/cluster-arn"})
    source_subnets = source["VpcConfig"]["SubnetIds"]
    assert remote_read(t, source_subnets[0]["Fn::Select"][1]["Fn::Split"][1])["parameters"] == {
        "Name": "/genai-demo/production/network/private-subnet-ids"
    }
    assert remote_read(t, source_subnets[2])["parameters"] == {"Name": "/genai-demo/production/network/msk-subnet-ids"}
    (source_group,) = source["VpcConfig"]["SecurityGroupIds"]
    assert remote_read(t, source_group)["parameters"] == {
        "Name": "/genai-demo/production/msk/replicator-security-group-id"
    }
    assert target["AmazonMskCluster"]["MskClusterArn"] == {"Fn::GetAtt": [target_id, "Arn"]}
    ((group_id, _),) = t.of_type("AWS::EC2::SecurityGroup").items()
    assert target["VpcConfig"]["SecurityGroupIds"] == [{"Fn::GetAtt": [group_id, "GroupId"]}]
    (info,) = replicator["ReplicationInfoList"]
    assert info["SourceKafkaClusterArn"] == source_arn
    assert info["TargetKafkaClusterArn"] == {"Fn::GetAtt": [target_id, "Arn"]}
    assert info["TopicReplication"]["TopicsToReplicate"] == [".*"]
    assert info["TopicReplication"]["TopicNameConfiguration"] == {"Type": "IDENTICAL"}
    assert info["TopicReplication"]["DetectAndCopyNewTopics"] is True
    assert info["ConsumerGroupReplication"]["ConsumerGroupsToReplicate"] == [".*"]
    assert info["ConsumerGroupReplication"]["SynchroniseConsumerGroupOffsets"] is True


def test_replicator_role_is_scoped_to_the_two_clusters(template: Any) -> None:
    t = _msk(template, "production", "ap-northeast-1")
    target_id, _ = _cluster(t)
    roles = {r.get("RoleName"): r for r in t.props("AWS::IAM::Role")}
    role = roles["genai-demo-production-ap-northeast-1-msk-replicator-role"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "kafka.amazonaws.com"}
    assert t.one("AWS::MSK::Replicator")["ServiceExecutionRoleArn"]["Fn::GetAtt"][1] == "Arn"
    policy = t.one("AWS::IAM::ManagedPolicy")
    statements = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}
    clusters = statements["Clusters"]["Resource"]
    assert {"Fn::GetAtt": [target_id, "Arn"]} in clusters
    assert any(
        remote_read(t, r)["parameters"]["Name"].endswith("/msk/cluster-arn")
        for r in clusters
        if "Fn::GetAtt" in r and r["Fn::GetAtt"][0] != target_id
    )
    assert len(clusters) == 2
    for sid, kind in (("Topics", "topic"), ("ConsumerGroups", "group")):
        assert sorted(render(statements[sid]["Resource"])) == [
            f"arn:aws:kafka:ap-east-2:${{AWS::AccountId}}:{kind}/genai-demo-production-msk/*",
            f"arn:aws:kafka:ap-northeast-1:${{AWS::AccountId}}:{kind}/genai-demo-production-apne1-msk/*",
        ]
    assert all(action != "*" for s in statements.values() for action in s["Action"])


# --- Rules AWS enforces that cfn-lint does not check ------------------------------------------


@pytest.mark.parametrize(("environment", "region"), MSK_TARGETS)
def test_broker_count_is_a_multiple_of_the_client_subnets(template: Any, environment: str, region: str) -> None:
    brokers = _cluster(_msk(template, environment, region))[1]["Properties"]
    subnets = brokers["BrokerNodeGroupInfo"]["ClientSubnets"]
    assert brokers["NumberOfBrokerNodes"] % len(subnets) == 0
    assert brokers["BrokerNodeGroupInfo"]["InstanceType"] in catalog.MSK_BROKER_TYPES


@pytest.mark.parametrize(("environment", "region"), MSK_TARGETS)
def test_replicated_clusters_are_not_t3_small(template: Any, environment: str, region: str) -> None:
    t = _msk(template, environment, region)
    replicated = (
        bool(t.of_type("AWS::MSK::Replicator"))
        or "ConnectivityInfo" in _cluster(t)[1]["Properties"]["BrokerNodeGroupInfo"]
    )
    if replicated:
        assert not _cluster(t)[1]["Properties"]["BrokerNodeGroupInfo"]["InstanceType"].startswith("kafka.t3.")


def test_deploy_order_lets_the_dr_region_read_what_the_primary_published(assemblies: Any) -> None:
    """Cross-region reads (global datastore id, MSK ARN, secret replica keys) need this exact order."""
    from genai_infra.cli.main import plan_steps

    regions = ["ap-east-2", "ap-northeast-1", "us-east-1"]
    steps = [
        (s.phase, s.region, s.stack) for s in plan_steps([assemblies[("production", r)] for r in regions], regions)
    ]
    for stack in ("RdsStack", "ElastiCacheStack", "MSKStack"):
        # The primary region's data stack deploys before the DR region's ...
        assert steps.index((2, "ap-east-2", stack)) < steps.index((2, "ap-northeast-1", stack))
        # ... and after the DR region's SecurityStack, whose secrets key the replicated secrets use.
        assert steps.index((1, "ap-northeast-1", "SecurityStack")) < steps.index((2, "ap-east-2", stack))
