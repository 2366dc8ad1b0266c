"""The local emulator (genai_infra.emulator): each moto 5.2.5 behaviour it corrects, shown through the APIs.

The emulator runs in a subprocess, as scripts/deploy-local.sh starts it, so its patches of moto
never reach the other tests' in-process moto. Each test names the fix (and the cause number of
issue 18) it shows; templates are small, hand-written CloudFormation.
"""

from __future__ import annotations

import base64
import json
import ssl
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from genai_infra.deploy_verify import verify_stack, verify_stacks
from genai_infra.emulator import models
from tests.emulated import emulator_client, running_emulator

REGION = "ap-east-2"


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    record = tmp_path_factory.mktemp("record")
    with running_emulator(record / "emulator.log", "--record", str(record)) as endpoint:
        yield {"endpoint": endpoint, "record": record}


@pytest.fixture
def aws(emulator: dict[str, Any]) -> Any:
    def client(service: str, region: str = REGION) -> Any:
        return emulator_client(emulator["endpoint"], service, region)

    return client


def deploy(aws: Any, name: str, resources: dict[str, Any], region: str = REGION, **extra: Any) -> dict[str, Any]:
    """Create a stack through a change set, as the CDK CLI does; its description afterwards."""
    cloudformation = aws("cloudformation", region)
    template = {"Resources": resources, **extra}
    cloudformation.create_change_set(
        StackName=name, ChangeSetName="cdk-deploy-change-set", ChangeSetType="CREATE", TemplateBody=json.dumps(template)
    )
    cloudformation.execute_change_set(StackName=name, ChangeSetName="cdk-deploy-change-set")
    stack: dict[str, Any] = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    return stack


TAGS = [{"Key": "Project", "Value": "genai-demo"}]


