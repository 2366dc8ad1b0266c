"""RdsStack: Aurora PostgreSQL per environment and region, its secret and rotation, the global database."""

from __future__ import annotations

from typing import Any

import pytest

from genai_infra.config import catalog
from tests.conftest import SERVING_TARGETS, Template, render
from tests.data_layer import is_secret_reference, published, split_ssm_key, ssm_key

# (environment, region) -> cluster id, instance classes, serverless (min, max), backup days, protected, global role
EXPECTED: dict[tuple[str, str], tuple[str, list[str], tuple[float, float] | None, int, bool, str]] = {
    ("development", "ap-northeast-1"): ("genai-demo-development-aurora", ["db.serverless"], (0, 2), 7, False, "none"),
    ("staging", "ap-east-2"): ("genai-demo-staging-aurora", ["db.t4g.large"], None, 7, False, "none"),
    ("production", "ap-east-2"): (
        "genai-demo-production-aurora", ["db.r6g.large", "db.r6g.large"], None, 30, True, "primary",
    ),
    ("production", "ap-northeast-1"): (
        "genai-demo-production-apne1-aurora", ["db.r6g.large", "db.r6g.large"], None, 30, True, "secondary",
    ),
}  # fmt: skip


def _rds(template: Any, environment: str, region: str) -> Template:
    t: Template = template(environment, region, "RdsStack")
    return t


def _cluster(t: Template) -> tuple[str, dict[str, Any]]:
    ((logical_id, resource),) = t.of_type("AWS::RDS::DBCluster").items()
    return logical_id, resource


