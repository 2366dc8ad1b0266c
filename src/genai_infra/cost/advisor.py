"""The budget advisor (decision C13): what an environment over its budget could change, and at what price.

Each candidate is a real configuration assignment (`--set environments.<env>.<key>=<value>`); its
saving is measured by re-pricing the changed configuration with a caller-supplied function (the
CLI synthesizes and prices; tests may price the planned view), never guessed. Candidates that the
configuration refuses are left out. A candidate either keeps the design as the document describes
it (`gives_up` is None) or names the requirement of the document it gives up.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from genai_infra.config import EnvironmentConfig, catalog
from genai_infra.cost.catalog import CostError, PriceCatalog
from genai_infra.cost.estimate import Estimate

# Environment-relative assignments -> the estimate of the changed configuration. Raises
# ValueError (ConfigError, CostError) when the configuration refuses the change.
Reprice = Callable[[Sequence[str]], Estimate]


@dataclass(frozen=True)
class Change:
    key: str  # relative to environments.<env>
    value: str  # as `--set` takes it
    gives_up: str | None  # the document's requirement this gives up; None keeps the design faithful

    @property
    def assignment(self) -> str:
        return f"{self.key}={self.value}"

    def set_option(self, environment: str) -> str:
        return f"--set 'environments.{environment}.{self.assignment}'"


@dataclass(frozen=True)
class Advice:
    change: Change
    saving_usd: float


@dataclass(frozen=True)
class BudgetAdvice:
    environment: str
    budget_usd: float
    total_usd: float
    ranked: tuple[Advice, ...]  # largest saving first
    floor_usd: float  # the faithful design at its cheapest
    floor_drivers: tuple[tuple[str, float], ...]
    fitting: tuple[Advice, ...] | None  # changes that together bring it under budget (re-priced), if any
    fitting_total_usd: float | None

    @property
    def over_budget(self) -> bool:
        return self.total_usd > self.budget_usd

    @property
    def faithful_fits(self) -> bool:
        return self.floor_usd <= self.budget_usd

    def sentence(self) -> str:
        """The plain answer: fits, fits only by giving something up, or cannot fit."""
        budget = f"{self.budget_usd:,.2f} USD"
        if not self.over_budget:
            return f"{self.environment} is within its {budget} budget ({self.total_usd:,.2f} USD)."
        if self.faithful_fits:
            return (
                f"{self.environment} fits its {budget} budget without giving up a requirement of the document: "
                f"the faithful design can cost {self.floor_usd:,.2f} USD."
            )
        drivers = ", ".join(f"{name} ({usd:,.2f})" for name, usd in self.floor_drivers[:3])
        share = 100 * self.floor_usd / self.budget_usd
        verdict = (
            f"No faithful configuration fits the {budget} budget of {self.environment}: the design as the document "
            f"describes it costs at least {self.floor_usd:,.2f} USD a month ({share:.0f} % of the budget), "
            f"driven by {drivers}."
        )
        if self.fitting is not None and self.fitting_total_usd is not None:
            return verdict + (
                f" Giving up {len([a for a in self.fitting if a.change.gives_up])} requirement(s) below brings it to "
                f"{self.fitting_total_usd:,.2f} USD."
            )
        return verdict + " Not even every change below together brings it under the budget."


def _cheaper(current: str, choices: Sequence[str], prices: PriceCatalog, prefix: str, region: str) -> str | None:
    """The dearest priced choice of the same family below the current one's price: one size down."""
    family = current.rsplit(".", 1)[0]

    def usd(name: str) -> float | None:
        try:
            return prices.price(f"{prefix}{name}", region).usd
        except CostError:
            return None

    now = usd(current)
    if now is None:
        return None
    cheaper = [
        (price, name)
        for name in choices
        if name.rsplit(".", 1)[0] == family and (price := usd(name)) is not None and price < now
    ]
    return max(cheaper)[1] if cheaper else None


