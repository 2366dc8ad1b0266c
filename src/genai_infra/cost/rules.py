"""One pricing rule per billable CloudFormation resource type, and the types that are free on purpose.

A rule reads what the template states literally (instance classes, counts, retention) and falls back
to the typed configuration only where the template holds a token (Ref, Fn::GetAtt, an SSM dynamic
reference); the usage file supplies what no template can state (traffic, GB, hours). A type that
is in neither `RULES` nor `FREE` is an error naming it: a new billable resource never prices zero.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from genai_infra.config import EnvironmentConfig, RegionConfig
from genai_infra.cost.catalog import CostError, Price, PriceCatalog
from genai_infra.cost.usage import Usage


class Category(StrEnum):
    """The cost categories of the specification's cost distribution chart, in its order."""

    EKS_EC2 = "EKS + EC2"
    AURORA = "RDS Aurora"
    ELASTICACHE = "ElastiCache"
    MSK = "MSK"
    DATA_TRANSFER = "Data transfer + network"
    MONITORING = "Monitoring"
    DNS = "Route 53/DNS"
    OTHER = "Other"


@dataclass(frozen=True)
class Resource:
    """One resource of a template (or of the planned view), with its template for look-ups."""

    stack: str
    logical_id: str
    type: str
    properties: Mapping[str, Any]
    siblings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    planned: bool = False

    def sibling(self, reference: Any) -> Mapping[str, Any] | None:
        """The properties of the resource a `Ref` / `Fn::GetAtt` points at, in the same template."""
        target = None
        if isinstance(reference, Mapping):
            if "Ref" in reference:
                target = reference["Ref"]
            elif "Fn::GetAtt" in reference:
                target = reference["Fn::GetAtt"][0]
        found = self.siblings.get(target) if isinstance(target, str) else None
        return found.get("Properties", {}) if found is not None else None

    def count_of(self, resource_type: str) -> int:
        return sum(1 for item in self.siblings.values() if item.get("Type") == resource_type)


@dataclass(frozen=True)
class Charge:
    """quantity x unit price per month; `prices` says where each factor of the unit price comes from."""

    description: str
    quantity: float
    unit: str
    unit_usd: float
    prices: tuple[Price, ...]
    category: Category | None = None  # None: the category of the resource type

    @property
    def monthly_usd(self) -> float:
        return self.quantity * self.unit_usd


@dataclass(frozen=True)
class PricingContext:
    environment: EnvironmentConfig
    region: str
    usage: Usage
    catalog: PriceCatalog

    @property
    def region_config(self) -> RegionConfig | None:
        return self.environment.regions.get(self.region)

    def price(self, key: str) -> Price:
        return self.catalog.price(key, self.region)

    def charge(self, description: str, quantity: float, key: str, category: Category | None = None) -> Charge:
        price = self.price(key)
        return Charge(description, quantity, price.unit, price.usd, (price,), category)

    def serving(self, resource: Resource, what: str) -> RegionConfig:
        config = self.region_config
        if config is None:
            raise CostError(
                f"{resource.stack}/{resource.logical_id} ({resource.type}) in {self.region}: {what} is a token "
                f"and {self.region} is not a serving region of {self.environment.name} with a configuration for it."
            )
        return config


def is_token(value: Any) -> bool:
    """An intrinsic function or a dynamic reference: its value is only known at deploy time."""
    if isinstance(value, Mapping):
        return len(value) == 1 and next(iter(value)).startswith(("Ref", "Fn::"))
    return isinstance(value, str) and ("{{resolve:" in value or "${Token[" in value)


def literal(properties: Mapping[str, Any], *path: str) -> Any:
    """The value at `path` when the template states it literally, else None (absent or a token)."""
    value: Any = properties
    for key in path:
        if not isinstance(value, Mapping) or is_token(value) or key not in value:
            return None
        value = value[key]
    return None if is_token(value) else value


def number(properties: Mapping[str, Any], *path: str) -> float | None:
    value = literal(properties, *path)
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


Rule = Callable[[Resource, PricingContext], list[Charge]]


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
    capacity = literal(props, "CapacityType") or "ON_DEMAND"
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


def transfer(ctx: PricingContext, what: str, gb: float) -> Charge:
    return ctx.charge(
        f"{what}: {gb:g} GB to the other region (usage file)", gb, "transfer.inter-region", Category.DATA_TRANSFER
    )


