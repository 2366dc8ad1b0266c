"""genai-infra: synthesize, list and plan the environments of the GenAI Demo platform.

Every user error ends in one sentence and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from genai_infra.cli.check import check, report_preflight
from genai_infra.cli.cost import cost, expand_optional_values
from genai_infra.cli.deploy import deploy, destroy, diff
from genai_infra.cli.diagram import diagram
from genai_infra.cli.failover import failover
from genai_infra.cli.options import ConfigOption, EnvOption, FromOption, SetOption
from genai_infra.cli.recovery import recovery
from genai_infra.cli.validate import validate
from genai_infra.config import ConfigError, ProjectConfig, load_config, select_environment, select_region
from genai_infra.phases import PHASE_OF, PHASES
from genai_infra.targets import Target, all_targets, stacks_of, targets_of

if TYPE_CHECKING:
    from genai_infra.synth import Assembly

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
app.command("check")(check)
app.command("recovery")(recovery)
app.command("validate")(validate)
app.command("failover")(failover)
app.command("deploy")(deploy)
app.command("diff")(diff)
app.command("destroy")(destroy)
console = Console()
# Progress and errors go to stderr so that --format json output stays parseable.
errors = Console(stderr=True)


def fail(message: str) -> typer.Exit:
    errors.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code=1)


def _config(config_file: Path | None, overrides: list[str] | None) -> ProjectConfig:
    try:
        return load_config(config_file, overrides or [])
    except ConfigError as error:
        raise fail(str(error)) from None


def _targets(config: ProjectConfig, env: str, region: str | None) -> list[Target]:
    try:
        environment = select_environment(config, env)
        targets = targets_of(environment)
        if region is None:
            return targets
        chosen = select_region(environment, region)
        return [target for target in targets if target.region == chosen]
    except ConfigError as error:
        raise fail(str(error)) from None


def _synthesize(config: ProjectConfig, targets: list[Target], out: Path) -> list[Assembly]:
    from genai_infra.synth import synthesize

    assemblies: list[Assembly] = []
    for target in targets:
        with errors.status(f"synthesizing {target.label}"):
            try:
                assemblies.append(synthesize(config, target, out))
            except Exception as error:  # jsii reports validation failures as a generic error
                first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
                raise fail(
                    f"synthesis of {target.label} failed: {first_line} "
                    f"(details in {out}/{target.environment}-{target.region}/validation-report.json)"
                ) from None
        errors.print(f"[green]synthesized[/green] {target.label} -> {assemblies[-1].directory}")
    return assemblies


def _assemblies(config: ProjectConfig, targets: list[Target], out: Path, source: Path | None) -> list[Assembly]:
    """The targets' cloud assemblies: synthesized into `out`, or read from `source` (`synth --out` layout)."""
    if source is None:
        return _synthesize(config, targets, out)
    from genai_infra.synth import Assembly, target_directory

    assemblies = [Assembly(target, target_directory(source, target)) for target in targets]
    for assembly in assemblies:
        if not (assembly.directory / "manifest.json").is_file():
            target = assembly.target
            raise fail(
                f"{source} holds no assembly of {target.label}; run `genai-infra synth --env {target.environment} "
                f"--out {source}` first, or leave out --from."
            )
    return assemblies


@app.command("list")
def list_targets(config_file: ConfigOption = None, overrides: SetOption = None) -> None:
    """The targets of every environment and their stacks, in deployment order."""
    config = _config(config_file, overrides)
    table = Table("environment", "region", "role", "stacks (deployment order)")
    for target in all_targets(config):
        table.add_row(target.environment, target.region, target.role, ", ".join(stacks_of(target)))
    console.print(table)


