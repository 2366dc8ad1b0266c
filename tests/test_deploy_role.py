"""DeployRoleStack synthesized on its own (one small stack): trust, least privilege, cfn-lint and cdk-nag."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from genai_infra.config import load_config
from genai_infra.naming import github_deploy_role_name
from genai_infra.stacks.base import TargetContext
from genai_infra.stacks.deploy_role_stack import DeployRoleStack, synthesize_deploy_role
from genai_infra.synth import cdk_json_context
from tests.conftest import Template, render

REPOSITORY = "genai-demo-org/genai-demo-infra"


ENVIRONMENTS = ("development", "staging", "production")
QUALIFIERS = {"development": "gdemodev", "staging": "gdemostg", "production": "gdemoprod"}
REGIONS = {
    "development": ("ap-northeast-1", "us-east-1"),
    "staging": ("ap-east-2", "us-east-1"),
    "production": ("ap-east-2", "ap-northeast-1", "us-east-1"),
}


@pytest.fixture(scope="module")
def roles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict[str, Any]]]:
    """The DeployRoleStack of every environment, synthesized as `genai-infra deploy-role` does (with cdk-nag)."""
    config = load_config(None, [f"ci.github_repository={REPOSITORY}"])
    out = tmp_path_factory.mktemp("deploy-role")
    synthesized = {}
    for environment in ENVIRONMENTS:
        directory = synthesize_deploy_role(config, environment, out)
        synthesized[environment] = (directory, json.loads((directory / "DeployRoleStack.template.json").read_text()))
    return synthesized


def managed_policy(template: dict[str, Any], logical_prefix: str) -> dict[str, Any]:
    """The properties of the one managed policy whose logical id starts with `logical_prefix`."""
    (policy,) = [
        resource["Properties"]
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::IAM::ManagedPolicy" and logical_id.startswith(logical_prefix)
    ]
    return policy


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def nag_rendered(value: Any) -> Any:
    """A resource as cdk-nag names it in its findings: arn:<AWS::Partition>:...:<AWS::AccountId>:..."""
    text = render(value)
    return text.replace("${AWS::Partition}", "<AWS::Partition>").replace("${AWS::AccountId}", "<AWS::AccountId>")


@pytest.fixture(scope="module")
def synthesized(roles: dict[str, tuple[Path, dict[str, Any]]]) -> tuple[Path, dict[str, Any]]:
    return roles["production"]


def test_the_role_trusts_only_the_repository_environment(synthesized: tuple[Path, dict[str, Any]]) -> None:
    template = Template(synthesized[1])
    provider = template.one("AWS::IAM::OIDCProvider")
    assert provider.pop("Tags") == [  # tagged like every other stack (cost section)
        {"Key": key, "Value": value}
        for key, value in (
            ("CostCenter", "engineering"),
            ("Environment", "production"),
            ("ManagedBy", "cdk"),
            ("Owner", "platform-team"),
            ("Project", "genai-demo"),
        )
    ]
    assert provider == {"Url": "https://token.actions.githubusercontent.com", "ClientIdList": ["sts.amazonaws.com"]}
    role = template.one("AWS::IAM::Role")
    assert role["RoleName"] == github_deploy_role_name("production") == "genai-demo-production-github-deploy-role"
    assert role["MaxSessionDuration"] == 3600
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"] == {
        "Federated": {"Fn::GetAtt": [next(iter(template.of_type("AWS::IAM::OIDCProvider"))), "Arn"]}
    }
    # Repository and GitHub environment (sub), the reviewed workflow file on main, and a run of main:
    # a branch that calls main's reusable workflow carries job_workflow_ref @main but ref of the branch.
    assert statement["Condition"] == {
        "StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": f"repo:{REPOSITORY}:environment:production",
            "token.actions.githubusercontent.com:job_workflow_ref": (
                f"{REPOSITORY}/.github/workflows/deploy-environment.yml@refs/heads/main"
            ),
            "token.actions.githubusercontent.com:ref": "refs/heads/main",
        }
    }


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_each_role_may_only_assume_its_own_environments_bootstrap_roles(
    roles: dict[str, tuple[Path, dict[str, Any]]], environment: str
) -> None:
    template = Template(roles[environment][1])
    assert not template.of_type("AWS::IAM::Policy")  # no inline policy
    policy = managed_policy(roles[environment][1], "AssumeBootstrapRoles")
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Effect"] == "Allow"
    qualifier = QUALIFIERS[environment]
    assert sorted(render(arn) for arn in statement["Resource"]) == sorted(
        f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/cdk-{qualifier}-{purpose}-role-${{AWS::AccountId}}-{region}"
        for region in REGIONS[environment]
        for purpose in ("deploy", "file-publishing", "lookup")
    )
    # No other environment's qualifier, and no wildcard that could reach one.
    text = json.dumps(statement)
    assert "*" not in text
    assert [q for e, q in QUALIFIERS.items() if e != environment and f"cdk-{q}-" in text] == []
    # The stack itself deploys with its environment's bootstrap, never another's or the default one.
    assert roles[environment][1]["Parameters"]["BootstrapVersion"]["Default"] == f"/cdk-bootstrap/{qualifier}/version"


def test_cdk_nag_and_cfn_lint_are_clean(synthesized: tuple[Path, dict[str, Any]]) -> None:
    from cfnlint.api import ManualArgs, lint_by_config

    out, template = synthesized
    report = json.loads((out / "validation-report.json").read_text())
    # Neither pack has an open finding (that the packs run at all is the next test's point). The
    # role names its bootstrap roles exactly: the only acknowledged findings are IAM5 on the
    # wildcards of VerifyEnvironment, one per wildcard resource, each with its reason.
    assert [p["violations"] for p in report["pluginReports"]] == [[] for _ in report["pluginReports"]]
    acknowledged = [v for p in report["pluginReports"] for v in p["suppressedViolations"]]
    assert {v["violatingConstructs"][0]["constructPath"] for v in acknowledged} == {
        "DeployRoleStack/VerifyEnvironment/Resource"
    }
    wildcards = sorted(
        str(nag_rendered(resource))
        for statement in managed_policy(template, "VerifyEnvironment")["PolicyDocument"]["Statement"]
        for resource in as_list(statement["Resource"])
        if "*" in str(nag_rendered(resource))
    )
    assert sorted(v["ruleName"] for v in acknowledged) == sorted(
        f"AwsSolutions-IAM5[Resource::{resource}]" for resource in set(wildcards)
    )
    assert all(len(v["reason"]) > 40 for v in acknowledged)
    matches = lint_by_config(ManualArgs(templates=[str(out / "DeployRoleStack.template.json")], regions=["us-east-1"]))
    assert [f"{m.rule.id} {m.message}" for m in matches] == []


def test_cdk_nag_runs_on_the_deploy_role(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from genai_infra.stacks import deploy_role_stack

    # The wildcard the role had before decision S6: cdk-nag must stop it.
    monkeypatch.setattr(
        deploy_role_stack,
        "bootstrap_role_arns",
        lambda qualifier, account, regions: [
            f"arn:aws:iam::{account}:role/cdk-{qualifier}-*-role-{account}-{r}" for r in regions
        ],
    )
    config = load_config(None, [f"ci.github_repository={REPOSITORY}"])
    with pytest.raises(Exception, match="AwsSolutions-IAM5"):
        synthesize_deploy_role(config, "staging", tmp_path)


def test_an_existing_provider_is_reused_and_a_missing_repository_refused(tmp_path: Path) -> None:
    arn = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
    config = load_config(None, [f"ci.github_repository={REPOSITORY}", f"ci.oidc_provider_arn={arn}"])
    environment = config.environments["staging"]
    app = cdk.App(outdir=str(tmp_path), context=dict(cdk_json_context()), analytics_reporting=False)
    stack = DeployRoleStack(app, "DeployRoleStack", target=TargetContext(config, environment, "us-east-1"))
    template = Template(app.synth().get_stack_by_name(stack.stack_name).template)
    assert not template.of_type("AWS::IAM::OIDCProvider")
    (statement,) = template.one("AWS::IAM::Role")["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Federated": arn}
    assert statement["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"] == (
        f"repo:{REPOSITORY}:environment:staging"
    )

    bare = load_config()
    with pytest.raises(ValueError, match=r"needs ci\.github_repository"):
        DeployRoleStack(
            cdk.App(), "DeployRoleStack", target=TargetContext(bare, bare.environments["staging"], "us-east-1")
        )
