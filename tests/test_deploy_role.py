"""DeployRoleStack synthesized on its own (one small stack): trust, least privilege, cfn-lint and cdk-nag."""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import boto3
import pytest

from genai_infra.config import ProjectConfig, load_config
from genai_infra.naming import github_deploy_role_name, stack_name
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


# --- VerifyEnvironment: what `deploy` and `validate` read with the role's own session ---------------

# Resources that cannot name the environment, each with the condition or action that keeps it in bounds.
UNSCOPED = {
    # ELBv2 Describe* and kafka:ListClustersV2 authorize only on "*": the serving regions by condition.
    "*": (
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetHealth",
        "kafka:ListClustersV2",
    ),
    # A health check's id exists only once Route53FailoverStack has created it; its settings
    # (Inverted, Disabled) decide how its status counts.
    "arn:${AWS::Partition}:route53:::healthcheck/*": ("route53:GetHealthCheck", "route53:GetHealthCheckStatus"),
}


def verify_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    """VerifyEnvironment's statements with Fn::Join rendered (arn:${AWS::Partition}:...)."""
    statements = managed_policy(template, "VerifyEnvironment")["PolicyDocument"]["Statement"]
    return [
        {
            **statement,
            "Action": as_list(statement["Action"]),
            "Resource": [render(r) for r in as_list(statement["Resource"])],
        }
        for statement in statements
    ]


def allowed(action: str, statements: list[dict[str, Any]]) -> bool:
    """Whether an Allow statement names `action` (IAM's case-insensitive match, * and ? wildcards)."""
    return any(
        fnmatch.fnmatchcase(action.lower(), pattern.lower())
        for statement in statements
        if statement["Effect"] == "Allow"
        for pattern in statement["Action"]
    )


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_verify_environment_grants_only_reads(roles: dict[str, tuple[Path, dict[str, Any]]], environment: str) -> None:
    statements = verify_statements(roles[environment][1])
    assert statements
    for statement in statements:
        assert statement["Effect"] == "Allow"
        assert set(statement) <= {"Sid", "Effect", "Action", "Resource", "Condition"}  # no NotAction/NotResource
        for action in statement["Action"]:
            name = action.split(":")[1]
            assert not set(action) & {"*", "?"}
            # Describe/List/Get reads; kms:Decrypt only as Secrets Manager's decryption of a read secret.
            assert name.startswith(("Describe", "List", "Get")) or (
                action == "kms:Decrypt"
                and statement["Condition"]["StringEquals"]["kms:ViaService"]
                == [f"secretsmanager.{region}.amazonaws.com" for region in REGIONS[environment][:-1]]
            ), action
    # The application user's IAM login cannot be held to this environment's cluster at synthesis.
    assert not allowed("rds-db:connect", statements)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_verify_environment_names_only_its_own_environment(
    roles: dict[str, tuple[Path, dict[str, Any]]], environment: str
) -> None:
    statements = verify_statements(roles[environment][1])
    text = json.dumps(statements)
    assert [other for other in ENVIRONMENTS if other != environment and other in text] == []
    serving = list(REGIONS[environment][:-1])
    for statement in statements:
        condition = statement.get("Condition", {})
        for resource in statement["Resource"]:
            if resource in UNSCOPED:
                assert set(statement["Action"]) <= set(UNSCOPED[resource]), statement
                if resource == "*":
                    assert condition == {"StringEquals": {"aws:RequestedRegion": serving}}
                continue
            plain = resource.replace("${AWS::Partition}", "PARTITION").replace("${AWS::AccountId}", "ACCOUNT")
            partition, service, region, account, rest = plain.split(":", 5)[1:]
            assert (partition, account) == ("PARTITION", "ACCOUNT")
            if service == "kms":
                # Any key id, but only through Secrets Manager and only behind this environment's alias.
                assert rest == "key/*"
                assert condition["ForAnyValue:StringEquals"] == {
                    "kms:ResourceAliases": f"alias/genai-demo/{environment}/secrets"
                }
                assert region in serving
                continue
            assert f"genai-demo-{environment}" in rest or f"genai-demo/{environment}/" in rest, resource
            if region == "*":  # the stacks: every region of the environment, by condition
                assert service == "cloudformation"
                assert condition == {"StringEquals": {"aws:RequestedRegion": list(REGIONS[environment])}}
            else:
                assert region in (*REGIONS[environment], "")  # "": an Aurora global cluster


class Recording:
    """A boto3 client (or a tests.validation_seed.Patched one) that notes the IAM action of every operation called."""

    def __init__(self, client: Any, calls: set[str]) -> None:
        self._client = client
        self._calls = calls

    def __getattr__(self, name: str) -> Any:
        meta = self._client.meta
        service = meta.service_model.signing_name  # the IAM prefix: elbv2 signs as elasticloadbalancing
        operations = meta.method_to_api_mapping
        if name in operations:
            self._calls.add(f"{service}:{operations[name]}")
        if name == "get_secret_value":
            # The secrets are encrypted with the environment's secrets key (constructs/generated_secret.py):
            # Secrets Manager decrypts with the caller's kms:Decrypt.
            self._calls.add("kms:Decrypt")
        elif name == "get_paginator":
            paginate = self._client.get_paginator
            return lambda operation: (self._calls.add(f"{service}:{operations[operation]}"), paginate(operation))[1]
        elif name == "generate_db_auth_token":  # signed locally; the database checks rds-db:connect
            self._calls.add("rds-db:connect")
        return getattr(self._client, name)