def test_fix_kms_key_tags(aws: Any) -> None:
    """1: a tagged KMS key is created, with its tags (moto alone fails with KeyError 'TagKey')."""
    stack = deploy(aws, "kms-tags", {"Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {}, "Tags": TAGS}}})
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    key = aws("cloudformation").describe_stack_resource(StackName="kms-tags", LogicalResourceId="Key")
    key_id = key["StackResourceDetail"]["PhysicalResourceId"]
    assert aws("kms").list_resource_tags(KeyId=key_id)["Tags"] == [{"TagKey": "Project", "TagValue": "genai-demo"}]


def test_fix_failed_change_set_fails_the_stack(aws: Any) -> None:
    """2: a resource failing inside ExecuteChangeSet ends in ROLLBACK_COMPLETE with the resource named,
    and a retried execution is refused instead of diffing to nothing and reporting CREATE_COMPLETE."""
    broken = {
        "Subnet": {
            "Type": "AWS::EC2::Subnet",
            "Properties": {"VpcId": "vpc-0000000000000000", "CidrBlock": "10.0.0.0/24"},
        }
    }
    stack = deploy(aws, "fails", broken)
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    events = aws("cloudformation").describe_stack_events(StackName="fails")["StackEvents"]
    failed = [e for e in events if e["ResourceStatus"] == "CREATE_FAILED"]
    assert [e["LogicalResourceId"] for e in failed] == ["Subnet"]
    with pytest.raises(ClientError, match="EXECUTE_FAILED"):
        aws("cloudformation").execute_change_set(StackName="fails", ChangeSetName="cdk-deploy-change-set")
    assert aws("cloudformation").describe_stacks(StackName="fails")["Stacks"][0]["StackStatus"] == "ROLLBACK_COMPLETE"


def test_fix_ssm_parameter_tags_and_name(aws: Any) -> None:
    """3 and 7: a parameter with a tag map and without a Name (EKS's kubectl barrier) is created."""
    parameter = {
        "Type": "AWS::SSM::Parameter",
        "Properties": {"Type": "String", "Value": "ready", "Tags": {"Project": "genai-demo"}},
    }
    stack = deploy(aws, "barrier", {"Barrier": parameter})
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    name = aws("cloudformation").describe_stack_resource(StackName="barrier", LogicalResourceId="Barrier")[
        "StackResourceDetail"
    ]["PhysicalResourceId"]
    assert name.startswith("barrier-Barrier-")
    assert aws("ssm").get_parameter(Name=name)["Parameter"]["Value"] == "ready"


def test_fix_missing_ssm_parameter_input(aws: Any) -> None:
    """4: an SSM-typed input naming a parameter that does not exist is a validation error naming it."""
    template = {
        "Parameters": {"Zone": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/not/seeded"}},
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
    }
    with pytest.raises(ClientError, match=r"Unable to fetch parameters \[/not/seeded\]"):
        aws("cloudformation").create_stack(StackName="unseeded", TemplateBody=json.dumps(template))


def test_models_for_types_moto_lacks(aws: Any) -> None:
    """5: a type moto has no model for is created through moto's own API (a secret, an alarm)."""
    secret = {
        "Type": "AWS::SecretsManager::Secret",
        "Properties": {
            "Name": "genai-demo/test/master",
            "GenerateSecretString": {
                "SecretStringTemplate": '{"username": "admin"}',
                "GenerateStringKey": "password",
                "PasswordLength": 24,
            },
        },
    }
    alarm = {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "MetricName": "CPUUtilization",
            "Namespace": "AWS/RDS",
            "Statistic": "Average",
            "Period": "60",
            "EvaluationPeriods": "3",
            "Threshold": "80",
            "ComparisonOperator": "GreaterThanThreshold",
        },
    }
    stack = deploy(aws, "models", {"Secret": secret, "Alarm": alarm})
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    value = json.loads(aws("secretsmanager").get_secret_value(SecretId="genai-demo/test/master")["SecretString"])
    assert value["username"] == "admin"
    assert len(value["password"]) == 24
    alarms = aws("cloudwatch").describe_alarms()["MetricAlarms"]
    assert [a["Threshold"] for a in alarms if a["AlarmName"].startswith("models-Alarm-")] == [80.0]


def test_id_only_types_are_listed_with_a_reason() -> None:
    """5: where moto has no API the model gives an id only, and says why, in one list."""
    assert "AWS::MSK::Replicator" in models.ID_ONLY
    assert all(reason for reason in models.ID_ONLY.values())
    assert {"AWS::EKS::Cluster", "AWS::RDS::DBCluster", "AWS::ElastiCache::ReplicationGroup"}.isdisjoint(models.ID_ONLY)


AURORA = {
    "Cluster": {
        "Type": "AWS::RDS::DBCluster",
        "Properties": {
            "DBClusterIdentifier": "aurora-test",
            "Engine": "aurora-postgresql",
            "EngineVersion": "15.17",
            "MasterUsername": "admin",
            "MasterUserPassword": "local-emulator-only",
        },
    },
    "Writer": {
        "Type": "AWS::RDS::DBInstance",
        "Properties": {
            "DBClusterIdentifier": {"Ref": "Cluster"},
            "DBInstanceClass": "db.r6g.large",
            "DBInstanceIdentifier": "aurora-test-1",
            "Engine": "aurora-postgresql",
        },
    },
}


def test_fix_rds_instance_in_cluster(aws: Any) -> None:
    """6: an Aurora instance joins its cluster (moto alone: KeyError 'aurora-postgresql')."""
    stack = deploy(aws, "aurora", AURORA)
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    cluster = aws("rds").describe_db_clusters(DBClusterIdentifier="aurora-test")["DBClusters"][0]
    assert [(m["DBInstanceIdentifier"], m["IsClusterWriter"]) for m in cluster["DBClusterMembers"]] == [
        ("aurora-test-1", True)
    ]


def test_fix_load_balancer_full_names(aws: Any) -> None:
    """8: TargetGroupFullName, which the ALB alarms' dimensions use, is answered."""
    resources = {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.8.0.0/16"}},
        "Group": {
            "Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
            "Properties": {
                "Name": "app-tg",
                "Port": 8080,
                "Protocol": "HTTP",
                "VpcId": {"Ref": "Vpc"},
                "TargetType": "ip",
            },
        },
    }
    outputs = {"FullName": {"Value": {"Fn::GetAtt": ["Group", "TargetGroupFullName"]}}}
    stack = deploy(aws, "target-group", resources, Outputs=outputs)
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert stack["Outputs"][0]["OutputValue"].startswith("targetgroup/app-tg/")


def test_fix_global_cluster_source_region_and_secondary_states(aws: Any) -> None:
    """9 and 13: a global cluster from a Taipei source; Tokyo's secondary has no writer and is 'connected'."""
    primary = aws("rds").create_db_cluster(
        DBClusterIdentifier="global-primary",
        Engine="aurora-postgresql",
        MasterUsername="admin",
        MasterUserPassword="local-only",
    )["DBCluster"]
    aws("rds").create_global_cluster(
        GlobalClusterIdentifier="global-test", SourceDBClusterIdentifier=primary["DBClusterArn"]
    )
    tokyo = aws("rds", "ap-northeast-1")
    tokyo.create_db_cluster(
        DBClusterIdentifier="global-secondary", Engine="aurora-postgresql", GlobalClusterIdentifier="global-test"
    )
    tokyo.create_db_instance(
        DBInstanceIdentifier="global-secondary-1",
        DBClusterIdentifier="global-secondary",
        DBInstanceClass="db.r6g.large",
        Engine="aurora-postgresql",
    )
    members = tokyo.describe_db_clusters(DBClusterIdentifier="global-secondary")["DBClusters"][0]["DBClusterMembers"]
    assert [m["IsClusterWriter"] for m in members] == [False]
    global_members = tokyo.describe_global_clusters(GlobalClusterIdentifier="global-test")["GlobalClusters"][0][
        "GlobalClusterMembers"
    ]
    by_role = {m["IsWriter"]: m for m in global_members}
    assert by_role[True]["DBClusterArn"] == primary["DBClusterArn"]
    assert by_role[False]["SynchronizationStatus"] == "connected"


def test_fix_change_sets_per_stack(aws: Any) -> None:
    """10: two stacks of one wave, both with CDK's change-set name, each execute their own."""
    cloudformation = aws("cloudformation")
    for name in ("wave-a", "wave-b"):
        cloudformation.create_change_set(
            StackName=name,
            ChangeSetName="cdk-deploy-change-set",
            ChangeSetType="CREATE",
            TemplateBody=json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}),
        )
    described = cloudformation.describe_change_set(StackName="wave-a", ChangeSetName="cdk-deploy-change-set")
    assert described["StackName"] == "wave-a"
    for name in ("wave-a", "wave-b"):
        cloudformation.execute_change_set(StackName=name, ChangeSetName="cdk-deploy-change-set")
    statuses = {s["StackName"]: s["StackStatus"] for s in cloudformation.describe_stacks()["Stacks"]}
    assert (statuses["wave-a"], statuses["wave-b"]) == ("CREATE_COMPLETE", "CREATE_COMPLETE")


