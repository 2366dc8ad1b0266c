"""`genai-infra deploy`, `diff` and `destroy`: the pinned CDK CLI against synthesized cloud assemblies.

Each environment is synthesized once (`genai-infra synth --out`), then `cdk deploy --app <assembly>`
runs wave by wave in the order of genai_infra.deployment, with a live view of the phase, region,
stacks and the last CloudFormation event of each. The first failing wave stops the run; the
command to resume is printed. GENAI_INFRA_CDK names another CDK executable (the tests use a fake).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.live import Live
from rich.table import Table

from genai_infra import deploy_verify
from genai_infra.cli import common
from genai_infra.cli.aws import ProfileOption, checked_session
from genai_infra.cli.options import ConfigOption, EnvOption, FromOption, SetOption
from genai_infra.config import ProjectConfig
from genai_infra.deployment import (
    Need,
    PlanError,
    Templates,
    Wave,
    approval_level,
    check_selection,
    cloudformation_name,
    cross_region_needs,
    deploy_command,
    destroy_command,
    diff_command,
    plan_waves,
    resume_from,
    retained_resources,
    unsatisfied,
)
from genai_infra.synth import PROJECT_ROOT

if TYPE_CHECKING:
    from genai_infra.synth import Assembly
    from genai_infra.targets import Target

DEPLOY_FAILED_EXIT = 4  # a cdk step failed (1 stays "bad input, nothing ran")
CDK_ENV = "GENAI_INFRA_CDK"
NO_CREDENTIALS = "Unable to resolve AWS account"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
EVENT = re.compile(r"\|\s*(?P<status>[A-Z_]+)(?: \(skipped\))?\s*\|\s*(?P<type>[A-Za-z0-9:]+)\s*\|\s*(?P<what>.*)$")
ERROR_MARKERS = ("FAILED", "ROLLBACK", "❌", "Error", "error:")

RegionOption = Annotated[
    str | None, typer.Option(help="one region of the environment; all when omitted", metavar="REGION")
]
OutOption = Annotated[
    Path, typer.Option(help="directory for the cloud assemblies and the outputs files", metavar="DIR")
]


def cdk_executable() -> str:
    chosen = os.environ.get(CDK_ENV) or str(PROJECT_ROOT / "node_modules" / ".bin" / "cdk")
    if not Path(chosen).is_file():
        raise common.fail(f"the CDK CLI {chosen} does not exist; run `bash scripts/setup.sh` (npm ci) first.")
    return chosen


def cdk_environment() -> dict[str, str]:
    """The caller's environment (credentials, profile) with the project's Node first on PATH."""
    env = dict(os.environ)
    env["PATH"] = f"{PROJECT_ROOT / 'node_modules' / '.bin'}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("CDK_DISABLE_CLI_TELEMETRY", "true")
    env.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    return env


def templates_of(assemblies: Sequence[Assembly]) -> Templates:
    return {
        assembly.target.region: {stack: assembly.template(stack) for stack in stack_artifacts(assembly)}
        for assembly in assemblies
    }


def stack_artifacts(assembly: Assembly) -> dict[str, list[str]]:
    """Stack id -> the stacks it depends on, as the cloud assembly's manifest records them."""
    manifest = json.loads((assembly.directory / "manifest.json").read_text(encoding="utf-8"))
    artifacts = manifest["artifacts"]
    return {
        name: [d for d in artifact.get("dependencies", []) if artifacts.get(d, {}).get("type") == artifact["type"]]
        for name, artifact in artifacts.items()
        if artifact.get("type") == "aws:cloudformation:stack"
    }


def ordering_problems(waves: Sequence[Wave], assemblies: Sequence[Assembly]) -> list[Need]:
    """Dependencies the plan would violate: the manifests' own, and reads across regions."""
    needs = [
        Need(assembly.target.region, stack, assembly.target.region, dependency, "declared dependency")
        for assembly in assemblies
        for stack, dependencies in stack_artifacts(assembly).items()
        for dependency in dependencies
    ]
    return unsatisfied(waves, needs + cross_region_needs(templates_of(assemblies)))


