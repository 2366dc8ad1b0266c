"""IAM: trust policies (IRSA), service account <-> role agreement, and IAM name lengths."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from genai_infra.preflight import support
from genai_infra.preflight.cfn import Pointer, TargetIndex, as_list, render
from genai_infra.preflight.kube import has_kubernetes, service_accounts
from genai_infra.preflight.model import Hit, Severity, StackTemplate, TargetTemplates, rule

WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
STS_AUDIENCE = "sts.amazonaws.com"


def _statements(properties: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    document = properties.get("AssumeRolePolicyDocument", {})
    return [s for s in as_list(document.get("Statement")) if isinstance(s, dict) and s.get("Effect") == "Allow"]


def _is_web_identity(statement: Mapping[str, Any]) -> bool:
    return WEB_IDENTITY in as_list(statement.get("Action"))


def _condition_block(template: StackTemplate, block: Any) -> Any:
    """A condition block, reading through CfnJson (IRSA keys that hold the cluster's issuer)."""
    if isinstance(block, dict) and list(block) == ["Fn::GetAtt"]:
        name = block["Fn::GetAtt"][0]
        resource = template.resources.get(name, {})
        if resource.get("Type") == "Custom::AWSCDKCfnJson":
            try:
                return json.loads(render(resource.get("Properties", {}).get("Value")).text)
            except json.JSONDecodeError:
                return None
    return block


def claims(template: StackTemplate, statement: Mapping[str, Any]) -> list[tuple[str, str, list[Any]]]:
    """(operator, claim, values) of a statement's conditions, e.g. ("StringEquals", "...:sub", [...])."""
    found = []
    for operator, block in (statement.get("Condition") or {}).items():
        resolved = _condition_block(template, block)
        if isinstance(resolved, dict):
            for key, values in resolved.items():
                claim = "sub" if str(key).endswith(":sub") else "aud" if str(key).endswith(":aud") else str(key)
                found.append((str(operator), claim, as_list(values)))
    return found


def trusted_subjects(template: StackTemplate, properties: Mapping[str, Any]) -> list[str]:
    """Service account subjects a role trusts by exact match."""
    return [
        str(value)
        for statement in _statements(properties)
        if _is_web_identity(statement)
        for operator, claim, values in claims(template, statement)
        if claim == "sub" and operator == "StringEquals"
        for value in values
    ]


@rule("PF010", Severity.ERROR, "template", "a web-identity (IRSA) trust names its OIDC provider and one exact sub")
def web_identity_subject(template: StackTemplate) -> Iterator[Hit]:
    for logical_id, properties in template.of_type("AWS::IAM::Role"):
        for statement in filter(_is_web_identity, _statements(properties)):
            federated = as_list(statement.get("Principal", {}).get("Federated"))
            subs = [(operator, values) for operator, claim, values in claims(template, statement) if claim == "sub"]
            wildcard = any(
                operator != "StringEquals" or any("*" in str(v) or "?" in str(v) for v in values)
                for operator, values in subs
            )
            if not federated or "*" in federated or not subs or wildcard:
                yield template.hit(
                    logical_id,
                    f"role {logical_id} lets any service account (or any OIDC provider) assume it; trust the "
                    "cluster's OIDC provider with StringEquals <issuer>:sub = system:serviceaccount:<ns>:<name>",
                )


@rule("PF011", Severity.ERROR, "template", "a web-identity trust requires aud = sts.amazonaws.com")
def web_identity_audience(template: StackTemplate) -> Iterator[Hit]:
    for logical_id, properties in template.of_type("AWS::IAM::Role"):
        for statement in filter(_is_web_identity, _statements(properties)):
            audiences = [
                values for operator, claim, values in claims(template, statement)
                if claim == "aud" and operator == "StringEquals"
            ]  # fmt: skip
            if not any(values == [STS_AUDIENCE] for values in audiences):
                yield template.hit(
                    logical_id,
                    f"role {logical_id} trusts web identities without requiring aud {STS_AUDIENCE}; add "
                    f"StringEquals <issuer>:aud = {STS_AUDIENCE}",
                )


@rule("PF012", Severity.ERROR, "template", "no role trusts the principal * (any AWS account)")
def trust_anyone(template: StackTemplate) -> Iterator[Hit]:
    for logical_id, properties in template.of_type("AWS::IAM::Role"):
        for statement in _statements(properties):
            principal = statement.get("Principal")
            named = as_list(principal.get("AWS")) if isinstance(principal, dict) else as_list(principal)
            if "*" in named:
                yield template.hit(
                    logical_id,
                    f"role {logical_id} can be assumed by any AWS principal; name the account, role or service",
                )


def _roles(target: TargetTemplates) -> Iterator[tuple[StackTemplate, str, Mapping[str, Any]]]:
    yield from target.of_type("AWS::IAM::Role")


@rule("PF013", Severity.ERROR, "target", "every IRSA trust sub names a ServiceAccount the target creates")
def irsa_subject_has_account(target: TargetTemplates) -> Iterator[Hit]:
    if not has_kubernetes(target):
        return  # roles made before the cluster exists are checked in the target that has it
    subjects = {account.subject for account in service_accounts(target)}
    for template, logical_id, properties in _roles(target):
        for subject in trusted_subjects(template, properties):
            if subject not in subjects:
                yield template.hit(
                    logical_id,
                    f"role {logical_id} trusts {subject}, but no ServiceAccount of that namespace and name is "
                    "created in this target; create it (manifest or chart values) or correct the trust's sub",
                )


def _role_of(index: TargetIndex, account_stack: StackTemplate, value: Any) -> Pointer | None:
    if isinstance(value, dict):
        pointer = index.resolve_any(account_stack, value)
        return pointer if pointer and index.type_of(pointer) == "AWS::IAM::Role" else None
    name = str(value).rsplit("/", 1)[-1]
    for template, logical_id, properties in _roles(index.target):
        if render(properties.get("RoleName"), region=index.target.region).literal == name:
            return Pointer(template.stack, logical_id)
    return None


@rule("PF014", Severity.ERROR, "target", "a ServiceAccount's role-arn annotation names the role that trusts it")
def irsa_annotation_names_role(target: TargetTemplates) -> Iterator[Hit]:
    index = TargetIndex(target)
    trusting: dict[str, list[Pointer]] = {}
    for template, logical_id, properties in _roles(target):
        for subject in trusted_subjects(template, properties):
            trusting.setdefault(subject, []).append(Pointer(template.stack, logical_id))
    for account in service_accounts(target):
        expected = trusting.get(account.subject, [])
        where = f"ServiceAccount {account.namespace}/{account.name} ({account.logical_id})"
        if account.role is None:
            if expected:
                yield account.stack.hit(
                    account.logical_id,
                    f"{where} has no eks.amazonaws.com/role-arn annotation although role {expected[0].logical_id} "
                    "trusts it; annotate it with that role's ARN",
                )
            continue
        pointer = _role_of(index, account.stack, account.role)
        if pointer is None or pointer not in expected:
            named = pointer.logical_id if pointer else "a role this target does not define"
            yield account.stack.hit(
                account.logical_id,
                f"{where} is annotated with {named}, which does not trust {account.subject}; annotate it with "
                "the role whose trust names this service account",
            )


def _name_length_hits(template: StackTemplate, logical_id: str, what: str, value: Any, limit: int) -> Iterator[Hit]:
    name = render(value, region=template.region).literal
    if name is not None and len(name) > limit:
        yield template.hit(
            logical_id,
            f"{what} {name!r} of {logical_id} is {len(name)} characters; IAM allows {limit}: shorten it",
        )


@rule("PF015", Severity.ERROR, "template", "IAM role, user, group, policy and profile names fit IAM's length limits")
def iam_name_lengths(template: StackTemplate) -> Iterator[Hit]:
    for resource_type, limits in support.IAM_NAME_LIMITS.items():
        for logical_id, properties in template.of_type(resource_type):
            for key, limit in limits.items():
                if key in properties:
                    yield from _name_length_hits(template, logical_id, key, properties[key], limit)
            for policy in as_list(properties.get("Policies")):
                if isinstance(policy, dict) and "PolicyName" in policy:
                    yield from _name_length_hits(
                        template, logical_id, "inline PolicyName", policy["PolicyName"],
                        support.IAM_INLINE_POLICY_NAME_LIMIT,
                    )  # fmt: skip
