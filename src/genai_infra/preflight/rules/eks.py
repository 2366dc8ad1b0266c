"""EKS and Kubernetes: supported version and AMI type, node architecture, manifests, pinned charts."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from genai_infra.preflight import support
from genai_infra.preflight.cfn import TargetIndex, as_list, render
from genai_infra.preflight.kube import CLUSTER_TYPES, HELM_TYPE, manifests
from genai_infra.preflight.model import Hit, Severity, StackTemplate, TargetTemplates, rule

# Graviton families: a digit generation followed by g (t4g, m7g, r6gd, c7gn, x2gd, im4gn ...).
ARM_FAMILY = re.compile(r"^[a-z]+\d+g[a-z]*$")
DNS_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
UNPINNED = re.compile(r"(^|\.)[xX*](\.|$)|[\^~><| *]|latest", re.IGNORECASE)


def _cluster_version(template: StackTemplate, resource_type: str, properties: Mapping[str, Any]) -> str | None:
    value = (
        properties.get("Version")
        if resource_type == "AWS::EKS::Cluster"
        else properties.get("Config", {}).get("version")
    )
    return render(value).literal if value is not None else None


def _versions(target: TargetTemplates) -> Iterator[tuple[StackTemplate, str, str]]:
    for resource_type in CLUSTER_TYPES:
        for template, logical_id, properties in target.of_type(resource_type):
            version = _cluster_version(template, resource_type, properties)
            if version:
                yield template, logical_id, version


@rule("PF020", Severity.ERROR, "template", "the EKS Kubernetes version is in standard support (extended: warning)")
def kubernetes_version(template: StackTemplate) -> Iterator[Hit]:
    for resource_type in CLUSTER_TYPES:
        for logical_id, properties in template.of_type(resource_type):
            version = _cluster_version(template, resource_type, properties)
            if version is None:
                continue
            known = support.EKS_KUBERNETES_VERSIONS.get(version)
            newest = max(support.EKS_KUBERNETES_VERSIONS, key=support.kubernetes_key)
            if known is None or template.today >= known.extended_support_ends or template.today < known.released:
                yield template.hit(
                    logical_id,
                    f"cluster {logical_id} uses Kubernetes {version}, which EKS does not offer on "
                    f"{template.today.isoformat()}; use a supported version such as {newest}",
                )
            elif template.today >= known.standard_support_ends:
                yield template.hit(
                    logical_id,
                    f"cluster {logical_id} uses Kubernetes {version}, in paid extended support since "
                    f"{known.standard_support_ends.isoformat()}; upgrade to {newest}",
                    Severity.WARNING,
                )


def _nodegroup_version(target: TargetTemplates, properties: Mapping[str, Any]) -> str | None:
    own = render(properties.get("Version")).literal if properties.get("Version") is not None else None
    return own or next((version for _, _, version in _versions(target)), None)


@rule("PF021", Severity.ERROR, "target", "node group AMI types are published for the cluster's version (no AL2)")
def ami_type(target: TargetTemplates) -> Iterator[Hit]:
    for template, logical_id, properties in target.of_type("AWS::EKS::Nodegroup"):
        ami = render(properties.get("AmiType")).literal
        if ami is None:
            continue
        version = _nodegroup_version(target, properties)
        al2_gone = (version is not None and support.kubernetes_key(version) > support.kubernetes_key(
            support.AL2_LAST_KUBERNETES_VERSION
        )) or template.today >= support.AL2_AMIS_END  # fmt: skip
        if ami in support.AL2_AMI_TYPES and al2_gone:
            yield template.hit(
                logical_id,
                f"node group {logical_id} uses {ami}; EKS publishes no Amazon Linux 2 AMIs for Kubernetes "
                f"{version or 'current versions'}: use AL2023_x86_64_STANDARD (or AL2023_ARM_64_STANDARD)",
            )
        elif ami not in support.EKS_AMI_TYPES and ami not in support.AL2_AMI_TYPES:
            yield template.hit(
                logical_id, f"node group {logical_id} uses unknown AMI type {ami}; use AL2023_x86_64_STANDARD"
            )


def _instance_types(index: TargetIndex, template: StackTemplate, properties: Mapping[str, Any]) -> list[str]:
    types = [render(t).literal for t in as_list(properties.get("InstanceTypes"))]
    launch_template = properties.get("LaunchTemplate") or {}
    pointer = index.resolve(template, launch_template.get("Id") or launch_template.get("Name"))
    if pointer is not None:
        data = (index.resource(pointer) or {}).get("Properties", {}).get("LaunchTemplateData", {})
        types.append(render(data.get("InstanceType")).literal)
    return [t for t in types if t]


@rule("PF022", Severity.ERROR, "target", "node group instance types match the AMI type's CPU architecture")
def node_architecture(target: TargetTemplates) -> Iterator[Hit]:
    index = TargetIndex(target)
    for template, logical_id, properties in target.of_type("AWS::EKS::Nodegroup"):
        ami = render(properties.get("AmiType", "AL2023_x86_64_STANDARD")).literal or ""
        wanted = support.EKS_AMI_TYPES.get(ami, "arm64" if "ARM" in ami else "x86_64")
        if wanted == "any":
            continue
        for instance_type in _instance_types(index, template, properties):
            arch = "arm64" if ARM_FAMILY.match(instance_type.split(".", 1)[0]) else "x86_64"
            if arch != wanted:
                yield template.hit(
                    logical_id,
                    f"node group {logical_id} runs {instance_type} ({arch}) with AMI type {ami} ({wanted}); "
                    "choose instance types of the AMI's architecture or the matching AMI type",
                )


@rule("PF023", Severity.ERROR, "target", "Kubernetes manifests parse and every object has apiVersion, kind, name")
def manifests_valid(target: TargetTemplates) -> Iterator[Hit]:
    for manifest in manifests(target):
        if manifest.objects is None:
            yield manifest.stack.hit(
                manifest.logical_id, f"manifest {manifest.logical_id} is not valid JSON; fix the object it renders"
            )
            continue
        for obj in manifest.objects:
            metadata = obj.get("metadata", {}) if isinstance(obj, dict) else {}
            name = str(metadata.get("name", "")) if isinstance(metadata, dict) else ""
            rendered_name = re.sub(r"\$\{T\d+\}", "x", name)
            if not isinstance(obj, dict) or not obj.get("apiVersion") or not obj.get("kind") or not name:
                yield manifest.stack.hit(
                    manifest.logical_id,
                    f"manifest {manifest.logical_id} has an object without apiVersion, kind or metadata.name; add them",
                )
            elif not DNS_NAME.match(rendered_name):
                yield manifest.stack.hit(
                    manifest.logical_id,
                    f"{obj['kind']} name {name!r} in manifest {manifest.logical_id} is not a DNS-1123 name; use "
                    "lower-case letters, digits, '-' and '.'",
                )


@rule("PF024", Severity.ERROR, "template", "every Helm chart is pinned to one exact chart version")
def helm_pinned(template: StackTemplate) -> Iterator[Hit]:
    for logical_id, properties in template.of_type(HELM_TYPE):
        version = render(properties.get("Version", "")).literal or ""
        if not version or UNPINNED.search(version):
            chart = render(properties.get("Chart", "")).text
            yield template.hit(
                logical_id,
                f"Helm chart {chart} ({logical_id}) has version {version or 'unset'}; pin one exact chart version",
            )


NODE_LENDING_POLICY = "AmazonEKS_CNI_Policy"


def _launch_template_ids(value: Any) -> list[str]:
    """Logical ids a node group's LaunchTemplate.Id refers to (Ref)."""
    return [str(value["Ref"])] if isinstance(value, dict) and "Ref" in value else []


