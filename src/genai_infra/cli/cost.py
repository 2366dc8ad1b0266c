"""`genai-infra cost`: the monthly cost of an environment, priced offline from its templates.

Exit codes: 0 priced (and under the threshold), 1 an error (one sentence on stderr),
3 `--fail-over-budget` and the estimate crossed the threshold.
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from genai_infra.cli import common
from genai_infra.cli.options import ConfigOption, SetOption
from genai_infra.config import ConfigError, ProjectConfig, load_config, select_environment
from genai_infra.config.model import EnvironmentConfig
from genai_infra.cost.catalog import CostError, load_catalog
from genai_infra.cost.estimate import Estimate, estimate, templates_from_assemblies, templates_from_directories
from genai_infra.cost.report import print_estimate, print_notes, summary_table, to_json, usd, write_chart
from genai_infra.cost.usage import UsageBook, load_usage

OVER_BUDGET_EXIT = 3
ALERT_THRESHOLD = "alert"
# Options that may be given without their value; the parser gets an explicit default instead.
OPTIONAL_VALUES = {"--fail-over-budget": ALERT_THRESHOLD}


def expand_optional_values(args: Sequence[str]) -> list[str]:
    """`--fail-over-budget --env x` -> `--fail-over-budget alert --env x` (typer needs the value)."""
    expanded: list[str] = []
    for index, arg in enumerate(args):
        expanded.append(arg)
        following = args[index + 1] if index + 1 < len(args) else None
        if arg in OPTIONAL_VALUES and (following is None or (following.startswith("-") and not _is_number(following))):
            expanded.append(OPTIONAL_VALUES[arg])
    return expanded


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _environment_keys(assignments: Sequence[str], env: str) -> list[str]:
    """`regions.ap-east-2.eks...=x` is relative to the chosen environment; full paths stay as they are."""
    relative = set(EnvironmentConfig.model_fields)
    return [f"environments.{env}.{item}" if item.split(".", 1)[0] in relative else item for item in assignments]


def _estimate(
    config: ProjectConfig, env: str, source: list[Path] | None, usage: UsageBook, planned: bool, out: Path
) -> Estimate:
    from genai_infra.targets import targets_of

    try:
        environment = select_environment(config, env)
        if source:
            templates = templates_from_directories(source, environment)
        else:
            templates = templates_from_assemblies(common.synthesize_targets(config, targets_of(environment), out))
        return estimate(environment, templates, usage, load_catalog(), planned=planned)
    except (ConfigError, CostError) as error:
        raise common.fail(str(error)) from None


def _threshold(value: str, environment: EnvironmentConfig) -> float:
    if value == ALERT_THRESHOLD:
        return float(min(environment.budget.alert_thresholds_percent))
    try:
        percent = float(value.rstrip("%"))
    except ValueError:
        raise common.fail(f"--fail-over-budget takes a percentage of the budget, not {value!r}.") from None
    if not math.isfinite(percent):  # nan compares false with everything: the gate would never close
        raise common.fail(f"--fail-over-budget needs a finite percentage, got {value}.")
    if percent <= 0:
        raise common.fail(f"--fail-over-budget needs a positive percentage, got {value}.")
    return percent


def cost(
    env: Annotated[str | None, typer.Option("--env", "-e", help="development, staging or production")] = None,
    compare: Annotated[bool, typer.Option("--compare", metavar="", help="the three environments side by side")] = False,
    source: Annotated[
        list[Path] | None,
        typer.Option(
            "--from", help="read templates from a `genai-infra synth --out` folder or `cdk synth` assemblies (repeat)"
        ),
    ] = None,
    usage_file: Annotated[Path | None, typer.Option("--usage", help="TOML usage file overriding the defaults")] = None,
    planned: Annotated[
        bool,
        typer.Option("--planned", metavar="", help="also price the stacks not synthesized yet, from the configuration"),
    ] = False,
    output_format: Annotated[str, typer.Option("--format", help="table or json", metavar="[table|json]")] = "table",
    chart: Annotated[Path | None, typer.Option("--chart", help="write the cost distribution pie as PNG")] = None,
    fail_over_budget: Annotated[
        str | None,
        typer.Option(
            "--fail-over-budget",
            help="exit 3 when the estimate crosses PERCENT of the budget (alone: the first alert threshold, 80)",
            metavar="[PERCENT]",
        ),
    ] = None,
    what_if: Annotated[
        list[str] | None, typer.Option("--what-if", help="re-price with a configuration change: dotted.key=value")
    ] = None,
    details: Annotated[bool, typer.Option("--details", metavar="", help="list every charge")] = False,
    config_file: ConfigOption = None,
    overrides: SetOption = None,
) -> None:
    """Monthly cost of an environment by category and stack, against its budget (offline list prices).

    Example: genai-infra cost --env staging --from cdk.out/main --fail-over-budget 200
    """
    if output_format not in ("table", "json"):
        raise common.fail(f"unknown format {output_format!r}; use table or json.")
    if not compare and not env:
        raise common.fail("no environment given; pass --env development, staging or production, or --compare.")
    common.refuse_overrides_with_source(source, overrides)
    if chart is not None:
        if compare:
            raise common.fail("--chart draws one environment; use --env instead of --compare.")
        if not chart.parent.is_dir():
            raise common.fail(f"--chart {chart}: the folder {chart.parent} does not exist; create it or pick another.")
    if what_if and source:
        raise common.fail("--what-if changes the templates, so it needs synthesis; drop --from.")
    try:
        base_config = load_config(config_file, overrides or [])
        usage = load_usage(usage_file)
        names = list(base_config.environments) if compare else [str(env)]
        # The what-if configuration is validated before anything is synthesized: a typo fails fast.
        changed = (
            load_config(config_file, [*(overrides or []), *(k for n in names for k in _environment_keys(what_if, n))])
            if what_if
            else None
        )
    except (ConfigError, CostError) as error:
        raise common.fail(str(error)) from None
    if fail_over_budget is not None:  # checked before anything is synthesized
        for name in names:
            if name in base_config.environments:
                _threshold(fail_over_budget, base_config.environments[name])
    with tempfile.TemporaryDirectory(prefix="genai-cost-") as scratch:
        baseline = [_estimate(base_config, name, source, usage, planned, Path(scratch) / "base") for name in names]
        results = baseline
        if changed is not None:
            results = [_estimate(changed, name, None, usage, planned, Path(scratch) / "what-if") for name in names]

    if output_format == "json":
        payload: dict[str, object] = {"estimates": [to_json(result) for result in results]}
        if what_if:
            payload["what_if"] = list(what_if)
            payload["baseline_total_usd"] = {b.environment: round(b.total_usd, 2) for b in baseline}
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    elif compare:
        common.console.print(summary_table(results))
        for result in results:
            print_notes(common.console, result, heading=True)
    else:
        print_estimate(common.console, results[0], details=details)
    if what_if and output_format == "table":
        for before, after in zip(baseline, results, strict=True):
            delta = after.total_usd - before.total_usd
            common.console.print(
                f"what-if {', '.join(what_if)}: {after.environment} {usd(after.total_usd)} USD "
                f"(baseline {usd(before.total_usd)}, {'+' if delta >= 0 else ''}{usd(delta)})"
            )
    if chart is not None:
        if len(results) != 1:
            raise common.fail("--chart draws one environment; use --env instead of --compare.")
        try:
            write_chart(results[0], chart)
        except OSError as error:
            raise common.fail(f"cannot write the chart to {chart} ({error.strerror or error}).") from None
        common.errors.print(f"chart written to {chart}")
    if fail_over_budget is not None:
        over = []
        for result in results:
            limit = _threshold(fail_over_budget, base_config.environments[result.environment])
            if result.budget_percent > limit:
                over.append(f"{result.environment} {result.budget_percent:.0f} % of its budget (limit {limit:g} %)")
        if over:
            common.errors.print(f"[red]over budget:[/red] {'; '.join(over)}", highlight=False)
            raise typer.Exit(code=OVER_BUDGET_EXIT)
