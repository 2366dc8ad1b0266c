"""The README tells the truth about what the code does: its rule list and its cost table."""

from __future__ import annotations

from pathlib import Path

from genai_infra.preflight import RULES
from tests.test_cost_templates import TOTALS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_preflight_rule_is_listed_with_its_summary() -> None:
    rows = {
        line.split("|")[1].strip(): line.split("|")[2].strip()
        for line in README.splitlines()
        if line.startswith("| PF")
    }
    assert rows == {rule_id: rule.summary for rule_id, rule in RULES.items()}


def test_the_cost_table_shows_the_measured_totals() -> None:
    section = README.split("## What it costs", 1)[1].split("\n## ", 1)[0]
    for environment, total in TOTALS.items():
        (row,) = [line for line in section.splitlines() if line.startswith(f"| {environment} | ")]
        assert row.split("|")[2].strip() == f"{total:,.2f}", environment
