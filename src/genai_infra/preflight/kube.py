"""Kubernetes objects inside templates: CDK's manifest and Helm chart custom resources.

`Custom::AWSCDK-EKS-KubernetesResource` carries its objects as a JSON string in `Manifest`, and
`Custom::AWSCDK-EKS-HelmChart` its values as a JSON string in `Values`; either may be an Fn::Join
around deploy-time values (a role ARN), which `render` turns into ${Tn} placeholders that map back
to the intrinsic, so an annotation can still be followed to the role it names.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from genai_infra.preflight.cfn import PLACEHOLDER, Rendered, render
from genai_infra.preflight.model import StackTemplate, TargetTemplates

MANIFEST_TYPE = "Custom::AWSCDK-EKS-KubernetesResource"
HELM_TYPE = "Custom::AWSCDK-EKS-HelmChart"
CLUSTER_TYPES = ("AWS::EKS::Cluster", "Custom::AWSCDK-EKS-Cluster")
ROLE_ANNOTATION = "eks.amazonaws.com/role-arn"
ADDON_TYPE = "AWS::EKS::Addon"
# Service accounts an EKS managed add-on creates and annotates with its ServiceAccountRoleArn.
ADDON_SERVICE_ACCOUNTS: dict[str, tuple[str, str]] = {
    "vpc-cni": ("kube-system", "aws-node"),
    "aws-ebs-csi-driver": ("kube-system", "ebs-csi-controller-sa"),
    "amazon-cloudwatch-observability": ("amazon-cloudwatch", "cloudwatch-agent"),
}
# Charts that create a service account under a fixed name and annotate it with the role ARN found
# at a path of their values (KEDA: podIdentity.aws.irsa.roleArn on the keda-operator account).
CHART_ROLE_VALUES: dict[str, tuple[str, tuple[str, ...]]] = {
    "keda": ("keda-operator", ("podIdentity", "aws", "irsa", "roleArn")),
}


@dataclass(frozen=True)
class Manifest:
    stack: StackTemplate
    logical_id: str
    objects: list[Any] | None  # None when the Manifest is not valid JSON
    rendered: Rendered


@dataclass(frozen=True)
class ServiceAccount:
    stack: StackTemplate
    logical_id: str
    namespace: str
    name: str
    # The role ARN annotation: the intrinsic it came from, or the literal text; None when absent.
    role: Any

    @property
    def subject(self) -> str:
        return f"system:serviceaccount:{self.namespace}:{self.name}"


def _json(rendered: Rendered) -> Any:
    try:
        return json.loads(rendered.text)
    except (json.JSONDecodeError, TypeError):
        return None


def manifests(target: TargetTemplates) -> Iterator[Manifest]:
    for template, logical_id, properties in target.of_type(MANIFEST_TYPE):
        rendered = render(properties.get("Manifest", ""), region=target.region)
        objects = _json(rendered)
        if isinstance(objects, dict):
            objects = [objects]
        yield Manifest(template, logical_id, objects if isinstance(objects, list) else None, rendered)


def _annotation(value: Any, rendered: Rendered) -> Any:
    """The intrinsic behind an annotation that is one placeholder; the text otherwise."""
    if not isinstance(value, str):
        return None
    found = PLACEHOLDER.findall(value)
    if len(found) == 1:
        return rendered.tokens[found[0]]
    return value


def _helm_accounts(values: Any) -> Iterator[Mapping[str, Any]]:
    """Chart values of the form {name: ..., annotations: {eks.amazonaws.com/role-arn: ...}}."""
    if isinstance(values, dict):
        annotations = values.get("annotations")
        if isinstance(annotations, dict) and ROLE_ANNOTATION in annotations and "name" in values:
            yield values
        for inner in values.values():
            yield from _helm_accounts(inner)
    elif isinstance(values, list):
        for item in values:
            yield from _helm_accounts(item)


def service_accounts(target: TargetTemplates) -> Iterator[ServiceAccount]:
    for manifest in manifests(target):
        for obj in manifest.objects or []:
            if not isinstance(obj, dict) or obj.get("kind") != "ServiceAccount":
                continue
            metadata = obj.get("metadata", {})
            annotations = metadata.get("annotations", {}) or {}
            yield ServiceAccount(
                manifest.stack,
                manifest.logical_id,
                str(metadata.get("namespace", "default")),
                str(metadata.get("name", "")),
                _annotation(annotations.get(ROLE_ANNOTATION), manifest.rendered),
            )
    for template, logical_id, properties in target.of_type(HELM_TYPE):
        rendered = render(properties.get("Values", "{}"), region=target.region)
        namespace = render(properties.get("Namespace", "default")).text
        for account in _helm_accounts(_json(rendered)):
            yield ServiceAccount(
                template,
                logical_id,
                namespace,
                str(account["name"]),
                _annotation(account["annotations"][ROLE_ANNOTATION], rendered),
            )
    yield from _managed_accounts(target)


def _at(values: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(values, dict):
            return None
        values = values.get(key)
    return values


def _managed_accounts(target: TargetTemplates) -> Iterator[ServiceAccount]:
    """Accounts made by managed add-ons and by charts with a known role value."""
    for template, logical_id, properties in target.of_type(ADDON_TYPE):
        account = ADDON_SERVICE_ACCOUNTS.get(str(properties.get("AddonName")))
        if account is not None and "ServiceAccountRoleArn" in properties:
            yield ServiceAccount(template, logical_id, *account, properties["ServiceAccountRoleArn"])
    for template, logical_id, properties in target.of_type(HELM_TYPE):
        known = CHART_ROLE_VALUES.get(str(properties.get("Chart")))
        if known is None:
            continue
        rendered = render(properties.get("Values", "{}"), region=target.region)
        role = _at(_json(rendered), known[1])
        if role is not None:
            namespace = render(properties.get("Namespace", "default")).text
            yield ServiceAccount(template, logical_id, namespace, known[0], _annotation(role, rendered))


def has_kubernetes(target: TargetTemplates) -> bool:
    return any(True for _ in target.of_type(*CLUSTER_TYPES, MANIFEST_TYPE, HELM_TYPE))
