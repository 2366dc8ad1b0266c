"""Mistaken inputs: each ends with a non-zero exit and a short message on stderr, never a traceback,
never a silent wrong answer; all of them before anything is synthesized."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from genai_infra import synth
from genai_infra.cli import common, main
from genai_infra.config import ConfigError, load_config
from genai_infra.config.compute import MAX_NODES_PER_MANAGED_NODE_GROUP
from genai_infra.targets import all_targets

PROJECT_ROOT = Path(__file__).resolve().parents[1]
STAGING_EKS = "environments.staging.regions.ap-east-2.eks"
BUDGET = "environments.staging.budget.monthly_limit_usd"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    binary = tmp_path / "binary.toml"
    binary.write_bytes(bytes(range(256)))
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text("[environments\n", encoding="utf-8")
    corrupt = tmp_path / "corrupt"
    for region in ("ap-northeast-1", "us-east-1"):
        (corrupt / f"development-{region}").mkdir(parents=True)
        (corrupt / f"development-{region}" / "manifest.json").write_text('{"artifacts": [', encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    return {"dir": tmp_path, "binary": binary, "bad_toml": bad_toml, "corrupt": corrupt, "empty": empty}


MISTAKES: list[tuple[str, ...]] = [
    ("synth", "--env", "bogus"),
    ("synth", "--env", "production", "--region", "eu-west-1"),
    ("plan", "--env", "staging", "--format", "xml"),
    ("list", "--set", "environments.production.budget.monthly_limit_usd=0"),
    ("synth", "--env", "production", "--config", "/nonexistent.toml"),
    ("list", "--config", "{dir}"),
    ("list", "--config", "{binary}"),
    ("list", "--config", "{bad_toml}"),
    ("list", "--set", "no-equals-sign"),
    ("list", "--set", f"{BUDGET}=NaN"),
    ("list", "--set", f"{BUDGET}=Infinity"),
    ("list", "--set", f"{BUDGET}=-Infinity"),
    ("list", "--set", f"{BUDGET}=1e999"),
    ("list", "--set", f"{STAGING_EKS}.node_group.max_size=100000000000000000000"),
    ("list", "--set", f"{STAGING_EKS}.kubernetes_version=1.99"),
    ("list", "--set", "environments.staging.no_such_setting=1"),
    ("plan", "--env", "development", "--from", "{dir}/missing"),
    ("plan", "--env", "development", "--from", "{corrupt}"),
    ("plan", "--env", "development", "--from", "{empty}"),
    ("recovery", "--env", "development", "--from", "{empty}", "--set", "a.b=1"),
    ("cost", "--env", "development", "--fail-over-budget", "nan"),
    ("cost", "--env", "development", "--fail-over-budget", "lots"),
    ("cost", "--env", "development", "--fail-over-budget", "-5"),
    ("cost", "--env", "development", "--chart", "{dir}/missing/cost.png"),
    ("cost", "--compare", "--chart", "{dir}/cost.png"),
    ("cost",),
    ("cost", "--env", "development", "--format", "xml"),
    ("cost", "--env", "development", "--from", "{empty}", "--what-if", "a.b=1"),
    ("deploy", "--env", "production", "--stack", "NetworkStak"),
    ("deploy", "--env", "production", "--require-approval", "sometimes"),
    ("deploy", "--env", "staging", "--without-termination-protection"),
    ("deploy", "--env", "staging", "--from", "{corrupt}"),
    ("destroy", "--env", "staging", "--confirm", "prod"),
    ("destroy", "--env", "staging"),
    ("failover", "--env", "staging", "--to", "ap-northeast-1"),
    ("failover", "--env", "production", "--to", "ap-northeast-1", "--timeout", "0"),
    ("validate", "--env", "production", "--timeout", "-1"),
    ("diagram", "--env", "staging", "--write-docs"),
    ("diagram", "--env", "production", "--format", "gif"),
    ("manifests", "--env", "production", "--region", "us-east-1"),
    ("synth",),
    ("synth", "--env", "production", "--no-such-flag"),
]


def test_at_least_thirty_mistakes_are_covered() -> None:
    assert len(MISTAKES) >= 30


@pytest.mark.parametrize("args", MISTAKES, ids=lambda args: " ".join(args)[:60])
def test_a_mistake_is_a_short_message_without_traceback(
    args: tuple[str, ...], files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: Any) -> Any:
        raise AssertionError("a mistaken input must stop before synthesis")

    monkeypatch.setattr(common, "synthesize_targets", refuse)
    argv = [arg.format(**{name: str(path) for name, path in files.items()}) for arg in args]
    result = CliRunner().invoke(main.app, argv)
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    message = [line for line in result.stderr.splitlines() if line.strip()]
    assert message, "the reason goes to stderr"
    assert len(message) <= 12  # typer's usage box is the longest: a handful of lines
    assert result.stdout.strip() == "" or args[0] in ("destroy",), result.stdout


def test_usage_errors_exit_2_and_bad_values_exit_1() -> None:
    assert CliRunner().invoke(main.app, ["synth"]).exit_code == 2
    assert CliRunner().invoke(main.app, ["synth", "--env", "bogus"]).exit_code == 1


# --- The silent answers, one test each ------------------------------------------------------------


def test_non_finite_numbers_are_refused_in_overrides_and_files(tmp_path: Path) -> None:
    for text in ("NaN", "Infinity", "-Infinity", "1e999", "nan", "inf"):
        with pytest.raises(ConfigError, match="is not a finite number"):
            load_config(None, [f"{BUDGET}={text}"])
    toml = tmp_path / "inf.toml"
    toml.write_text("[environments.staging.budget]\nmonthly_limit_usd = inf\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="monthly_limit_usd: Input should be a finite number"):
        load_config(toml)


def test_a_version_given_as_a_number_is_read_as_the_text_written() -> None:
    config = load_config(None, [f"{STAGING_EKS}.kubernetes_version=1.36"])
    assert config.environments["staging"].regions["ap-east-2"].eks.kubernetes_version == "1.36"
    assert load_config(None, ["environments.staging.budget.monthly_limit_usd=900"]).environments[
        "staging"
    ].budget.monthly_limit_usd == pytest.approx(900)


def test_node_group_maximum_is_bounded_by_the_eks_quota() -> None:
    assert MAX_NODES_PER_MANAGED_NODE_GROUP == 450
    load_config(None, [f"{STAGING_EKS}.node_group.max_size=450"])
    with pytest.raises(ConfigError, match="at most 450 nodes"):
        load_config(None, [f"{STAGING_EKS}.node_group.max_size=451"])
    with pytest.raises(ConfigError, match="at most 450 nodes"):
        load_config(None, [f"{STAGING_EKS}.node_group.max_size=100000000000000000000"])


def test_fail_over_budget_nan_does_not_switch_the_gate_off() -> None:
    result = CliRunner().invoke(main.app, ["cost", "--env", "development", "--fail-over-budget", "nan"])
    assert result.exit_code == 1
    assert "--fail-over-budget needs a finite percentage, got nan" in result.stderr


def test_config_folder_and_binary_file_are_one_sentence(files: dict[str, Path]) -> None:
    with pytest.raises(ConfigError, match="is a folder"):
        load_config(files["dir"])
    with pytest.raises(ConfigError, match=r"is not text \(UTF-8\)"):
        load_config(files["binary"])


def test_chart_into_a_missing_folder_stops_before_pricing(files: dict[str, Path]) -> None:
    chart = files["dir"] / "missing" / "cost.png"
    result = CliRunner().invoke(main.app, ["cost", "--env", "development", "--chart", str(chart)])
    assert result.exit_code == 1
    assert f"the folder {chart.parent} does not exist" in result.stderr


def test_synthesis_clears_the_targets_folder_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = next(t for t in all_targets(load_config()) if t.environment == "development")
    stale = synth.target_directory(tmp_path, target) / "RemovedStack.template.json"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}", encoding="utf-8")

    class StopError(Exception):
        pass

    def stop(*_: Any, **__: Any) -> None:
        raise StopError

    import aws_cdk

    monkeypatch.setattr(aws_cdk, "App", stop)  # stop right after the folder is cleared, before jsii works
    with pytest.raises(StopError):
        synth.synthesize(load_config(), target, tmp_path)
    assert not stale.exists()


def test_ctrl_c_during_check_is_one_line(tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = dict(os.environ, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20", GENAI_INFRA_WORKERS="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "genai_infra.cli.main", "check", "--env", "development", "--out", str(out)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    deadline = time.monotonic() + 120
    while not out.exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)  # synthesis has begun once jsii writes into the folder
    time.sleep(1)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends: every process of the job, Node included
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == main.INTERRUPTED_EXIT, stderr
    assert "Traceback" not in stderr
    assert [line for line in stderr.splitlines() if line.strip()] == [
        "interrupted (Ctrl-C); a --out folder may hold half-written assemblies."
    ]
