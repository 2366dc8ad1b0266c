"""The budget advisor (decision C13), re-pricing with the planned view so that no synthesis is needed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from rich.console import Console

from genai_infra.config import load_config
from genai_infra.cost.advisor import advise, candidates
from genai_infra.cost.catalog import CostError, load_catalog
from genai_infra.cost.estimate import Estimate, estimate
from genai_infra.cost.report import advice_json, print_advice
from genai_infra.cost.usage import load_usage


def repricer(environment: str, extra: Sequence[str] = ()) -> Any:
    def reprice(assignments: Sequence[str]) -> Estimate:
        config = load_config(overrides=[*extra, *(f"environments.{environment}.{a}" for a in assignments)])
        env = config.environments[environment]
        return estimate(env, {region: {} for region in env.target_regions}, load_usage(), load_catalog(), planned=True)

    return reprice


def test_every_candidate_is_a_key_the_configuration_accepts() -> None:
    config = load_config()
    for name, environment in config.environments.items():
        for change in candidates(environment, load_catalog()):
            load_config(overrides=[f"environments.{name}.{change.assignment}"])  # raises if refused
            assert change.gives_up is None or change.gives_up.strip(), change


def test_development_is_ranked_with_savings_by_re_pricing_and_no_faithful_configuration_fits() -> None:
    reprice = repricer("development")
    current = reprice([])
    environment = load_config().environments["development"]
    advice = advise(environment, current, reprice, load_catalog())
    assert advice.over_budget
    by_key = {item.change.assignment: item for item in advice.ranked}
    # PER_BROKER -> DEFAULT drops 3 brokers x 40 metrics x 0.30 and keeps the design.
    monitoring = by_key["regions.ap-northeast-1.msk.enhanced_monitoring=DEFAULT"]
    assert monitoring.saving_usd == pytest.approx(36.0)
    assert monitoring.change.gives_up is None
    savings = [item.saving_usd for item in advice.ranked]
    assert savings == sorted(savings, reverse=True)
    # The faithful floor is the estimate with every faithful change, re-priced together.
    assert advice.floor_usd == pytest.approx(current.total_usd - 36.0)
    assert advice.floor_drivers[0][0] == "ap-northeast-1 MSKStack: 3 x kafka.t3.small brokers"
    assert not advice.faithful_fits
    assert advice.sentence().startswith("No faithful configuration fits the 200.00 USD budget of development")
    assert advice_json(advice)["changes"][0]["set"].startswith("environments.development.")


def test_a_budget_the_changes_can_meet_lists_a_re_priced_set_that_fits() -> None:
    reprice = repricer("production")
    current = reprice([])
    environment = load_config().environments["production"]
    relaxed = environment.model_copy(
        update={"budget": environment.budget.model_copy(update={"monthly_limit_usd": current.total_usd - 500})}
    )
    current_relaxed = Estimate(**{**current.__dict__, "budget_usd": current.total_usd - 500})
    advice = advise(relaxed, current_relaxed, reprice, load_catalog())
    assert advice.fitting is not None
    assert advice.fitting_total_usd is not None
    assert advice.fitting_total_usd <= current.total_usd - 500
    assert any(item.change.gives_up for item in advice.fitting)
    console = Console(record=True, width=250)
    print_advice(console, advice)
    text = console.export_text()
    assert "fits the budget" in text
    assert "--set 'environments.production." in text


def test_within_budget_says_so_in_one_sentence() -> None:
    reprice = repricer("development", ["environments.development.budget.monthly_limit_usd=5000"])
    current = reprice([])
    environment = load_config(overrides=["environments.development.budget.monthly_limit_usd=5000"]).environments[
        "development"
    ]
    advice = advise(environment, current, reprice, load_catalog())
    assert not advice.over_budget
    assert advice.sentence() == f"development is within its 5,000.00 USD budget ({current.total_usd:,.2f} USD)."


def test_a_refused_candidate_is_left_out() -> None:
    reprice = repricer("development")
    current = reprice([])

    def refusing(assignments: Sequence[str]) -> Estimate:
        if any("enhanced_monitoring" in item for item in assignments):
            raise CostError("refused")
        return reprice(assignments)

    advice = advise(load_config().environments["development"], current, refusing, load_catalog())
    assert all("enhanced_monitoring" not in item.change.assignment for item in advice.ranked)
