"""Run the preflight rules over one template, one target, an environment, or two syntheses."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

import genai_infra.preflight.rules  # noqa: F401  (importing the package registers every rule)
from genai_infra.preflight.cfn import render
from genai_infra.preflight.model import (
    RULES,
    EnvironmentTemplates,
    Finding,
    Rule,
    Scope,
    StackTemplate,
    TargetTemplates,
    target_of,
)
from genai_infra.preflight.rules.wiring import SynthesisPair

if TYPE_CHECKING:
    from genai_infra.synth import Assembly

__all__ = [
    "check_assemblies",
    "compare_assemblies",
    "errors_in",
    "from_assembly",
    "link_remote_parameters",
    "run_environment",
    "run_synthesis",
    "run_target",
    "run_template",
]


def _of_scope(scope: Scope) -> list[Rule]:
    return [rule for rule in sorted(RULES.values(), key=lambda r: r.rule_id) if rule.scope == scope]


def _apply(rule: Rule, subject: Any, label: str) -> list[Finding]:
    return [
        Finding(
            rule.rule_id, hit.severity or rule.severity, hit.stack, hit.logical_id, hit.message, hit.target or label
        )
        for hit in rule.check(subject)
    ]


def run_template(template: StackTemplate, label: str = "") -> list[Finding]:
    return [finding for rule in _of_scope("template") for finding in _apply(rule, template, label)]


def run_target(target: TargetTemplates) -> list[Finding]:
    findings = [finding for template in target.stacks.values() for finding in run_template(template, target.label)]
    findings += [finding for rule in _of_scope("target") for finding in _apply(rule, target, target.label)]
    return sorted(findings)


def run_environment(environment: EnvironmentTemplates) -> list[Finding]:
    findings = [finding for target in environment.targets for finding in run_target(target)]
    findings += [
        finding for rule in _of_scope("environment") for finding in _apply(rule, environment, environment.environment)
    ]
    return sorted(findings)


def run_synthesis(pair: SynthesisPair) -> list[Finding]:
    return [finding for rule in _of_scope("synthesis") for finding in _apply(rule, pair, pair.target)]


def from_assembly(assembly: Assembly, today: date | None = None) -> TargetTemplates:
    """A target's templates (nested ones too) and stack dependencies as the cloud assembly records them."""
    manifest = json.loads((assembly.directory / "manifest.json").read_text(encoding="utf-8"))
    stacks = {
        stack_id: artifact.get("dependencies", [])
        for stack_id, artifact in manifest["artifacts"].items()
        if artifact.get("type") == "aws:cloudformation:stack"
    }
    # Nested stacks (CDK's EKS providers hold their Lambda functions there) are templates of the
    # assembly but not artifacts of the manifest; they are checked like any other template.
    templates = {name: assembly.template(name) for name in (*stacks, *sorted(set(assembly.templates) - set(stacks)))}
    return target_of(assembly.target.environment, assembly.target.region, templates, dependencies=stacks, today=today)


REMOTE_WRITE_TYPE = "Custom::AWS"


def _remote_writes(target: TargetTemplates) -> Iterator[tuple[str, str, StackTemplate, Any]]:
    """(region, name, template, value) of each ssm:PutParameter call a custom resource makes in another region."""
    for template, _, properties in target.of_type(REMOTE_WRITE_TYPE):
        rendered = render(properties.get("Create", ""), region=target.region)
        try:
            call = json.loads(rendered.text)
        except (json.JSONDecodeError, TypeError):
            continue
        if not isinstance(call, dict) or call.get("action") != "putParameter":
            continue
        parameters = call.get("parameters", {})
        region, name, value = call.get("region"), parameters.get("Name"), parameters.get("Value")
        if isinstance(region, str) and isinstance(name, str) and region != target.region:
            yield region, name, template, rendered.tokens.get(value, value) if isinstance(value, str) else value


def link_remote_parameters(targets: Sequence[TargetTemplates]) -> tuple[TargetTemplates, ...]:
    """The targets of one environment, each knowing the parameters other regions write into it."""
    by_region: dict[str, dict[str, tuple[TargetTemplates, StackTemplate, Any]]] = {}
    for target in targets:
        for region, name, template, value in _remote_writes(target):
            by_region.setdefault(region, {})[name] = (target, template, value)
    return tuple(replace(target, remote=by_region.get(target.region, {})) for target in targets)


def check_assemblies(assemblies: Iterable[Assembly], today: date | None = None) -> list[Finding]:
    """Every rule over the given targets, grouped by environment for the cross-region rules."""
    by_environment: dict[str, list[TargetTemplates]] = {}
    for assembly in assemblies:
        by_environment.setdefault(assembly.target.environment, []).append(from_assembly(assembly, today))
    return sorted(
        finding
        for environment, targets in by_environment.items()
        for finding in run_environment(EnvironmentTemplates(environment, link_remote_parameters(targets)))
    )


def compare_assemblies(first: Assembly, second: Assembly) -> list[Finding]:
    """PF060 over two syntheses of the same target."""
    pair = SynthesisPair(
        first.target.label,
        {name: path.read_bytes() for name, path in first.templates.items()},
        {name: path.read_bytes() for name, path in second.templates.items()},
    )
    return run_synthesis(pair)


def errors_in(findings: Sequence[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.severity == "error"]