# --- Running cdk with a live view ------------------------------------------------------------------


@dataclass
class StackProgress:
    state: str = "waiting"
    event: str = ""


@dataclass
class StepOutcome:
    returncode: int
    lines: list[str] = field(default_factory=list)
    stacks: dict[str, StackProgress] = field(default_factory=dict)

    def failed_stack(self, wave: Wave) -> str:
        """The stack to name in the failure: one cdk reported failed, else the first that did not finish."""
        for state in ("failed", "running", "waiting"):
            for stack in wave.stacks:
                if self.stacks[stack].state == state:
                    return stack
        return wave.stacks[0]

    def error_lines(self, limit: int = 12) -> list[str]:
        marked = [line for line in self.lines if any(marker in line for marker in ERROR_MARKERS)]
        return (marked or self.lines)[-limit:]


def _stack_of(line: str, wave: Wave) -> str | None:
    for stack in wave.stacks:
        if cloudformation_name(wave, stack) in line or re.search(rf"(^|\s){re.escape(stack)}(\s|:|$)", line):
            return stack
    return None


def _record(line: str, wave: Wave, progress: dict[str, StackProgress], done_marker: str) -> None:
    stack = _stack_of(line, wave)
    if stack is None:
        return
    entry = progress[stack]
    if entry.state == "waiting":
        entry.state = "running"
    event = EVENT.search(line)
    if event:
        entry.event = f"{event['status']} {event['type']} {event['what'].strip()}"[:110]
        if event["type"] == "AWS::CloudFormation::Stack" and (
            "FAILED" in event["status"] or "ROLLBACK" in event["status"]
        ):
            entry.state = "failed"
    if "❌" in line:
        entry.state = "failed"
    elif "✅" in line or done_marker in line:
        entry.state = "done"


def run_step(
    command: Sequence[str],
    wave: Wave,
    on_change: Callable[[StepOutcome], None],
    on_prompt: Callable[[str, StepOutcome], None],
    done_marker: str,
    stdin: int | None = None,
    on_event: Callable[[str, str], None] | None = None,
) -> StepOutcome:
    """Run one cdk call, reading its output as it comes; the terminal stays its stdin for approval prompts."""
    outcome = StepOutcome(0, stacks={stack: StackProgress() for stack in wave.stacks})
    process = subprocess.Popen(
        list(command),
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=cdk_environment(),
        cwd=PROJECT_ROOT,
    )
    assert process.stdout is not None
    pending = ""
    while chunk := os.read(process.stdout.fileno(), 65536):
        pending += chunk.decode("utf-8", errors="replace")
        *complete, pending = pending.split("\n")
        for raw in complete:
            line = ANSI.sub("", raw).rstrip()
            if line:
                outcome.lines.append(line)
                _record(line, wave, outcome.stacks, done_marker)
                stack = _stack_of(line, wave) if on_event is not None and EVENT.search(line) else None
                if on_event is not None and stack is not None:
                    on_event(stack, outcome.stacks[stack].event)
        # cdk asks "Do you wish to deploy these changes (y/n)?" without a newline and waits on stdin.
        if "(y/n)" in pending:
            on_prompt(ANSI.sub("", pending), outcome)
            pending = ""
        on_change(outcome)
    outcome.returncode = process.wait()
    if outcome.returncode == 0:
        for entry in outcome.stacks.values():
            entry.state = "done"
    on_change(outcome)
    return outcome


STATE_STYLE = {"waiting": "dim", "running": "yellow", "done": "green", "failed": "red"}


def progress_view(index: int, total: int, wave: Wave, outcome: StepOutcome, verb: str) -> Table:
    table = Table(
        "phase", "region", "stack", "state", "last CloudFormation event", title=f"{verb} wave {index}/{total}"
    )
    for stack in wave.stacks:
        entry = outcome.stacks[stack]
        state = f"[{STATE_STYLE.get(entry.state, '')}]{entry.state}[/]"
        table.add_row(str(wave.phase), wave.region, stack, state, entry.event)
    return table


