"""EKSStack: cluster, node groups, add-ons, IRSA roles, platform charts, ECR, the ALB and published values."""

from __future__ import annotations

import json
from typing import Any

import pytest

from genai_infra.config import ConfigError, ProjectConfig, load_config
from tests.conftest import SERVING_TARGETS, render

PRIMARY = {("development", "ap-northeast-1"), ("staging", "ap-east-2"), ("production", "ap-east-2")}
MANAGED = "arn:${AWS::Partition}:iam::aws:policy/"

# Decision C2 and the cost section's ~30 % Spot outside production:
# (instance types, min, desired, max) of the On-Demand group, then of the Spot group (or None).
NODE_GROUPS: dict[tuple[str, str], tuple[tuple[Any, ...], tuple[Any, ...] | None]] = {
    ("development", "ap-northeast-1"): ((["t3.small"], 1, 1, 2), (["t3.small", "t3.medium"], 0, 0, 1)),
    ("staging", "ap-east-2"): ((["t3.medium"], 1, 1, 3), (["t3.medium", "t3.large", "m5.large"], 1, 1, 1)),
    ("production", "ap-east-2"): ((["t3.large", "t3.medium"], 2, 3, 10), None),
    ("production", "ap-northeast-1"): ((["t3.medium"], 2, 2, 10), None),
}
# The document's totals per target (C2): min, desired, max over all node groups.
C2_TOTALS = {
    ("development", "ap-northeast-1"): (1, 1, 3),
    ("staging", "ap-east-2"): (2, 2, 4),
    ("production", "ap-east-2"): (2, 3, 10),
    ("production", "ap-northeast-1"): (2, 2, 10),
}


def _eks(template: Any, environment: str, region: str) -> Any:
    return template(environment, region, "EKSStack")


def _ssm(t: Any, key_fragment: str) -> dict[str, str]:
    """The Ref to the SSM-backed template parameter whose name contains `key_fragment`."""
    fragment = key_fragment.replace("/", "").replace("-", "")
    (name,) = [p for p in t.data["Parameters"] if p.startswith("SsmParameterValue") and fragment in p]
    return {"Ref": name}


def _split(t: Any, key_fragment: str) -> list[dict[str, Any]]:
    ref = _ssm(t, key_fragment)
    return [{"Fn::Select": [i, {"Fn::Split": [",", ref]}]} for i in range(2)]


def _logical_id(t: Any, resource_type: str, prefix: str) -> str:
    (found,) = [k for k, v in t.resources.items() if v["Type"] == resource_type and k.startswith(prefix)]
    return found


def _role_name(environment: str, region: str, purpose: str) -> str:
    qualifier = "" if (environment, region) in PRIMARY else f"{region}-"
    return f"genai-demo-{environment}-{qualifier}{purpose}-role"


def _roles(t: Any) -> dict[str, tuple[str, dict[str, Any]]]:
    """Named roles by name: (logical id, properties)."""
    named = {k: v["Properties"] for k, v in t.of_type("AWS::IAM::Role").items() if "RoleName" in v["Properties"]}
    return {props["RoleName"]: (k, props) for k, props in named.items()}


def _values(chart: dict[str, Any]) -> dict[str, Any]:
    """Helm values: a Fn::Join of JSON and tokens, rendered with the tokens as ${...} strings."""
    raw = chart["Values"]
    text = raw if isinstance(raw, str) else "".join(_token(part) for part in raw["Fn::Join"][1])
    data: dict[str, Any] = json.loads(text)
    return data


def _token(part: Any) -> str:
    if isinstance(part, str):
        return part
    if "Ref" in part:
        return "${" + part["Ref"] + "}"
    if "Fn::GetAtt" in part:
        return "${" + ".".join(part["Fn::GetAtt"]) + "}"
    raise AssertionError(f"unexpected token {part}")


