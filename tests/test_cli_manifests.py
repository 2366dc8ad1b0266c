"""`genai-infra manifests` writes real YAML and names the values filled in at deploy time."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from genai_infra.cli import main
from genai_infra.config import load_config
from genai_infra.kubernetes import inspection_inputs, workload_manifests


def test_manifests_are_block_yaml_with_deploy_time_values_named() -> None:
    result = CliRunner().invoke(main.app, ["manifests", "--env", "production", "--region", "ap-northeast-1"])
    assert result.exit_code == 0, result.output
    expected = workload_manifests(inspection_inputs(load_config().environments["production"], "ap-northeast-1"))
    assert list(yaml.safe_load_all(result.stdout)) == expected
    body = [line for line in result.stdout.splitlines() if not line.startswith("#")]
    assert body[:3] == ["---", "apiVersion: v1", "kind: ServiceAccount"]  # block style, not JSON
    assert not [line for line in body if line.lstrip().startswith("{")]
    named = [line for line in result.stdout.splitlines() if line.startswith("#   ")]
    references = {line.split(": ", 1)[1] for line in named}
    assert "${EKSStack.AppTargetGroupArn}" in references
    assert any(reference.startswith("${EKSStack.EcrRepositoryUri}:") for reference in references)
    in_body = sum(line.count("${") for line in body)
    assert sum(reference.count("${") for reference in (line.split(": ", 1)[1] for line in named)) == in_body


def test_check_validates_the_manifests_against_the_kubernetes_schemas(monkeypatch: pytest.MonkeyPatch) -> None:
    from genai_infra.kubernetes import schemas

    production = load_config().environments["production"]
    passing = schemas.check_manifests(production, "ap-east-2")
    assert (passing.version, passing.problems) == ("1.36", [])
    real = schemas.workload_manifests

    def misspelt(inputs: Any) -> list[dict[str, Any]]:
        manifests = copy.deepcopy(real(inputs))
        deployment = next(m for m in manifests if m["kind"] == "Deployment")
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        container["readinesProbe"] = container.pop("readinessProbe")
        return manifests

    monkeypatch.setattr(schemas, "workload_manifests", misspelt)
    (problem,) = schemas.check_manifests(production, "ap-east-2").problems
    assert problem[0] == "Deployment/genai-demo-app"
    assert "readinesProbe" in problem[1]
