"""One deploy path from checked assemblies (`--from`), a checked folder never rewritten, destructive
commands that ask first, and credentials checked before anything is synthesized."""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import typer
from moto import mock_aws
from rich.console import Console
from typer.testing import CliRunner

from genai_infra import deploy_verify
from genai_infra.cli import common, main
from genai_infra.cli.aws import checked_session
from genai_infra.cli.cdk_process import CDK_ENV
from genai_infra.deployment_assemblies import unprotected_copies
from genai_infra.synth import Assembly

FAKE_CDK = """\
import json, os, sys
with open(os.environ["FAKE_CDK_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
"""


@pytest.fixture
def fake_cdk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    script = tmp_path / "cdk"
    script.write_text(f"#!{sys.executable}\n{FAKE_CDK}", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / "argv.jsonl"
    log.touch()
    monkeypatch.setenv(CDK_ENV, str(script))
    monkeypatch.setenv("FAKE_CDK_LOG", str(log))
    # The fake deploys nothing, so there is nothing to read back (tests/test_emulator.py covers that).
    monkeypatch.setattr(deploy_verify, "verify_stacks", lambda stacks, clients=None: [])
    return log


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "moto-test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "moto-test-secret")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws(config={"core": {"mock_credentials": False}}):
        yield


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in [key for key in os.environ if key.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))


