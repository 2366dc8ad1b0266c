"""The three network ACLs of the specification (public, private, database), rules as data.

Network ACLs are stateless: every flow the design allows needs its request rule on one side and
its response (ephemeral ports 1024-65535) rule on the other. Traffic to the Amazon DNS resolver
and the instance metadata/time services is not filtered by ACLs, so no rule is needed for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from genai_infra.constructs.vpc import Tier, VpcLayout
from genai_infra.nag import AWS_SOLUTIONS, acknowledge

ANYWHERE = "0.0.0.0/0"
EPHEMERAL = (1024, 65535)
TCP, ALL = 6, -1


@dataclass(frozen=True)
class AclRule:
    number: int
    egress: bool
    protocol: int  # 6 = TCP, -1 = all traffic
    ports: tuple[int, int] | None  # None for all traffic
    cidr: str


def _each(
    start: int, egress: bool, protocol: int, ports: tuple[int, int] | None, cidrs: tuple[str, ...]
) -> list[AclRule]:
    return [AclRule(start + 10 * index, egress, protocol, ports, cidr) for index, cidr in enumerate(cidrs)]


def public_rules(admin_ssh_cidrs: tuple[str, ...]) -> list[AclRule]:
    """Inbound HTTP/HTTPS, SSH from the configured admin ranges only, ephemeral; outbound all."""
    return [
        AclRule(100, False, TCP, (80, 80), ANYWHERE),
        AclRule(110, False, TCP, (443, 443), ANYWHERE),
        *_each(120, False, TCP, (22, 22), admin_ssh_cidrs),
        # Responses to the NAT gateway's and the ALB's own connections.
        AclRule(200, False, TCP, EPHEMERAL, ANYWHERE),
        AclRule(100, True, ALL, None, ANYWHERE),
    ]


def private_rules(public: Tier, private: tuple[str, ...], database: Tier) -> list[AclRule]:
    """Inbound from the public subnets and the private tier; outbound HTTPS and the database ports."""
    return [
        # From the public subnets: the ALB's requests to the pods (8080) and its health checks.
        *_each(100, False, ALL, None, public.cidrs),
        # Inside the private tier (nodes, pods, EKS control plane ENIs, MSK, endpoints): any protocol,
        # CoreDNS answers pods over UDP 53 across nodes.
        *_each(120, False, ALL, None, private),
        # Responses: from the database tier (5432/6379) and, through the NAT gateway, from the internet.
        AclRule(200, False, TCP, EPHEMERAL, ANYWHERE),
        AclRule(100, True, TCP, (443, 443), ANYWHERE),
        *_each(110, True, TCP, (5432, 5432), database.cidrs),
        *_each(130, True, TCP, (6379, 6379), database.cidrs),
        *_each(150, True, ALL, None, private),
        # Responses to the ALB in the public subnets.
        *_each(180, True, TCP, EPHEMERAL, public.cidrs),
    ]


def database_rules(private: Tier, database: Tier) -> list[AclRule]:
    """Inbound PostgreSQL and Redis from the private subnets; outbound responses only."""
    return [
        *_each(100, False, TCP, (5432, 5432), private.cidrs),
        *_each(120, False, TCP, (6379, 6379), private.cidrs),
        # Between the database subnets: Redis replicas replicate from their primary on 6379.
        *_each(140, False, TCP, (6379, 6379), database.cidrs),
        *_each(160, False, TCP, EPHEMERAL, database.cidrs),
        *_each(100, True, TCP, EPHEMERAL, private.cidrs),
        *_each(120, True, TCP, (6379, 6379), database.cidrs),
        *_each(140, True, TCP, EPHEMERAL, database.cidrs),
    ]


class NetworkAcls(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        layout: VpcLayout,
        admin_ssh_cidrs: tuple[str, ...],
        name_prefix: str,
    ) -> None:
        super().__init__(scope, construct_id)
        acknowledge(
            self,
            f"{AWS_SOLUTIONS}-VPC3",
            "The specification's network design has public, private and database network ACLs as a second layer "
            "under the security groups; every rule is listed and tested.",
        )
        private_cidrs = (*layout.private.cidrs, *layout.msk.cidrs)
        self.rules = {
            "public": public_rules(admin_ssh_cidrs),
            "private": private_rules(layout.public, private_cidrs, layout.database),
            "database": database_rules(layout.private, layout.database),
        }
        members = {
            "public": (layout.public,),
            "private": (layout.private, layout.msk),
            "database": (layout.database,),
        }
        for name, rules in self.rules.items():
            acl = ec2.CfnNetworkAcl(
                self,
                f"{name.capitalize()}Acl",
                vpc_id=layout.cfn_vpc.ref,
                tags=[{"key": "Name", "value": f"{name_prefix}-{name}-nacl"}],
            )
            for rule in rules:
                direction = "Out" if rule.egress else "In"
                ec2.CfnNetworkAclEntry(
                    self,
                    f"{name.capitalize()}{direction}{rule.number}",
                    network_acl_id=acl.ref,
                    rule_number=rule.number,
                    egress=rule.egress,
                    protocol=rule.protocol,
                    rule_action="allow",
                    cidr_block=rule.cidr,
                    port_range=ec2.CfnNetworkAclEntry.PortRangeProperty(from_=rule.ports[0], to=rule.ports[1])
                    if rule.ports
                    else None,
                )
            for tier in members[name]:
                for index, subnet in enumerate(tier.subnets):
                    ec2.CfnSubnetNetworkAclAssociation(
                        self,
                        f"{tier.name.capitalize()}Subnet{index + 1}Acl",
                        subnet_id=subnet.ref,
                        network_acl_id=acl.ref,
                    )
