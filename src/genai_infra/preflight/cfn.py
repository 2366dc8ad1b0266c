"""Reading CloudFormation values: intrinsic functions, SSM imports, and what a value points at.

Our stacks hand ids to each other through SSM parameters: the producer writes an
`AWS::SSM::Parameter` named /genai-demo/<env>/<key> whose value is a Ref/GetAtt of its own
resource; the consumer declares a template parameter of type `AWS::SSM::Parameter::Value<String>`
whose Default is that name (what `read_value` synthesizes) and Refs it. `TargetIndex.resolve`
follows that chain back to the producing resource, so a rule can tell that a group id read in one
stack is the App security group of another.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from genai_infra.preflight.model import StackTemplate, TargetTemplates

SSM_PARAMETER_TYPE = re.compile(r"^AWS::SSM::Parameter::Value<")
DYNAMIC_SSM = re.compile(r"\{\{resolve:ssm:([^}:]+)(?::\d+)?\}\}")
PLACEHOLDER = re.compile(r"\$\{T\d+\}")


@dataclass(frozen=True)
class Pointer:
    """A resource of a target: the stack that defines it and its logical id."""

    stack: str
    logical_id: str


@dataclass(frozen=True)
class Rendered:
    """A value rendered to text; each intrinsic it could not render is a ${Tn} placeholder."""

    text: str
    tokens: Mapping[str, Any]

    @property
    def literal(self) -> str | None:
        return None if self.tokens else self.text


def render(value: Any, *, region: str | None = None) -> Rendered:
    """Render strings and Fn::Join; AWS::Region/Partition/URLSuffix when the region is known."""
    tokens: dict[str, Any] = {}
    pseudo = {"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}
    if region:
        pseudo["AWS::Region"] = region

    def text(item: Any) -> str:
        if isinstance(item, str):
            return item
        if isinstance(item, bool | int | float):
            return str(item).lower() if isinstance(item, bool) else str(item)
        if isinstance(item, dict) and len(item) == 1:
            ((key, inner),) = item.items()
            if key == "Fn::Join" and isinstance(inner, list) and len(inner) == 2 and isinstance(inner[1], list):
                return str(inner[0]).join(text(part) for part in inner[1])
            if key == "Ref" and inner in pseudo:
                return pseudo[inner]
        placeholder = f"${{T{len(tokens)}}}"
        tokens[placeholder] = item
        return placeholder

    return Rendered(text(value), tokens)


def references(value: Any) -> Iterator[str]:
    """Logical ids (resources or parameters) named by Ref or Fn::GetAtt anywhere inside `value`."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str) and not inner.startswith("AWS::"):
                yield inner
            elif key == "Fn::GetAtt":
                target = inner[0] if isinstance(inner, list) else str(inner).split(".", 1)[0]
                yield str(target)
            else:
                yield from references(inner)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from strings(inner)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def ssm_reads(template: StackTemplate) -> dict[str, str]:
    """SSM names a template reads at deploy time, keyed by the parameter logical id or the name."""
    reads = {
        logical_id: str(parameter["Default"])
        for logical_id, parameter in template.parameters.items()
        if SSM_PARAMETER_TYPE.match(str(parameter.get("Type", ""))) and "Default" in parameter
    }
    for text in strings(template.data.get("Resources", {})):
        for name in DYNAMIC_SSM.findall(text):
            reads.setdefault(name, name)
    return reads


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class TargetIndex:
    """Look-ups over every stack of one target: published SSM values and resources by pointer."""

    def __init__(self, target: TargetTemplates) -> None:
        self.target = target
        # SSM name -> (producing stack, the parameter's Value)
        self.published: dict[str, tuple[StackTemplate, Any]] = {}
        for template, _, properties in target.of_type("AWS::SSM::Parameter"):
            name = render(properties.get("Name"), region=target.region).literal
            if name is not None:
                self.published[name] = (template, properties.get("Value"))

    def resource(self, pointer: Pointer) -> Mapping[str, Any] | None:
        template = self.target.stacks.get(pointer.stack)
        return None if template is None else template.resources.get(pointer.logical_id)

    def type_of(self, pointer: Pointer) -> str | None:
        resource = self.resource(pointer)
        return None if resource is None else str(resource.get("Type"))

    def resolve(self, template: StackTemplate, value: Any, depth: int = 0) -> Pointer | None:
        """The resource a Ref/GetAtt (or an SSM import of one) points at, across the target's stacks."""
        if depth > 4 or not isinstance(value, dict) or len(value) != 1:
            return None
        ((key, inner),) = value.items()
        if key == "Fn::GetAtt":
            name = inner[0] if isinstance(inner, list) else str(inner).split(".", 1)[0]
            return Pointer(template.stack, str(name)) if name in template.resources else None
        if key != "Ref" or not isinstance(inner, str):
            return None
        if inner in template.resources:
            return Pointer(template.stack, inner)
        parameter = template.parameters.get(inner)
        if parameter and SSM_PARAMETER_TYPE.match(str(parameter.get("Type", ""))):
            producer = self.published.get(str(parameter.get("Default")))
            if producer is not None:
                return self.resolve(producer[0], producer[1], depth + 1)
        return None

    def remote_type(self, template: StackTemplate, value: Any) -> str | None:
        """The resource type behind an SSM import that another region of the environment writes here."""
        if not (isinstance(value, dict) and set(value) == {"Ref"} and isinstance(value["Ref"], str)):
            return None
        parameter = template.parameters.get(value["Ref"])
        if not parameter or not SSM_PARAMETER_TYPE.match(str(parameter.get("Type", ""))):
            return None
        written = self.target.remote.get(str(parameter.get("Default")))
        if written is None:
            return None
        writer, writer_template, written_value = written
        other = TargetIndex(writer)
        pointer = other.resolve(writer_template, written_value)
        return None if pointer is None else other.type_of(pointer)

    def imported_literal(self, template: StackTemplate, value: Any) -> str | None:
        """The literal a stack published, when `value` is an SSM import of a plain string (a fixed name)."""
        if not (isinstance(value, dict) and set(value) == {"Ref"} and isinstance(value["Ref"], str)):
            return None
        parameter = template.parameters.get(value["Ref"])
        if not parameter or not SSM_PARAMETER_TYPE.match(str(parameter.get("Type", ""))):
            return None
        producer = self.published.get(str(parameter.get("Default")))
        return producer[1] if producer is not None and isinstance(producer[1], str) else None

    def resolve_any(self, template: StackTemplate, value: Any) -> Pointer | None:
        """`resolve`, or else the first resource referenced anywhere inside the value (Fn::Select ...)."""
        pointer = self.resolve(template, value)
        if pointer is not None:
            return pointer
        for name in references(value):
            pointer = self.resolve(template, {"Ref": name})
            if pointer is not None:
                return pointer
        return None
