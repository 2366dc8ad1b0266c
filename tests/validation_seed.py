"""Seed moto with the resources a deployed environment has, named as the stacks name them.

moto has no EKS add-on API, no Route 53 health checks that fail, and no Aurora global database
switchover/failover: where a test needs those, `Patched` overrides one operation of a moto client
with a function returning the response shape the AWS API reference documents.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
from moto.core import DEFAULT_ACCOUNT_ID

from genai_infra.config import EnvironmentConfig
from genai_infra.naming import (
    app_target_group_name,
    cluster_name,
    data_resource_id,
    health_check_id_parameter,
    secret_name,
)

# moto's own account: every ARN the seed builds lives in it.
ROLE = f"arn:aws:iam::{DEFAULT_ACCOUNT_ID}:role/{{}}"


class Patched:
    """A moto client with some operations replaced (the rest go to moto)."""

    def __init__(self, client: Any, **overrides: Callable[..., Any]) -> None:
        self._client = client
        self._overrides = overrides

    def __getattr__(self, name: str) -> Any:
        if name in self._overrides:
            return self._overrides[name]
        return getattr(self._client, name)


def addon_stub(eks: Any = None, broken: str | None = None) -> Callable[..., Any]:
    """eks describe_addon (moto lacks it): the documented {"addon": {...}} shape; `broken` is DEGRADED.

    With a moto EKS client, the cluster must exist (ResourceNotFoundException otherwise), as in AWS.
    """

    def describe_addon(*, clusterName: str, addonName: str) -> dict[str, Any]:  # noqa: N803 - boto3 argument names
        if eks is not None:
            eks.describe_cluster(name=clusterName)
        state = "DEGRADED" if addonName == broken else "ACTIVE"
        issues = [{"code": "InsufficientNumberOfReplicas", "message": "1 of 2 pods ready"}] if state != "ACTIVE" else []
        return {
            "addon": {
                "addonName": addonName,
                "clusterName": clusterName,
                "status": state,
                "addonVersion": "v1.22.3-eksbuild.1",
                "health": {"issues": issues},
            }
        }

    return describe_addon


def seed_region(environment: EnvironmentConfig, region: str, health_check_ids: dict[str, str]) -> None:
    """One serving region: ALB target group with a registered pod IP, EKS, Aurora, Redis, MSK, secrets."""
    env, primary = environment.name, environment.primary_region
    config = environment.regions[region]
    ec2 = boto3.client("ec2", region_name=region)
    vpc = ec2.create_vpc(CidrBlock=config.network.vpc_cidr)["Vpc"]["VpcId"]
    elbv2 = boto3.client("elbv2", region_name=region)
    group = elbv2.create_target_group(
        Name=app_target_group_name(env), Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip"
    )["TargetGroups"][0]
    elbv2.register_targets(TargetGroupArn=group["TargetGroupArn"], Targets=[{"Id": "10.0.16.10", "Port": 8080}])

    route53 = boto3.client("route53", region_name="us-east-1")
    check = route53.create_health_check(
        CallerReference=f"{env}-{region}",
        HealthCheckConfig={
            "Type": "HTTPS",
            "FullyQualifiedDomainName": f"origin-{region}.{environment.domain}",
            "ResourcePath": environment.edge.health_check.path,
        },
    )["HealthCheck"]["Id"]
    health_check_ids[region] = check
    boto3.client("ssm", region_name=environment.global_region).put_parameter(
        Name=health_check_id_parameter(env, region), Value=check, Type="String"
    )

    eks = boto3.client("eks", region_name=region)
    eks_name = cluster_name(env)
    eks.create_cluster(name=eks_name, roleArn=ROLE.format("cluster"), resourcesVpcConfig={"subnetIds": []})
    for suffix in ("on-demand", "spot"):
        eks.create_nodegroup(
            clusterName=eks_name,
            nodegroupName=f"{eks_name}-{suffix}",
            subnets=["subnet-1"],
            nodeRole=ROLE.format("node"),
        )

    rds = boto3.client("rds", region_name=region)
    aurora_id = data_resource_id(env, region, primary, "aurora")
    rds.create_db_cluster(
        DBClusterIdentifier=aurora_id,
        Engine="aurora-postgresql",
        EngineVersion=config.aurora.engine_version,
        MasterUsername=config.aurora.master_username,
        MasterUserPassword="seeded-in-moto-only",
    )
    rds.create_db_instance(
        DBInstanceIdentifier=f"{aurora_id}-1",
        DBClusterIdentifier=aurora_id,
        Engine="aurora-postgresql",
        DBInstanceClass="db.t4g.large",
    )
    elasticache = boto3.client("elasticache", region_name=region)
    elasticache.create_replication_group(
        ReplicationGroupId=data_resource_id(env, region, primary, "redis"),
        ReplicationGroupDescription="seeded",
        Engine="redis",
        CacheNodeType=config.redis.node_type,
        NumCacheClusters=1 + config.redis.replicas,
        TransitEncryptionEnabled=True,
    )
    kafka = boto3.client("kafka", region_name=region)
    kafka.create_cluster_v2(
        ClusterName=data_resource_id(env, region, primary, "msk"),
        Provisioned={
            "BrokerNodeGroupInfo": {"InstanceType": config.msk.broker_instance_type, "ClientSubnets": ["a", "b", "c"]},
            "KafkaVersion": "3.9.x",
            "NumberOfBrokerNodes": config.msk.broker_count,
        },
    )
    # moto creates clusters in CREATING and never moves them on; a deployed cluster is ACTIVE.
    from moto.kafka.models import kafka_backends

    for cluster in kafka_backends[DEFAULT_ACCOUNT_ID][region].clusters.values():
        cluster.state = "ACTIVE"
    secrets = boto3.client("secretsmanager", region_name=region)
    secrets.create_secret(
        Name=secret_name(env, "aurora", "master"),
        SecretString=json.dumps({"username": config.aurora.master_username, "password": "seeded-in-moto-only"}),
    )
    secrets.create_secret(Name=secret_name(env, "redis", "auth-token"), SecretString="seeded-in-moto-only-token")