@dataclass(frozen=True)
class Failure:
    wave: Wave
    stack: str
    outcome: StepOutcome


def run_waves(steps: Sequence[tuple[Wave, list[str]]], verb: str, done_marker: str) -> Failure | None:
    """Run the steps in order (a live view on a terminal, one line per event otherwise); stop at the first failure."""

    for index, (wave, command) in enumerate(steps, start=1):
        started = time.monotonic()
        initial = StepOutcome(0, stacks={stack: StackProgress() for stack in wave.stacks})
        if not sys.stdout.isatty():
            result = _run_plain(command, wave, verb, done_marker)
        else:
            result = _run_live(index, len(steps), wave, command, initial, verb, done_marker)
        seconds = time.monotonic() - started
        if result.returncode != 0:
            common.errors.print(common.keep_whole(progress_view(index, len(steps), wave, result, verb)))
            return Failure(wave, result.failed_stack(wave), result)
        common.errors.print(f"[green]✓[/] {verb} {wave.label} ({seconds:.0f} s)", highlight=False)
    return None


def _run_plain(command: Sequence[str], wave: Wave, verb: str, done_marker: str) -> StepOutcome:
    """Stdout is a log (CI, a pipe): one line per CloudFormation stack event, no live redrawing."""

    def event(stack: str, text: str) -> None:
        sys.stdout.write(f"{verb} phase {wave.phase} {wave.region} {stack}: {text}\n")
        sys.stdout.flush()

    def prompt(text: str, current: StepOutcome) -> None:
        common.errors.print("\n".join(current.lines[-40:]), highlight=False, markup=False)
        common.errors.print(text, end="", highlight=False, markup=False)

    return run_step(command, wave, lambda _: None, prompt, done_marker, on_event=event)


def _run_live(
    index: int, total: int, wave: Wave, command: Sequence[str], initial: StepOutcome, verb: str, done_marker: str
) -> StepOutcome:
    """A terminal: a table of the wave's stacks, redrawn as events come."""
    with Live(
        progress_view(index, total, wave, initial, verb),
        console=common.errors,
        refresh_per_second=4,
        transient=True,
    ) as live:

        def prompt(text: str, current: StepOutcome) -> None:
            # Show what cdk asks about (the security changes), then let the operator answer it.
            live.stop()
            common.errors.print("\n".join(current.lines[-40:]), highlight=False, markup=False)
            common.errors.print(text, end="", highlight=False, markup=False)
            live.start()

        def changed(current: StepOutcome) -> None:
            live.update(progress_view(index, total, wave, current, verb))

        return run_step(command, wave, changed, prompt, done_marker)


# --- Commands ----------------------------------------------------------------------------------------


def _plan(
    env: str,
    region: str | None,
    stacks: list[str] | None,
    config_file: Path | None,
    overrides: list[str] | None,
    source: Path | None,
) -> tuple[ProjectConfig, list[Target], list[Wave]]:
    common.refuse_overrides_with_source(source, overrides)
    config = common.project_config(config_file, overrides)
    targets = common.chosen_targets(config, env, region)
    try:
        if stacks:
            check_selection(targets, stacks)
        return config, targets, plan_waves(targets, set(stacks) if stacks else None)
    except PlanError as error:
        raise common.fail(str(error)) from None


def _with_profile(command: list[str], profile: str | None) -> list[str]:
    return [*command, "--profile", profile] if profile else command


def plan_table(waves: Sequence[Wave], title: str) -> Table:
    table = Table("wave", "phase", "region", "stacks (concurrently)", title=title)
    for index, wave in enumerate(waves, start=1):
        table.add_row(str(index), str(wave.phase), wave.region, ", ".join(wave.stacks))
    return table


def resume_command(arguments: Sequence[str], failure: Failure) -> str:
    """The deploy command line that was run, restarting at the failed stack."""
    return shlex.join(["genai-infra", *arguments, "--resume-from", f"{failure.wave.region}/{failure.stack}"])


