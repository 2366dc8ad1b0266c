"""Cost as a reviewable change: the monthly estimate of two versions, resource by resource.

Either side is a JSON report of `genai-infra cost --format json` (`{"estimates": [...]}`) or the
same document built from synthesized templates; both reduce to one monthly amount per resource
(environment, region, stack, logical id). Pure Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from genai_infra.cost.catalog import CostError

Key = tuple[str, str, str, str]  # environment, region, stack, logical id


@dataclass(frozen=True)
class Side:
    """One version: monthly USD and type per resource, and the total per environment."""

    resources: Mapping[Key, tuple[str, float]]
    totals: Mapping[str, float]


@dataclass(frozen=True)
class Row:
    key: Key
    type: str
    before: float | None  # None: the resource is new
    after: float | None  # None: the resource is gone

    @property
    def delta(self) -> float:
        return (self.after or 0.0) - (self.before or 0.0)

    @property
    def sign(self) -> str:
        if self.before is None:
            return "+"
        if self.after is None:
            return "-"
        return "+" if self.delta > 0 else "-"


@dataclass(frozen=True)
class Total:
    environment: str
    before: float | None
    after: float | None

    @property
    def delta(self) -> float:
        return (self.after or 0.0) - (self.before or 0.0)

    @property
    def percent(self) -> float | None:
        """The change as a share of the earlier total; None for an environment that is new."""
        if not self.before:
            return None
        return 100 * self.delta / self.before


@dataclass(frozen=True)
class CostDiff:
    rows: tuple[Row, ...]  # changed resources only, largest change first
    totals: tuple[Total, ...]

    def increases_over(self, percent: float) -> list[Total]:
        """Environments whose total rose by more than `percent` % (a new environment always counts)."""
        return [
            total for total in self.totals if total.delta > 0 and (total.percent is None or total.percent > percent)
        ]


def side_from_report(payload: Mapping[str, Any], origin: str) -> Side:
    """A `cost --format json` report (or a list of its estimates) as one side of the diff."""
    estimates = payload.get("estimates") if isinstance(payload, Mapping) else None
    if not isinstance(estimates, list) or not estimates:
        raise CostError(f"{origin} is not a `genai-infra cost --format json` report (it has no estimates).")
    resources: dict[Key, tuple[str, float]] = {}
    totals: dict[str, float] = {}
    for item in estimates:
        try:
            environment = str(item["environment"])
            totals[environment] = float(item["total_usd"])
            for line in item["lines"]:
                key = (environment, str(line["region"]), str(line["stack"]), str(line["logical_id"]))
                kind, amount = resources.get(key, (str(line["type"]), 0.0))
                resources[key] = (kind, amount + float(line["usd"]))
        except (KeyError, TypeError, ValueError):
            raise CostError(
                f"{origin} is not a `genai-infra cost --format json` report (an estimate lacks lines)."
            ) from None
    return Side(resources, totals)


def compare(before: Side, after: Side, environments: Iterable[str] | None = None) -> CostDiff:
    chosen = set(environments) if environments is not None else set(before.totals) | set(after.totals)
    rows: list[Row] = []
    for key in sorted(set(before.resources) | set(after.resources)):
        if key[0] not in chosen:
            continue
        old, new = before.resources.get(key), after.resources.get(key)
        row = Row(key, (new or old or ("", 0.0))[0], old[1] if old else None, new[1] if new else None)
        if abs(row.delta) >= 0.005 or (old is None) != (new is None):
            rows.append(row)
    rows.sort(key=lambda row: (-abs(row.delta), row.key))
    totals = tuple(
        Total(name, before.totals.get(name), after.totals.get(name)) for name in sorted(chosen, key=_environment_order)
    )
    return CostDiff(tuple(rows), totals)


def _environment_order(name: str) -> tuple[int, str]:
    order = ("development", "staging", "production")
    return (order.index(name) if name in order else len(order), name)


def _usd(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


def _signed(value: float) -> str:
    return f"{'+' if value >= 0 else '-'}{abs(value):,.2f}"


def _percent(total: Total) -> str:
    return "new" if total.percent is None else f"{'+' if total.percent >= 0 else ''}{total.percent:.1f} %"


def markdown(diff: CostDiff, *, title: str = "Monthly cost change (genai-infra cost diff)") -> str:
    """A pull-request comment: totals per environment, then each environment's changed resources."""
    out = [f"### {title}", "", "| environment | before (USD/month) | after (USD/month) | change | change % |"]
    out.append("|---|---:|---:|---:|---:|")
    out += [
        f"| {t.environment} | {_usd(t.before)} | {_usd(t.after)} | {_signed(t.delta)} | {_percent(t)} |"
        for t in diff.totals
    ]
    for total in diff.totals:
        rows = [row for row in diff.rows if row.key[0] == total.environment]
        if not rows:
            continue
        out += [
            "",
            f"<details><summary>{total.environment}: {len(rows)} resource(s) changed ({_signed(total.delta)} USD)"
            "</summary>",
            "",
            "| | region | stack | resource | type | before | after | change |",
            "|---|---|---|---|---|---:|---:|---:|",
        ]
        out += [
            f"| {row.sign} | {row.key[1]} | {row.key[2]} | {row.key[3]} | {row.type} | {_usd(row.before)} | "
            f"{_usd(row.after)} | {_signed(row.delta)} |"
            for row in rows
        ]
        out += ["", "</details>"]
    if not diff.rows:
        out += ["", "No resource changes its monthly cost."]
    return "\n".join(out) + "\n"


def to_json(diff: CostDiff) -> dict[str, Any]:
    return {
        "totals": [
            {
                "environment": t.environment,
                "before_usd": None if t.before is None else round(t.before, 2),
                "after_usd": None if t.after is None else round(t.after, 2),
                "change_usd": round(t.delta, 2),
                "change_percent": None if t.percent is None else round(t.percent, 2),
            }
            for t in diff.totals
        ],
        "resources": [
            {
                "change": row.sign,
                "environment": row.key[0],
                "region": row.key[1],
                "stack": row.key[2],
                "logical_id": row.key[3],
                "type": row.type,
                "before_usd": None if row.before is None else round(row.before, 4),
                "after_usd": None if row.after is None else round(row.after, 4),
                "change_usd": round(row.delta, 4),
            }
            for row in diff.rows
        ],
    }


def environments_of(sides: Sequence[Side]) -> list[str]:
    return sorted({name for side in sides for name in side.totals}, key=_environment_order)
