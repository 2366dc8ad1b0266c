"""`genai-infra cost`: the monthly cost of an environment, priced offline from its templates.

Sub-commands: `cost diff A B` (the change between two versions) and `cost refresh-prices`.
Exit codes: 0 priced (and under the threshold), 1 an error (one sentence on stderr),
3 `--fail-over-budget` and the estimate crossed the threshold, or `cost diff --fail-on-increase`
and an environment rose by more than allowed.
"""

from __future__ import annotations

import itertools
import json
import math
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from genai_infra.cli import common
from genai_infra.cli.options import ConfigOption, SetOption
from genai_infra.config import ConfigError, ProjectConfig, load_config, select_environment
from genai_infra.config.environment import EnvironmentConfig
from genai_infra.cost.advisor import BudgetAdvice, advise
from genai_infra.cost.catalog import CostError, load_catalog
from genai_infra.cost.diff import CostDiff, Side, compare, environments_of, markdown, side_from_report
from genai_infra.cost.diff import to_json as diff_json
from genai_infra.cost.estimate import Estimate, estimate, templates_from_assemblies, templates_from_directories
from genai_infra.cost.report import (
    advice_json,
    print_advice,
    print_estimate,
    print_notes,
    summary_table,
    to_json,
    usd,
    what_if_table,
    write_chart,
)
from genai_infra.cost.usage import UsageBook, load_usage

OVER_BUDGET_EXIT = 3
INCREASE_EXIT = 3  # `cost diff --fail-on-increase`: an environment rose by more than the share allowed
ALERT_THRESHOLD = "alert"
# Options that may be given without their value; the parser gets an explicit default instead.
OPTIONAL_VALUES = {"--fail-over-budget": ALERT_THRESHOLD}

console = Console()
errors = Console(stderr=True)


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


def _fail(message: str) -> typer.Exit:
    errors.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code=1)


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
        raise _fail(str(error)) from None


def _advice(
    config_file: Path | None,
    overrides: Sequence[str],
    current: Estimate,
    usage: UsageBook,
    planned: bool,
    out: Path,
) -> BudgetAdvice:
    """C13: re-price each candidate change by synthesizing the changed environment (without cdk-nag:
    the numbers are what matters here, and each candidate is a configuration the model validates)."""
    from genai_infra.synth import synthesize
    from genai_infra.targets import targets_of

    name = current.environment
    runs = itertools.count()

    def reprice(assignments: Sequence[str]) -> Estimate:
        changed = load_config(config_file, [*overrides, *_environment_keys(assignments, name)])
        environment = changed.environments[name]
        folder = out / f"advice-{next(runs)}"
        try:
            assemblies = [synthesize(changed, target, folder, validate=False) for target in targets_of(environment)]
        except Exception as error:  # jsii reports a construct's refusal as a generic error: not a candidate
            raise CostError(str(error).strip().splitlines()[0] if str(error).strip() else "synthesis failed") from None
        return estimate(environment, templates_from_assemblies(assemblies), usage, load_catalog(), planned=planned)

    base_config = load_config(config_file, overrides)
    environment = base_config.environments[name]
    if current.total_usd <= current.budget_usd:
        return BudgetAdvice(name, current.budget_usd, current.total_usd, (), current.total_usd, (), None, None)
    with errors.status(f"re-pricing the changes that would lower {name}'s estimate"):
        return advise(environment, current, reprice, load_catalog())


def _threshold(value: str, environment: EnvironmentConfig) -> float:
    if value == ALERT_THRESHOLD:
        return float(min(environment.budget.alert_thresholds_percent))
    try:
        percent = float(value.rstrip("%"))
    except ValueError:
        raise _fail(f"--fail-over-budget takes a percentage of the budget, not {value!r}.") from None
    if not math.isfinite(percent):  # nan compares false with everything: the gate would never close
        raise _fail(f"--fail-over-budget needs a finite percentage, got {value}.")
    if percent <= 0:
        raise _fail(f"--fail-over-budget needs a positive percentage, got {value}.")
    return percent


