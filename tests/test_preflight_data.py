"""Preflight data-service rules PF040-PF047, Lambda runtimes PF050 and wiring PF060-PF062."""

from __future__ import annotations

from typing import Any

import pytest

from genai_infra.preflight import Severity
from genai_infra.preflight.rules.wiring import SynthesisPair
from genai_infra.preflight.runner import run_synthesis
from tests.preflight_builders import hits, one, published, ref, res, ssm_import, target, tpl


def aurora(instance_class: str, **cluster: Any) -> dict[str, Any]:
    return {
        "Cluster": res("AWS::RDS::DBCluster", {"Engine": "aurora-postgresql", "EngineVersion": "15.10", **cluster}),
        "Writer": res(
            "AWS::RDS::DBInstance", {"DBClusterIdentifier": ref("Cluster"), "DBInstanceClass": instance_class}
        ),
    }


@pytest.mark.parametrize("instance_class", ["db.r6g.medium", "db.t3.micro", "db.m5.large"])
def test_aurora_classes_the_engine_does_not_offer_fail(instance_class: str) -> None:
    (found,) = hits("PF040", one(aurora(instance_class)))
    assert found.logical_id == "Writer"
    assert instance_class in found.message


@pytest.mark.parametrize("instance_class", ["db.r6g.large", "db.t4g.large", "db.serverless"])
def test_aurora_classes_the_engine_offers_pass(instance_class: str) -> None:
    assert hits("PF040", one(aurora(instance_class))) == []


def test_cache_and_broker_types_must_exist() -> None:
    cache = {"Redis": res("AWS::ElastiCache::ReplicationGroup", {"CacheNodeType": "cache.r6g.medium"})}
    assert len(hits("PF041", one(cache))) == 1
    cache["Redis"]["Properties"]["CacheNodeType"] = "cache.r6g.large"
    assert hits("PF041", one(cache)) == []
    broker = {"Msk": res("AWS::MSK::Cluster", {"BrokerNodeGroupInfo": {"InstanceType": "kafka.m7g.medium"}})}
    assert len(hits("PF042", one(broker))) == 1
    broker["Msk"]["Properties"]["BrokerNodeGroupInfo"]["InstanceType"] = "kafka.m7g.large"
    assert hits("PF042", one(broker)) == []