# ---------------------------------------------------------------- Aurora


def _cluster_of(resource: Resource) -> Mapping[str, Any] | None:
    return resource.sibling(resource.properties.get("DBClusterIdentifier"))


def aurora_cluster(resource: Resource, ctx: PricingContext) -> list[Charge]:
    props = resource.properties
    storage_type = literal(props, "StorageType") or "aurora"
    if storage_type != "aurora":
        raise CostError(
            f"{resource.stack}/{resource.logical_id}: Aurora storage type {storage_type!r} is not priced; "
            "the catalog holds Aurora Standard prices only."
        )
    retention = number(props, "BackupRetentionPeriod")
    if retention is None:
        retention = ctx.serving(resource, "BackupRetentionPeriod").aurora.backup_retention_days
    usage = ctx.usage
    # Backups up to 100 % of the cluster volume are free; each retained day adds the changed share.
    backup_gb = usage.aurora_storage_gb * usage.aurora_daily_change_percent / 100 * max(retention - 1, 0)
    return [
        ctx.charge(
            f"cluster volume {usage.aurora_storage_gb:g} GB (usage file)", usage.aurora_storage_gb, "rds.aurora.storage"
        ),
        ctx.charge(
            f"I/O {usage.aurora_io_millions:g} M requests (usage file)", usage.aurora_io_millions, "rds.aurora.io"
        ),
        ctx.charge(
            f"backup beyond the free volume: {retention:g} days x {usage.aurora_daily_change_percent:g} % daily change",
            backup_gb,
            "rds.aurora.backup",
        ),
    ]


def aurora_instance(resource: Resource, ctx: PricingContext) -> list[Charge]:
    props = resource.properties
    instance_class = literal(props, "DBInstanceClass")
    engine = literal(props, "Engine") or literal(_cluster_of(resource) or {}, "Engine") or "aurora-postgresql"
    if instance_class is None:
        raise CostError(f"{resource.stack}/{resource.logical_id}: DBInstanceClass is a token; state it literally.")
    hours = ctx.usage.hours_per_month
    if instance_class != "db.serverless":
        return [ctx.charge(f"{engine} {instance_class} instance", hours, f"rds.{engine}.{instance_class}")]
    scaling = literal(_cluster_of(resource) or {}, "ServerlessV2ScalingConfiguration") or {}
    low, high = number(scaling, "MinCapacity"), number(scaling, "MaxCapacity")
    if low is None or high is None:
        aurora = ctx.serving(resource, "the Serverless v2 capacity range").aurora
        low, high = aurora.serverless_min_acu or 0.0, aurora.serverless_max_acu or 0.0
    usage = ctx.usage
    active = min(usage.aurora_serverless_active_hours, hours)
    busy_acu = low + usage.aurora_serverless_active_acu_fraction * (high - low)
    # Outside its active hours the instance sits at the minimum: 0 ACU means paused, which is free.
    acu_hours = active * busy_acu + (hours - active) * low
    return [
        ctx.charge(
            f"Serverless v2 {low:g}-{high:g} ACU: {active:g} h at {busy_acu:g} ACU, the rest at {low:g}",
            acu_hours,
            "rds.aurora.serverless-v2",
        )
    ]


def aurora_global(resource: Resource, ctx: PricingContext) -> list[Charge]:
    usage = ctx.usage
    return [
        transfer(ctx, "Aurora global database replication", usage.aurora_replication_gb),
        ctx.charge(
            f"replicated write I/O {usage.aurora_replicated_write_io_millions:g} M (usage file)",
            usage.aurora_replicated_write_io_millions,
            "rds.aurora.replicated-write-io",
            Category.DATA_TRANSFER,
        ),
    ]


# ---------------------------------------------------------------- ElastiCache


def _cache_node(resource: Resource, ctx: PricingContext, count: float, node_type: str | None) -> list[Charge]:
    if node_type is None:
        # A global datastore secondary inherits the node type of its primary: the template has none.
        node_type = ctx.serving(resource, "CacheNodeType").redis.node_type
    engine = literal(resource.properties, "Engine") or "redis"
    node = ctx.price(f"elasticache.{node_type}")
    hours = ctx.usage.hours_per_month * count
    if engine == "valkey":
        ratio = ctx.price("elasticache.valkey-ratio")
        return [Charge(f"{count:g} x {node_type} Valkey nodes", hours, node.unit, node.usd * ratio.usd, (node, ratio))]
    if engine != "redis":
        raise CostError(f"{resource.stack}/{resource.logical_id}: cache engine {engine!r} has no pricing rule.")
    return [Charge(f"{count:g} x {node_type} Redis OSS nodes", hours, node.unit, node.usd, (node,))]


