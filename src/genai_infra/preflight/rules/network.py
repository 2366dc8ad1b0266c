"""Security group paths: every path the application needs exists in both directions, nothing wider.

Groups are identified by role (alb, app, database, msk) through the NetworkStack's published
parameters /genai-demo/<env>/network/<role>-security-group-id, so a rule written in any stack of
the target, against a Ref, a GetAtt or an SSM-imported id, is attributed to the right group.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from genai_infra.preflight.cfn import Pointer, TargetIndex, render
from genai_infra.preflight.model import Hit, Severity, StackTemplate, TargetTemplates, rule

ROLE_PARAMETER = re.compile(
    r"^/[^/]+/[^/]+/(?:network/(?P<role>[a-z]+)|aurora/(?P<aurora>rotation)|msk/(?P<msk>replicator))"
    r"-security-group-id$"
)
INTERNET = frozenset({"0.0.0.0/0", "::/0"})
# CDK writes this egress rule on a group that allows no outbound traffic at all.
CDK_DENY_ALL = ("255.255.255.255/32", "icmp")


@dataclass(frozen=True)
class Path:
    source: str
    destination: str
    port: int
    what: str


# The paths the application needs (specification's security groups, decisions C4 and C6).
REQUIRED_PATHS: tuple[Path, ...] = (
    Path("alb", "app", 8080, "ALB to the application"),
    Path("app", "database", 5432, "application to Aurora PostgreSQL"),
    Path("app", "database", 6379, "application to ElastiCache Redis"),
    Path("app", "msk", 9094, "application to MSK over TLS"),
    Path("app", "msk", 9098, "application to MSK with IAM"),
)
# Paths that exist only where their client does: the Aurora secret rotation function and the MSK
# Replicator. Allowed into the groups above, never required.
OPTIONAL_PATHS: tuple[Path, ...] = (
    Path("rotation", "database", 5432, "secret rotation to Aurora PostgreSQL"),
    Path("replicator", "msk", 9098, "MSK Replicator to MSK with IAM"),
)
# The ALB is the only group the internet may reach, on these ports only.
INTERNET_PORTS = {"alb": frozenset({80, 443})}


def _port(value: Any, default: int) -> int:
    """A port as an int; CloudFormation also accepts numeric strings. Unknown: the widest bound."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@dataclass(frozen=True)
class Edge:
    """One security group rule: `group` admits (ingress) or sends (egress) to `peer`."""

    direction: str  # ingress | egress
    group: str | None  # role, or stack/logical id, of the group that owns the rule
    peer: str | None  # role or stack/logical id of the peer group, or a CIDR
    protocol: str
    from_port: int
    to_port: int
    stack: str
    logical_id: str

    def covers(self, port: int) -> bool:
        return self.protocol in ("-1", "all") or (
            self.protocol in ("tcp", "6") and self.from_port <= port <= self.to_port
        )

    @property
    def to_internet(self) -> bool:
        return self.peer in INTERNET


class GroupGraph:
    """Every security group rule of a target, with groups named by role where the role is known."""

    def __init__(self, target: TargetTemplates) -> None:
        self.index = TargetIndex(target)
        self.roles: dict[Pointer, str] = {}
        for name, (template, value) in self.index.published.items():
            match = ROLE_PARAMETER.match(name)
            pointer = self.index.resolve(template, value)
            if match and pointer is not None:
                self.roles[pointer] = match["role"] or match["aurora"] or match["msk"]
        self.edges: list[Edge] = list(self._edges(target))

    def name(self, template: StackTemplate, value: Any) -> str | None:
        pointer = self.index.resolve(template, value)
        if pointer is None:
            return None
        return self.roles.get(pointer, f"{pointer.stack}/{pointer.logical_id}")

    def _edge(
        self, template: StackTemplate, logical_id: str, direction: str, group: str | None, rule: Mapping[str, Any]
    ) -> Edge:
        peer_key = "SourceSecurityGroupId" if direction == "ingress" else "DestinationSecurityGroupId"
        if peer_key in rule:
            peer = self.name(template, rule[peer_key])
        else:
            peer = render(rule.get("CidrIp", rule.get("CidrIpv6"))).literal
        protocol = str(rule.get("IpProtocol", "-1")).lower()
        if protocol in ("-1", "all"):
            return Edge(direction, group, peer, protocol, 0, 65535, template.stack, logical_id)
        low, high = _port(rule.get("FromPort"), 0), _port(rule.get("ToPort"), 65535)
        return Edge(direction, group, peer, protocol, low, high, template.stack, logical_id)

    def _edges(self, target: TargetTemplates) -> Iterator[Edge]:
        standalone = [
            self._edge(template, logical_id, direction, self.name(template, properties.get("GroupId")), properties)
            for template in target.stacks.values()
            for direction in ("ingress", "egress")
            for logical_id, properties in template.of_type(f"AWS::EC2::SecurityGroup{direction.capitalize()}")
        ]
        yield from standalone
        with_egress_rules = {edge.group for edge in standalone if edge.direction == "egress"}
        for template in target.stacks.values():
            for logical_id, properties in template.of_type("AWS::EC2::SecurityGroup"):
                own = self.roles.get(Pointer(template.stack, logical_id), f"{template.stack}/{logical_id}")
                for entry in properties.get("SecurityGroupIngress", []) or []:
                    yield self._edge(template, logical_id, "ingress", own, entry)
                if "SecurityGroupEgress" not in properties and own not in with_egress_rules:
                    # EC2 gives a group created without egress rules an allow-all egress rule; the first
                    # SecurityGroupEgress resource on the group replaces it (what CDK relies on, too).
                    yield Edge("egress", own, "0.0.0.0/0", "-1", 0, 65535, template.stack, logical_id)
                for entry in properties.get("SecurityGroupEgress", []) or []:
                    if (entry.get("CidrIp"), str(entry.get("IpProtocol"))) != CDK_DENY_ALL:
                        yield self._edge(template, logical_id, "egress", own, entry)

    def allows(self, direction: str, group: str, peer: str, port: int) -> bool:
        for edge in self.edges:
            if edge.direction != direction or edge.group != group or not edge.covers(port):
                continue
            # Egress to anywhere reaches the peer too; ingress must name the peer group.
            if edge.peer == peer or (direction == "egress" and edge.to_internet):
                return True
        return False

    def has_role(self, role: str) -> bool:
        return role in self.roles.values()