# --- Cluster ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_cluster_is_private_logged_encrypted_and_in_the_private_subnets(
    template: Any, environment: str, region: str
) -> None:
    t = _eks(template, environment, region)
    cluster = t.one("AWS::EKS::Cluster")
    assert cluster["Name"] == f"genai-demo-{environment}"
    # Decision V1: the newest Kubernetes version with a kubectl layer in the pinned aws-cdk-lib.
    assert cluster["Version"] == "1.36"
    vpc_config = cluster["ResourcesVpcConfig"]
    assert vpc_config["EndpointPrivateAccess"] is True
    assert vpc_config["EndpointPublicAccess"] is False
    assert vpc_config["SubnetIds"] == _split(t, "networkprivatesubnetids")
    assert [entry["Type"] for entry in cluster["Logging"]["ClusterLogging"]["EnabledTypes"]] == [
        "api",
        "audit",
        "authenticator",
        "controllerManager",
        "scheduler",
    ]
    assert cluster["EncryptionConfig"] == [{"Provider": {"KeyArn": _ssm(t, "kmsekskeyarn")}, "Resources": ["secrets"]}]
    # The SecurityStack's cluster role, read from SSM, not a role of this stack.
    assert cluster["RoleArn"] == _ssm(t, "iameksclusterrolearn")
    assert cluster["AccessConfig"]["AuthenticationMode"] == "API"
    # Decision S5: production keeps the control plane (its etcd state) if the stack is deleted.
    (cluster_resource,) = t.of_type("AWS::EKS::Cluster").values()
    assert cluster_resource.get("DeletionPolicy", "Delete") == ("Retain" if environment == "production" else "Delete")
    functions = t.of_type("AWS::Lambda::Function").values()
    assert all(f.get("DeletionPolicy", "Delete") == "Delete" for f in functions)
    assert cluster["ComputeConfig"] == {"Enabled": False}


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_control_plane_logs_keep_the_audit_retention_encrypted(template: Any, environment: str, region: str) -> None:
    t = _eks(template, environment, region)
    groups = {k: v for k, v in t.of_type("AWS::Logs::LogGroup").items() if k.startswith("EksControlPlaneLogs")}
    ((logical_id, group),) = groups.items()
    assert group["Properties"]["LogGroupName"] == f"/aws/eks/genai-demo-{environment}/cluster"
    assert group["Properties"]["RetentionInDays"] == {"development": 30, "staging": 90, "production": 365}[environment]
    assert group["Properties"]["KmsKeyId"] == _ssm(t, "kmslogskeyarn")
    assert group["DeletionPolicy"] == ("Retain" if environment == "production" else "Delete")
    # EKS creates the group itself (unencrypted, never expiring) unless it exists first.
    (cluster,) = t.of_type("AWS::EKS::Cluster").values()
    assert logical_id in cluster["DependsOn"]


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_cluster_role_may_use_the_eks_key_for_envelope_encryption(template: Any, environment: str, region: str) -> None:
    t = _eks(template, environment, region)
    (policy,) = [p for p in t.props("AWS::IAM::ManagedPolicy") if "secrets-encryption" in p["ManagedPolicyName"]]
    assert policy["ManagedPolicyName"] == _role_name(environment, region, "eks-cluster") + "-secrets-encryption"
    statements = policy["PolicyDocument"]["Statement"]
    assert {a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])} == {
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:DescribeKey",
        "kms:CreateGrant",
    }
    assert all(s["Resource"] == _ssm(t, "kmsekskeyarn") for s in statements)
    # The cluster waits for these permissions.
    (cluster,) = t.of_type("AWS::EKS::Cluster").values()
    assert _logical_id(t, "AWS::IAM::ManagedPolicy", "ClusterSecretsEncryption") in cluster["DependsOn"]
    assert policy["Roles"] == [
        {
            "Fn::Select": [
                1,
                {"Fn::Split": ["/", {"Fn::Select": [5, {"Fn::Split": [":", _ssm(t, "iameksclusterrolearn")]}]}]},
            ]
        }
    ]


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_native_oidc_provider_of_the_cluster(template: Any, environment: str, region: str) -> None:
    t = _eks(template, environment, region)
    provider = t.one("AWS::IAM::OIDCProvider")
    cluster_id = _logical_id(t, "AWS::EKS::Cluster", "EksCluster")
    assert provider["Url"] == {"Fn::GetAtt": [cluster_id, "OpenIdConnectIssuerUrl"]}
    assert provider["ClientIdList"] == ["sts.amazonaws.com"]
    assert not [k for k, v in t.resources.items() if v["Type"] == "Custom::AWSCDKOpenIdConnectProvider"]


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_kubectl_handler_runs_in_the_private_subnets(template: Any, environment: str, region: str) -> None:
    t = _eks(template, environment, region)
    (handler,) = [
        v["Properties"]
        for k, v in t.of_type("AWS::Lambda::Function").items()
        if k.startswith("EksClusterKubectlProviderHandler")
    ]
    cluster_id = _logical_id(t, "AWS::EKS::Cluster", "EksCluster")
    assert handler["VpcConfig"]["SubnetIds"] == _split(t, "networkprivatesubnetids")
    assert handler["VpcConfig"]["SecurityGroupIds"] == [{"Fn::GetAtt": [cluster_id, "ClusterSecurityGroupId"]}]
    assert len(handler["Layers"]) == 2  # the AWS CLI and the kubectl v1.36 layer
    # Its log groups are encrypted with the project's logs key.
    for log_group in t.props("AWS::Logs::LogGroup"):
        assert log_group["KmsKeyId"] == _ssm(t, "kmslogskeyarn")