def estimate_command(
    ctx: typer.Context,
    env: Annotated[str | None, typer.Option("--env", "-e", help="development, staging or production")] = None,
    compare: Annotated[bool, typer.Option("--compare", help="the three environments side by side")] = False,
    source: Annotated[
        list[Path] | None,
        typer.Option(
            "--from", help="read templates from a `genai-infra synth --out` folder or `cdk synth` assemblies (repeat)"
        ),
    ] = None,
    usage_file: Annotated[Path | None, typer.Option("--usage", help="TOML usage file overriding the defaults")] = None,
    planned: Annotated[
        bool, typer.Option("--planned", help="also price the stacks not synthesized yet, from the configuration")
    ] = False,
    output_format: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    chart: Annotated[
        Path | None, typer.Option("--chart", help="write the cost by category against the budget line as PNG")
    ] = None,
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
    details: Annotated[
        bool, typer.Option("--details", help="list every charge and the resource types that are free on purpose")
    ] = False,
    advise_budget: Annotated[
        bool,
        typer.Option(
            "--advise",
            help="over budget: the configuration changes that lower the estimate (each re-priced), "
            "the floor of the faithful design and whether any configuration fits (decision C13)",
        ),
    ] = False,
    config_file: ConfigOption = None,
    overrides: SetOption = None,
) -> None:
    """Monthly cost of an environment by category and stack, against its budget (offline list prices).

    `cost diff A B` compares two versions resource by resource; `cost refresh-prices` refreshes the
    price catalog from AWS's Price List offer files (see their --help).
    """
    if ctx.invoked_subcommand is not None:
        return  # a sub-command (`cost diff`, `cost refresh-prices`) does the work
    if output_format not in ("table", "json"):
        raise _fail(f"unknown format {output_format!r}; use table or json.")
    if not compare and not env:
        raise _fail("no environment given; pass --env development, staging or production, or --compare.")
    if what_if and source:
        raise _fail("--what-if changes the templates, so it needs synthesis; drop --from.")
    if advise_budget and (compare or what_if):
        raise _fail("--advise works on one environment as configured; drop --compare and --what-if.")
    common.refuse_overrides_with_source(source, overrides)
    if chart is not None:
        if compare:
            raise _fail("--chart draws one environment; use --env instead of --compare.")
        if not chart.parent.is_dir():
            raise _fail(f"--chart {chart}: the folder {chart.parent} does not exist; create it or pick another.")
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
        raise _fail(str(error)) from None
    if fail_over_budget is not None:  # checked before anything is synthesized
        for name in names:
            if name in base_config.environments:
                _threshold(fail_over_budget, base_config.environments[name])
    with tempfile.TemporaryDirectory(prefix="genai-cost-") as scratch:
        baseline = [_estimate(base_config, name, source, usage, planned, Path(scratch) / "base") for name in names]
        results = baseline
        if changed is not None:
            results = [_estimate(changed, name, None, usage, planned, Path(scratch) / "what-if") for name in names]
        advice = (
            _advice(config_file, overrides or [], baseline[0], usage, planned, Path(scratch)) if advise_budget else None
        )

    if output_format == "json":
        payload: dict[str, object] = {"estimates": [to_json(result) for result in results]}
        if what_if:
            payload["what_if"] = list(what_if)
            payload["baseline_total_usd"] = {b.environment: round(b.total_usd, 2) for b in baseline}
        if advice is not None:
            payload["advice"] = advice_json(advice)
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    elif compare:
        console.print(summary_table(results))
        for result in results:
            print_notes(console, result, heading=True, details=details)
    else:
        print_estimate(console, results[0], details=details)
        if advice is not None:
            print_advice(console, advice)
        elif results[0].total_usd > results[0].budget_usd:
            console.print("over its budget: `--advise` lists the changes that would lower it and what each gives up")
    if what_if and output_format == "table":
        for before, after in zip(baseline, results, strict=True):
            console.print(what_if_table(before, after, what_if))
    if chart is not None:
        if len(results) != 1:
            raise _fail("--chart draws one environment; use --env instead of --compare.")
        try:
            write_chart(
                results[0],
                chart,
                baseline=baseline[0] if what_if else None,
                label=", ".join(what_if) if what_if else "",
            )
        except OSError as error:
            raise _fail(f"cannot write the chart to {chart} ({error.strerror or error}).") from None
        errors.print(f"chart written to {chart}")
    if fail_over_budget is not None:
        over = []
        for result in results:
            limit = _threshold(fail_over_budget, base_config.environments[result.environment])
            if result.budget_percent > limit:
                over.append(f"{result.environment} {result.budget_percent:.0f} % of its budget (limit {limit:g} %)")
        if over:
            errors.print(f"[red]over budget:[/red] {'; '.join(over)}", highlight=False)
            raise typer.Exit(code=OVER_BUDGET_EXIT)


def _side(path: Path, config: ProjectConfig, names: Sequence[str] | None, usage: UsageBook) -> Side:
    """A saved JSON report, or a synthesized folder priced for every environment it holds."""
    if path.is_file():
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise CostError(
                f"{path} is neither a synthesized folder nor a JSON report of `genai-infra cost`."
            ) from None
        return side_from_report(payload, str(path))
    if not path.is_dir():
        raise CostError(f"{path} does not exist; pass a `genai-infra synth --out` folder or a saved JSON report.")
    estimates = []
    for name in names or list(config.environments):
        environment = select_environment(config, name)
        try:
            templates = templates_from_directories([path], environment)
        except CostError:
            if names:
                raise
            continue  # this folder does not hold that environment
        estimates.append(to_json(estimate(environment, templates, usage, load_catalog())))
    if not estimates:
        raise CostError(
            f"{path} holds the templates of no environment; run `genai-infra synth --env ENV --out {path}` first."
        )
    return side_from_report({"estimates": estimates}, str(path))


