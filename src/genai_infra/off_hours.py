"""Outside working hours, non-production clusters shrink to one node (the cost section). Pure Python.

The plan says, for each managed node group the EKSStack creates, its sizes during working hours
(the configuration) and after hours: one On-Demand node in all, no Spot node, maximums unchanged
so the cluster autoscaler can still react to load at night.
"""

from __future__ import annotations

from dataclasses import dataclass

from genai_infra.config.compute import EksConfig
from genai_infra.naming import cluster_name

Sizes = tuple[int, int, int]  # (min, desired, max)


@dataclass(frozen=True)
class NodeGroupHours:
    nodegroup_name: str
    working: Sizes
    off_hours: Sizes


def node_group_plan(environment: str, eks: EksConfig) -> list[NodeGroupHours]:
    """The node groups of `eks` (named as EKSStack names them) with their working and off-hours sizes."""
    cluster = cluster_name(environment)
    on_demand, spot = eks.split_capacity()
    primary = eks.capacity_type.lower().replace("_", "-")
    plan = [NodeGroupHours(f"{cluster}-{primary}", on_demand, (1, 1, on_demand[2]))]
    if spot[2] > 0:
        plan.append(NodeGroupHours(f"{cluster}-spot", spot, (0, 0, spot[2])))
    return plan