def calls_of_deploy_and_validate(
    config: ProjectConfig, environment: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[set[str], set[str]]:
    """The AWS operations `deploy` (stack events, read-back) and `validate --probes` make for `environment` in moto.

    First as the workflow runs them (`validate --no-iam-login`), then those of a `validate` with the IAM login.
    """
    from genai_infra import deploy_verify
    from genai_infra.stack_events import StackEventPoller
    from genai_infra.validation import probes
    from genai_infra.validation.result import CheckResult
    from genai_infra.validation.suite import ProbeOptions, validate_environment
    from tests.test_validate import factory, global_clusters_stub
    from tests.validation_seed import seed_region

    chosen = config.environments[environment]
    for region in chosen.regions:
        seed_region(chosen, region, {})
    # A deployed stack that publishes a parameter, as the stacks do, for the poller and the read-back.
    region = chosen.primary_region
    name = stack_name(environment, "NetworkStack")
    template = {
        "Resources": {
            "Published": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Name": f"/genai-demo/{environment}/network/vpc-id", "Type": "String", "Value": "v"},
            }
        }
    }
    boto3.client("cloudformation", region_name=region).create_stack(StackName=name, TemplateBody=json.dumps(template))
    # The probes' network connections are not AWS calls (tests/test_probes.py covers them).
    passed = CheckResult("probe", True, "stubbed")
    for probe in ("https_health", "postgres_connect", "postgres_app_user", "redis_ping", "tls_connect"):
        monkeypatch.setattr(probes, probe, lambda *_, **__: passed)

    calls: set[str] = set()
    moto = factory(
        rds={"describe_global_clusters": global_clusters_stub(environment, "connected")},
        # moto lacks GetBootstrapBrokers: the documented response, one broker on the TLS + IAM port.
        kafka={"get_bootstrap_brokers": lambda **_: {"BootstrapBrokerStringSaslIam": "b-1.msk.example.internal:9098"}},
    )

    def recorded(calls: set[str]) -> Any:
        return lambda where, service: Recording(moto(where, service), calls)

    clients = recorded(calls)

    poller = StackEventPoller(clients(region, "cloudformation"), region, [name])
    poller.start()
    poller.poll()
    assert deploy_verify.verify_stacks([(region, name, template)], clients) == []
    outcomes = validate_environment(chosen, list(chosen.regions), clients, ProbeOptions(enabled=True, iam_login=False))
    # Every check reached its API: a call moto refused or lacks would fail its check with the error
    # (guarded). moto's global secondary keeps a writer (tests/test_validate.py), a verdict, not an error.
    errors = [f"{o.result.name}: {o.result.reason}" for o in outcomes if not o.result.passed]
    assert [error for error in errors if "Error" in error or "Exception" in error] == []
    assert len(outcomes) > 10
    login: set[str] = set()
    validate_environment(chosen, list(chosen.regions), recorded(login), ProbeOptions(enabled=True))
    return calls, login


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_verify_environment_allows_every_call_deploy_and_validate_make(
    roles: dict[str, tuple[Path, dict[str, Any]]],
    config: ProjectConfig,
    environment: str,
    moto_aws: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    statements = verify_statements(roles[environment][1])
    calls, login = calls_of_deploy_and_validate(config, environment, monkeypatch)
    assert {"cloudformation:DescribeStackEvents", "ssm:GetParameter", "eks:DescribeAddon"} <= calls
    assert sorted(call for call in calls if not allowed(call, statements)) == []
    # Nothing more than these calls: each granted action is one the workflow's `deploy` or
    # `validate` makes, so dropping any of them fails the assertion above.
    assert {action for statement in statements for action in statement["Action"]} == calls
    # The application user's IAM login is the one call left out (test_verify_environment_grants_only_reads),
    # hence the workflow's `validate --no-iam-login` (tests/test_workflow.py).
    assert sorted(call for call in login if not allowed(call, statements)) == ["rds-db:connect"]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_verify_environment_fits_iams_managed_policy_size(
    roles: dict[str, tuple[Path, dict[str, Any]]], environment: str
) -> None:
    # IAM refuses a managed policy over 6,144 characters, whitespace not counted, once resolved.
    document = managed_policy(roles[environment][1], "VerifyEnvironment")["PolicyDocument"]
    statements = [
        {**statement, "Resource": as_list(render(statement["Resource"]))} for statement in document["Statement"]
    ]
    resolved = json.dumps({**document, "Statement": statements}, separators=(",", ":"))
    resolved = resolved.replace("${AWS::Partition}", "aws-us-gov").replace("${AWS::AccountId}", "111122223333")
    assert '"Ref"' not in resolved
    assert "Fn::" not in resolved
    assert len(resolved) < 6144


def test_a_configured_account_is_named_and_acknowledged(tmp_path: Path) -> None:
    config = load_config(None, [f"ci.github_repository={REPOSITORY}", "environments.staging.account=111122223333"])
    directory = synthesize_deploy_role(config, "staging", tmp_path)  # unacknowledged cdk-nag findings raise
    template = json.loads((directory / "DeployRoleStack.template.json").read_text())
    resources = [r for s in verify_statements(template) for r in s["Resource"] if r != "*"]
    assert resources
    assert all(":111122223333:" in r for r in resources if ":route53:::" not in r and ":rds::" not in r)
