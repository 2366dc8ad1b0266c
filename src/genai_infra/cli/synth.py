"""`genai-infra list` and `genai-infra synth`: the targets, and their assemblies checked by cdk-nag and cfn-lint."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from genai_infra.cli import common
from genai_infra.cli.options import ConfigOption, EnvOption, SetOption
from genai_infra.targets import all_targets, stacks_of


def list_targets(
    output_format: Annotated[str, typer.Option("--format", help="table or json", metavar="[table|json]")] = "table",
    config_file: ConfigOption = None,
    overrides: SetOption = None,
) -> None:
    """The targets of every environment and their stacks, in deployment order.

    Example: genai-infra list --format json
    """
    if output_format not in ("table", "json"):
        raise common.fail(f"unknown format {output_format!r}; use table or json.")
    config = common.project_config(config_file, overrides)
    if output_format == "json":
        targets = [
            {"environment": t.environment, "region": t.region, "role": t.role, "stacks": list(stacks_of(t))}
            for t in all_targets(config)
        ]
        sys.stdout.write(json.dumps({"targets": targets}, indent=2) + "\n")
        return
    table = Table("environment", "region", "role", "stacks (deployment order)")
    for target in all_targets(config):
        table.add_row(target.environment, target.region, target.role, ", ".join(stacks_of(target)))
    common.console.print(common.keep_whole(table))


def synth(
    env: EnvOption,
    region: Annotated[str | None, typer.Option(help="one region of the environment; all when omitted")] = None,
    out: Annotated[Path, typer.Option(help="directory for the cloud assemblies")] = Path("cdk.out"),
    lint: Annotated[bool, typer.Option(metavar="", help="run cfn-lint on every template for its region")] = True,
    config_file: ConfigOption = None,
    overrides: SetOption = None,
) -> None:
    """Synthesize an environment (every region, or one) with cdk-nag, then cfn-lint the templates.

    Example: genai-infra synth --env development --out cdk.out/dev
    """
    from genai_infra.checks import lint as run_lint
    from genai_infra.checks import nag_summary

    config = common.project_config(config_file, overrides)
    assemblies = common.synthesize_targets(config, common.chosen_targets(config, env, region), out)
    table = Table("target", "stacks", "cdk-nag (acknowledged)", "cfn-lint errors", "cfn-lint warnings")
    failed = False
    for assembly in assemblies:
        nag = ", ".join(f"{n.pack} {n.violations} ({n.acknowledged})" for n in nag_summary(assembly))
        findings = run_lint(assembly) if lint else []
        for finding in findings:
            common.errors.print(
                f"{assembly.target.label} {finding.template}:{finding.line} {finding.rule} {finding.message}"
            )
        error_count = sum(f.is_error for f in findings)
        failed |= error_count > 0
        table.add_row(
            assembly.target.label,
            str(len(assembly.templates)),
            nag,
            str(error_count) if lint else "skipped",
            str(len(findings) - error_count) if lint else "skipped",
        )
    common.console.print(common.keep_whole(table))
    if failed:
        raise common.fail("cfn-lint reported errors; see the findings above.")
