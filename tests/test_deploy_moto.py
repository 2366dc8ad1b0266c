"""The real CDK CLI deploys through `genai-infra deploy` into a moto server on loopback (integration).

Run with `pytest -m integration tests/test_deploy_moto.py` (about 1.5 minutes). What moto 5.2.5
stands in for: STS, S3 asset publishing, CloudFormation change sets, so `cdk bootstrap` and a
stack deploy work end to end. What it does not: it does not materialize the SSM parameters a
stack's template creates, and answers a later stack's SSM-typed parameter with a server error,
so NetworkStack (which reads SecurityStack's logs key ARN) fails. That failure in the middle of
the plan is what the second half of the test drives the progress view and resume hint with.
EKS, Aurora, MSK and ElastiCache are not attempted.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from genai_infra.bootstrap import bootstrap_command
from genai_infra.cli import common, main
from genai_infra.cli.deploy import CDK_ENV, DEPLOY_FAILED_EXIT, cdk_environment
from genai_infra.config import load_config
from genai_infra.synth import PROJECT_ROOT

pytestmark = pytest.mark.integration
REGION = "ap-east-2"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def moto(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = shutil.which("moto_server", path=str(PROJECT_ROOT / ".venv" / "bin"))
    assert server, "moto[server] is pinned in requirements-dev.txt; run bash scripts/setup.sh"
    port = free_port()
    log = (tmp_path / "moto.log").open("w")
    process = subprocess.Popen([server, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log)
    # "localhost", not 127.0.0.1: moto finds the bucket of a TemplateURL by that name (path style).
    endpoint = f"http://localhost:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "moto-test-key")  # moto accepts any key; nothing real
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "moto-test-secret")
        monkeypatch.setenv("AWS_REGION", REGION)
        monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
        monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
        monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
        monkeypatch.delenv(CDK_ENV, raising=False)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def stack_status(name: str) -> str:
    import boto3

    stacks = boto3.client("cloudformation", region_name=REGION).describe_stacks(StackName=name)["Stacks"]
    return str(stacks[0]["StackStatus"])


def test_bootstrap_deploy_and_a_failure_in_the_middle(
    moto: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, assemblies: Any
) -> None:
    import boto3

    account = boto3.client("sts", region_name=REGION).get_caller_identity()["Account"]
    staging = load_config().environments["staging"]
    # Staging's own qualifier and toolkit stack (decision S6); `cdk deploy` below finds them through
    # the assembly's synthesizer, with no toolkit option.
    bootstrap = subprocess.run(
        bootstrap_command(staging, REGION, account, str(PROJECT_ROOT / "node_modules" / ".bin" / "cdk")),
        cwd=tmp_path,  # no cdk.json here: bootstrap must not run the app
        env=cdk_environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert bootstrap.returncode == 0, bootstrap.stderr[-2000:]
    assert stack_status("CDKToolkit-gdemostg") == "CREATE_COMPLETE"

    monkeypatch.setattr(common, "console", Console(width=250))
    monkeypatch.setattr(common, "errors", Console(stderr=True, width=250))
    monkeypatch.setattr(
        common,
        "synthesize_targets",
        lambda config, targets, out: [assemblies[(t.environment, t.region)] for t in targets],
    )
    out = tmp_path / "out"
    deployed = CliRunner().invoke(
        main.app, ["deploy", "--env", "staging", "--region", REGION, "--stack", "SecurityStack", "--out", str(out)]
    )
    assert deployed.exit_code == 0, deployed.output
    assert stack_status("genai-demo-staging-SecurityStack") == "CREATE_COMPLETE"
    assert (out / "outputs" / "staging-ap-east-2-SecurityStack.json").is_file()
    assert "deployed staging: 1 waves, 1 stacks." in deployed.output

    failed = CliRunner().invoke(
        main.app,
        ["deploy", "--env", "staging", "--region", REGION, "--stack", "SecurityStack", "--stack", "NetworkStack"],
    )
    assert failed.exit_code == DEPLOY_FAILED_EXIT, failed.output
    assert "✓ deploy phase 1 ap-east-2: SecurityStack" in failed.output
    assert "deploy failed in phase 1, ap-east-2, stack NetworkStack (genai-demo-staging-NetworkStack)" in failed.output
    assert (
        "resume with: genai-infra deploy --env staging --region ap-east-2 --stack SecurityStack --stack NetworkStack "
        "--resume-from ap-east-2/NetworkStack"
    ) in failed.output
