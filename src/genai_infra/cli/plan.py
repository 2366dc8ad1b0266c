"""`genai-infra plan --env E`: phases, stacks per phase and region, and resource counts per stack."""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from genai_infra.cli import common
from genai_infra.cli.check import report_preflight
from genai_infra.cli.options import ConfigOption, EnvOption, FromOption, SetOption
from genai_infra.phases import PHASE_OF, PHASES
from genai_infra.targets import stacks_of

if TYPE_CHECKING:
    from genai_infra.synth import Assembly


def plan(
    env: EnvOption,
    out: Annotated[Path, typer.Option(help="directory for the cloud assemblies")] = Path("cdk.out"),
    output_format: Annotated[str, typer.Option("--format", help="table or json", metavar="[table|json]")] = "table",
    source: FromOption = None,
    config_file: ConfigOption = None,
    overrides: SetOption = None,
) -> None:
    """The deployment plan: phases, stacks per phase and region, and resource counts per stack.

    Example: genai-infra plan --env production --from cdk.out/main
    """
    if output_format not in ("table", "json"):
        raise common.fail(f"unknown format {output_format!r}; use table or json.")
    common.refuse_overrides_with_source(source, overrides)
    config = common.project_config(config_file, overrides)
    targets = common.chosen_targets(config, env, None)
    assemblies = common.target_assemblies(config, targets, out, source)
    if report_preflight(assemblies, common.errors):
        raise common.fail("preflight found errors; see the findings above (genai-infra check --env for all checks).")
    steps = plan_steps(assemblies, [target.region for target in targets])
    if output_format == "json":
        payload = {"environment": env, "steps": [asdict(step) | {"resources": step.resources} for step in steps]}
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    table = Table("phase", "region", "stack", "resources", "largest types")
    for step in steps:
        top = ", ".join(f"{name.removeprefix('AWS::')} x{count}" for name, count in Counter(step.types).most_common(3))
        table.add_row(str(step.phase), step.region, step.stack, str(step.resources), top)
    common.console.print(common.keep_whole(table))
    total = sum(step.resources for step in steps)
    common.console.print(f"{len(PHASES)} phases; {len(steps)} stack deployments; {total} resources.")


@dataclass(frozen=True)
class PlanStep:
    phase: int
    region: str
    stack: str
    types: dict[str, int]

    @property
    def resources(self) -> int:
        return sum(self.types.values())


def plan_steps(assemblies: list[Assembly], region_order: list[str]) -> list[PlanStep]:
    """Phase by phase; inside a phase, primary region, secondary, then us-east-1."""
    steps = []
    for assembly in assemblies:
        for stack_id in stacks_of(assembly.target):
            resources = assembly.template(stack_id).get("Resources", {})
            types = Counter(resource["Type"] for resource in resources.values())
            steps.append(PlanStep(PHASE_OF[stack_id], assembly.target.region, stack_id, dict(sorted(types.items()))))
    return sorted(steps, key=lambda step: (step.phase, region_order.index(step.region)))
