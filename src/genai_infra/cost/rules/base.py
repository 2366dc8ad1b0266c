"""What every pricing rule works with: the resource, its charges, the pricing context and helpers.

A rule reads what the template states literally (instance classes, counts, retention) and falls back
to the typed configuration only where the template holds a token (Ref, Fn::GetAtt, an SSM dynamic
reference); the usage file supplies what no template can state (traffic, GB, hours).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from genai_infra.config import EnvironmentConfig, RegionConfig
from genai_infra.cost.catalog import CostError, Price, PriceCatalog
from genai_infra.cost.schedules import ScaleEvent
from genai_infra.cost.usage import Usage


class Category(StrEnum):
    """The cost categories of the specification's cost distribution chart, in its order."""

    EKS_EC2 = "EKS + EC2"
    AURORA = "RDS Aurora"
    ELASTICACHE = "ElastiCache"
    MSK = "MSK"
    DATA_TRANSFER = "Data transfer + network"
    MONITORING = "Monitoring"
    DNS = "Route 53/DNS"
    OTHER = "Other"


@dataclass(frozen=True)
class Resource:
    """One resource of a template (or of the planned view), with its template for look-ups."""

    stack: str
    logical_id: str
    type: str
    properties: Mapping[str, Any]
    siblings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    planned: bool = False

    def sibling(self, reference: Any) -> Mapping[str, Any] | None:
        """The properties of the resource a `Ref` / `Fn::GetAtt` points at, in the same template."""
        target = None
        if isinstance(reference, Mapping):
            if "Ref" in reference:
                target = reference["Ref"]
            elif "Fn::GetAtt" in reference:
                target = reference["Fn::GetAtt"][0]
        found = self.siblings.get(target) if isinstance(target, str) else None
        return found.get("Properties", {}) if found is not None else None

    def count_of(self, resource_type: str) -> int:
        return sum(1 for item in self.siblings.values() if item.get("Type") == resource_type)


@dataclass(frozen=True)
class Charge:
    """quantity x unit price per month; `prices` says where each factor of the unit price comes from."""

    description: str
    quantity: float
    unit: str
    unit_usd: float
    prices: tuple[Price, ...]
    category: Category | None = None  # None: the category of the resource type
    # The commitment (reserved instance, savings plan) that can cover this charge, if any.
    commitment: str | None = None

    @property
    def monthly_usd(self) -> float:
        return self.quantity * self.unit_usd


@dataclass(frozen=True)
class PricingContext:
    environment: EnvironmentConfig
    region: str
    usage: Usage
    catalog: PriceCatalog
    # Off-hours scale events of the region's templates, by node group name (genai_infra.cost.schedules).
    schedules: Mapping[str, list[ScaleEvent]] = field(default_factory=dict)

    @property
    def region_config(self) -> RegionConfig | None:
        return self.environment.regions.get(self.region)

    def price(self, key: str) -> Price:
        return self.catalog.price(key, self.region)

    def charge(
        self,
        description: str,
        quantity: float,
        key: str,
        category: Category | None = None,
        commitment: str | None = None,
    ) -> Charge:
        price = self.price(key)
        return Charge(description, quantity, price.unit, price.usd, (price,), category, commitment)

    def serving(self, resource: Resource, what: str) -> RegionConfig:
        config = self.region_config
        if config is None:
            raise CostError(
                f"{resource.stack}/{resource.logical_id} ({resource.type}) in {self.region}: {what} is a token "
                f"and {self.region} is not a serving region of {self.environment.name} with a configuration for it."
            )
        return config


def is_token(value: Any) -> bool:
    """An intrinsic function or a dynamic reference: its value is only known at deploy time."""
    if isinstance(value, Mapping):
        return len(value) == 1 and next(iter(value)).startswith(("Ref", "Fn::"))
    return isinstance(value, str) and ("{{resolve:" in value or "${Token[" in value)


def literal(properties: Mapping[str, Any], *path: str) -> Any:
    """The value at `path` when the template states it literally, else None (absent or a token)."""
    value: Any = properties
    for key in path:
        if not isinstance(value, Mapping) or is_token(value) or key not in value:
            return None
        value = value[key]
    return None if is_token(value) else value


def number(properties: Mapping[str, Any], *path: str) -> float | None:
    value = literal(properties, *path)
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


Rule = Callable[[Resource, PricingContext], list[Charge]]


def transfer(ctx: PricingContext, what: str, gb: float) -> Charge:
    return ctx.charge(
        f"{what}: {gb:g} GB to the other region (usage file)", gb, "transfer.inter-region", Category.DATA_TRANSFER
    )
