"""EventBridge Scheduler calls eks:UpdateNodegroupConfig to shrink and restore the node groups.

A universal (AWS SDK) target needs no Lambda: the schedule's role may update exactly this
cluster's node groups. Each call sets min, desired and max, which EKS validates together.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from aws_cdk import ArnFormat, Aws, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_scheduler as scheduler
from constructs import Construct

from genai_infra.config.cost import OffHoursConfig
from genai_infra.nag import AWS_SOLUTIONS, acknowledge
from genai_infra.off_hours import NodeGroupHours, Sizes

UPDATE_NODEGROUP_TARGET = "arn:aws:scheduler:::aws-sdk:eks:updateNodegroupConfig"


def update_input(cluster: str, nodegroup: str, sizes: Sizes) -> str:
    """The UpdateNodegroupConfig request, with the EKS API's parameter names."""
    minimum, desired, maximum = sizes
    return json.dumps(
        {
            "clusterName": cluster,
            "nodegroupName": nodegroup,
            "scalingConfig": {"minSize": minimum, "desiredSize": desired, "maxSize": maximum},
        },
        sort_keys=True,
    )


def _nag_names(region: str, cluster: str, plan: Sequence[NodeGroupHours]) -> list[str]:
    """The node group ARNs as cdk-nag spells them in its findings."""
    return [f"arn:aws:eks:{region}:<AWS::AccountId>:nodegroup/{cluster}/{group.nodegroup_name}/*" for group in plan]


class OffHoursScaling(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster_name: str,
        plan: Sequence[NodeGroupHours],
        config: OffHoursConfig,
        name_prefix: str,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        nodegroup_arns = [
            # Node group ARNs end in an id EKS assigns: the name is fixed, the id is not.
            stack.format_arn(
                service="eks",
                resource="nodegroup",
                resource_name=f"{cluster_name}/{group.nodegroup_name}/*",
                arn_format=ArnFormat.SLASH_RESOURCE_NAME,
            )
            for group in plan
        ]
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}
            ),
            description=f"Off-hours scaling of {cluster_name}'s node groups",
        )
        self.policy = iam.ManagedPolicy(
            self,
            "Permissions",
            managed_policy_name=f"{name_prefix}-{stack.region}-off-hours-scaling",
            roles=[self.role],
            statements=[iam.PolicyStatement(actions=["eks:UpdateNodegroupConfig"], resources=nodegroup_arns)],
        )
        acknowledge(
            self.policy,
            f"{AWS_SOLUTIONS}-IAM5",
            "A node group ARN ends in an id EKS assigns at creation; the names before it are this cluster's groups.",
            *(f"Resource::{arn}" for arn in _nag_names(stack.region, cluster_name, plan)),
        )
        self.schedules: list[scheduler.CfnSchedule] = []
        for group in plan:
            for when, expression, sizes in (
                ("scale-down", config.scale_down, group.off_hours),
                ("scale-up", config.scale_up, group.working),
            ):
                self.schedules.append(
                    scheduler.CfnSchedule(
                        self,
                        f"{group.nodegroup_name}-{when}",
                        name=f"{group.nodegroup_name}-{when}",
                        description=f"{when} {group.nodegroup_name} to min/desired/max {'/'.join(map(str, sizes))}",
                        schedule_expression=expression,
                        schedule_expression_timezone=config.timezone,
                        flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
                        target=scheduler.CfnSchedule.TargetProperty(
                            arn=UPDATE_NODEGROUP_TARGET,
                            role_arn=self.role.role_arn,
                            input=update_input(cluster_name, group.nodegroup_name, sizes),
                            retry_policy=scheduler.CfnSchedule.RetryPolicyProperty(maximum_retry_attempts=3),
                        ),
                    )
                )
