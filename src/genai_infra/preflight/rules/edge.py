"""TLS floors at the edge: ALB HTTPS listeners and CloudFront viewers refuse TLS below 1.2."""

from __future__ import annotations

from collections.abc import Iterator

from genai_infra.preflight.cfn import render
from genai_infra.preflight.model import Hit, Severity, StackTemplate, rule
from genai_infra.tls_policies import ALB_TLS12_POLICY, CLOUDFRONT_TLS12_POLICIES, cloudfront_policy_keeps_tls12

# What ELB applies to an HTTPS listener without an SslPolicy (it accepts TLS 1.0).
ELB_DEFAULT_POLICY = "ELBSecurityPolicy-2016-08"


@rule("PF051", Severity.ERROR, "template", "every HTTPS/TLS listener's security policy keeps TLS 1.2 as the floor")
def listener_tls_floor(template: StackTemplate) -> Iterator[Hit]:
    for logical_id, properties in template.of_type("AWS::ElasticLoadBalancingV2::Listener"):
        if render(properties.get("Protocol"), region=template.region).literal not in ("HTTPS", "TLS"):
            continue
        policy = render(properties.get("SslPolicy", ELB_DEFAULT_POLICY), region=template.region).literal
        if policy is None or not ALB_TLS12_POLICY.fullmatch(policy):
            yield template.hit(
                logical_id,
                f"listener {logical_id} uses the security policy {policy or 'of a parameter'}, which accepts TLS "
                "below 1.2; set SslPolicy to one with a 1-2 or 1-3 floor, such as ELBSecurityPolicy-TLS13-1-2-2021-06",
            )


@rule("PF052", Severity.ERROR, "template", "every CloudFront distribution's viewer policy keeps TLS 1.2 as the floor")
def cloudfront_tls_floor(template: StackTemplate) -> Iterator[Hit]:
    for logical_id, properties in template.of_type("AWS::CloudFront::Distribution"):
        certificate = properties.get("DistributionConfig", {}).get("ViewerCertificate", {})
        # The default *.cloudfront.net certificate always accepts TLSv1.
        policy = None if certificate.get("CloudFrontDefaultCertificate") else certificate.get("MinimumProtocolVersion")
        name = render(policy, region=template.region).literal if policy is not None else None
        if name is None or not cloudfront_policy_keeps_tls12(name):
            yield template.hit(
                logical_id,
                f"distribution {logical_id} accepts viewers below TLS 1.2 ({name or 'TLSv1, the default'}); use a "
                f"custom certificate with MinimumProtocolVersion one of {', '.join(CLOUDFRONT_TLS12_POLICIES)}",
            )
