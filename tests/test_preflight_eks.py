"""Preflight EKS and Kubernetes rules PF020-PF024 on minimal templates (dates fixed to TODAY)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from genai_infra.preflight import Severity, support
from tests.preflight_builders import hits, manifest, one, ref, res


def cluster(version: str) -> dict[str, Any]:
    return {"Cluster": res("AWS::EKS::Cluster", {"Version": version, "ResourcesVpcConfig": {"SubnetIds": ["s"]}})}


@pytest.mark.parametrize("version", ["1.28", "1.29", "1.99"])
def test_kubernetes_versions_eks_no_longer_or_never_offered_fail(version: str) -> None:
    found = hits("PF020", one(cluster(version)))
    assert len(found) == 1
    assert found[0].severity is None  # the rule's own severity: error
    assert "1.36" in found[0].message


def test_a_version_in_extended_support_is_a_warning() -> None:
    # 1.31 left standard support on 2025-11-26 and leaves extended support on 2026-11-26.
    (found,) = hits("PF020", one(cluster("1.31")))
    assert found.severity is Severity.WARNING
    assert "extended support" in found.message


@pytest.mark.parametrize("version", ["1.34", "1.35", "1.36"])
def test_versions_in_standard_support_pass(version: str) -> None:
    assert hits("PF020", one(cluster(version))) == []


def test_the_cdk_cluster_resource_is_checked_too_and_support_ends_by_date() -> None:
    custom = {"Cluster": res("Custom::AWSCDK-EKS-Cluster", {"Config": {"version": "1.34"}})}
    assert hits("PF020", one(custom)) == []
    later = support.EKS_KUBERNETES_VERSIONS["1.34"].extended_support_ends
    assert len(hits("PF020", one(custom, today=later))) == 1


def test_the_configured_default_version_is_in_the_support_table() -> None:
    from genai_infra.config.compute import EksConfig

    default = EksConfig.model_fields["kubernetes_version"].default
    assert default in support.EKS_KUBERNETES_VERSIONS
    assert support.EKS_KUBERNETES_VERSIONS[default].standard_support_ends > support.AS_OF


def node_group(ami: str | None = "AL2023_x86_64_STANDARD", types: tuple[str, ...] = ("t3.medium",)) -> dict[str, Any]:
    properties: dict[str, Any] = {"InstanceTypes": list(types), "ClusterName": ref("Cluster")}
    if ami:
        properties["AmiType"] = ami
    return {**cluster("1.35"), "Nodes": res("AWS::EKS::Nodegroup", properties)}


@pytest.mark.parametrize("ami", ["AL2_x86_64", "AL2_ARM_64", "UBUNTU_2204"])
def test_amazon_linux_2_and_unknown_ami_types_fail(ami: str) -> None:
    (found,) = hits("PF021", one(node_group(ami)))
    assert found.logical_id == "Nodes"
    assert "AL2023_x86_64_STANDARD" in found.message


def test_al2_is_refused_by_version_even_before_the_ami_end_date() -> None:
    assert len(hits("PF021", one(node_group("AL2_x86_64"), today=date(2025, 6, 1)))) == 1  # 1.35 > 1.32


@pytest.mark.parametrize("ami", ["AL2023_x86_64_STANDARD", "BOTTLEROCKET_x86_64", None])
def test_current_ami_types_pass(ami: str | None) -> None:
    assert hits("PF021", one(node_group(ami))) == []


@pytest.mark.parametrize(
    ("ami", "types"),
    [("AL2023_x86_64_STANDARD", ("t4g.medium",)), ("AL2023_ARM_64_STANDARD", ("t3.large", "m7g.large"))],
)
def test_instance_types_must_match_the_ami_architecture(ami: str, types: tuple[str, ...]) -> None:
    assert len(hits("PF022", one(node_group(ami, types)))) == 1


def test_matching_architectures_pass_including_the_launch_template_type() -> None:
    assert hits("PF022", one(node_group("AL2023_x86_64_STANDARD", ("t3.large", "t3.medium")))) == []
    assert hits("PF022", one(node_group("AL2023_ARM_64_STANDARD", ("m7g.large", "c7gn.large")))) == []
    resources = node_group("AL2023_x86_64_STANDARD", ())
    resources["Template"] = res("AWS::EC2::LaunchTemplate", {"LaunchTemplateData": {"InstanceType": "r6g.large"}})
    resources["Nodes"]["Properties"]["LaunchTemplate"] = {"Id": ref("Template")}
    assert len(hits("PF022", one(resources))) == 1


@pytest.mark.parametrize(
    "resource",
    [
        res("Custom::AWSCDK-EKS-KubernetesResource", {"Manifest": '[{"kind": "Namespace",'}),
        manifest({"apiVersion": "v1", "metadata": {"name": "app"}}),
        manifest({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "Genai_Demo"}}),
    ],
    ids=["not-json", "no-kind", "bad-name"],
)
def test_manifests_that_kubernetes_would_reject_fail(resource: dict[str, Any]) -> None:
    assert [hit.logical_id for hit in hits("PF023", one({"Manifest": resource}))] == ["Manifest"]


def test_valid_manifests_pass() -> None:
    objects = manifest(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "genai-demo"}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "genai-demo-app", "namespace": "default"}},
    )
    assert hits("PF023", one({"Manifest": objects})) == []


@pytest.mark.parametrize("version", [None, "", "^9.43.0", "~1.2", "1.x", "latest", ">=1.0"])
def test_helm_charts_must_be_pinned(version: str | None) -> None:
    properties = {"Chart": "cluster-autoscaler", "Repository": "https://kubernetes.github.io/autoscaler"}
    if version is not None:
        properties["Version"] = version
    assert len(hits("PF024", one({"Chart": res("Custom::AWSCDK-EKS-HelmChart", properties)}))) == 1
    properties["Version"] = "9.43.2"
    assert hits("PF024", one({"Chart": res("Custom::AWSCDK-EKS-HelmChart", properties)})) == []


# --- PF025: pods cannot borrow the node's credentials (issue 16 item 2) ---------------------------

MANAGED = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/AmazonEKS_CNI_Policy"]]}


def nodes(hop_limit: int = 1, tokens: str = "required", cni_role: bool = True) -> dict[str, Any]:
    trust = {
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}}]
    }
    addon = {"AddonName": "vpc-cni", "ClusterName": ref("Cluster")}
    if cni_role:
        addon["ServiceAccountRoleArn"] = {"Fn::GetAtt": ["CniRole", "Arn"]}
    return {
        "Cluster": res("AWS::EKS::Cluster", {"Version": "1.35"}),
        "NodeRole": res("AWS::IAM::Role", {"AssumeRolePolicyDocument": trust}),
        "Template": res("AWS::EC2::LaunchTemplate", {"LaunchTemplateData": {"MetadataOptions": {
            "HttpEndpoint": "enabled", "HttpTokens": tokens, "HttpPutResponseHopLimit": hop_limit}}}),
        "Nodes": res("AWS::EKS::Nodegroup", {"LaunchTemplate": {"Id": ref("Template")}}),
        "Cni": res("AWS::EKS::Addon", addon),
    }  # fmt: skip


def test_nodes_that_lend_no_credentials_pass() -> None:
    assert hits("PF025", one(nodes())) == []


@pytest.mark.parametrize(("mutation", "culprit"), [
    ({"hop_limit": 2}, "Template"),
    ({"tokens": "optional"}, "Template"),
    ({"cni_role": False}, "Cni"),
])  # fmt: skip
def test_pods_reaching_the_node_role_fail(mutation: dict[str, Any], culprit: str) -> None:
    assert [hit.logical_id for hit in hits("PF025", one(nodes(**mutation)))] == [culprit]


def test_a_node_role_with_the_cni_policy_or_a_cluster_without_the_cni_addon_fails() -> None:
    resources = nodes()
    resources["NodeRole"]["Properties"]["ManagedPolicyArns"] = [MANAGED]
    found = hits("PF025", one(resources))
    assert [hit.logical_id for hit in found] == ["NodeRole"]
    assert "AmazonEKS_CNI_Policy" in found[0].message
    del resources["Cni"]
    del resources["NodeRole"]["Properties"]["ManagedPolicyArns"]
    assert [hit.logical_id for hit in hits("PF025", one(resources))] == ["Cluster"]
