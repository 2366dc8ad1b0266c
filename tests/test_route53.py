"""Route53FailoverStack: the ALB health check, the origin records, and the health check id left in us-east-1."""

from __future__ import annotations

import json
from typing import Any

import pytest

from genai_infra.app_builder import DEPENDS_ON
from genai_infra.config import ProjectConfig
from genai_infra.naming import health_check_id_parameter, origin_domain, regional_origin_domain
from genai_infra.targets import stacks_of
from tests.conftest import render, target_of, targets_with

FAILOVER_TARGETS = targets_with("Route53FailoverStack")

DOMAINS = {
    "production": "genai-demo.kimkao.io",
    "staging": "staging.genai-demo.kimkao.io",
    "development": "development.genai-demo.kimkao.io",
}
# Production serves from two regions (decision C9); the others from one.
FAILOVER = {
    ("production", "ap-east-2"): "PRIMARY",
    ("production", "ap-northeast-1"): "SECONDARY",
    ("staging", "ap-east-2"): None,
    ("development", "ap-northeast-1"): None,
}
STACK = "Route53FailoverStack"


def ssm_ref(t: Any, name: str) -> dict[str, str]:
    """The Ref of the template parameter that CloudFormation fills from SSM parameter `name` at deploy."""
    (logical,) = [
        key
        for key, parameter in t.data["Parameters"].items()
        if parameter["Type"] == "AWS::SSM::Parameter::Value<String>" and parameter["Default"] == name
    ]
    return {"Ref": logical}


def _records(t: Any) -> dict[str, dict[str, Any]]:
    return {props["Name"]: props for props in t.props("AWS::Route53::RecordSet")}


@pytest.mark.parametrize(("environment", "region"), FAILOVER_TARGETS)
def test_every_serving_region_has_the_stack_in_phase_five_after_security(
    config: ProjectConfig, environment: str, region: str
) -> None:
    stacks = stacks_of(target_of(environment, region, config))
    assert STACK in stacks
    assert stacks.index("SecurityStack") < stacks.index(STACK) < stacks.index("DisasterRecoveryStack")
    assert "EdgeStack" not in stacks


@pytest.mark.parametrize(("environment", "region"), FAILOVER_TARGETS)
def test_health_check_probes_the_albs_readiness_over_https(template: Any, environment: str, region: str) -> None:
    t = template(environment, region, STACK)
    check = t.one("AWS::Route53::HealthCheck")["HealthCheckConfig"]
    assert check == {
        "Type": "HTTPS",
        "FullyQualifiedDomainName": ssm_ref(t, f"/genai-demo/{environment}/alb/dns-name"),
        "Port": 443,
        "ResourcePath": "/actuator/health/readiness",
        "RequestInterval": 10,
        "FailureThreshold": 3,
        # Route 53 does not validate certificates and the ALB's certificate never names its own DNS name.
        "EnableSNI": False,
        "Inverted": False,
        "MeasureLatency": False,
    }


@pytest.mark.parametrize(("environment", "region"), FAILOVER_TARGETS)
def test_regional_origin_is_a_simple_alias_to_the_alb(template: Any, environment: str, region: str) -> None:
    t = template(environment, region, STACK)
    record = _records(t)[f"origin-{region}.{DOMAINS[environment]}."]
    assert record["Type"] == "A"
    assert record["HostedZoneId"] == ssm_ref(t, "/genai-demo/common/dns/hosted-zone-id")
    assert record["AliasTarget"] == {
        "DNSName": ssm_ref(t, f"/genai-demo/{environment}/alb/dns-name"),
        "HostedZoneId": ssm_ref(t, f"/genai-demo/{environment}/alb/canonical-hosted-zone-id"),
        "EvaluateTargetHealth": True,
    }
    assert not {"Failover", "SetIdentifier", "HealthCheckId"} & set(record)