def msk(brokers: int, subnets: Any, parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    info = {"InstanceType": "kafka.m7g.large", "ClientSubnets": subnets}
    return tpl({"Msk": res("AWS::MSK::Cluster", {"NumberOfBrokerNodes": brokers, "BrokerNodeGroupInfo": info})},
               parameters)  # fmt: skip


def test_broker_count_must_be_a_multiple_of_the_client_subnets() -> None:
    assert len(hits("PF043", target({"MSKStack": msk(3, ["subnet-a", "subnet-b"])}))) == 1
    assert len(hits("PF043", target({"MSKStack": msk(4, ["subnet-a", "subnet-b", "subnet-c", "subnet-d"])}))) == 1
    assert hits("PF043", target({"MSKStack": msk(4, ["subnet-a", "subnet-b"])})) == []


def test_broker_subnets_are_counted_through_the_published_subnet_ids() -> None:
    # Decision C5: the two private subnets plus the MSK subnet of the third AZ, read from SSM.
    network = tpl({
        "Private": published("network/private-subnet-ids", {"Fn::Join": ["", [ref("P1"), ",", ref("P2")]]}),
        "MskSubnet": published("network/msk-subnet-ids", ref("M1")),
    })  # fmt: skip
    subnets = [{"Fn::Select": [0, {"Fn::Split": [",", ref("Private")]}]},
               {"Fn::Select": [1, {"Fn::Split": [",", ref("Private")]}]}, ref("Msk3")]  # fmt: skip
    parameters = {"Private": ssm_import("network/private-subnet-ids"), "Msk3": ssm_import("network/msk-subnet-ids")}
    assert hits("PF043", target({"NetworkStack": network, "MSKStack": msk(3, subnets, parameters)})) == []
    split = {"Fn::Split": [",", ref("Private")]}
    assert len(hits("PF043", target({"NetworkStack": network, "MSKStack": msk(3, split, parameters)}))) == 1


def test_serverless_instances_need_a_scaling_configuration() -> None:
    assert len(hits("PF044", one(aurora("db.serverless")))) == 1
    scaled = aurora("db.serverless", ServerlessV2ScalingConfiguration={"MinCapacity": 0, "MaxCapacity": 2})
    assert hits("PF044", one(scaled)) == []


@pytest.mark.parametrize(
    "properties",
    [{"AutomaticFailoverEnabled": True, "NumCacheClusters": 1},
     {"AutomaticFailoverEnabled": True, "ReplicasPerNodeGroup": 0},
     {"MultiAZEnabled": True, "AutomaticFailoverEnabled": False, "NumCacheClusters": 2}],
)  # fmt: skip
def test_redis_failover_needs_replicas(properties: dict[str, Any]) -> None:
    assert len(hits("PF045", one({"Redis": res("AWS::ElastiCache::ReplicationGroup", properties)}))) == 1


def test_redis_with_a_replica_and_failover_passes() -> None:
    ok = {"MultiAZEnabled": True, "AutomaticFailoverEnabled": True, "NumCacheClusters": 2}
    assert hits("PF045", one({"Redis": res("AWS::ElastiCache::ReplicationGroup", ok)})) == []
    single = {"NumCacheClusters": 1}
    assert hits("PF045", one({"Redis": res("AWS::ElastiCache::ReplicationGroup", single)})) == []


def test_production_databases_need_deletion_protection() -> None:
    assert [hit.logical_id for hit in hits("PF046", one(aurora("db.r6g.large")))] == ["Cluster"]
    assert hits("PF046", one(aurora("db.r6g.large", DeletionProtection=True))) == []
    assert hits("PF046", one(aurora("db.r6g.large"), environment="development")) == []


@pytest.mark.parametrize(
    ("resource_type", "policies"),
    [("AWS::RDS::DBCluster", {}), ("AWS::KMS::Key", {"DeletionPolicy": "Retain"}),
     ("AWS::MSK::Cluster", {"DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot"}),
     ("AWS::Logs::LogGroup", {"DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete"})],
)  # fmt: skip
def test_production_stateful_resources_must_keep_their_data(resource_type: str, policies: dict[str, str]) -> None:
    found = hits("PF047", one({"R": res(resource_type, **policies)}))
    assert found
    assert all(hit.logical_id == "R" for hit in found)
    assert hits("PF047", one({"R": res(resource_type, **policies)}, environment="staging")) == []


def test_retained_and_snapshotted_production_resources_pass() -> None:
    resources = {
        "Db": res("AWS::RDS::DBCluster", DeletionPolicy="Snapshot", UpdateReplacePolicy="Snapshot"),
        "Key": res("AWS::KMS::Key", DeletionPolicy="Retain", UpdateReplacePolicy="Retain"),
        "Redis": res("AWS::ElastiCache::ReplicationGroup", DeletionPolicy="Snapshot", UpdateReplacePolicy="Retain"),
        "Sg": res("AWS::EC2::SecurityGroup"),
    }
    assert hits("PF047", one(resources)) == []


def test_deprecated_lambda_runtimes_fail_and_soon_deprecated_ones_warn() -> None:
    def function(runtime: str) -> dict[str, Any]:
        return {"Fn": res("AWS::Lambda::Function", {"Runtime": runtime, "Handler": "index.handler"})}

    for runtime in ("python3.9", "nodejs20.x", "nodejs18.x", "python3.11"):
        (found,) = hits("PF050", one(function(runtime)))
        assert found.severity is None, runtime  # the rule's severity: error
    (soon,) = hits("PF050", one(function("nodejs22.x")))  # deprecated 2027-04-30, within 180 days of TODAY
    assert soon.severity is Severity.WARNING
    for runtime in ("python3.13", "nodejs24.x", "provided.al2023"):
        assert hits("PF050", one(function(runtime))) == []


def test_the_same_input_must_give_the_same_templates() -> None:
    same = SynthesisPair("production/ap-east-2", {"NetworkStack": b'{"a": 1}'}, {"NetworkStack": b'{"a": 1}'})
    assert run_synthesis(same) == []
    changed = SynthesisPair("production/ap-east-2", {"NetworkStack": b'{"a": 1}'}, {"NetworkStack": b'{"a": 2}'})
    (found,) = run_synthesis(changed)
    assert (found.rule_id, found.stack, found.target) == ("PF060", "NetworkStack", "production/ap-east-2")
    missing = SynthesisPair("production/ap-east-2", {"NetworkStack": b"{}"}, {})
    assert len(run_synthesis(missing)) == 1


def reader(key: str, environment: str = "production") -> dict[str, Any]:
    return tpl({"Vpc": res("AWS::EC2::FlowLog", {"ResourceId": ref("VpcId")})}, {"VpcId": ssm_import(key, environment)})


def publisher() -> dict[str, Any]:
    return tpl({"Vpc": res("AWS::EC2::VPC"), "Published": published("network/vpc-id", ref("Vpc"))})


def test_a_parameter_read_must_be_published_in_the_target() -> None:
    (found,) = hits("PF061", target({"RdsStack": reader("network/vpc-id")}))
    assert found.logical_id == "VpcId"
    assert "/genai-demo/production/network/vpc-id" in found.message
    assert len(hits("PF061", target({"NetworkStack": publisher(), "RdsStack": reader("network/vpc-id", "staging")})))
    assert hits("PF061", target({"NetworkStack": publisher(), "RdsStack": reader("network/vpc-id")})) == []
    common = tpl({}, {"Zone": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/genai-demo/common/dns/x"}})
    assert hits("PF061", target({"CertificateStack": common})) == []
    dynamic = tpl({"Q": res("AWS::SQS::Queue", {"QueueName": "{{resolve:ssm:/genai-demo/production/nope}}"})})
    assert len(hits("PF061", target({"X": dynamic}))) == 1


def test_a_reader_must_depend_on_the_publisher() -> None:
    stacks = {"NetworkStack": publisher(), "RdsStack": reader("network/vpc-id")}
    (found,) = hits("PF062", target(stacks))
    assert "DEPENDS_ON['RdsStack']" in found.message
    assert hits("PF062", target(stacks, dependencies={"RdsStack": ["NetworkStack"]})) == []
    through = {"RdsStack": ["SecurityStack"], "SecurityStack": ["NetworkStack"]}
    assert hits("PF062", target(stacks, dependencies=through)) == []