def deploy_arguments(
    env: str,
    region: str | None,
    stacks: list[str] | None,
    approval: str | None,
    out: Path,
    config_file: Path | None,
    overrides: list[str] | None,
    source: Path | None = None,
    profile: str | None = None,
) -> list[str]:
    """The options that shape a deployment, as a command line (for the resume hint)."""
    argv = ["deploy", "--env", env]
    argv += ["--region", region] if region else []
    for name in stacks or []:
        argv += ["--stack", name]
    argv += ["--require-approval", approval] if approval else []
    argv += ["--from", str(source)] if source else []
    argv += ["--out", str(out)] if out != Path("cdk.out") else []
    argv += ["--profile", profile] if profile else []
    argv += ["--config", str(config_file)] if config_file else []
    for override in overrides or []:
        argv += ["--set", override]
    return argv


def session_clients(session: Any) -> deploy_verify.ClientFactory:
    """Clients of the checked session (its profile), for the read-back after the deployment."""
    if session is None:
        return deploy_verify.boto3_clients
    return lambda region, service: session.client(service, region_name=region)


def deploy(
    env: EnvOption,
    region: RegionOption = None,
    stack: Annotated[list[str] | None, typer.Option("--stack", help="only this stack (repeatable)")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", metavar="", help="print the cdk commands and exit")] = False,
    resume: Annotated[str | None, typer.Option("--resume-from", help="STACK or REGION/STACK to restart at")] = None,
    require_approval: Annotated[
        str | None,
        typer.Option(
            help="never, any-change or broadening (default: broadening in production)",
            metavar="[never|any-change|broadening]",
        ),
    ] = None,
    source: FromOption = None,
    without_termination_protection: Annotated[
        bool,
        typer.Option(
            "--without-termination-protection",
            metavar="",
            help="deploy a copy of the --from assemblies with termination protection off (the local emulator "
            "rejects it); the checked folder is not changed",
        ),
    ] = False,
    out: OutOption = Path("cdk.out"),
    profile: ProfileOption = None,
    config_file: ConfigOption = None,
    overrides: SetOption = None,
) -> None:
    """Deploy an environment phase by phase with the pinned CDK CLI (primary, secondary, then us-east-1).

    With --from DIR it deploys the assemblies `genai-infra check --out DIR` (or `synth --out DIR`)
    checked, without synthesizing again: what was checked is what is deployed.
    Example: genai-infra deploy --env staging --from cdk.out/main
    """
    from genai_infra.cli.check import report_preflight

    if without_termination_protection and source is None:
        raise common.fail("--without-termination-protection rewrites a copy of checked assemblies; add --from DIR.")
    config, targets, waves = _plan(env, region, stack, config_file, overrides, source)
    try:
        approval = approval_level(env, require_approval)
        if resume:
            waves = resume_from(waves, resume)
    except PlanError as error:
        raise common.fail(str(error)) from None
    cdk = cdk_executable()
    session = None if dry_run else checked_session(profile, config.environments[env], f"deploy of {env}")
    assemblies = common.target_assemblies(config, targets, out, source)
    if report_preflight(assemblies, common.errors):
        raise common.fail("preflight found errors; see the findings above (genai-infra check --env for all checks).")
    problems = ordering_problems(waves, assemblies)
    if problems:
        first = problems[0]
        raise common.fail(
            f"the plan would deploy {first.region}/{first.stack} before {first.on_region}/{first.on_stack}, "
            f"which it needs ({first.reason}); fix genai_infra.deployment."
        )
    with tempfile.TemporaryDirectory(prefix="genai-deploy-") as scratch:
        if without_termination_protection:
            assemblies = unprotected_copies(assemblies, Path(scratch))
        directory = {a.target.region: a.directory.resolve() for a in assemblies}
        steps = [
            (w, _with_profile(deploy_command(cdk, w, directory[w.region], approval, out.resolve()), profile))
            for w in waves
        ]
        common.console.print(common.keep_whole(plan_table(waves, f"deploy {env} (--require-approval {approval})")))
        if dry_run:
            for _, command in steps:
                sys.stdout.write(shlex.join(command) + "\n")
            return
        failure = run_waves(steps, "deploy", "no changes")
    if failure is None:
        # Never trust CREATE_COMPLETE: read every stack back against its template (genai_infra.deploy_verify),
        # with the same credentials (and --profile) the deployment used.
        templates = templates_of(assemblies)
        deployed = [(w.region, cloudformation_name(w, s), templates[w.region][s]) for w in waves for s in w.stacks]
        for mismatch in (mismatches := deploy_verify.verify_stacks(deployed, session_clients(session))):
            common.errors.print(f"[red]error:[/red] deployed but not as declared: {mismatch}", highlight=False)
        if mismatches:
            raise typer.Exit(DEPLOY_FAILED_EXIT)
        common.errors.print(
            f"[green]deployed[/] {env}: {len(steps)} waves, {sum(len(w.stacks) for w in waves)} stacks."
        )
        return
    report_failure(failure, "deploy")
    arguments = deploy_arguments(env, region, stack, require_approval, out, config_file, overrides, source, profile)
    common.errors.print(f"resume with: {resume_command(arguments, failure)}", highlight=False, soft_wrap=True)
    raise typer.Exit(DEPLOY_FAILED_EXIT)


def unprotected_copies(assemblies: Sequence[Assembly], scratch: Path) -> list[Assembly]:
    """Copies of the assemblies whose stacks carry no termination protection; the originals stay as checked."""
    from genai_infra.synth import Assembly

    copies = []
    for assembly in assemblies:
        copy = scratch / assembly.directory.name
        shutil.copytree(assembly.directory, copy)
        manifest_path = copy / "manifest.json"
        manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
        for artifact in manifest["artifacts"].values():
            if artifact.get("type") == "aws:cloudformation:stack":
                artifact.get("properties", {}).pop("terminationProtection", None)
        manifest_path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        copies.append(Assembly(assembly.target, copy))
    return copies


def report_failure(failure: Failure, verb: str) -> None:
    wave = failure.wave
    common.errors.print(
        f"[red]error:[/red] {verb} failed in phase {wave.phase}, {wave.region}, stack {failure.stack} "
        f"({cloudformation_name(wave, failure.stack)}), cdk exit code {failure.outcome.returncode}.",
        highlight=False,
    )
    common.errors.print("last error lines:", highlight=False)
    for line in failure.outcome.error_lines():
        common.errors.print(f"  {line}", highlight=False, markup=False)


def diff(
    env: EnvOption,
    region: RegionOption = None,
    source: FromOption = None,
    out: OutOption = Path("cdk.out"),
    profile: ProfileOption = None,
    config_file: ConfigOption = None,
    overrides: SetOption = None,
) -> None:
    """cdk diff of every target of an environment against what is deployed (needs AWS credentials).

    Example: genai-infra diff --env staging --from cdk.out/main
    """
    config, targets, waves = _plan(env, region, None, config_file, overrides, source)
    cdk = cdk_executable()
    checked_session(profile, config.environments[env], f"cdk diff of {targets[0].label if region else env}")
    assemblies = common.target_assemblies(config, targets, out, source)
    for assembly in assemblies:
        stacks = [s for w in waves if w.region == assembly.target.region for s in w.stacks]
        result = subprocess.run(
            _with_profile(diff_command(cdk, assembly.directory.resolve(), stacks), profile),
            capture_output=True,
            text=True,
            env=cdk_environment(),
            cwd=PROJECT_ROOT,
            check=False,
        )
        text = ANSI.sub("", result.stdout + result.stderr)
        if result.returncode != 0 and NO_CREDENTIALS in text:
            raise common.fail(
                f"cdk diff of {assembly.target.label} needs AWS credentials and found none; configure a profile "
                "(AWS_PROFILE) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for the target account and run it again."
            )
        common.console.print(f"[bold]{assembly.target.label}[/]")
        common.console.print(text, highlight=False, markup=False)
        if result.returncode != 0:
            last = next((line for line in reversed(text.splitlines()) if line.strip()), "no output")
            raise common.fail(f"cdk diff of {assembly.target.label} failed (exit {result.returncode}): {last.strip()}")


def retained_table(assemblies: Sequence[Assembly], waves: Sequence[Wave]) -> tuple[Table, int]:
    chosen = {(w.region, s) for w in waves for s in w.stacks}
    table = Table("region", "stack", "resource", "type", "deletion policy", title="left behind by destroy")
    count = 0
    for assembly in assemblies:
        stacks = {
            s: t
            for s, t in templates_of([assembly])[assembly.target.region].items()
            if (assembly.target.region, s) in chosen
        }
        for item in retained_resources(assembly.target.region, stacks):
            table.add_row(item.region, item.stack, item.logical_id, item.resource_type, item.policy)
            count += 1
    return table, count


def terminated_protected(assemblies: Sequence[Assembly]) -> list[tuple[str, str]]:
    """(region, CloudFormation stack name) of stacks with termination protection on."""
    found = []
    for assembly in assemblies:
        manifest: dict[str, Any] = json.loads((assembly.directory / "manifest.json").read_text(encoding="utf-8"))
        for artifact in manifest["artifacts"].values():
            properties = artifact.get("properties", {})
            if artifact.get("type") == "aws:cloudformation:stack" and properties.get("terminationProtection"):
                found.append((assembly.target.region, str(properties["stackName"])))
    return found


def destroy(
    env: EnvOption,
    region: RegionOption = None,
    stack: Annotated[list[str] | None, typer.Option("--stack", help="only this stack (repeatable)")] = None,
    confirm: Annotated[
        str | None, typer.Option(help="the environment's name, instead of typing it back (CI)", metavar="ENV")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", metavar="", help="print the cdk commands and what stays, then exit")
    ] = False,
    source: FromOption = None,
    out: OutOption = Path("cdk.out"),
    profile: ProfileOption = None,
    config_file: ConfigOption = None,
    overrides: SetOption = None,
) -> None:
    """Destroy an environment in reverse deployment order; its name must be typed back first.

    Example: genai-infra destroy --env development --confirm development
    """
    config, targets, waves = _plan(env, region, stack, config_file, overrides, source)
    waves = list(reversed(waves))
    cdk = cdk_executable()
    if not dry_run:
        common.confirmed(env, confirm, "destroy")
        checked_session(profile, config.environments[env], f"destroy of {env}")
    assemblies = common.target_assemblies(config, targets, out, source)
    table, retained = retained_table(assemblies, waves)
    common.console.print(common.keep_whole(table))
    common.console.print(
        f"{retained} resource(s) stay after their stacks are deleted (DeletionPolicy Retain/Snapshot)."
    )
    directory = {a.target.region: a.directory.resolve() for a in assemblies}
    steps = [(w, _with_profile(destroy_command(cdk, w, directory[w.region]), profile)) for w in waves]
    common.console.print(common.keep_whole(plan_table(waves, f"destroy {env} (reverse deployment order)")))
    if dry_run:
        for _, command in steps:
            sys.stdout.write(shlex.join(command) + "\n")
        return
    protected = terminated_protected(assemblies)
    if protected:
        common.errors.print(
            f"[yellow]note:[/] {len(protected)} stack(s) have termination protection; CloudFormation refuses to delete "
            "them until it is turned off, e.g. aws cloudformation update-termination-protection "
            f"--no-enable-termination-protection --region {protected[0][0]} --stack-name {protected[0][1]}",
            highlight=False,
        )
    failure = run_waves(steps, "destroy", "destroyed")
    if failure is None:
        common.errors.print(
            f"[green]destroyed[/] {env}: {sum(len(w.stacks) for w in waves)} stacks; {retained} retained."
        )
        return
    report_failure(failure, "destroy")
    raise typer.Exit(DEPLOY_FAILED_EXIT)
