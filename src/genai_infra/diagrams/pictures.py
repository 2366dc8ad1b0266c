"""The spec's three pictures, read from synthesized cloud assemblies (pure Python, no jsii).

Everything drawn comes from manifest.json and the templates: stack dependencies, subnet CIDRs
and AZs, node group sizes, instance classes, replication links. Nothing is copied from the
configuration, so a picture can only show what CloudFormation would deploy.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from genai_infra.diagrams.graph import Cluster, Diagram, Edge, Node, node_id
from genai_infra.phases import PHASES
from genai_infra.targets import Target, stacks_of

if TYPE_CHECKING:
    from genai_infra.synth import Assembly

# The layers of the spec's "CDK Stack Organization" picture. EdgeStack (CloudFront, WAF) is not in
# the spec's picture; it is drawn with the platform stacks that route traffic (Route 53).
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Foundation", ("SecurityStack", "NetworkStack", "CertificateStack")),
    ("Core Infrastructure", ("RdsStack", "ElastiCacheStack", "MSKStack", "EKSStack")),
    ("Platform", ("ObservabilityStack", "AlertingStack", "Route53FailoverStack", "EdgeStack")),
    ("Optional", ("AnalyticsStack", "DisasterRecoveryStack", "CostOptimizationStack")),
)
LAYER_OF = {stack: layer for layer, stacks in LAYERS for stack in stacks}

Resources = dict[str, dict[str, Any]]
REPLICATION_GROUP = "AWS::ElastiCache::ReplicationGroup"


def _slug(target: Target) -> str:
    return node_id(target.environment, target.region)


def stack_dependencies(assembly: Assembly) -> dict[str, list[str]]:
    """Stack id -> the stacks it depends on, from the assembly's manifest.json (asset manifests dropped)."""
    manifest = json.loads((assembly.directory / "manifest.json").read_text(encoding="utf-8"))
    artifacts: dict[str, dict[str, Any]] = manifest["artifacts"]
    stacks = {name for name, artifact in artifacts.items() if artifact["type"] == "aws:cloudformation:stack"}
    return {
        name: sorted(need for need in artifacts[name].get("dependencies", []) if need in stacks)
        for name in sorted(stacks)
    }


def stack_organization(assemblies: Sequence[Assembly]) -> Diagram:
    """One cluster per target, the spec's layers inside, an edge from each dependency to its dependent."""
    diagram = Diagram("Stack organization by layer, with the dependencies of manifest.json")
    for assembly in assemblies:
        target = assembly.target
        slug = _slug(target)
        dependencies = stack_dependencies(assembly)
        unknown = sorted(set(dependencies) - set(LAYER_OF))
        if unknown:
            raise ValueError(f"stack {unknown[0]} has no layer; add it to genai_infra.diagrams.pictures.LAYERS")
        outer = Cluster(slug, f"{target.label} ({target.role})")
        for layer, members in LAYERS:
            present = [stack for stack in members if stack in dependencies]
            if present:
                nodes = [Node(node_id(slug, stack), stack) for stack in present]
                outer.clusters.append(Cluster(node_id(slug, layer), f"{layer} layer", nodes))
        diagram.clusters.append(outer)
        for stack in stacks_of(target):
            for need in dependencies.get(stack, []):
                diagram.edges.append(Edge(node_id(slug, need), node_id(slug, stack)))
    return diagram


def deployment_phases(targets: Sequence[Target]) -> Diagram:
    """The six phases in order; in each, the stacks every target deploys in that phase."""
    diagram = Diagram("Deployment phases", direction="LR")
    previous = ""
    for phase in PHASES:
        cluster = Cluster(f"phase{phase.number}", f"Phase {phase.number}")
        for target in targets:
            stacks = [stack for stack in stacks_of(target) if stack in phase.stacks]
            if stacks:
                label = f"{target.region} ({target.role})\n" + "\n".join(stacks)
                cluster.nodes.append(Node(node_id(f"phase{phase.number}", _slug(target)), label))
        if not cluster.nodes:
            continue
        diagram.clusters.append(cluster)
        if previous:
            diagram.edges.append(Edge(previous, cluster.id))
        previous = cluster.id
    return diagram


# --- the regional architecture ---


def _of_type(resources: Resources, resource_type: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (logical_id, resource.get("Properties", {}))
        for logical_id, resource in sorted(resources.items())
        if resource["Type"] == resource_type
    ]


