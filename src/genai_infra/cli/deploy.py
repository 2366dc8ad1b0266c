"""`genai-infra deploy`, `diff` and `destroy`: the pinned CDK CLI against synthesized cloud assemblies.

Each environment is synthesized once (`genai-infra synth --out`), then `cdk deploy --app <assembly>`
runs wave by wave in the order of genai_infra.deployment (checked against the assemblies by
genai_infra.deployment_assemblies), the CDK CLI run by genai_infra.cli.cdk_process, its progress
shown from CloudFormation's events by genai_infra.cli.deploy_progress. The first failing wave stops
the run; the command to resume is printed.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from genai_infra import deploy_verify, stack_events
from genai_infra.cli import common
from genai_infra.cli.aws import ProfileOption, checked_session
from genai_infra.cli.cdk_process import ANSI, NO_CREDENTIALS, cdk_environment, cdk_executable, with_profile
from genai_infra.cli.deploy_progress import Failure, report_failure, run_waves
from genai_infra.cli.options import ConfigOption, EnvOption, FromOption, SetOption
from genai_infra.config import ProjectConfig
from genai_infra.deployment import (
    PlanError,
    Wave,
    approval_level,
    check_selection,
    cloudformation_name,
    deploy_command,
    destroy_command,
    diff_command,
    plan_waves,
    resume_from,
    retained_resources,
)
from genai_infra.deployment_assemblies import (
    ordering_problems,
    templates_of,
    terminated_protected,
    unprotected_copies,
)
from genai_infra.synth import PROJECT_ROOT

if TYPE_CHECKING:
    from genai_infra.synth import Assembly
    from genai_infra.targets import Target

DEPLOY_FAILED_EXIT = 4  # a cdk step failed (1 stays "bad input, nothing ran")

RegionOption = Annotated[
    str | None, typer.Option(help="one region of the environment; all when omitted", metavar="REGION")
]
OutOption = Annotated[
    Path, typer.Option(help="directory for the cloud assemblies and the outputs files", metavar="DIR")
]


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
            (w, with_profile(deploy_command(cdk, w, directory[w.region], approval, out.resolve()), profile))
            for w in waves
        ]
        common.console.print(common.keep_whole(plan_table(waves, f"deploy {env} (--require-approval {approval})")))
        if dry_run:
            for _, command in steps:
                sys.stdout.write(shlex.join(command) + "\n")
            return
        failure = run_waves(steps, "deploy", "no changes", stack_events.cloudformation_clients(session))
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
            with_profile(diff_command(cdk, assembly.directory.resolve(), stacks), profile),
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
    session = None
    if not dry_run:
        common.confirmed(env, confirm, "destroy")
        session = checked_session(profile, config.environments[env], f"destroy of {env}")
    assemblies = common.target_assemblies(config, targets, out, source)
    table, retained = retained_table(assemblies, waves)
    common.console.print(common.keep_whole(table))
    common.console.print(
        f"{retained} resource(s) stay after their stacks are deleted (DeletionPolicy Retain/Snapshot)."
    )
    directory = {a.target.region: a.directory.resolve() for a in assemblies}
    steps = [(w, with_profile(destroy_command(cdk, w, directory[w.region]), profile)) for w in waves]
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
    failure = run_waves(steps, "destroy", "destroyed", stack_events.cloudformation_clients(session))
    if failure is None:
        common.errors.print(
            f"[green]destroyed[/] {env}: {sum(len(w.stacks) for w in waves)} stacks; {retained} retained."
        )
        return
    report_failure(failure, "destroy")
    raise typer.Exit(DEPLOY_FAILED_EXIT)