@pytest.fixture
def synthesized(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records what would be synthesized; with --from nothing may be."""
    done: list[str] = []

    def refuse(config: Any, targets: Any, out: Any) -> list[Assembly]:
        done.extend(t.label for t in targets)
        raise common.fail("synthesis was not expected here")

    monkeypatch.setattr(common, "synthesize_targets", refuse)
    monkeypatch.setattr(common, "console", Console(width=250))
    monkeypatch.setattr(common, "errors", Console(stderr=True, width=250))
    return done


def checked_folder(assemblies: dict[tuple[str, str], Assembly]) -> Path:
    """The session's assemblies are laid out as `genai-infra synth --out DIR` writes them."""
    return assemblies[("production", "ap-east-2")].directory.parent


def invoke(*args: str, stdin: str | None = None) -> Any:
    return CliRunner().invoke(main.app, list(args), input=stdin)


def test_deploy_from_a_checked_folder_synthesizes_nothing(
    assemblies: Any, fake_cdk: Path, synthesized: list[str], credentials: None, tmp_path: Path
) -> None:
    folder = checked_folder(assemblies)
    result = invoke("deploy", "--env", "development", "--from", str(folder), "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert synthesized == []
    apps = [call[call.index("--app") + 1] for call in map(json.loads, fake_cdk.read_text().splitlines())]
    assert len(apps) == 6  # the six waves of development (decision C12)
    assert {Path(app).parent for app in apps} == {folder.resolve()}


def test_deploy_from_plans_production_in_the_planners_order(
    assemblies: Any, fake_cdk: Path, synthesized: list[str]
) -> None:
    # Taipei's data stacks need Tokyo's SecurityStack first: the order ci-deploy.sh got wrong.
    result = invoke("deploy", "--env", "production", "--from", str(checked_folder(assemblies)), "--dry-run")
    assert result.exit_code == 0, result.output
    order = [
        (Path(line.split(" --app ")[1].split()[0]).name, line.rsplit("--outputs-file", 1)[1].split()[1:])
        for line in result.stdout.splitlines()
        if " deploy --app " in line
    ]
    position = {(app.split("-", 1)[1], stack): n for n, (app, stacks) in enumerate(order) for stack in stacks}
    assert position[("ap-northeast-1", "SecurityStack")] < position[("ap-east-2", "RdsStack")]
    assert position[("ap-northeast-1", "SecurityStack")] < position[("ap-east-2", "ElastiCacheStack")]
    assert synthesized == []


def test_emulator_deploys_a_copy_without_termination_protection(assemblies: Any, tmp_path: Path) -> None:
    original = assemblies[("production", "ap-east-2")]
    before = (original.directory / "manifest.json").read_bytes()
    (copy,) = unprotected_copies([original], tmp_path)
    stacks = [
        a
        for a in json.loads((copy.directory / "manifest.json").read_text())["artifacts"].values()
        if a.get("type") == "aws:cloudformation:stack"
    ]
    assert stacks
    assert all("terminationProtection" not in stack["properties"] for stack in stacks)
    assert (original.directory / "manifest.json").read_bytes() == before
    assert '"terminationProtection": true' in before.decode()


def test_the_emulators_copy_is_what_cdk_deploys(assemblies: Any, fake_cdk: Path, synthesized: list[str]) -> None:
    folder = checked_folder(assemblies)
    args = ["deploy", "--env", "production", "--region", "ap-east-2", "--stack", "SecurityStack", "--dry-run"]
    result = invoke(*args, "--from", str(folder), "--without-termination-protection", "--require-approval", "never")
    assert result.exit_code == 0, result.output
    (command,) = [line for line in result.stdout.splitlines() if " deploy --app " in line]
    assert str(folder.resolve()) not in command
    assert invoke(*args).exit_code == 1  # without --from there is no checked copy to rewrite


@pytest.mark.parametrize("command", ["deploy", "diff", "destroy", "plan", "recovery", "check", "diagram"])
def test_set_with_from_is_refused(assemblies: Any, synthesized: list[str], command: str) -> None:
    result = invoke(command, "--env", "staging", "--from", str(checked_folder(assemblies)), "--set", "x.y=1")
    assert result.exit_code == 1
    assert "--set x.y=1 would not change the assemblies read with --from" in result.output
    assert synthesized == []


def test_a_corrupt_manifest_is_one_sentence(tmp_path: Path, synthesized: list[str]) -> None:
    for region in ("ap-northeast-1", "us-east-1"):
        (tmp_path / f"development-{region}").mkdir()
        (tmp_path / f"development-{region}" / "manifest.json").write_text("{not json", encoding="utf-8")
    result = invoke("plan", "--env", "development", "--from", str(tmp_path))
    assert result.exit_code == 1
    assert "manifest.json is not a cloud assembly manifest" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("env", ["development", "staging", "production"])
def test_destroy_asks_for_the_name_before_synthesis(env: str, fake_cdk: Path, synthesized: list[str]) -> None:
    wrong = invoke("destroy", "--env", env, stdin="yes\n")
    assert wrong.exit_code == 1
    assert f"destroy of {env} refused: the environment's name was not typed back (--confirm {env})" in wrong.output
    no_input = invoke("destroy", "--env", env)
    assert no_input.exit_code == 1
    assert f"in CI add --confirm {env}" in no_input.output
    mistyped = invoke("destroy", "--env", env, "--confirm", "prod")
    assert mistyped.exit_code == 1
    assert "is not the environment's name" in mistyped.output
    assert synthesized == []
    assert fake_cdk.read_text() == ""


def test_commands_that_need_aws_stop_without_credentials(
    no_credentials: None, fake_cdk: Path, synthesized: list[str]
) -> None:
    cases = [
        ("deploy", "--env", "staging"),
        ("diff", "--env", "staging"),
        ("destroy", "--env", "staging", "--confirm", "staging"),
        ("validate", "--env", "staging"),
        ("failover", "--env", "production", "--to", "ap-northeast-1", "--yes"),
    ]
    for args in cases:
        result = invoke(*args)
        assert result.exit_code == 1, (args, result.output)
        assert "needs AWS credentials and found none" in result.output, args
        assert "--profile" in result.output
    assert synthesized == []
    assert fake_cdk.read_text() == ""


def test_an_unknown_profile_is_one_sentence(no_credentials: None, synthesized: list[str]) -> None:
    result = invoke("deploy", "--env", "staging", "--profile", "nowhere")
    assert result.exit_code == 1
    assert "the profile 'nowhere' is not configured" in result.output
    assert synthesized == []


def test_the_account_of_the_credentials_must_be_the_environments(
    credentials: None, capsys: pytest.CaptureFixture[str]
) -> None:
    import boto3

    account = boto3.client("sts", region_name="us-east-1").get_caller_identity()["Account"]
    other = f"{(int(account) + 1) % 10**12:012d}"
    assert checked_session(None, SimpleNamespace(name="staging", account=account), "deploy of staging") is not None
    with pytest.raises(typer.Exit) as refused:
        checked_session(None, SimpleNamespace(name="staging", account=other), "deploy of staging")
    assert refused.value.exit_code == 1
    assert f"belong to account {account}, but staging is configured for account {other}" in capsys.readouterr().err
