"""Pods a cluster schedules against the pods its nodes hold, read from an EKSStack template. Pure Python.

The managed add-ons and Helm charts do not list their pods in the template, so their default
workloads (at the pinned versions) are data here; a chart's `replicaCount`/`replicas` value
overrides its default. DaemonSets run one pod a node; Deployments their replicas. Pods of the
application come from its Deployment manifest. The nodes hold `maxPods` each (the kubelet's
limit set through the launch template's NodeConfig).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PodSet:
    """One workload of the cluster: a DaemonSet (`per_node`) or a Deployment with `replicas` pods."""

    name: str
    replicas: int = 0
    per_node: bool = False
    # The chart value that sets the replicas, if any (Helm charts only).
    replicas_value: str | None = None


# Linux workloads of the managed add-ons at their default configuration. The observability add-on's
# GPU and Neuron DaemonSets select GPU/Neuron instances only, so they schedule nothing on t3 nodes.
ADDON_PODS: dict[str, tuple[PodSet, ...]] = {
    "vpc-cni": (PodSet("aws-node", per_node=True),),
    "kube-proxy": (PodSet("kube-proxy", per_node=True),),
    "coredns": (PodSet("coredns", replicas=2),),
    "aws-ebs-csi-driver": (PodSet("ebs-csi-controller", replicas=2), PodSet("ebs-csi-node", per_node=True)),
    "amazon-cloudwatch-observability": (
        PodSet("amazon-cloudwatch-observability-controller-manager", replicas=1),
        PodSet("cloudwatch-agent", per_node=True),
        PodSet("fluent-bit", per_node=True),
    ),
}
# Workloads of the Helm charts at the pinned versions' default values.
CHART_PODS: dict[str, tuple[PodSet, ...]] = {
    "cluster-autoscaler": (PodSet("cluster-autoscaler", replicas=1, replicas_value="replicaCount"),),
    "keda": (
        PodSet("keda-operator", replicas=1),
        PodSet("keda-operator-metrics-apiserver", replicas=1),
        PodSet("keda-admission-webhooks", replicas=1),
    ),
    "metrics-server": (PodSet("metrics-server", replicas=1, replicas_value="replicas"),),
    "prometheus-node-exporter": (PodSet("prometheus-node-exporter", per_node=True),),
    "aws-load-balancer-controller": (
        PodSet("aws-load-balancer-controller", replicas=2, replicas_value="replicaCount"),
    ),
}
MAX_PODS = re.compile(r"maxPods: (\d+)")


@dataclass(frozen=True)
class PodCount:
    per_node: int  # DaemonSet pods on every node
    replicas: int  # Deployment pods, spread over the nodes
    names: tuple[str, ...]

    def pods_on(self, nodes: int) -> int:
        return self.per_node * nodes + self.replicas


def _text(value: Any) -> str:
    """A template string, with any CloudFormation function in it replaced by a placeholder."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(_text(part) for part in parts)
    if isinstance(value, Mapping) and "Fn::Base64" in value:
        return _text(value["Fn::Base64"])
    return "TOKEN"


def scheduled_pods(template: Mapping[str, Any]) -> PodCount:
    """The pods the add-ons, charts and manifests of an EKSStack template schedule."""
    sets: list[tuple[PodSet, int]] = []
    deployments: dict[str, int | None] = {}
    scaled_minimums: dict[str, int] = {}
    for resource in template.get("Resources", {}).values():
        kind, props = resource.get("Type"), resource.get("Properties", {})
        if kind == "AWS::EKS::Addon":
            sets += [(pod_set, pod_set.replicas) for pod_set in ADDON_PODS.get(props["AddonName"], ())]
        elif kind == "Custom::AWSCDK-EKS-HelmChart":
            values = json.loads(_text(props.get("Values", "{}")) or "{}")
            for pod_set in CHART_PODS.get(props["Chart"], ()):
                replicas = pod_set.replicas
                if pod_set.replicas_value and pod_set.replicas_value in values:
                    replicas = int(values[pod_set.replicas_value])
                sets.append((pod_set, replicas))
        elif kind == "Custom::AWSCDK-EKS-KubernetesResource":
            for manifest in json.loads(_text(props["Manifest"])):
                if manifest.get("kind") == "Deployment":
                    deployments[manifest["metadata"]["name"]] = manifest["spec"].get("replicas")
                elif manifest.get("kind") == "ScaledObject":
                    spec = manifest["spec"]
                    scaled_minimums[spec["scaleTargetRef"]["name"]] = int(spec.get("minReplicaCount", 0))
                elif manifest.get("kind") == "DaemonSet":
                    sets.append((PodSet(manifest["metadata"]["name"], per_node=True), 0))
    for name, declared in deployments.items():
        # A Deployment scaled by KEDA sets no replicas: its HPA keeps at least the ScaledObject's minimum.
        sets.append((PodSet(name), int(declared) if declared is not None else scaled_minimums.get(name, 1)))
    return PodCount(
        per_node=sum(1 for pod_set, _ in sets if pod_set.per_node),
        replicas=sum(replicas for pod_set, replicas in sets if not pod_set.per_node),
        names=tuple(sorted(pod_set.name for pod_set, _ in sets)),
    )


def max_pods_per_node(template: Mapping[str, Any]) -> int:
    """The kubelet's pod limit the node launch template sets (one template for every node group)."""
    limits = {
        int(match.group(1))
        for resource in template.get("Resources", {}).values()
        if resource.get("Type") == "AWS::EC2::LaunchTemplate"
        for match in [MAX_PODS.search(_text(resource["Properties"]["LaunchTemplateData"].get("UserData", "")))]
        if match
    }
    if len(limits) != 1:
        raise ValueError(f"expected one node launch template with maxPods, found {sorted(limits)}")
    return limits.pop()


def node_group_sizes(template: Mapping[str, Any]) -> dict[str, tuple[int, int, int]]:
    """(min, desired, max) of every managed node group, by node group name."""
    return {
        props["NodegroupName"]: (
            props["ScalingConfig"]["MinSize"],
            props["ScalingConfig"]["DesiredSize"],
            props["ScalingConfig"]["MaxSize"],
        )
        for resource in template.get("Resources", {}).values()
        if resource.get("Type") == "AWS::EKS::Nodegroup"
        for props in [resource["Properties"]]
    }