def _trusts_ec2(properties: Mapping[str, Any]) -> bool:
    statements = as_list(properties.get("AssumeRolePolicyDocument", {}).get("Statement"))
    return any(
        "ec2.amazonaws.com" in as_list(s.get("Principal", {}).get("Service"))
        for s in statements
        if isinstance(s, dict) and isinstance(s.get("Principal"), dict)
    )


@rule("PF025", Severity.ERROR, "target", "pods cannot borrow node credentials (IMDS hop limit 1, CNI on its own role)")
def pods_without_node_credentials(target: TargetTemplates) -> Iterator[Hit]:
    """EKS Best Practices: IMDSv2 with hop limit 1 on the nodes, the VPC CNI on its own IRSA role,
    and no node role (a role EC2 assumes) with AmazonEKS_CNI_Policy."""
    for template, logical_id, properties in target.of_type("AWS::IAM::Role"):
        if _trusts_ec2(properties) and NODE_LENDING_POLICY in json.dumps(properties.get("ManagedPolicyArns", [])):
            yield template.hit(
                logical_id,
                f"role {logical_id} is an EC2 (node) role with {NODE_LENDING_POLICY}, which every pod could use "
                "through the node; give it to the VPC CNI's IRSA role (service account kube-system/aws-node)",
            )
    for template, logical_id, properties in target.of_type("AWS::EKS::Nodegroup"):
        for template_id in _launch_template_ids(properties.get("LaunchTemplate", {}).get("Id")):
            resource = template.resources.get(template_id, {})
            options = resource.get("Properties", {}).get("LaunchTemplateData", {}).get("MetadataOptions", {})
            if options.get("HttpTokens") != "required" or options.get("HttpPutResponseHopLimit") != 1:
                yield template.hit(
                    template_id,
                    f"launch template {template_id} of node group {logical_id} lets pods reach the instance "
                    "metadata (and the node role's credentials); set MetadataOptions HttpTokens required and "
                    "HttpPutResponseHopLimit 1",
                )
    clusters = [c for resource_type in CLUSTER_TYPES for c in target.of_type(resource_type)]
    if not clusters:
        return
    cni = [
        (template, logical_id, properties)
        for template, logical_id, properties in target.of_type("AWS::EKS::Addon")
        if properties.get("AddonName") == "vpc-cni"
    ]
    if not any("ServiceAccountRoleArn" in properties for _, _, properties in cni):
        template, logical_id, _ = cni[0] if cni else clusters[0]
        yield template.hit(
            logical_id,
            f"the VPC CNI of {logical_id} runs on the node role; add the vpc-cni add-on with a "
            "ServiceAccountRoleArn (an IRSA role for kube-system/aws-node with AmazonEKS_CNI_Policy)",
        )


