"""The VPC, its subnet tiers, gateways and the three route table kinds of the specification.

Built from L1 resources because the L2 `ec2.Vpc` cannot express this plan: it allocates subnet
ranges itself (database subnet B would be 10.x.4.16/28, not the document's 10.x.5.0/28), puts
every tier in the same AZs (decision C5 needs a third-AZ subnet for MSK only) and gives every
subnet its own route table (the document has exactly three: public, private, database).
An `ec2.IVpc` view is exposed for L2 constructs that need one.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from genai_infra.config.network import NetworkConfig
from genai_infra.nag import CFN_VALIDATE, NIST, acknowledge


@dataclass(frozen=True)
class Tier:
    """Subnets of one tier with the AZ and CIDR of each (CIDRs are needed by the network ACLs)."""

    name: str
    subnets: tuple[ec2.CfnSubnet, ...]
    zones: tuple[str, ...]
    cidrs: tuple[str, ...]

    @property
    def subnet_ids(self) -> list[str]:
        return [subnet.ref for subnet in self.subnets]


class VpcLayout(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, network: NetworkConfig, name_prefix: str) -> None:
        super().__init__(scope, construct_id)
        self._name_prefix = name_prefix
        self.cfn_vpc = ec2.CfnVPC(
            self,
            "Vpc",
            cidr_block=network.vpc_cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags=self._name("vpc"),
        )
        acknowledge(
            self.cfn_vpc,
            f"{NIST}-VPCDefaultSecurityGroupClosed",
            "Nothing is attached to the default security group: every resource gets one of the named groups. "
            "Emptying its rules needs a Lambda-backed custom resource, left out so the stack deploys without one.",
        )
        acknowledge(
            self,
            f"{CFN_VALIDATE}::W3010",
            "Availability zones are configuration (decision C5 places MSK in a named third zone); "
            "they are validated against the region before synthesis.",
        )
        two_zones = network.availability_zones[:2]
        self.public = self._tier("public", network.public_subnet_cidrs, two_zones, {"kubernetes.io/role/elb": "1"})
        self.private = self._tier(
            "private", network.private_subnet_cidrs, two_zones, {"kubernetes.io/role/internal-elb": "1"}
        )
        self.database = self._tier("database", network.database_subnet_cidrs, two_zones, {})
        self.msk = self._tier("msk", (network.msk_subnet_cidr,), network.availability_zones[2:], {})

        igw = ec2.CfnInternetGateway(self, "InternetGateway", tags=self._name("igw"))
        attachment = ec2.CfnVPCGatewayAttachment(
            self, "IgwAttachment", vpc_id=self.cfn_vpc.ref, internet_gateway_id=igw.ref
        )

        self.nat_gateways: list[ec2.CfnNatGateway] = []
        for index in range(network.nat_gateways):
            eip = ec2.CfnEIP(self, f"NatEip{index + 1}", domain="vpc", tags=self._name(f"nat-{index + 1}"))
            nat = ec2.CfnNatGateway(
                self,
                f"NatGateway{index + 1}",
                subnet_id=self.public.subnets[index].ref,
                allocation_id=eip.attr_allocation_id,
                tags=self._name(f"nat-{index + 1}"),
            )
            nat.add_resource_dependency(attachment)
            self.nat_gateways.append(nat)

        # Public: 0.0.0.0/0 -> IGW. Private: 0.0.0.0/0 -> NAT. Database: local route only.
        self.public_route_table = self._route_table("public", (self.public,))
        public_default_route = ec2.CfnRoute(
            self,
            "PublicDefaultRoute",
            route_table_id=self.public_route_table.ref,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=igw.ref,
        )
        public_default_route.add_resource_dependency(attachment)
        acknowledge(
            public_default_route,
            f"{NIST}-VPCNoUnrestrictedRouteToIGW",
            "The public subnets hold the internet-facing ALB and the NAT gateway: their route to the internet "
            "gateway is what makes them public (specification: public route table 0.0.0.0/0 -> IGW).",
        )
        self.private_route_table = self._route_table("private", (self.private, self.msk))
        ec2.CfnRoute(
            self,
            "PrivateDefaultRoute",
            route_table_id=self.private_route_table.ref,
            destination_cidr_block="0.0.0.0/0",
            nat_gateway_id=self.nat_gateways[0].ref,
        )
        self.database_route_table = self._route_table("database", (self.database,))

        self.vpc = ec2.Vpc.from_vpc_attributes(
            self,
            "View",
            vpc_id=self.cfn_vpc.ref,
            vpc_cidr_block=network.vpc_cidr,
            availability_zones=list(two_zones),
            public_subnet_ids=self.public.subnet_ids,
            public_subnet_route_table_ids=[self.public_route_table.ref] * 2,
            private_subnet_ids=self.private.subnet_ids,
            private_subnet_route_table_ids=[self.private_route_table.ref] * 2,
            isolated_subnet_ids=self.database.subnet_ids,
            isolated_subnet_route_table_ids=[self.database_route_table.ref] * 2,
        )

    def _name(self, suffix: str) -> list[dict[str, str]]:
        return [{"key": "Name", "value": f"{self._name_prefix}-{suffix}"}]

    def _tier(self, name: str, cidrs: tuple[str, ...], zones: tuple[str, ...], extra_tags: dict[str, str]) -> Tier:
        subnets = []
        for index, (cidr, zone) in enumerate(zip(cidrs, zones, strict=True)):
            tags = self._name(f"{name}-{zone}") + [{"key": key, "value": value} for key, value in extra_tags.items()]
            subnet = ec2.CfnSubnet(
                self,
                f"{name.capitalize()}Subnet{index + 1}",
                vpc_id=self.cfn_vpc.ref,
                cidr_block=cidr,
                availability_zone=zone,
                map_public_ip_on_launch=False,
                tags=tags,
            )
            # Zones are configuration, validated against the region (see the acknowledgment above).
            subnet.add_metadata("cfn-lint", {"config": {"ignore_checks": ["W3010"]}})
            subnets.append(subnet)
        return Tier(name, tuple(subnets), tuple(zones[: len(cidrs)]), cidrs)

    def _route_table(self, name: str, tiers: tuple[Tier, ...]) -> ec2.CfnRouteTable:
        table = ec2.CfnRouteTable(
            self, f"{name.capitalize()}RouteTable", vpc_id=self.cfn_vpc.ref, tags=self._name(f"{name}-rt")
        )
        for tier in tiers:
            for index, subnet in enumerate(tier.subnets):
                ec2.CfnSubnetRouteTableAssociation(
                    self,
                    f"{tier.name.capitalize()}Subnet{index + 1}RouteTable",
                    subnet_id=subnet.ref,
                    route_table_id=table.ref,
                )
        return table
