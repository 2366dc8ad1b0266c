"""The security group of a function that talks to Aurora from the VPC, and its path into the database group.

The secret rotation function and the function that creates the application's database user
(decision S8) need the same two ways out: HTTPS to AWS APIs through the NAT gateway, and
PostgreSQL to the database group, which admits them on 5432 by a rule of its own.
"""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from genai_infra.constructs.aurora import POSTGRES_PORT


def database_client_group(
    scope: Construct,
    *,
    vpc_id: str,
    group_name: str,
    description: str,
    https_reason: str,
    database_security_group_id: str,
    ingress_description: str,
) -> tuple[ec2.CfnSecurityGroup, ec2.CfnSecurityGroupIngress]:
    """The client group ("SecurityGroup") and the database group's ingress from it ("DatabaseIngress")."""
    group = ec2.CfnSecurityGroup(
        scope,
        "SecurityGroup",
        vpc_id=vpc_id,
        group_name=group_name,
        group_description=description,
        security_group_egress=[
            ec2.CfnSecurityGroup.EgressProperty(
                ip_protocol="tcp", from_port=443, to_port=443, cidr_ip="0.0.0.0/0", description=https_reason
            ),
            ec2.CfnSecurityGroup.EgressProperty(
                ip_protocol="tcp", from_port=POSTGRES_PORT, to_port=POSTGRES_PORT,
                destination_security_group_id=database_security_group_id,
                description="To Aurora PostgreSQL",
            ),
        ],
    )  # fmt: skip
    ingress = ec2.CfnSecurityGroupIngress(
        scope,
        "DatabaseIngress",
        group_id=database_security_group_id,
        ip_protocol="tcp",
        from_port=POSTGRES_PORT,
        to_port=POSTGRES_PORT,
        source_security_group_id=group.attr_group_id,
        description=ingress_description,
    )
    return group, ingress
