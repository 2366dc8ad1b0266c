"""The preflight data model: findings, rules, and the templates a rule reads. Pure Python, no jsii.

A rule reads synthesized CloudFormation JSON at one of three scopes: one template, every stack
of one target (environment + region), or every target of an environment (rules that need both
regions). A rule yields `Hit`s; the runner turns them into `Finding`s with the rule's id and
severity, so a rule cannot report under another rule's id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Literal

# "synthesis" rules compare two syntheses of the same input.
Scope = Literal["template", "target", "environment", "synthesis"]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Finding:
    rule_id: str
    severity: Severity
    stack: str
    logical_id: str
    message: str
    # environment/region of the target the finding belongs to (empty for a bare template).
    target: str = ""


@dataclass(frozen=True)
class Hit:
    """What a rule reports; `severity` overrides the rule's own (e.g. extended support is a warning)."""

    stack: str
    logical_id: str
    message: str
    severity: Severity | None = None
    # environment/region, for environment-scope rules that know which target the resource is in.
    target: str = ""


@dataclass(frozen=True)
class Rule:
    rule_id: str
    severity: Severity
    scope: Scope
    summary: str
    check: Callable[[Any], Iterable[Hit]]


RULES: dict[str, Rule] = {}


def rule(rule_id: str, severity: Severity, scope: Scope, summary: str) -> Callable[[Any], Any]:
    """Register a check under `rule_id`; `summary` is the rule's one line in the README."""

    def register(check: Callable[[Any], Iterable[Hit]]) -> Callable[[Any], Iterable[Hit]]:
        if rule_id in RULES:
            raise ValueError(f"preflight rule {rule_id} is registered twice")
        RULES[rule_id] = Rule(rule_id, severity, scope, summary, check)
        return check

    return register


@dataclass(frozen=True)
class StackTemplate:
    """One synthesized template of a target."""

    stack: str
    environment: str
    region: str
    data: Mapping[str, Any]
    today: date = field(default_factory=date.today)

    @property
    def resources(self) -> Mapping[str, Mapping[str, Any]]:
        resources: Mapping[str, Mapping[str, Any]] = self.data.get("Resources", {})
        return resources

    @property
    def parameters(self) -> Mapping[str, Mapping[str, Any]]:
        parameters: Mapping[str, Mapping[str, Any]] = self.data.get("Parameters", {})
        return parameters

    def of_type(self, *types: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """(logical id, properties) of every resource of one of `types`, in template order."""
        for logical_id, resource in self.resources.items():
            if resource.get("Type") in types:
                yield logical_id, resource.get("Properties", {})

    def hit(self, logical_id: str, message: str, severity: Severity | None = None) -> Hit:
        return Hit(self.stack, logical_id, message, severity)


@dataclass(frozen=True)
class TargetTemplates:
    """Every template of one target, and which stacks each stack depends on (from the manifest)."""

    environment: str
    region: str
    stacks: Mapping[str, StackTemplate]
    dependencies: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # Parameters that stacks of other regions of the environment write into this region (a custom
    # resource calling ssm:PutParameter there): name -> (writing target, its template, the value).
    remote: Mapping[str, tuple[TargetTemplates, StackTemplate, Any]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.environment}/{self.region}"

    def of_type(self, *types: str) -> Iterator[tuple[StackTemplate, str, Mapping[str, Any]]]:
        for template in self.stacks.values():
            for logical_id, properties in template.of_type(*types):
                yield template, logical_id, properties

    def depends_on(self, stack: str, other: str) -> bool:
        """Whether `stack` depends on `other`, directly or through other stacks."""
        seen: set[str] = set()
        pending = [stack]
        while pending:
            for need in self.dependencies.get(pending.pop(), frozenset()):
                if need == other:
                    return True
                if need not in seen:
                    seen.add(need)
                    pending.append(need)
        return False


@dataclass(frozen=True)
class EnvironmentTemplates:
    environment: str
    targets: tuple[TargetTemplates, ...]


def target_of(
    environment: str,
    region: str,
    templates: Mapping[str, Mapping[str, Any]],
    *,
    dependencies: Mapping[str, Iterable[str]] | None = None,
    today: date | None = None,
) -> TargetTemplates:
    """Build a target from template JSON by stack id (the CLI reads assemblies; tests pass dicts)."""
    day = today or date.today()
    return TargetTemplates(
        environment,
        region,
        {stack: StackTemplate(stack, environment, region, data, day) for stack, data in templates.items()},
        {stack: frozenset(needs) for stack, needs in (dependencies or {}).items()},
    )