def cache_replication_group(resource: Resource, ctx: PricingContext) -> list[Charge]:
    props = resource.properties
    count = number(props, "NumCacheClusters")
    if count is None:
        groups = number(props, "NumNodeGroups")
        replicas = number(props, "ReplicasPerNodeGroup")
        if groups is not None and replicas is not None:
            count = groups * (replicas + 1)
        else:
            count = ctx.serving(resource, "the node count").redis.replicas + 1
    return _cache_node(resource, ctx, count, literal(props, "CacheNodeType"))


def cache_cluster(resource: Resource, ctx: PricingContext) -> list[Charge]:
    count = number(resource.properties, "NumCacheNodes") or 1
    return _cache_node(resource, ctx, count, literal(resource.properties, "CacheNodeType"))


def cache_global(resource: Resource, ctx: PricingContext) -> list[Charge]:
    return [transfer(ctx, "Redis global datastore replication", ctx.usage.redis_replication_gb)]


# ---------------------------------------------------------------- MSK


def msk_cluster(resource: Resource, ctx: PricingContext) -> list[Charge]:
    props = resource.properties
    broker_type = literal(props, "BrokerNodeGroupInfo", "InstanceType")
    brokers = number(props, "NumberOfBrokerNodes")
    volume = number(props, "BrokerNodeGroupInfo", "StorageInfo", "EBSStorageInfo", "VolumeSize")
    if broker_type is None or brokers is None or volume is None:
        msk = ctx.serving(resource, "the broker type, count or volume").msk
        broker_type = broker_type or msk.broker_instance_type
        brokers = brokers if brokers is not None else msk.broker_count
        volume = volume if volume is not None else msk.ebs_volume_gb
    return [
        ctx.charge(f"{brokers:g} x {broker_type} brokers", brokers * ctx.usage.hours_per_month, f"msk.{broker_type}"),
        ctx.charge(f"broker storage {brokers:g} x {volume:g} GB", brokers * volume, "msk.storage"),
    ]


def msk_replicator(resource: Resource, ctx: PricingContext) -> list[Charge]:
    gb = ctx.usage.msk_replication_gb
    return [
        ctx.charge("MSK Replicator hours", ctx.usage.hours_per_month, "msk.replicator"),
        ctx.charge(f"MSK Replicator data {gb:g} GB (usage file)", gb, "msk.replicator-data"),
        transfer(ctx, "MSK replication", gb),
    ]


# ---------------------------------------------------------------- monitoring


def _flow_log_group(resource: Resource) -> bool:
    for item in resource.siblings.values():
        flow_log = item.get("Type") == "AWS::EC2::FlowLog"
        if flow_log and item.get("Properties", {}).get("LogGroupName") == {"Ref": resource.logical_id}:
            return True
    return False


def log_group(resource: Resource, ctx: PricingContext) -> list[Charge]:
    usage = ctx.usage
    name = literal(resource.properties, "LogGroupName")
    if _flow_log_group(resource):
        gb, source = usage.flow_log_gb, "flow_log_gb"
    else:
        matches = [gb for key, gb in usage.log_gb_by_name.items() if isinstance(name, str) and key in name]
        gb, source = (matches[0], "log_gb_by_name") if matches else (usage.log_gb_per_group, "log_gb_per_group")
    retention = number(resource.properties, "RetentionInDays")
    # Steady state: a month's ingestion is kept for retention/30 months. Without a retention the
    # group never expires; a year of accumulation is priced and the line says so.
    months = retention / 30 if retention is not None else 12
    kept = "retention " + (f"{retention:g} days" if retention is not None else "never expires: 12 months priced")
    return [
        ctx.charge(f"log ingestion {gb:g} GB ({source})", gb, "logs.ingestion"),
        ctx.charge(f"log storage, {kept}", gb * months, "logs.storage"),
    ]


def metric_filter(resource: Resource, ctx: PricingContext) -> list[Charge]:
    transformations = resource.properties.get("MetricTransformations")
    count = len(transformations) if isinstance(transformations, list) else 1
    return [ctx.charge("custom metrics from a metric filter", count, "cloudwatch.metric")]


