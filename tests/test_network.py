"""NetworkStack: the document's VPC, subnets, routes, NACLs and security groups, in every serving region."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import SERVING_TARGETS, render

SECOND_OCTET = {"ap-east-2": 0, "ap-northeast-1": 1}
ZONES = {
    "ap-east-2": ("ap-east-2a", "ap-east-2b", "ap-east-2c"),
    "ap-northeast-1": ("ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"),
}
# The disallow-all placeholder CDK writes for a group with no egress rules at all.
NO_EGRESS = ("egress", "icmp", 252, 86, "255.255.255.255/32")


def _logical_id(resources: dict[str, Any], resource_type: str, name_fragment: str) -> str:
    matches = [key for key, value in resources.items() if value["Type"] == resource_type and name_fragment in key]
    assert len(matches) == 1, (resource_type, name_fragment, matches)
    return matches[0]


def _peer(rule: dict[str, Any]) -> str:
    for key in ("CidrIp", "SourceSecurityGroupId", "DestinationSecurityGroupId", "SourcePrefixListId"):
        if key in rule:
            value = rule[key]
            return f"sg:{value['Fn::GetAtt'][0]}" if isinstance(value, dict) else value
    raise AssertionError(f"rule without a peer: {rule}")


def security_group_rules(resources: dict[str, Any], group: str) -> set[tuple[str, str, int, int, str]]:
    """Every rule of the group, inline or separate: (direction, protocol, from, to, peer)."""
    props = resources[group]["Properties"]
    rules = {
        ("ingress", r["IpProtocol"], r["FromPort"], r["ToPort"], _peer(r))
        for r in props.get("SecurityGroupIngress", [])
    }
    rules |= {
        ("egress", r["IpProtocol"], r["FromPort"], r["ToPort"], _peer(r)) for r in props.get("SecurityGroupEgress", [])
    }
    for value in resources.values():
        kind = {"AWS::EC2::SecurityGroupIngress": "ingress", "AWS::EC2::SecurityGroupEgress": "egress"}.get(
            value["Type"]
        )
        if kind and value["Properties"]["GroupId"] == {"Fn::GetAtt": [group, "GroupId"]}:
            r = value["Properties"]
            rules.add((kind, r["IpProtocol"], r["FromPort"], r["ToPort"], _peer(r)))
    return rules


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
class TestVpc:
    def test_vpc_cidr_and_dns(self, template: Any, environment: str, region: str) -> None:
        vpc = template(environment, region, "NetworkStack").one("AWS::EC2::VPC")
        assert vpc["CidrBlock"] == f"10.{SECOND_OCTET[region]}.0.0/16"
        assert vpc["EnableDnsSupport"] is True
        assert vpc["EnableDnsHostnames"] is True

    def test_subnets_have_the_documents_ranges_and_zones(self, template: Any, environment: str, region: str) -> None:
        octet = SECOND_OCTET[region]
        a, b, c = ZONES[region]
        subnets = {s["CidrBlock"]: s for s in template(environment, region, "NetworkStack").props("AWS::EC2::Subnet")}
        expected = {
            f"10.{octet}.0.0/24": a,
            f"10.{octet}.1.0/24": b,  # public
            f"10.{octet}.2.0/24": a,
            f"10.{octet}.3.0/24": b,  # private
            f"10.{octet}.4.0/28": a,
            f"10.{octet}.5.0/28": b,  # database
            f"10.{octet}.6.0/24": c,  # MSK only (decision C5)
        }
        assert {cidr: s["AvailabilityZone"] for cidr, s in subnets.items()} == expected
        assert all(s["MapPublicIpOnLaunch"] is False for s in subnets.values())
        # Two AZs for everything but the MSK subnet.
        assert {s["AvailabilityZone"] for cidr, s in subnets.items() if not cidr.endswith(".6.0/24")} == {a, b}

    def test_one_nat_gateway_in_the_first_public_subnet(self, template: Any, environment: str, region: str) -> None:
        t = template(environment, region, "NetworkStack")
        nat = t.one("AWS::EC2::NatGateway")
        subnet = t.resources[nat["SubnetId"]["Ref"]]["Properties"]
        assert subnet["CidrBlock"] == f"10.{SECOND_OCTET[region]}.0.0/24"
        assert len(t.of_type("AWS::EC2::InternetGateway")) == 1

    def test_three_route_tables_with_the_documents_routes(self, template: Any, environment: str, region: str) -> None:
        t = template(environment, region, "NetworkStack")
        octet = SECOND_OCTET[region]
        tables = t.of_type("AWS::EC2::RouteTable")
        assert len(tables) == 3
        cidr_of = {key: value["Properties"]["CidrBlock"] for key, value in t.of_type("AWS::EC2::Subnet").items()}
        members: dict[str, set[str]] = {key: set() for key in tables}
        for association in t.props("AWS::EC2::SubnetRouteTableAssociation"):
            members[association["RouteTableId"]["Ref"]].add(cidr_of[association["SubnetId"]["Ref"]])
        routes: dict[str, list[str]] = {key: [] for key in tables}
        for route in t.props("AWS::EC2::Route"):
            target = "igw" if "GatewayId" in route else "nat" if "NatGatewayId" in route else "other"
            routes[route["RouteTableId"]["Ref"]].append(f"{route['DestinationCidrBlock']}->{target}")
        by_members = {frozenset(cidrs): sorted(routes[key]) for key, cidrs in members.items()}
        assert by_members == {
            frozenset({f"10.{octet}.0.0/24", f"10.{octet}.1.0/24"}): ["0.0.0.0/0->igw"],
            frozenset({f"10.{octet}.2.0/24", f"10.{octet}.3.0/24", f"10.{octet}.6.0/24"}): ["0.0.0.0/0->nat"],
            # Database subnets: the local route only, no way to the internet.
            frozenset({f"10.{octet}.4.0/28", f"10.{octet}.5.0/28"}): [],
        }

    def test_security_groups_have_exactly_the_documents_rules(
        self, template: Any, environment: str, region: str
    ) -> None:
        resources = template(environment, region, "NetworkStack").resources
        sg = "AWS::EC2::SecurityGroup"
        alb, app = _logical_id(resources, sg, "Alb"), _logical_id(resources, sg, "App")
        db = _logical_id(resources, sg, "Database")
        assert security_group_rules(resources, alb) == {
            ("ingress", "tcp", 80, 80, "0.0.0.0/0"),
            ("ingress", "tcp", 443, 443, "0.0.0.0/0"),
            ("egress", "tcp", 8080, 8080, f"sg:{app}"),
        }
        # Decision C12: MSK (and its group) in production only; every environment runs Redis.
        kafka = environment == "production"
        msk = _logical_id(resources, sg, "Msk") if kafka else None
        assert security_group_rules(resources, app) == {
            ("ingress", "tcp", 8080, 8080, f"sg:{alb}"),
            ("egress", "tcp", 443, 443, "0.0.0.0/0"),
            ("egress", "tcp", 5432, 5432, f"sg:{db}"),
            ("egress", "tcp", 6379, 6379, f"sg:{db}"),
            *(
                {("egress", "tcp", 9094, 9094, f"sg:{msk}"), ("egress", "tcp", 9098, 9098, f"sg:{msk}")}  # C6
                if kafka
                else set()
            ),
        }
        assert security_group_rules(resources, db) == {
            ("ingress", "tcp", 5432, 5432, f"sg:{app}"),
            ("ingress", "tcp", 6379, 6379, f"sg:{app}"),
            NO_EGRESS,  # "Outbound: None"
        }
        if msk is not None:
            assert security_group_rules(resources, msk) == {
                ("ingress", "tcp", 9094, 9094, f"sg:{app}"),
                ("ingress", "tcp", 9098, 9098, f"sg:{app}"),
                NO_EGRESS,
            }

    def test_vpc_endpoints_of_the_cost_section(self, template: Any, environment: str, region: str) -> None:
        t = template(environment, region, "NetworkStack")
        services = {}
        for endpoint in t.props("AWS::EC2::VPCEndpoint"):
            services[str(render(endpoint["ServiceName"])).replace("${AWS::Region}", region)] = endpoint
        # Interface endpoints only where configured: production (they pay off above ~390 GB/month of NAT).
        interface = ("ecr.api", "ecr.dkr", "logs", "monitoring") if environment == "production" else ()
        assert set(services) == {f"com.amazonaws.{region}.{service}" for service in ("s3", *interface)}
        assert services[f"com.amazonaws.{region}.s3"]["VpcEndpointType"] == "Gateway"
        for name, endpoint in services.items():
            if not name.endswith(".s3"):
                assert endpoint["VpcEndpointType"] == "Interface"
                assert endpoint["PrivateDnsEnabled"] is True
                assert len(endpoint["SubnetIds"]) == 2

    def test_flow_logs_capture_all_traffic_encrypted(self, template: Any, environment: str, region: str) -> None:
        t = template(environment, region, "NetworkStack")
        flow_log = t.one("AWS::EC2::FlowLog")
        assert flow_log["TrafficType"] == "ALL"
        assert flow_log["ResourceType"] == "VPC"
        group = t.one("AWS::Logs::LogGroup")
        assert group["LogGroupName"] == f"/aws/genai-demo/{environment}/vpc-flow-logs"
        assert "KmsKeyId" in group
        assert group["RetentionInDays"] == {"development": 30, "staging": 90, "production": 365}[environment]


def _acl_entries(t: Any) -> dict[frozenset[str], set[tuple[str, int, tuple[int, int] | None, str]]]:
    cidr_of = {key: value["Properties"]["CidrBlock"] for key, value in t.of_type("AWS::EC2::Subnet").items()}
    members: dict[str, set[str]] = {}
    for association in t.props("AWS::EC2::SubnetNetworkAclAssociation"):
        members.setdefault(association["NetworkAclId"]["Ref"], set()).add(cidr_of[association["SubnetId"]["Ref"]])
    entries: dict[str, set[tuple[str, int, tuple[int, int] | None, str]]] = {key: set() for key in members}
    for entry in t.props("AWS::EC2::NetworkAclEntry"):
        assert entry["RuleAction"] == "allow"
        ports = (entry["PortRange"]["From"], entry["PortRange"]["To"]) if "PortRange" in entry else None
        direction = "out" if entry["Egress"] else "in"
        entries[entry["NetworkAclId"]["Ref"]].add((direction, entry["Protocol"], ports, entry["CidrBlock"]))
    return {frozenset(cidrs): entries[key] for key, cidrs in members.items()}


@pytest.mark.parametrize(("environment", "region"), [("production", "ap-east-2"), ("development", "ap-northeast-1")])
def test_network_acls_allow_the_documents_flows_and_no_more(template: Any, environment: str, region: str) -> None:
    o = SECOND_OCTET[region]
    public = (f"10.{o}.0.0/24", f"10.{o}.1.0/24")
    private = (f"10.{o}.2.0/24", f"10.{o}.3.0/24")
    msk = f"10.{o}.6.0/24"
    database = (f"10.{o}.4.0/28", f"10.{o}.5.0/28")
    eph = (1024, 65535)
    acls = _acl_entries(template(environment, region, "NetworkStack"))
    assert set(acls) == {frozenset(public), frozenset((*private, msk)), frozenset(database)}
    # Public: HTTP/HTTPS and ephemeral in (SSH only from configured admin ranges: none by default); all out.
    assert acls[frozenset(public)] == {
        ("in", 6, (80, 80), "0.0.0.0/0"),
        ("in", 6, (443, 443), "0.0.0.0/0"),
        ("in", 6, eph, "0.0.0.0/0"),
        ("out", -1, None, "0.0.0.0/0"),
    }
    # Private: from the public subnets and the private tier, responses in; HTTPS and database ports out.
    assert acls[frozenset((*private, msk))] == {
        *{("in", -1, None, cidr) for cidr in public},
        *{("in", -1, None, cidr) for cidr in (*private, msk)},
        ("in", 6, eph, "0.0.0.0/0"),
        ("out", 6, (443, 443), "0.0.0.0/0"),
        *{("out", 6, (5432, 5432), cidr) for cidr in database},
        *{("out", 6, (6379, 6379), cidr) for cidr in database},
        *{("out", -1, None, cidr) for cidr in (*private, msk)},
        *{("out", 6, eph, cidr) for cidr in public},
    }
    # Database: PostgreSQL and Redis from the private subnets; responses only out (plus Redis replication).
    assert acls[frozenset(database)] == {
        *{("in", 6, (5432, 5432), cidr) for cidr in private},
        *{("in", 6, (6379, 6379), cidr) for cidr in private},
        *{("in", 6, (6379, 6379), cidr) for cidr in database},
        *{("in", 6, eph, cidr) for cidr in database},
        *{("out", 6, eph, cidr) for cidr in private},
        *{("out", 6, (6379, 6379), cidr) for cidr in database},
        *{("out", 6, eph, cidr) for cidr in database},
    }
    # Nothing reaches the database tier from the internet or the public subnets.
    assert not any(cidr in public or cidr == "0.0.0.0/0" for _, _, _, cidr in acls[frozenset(database)])


def test_admin_ssh_cidrs_open_port_22_on_the_public_acl_only() -> None:
    from genai_infra.config import load_config
    from genai_infra.constructs.network_acls import public_rules

    config = load_config(
        overrides=['environments.staging.regions.ap-east-2.network.admin_ssh_cidrs=["203.0.113.0/24"]']
    )
    cidrs = config.environments["staging"].regions["ap-east-2"].network.admin_ssh_cidrs
    ssh = [rule for rule in public_rules(cidrs) if rule.ports == (22, 22)]
    assert [(rule.cidr, rule.egress) for rule in ssh] == [("203.0.113.0/24", False)]
    assert not [rule for rule in public_rules(()) if rule.ports == (22, 22)]


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_network_values_are_published_for_later_stacks(template: Any, environment: str, region: str) -> None:
    names = {p["Name"] for p in template(environment, region, "NetworkStack").props("AWS::SSM::Parameter")}
    prefix = f"/genai-demo/{environment}/network/"
    assert names == {
        prefix + name
        for name in (
            "vpc-id",
            "public-subnet-ids",
            "private-subnet-ids",
            "database-subnet-ids",
            "msk-subnet-ids",
            "nat-gateway-ids",
            "alb-security-group-id",
            "app-security-group-id",
            "database-security-group-id",
            *(("msk-security-group-id",) if environment == "production" else ()),
        )
    }
    nat_ids = next(
        p["Value"]
        for p in template(environment, region, "NetworkStack").props("AWS::SSM::Parameter")
        if p["Name"] == prefix + "nat-gateway-ids"
    )
    nats = template(environment, region, "NetworkStack").of_type("AWS::EC2::NatGateway")
    assert nat_ids == {"Fn::Join": [",", [{"Ref": logical} for logical in nats]]} or nat_ids == {
        "Ref": next(iter(nats))
    }
