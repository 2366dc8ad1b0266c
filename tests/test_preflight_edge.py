"""Downgrades are refused (issue 16 item 7): PF009 (SSH from the internet), PF051 (ALB TLS floor),
PF052 (CloudFront TLS floor), on the real templates and on mutated copies of them; and the
configuration refuses the same downgrades with one sentence."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from typer.testing import CliRunner

from genai_infra.cli import main
from genai_infra.config import ConfigError, load_config
from genai_infra.synth import Assembly
from tests.conftest import ALL_TARGETS
from tests.preflight_builders import hits, res, target

NACL = {"Protocol": 6, "RuleAction": "allow", "Egress": False, "PortRange": {"From": 22, "To": 22}}


def _real(assemblies: dict[tuple[str, str], Assembly], environment: str, region: str) -> dict[str, Any]:
    assembly = assemblies[(environment, region)]
    return {name: copy.deepcopy(assembly.template(name)) for name in assembly.templates}


@pytest.mark.parametrize(("environment", "region"), ALL_TARGETS)
def test_the_seven_targets_pass_the_downgrade_rules(
    assemblies: dict[tuple[str, str], Assembly], environment: str, region: str
) -> None:
    subject = target(_real(assemblies, environment, region), environment=environment, region=region)
    assert [hit for rule in ("PF009", "PF051", "PF052") for hit in hits(rule, subject)] == []


def test_an_alb_listener_downgraded_to_tls_1_0_is_found(assemblies: dict[tuple[str, str], Assembly]) -> None:
    stacks = _real(assemblies, "production", "ap-east-2")
    listeners = {
        k: v
        for k, v in stacks["EKSStack"]["Resources"].items()
        if v["Type"] == "AWS::ElasticLoadBalancingV2::Listener" and v["Properties"]["Protocol"] == "HTTPS"
    }
    (listener_id,) = listeners
    assert listeners[listener_id]["Properties"]["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    listeners[listener_id]["Properties"]["SslPolicy"] = "ELBSecurityPolicy-2016-08"
    assert [h.logical_id for h in hits("PF051", target(stacks))] == [listener_id]
    del listeners[listener_id]["Properties"]["SslPolicy"]  # ELB's default accepts TLS 1.0 too
    assert [h.logical_id for h in hits("PF051", target(stacks))] == [listener_id]


def test_a_cloudfront_downgrade_is_found(assemblies: dict[tuple[str, str], Assembly]) -> None:
    stacks = _real(assemblies, "production", "us-east-1")
    ((distribution_id, distribution),) = [
        (k, v) for k, v in stacks["EdgeStack"]["Resources"].items() if v["Type"] == "AWS::CloudFront::Distribution"
    ]
    certificate = distribution["Properties"]["DistributionConfig"]["ViewerCertificate"]
    assert certificate["MinimumProtocolVersion"] == "TLSv1.2_2021"
    certificate["MinimumProtocolVersion"] = "TLSv1.1_2016"
    found = hits("PF052", target(stacks, region="us-east-1"))
    assert [h.logical_id for h in found] == [distribution_id]
    assert "TLSv1.1_2016" in found[0].message


def test_ssh_from_the_internet_is_found(assemblies: dict[tuple[str, str], Assembly]) -> None:
    stacks = _real(assemblies, "production", "ap-east-2")
    network = stacks["NetworkStack"]["Resources"]
    acl = next(v["Properties"]["NetworkAclId"] for v in network.values() if v["Type"] == "AWS::EC2::NetworkAclEntry")
    network["SshFromAnywhere"] = res(
        "AWS::EC2::NetworkAclEntry", {**NACL, "NetworkAclId": acl, "RuleNumber": 120, "CidrBlock": "0.0.0.0/0"}
    )
    assert [h.logical_id for h in hits("PF009", target(stacks))] == ["SshFromAnywhere"]


@pytest.mark.parametrize(
    ("entry", "found"),
    [
        ({"CidrBlock": "203.0.113.0/24"}, False),  # an administrator range
        ({"CidrBlock": "0.0.0.0/0", "PortRange": {"From": 443, "To": 443}}, False),
        ({"CidrBlock": "0.0.0.0/0", "Egress": True}, False),
        ({"CidrBlock": "0.0.0.0/0", "RuleAction": "deny"}, False),
        ({"Ipv6CidrBlock": "::/0"}, True),
        ({"CidrBlock": "0.0.0.0/0", "PortRange": {"From": 1024, "To": 65535}}, False),
        ({"CidrBlock": "0.0.0.0/0", "PortRange": {"From": 0, "To": 65535}}, True),
        ({"CidrBlock": "0.0.0.0/0", "Protocol": -1, "PortRange": None}, True),
    ],
)
def test_pf009_reads_protocol_ports_direction_and_action(entry: dict[str, Any], found: bool) -> None:
    properties = {k: v for k, v in {**NACL, **entry}.items() if v is not None}
    subject = target({"NetworkStack": {"Resources": {"Entry": res("AWS::EC2::NetworkAclEntry", properties)}}})
    assert bool(hits("PF009", subject)) is found


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            "environments.production.regions.ap-east-2.eks.load_balancer.ssl_policy=ELBSecurityPolicy-2016-08",
            "ELBSecurityPolicy-2016-08 is not an ELB security policy with TLS 1.2 as its floor",
        ),
        (
            "environments.staging.regions.ap-east-2.eks.load_balancer.ssl_policy=ELBSecurityPolicy-TLS13-1-1-2021-06",
            "is not an ELB security policy with TLS 1.2 as its floor",
        ),
        (
            "environments.production.edge.minimum_protocol_version=TLSv1.1_2016",
            "TLSv1.1_2016 is not a CloudFront security policy with TLS 1.2 as its floor",
        ),
        (
            'environments.production.regions.ap-east-2.network.admin_ssh_cidrs=["0.0.0.0/0"]',
            "would open SSH to the whole internet",
        ),
    ],
)
def test_the_configuration_refuses_downgrades_in_one_sentence(override: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(None, [override])
    result = CliRunner().invoke(main.app, ["manifests", "--env", "production", "--set", override])
    assert result.exit_code == 1
    assert message in result.output.replace("\n", " ")
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "override",
    [
        "environments.production.regions.ap-east-2.eks.load_balancer.ssl_policy=ELBSecurityPolicy-TLS13-1-3-2021-06",
        "environments.production.regions.ap-east-2.eks.load_balancer.ssl_policy=ELBSecurityPolicy-FS-1-2-Res-2020-10",
        "environments.production.edge.minimum_protocol_version=TLSv1.3_2025",
        'environments.production.regions.ap-east-2.network.admin_ssh_cidrs=["203.0.113.0/24"]',
    ],
)
def test_policies_with_a_tls_1_2_floor_and_narrow_admin_ranges_are_accepted(override: str) -> None:
    load_config(None, [override])
