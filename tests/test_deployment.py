"""The deployment planner: waves, their order across regions, and what the templates need of it."""

from __future__ import annotations

import json
from collections import Counter
from graphlib import CycleError
from pathlib import Path
from typing import Any

import pytest

from genai_infra.config import ProjectConfig
from genai_infra.deployment import (
    Need,
    PlanError,
    Wave,
    approval_level,
    check_selection,
    cross_region_needs,
    deploy_command,
    plan_waves,
    resume_from,
    retained_resources,
    unsatisfied,
)
from genai_infra.deployment_assemblies import ordering_problems, templates_of
from genai_infra.phases import DEPENDS_ON, PHASE_OF
from genai_infra.targets import stacks_of, targets_of


def waves_of(config: ProjectConfig, environment: str) -> list[Wave]:
    return plan_waves(targets_of(config.environments[environment]))


def labels(waves: list[Wave]) -> list[str]:
    return [wave.label for wave in waves]


def test_development_waves(config: ProjectConfig) -> None:
    # Decision C12: no MSK, monitoring, failover, edge or AWS Backup stacks in development.
    assert labels(waves_of(config, "development")) == [
        "phase 1 ap-northeast-1: SecurityStack, CertificateStack",
        "phase 1 ap-northeast-1: NetworkStack",
        "phase 2 ap-northeast-1: RdsStack, ElastiCacheStack",
        "phase 3 ap-northeast-1: EKSStack",
        "phase 6 ap-northeast-1: CostOptimizationStack",
        "phase 6 us-east-1: CostOptimizationStack",
    ]


def test_staging_waves(config: ProjectConfig) -> None:
    assert labels(waves_of(config, "staging")) == [
        "phase 1 ap-east-2: SecurityStack, CertificateStack",
        "phase 1 ap-east-2: NetworkStack",
        "phase 2 ap-east-2: RdsStack, ElastiCacheStack",
        "phase 3 ap-east-2: EKSStack",
        "phase 4 ap-east-2: ObservabilityStack",
        "phase 6 ap-east-2: CostOptimizationStack",
        "phase 6 us-east-1: CostOptimizationStack",
    ]


def test_production_waves_go_phase_by_phase_primary_secondary_then_us_east_1(config: ProjectConfig) -> None:
    assert labels(waves_of(config, "production")) == [
        "phase 1 ap-east-2: SecurityStack, CertificateStack",
        "phase 1 ap-east-2: NetworkStack",
        "phase 1 ap-northeast-1: SecurityStack, CertificateStack",
        "phase 1 ap-northeast-1: NetworkStack",
        "phase 1 us-east-1: CertificateStack",
        "phase 2 ap-east-2: RdsStack, ElastiCacheStack, MSKStack",
        "phase 2 ap-northeast-1: RdsStack, ElastiCacheStack, MSKStack",
        "phase 3 ap-east-2: EKSStack",
        "phase 3 ap-northeast-1: EKSStack",
        "phase 4 ap-east-2: ObservabilityStack, AlertingStack",
        "phase 4 ap-northeast-1: ObservabilityStack, AlertingStack",
        "phase 4 us-east-1: AlertingStack",
        "phase 5 ap-east-2: Route53FailoverStack, AnalyticsStack",
        "phase 5 ap-northeast-1: Route53FailoverStack",
        "phase 5 us-east-1: EdgeStack",
        "phase 6 ap-east-2: DisasterRecoveryStack",
        "phase 6 ap-northeast-1: DisasterRecoveryStack",
        "phase 6 us-east-1: CostOptimizationStack",
    ]


@pytest.mark.parametrize("environment", ["development", "staging", "production"])
def test_every_stack_once_and_after_what_it_depends_on(config: ProjectConfig, environment: str) -> None:
    targets = targets_of(config.environments[environment])
    waves = plan_waves(targets)
    deployed = Counter((wave.region, stack) for wave in waves for stack in wave.stacks)
    assert deployed == Counter((t.region, s) for t in targets for s in stacks_of(t))
    position = {(wave.region, stack): i for i, wave in enumerate(waves) for stack in wave.stacks}
    for (region, stack), index in position.items():
        assert waves[index].phase == PHASE_OF[stack]
        for need in DEPENDS_ON.get(stack, ()):
            if (region, need) in position:
                # Strictly earlier: stacks of one wave run concurrently.
                assert position[(region, need)] < index, f"{region}/{stack} before {need}"