def alarm(resource: Resource, ctx: PricingContext) -> list[Charge]:
    props = resource.properties
    metrics = props.get("Metrics")
    count = (
        sum(1 for item in metrics if isinstance(item, Mapping) and "MetricStat" in item)
        if isinstance(metrics, list)
        else 1
    )
    if literal(props, "ThresholdMetricId") is not None:
        count *= 3  # an anomaly detection alarm bills three metrics: the metric and its band
    period = number(props, "Period")
    key = "cloudwatch.alarm-high-resolution" if period is not None and period < 60 else "cloudwatch.alarm"
    return [ctx.charge(f"alarm over {count} metric(s)", max(count, 1), key)]


def composite_alarm(resource: Resource, ctx: PricingContext) -> list[Charge]:
    return [ctx.charge("composite alarm", 1, "cloudwatch.composite-alarm")]


def dashboard(resource: Resource, ctx: PricingContext) -> list[Charge]:
    return [ctx.charge("dashboard (the account's first three are free; not counted here)", 1, "cloudwatch.dashboard")]


def grafana(resource: Resource, ctx: PricingContext) -> list[Charge]:
    usage = ctx.usage
    return [
        ctx.charge(f"{usage.grafana_editors} editors/admins", usage.grafana_editors, "grafana.editor"),
        ctx.charge(f"{usage.grafana_viewers} viewers", usage.grafana_viewers, "grafana.viewer"),
    ]


# ---------------------------------------------------------------- DNS and edge


def hosted_zone(resource: Resource, ctx: PricingContext) -> list[Charge]:
    return [ctx.charge("hosted zone", 1, "route53.hosted-zone")]


def health_check(resource: Resource, ctx: PricingContext) -> list[Charge]:
    config = resource.properties.get("HealthCheckConfig", {})
    kind = str(literal(config, "Type") or "")
    features = [
        name
        for name, present in (
            ("HTTPS", kind.startswith("HTTPS")),
            ("string matching", kind.endswith("STR_MATCH")),
            ("fast interval", number(config, "RequestInterval") == 10),
            ("latency measurement", literal(config, "MeasureLatency") is True),
        )
        if present
    ]
    charges = [ctx.charge(f"{kind or 'health'} check", 1, "route53.health-check")]
    if features:
        charges.append(
            ctx.charge(f"optional features: {', '.join(features)}", len(features), "route53.health-check-feature")
        )
    return charges


def _record_queries(resource: Resource, ctx: PricingContext, records: list[Mapping[str, Any]]) -> list[Charge]:
    # Queries of alias records that point at AWS resources (ALB, CloudFront) are free.
    plain = [record for record in records if "AliasTarget" not in record]
    if not plain:
        return []
    total_plain = 0
    for item in resource.siblings.values():
        if item.get("Type") == "AWS::Route53::RecordSet":
            total_plain += "AliasTarget" not in item.get("Properties", {})
        elif item.get("Type") == "AWS::Route53::RecordSetGroup":
            total_plain += sum("AliasTarget" not in r for r in item.get("Properties", {}).get("RecordSets", []))
    share = ctx.usage.dns_queries_millions * len(plain) / max(total_plain, 1)
    return [ctx.charge("DNS queries of non-alias records (usage file)", share, "route53.queries")]


def record_set(resource: Resource, ctx: PricingContext) -> list[Charge]:
    return _record_queries(resource, ctx, [resource.properties])


def record_set_group(resource: Resource, ctx: PricingContext) -> list[Charge]:
    return _record_queries(resource, ctx, list(resource.properties.get("RecordSets", [])))


def cloudfront(resource: Resource, ctx: PricingContext) -> list[Charge]:
    usage = ctx.usage
    edge = usage.cloudfront_edge
    return [
        ctx.charge(
            f"data to viewers {usage.cloudfront_data_out_gb:g} GB ({edge})",
            usage.cloudfront_data_out_gb,
            f"cloudfront.data-out.{edge}",
        ),
        ctx.charge(
            f"HTTPS requests {usage.requests_millions:g} M ({edge})",
            usage.requests_millions * 100,
            f"cloudfront.https.{edge}",
        ),
    ]