def test_fix_policy_conditions_scope_statements(aws: Any) -> None:
    """11: CDK's TLS-only Deny lets uploads through; a Deny without a condition still refuses them."""
    s3 = aws("s3")
    s3.create_bucket(Bucket="assets", CreateBucketConfiguration={"LocationConstraint": REGION})
    tls_only = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::assets", "arn:aws:s3:::assets/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    s3.put_bucket_policy(Bucket="assets", Policy=json.dumps({"Version": "2012-10-17", "Statement": [tls_only]}))
    s3.put_object(Bucket="assets", Key="template.json", Body=b"{}")
    deny = {k: v for k, v in tls_only.items() if k != "Condition"}
    s3.put_bucket_policy(Bucket="assets", Policy=json.dumps({"Version": "2012-10-17", "Statement": [deny]}))
    with pytest.raises(ClientError, match=r"\(403\)"):
        s3.put_object(Bucket="assets", Key="other.json", Body=b"{}")


def test_custom_resources_answered_in_process(aws: Any, emulator: dict[str, Any]) -> None:
    """12: CfnJson evaluated, Custom::AWS calls the emulator in the region it names, manifests recorded."""
    put = {
        "service": "SSM",
        "action": "putParameter",
        "parameters": {
            "Name": "/genai-demo/test/health-check-id",
            "Value": "hc-1",
            "Type": "String",
            "Overwrite": "TRUE:BOOLEAN",
        },
        "physicalResourceId": {"id": "/genai-demo/test/health-check-id"},
        "region": "us-east-1",
    }
    resources = {
        "Json": {"Type": "Custom::AWSCDKCfnJson", "Properties": {"ServiceToken": "local", "Value": '{"a": ["b"]}'}},
        "Put": {"Type": "Custom::AWS", "Properties": {"ServiceToken": "local", "Create": json.dumps(put)}},
        "Manifest": {
            "Type": "Custom::AWSCDK-EKS-KubernetesResource",
            "Properties": {
                "ServiceToken": "local",
                "ClusterName": "c",
                "Manifest": '[{"kind": "Namespace", "metadata": {"name": "app"}}]',
            },
        },
    }
    stack = deploy(aws, "custom", resources, Outputs={"Json": {"Value": {"Fn::GetAtt": ["Json", "Value"]}}})
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert (
        aws("ssm", "us-east-1").get_parameter(Name="/genai-demo/test/health-check-id")["Parameter"]["Value"] == "hc-1"
    )
    recorded = json.loads((emulator["record"] / REGION / "custom" / "Manifest.json").read_text())
    assert recorded["manifest"] == [{"kind": "Namespace", "metadata": {"name": "app"}}]
    answered = [json.loads(line) for line in (emulator["record"] / "answered.jsonl").read_text().splitlines()]
    assert {(a["logical_id"], a["how"]) for a in answered if a["stack"] == "custom"} == {
        ("Json", "evaluated"),
        ("Put", "called"),
        ("Manifest", "recorded"),
    }


