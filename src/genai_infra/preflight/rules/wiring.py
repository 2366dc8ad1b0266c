"""Lambda runtimes, SSM wiring between stacks, and determinism of synthesis."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta

from genai_infra.naming import PROJECT
from genai_infra.preflight import support
from genai_infra.preflight.cfn import TargetIndex, render, ssm_reads
from genai_infra.preflight.model import Hit, Severity, StackTemplate, TargetTemplates, rule

# Parameters an operator creates once per account (README), not a stack of the target.
OPERATOR_PREFIX = f"/{PROJECT}/common/"


@rule("PF050", Severity.ERROR, "template", "no Lambda function uses a deprecated runtime (within 180 days: warning)")
def lambda_runtime(template: StackTemplate) -> Iterator[Hit]:
    for logical_id, properties in template.of_type("AWS::Lambda::Function"):
        runtime = render(properties.get("Runtime")).literal
        deprecated = support.LAMBDA_DEPRECATED_RUNTIMES.get(runtime or "")
        if runtime is None or deprecated is None:
            continue
        if template.today >= deprecated:
            yield template.hit(
                logical_id,
                f"Lambda {logical_id} uses {runtime}, deprecated since {deprecated.isoformat()}; Lambda blocks "
                "creating and updating it: move to a supported runtime",
            )
        elif template.today >= deprecated - timedelta(days=support.LAMBDA_WARNING_DAYS):
            yield template.hit(
                logical_id,
                f"Lambda {logical_id} uses {runtime}, deprecated on {deprecated.isoformat()}; move to a newer runtime",
                Severity.WARNING,
            )


def _project_reads(template: StackTemplate) -> Iterator[tuple[str, str]]:
    for key, name in ssm_reads(template).items():
        if name.startswith(f"/{PROJECT}/") and not name.startswith(OPERATOR_PREFIX):
            yield key, name


@rule(
    "PF061",
    Severity.ERROR,
    "target",
    "every /genai-demo/<env>/ parameter a stack reads is published in its target or written there by another region",
)
def reads_are_published(target: TargetTemplates) -> Iterator[Hit]:
    index = TargetIndex(target)
    prefix = f"/{PROJECT}/{target.environment}/"
    for template in target.stacks.values():
        for key, name in _project_reads(template):
            if not name.startswith(prefix):
                yield template.hit(
                    key, f"{template.stack} reads {name}, a parameter of another environment; read {prefix}..."
                )
            elif name not in index.published and name not in target.remote:
                yield template.hit(
                    key,
                    f"{template.stack} reads {name}, which no stack of {target.label} publishes; the deployment "
                    "would fail on a missing parameter: publish it (PublishedValues) or fix the key",
                )


@rule("PF062", Severity.ERROR, "target", "a stack that reads a published parameter depends on the stack publishing it")
def reader_depends_on_publisher(target: TargetTemplates) -> Iterator[Hit]:
    index = TargetIndex(target)
    for template in target.stacks.values():
        for key, name in _project_reads(template):
            producer = index.published.get(name)
            if producer is None or producer[0].stack == template.stack:
                continue
            if not target.depends_on(template.stack, producer[0].stack):
                yield template.hit(
                    key,
                    f"{template.stack} reads {name} from {producer[0].stack} without depending on it; add "
                    f"{producer[0].stack} to DEPENDS_ON[{template.stack!r}] in app_builder",
                )


@dataclass(frozen=True)
class SynthesisPair:
    """The template files of one target synthesized twice from the same input."""

    target: str
    first: Mapping[str, bytes]
    second: Mapping[str, bytes]


@rule("PF060", Severity.ERROR, "synthesis", "synthesizing the same input twice gives byte-identical templates")
def deterministic(pair: SynthesisPair) -> Iterator[Hit]:
    for stack in sorted(set(pair.first) | set(pair.second)):
        one, two = pair.first.get(stack), pair.second.get(stack)
        if one is None or two is None or hashlib.sha256(one).digest() != hashlib.sha256(two).digest():
            yield Hit(
                stack,
                "template",
                f"{stack} of {pair.target} differs between two syntheses of the same input; remove the source of "
                "change (timestamps, random ids, unordered sets, environment reads) from its constructs",
            )
