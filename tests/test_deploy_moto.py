"""The real CDK CLI deploys through `genai-infra deploy` into the local emulator (integration).

Run with `pytest -m integration tests/test_deploy_moto.py` (.ci/run does). The emulator
(genai_infra.emulator: moto 5.2.5 with named fixes, CloudFormation models and in-process custom
resources) runs on loopback as scripts/deploy-local.sh starts it. One test deploys the whole
development environment, every stack read back against its template, then runs `validate
--no-probes` against it; one shows a stack failing inside the emulator failing the deploy, named,
with the resume hint; one shows that plain moto's false CREATE_COMPLETE is caught by the read-back.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from genai_infra.cli.deploy import DEPLOY_FAILED_EXIT
from genai_infra.config import load_config
from genai_infra.synth import PROJECT_ROOT
from genai_infra.targets import targets_of
from tests.emulated import bootstrap, cli, free_port, running_emulator, seed_hosted_zone, serve, use_endpoint

__all__ = ["cli"]  # the shared CLI fixture (tests/emulated.py)

pytestmark = pytest.mark.integration


@pytest.fixture
def emulator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with running_emulator(tmp_path / "emulator.log", "--record", str(tmp_path / "record")) as endpoint:
        use_endpoint(monkeypatch, tmp_path, endpoint, "ap-northeast-1")
        yield endpoint


def stack_statuses(regions: list[str]) -> dict[str, str]:
    import boto3

    return {
        f"{region}/{stack['StackName']}": stack["StackStatus"]
        for region in regions
        for stack in boto3.client("cloudformation", region_name=region).describe_stacks()["Stacks"]
    }


def test_development_deploys_verified_and_validates(emulator: str, tmp_path: Path, cli: Any) -> None:
    regions = [t.region for t in targets_of(load_config().environments["development"])]
    for region in regions:
        bootstrap(region, tmp_path)
    seed_hosted_zone(regions)
    started = time.monotonic()
    deployed = cli("deploy", "--env", "development", "--out", str(tmp_path / "out"))
    seconds = time.monotonic() - started
    assert deployed.exit_code == 0, deployed.output[-4000:]
    assert "deployed but not as declared" not in deployed.output
    statuses = stack_statuses(regions)
    development = {k: v for k, v in statuses.items() if "/genai-demo-development-" in k}
    expected = sum(1 for line in deployed.output.splitlines() if line.startswith("✓ deploy "))
    assert expected > 0
    assert set(development.values()) == {"CREATE_COMPLETE"}, development
    print(f"development: {len(development)} stacks verified CREATE_COMPLETE in {seconds:.0f} s")

    validated = cli("validate", "--env", "development", "--no-probes")
    lines = validated.output
    # What the emulator cannot give: pods behind the ALB's target group (no Kubernetes here).
    for check in ("EKS cluster genai-demo-development", "Aurora cluster", "Redis"):
        assert check in lines, lines


def test_a_stack_failing_inside_the_emulator_fails_the_deploy(emulator: str, tmp_path: Path, cli: Any) -> None:
    """CertificateStack reads the hosted zone's SSM parameter; unseeded, it fails: no false success."""
    bootstrap("ap-northeast-1", tmp_path)
    deployed = cli("deploy", "--env", "development", "--region", "ap-northeast-1", "--stack", "SecurityStack")
    assert deployed.exit_code == 0, deployed.output[-3000:]
    assert "deployed development: 1 waves, 1 stacks." in deployed.output

    failed = cli(
        "deploy",
        "--env",
        "development",
        "--region",
        "ap-northeast-1",
        "--stack",
        "SecurityStack",
        "--stack",
        "NetworkStack",
        "--stack",
        "CertificateStack",
    )
    assert failed.exit_code == DEPLOY_FAILED_EXIT, failed.output[-3000:]
    assert "deploy failed in phase 1, ap-northeast-1, stack CertificateStack" in failed.output
    assert "Unable to fetch parameters" in failed.output
    assert "resume with: genai-infra deploy --env development --region ap-northeast-1" in failed.output
    assert (
        stack_statuses(["ap-northeast-1"])["ap-northeast-1/genai-demo-development-CertificateStack"]
        == "ROLLBACK_COMPLETE"
    )


def test_plain_moto_false_success_is_caught_by_the_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Any
) -> None:
    """moto alone reports SecurityStack CREATE_COMPLETE with its resources missing; the deploy says so."""
    server = shutil.which("moto_server", path=str(PROJECT_ROOT / ".venv" / "bin"))
    assert server, "moto[server] is pinned in requirements-dev.txt; run bash scripts/setup.sh"
    port = free_port()
    process = serve(
        [server, "-H", "127.0.0.1", "-p", str(port)], lambda text: "Running on" in text, tmp_path / "moto.log"
    )
    try:
        use_endpoint(monkeypatch, tmp_path, f"http://localhost:{port}", "ap-northeast-1")
        bootstrap("ap-northeast-1", tmp_path)
        deployed = cli("deploy", "--env", "development", "--region", "ap-northeast-1", "--stack", "SecurityStack")
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert deployed.exit_code == DEPLOY_FAILED_EXIT, deployed.output[-3000:]
    assert "deployed but not as declared: ap-northeast-1 genai-demo-development-SecurityStack" in deployed.output
