"""No literal secrets: passwords, tokens and Kubernetes Secrets come from Secrets Manager (decision S4)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from genai_infra.preflight.cfn import render
from genai_infra.preflight.kube import manifests
from genai_infra.preflight.model import Hit, Severity, StackTemplate, TargetTemplates, rule

SECRET_NAME = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)", re.IGNORECASE)
# Properties CloudFormation passes to the service as a secret value.
SECRET_PROPERTIES: dict[str, tuple[str, ...]] = {
    "AWS::RDS::DBCluster": ("MasterUserPassword",),
    "AWS::RDS::DBInstance": ("MasterUserPassword",),
    "AWS::ElastiCache::ReplicationGroup": ("AuthToken",),
    "AWS::ElastiCache::User": ("Passwords",),
    "AWS::SecretsManager::Secret": ("SecretString",),
    "AWS::DocDB::DBCluster": ("MasterUserPassword",),
    "AWS::MQ::Broker": ("Users",),
}


def _is_literal_secret(value: Any) -> bool:
    """A value typed into the template: not a dynamic reference, Ref or GetAtt of something else."""
    if isinstance(value, list):
        return any(_is_literal_secret(item) for item in value)
    if isinstance(value, dict) and "Password" in value:
        return _is_literal_secret(value["Password"])
    rendered = render(value)
    return rendered.literal is not None and rendered.text != "" and "{{resolve:" not in rendered.text


def _literal_env(env: Any) -> Iterator[str]:
    for entry in env if isinstance(env, list) else []:
        if isinstance(entry, dict) and SECRET_NAME.search(str(entry.get("name", ""))) and entry.get("value"):
            yield str(entry["name"])


def _containers(obj: Any) -> Iterator[Any]:
    spec = obj.get("spec", {}) if isinstance(obj, dict) else {}
    pod = spec.get("template", {}).get("spec", spec) if isinstance(spec, dict) else {}
    for key in ("containers", "initContainers"):
        yield from pod.get(key, []) if isinstance(pod, dict) else []


@rule("PF016", Severity.ERROR, "target", "no literal secrets in properties, Lambda environments or Kubernetes objects")
def literal_secrets(target: TargetTemplates) -> Iterator[Hit]:
    for template in target.stacks.values():
        yield from _template_secrets(template)
    for manifest in manifests(target):
        for obj in manifest.objects or []:
            if not isinstance(obj, dict):
                continue
            name = f"{obj.get('kind')} {obj.get('metadata', {}).get('name')}"
            if obj.get("kind") == "Secret" and (obj.get("data") or obj.get("stringData")):
                yield manifest.stack.hit(
                    manifest.logical_id,
                    f"{name} carries its data in the template; keep the value in Secrets Manager and sync it "
                    "(External Secrets / CSI driver) instead",
                )
            for container in _containers(obj):
                for variable in _literal_env(container.get("env") if isinstance(container, dict) else None):
                    yield manifest.stack.hit(
                        manifest.logical_id,
                        f"{name} sets {variable} as a literal value; read it from a Secret (valueFrom)",
                    )


def _template_secrets(template: StackTemplate) -> Iterator[Hit]:
    for resource_type, keys in SECRET_PROPERTIES.items():
        for logical_id, properties in template.of_type(resource_type):
            for key in keys:
                if key in properties and _is_literal_secret(properties[key]):
                    yield template.hit(
                        logical_id,
                        f"{key} of {logical_id} is a literal in the template; generate it in Secrets Manager "
                        "and use a {{resolve:secretsmanager:...}} reference",
                    )
    for logical_id, properties in template.of_type("AWS::Lambda::Function"):
        variables = properties.get("Environment", {}).get("Variables", {}) or {}
        for variable, value in variables.items():
            if SECRET_NAME.search(variable) and _is_literal_secret(value):
                yield template.hit(
                    logical_id,
                    f"Lambda {logical_id} has {variable} as a literal environment value; pass a secret ARN and "
                    "read the value at run time",
                )
    for name, parameter in template.parameters.items():
        if (
            SECRET_NAME.search(name)
            and parameter.get("Default")
            and not str(parameter.get("Type", "")).startswith("AWS::SSM::")
        ):
            yield template.hit(
                name, f"parameter {name} has a default secret value; remove the default and use Secrets Manager"
            )
