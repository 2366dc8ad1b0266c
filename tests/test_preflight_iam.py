"""Preflight IAM and secrets rules PF010-PF016 on minimal templates."""

from __future__ import annotations

from typing import Any

import pytest

from tests.preflight_builders import (
    get_att,
    hits,
    manifest,
    one,
    published,
    ref,
    res,
    service_account,
    ssm_import,
    target,
    tpl,
)

ISSUER = "oidc.eks.ap-east-2.amazonaws.com/id/ABC"
APP = "system:serviceaccount:default:genai-demo-app"


def irsa_role(
    sub: Any = APP, aud: Any = "sts.amazonaws.com", operator: str = "StringEquals", federated: Any = None, **extra: Any
) -> dict[str, Any]:
    conditions: dict[str, Any] = {}
    if sub is not None:
        conditions.setdefault(operator, {})[f"{ISSUER}:sub"] = sub
    if aud is not None:
        conditions.setdefault("StringEquals", {})[f"{ISSUER}:aud"] = aud
    statement = {
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Effect": "Allow",
        "Principal": {"Federated": federated if federated is not None else ref("Provider")},
        "Condition": conditions,
    }
    return res("AWS::IAM::Role", {"AssumeRolePolicyDocument": {"Statement": [statement]}, **extra})


def cdk_irsa_role() -> dict[str, Any]:
    """What ServiceAccountRole synthesizes for a cluster of the same deployment: keys through CfnJson."""
    issuer = get_att("Cluster", "OpenIdConnectIssuerUrl")
    value = {"Fn::Join": ["", ['{"', issuer, f':sub":"{APP}","', issuer, ':aud":"sts.amazonaws.com"}']]}
    statement = {
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Effect": "Allow",
        "Principal": {"Federated": ref("Provider")},
        "Condition": {"StringEquals": get_att("Conditions", "Value")},
    }
    return {
        "Conditions": res("Custom::AWSCDKCfnJson", {"ServiceToken": "arn:fn", "Value": value}),
        "AppRole": res("AWS::IAM::Role", {"AssumeRolePolicyDocument": {"Statement": [statement]}}),
    }


@pytest.mark.parametrize(
    "role",
    [
        irsa_role(sub="system:serviceaccount:default:*", operator="StringLike"),
        irsa_role(sub="system:serviceaccount:*"),
        irsa_role(sub=None),
        irsa_role(federated="*"),
    ],
    ids=["string-like", "wildcard", "no-sub", "any-provider"],
)
def test_web_identity_trust_needs_one_exact_subject(role: dict[str, Any]) -> None:
    assert [hit.logical_id for hit in hits("PF010", one({"Role": role}))] == ["Role"]


def test_exact_subject_passes_also_through_cdk_cfn_json() -> None:
    assert hits("PF010", one({"Role": irsa_role()})) == []
    assert hits("PF010", one(cdk_irsa_role())) == []
    assert hits("PF011", one(cdk_irsa_role())) == []


