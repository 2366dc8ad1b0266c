"""Present estimates: rich tables, a JSON document and the cost distribution pie chart."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

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
    print_notes(console, estimate)


def print_notes(console: Console, estimate: Estimate, *, heading: bool = False) -> None:
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
    free = ", ".join(f"{kind} x{count}" for kind, count in estimate.free_types.items())
    console.print(f"free on purpose: {free}", style="dim")
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


def write_chart(estimate: Estimate, path: Path) -> None:
    """A pie of the monthly cost by category, like the document's cost distribution chart."""
    import matplotlib

    matplotlib.use("Agg")  # no display: write files only
    from matplotlib import pyplot as plt

    categories = [(category, amount) for category, amount in estimate.by_category.items() if amount > 0]
    figure, axes = plt.subplots(figsize=(8, 5), dpi=100)
    pie = axes.pie(
        [amount for _, amount in categories],
        colors=[PALETTE[list(Category).index(category)] for category, _ in categories],
        startangle=90,
        counterclock=False,
        wedgeprops={"linewidth": 1, "edgecolor": "white"},
    )
    total = estimate.total_usd
    axes.legend(
        pie[0],
        [f"{category.value}: {usd(amount)} USD ({100 * amount / total:.0f} %)" for category, amount in categories],
        loc="center left",
        bbox_to_anchor=(1.0, 0.5),
        frameon=False,
    )
    axes.set_title(
        f"Monthly cost distribution ({estimate.environment})\n{usd(total)} USD, "
        f"{estimate.budget_percent:.0f} % of the {usd(estimate.budget_usd)} USD budget"
    )
    axes.axis("equal")
    figure.tight_layout()
    # No Software/date metadata: the same estimate gives the same file.
    figure.savefig(path, format="png", metadata={"Software": None}, bbox_inches="tight")
    plt.close(figure)
