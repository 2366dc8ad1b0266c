"""Price every resource of an environment's templates (and, on request, its planned stacks).

Input is plain template JSON per region and stack, read from a synthesized assembly or a
`cdk.out` folder; nothing here starts jsii.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genai_infra.config import EnvironmentConfig
from genai_infra.cost.catalog import CostError, Price, PriceCatalog
from genai_infra.cost.commitments import SCENARIOS, ratios
from genai_infra.cost.planned import planned_resources
from genai_infra.cost.rules import Category, Charge, PricingContext, Resource, price_resource
from genai_infra.cost.schedules import node_schedules
from genai_infra.cost.usage import UsageBook

# region -> stack (template file name without .template.json) -> template JSON
Templates = Mapping[str, Mapping[str, Mapping[str, Any]]]


@dataclass(frozen=True)
class Line:
    region: str
    stack: str
    logical_id: str
    type: str
    category: Category
    charge: Charge
    planned: bool
    # Monthly USD under each commitment scenario (commitments.SCENARIOS), and the ratio applied.
    committed: Mapping[str, tuple[float, Price | None]] = field(default_factory=dict)

    @property
    def monthly_usd(self) -> float:
        return self.charge.monthly_usd

    def committed_usd(self, scenario: str) -> float:
        return self.committed[scenario][0] if scenario in self.committed else self.monthly_usd


@dataclass(frozen=True)
class Estimate:
    environment: str
    regions: tuple[str, ...]
    lines: tuple[Line, ...]
    budget_usd: float
    document_estimate_usd: float | None
    free_types: Mapping[str, int]
    planned_stacks: tuple[tuple[str, str], ...]
    usage_origin: str
    catalog_as_of: str

    @property
    def total_usd(self) -> float:
        return sum(line.monthly_usd for line in self.lines)

    @property
    def budget_percent(self) -> float:
        return 100 * self.total_usd / self.budget_usd

    @property
    def by_category(self) -> dict[Category, float]:
        totals = dict.fromkeys(Category, 0.0)
        for line in self.lines:
            totals[line.category] += line.monthly_usd
        return totals

    @property
    def by_stack(self) -> dict[tuple[str, str], float]:
        totals: dict[tuple[str, str], float] = {}
        for line in self.lines:
            key = (line.region, line.stack + (" (planned)" if line.planned else ""))
            totals[key] = totals.get(key, 0.0) + line.monthly_usd
        return totals

    def committed_total(self, scenario: str) -> float:
        return sum(line.committed_usd(scenario) for line in self.lines)

    def committed_by_category(self, scenario: str) -> dict[Category, float]:
        totals = dict.fromkeys(Category, 0.0)
        for line in self.lines:
            totals[line.category] += line.committed_usd(scenario)
        return totals

    def commitment_prices(self, scenario: str) -> list[Price]:
        """The commitment ratios a scenario applied, one per key and region."""
        found = {
            (price.key, price.region): price
            for line in self.lines
            for price in [line.committed.get(scenario, (0.0, None))[1]]
            if price is not None
        }
        return [found[key] for key in sorted(found)]

    def drivers(self, count: int = 5) -> list[tuple[str, float]]:
        """The largest single charges: what to change first."""
        grouped: dict[str, float] = {}
        for line in self.lines:
            key = f"{line.region} {line.stack}: {line.charge.description}"
            grouped[key] = grouped.get(key, 0.0) + line.monthly_usd
        return sorted(grouped.items(), key=lambda item: -item[1])[:count]

    @property
    def caveats(self) -> list[tuple[Price, float]]:
        """Prices that are derived or approximate, with the monthly USD that rests on them."""
        found: dict[tuple[str, str], tuple[Price, float]] = {}
        for line in self.lines:
            for price in line.charge.prices:
                if price.caveat and line.monthly_usd > 0:
                    key = (price.key, price.region)
                    previous = found.get(key, (price, 0.0))[1]
                    found[key] = (price, previous + line.monthly_usd)
        return [found[key] for key in sorted(found)]


def templates_from_assemblies(assemblies: Iterable[Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """{region: {stack: template}} of `genai_infra.synth.Assembly` objects of one environment."""
    return {assembly.target.region: _read_templates(assembly.directory) for assembly in assemblies}


def templates_from_directories(
    directories: Sequence[Path], environment: EnvironmentConfig
) -> dict[str, dict[str, dict[str, Any]]]:
    """Templates of every target of the environment, from synthesized folders of either layout.

    A folder is either the output of `genai-infra synth --out DIR` (one sub-folder
    <environment>-<region> per target) or one cloud assembly of `cdk synth` (one target).
    """
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for directory in directories:
        manifest = directory / "manifest.json"
        if manifest.is_file():
            region = _assembly_region(manifest, environment)
            if region is not None:
                found[region] = _read_templates(directory)
                continue
        # A `genai-infra synth --out` folder (also when an unrelated `cdk synth` left its assembly there).
        for region in environment.target_regions:
            folder = directory / f"{environment.name}-{region}"
            if folder.is_dir() and any(folder.glob("*.template.json")):
                found[region] = _read_templates(folder)
    missing = [region for region in environment.target_regions if region not in found]
    if missing:
        where = ", ".join(str(directory) for directory in directories)
        raise CostError(
            f"{where} holds no templates of {environment.name} in {', '.join(missing)}; "
            f"run `genai-infra synth --env {environment.name} --out DIR` and pass --from DIR."
        )
    return found


def _assembly_region(manifest: Path, environment: EnvironmentConfig) -> str | None:
    """The region of a one-target cloud assembly, when its stacks belong to the environment."""
    artifacts = json.loads(manifest.read_text(encoding="utf-8")).get("artifacts", {})
    prefix = f"genai-demo-{environment.name}-"
    for artifact in artifacts.values():
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        if not str(artifact.get("properties", {}).get("stackName", "")).startswith(prefix):
            return None
        return str(artifact.get("environment", "")).rsplit("/", 1)[-1]
    return None


def _read_templates(folder: Path) -> dict[str, dict[str, Any]]:
    # Nested stacks (*.nested.template.json) are billed like any other template: read them too.
    return {
        path.name.removesuffix(".template.json"): json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*.template.json"))
    }


def _committed(charge: Charge, commitment: Mapping[str, Mapping[str, Price]]) -> dict[str, tuple[float, Price | None]]:
    result: dict[str, tuple[float, Price | None]] = {}
    for scenario in SCENARIOS:
        ratio = commitment[scenario.name].get(charge.commitment) if charge.commitment else None
        result[scenario.name] = (charge.monthly_usd * ratio.usd, ratio) if ratio else (charge.monthly_usd, None)
    return result


def estimate(
    environment: EnvironmentConfig,
    templates: Templates,
    usage: UsageBook,
    catalog: PriceCatalog,
    *,
    planned: bool = False,
) -> Estimate:
    lines: list[Line] = []
    free: Counter[str] = Counter()
    planned_stacks: list[tuple[str, str]] = []
    for region in environment.target_regions:
        if region not in templates:
            raise CostError(
                f"no templates for {environment.name}/{region}; synthesize every target of the environment."
            )
        region_usage = usage.for_target(environment.name, region)
        context = PricingContext(environment, region, region_usage, catalog, node_schedules(templates[region]))
        commitment = ratios(catalog, region)
        resources = [
            Resource(stack, logical_id, body["Type"], body.get("Properties", {}), template.get("Resources", {}))
            for stack, template in templates[region].items()
            for logical_id, body in template.get("Resources", {}).items()
        ]
        if planned:
            extra = planned_resources(environment, region, region_usage, set(templates[region]))
            planned_stacks += sorted({(region, resource.stack) for resource in extra})
            resources += extra
        for resource in resources:
            priced = price_resource(resource, context)
            if priced is None or not priced[1]:
                free[resource.type] += 1  # free type, or a priced type whose configuration costs nothing
                continue
            category, charges = priced
            lines += [
                Line(
                    region,
                    resource.stack,
                    resource.logical_id,
                    resource.type,
                    charge.category or category,
                    charge,
                    resource.planned,
                    _committed(charge, commitment),
                )
                for charge in charges
            ]
    return Estimate(
        environment=environment.name,
        regions=environment.target_regions,
        lines=tuple(lines),
        budget_usd=environment.budget.monthly_limit_usd,
        document_estimate_usd=environment.budget.document_estimate_usd,
        free_types=dict(sorted(free.items())),
        planned_stacks=tuple(planned_stacks),
        usage_origin=usage.origin,
        catalog_as_of=catalog.as_of,
    )