def _resources(assembly: Assembly, stack: str) -> Resources:
    if not (assembly.directory / f"{stack}.template.json").exists():
        return {}
    resources: Resources = assembly.template(stack).get("Resources", {})
    return resources


def _string(value: Any) -> str:
    """A template value as text: literals as they are, Fn::Join flattened, references as ${...}."""
    if isinstance(value, dict) and len(value) == 1:
        ((key, inner),) = value.items()
        if key == "Fn::Join":
            return str(inner[0]).join(_string(part) for part in inner[1])
        if key == "Ref":
            return "${" + str(inner) + "}"
        if key == "Fn::GetAtt":
            return "${" + ".".join(map(str, inner)) + "}"
    return str(value)


def _tier(logical_id: str) -> str:
    # CDK names subnets <Vpc><SubnetGroup>Subnet<n>: the group is the tier (public, private, database, msk).
    match = re.search(r"([A-Z][A-Za-z]*?)Subnet\d", logical_id.removeprefix("Vpc"))
    return match.group(1).lower() if match else "subnet"


def _network(slug: str, resources: Resources) -> Cluster:
    cidr = next((props["CidrBlock"] for _, props in _of_type(resources, "AWS::EC2::VPC")), "?")
    vpc = Cluster(node_id(slug, "vpc"), f"VPC {cidr}")
    by_zone: dict[str, list[Node]] = {}
    for logical_id, props in _of_type(resources, "AWS::EC2::Subnet"):
        zone = str(props["AvailabilityZone"])
        label = f"{_tier(logical_id)} {props['CidrBlock']}"
        by_zone.setdefault(zone, []).append(Node(node_id(slug, logical_id), label))
    for zone in sorted(by_zone):
        nodes = sorted(by_zone[zone], key=lambda node: node.label.split()[1])
        vpc.clusters.append(Cluster(node_id(slug, zone), zone, nodes))
    gateways = len(_of_type(resources, "AWS::EC2::NatGateway"))
    if gateways:
        vpc.nodes.append(Node(node_id(slug, "nat"), f"NAT gateway x{gateways}"))
    return vpc


def _aurora(slug: str, resources: Resources) -> tuple[list[Node], str]:
    """Aurora instances (writer first) and the global cluster id this cluster belongs to as secondary."""
    clusters = _of_type(resources, "AWS::RDS::DBCluster")
    if not clusters:
        return [], ""
    cluster = clusters[0][1]
    secondary = str(cluster.get("GlobalClusterIdentifier", ""))
    scaling = cluster.get("ServerlessV2ScalingConfiguration")
    instances = sorted(
        _of_type(resources, "AWS::RDS::DBInstance"), key=lambda item: (item[1].get("PromotionTier", 0), item[0])
    )
    nodes = []
    for index, (logical_id, props) in enumerate(instances):
        # A global secondary cluster has no writer until it is promoted.
        role = "reader" if secondary or index > 0 else "writer"
        label = f"Aurora {role}\n{props['DBInstanceClass']}"
        if scaling:
            label += f" {scaling['MinCapacity']}-{scaling['MaxCapacity']} ACU"
        nodes.append(Node(node_id(slug, "aurora", logical_id), label))
    return nodes, secondary


def _redis(slug: str, resources: Resources) -> Node | None:
    groups = _of_type(resources, REPLICATION_GROUP)
    if not groups:
        return None
    _, props = groups[0]
    # A Global Datastore secondary takes its node type from the primary group.
    node_type = props.get("CacheNodeType", "node type of the global datastore")
    replicas = int(props.get("NumCacheClusters", 1)) - 1
    nodes = f"primary + {replicas} replica{'s' if replicas != 1 else ''}"
    return Node(node_id(slug, "redis"), f"Redis {props['ReplicationGroupId']}\n{node_type}: {nodes}")


def _msk(slug: str, resources: Resources) -> Node | None:
    clusters = _of_type(resources, "AWS::MSK::Cluster")
    if not clusters:
        return None
    props = clusters[0][1]
    brokers = f"{props['NumberOfBrokerNodes']} x {props['BrokerNodeGroupInfo']['InstanceType']}"
    return Node(node_id(slug, "msk"), f"MSK {props['ClusterName']}\n{brokers} brokers")


def _replicator_sources(resources: Resources) -> list[str]:
    """Regions an MSK Replicator of this template copies from: the region of its source cluster's ARN read."""
    regions = []
    for _, props in _of_type(resources, "AWS::MSK::Replicator"):
        source = props["KafkaClusters"][0]["AmazonMskCluster"]["MskClusterArn"]
        read = resources.get(source.get("Fn::GetAtt", [""])[0], {}) if isinstance(source, dict) else {}
        create = read.get("Properties", {}).get("Create")
        if create:
            regions.append(str(json.loads(create)["region"]))
    return regions