CLUSTER_ADMIN_POLICY = "AmazonEKSClusterAdminPolicy"


@rule("PF026", Severity.WARNING, "target", "a production EKS cluster has an administrator access entry (decision S7)")
def production_administrator(target: TargetTemplates) -> Iterator[Hit]:
    """An access entry with the cluster admin policy for a configured role, not only the kubectl handler.

    The endpoint is private and the API accepts access entries only (decision S7): without a
    configured administrator nobody but CloudFormation's kubectl handler can act on the cluster.
    """
    if target.environment != "production":
        return
    for template, logical_id, _ in target.of_type("AWS::EKS::Cluster"):
        admins = [
            properties
            for _, _, properties in target.of_type("AWS::EKS::AccessEntry")
            # A literal role ARN is a configured operator; a GetAtt is a role the stack creates (the handler's).
            if isinstance(properties.get("PrincipalArn"), str)
            and any(
                CLUSTER_ADMIN_POLICY in json.dumps(policy.get("PolicyArn"))
                for policy in properties.get("AccessPolicies", []) or []
            )
        ]
        if not admins:
            yield template.hit(
                logical_id,
                "no administrator role has an access entry on this production cluster, so only the deployment's "
                "kubectl handler can reach its API; set eks.admin_role_arns for the region",
            )
