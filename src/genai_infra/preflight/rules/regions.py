"""Regions: what exists only in us-east-1 stays there; account-wide names and global databases agree."""

from __future__ import annotations

from collections.abc import Iterator

from genai_infra.preflight import support
from genai_infra.preflight.cfn import render
from genai_infra.preflight.model import EnvironmentTemplates, Hit, Severity, StackTemplate, rule

US_EAST_1 = "us-east-1"


@rule("PF034", Severity.ERROR, "template", "us-east-1-only resources (budgets, CE, CLOUDFRONT-scope WAF ...) are there")
def us_east_1_only(template: StackTemplate) -> Iterator[Hit]:
    if template.region == US_EAST_1:
        return
    for resource_type, reason in support.US_EAST_1_ONLY.items():
        for logical_id, _ in template.of_type(resource_type):
            yield template.hit(
                logical_id, f"{resource_type} {logical_id} is in {template.region}, but {reason}; move it to us-east-1"
            )
    for logical_id, properties in template.of_type(*support.WAFV2_SCOPED_TYPES):
        if render(properties.get("Scope")).literal == "CLOUDFRONT":
            yield template.hit(
                logical_id,
                f"WAFv2 {logical_id} has Scope CLOUDFRONT in {template.region}; CLOUDFRONT-scope WAF resources "
                "exist only in us-east-1: move it there",
            )


@rule("PF035", Severity.ERROR, "template", "a CloudFront distribution's ACM certificate is a us-east-1 certificate")
def cloudfront_certificate(template: StackTemplate) -> Iterator[Hit]:
    for logical_id, properties in template.of_type("AWS::CloudFront::Distribution"):
        viewer = properties.get("DistributionConfig", {}).get("ViewerCertificate", {})
        if "AcmCertificateArn" not in viewer:
            continue
        rendered = render(viewer["AcmCertificateArn"], region=template.region)
        parts = rendered.text.split(":")
        # A literal ARN names its region; a Ref/GetAtt/SSM value comes from the stack's own region.
        region = parts[3] if rendered.literal is not None and len(parts) > 3 else template.region
        if region != US_EAST_1:
            yield template.hit(
                logical_id,
                f"distribution {logical_id} uses an ACM certificate from {region}; CloudFront only accepts "
                "certificates issued in us-east-1: use the us-east-1 CertificateStack's certificate",
            )


@rule("PF036", Severity.ERROR, "environment", "account-wide IAM names are unique across the environment's regions")
def account_wide_names(environment: EnvironmentTemplates) -> Iterator[Hit]:
    seen: dict[str, str] = {}
    for target in environment.targets:
        for resource_type, key in support.IAM_ACCOUNT_WIDE_NAMES.items():
            for template, logical_id, properties in target.of_type(resource_type):
                name = render(properties.get(key), region=target.region).literal
                if name is None:
                    continue
                where = f"{target.label} {template.stack}/{logical_id}"
                if f"{resource_type}:{name}" in seen:
                    yield Hit(
                        template.stack,
                        logical_id,
                        f"{key} {name!r} of {where} is also used by {seen[f'{resource_type}:{name}']}; IAM names are "
                        "account-wide: add the region to the name (naming.iam_role_name)",
                        target=target.label,
                    )
                else:
                    seen[f"{resource_type}:{name}"] = where


@rule(
    "PF037", Severity.ERROR, "environment", "an Aurora global secondary joins a global cluster the environment creates"
)
def aurora_global_cluster(environment: EnvironmentTemplates) -> Iterator[Hit]:
    created = {
        render(properties.get("GlobalClusterIdentifier")).literal
        for target in environment.targets
        for _, _, properties in target.of_type("AWS::RDS::GlobalCluster")
    }
    for target in environment.targets:
        for template, logical_id, properties in target.of_type("AWS::RDS::DBCluster"):
            if "GlobalClusterIdentifier" not in properties:
                continue
            name = render(properties["GlobalClusterIdentifier"]).literal
            if name is not None and name not in created:
                yield Hit(
                    template.stack,
                    logical_id,
                    f"cluster {logical_id} in {target.region} joins global cluster {name!r}, which no target of "
                    f"{environment.environment} creates; create AWS::RDS::GlobalCluster {name} in the primary region",
                    target=target.label,
                )
