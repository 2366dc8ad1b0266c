"""NetworkStack: VPC, subnets, routes, network ACLs, security groups, endpoints, flow logs (phase 1)."""

from __future__ import annotations

from aws_cdk import aws_kms as kms
from constructs import Construct

from genai_infra.constructs.flow_logs import VpcFlowLogs
from genai_infra.constructs.network_acls import NetworkAcls
from genai_infra.constructs.security_groups import WorkloadSecurityGroups
from genai_infra.constructs.shared_values import PublishedValues
from genai_infra.constructs.vpc import VpcLayout
from genai_infra.constructs.vpc_endpoints import VpcEndpoints
from genai_infra.naming import log_group_name
from genai_infra.stacks.base import GenaiStack, TargetContext


class NetworkStack(GenaiStack):
    def __init__(self, scope: Construct, stack_id: str, *, target: TargetContext) -> None:
        super().__init__(scope, stack_id, target=target, description="VPC, subnets, routing, NACLs, security groups")
        network = target.environment.regions[target.region].network
        environment = target.environment.name
        prefix = target.name_prefix
        self.layout = VpcLayout(self, "Vpc", network=network, name_prefix=prefix)
        self.acls = NetworkAcls(
            self, "Acls", layout=self.layout, admin_ssh_cidrs=network.admin_ssh_cidrs, name_prefix=prefix
        )
        self.security_groups = WorkloadSecurityGroups(
            self,
            "SecurityGroups",
            vpc=self.layout.vpc,
            name_prefix=prefix,
            redis=target.environment.has("ElastiCacheStack"),
            kafka=target.environment.has("MSKStack"),
        )
        self.endpoints = VpcEndpoints(
            self, "Endpoints", layout=self.layout, name_prefix=prefix, interface=network.interface_endpoints
        )
        logs_key = kms.Key.from_key_arn(self, "LogsKey", self.published("kms/logs-key-arn"))
        self.flow_logs = VpcFlowLogs(
            self,
            "FlowLogs",
            vpc=self.layout.vpc,
            log_group_name=log_group_name(environment, "vpc-flow-logs"),
            retention_days=network.flow_log_retention_days,
            key=logs_key,
            removal_policy=target.stateful_removal_policy,
        )
        groups = self.security_groups
        PublishedValues(
            self,
            "Published",
            environment=environment,
            values={
                "network/vpc-id": self.layout.cfn_vpc.ref,
                **{
                    f"network/{tier.name}-subnet-ids": ",".join(tier.subnet_ids)
                    for tier in (self.layout.public, self.layout.private, self.layout.database, self.layout.msk)
                },
                # For the NAT gateway alarms of the AlertingStack.
                "network/nat-gateway-ids": ",".join(nat.ref for nat in self.layout.nat_gateways),
                "network/alb-security-group-id": groups.alb.security_group_id,
                "network/app-security-group-id": groups.app.security_group_id,
                "network/database-security-group-id": groups.database.security_group_id,
                **({"network/msk-security-group-id": groups.msk.security_group_id} if groups.msk else {}),
            },
        )