def test_the_app_database_user_is_recorded_not_created() -> None:
    """S8's user needs PostgreSQL; without --local-servers the emulator runs none: recorded under the user's name."""
    from genai_infra.emulator.custom_resources import answer

    physical, data, record = answer(
        "Custom::AppDatabaseUser", {"UserName": "genai_demo_app", "SqlSha256": "0" * 64}, "ap-east-2", "s", "User"
    )
    assert (physical, data, record.how, record.detail) == (
        "genai_demo_app",
        {},
        "recorded",
        "database user genai_demo_app",
    )


def test_an_unknown_custom_resource_fails_its_stack(aws: Any) -> None:
    """12: a custom resource the emulator cannot answer fails the stack, naming it; never a success."""
    stack = deploy(
        aws, "custom-unknown", {"Other": {"Type": "Custom::Unknown", "Properties": {"ServiceToken": "local"}}}
    )
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    events = aws("cloudformation").describe_stack_events(StackName="custom-unknown")["StackEvents"]
    assert any("Custom::Unknown" in (e.get("ResourceStatusReason") or "") for e in events)


def test_fix_validate_visible_states(aws: Any) -> None:
    """13: an MSK cluster is ACTIVE, and an AWS::EKS::Addon answers DescribeAddon."""
    arn = aws("kafka").create_cluster(
        ClusterName="msk-test",
        KafkaVersion="3.9.x",
        NumberOfBrokerNodes=3,
        BrokerNodeGroupInfo={"InstanceType": "kafka.t3.small", "ClientSubnets": ["subnet-1", "subnet-2", "subnet-3"]},
    )["ClusterArn"]
    assert aws("kafka").describe_cluster(ClusterArn=arn)["ClusterInfo"]["State"] == "ACTIVE"
    addon = {
        "Type": "AWS::EKS::Addon",
        "Properties": {"ClusterName": "eks-test", "AddonName": "vpc-cni", "AddonVersion": "v1.20.0-eksbuild.1"},
    }
    assert deploy(aws, "addon", {"Addon": addon})["StackStatus"] == "CREATE_COMPLETE"
    described = aws("eks").describe_addon(clusterName="eks-test", addonName="vpc-cni")["addon"]
    assert (described["status"], described["addonVersion"]) == ("ACTIVE", "v1.20.0-eksbuild.1")
    assert aws("eks").list_addons(clusterName="eks-test")["addons"] == ["vpc-cni"]


def test_fix_msk_bootstrap_brokers(aws: Any) -> None:
    """18: GetBootstrapBrokers answers (moto raised NotImplementedError, HTTP 500) with the listeners the
    cluster opens, as AWS does: production's IAM-only TLS cluster (decision C6) gives port 9098 alone,
    a cluster created without authentication the unauthenticated TLS listener; the address is loopback."""
    iam_only = {
        "Type": "AWS::MSK::Cluster",
        "Properties": {
            "ClusterName": "msk-iam-only",
            "KafkaVersion": "3.9.x",
            "NumberOfBrokerNodes": 3,
            "BrokerNodeGroupInfo": {"InstanceType": "kafka.m7g.large", "ClientSubnets": ["subnet-1", "subnet-2"]},
            "ClientAuthentication": {"Sasl": {"Iam": {"Enabled": True}}, "Unauthenticated": {"Enabled": False}},
            "EncryptionInfo": {"EncryptionInTransit": {"ClientBroker": "TLS", "InCluster": True}},
        },
    }
    stack = deploy(aws, "msk-brokers", {"Cluster": iam_only})
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    kafka = aws("kafka")
    clusters = kafka.list_clusters_v2(ClusterNameFilter="msk-iam-only")["ClusterInfoList"]
    answer = kafka.get_bootstrap_brokers(ClusterArn=clusters[0]["ClusterArn"])
    answer.pop("ResponseMetadata")
    assert answer == {"BootstrapBrokerStringSaslIam": "127.0.0.1:9098"}

    unauthenticated = kafka.create_cluster(
        ClusterName="msk-defaults",
        KafkaVersion="3.9.x",
        NumberOfBrokerNodes=2,
        BrokerNodeGroupInfo={"InstanceType": "kafka.t3.small", "ClientSubnets": ["subnet-1", "subnet-2"]},
    )["ClusterArn"]
    answer = kafka.get_bootstrap_brokers(ClusterArn=unauthenticated)
    answer.pop("ResponseMetadata")
    assert answer == {"BootstrapBrokerStringTls": "127.0.0.1:9094"}

    with pytest.raises(ClientError) as missing:
        kafka.get_bootstrap_brokers(ClusterArn=unauthenticated.rsplit("/", 1)[0] + "/no-such-cluster")
    assert missing.value.response["Error"]["Code"] == "NotFoundException"


