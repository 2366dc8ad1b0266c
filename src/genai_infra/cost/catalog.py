"""The bundled price catalog (`prices.toml`): one price per key and region, with unit and source.

A missing price is an error naming the key and region, never a zero. Regions listed under
`[derived]` take another region's price times a factor, and every such price says so.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

GLOBAL = "global"


class CostError(ValueError):
    """Something the estimator cannot price; the message names the resource, key or region."""


@dataclass(frozen=True)
class Price:
    key: str
    region: str
    usd: float
    unit: str
    source: str
    as_of: str
    approximate: bool = False
    derived_from: str | None = None
    factor: float = 1.0

    @property
    def caveat(self) -> str | None:
        """Why this number deserves less trust than a verified list price, if it does."""
        if self.derived_from:
            return f"derived from {self.derived_from} x {self.factor:g}"
        if self.approximate:
            return "approximate list price"
        return None


@dataclass(frozen=True)
class Derivation:
    region: str
    source_region: str
    factor: float
    reason: str


class PriceCatalog:
    def __init__(self, data: dict[str, Any]) -> None:
        self.as_of: str = data["as_of"]
        self.currency: str = data["currency"]
        self.entries: dict[str, dict[str, Any]] = data["price"]
        self.derivations = {
            region: Derivation(region, spec["from"], float(spec["factor"]), spec["reason"])
            for region, spec in data.get("derived", {}).items()
        }

    def price(self, key: str, region: str) -> Price:
        entry = self.entries.get(key)
        if entry is None:
            raise CostError(f"the price catalog has no entry {key!r}; add it to genai_infra/cost/prices.toml.")
        regions: dict[str, float] = entry["regions"]
        approximate: list[str] = entry.get("approximate", [])
        as_of = entry.get("as_of", self.as_of)
        for candidate in (region, GLOBAL):
            if candidate in regions:
                return Price(
                    key,
                    region,
                    float(regions[candidate]),
                    entry["unit"],
                    entry["source"],
                    as_of,
                    approximate=candidate in approximate,
                )
        derivation = self.derivations.get(region)
        if derivation is not None and derivation.source_region in regions:
            return Price(
                key,
                region,
                round(float(regions[derivation.source_region]) * derivation.factor, 6),
                entry["unit"],
                entry["source"],
                as_of,
                approximate=derivation.source_region in approximate,
                derived_from=derivation.source_region,
                factor=derivation.factor,
            )
        raise CostError(f"the price catalog has no price {key!r} for {region}; add it to genai_infra/cost/prices.toml.")


@cache
def load_catalog() -> PriceCatalog:
    text = resources.files("genai_infra.cost").joinpath("prices.toml").read_text(encoding="utf-8")
    return PriceCatalog(tomllib.loads(text))
