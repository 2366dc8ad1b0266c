"""Every target: stack names, tags, phases, certificates, cdk-nag, cfn-lint and determinism."""

from __future__ import annotations

import filecmp
import json
from pathlib import Path
from typing import Any

import pytest

from genai_infra.checks import lint, nag_summary
from genai_infra.config import ProjectConfig
from genai_infra.phases import PHASE_OF
from genai_infra.synth import Assembly, synthesize
from genai_infra.targets import stacks_of
from tests.conftest import ALL_TARGETS, SERVING_TARGETS, render, target_of, targets_with

REQUIRED_TAGS = {"Project": "genai-demo", "Owner": "platform-team", "CostCenter": "engineering", "ManagedBy": "cdk"}
# Resource types CloudFormation cannot tag (or tags through their parent).
UNTAGGABLE = {
    "AWS::EC2::Route",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::EC2::NetworkAclEntry",
    "AWS::EC2::SubnetNetworkAclAssociation",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::EC2::VPCEndpoint",
    "AWS::KMS::Alias",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::SNS::TopicPolicy",
    "AWS::SNS::Subscription",
    "AWS::Backup::BackupSelection",
    "AWS::S3::BucketPolicy",
    "AWS::Logs::LogStream",
    "AWS::MSK::ClusterPolicy",
    "AWS::Glue::Database",
    "AWS::Glue::Table",
    "AWS::SecretsManager::SecretTargetAttachment",
    "AWS::SecretsManager::RotationSchedule",
    "AWS::ElastiCache::GlobalReplicationGroup",
    "AWS::Lambda::LayerVersion",
    # Tagged through TagSpecifications of its instances, volumes and interfaces (tests/test_eks.py).
    "AWS::EC2::LaunchTemplate",
    "AWS::Route53::RecordSet",
    "AWS::Logs::ResourcePolicy",
    "AWS::WAFv2::LoggingConfiguration",
    "AWS::Scheduler::Schedule",
}
# Where a resource type keeps its tags, when not under Tags.
TAG_PROPERTIES = ("Tags", "ResourceTags", "BackupVaultTags", "BackupPlanTags", "HealthCheckTags")


def _manifest(assembly: Assembly) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((assembly.directory / "manifest.json").read_text())
    return data


@pytest.mark.parametrize(("environment", "region"), ALL_TARGETS)
def test_stacks_names_regions_and_dependencies(
    assemblies: Any, config: ProjectConfig, environment: str, region: str
) -> None:
    assembly = assemblies[(environment, region)]
    stacks = {k: v for k, v in _manifest(assembly)["artifacts"].items() if v["type"] == "aws:cloudformation:stack"}
    assert sorted(stacks) == sorted(stacks_of(target_of(environment, region, config)))
    for stack_id, artifact in stacks.items():
        assert artifact["properties"]["stackName"] == f"genai-demo-{environment}-{stack_id}"
        assert artifact["environment"] == f"aws://unknown-account/{region}"
        assert artifact["properties"].get("terminationProtection", False) is (environment == "production")
        for dependency in artifact.get("dependencies", []):
            if dependency in stacks:
                assert PHASE_OF[dependency] <= PHASE_OF[stack_id]
    if "NetworkStack" in stacks:
        assert "SecurityStack" in stacks["NetworkStack"]["dependencies"]
    if "AnalyticsStack" in stacks:
        assert "SecurityStack" in stacks["AnalyticsStack"]["dependencies"]

    # The data layer reads keys and network ids that phase 1 publishes.
    for data_stack in ("RdsStack", "ElastiCacheStack", "MSKStack"):
        if data_stack in stacks:
            assert {"SecurityStack", "NetworkStack"} <= set(stacks[data_stack]["dependencies"])

    if "EKSStack" in stacks:
        assert {"SecurityStack", "NetworkStack", "CertificateStack"} <= set(stacks["EKSStack"]["dependencies"])

    if "Route53FailoverStack" in stacks:
        assert "SecurityStack" in stacks["Route53FailoverStack"]["dependencies"]
    if "EdgeStack" in stacks:
        assert "CertificateStack" in stacks["EdgeStack"]["dependencies"]


FOUNDATION = ["SecurityStack", "NetworkStack", "CertificateStack"]
CORE = ["RdsStack", "ElastiCacheStack", "MSKStack", "EKSStack"]
MONITORING = ["ObservabilityStack", "AlertingStack"]
DNS = "Route53FailoverStack"
DR = "DisasterRecoveryStack"
# Non-production: the off-hours node group schedules, beside the cluster.
OFF_HOURS = "CostOptimizationStack"
GLOBAL = ["CertificateStack", "AlertingStack", "EdgeStack", "CostOptimizationStack"]


@pytest.mark.parametrize(
    ("environment", "region", "expected"),
    [
        # Decision C12: development is the document's set plus Certificate, single-node Redis and off-hours.
        ("development", "ap-northeast-1", [*FOUNDATION, "RdsStack", "ElastiCacheStack", "EKSStack", OFF_HOURS]),
        # Staging adds Observability.
        (
            "staging",
            "ap-east-2",
            [*FOUNDATION, "RdsStack", "ElastiCacheStack", "EKSStack", "ObservabilityStack", OFF_HOURS],
        ),
        (
            "production",
            "ap-east-2",
            [*FOUNDATION, *CORE, *MONITORING, DNS, "AnalyticsStack", DR],
        ),
        (
            "production",
            "ap-northeast-1",
            [*FOUNDATION, *CORE, *MONITORING, DNS, DR],
        ),
        # Budgets and anomaly alerts only: no CloudFront outside production.
        ("development", "us-east-1", ["CostOptimizationStack"]),
        ("staging", "us-east-1", ["CostOptimizationStack"]),
        ("production", "us-east-1", GLOBAL),
    ],
)
def test_each_target_holds_exactly_its_stacks_in_deployment_order(
    config: ProjectConfig, environment: str, region: str, expected: list[str]
) -> None:
    assert stacks_of(target_of(environment, region, config)) == expected


