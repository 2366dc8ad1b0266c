"""A DNS-validated ACM certificate for the application's domain and the exact names it serves.

No *.<domain>: a wildcard certificate's key would serve every name in the zone, including ones
the project never uses (checkov CKV2_AWS_71); the names are few and known.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_route53 as route53
from constructs import Construct


class DomainCertificate(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        domain: str,
        alternative_names: Sequence[str],
        zone_id: str,
        zone_name: str,
    ) -> None:
        super().__init__(scope, construct_id)
        # From attributes, not a look-up: synthesis stays offline and deterministic.
        self.zone = route53.HostedZone.from_hosted_zone_attributes(
            self, "Zone", hosted_zone_id=zone_id, zone_name=zone_name
        )
        self.certificate = acm.Certificate(
            self,
            "Certificate",
            domain_name=domain,
            subject_alternative_names=list(alternative_names) or None,
            validation=acm.CertificateValidation.from_dns(self.zone),
        )
