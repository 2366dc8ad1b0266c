"""What the emulator's integration tests share: starting `python -m genai_infra.emulator` on
loopback, pointing boto3 and the CDK CLI at it, bootstrapping an environment's regions with its own
qualifier, seeding what an operator creates once per account, and the CLI run on the session's
assemblies (so nothing is synthesized twice)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from genai_infra.bootstrap import bootstrap_command
from genai_infra.cli import main
from genai_infra.cli.cdk_process import CDK_ENV, cdk_environment
from genai_infra.config import load_config
from genai_infra.naming import HOSTED_ZONE_ID_PARAMETER
from genai_infra.synth import PROJECT_ROOT
from tests.conftest import use_session_assemblies


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def serve(command: list[str], ready: Callable[[str], bool], log: Path) -> subprocess.Popen[bytes]:
    with log.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    for _ in range(600):
        if ready(log.read_text()):
            return process
        assert process.poll() is None, log.read_text()
        time.sleep(0.1)
    process.terminate()
    raise AssertionError(f"{command[0]} did not start: {log.read_text()[-2000:]}")


@contextmanager
def running_emulator(log: Path, *options: str) -> Iterator[str]:
    """The emulator on a free loopback port, stopped afterwards; yields its endpoint URL.

    "localhost", not 127.0.0.1: moto finds the bucket of a TemplateURL by that name (path style).
    """
    port = free_port()
    process = serve(
        [sys.executable, "-m", "genai_infra.emulator", "--port", str(port), *options],
        lambda text: "emulator ready" in text,
        log,
    )
    try:
        yield f"http://localhost:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def emulator_client(endpoint: str, service: str, region: str) -> Any:
    """A boto3 client of the emulator at `endpoint` (moto takes any key; nothing real)."""
    import boto3

    return boto3.client(  # type: ignore[call-overload]
        service,
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id="emulator-test",
        aws_secret_access_key="emulator-test",
    )


def use_endpoint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, endpoint: str, region: str) -> None:
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "emulator-test-key")  # moto accepts any key; nothing real
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "emulator-test-secret")
    monkeypatch.setenv("AWS_REGION", region)
    monkeypatch.setenv("AWS_DEFAULT_REGION", region)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.delenv(CDK_ENV, raising=False)


def bootstrap(region: str, cwd: Path, environment: str = "development") -> None:
    """`cdk bootstrap` of one region with the environment's own qualifier and toolkit stack
    (decision S6); `cdk deploy` finds them through the assembly's synthesizer."""
    import boto3

    account = boto3.client("sts", region_name=region).get_caller_identity()["Account"]
    chosen = load_config().environments[environment]
    done = subprocess.run(
        bootstrap_command(chosen, region, account, str(PROJECT_ROOT / "node_modules" / ".bin" / "cdk")),
        cwd=cwd,  # no cdk.json here: bootstrap must not run the app
        env=cdk_environment(),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def seed_hosted_zone(regions: list[str]) -> None:
    """What an operator creates once per account (README, "Before a first deployment")."""
    import boto3

    zone = boto3.client("route53").create_hosted_zone(Name="genai-demo.kimkao.io", CallerReference="test")
    for region in regions:
        boto3.client("ssm", region_name=region).put_parameter(
            Name=HOSTED_ZONE_ID_PARAMETER, Value=zone["HostedZone"]["Id"].rsplit("/", 1)[-1], Type="String"
        )


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, assemblies: Any) -> Any:
    """`genai-infra` in process, wide output, on the session's assemblies instead of synthesizing."""
    use_session_assemblies(monkeypatch, assemblies)
    return lambda *args: CliRunner().invoke(main.app, list(args))
