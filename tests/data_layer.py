"""Look-ups shared by the data layer tests: which SSM parameter or cross-region read a value comes from."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import Template


def ssm_key(t: Template, value: Any) -> str:
    """`{"Ref": <SSM parameter>}` -> the parameter's name, e.g. /genai-demo/production/kms/rds-key-arn."""
    assert isinstance(value, dict), value
    assert set(value) == {"Ref"}, value
    parameter = t.data["Parameters"][value["Ref"]]
    assert parameter["Type"] == "AWS::SSM::Parameter::Value<String>"
    name: str = parameter["Default"]
    return name


def split_ssm_key(t: Template, value: Any, index: int) -> str:
    """`{"Fn::Select": [i, {"Fn::Split": [",", {"Ref": p}]}]}` -> the parameter name (checking i)."""
    selected, inner = value["Fn::Select"]
    assert selected == index
    separator, source = inner["Fn::Split"]
    assert separator == ","
    return ssm_key(t, source)


def remote_read(t: Template, value: Any) -> dict[str, Any]:
    """`{"Fn::GetAtt": [<Custom::AWS>, "Parameter.Value"]}` -> the SDK call that custom resource makes."""
    logical_id, attribute = value["Fn::GetAtt"]
    assert attribute == "Parameter.Value"
    resource = t.resources[logical_id]
    assert resource["Type"] == "Custom::AWS"
    call: dict[str, Any] = json.loads(resource["Properties"]["Create"])
    assert json.loads(resource["Properties"]["Update"]) == call
    return call


def published(t: Template) -> dict[str, Any]:
    return {p["Name"]: p["Value"] for p in t.props("AWS::SSM::Parameter")}


def is_secret_reference(value: Any, secret_logical_id: str, field: str | None) -> bool:
    """A CloudFormation dynamic reference to the secret (and JSON field), never a literal."""
    parts = value["Fn::Join"][1] if isinstance(value, dict) else [value]
    text = "".join(p if isinstance(p, str) else json.dumps(p) for p in parts)
    suffix = f":SecretString:{field}::}}}}" if field else ":SecretString:::}}"
    return text.startswith("{{resolve:secretsmanager:") and secret_logical_id in text and text.endswith(suffix)