def test_web_identity_trust_needs_the_sts_audience() -> None:
    assert len(hits("PF011", one({"Role": irsa_role(aud=None)}))) == 1
    assert len(hits("PF011", one({"Role": irsa_role(aud="sts.example.com")}))) == 1
    assert hits("PF011", one({"Role": irsa_role()})) == []


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": ["arn:aws:iam::111122223333:root", "*"]}])
def test_no_role_trusts_everyone(principal: Any) -> None:
    statement = {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": principal}
    role = res("AWS::IAM::Role", {"AssumeRolePolicyDocument": {"Statement": [statement]}})
    assert len(hits("PF012", one({"Role": role}))) == 1
    statement["Principal"] = {"Service": "eks.amazonaws.com"}
    assert hits("PF012", one({"Role": role})) == []


def eks_stack(*objects: Any, tokens: dict[str, Any] | None = None, **resources: Any) -> dict[str, Any]:
    return tpl({"Cluster": res("AWS::EKS::Cluster", {"Version": "1.35"}), "Manifest": manifest(*objects, tokens=tokens),
                **resources})  # fmt: skip


def test_irsa_subject_needs_a_service_account_of_that_namespace_and_name() -> None:
    role = {"AppRole": irsa_role()}
    wrong = eks_stack(service_account("genai-demo", "genai-demo-app"), **role)
    found = hits("PF013", target({"EKSStack": wrong}))
    assert [hit.logical_id for hit in found] == ["AppRole"]
    assert APP in found[0].message
    assert hits("PF013", target({"EKSStack": eks_stack(service_account("default", "genai-demo-app"), **role)})) == []


def test_irsa_subject_is_also_satisfied_by_a_chart_that_creates_the_account() -> None:
    values = manifest({"rbac": {"serviceAccount": {"create": True, "name": "cluster-autoscaler", "annotations": {
        "eks.amazonaws.com/role-arn": "@ROLE@"}}}}, tokens={"@ROLE@": get_att("AutoscalerRole", "Arn")},
        kind="values")  # fmt: skip
    chart = res("Custom::AWSCDK-EKS-HelmChart", {"Chart": "cluster-autoscaler", "Version": "9.43.2",
                                                  "Namespace": "kube-system", "Values": values})  # fmt: skip
    role = irsa_role(sub="system:serviceaccount:kube-system:cluster-autoscaler")
    stack = tpl({"Cluster": res("AWS::EKS::Cluster", {"Version": "1.35"}), "Chart": chart, "AutoscalerRole": role})
    assert hits("PF013", target({"EKSStack": stack})) == []
    assert hits("PF014", target({"EKSStack": stack})) == []


def test_irsa_subject_is_satisfied_by_a_managed_addon_or_a_chart_with_a_known_role_value() -> None:
    ebs = irsa_role(sub="system:serviceaccount:kube-system:ebs-csi-controller-sa")
    addon = res("AWS::EKS::Addon", {"AddonName": "aws-ebs-csi-driver", "ClusterName": ref("Cluster"),
                                    "ServiceAccountRoleArn": get_att("EbsRole", "Arn")})  # fmt: skip
    values = manifest({"podIdentity": {"aws": {"irsa": {"enabled": True, "roleArn": "@ROLE@"}}}},
                      tokens={"@ROLE@": get_att("KedaRole", "Arn")}, kind="values")  # fmt: skip
    keda = res("Custom::AWSCDK-EKS-HelmChart", {"Chart": "keda", "Version": "2.20.2", "Namespace": "keda",
                                                 "Values": values})  # fmt: skip
    keda_role = irsa_role(sub="system:serviceaccount:keda:keda-operator")
    cluster = res("AWS::EKS::Cluster", {"Version": "1.35"})
    stack = tpl({"Cluster": cluster, "Addon": addon, "EbsRole": ebs, "Keda": keda, "KedaRole": keda_role})
    assert hits("PF013", target({"EKSStack": stack})) == []
    assert hits("PF014", target({"EKSStack": stack})) == []
    # The add-on annotating its account with another role is caught.
    crossed = res(
        "AWS::EKS::Addon", {"AddonName": "aws-ebs-csi-driver", "ServiceAccountRoleArn": get_att("KedaRole", "Arn")}
    )
    stack = tpl({"Cluster": cluster, "Addon": crossed, "EbsRole": ebs, "Keda": keda, "KedaRole": keda_role})
    assert [hit.logical_id for hit in hits("PF014", target({"EKSStack": stack}))] == ["Addon"]
    # Without the add-on, nothing creates ebs-csi-controller-sa.
    alone = tpl({"Cluster": cluster, "EbsRole": ebs})
    assert [hit.logical_id for hit in hits("PF013", target({"EKSStack": alone}))] == ["EbsRole"]


def test_service_account_annotation_must_name_the_role_that_trusts_it() -> None:
    account = service_account("default", "genai-demo-app", "@ROLE@")
    roles = {"AppRole": irsa_role(), "OtherRole": irsa_role(sub="system:serviceaccount:kube-system:other")}
    right = eks_stack(account, tokens={"@ROLE@": get_att("AppRole", "Arn")}, **roles)
    wrong = eks_stack(account, tokens={"@ROLE@": get_att("OtherRole", "Arn")}, **roles)
    unannotated = eks_stack(service_account("default", "genai-demo-app"), **roles)
    assert hits("PF014", target({"EKSStack": right})) == []
    assert [hit.logical_id for hit in hits("PF014", target({"EKSStack": wrong}))] == ["Manifest"]
    assert "has no eks.amazonaws.com/role-arn" in hits("PF014", target({"EKSStack": unannotated}))[0].message


def test_annotation_is_followed_through_an_ssm_published_role_arn_and_a_literal_name() -> None:
    account = service_account("default", "genai-demo-app", "@ROLE@")
    security = tpl({"AppRole": irsa_role(RoleName="genai-demo-production-app-role"),
                    "Published": published("iam/app-role-arn", get_att("AppRole", "Arn"))})  # fmt: skip
    imported = tpl(eks_stack(account, tokens={"@ROLE@": ref("AppRoleArn")})["Resources"],
                   {"AppRoleArn": ssm_import("iam/app-role-arn")})  # fmt: skip
    assert hits("PF014", target({"SecurityStack": security, "EKSStack": imported})) == []
    literal = service_account(
        "default", "genai-demo-app", "arn:aws:iam::111122223333:role/genai-demo-production-app-role"
    )
    assert hits("PF014", target({"SecurityStack": security, "EKSStack": eks_stack(literal)})) == []
    stranger = service_account("default", "genai-demo-app", "arn:aws:iam::111122223333:role/someone-else")
    assert len(hits("PF014", target({"SecurityStack": security, "EKSStack": eks_stack(stranger)}))) == 1


@pytest.mark.parametrize(
    ("resource_type", "key", "limit"),
    [("AWS::IAM::Role", "RoleName", 64), ("AWS::IAM::ManagedPolicy", "ManagedPolicyName", 128),
     ("AWS::IAM::InstanceProfile", "InstanceProfileName", 128)],
)  # fmt: skip
def test_iam_names_fit_their_limits(resource_type: str, key: str, limit: int) -> None:
    assert len(hits("PF015", one({"R": res(resource_type, {key: "n" * (limit + 1)})}))) == 1
    assert hits("PF015", one({"R": res(resource_type, {key: "n" * limit})})) == []


def test_iam_name_length_counts_the_region_a_join_inserts() -> None:
    # naming.iam_role_name for the DR region: 70 characters in ap-northeast-1, 6 over IAM's limit.
    name = {"Fn::Join": ["", ["genai-demo-production-", ref("AWS::Region"), "-aws-load-balancer-controller-role"]]}
    found = hits("PF015", one({"R": res("AWS::IAM::Role", {"RoleName": name})}, region="ap-northeast-1"))
    assert len(found) == 1
    assert "70 characters" in found[0].message
    inline = {"Policies": [{"PolicyName": "p" * 129, "PolicyDocument": {}}]}
    assert len(hits("PF015", one({"R": res("AWS::IAM::Role", inline)}))) == 1


@pytest.mark.parametrize(
    "resources",
    [
        {"Db": res("AWS::RDS::DBCluster", {"Engine": "aurora-postgresql", "MasterUserPassword": "Sup3rSecret!"})},
        {"Redis": res("AWS::ElastiCache::ReplicationGroup", {"AuthToken": "a-literal-auth-token-of-16"})},
        {"Secret": res("AWS::SecretsManager::Secret", {"SecretString": '{"password":"p"}'})},
        {"Fn": res("AWS::Lambda::Function", {"Environment": {"Variables": {"DB_PASSWORD": "p4ss"}}})},
        {"Secret": manifest({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"},
                             "stringData": {"password": "p"}})},
        {"Deploy": manifest({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "app"},
                             "spec": {"template": {"spec": {"containers": [
                                 {"name": "app", "env": [{"name": "REDIS_AUTH_TOKEN", "value": "t"}]}]}}}})},
    ],
    ids=["aurora-password", "redis-token", "secret-string", "lambda-env", "k8s-secret", "container-env"],
)  # fmt: skip
def test_literal_secrets_fail(resources: dict[str, Any]) -> None:
    assert [hit.logical_id for hit in hits("PF016", one(resources))] == list(resources)


def test_referenced_secrets_pass() -> None:
    from_secret = {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}
    resolve = {"Fn::Join": ["", ["{{resolve:secretsmanager:", ref("DbSecret"), ":SecretString:password::}}"]]}
    resources = {
        "Db": res("AWS::RDS::DBCluster", {"MasterUserPassword": resolve}),
        "DbSecret": res("AWS::SecretsManager::Secret", {"GenerateSecretString": {"PasswordLength": 32}}),
        "Fn": res("AWS::Lambda::Function", {"Environment": {"Variables": {"DB_SECRET_ARN": ref("DbSecret")}}}),
        "Deploy": manifest({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "app"},
                            "spec": {"template": {"spec": {"containers": [{"name": "app", "env": [from_secret]}]}}}}),
    }  # fmt: skip
    assert hits("PF016", one(resources)) == []