# --- Node groups ------------------------------------------------------------------------------


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_node_groups_follow_decision_c2_and_the_spot_share(template: Any, environment: str, region: str) -> None:
    t = _eks(template, environment, region)
    groups = {g["NodegroupName"]: g for g in t.props("AWS::EKS::Nodegroup")}
    on_demand, spot = NODE_GROUPS[(environment, region)]
    expected = {f"genai-demo-{environment}-on-demand": ("ON_DEMAND", on_demand)}
    if spot is not None:
        expected[f"genai-demo-{environment}-spot"] = ("SPOT", spot)
    assert set(groups) == set(expected)
    launch_template = _logical_id(t, "AWS::EC2::LaunchTemplate", "EksNodeLaunchTemplate")
    cluster = f"genai-demo-{environment}"
    for name, (capacity_type, (types, minimum, desired, maximum)) in expected.items():
        group = groups[name]
        assert group["CapacityType"] == capacity_type
        assert group["InstanceTypes"] == types
        assert group["ScalingConfig"] == {"MinSize": minimum, "DesiredSize": desired, "MaxSize": maximum}
        # Decision V2.
        assert group["AmiType"] == "AL2023_x86_64_STANDARD"
        assert group["NodeRole"] == _ssm(t, "iameksnoderolearn")
        assert group["Subnets"] == _split(t, "networkprivatesubnetids")
        assert group["LaunchTemplate"] == {
            "Id": {"Ref": launch_template},
            "Version": {"Fn::GetAtt": [launch_template, "LatestVersionNumber"]},
        }
        assert "DiskSize" not in group  # the launch template sets the root volume
        assert group["Tags"]["k8s.io/cluster-autoscaler/enabled"] == "true"
        assert group["Tags"][f"k8s.io/cluster-autoscaler/{cluster}"] == "owned"
    totals = tuple(
        sum(g["ScalingConfig"][key] for g in groups.values()) for key in ("MinSize", "DesiredSize", "MaxSize")
    )
    assert totals == C2_TOTALS[(environment, region)]


def test_production_runs_on_demand_only(template: Any) -> None:
    for region in ("ap-east-2", "ap-northeast-1"):
        groups = _eks(template, "production", region).props("AWS::EKS::Nodegroup")
        assert {g["CapacityType"] for g in groups} == {"ON_DEMAND"}


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_launch_template_root_volume_imds_and_security_groups(template: Any, environment: str, region: str) -> None:
    t = _eks(template, environment, region)
    data = t.one("AWS::EC2::LaunchTemplate")["LaunchTemplateData"]
    assert data["BlockDeviceMappings"] == [
        {
            "DeviceName": "/dev/xvda",
            "Ebs": {"DeleteOnTermination": True, "Encrypted": True, "VolumeSize": 20, "VolumeType": "gp3"},
        }
    ]
    assert data["MetadataOptions"] == {
        "HttpEndpoint": "enabled",
        "HttpPutResponseHopLimit": 2,
        "HttpTokens": "required",
    }
    cluster_id = _logical_id(t, "AWS::EKS::Cluster", "EksCluster")
    # Pods share their node's groups: the app group lets them past the ALB, database and MSK rules.
    assert data["SecurityGroupIds"] == [
        {"Fn::GetAtt": [cluster_id, "ClusterSecurityGroupId"]},
        _ssm(t, "networkappsecuritygroupid"),
    ]
    expected_tags = {"Environment": environment, "Project": "genai-demo", "Owner": "platform-team",
                     "CostCenter": "engineering", "ManagedBy": "cdk"}  # fmt: skip
    kinds = {
        spec["ResourceType"]: {tag["Key"]: tag["Value"] for tag in spec["Tags"]} for spec in data["TagSpecifications"]
    }
    assert kinds == dict.fromkeys(("instance", "volume", "network-interface"), expected_tags)