@pytest.mark.parametrize(("environment", "region"), FAILOVER_TARGETS)
def test_origin_record_fails_over_between_regions_in_production_only(
    template: Any, environment: str, region: str
) -> None:
    t = template(environment, region, STACK)
    records = _records(t)
    assert set(records) == {f"origin-{region}.{DOMAINS[environment]}.", f"origin.{DOMAINS[environment]}."}
    origin = records[f"origin.{DOMAINS[environment]}."]
    assert origin["Type"] == "A"
    assert origin["HostedZoneId"] == ssm_ref(t, "/genai-demo/common/dns/hosted-zone-id")
    assert origin["AliasTarget"]["DNSName"] == ssm_ref(t, f"/genai-demo/{environment}/alb/dns-name")
    assert origin["AliasTarget"]["EvaluateTargetHealth"] is True
    failover = FAILOVER[(environment, region)]
    if failover is None:
        assert not {"Failover", "SetIdentifier", "HealthCheckId"} & set(origin)
    else:
        (check_id,) = t.of_type("AWS::Route53::HealthCheck")
        assert origin["Failover"] == failover
        assert origin["SetIdentifier"] == region
        assert origin["HealthCheckId"] == {"Ref": check_id}


@pytest.mark.parametrize(("environment", "region"), FAILOVER_TARGETS)
def test_health_check_id_is_put_into_ssm_in_us_east_1(template: Any, environment: str, region: str) -> None:
    t = template(environment, region, STACK)
    (check_id,) = t.of_type("AWS::Route53::HealthCheck")
    name = f"/genai-demo/{environment}/route53/{region}/health-check-id"
    resource = t.one("Custom::AWS")
    put = {
        "service": "SSM",
        "action": "putParameter",
        "parameters": {"Name": name, "Value": "${" + check_id + "}", "Type": "String", "Overwrite": True},
        "physicalResourceId": {"id": name},
        "region": "us-east-1",
    }
    assert json.loads(render(resource["Create"])) == put
    assert json.loads(render(resource["Update"])) == put
    assert json.loads(resource["Delete"]) == {
        "service": "SSM",
        "action": "deleteParameter",
        "parameters": {"Name": name},
        "region": "us-east-1",
        "ignoreErrorCodesMatching": "ParameterNotFound",
    }
    # No SDK download at deploy time: the runtime's own SDK has SSM.
    assert resource["InstallLatestAwsSdk"] is False


@pytest.mark.parametrize(("environment", "region"), FAILOVER_TARGETS)
def test_custom_resource_may_write_only_that_parameter(template: Any, environment: str, region: str) -> None:
    t = template(environment, region, STACK)
    (policy,) = t.props("AWS::IAM::Policy")
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Allow"
    assert sorted(statement["Action"]) == ["ssm:DeleteParameter", "ssm:PutParameter"]
    assert render(statement["Resource"]) == (
        f"arn:aws:ssm:us-east-1:${{AWS::AccountId}}:parameter/genai-demo/{environment}/route53/{region}/health-check-id"
    )
    (function,) = t.props("AWS::Lambda::Function")
    assert "DependsOn" not in next(iter(t.of_type("AWS::Lambda::Function").values()))
    assert function["Timeout"] == 120


@pytest.mark.parametrize(("environment", "region"), FAILOVER_TARGETS)
def test_provider_logs_are_encrypted_with_the_logs_key(
    template: Any, config: ProjectConfig, environment: str, region: str
) -> None:
    t = template(environment, region, STACK)
    log_group = t.one("AWS::Logs::LogGroup")
    assert log_group["KmsKeyId"] == ssm_ref(t, f"/genai-demo/{environment}/kms/logs-key-arn")
    assert log_group["RetentionInDays"] == config.environments[environment].log_retention_days
    (function,) = t.props("AWS::Lambda::Function")
    (log_group_id,) = t.of_type("AWS::Logs::LogGroup")
    assert function["LoggingConfig"]["LogGroup"] == {"Ref": log_group_id}


def test_declared_dependencies_order_the_stacks_after_their_producers() -> None:
    # EKSStack publishes alb/*; SecurityStack kms/logs-key-arn. Both exist after the merge of issue 5.
    assert set(DEPENDS_ON[STACK]) == {"SecurityStack", "EKSStack"}
    # CertificateStack publishes certificate/arn; AlertingStack owns the critical topic.
    assert set(DEPENDS_ON["EdgeStack"]) == {"CertificateStack", "AlertingStack"}


def test_origin_names_and_the_health_check_parameter() -> None:
    assert origin_domain("genai-demo.kimkao.io") == "origin.genai-demo.kimkao.io"
    assert regional_origin_domain("dev.genai-demo.kimkao.io", "ap-northeast-1") == (
        "origin-ap-northeast-1.dev.genai-demo.kimkao.io"
    )
    assert health_check_id_parameter("production", "ap-east-2") == (
        "/genai-demo/production/route53/ap-east-2/health-check-id"
    )
