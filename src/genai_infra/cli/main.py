"""genai-infra: synthesize, list and plan the environments of the GenAI Demo platform.

Every user error ends in one sentence and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from genai_infra.config import ConfigError, ProjectConfig, load_config, select_environment, select_region
from genai_infra.phases import PHASE_OF, PHASES
from genai_infra.targets import Target, all_targets, stacks_of, targets_of

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
console = Console()
errors = Console(stderr=True)

EnvOption = Annotated[str, typer.Option("--env", "-e", help="development, staging or production")]
ConfigOption = Annotated[Path | None, typer.Option("--config", help="TOML file with configuration overrides")]
SetOption = Annotated[list[str] | None, typer.Option("--set", help="override one value: dotted.key=value")]


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


def _synthesize(config: ProjectConfig, targets: list[Target], out: Path) -> list[object]:
    from genai_infra.synth import synthesize

    assemblies = []
    for target in targets:
        with console.status(f"synthesizing {target.label}"):
            try:
                assemblies.append(synthesize(config, target, out))
            except Exception as error:  # jsii reports validation failures as a generic error
                first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
                raise fail(
                    f"synthesis of {target.label} failed: {first_line} "
                    f"(details in {out}/{target.environment}-{target.region}/validation-report.json)"
                ) from None
        console.print(f"[green]synthesized[/green] {target.label} -> {assemblies[-1].directory}")
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
    from genai_infra.synth import Assembly

    config = _config(config_file, overrides)
    assemblies = [a for a in _synthesize(config, _targets(config, env, region), out) if isinstance(a, Assembly)]
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
            assembly.target.label, str(len(assembly.templates)), nag,
            str(error_count) if lint else "skipped", str(len(findings) - error_count) if lint else "skipped",
        )  # fmt: skip
    console.print(table)
    if failed:
        raise fail("cfn-lint reported errors; see the findings above.")


@app.command()
def plan(
    env: EnvOption,
    out: Annotated[Path, typer.Option(help="directory for the cloud assemblies")] = Path("cdk.out"),
    output_format: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    config_file: ConfigOption = None,
    overrides: SetOption = None,
) -> None:
    """The deployment plan: phases, stacks per phase and region, and resource counts per stack."""
    from genai_infra.synth import Assembly

    if output_format not in ("table", "json"):
        raise fail(f"unknown format {output_format!r}; use table or json.")
    config = _config(config_file, overrides)
    targets = _targets(config, env, None)
    assemblies = [a for a in _synthesize(config, targets, out) if isinstance(a, Assembly)]
    rows = []
    for assembly in assemblies:
        for stack_id in stacks_of(assembly.target):
            resources = assembly.template(stack_id).get("Resources", {})
            types = Counter(resource["Type"] for resource in resources.values())
            rows.append(
                {"phase": PHASE_OF[stack_id], "region": assembly.target.region, "stack": stack_id,
                 "resources": len(resources), "types": dict(sorted(types.items()))}
            )  # fmt: skip
    # Deployment order: phase by phase; inside a phase, primary, secondary, then us-east-1.
    order = [target.region for target in targets]
    rows.sort(key=lambda row: (row["phase"], order.index(str(row["region"]))))
    if output_format == "json":
        sys.stdout.write(json.dumps({"environment": env, "steps": rows}, indent=2) + "\n")
        return
    table = Table("phase", "region", "stack", "resources", "largest types")
    for row in rows:
        types = row["types"]
        assert isinstance(types, dict)
        top = ", ".join(f"{name.removeprefix('AWS::')} x{count}" for name, count in Counter(types).most_common(3))
        table.add_row(str(row["phase"]), str(row["region"]), str(row["stack"]), str(row["resources"]), top)
    console.print(table)
    console.print(
        f"{len(PHASES)} phases; {len(rows)} stack deployments; {sum(int(str(r['resources'])) for r in rows)} resources."
    )


def main() -> None:
    app()


if __name__ == "__main__":
    main()
