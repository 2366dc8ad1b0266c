"""The document's own commands work through the pinned CDK CLI, offline and without credentials."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CDK = ROOT / "node_modules" / ".bin" / "cdk"


def _offline_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    # No credentials anywhere: no profile files, no instance metadata service to wait for.
    env |= {
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "PATH": f"{ROOT / 'node_modules' / '.bin'}:{env['PATH']}",
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        "CDK_DISABLE_CLI_TELEMETRY": "true",
    }
    return env


def _cdk(tmp_path: Path, command: str) -> subprocess.CompletedProcess[str]:
    """Run the pinned CDK CLI in the project, offline, writing its assembly under tmp_path."""
    return subprocess.run(
        [str(CDK), *command.split(), "-o", str(tmp_path / "cdk.out")],
        cwd=ROOT,
        env=_offline_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_cdk_synth_works_offline_without_lookups(tmp_path: Path) -> None:
    result = _cdk(tmp_path, "synth --no-lookups -q -c environment=production -c region=ap-east-2")
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(p.name for p in (tmp_path / "cdk.out").glob("*.template.json")) == [
        "CertificateStack.template.json",
        "EKSStack.template.json",
        "NetworkStack.template.json",
        "SecurityStack.template.json",
    ]
    assert not (ROOT / "cdk.context.json").exists(), "synthesis must not record context look-ups"


def test_cdk_deploy_of_the_document_gets_as_far_as_asking_for_credentials(tmp_path: Path) -> None:
    # Exactly the document's command, plus no approval prompt (CI has no terminal).
    result = _cdk(
        tmp_path,
        "deploy NetworkStack --context environment=production --context region=ap-east-2 --require-approval never",
    )
    assert result.returncode != 0
    assert "Unable to resolve AWS account to use" in result.stderr + result.stdout
