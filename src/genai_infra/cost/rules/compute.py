"""EKS control planes and node groups, EBS, and the network: NAT, public IPv4, endpoints, load balancers."""

from __future__ import annotations

import json
from typing import Any

from genai_infra.cost.catalog import CostError
from genai_infra.cost.rules.base import Category, Charge, PricingContext, Resource, literal, number
from genai_infra.cost.schedules import WEEK_HOURS, weekly_node_hours
from genai_infra.cost.usage import Usage

# ---------------------------------------------------------------- EKS + EC2


def eks_cluster(resource: Resource, ctx: PricingContext) -> list[Charge]:
    """Control plane hours; the application this cluster runs brings its custom metrics and traces."""
    usage = ctx.usage
    # The sampling rule's reservoir records its traces a second before the rate applies; health
    # checks alone keep it full all month.
    reservoir = min(usage.xray_reservoir_per_second * usage.hours_per_month * 3600 / 1e6, usage.requests_millions)
    traces = reservoir + (usage.requests_millions - reservoir) * usage.xray_sampling_percent / 100
    return [
        ctx.charge("EKS control plane (standard support)", usage.hours_per_month, "eks.cluster"),
        ctx.charge(
            "application custom metrics (usage file)", usage.custom_metrics, "cloudwatch.metric", Category.MONITORING
        ),
        ctx.charge(
            f"X-Ray traces: reservoir {usage.xray_reservoir_per_second:g}/s ({reservoir:.4g} M) and "
            f"{usage.xray_sampling_percent:g} % of the other {usage.requests_millions - reservoir:.4g} M requests",
            traces,
            "xray.traces",
            Category.MONITORING,
        ),
    ]


def node_hours(desired: int, usage: Usage) -> float:
    """Desired nodes all month, except the usage file's off-hours during which the group runs scaled down."""
    off = min(usage.node_off_hours, usage.hours_per_month)
    return desired * (usage.hours_per_month - off) + min(desired, usage.node_off_hours_count) * off


def group_node_hours(resource: Resource, ctx: PricingContext, desired: int) -> tuple[float, str]:
    """Node-hours of a node group: as its off-hours schedules in the templates scale it, else the usage file."""
    events = ctx.schedules.get(str(literal(resource.properties, "NodegroupName")))
    if events:
        hours = weekly_node_hours(events) * ctx.usage.hours_per_month / WEEK_HOURS
        return hours, "as the off-hours schedules scale it"
    return node_hours(desired, ctx.usage), "all month" if not ctx.usage.node_off_hours else "usage off-hours"


def _launch_template_disk(resource: Resource) -> float | None:
    # CDK references the launch template of the same stack with {"Ref": ...}.
    template = resource.sibling(resource.properties.get("LaunchTemplate", {}).get("Id"))
    if template is None:
        return None
    for mapping in literal(template, "LaunchTemplateData", "BlockDeviceMappings") or []:
        size = number(mapping, "Ebs", "VolumeSize")
        if size is not None:
            return size
    return None


