"""Custom resources answered in process (issue 18, cause 12).

moto answers a custom resource by invoking its Lambda function in Docker, which the emulator does
not have (and `lambda.use_docker=false` does not reach that path). The emulator answers the four
kinds this project's templates hold (five), by what their provider would do:

- Custom::AWSCDKCfnJson: the JSON string evaluated (CDK's CfnJson provider returns it parsed);
- Custom::AWS (AwsCustomResource): its SDK call made against the emulator, in the region it names,
  with the response flattened into the attributes the template reads (`Parameter.Value`);
- Custom::AWSCDK-EKS-KubernetesResource and -HelmChart: recorded only (no Kubernetes here), each
  manifest and chart kept in `RECORDED` and, when a record directory is set, written there as JSON;
- Custom::AppDatabaseUser (decision S8): its SQL run in the local PostgreSQL when the emulator has
  one (local_servers.py, `--local-servers`), recorded only otherwise.

Any other custom resource type fails its stack with a message that names it: never a silent success.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from botocore.exceptions import ClientError
from moto.cloudformation.custom_model import CustomModel
from moto.cloudformation.models import cloudformation_backends
from moto.moto_api._internal import mock_random

from genai_infra.emulator import local_servers
from genai_infra.emulator.fixes import patch
from genai_infra.emulator.models import emulator_client

RECORD_DIRECTORY: dict[str, Path] = {}
ANSWERED_FILE = "answered.jsonl"  # one line per custom resource answered, in the record directory
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Answered:
    """One custom resource the emulator answered: how (evaluated, called, recorded) and what."""

    region: str
    stack: str
    logical_id: str
    resource_type: str
    how: str
    detail: str


RECORDED: list[Answered] = []


class UnsupportedCustomResourceError(ValueError):
    """A custom resource type the emulator cannot answer: the stack fails with this message."""


# --- Custom::AWS ------------------------------------------------------------------------------------

SERVICE_NAMES = {"cloudwatchlogs": "logs", "elasticloadbalancingv2": "elbv2", "configservice": "config"}


def boto3_service(name: str) -> str:
    """The boto3 name of an SDK v2 or v3 service name (SSM, @aws-sdk/client-ssm, ssm)."""
    plain = name.removeprefix("@aws-sdk/client-").replace("-", "").lower()
    return SERVICE_NAMES.get(plain, plain)


def boto3_method(action: str) -> str:
    """getParameter, GetParameter or GetParameterCommand -> get_parameter."""
    base = action.removesuffix("Command")
    return re.sub(r"(?<!^)(?=[A-Z])", "_", base[0].upper() + base[1:]).lower()


def decoded(value: Any) -> Any:
    """CDK encodes booleans in an AwsCustomResource's call as 'TRUE:BOOLEAN' / 'FALSE:BOOLEAN'."""
    if isinstance(value, dict):
        return {k: decoded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decoded(v) for v in value]
    if value in ("TRUE:BOOLEAN", "FALSE:BOOLEAN"):
        return value == "TRUE:BOOLEAN"
    return value


