"""Present estimates: rich tables, a JSON document and the cost distribution pie chart."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from genai_infra.cost.advisor import BudgetAdvice
from genai_infra.cost.commitments import SCENARIOS
from genai_infra.cost.estimate import Estimate
from genai_infra.cost.rules import Category


def usd(value: float) -> str:
    return f"{value:,.2f}"


def category_table(estimate: Estimate) -> Table:
    table = Table("category", "USD / month", "share", title=f"{estimate.environment}: by category")
    total = estimate.total_usd or 1.0
    for category, amount in estimate.by_category.items():
        table.add_row(category.value, usd(amount), f"{100 * amount / total:.0f} %")
    return table


def stack_table(estimate: Estimate) -> Table:
    table = Table("region", "stack", "USD / month", title=f"{estimate.environment}: by stack")
    for (region, stack), amount in sorted(estimate.by_stack.items(), key=lambda item: -item[1]):
        table.add_row(region, stack, usd(amount))
    return table


def summary_table(estimates: Sequence[Estimate]) -> Table:
    table = Table("", *(estimate.environment for estimate in estimates), title="monthly estimate against the budget")
    rows: list[tuple[str, list[str]]] = [
        (category.value, [usd(estimate.by_category[category]) for estimate in estimates]) for category in Category
    ]
    rows += [
        ("estimated total", [usd(estimate.total_usd) for estimate in estimates]),
        (
            "document's estimate (C10)",
            [usd(e.document_estimate_usd) if e.document_estimate_usd else "-" for e in estimates],
        ),
        ("budget", [usd(estimate.budget_usd) for estimate in estimates]),
        ("share of budget", [f"{estimate.budget_percent:.0f} %" for estimate in estimates]),
    ]
    rows += [
        (scenario.label, [usd(estimate.committed_total(scenario.name)) for estimate in estimates])
        for scenario in SCENARIOS
    ]
    for label, values in rows:
        table.add_row(label, *values, end_section=label in (Category.OTHER.value, "share of budget"))
    return table


def what_if_table(baseline: Estimate, changed: Estimate, what_if: Sequence[str]) -> Table:
    """Baseline and the what-if configuration side by side, by category."""
    table = Table(
        "category",
        "baseline",
        "what-if",
        "change",
        title=f"{baseline.environment}: what-if {', '.join(what_if)} (USD / month)",
    )
    after = changed.by_category
    for category, amount in baseline.by_category.items():
        table.add_row(category.value, usd(amount), usd(after[category]), f"{after[category] - amount:+,.2f}")
    table.add_row(
        "total",
        usd(baseline.total_usd),
        usd(changed.total_usd),
        f"{changed.total_usd - baseline.total_usd:+,.2f}",
        style="bold",
    )
    table.add_row(
        "share of budget", f"{baseline.budget_percent:.0f} %", f"{changed.budget_percent:.0f} %", "", style="dim"
    )
    return table


def commitment_table(estimate: Estimate) -> Table:
    """On-demand and each 1-year commitment scenario side by side, by category."""
    table = Table(
        "category",
        "on-demand",
        *(scenario.label for scenario in SCENARIOS),
        title=f"{estimate.environment}: on-demand and 1-year committed prices (USD / month)",
    )
    committed = [estimate.committed_by_category(scenario.name) for scenario in SCENARIOS]
    for category, amount in estimate.by_category.items():
        table.add_row(category.value, usd(amount), *(usd(totals[category]) for totals in committed))
    table.add_row(
        "total",
        usd(estimate.total_usd),
        *(usd(estimate.committed_total(scenario.name)) for scenario in SCENARIOS),
        style="bold",
    )
    return table


def print_estimate(console: Console, estimate: Estimate, *, details: bool) -> None:
    console.print(summary_table([estimate]))
    console.print(commitment_table(estimate))
    console.print(stack_table(estimate))
    if details:
        table = Table("region", "stack", "resource", "charge", "quantity", "unit", "USD", title="every charge")
        for line in sorted(estimate.lines, key=lambda item: -item.monthly_usd):
            table.add_row(
                line.region,
                line.stack,
                line.logical_id,
                line.charge.description,
                f"{line.charge.quantity:,.4g}",
                line.charge.unit,
                usd(line.monthly_usd),
            )
        console.print(table)
    print_notes(console, estimate, details=details)


def print_notes(console: Console, estimate: Estimate, *, heading: bool = False, details: bool = False) -> None:
    if heading:
        console.print(f"[bold]{estimate.environment}[/bold]")
    if estimate.planned_stacks:
        stacks = ", ".join(sorted({stack for _, stack in estimate.planned_stacks}))
        console.print(f"[yellow]planned[/yellow] (priced from the configuration, no template yet): {stacks}")
    derived: dict[str, float] = {}
    approximate: dict[str, float] = {}
    for price, amount in estimate.caveats:
        if price.derived_from:
            label = f"{price.region} (derived from {price.derived_from} x {price.factor:g})"
            derived[label] = derived.get(label, 0.0) + amount
        if price.approximate:
            approximate[price.key] = approximate.get(price.key, 0.0) + amount
    for label, amount in derived.items():
        console.print(f"[yellow]derived prices[/yellow] {label}: {usd(amount)} USD of the total rest on them")
    if approximate:
        keys = ", ".join(sorted(approximate))
        console.print(
            f"[yellow]approximate prices[/yellow] ({usd(sum(approximate.values()))} USD of the total): {keys}"
        )
    if details:
        free = ", ".join(f"{kind} x{count}" for kind, count in estimate.free_types.items())
        console.print(f"free on purpose: {free}", style="dim")
    else:
        count = sum(estimate.free_types.values())
        console.print(
            f"{count} resources of {len(estimate.free_types)} types are free on purpose (--details lists them)",
            style="dim",
        )
    console.print(f"prices as of {estimate.catalog_as_of}; usage from {estimate.usage_origin}", style="dim")


def to_json(estimate: Estimate) -> dict[str, Any]:
    return {
        "environment": estimate.environment,
        "regions": list(estimate.regions),
        "total_usd": round(estimate.total_usd, 2),
        "on_demand_total_usd": round(estimate.total_usd, 2),
        "committed": [
            {
                "scenario": scenario.name,
                "label": scenario.label,
                "total_usd": round(estimate.committed_total(scenario.name), 2),
                "by_category": {
                    category.value: round(amount, 2)
                    for category, amount in estimate.committed_by_category(scenario.name).items()
                },
                "prices": [
                    {
                        "key": p.key,
                        "region": p.region,
                        "share_of_on_demand": p.usd,
                        "unit": p.unit,
                        "source": p.source,
                        "as_of": p.as_of,
                        "caveat": p.caveat,
                    }
                    for p in estimate.commitment_prices(scenario.name)
                ],
            }
            for scenario in SCENARIOS
        ],
        "document_estimate_usd": estimate.document_estimate_usd,
        "budget_usd": estimate.budget_usd,
        "budget_percent": round(estimate.budget_percent, 1),
        "by_category": {category.value: round(amount, 2) for category, amount in estimate.by_category.items()},
        "by_stack": [
            {"region": region, "stack": stack, "usd": round(amount, 2)}
            for (region, stack), amount in sorted(estimate.by_stack.items())
        ],
        "lines": [
            {
                "region": line.region,
                "stack": line.stack,
                "logical_id": line.logical_id,
                "type": line.type,
                "category": line.category.value,
                "planned": line.planned,
                "description": line.charge.description,
                "quantity": round(line.charge.quantity, 6),
                "unit": line.charge.unit,
                "unit_usd": round(line.charge.unit_usd, 6),
                "usd": round(line.monthly_usd, 4),
                "commitment": line.charge.commitment,
                "committed_usd": {scenario.name: round(line.committed_usd(scenario.name), 4) for scenario in SCENARIOS},
                "prices": [
                    {
                        "key": p.key,
                        "region": p.region,
                        "usd": p.usd,
                        "unit": p.unit,
                        "source": p.source,
                        "as_of": p.as_of,
                        "caveat": p.caveat,
                    }
                    for p in line.charge.prices
                ],
            }
            for line in estimate.lines
        ],
        "caveats": [
            {"key": price.key, "region": price.region, "caveat": price.caveat, "usd": round(amount, 2)}
            for price, amount in estimate.caveats
        ],
        "planned_stacks": [{"region": region, "stack": stack} for region, stack in estimate.planned_stacks],
        "free_types": dict(estimate.free_types),
        "prices_as_of": estimate.catalog_as_of,
        "usage": estimate.usage_origin,
    }


# The document's pie chart colours are Mermaid defaults; these are a colour-blind-safe palette.
PALETTE = ("#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB", "#000000")


def write_chart(estimate: Estimate, path: Path, *, baseline: Estimate | None = None, label: str = "") -> None:
    """Horizontal bars of the monthly cost by category against the budget line (a bar per scenario).

    With a what-if, the baseline is drawn above the changed configuration and the title names the change.
    """
    import matplotlib

    matplotlib.use("Agg")  # no display: write files only
    from matplotlib import pyplot as plt

    # Bottom to top: the what-if below its baseline reads like "before, then after".
    bars: list[tuple[str, Estimate]] = [(estimate.environment, estimate)]
    if baseline is not None:
        bars = [(f"what-if: {label}", estimate), ("baseline", baseline)]
    figure, axes = plt.subplots(figsize=(9, 1.6 + 1.1 * len(bars)), dpi=100)
    names = [name for name, _ in bars]
    order = list(Category)
    for index, category in enumerate(order):
        lefts = [sum(item.by_category[c] for c in order[:index]) for _, item in bars]
        widths = [item.by_category[category] for _, item in bars]
        if any(widths):
            axes.barh(names, widths, left=lefts, color=PALETTE[index], edgecolor="white", label=category.value)
    budget = estimate.budget_usd
    axes.axvline(budget, color="#CC3311", linewidth=2, linestyle="--")
    axes.annotate(
        f"budget {usd(budget)}",
        (budget, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(0, 3),
        textcoords="offset points",
        ha="center",
        va="bottom",
        color="#CC3311",
    )
    for index, (_, item) in enumerate(bars):
        axes.annotate(
            f"{usd(item.total_usd)} USD ({item.budget_percent:.0f} %)",
            (item.total_usd, index),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
        )
    axes.set_xlim(0, max(budget, *(item.total_usd for _, item in bars)) * 1.3)
    axes.set_xlabel("USD / month (On-Demand list prices)")
    title = f"Monthly cost of {estimate.environment} against its budget"
    if label:
        title += f"\nwhat-if {label}"
    axes.set_title(title, pad=16)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35 - 0.05 * len(bars)), ncol=4, frameon=False)
    figure.tight_layout()
    # No Software/date metadata: the same estimate gives the same file.
    figure.savefig(path, format="png", metadata={"Software": None}, bbox_inches="tight")
    plt.close(figure)


def advice_table(advice: BudgetAdvice) -> Table:
    table = Table(
        "#",
        "change (genai-infra ... --set)",
        "saves USD / month",
        "gives up (document requirement)",
        title=f"{advice.environment}: changes that lower the estimate, largest saving first (each re-priced)",
    )
    for index, item in enumerate(advice.ranked, start=1):
        table.add_row(
            str(index),
            f"environments.{advice.environment}.{item.change.assignment}",
            usd(item.saving_usd),
            item.change.gives_up or "nothing: keeps the design",
        )
    return table


def print_advice(console: Console, advice: BudgetAdvice) -> None:
    if advice.over_budget and advice.ranked:
        console.print(advice_table(advice))
    if advice.over_budget:
        drivers = "; ".join(f"{name}: {usd(amount)}" for name, amount in advice.floor_drivers)
        console.print(f"floor of the faithful design: {usd(advice.floor_usd)} USD; largest drivers: {drivers}")
        if advice.fitting is not None:
            options = " ".join(
                f"--set 'environments.{advice.environment}.{a.change.assignment}'" for a in advice.fitting
            )
            console.print(f"fits the budget ({usd(advice.fitting_total_usd or 0.0)} USD) with: {options}")
    console.print(advice.sentence())


def advice_json(advice: BudgetAdvice) -> dict[str, Any]:
    return {
        "environment": advice.environment,
        "budget_usd": advice.budget_usd,
        "total_usd": round(advice.total_usd, 2),
        "over_budget": advice.over_budget,
        "changes": [
            {
                "set": f"environments.{advice.environment}.{item.change.assignment}",
                "saving_usd": round(item.saving_usd, 2),
                "gives_up": item.change.gives_up,
            }
            for item in advice.ranked
        ],
        "faithful_floor_usd": round(advice.floor_usd, 2),
        "faithful_floor_drivers": [{"charge": name, "usd": round(amount, 2)} for name, amount in advice.floor_drivers],
        "fitting_changes": (
            None
            if advice.fitting is None
            else [f"environments.{advice.environment}.{item.change.assignment}" for item in advice.fitting]
        ),
        "fitting_total_usd": None if advice.fitting_total_usd is None else round(advice.fitting_total_usd, 2),
        "sentence": advice.sentence(),
    }
