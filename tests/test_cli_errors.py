"""User errors of the CLI and of app.py end in one sentence on stderr and exit 1, never a traceback.

Every case here fails before synthesis, so no jsii work is done and the tests are fast.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = "20"
    # A wide terminal, so rich does not wrap the table of `list`.
    env["COLUMNS"] = "200"
    env.pop("CDK_CONTEXT_JSON", None)
    env.pop("CDK_OUTDIR", None)
    return env


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "genai_infra.cli.main", *args],
        cwd=PROJECT_ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (("synth", "--env", "bogus"), "unknown environment 'bogus'"),
        (("synth", "--env", "production", "--region", "eu-west-1"), "region eu-west-1 is not a region of production"),
        (("plan", "--env", "staging", "--format", "xml"), "unknown format 'xml'"),
        (
            ("list", "--set", "environments.production.budget.monthly_limit_usd=0"),
            "environments.production.budget.monthly_limit_usd",
        ),
        (("synth", "--env", "production", "--config", "/nonexistent.toml"), "/nonexistent.toml does not exist"),
    ],
    ids=["unknown-env", "foreign-region", "unknown-format", "zero-budget", "missing-config"],
)
def test_user_error_is_one_sentence_without_traceback(args: tuple[str, ...], phrase: str) -> None:
    result = run(*args)
    assert result.returncode == 1, result.stderr
    assert "error:" in result.stderr
    assert phrase in result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error:")


def test_list_prints_the_seven_targets() -> None:
    result = run("list")
    assert result.returncode == 0, result.stderr
    rows = []
    for line in result.stdout.splitlines():
        cells = [cell.strip() for cell in line.strip("│ \n").split("│")]
        if len(cells) == 4 and cells[0] in ("development", "staging", "production"):
            rows.append((cells[0], cells[1], cells[2]))
    assert rows == [
        ("development", "ap-northeast-1", "primary"),
        ("development", "us-east-1", "global"),
        ("staging", "ap-east-2", "primary"),
        ("staging", "us-east-1", "global"),
        ("production", "ap-east-2", "primary"),
        ("production", "ap-northeast-1", "secondary"),
        ("production", "us-east-1", "global"),
    ]
    assert "SecurityStack" in result.stdout
    assert "NetworkStack" in result.stdout


def test_app_py_without_context_names_the_missing_environment() -> None:
    venv_python = PROJECT_ROOT / ".venv" / "bin" / "python"
    python = str(venv_python) if venv_python.exists() else sys.executable
    result = subprocess.run(
        [python, "app.py"],
        cwd=PROJECT_ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error:")
    assert "no environment given" in lines[0]
    assert "-c environment=NAME" in lines[0]