def cloudfront_function(resource: Resource, ctx: PricingContext) -> list[Charge]:
    return [ctx.charge("CloudFront Function invocations", ctx.usage.requests_millions, "cloudfront.function")]


def web_acl(resource: Resource, ctx: PricingContext) -> list[Charge]:
    rules = resource.properties.get("Rules", [])
    if not isinstance(rules, list):
        raise CostError(f"{resource.stack}/{resource.logical_id}: the web ACL's rules are a token.")
    return [
        ctx.charge("web ACL", 1, "waf.web-acl"),
        ctx.charge(f"{len(rules)} rules and managed rule groups", len(rules), "waf.rule"),
        ctx.charge(
            f"requests inspected {ctx.usage.requests_millions:g} M", ctx.usage.requests_millions, "waf.requests"
        ),
    ]


# ---------------------------------------------------------------- other services


def kms_key(resource: Resource, ctx: PricingContext) -> list[Charge]:
    rotating = literal(resource.properties, "EnableKeyRotation") is True
    # Each of a key's first two rotations adds one key-month; later rotations are free.
    extra = min(ctx.usage.kms_completed_rotations, 2) if rotating else 0
    return [
        ctx.charge(
            "customer managed key" + (f" with {extra} rotation(s) billed" if extra else ""), 1 + extra, "kms.key"
        )
    ]


def secret(resource: Resource, ctx: PricingContext) -> list[Charge]:
    return [ctx.charge("secret", 1, "secretsmanager.secret")]


def ssm_parameter(resource: Resource, ctx: PricingContext) -> list[Charge]:
    tier = literal(resource.properties, "Tier") or "Standard"
    if tier == "Standard":
        return []  # standard parameters are free
    return [ctx.charge(f"{tier} parameter", 1, "ssm.advanced-parameter")]


def ecr_repository(resource: Resource, ctx: PricingContext) -> list[Charge]:
    return [
        ctx.charge(
            f"image storage {ctx.usage.ecr_storage_gb:g} GB (usage file)", ctx.usage.ecr_storage_gb, "ecr.storage"
        )
    ]


def s3_bucket(resource: Resource, ctx: PricingContext) -> list[Charge]:
    gb = ctx.usage.s3_storage_gb_per_bucket
    return [ctx.charge(f"S3 Standard {gb:g} GB (usage file)", gb, "s3.standard")]


def backup_plan(resource: Resource, ctx: PricingContext) -> list[Charge]:
    usage = ctx.usage
    rules = literal(resource.properties, "BackupPlan", "BackupPlanRule") or []
    copies = any(isinstance(rule, Mapping) and rule.get("CopyActions") for rule in rules)
    charges = [
        ctx.charge(
            f"backup storage {usage.backup_storage_gb:g} GB (usage file)",
            usage.backup_storage_gb,
            "backup.warm-storage",
        )
    ]
    if copies:
        # The copy is stored in the other region; its price there is taken as this region's.
        charges += [
            ctx.charge(
                f"cross-region copy storage {usage.backup_copy_gb:g} GB", usage.backup_copy_gb, "backup.warm-storage"
            ),
            transfer(ctx, "backup copies", usage.backup_copy_gb),
        ]
    return charges


def glue_dpu(resource: Resource, ctx: PricingContext) -> list[Charge]:
    return [ctx.charge(f"{ctx.usage.glue_dpu_hours:g} DPU-hours (usage file)", ctx.usage.glue_dpu_hours, "glue.dpu")]


def athena_workgroup(resource: Resource, ctx: PricingContext) -> list[Charge]:
    tb = ctx.usage.athena_tb_scanned
    return [ctx.charge(f"{tb:g} TB scanned (usage file)", tb, "athena.scanned")]


def firehose(resource: Resource, ctx: PricingContext) -> list[Charge]:
    gb = ctx.usage.firehose_gb
    return [ctx.charge(f"{gb:g} GB ingested (usage file)", gb, "firehose.ingested")]


