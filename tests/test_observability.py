"""ObservabilityStack: log groups, X-Ray sampling and errors group, the dashboard, Grafana per region."""

from __future__ import annotations

import json
from typing import Any

import pytest

from genai_infra.synth import Assembly
from tests.conftest import render, targets_with

OBSERVED = targets_with("ObservabilityStack")


@pytest.mark.parametrize(("environment", "region"), OBSERVED)
def test_application_and_audit_log_groups_are_encrypted_and_kept_as_configured(
    template: Any, environment: str, region: str
) -> None:
    stack = template(environment, region, "ObservabilityStack")
    groups = {g["LogGroupName"]: g for g in stack.props("AWS::Logs::LogGroup")}
    audit_days = {"development": 30, "staging": 90, "production": 365}[environment]
    assert {name: g["RetentionInDays"] for name, g in groups.items()} == {
        f"/aws/genai-demo/{environment}/application": 7,
        f"/aws/genai-demo/{environment}/audit": audit_days,
    }
    for group in groups.values():
        (parameter,) = [k for k in stack.data["Parameters"] if "kmslogskeyarn" in k]
        assert group["KmsKeyId"] == {"Ref": parameter}
    policies = {
        r["Properties"]["LogGroupName"]: r["DeletionPolicy"] for r in stack.of_type("AWS::Logs::LogGroup").values()
    }
    audit = "Retain" if environment == "production" else "Delete"
    assert policies[f"/aws/genai-demo/{environment}/audit"] == audit


@pytest.mark.parametrize(("environment", "region"), OBSERVED)
def test_xray_samples_10_percent_and_groups_errors(template: Any, environment: str, region: str) -> None:
    stack = template(environment, region, "ObservabilityStack")
    rule = stack.one("AWS::XRay::SamplingRule")["SamplingRule"]
    assert rule["FixedRate"] == 0.1
    assert rule["ReservoirSize"] == 1
    assert rule["ServiceName"] == "genai-demo-app"
    assert rule["RuleName"] == f"genai-demo-{environment}"
    group = stack.one("AWS::XRay::Group")
    assert group["GroupName"] == f"genai-demo-{environment}-errors"
    assert group["FilterExpression"] == 'service("genai-demo-app") AND (fault = true OR error = true)'
    assert group["InsightsConfiguration"]["InsightsEnabled"] is False  # Insights is billed per trace


def _dashboard_metrics(template: Any, environment: str, region: str) -> list[list[Any]]:
    stack = template(environment, region, "ObservabilityStack")
    dashboard = stack.one("AWS::CloudWatch::Dashboard")
    assert dashboard["DashboardName"] == f"genai-demo-{environment}-{region}"
    body = render(dashboard["DashboardBody"])
    # Tokens render as ${...}; the JSON stays parseable once they are quoted strings.
    data = json.loads(body.replace('"${', '"').replace('}"', '"'))
    return [metric for widget in data["widgets"] for metric in widget.get("properties", {}).get("metrics", [])]


@pytest.mark.parametrize(("environment", "region"), OBSERVED)
def test_the_dashboard_shows_every_service_of_the_region(template: Any, environment: str, region: str) -> None:
    metrics = _dashboard_metrics(template, environment, region)
    namespaces = {metric[0] for metric in metrics}
    # Only the services the environment runs (decision C12): staging has no MSK.
    kafka = {"AWS/Kafka"} if environment == "production" else set()
    assert namespaces == {
        "AWS/ApplicationELB",
        "AWS/RDS",
        "AWS/ElastiCache",
        *kafka,
        "ContainerInsights",
        "ContainerInsights/Prometheus",
        "AWS/NATGateway",
    }
    names = {metric[1] for metric in metrics}
    assert {"HTTPCode_Target_5XX_Count", "TargetResponseTime", "CPUUtilization", "EngineCPUUtilization"} <= names
    assert "cluster_failed_node_count" in names
    assert ("KafkaDataLogsDiskUsed" in names) is bool(kafka)
    # Node metrics only the Prometheus node exporter provides.
    assert {"node_filesystem_avail_bytes", "node_memory_MemAvailable_bytes"} <= names


GRAFANA = {
    ("staging", "ap-east-2"): False,  # off by configuration (cost)
    ("production", "ap-east-2"): False,  # not offered in Taipei
    ("production", "ap-northeast-1"): True,
}


@pytest.mark.parametrize(("environment", "region"), OBSERVED)
def test_grafana_only_where_configured_and_offered(
    template: Any, assemblies: dict[tuple[str, str], Assembly], environment: str, region: str
) -> None:
    stack = template(environment, region, "ObservabilityStack")
    workspaces = stack.props("AWS::Grafana::Workspace")
    assert bool(workspaces) is GRAFANA[(environment, region)]
    if workspaces:
        (workspace,) = workspaces
        assert workspace["DataSources"] == ["CLOUDWATCH", "XRAY"]
        assert workspace["AuthenticationProviders"] == ["AWS_SSO"]
        assert workspace["PermissionType"] == "CUSTOMER_MANAGED"
    metadata = (assemblies[(environment, region)].directory / "ObservabilityStack.metadata.json").read_text()
    said = "Amazon Managed Grafana is not offered in ap-east-2" in metadata
    assert said is ((environment, region) == ("production", "ap-east-2"))
