"""The application's public hosted zone, from attributes: never looked up, so synthesis stays offline."""

from __future__ import annotations

from aws_cdk import aws_route53 as route53
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from genai_infra.config.edge import DnsConfig
from genai_infra.naming import HOSTED_ZONE_ID_PARAMETER


def hosted_zone(scope: Construct, construct_id: str, *, dns: DnsConfig) -> route53.IHostedZone:
    """The configured zone id, or the one the operator stored once per account in SSM (read at deploy)."""
    zone_id = dns.zone_id
    if zone_id is None:
        zone_id = ssm.StringParameter.value_for_string_parameter(scope, HOSTED_ZONE_ID_PARAMETER)
    return route53.HostedZone.from_hosted_zone_attributes(
        scope, construct_id, hosted_zone_id=zone_id, zone_name=dns.zone_name
    )