def candidates(environment: EnvironmentConfig, prices: PriceCatalog) -> list[Change]:
    """The configuration changes worth pricing for this environment, each a real configuration key."""
    production = environment.name == "production"
    changes: list[Change] = []
    if not production and not environment.off_hours.enabled:
        changes.append(Change("off_hours.enabled", "true", None))
    if environment.observability.grafana:
        changes.append(Change("observability.grafana", "false", "Managed Grafana dashboards of the monitoring design"))
    if environment.observability.xray_sampling_rate > 0.05:
        changes.append(Change("observability.xray_sampling_rate", "0.05", "the cost section's 10 % X-Ray sampling"))
    # Stacks the environment could go without (decision C12), each a requirement of the document.
    if not production and environment.stacks.observability:
        changes.append(Change("stacks.observability", "false", "the document's ObservabilityStack of staging"))
    if not production and environment.stacks.elasticache:
        changes.append(Change("stacks.elasticache", "false", "the environment matrix's single-node Redis"))
    for name, region in environment.regions.items():
        at = f"regions.{name}"
        eks, group = region.eks, region.eks.node_group
        if not production and eks.spot_percent < 30:
            changes.append(Change(f"{at}.eks.spot_percent", "30", None))
        if not production and eks.spot_percent < 100:
            changes.append(
                Change(
                    f"{at}.eks.spot_percent",
                    "100",
                    "the cost section's 30 % Spot share (all Spot: one reclaim can stop every node)",
                )
            )
        smaller = _cheaper(group.instance_types[0], sorted(catalog.EC2_NODE_TYPES), prices, "ec2.", name)
        if smaller:
            changes.append(
                Change(
                    f"{at}.eks.node_group.instance_types",
                    json.dumps([smaller]),
                    f"the environment matrix's {group.instance_types[0]} nodes",
                )
            )
        if group.desired_size - 1 >= max(group.min_size, 1):
            changes.append(
                Change(
                    f"{at}.eks.node_group.desired_size",
                    str(group.desired_size - 1),
                    f"the environment matrix's {group.desired_size} nodes",
                )
            )
        aurora = region.aurora
        if aurora.writer_instance_class:
            smaller = _cheaper(
                aurora.writer_instance_class,
                sorted(catalog.AURORA_POSTGRES_CLASSES),
                prices,
                "rds.aurora-postgresql.",
                name,
            )
            if smaller:
                changes.append(
                    Change(
                        f"{at}.aurora.writer_instance_class",
                        smaller,
                        f"the Aurora writer class of the design ({aurora.writer_instance_class})",
                    )
                )
        if aurora.reader_instance_classes:
            fewer = json.dumps(list(aurora.reader_instance_classes[:-1]))
            changes.append(Change(f"{at}.aurora.reader_instance_classes", fewer, "an Aurora reader of the design"))
        if production and aurora.backup_retention_days > 7:
            changes.append(Change(f"{at}.aurora.backup_retention_days", "7", "30 days of Aurora backups in production"))
        if region.network.interface_endpoints:
            changes.append(
                Change(f"{at}.network.interface_endpoints", "false", "the cost section's interface VPC endpoints")
            )
        # Only the data services the environment runs (decision C12) have anything to save.
        if environment.has("ElastiCacheStack"):
            redis = region.redis
            smaller = _cheaper(redis.node_type, sorted(catalog.CACHE_NODE_TYPES), prices, "elasticache.", name)
            if smaller:
                changes.append(
                    Change(f"{at}.redis.node_type", smaller, f"the cache node type of the design ({redis.node_type})")
                )
            if redis.replicas > 0:
                changes.append(
                    Change(f"{at}.redis.replicas", "0", "Multi-AZ Redis with replicas (1 primary + 2 replicas)")
                )
        if environment.has("MSKStack"):
            msk = region.msk
            if msk.enhanced_monitoring != "DEFAULT":
                # The document asks for no broker-level metrics: the free DEFAULT level keeps the design.
                changes.append(Change(f"{at}.msk.enhanced_monitoring", "DEFAULT", None))
            smaller = _cheaper(msk.broker_instance_type, sorted(catalog.MSK_BROKER_TYPES), prices, "msk.", name)
            if smaller:
                changes.append(
                    Change(
                        f"{at}.msk.broker_instance_type",
                        smaller,
                        f"the broker type of the design ({msk.broker_instance_type})",
                    )
                )
    return changes


def advise(environment: EnvironmentConfig, current: Estimate, reprice: Reprice, prices: PriceCatalog) -> BudgetAdvice:
    """Price each candidate alone, the faithful floor (every faithful change at once), and a set that fits."""
    base = current.total_usd
    ranked: list[Advice] = []
    for change in candidates(environment, prices):
        try:
            changed = reprice([change.assignment])
        except ValueError:
            continue  # the configuration refuses this change (e.g. a node type too small for a feature)
        saving = base - changed.total_usd
        if saving > 0.005:
            ranked.append(Advice(change, saving))
    ranked.sort(key=lambda advice: (-advice.saving_usd, advice.change.assignment))
    faithful = [advice.change.assignment for advice in ranked if advice.change.gives_up is None]
    floor = current
    if faithful:
        try:
            floor = min(reprice(faithful), current, key=lambda result: result.total_usd)
        except ValueError:
            floor = current  # the faithful changes do not combine; the design as configured is its own floor
    fitting: tuple[Advice, ...] | None = None
    fitting_total: float | None = None
    if base > current.budget_usd:
        # Faithful changes first, then the largest savings, until the sum of savings says it fits; then
        # the chosen set is re-priced together, because savings do not always add up.
        chosen: list[Advice] = []
        keys: set[str] = set()
        order = sorted(ranked, key=lambda advice: (advice.change.gives_up is not None, -advice.saving_usd))
        for advice in order:
            if advice.change.key in keys:
                continue
            chosen.append(advice)
            keys.add(advice.change.key)
            if base - sum(item.saving_usd for item in chosen) <= current.budget_usd:
                break
        if chosen:
            try:
                together = reprice([advice.change.assignment for advice in chosen])
            except ValueError:
                together = None
            if together is not None and together.total_usd <= current.budget_usd:
                fitting, fitting_total = tuple(chosen), together.total_usd
    return BudgetAdvice(
        environment=environment.name,
        budget_usd=current.budget_usd,
        total_usd=base,
        ranked=tuple(ranked),
        floor_usd=floor.total_usd,
        floor_drivers=tuple(floor.drivers(5)),
        fitting=fitting,
        fitting_total_usd=fitting_total,
    )