# What production's templates need across regions (derived from them in the test below).
SECRET_KEY = "alias/genai-demo/production/secrets"
TAIPEI, TOKYO = "ap-east-2", "ap-northeast-1"
PRODUCTION_NEEDS = [
    Need(TAIPEI, "ElastiCacheStack", TOKYO, "SecurityStack", f"replicates a secret with {SECRET_KEY} of {TOKYO}"),
    Need(TAIPEI, "RdsStack", TOKYO, "SecurityStack", f"replicates a secret with {SECRET_KEY} of {TOKYO}"),
    Need(
        TOKYO,
        "ElastiCacheStack",
        TAIPEI,
        "ElastiCacheStack",
        f"reads /genai-demo/production/elasticache/global-datastore-id of {TAIPEI}",
    ),
    Need(TOKYO, "MSKStack", TAIPEI, "MSKStack", f"reads /genai-demo/production/msk/cluster-arn of {TAIPEI}"),
    Need(
        TOKYO,
        "MSKStack",
        TAIPEI,
        "MSKStack",
        f"reads /genai-demo/production/msk/replicator-security-group-id of {TAIPEI}",
    ),
    Need(TOKYO, "MSKStack", TAIPEI, "NetworkStack", f"reads /genai-demo/production/network/msk-subnet-ids of {TAIPEI}"),
    Need(
        TOKYO,
        "MSKStack",
        TAIPEI,
        "NetworkStack",
        f"reads /genai-demo/production/network/private-subnet-ids of {TAIPEI}",
    ),
    Need(TOKYO, "RdsStack", TAIPEI, "RdsStack", "joins the global database genai-demo-production-global"),
    Need(
        "us-east-1",
        "EdgeStack",
        TAIPEI,
        "Route53FailoverStack",
        f"reads /genai-demo/production/route53/{TAIPEI}/health-check-id",
    ),
    Need(
        "us-east-1",
        "EdgeStack",
        TOKYO,
        "Route53FailoverStack",
        f"reads /genai-demo/production/route53/{TOKYO}/health-check-id",
    ),
]


def production_assemblies(assemblies: Any) -> list[Any]:
    return [assemblies[("production", region)] for region in (TAIPEI, TOKYO, "us-east-1")]


def test_cross_region_needs_are_found_in_the_production_templates(assemblies: Any) -> None:
    assert cross_region_needs(templates_of(production_assemblies(assemblies))) == PRODUCTION_NEEDS


def test_the_plan_satisfies_every_cross_region_need(config: ProjectConfig) -> None:
    assert unsatisfied(waves_of(config, "production"), PRODUCTION_NEEDS) == []


def test_region_by_region_would_break_the_secret_replicas(config: ProjectConfig) -> None:
    # "All of Taipei, then all of Tokyo": Taipei's phase 2 would replicate secrets with a key Tokyo lacks.
    waves = waves_of(config, "production")
    region_major = sorted(waves, key=lambda wave: [TAIPEI, TOKYO, "us-east-1"].index(wave.region))
    assert {(n.region, n.stack, n.on_region, n.on_stack) for n in unsatisfied(region_major, PRODUCTION_NEEDS)} == {
        (TAIPEI, "ElastiCacheStack", TOKYO, "SecurityStack"),
        (TAIPEI, "RdsStack", TOKYO, "SecurityStack"),
    }


@pytest.mark.parametrize("environment", ["development", "staging", "production"])
def test_no_environment_plan_violates_its_manifests_or_cross_region_reads(
    config: ProjectConfig, assemblies: Any, environment: str
) -> None:
    targets = targets_of(config.environments[environment])
    chosen = [assemblies[(t.environment, t.region)] for t in targets]
    assert ordering_problems(plan_waves(targets), chosen) == []
    # The check can fail: the same plan backwards violates the manifests' own dependencies.
    assert ordering_problems(list(reversed(plan_waves(targets))), chosen)


def test_selection_errors_are_one_sentence(config: ProjectConfig) -> None:
    production = targets_of(config.environments["production"])
    with pytest.raises(PlanError, match=r"^unknown stack 'NetworkStak'; the stacks are "):
        check_selection(production, ["NetworkStak"])
    taipei = [t for t in production if t.region == TAIPEI]
    with pytest.raises(PlanError, match=r"^EdgeStack is not a stack of production/ap-east-2; "):
        check_selection(taipei, ["EdgeStack"])
    check_selection(production, ["EdgeStack", "NetworkStack"])


