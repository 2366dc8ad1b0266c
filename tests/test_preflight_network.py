"""Preflight security group rules PF001-PF008 on minimal templates: one that breaks, one that passes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.preflight_builders import get_att, hits, published, ref, res, ssm_import, target, tpl

DENY_ALL = {"CidrIp": "255.255.255.255/32", "Description": "Disallow all traffic", "IpProtocol": "icmp",
            "FromPort": 252, "ToPort": 86}  # fmt: skip
PATHS = [("Alb", "App", 8080), ("App", "Database", 5432), ("App", "Database", 6379), ("App", "Msk", 9094),
         ("App", "Msk", 9098)]  # fmt: skip


def group(ingress: list[Any] | None = None, egress: list[Any] | None = None) -> dict[str, Any]:
    return res(
        "AWS::EC2::SecurityGroup",
        {"GroupDescription": "g", "VpcId": "vpc", "SecurityGroupIngress": ingress or [],
         "SecurityGroupEgress": egress or [DENY_ALL]},
    )  # fmt: skip


def cidr(port: int, source: str = "0.0.0.0/0", protocol: str = "tcp") -> dict[str, Any]:
    return {"CidrIp": source, "IpProtocol": protocol, "FromPort": port, "ToPort": port}


def rule(kind: str, owner: Any, peer: Any, port: int, protocol: str = "tcp") -> dict[str, Any]:
    peer_key = "SourceSecurityGroupId" if kind == "Ingress" else "DestinationSecurityGroupId"
    return res(
        f"AWS::EC2::SecurityGroup{kind}",
        {"GroupId": owner, peer_key: peer, "IpProtocol": protocol, "FromPort": port, "ToPort": port},
    )


def network(drop: tuple[str, ...] = (), **extra: Any) -> dict[str, Any]:
    """The NetworkStack's four groups, published by role, with exactly the required paths."""
    resources: dict[str, Any] = {
        "Alb": group(ingress=[cidr(80), cidr(443)]),
        "App": group(egress=[cidr(443)]),
        "Database": group(),
        "Msk": group(),
    }
    for role in ("Alb", "App", "Database", "Msk"):
        resources[f"Published{role}"] = published(f"network/{role.lower()}-security-group-id", get_att(role, "GroupId"))
    for source, destination, port in PATHS:
        resources[f"{source}to{destination}{port}"] = rule(
            "Egress", get_att(source, "GroupId"), get_att(destination, "GroupId"), port
        )
        resources[f"{destination}from{source}{port}"] = rule(
            "Ingress", get_att(destination, "GroupId"), get_att(source, "GroupId"), port
        )
    for name in drop:
        del resources[name]
    resources.update(extra)
    return tpl(resources)


@pytest.mark.parametrize(
    ("rule_id", "dropped"),
    [
        ("PF001", "AlbtoApp8080"),
        ("PF001", "AppfromAlb8080"),
        ("PF002", "ApptoDatabase5432"),
        ("PF002", "DatabasefromApp5432"),
        ("PF003", "ApptoDatabase6379"),
        ("PF003", "DatabasefromApp6379"),
        ("PF004", "ApptoMsk9094"),
        ("PF004", "MskfromApp9098"),
    ],
)
def test_a_missing_direction_of_a_required_path_fails(rule_id: str, dropped: str) -> None:
    found = hits(rule_id, target({"NetworkStack": network(drop=(dropped,)), **DATA_STACKS}))
    assert len(found) == 1, found
    assert "add that" in found[0].message
    assert hits(rule_id, target({"NetworkStack": network(), **DATA_STACKS})) == []


# The Redis and MSK paths are required where the target runs them (decision C12: not everywhere).
DATA_STACKS = {
    "ElastiCacheStack": tpl({"Redis": res("AWS::ElastiCache::ReplicationGroup")}),
    "MSKStack": tpl({"Kafka": res("AWS::MSK::Cluster")}),
}


def test_a_missing_role_group_fails_the_paths_that_need_it() -> None:
    found = hits("PF004", target({"NetworkStack": network(drop=("PublishedMsk",)), **DATA_STACKS}))
    assert [hit.logical_id for hit in found] == ["msk-security-group-id"]


@pytest.mark.parametrize(("rule_id", "dropped"), [("PF003", "ApptoDatabase6379"), ("PF004", "ApptoMsk9094")])
def test_no_path_is_required_to_a_service_the_target_does_not_run(rule_id: str, dropped: str) -> None:
    assert hits(rule_id, target({"NetworkStack": network(drop=(dropped, "PublishedMsk"))})) == []


def test_paths_are_followed_through_ssm_imported_group_ids_in_another_stack() -> None:
    # The EKS stack opens the ALB -> app path on group ids it reads from the NetworkStack's parameters.
    eks = tpl(
        {
            "AlbToApp": rule("Egress", ref("AlbGroup"), ref("AppGroup"), 8080),
            "AppFromAlb": rule("Ingress", ref("AppGroup"), ref("AlbGroup"), 8080),
        },
        {
            "AlbGroup": ssm_import("network/alb-security-group-id"),
            "AppGroup": ssm_import("network/app-security-group-id"),
        },
    )
    stacks = {"NetworkStack": network(drop=("AlbtoApp8080", "AppfromAlb8080")), "EKSStack": eks}
    assert hits("PF001", target(stacks)) == []
    assert hits("PF007", target(stacks)) == []
    assert len(hits("PF001", target({"NetworkStack": stacks["NetworkStack"]}))) == 2


