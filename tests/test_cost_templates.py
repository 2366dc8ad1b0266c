"""The estimator over the session's synthesized templates of all seven targets (no extra synthesis)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from genai_infra.config import ProjectConfig, load_config
from genai_infra.cost.catalog import load_catalog
from genai_infra.cost.estimate import Estimate, estimate, templates_from_assemblies
from genai_infra.cost.report import to_json
from genai_infra.cost.rules import FREE, RULES, Category
from genai_infra.cost.usage import load_usage
from genai_infra.synth import synthesize
from genai_infra.targets import targets_of
from tests.conftest import ALL_TARGETS

TOKYO, TAIPEI, US_EAST_1 = "ap-northeast-1", "ap-east-2", "us-east-1"


def templates(assemblies: Any, config: ProjectConfig, environment: str) -> dict[str, dict[str, dict[str, Any]]]:
    targets = targets_of(config.environments[environment])
    return templates_from_assemblies([assemblies[(t.environment, t.region)] for t in targets])


def price(assemblies: Any, config: ProjectConfig, environment: str, *, planned: bool = False) -> Estimate:
    return estimate(
        config.environments[environment],
        templates(assemblies, config, environment),
        load_usage(),
        load_catalog(),
        planned=planned,
    )


@pytest.mark.parametrize(("environment", "region"), ALL_TARGETS)
def test_every_resource_type_of_every_template_is_priced_or_free(
    assemblies: Any, environment: str, region: str
) -> None:
    assembly = assemblies[(environment, region)]
    for stack, path in assembly.templates.items():
        for logical_id, body in json.loads(path.read_text())["Resources"].items():
            kind = body["Type"]
            assert kind in RULES or kind in FREE or kind.startswith("Custom::"), (
                f"{environment}/{region} {stack}/{logical_id}: {kind} is neither priced nor listed as free; "
                "add a rule in genai_infra/cost/rules/ or list it in genai_infra/cost/rules/free.py"
            )


def _network(
    nat_gb: float, endpoint_gb: float, flow_gb: float, flow_retention_days: int, *, endpoints: bool = True
) -> float:
    """NetworkStack of one region by hand, with Tokyo's prices (Taipei's derive from them at x1).

    Without interface endpoints (non-production, decision C12) their traffic goes through the NAT.
    """
    nat = 730 * 0.062 + (nat_gb if endpoints else nat_gb + endpoint_gb) * 0.062
    address = 730 * 0.005
    # ECR api, ECR dkr, logs, monitoring in 2 AZs
    interface = 4 * 2 * 730 * 0.014 + endpoint_gb * 0.01 if endpoints else 0.0
    flow_logs = flow_gb * 0.76 + flow_gb * flow_retention_days / 30 * 0.033
    return nat + address + interface + flow_logs


SECURITY = 6 * 1.00  # six customer managed keys (eks, rds, elasticache, msk, logs, secrets)
ORIGIN_SECRET = 2 * 0.40  # the primary region's origin-verify secret (S3) and health-check token (issue 16)

# The foundation stacks by hand, with the bundled usage file.
FOUNDATION = {
    "development": {
        (TOKYO, "NetworkStack"): _network(20, 10, 5, 30, endpoints=False),
        # Neither an msk key nor the origin secret without MSK and CloudFront (C12).
        (TOKYO, "SecurityStack"): SECURITY - 1.00,
    },
    "staging": {
        (TAIPEI, "NetworkStack"): _network(40, 20, 10, 90, endpoints=False),
        (TAIPEI, "SecurityStack"): SECURITY - 1.00,
    },
    "production": {
        (TAIPEI, "NetworkStack"): _network(100, 50, 30, 365),
        (TAIPEI, "SecurityStack"): SECURITY + ORIGIN_SECRET,
        (TOKYO, "NetworkStack"): _network(20, 10, 10, 365),
        (TOKYO, "SecurityStack"): SECURITY,
    },
}
# Every stack of every target, as measured with the bundled catalog and usage file. These move
# when a stack or a price changes: update them together with the numbers in the closing note.
TOTALS = {"development": 304.3, "staging": 495.62, "production": 4787.77}


@pytest.mark.parametrize("environment", ["development", "staging", "production"])
def test_totals_of_todays_templates_with_the_default_usage(
    assemblies: Any, config: ProjectConfig, environment: str
) -> None:
    result = price(assemblies, config, environment)
    for key, amount in FOUNDATION[environment].items():
        assert result.by_stack[key] == pytest.approx(amount, abs=1e-9), key
    assert result.total_usd == pytest.approx(sum(result.by_stack.values()), abs=1e-9)
    assert round(result.total_usd, 2) == TOTALS[environment]
    assert result.budget_usd == config.environments[environment].budget.monthly_limit_usd
    assert result.document_estimate_usd == {"development": 150, "staging": 300, "production": 800}[environment]
    assert not result.planned_stacks


def test_hand_totals_match_the_known_figures() -> None:
    # The hand formula itself, checked once against numbers worked out on paper.
    assert round(_network(20, 10, 5, 30) + SECURITY, 3) == 141.975
    assert round(_network(40, 20, 10, 90) + SECURITY, 2) == 147.94


@pytest.mark.parametrize("environment", ["development", "staging", "production"])
def test_every_planned_stack_now_has_a_template(assemblies: Any, config: ProjectConfig, environment: str) -> None:
    # The planned view prices from configuration only what no template holds yet: nothing, now.
    result = price(assemblies, config, environment, planned=True)
    assert result.planned_stacks == ()
    assert round(result.total_usd, 2) == TOTALS[environment]


def test_production_categories_by_hand(assemblies: Any, config: ProjectConfig) -> None:
    result = price(assemblies, config, "production")
    by_category = {category: round(amount, 2) for category, amount in result.by_category.items()}
    # Aurora: 4 x db.r6g.large (730 h x 0.313), storage 2 x 100 GB x 0.12, I/O (200 + 20) M x 0.24,
    # backups 2 x 100 GB x 2 % x 29 days x 0.023.
    assert by_category[Category.AURORA] == round(4 * 730 * 0.313 + 2 * 12 + 220 * 0.24 + 2 * 58 * 0.023, 2)
    # ElastiCache: 3 + 2 cache.r6g.large nodes; snapshots beyond the free one (30 and 7 days) x 5 GB x 0.085.
    assert by_category[Category.ELASTICACHE] == round(5 * 730 * 0.273 + (29 + 6) * 5 * 0.085, 2)
    # MSK: 6 x kafka.m7g.large, 6 x 100 GB, one replicator (hours and data).
    assert by_category[Category.MSK] == round(6 * 730 * 0.2448 + 600 * 0.12 + 219 + 8, 2)


def test_a_synthesized_stack_replaces_its_plan(assemblies: Any, config: ProjectConfig) -> None:
    data = templates(assemblies, config, "staging")
    rds = {
        "Resources": {
            "Writer": {
                "Type": "AWS::RDS::DBInstance",
                "Properties": {"DBInstanceClass": "db.t4g.medium", "Engine": "aurora-postgresql"},
            }
        }
    }
    data[TAIPEI]["RdsStack"] = rds
    result = estimate(config.environments["staging"], data, load_usage(), load_catalog(), planned=True)
    assert (TAIPEI, "RdsStack") not in result.planned_stacks
    rds_lines = [line for line in result.lines if line.stack == "RdsStack"]
    assert [(line.planned, round(line.monthly_usd, 2)) for line in rds_lines] == [(False, round(730 * 0.094, 2))]


def test_what_if_one_fewer_dr_reader_saves_one_instance(assemblies: Any, config: ProjectConfig, tmp_path: Any) -> None:
    # A configuration change reaches the price through a new synthesis of the region it changes.
    changed = load_config(
        overrides=['environments.production.regions.ap-northeast-1.aurora.reader_instance_classes=["db.r6g.large"]']
    )
    (tokyo,) = [t for t in targets_of(changed.environments["production"]) if t.region == TOKYO]
    data = templates(assemblies, config, "production")
    data.update(templates_from_assemblies([synthesize(changed, tokyo, tmp_path)]))
    before = price(assemblies, config, "production")
    after = estimate(changed.environments["production"], data, load_usage(), load_catalog())
    assert round(before.total_usd - after.total_usd, 2) == round(730 * 0.313, 2)


def test_derived_prices_are_reported_with_the_amount_resting_on_them(assemblies: Any, config: ProjectConfig) -> None:
    result = price(assemblies, config, "staging")
    derived = [(price.key, round(amount, 2)) for price, amount in result.caveats if price.derived_from]
    assert ("vpc.nat-gateway", 45.26) in derived
    assert all(price.region == TAIPEI for price, _ in result.caveats)
    assert to_json(result)["caveats"][0]["caveat"] == "derived from ap-northeast-1 x 1"


def test_the_estimate_is_deterministic(assemblies: Any, config: ProjectConfig) -> None:
    first = json.dumps(to_json(price(assemblies, config, "production", planned=True)))
    second = json.dumps(to_json(price(assemblies, config, "production", planned=True)))
    assert first == second


def test_production_on_demand_includes_the_charges_the_first_estimator_missed(
    assemblies: Any, config: ProjectConfig
) -> None:
    result = price(assemblies, config, "production")

    def amount(region: str, stack: str, description: str) -> float:
        found = [
            line.monthly_usd
            for line in result.lines
            if (line.region, line.stack) == (region, stack) and line.charge.description.startswith(description)
        ]
        assert found, (region, stack, description)
        return round(sum(found), 4)

    for region in (TAIPEI, TOKYO):
        # 3 brokers x 40 metrics x 0.30; two load balancer nodes x 730 h x 0.005.
        assert amount(region, "MSKStack", "PER_BROKER monitoring") == 36.0
        assert amount(region, "EKSStack", "public IPv4 addresses of 2 load balancer nodes") == 7.3
        assert amount(region, "EKSStack", "Container Insights (enhanced)") > 0
        assert amount(region, "EKSStack", "container logs") == round(10 * 0.76, 4)
    # The reservoir's 2.628 M traces and 10 % of the other 27.372 M requests.
    assert amount(TAIPEI, "EKSStack", "X-Ray traces: reservoir") == round((2.628 + 2.7372) * 5, 4)
    # Grafana users where the workspace is (Tokyo): 2 editors x 9 + 3 viewers x 5.
    assert amount(TOKYO, "ObservabilityStack", "2 editors") + amount(TOKYO, "ObservabilityStack", "3 viewers") == 33
    # WAF and CloudFront: 30 M requests x 1.1 KB each = 33 GB of vended logs at 0.50.
    assert amount(US_EAST_1, "EdgeStack", "log ingestion 33 GB") == 2 * 16.5
    # AWS Backup at the Aurora and EBS rates; ElastiCache snapshots beyond the free one; Firehose from MSK.
    assert amount(TAIPEI, "DisasterRecoveryStack", "Aurora recovery points 100 GB") == round(100 * 0.023, 4)
    assert amount(TAIPEI, "DisasterRecoveryStack", "EBS recovery points 50 GB") == round(50 * 0.05, 4)
    assert amount(TAIPEI, "ElastiCacheStack", "backup storage: 29 snapshots") == round(29 * 5 * 0.085, 4)
    assert amount(TAIPEI, "AnalyticsStack", "30 GB read from MSK") == round(30 * 0.055, 4)