def eks_nodegroup(resource: Resource, ctx: PricingContext) -> list[Charge]:
    props = resource.properties
    types = literal(props, "InstanceTypes")
    if not types:
        types = list(ctx.serving(resource, "InstanceTypes").eks.node_group.instance_types)
    desired = number(props, "ScalingConfig", "DesiredSize")
    if desired is None:
        desired = ctx.serving(resource, "ScalingConfig.DesiredSize").eks.node_group.desired_size
    disk = number(props, "DiskSize") or _launch_template_disk(resource)
    if disk is None:
        disk = ctx.serving(resource, "the node disk size").eks.node_group.disk_size_gb
    capacity = literal(props, "CapacityType")
    if capacity is None:
        # Absent means CloudFormation's default, On-Demand; a token means the configuration decides.
        in_template = "CapacityType" in props
        capacity = ctx.serving(resource, "CapacityType").eks.capacity_type if in_template else "ON_DEMAND"
    # Managed node groups launch On-Demand capacity in the order of InstanceTypes: the first one.
    instance = ctx.price(f"ec2.{types[0]}")
    hours, scaled = group_node_hours(resource, ctx, int(desired))
    chosen = f"{types[0]}" + (f" (first of {', '.join(types)})" if len(types) > 1 else "")
    charges: list[Charge]
    if capacity == "SPOT":
        ratio = ctx.price("ec2.spot-ratio")
        charges = [
            Charge(
                f"{int(desired)} x {chosen} Spot nodes, {scaled}",
                hours,
                instance.unit,
                instance.usd * ratio.usd,
                (instance, ratio),
            )
        ]
    elif capacity == "ON_DEMAND":
        charges = [
            Charge(
                f"{int(desired)} x {chosen} On-Demand nodes, {scaled}",
                hours,
                instance.unit,
                instance.usd,
                (instance,),
                commitment="ec2",
            )
        ]
    else:
        raise CostError(f"{resource.stack}/{resource.logical_id}: capacity type {capacity!r} has no pricing rule.")
    average_nodes = hours / ctx.usage.hours_per_month
    charges.append(
        ctx.charge(
            f"gp3 root volumes: {average_nodes:.2f} nodes on average x {disk:g} GB", average_nodes * disk, "ebs.gp3"
        )
    )
    return charges


def _enhanced_container_insights(values: Any) -> bool:
    try:
        config = json.loads(values) if isinstance(values, str) else {}
    except json.JSONDecodeError:
        return False
    kubernetes = config.get("agent", {}).get("config", {}).get("logs", {}).get("metrics_collected", {})
    return bool(kubernetes.get("kubernetes", {}).get("enhanced_container_insights"))


def eks_addon(resource: Resource, ctx: PricingContext) -> list[Charge]:
    """Add-ons are free, except that the CloudWatch observability add-on bills Container Insights."""
    if literal(resource.properties, "AddonName") != "amazon-cloudwatch-observability":
        return []
    if not _enhanced_container_insights(resource.properties.get("ConfigurationValues")):
        raise CostError(
            f"{resource.stack}/{resource.logical_id}: Container Insights without enhanced observability bills "
            "custom metrics the estimator does not count; enable enhanced_container_insights or add a rule."
        )
    usage = ctx.usage
    node_hours_total = 0.0
    for body in resource.siblings.values():
        if body.get("Type") != "AWS::EKS::Nodegroup":
            continue
        group = Resource(resource.stack, "", "AWS::EKS::Nodegroup", body.get("Properties", {}), resource.siblings)
        desired = number(group.properties, "ScalingConfig", "DesiredSize")
        if desired is None:
            desired = ctx.serving(resource, "the node count").eks.node_group.desired_size
        node_hours_total += group_node_hours(group, ctx, int(desired))[0]
    observations = node_hours_total * 60 * usage.container_insights_observations_per_node_minute / 1e6
    return [
        ctx.charge(
            f"Container Insights (enhanced): {node_hours_total / usage.hours_per_month:.2f} nodes x "
            f"{usage.container_insights_observations_per_node_minute:g} observations a minute",
            observations,
            "cloudwatch.container-insights-observations",
            Category.MONITORING,
        ),
        ctx.charge(
            f"container logs {usage.container_insights_log_gb:g} GB (usage file)",
            usage.container_insights_log_gb,
            "logs.ingestion",
            Category.MONITORING,
        ),
    ]


def ec2_volume(resource: Resource, ctx: PricingContext) -> list[Charge]:
    volume_type = literal(resource.properties, "VolumeType") or "gp2"
    if volume_type != "gp3":
        raise CostError(f"{resource.stack}/{resource.logical_id}: EBS volume type {volume_type!r} is not priced.")
    size = number(resource.properties, "Size")
    if size is None:
        raise CostError(f"{resource.stack}/{resource.logical_id}: the volume size is a token; state it literally.")
    return [ctx.charge(f"gp3 volume {size:g} GB", size, "ebs.gp3")]


# ---------------------------------------------------------------- network


