"""SecurityStack and the IRSA construct: KMS keys, the document's roles and their exact permissions."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import SERVING_TARGETS, render

MANAGED = "arn:${AWS::Partition}:iam::aws:policy/"


def _roles(t: Any) -> dict[str, dict[str, Any]]:
    return {props["RoleName"]: props for props in t.props("AWS::IAM::Role")}


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_kms_keys_rotate_and_have_aliases(template: Any, environment: str, region: str) -> None:
    t = template(environment, region, "SecurityStack")
    keys = t.props("AWS::KMS::Key")
    # The msk key only where the environment runs MSK (decision C12: production).
    purposes = ("eks", "rds", "elasticache", *(("msk",) if environment == "production" else ()), "logs", "secrets")
    assert len(keys) == len(purposes)
    assert all(key["EnableKeyRotation"] is True for key in keys)
    aliases = {alias["AliasName"] for alias in t.props("AWS::KMS::Alias")}
    assert aliases == {f"alias/genai-demo/{environment}/{p}" for p in purposes}
    # Decision S5: production keeps its keys when the stack goes; development may be destroyed.
    policies = {value["DeletionPolicy"] for value in t.of_type("AWS::KMS::Key").values()}
    assert policies == ({"Retain"} if environment == "production" else {"Delete"})


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_eks_roles_have_exactly_the_documents_managed_policies(template: Any, environment: str, region: str) -> None:
    roles = _roles(template(environment, region, "SecurityStack"))
    qualifier = "" if region in ("ap-east-2",) or environment == "development" else f"{region}-"
    cluster = roles[f"genai-demo-{environment}-{qualifier}eks-cluster-role"]
    node = roles[f"genai-demo-{environment}-{qualifier}eks-node-role"]
    assert render(cluster["ManagedPolicyArns"]) == [MANAGED + "AmazonEKSClusterPolicy"]
    assert sorted(render(node["ManagedPolicyArns"])) == sorted(
        MANAGED + name
        for name in ("AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly")
    )
    assert cluster["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "eks.amazonaws.com"}
    assert node["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    assert "Policies" not in cluster
    assert "Policies" not in node


def test_only_the_primary_region_keeps_the_documents_role_names(template: Any) -> None:
    assert "genai-demo-production-eks-cluster-role" in _roles(template("production", "ap-east-2", "SecurityStack"))
    tokyo = _roles(template("production", "ap-northeast-1", "SecurityStack"))
    assert set(tokyo) == {
        "genai-demo-production-ap-northeast-1-eks-cluster-role",
        "genai-demo-production-ap-northeast-1-eks-node-role",
    }


def test_logs_key_admits_cloudwatch_logs_of_its_region_only(template: Any) -> None:
    t = template("production", "ap-east-2", "SecurityStack")
    statements = [s for key in t.props("AWS::KMS::Key") for s in key["KeyPolicy"]["Statement"]]
    logs = [s for s in statements if s.get("Sid") == "AllowCloudWatchLogsOfThisAccount"]
    assert len(logs) == 1
    assert logs[0]["Principal"] == {"Service": "logs.ap-east-2.amazonaws.com"}
    context = render(logs[0]["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"])
    assert context in (
        "arn:aws:logs:ap-east-2:${AWS::AccountId}:log-group:*",
        "arn:${AWS::Partition}:logs:ap-east-2:${AWS::AccountId}:log-group:*",
    )


@pytest.fixture(scope="module")
def irsa_template() -> dict[str, Any]:
    """The IRSA construct in a stack of its own, with a native OIDC provider of a known issuer."""
    import aws_cdk as cdk
    from aws_cdk import aws_iam as iam
    from aws_cdk.assertions import Template

    from genai_infra.constructs.irsa import (
        APP_SERVICE_ACCOUNT,
        AUTOSCALER_SERVICE_ACCOUNT,
        ServiceAccountRole,
        app_policy,
        autoscaler_policy,
    )

    app = cdk.App()
    stack = cdk.Stack(app, "IrsaTest", env=cdk.Environment(region="ap-east-2"))
    issuer = "oidc.eks.ap-east-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"
    provider = iam.OidcProviderNative(stack, "Oidc", url=f"https://{issuer}", client_ids=["sts.amazonaws.com"])
    for name, (namespace, account), policy in (
        ("App", APP_SERVICE_ACCOUNT, app_policy(stack, environment="production")),
        ("Autoscaler", AUTOSCALER_SERVICE_ACCOUNT, autoscaler_policy(stack, cluster_name="genai-demo-production")),
    ):
        ServiceAccountRole(
            stack,
            name,
            role_name=f"genai-demo-production-{name.lower()}-role",
            oidc_provider_arn=provider.oidc_provider_arn,
            oidc_issuer=f"https://{issuer}",
            namespace=namespace,
            service_account=account,
            policy=policy,
        )
    data: dict[str, Any] = Template.from_stack(stack).to_json()
    data["issuer"] = issuer
    return data


def _irsa(data: dict[str, Any], role_name: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    resources = data["Resources"]
    role_id, role = next((k, v) for k, v in resources.items() if v["Properties"].get("RoleName") == role_name)
    policy = next(
        v["Properties"]
        for v in resources.values()
        if v["Type"] == "AWS::IAM::ManagedPolicy" and v["Properties"]["Roles"] == [{"Ref": role_id}]
    )
    return role["Properties"], {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}


@pytest.mark.parametrize(
    ("role_name", "subject"),
    [
        ("genai-demo-production-app-role", "system:serviceaccount:default:genai-demo-app"),
        ("genai-demo-production-autoscaler-role", "system:serviceaccount:kube-system:cluster-autoscaler"),
    ],
)
def test_irsa_trust_names_one_provider_one_service_account(irsa_template: Any, role_name: str, subject: str) -> None:
    role, _ = _irsa(irsa_template, role_name)
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    issuer = irsa_template["issuer"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    provider = next(k for k, v in irsa_template["Resources"].items() if v["Type"] == "AWS::IAM::OIDCProvider")
    assert statement["Principal"]["Federated"] == {"Ref": provider}
    assert "*" not in str(statement["Principal"])
    assert statement["Condition"] == {"StringEquals": {f"{issuer}:sub": subject, f"{issuer}:aud": "sts.amazonaws.com"}}


def test_app_role_has_exactly_the_documents_permissions(irsa_template: Any) -> None:
    _, statements = _irsa(irsa_template, "genai-demo-production-app-role")
    region_only = {"StringEquals": {"aws:RequestedRegion": "ap-east-2"}}
    arn = "arn:${AWS::Partition}:{service}:ap-east-2:${AWS::AccountId}:"
    assert set(statements) == {
        "CloudWatchMetrics",
        "CloudWatchLogs",
        "XRayTracing",
        "ParameterStore",
        "SecretsManager",
        "KmsDecryptThroughServices",
    }
    metrics = statements["CloudWatchMetrics"]
    assert sorted(metrics["Action"]) == [
        "cloudwatch:GetMetricStatistics",
        "cloudwatch:ListMetrics",
        "cloudwatch:PutMetricData",
    ]
    assert (metrics["Resource"], metrics["Condition"]) == ("*", region_only)
    logs = statements["CloudWatchLogs"]
    assert sorted(logs["Action"]) == [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:DescribeLogStreams",
        "logs:PutLogEvents",
    ]
    assert render(logs["Resource"]) == arn.replace("{service}", "logs") + "log-group:/aws/genai-demo/*"
    xray = statements["XRayTracing"]
    assert sorted(xray["Action"]) == [
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
        "xray:PutTelemetryRecords",
        "xray:PutTraceSegments",
    ]
    assert (xray["Resource"], xray["Condition"]) == ("*", region_only)
    ssm = statements["ParameterStore"]
    assert sorted(ssm["Action"]) == ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"]
    assert render(ssm["Resource"]) == [
        arn.replace("{service}", "ssm") + "parameter/genai-demo/production/*",
        arn.replace("{service}", "ssm") + "parameter/genai-demo/common/*",
    ]
    secrets = statements["SecretsManager"]
    assert sorted(secrets["Action"]) == ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
    assert render(secrets["Resource"]) == arn.replace("{service}", "secretsmanager") + "secret:genai-demo/production/*"
    kms = statements["KmsDecryptThroughServices"]
    assert sorted(kms["Action"]) == ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"]
    assert render(kms["Resource"]) == arn.replace("{service}", "kms") + "key/*"
    assert kms["Condition"] == {
        "StringEquals": {
            "kms:ViaService": [
                "secretsmanager.ap-east-2.amazonaws.com",
                "ssm.ap-east-2.amazonaws.com",
                "logs.ap-east-2.amazonaws.com",
            ]
        }
    }


def test_autoscaler_role_has_exactly_the_documents_permissions(irsa_template: Any) -> None:
    _, statements = _irsa(irsa_template, "genai-demo-production-autoscaler-role")
    assert sorted(statements["AutoScaling"]["Action"]) == [
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeAutoScalingInstances",
        "autoscaling:DescribeLaunchConfigurations",
        "autoscaling:DescribeTags",
        "autoscaling:SetDesiredCapacity",
        "autoscaling:TerminateInstanceInAutoScalingGroup",
    ]
    assert statements["AutoScaling"]["Resource"] == "*"
    assert sorted(statements["Ec2"]["Action"]) == [
        "ec2:DescribeInstanceTypes",
        "ec2:DescribeInstances",
        "ec2:DescribeLaunchTemplateVersions",
    ]
    eks = statements["Eks"]
    assert sorted(eks["Action"]) == ["eks:DescribeCluster", "eks:DescribeNodegroup"]
    prefix = "arn:${AWS::Partition}:eks:ap-east-2:${AWS::AccountId}:"
    # The cluster, as written; and its node groups, which eks:DescribeNodegroup authorizes against.
    assert render(eks["Resource"]) == [
        prefix + "cluster/genai-demo-production",
        prefix + "nodegroup/genai-demo-production/*",
    ]
