"""The deployment planner: which `cdk deploy` runs when, as pure Python (no synthesis, no AWS).

Order: phase by phase (genai_infra.phases); inside a phase the primary region, then the
secondary, then us-east-1. Phase-major is required, not a matter of taste: production's Taipei
RdsStack and ElastiCacheStack (phase 2) replicate their secrets into Tokyo under Tokyo's KMS
alias, which Tokyo's SecurityStack (phase 1) creates, so "all of Taipei, then all of Tokyo"
would fail in Taipei's phase 2. The other cross-region reads point the same way as the region
order (Tokyo's data stacks read what Taipei's phase 1 and 2 publish; us-east-1's EdgeStack reads
what both regions' Route53FailoverStack write). `cross_region_needs` finds every such read in
the templates and `unsatisfied` checks a plan against them, so the order is verified, not assumed.

Inside one phase and region, stacks that do not depend on each other form one wave, deployed by
one `cdk deploy --concurrency N` call; a stack that depends on another of the same phase waits
for the next wave.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

from genai_infra.naming import stack_name
from genai_infra.phases import DEPENDS_ON, PHASE_OF, PHASES
from genai_infra.targets import Target, stacks_of

APPROVAL_LEVELS = ("never", "any-change", "broadening")


class PlanError(ValueError):
    """A selection the plan cannot honour (unknown stack, stack outside the chosen targets)."""


@dataclass(frozen=True)
class Wave:
    """Stacks of one phase and one target that deploy together (none depends on another)."""

    phase: int
    environment: str
    region: str
    role: str
    stacks: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"phase {self.phase} {self.region}: {', '.join(self.stacks)}"


def _layers(stacks: Sequence[str]) -> list[tuple[str, ...]]:
    """Split one phase's stacks of a target into waves: a stack goes one wave after its latest dependency.

    graphlib hands out every stack whose dependencies are all deployed at once, which is one wave;
    inside a wave the stacks keep the phase table's order. A dependency circle raises CycleError.
    """
    chosen = set(stacks)
    graph = TopologicalSorter({stack: [n for n in DEPENDS_ON.get(stack, ()) if n in chosen] for stack in stacks})
    graph.prepare()
    layers: list[tuple[str, ...]] = []
    while graph.is_active():
        ready = set(graph.get_ready())
        layers.append(tuple(stack for stack in stacks if stack in ready))
        graph.done(*ready)
    return layers


def plan_waves(targets: Sequence[Target], only: Collection[str] | None = None) -> list[Wave]:
    """The waves of the given targets (in their deployment order), optionally only the named stacks."""
    waves: list[Wave] = []
    for phase in PHASES:
        for target in targets:
            chosen = [s for s in stacks_of(target) if PHASE_OF[s] == phase.number and (only is None or s in only)]
            for layer in _layers(chosen):
                waves.append(Wave(phase.number, target.environment, target.region, target.role, layer))
    return waves


def check_selection(targets: Sequence[Target], stacks: Sequence[str]) -> None:
    """Raise PlanError unless every named stack belongs to at least one of the targets."""
    known = {stack for phase in PHASES for stack in phase.stacks}
    present = {stack for target in targets for stack in stacks_of(target)}
    for stack in stacks:
        if stack not in known:
            raise PlanError(f"unknown stack {stack!r}; the stacks are {', '.join(sorted(known))}.")
        if stack not in present:
            where = ", ".join(target.label for target in targets)
            raise PlanError(f"{stack} is not a stack of {where}; `genai-infra list` shows which target holds it.")


def resume_from(waves: Sequence[Wave], name: str) -> list[Wave]:
    """The waves from the one holding `name` (STACK or REGION/STACK) on; that wave is deployed whole again.

    Redeploying a stack that already finished is a no-op change set, so restarting the whole wave
    is safe and keeps the concurrency of the plan.
    """
    region, _, stack = name.rpartition("/")
    matches = [i for i, wave in enumerate(waves) if stack in wave.stacks and region in ("", wave.region)]
    if not matches:
        raise PlanError(f"--resume-from {name}: no such stack in this plan.")
    regions = sorted({waves[i].region for i in matches})
    if len(regions) > 1:
        choices = " or ".join(f"{r}/{stack}" for r in regions)
        raise PlanError(f"--resume-from {name} is ambiguous: {stack} deploys in {len(regions)} regions; use {choices}.")
    return list(waves[matches[0] :])


def approval_level(environment: str, requested: str | None) -> str:
    """`broadening` in production (IAM and security group widening needs a yes), `never` elsewhere."""
    if requested is not None:
        if requested not in APPROVAL_LEVELS:
            raise PlanError(f"unknown --require-approval {requested!r}; use {', '.join(APPROVAL_LEVELS)}.")
        return requested
    return "broadening" if environment == "production" else "never"


def outputs_file(out: Path, wave: Wave) -> Path:
    """One file per `cdk deploy` call, since each call rewrites its --outputs-file."""
    return out / "outputs" / f"{wave.environment}-{wave.region}-{'-'.join(wave.stacks)}.json"


def deploy_command(cdk: str, wave: Wave, assembly: Path, approval: str, out: Path) -> list[str]:
    return [
        cdk,
        "deploy",
        "--app",
        str(assembly),
        "--require-approval",
        approval,
        "--exclusively",
        "--concurrency",
        str(len(wave.stacks)),
        "--progress",
        "events",
        "--outputs-file",
        str(outputs_file(out, wave)),
        *wave.stacks,
    ]


def destroy_command(cdk: str, wave: Wave, assembly: Path) -> list[str]:
    # --force: the operator confirmed before anything ran; cdk's own prompt would hide behind the progress view.
    return [cdk, "destroy", "--app", str(assembly), "--exclusively", "--force", *wave.stacks]


def diff_command(cdk: str, assembly: Path, stacks: Sequence[str]) -> list[str]:
    return [cdk, "diff", "--app", str(assembly), "--exclusively", *stacks]


def cloudformation_name(wave: Wave, stack: str) -> str:
    return stack_name(wave.environment, stack)


# --- Cross-region reads, found in the templates -------------------------------------------------


@dataclass(frozen=True)
class Need:
    """(region, stack) must deploy after (on_region, on_stack), for `reason`."""

    region: str
    stack: str
    on_region: str
    on_stack: str
    reason: str


Templates = Mapping[str, Mapping[str, Mapping[str, Any]]]  # region -> stack id -> template


def _flatten(value: Any) -> str:
    """A string with CloudFormation intrinsics inside it replaced by a placeholder (for embedded JSON)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(_flatten(part) for part in parts)
    return "TOKEN"