# --- Add-ons ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_managed_addons_pinned_and_after_the_node_groups(template: Any, environment: str, region: str) -> None:
    t = _eks(template, environment, region)
    addons = {v["Properties"]["AddonName"]: v for v in t.of_type("AWS::EKS::Addon").values()}
    assert set(addons) == {"vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver", "amazon-cloudwatch-observability"}
    assert addons["vpc-cni"]["Properties"]["AddonVersion"] == "v1.22.3-eksbuild.1"
    # The per-minor builds are EKS's default for 1.36 unless configuration pins them.
    assert all("AddonVersion" not in addons[name]["Properties"] for name in ("coredns", "kube-proxy"))
    node_groups = set(t.of_type("AWS::EKS::Nodegroup"))
    for addon in addons.values():
        assert addon["Properties"]["ResolveConflicts"] == "OVERWRITE"
        assert node_groups <= set(addon["DependsOn"])
    roles = {name: logical for name, (logical, _) in _roles(t).items()}
    assert addons["aws-ebs-csi-driver"]["Properties"]["ServiceAccountRoleArn"] == {
        "Fn::GetAtt": [roles[_role_name(environment, region, "ebs-csi")], "Arn"]
    }
    observability = addons["amazon-cloudwatch-observability"]["Properties"]
    assert observability["ServiceAccountRoleArn"] == {
        "Fn::GetAtt": [roles[_role_name(environment, region, "cloudwatch-agent")], "Arn"]
    }
    agent = json.loads(observability["ConfigurationValues"])["agent"]["config"]
    assert agent["logs"]["metrics_collected"]["kubernetes"]["enhanced_container_insights"] is True
    assert set(agent["traces"]["traces_collected"]) == {"xray", "otlp"}


# --- IRSA -------------------------------------------------------------------------------------

