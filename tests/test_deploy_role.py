"""DeployRoleStack synthesized on its own (one small stack): trust, least privilege, cfn-lint and cdk-nag."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from cdk_nag import AwsSolutionsChecks, NIST80053R5Checks

from genai_infra.config import load_config
from genai_infra.naming import github_deploy_role_name
from genai_infra.stacks.base import TargetContext
from genai_infra.stacks.deploy_role_stack import DeployRoleStack
from genai_infra.synth import cdk_json_context
from tests.conftest import Template, render

REPOSITORY = "genai-demo-org/genai-demo-infra"


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    config = load_config(None, [f"ci.github_repository={REPOSITORY}"])
    environment = config.environments["production"]
    out = tmp_path_factory.mktemp("deploy-role")
    app = cdk.App(outdir=str(out), context=dict(cdk_json_context()), analytics_reporting=False)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app), NIST80053R5Checks(app))
    DeployRoleStack(app, "DeployRoleStack", target=TargetContext(config, environment, environment.global_region))
    app.synth()
    return out, json.loads((out / "DeployRoleStack.template.json").read_text())


def test_the_role_trusts_only_the_repository_environment(synthesized: tuple[Path, dict[str, Any]]) -> None:
    template = Template(synthesized[1])
    provider = template.one("AWS::IAM::OIDCProvider")
    assert provider == {"Url": "https://token.actions.githubusercontent.com", "ClientIdList": ["sts.amazonaws.com"]}
    role = template.one("AWS::IAM::Role")
    assert role["RoleName"] == github_deploy_role_name("production") == "genai-demo-production-github-deploy-role"
    assert role["MaxSessionDuration"] == 3600
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"] == {
        "Federated": {"Fn::GetAtt": [next(iter(template.of_type("AWS::IAM::OIDCProvider"))), "Arn"]}
    }
    assert statement["Condition"] == {
        "StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": f"repo:{REPOSITORY}:environment:production",
        }
    }


def test_the_role_may_only_assume_the_bootstrap_roles(synthesized: tuple[Path, dict[str, Any]]) -> None:
    template = Template(synthesized[1])
    assert not template.of_type("AWS::IAM::Policy")  # no inline policy
    policy = template.one("AWS::IAM::ManagedPolicy")
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Effect"] == "Allow"
    assert [render(arn) for arn in statement["Resource"]] == [
        f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/cdk-hnb659fds-*-role-${{AWS::AccountId}}-{region}"
        for region in ("ap-east-2", "ap-northeast-1", "us-east-1")
    ]


def test_cdk_nag_and_cfn_lint_are_clean(synthesized: tuple[Path, dict[str, Any]]) -> None:
    from cfnlint.api import ManualArgs, lint_by_config

    out, _ = synthesized
    report = json.loads((out / "validation-report.json").read_text())
    # Both packs ran (synthesis would have failed on an unacknowledged finding); none is left open.
    violations = {plugin["pluginName"]: len(plugin.get("violations", [])) for plugin in report["pluginReports"]}
    assert violations.get("AwsSolutions") == 0
    assert set(violations.values()) == {0}
    acknowledged = [v["ruleName"] for p in report["pluginReports"] for v in p.get("suppressedViolations", [])]
    assert sorted(acknowledged) == sorted(
        f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/cdk-hnb659fds-*-role-"
        f"<AWS::AccountId>-{region}]"
        for region in ("ap-east-2", "ap-northeast-1", "us-east-1")
    )
    matches = lint_by_config(ManualArgs(templates=[str(out / "DeployRoleStack.template.json")], regions=["us-east-1"]))
    assert [f"{m.rule.id} {m.message}" for m in matches] == []


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
