"""The CloudFront distribution of the application's domain, and its alias records.

Origins are the Route 53 names of the ALBs (HTTPS only, TLS 1.2), each request carrying the
X-Origin-Verify header. The default behavior (the application and its API) is not cached and
forwards everything but the Host header, so the ALB sees its own certificate's name.

CloudFront refuses an origin group on a behavior that allows POST, PUT, PATCH or DELETE (it fails
over only GET, HEAD and OPTIONS), so the design's origin group cannot serve the default behavior:
that behavior uses `origin.<domain>`, whose Route 53 failover record already moves it to the
secondary region when the primary's health check fails. The cached static paths (GET/HEAD) use
the origin group where there is a secondary region, failing over on 500/502/503/504 at once.
"""

from __future__ import annotations

import re

from aws_cdk import Duration
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as targets
from constructs import Construct

from genai_infra.config.edge import EdgeConfig
from genai_infra.nag import AWS_SOLUTIONS, acknowledge, skip_checkov
from genai_infra.naming import ORIGIN_VERIFY_HEADER

FAILOVER_STATUS_CODES: tuple[int, ...] = (500, 502, 503, 504)
# Configuration uses CloudFormation's names for the price classes.
PRICE_CLASSES = {
    "PriceClass_100": cloudfront.PriceClass.PRICE_CLASS_100,
    "PriceClass_200": cloudfront.PriceClass.PRICE_CLASS_200,
    "PriceClass_All": cloudfront.PriceClass.PRICE_CLASS_ALL,
}


def alb_origin(domain_name: str, *, origin_verify: str) -> origins.HttpOrigin:
    return origins.HttpOrigin(
        domain_name,
        protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
        custom_headers={ORIGIN_VERIFY_HEADER: origin_verify},
    )


# HSTS preload lists require at least a year; two years is what they recommend.
HSTS_MAX_AGE_DAYS = 730


def viewer_policy(name: str) -> cloudfront.SecurityPolicyProtocol:
    """CloudFront's policy name (TLSv1.2_2021) as the CDK enum member (TLS_V1_2_2021)."""
    return cloudfront.SecurityPolicyProtocol[re.sub(r"^(TLS|SSL)V", r"\1_V", name.upper()).replace(".", "_")]


class EdgeDistribution(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: str,
        domain: str,
        primary_origin: str,
        secondary_origin: str | None,
        origin_verify: str,
        certificate_arn: str,
        web_acl_arn: str,
        config: EdgeConfig,
        zone: route53.IHostedZone,
    ) -> None:
        super().__init__(scope, construct_id)
        primary = alb_origin(primary_origin, origin_verify=origin_verify)
        static_origin: cloudfront.IOrigin = primary
        if secondary_origin is not None:
            static_origin = origins.OriginGroup(
                primary_origin=primary,
                fallback_origin=alb_origin(secondary_origin, origin_verify=origin_verify),
                fallback_status_codes=list(FAILOVER_STATUS_CODES),
            )
        # Security headers on every response of every behavior (HSTS for two years with subdomains and
        # preload, nosniff, no framing, strict-origin-when-cross-origin, the XSS filter in block mode),
        # overriding whatever the application sends.
        self.security_headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            response_headers_policy_name=f"genai-demo-{environment}-security-headers",
            comment=f"genai-demo {environment}: security headers on every response",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(HSTS_MAX_AGE_DAYS),
                    include_subdomains=True,
                    preload=True,
                    override=True,
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override=True
                ),
                xss_protection=cloudfront.ResponseHeadersXSSProtection(protection=True, mode_block=True, override=True),
            ),
        )
        static = cloudfront.BehaviorOptions(
            origin=static_origin,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
            cached_methods=cloudfront.CachedMethods.CACHE_GET_HEAD,
            cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
            compress=True,
            response_headers_policy=self.security_headers,
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"genai-demo {environment}: {domain}",
            domain_names=[domain],
            certificate=acm.Certificate.from_certificate_arn(self, "Certificate", certificate_arn),
            minimum_protocol_version=viewer_policy(config.minimum_protocol_version),
            ssl_support_method=cloudfront.SSLMethod.SNI,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            enable_ipv6=True,
            price_class=PRICE_CLASSES[config.price_class],
            web_acl_id=web_acl_arn,
            # Access logs go through standard logging v2 (edge_logs.CloudFrontAccessLogs), not the legacy S3 logs.
            enable_logging=False,
            default_behavior=cloudfront.BehaviorOptions(
                origin=primary,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                response_headers_policy=self.security_headers,
            ),
            additional_behaviors=dict.fromkeys(config.static_paths, static),
        )
        acknowledge(
            self.distribution,
            f"{AWS_SOLUTIONS}-CFR3",
            "Access logs are delivered by standard logging v2 (AWS::Logs::DeliverySource, DeliveryDestination "
            "and Delivery in this stack) to a KMS-encrypted log group; this rule reads only the legacy S3 logging.",
        )
        skip_checkov(
            self.distribution,
            "CKV_AWS_86",
            "Access logs are delivered by standard logging v2 (AWS::Logs::DeliverySource, DeliveryDestination "
            "and Delivery in this stack) to a KMS-encrypted log group; this check reads only the legacy S3 logging.",
        )
        acknowledge(
            self.distribution,
            f"{AWS_SOLUTIONS}-CFR1",
            "The application is offered in every country and no regulation restricts where; abuse is handled "
            "by the WAF web ACL (IP reputation list, per-IP rate limit), not by country.",
        )
        alias = route53.RecordTarget.from_alias(targets.CloudFrontTarget(self.distribution))
        self.a_record = route53.ARecord(self, "A", zone=zone, record_name=domain, target=alias)
        self.aaaa_record = route53.AaaaRecord(self, "Aaaa", zone=zone, record_name=domain, target=alias)