def test_a_target_without_a_network_has_no_paths_to_check() -> None:
    assert hits("PF001", target({"CertificateStack": tpl({})}, region="us-east-1")) == []


def eks(node_groups: list[Any], rules: dict[str, Any]) -> dict[str, Any]:
    return tpl(
        {
            "Cluster": res("AWS::EKS::Cluster", {"Version": "1.35", "ResourcesVpcConfig": {
                "SubnetIds": ["s"], "SecurityGroupIds": [ref("ControlPlane")]}}),
            "ControlPlane": group(),
            "Nodes": group(),
            "Template": res("AWS::EC2::LaunchTemplate", {"LaunchTemplateData": {"SecurityGroupIds": node_groups}}),
            "NodeGroup": res("AWS::EKS::Nodegroup", {"LaunchTemplate": {"Id": ref("Template")}}),
            **rules,
        }
    )  # fmt: skip


def test_nodes_with_their_own_group_need_rules_to_and_from_the_control_plane() -> None:
    found = hits("PF005", target({"NetworkStack": network(), "EKSStack": eks([ref("Nodes")], {})}))
    assert [hit.logical_id for hit in found] == ["NodeGroup"]
    opened = {
        "NodesToPlane": rule("Egress", ref("Nodes"), ref("ControlPlane"), 443),
        "PlaneFromNodes": rule("Ingress", ref("ControlPlane"), ref("Nodes"), 443),
        "PlaneToKubelet": rule("Egress", ref("ControlPlane"), ref("Nodes"), 10250),
        "KubeletFromPlane": rule("Ingress", ref("Nodes"), ref("ControlPlane"), 10250),
    }
    assert hits("PF005", target({"NetworkStack": network(), "EKSStack": eks([ref("Nodes")], opened)})) == []
    cluster_group = get_att("Cluster", "ClusterSecurityGroupId")
    assert hits("PF005", target({"NetworkStack": network(), "EKSStack": eks([ref("Nodes"), cluster_group], {})})) == []


def internet(owner: str, port: int, protocol: str = "tcp", ipv6: bool = False) -> dict[str, Any]:
    source = {"CidrIpv6": "::/0"} if ipv6 else {"CidrIp": "0.0.0.0/0"}
    properties = {"GroupId": get_att(owner, "GroupId"), "IpProtocol": protocol, "FromPort": port, "ToPort": port}
    return res("AWS::EC2::SecurityGroupIngress", {**properties, **source})


@pytest.mark.parametrize(
    "extra",
    [
        {"Open": internet("Database", 5432)},
        {"Ssh": internet("Alb", 22)},
        {"Any": internet("App", -1, protocol="-1", ipv6=True)},
    ],
    ids=["database-5432", "alb-ssh", "app-all-ipv6"],
)
def test_internet_ingress_is_only_the_alb_on_80_and_443(extra: dict[str, Any]) -> None:
    found = hits("PF006", target({"NetworkStack": network(**extra)}))
    assert [hit.logical_id for hit in found] == list(extra)
    assert hits("PF006", target({"NetworkStack": network()})) == []


def test_role_groups_admit_only_the_required_paths() -> None:
    wider = {
        "DbFromAlb": rule("Ingress", get_att("Database", "GroupId"), get_att("Alb", "GroupId"), 5432),
        "AppRange": res("AWS::EC2::SecurityGroupIngress", {"GroupId": get_att("App", "GroupId"),
                        "SourceSecurityGroupId": get_att("Alb", "GroupId"), "IpProtocol": "tcp",
                        "FromPort": 0, "ToPort": 65535}),
        "MskFromVpc": res("AWS::EC2::SecurityGroupIngress", {"GroupId": get_att("Msk", "GroupId"),
                          **cidr(9094, "10.0.0.0/16")}),
    }  # fmt: skip
    found = hits("PF007", target({"NetworkStack": network(**wider)}))
    assert sorted(hit.logical_id for hit in found) == sorted(wider)
    assert hits("PF007", target({"NetworkStack": network()})) == []


def test_role_groups_have_no_allow_all_egress() -> None:
    wide = group(egress=[{"CidrIp": "0.0.0.0/0", "IpProtocol": "-1"}])
    found = hits("PF008", target({"NetworkStack": network(Database=wide)}))
    assert [hit.logical_id for hit in found] == ["Database"]
    assert "allow_all_outbound=False" in found[0].message
    # A group created without egress rules gets EC2's allow-all egress, until an egress resource replaces it.
    implicit = res("AWS::EC2::SecurityGroup", {"GroupDescription": "g", "VpcId": "vpc"})
    assert [hit.logical_id for hit in hits("PF008", target({"NetworkStack": network(Msk=implicit)}))] == ["Msk"]
    assert hits("PF008", target({"NetworkStack": network(App=implicit)})) == []  # App has egress resources
    assert hits("PF008", target({"NetworkStack": network()})) == []
