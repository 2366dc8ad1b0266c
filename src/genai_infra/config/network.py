"""Network: one region's VPC, its subnets and who may reach it (decision C5, S7)."""

from __future__ import annotations

import ipaddress

from pydantic import Field, model_validator

from genai_infra.config.fields import Frozen, LogRetentionDays, ipv4_network


class NetworkConfig(Frozen):
    """One region's VPC. Everything runs in the first two AZs; the third holds MSK's third broker."""

    vpc_cidr: str
    availability_zones: tuple[str, str, str]
    public_subnet_cidrs: tuple[str, str]
    private_subnet_cidrs: tuple[str, str]
    database_subnet_cidrs: tuple[str, str]
    # Decision C5: a private subnet in a third AZ, used by MSK only.
    msk_subnet_cidr: str
    nat_gateways: int = Field(default=1, ge=1, le=2)
    # Sources allowed to reach port 22 through the public network ACL. The design's public NACL
    # opens SSH for a bastion host it never builds; it stays closed unless a CIDR is configured.
    admin_ssh_cidrs: tuple[str, ...] = ()
    flow_log_retention_days: LogRetentionDays = 90
    # The cost section's interface endpoints (ECR api/dkr, CloudWatch logs/monitoring). Each costs
    # about 20 USD a month per region and pays for itself only above roughly 390 GB a month of NAT
    # traffic (`genai-infra cost` says whether it does); the S3 gateway endpoint is free and always on.
    interface_endpoints: bool = True

    @model_validator(mode="after")
    def _subnets_fit_the_vpc(self) -> NetworkConfig:
        vpc = ipv4_network(self.vpc_cidr)
        subnets = {
            "public": self.public_subnet_cidrs,
            "private": self.private_subnet_cidrs,
            "database": self.database_subnet_cidrs,
            "msk": (self.msk_subnet_cidr,),
        }
        seen: list[tuple[str, ipaddress.IPv4Network]] = []
        for tier, cidrs in subnets.items():
            for cidr in cidrs:
                net = ipv4_network(cidr)
                if not net.subnet_of(vpc):
                    raise ValueError(
                        f"{tier} subnet {cidr} lies outside the VPC {self.vpc_cidr}; "
                        "choose a subnet inside the VPC range"
                    )
                for other_name, other in seen:
                    if net.overlaps(other):
                        raise ValueError(f"{tier} subnet {cidr} overlaps {other_name}; give each subnet its own range")
                seen.append((f"{tier} subnet {cidr}", net))
        for cidr in self.admin_ssh_cidrs:
            if ipv4_network(cidr).prefixlen == 0:
                raise ValueError(
                    f"admin_ssh_cidrs {cidr} would open SSH to the whole internet (decision S7); name the "
                    "administrators' own ranges, or none"
                )
        if len(set(self.availability_zones)) != 3:
            raise ValueError("availability_zones must name three different zones")
        return self
