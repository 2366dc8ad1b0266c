"""VPC endpoints of the cost section: S3 (gateway), ECR api/dkr and CloudWatch logs/monitoring.

They keep image pulls, logs and metrics off the NAT gateway, which charges per GB.
"""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from genai_infra.constructs.vpc import VpcLayout

INTERFACE_SERVICES: dict[str, ec2.InterfaceVpcEndpointAwsService] = {
    "EcrApi": ec2.InterfaceVpcEndpointAwsService.ECR,
    "EcrDkr": ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
    "CloudWatchLogs": ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
    "CloudWatchMonitoring": ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
}


class VpcEndpoints(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, layout: VpcLayout, name_prefix: str, interface: bool
    ) -> None:
        """`interface`: whether the paid interface endpoints exist (the S3 gateway endpoint is free and always does)."""
        super().__init__(scope, construct_id)
        private_subnets = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
        self.s3 = ec2.GatewayVpcEndpoint(
            self,
            "S3",
            vpc=layout.vpc,
            service=ec2.GatewayVpcEndpointAwsService.S3,
            subnets=[private_subnets, ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)],
        )
        self.interface: dict[str, ec2.InterfaceVpcEndpoint] = {}
        if not interface:
            return
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=layout.vpc,
            security_group_name=f"{name_prefix}-endpoints-sg",
            description="Interface endpoints: HTTPS from the private subnets",
            allow_all_outbound=False,
        )
        for cidr in layout.private.cidrs:
            self.security_group.add_ingress_rule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), f"HTTPS from {cidr}")
        self.interface = {
            name: ec2.InterfaceVpcEndpoint(
                self,
                name,
                vpc=layout.vpc,
                service=service,
                subnets=private_subnets,
                security_groups=[self.security_group],
                private_dns_enabled=True,
                open=False,
            )
            for name, service in INTERFACE_SERVICES.items()
        }