def nat_gateway(resource: Resource, ctx: PricingContext) -> list[Charge]:
    gateways = max(resource.count_of("AWS::EC2::NatGateway"), 1)
    share = ctx.usage.nat_data_gb / gateways
    charges = [
        ctx.charge("NAT gateway hours", ctx.usage.hours_per_month, "vpc.nat-gateway"),
        ctx.charge(
            "NAT gateway data processed (usage file, shared by the region's gateways)", share, "vpc.nat-gateway-data"
        ),
    ]
    if not _interface_endpoints(resource) and ctx.usage.endpoint_data_gb:
        # Without interface endpoints (configuration: network.interface_endpoints) image pulls, logs
        # and metrics leave through the NAT gateway instead. Each endpoint costs its hours in two AZs
        # and pays for itself only where its traffic would cost more at the NAT's per-GB rate.
        charges.append(
            ctx.charge(
                "NAT data the interface endpoints would carry (off: they pay above ~390 GB/month each)",
                ctx.usage.endpoint_data_gb / gateways,
                "vpc.nat-gateway-data",
            )
        )
    return charges


def _interface_endpoints(resource: Resource) -> int:
    return sum(
        1
        for item in resource.siblings.values()
        if item.get("Type") == "AWS::EC2::VPCEndpoint"
        and item.get("Properties", {}).get("VpcEndpointType") == "Interface"
    )


def elastic_ip(resource: Resource, ctx: PricingContext) -> list[Charge]:
    return [ctx.charge("public IPv4 address", ctx.usage.hours_per_month, "vpc.public-ipv4")]


def vpc_endpoint(resource: Resource, ctx: PricingContext) -> list[Charge]:
    kind = literal(resource.properties, "VpcEndpointType") or "Gateway"
    if kind == "Gateway":
        return []  # S3 and DynamoDB gateway endpoints have no charge
    if kind != "Interface":
        raise CostError(f"{resource.stack}/{resource.logical_id}: endpoint type {kind!r} has no pricing rule.")
    subnets = resource.properties.get("SubnetIds")
    if not isinstance(subnets, list):
        raise CostError(f"{resource.stack}/{resource.logical_id}: the endpoint's subnet list is a token.")
    interface_count = _interface_endpoints(resource)
    return [
        ctx.charge(
            f"interface endpoint in {len(subnets)} AZs",
            len(subnets) * ctx.usage.hours_per_month,
            "vpc.interface-endpoint",
        ),
        ctx.charge(
            "endpoint data processed (usage file, shared by the region's endpoints)",
            ctx.usage.endpoint_data_gb / max(interface_count, 1),
            "vpc.interface-endpoint-data",
        ),
    ]


def load_balancer(resource: Resource, ctx: PricingContext) -> list[Charge]:
    kind = literal(resource.properties, "Type") or "application"
    hours = ctx.usage.hours_per_month
    addresses: list[Charge] = []
    if literal(resource.properties, "Scheme") == "internet-facing":
        # Each node of an internet-facing load balancer holds a public IPv4 address: one per subnet.
        subnets = resource.properties.get("Subnets") or resource.properties.get("SubnetMappings")
        if not isinstance(subnets, list):
            raise CostError(f"{resource.stack}/{resource.logical_id}: the load balancer's subnet list is a token.")
        addresses = [
            ctx.charge(
                f"public IPv4 addresses of {len(subnets)} load balancer nodes",
                len(subnets) * hours,
                "vpc.public-ipv4",
            )
        ]
    if kind == "application":
        return [
            ctx.charge("ALB hours", hours, "elb.alb"),
            ctx.charge(f"ALB {ctx.usage.alb_lcu:g} LCU (usage file)", ctx.usage.alb_lcu * hours, "elb.alb-lcu"),
            *addresses,
        ]
    if kind == "network":
        return [
            ctx.charge("NLB hours", hours, "elb.nlb"),
            ctx.charge(f"NLB {ctx.usage.alb_lcu:g} NLCU (usage file)", ctx.usage.alb_lcu * hours, "elb.nlb-lcu"),
            *addresses,
        ]
    raise CostError(f"{resource.stack}/{resource.logical_id}: load balancer type {kind!r} has no pricing rule.")
