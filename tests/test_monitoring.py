"""Monitoring as the document draws it (issue 19), read from the synthesized templates.

Node exporter -> CloudWatch agent (Prometheus scraping) -> ContainerInsights/Prometheus, with an
alarm and a dashboard graph on metrics only the exporter provides; the application's traces to the
agent's receivers at the spec's 10 % sampling; and the environment's retention on every log group
the cluster's add-on, its providers and the database would otherwise create without one.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from genai_infra.config import ProjectConfig
from tests.conftest import SERVING_TARGETS, Template, render

GIB = 1024**3
MIB = 1024**2
CLUSTER_INSIGHTS_TYPES = ("application", "dataplane", "host", "performance", "prometheus")


def addon_configuration(eks: Template) -> dict[str, Any]:
    (addon,) = [p for p in eks.props("AWS::EKS::Addon") if p["AddonName"] == "amazon-cloudwatch-observability"]
    configuration: dict[str, Any] = json.loads(addon["ConfigurationValues"])
    return configuration


def logical_id_of_addon(eks: Template) -> str:
    (key,) = [
        k
        for k, v in eks.of_type("AWS::EKS::Addon").items()
        if v["Properties"]["AddonName"] == "amazon-cloudwatch-observability"
    ]
    return key


def log_groups(template: Template) -> dict[str, dict[str, Any]]:
    """Log groups by rendered name (Ref parts as ${LogicalId})."""
    return {str(render(p["LogGroupName"])): p for p in template.props("AWS::Logs::LogGroup")}


def cluster_name(environment: str) -> str:
    return f"genai-demo-{environment}"


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_the_agent_scrapes_the_node_exporter_of_its_own_node(template: Any, environment: str, region: str) -> None:
    eks = template(environment, region, "EKSStack")
    agent = addon_configuration(eks)["agent"]
    (job,) = agent["prometheus"]["config"]["scrape_configs"]
    # Agent and exporter both run in the host network: each agent scrapes its node once.
    assert job["job_name"] == "node-exporter"
    assert job["static_configs"] == [{"targets": ["localhost:9100"]}]
    (keep,) = job["metric_relabel_configs"]
    assert keep["action"] == "keep"
    assert re.fullmatch(keep["regex"], "node_filesystem_avail_bytes;/")
    assert re.fullmatch(keep["regex"], "node_memory_MemAvailable_bytes;")
    assert not re.fullmatch(keep["regex"], "node_filesystem_avail_bytes;/boot/efi")
    (chart,) = [
        json.loads(p["Values"])
        for p in eks.props("Custom::AWSCDK-EKS-HelmChart")
        if p["Chart"] == "prometheus-node-exporter"
    ]
    assert chart["hostNetwork"] is True
    assert chart["service"]["port"] == 9100
    assert chart["service"]["listenOnAllInterfaces"] is True
    prometheus = agent["config"]["logs"]["metrics_collected"]["prometheus"]
    assert prometheus["cluster_name"] == cluster_name(environment)
    assert prometheus["emf_processor"]["metric_namespace"] == "ContainerInsights/Prometheus"
    assert prometheus["log_group_name"] == f"/aws/containerinsights/{cluster_name(environment)}/prometheus"
    assert agent["config"]["logs"]["metrics_collected"]["kubernetes"]["enhanced_container_insights"] is True


def published(declarations: list[dict[str, Any]], metric: str, dimensions: dict[str, Any]) -> bool:
    """Whether a metric_declaration publishes `metric` with exactly these dimension names and label values."""
    for declaration in declarations:
        if not any(re.search(selector, metric) for selector in declaration["metric_selectors"]):
            continue
        if sorted(dimensions) not in [sorted(names) for names in declaration["dimensions"]]:
            continue
        # Labels the matcher pins (besides job, which is the scrape job) must be what the alarm names.
        labels = [label for label in declaration["source_labels"] if label != "job"]
        values = [str(dimensions.get(label, "")) for label in labels]
        pinned = ";".join(["node-exporter", *values])
        if re.fullmatch(declaration["label_matcher"].strip("^$"), pinned):
            return True
    return False


def test_node_alarms_watch_exactly_what_the_agent_publishes(template: Any, config: ProjectConfig) -> None:
    eks = template("production", "ap-east-2", "EKSStack")
    declarations = addon_configuration(eks)["agent"]["config"]["logs"]["metrics_collected"]["prometheus"][
        "emf_processor"
    ]["metric_declaration"]
    alarms = {
        p["MetricName"]: p
        for p in template("production", "ap-east-2", "AlertingStack").props("AWS::CloudWatch::Alarm")
        if p.get("Namespace") == "ContainerInsights/Prometheus"
    }
    assert sorted(alarms) == ["node_filesystem_avail_bytes", "node_memory_MemAvailable_bytes"]
    for metric, alarm in alarms.items():
        dimensions = {d["Name"]: d["Value"] for d in alarm["Dimensions"]}
        # ClusterName is the EKS stack's published cluster name, read from SSM.
        assert "eksclustername" in dimensions["ClusterName"]["Ref"].lower()
        assert published(declarations, metric, dimensions), metric
        assert alarm["Statistic"] == "Minimum"  # the worst node of the cluster
        assert alarm["ComparisonOperator"] == "LessThanThreshold"
        # A full disk or exhausted memory makes the kubelet evict pods: users notice soon.
        assert alarm["AlarmActions"] == [{"Ref": alarm["AlarmActions"][0]["Ref"]}]
        assert alarm["AlarmActions"][0]["Ref"].startswith("TopicsCritical")
    alerting = config.environments["production"].alerting
    disk = config.environments["production"].regions["ap-east-2"].eks.node_group.disk_size_gb
    filesystem = alarms["node_filesystem_avail_bytes"]
    assert {d["Name"]: d["Value"] for d in filesystem["Dimensions"]}["mountpoint"] == "/"
    assert filesystem["Threshold"] == pytest.approx(disk * GIB * alerting.node_filesystem_free_percent / 100)
    assert alarms["node_memory_MemAvailable_bytes"]["Threshold"] == alerting.node_memory_available_mib * MIB


def test_a_declaration_that_does_not_match_is_refused() -> None:
    """The cross-check above can fail: other dimensions, another mount point or metric are not published."""
    declarations = [
        {
            "source_labels": ["job", "mountpoint"],
            "label_matcher": "^node-exporter;/$",
            "dimensions": [["ClusterName", "mountpoint"]],
            "metric_selectors": ["^node_filesystem_avail_bytes$"],
        }
    ]
    assert published(declarations, "node_filesystem_avail_bytes", {"ClusterName": "c", "mountpoint": "/"})
    assert not published(declarations, "node_filesystem_avail_bytes", {"ClusterName": "c", "mountpoint": "/var"})
    assert not published(declarations, "node_filesystem_avail_bytes", {"ClusterName": "c"})
    assert not published(declarations, "node_filesystem_size_bytes", {"ClusterName": "c", "mountpoint": "/"})


@pytest.mark.parametrize(("environment", "region"), [("staging", "ap-east-2"), ("production", "ap-east-2")])
def test_the_dashboard_draws_the_node_metrics(template: Any, environment: str, region: str) -> None:
    (dashboard,) = template(environment, region, "ObservabilityStack").props("AWS::CloudWatch::Dashboard")
    body = str(render(dashboard["DashboardBody"]))
    assert '"## Nodes"' in body
    for metric in ("node_filesystem_avail_bytes", "node_memory_MemAvailable_bytes"):
        assert f'["ContainerInsights/Prometheus","{metric}","ClusterName"' in body, metric


def deployment_env(eks: Template) -> dict[str, str]:
    for properties in eks.props("Custom::AWSCDK-EKS-KubernetesResource"):
        manifests = json.loads(str(render(properties["Manifest"])))
        for manifest in manifests:
            if manifest["kind"] == "Deployment":
                (container,) = manifest["spec"]["template"]["spec"]["containers"]
                return {item["name"]: item["value"] for item in container["env"]}
    raise AssertionError("no Deployment in the EKS stack")


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_traces_go_to_the_agent_the_addon_runs(template: Any, environment: str, region: str) -> None:
    eks = template(environment, region, "EKSStack")
    env = deployment_env(eks)
    traces = addon_configuration(eks)["agent"]["config"]["traces"]["traces_collected"]
    # The add-on's agent is the DaemonSet cloudwatch-agent in amazon-cloudwatch; its Service keeps traffic on the node.
    otlp = re.fullmatch(r"http://cloudwatch-agent\.amazon-cloudwatch:(\d+)", env["OTEL_EXPORTER_OTLP_ENDPOINT"])
    assert otlp is not None
    assert traces["otlp"]["grpc_endpoint"] == f"0.0.0.0:{otlp.group(1)}"
    assert env["OTEL_EXPORTER_OTLP_PROTOCOL"] == "grpc"
    host, port = env["AWS_XRAY_DAEMON_ADDRESS"].rsplit(":", 1)
    assert host == "cloudwatch-agent.amazon-cloudwatch"
    assert traces["xray"]["bind_address"] == f"0.0.0.0:{port}"
    assert traces["xray"]["tcp_proxy"]["bind_address"] == f"0.0.0.0:{port}"
    assert env["OTEL_TRACES_SAMPLER"] == "parentbased_traceidratio"
    assert env["OTEL_RESOURCE_ATTRIBUTES"] == f"service.name=genai-demo-app,deployment.environment={environment}"


@pytest.mark.parametrize(("environment", "region"), [("staging", "ap-east-2"), ("production", "ap-east-2")])
def test_trace_sampling_matches_the_xray_rule(template: Any, environment: str, region: str) -> None:
    env = deployment_env(template(environment, region, "EKSStack"))
    rule = template(environment, region, "ObservabilityStack").one("AWS::XRay::SamplingRule")["SamplingRule"]
    assert float(env["OTEL_TRACES_SAMPLER_ARG"]) == rule["FixedRate"] == 0.1
    assert env["OTEL_SERVICE_NAME"] == env["AWS_XRAY_TRACING_NAME"] == rule["ServiceName"]


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_container_insights_groups_exist_first_with_the_environments_retention(
    template: Any, config: ProjectConfig, environment: str, region: str
) -> None:
    eks = template(environment, region, "EKSStack")
    days = config.environments[environment].log_retention_days
    assert days == 7  # the spec's "7-day retention for non-critical logs"
    groups = log_groups(eks)
    names = [f"/aws/containerinsights/{cluster_name(environment)}/{kind}" for kind in CLUSTER_INSIGHTS_TYPES]
    for name in names:
        assert groups[name]["RetentionInDays"] == days, name
        assert "kmslogskeyarn" in json.dumps(groups[name]["KmsKeyId"]).lower(), name
    addon = eks.resources[logical_id_of_addon(eks)]
    created_first = {
        str(eks.resources[key]["Properties"]["LogGroupName"])
        for key in addon["DependsOn"]
        if eks.resources[key]["Type"] == "AWS::Logs::LogGroup"
    }
    assert created_first == set(names)


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_provider_functions_log_with_the_environments_retention(
    template: Any, config: ProjectConfig, environment: str, region: str
) -> None:
    eks = template(environment, region, "EKSStack")
    days = config.environments[environment].log_retention_days
    groups = log_groups(eks)
    functions = eks.of_type("AWS::Lambda::Function")
    for function, resource in functions.items():
        named = resource["Properties"].get("LoggingConfig", {}).get("LogGroup")
        if named is not None:
            managed = eks.resources[named["Ref"]]["Properties"]
        else:
            managed = groups.get("/aws/lambda/${" + function + "}", {})
        assert managed, f"{function} writes to a log group Lambda would create without retention"
        assert managed["RetentionInDays"] == days, function
    cfn_json = [k for k in functions if k.startswith("AWSCDKCfnUtilsProvider")]
    if cfn_json:
        (provider,) = cfn_json
        (group_id,) = [
            k
            for k, v in eks.of_type("AWS::Logs::LogGroup").items()
            if render(v["Properties"]["LogGroupName"]) == "/aws/lambda/${" + provider + "}"
        ]
        for key, resource in eks.of_type("Custom::AWSCDKCfnJson").items():
            assert group_id in resource.get("DependsOn", []), key


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_database_logs_have_the_environments_retention(
    template: Any, config: ProjectConfig, environment: str, region: str
) -> None:
    rds = template(environment, region, "RdsStack")
    days = config.environments[environment].log_retention_days
    (cluster,) = rds.props("AWS::RDS::DBCluster")
    groups = log_groups(rds)
    for kind in cluster["EnableCloudwatchLogsExports"]:
        assert groups[f"/aws/rds/cluster/{cluster['DBClusterIdentifier']}/{kind}"]["RetentionInDays"] == days
    for schedule in rds.props("AWS::SecretsManager::RotationSchedule"):
        name = schedule["HostedRotationLambda"]["RotationLambdaName"]
        assert groups[f"/aws/lambda/{name}"]["RetentionInDays"] == days
