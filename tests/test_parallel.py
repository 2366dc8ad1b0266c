"""Synthesis in worker processes: same templates as in-process, errors that cross processes, settings."""

from __future__ import annotations

import filecmp
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from genai_infra import parallel, synth
from genai_infra.config import ProjectConfig
from genai_infra.synth import Assembly, SynthesisError, synthesize_batch
from genai_infra.targets import targets_of

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def test_split_is_round_robin_so_the_large_targets_go_to_different_workers() -> None:
    assert parallel.split(["primary", "secondary", "global"], 2) == [["primary", "global"], ["secondary"]]
    assert parallel.split(["a"], 4) == [["a"]]


@pytest.mark.parametrize(("value", "expected"), [("3", 3), ("1", 1), (" 2 ", 2)])
def test_worker_count_follows_the_variable(monkeypatch: pytest.MonkeyPatch, value: str, expected: int) -> None:
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, value)
    assert parallel.worker_count() == expected


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5"])
def test_a_malformed_worker_count_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, value)
    with pytest.raises(ValueError, match="must be a positive whole number"):
        parallel.worker_count()


def test_one_cpu_or_one_task_opens_no_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, "4")
    with parallel.shared_pool(1) as pool:
        assert pool is None
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, "1")
    with parallel.shared_pool(3) as pool:
        assert pool is None
        assert parallel.active_pool() is None


def test_a_failed_synthesis_names_its_target_and_survives_pickling(
    monkeypatch: pytest.MonkeyPatch, config: ProjectConfig, tmp_path: Path
) -> None:
    def broken(*_: Any) -> Assembly:
        raise RuntimeError("Validation failed with the following errors:\n  [NetworkStack] AwsSolutions-VPC7")

    monkeypatch.setattr(synth, "synthesize", broken)
    target = targets_of(config.environments["staging"])[0]
    with pytest.raises(SynthesisError) as caught:
        synthesize_batch(config, [target], tmp_path)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (copy.label, copy.message) == ("staging/ap-east-2", "Validation failed with the following errors:")


def _run(*args: str, workers: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COLUMNS="200", GENAI_INFRA_WORKERS=workers)
    return subprocess.run(
        [sys.executable, "-m", "genai_infra.cli.main", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_malformed_worker_count_stops_the_cli_in_one_sentence() -> None:
    result = _run("synth", "--env", "development", workers="zero")
    assert result.returncode == 1
    assert "GENAI_INFRA_WORKERS must be a positive whole number, not 'zero'" in result.stderr
    assert "Traceback" not in result.stderr


def test_workers_synthesize_the_same_templates_as_one_process(
    assemblies: dict[tuple[str, str], Assembly], tmp_path: Path
) -> None:
    """The one test that starts worker processes for real: development's two targets, two workers."""
    result = _run("synth", "--env", "development", "--no-lint", "--out", str(tmp_path), workers="2")
    assert result.returncode == 0, result.stderr
    assert "synthesized development/ap-northeast-1" in result.stderr
    assert "synthesized development/us-east-1" in result.stderr
    for region in ("ap-northeast-1", "us-east-1"):
        reference = assemblies[("development", region)]
        directory = tmp_path / f"development-{region}"
        names = sorted(path.name for path in reference.directory.glob("*.template.json"))
        assert names == sorted(path.name for path in directory.glob("*.template.json"))
        _, mismatch, errors = filecmp.cmpfiles(reference.directory, directory, names, shallow=False)
        assert (mismatch, errors) == ([], [])