RULES: dict[str, tuple[Category, Rule]] = {
    "AWS::EKS::Cluster": (Category.EKS_EC2, eks_cluster),
    "AWS::EKS::Nodegroup": (Category.EKS_EC2, eks_nodegroup),
    "AWS::EC2::Volume": (Category.EKS_EC2, ec2_volume),
    "AWS::EC2::NatGateway": (Category.DATA_TRANSFER, nat_gateway),
    "AWS::EC2::EIP": (Category.DATA_TRANSFER, elastic_ip),
    "AWS::EC2::VPCEndpoint": (Category.DATA_TRANSFER, vpc_endpoint),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": (Category.DATA_TRANSFER, load_balancer),
    "AWS::RDS::DBCluster": (Category.AURORA, aurora_cluster),
    "AWS::RDS::DBInstance": (Category.AURORA, aurora_instance),
    "AWS::RDS::GlobalCluster": (Category.DATA_TRANSFER, aurora_global),
    "AWS::ElastiCache::ReplicationGroup": (Category.ELASTICACHE, cache_replication_group),
    "AWS::ElastiCache::CacheCluster": (Category.ELASTICACHE, cache_cluster),
    "AWS::ElastiCache::GlobalReplicationGroup": (Category.DATA_TRANSFER, cache_global),
    "AWS::MSK::Cluster": (Category.MSK, msk_cluster),
    "AWS::MSK::Replicator": (Category.MSK, msk_replicator),
    "AWS::Logs::LogGroup": (Category.MONITORING, log_group),
    "AWS::Logs::MetricFilter": (Category.MONITORING, metric_filter),
    "AWS::CloudWatch::Alarm": (Category.MONITORING, alarm),
    "AWS::CloudWatch::CompositeAlarm": (Category.MONITORING, composite_alarm),
    "AWS::CloudWatch::Dashboard": (Category.MONITORING, dashboard),
    "AWS::Grafana::Workspace": (Category.MONITORING, grafana),
    "AWS::Route53::HostedZone": (Category.DNS, hosted_zone),
    "AWS::Route53::HealthCheck": (Category.DNS, health_check),
    "AWS::Route53::RecordSet": (Category.DNS, record_set),
    "AWS::Route53::RecordSetGroup": (Category.DNS, record_set_group),
    "AWS::CloudFront::Distribution": (Category.DATA_TRANSFER, cloudfront),
    "AWS::CloudFront::Function": (Category.DATA_TRANSFER, cloudfront_function),
    "AWS::WAFv2::WebACL": (Category.OTHER, web_acl),
    "AWS::KMS::Key": (Category.OTHER, kms_key),
    "AWS::SecretsManager::Secret": (Category.OTHER, secret),
    "AWS::SSM::Parameter": (Category.OTHER, ssm_parameter),
    "AWS::ECR::Repository": (Category.OTHER, ecr_repository),
    "AWS::S3::Bucket": (Category.OTHER, s3_bucket),
    "AWS::Backup::BackupPlan": (Category.OTHER, backup_plan),
    "AWS::Glue::Crawler": (Category.OTHER, glue_dpu),
    "AWS::Glue::Job": (Category.OTHER, glue_dpu),
    "AWS::Athena::WorkGroup": (Category.OTHER, athena_workgroup),
    "AWS::KinesisFirehose::DeliveryStream": (Category.OTHER, firehose),
}

