"""The cost gate of the pipeline (decision C13) and the pull-request cost diff (issue 15 item 4)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

WORKFLOWS = Path(__file__).resolve().parents[1] / ".github" / "workflows"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    return data


def runs(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def test_actionlint_passes_on_the_cost_diff_workflow() -> None:
    result = subprocess.run(
        ["actionlint", "-no-color", str(WORKFLOWS / "cost-diff.yml")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_deploy_gate_is_on_the_rise_against_the_last_deployed_assembly() -> None:
    job = load("deploy.yml")["jobs"]["cost-gate"]
    script = runs(job)
    assert "genai-infra cost diff last-deployed.out cdk.out" in script
    assert '--fail-on-increase "$COST_GATE_INCREASE_PERCENT"' in script
    assert "--fail-over-budget" not in script
    download = next(s for s in job["steps"] if s.get("with", {}).get("path") == "last-deployed.out")
    assert download["with"]["run-id"] == "${{ steps.last-deployed.outputs.run-id }}"
    assert job["permissions"] == {"contents": "read", "actions": "read"}


def test_pull_requests_get_the_diff_as_a_comment_and_a_gate() -> None:
    workflow = load("cost-diff.yml")
    assert workflow[True]["pull_request"]["branches"] == ["main"]  # YAML reads the key `on` as True
    assert workflow["permissions"] == {"contents": "read"}
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read", "pull-requests": "write"}
    script = runs(job)
    assert "genai-infra cost --compare --from cdk.out --format json" in script
    assert 'genai-infra cost diff "$RUNNER_TEMP/base-cost.json" cdk.out --format markdown' in script
    assert '--fail-on-increase "$COST_GATE_INCREASE_PERCENT"' in script
    assert 'gh pr comment "$PR"' in script
    names = [step.get("name") for step in job["steps"]]
    assert names.index("post the diff on the pull request") < names.index("gate on the increase")