def test_only_the_chosen_stacks(config: ProjectConfig) -> None:
    waves = plan_waves(targets_of(config.environments["production"]), {"NetworkStack", "EdgeStack"})
    assert labels(waves) == [
        "phase 1 ap-east-2: NetworkStack",
        "phase 1 ap-northeast-1: NetworkStack",
        "phase 5 us-east-1: EdgeStack",
    ]


RECORDED_WAVES = Path(__file__).parent / "data" / "planned_waves.json"


def test_the_waves_are_the_ones_recorded_before_graphlib(config: ProjectConfig) -> None:
    # tests/data/planned_waves.json: plan_waves of the hand-written layering, recorded before graphlib
    # replaced it, for each environment whole, each of its stacks alone and each of its regions.
    recorded: dict[str, list[str]] = json.loads(RECORDED_WAVES.read_text(encoding="utf-8"))
    planned: dict[str, list[str]] = {}
    for environment in ("development", "staging", "production"):
        targets = targets_of(config.environments[environment])
        planned[environment] = labels(plan_waves(targets))
        for stack in sorted({s for target in targets for s in stacks_of(target)}):
            planned[f"{environment} only {stack}"] = labels(plan_waves(targets, {stack}))
        for target in targets:
            planned[f"{environment} region {target.region}"] = labels(plan_waves([target]))
    assert planned == recorded


def test_a_dependency_circle_is_refused(monkeypatch: pytest.MonkeyPatch, config: ProjectConfig) -> None:
    monkeypatch.setitem(DEPENDS_ON, "SecurityStack", ("NetworkStack",))
    with pytest.raises(CycleError):
        plan_waves(targets_of(config.environments["development"]))


def test_resume_from(config: ProjectConfig) -> None:
    waves = waves_of(config, "production")
    resumed = resume_from(waves, "ap-northeast-1/RdsStack")
    assert resumed[0].label == "phase 2 ap-northeast-1: RdsStack, ElastiCacheStack, MSKStack"
    assert len(resumed) == 12
    assert resume_from(waves, "EdgeStack")[0].label == "phase 5 us-east-1: EdgeStack"
    with pytest.raises(PlanError, match="ambiguous: RdsStack deploys in 2 regions; use ap-east-2/RdsStack or"):
        resume_from(waves, "RdsStack")
    with pytest.raises(PlanError, match="no such stack in this plan"):
        resume_from(waves, "us-east-1/RdsStack")


def test_approval_is_broadening_in_production_only() -> None:
    assert approval_level("production", None) == "broadening"
    assert approval_level("staging", None) == "never"
    assert approval_level("development", "any-change") == "any-change"
    with pytest.raises(PlanError, match="unknown --require-approval 'sometimes'"):
        approval_level("production", "sometimes")


def test_deploy_command_line(config: ProjectConfig, tmp_path: Any) -> None:
    wave = waves_of(config, "production")[5]
    command = deploy_command("cdk", wave, tmp_path / "production-ap-east-2", "broadening", tmp_path)
    assert command == [
        "cdk",
        "deploy",
        "--app",
        str(tmp_path / "production-ap-east-2"),
        "--require-approval",
        "broadening",
        "--exclusively",
        "--concurrency",
        "3",
        "--progress",
        "events",
        "--outputs-file",
        str(tmp_path / "outputs" / "production-ap-east-2-RdsStack-ElastiCacheStack-MSKStack.json"),
        "RdsStack",
        "ElastiCacheStack",
        "MSKStack",
    ]


def test_retained_resources_of_production(assemblies: Any) -> None:
    by_region = templates_of(production_assemblies(assemblies))
    kept = {region: retained_resources(region, stacks) for region, stacks in by_region.items()}
    # Log groups are kept too: the add-on's five, the CfnJson provider's, Aurora's export (and in Taipei
    # the rotation function's and the one of the function that creates the app's database user, S8) join
    # those of the control plane and the application; Taipei also keeps the health-check token.
    assert {region: len(items) for region, items in kept.items()} == {TAIPEI: 47, TOKYO: 32, "us-east-1": 5}
    assert ("RdsStack", "AWS::Logs::LogGroup", "Retain") in {(r.stack, r.resource_type, r.policy) for r in kept[TAIPEI]}
    snapshots = {(r.stack, r.resource_type) for r in kept[TAIPEI] if r.policy == "Snapshot"}
    assert snapshots == {
        ("RdsStack", "AWS::RDS::DBCluster"),
        ("ElastiCacheStack", "AWS::ElastiCache::ReplicationGroup"),
    }
    assert ("RdsStack", "AWS::RDS::GlobalCluster", "Retain") in {
        (r.stack, r.resource_type, r.policy) for r in kept[TAIPEI]
    }
