"""`genai-infra deploy`, `destroy` and `diff` with a fake `cdk` that records its argv (and the real one offline)."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from typer.testing import CliRunner

from genai_infra import deploy_verify, stack_events
from genai_infra.cli import main
from genai_infra.cli.cdk_process import CDK_ENV
from genai_infra.cli.deploy import DEPLOY_FAILED_EXIT
from genai_infra.cli.deploy_progress import run_step
from genai_infra.deployment import Wave
from genai_infra.synth import Assembly
from tests.conftest import use_session_assemblies

# Prints what `cdk deploy --progress events` prints (format of aws-cdk's HistoryActivityPrinter),
# and fails, as CloudFormation would with a rollback, at the stack named by FAKE_CDK_FAIL (REGION/STACK).
# It stands in for CloudFormation too: the stack events it prints go to FAKE_CDK_EVENTS, where
# FakeCloudFormation's DescribeStackEvents finds them.
FAKE_CDK = """\
import json, os, sys, time, uuid
args = sys.argv[1:]
with open(os.environ["FAKE_CDK_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(args) + "\\n")
app = args[args.index("--app") + 1]
environment, region = os.path.basename(app).split("-", 1)
stacks = [a for a in args if a.endswith("Stack")]
def event(name, status, resource_type, logical_id, reason=""):
    record = {"region": region, "StackName": name, "StackId": f"{region}/{name}", "EventId": str(uuid.uuid4()),
              "LogicalResourceId": logical_id, "ResourceType": resource_type, "ResourceStatus": status,
              "ResourceStatusReason": reason, "Timestamp": time.time()}
    with open(os.environ["FAKE_CDK_EVENTS"], "a", encoding="utf-8") as events:
        events.write(json.dumps(record) + "\\n")
for stack in stacks:
    name = f"genai-demo-{environment}-{stack}"
    print(f"{name} | 0/4 | 10:00:00 AM | CREATE_IN_PROGRESS      | AWS::CloudFormation::Stack | {name} User Initiated")
    event(name, "CREATE_IN_PROGRESS", "AWS::CloudFormation::Stack", name, "User Initiated")
    if os.environ.get("FAKE_CDK_FAIL") == f"{region}/{stack}":
        print(f"{name} | 1/4 | 10:00:09 AM | CREATE_FAILED           | AWS::RDS::DBCluster | {stack}/Aurora "
              "(AuroraCluster2778A36C) Resource handler returned message: \\"quota exceeded\\"")
        event(name, "CREATE_FAILED", "AWS::RDS::DBCluster", "AuroraCluster2778A36C",
              'Resource handler returned message: "quota exceeded"')
        print(f"{name} | 2/4 | 10:00:30 AM | ROLLBACK_COMPLETE       | AWS::CloudFormation::Stack | {name}")
        event(name, "ROLLBACK_COMPLETE", "AWS::CloudFormation::Stack", name)
        print(f" ❌  {stack} ({name}) failed: The stack named {name} failed creation: ROLLBACK_COMPLETE")
        sys.exit(1)
    print(f"{name} | 4/4 | 10:00:40 AM | CREATE_COMPLETE         | AWS::CloudFormation::Stack | {name}")
    event(name, "CREATE_COMPLETE", "AWS::CloudFormation::Stack", name)
    print(f" ✅  {stack} ({name})" if args[0] == "deploy" else f" ✅  {stack}: destroyed")
"""


class FakeCloudFormation:
    """DescribeStackEvents of one region over what the fake cdk recorded, newest first, as CloudFormation answers.

    The poller itself runs against moto in tests/test_stack_events.py; moto cannot roll a stack back.
    """

    def __init__(self, events: Path, region: str) -> None:
        self.events = events
        self.region = region

    def describe_stack_events(self, **request: str) -> dict[str, Any]:
        stack = request["StackName"]
        recorded = [json.loads(line) for line in self.events.read_text(encoding="utf-8").splitlines()]
        found = [e for e in recorded if e.pop("region") == self.region and stack in (e["StackName"], e["StackId"])]
        if not found:
            error = {"Error": {"Code": "ValidationError", "Message": f"Stack with id {stack} does not exist"}}
            raise ClientError(error, "DescribeStackEvents")
        for e in found:
            e["Timestamp"] = datetime.fromtimestamp(e["Timestamp"], UTC)
        return {"StackEvents": found[::-1]}


@pytest.fixture
def fake_cdk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    script = tmp_path / "cdk"
    script.write_text(f"#!{sys.executable}\n{FAKE_CDK}", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / "argv.jsonl"
    log.touch()
    monkeypatch.setenv(CDK_ENV, str(script))
    monkeypatch.setenv("FAKE_CDK_LOG", str(log))
    monkeypatch.delenv("FAKE_CDK_FAIL", raising=False)
    events = tmp_path / "cloudformation-events.jsonl"
    events.touch()
    monkeypatch.setenv("FAKE_CDK_EVENTS", str(events))
    monkeypatch.setattr(
        stack_events, "cloudformation_clients", lambda session: lambda region: FakeCloudFormation(events, region)
    )
    # The fake deploys nothing, so there is nothing to read back (tests/test_deploy_verify.py covers that).
    monkeypatch.setattr(deploy_verify, "verify_stacks", lambda stacks, clients=None: [])
    return log


def calls(log: Path) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def waves(log: Path) -> list[str]:
    """Each recorded call as 'verb region: stacks'."""
    result = []
    for args in calls(log):
        region = Path(args[args.index("--app") + 1]).name.split("-", 1)[1]
        result.append(f"{args[0]} {region}: {' '.join(a for a in args if a.endswith('Stack'))}")
    return result


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, assemblies: dict[tuple[str, str], Assembly]) -> Iterator[Any]:
    use_session_assemblies(monkeypatch, assemblies)

    def run(*args: str, stdin: str | None = None) -> Any:
        return CliRunner().invoke(main.app, list(args), input=stdin)

    # moto answers the credentials check (STS GetCallerIdentity) that comes before anything is synthesized;
    # the keys are the test's own (monkeypatch), so a test may still take them away.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "moto-test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "moto-test-secret")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws(config={"core": {"mock_credentials": False}}):
        yield run


def test_dry_run_prints_the_exact_commands(cli: Any, fake_cdk: Path, assemblies: Any, tmp_path: Path) -> None:
    result = cli("deploy", "--env", "development", "--dry-run", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    commands = [line for line in result.stdout.splitlines() if line.startswith(os.environ[CDK_ENV])]
    assert len(commands) == 6
    app = assemblies[("development", "ap-northeast-1")].directory.resolve()
    assert commands[0] == (
        f"{os.environ[CDK_ENV]} deploy --app {app} --require-approval never --exclusively --concurrency 2 "
        f"--progress events --outputs-file {tmp_path}/outputs/development-ap-northeast-1-SecurityStack-"
        "CertificateStack.json SecurityStack CertificateStack"
    )
    assert "deploy development (--require-approval never)" in result.stdout
    assert calls(fake_cdk) == []


def test_production_asks_approval_for_broadening_changes(cli: Any, fake_cdk: Path) -> None:
    result = cli("deploy", "--env", "production", "--dry-run", "--stack", "NetworkStack")
    assert result.exit_code == 0, result.output
    commands = [line for line in result.stdout.splitlines() if " deploy --app " in line]
    assert len(commands) == 2
    assert all("--require-approval broadening" in command for command in commands)


def test_deploy_runs_every_wave_in_order(cli: Any, fake_cdk: Path, tmp_path: Path) -> None:
    result = cli("deploy", "--env", "development", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert waves(fake_cdk) == [
        "deploy ap-northeast-1: SecurityStack CertificateStack",
        "deploy ap-northeast-1: NetworkStack",
        "deploy ap-northeast-1: RdsStack ElastiCacheStack",
        "deploy ap-northeast-1: EKSStack",
        "deploy ap-northeast-1: CostOptimizationStack",
        "deploy us-east-1: CostOptimizationStack",
    ]
    assert "deployed development: 6 waves, 8 stacks." in result.output


def test_a_failure_stops_the_run_and_says_how_to_resume(
    cli: Any, fake_cdk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_CDK_FAIL", "ap-northeast-1/RdsStack")
    result = cli("deploy", "--env", "production")
    assert result.exit_code == DEPLOY_FAILED_EXIT, result.output
    assert waves(fake_cdk) == [
        "deploy ap-east-2: SecurityStack CertificateStack",
        "deploy ap-east-2: NetworkStack",
        "deploy ap-northeast-1: SecurityStack CertificateStack",
        "deploy ap-northeast-1: NetworkStack",
        "deploy us-east-1: CertificateStack",
        "deploy ap-east-2: RdsStack ElastiCacheStack MSKStack",
        "deploy ap-northeast-1: RdsStack ElastiCacheStack MSKStack",
    ]
    output = result.output
    assert (
        "deploy failed in phase 2, ap-northeast-1, stack RdsStack (genai-demo-production-RdsStack), cdk exit code 1."
        in output
    )
    assert (
        "CREATE_FAILED           | AWS::RDS::DBCluster | RdsStack/Aurora (AuroraCluster2778A36C) Resource handler"
        in output
    )
    assert "ROLLBACK_COMPLETE" in output
    resume = "genai-infra deploy --env production --resume-from ap-northeast-1/RdsStack"
    assert f"resume with: {resume}" in output

    # Resuming starts at the failed wave (whole, its finished stacks are no-op updates) and goes on.
    monkeypatch.delenv("FAKE_CDK_FAIL")
    fake_cdk.write_text("", encoding="utf-8")
    resumed = cli(*resume.split()[1:])
    assert resumed.exit_code == 0, resumed.output
    assert waves(fake_cdk)[0] == "deploy ap-northeast-1: RdsStack ElastiCacheStack MSKStack"
    assert len(waves(fake_cdk)) == 12


def test_the_resume_command_keeps_the_options_that_shape_the_plan(
    cli: Any, fake_cdk: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FAKE_CDK_FAIL", "us-east-1/EdgeStack")
    result = cli(
        "deploy",
        "--env",
        "production",
        "--stack",
        "EdgeStack",
        "--require-approval",
        "any-change",
        "--out",
        str(tmp_path),
    )
    assert result.exit_code == DEPLOY_FAILED_EXIT
    assert (
        "resume with: genai-infra deploy --env production --stack EdgeStack --require-approval any-change "
        f"--out {tmp_path} --resume-from us-east-1/EdgeStack"
    ) in result.output
    assert "--require-approval any-change" in " ".join(calls(fake_cdk)[0])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--stack", "NetworkStak"], "error: unknown stack 'NetworkStak'; the stacks are "),
        (["--region", "ap-east-2", "--stack", "EdgeStack"], "error: EdgeStack is not a stack of production/ap-east-2"),
        (["--region", "eu-west-1"], "eu-west-1"),
        (["--resume-from", "RdsStack"], "error: --resume-from RdsStack is ambiguous"),
        (["--require-approval", "sometimes"], "error: unknown --require-approval 'sometimes'"),
    ],
)
def test_bad_input_stops_before_anything_runs(cli: Any, fake_cdk: Path, args: list[str], message: str) -> None:
    result = cli("deploy", "--env", "production", *args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert calls(fake_cdk) == []


def test_destroy_refuses_production_without_the_name(cli: Any, fake_cdk: Path) -> None:
    result = cli("destroy", "--env", "production", stdin="prod\n")
    assert result.exit_code == 1
    assert "destroy of production refused" in result.output
    # The refusal comes before synthesis; what would stay is what --dry-run shows.
    assert "synthesized" not in result.output
    assert calls(fake_cdk) == []
    shown = cli("destroy", "--env", "production", "--dry-run")
    assert "84 resource(s) stay after their stacks are deleted" in shown.output
    assert "AWS::RDS::DBCluster" in shown.output
    wrong = cli("destroy", "--env", "production", "--confirm", "staging")
    assert wrong.exit_code == 1
    assert "--confirm 'staging' is not the environment's name" in wrong.output


def test_destroy_of_staging_leaves_final_snapshots(cli: Any, fake_cdk: Path) -> None:
    shown = cli("destroy", "--env", "staging", "--dry-run")
    assert shown.exit_code == 0, shown.output
    kept = [line for line in shown.output.splitlines() if "Snapshot" in line]
    assert any("AWS::RDS::DBCluster" in line for line in kept)
    assert any("AWS::ElastiCache::ReplicationGroup" in line for line in kept)


def test_destroy_goes_in_reverse_order(cli: Any, fake_cdk: Path) -> None:
    result = cli("destroy", "--env", "production", "--region", "us-east-1", stdin="production\n")
    assert result.exit_code == 0, result.output
    assert waves(fake_cdk) == [
        "destroy us-east-1: CostOptimizationStack",
        "destroy us-east-1: EdgeStack",
        "destroy us-east-1: AlertingStack",
        "destroy us-east-1: CertificateStack",
    ]
    assert "--force" in calls(fake_cdk)[0]
    # Production stacks carry termination protection; the note says how to lift it.
    assert "have termination protection" in result.output
    assert "5 resource(s) stay" in result.output


def test_destroy_failure_names_the_stack(cli: Any, fake_cdk: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_CDK_FAIL", "ap-northeast-1/EKSStack")
    result = cli("destroy", "--env", "development", "--confirm", "development")
    assert result.exit_code == DEPLOY_FAILED_EXIT
    assert "destroy failed in phase 3, ap-northeast-1, stack EKSStack" in result.output
    assert waves(fake_cdk)[-1] == "destroy ap-northeast-1: EKSStack"
    assert waves(fake_cdk)[0] == "destroy us-east-1: CostOptimizationStack"


def test_diff_offline_fails_at_credentials_in_one_sentence(
    cli: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The real pinned CDK CLI, with no credentials anywhere.
    for name in [key for key in os.environ if key.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.delenv(CDK_ENV, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    result = cli("diff", "--env", "development", "--region", "us-east-1")
    assert result.exit_code == 1, result.output
    assert "error: cdk diff of development/us-east-1 needs AWS credentials and found none" in result.output
    assert "Traceback" not in result.output


def test_the_progress_view_shows_each_stack_state_and_last_event(
    cli: Any, fake_cdk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_CDK_FAIL", "ap-east-2/ElastiCacheStack")
    result = cli("deploy", "--env", "staging")
    assert result.exit_code == DEPLOY_FAILED_EXIT
    rows = {line.split("│")[3].strip(): line for line in result.output.splitlines() if line.count("│") == 6}
    assert "done" in rows["RdsStack"]
    assert "CREATE_COMPLETE AWS::CloudFormation::Stack genai-demo-staging-RdsStack" in rows["RdsStack"]
    assert "failed" in rows["ElastiCacheStack"]
    assert (
        "ROLLBACK_COMPLETE AWS::CloudFormation::Stack genai-demo-staging-ElastiCacheStack" in rows["ElastiCacheStack"]
    )


def test_an_approval_prompt_is_handed_to_the_operator(tmp_path: Path) -> None:
    # cdk asks without a newline and waits on stdin; the runner must surface the question at once.
    script = tmp_path / "asks"
    script.write_text(
        f"#!{sys.executable}\nimport sys\nprint('IAM Statement Changes: + sts:AssumeRole')\n"
        "sys.stdout.write('Do you wish to deploy these changes (y/n)? '); sys.stdout.flush()\n"
        "import time; time.sleep(0.5)  # an operator reading the question\n"
        "answer = sys.stdin.readline().strip()\nprint('answer: ' + (answer or 'none'))\n"
        "sys.exit(0 if answer == 'y' else 1)\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    wave = Wave(1, "production", "ap-east-2", "primary", ("SecurityStack",))
    asked: list[tuple[str, list[str]]] = []
    # Not the worker's own stdin: under pytest-xdist that is the channel to the controller.
    outcome = run_step(
        [str(script)],
        wave,
        lambda _: None,
        lambda text, seen: asked.append((text, list(seen.lines))),
        "no changes",
        stdin=subprocess.DEVNULL,
    )
    assert asked == [("Do you wish to deploy these changes (y/n)? ", ["IAM Statement Changes: + sts:AssumeRole"])]
    assert outcome.returncode == 1  # no terminal answered here
    assert outcome.lines[-1] == "answer: none"


def test_a_log_gets_one_line_per_stack_event(cli: Any, fake_cdk: Path, tmp_path: Path) -> None:
    # CliRunner's stdout is not a terminal, as in CI: no live table, one line per CloudFormation event.
    result = cli("deploy", "--env", "development", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert (
        "deploy phase 6 us-east-1 CostOptimizationStack: CREATE_IN_PROGRESS AWS::CloudFormation::Stack "
        "genai-demo-development-CostOptimizationStack User Initiated"
    ) in lines
    assert (
        "deploy phase 6 us-east-1 CostOptimizationStack: CREATE_COMPLETE AWS::CloudFormation::Stack "
        "genai-demo-development-CostOptimizationStack"
    ) in lines
    events = [line for line in lines if line.startswith("deploy phase ")]
    stacks = sum(1 for call in calls(fake_cdk) for arg in call if arg.endswith("Stack"))
    assert len(events) == 2 * stacks  # the fake cdk prints two events per stack


def test_without_cloudformation_events_the_deploy_goes_on_and_says_so_once(
    cli: Any, fake_cdk: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        unreachable = f"http://127.0.0.1:{probe.getsockname()[1]}"  # nothing listens there once closed
    monkeypatch.setattr(
        stack_events,
        "cloudformation_clients",
        lambda session: lambda region: session.client("cloudformation", region_name=region, endpoint_url=unreachable),
    )
    result = cli("deploy", "--env", "development", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert len(waves(fake_cdk)) == 6
    assert "deployed development: 6 waves, 8 stacks." in result.output
    note = "note: no CloudFormation events for the progress from here on: DescribeStackEvents in ap-northeast-1 failed"
    assert result.output.count(note) == 1, result.output
    assert not [line for line in result.stdout.splitlines() if line.startswith("deploy phase ")]
