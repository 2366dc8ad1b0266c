"""CloudWatch Logs: every log group a target will create keeps its events for a bounded time.

A log group without RetentionInDays keeps everything forever (and bills it). Besides the groups a
template declares, AWS services create groups of their own when they first write: Lambda
(/aws/lambda/<function name>, unless the function's LoggingConfig names a group; also the function
a hosted secret rotation creates), the EKS control
plane (/aws/eks/<cluster>/cluster), Aurora's log exports (/aws/rds/cluster/<cluster>/<log type>) and
the amazon-cloudwatch-observability add-on (/aws/containerinsights/<cluster>/<type>). Such a group
has a retention only if the target declares it, with the name the service will use.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from genai_infra.preflight.cfn import as_list, render
from genai_infra.preflight.model import Hit, Severity, StackTemplate, TargetTemplates, rule

OBSERVABILITY_ADDON = "amazon-cloudwatch-observability"
# Fluent Bit's groups (unless the add-on's containerLogs are off) and the agent's Container Insights group.
FLUENT_BIT_LOG_TYPES = ("application", "dataplane", "host")
AGENT_LOG_TYPE = "performance"
LAMBDA_PREFIX = "/aws/lambda/"


@dataclass(frozen=True)
class Implied:
    """A log group a resource makes AWS create at run time."""

    template: StackTemplate
    logical_id: str
    name: str
    why: str


def _literal(template: StackTemplate, value: Any) -> str | None:
    """A literal name, following a Ref to a resource of the same template whose name is a literal."""
    literal = render(value, region=template.region).literal
    if literal is not None:
        return literal
    if isinstance(value, dict) and set(value) == {"Ref"}:
        resource = template.resources.get(str(value["Ref"]), {})
        properties = resource.get("Properties", {})
        for key in ("Name", "DBClusterIdentifier", "FunctionName"):
            name = render(properties.get(key), region=template.region).literal
            if name is not None:
                return name
    return None


def _lambda_group_of_ref(template: StackTemplate, name: Any) -> str | None:
    """The function a group named /aws/lambda/<Ref function> belongs to (CDK's naming of provider logs)."""
    rendered = render(name, region=template.region)
    if len(rendered.tokens) != 1:
        return None
    ((placeholder, token),) = rendered.tokens.items()
    if rendered.text != LAMBDA_PREFIX + placeholder or not isinstance(token, dict) or set(token) != {"Ref"}:
        return None
    return str(token["Ref"])


def _addon_configuration(properties: Mapping[str, Any]) -> dict[str, Any]:
    values = properties.get("ConfigurationValues")
    if not isinstance(values, str):
        return {}
    try:
        parsed = json.loads(values)
    except json.JSONDecodeError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _implied(target: TargetTemplates) -> Iterator[Implied]:
    for template in target.stacks.values():
        for logical_id, properties in template.of_type("AWS::Lambda::Function"):
            if properties.get("LoggingConfig", {}).get("LogGroup") is not None:
                continue  # the function writes to a group the template names (checked as declared)
            name = _literal(template, properties.get("FunctionName")) if "FunctionName" in properties else None
            yield Implied(template, logical_id, LAMBDA_PREFIX + (name or f"<{logical_id}>"), "Lambda function")
        for logical_id, properties in template.of_type("AWS::SecretsManager::RotationSchedule"):
            # The hosted rotation transform creates a Lambda function of this name at deploy time.
            hosted = properties.get("HostedRotationLambda", {})
            name = _literal(template, hosted.get("RotationLambdaName")) if hosted else None
            if hosted:
                yield Implied(template, logical_id, LAMBDA_PREFIX + (name or f"<{logical_id}>"), "hosted rotation")
        for logical_id, properties in template.of_type("AWS::EKS::Cluster"):
            logging = properties.get("Logging", {}).get("ClusterLogging", {})
            cluster = _literal(template, properties.get("Name"))
            if as_list(logging.get("EnabledTypes")) and cluster:
                yield Implied(template, logical_id, f"/aws/eks/{cluster}/cluster", "EKS control-plane logging")
        for logical_id, properties in template.of_type("AWS::RDS::DBCluster"):
            cluster = _literal(template, properties.get("DBClusterIdentifier"))
            for kind in as_list(properties.get("EnableCloudwatchLogsExports")):
                yield Implied(
                    template, logical_id, f"/aws/rds/cluster/{cluster or '<' + logical_id + '>'}/{kind}", "log export"
                )
        for logical_id, properties in template.of_type("AWS::EKS::Addon"):
            if properties.get("AddonName") != OBSERVABILITY_ADDON:
                continue
            cluster = _literal(template, properties.get("ClusterName")) or f"<{logical_id}>"
            configuration = _addon_configuration(properties)
            kinds = [AGENT_LOG_TYPE]
            if configuration.get("containerLogs", {}).get("enabled", True) is not False:
                kinds += FLUENT_BIT_LOG_TYPES
            for kind in kinds:
                yield Implied(template, logical_id, f"/aws/containerinsights/{cluster}/{kind}", OBSERVABILITY_ADDON)
            agent = configuration.get("agent", {}).get("config", {})
            prometheus = agent.get("logs", {}).get("metrics_collected", {}).get("prometheus")
            if isinstance(prometheus, dict):
                name = prometheus.get("log_group_name") or f"/aws/containerinsights/{cluster}/prometheus"
                yield Implied(template, logical_id, str(name), f"{OBSERVABILITY_ADDON} Prometheus scraping")


@rule("PF038", Severity.ERROR, "target", "every log group the target creates, declared or implied, has a retention")
def log_groups_have_retention(target: TargetTemplates) -> Iterator[Hit]:
    declared: set[str] = set()
    lambda_groups: set[tuple[str, str]] = set()  # (stack, function logical id) of /aws/lambda/<Ref> groups
    for template, logical_id, properties in target.of_type("AWS::Logs::LogGroup"):
        name = properties.get("LogGroupName")
        # A declared group stands for its name; if it lacks a retention, the group itself is reported.
        literal = _literal(template, name)
        if literal is not None:
            declared.add(literal)
        function = _lambda_group_of_ref(template, name)
        if function is not None:
            lambda_groups.add((template.stack, function))
        if properties.get("RetentionInDays") is None:
            shown = render(name, region=target.region).text if name is not None else "with a generated name"
            yield template.hit(
                logical_id,
                f"log group {logical_id} ({shown}) keeps its events forever; set RetentionInDays to the "
                "environment's log retention",
            )
    for implied in _implied(target):
        if implied.why == "Lambda function" and (implied.template.stack, implied.logical_id) in lambda_groups:
            continue
        if implied.name in declared:
            continue
        yield implied.template.hit(
            implied.logical_id,
            f"{implied.why} {implied.logical_id} makes AWS create the log group {implied.name} without a retention; "
            "declare that log group in the target with RetentionInDays (or point the resource at a declared group)",
        )
