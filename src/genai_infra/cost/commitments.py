"""What the estimate costs under 1-year commitments, beside On-Demand.

A rule marks each charge a commitment can cover (`Charge.commitment`: "ec2", "elasticache" or
"aurora"); a scenario says which commitment buys each kind, and the catalog holds each
commitment's price as a share of the On-Demand price it replaces, sourced and dated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from genai_infra.cost.catalog import Price, PriceCatalog


@dataclass(frozen=True)
class Scenario:
    name: str
    label: str
    keys: Mapping[str, str]  # charge commitment kind -> catalog key of its price ratio


SCENARIOS = (
    Scenario(
        "document",
        "1-yr reserved EC2 + cache (document)",
        {"ec2": "commitment.ec2-reserved-1y", "elasticache": "commitment.elasticache-reserved-1y"},
    ),
    Scenario(
        "reserved",
        "1-yr reserved EC2 + cache + Aurora",
        {
            "ec2": "commitment.ec2-reserved-1y",
            "elasticache": "commitment.elasticache-reserved-1y",
            "aurora": "commitment.aurora-reserved-1y",
        },
    ),
    Scenario(
        "savings-plan",
        "1-yr Savings Plan EC2, reserved rest",
        {
            "ec2": "commitment.ec2-savings-plan-1y",
            "elasticache": "commitment.elasticache-reserved-1y",
            "aurora": "commitment.aurora-reserved-1y",
        },
    ),
)


def ratios(catalog: PriceCatalog, region: str) -> dict[str, dict[str, Price]]:
    """{scenario name: {commitment kind: its price ratio}} for one region."""
    return {
        scenario.name: {kind: catalog.price(key, region) for kind, key in scenario.keys.items()}
        for scenario in SCENARIOS
    }