@pytest.mark.parametrize(("environment", "region"), ALL_TARGETS)
def test_every_taggable_resource_carries_the_five_required_tags(
    template: Any, config: ProjectConfig, environment: str, region: str
) -> None:
    expected = {**REQUIRED_TAGS, "Environment": environment}
    checked = 0
    for stack in stacks_of(target_of(environment, region, config)):
        for logical_id, resource in template(environment, region, stack).resources.items():
            if resource["Type"] in UNTAGGABLE or resource["Type"].startswith("Custom::"):
                continue
            properties = resource.get("Properties", {})
            tags = next((properties[key] for key in TAG_PROPERTIES if key in properties), None)
            assert tags is not None, f"{stack}/{logical_id} ({resource['Type']}) has no tags"
            pairs = {t["Key"]: t["Value"] for t in tags} if isinstance(tags, list) else dict(tags)
            assert {k: pairs.get(k) for k in expected} == expected, f"{stack}/{logical_id}"
            checked += 1
    assert checked > 0


@pytest.mark.parametrize(("environment", "region"), targets_with("CertificateStack"))
def test_certificate_covers_the_domain_and_its_wildcard_by_dns(
    template: Any, config: ProjectConfig, environment: str, region: str
) -> None:
    domain = {
        "production": "genai-demo.kimkao.io",
        "staging": "staging.genai-demo.kimkao.io",
        "development": "development.genai-demo.kimkao.io",
    }[environment]
    certificate = template(environment, region, "CertificateStack").one("AWS::CertificateManager::Certificate")
    assert certificate["DomainName"] == domain
    assert certificate["SubjectAlternativeNames"] == [f"*.{domain}"]
    assert certificate["ValidationMethod"] == "DNS"
    (validation,) = certificate["DomainValidationOptions"]
    # The hosted zone id is read from SSM at deploy time, never looked up at synthesis.
    assert validation["HostedZoneId"] == {
        "Ref": next(
            iter(
                k
                for k in template(environment, region, "CertificateStack").data["Parameters"]
                if k.startswith("SsmParameterValuegenaidemocommondnshostedzoneid")
            )
        )
    }


def test_a_configured_hosted_zone_id_is_used_as_given(tmp_path: Path) -> None:
    from genai_infra.config import load_config

    config = load_config(overrides=["dns.zone_id=Z0123456789ABCDEFGHIJ"])
    target = target_of("production", "us-east-1", config)
    assembly = synthesize(config, target, tmp_path)
    (certificate,) = [
        r
        for r in assembly.template("CertificateStack")["Resources"].values()
        if r["Type"] == "AWS::CertificateManager::Certificate"
    ]
    assert certificate["Properties"]["DomainValidationOptions"][0]["HostedZoneId"] == "Z0123456789ABCDEFGHIJ"


@pytest.mark.parametrize(("environment", "region"), ALL_TARGETS)
def test_cdk_nag_has_no_unacknowledged_finding(assemblies: Any, environment: str, region: str) -> None:
    # The report lists only the packs that found something (acknowledged or not).
    summary = {s.pack: s for s in nag_summary(assemblies[(environment, region)])}
    assert all(s.violations == 0 for s in summary.values()), summary


def test_both_nag_packs_run(assemblies: Any) -> None:
    summary = {s.pack: s for s in nag_summary(assemblies[("production", "ap-east-2")])}
    assert summary["AwsSolutions"].acknowledged > 0
    assert summary["NIST.800.53.R5"].acknowledged > 0


@pytest.mark.parametrize(("environment", "region"), ALL_TARGETS)
def test_cfn_lint_passes_for_the_templates_region(assemblies: Any, environment: str, region: str) -> None:
    findings = lint(assemblies[(environment, region)])
    assert findings == [], "\n".join(f"{f.template}:{f.line} {f.rule} {f.message}" for f in findings)


def test_synthesis_is_deterministic(assemblies: Any, config: ProjectConfig, tmp_path: Path) -> None:
    target = target_of("production", "ap-east-2", config)
    again = synthesize(config, target, tmp_path)
    first = assemblies[("production", "ap-east-2")]
    for name in first.templates:
        assert filecmp.cmp(first.templates[name], again.templates[name], shallow=False), name


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_security_values_are_published(template: Any, environment: str, region: str) -> None:
    params = {
        p["Name"]: p["Value"] for p in template(environment, region, "SecurityStack").props("AWS::SSM::Parameter")
    }
    prefix = f"/genai-demo/{environment}/"
    assert set(params) == {
        # No msk key outside production, where there is no MSK (decision C12).
        *(
            f"{prefix}kms/{p}-key-arn"
            for p in ("eks", "rds", "elasticache", "msk", "logs", "secrets")
            if p != "msk" or environment == "production"
        ),
        f"{prefix}iam/eks-cluster-role-arn",
        f"{prefix}iam/eks-node-role-arn",
    }
    assert render(params[f"{prefix}kms/logs-key-arn"]) != ""