def _missing_paths(target: TargetTemplates, paths: tuple[Path, ...]) -> Iterator[Hit]:
    graph = GroupGraph(target)
    if not graph.roles:
        return  # a target without a network (us-east-1) has no paths to check
    where = {role: pointer for pointer, role in graph.roles.items()}
    any_group = next(iter(where.values()))
    for path in paths:
        for role in (path.source, path.destination):
            if not graph.has_role(role):
                yield Hit(
                    any_group.stack,
                    f"{role}-security-group-id",
                    f"no {role} security group is published for the {path.what} path; publish "
                    f"network/{role}-security-group-id from the NetworkStack",
                )
                return
        if not graph.allows("egress", path.source, path.destination, path.port):
            yield Hit(
                where[path.source].stack,
                where[path.source].logical_id,
                f"the {path.source} security group has no egress to the {path.destination} group on tcp "
                f"{path.port} ({path.what}); add that egress rule",
            )
        if not graph.allows("ingress", path.destination, path.source, path.port):
            yield Hit(
                where[path.destination].stack,
                where[path.destination].logical_id,
                f"the {path.destination} security group admits no tcp {path.port} from the {path.source} "
                f"group ({path.what}); add that ingress rule",
            )


def _paths(*ports: int) -> tuple[Path, ...]:
    return tuple(path for path in REQUIRED_PATHS if path.port in ports)


@rule("PF001", Severity.ERROR, "target", "ALB -> app on tcp 8080 exists as ALB egress and app ingress")
def alb_to_app(target: TargetTemplates) -> Iterator[Hit]:
    yield from _missing_paths(target, _paths(8080))


@rule("PF002", Severity.ERROR, "target", "app -> database on tcp 5432 (Aurora) exists in both directions")
def app_to_aurora(target: TargetTemplates) -> Iterator[Hit]:
    yield from _missing_paths(target, _paths(5432))


@rule("PF003", Severity.ERROR, "target", "app -> database on tcp 6379 (Redis) exists in both directions")
def app_to_redis(target: TargetTemplates) -> Iterator[Hit]:
    # Only where the target runs Redis (decision C12 lets an environment go without ElastiCache).
    if any(True for _ in target.of_type("AWS::ElastiCache::ReplicationGroup")):
        yield from _missing_paths(target, _paths(6379))


@rule("PF004", Severity.ERROR, "target", "app -> MSK on tcp 9094 and 9098 exists in both directions")
def app_to_msk(target: TargetTemplates) -> Iterator[Hit]:
    # Only where the target runs MSK (decision C12: production by default).
    if any(True for _ in target.of_type("AWS::MSK::Cluster")):
        yield from _missing_paths(target, _paths(9094, 9098))


def _cluster_groups(target: TargetTemplates) -> Iterator[tuple[StackTemplate, str, list[Any]]]:
    """Each EKS cluster with its additional (control plane) security group ids."""
    for template, logical_id, properties in target.of_type("AWS::EKS::Cluster"):
        yield template, logical_id, list(properties.get("ResourcesVpcConfig", {}).get("SecurityGroupIds", []) or [])
    for template, logical_id, properties in target.of_type("Custom::AWSCDK-EKS-Cluster"):
        vpc = properties.get("Config", {}).get("resourcesVpcConfig", {})
        yield template, logical_id, list(vpc.get("securityGroupIds", []) or [])


