"""Decision S6: every environment is a security boundary (issue 16 items 1 and 6).

Bootstrap: each environment's stacks deploy with its own CDK bootstrap qualifier; the bootstrap
command line; the configured account in the stacks' environment. The application role: logs and
metrics of its own environment only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from genai_infra.bootstrap import bootstrap_command, toolkit_stack_name
from genai_infra.cli import main
from genai_infra.config import ConfigError, load_config
from genai_infra.synth import Assembly, synthesize
from tests.conftest import ALL_TARGETS, render, target_of

QUALIFIERS = {"development": "gdemodev", "staging": "gdemostg", "production": "gdemoprod"}
ACCOUNT = "111122223333"


@pytest.mark.parametrize(("environment", "region"), ALL_TARGETS)
def test_every_stack_deploys_with_its_environments_own_bootstrap(
    assemblies: dict[tuple[str, str], Assembly], environment: str, region: str
) -> None:
    assembly = assemblies[(environment, region)]
    manifest = json.loads((assembly.directory / "manifest.json").read_text())
    stacks = {k: v for k, v in manifest["artifacts"].items() if v["type"] == "aws:cloudformation:stack"}
    assert stacks
    qualifier = QUALIFIERS[environment]
    others = [q for e, q in QUALIFIERS.items() if e != environment]
    for name, artifact in stacks.items():
        properties = artifact["properties"]
        # No configured account: the stacks stay account-agnostic, as before.
        assert artifact["environment"] == f"aws://unknown-account/{region}", name
        assert properties["bootstrapStackVersionSsmParameter"] == f"/cdk-bootstrap/{qualifier}/version", name
        for role in ("assumeRoleArn", "cloudFormationExecutionRoleArn"):
            assert f":role/cdk-{qualifier}-" in properties[role], (name, role)
        assert f"cdk-{qualifier}-assets-" in properties["stackTemplateAssetObjectUrl"], name
        template = assembly.template(name)
        assert template["Parameters"]["BootstrapVersion"]["Default"] == f"/cdk-bootstrap/{qualifier}/version"
    text = (assembly.directory / "manifest.json").read_text() + "".join(
        path.read_text() for path in assembly.directory.glob("*.assets.json")
    )
    assert "hnb659fds" not in text
    assert [q for q in others if f"cdk-{q}-" in text] == []


@pytest.mark.parametrize(("environment", "region"), ALL_TARGETS)
def test_no_docker_image_assets_so_the_deploy_role_needs_no_image_publishing_role(
    assemblies: dict[tuple[str, str], Assembly], environment: str, region: str
) -> None:
    # DeployRoleStack leaves cdk-<q>-image-publishing-role out; a Docker asset would need it.
    for path in assemblies[(environment, region)].directory.glob("*.assets.json"):
        assert json.loads(path.read_text()).get("dockerImages", {}) == {}, path.name


def test_a_configured_account_is_the_account_of_every_stack(tmp_path: Path) -> None:
    config = load_config(None, [f"environments.production.account={ACCOUNT}"])
    assembly = synthesize(config, target_of("production", "us-east-1", config), tmp_path)
    manifest = json.loads((assembly.directory / "manifest.json").read_text())
    stacks = [v for v in manifest["artifacts"].values() if v["type"] == "aws:cloudformation:stack"]
    assert len(stacks) == 4
    for artifact in stacks:
        assert artifact["environment"] == f"aws://{ACCOUNT}/us-east-1"
        assert artifact["properties"]["assumeRoleArn"].endswith(f":role/cdk-gdemoprod-deploy-role-{ACCOUNT}-us-east-1")


def test_the_bootstrap_command_line() -> None:
    config = load_config()
    staging = config.environments["staging"]
    assert toolkit_stack_name(staging) == "CDKToolkit-gdemostg"
    assert bootstrap_command(staging, "ap-east-2", ACCOUNT) == [
        "cdk",
        "bootstrap",
        "--qualifier",
        "gdemostg",
        "--toolkit-stack-name",
        "CDKToolkit-gdemostg",
        f"aws://{ACCOUNT}/ap-east-2",
    ]
    names = {toolkit_stack_name(environment) for environment in config.environments.values()}
    assert len(names) == 3  # one bootstrap stack per environment, even in one shared account


def test_genai_infra_bootstrap_runs_every_region_of_the_environment() -> None:
    result = CliRunner().invoke(main.app, ["bootstrap", "--env", "production", "--account", ACCOUNT, "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = [line.split(" ", 1)[1] for line in result.output.splitlines() if " bootstrap " in line]
    assert lines == [
        f"bootstrap --qualifier gdemoprod --toolkit-stack-name CDKToolkit-gdemoprod aws://{ACCOUNT}/{region}"
        for region in ("ap-east-2", "ap-northeast-1", "us-east-1")
    ]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--env", "staging"], "staging names no account: pass --account"),
        (["--env", "staging", "--account", "12345"], "is not a 12-digit AWS account id"),
        (
            ["--env", "staging", "--account", ACCOUNT, "--set", "environments.staging.account=444455556666"],
            "is not staging's configured account 444455556666",
        ),
        (["--env", "qa", "--account", ACCOUNT], "unknown environment"),
    ],
)
def test_genai_infra_bootstrap_refuses_bad_input(arguments: list[str], message: str) -> None:
    result = CliRunner().invoke(main.app, ["bootstrap", *arguments, "--dry-run"])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_genai_infra_deploy_role_deploys_the_synthesized_stack(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from genai_infra.stacks import deploy_role_stack

    calls: list[tuple[str, Path]] = []

    def fake(config: Any, environment: str, out: Path) -> Path:
        calls.append((environment, out))
        return out / f"{environment}-deploy-role"

    monkeypatch.setattr(deploy_role_stack, "synthesize_deploy_role", fake)
    result = CliRunner().invoke(
        main.app,
        [
            "deploy-role",
            "--env",
            "production",
            "--dry-run",
            "--out",
            str(tmp_path),
            "--set",
            "ci.github_repository=o/r",
        ],
    )
    assert result.exit_code == 0, result.output
    assert calls == [("production", tmp_path)]
    (command,) = [line for line in result.output.splitlines() if " deploy " in line]
    assert command.split(" ", 1)[1] == (
        f"deploy --app {(tmp_path / 'production-deploy-role').resolve()} --require-approval any-change "
        "--progress events DeployRoleStack"
    )
    missing = CliRunner().invoke(main.app, ["deploy-role", "--env", "production", "--dry-run"])
    assert missing.exit_code == 1
    assert "set ci.github_repository" in missing.output


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("environments.staging.bootstrap_qualifier=gdemodev", "development and staging share the bootstrap qualifier"),
        ("environments.staging.bootstrap_qualifier=Staging-1", "bootstrap_qualifier"),
        ("environments.staging.bootstrap_qualifier=abcdefghijk", "bootstrap_qualifier"),
        ("environments.staging.account=12345678901", "account"),
    ],
)
def test_bootstrap_qualifiers_and_accounts_are_validated(override: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(None, [override])


@pytest.mark.parametrize(("environment", "region"), [t for t in ALL_TARGETS if t[1] != "us-east-1"])
def test_the_app_role_writes_only_its_environments_log_groups_and_namespace(
    template: Any, environment: str, region: str
) -> None:
    from tests.test_eks import _eks

    eks = _eks(template, environment, region)
    (app,) = [
        p["PolicyDocument"]["Statement"]
        for p in eks.props("AWS::IAM::ManagedPolicy")
        if p["ManagedPolicyName"].endswith("-app-role-policy")
    ]
    writes = [s for s in app if any(a.startswith(("logs:", "cloudwatch:Put")) for a in _actions(s))]
    log_arns = [str(render(r)) for s in writes if "logs:PutLogEvents" in _actions(s) for r in s["Resource"]]
    named = {arn.split("log-group:")[1].split(":")[0] for arn in log_arns}
    assert named == {f"/aws/genai-demo/{environment}/application", f"/aws/genai-demo/{environment}/audit"}
    if environment != "development":  # development has no ObservabilityStack (decision C12)
        # The log groups ObservabilityStack creates for the application are exactly those the role names.
        groups = {
            p["LogGroupName"] for p in template(environment, region, "ObservabilityStack").props("AWS::Logs::LogGroup")
        }
        assert named <= groups
    others = [e for e in QUALIFIERS if e != environment]
    assert [arn for arn in log_arns for other in others if f"/{other}/" in arn] == []
    (publish,) = [s for s in writes if "cloudwatch:PutMetricData" in _actions(s)]
    namespace = publish["Condition"]["StringEquals"]["cloudwatch:namespace"]
    assert namespace == f"GenAIDemo/{environment}"
    # ... and it is the namespace the environment's KEDA trigger scales on and its pods publish to.
    manifests = json.dumps([r for r in eks.resources.values() if "Manifest" in r.get("Properties", {})])
    assert manifests.count(namespace) == 2  # the ScaledObject's trigger and the Deployment's env
    assert [e for e in others if f"GenAIDemo/{e}" in manifests] == []


def _actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)