def _secret_id(t: Template) -> str:
    (logical_id,) = t.of_type("AWS::SecretsManager::Secret")
    return logical_id


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_cluster_of_the_environment(template: Any, environment: str, region: str) -> None:
    cluster_id, classes, serverless, backup_days, protected, _ = EXPECTED[(environment, region)]
    t = _rds(template, environment, region)
    _, resource = _cluster(t)
    cluster = resource["Properties"]
    prefix = f"/genai-demo/{environment}/"
    assert cluster["DBClusterIdentifier"] == cluster_id
    # Decision V3: major version 15, the newest 15.x minor of the pinned aws-cdk-lib.
    assert cluster["Engine"] == "aurora-postgresql"
    assert cluster["EngineVersion"] == "15.17"
    assert cluster["Port"] == 5432
    assert cluster["StorageEncrypted"] is True
    # This region's own rds key (a global secondary too), read from this region's SSM parameter.
    assert ssm_key(t, cluster["KmsKeyId"]) == f"{prefix}kms/rds-key-arn"
    assert [ssm_key(t, sg) for sg in cluster["VpcSecurityGroupIds"]] == [f"{prefix}network/database-security-group-id"]
    assert cluster["BackupRetentionPeriod"] == backup_days
    assert cluster["PreferredBackupWindow"] == "03:00-04:00"
    assert cluster["PreferredMaintenanceWindow"] == "sun:04:00-sun:05:00"
    assert cluster["EnableIAMDatabaseAuthentication"] is True
    assert cluster["EnableCloudwatchLogsExports"] == ["postgresql"]
    assert cluster["CopyTagsToSnapshot"] is True
    assert cluster["DeletionProtection"] is protected
    # Decision S5: production keeps a final snapshot; other environments may be destroyed.
    assert resource["DeletionPolicy"] == ("Snapshot" if protected else "Delete")
    if serverless is None:
        assert "ServerlessV2ScalingConfiguration" not in cluster
    else:
        assert cluster["ServerlessV2ScalingConfiguration"] == {
            "MinCapacity": serverless[0],
            "MaxCapacity": serverless[1],
        }
    instances = sorted(t.props("AWS::RDS::DBInstance"), key=lambda i: i["DBInstanceIdentifier"])
    assert [i["DBInstanceClass"] for i in instances] == classes
    assert [i["DBInstanceIdentifier"] for i in instances] == [f"{cluster_id}-{n + 1}" for n in range(len(classes))]


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_instances_monitoring_and_performance_insights(template: Any, environment: str, region: str) -> None:
    t = _rds(template, environment, region)
    cluster_logical_id, _ = _cluster(t)
    # The monitoring role (beside it, outside production, the snapshot plan's AWS Backup role).
    ((role_id, role),) = [
        (key, value)
        for key, value in t.of_type("AWS::IAM::Role").items()
        if value["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
        == {"Service": "monitoring.rds.amazonaws.com"}
    ]
    assert render(role["Properties"]["ManagedPolicyArns"]) == [
        "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
    ]
    for instance in t.props("AWS::RDS::DBInstance"):
        assert instance["DBClusterIdentifier"] == {"Ref": cluster_logical_id}
        assert instance["Engine"] == "aurora-postgresql"
        assert instance["PubliclyAccessible"] is False
        assert instance["EnablePerformanceInsights"] is True
        assert instance["PerformanceInsightsRetentionPeriod"] == 7
        assert ssm_key(t, instance["PerformanceInsightsKMSKeyId"]) == f"/genai-demo/{environment}/kms/rds-key-arn"
        assert instance["MonitoringInterval"] == 60
        assert instance["MonitoringRoleArn"] == {"Fn::GetAtt": [role_id, "Arn"]}


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_database_subnets_and_tls_only_parameter_group(template: Any, environment: str, region: str) -> None:
    t = _rds(template, environment, region)
    _, resource = _cluster(t)
    group = t.one("AWS::RDS::DBSubnetGroup")
    subnets = group["SubnetIds"]
    assert [split_ssm_key(t, s, i) for i, s in enumerate(subnets)] == [
        f"/genai-demo/{environment}/network/database-subnet-ids"
    ] * 2
    parameters = t.one("AWS::RDS::DBClusterParameterGroup")
    assert parameters["Family"] == "aurora-postgresql15"
    assert parameters["Parameters"] == {"rds.force_ssl": "1"}
    assert resource["Properties"]["DBClusterParameterGroupName"]["Ref"] in t.of_type(
        "AWS::RDS::DBClusterParameterGroup"
    )
    assert resource["Properties"]["DBSubnetGroupName"]["Ref"] in t.of_type("AWS::RDS::DBSubnetGroup")


@pytest.mark.parametrize(
    ("environment", "region", "replicas"),
    [
        ("development", "ap-northeast-1", []),
        ("staging", "ap-east-2", []),
        ("production", "ap-east-2", ["ap-northeast-1"]),
    ],
)
def test_master_secret_is_generated_encrypted_replicated_and_referenced(
    template: Any, environment: str, region: str, replicas: list[str]
) -> None:
    t = _rds(template, environment, region)
    secret_id = _secret_id(t)
    resource = t.resources[secret_id]
    secret = resource["Properties"]
    assert secret["Name"] == f"genai-demo/{environment}/aurora/master"
    assert ssm_key(t, secret["KmsKeyId"]) == f"/genai-demo/{environment}/kms/secrets-key-arn"
    generator = secret["GenerateSecretString"]
    assert generator["SecretStringTemplate"] == '{"username": "genaidemo_admin"}'
    assert generator["GenerateStringKey"] == "password"
    assert generator["PasswordLength"] >= 32
    assert "SecretString" not in secret
    # The DR region reads the same name from a replica encrypted by its own secrets key.
    assert secret.get("ReplicaRegions", []) == [
        {"Region": r, "KmsKeyId": f"alias/genai-demo/{environment}/secrets"} for r in replicas
    ]
    assert resource["DeletionPolicy"] == ("Retain" if environment == "production" else "Delete")
    _, cluster = _cluster(t)
    assert is_secret_reference(cluster["Properties"]["MasterUsername"], secret_id, "username")
    assert is_secret_reference(cluster["Properties"]["MasterUserPassword"], secret_id, "password")
    assert cluster["Properties"]["DatabaseName"] == "genaidemo"


@pytest.mark.parametrize(
    ("environment", "region"), [t for t in SERVING_TARGETS if t != ("production", "ap-northeast-1")]
)
def test_hosted_single_user_rotation_every_30_days(template: Any, environment: str, region: str) -> None:
    t = _rds(template, environment, region)
    prefix = f"/genai-demo/{environment}/"
    assert t.data["Transform"] == "AWS::SecretsManager-2024-09-16"
    schedule = t.one("AWS::SecretsManager::RotationSchedule")
    assert schedule["SecretId"] == {"Ref": _secret_id(t)}
    assert schedule["RotationRules"] == {"ScheduleExpression": "rate(30 days)"}
    hosted = schedule["HostedRotationLambda"]
    assert hosted["RotationType"] == "PostgreSQLSingleUser"
    assert ssm_key(t, hosted["KmsKeyArn"]) == f"{prefix}kms/secrets-key-arn"
    assert ssm_key(t, hosted["VpcSubnetIds"]) == f"{prefix}network/private-subnet-ids"
    ((group_id, group),) = t.of_type("AWS::EC2::SecurityGroup").items()
    assert hosted["VpcSecurityGroupIds"] == {"Fn::GetAtt": [group_id, "GroupId"]}
    egress = group["Properties"]["SecurityGroupEgress"]
    assert [(e["FromPort"], e["ToPort"]) for e in egress] == [(443, 443), (5432, 5432)]
    assert egress[0]["CidrIp"] == "0.0.0.0/0"
    assert ssm_key(t, egress[1]["DestinationSecurityGroupId"]) == f"{prefix}network/database-security-group-id"
    assert "SecurityGroupIngress" not in group["Properties"]
    ingress = t.one("AWS::EC2::SecurityGroupIngress")
    assert ssm_key(t, ingress["GroupId"]) == f"{prefix}network/database-security-group-id"
    assert ingress["SourceSecurityGroupId"] == {"Fn::GetAtt": [group_id, "GroupId"]}
    assert (ingress["IpProtocol"], ingress["FromPort"], ingress["ToPort"]) == ("tcp", 5432, 5432)
    attachment = t.one("AWS::SecretsManager::SecretTargetAttachment")
    assert attachment["TargetType"] == "AWS::RDS::DBCluster"
    assert attachment["TargetId"] == {"Ref": _cluster(t)[0]}
    # Rotation logs in at once: the writer and the database ingress must exist first.
    ((_, schedule_resource),) = t.of_type("AWS::SecretsManager::RotationSchedule").items()
    depends = set(schedule_resource["DependsOn"])
    assert any(t.resources[d]["Type"] == "AWS::RDS::DBInstance" for d in depends)
    assert any(t.resources[d]["Type"] == "AWS::SecretsManager::SecretTargetAttachment" for d in depends)


def test_production_primary_creates_the_global_database(template: Any) -> None:
    t = _rds(template, "production", "ap-east-2")
    cluster_id, _ = _cluster(t)
    ((_, resource),) = t.of_type("AWS::RDS::GlobalCluster").items()
    assert {k: v for k, v in resource["Properties"].items() if k != "Tags"} == {
        "GlobalClusterIdentifier": "genai-demo-production-global",
        "SourceDBClusterIdentifier": {"Fn::GetAtt": [cluster_id, "DBClusterArn"]},
        "DeletionProtection": True,
    }
    assert resource["DeletionPolicy"] == "Retain"
    assert "GlobalClusterIdentifier" not in t.resources[cluster_id]["Properties"]


def test_production_secondary_joins_by_name_without_credentials(template: Any) -> None:
    t = _rds(template, "production", "ap-northeast-1")
    _, resource = _cluster(t)
    cluster = resource["Properties"]
    assert cluster["GlobalClusterIdentifier"] == "genai-demo-production-global"
    for absent in ("MasterUsername", "MasterUserPassword", "DatabaseName", "ManageMasterUserPassword"):
        assert absent not in cluster
    assert ssm_key(t, cluster["KmsKeyId"]) == "/genai-demo/production/kms/rds-key-arn"
    assert t.of_type("AWS::RDS::GlobalCluster") == {}
    assert t.of_type("AWS::SecretsManager::Secret") == {}
    assert t.of_type("AWS::SecretsManager::RotationSchedule") == {}
    assert "Transform" not in t.data


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_endpoints_and_secret_name_are_published(template: Any, environment: str, region: str) -> None:
    t = _rds(template, environment, region)
    cluster_id, _ = _cluster(t)
    prefix = f"/genai-demo/{environment}/aurora/"
    assert published(t) == {
        f"{prefix}writer-endpoint": {"Fn::GetAtt": [cluster_id, "Endpoint.Address"]},
        f"{prefix}reader-endpoint": {"Fn::GetAtt": [cluster_id, "ReadEndpoint.Address"]},
        f"{prefix}port": {"Fn::GetAtt": [cluster_id, "Endpoint.Port"]},
        f"{prefix}database-name": "genaidemo",
        f"{prefix}secret-name": f"genai-demo/{environment}/aurora/master",
        # The alarms' DBClusterIdentifier, and the rotation function's group for preflight's path rules.
        f"{prefix}cluster-identifier": {"Ref": cluster_id},
        # The global secondary has no master secret of its own, so no rotation function either.
        **(
            {}
            if (environment, region) == ("production", "ap-northeast-1")
            else {f"{prefix}rotation-security-group-id": {"Fn::GetAtt": [_rotation_group(t), "GroupId"]}}
        ),
    }


def _rotation_group(t: Any) -> str:
    (logical_id,) = [k for k in t.of_type("AWS::EC2::SecurityGroup") if k.startswith("MasterSecretRotation")]
    return logical_id


def test_engine_version_is_the_newest_15_minor_of_the_pinned_library() -> None:
    from aws_cdk import aws_rds as rds

    minors = [
        int(name.removeprefix("VER_15_")) for name in dir(rds.AuroraPostgresEngineVersion) if name.startswith("VER_15_")
    ]
    assert f"15.{max(minors)}" == "15.17"


# --- Rules AWS enforces that cfn-lint does not check, over every synthesized template ----------


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_instance_classes_exist_for_aurora_postgresql(template: Any, environment: str, region: str) -> None:
    t = _rds(template, environment, region)
    for instance in t.props("AWS::RDS::DBInstance"):
        assert instance["DBInstanceClass"] in catalog.AURORA_POSTGRES_CLASSES | {"db.serverless"}


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_serverless_v2_capacity_bounds(template: Any, environment: str, region: str) -> None:
    t = _rds(template, environment, region)
    _, resource = _cluster(t)
    scaling = resource["Properties"].get("ServerlessV2ScalingConfiguration")
    classes = {i["DBInstanceClass"] for i in t.props("AWS::RDS::DBInstance")}
    # db.serverless instances need a scaling configuration, and a scaling configuration needs them.
    assert (scaling is not None) == ("db.serverless" in classes)
    if scaling is not None:
        low, high = scaling["MinCapacity"], scaling["MaxCapacity"]
        assert 0 <= low <= high <= 256
        assert high >= 1
        assert (low * 2) % 1 == 0
        assert (high * 2) % 1 == 0