@app.command()
def synth(
    env: EnvOption,
    region: Annotated[str | None, typer.Option(help="one region of the environment; all when omitted")] = None,
    out: Annotated[Path, typer.Option(help="directory for the cloud assemblies")] = Path("cdk.out"),
    lint: Annotated[bool, typer.Option(help="run cfn-lint on every template for its region")] = True,
    config_file: ConfigOption = None,
    overrides: SetOption = None,
) -> None:
    """Synthesize an environment (every region, or one) with cdk-nag, then cfn-lint the templates."""
    from genai_infra.checks import lint as run_lint
    from genai_infra.checks import nag_summary

    config = _config(config_file, overrides)
    assemblies = _synthesize(config, _targets(config, env, region), out)
    table = Table("target", "stacks", "cdk-nag (acknowledged)", "cfn-lint errors", "cfn-lint warnings")
    failed = False
    for assembly in assemblies:
        nag = ", ".join(f"{n.pack} {n.violations} ({n.acknowledged})" for n in nag_summary(assembly))
        findings = run_lint(assembly) if lint else []
        for finding in findings:
            errors.print(f"{assembly.target.label} {finding.template}:{finding.line} {finding.rule} {finding.message}")
        error_count = sum(f.is_error for f in findings)
        failed |= error_count > 0
        table.add_row(
            assembly.target.label,
            str(len(assembly.templates)),
            nag,
            str(error_count) if lint else "skipped",
            str(len(findings) - error_count) if lint else "skipped",
        )
    console.print(table)
    if failed:
        raise fail("cfn-lint reported errors; see the findings above.")


@app.command()
def plan(
    env: EnvOption,
    out: Annotated[Path, typer.Option(help="directory for the cloud assemblies")] = Path("cdk.out"),
    output_format: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    source: FromOption = None,
    config_file: ConfigOption = None,
    overrides: SetOption = None,
) -> None:
    """The deployment plan: phases, stacks per phase and region, and resource counts per stack."""
    if output_format not in ("table", "json"):
        raise fail(f"unknown format {output_format!r}; use table or json.")
    config = _config(config_file, overrides)
    targets = _targets(config, env, None)
    assemblies = _assemblies(config, targets, out, source)
    if report_preflight(assemblies, errors):
        raise fail("preflight found errors; see the findings above (genai-infra check --env for all checks).")
    steps = plan_steps(assemblies, [target.region for target in targets])
    if output_format == "json":
        payload = {"environment": env, "steps": [asdict(step) | {"resources": step.resources} for step in steps]}
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    table = Table("phase", "region", "stack", "resources", "largest types")
    for step in steps:
        top = ", ".join(f"{name.removeprefix('AWS::')} x{count}" for name, count in Counter(step.types).most_common(3))
        table.add_row(str(step.phase), step.region, step.stack, str(step.resources), top)
    console.print(table)
    total = sum(step.resources for step in steps)
    console.print(f"{len(PHASES)} phases; {len(steps)} stack deployments; {total} resources.")


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


@app.command()
def manifests(
    env: EnvOption,
    region: Annotated[str | None, typer.Option(help="one region of the environment; the primary when omitted")] = None,
    config_file: ConfigOption = None,
    overrides: SetOption = None,
) -> None:
    """The application's Kubernetes manifests of one region, as multi-document YAML (no synthesis)."""
    from genai_infra.kubernetes import inspection_inputs, render_yaml, workload_manifests

    config = _config(config_file, overrides)
    try:
        environment = select_environment(config, env)
        chosen = select_region(environment, region)
    except ConfigError as error:
        raise fail(str(error)) from None
    if chosen not in environment.regions:
        raise fail(
            f"{chosen} is the global region of {env} and runs no cluster; use one of {', '.join(environment.regions)}."
        )
    sys.stdout.write("# ${...} values are filled in by CloudFormation when the EKS stack deploys.\n")
    sys.stdout.write(render_yaml(workload_manifests(inspection_inputs(environment, chosen))))


app.add_typer(cost, name="cost")
app.command("diagram")(diagram)


def main() -> None:
    app(args=expand_optional_values(sys.argv[1:]))


if __name__ == "__main__":
    main()