def _resources(templates: Templates) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    for region, stacks in templates.items():
        for stack, template in stacks.items():
            for resource in template.get("Resources", {}).values():
                yield region, stack, resource["Type"], resource.get("Properties", {})


def _sdk_calls(templates: Templates) -> Iterator[tuple[str, str, str, str, str]]:
    """(region, stack, action, target region, parameter name) of each SSM call a custom resource makes."""
    for region, stack, resource_type, properties in _resources(templates):
        if resource_type != "Custom::AWS":
            continue
        try:
            call = json.loads(_flatten(properties.get("Create", "")))
        except json.JSONDecodeError:
            continue
        name = call.get("parameters", {}).get("Name") if isinstance(call, dict) else None
        if isinstance(name, str) and call.get("service") == "SSM":
            yield region, stack, str(call.get("action")), str(call.get("region", region)), name


def cross_region_needs(templates: Templates) -> list[Need]:
    """Every deploy-time read of one region's template from what another region's stack creates."""
    published: dict[tuple[str, str], tuple[str, str]] = {}  # (region, parameter) -> (region, stack) writing it
    aliases: dict[tuple[str, str], str] = {}
    global_clusters: dict[str, tuple[str, str]] = {}
    for region, stack, resource_type, properties in _resources(templates):
        if resource_type == "AWS::SSM::Parameter" and isinstance(properties.get("Name"), str):
            published[(region, properties["Name"])] = (region, stack)
        elif resource_type == "AWS::KMS::Alias" and isinstance(properties.get("AliasName"), str):
            aliases[(region, properties["AliasName"])] = stack
        elif resource_type == "AWS::RDS::GlobalCluster" and isinstance(properties.get("GlobalClusterIdentifier"), str):
            global_clusters[properties["GlobalClusterIdentifier"]] = (region, stack)
    for region, stack, action, into, name in _sdk_calls(templates):
        if action == "putParameter" and into != region:
            published[(into, name)] = (region, stack)

    needs: set[Need] = set()

    def need(region: str, stack: str, producer: tuple[str, str] | None, reason: str) -> None:
        if producer is not None and producer[0] != region:
            needs.add(Need(region, stack, producer[0], producer[1], reason))

    for region, stacks in templates.items():
        for stack, template in stacks.items():
            for parameter in template.get("Parameters", {}).values():
                if "AWS::SSM::Parameter::Value" in str(parameter.get("Type", "")):
                    name = str(parameter.get("Default"))
                    need(region, stack, published.get((region, name)), f"reads {name}")
    for region, stack, action, source, name in _sdk_calls(templates):
        if action == "getParameter" and source != region:
            need(region, stack, published.get((source, name)), f"reads {name} of {source}")
    for region, stack, resource_type, properties in _resources(templates):
        if resource_type == "AWS::SecretsManager::Secret":
            for replica in properties.get("ReplicaRegions", []):
                alias = replica.get("KmsKeyId")
                if isinstance(alias, str) and (replica.get("Region"), alias) in aliases:
                    owner = (replica["Region"], aliases[(replica["Region"], alias)])
                    need(region, stack, owner, f"replicates a secret with {alias} of {replica['Region']}")
        elif resource_type == "AWS::RDS::DBCluster" and isinstance(properties.get("GlobalClusterIdentifier"), str):
            identifier = properties["GlobalClusterIdentifier"]
            need(region, stack, global_clusters.get(identifier), f"joins the global database {identifier}")
    return sorted(needs, key=lambda n: (n.region, n.stack, n.on_region, n.on_stack, n.reason))


def unsatisfied(waves: Sequence[Wave], needs: Sequence[Need]) -> list[Need]:
    """Needs whose producer does not deploy in an earlier wave than the consumer (both in the plan)."""
    position = {(wave.region, stack): index for index, wave in enumerate(waves) for stack in wave.stacks}
    return [
        n
        for n in needs
        if (n.region, n.stack) in position
        and (n.on_region, n.on_stack) in position
        and position[(n.on_region, n.on_stack)] >= position[(n.region, n.stack)]
    ]


# --- What destroy leaves behind ------------------------------------------------------------------


@dataclass(frozen=True)
class Retained:
    region: str
    stack: str
    logical_id: str
    resource_type: str
    policy: str


def retained_resources(region: str, stacks: Mapping[str, Mapping[str, Any]]) -> list[Retained]:
    """Resources CloudFormation keeps (or snapshots) when their stack is deleted."""
    return [
        Retained(region, stack, logical_id, resource["Type"], resource["DeletionPolicy"])
        for stack, template in stacks.items()
        for logical_id, resource in template.get("Resources", {}).items()
        if resource.get("DeletionPolicy") in ("Retain", "Snapshot", "RetainExceptOnCreate")
    ]
