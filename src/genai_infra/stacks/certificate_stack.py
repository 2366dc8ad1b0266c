"""CertificateStack: the domain's certificate in a serving region, or for CloudFront in us-east-1."""

from __future__ import annotations

from aws_cdk import aws_ssm as ssm
from constructs import Construct

from genai_infra.constructs.certificates import DomainCertificate
from genai_infra.constructs.shared_values import PublishedValues
from genai_infra.naming import HOSTED_ZONE_ID_PARAMETER, origin_domain, regional_origin_domain
from genai_infra.stacks.base import GenaiStack, TargetContext


class CertificateStack(GenaiStack):
    def __init__(self, scope: Construct, stack_id: str, *, target: TargetContext) -> None:
        super().__init__(scope, stack_id, target=target, description="ACM certificate of the application domain")
        dns = target.project.dns
        zone_id = dns.zone_id
        if zone_id is None:
            zone_id = ssm.StringParameter.value_for_string_parameter(self, HOSTED_ZONE_ID_PARAMETER)
        domain = target.environment.domain
        # A serving region's ALB answers CloudFront and Route 53 on origin.<domain> (the failover
        # name) and origin-<region>.<domain>; CloudFront's certificate in us-east-1 needs only the domain.
        serving = target.region in target.environment.regions
        names = [origin_domain(domain), regional_origin_domain(domain, target.region)] if serving else []
        self.domain_certificate = DomainCertificate(
            self, "Domain", domain=domain, alternative_names=names, zone_id=zone_id, zone_name=dns.zone_name
        )
        PublishedValues(
            self,
            "Published",
            environment=target.environment.name,
            values={"certificate/arn": self.domain_certificate.certificate.certificate_arn},
        )