def test_fix_eks_certificate_authority(aws: Any) -> None:
    """19: an EKS cluster's certificateAuthority is the base64 of a PEM CA (moto gave random characters),
    so validate's Kubernetes API probe gets as far as the cluster's endpoint, which nothing serves here."""
    from genai_infra.validation.kubernetes_api import deployment_available

    eks = aws("eks")
    role = f"arn:aws:iam::{aws('sts').get_caller_identity()['Account']}:role/eks"  # the emulator's account
    eks.create_cluster(name="eks-ca", roleArn=role, resourcesVpcConfig={"subnetIds": []})
    described = eks.describe_cluster(name="eks-ca")["cluster"]
    pem = base64.b64decode(described["certificateAuthority"]["data"]).decode()
    assert pem.startswith("-----BEGIN CERTIFICATE-----")
    assert ssl.create_default_context(cadata=pem).get_ca_certs()[0]["subject"] == (
        (("commonName", "eks-ca (emulated EKS cluster CA)"),),
    )
    result = deployment_available(
        eks, cluster="eks-ca", namespace="default", name="app", min_available=1, token=lambda: "t", timeout=2
    )
    assert not result.passed
    assert result.reason.startswith("Kubernetes API unreachable: ")


def test_fix_public_ami_parameters(aws: Any) -> None:
    """17. The public Amazon Linux AMI parameters resolve in ap-east-2, as they do in every AWS region."""
    name = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-arm64"
    value = aws("ssm", "ap-east-2").get_parameter(Name=name)["Parameter"]["Value"]
    assert value.startswith("ami-")
    assert value == aws("ssm", "ap-northeast-1").get_parameter(Name=name)["Parameter"]["Value"]


def test_fix_termination_protection(aws: Any) -> None:
    """14: UpdateTerminationProtection is answered (production's stacks keep it, decision S5)."""
    deploy(aws, "protected", {"Topic": {"Type": "AWS::SNS::Topic"}})
    aws("cloudformation").update_termination_protection(StackName="protected", EnableTerminationProtection=True)
    assert aws("cloudformation").describe_stacks(StackName="protected")["Stacks"][0]["EnableTerminationProtection"]


# --- deploy_verify against the emulator -----------------------------------------------------------------


def clients_of(aws: Any) -> Any:
    return lambda region, service: aws(service, region)


def test_verify_accepts_a_stack_that_is_what_it_declares(aws: Any) -> None:
    """15 too: the moto models that had no physical id (here a security group ingress) now have one."""
    resources = {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.9.0.0/16"}},
        "Group": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {"GroupDescription": "app", "VpcId": {"Ref": "Vpc"}},
        },
        "Ingress": {
            "Type": "AWS::EC2::SecurityGroupIngress",
            "Properties": {
                "GroupId": {"Ref": "Group"},
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "CidrIp": "10.9.0.0/16",
            },
        },
        "Parameter": {
            "Type": "AWS::SSM::Parameter",
            "Properties": {"Name": "/genai-demo/test/vpc", "Type": "String", "Value": "declared"},
        },
    }
    deploy(aws, "verified", resources)
    assert verify_stack(REGION, "verified", {"Resources": resources}, clients_of(aws)) == []


