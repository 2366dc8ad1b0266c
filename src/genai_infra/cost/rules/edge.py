"""Route 53 zones, health checks and queries; CloudFront and WAF."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from genai_infra.cost.catalog import CostError
from genai_infra.cost.rules.base import Charge, PricingContext, Resource, literal, number

# ---------------------------------------------------------------- DNS and edge


def hosted_zone(resource: Resource, ctx: PricingContext) -> list[Charge]:
    return [ctx.charge("hosted zone", 1, "route53.hosted-zone")]


def health_check(resource: Resource, ctx: PricingContext) -> list[Charge]:
    config = resource.properties.get("HealthCheckConfig", {})
    kind = str(literal(config, "Type") or "")
    features = [
        name
        for name, present in (
            ("HTTPS", kind.startswith("HTTPS")),
            ("string matching", kind.endswith("STR_MATCH")),
            ("fast interval", number(config, "RequestInterval") == 10),
            ("latency measurement", literal(config, "MeasureLatency") is True),
        )
        if present
    ]
    charges = [ctx.charge(f"{kind or 'health'} check", 1, "route53.health-check")]
    if features:
        charges.append(
            ctx.charge(f"optional features: {', '.join(features)}", len(features), "route53.health-check-feature")
        )
    return charges


def _record_queries(resource: Resource, ctx: PricingContext, records: list[Mapping[str, Any]]) -> list[Charge]:
    # Queries of alias records that point at AWS resources (ALB, CloudFront) are free.
    plain = [record for record in records if "AliasTarget" not in record]
    if not plain:
        return []
    total_plain = 0
    for item in resource.siblings.values():
        if item.get("Type") == "AWS::Route53::RecordSet":
            total_plain += "AliasTarget" not in item.get("Properties", {})
        elif item.get("Type") == "AWS::Route53::RecordSetGroup":
            total_plain += sum("AliasTarget" not in r for r in item.get("Properties", {}).get("RecordSets", []))
    share = ctx.usage.dns_queries_millions * len(plain) / max(total_plain, 1)
    return [ctx.charge("DNS queries of non-alias records (usage file)", share, "route53.queries")]


def record_set(resource: Resource, ctx: PricingContext) -> list[Charge]:
    return _record_queries(resource, ctx, [resource.properties])


def record_set_group(resource: Resource, ctx: PricingContext) -> list[Charge]:
    return _record_queries(resource, ctx, list(resource.properties.get("RecordSets", [])))


def cloudfront(resource: Resource, ctx: PricingContext) -> list[Charge]:
    usage = ctx.usage
    edge = usage.cloudfront_edge
    return [
        ctx.charge(
            f"data to viewers {usage.cloudfront_data_out_gb:g} GB ({edge})",
            usage.cloudfront_data_out_gb,
            f"cloudfront.data-out.{edge}",
        ),
        ctx.charge(
            f"HTTPS requests {usage.requests_millions:g} M ({edge})",
            usage.requests_millions * 100,
            f"cloudfront.https.{edge}",
        ),
    ]


def cloudfront_function(resource: Resource, ctx: PricingContext) -> list[Charge]:
    return [ctx.charge("CloudFront Function invocations", ctx.usage.requests_millions, "cloudfront.function")]


def web_acl(resource: Resource, ctx: PricingContext) -> list[Charge]:
    rules = resource.properties.get("Rules", [])
    if not isinstance(rules, list):
        raise CostError(f"{resource.stack}/{resource.logical_id}: the web ACL's rules are a token.")
    return [
        ctx.charge("web ACL", 1, "waf.web-acl"),
        ctx.charge(f"{len(rules)} rules and managed rule groups", len(rules), "waf.rule"),
        ctx.charge(
            f"requests inspected {ctx.usage.requests_millions:g} M", ctx.usage.requests_millions, "waf.requests"
        ),
    ]