SERVICE_ACCOUNTS = {
    "app": "system:serviceaccount:default:genai-demo-app",
    "autoscaler": "system:serviceaccount:kube-system:cluster-autoscaler",
    "ebs-csi": "system:serviceaccount:kube-system:ebs-csi-controller-sa",
    "cloudwatch-agent": "system:serviceaccount:amazon-cloudwatch:cloudwatch-agent",
}


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_irsa_roles_trust_exactly_one_service_account_of_this_cluster(
    template: Any, environment: str, region: str
) -> None:
    t = _eks(template, environment, region)
    roles = _roles(t)
    provider = _logical_id(t, "AWS::IAM::OIDCProvider", "EksClusterOidcProvider")
    issuer = "${" + provider + "}"
    for purpose, subject in SERVICE_ACCOUNTS.items():
        _, role = roles[_role_name(environment, region, purpose)]
        (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
        assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
        assert statement["Principal"] == {"Federated": {"Ref": provider}}
        conditions_id = statement["Condition"]["StringEquals"]["Fn::GetAtt"][0]
        claims = _claims(t.resources[conditions_id]["Properties"]["Value"], provider)
        # The issuer is the provider's own (its ARN after ":oidc-provider/"), never a wildcard.
        assert claims == {f"{issuer}:sub": subject, f"{issuer}:aud": "sts.amazonaws.com"}


def _claims(value: dict[str, Any], provider: str) -> dict[str, str]:
    """The CfnJson trust conditions, with the provider's issuer written as ${<provider id>}."""
    issuer = {"Fn::Select": [1, {"Fn::Split": [":oidc-provider/", {"Ref": provider}]}]}
    separator, parts = value["Fn::Join"]
    assert separator == ""
    assert all(isinstance(part, str) or part == issuer for part in parts)
    text = "".join(part if isinstance(part, str) else "${" + provider + "}" for part in parts)
    data: dict[str, str] = json.loads(text)
    return data


def test_primary_region_keeps_the_documents_role_names(template: Any) -> None:
    taipei = _roles(_eks(template, "production", "ap-east-2"))
    assert {"genai-demo-production-app-role", "genai-demo-production-autoscaler-role"} <= set(taipei)
    tokyo = _roles(_eks(template, "production", "ap-northeast-1"))
    assert {
        "genai-demo-production-ap-northeast-1-app-role",
        "genai-demo-production-ap-northeast-1-autoscaler-role",
    } <= set(tokyo)


def config_primary(environment: str) -> str:
    return {"development": "ap-northeast-1", "staging": "ap-east-2", "production": "ap-east-2"}[environment]


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_irsa_permissions(template: Any, environment: str, region: str) -> None:
    t = _eks(template, environment, region)
    roles = _roles(t)
    policies = {p["ManagedPolicyName"]: p for p in t.props("AWS::IAM::ManagedPolicy")}
    app = policies[_role_name(environment, region, "app") + "-policy"]["PolicyDocument"]["Statement"]
    # Kafka only where the environment runs MSK (decision C12: production).
    has_kafka = environment == "production"
    assert [s["Sid"] for s in app] == [
        "CloudWatchMetrics",
        "CloudWatchLogs",
        "XRayTracing",
        "ParameterStore",
        "SecretsManager",
        "KmsDecryptThroughServices",
        *(["KafkaOfThisCluster"] if has_kafka else []),
    ]
    if has_kafka:
        # The brokers take IAM-authenticated clients only: the app may use exactly its region's cluster.
        kafka = app[6]
        msk = (
            f"genai-demo-{environment}-msk"
            if region == config_primary(environment)
            else (f"genai-demo-{environment}-apne1-msk")
        )
        assert sorted(render(r) for r in kafka["Resource"]) == [
            f"arn:aws:kafka:{region}:${{AWS::AccountId}}:{kind}/{msk}/*" for kind in ("cluster", "group", "topic")
        ]
        assert "kafka-cluster:WriteData" in kafka["Action"]
        assert not any(action.endswith("*") for action in kafka["Action"])
    assert (
        render(app[4]["Resource"])
        == f"arn:aws:secretsmanager:{region}:${{AWS::AccountId}}:secret:genai-demo/{environment}/*"
    )
    autoscaler = policies[_role_name(environment, region, "autoscaler") + "-policy"]["PolicyDocument"]["Statement"]
    assert [s["Sid"] for s in autoscaler] == ["AutoScaling", "Ec2", "Eks"]
    assert [render(r) for r in autoscaler[2]["Resource"]] == [
        f"arn:aws:eks:{region}:${{AWS::AccountId}}:cluster/genai-demo-{environment}",
        f"arn:aws:eks:{region}:${{AWS::AccountId}}:nodegroup/genai-demo-{environment}/*",
    ]
    _, ebs = roles[_role_name(environment, region, "ebs-csi")]
    assert render(ebs["ManagedPolicyArns"]) == [MANAGED + "service-role/AmazonEBSCSIDriverPolicy"]
    _, agent = roles[_role_name(environment, region, "cloudwatch-agent")]
    assert sorted(render(agent["ManagedPolicyArns"])) == [
        MANAGED + "AWSXrayWriteOnlyAccess",
        MANAGED + "CloudWatchAgentServerPolicy",
    ]


# --- Helm charts ------------------------------------------------------------------------------

CHARTS = {
    "cluster-autoscaler": ("https://kubernetes.github.io/autoscaler", "9.58.0", "kube-system"),
    "keda": ("https://kedacore.github.io/charts", "2.20.2", "keda"),
    "metrics-server": ("https://kubernetes-sigs.github.io/metrics-server/", "3.14.0", "kube-system"),
    "prometheus-node-exporter": ("https://prometheus-community.github.io/helm-charts", "4.48.0", "monitoring"),
    "aws-load-balancer-controller": ("https://aws.github.io/eks-charts", "3.2.2", "kube-system"),
}


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_platform_charts_are_pinned(template: Any, environment: str, region: str) -> None:
    t = _eks(template, environment, region)
    charts = {c["Chart"]: c for c in t.props("Custom::AWSCDK-EKS-HelmChart")}
    assert set(charts) == set(CHARTS)
    for name, (repository, version, namespace) in CHARTS.items():
        assert (charts[name]["Repository"], charts[name]["Version"], charts[name]["Namespace"]) == (
            repository,
            version,
            namespace,
        )
        assert charts[name]["Release"] == name


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_installation_order_nodes_addons_controller_charts(template: Any, environment: str, region: str) -> None:
    t = _eks(template, environment, region)
    charts = {v["Properties"]["Chart"]: (k, v) for k, v in t.of_type("Custom::AWSCDK-EKS-HelmChart").items()}
    controller_id, controller = charts.pop("aws-load-balancer-controller")
    assert set(t.of_type("AWS::EKS::Addon")) <= set(controller["DependsOn"])
    for _, chart in charts.values():
        assert controller_id in chart["DependsOn"]


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_cluster_autoscaler_values(template: Any, environment: str, region: str) -> None:
    t = _eks(template, environment, region)
    (chart,) = [c for c in t.props("Custom::AWSCDK-EKS-HelmChart") if c["Chart"] == "cluster-autoscaler"]
    values = _values(chart)
    cluster = "${" + _logical_id(t, "AWS::EKS::Cluster", "EksCluster") + "}"
    role = _roles(t)[_role_name(environment, region, "autoscaler")][0]
    assert values["extraArgs"]["scale-down-utilization-threshold"] == "0.7"
    assert values["extraArgs"]["scale-down-delay-after-add"] == "10m"
    assert values["autoDiscovery"] == {
        "clusterName": cluster,
        "tags": [f"k8s.io/cluster-autoscaler/{cluster}", "k8s.io/cluster-autoscaler/enabled"],
    }
    assert values["rbac"]["serviceAccount"] == {
        "create": True,
        "name": "cluster-autoscaler",
        "annotations": {"eks.amazonaws.com/role-arn": "${" + role + ".Arn}"},
    }
    assert values["awsRegion"] == region
    # The autoscaler's minor version is the cluster's.
    assert values["image"]["tag"].startswith("v1.36.")


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_load_balancer_controller_uses_its_own_irsa_role(template: Any, environment: str, region: str) -> None:
    t = _eks(template, environment, region)
    (chart,) = [c for c in t.props("Custom::AWSCDK-EKS-HelmChart") if c["Chart"] == "aws-load-balancer-controller"]
    values = _values(chart)
    assert values["serviceAccount"] == {"create": False, "name": "aws-load-balancer-controller"}
    assert values["region"] == region
    assert values["vpcId"] == "${" + _ssm(t, "networkvpcid")["Ref"] + "}"
    (condition,) = [
        v["Properties"]["Value"]
        for k, v in t.resources.items()
        if v["Type"] == "Custom::AWSCDKCfnJson" and "AlbController" in k
    ]
    provider = _logical_id(t, "AWS::IAM::OIDCProvider", "EksClusterOidcProvider")
    issuer = "${" + provider + "}"
    assert _claims(condition, provider) == {
        f"{issuer}:sub": "system:serviceaccount:kube-system:aws-load-balancer-controller",
        f"{issuer}:aud": "sts.amazonaws.com",
    }


# --- ECR --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_app_repository(template: Any, environment: str, region: str) -> None:
    t = _eks(template, environment, region)
    (resource,) = t.of_type("AWS::ECR::Repository").values()
    repository = resource["Properties"]
    assert repository["RepositoryName"] == f"genai-demo/{environment}/genai-demo-app"
    assert repository["ImageScanningConfiguration"] == {"ScanOnPush": True}
    assert repository["ImageTagMutability"] == "IMMUTABLE"
    assert repository["EncryptionConfiguration"] == {"EncryptionType": "KMS", "KmsKey": _ssm(t, "kmsekskeyarn")}
    rules = json.loads(repository["LifecyclePolicy"]["LifecyclePolicyText"])["rules"]
    assert [
        (r["selection"]["tagStatus"], r["selection"]["countType"], r["selection"]["countNumber"]) for r in rules
    ] == [
        ("untagged", "sinceImagePushed", 7),
        ("any", "imageCountMoreThan", 30),
    ]
    assert resource["DeletionPolicy"] == ("Retain" if environment == "production" else "Delete")


# --- ALB --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_alb_is_internet_facing_in_the_public_subnets(template: Any, environment: str, region: str) -> None:
    t = _eks(template, environment, region)
    alb = t.one("AWS::ElasticLoadBalancingV2::LoadBalancer")
    assert alb["Scheme"] == "internet-facing"
    assert alb["Subnets"] == _split(t, "networkpublicsubnetids")
    assert alb["SecurityGroups"] == [_ssm(t, "networkalbsecuritygroupid")]
    attributes = {a["Key"]: a["Value"] for a in alb["LoadBalancerAttributes"]}
    assert attributes["deletion_protection.enabled"] == ("true" if environment == "production" else "false")
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attributes["access_logs.s3.enabled"] == "true"
    bucket = _logical_id(t, "AWS::S3::Bucket", "AlbAccessLogs")
    assert attributes["access_logs.s3.bucket"] == {"Ref": bucket}
    encryption = t.resources[bucket]["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption == [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
    # Log delivery: Tokyo's regional ELB account; Taipei (opened after 2022) the log delivery service.
    writers = [
        s["Principal"]
        for s in t.one("AWS::S3::BucketPolicy")["PolicyDocument"]["Statement"]
        if s["Action"] == "s3:PutObject" and s["Principal"] != {"Service": "delivery.logs.amazonaws.com"}
    ]
    assert writers == [
        {"AWS": "arn:aws:iam::582318560864:root"}
        if region == "ap-northeast-1"
        else {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}
    ]


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_https_listener_and_redirect(template: Any, environment: str, region: str) -> None:
    t = _eks(template, environment, region)
    listeners = {listener["Port"]: listener for listener in t.props("AWS::ElasticLoadBalancingV2::Listener")}
    assert set(listeners) == {80, 443}
    https = listeners[443]
    assert https["Protocol"] == "HTTPS"
    assert https["Certificates"] == [{"CertificateArn": _ssm(t, "certificatearn")}]
    assert https["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    # Behind CloudFront, forwarding happens only through the origin-header and readiness rules (test
    # below); without the edge (decision C12) the ALB is the entry point and forwards by default.
    expected = "fixed-response" if environment == "production" else "forward"
    assert [action["Type"] for action in https["DefaultActions"]] == [expected]
    assert listeners[80]["DefaultActions"] == [
        {"RedirectConfig": {"Port": "443", "Protocol": "HTTPS", "StatusCode": "HTTP_301"}, "Type": "redirect"}
    ]


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_ip_target_group_checks_readiness(template: Any, environment: str, region: str) -> None:
    t = _eks(template, environment, region)
    group = t.one("AWS::ElasticLoadBalancingV2::TargetGroup")
    assert group["TargetType"] == "ip"
    assert (group["Port"], group["Protocol"]) == (8080, "HTTP")
    assert group["HealthCheckPath"] == "/actuator/health/readiness"
    assert group["Matcher"] == {"HttpCode": "200"}
    assert group["VpcId"] == _ssm(t, "networkvpcid")


# --- Published values -------------------------------------------------------------------------


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_published_values(template: Any, environment: str, region: str) -> None:
    t = _eks(template, environment, region)
    params = {
        p["Name"]: p["Value"] for k, v in t.of_type("AWS::SSM::Parameter").items() if "Name" in (p := v["Properties"])
    }
    prefix = f"/genai-demo/{environment}/"
    alb = _logical_id(t, "AWS::ElasticLoadBalancingV2::LoadBalancer", "AlbLoadBalancer")
    app_role = _roles(t)[_role_name(environment, region, "app")][0]
    assert params == {
        f"{prefix}eks/cluster-name": {"Ref": _logical_id(t, "AWS::EKS::Cluster", "EksCluster")},
        f"{prefix}iam/app-role-arn": {"Fn::GetAtt": [app_role, "Arn"]},
        f"{prefix}ecr/app-repository-uri": params[f"{prefix}ecr/app-repository-uri"],
        f"{prefix}alb/arn": {"Ref": alb},
        f"{prefix}alb/dns-name": {"Fn::GetAtt": [alb, "DNSName"]},
        f"{prefix}alb/canonical-hosted-zone-id": {"Fn::GetAtt": [alb, "CanonicalHostedZoneID"]},
        f"{prefix}alb/target-group-arn": {
            "Ref": _logical_id(t, "AWS::ElasticLoadBalancingV2::TargetGroup", "AlbAppTargets")
        },
        # The LoadBalancer and TargetGroup dimensions of the AlertingStack's ALB alarms.
        f"{prefix}alb/full-name": {"Fn::GetAtt": [alb, "LoadBalancerFullName"]},
        f"{prefix}alb/target-group-full-name": {
            "Fn::GetAtt": [
                _logical_id(t, "AWS::ElasticLoadBalancingV2::TargetGroup", "AlbAppTargets"),
                "TargetGroupFullName",
            ]
        },
    }
    repository = _logical_id(t, "AWS::ECR::Repository", "RegistryRepository")
    assert repository in json.dumps(params[f"{prefix}ecr/app-repository-uri"])


# --- Configuration (pure Python) --------------------------------------------------------------


def test_spot_share_is_about_thirty_percent_with_an_on_demand_base(config: ProjectConfig) -> None:
    development = config.environments["development"].regions["ap-northeast-1"].eks
    assert development.split_capacity() == ((1, 1, 2), (0, 0, 1))
    staging = config.environments["staging"].regions["ap-east-2"].eks
    assert staging.split_capacity() == ((1, 1, 3), (1, 1, 1))
    production = config.environments["production"].regions["ap-east-2"].eks
    assert production.split_capacity() == ((2, 3, 10), (0, 0, 0))


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ('environments.staging.regions.ap-east-2.eks.kubernetes_version="1.28"', "no kubectl layer"),
        ("environments.staging.regions.ap-east-2.eks.charts.alb_controller_version=v9.9.9", "not shipped"),
        ('environments.staging.regions.ap-east-2.eks.spot_instance_types=["t9.huge"]', "unknown Spot instance type"),
    ],
)
def test_invalid_eks_settings_are_refused(override: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(overrides=[override])


def test_stack_exposes_what_the_workload_needs_and_grants_configured_admins() -> None:
    """The lead wires the Kubernetes manifests to these attributes; operators get access entries."""
    import aws_cdk as cdk
    from aws_cdk import aws_ecr as ecr
    from aws_cdk import aws_elasticloadbalancingv2 as elbv2
    from aws_cdk import aws_iam as iam
    from aws_cdk.assertions import Template

    from genai_infra.app_builder import build_target
    from genai_infra.stacks.eks_stack import EKSStack
    from genai_infra.synth import cdk_json_context, use_project_node
    from tests.conftest import target_of

    admin = "arn:aws:iam::111122223333:role/platform-operators"
    config = load_config(overrides=[f'environments.staging.regions.ap-east-2.eks.admin_role_arns=["{admin}"]'])
    use_project_node()
    app = cdk.App(context=dict(cdk_json_context()), analytics_reporting=False)
    stack = build_target(app, config, target_of("staging", "ap-east-2", config))["EKSStack"]
    assert isinstance(stack, EKSStack)
    assert isinstance(stack.app_role, iam.Role)
    assert isinstance(stack.repository, ecr.Repository)
    assert isinstance(stack.target_group, elbv2.ApplicationTargetGroup)
    assert stack.cluster_name == "genai-demo-staging"
    entries = Template.from_stack(stack).find_resources("AWS::EKS::AccessEntry")
    principals = {json.dumps(e["Properties"]["PrincipalArn"]): e["Properties"] for e in entries.values()}
    assert principals[json.dumps(admin)]["AccessPolicies"] == [
        {
            "AccessScope": {"Type": "cluster"},
            "PolicyArn": {
                "Fn::Join": [
                    "",
                    ["arn:", {"Ref": "AWS::Partition"}, ":eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"],
                ]
            },
        }
    ]


def test_admin_roles_must_be_role_arns() -> None:
    with pytest.raises(ConfigError, match="admin_role_arns"):
        load_config(overrides=['environments.staging.regions.ap-east-2.eks.admin_role_arns=["operators"]'])


@pytest.mark.parametrize(("environment", "region"), [t for t in SERVING_TARGETS if t[0] == "production"])
def test_the_alb_forwards_only_cloudfronts_requests_and_route53s_readiness_checks(
    template: Any, environment: str, region: str
) -> None:
    t = _eks(template, environment, region)
    https = next(
        p
        for p in t.props("AWS::ElasticLoadBalancingV2::Listener")
        if p["Port"] == 443  # the HTTPS listener
    )
    (default,) = https["DefaultActions"]
    assert (default["Type"], default["FixedResponseConfig"]["StatusCode"]) == ("fixed-response", "403")
    rules = {r["Priority"]: r for r in t.props("AWS::ElasticLoadBalancingV2::ListenerRule")}
    assert sorted(rules) == [1, 2]
    (header,) = rules[1]["Conditions"]
    assert header["HttpHeaderConfig"] == {
        "HttpHeaderName": "X-Origin-Verify",
        # A dynamic reference: the secret's value never appears in the template.
        "Values": [f"{{{{resolve:secretsmanager:genai-demo/{environment}/edge/origin-verify:SecretString:::}}}}"],
    }
    (path,) = rules[2]["Conditions"]
    assert path["PathPatternConfig"] == {"Values": ["/actuator/health/readiness"]}
    target_group = _logical_id(t, "AWS::ElasticLoadBalancingV2::TargetGroup", "AlbAppTargets")
    for rule in rules.values():
        assert rule["Actions"] == [{"TargetGroupArn": {"Ref": target_group}, "Type": "forward"}]