@rule(
    "PF005",
    Severity.ERROR,
    "target",
    "EKS nodes reach the control plane (443) and it reaches them (443, 10250), or nodes use the cluster group",
)
def nodes_to_control_plane(target: TargetTemplates) -> Iterator[Hit]:
    clusters = list(_cluster_groups(target))
    if not clusters:
        return
    graph = GroupGraph(target)
    control_planes = [graph.name(template, group) for template, _, groups in clusters for group in groups]
    cluster_ids = {(template.stack, logical_id) for template, logical_id, _ in clusters}
    for template, logical_id, properties in target.of_type("AWS::EKS::Nodegroup"):
        launch_template = properties.get("LaunchTemplate")
        if not launch_template:
            continue  # EKS attaches the cluster security group, which admits the control plane
        pointer = graph.index.resolve(template, launch_template.get("Id") or launch_template.get("Name"))
        data = (graph.index.resource(pointer) or {}).get("Properties", {}) if pointer else {}
        node_groups = data.get("LaunchTemplateData", {}).get("SecurityGroupIds")
        if not node_groups:
            continue
        uses_cluster_group = any(
            isinstance(group, dict)
            and "Fn::GetAtt" in group
            and (template.stack, group["Fn::GetAtt"][0]) in cluster_ids
            and group["Fn::GetAtt"][1] == "ClusterSecurityGroupId"
            for group in node_groups
        )
        if uses_cluster_group:
            continue
        nodes = [graph.name(template, group) for group in node_groups]
        reached = any(
            graph.allows("egress", node, plane, 443)
            and graph.allows("ingress", plane, node, 443)
            and graph.allows("ingress", node, plane, 10250)
            and graph.allows("egress", plane, node, 10250)
            for node in nodes
            if node
            for plane in control_planes
            if plane
        )
        if not reached:
            yield template.hit(
                logical_id,
                f"node group {logical_id} uses its own security groups without the cluster security group and "
                "no rules open node -> control plane tcp 443 and control plane -> node tcp 443/10250; add the "
                "cluster security group to the launch template or add those rules",
            )


@rule("PF006", Severity.ERROR, "target", "only the ALB group admits the internet, and only on 80 and 443")
def internet_ingress(target: TargetTemplates) -> Iterator[Hit]:
    graph = GroupGraph(target)
    for edge in graph.edges:
        if edge.direction != "ingress" or not edge.to_internet:
            continue
        allowed = INTERNET_PORTS.get(edge.group or "", frozenset())
        if edge.protocol in ("tcp", "6") and edge.from_port == edge.to_port and edge.from_port in allowed:
            continue
        yield Hit(
            edge.stack,
            edge.logical_id,
            f"security group {edge.group} admits {edge.peer} on {edge.protocol} {edge.from_port}-{edge.to_port}; "
            "only the ALB group may be open to the internet, on tcp 80 and 443: narrow the source",
        )


@rule("PF007", Severity.ERROR, "target", "ingress into the alb/app/database/msk groups is only the required paths")
def nothing_wider(target: TargetTemplates) -> Iterator[Hit]:
    graph = GroupGraph(target)
    roles = set(graph.roles.values())
    for edge in graph.edges:
        if edge.direction != "ingress" or edge.group not in roles or edge.to_internet:
            continue  # internet ingress is PF006's
        exact = edge.protocol in ("tcp", "6") and edge.from_port == edge.to_port
        if exact and any(
            (path.source, path.destination, path.port) == (edge.peer, edge.group, edge.from_port)
            for path in (*REQUIRED_PATHS, *OPTIONAL_PATHS)
        ):
            continue
        yield Hit(
            edge.stack,
            edge.logical_id,
            f"the {edge.group} security group admits {edge.peer} on {edge.protocol} {edge.from_port}-"
            f"{edge.to_port}, which no required path needs; remove it or narrow it to a required path",
        )


@rule("PF008", Severity.ERROR, "target", "the alb/app/database/msk groups have no allow-all egress")
def no_allow_all_egress(target: TargetTemplates) -> Iterator[Hit]:
    graph = GroupGraph(target)
    roles = set(graph.roles.values())
    for edge in graph.edges:
        if edge.direction == "egress" and edge.group in roles and edge.to_internet and edge.protocol in ("-1", "all"):
            yield Hit(
                edge.stack,
                edge.logical_id,
                f"the {edge.group} security group allows all outbound traffic; set allow_all_outbound=False "
                "and add egress rules for the paths it needs",
            )
