"""Never trust CREATE_COMPLETE: compare each deployed stack with its template (pure boto3).

After `cdk deploy` reports success, every stack of the plan is read back: its status must be a
completed one, every resource the template declares must exist with a physical id and a completed
status (a custom resource that never answered has neither), and every SSM parameter the template
declares must read back, with the template's value where that value is a literal. A mismatch names
the stack and the resource. The same check runs against AWS and against the local emulator; it
knows nothing of either.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

COMPLETE_STACK = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE")
COMPLETE_RESOURCE = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE", "UPDATE_ROLLBACK_COMPLETE")
CUSTOM = "AWS::CloudFormation::CustomResource"

# The condition functions a template's Conditions use, over their evaluated arguments.
OPERATORS: dict[str, Callable[[list[Any]], bool]] = {
    "Fn::Equals": lambda values: str(values[0]) == str(values[1]),
    "Fn::Not": lambda values: not values[0],
    "Fn::And": all,
    "Fn::Or": any,
    "Condition": lambda values: bool(values[0]),
}

# (region, service) -> a client; boto3 by default, moto or stubs in tests.
ClientFactory = Callable[[str, str], Any]


@dataclass(frozen=True)
class Mismatch:
    region: str
    stack: str
    resource: str
    problem: str

    def __str__(self) -> str:
        where = f"{self.stack}" + (f" resource {self.resource}" if self.resource else "")
        return f"{self.region} {where}: {self.problem}"


def boto3_clients(region: str, service: str) -> Any:
    import boto3

    return boto3.client(service, region_name=region)


def _condition_holds(name: str, template: Mapping[str, Any], parameters: Mapping[str, str]) -> bool | None:
    """A template condition's value from the stack's parameters; None when it cannot be told offline."""

    def value(node: Any) -> Any:
        if isinstance(node, dict) and len(node) == 1:
            ((key, inner),) = node.items()
            if key == "Ref":
                return parameters.get(inner)
            if key == "Condition":
                return evaluate(template.get("Conditions", {}).get(inner))
            if key in ("Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or"):
                return evaluate(node)
            return None
        return node

    def evaluate(node: Any) -> bool | None:
        if not isinstance(node, dict) or len(node) != 1:
            return None
        ((key, inner),) = node.items()
        values = [value(v) for v in inner] if isinstance(inner, list) else [value(inner)]
        operator = OPERATORS.get(key)
        if operator is None or any(v is None for v in values):
            return None
        return operator(values)

    return evaluate(template.get("Conditions", {}).get(name))


def _resources(cloudformation: Any, stack_name: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for page in cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack_name):
        for summary in page["StackResourceSummaries"]:
            if summary.get("LogicalResourceId"):
                found[summary["LogicalResourceId"]] = summary
    return found


def verify_stack(region: str, stack_name: str, template: Mapping[str, Any], clients: ClientFactory) -> list[Mismatch]:
    """The mismatches between one deployed stack and its template (none when it is what was declared)."""
    cloudformation = clients(region, "cloudformation")
    stacks = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    stack = stacks[0]
    if stack["StackStatus"] not in COMPLETE_STACK:
        reason = stack.get("StackStatusReason", "")
        return [Mismatch(region, stack_name, "", f"status {stack['StackStatus']}" + (f" ({reason})" if reason else ""))]
    parameters = {
        p["ParameterKey"]: p.get("ResolvedValue", p.get("ParameterValue", "")) for p in stack.get("Parameters", [])
    }
    existing = _resources(cloudformation, stack_name)
    mismatches: list[Mismatch] = []
    parameters_declared: list[tuple[str, Mapping[str, Any]]] = []
    for logical_id, declared in template.get("Resources", {}).items():
        condition = declared.get("Condition")
        if condition and _condition_holds(condition, template, parameters) is False:
            continue
        kind = declared["Type"]
        found = existing.get(logical_id)
        custom = kind.startswith("Custom::") or kind == CUSTOM
        if found is None:
            what = "custom resource never answered" if custom else "declared but does not exist"
            mismatches.append(Mismatch(region, stack_name, logical_id, f"{kind}: {what}"))
            continue
        if not found.get("PhysicalResourceId"):
            mismatches.append(Mismatch(region, stack_name, logical_id, f"{kind}: has no physical id"))
        elif found.get("ResourceStatus") not in COMPLETE_RESOURCE:
            mismatches.append(Mismatch(region, stack_name, logical_id, f"{kind}: status {found.get('ResourceStatus')}"))
        elif kind == "AWS::SSM::Parameter":
            parameters_declared.append((logical_id, declared))
    if parameters_declared:
        ssm = clients(region, "ssm")
        for logical_id, declared in parameters_declared:
            name = existing[logical_id]["PhysicalResourceId"]
            try:
                actual = ssm.get_parameter(Name=name)["Parameter"]["Value"]
            except Exception as error:  # ParameterNotFound and its kin: the parameter is not there
                mismatches.append(
                    Mismatch(region, stack_name, logical_id, f"SSM parameter {name} does not read back ({error})")
                )
                continue
            wanted = declared.get("Properties", {}).get("Value")
            if isinstance(wanted, str) and actual != wanted:
                mismatches.append(
                    Mismatch(
                        region, stack_name, logical_id, f"SSM parameter {name} reads {actual!r}, declared {wanted!r}"
                    )
                )
    return mismatches


def verify_stacks(
    stacks: Sequence[tuple[str, str, Mapping[str, Any]]], clients: ClientFactory = boto3_clients
) -> list[Mismatch]:
    """(region, CloudFormation stack name, template) of each deployed stack, in deployment order."""
    mismatches: list[Mismatch] = []
    for region, name, template in stacks:
        try:
            mismatches += verify_stack(region, name, template, clients)
        except Exception as error:  # the stack cannot be read: that is a mismatch too, named
            mismatches.append(Mismatch(region, name, "", f"cannot be read back: {type(error).__name__}: {error}"))
    return mismatches