def flattened(value: Any, prefix: str = "") -> dict[str, Any]:
    """An SDK response as the attributes AwsCustomResource exposes (`Parameter.Value`, `Items.0.Id`)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out.update(flattened(inner, f"{prefix}{key}."))
        return out
    if isinstance(value, list):
        out = {}
        for index, inner in enumerate(value):
            out.update(flattened(inner, f"{prefix}{index}."))
        return out
    return {prefix[:-1]: value if isinstance(value, str | int | float | bool) else str(value)}


def aws_call(properties: dict[str, Any], region: str, logical_id: str) -> tuple[str, dict[str, Any], str]:
    """Make the call of an AwsCustomResource; (physical id, attributes, what was called)."""
    raw = properties.get("Create") or properties.get("Update")
    if raw is None:
        return logical_id, {}, "no create call"
    call = json.loads(raw) if isinstance(raw, str) else raw
    service, method = boto3_service(call["service"]), boto3_method(call["action"])
    client = emulator_client(service, call.get("region") or region)
    try:
        response = getattr(client, method)(**decoded(call.get("parameters") or {}))
    except ClientError as error:
        ignored = call.get("ignoreErrorCodesMatching")
        if ignored and re.search(ignored, error.response["Error"]["Code"]):
            response = {}
        else:
            raise
    response.pop("ResponseMetadata", None)
    data = flattened(response)
    paths = call.get("outputPaths") or ([call["outputPath"]] if call.get("outputPath") else None)
    if paths:
        data = {k: v for k, v in data.items() if any(k == p or k.startswith(p + ".") for p in paths)}
    physical = call.get("physicalResourceId") or {}
    physical_id = physical.get("id") or str(flattened(response).get(physical.get("responsePath", ""), logical_id))
    return physical_id, data, f"{service}.{method} in {call.get('region') or region}"


# --- Dispatch -----------------------------------------------------------------------------------------


def _record_file(answer: Answered, document: dict[str, Any]) -> None:
    directory = RECORD_DIRECTORY.get("path")
    if directory is None:
        return
    target = directory / answer.region / answer.stack
    target.mkdir(parents=True, exist_ok=True)
    (target / f"{answer.logical_id}.json").write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")


def answer(
    resource_type: str, properties: dict[str, Any], region: str, stack: str, logical_id: str
) -> tuple[str, dict[str, Any], Answered]:
    """(physical id, attributes, record) of one custom resource, or UnsupportedCustomResourceError."""
    if resource_type == "Custom::AWSCDKCfnJson":
        value = json.loads(properties["Value"])
        return logical_id, {"Value": value}, Answered(region, stack, logical_id, resource_type, "evaluated", "CfnJson")
    if resource_type == "Custom::AWS":
        physical, data, called = aws_call(properties, region, logical_id)
        return physical, data, Answered(region, stack, logical_id, resource_type, "called", called)
    if resource_type == "Custom::AWSCDK-EKS-KubernetesResource":
        manifest = json.loads(properties["Manifest"])
        kinds = ", ".join(f"{m.get('kind')}/{m.get('metadata', {}).get('name')}" for m in manifest)
        record = Answered(region, stack, logical_id, resource_type, "recorded", kinds)
        _record_file(record, {"cluster": properties.get("ClusterName"), "manifest": manifest})
        return logical_id, {}, record
    if resource_type == "Custom::AWSCDK-EKS-HelmChart":
        values = json.loads(properties["Values"]) if properties.get("Values") else {}
        chart = f"{properties.get('Chart')} {properties.get('Version')} as {properties.get('Release')}"
        record = Answered(region, stack, logical_id, resource_type, "recorded", chart)
        _record_file(record, {**{k: v for k, v in properties.items() if k != "Values"}, "Values": values})
        return logical_id, {}, record
    if resource_type == "Custom::AppDatabaseUser":
        # Decision S8's database user: created with the project's SQL in the local PostgreSQL when
        # the emulator runs one (--local-servers); recorded, not created, otherwise.
        user = str(properties.get("UserName"))
        if local_servers.active() is not None:
            detail = local_servers.create_app_database_user(properties, region)
            return user, {}, Answered(region, stack, logical_id, resource_type, "created", detail)
        record = Answered(region, stack, logical_id, resource_type, "recorded", f"database user {user}")
        _record_file(record, dict(properties))
        return user, {}, record
    raise UnsupportedCustomResourceError(
        f"the emulator cannot answer custom resource {logical_id} of type {resource_type}; "
        "add its answer to genai_infra.emulator.custom_resources"
    )


def create_custom_resource(
    cls: type[Any],
    /,
    resource_name: str,
    cloudformation_json: dict[str, Any],
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> CustomModel:
    """Replaces CustomModel.create_from_cloudformation_json: answers at once, in this process."""
    logical_id, stack_id, resource_type = kwargs["LogicalId"], kwargs["StackId"], kwargs["ResourceType"]
    stack = cloudformation_backends[account_id][region_name].get_stack(stack_id)
    physical, data, record = answer(
        resource_type, cloudformation_json.get("Properties") or {}, region_name, stack.name, logical_id
    )
    resource: CustomModel = cast(Any, CustomModel)(region_name, str(mock_random.uuid4()), logical_id, physical)
    stack.add_custom_resource(resource)
    resource.set_data(data)
    with _LOCK:
        RECORDED.append(record)
        directory = RECORD_DIRECTORY.get("path")
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)
            with (directory / ANSWERED_FILE).open("a", encoding="utf-8") as log:
                log.write(json.dumps(record.__dict__, sort_keys=True) + "\n")
    return resource


def install() -> Callable[..., Any]:
    """Route moto's custom resources to `create_custom_resource`; returns what it replaced."""
    original: Callable[..., Any] = CustomModel.create_from_cloudformation_json
    patch(CustomModel, "create_from_cloudformation_json", classmethod(create_custom_resource))
    return original
