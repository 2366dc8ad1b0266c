"""cfn-lint in worker processes: the same findings as in-process, and the GENAI_INFRA_WORKERS setting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from genai_infra import parallel
from genai_infra.checks import lint
from genai_infra.synth import Assembly

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("value", "expected"), [("3", 3), ("1", 1), (" 2 ", 2)])
def test_worker_count_follows_the_variable(monkeypatch: pytest.MonkeyPatch, value: str, expected: int) -> None:
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, value)
    assert parallel.worker_count() == expected


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5"])
def test_a_malformed_worker_count_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, value)
    with pytest.raises(ValueError, match="must be a positive whole number"):
        parallel.worker_count()


def test_one_worker_or_one_task_opens_no_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, "4")
    with parallel.worker_pool(1) as pool:
        assert pool is None
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, "1")
    with parallel.worker_pool(3) as pool:
        assert pool is None


def test_workers_lint_like_the_calling_process(
    monkeypatch: pytest.MonkeyPatch, assemblies: dict[tuple[str, str], Assembly]
) -> None:
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, "2")
    chosen = [assemblies[("development", "ap-northeast-1")], assemblies[("development", "us-east-1")]]
    with parallel.worker_pool(len(chosen)) as pool:
        assert pool is not None
        remote = list(pool.map(lint, chosen))
    assert remote == [lint(assembly) for assembly in chosen]


def test_a_malformed_worker_count_stops_check_in_one_sentence() -> None:
    env = dict(os.environ, COLUMNS="200", GENAI_INFRA_WORKERS="zero")
    result = subprocess.run(
        [sys.executable, "-m", "genai_infra.cli.main", "check", "--env", "development"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "GENAI_INFRA_WORKERS must be a positive whole number, not 'zero'" in result.stderr
    assert "Traceback" not in result.stderr
    assert "synthesized" not in result.stderr
