"""CloudWatch logs, metrics, alarms and dashboards, and Managed Grafana users."""

from __future__ import annotations

import json
from collections.abc import Mapping

from genai_infra.cost.rules.base import Charge, PricingContext, Resource, literal, number

# ---------------------------------------------------------------- monitoring


def _flow_log_group(resource: Resource) -> bool:
    for item in resource.siblings.values():
        flow_log = item.get("Type") == "AWS::EC2::FlowLog"
        if flow_log and item.get("Properties", {}).get("LogGroupName") == {"Ref": resource.logical_id}:
            return True
    return False


def _delivery_destination(resource: Resource, name: object) -> bool:
    """A CloudWatch Logs delivery (CloudFront access logs) writes into this group: its ARN names the group."""
    if not isinstance(name, str):
        return False
    for item in resource.siblings.values():
        if item.get("Type") == "AWS::Logs::DeliveryDestination":
            arn = json.dumps(item.get("Properties", {}).get("DestinationResourceArn"))
            if f":log-group:{name}" in arn:
                return True
    return False


def log_group(resource: Resource, ctx: PricingContext) -> list[Charge]:
    usage = ctx.usage
    name = literal(resource.properties, "LogGroupName")
    ingestion = "logs.ingestion"
    if _flow_log_group(resource):
        gb, source = usage.flow_log_gb, "flow_log_gb"
    elif isinstance(name, str) and name.startswith("aws-waf-logs-"):
        # WAF logs one record per inspected request: vended logs priced by volume.
        gb, source = usage.requests_millions * usage.waf_log_kb_per_request, "requests x waf_log_kb_per_request"
        ingestion = "logs.vended-ingestion"
    elif _delivery_destination(resource, name):
        gb = usage.requests_millions * usage.cloudfront_log_kb_per_request
        source, ingestion = "requests x cloudfront_log_kb_per_request", "logs.vended-ingestion"
    else:
        matches = [gb for key, gb in usage.log_gb_by_name.items() if isinstance(name, str) and key in name]
        gb, source = (matches[0], "log_gb_by_name") if matches else (usage.log_gb_per_group, "log_gb_per_group")
    retention = number(resource.properties, "RetentionInDays")
    # Steady state: a month's ingestion is kept for retention/30 months. Without a retention the
    # group never expires; a year of accumulation is priced and the line says so.
    months = retention / 30 if retention is not None else 12
    kept = "retention " + (f"{retention:g} days" if retention is not None else "never expires: 12 months priced")
    return [
        ctx.charge(f"log ingestion {gb:g} GB ({source})", gb, ingestion),
        ctx.charge(f"log storage, {kept}", gb * months, "logs.storage"),
    ]


def metric_filter(resource: Resource, ctx: PricingContext) -> list[Charge]:
    transformations = resource.properties.get("MetricTransformations")
    count = len(transformations) if isinstance(transformations, list) else 1
    return [ctx.charge("custom metrics from a metric filter", count, "cloudwatch.metric")]


def alarm(resource: Resource, ctx: PricingContext) -> list[Charge]:
    props = resource.properties
    metrics = props.get("Metrics")
    count = (
        sum(1 for item in metrics if isinstance(item, Mapping) and "MetricStat" in item)
        if isinstance(metrics, list)
        else 1
    )
    if literal(props, "ThresholdMetricId") is not None:
        count *= 3  # an anomaly detection alarm bills three metrics: the metric and its band
    period = number(props, "Period")
    key = "cloudwatch.alarm-high-resolution" if period is not None and period < 60 else "cloudwatch.alarm"
    return [ctx.charge(f"alarm over {count} metric(s)", max(count, 1), key)]


def composite_alarm(resource: Resource, ctx: PricingContext) -> list[Charge]:
    return [ctx.charge("composite alarm", 1, "cloudwatch.composite-alarm")]


def dashboard(resource: Resource, ctx: PricingContext) -> list[Charge]:
    return [ctx.charge("dashboard (the account's first three are free; not counted here)", 1, "cloudwatch.dashboard")]


def grafana(resource: Resource, ctx: PricingContext) -> list[Charge]:
    usage = ctx.usage
    return [
        ctx.charge(f"{usage.grafana_editors} editors/admins", usage.grafana_editors, "grafana.editor"),
        ctx.charge(f"{usage.grafana_viewers} viewers", usage.grafana_viewers, "grafana.viewer"),
    ]