def test_verify_names_the_stack_and_resource_that_differ(aws: Any) -> None:
    """A resource moto skipped, a parameter gone or changed, a failed stack: each named, none trusted."""
    resources = {
        "Parameter": {
            "Type": "AWS::SSM::Parameter",
            "Properties": {"Name": "/genai-demo/test/gone", "Type": "String", "Value": "v"},
        },
        "Changed": {
            "Type": "AWS::SSM::Parameter",
            "Properties": {"Name": "/genai-demo/test/changed", "Type": "String", "Value": "v"},
        },
        "Skipped": {"Type": "AWS::IoTWireless::Destination", "Properties": {"Name": "d"}},
    }
    deploy(aws, "drifted", resources)
    aws("ssm").delete_parameter(Name="/genai-demo/test/gone")
    aws("ssm").put_parameter(Name="/genai-demo/test/changed", Value="other", Type="String", Overwrite=True)
    failed = {
        "Subnet": {
            "Type": "AWS::EC2::Subnet",
            "Properties": {"VpcId": "vpc-0000000000000001", "CidrBlock": "10.0.0.0/24"},
        }
    }
    deploy(aws, "failed", failed)
    mismatches = verify_stacks(
        [
            (REGION, "drifted", {"Resources": resources}),
            (REGION, "failed", {"Resources": failed}),
            (REGION, "absent", {}),
        ],
        clients_of(aws),
    )
    text = [str(m) for m in mismatches]
    gone = f"{REGION} drifted resource Parameter: SSM parameter /genai-demo/test/gone does not read back"
    assert any(t.startswith(gone) for t in text)
    assert (
        f"{REGION} drifted resource Changed: SSM parameter /genai-demo/test/changed reads 'other', declared 'v'" in text
    )
    assert f"{REGION} drifted resource Skipped: AWS::IoTWireless::Destination: declared but does not exist" in text
    assert any(t.startswith(f"{REGION} failed: status ROLLBACK_COMPLETE") for t in text)
    assert any(t.startswith(f"{REGION} absent: cannot be read back") for t in text)
    assert len(mismatches) == 5


def test_summary_table_classifies_every_resource(tmp_path: Path) -> None:
    from genai_infra.emulator.report import summary_table

    (tmp_path / "A.template.json").write_text(
        json.dumps(
            {
                "Resources": {
                    "Key": {"Type": "AWS::KMS::Key"},
                    "Cluster": {"Type": "AWS::RDS::DBCluster"},
                    "Replicator": {"Type": "AWS::MSK::Replicator"},
                    "Chart": {"Type": "Custom::AWSCDK-EKS-HelmChart"},
                    "Other": {"Type": "AWS::IoTWireless::Destination"},
                }
            }
        )
    )
    table = summary_table([tmp_path])
    for row in (
        "emulated: moto's own model",
        "emulated: emulator model over moto's API",
        "id only (no moto API)",
        "custom: recorded only",
        "not modelled (the verification fails)",
    ):
        assert row in table


# --- The DR drill's APIs (genai_infra.emulator.global_failover): moto 5.2.5 has none of them ---------------


def eventually(read: Any, done: Any, seconds: float = 15.0) -> Any:
    """Poll `read()` until `done(value)`: the emulator finishes an operation a moment after it starts."""
    deadline = time.monotonic() + seconds
    while True:
        value = read()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def global_aurora(aws: Any, name: str) -> tuple[str, str]:
    """A global database: Taipei's primary cluster and Tokyo's secondary, two instances each; their ARNs."""
    taipei, tokyo = aws("rds"), aws("rds", "ap-northeast-1")
    primary = taipei.create_db_cluster(
        DBClusterIdentifier=f"{name}-taipei",
        Engine="aurora-postgresql",
        EngineVersion="15.17",
        MasterUsername="admin",
        MasterUserPassword="local-only",
    )["DBCluster"]["DBClusterArn"]
    taipei.create_global_cluster(GlobalClusterIdentifier=name, SourceDBClusterIdentifier=primary)
    secondary = tokyo.create_db_cluster(
        DBClusterIdentifier=f"{name}-tokyo",
        Engine="aurora-postgresql",
        EngineVersion="15.17",
        GlobalClusterIdentifier=name,
    )["DBCluster"]["DBClusterArn"]
    for client, cluster in ((taipei, f"{name}-taipei"), (tokyo, f"{name}-tokyo")):
        for number in (1, 2):
            client.create_db_instance(
                DBInstanceIdentifier=f"{cluster}-{number}",
                DBClusterIdentifier=cluster,
                DBInstanceClass="db.r6g.large",
                Engine="aurora-postgresql",
            )
    return primary, secondary


def global_cluster(aws: Any, name: str) -> dict[str, Any]:
    found: dict[str, Any] = aws("rds", "ap-northeast-1").describe_global_clusters(GlobalClusterIdentifier=name)[
        "GlobalClusters"
    ][0]
    return found


