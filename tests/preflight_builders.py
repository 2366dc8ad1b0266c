"""Minimal CloudFormation templates for the preflight rule tests: only what a rule reads."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from genai_infra.preflight import RULES, EnvironmentTemplates, TargetTemplates, target_of
from genai_infra.preflight.model import Hit

# The preflight tests evaluate date-dependent rules on a fixed day, so they do not age.
TODAY = date(2026, 11, 24)
ENV = "production"
REGION = "ap-east-2"


def res(resource_type: str, properties: Mapping[str, Any] | None = None, **attributes: Any) -> dict[str, Any]:
    return {"Type": resource_type, "Properties": dict(properties or {}), **attributes}


def tpl(resources: Mapping[str, Any], parameters: Mapping[str, Any] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"Resources": dict(resources)}
    if parameters:
        data["Parameters"] = dict(parameters)
    return data


def target(
    stacks: Mapping[str, Mapping[str, Any]],
    *,
    environment: str = ENV,
    region: str = REGION,
    dependencies: Mapping[str, list[str]] | None = None,
    today: date = TODAY,
) -> TargetTemplates:
    return target_of(environment, region, stacks, dependencies=dependencies, today=today)


def one(resources: Mapping[str, Any], **kwargs: Any) -> TargetTemplates:
    """A target with a single stack holding `resources`."""
    return target({"Stack": tpl(resources)}, **kwargs)


def hits(rule_id: str, subject: TargetTemplates | EnvironmentTemplates) -> list[Hit]:
    """What one rule reports, whatever its scope (a lone target becomes a one-target environment)."""
    rule = RULES[rule_id]
    if rule.scope == "environment":
        if isinstance(subject, TargetTemplates):
            subject = EnvironmentTemplates(subject.environment, (subject,))
        return list(rule.check(subject))
    assert isinstance(subject, TargetTemplates)
    if rule.scope == "template":
        return [hit for template in subject.stacks.values() for hit in rule.check(template)]
    return list(rule.check(subject))


def ref(name: str) -> dict[str, str]:
    return {"Ref": name}


def get_att(name: str, attribute: str) -> dict[str, list[str]]:
    return {"Fn::GetAtt": [name, attribute]}


def published(key: str, value: Any, environment: str = ENV) -> dict[str, Any]:
    """What PublishedValues synthesizes: a String parameter /genai-demo/<env>/<key>."""
    return res("AWS::SSM::Parameter", {"Name": f"/genai-demo/{environment}/{key}", "Type": "String", "Value": value})


def ssm_import(key: str, environment: str = ENV) -> dict[str, Any]:
    """What read_value synthesizes: a template parameter whose default is the SSM name."""
    return {"Type": "AWS::SSM::Parameter::Value<String>", "Default": f"/genai-demo/{environment}/{key}"}


def manifest(*objects: Any, tokens: Mapping[str, Any] | None = None, kind: str = "KubernetesResource") -> Any:
    """A CDK Kubernetes manifest (or Helm values) as JSON text; each token marker becomes an intrinsic
    spliced in with Fn::Join, the way CDK renders a role ARN inside a manifest."""
    text = json.dumps(list(objects) if kind == "KubernetesResource" else objects[0])
    parts: list[Any] = [text]
    for marker, intrinsic in (tokens or {}).items():
        spliced: list[Any] = []
        for part in parts:
            if isinstance(part, str) and marker in part:
                before, after = part.split(marker, 1)
                spliced += [before, intrinsic, after]
            else:
                spliced.append(part)
        parts = spliced
    value: Any = {"Fn::Join": ["", parts]} if len(parts) > 1 else text
    if kind != "KubernetesResource":
        return value
    return res("Custom::AWSCDK-EKS-KubernetesResource", {"ServiceToken": "arn:provider", "Manifest": value})


def service_account(namespace: str, name: str, role_marker: str | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "namespace": namespace}
    if role_marker:
        metadata["annotations"] = {"eks.amazonaws.com/role-arn": role_marker}
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": metadata}