# Types that cost nothing by themselves, grouped by the reason they are free.
FREE_BECAUSE: dict[str, tuple[str, ...]] = {
    "VPC plumbing has no charge of its own": (
        "AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::EC2::RouteTable", "AWS::EC2::Route",
        "AWS::EC2::SubnetRouteTableAssociation", "AWS::EC2::InternetGateway", "AWS::EC2::VPCGatewayAttachment",
        "AWS::EC2::NetworkAcl", "AWS::EC2::NetworkAclEntry", "AWS::EC2::SubnetNetworkAclAssociation",
        "AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress",
    ),
    "flow log delivery is billed as ingestion of its log group, priced there": ("AWS::EC2::FlowLog",),
    "a template; the node disks it describes are priced with the node group": ("AWS::EC2::LaunchTemplate",),
    "IAM has no charge": (
        "AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::InstanceProfile",
        "AWS::IAM::OIDCProvider", "AWS::IAM::ServiceLinkedRole",
    ),
    "aliases are free; the key is priced": ("AWS::KMS::Alias",),
    "public ACM certificates are free": ("AWS::CertificateManager::Certificate",),
    "EKS add-ons, access entries and pod identity have no charge; the nodes they run on are priced": (
        "AWS::EKS::Addon", "AWS::EKS::AccessEntry", "AWS::EKS::PodIdentityAssociation",
    ),
    "runs only while CloudFormation deploys; its few invocations sit inside the always-free tier": (
        "AWS::Lambda::Function", "AWS::Lambda::LayerVersion", "AWS::Lambda::Permission",
        "AWS::StepFunctions::StateMachine", "AWS::CloudFormation::CustomResource", "AWS::CloudFormation::Stack",
        "AWS::CloudFormation::WaitConditionHandle", "AWS::CDK::Metadata",
    ),
    "configuration of a priced resource; no charge of its own": (
        "AWS::RDS::DBSubnetGroup", "AWS::RDS::DBClusterParameterGroup", "AWS::RDS::DBParameterGroup",
        "AWS::RDS::EventSubscription", "AWS::ElastiCache::SubnetGroup", "AWS::ElastiCache::ParameterGroup",
        "AWS::MSK::Configuration", "AWS::MSK::ClusterPolicy",
        "AWS::ElasticLoadBalancingV2::Listener", "AWS::ElasticLoadBalancingV2::TargetGroup",
        "AWS::ElasticLoadBalancingV2::ListenerRule", "AWS::ElasticLoadBalancingV2::ListenerCertificate",
    ),
    "rotation has no charge; its Lambda runs inside the free tier": ("AWS::SecretsManager::RotationSchedule",),
    "metadata of a priced secret or repository": (
        "AWS::SecretsManager::SecretTargetAttachment", "AWS::SecretsManager::ResourcePolicy",
        "AWS::ECR::RegistryPolicy", "AWS::ECR::ReplicationConfiguration",
    ),
    "no charge of its own; the log group or alarm it serves is priced": (
        "AWS::Logs::LogStream", "AWS::Logs::ResourcePolicy", "AWS::Logs::SubscriptionFilter",
        "AWS::Logs::QueryDefinition", "AWS::CloudWatch::AnomalyDetector",
    ),
    "alert notifications stay inside SNS's always-free million publishes and thousand e-mails": (
        "AWS::SNS::Topic", "AWS::SNS::Subscription", "AWS::SNS::TopicPolicy",
    ),
    "rules on the default event bus for AWS service events have no charge": ("AWS::Events::Rule",),
    "traces are priced on the EKS cluster from the usage file's requests and sampling": ("AWS::XRay::SamplingRule",),
    "groups without X-Ray Insights have no charge": ("AWS::XRay::Group",),
    "CloudFront policies have no charge; the distribution is priced": (
        "AWS::CloudFront::OriginAccessControl", "AWS::CloudFront::CachePolicy",
        "AWS::CloudFront::OriginRequestPolicy", "AWS::CloudFront::ResponseHeadersPolicy",
    ),
    "WAF bills web ACLs, rules and requests; these add no charge": (
        "AWS::WAFv2::IPSet", "AWS::WAFv2::RegexPatternSet", "AWS::WAFv2::WebACLAssociation",
        "AWS::WAFv2::LoggingConfiguration",
    ),
    "billed as one rule of the web ACL that references it": ("AWS::WAFv2::RuleGroup",),
    "backup storage is priced on the backup plan": ("AWS::Backup::BackupVault", "AWS::Backup::BackupSelection"),
    "metadata; storage, scans and crawls are priced on the bucket, work group and crawler": (
        "AWS::S3::BucketPolicy", "AWS::Glue::Database", "AWS::Glue::Table", "AWS::Glue::SecurityConfiguration",
        "AWS::Athena::NamedQuery",
    ),
    "budgets without actions have no charge": ("AWS::Budgets::Budget",),
    "Cost Anomaly Detection has no charge": ("AWS::CE::AnomalyMonitor", "AWS::CE::AnomalySubscription"),
}  # fmt: skip
FREE: dict[str, str] = {kind: reason for reason, kinds in FREE_BECAUSE.items() for kind in kinds}


def price_resource(resource: Resource, ctx: PricingContext) -> tuple[Category, list[Charge]] | None:
    """The resource's charges and category; None when the type is free on purpose."""
    if resource.type in FREE or resource.type.startswith("Custom::"):
        return None  # custom resources are Lambda-backed and run only at deploy time
    entry = RULES.get(resource.type)
    if entry is None:
        raise CostError(
            f"{resource.stack}/{resource.logical_id} has type {resource.type}, which has no pricing rule; "
            "add a rule or list it as free in genai_infra/cost/rules.py."
        )
    category, rule = entry
    return category, rule(resource, ctx)
