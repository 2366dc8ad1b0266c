"""Readable reports (issue 15 item 6): free types behind --details, what-if side by side, bars against the budget."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console

from genai_infra.config import ProjectConfig
from genai_infra.cost.catalog import load_catalog
from genai_infra.cost.estimate import Estimate, estimate
from genai_infra.cost.report import print_estimate, what_if_table, write_chart
from genai_infra.cost.usage import load_usage

TOKYO = "ap-northeast-1"


def _development(config: ProjectConfig, nodes: int) -> Estimate:
    resources: dict[str, Any] = {
        "Nodes": {
            "Type": "AWS::EKS::Nodegroup",
            "Properties": {"InstanceTypes": ["t3.small"], "ScalingConfig": {"DesiredSize": nodes}, "DiskSize": 20},
        },
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {}},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
    }
    environment = config.environments["development"]
    templates: dict[str, dict[str, Any]] = {region: {} for region in environment.target_regions}
    templates[TOKYO] = {"EKSStack": {"Resources": resources}}
    return estimate(environment, templates, load_usage(), load_catalog())


def text_of(render: Any) -> str:
    console = Console(record=True, width=200)
    render(console)
    return console.export_text()


def test_free_types_are_listed_only_with_details(config: ProjectConfig) -> None:
    result = _development(config, 2)
    brief = text_of(lambda c: print_estimate(c, result, details=False))
    assert "AWS::EC2::VPC x1" not in brief
    assert "2 resources of 2 types are free on purpose (--details lists them)" in brief
    full = text_of(lambda c: print_estimate(c, result, details=True))
    assert "free on purpose: AWS::EC2::VPC x1, AWS::IAM::Role x1" in full


def test_what_if_shows_baseline_and_change_side_by_side(config: ProjectConfig) -> None:
    before, after = _development(config, 2), _development(config, 1)
    text = text_of(
        lambda c: c.print(what_if_table(before, after, ["regions.ap-northeast-1.eks.node_group.desired_size=1"]))
    )
    assert "regions.ap-northeast-1.eks.node_group.desired_size=1" in " ".join(text.split())
    node = 730 * 0.0272 + 20 * 0.096
    row = next(line for line in text.splitlines() if "EKS + EC2" in line)
    assert f"{2 * node:,.2f}" in row
    assert f"{node:,.2f}" in row
    assert f"-{node:,.2f}" in row


def test_the_chart_draws_bars_against_the_budget_and_names_the_what_if(
    config: ProjectConfig, tmp_path: Path, monkeypatch: Any
) -> None:
    from matplotlib.axes import Axes

    drawn: dict[str, Any] = {"barh": [], "axvline": [], "title": []}
    for name in drawn:
        original = getattr(Axes, {"title": "set_title"}.get(name, name))

        def spy(self: Any, *args: Any, _original: Any = original, _name: str = name, **kwargs: Any) -> Any:
            drawn[_name].append(args)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Axes, {"title": "set_title"}.get(name, name), spy)
    before, after = _development(config, 2), _development(config, 1)
    path = tmp_path / "chart.png"
    write_chart(after, path, baseline=before, label="desired_size=1")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert drawn["axvline"] == [(200.0,)]  # the budget line
    assert drawn["barh"][0][0] == ["what-if: desired_size=1", "baseline"]
    assert "what-if desired_size=1" in drawn["title"][0][0]
