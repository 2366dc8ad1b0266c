"""The DR drill against production deployed in the local emulator (integration, minutes).

Run with `pytest -m integration tests/test_emulator_failover.py` (.ci/run does). Production is
deployed through `genai-infra deploy` and the real CDK CLI into the emulator (every stack of the
three regions, read back), then `genai-infra failover` runs there: a planned switchover to Tokyo,
validate, back to Taipei; then the loss of Taipei simulated (its Route 53 health check inverted),
an unplanned failover with AllowDataLoss, and back. The emulator's global_failover extensions
carry the Aurora and ElastiCache state; genai_infra.emulator.drill reads it through the AWS APIs.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from rich.console import Console
from typer.testing import CliRunner

from genai_infra.bootstrap import bootstrap_command
from genai_infra.cli import common, main
from genai_infra.cli.deploy import cdk_environment
from genai_infra.config import load_config
from genai_infra.emulator.drill import DrillState, set_region_lost, state
from genai_infra.naming import aurora_global_cluster_id
from genai_infra.synth import PROJECT_ROOT
from genai_infra.targets import targets_of
from tests.test_deploy_moto import free_port, seed_hosted_zone, serve, use_endpoint

pytestmark = pytest.mark.integration

TAIPEI, TOKYO = "ap-east-2", "ap-northeast-1"


@pytest.fixture
def emulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    port = free_port()
    process = serve(
        [sys.executable, "-m", "genai_infra.emulator", "--port", str(port), "--record", str(tmp_path / "record")],
        lambda text: "emulator ready" in text,
        tmp_path / "emulator.log",
    )
    use_endpoint(monkeypatch, tmp_path, f"http://localhost:{port}", TAIPEI)
    try:
        yield f"http://localhost:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, assemblies: Any) -> Any:
    monkeypatch.setattr(common, "console", Console(width=250))
    monkeypatch.setattr(common, "errors", Console(stderr=True, width=250))
    monkeypatch.setattr(
        common,
        "synthesize_targets",
        lambda config, targets, out: [assemblies[(t.environment, t.region)] for t in targets],
    )
    return lambda *args: CliRunner().invoke(main.app, list(args))


def writer_instances(region: str, cluster: str) -> list[str]:
    members = boto3.client("rds", region_name=region).describe_db_clusters(DBClusterIdentifier=cluster)["DBClusters"][
        0
    ]["DBClusterMembers"]
    return [m["DBInstanceIdentifier"] for m in members if m["IsClusterWriter"]]


def synchronization(cluster: str) -> str:
    members = boto3.client("rds", region_name=TOKYO).describe_global_clusters(
        GlobalClusterIdentifier=aurora_global_cluster_id("production")
    )["GlobalClusters"][0]["GlobalClusterMembers"]
    return str(next(m.get("SynchronizationStatus", "writer") for m in members if m["DBClusterArn"].endswith(cluster)))


def only_alb_target_failures(output: str) -> list[str]:
    """validate's failed rows other than the ALB targets (the emulator runs no pods)."""
    return [line for line in output.splitlines() if "│ FAIL" in line and "ALB targets" not in line]


def test_production_failover_drill_planned_and_unplanned(emulated: str, tmp_path: Path, cli: Any) -> None:
    production = load_config().environments["production"]
    regions = [t.region for t in targets_of(production)]
    account = boto3.client("sts").get_caller_identity()["Account"]
    cdk = str(PROJECT_ROOT / "node_modules" / ".bin" / "cdk")
    for region in regions:  # production's own qualifier (decision S6), outside the project
        done = subprocess.run(
            bootstrap_command(production, region, account, cdk),
            cwd=tmp_path,
            env=cdk_environment(),
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
    seed_hosted_zone(regions)
    started = time.monotonic()
    deployed = cli("deploy", "--env", "production", "--out", str(tmp_path / "out"), "--require-approval", "never")
    print(f"production deployed into the emulator in {time.monotonic() - started:.0f} s")
    assert deployed.exit_code == 0, deployed.output[-4000:]
    taipei_aurora, tokyo_aurora = "genai-demo-production-aurora", "genai-demo-production-apne1-aurora"
    assert state(production) == DrillState(TAIPEI, TAIPEI, TAIPEI)

    # Planned: a switchover; Taipei stays healthy, so origin keeps answering from there.
    started = time.monotonic()
    planned = cli("failover", "--env", "production", "--to", TOKYO, "--yes")
    print(f"planned switchover in {time.monotonic() - started:.1f} s")
    assert planned.exit_code == 0, planned.output
    assert "2. Aurora global database switchover to genai-demo-production-apne1-aurora in ap-northeast-1: done" in (
        planned.output
    )
    assert (
        "3. ElastiCache global datastore: make genai-demo-production-apne1-redis in ap-northeast-1 primary: done"
        in (planned.output)
    )
    assert "origin.genai-demo.kimkao.io answers from ap-east-2 (the failover record stays with the healthy PRIMARY" in (
        planned.output
    )
    assert state(production) == DrillState(TOKYO, TOKYO, TAIPEI)
    assert writer_instances(TAIPEI, taipei_aurora) == []
    assert len(writer_instances(TOKYO, tokyo_aurora)) == 1
    assert synchronization(taipei_aurora) == "connected"
    validated = cli("validate", "--env", "production", "--no-probes")
    assert only_alb_target_failures(validated.output) == [], validated.output
    tokyo_row = [
        line for line in validated.output.splitlines() if ":cluster:genai-demo-production-apne1-aurora is" in line
    ]
    assert tokyo_row, validated.output
    assert "│ pass" in tokyo_row[0]
    assert "is the writer of the global database" in tokyo_row[0]
    back = cli("failover", "--env", "production", "--to", TAIPEI, "--yes")
    assert back.exit_code == 0, back.output
    assert state(production) == DrillState(TAIPEI, TAIPEI, TAIPEI)

    # Unplanned: Taipei lost (its health check inverted), a failover with AllowDataLoss; origin moves.
    set_region_lost(production, TAIPEI, True)
    unplanned = cli("failover", "--env", "production", "--to", TOKYO, "--unplanned", "--confirm", "production")
    assert unplanned.exit_code == 0, unplanned.output
    assert "failover (AllowDataLoss) to genai-demo-production-apne1-aurora in ap-northeast-1: done" in unplanned.output
    assert (
        "ap-east-2 unhealthy (1/1, inverted); ap-northeast-1 healthy (1/1); "
        "origin.genai-demo.kimkao.io answers from ap-northeast-1"
    ) in unplanned.output
    assert state(production) == DrillState(TOKYO, TOKYO, TOKYO)
    assert writer_instances(TAIPEI, taipei_aurora) == []
    set_region_lost(production, TAIPEI, False)  # Taipei recovers; AWS rebuilds it as a secondary
    deadline = time.monotonic() + 60
    while synchronization(taipei_aurora) != "connected" and time.monotonic() < deadline:
        time.sleep(0.5)
    assert synchronization(taipei_aurora) == "connected"
    home = cli("failover", "--env", "production", "--to", TAIPEI, "--yes")
    assert home.exit_code == 0, home.output
    assert state(production) == DrillState(TAIPEI, TAIPEI, TAIPEI)
    assert len(writer_instances(TAIPEI, taipei_aurora)) == 1


def test_a_drill_without_a_secondary_region_is_refused_in_one_sentence(emulated: str, cli: Any) -> None:
    refused = cli("failover", "--env", "development", "--to", TOKYO, "--yes")
    assert refused.exit_code == 1
    assert refused.output.strip().splitlines() == [
        "error: development has no secondary region; failover needs an environment with two."
    ]
