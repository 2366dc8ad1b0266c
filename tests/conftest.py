"""Synthesize each of the seven targets once per test session; tests read the templates."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from filelock import FileLock
from moto import mock_aws

from genai_infra.config import ProjectConfig, load_config
from genai_infra.config.loader import CONVENTIONAL_FILE, config_variables
from genai_infra.synth import Assembly, synthesize, target_directory
from genai_infra.targets import Target, all_targets

# Hermetic configuration: a GENAI_INFRA_ configuration variable left in the shell would change what
# every test loads (the tools' own GENAI_INFRA_CDK, _CHECKOV and _WORKERS are not configuration and stay).
for _name in config_variables(os.environ):
    del os.environ[_name]


def pytest_configure(config: pytest.Config) -> None:
    if CONVENTIONAL_FILE.exists():
        raise pytest.UsageError(
            f"{CONVENTIONAL_FILE.resolve()} would change the configuration every test loads; move it away to test."
        )


def use_session_assemblies(monkeypatch: pytest.MonkeyPatch, assemblies: dict[tuple[str, str], Assembly]) -> None:
    """The CLI in process with wide output, taking the session's assemblies instead of synthesizing."""
    from rich.console import Console

    from genai_infra.cli import common

    monkeypatch.setattr(common, "console", Console(width=250))
    monkeypatch.setattr(common, "errors", Console(stderr=True, width=250))
    monkeypatch.setattr(
        common,
        "synthesize_targets",
        lambda config, targets, out: [assemblies[(t.environment, t.region)] for t in targets],
    )


@pytest.fixture
def moto_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """AWS answered in process by moto, with no profile or session of the caller's in reach."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    # moto's documented fake credentials: no real account is reachable from these tests.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield


@pytest.fixture(scope="session")
def config() -> ProjectConfig:
    return load_config()


@pytest.fixture(scope="session")
def assemblies(
    config: ProjectConfig, tmp_path_factory: pytest.TempPathFactory, worker_id: str
) -> dict[tuple[str, str], Assembly]:
    """Each target synthesized once for the whole run, shared by the xdist workers.

    Synthesis is deterministic, so one copy serves every worker: each worker walks the targets
    from its own starting point and synthesizes those nobody has claimed yet (a lock and a marker
    per target), so two workers split the seven targets instead of both doing all seven.
    """
    targets = all_targets(config)
    if worker_id == "master":  # not under xdist
        out = tmp_path_factory.mktemp("cdk-out")
        return {(t.environment, t.region): synthesize(config, t, out) for t in targets}
    shared = tmp_path_factory.getbasetemp().parent  # the same folder for every worker of this run
    out, markers = shared / "cdk-out", shared / "cdk-out-markers"
    markers.mkdir(exist_ok=True)
    start = int(worker_id.removeprefix("gw")) * len(targets) // int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    for target in targets[start:] + targets[:start]:
        marker = markers / f"{target.environment}-{target.region}"
        with FileLock(f"{marker}.lock"):
            if not marker.is_file():
                synthesize(config, target, out)
                marker.touch()
    return {(t.environment, t.region): Assembly(t, target_directory(out, t)) for t in targets}


class Template:
    """A synthesized template with the look-ups the tests need."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.resources: dict[str, dict[str, Any]] = data.get("Resources", {})

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {key: value for key, value in self.resources.items() if value["Type"] == resource_type}

    def props(self, resource_type: str) -> list[dict[str, Any]]:
        return [value.get("Properties", {}) for value in self.of_type(resource_type).values()]

    def one(self, resource_type: str) -> dict[str, Any]:
        found = self.props(resource_type)
        assert len(found) == 1, f"expected one {resource_type}, found {len(found)}"
        return found[0]


@pytest.fixture(scope="session")
def template(assemblies: dict[tuple[str, str], Assembly]) -> Any:
    def get(environment: str, region: str, stack: str) -> Template:
        return Template(assemblies[(environment, region)].template(stack))

    return get


SERVING_TARGETS = [
    ("development", "ap-northeast-1"),
    ("staging", "ap-east-2"),
    ("production", "ap-east-2"),
    ("production", "ap-northeast-1"),
]
ALL_TARGETS = [*SERVING_TARGETS, ("development", "us-east-1"), ("staging", "us-east-1"), ("production", "us-east-1")]


def render(value: Any) -> Any:
    """Render Fn::Join / Ref of pseudo parameters to a readable string, e.g. arn:${AWS::Partition}:..."""
    if isinstance(value, dict) and len(value) == 1:
        ((key, inner),) = value.items()
        if key == "Fn::Join":
            separator, parts = inner
            return separator.join(str(render(part)) for part in parts)
        if key == "Ref":
            return "${" + inner + "}"
    if isinstance(value, list):
        return [render(item) for item in value]
    return value


def target_of(environment: str, region: str, config: ProjectConfig) -> Target:
    return next(t for t in all_targets(config) if (t.environment, t.region) == (environment, region))


def targets_with(stack: str) -> list[tuple[str, str]]:
    """The (environment, region) targets of the default configuration that hold `stack` (decision C12)."""
    return [(t.environment, t.region) for t in all_targets(load_config()) if stack in t.stacks]