def _backup_copies(resources: Resources) -> list[tuple[str, str]]:
    """(plan name, destination region) of every cross-region copy action of the backup plans."""
    copies = []
    for _, props in _of_type(resources, "AWS::Backup::BackupPlan"):
        plan = props["BackupPlan"]
        for rule in plan.get("BackupPlanRule", []):
            for action in rule.get("CopyActions", []):
                arn = _string(action["DestinationBackupVaultArn"])
                copies.append((str(plan["BackupPlanName"]), arn.split(":")[3]))
    return sorted(set(copies))


def regional_architecture(assemblies: Sequence[Assembly]) -> Diagram:
    """Each serving region's network, compute and data, and the links between the regions."""
    diagram = Diagram("Regional architecture")
    serving = [assembly for assembly in assemblies if assembly.target.role != "global"]
    msk_of: dict[str, str] = {}
    redis_of: dict[str, str] = {}
    aurora_writer_of: dict[str, str] = {}
    alb_of: dict[str, str] = {}
    global_aurora: dict[str, str] = {}  # global cluster id -> region of its source cluster
    secondaries: list[tuple[str, str]] = []  # (node id, global cluster id)
    redis_globals: list[str] = []
    redis_members: list[str] = []
    replications: list[tuple[str, str]] = []
    copies: list[tuple[str, str]] = []  # (source region, destination region)
    backup_of: dict[str, str] = {}
    failover: list[tuple[str, str, str]] = []  # (record name, failover role, region)
    regional_names: dict[str, str] = {}  # regional origin record name -> region

    for assembly in serving:
        region = assembly.target.region
        slug = _slug(assembly.target)
        outer = Cluster(slug, f"{region} ({assembly.target.role})")
        outer.clusters.append(_network(slug, _resources(assembly, "NetworkStack")))

        eks = _resources(assembly, "EKSStack")
        compute = Cluster(node_id(slug, "compute"), "EKS")
        for logical_id, props in _of_type(eks, "AWS::ElasticLoadBalancingV2::LoadBalancer"):
            alb_of[region] = node_id(slug, logical_id)
            compute.nodes.append(
                Node(alb_of[region], f"ALB {props.get('Name', logical_id)}\n{props.get('Scheme', '')}")
            )
        groups = []
        for logical_id, props in _of_type(eks, "AWS::EKS::Nodegroup"):
            size = props["ScalingConfig"]
            label = (
                f"node group {props.get('NodegroupName', logical_id)}\n{', '.join(props['InstanceTypes'])}\n"
                f"min {size['MinSize']} / desired {size['DesiredSize']} / max {size['MaxSize']}"
            )
            groups.append(node_id(slug, logical_id))
            compute.nodes.append(Node(groups[-1], label))
        outer.clusters.append(compute)
        for group in groups:
            if region in alb_of:
                diagram.edges.append(Edge(alb_of[region], group))

        data = Cluster(node_id(slug, "data"), "Data")
        rds = _resources(assembly, "RdsStack")
        aurora, member_of = _aurora(slug, rds)
        data.nodes.extend(aurora)
        for _, props in _of_type(rds, "AWS::RDS::GlobalCluster"):
            global_aurora[str(props["GlobalClusterIdentifier"])] = aurora[0].id
        if member_of and aurora:
            secondaries.append((aurora[0].id, member_of))
        elif aurora:
            aurora_writer_of[region] = aurora[0].id
        elasticache = _resources(assembly, "ElastiCacheStack")
        redis = _redis(slug, elasticache)
        if redis:
            data.nodes.append(redis)
            redis_of[region] = redis.id
            if _of_type(elasticache, "AWS::ElastiCache::GlobalReplicationGroup"):
                redis_globals.append(region)
            elif any("GlobalReplicationGroupId" in p for _, p in _of_type(elasticache, REPLICATION_GROUP)):
                redis_members.append(region)
        msk_resources = _resources(assembly, "MSKStack")
        msk = _msk(slug, msk_resources)
        if msk:
            data.nodes.append(msk)
            msk_of[region] = msk.id
            replications += [(source, region) for source in _replicator_sources(msk_resources)]
        outer.clusters.append(data)
        for group in groups:
            for target in [aurora[0].id if aurora else "", redis_of.get(region, ""), msk_of.get(region, "")]:
                if target:
                    diagram.edges.append(Edge(group, target))

        recovery = _resources(assembly, "DisasterRecoveryStack")
        for _, props in _of_type(recovery, "AWS::Backup::BackupVault"):
            backup_of[region] = node_id(slug, "backup")
            plans = ", ".join(
                str(p["BackupPlan"]["BackupPlanName"]) for _, p in _of_type(recovery, "AWS::Backup::BackupPlan")
            )
            outer.nodes.append(
                Node(backup_of[region], f"AWS Backup vault {props['BackupVaultName']}\nplan {plans or 'none'}")
            )
        copies += [(region, destination) for _, destination in _backup_copies(recovery)]

        for _, props in _of_type(_resources(assembly, "Route53FailoverStack"), "AWS::Route53::RecordSet"):
            name = str(props["Name"]).rstrip(".")
            if "Failover" in props:
                failover.append((name, str(props["Failover"]), region))
            else:
                regional_names[name] = region
        diagram.clusters.append(outer)

    for secondary, global_id in secondaries:
        if global_id in global_aurora:
            diagram.edges.append(Edge(global_aurora[global_id], secondary, f"Aurora global {global_id}", dotted=True))
    for source in redis_globals:
        for member in redis_members:
            diagram.edges.append(Edge(redis_of[source], redis_of[member], "Redis Global Datastore", dotted=True))
    for source, region in replications:
        if source in msk_of:
            diagram.edges.append(Edge(msk_of[source], msk_of[region], "MSK Replicator", dotted=True))
    for source, destination in copies:
        if source in backup_of and destination in backup_of:
            diagram.edges.append(Edge(backup_of[source], backup_of[destination], "backup copy", dotted=True))

    for name in sorted({name for name, _, _ in failover}):
        record = node_id("route53", name)
        diagram.nodes.append(Node(record, f"Route 53 failover\n{name}"))
        for record_name, role, region in sorted(failover):
            if record_name == name and region in alb_of:
                diagram.edges.append(Edge(record, alb_of[region], role, dotted=True))

    for assembly in assemblies:
        if assembly.target.role != "global":
            continue
        for logical_id, props in _of_type(_resources(assembly, "EdgeStack"), "AWS::CloudFront::Distribution"):
            config = props["DistributionConfig"]
            domains = {origin["Id"]: str(origin["DomainName"]) for origin in config["Origins"]}
            cdn = node_id(_slug(assembly.target), logical_id)
            diagram.nodes.insert(0, Node(cdn, f"CloudFront ({assembly.target.region})\nWAF web ACL"))
            failover_names = {name for name, _, _ in failover}
            # An origin's domain is either the failover record or one region's own record (its ALB).
            resolved = {
                origin_id: node_id("route53", domain)
                if domain in failover_names
                else alb_of.get(regional_names.get(domain, ""), "")
                for origin_id, domain in domains.items()
            }
            links = [(config["DefaultCacheBehavior"]["TargetOriginId"], "default behavior")]
            for group in config.get("OriginGroups", {}).get("Items", []):
                members = group["Members"]["Items"]
                links += [
                    (member["OriginId"], f"origin group {'primary' if index == 0 else 'secondary'}")
                    for index, member in enumerate(members)
                ]
            for origin_id, role in links:
                if resolved.get(origin_id):
                    diagram.edges.append(Edge(cdn, resolved[origin_id], role, dotted=True))
    return diagram


DOCUMENT_HEAD = """# Architecture of {env}

Drawn from the synthesized cloud assemblies by `genai-infra diagram --env {env} --write-docs`; do not
edit by hand. A test fails when this file differs from what the code draws now. Solid arrows are
dependencies or traffic inside a region; dotted arrows cross regions (replication, failover, backup copies).
"""


def diagrams_of(assemblies: Sequence[Assembly]) -> dict[str, Diagram]:
    """The three pictures by file stem, in the order the document shows them."""
    return {
        "stack-organization": stack_organization(assemblies),
        "regional-architecture": regional_architecture(assemblies),
        "deployment-phases": deployment_phases([assembly.target for assembly in assemblies]),
    }


def architecture_document(env: str, assemblies: Sequence[Assembly]) -> str:
    from genai_infra.diagrams.graph import to_mermaid

    parts = [DOCUMENT_HEAD.format(env=env)]
    for diagram in diagrams_of(assemblies).values():
        parts.append(f"## {diagram.title}\n\n```mermaid\n{to_mermaid(diagram)}```\n")
    return "\n".join(parts)