def writers(aws: Any, region: str, cluster: str) -> list[str]:
    members = aws("rds", region).describe_db_clusters(DBClusterIdentifier=cluster)["DBClusters"][0]["DBClusterMembers"]
    return [m["DBInstanceIdentifier"] for m in members if m["IsClusterWriter"]]


def test_aurora_switchover_global_cluster_moves_the_writer(aws: Any) -> None:
    """SwitchoverGlobalCluster (moto has none): switching-over with a FailoverState, then Tokyo is the writer
    of the global database and of its cluster, Taipei a connected secondary without a writer instance."""
    taipei, tokyo = global_aurora(aws, "drill-switch")
    rds = aws("rds", "ap-northeast-1")
    with pytest.raises(ClientError, match="InvalidDBClusterStateFault"):  # already the primary
        rds.switchover_global_cluster(GlobalClusterIdentifier="drill-switch", TargetDbClusterIdentifier=taipei)
    started = rds.switchover_global_cluster(GlobalClusterIdentifier="drill-switch", TargetDbClusterIdentifier=tokyo)
    assert started["GlobalCluster"]["Status"] == "switching-over"
    state = started["GlobalCluster"]["FailoverState"]
    assert (state["FromDbClusterArn"], state["ToDbClusterArn"], state["IsDataLossAllowed"]) == (taipei, tokyo, False)
    with pytest.raises(ClientError, match="InvalidGlobalClusterStateFault"):  # one operation at a time
        rds.switchover_global_cluster(GlobalClusterIdentifier="drill-switch", TargetDbClusterIdentifier=tokyo)

    done = eventually(lambda: global_cluster(aws, "drill-switch"), lambda g: g["Status"] == "available")
    assert "FailoverState" not in done
    roles = {m["DBClusterArn"]: m for m in done["GlobalClusterMembers"]}
    assert (roles[tokyo]["IsWriter"], roles[taipei]["IsWriter"]) == (True, False)
    assert roles[taipei]["SynchronizationStatus"] == "connected"
    assert writers(aws, "ap-northeast-1", "drill-switch-tokyo") == ["drill-switch-tokyo-1"]
    assert writers(aws, REGION, "drill-switch-taipei") == []


def test_aurora_failover_global_cluster_with_data_loss(aws: Any) -> None:
    """FailoverGlobalCluster with AllowDataLoss: failing-over, then Tokyo writes and the old primary rejoins
    as a secondary that resynchronizes first, so a planned switchover back is refused until it is connected."""
    taipei, tokyo = global_aurora(aws, "drill-failover")
    rds = aws("rds", "ap-northeast-1")
    with pytest.raises(ClientError, match="InvalidParameterCombination"):
        rds.failover_global_cluster(
            GlobalClusterIdentifier="drill-failover",
            TargetDbClusterIdentifier=tokyo,
            AllowDataLoss=True,
            Switchover=True,
        )
    with pytest.raises(ClientError, match="GlobalClusterNotFoundFault"):
        rds.failover_global_cluster(GlobalClusterIdentifier="no-such-global", TargetDbClusterIdentifier=tokyo)
    started = rds.failover_global_cluster(
        GlobalClusterIdentifier="drill-failover", TargetDbClusterIdentifier=tokyo, AllowDataLoss=True
    )["GlobalCluster"]
    assert (started["Status"], started["FailoverState"]["IsDataLossAllowed"]) == ("failing-over", True)

    done = eventually(lambda: global_cluster(aws, "drill-failover"), lambda g: g["Status"] == "available")
    roles = {m["DBClusterArn"]: m for m in done["GlobalClusterMembers"]}
    assert (roles[tokyo]["IsWriter"], roles[taipei]["IsWriter"]) == (True, False)
    assert roles[taipei]["SynchronizationStatus"] == "pending-resync"
    with pytest.raises(ClientError, match="synchronized"):
        rds.switchover_global_cluster(GlobalClusterIdentifier="drill-failover", TargetDbClusterIdentifier=taipei)
    assert writers(aws, REGION, "drill-failover-taipei") == []

    def taipei_sync(g: dict[str, Any]) -> str:
        return str(next(m for m in g["GlobalClusterMembers"] if m["DBClusterArn"] == taipei)["SynchronizationStatus"])

    synced = eventually(lambda: global_cluster(aws, "drill-failover"), lambda g: taipei_sync(g) == "connected")
    assert taipei_sync(synced) == "connected"
    # Without AllowDataLoss, FailoverGlobalCluster is a switchover (AWS's default).
    back = rds.failover_global_cluster(GlobalClusterIdentifier="drill-failover", TargetDbClusterIdentifier=taipei)
    assert back["GlobalCluster"]["FailoverState"]["IsDataLossAllowed"] is False
    eventually(lambda: global_cluster(aws, "drill-failover"), lambda g: g["Status"] == "available")
    assert writers(aws, REGION, "drill-failover-taipei") == ["drill-failover-taipei-1"]
    assert writers(aws, "ap-northeast-1", "drill-failover-tokyo") == []


