"""PF038: every log group a target creates, declared or implied by a resource, has a retention.

Mutations of minimal templates show what the rule catches; the synthesized targets (a real
template, mutated) show that it catches it in the project's own output, and that the unmutated
targets pass (test_preflight_targets runs every rule on all seven).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from genai_infra.preflight import from_assembly
from genai_infra.synth import Assembly
from tests.conftest import ALL_TARGETS
from tests.preflight_builders import hits, one, ref, res, target, tpl

CLUSTER = "genai-demo-production"
ADDON_GROUPS = [
    f"/aws/containerinsights/{CLUSTER}/{kind}" for kind in ("application", "dataplane", "host", "performance")
]


def group(name: Any, days: int | None = 7) -> dict[str, Any]:
    return res("AWS::Logs::LogGroup", {"LogGroupName": name, **({"RetentionInDays": days} if days else {})})


def lambda_group(function: str) -> dict[str, Any]:
    return group({"Fn::Join": ["", ["/aws/lambda/", ref(function)]]})


def addon(configuration: dict[str, Any] | None = None) -> dict[str, Any]:
    return res(
        "AWS::EKS::Addon",
        {
            "AddonName": "amazon-cloudwatch-observability",
            "ClusterName": ref("Cluster"),
            **({"ConfigurationValues": json.dumps(configuration)} if configuration else {}),
        },
    )


CLUSTER_RESOURCE = res("AWS::EKS::Cluster", {"Name": CLUSTER})


def test_a_declared_group_without_retention_fails() -> None:
    (hit,) = hits("PF038", one({"Logs": group("/aws/genai-demo/production/application", None)}))
    assert hit.logical_id == "Logs"
    assert "keeps its events forever" in hit.message


def test_declared_groups_with_retention_pass() -> None:
    assert hits("PF038", one({"Logs": group("/aws/genai-demo/production/application")})) == []


def test_a_function_without_its_log_group_fails() -> None:
    (hit,) = hits("PF038", one({"Handler": res("AWS::Lambda::Function", {"Runtime": "nodejs22.x"})}))
    assert hit.logical_id == "Handler"
    assert "/aws/lambda/<Handler>" in hit.message


@pytest.mark.parametrize(
    "resources",
    [
        # CDK's naming of provider logs: /aws/lambda/<Ref function>
        {"Handler": res("AWS::Lambda::Function", {}), "HandlerLogs": lambda_group("Handler")},
        # a literal function name and its group
        {"Handler": res("AWS::Lambda::Function", {"FunctionName": "rotate"}), "Logs": group("/aws/lambda/rotate")},
        # the function writes to a group its LoggingConfig names
        {
            "Handler": res("AWS::Lambda::Function", {"LoggingConfig": {"LogGroup": ref("Logs")}}),
            "Logs": group("/aws/genai-demo/production/custom-resources/x"),
        },
    ],
    ids=["ref-named", "literal-name", "logging-config"],
)
def test_a_function_with_a_managed_log_group_passes(resources: dict[str, Any]) -> None:
    assert hits("PF038", one(resources)) == []


def test_the_group_of_another_function_does_not_count() -> None:
    resources = {
        "Handler": res("AWS::Lambda::Function", {}),
        "Other": res("AWS::Lambda::Function", {}),
        "OtherLogs": lambda_group("Other"),
    }
    assert [hit.logical_id for hit in hits("PF038", one(resources))] == ["Handler"]


def test_the_function_of_a_hosted_rotation_needs_its_log_group() -> None:
    schedule = res(
        "AWS::SecretsManager::RotationSchedule",
        {"HostedRotationLambda": {"RotationLambdaName": "genai-demo-production-aurora-secret-rotation"}},
    )
    (hit,) = hits("PF038", one({"Rotation": schedule}))
    assert "/aws/lambda/genai-demo-production-aurora-secret-rotation" in hit.message
    declared = {"Rotation": schedule, "Logs": group("/aws/lambda/genai-demo-production-aurora-secret-rotation")}
    assert hits("PF038", one(declared)) == []


def test_the_observability_addon_implies_the_container_insights_groups() -> None:
    found = hits("PF038", one({"Cluster": CLUSTER_RESOURCE, "Addon": addon()}))
    assert sorted(hit.message.split("log group ")[1].split(" ")[0] for hit in found) == sorted(ADDON_GROUPS)
    declared = {f"G{i}": group(name) for i, name in enumerate(ADDON_GROUPS)}
    assert hits("PF038", one({"Cluster": CLUSTER_RESOURCE, "Addon": addon(), **declared})) == []


def test_prometheus_scraping_implies_its_group_too() -> None:
    configuration = {"agent": {"config": {"logs": {"metrics_collected": {"prometheus": {}}}}}}
    declared = {f"G{i}": group(name) for i, name in enumerate(ADDON_GROUPS)}
    (hit,) = hits("PF038", one({"Cluster": CLUSTER_RESOURCE, "Addon": addon(configuration), **declared}))
    assert f"/aws/containerinsights/{CLUSTER}/prometheus" in hit.message


def test_log_exports_and_control_plane_logging_imply_their_groups() -> None:
    resources = {
        "Db": res("AWS::RDS::DBCluster", {"DBClusterIdentifier": "db", "EnableCloudwatchLogsExports": ["postgresql"]}),
        "Cluster": res("AWS::EKS::Cluster", {"Name": CLUSTER, "Logging": {"ClusterLogging": {"EnabledTypes": [{}]}}}),
    }
    found = sorted(hit.message.split("log group ")[1].split(" ")[0] for hit in hits("PF038", one(resources)))
    assert found == [f"/aws/eks/{CLUSTER}/cluster", "/aws/rds/cluster/db/postgresql"]


def test_a_group_declared_in_another_stack_of_the_target_counts() -> None:
    stacks = {
        "Rds": tpl(
            {
                "Db": res(
                    "AWS::RDS::DBCluster", {"DBClusterIdentifier": "db", "EnableCloudwatchLogsExports": ["postgresql"]}
                )
            }
        ),
        "Logs": tpl({"Logs": group("/aws/rds/cluster/db/postgresql")}),
    }
    assert hits("PF038", target(stacks)) == []


# --- The project's own templates, mutated ---------------------------------------------------------


@pytest.fixture(scope="module")
def production(assemblies: dict[tuple[str, str], Assembly]) -> Any:
    return from_assembly(assemblies[("production", "ap-east-2")])


def mutated(production: Any, stack: str, change: Any) -> Any:
    stacks = {name: copy.deepcopy(dict(template.data)) for name, template in production.stacks.items()}
    change(stacks[stack]["Resources"])
    return target(stacks, environment=production.environment, region=production.region)


def _logical_ids(resources: dict[str, Any], kind: str, name_part: str) -> list[str]:
    return [
        key
        for key, value in resources.items()
        if value["Type"] == kind and name_part in json.dumps(value.get("Properties", {}))
    ]


@pytest.mark.parametrize(("environment", "region"), ALL_TARGETS)
def test_pf038_passes_on_every_target(
    assemblies: dict[tuple[str, str], Assembly], environment: str, region: str
) -> None:
    assert hits("PF038", from_assembly(assemblies[(environment, region)])) == []


def test_a_container_insights_group_dropped_from_the_template_fails(production: Any) -> None:
    def drop(resources: dict[str, Any]) -> None:
        (key,) = _logical_ids(resources, "AWS::Logs::LogGroup", "/containerinsights/genai-demo-production/host")
        del resources[key]

    (hit,) = hits("PF038", mutated(production, "EKSStack", drop))
    assert "/aws/containerinsights/genai-demo-production/host" in hit.message


def test_a_provider_log_group_without_retention_fails(production: Any) -> None:
    def forever(resources: dict[str, Any]) -> None:
        (key,) = _logical_ids(resources, "AWS::Logs::LogGroup", "AWSCDKCfnUtilsProvider")
        del resources[key]["Properties"]["RetentionInDays"]

    (hit,) = hits("PF038", mutated(production, "EKSStack", forever))
    assert "keeps its events forever" in hit.message


def test_the_cfn_json_provider_without_its_log_group_fails(production: Any) -> None:
    def drop(resources: dict[str, Any]) -> None:
        (key,) = _logical_ids(resources, "AWS::Logs::LogGroup", "AWSCDKCfnUtilsProvider")
        del resources[key]

    (hit,) = hits("PF038", mutated(production, "EKSStack", drop))
    assert hit.logical_id.startswith("AWSCDKCfnUtilsProvider")


def test_the_aurora_export_group_dropped_fails(production: Any) -> None:
    def drop(resources: dict[str, Any]) -> None:
        (key,) = _logical_ids(resources, "AWS::Logs::LogGroup", "/aws/rds/cluster/")
        del resources[key]

    (hit,) = hits("PF038", mutated(production, "RdsStack", drop))
    assert "/aws/rds/cluster/genai-demo-production-aurora/postgresql" in hit.message