def diff_command(
    before: Annotated[Path, typer.Argument(help="the earlier version: a synthesized folder or a saved JSON report")],
    after: Annotated[Path, typer.Argument(help="the later version: a synthesized folder or a saved JSON report")],
    env: Annotated[
        list[str] | None, typer.Option("--env", "-e", help="only this environment (repeat); default: all found")
    ] = None,
    output_format: Annotated[str, typer.Option("--format", help="table, markdown or json")] = "table",
    fail_on_increase: Annotated[
        float | None,
        typer.Option(
            "--fail-on-increase",
            help="exit 3 when an environment's monthly estimate rises by more than PCT % (a new one always does)",
            metavar="PCT",
        ),
    ] = None,
    usage_file: Annotated[Path | None, typer.Option("--usage", help="TOML usage file overriding the defaults")] = None,
    config_file: ConfigOption = None,
    overrides: SetOption = None,
) -> None:
    """The monthly cost change between two versions, resource by resource, with totals per environment."""
    if output_format not in ("table", "markdown", "json"):
        raise _fail(f"unknown format {output_format!r}; use table, markdown or json.")
    if fail_on_increase is not None and fail_on_increase < 0:
        raise _fail(f"--fail-on-increase takes a percentage of zero or more, got {fail_on_increase:g}.")
    try:
        config = load_config(config_file, overrides or [])
        usage = load_usage(usage_file)
        for name in env or []:
            select_environment(config, name)
        sides = [_side(path, config, env, usage) for path in (before, after)]
    except (ConfigError, CostError) as error:
        raise _fail(str(error)) from None
    result = compare(sides[0], sides[1], env or environments_of(sides))
    if output_format == "markdown":
        sys.stdout.write(markdown(result))
    elif output_format == "json":
        sys.stdout.write(json.dumps(diff_json(result), indent=2) + "\n")
    else:
        _print_diff(result)
    if fail_on_increase is not None:
        risen = result.increases_over(fail_on_increase)
        if risen:
            described = "; ".join(
                f"{t.environment} {'is new' if t.percent is None else f'+{t.percent:.1f} %'} "
                f"({usd(t.before or 0.0)} -> {usd(t.after or 0.0)} USD)"
                for t in risen
            )
            errors.print(
                f"[red]cost increase:[/red] {described} (limit +{fail_on_increase:g} %)",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(code=INCREASE_EXIT)


def _print_diff(result: CostDiff) -> None:
    totals = Table("environment", "before", "after", "change", "change %", title="monthly cost change (USD)")
    for total in result.totals:
        percent = "new" if total.percent is None else f"{total.percent:+.1f} %"
        before = "-" if total.before is None else usd(total.before)
        after = "-" if total.after is None else usd(total.after)
        totals.add_row(total.environment, before, after, f"{total.delta:+,.2f}", percent)
    console.print(totals)
    if not result.rows:
        console.print("No resource changes its monthly cost.")
        return
    table = Table("", "environment", "region", "stack", "resource", "type", "before", "after", "change")
    for row in result.rows:
        table.add_row(
            row.sign,
            *row.key,
            row.type,
            "-" if row.before is None else usd(row.before),
            "-" if row.after is None else usd(row.after),
            f"{row.delta:+,.2f}",
        )
    console.print(table)


def refresh_command(
    offers: Annotated[Path, typer.Option("--offers", help="folder of Price List offer files: OFFER/REGION/index.json")],
    region: Annotated[
        list[str] | None, typer.Option("--region", help="refresh this region (repeat); default: every region used")
    ] = None,
    catalog_file: Annotated[
        Path | None, typer.Option("--catalog", help="the catalog to refresh; default: the bundled prices.toml")
    ] = None,
    write: Annotated[
        bool, typer.Option("--write", help="rewrite the catalog (default: only show the changes)")
    ] = False,
    config_file: ConfigOption = None,
    overrides: SetOption = None,
) -> None:
    """Refresh the price catalog from AWS's public Price List offer files (downloaded beforehand)."""
    from importlib import resources

    from genai_infra.cost.refresh import find_prices, rewrite

    try:
        config = load_config(config_file, overrides or [])
        regions = region or sorted({r for e in config.environments.values() for r in e.target_regions})
        path = catalog_file or Path(str(resources.files("genai_infra.cost").joinpath("prices.toml")))
        text = path.read_text(encoding="utf-8")
        found, missing = find_prices(text, offers, regions)
    except (ConfigError, CostError, OSError) as error:
        raise _fail(str(error)) from None
    table = Table("key", "region", "catalog", "offer file", "published", title=f"prices found in {offers}")
    for item in found:
        old = "-" if item.old is None else f"{item.old:g}"
        table.add_row(item.key, item.region, old, f"{item.new:g}", item.published)
    console.print(table)
    if missing:
        console.print(f"no offer file for: {', '.join(missing)}", style="dim")
    if write:
        path.write_text(rewrite(text, found), encoding="utf-8")
        errors.print(f"{len(found)} prices written to {path}")


# `genai-infra cost` prices one environment; `genai-infra cost diff` compares two versions.
cost = typer.Typer(add_completion=False)
cost.callback(invoke_without_command=True)(estimate_command)
cost.command("diff")(diff_command)
cost.command("refresh-prices")(refresh_command)
