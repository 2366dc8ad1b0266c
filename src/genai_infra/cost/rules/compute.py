"""EKS control planes and node groups, EBS, and the network: NAT, public IPv4, endpoints, load balancers."""

from __future__ import annotations

from genai_infra.cost.catalog import CostError
from genai_infra.cost.rules.base import Category, Charge, PricingContext, Resource, literal, number
from genai_infra.cost.usage import Usage

# ---------------------------------------------------------------- EKS + EC2


def eks_cluster(resource: Resource, ctx: PricingContext) -> list[Charge]:
    """Control plane hours; the application this cluster runs brings its custom metrics and traces."""
    usage = ctx.usage
    traces = usage.requests_millions * usage.xray_sampling_percent / 100
    return [
        ctx.charge("EKS control plane (standard support)", usage.hours_per_month, "eks.cluster"),
        ctx.charge(
            "application custom metrics (usage file)", usage.custom_metrics, "cloudwatch.metric", Category.MONITORING
        ),
        ctx.charge(
            f"X-Ray traces: {usage.requests_millions:g} M requests x {usage.xray_sampling_percent:g} % sampled",
            traces,
            "xray.traces",
            Category.MONITORING,
        ),
    ]


def node_hours(desired: int, usage: Usage) -> float:
    """Desired nodes all month, except the off-hours during which the group runs scaled down."""
    off = min(usage.node_off_hours, usage.hours_per_month)
    return desired * (usage.hours_per_month - off) + min(desired, usage.node_off_hours_count) * off


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
    hours = node_hours(int(desired), ctx.usage)
    chosen = f"{types[0]}" + (f" (first of {', '.join(types)})" if len(types) > 1 else "")
    charges: list[Charge]
    if capacity == "SPOT":
        ratio = ctx.price("ec2.spot-ratio")
        charges = [
            Charge(
                f"{int(desired)} x {chosen} Spot nodes",
                hours,
                instance.unit,
                instance.usd * ratio.usd,
                (instance, ratio),
            )
        ]
    elif capacity == "ON_DEMAND":
        charges = [
            Charge(f"{int(desired)} x {chosen} On-Demand nodes", hours, instance.unit, instance.usd, (instance,))
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


def ec2_volume(resource: Resource, ctx: PricingContext) -> list[Charge]:
    volume_type = literal(resource.properties, "VolumeType") or "gp2"
    if volume_type != "gp3":
        raise CostError(f"{resource.stack}/{resource.logical_id}: EBS volume type {volume_type!r} is not priced.")
    size = number(resource.properties, "Size")
    if size is None:
        raise CostError(f"{resource.stack}/{resource.logical_id}: the volume size is a token; state it literally.")
    return [ctx.charge(f"gp3 volume {size:g} GB", size, "ebs.gp3")]


def ec2_instance(resource: Resource, ctx: PricingContext) -> list[Charge]:
    """A standalone instance (the Session Manager relay of decision S7): all month, and its root volumes."""
    props = resource.properties
    instance_type = literal(props, "InstanceType")
    if instance_type is None:
        raise CostError(f"{resource.stack}/{resource.logical_id}: the instance type is a token; state it literally.")
    charges = [ctx.charge(f"1 x {instance_type} instance", ctx.usage.hours_per_month, f"ec2.{instance_type}")]
    for mapping in literal(props, "BlockDeviceMappings") or []:
        size = number(mapping, "Ebs", "VolumeSize")
        if size is not None:
            charges.append(ctx.charge(f"gp3 root volume {size:g} GB", size, "ebs.gp3"))
    return charges


# ---------------------------------------------------------------- network


def nat_gateway(resource: Resource, ctx: PricingContext) -> list[Charge]:
    share = ctx.usage.nat_data_gb / max(resource.count_of("AWS::EC2::NatGateway"), 1)
    return [
        ctx.charge("NAT gateway hours", ctx.usage.hours_per_month, "vpc.nat-gateway"),
        ctx.charge(
            "NAT gateway data processed (usage file, shared by the region's gateways)", share, "vpc.nat-gateway-data"
        ),
    ]


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
    interface_count = sum(
        1
        for item in resource.siblings.values()
        if item.get("Type") == "AWS::EC2::VPCEndpoint"
        and item.get("Properties", {}).get("VpcEndpointType") == "Interface"
    )
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
    if kind == "application":
        return [
            ctx.charge("ALB hours", hours, "elb.alb"),
            ctx.charge(f"ALB {ctx.usage.alb_lcu:g} LCU (usage file)", ctx.usage.alb_lcu * hours, "elb.alb-lcu"),
        ]
    if kind == "network":
        return [
            ctx.charge("NLB hours", hours, "elb.nlb"),
            ctx.charge(f"NLB {ctx.usage.alb_lcu:g} NLCU (usage file)", ctx.usage.alb_lcu * hours, "elb.nlb-lcu"),
        ]
    raise CostError(f"{resource.stack}/{resource.logical_id}: load balancer type {kind!r} has no pricing rule.")
