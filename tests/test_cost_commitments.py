"""On-demand and 1-year committed prices side by side (issue 15 item 2), by hand on a small template."""

from __future__ import annotations

from typing import Any

import pytest
from rich.console import Console

from genai_infra.config import ProjectConfig
from genai_infra.cost.catalog import load_catalog
from genai_infra.cost.estimate import Estimate, estimate
from genai_infra.cost.report import print_estimate, summary_table, to_json
from genai_infra.cost.usage import load_usage

TAIPEI, TOKYO = "ap-east-2", "ap-northeast-1"


def _production(config: ProjectConfig) -> Estimate:
    resources: dict[str, Any] = {
        "Nodes": {
            "Type": "AWS::EKS::Nodegroup",
            "Properties": {"InstanceTypes": ["t3.large"], "ScalingConfig": {"DesiredSize": 2}, "DiskSize": 20},
        },
        "SpotNodes": {
            "Type": "AWS::EKS::Nodegroup",
            "Properties": {
                "InstanceTypes": ["t3.large"],
                "CapacityType": "SPOT",
                "ScalingConfig": {"DesiredSize": 1},
                "DiskSize": 20,
            },
        },
        "Cache": {
            "Type": "AWS::ElastiCache::ReplicationGroup",
            "Properties": {"CacheNodeType": "cache.r6g.large", "NumCacheClusters": 2},
        },
        "Writer": {
            "Type": "AWS::RDS::DBInstance",
            "Properties": {"DBInstanceClass": "db.r6g.large", "Engine": "aurora-postgresql"},
        },
        "Kafka": {
            "Type": "AWS::MSK::Cluster",
            "Properties": {
                "NumberOfBrokerNodes": 3,
                "BrokerNodeGroupInfo": {
                    "InstanceType": "kafka.m7g.large",
                    "StorageInfo": {"EBSStorageInfo": {"VolumeSize": 100}},
                },
            },
        },
    }
    templates: dict[str, dict[str, Any]] = {region: {} for region in config.environments["production"].target_regions}
    templates[TOKYO] = {"Stack": {"Resources": resources}}
    return estimate(config.environments["production"], templates, load_usage(), load_catalog())


NODES = 2 * 730 * 0.1088  # On-Demand t3.large in Tokyo; Spot, disks and MSK stay at their price
CACHE = 2 * 730 * 0.273
AURORA = 730 * 0.313


def test_commitments_cover_on_demand_nodes_cache_nodes_and_aurora_instances(config: ProjectConfig) -> None:
    result = _production(config)
    on_demand = result.total_usd
    assert result.committed_total("document") == pytest.approx(on_demand - NODES * 0.37 - CACHE * 0.31)
    assert result.committed_total("reserved") == pytest.approx(on_demand - NODES * 0.37 - CACHE * 0.31 - AURORA * 0.31)
    assert result.committed_total("savings-plan") == pytest.approx(
        on_demand - NODES * 0.28 - CACHE * 0.31 - AURORA * 0.31
    )
    keys = [price.key for price in result.commitment_prices("reserved")]
    assert keys == ["commitment.aurora-reserved-1y", "commitment.ec2-reserved-1y", "commitment.elasticache-reserved-1y"]
    # MSK has no commitment: its lines cost the same in every scenario.
    msk = [line for line in result.lines if line.type == "AWS::MSK::Cluster"]
    assert all(line.committed_usd("reserved") == line.monthly_usd for line in msk)


def test_json_and_table_show_both(config: ProjectConfig) -> None:
    result = _production(config)
    payload = to_json(result)
    committed = payload["committed"]
    assert [item["scenario"] for item in committed] == ["document", "reserved", "savings-plan"]
    assert committed[1]["total_usd"] == round(result.committed_total("reserved"), 2)
    assert committed[1]["prices"][1]["source"] == "https://aws.amazon.com/ec2/pricing/reserved-instances/pricing/"
    assert committed[1]["prices"][1]["as_of"] == "2026-12-06"
    assert payload["on_demand_total_usd"] == payload["total_usd"]
    writer = next(line for line in payload["lines"] if line["logical_id"] == "Writer")
    assert writer["committed_usd"]["reserved"] == round(AURORA * 0.69, 4)
    console = Console(record=True, width=200)
    print_estimate(console, result, details=False)
    text = console.export_text()
    assert "on-demand" in text
    assert "1-yr reserved EC2 + cache + Aurora" in text
    assert f"{result.committed_total('reserved'):,.2f}" in text
    console = Console(record=True, width=200)
    console.print(summary_table([result]))
    assert f"{result.committed_total('document'):,.2f}" in console.export_text()