def test_elasticache_global_datastore_and_its_failover(aws: Any) -> None:
    """AWS::ElastiCache::GlobalReplicationGroup is created through CreateGlobalReplicationGroup (id: a region
    prefix and the suffix), a Tokyo group joins it as SECONDARY with the primary's encryption, and
    FailoverGlobalReplicationGroup makes Tokyo primary after `modifying` (moto has no global datastores)."""
    group = {
        "Type": "AWS::ElastiCache::ReplicationGroup",
        "Properties": {
            "ReplicationGroupId": "drill-redis",
            "ReplicationGroupDescription": "drill",
            "Engine": "redis",
            "EngineVersion": "7.0",
            "CacheNodeType": "cache.r6g.large",
            "NumCacheClusters": 2,
            "TransitEncryptionEnabled": True,
            "AtRestEncryptionEnabled": True,
        },
    }
    datastore = {
        "Type": "AWS::ElastiCache::GlobalReplicationGroup",
        "Properties": {
            "GlobalReplicationGroupIdSuffix": "drill-datastore",
            "Members": [{"ReplicationGroupId": {"Ref": "Group"}, "ReplicationGroupRegion": REGION, "Role": "PRIMARY"}],
        },
    }
    stack = deploy(aws, "datastore", {"Group": group, "Datastore": datastore})
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    identifier = aws("cloudformation").describe_stack_resource(StackName="datastore", LogicalResourceId="Datastore")[
        "StackResourceDetail"
    ]["PhysicalResourceId"]
    assert "AWS::ElastiCache::GlobalReplicationGroup" not in models.ID_ONLY
    prefix, suffix = identifier.split("-", 1)
    assert (len(prefix), suffix) == (5, "drill-datastore")
    tokyo = aws("elasticache", "ap-northeast-1")

    def described() -> dict[str, Any]:
        found: dict[str, Any] = tokyo.describe_global_replication_groups(
            GlobalReplicationGroupId=identifier, ShowMemberInfo=True
        )["GlobalReplicationGroups"][0]
        return found

    assert described()["Status"] == "primary-only"
    with pytest.raises(ClientError, match="GlobalReplicationGroupNotFoundFault"):
        tokyo.create_replication_group(
            ReplicationGroupId="drill-redis-orphan", ReplicationGroupDescription="x", GlobalReplicationGroupId="nope"
        )
    joined = tokyo.create_replication_group(
        ReplicationGroupId="drill-redis-tokyo", ReplicationGroupDescription="drill", GlobalReplicationGroupId=identifier
    )["ReplicationGroup"]
    assert joined["TransitEncryptionEnabled"] is True
    assert joined["GlobalReplicationGroupInfo"]["GlobalReplicationGroupMemberRole"] == "SECONDARY"
    before = described()
    assert before["Status"] == "available"
    assert {m["ReplicationGroupId"]: m["Role"] for m in before["Members"]} == {
        "drill-redis": "PRIMARY",
        "drill-redis-tokyo": "SECONDARY",
    }
    with pytest.raises(ClientError, match="already is the primary"):
        tokyo.failover_global_replication_group(
            GlobalReplicationGroupId=identifier, PrimaryRegion=REGION, PrimaryReplicationGroupId="drill-redis"
        )
    started = tokyo.failover_global_replication_group(
        GlobalReplicationGroupId=identifier,
        PrimaryRegion="ap-northeast-1",
        PrimaryReplicationGroupId="drill-redis-tokyo",
    )["GlobalReplicationGroup"]
    assert started["Status"] == "modifying"
    after = eventually(described, lambda d: d["Status"] == "available")
    assert {m["ReplicationGroupId"]: m["Role"] for m in after["Members"]} == {
        "drill-redis": "SECONDARY",
        "drill-redis-tokyo": "PRIMARY",
    }
    info = aws("elasticache").describe_replication_groups(ReplicationGroupId="drill-redis")["ReplicationGroups"][0]
    assert info["GlobalReplicationGroupInfo"]["GlobalReplicationGroupMemberRole"] == "SECONDARY"
