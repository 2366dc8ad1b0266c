"""Decision S7: operators reach the private clusters through access entries and Session Manager, no SSH."""

from __future__ import annotations

import json
from typing import Any

import pytest

from genai_infra.config import ConfigError, load_config
from genai_infra.preflight import RULES
from genai_infra.preflight.model import Severity
from tests.conftest import SERVING_TARGETS
from tests.data_layer import split_ssm_key
from tests.preflight_builders import get_att, hits, res, target, tpl

# AWS's documentation account id: the roles are examples of what an operator configures.
ADMIN = "arn:aws:iam::111122223333:role/platform-operators"
VIEWER = "arn:aws:iam::111122223333:role/platform-auditors"
EKS_REGION = "environments.staging.regions.ap-east-2.eks"


def _policy(name: str) -> dict[str, Any]:
    return {
        "AccessScope": {"Type": "cluster"},
        "PolicyArn": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":eks::aws:cluster-access-policy/{name}"]]},
    }


def test_configured_administrators_and_read_only_roles_get_access_entries() -> None:
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from genai_infra.app_builder import build_target
    from genai_infra.synth import cdk_json_context, use_project_node
    from tests.conftest import target_of

    config = load_config(
        overrides=[
            f'{EKS_REGION}.admin_role_arns=["{ADMIN}"]',
            f'{EKS_REGION}.read_only_role_arns=["{VIEWER}"]',
            "environments.staging.operator_access.session_manager=true",
        ]
    )
    use_project_node()
    app = cdk.App(context=dict(cdk_json_context()), analytics_reporting=False)
    stack = build_target(app, config, target_of("staging", "ap-east-2", config))["EKSStack"]
    template = Template.from_stack(stack).to_json()
    entries = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::EKS::AccessEntry"]
    by_principal = {json.dumps(e["PrincipalArn"]): e["AccessPolicies"] for e in entries}
    assert by_principal[json.dumps(ADMIN)] == [_policy("AmazonEKSClusterAdminPolicy")]
    assert by_principal[json.dumps(VIEWER)] == [_policy("AmazonEKSViewPolicy")]
    # Configured on, staging gets the Session Manager instance too.
    assert [r for r in template["Resources"].values() if r["Type"] == "AWS::EC2::Instance"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ([f'{EKS_REGION}.read_only_role_arns=["{VIEWER.replace(":role/", ":user/")}"]'], "read_only_role_arns"),
        ([f'{EKS_REGION}.read_only_role_arns=["{VIEWER}", "{VIEWER}"]'], "a role is listed twice"),
        (
            [f'{EKS_REGION}.admin_role_arns=["{ADMIN}"]', f'{EKS_REGION}.read_only_role_arns=["{ADMIN}"]'],
            "in both admin_role_arns and read_only_role_arns",
        ),
    ],
    ids=["not-a-role", "twice", "both-lists"],
)
def test_access_roles_are_role_arns_listed_once(overrides: list[str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(overrides=overrides)


def test_session_manager_is_on_by_default_in_production_only() -> None:
    config = load_config()
    assert {name: env.operator_access.session_manager for name, env in config.environments.items()} == {
        "development": False,
        "staging": False,
        "production": True,
    }
    # The default configuration configures no operator role: account ids are the operator's to give.
    assert all(
        not region.eks.admin_role_arns and not region.eks.read_only_role_arns
        for env in config.environments.values()
        for region in env.regions.values()
    )


@pytest.mark.parametrize(("environment", "region"), SERVING_TARGETS)
def test_session_manager_instance_without_ssh_or_public_ip(template: Any, environment: str, region: str) -> None:
    t = template(environment, region, "EKSStack")
    instances = t.of_type("AWS::EC2::Instance")
    if environment != "production":
        assert instances == {}
        return
    ((instance_id, resource),) = instances.items()
    instance = resource["Properties"]
    prefix = f"/genai-demo/{environment}/"
    assert instance["InstanceType"] == "t4g.nano"
    # A private subnet, no public address, no key pair, no user data beyond the shebang.
    assert split_ssm_key(t, instance["SubnetId"], 0) == f"{prefix}network/private-subnet-ids"
    for absent in ("KeyName", "AvailabilityZone", "NetworkInterfaces"):
        assert absent not in instance
    assert instance["BlockDeviceMappings"] == [
        {"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": True, "VolumeSize": 8, "VolumeType": "gp3"}}
    ]
    # IMDSv2 only, through the launch template CDK attaches.
    template_id = instance["LaunchTemplate"]["Version"]["Fn::GetAtt"][0]
    metadata = t.resources[template_id]["Properties"]["LaunchTemplateData"]["MetadataOptions"]
    assert metadata["HttpTokens"] == "required"
    # Its role has the Session Manager core policy and nothing else.
    profile = t.resources[instance["IamInstanceProfile"]["Ref"]]["Properties"]
    ((role_ref,),) = [profile["Roles"]]
    role = t.resources[role_ref["Ref"]]["Properties"]
    assert role["ManagedPolicyArns"] == [
        {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/AmazonSSMManagedInstanceCore"]]}
    ]
    assert "Policies" not in role
    # Its group admits nothing and sends only HTTPS; the control plane admits it on 443.
    (group_ref,) = instance["SecurityGroupIds"]
    group = t.resources[group_ref["Fn::GetAtt"][0]]["Properties"]
    assert "SecurityGroupIngress" not in group
    assert [(e["IpProtocol"], e["FromPort"], e["ToPort"]) for e in group["SecurityGroupEgress"]] == [("tcp", 443, 443)]
    plane = next(k for k in t.resources if k.startswith("EksClusterControlPlaneSecurityGroup"))
    assert {
        "IpProtocol": "tcp",
        "FromPort": 443,
        "ToPort": 443,
        "GroupId": {"Fn::GetAtt": [plane, "GroupId"]},
        "SourceSecurityGroupId": group_ref,
        "Description": "The Kubernetes API from the Session Manager instance",
    } in t.props("AWS::EC2::SecurityGroupIngress")
    # Operators find the instance by its published id.
    names = {p["Name"]: p["Value"] for p in t.props("AWS::SSM::Parameter") if "Name" in p}
    assert names[f"{prefix}eks/operator-access-instance-id"] == {"Ref": instance_id}


def _cluster_with(entries: dict[str, Any], environment: str = "production") -> Any:
    cluster = res("AWS::EKS::Cluster", {"Version": "1.36", "ResourcesVpcConfig": {"SubnetIds": ["s"]}})
    return target({"EKSStack": tpl({"Cluster": cluster, **entries})}, environment=environment)


def _entry(principal: Any, policy: str) -> dict[str, Any]:
    return res(
        "AWS::EKS::AccessEntry",
        {"ClusterName": {"Ref": "Cluster"}, "PrincipalArn": principal, "AccessPolicies": [_policy(policy)]},
    )


def test_preflight_warns_when_production_has_no_administrator() -> None:
    handler = _entry(get_att("HandlerRole", "Arn"), "AmazonEKSClusterAdminPolicy")
    (found,) = hits("PF026", _cluster_with({"Handler": handler}))
    assert found.logical_id == "Cluster"
    assert RULES["PF026"].severity == Severity.WARNING  # a warning: the default configuration still deploys
    assert "eks.admin_role_arns" in found.message
    viewer = _entry(VIEWER, "AmazonEKSViewPolicy")
    assert len(hits("PF026", _cluster_with({"Handler": handler, "Viewer": viewer}))) == 1
    admin = _entry(ADMIN, "AmazonEKSClusterAdminPolicy")
    assert hits("PF026", _cluster_with({"Handler": handler, "Admin": admin})) == []
    assert hits("PF026", _cluster_with({"Handler": handler}, environment="staging")) == []
