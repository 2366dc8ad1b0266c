"""`genai-infra failover --env production --to REGION`: the DR drill as ordered, checked, timed steps."""

from __future__ import annotations

from typing import Annotated

import typer

from genai_infra.cli import common
from genai_infra.cli.aws import ProfileOption
from genai_infra.cli.options import ConfigOption, SetOption
from genai_infra.config import ConfigError, select_environment
from genai_infra.validation.failover import FailoverError, StepReport, drill_steps, refuse_unless_drillable, run_steps


def failover(
    env: Annotated[str, typer.Option("--env", "-e", help="an environment with a secondary region (production)")],
    to: Annotated[str, typer.Option("--to", help="the region that becomes primary, e.g. ap-northeast-1")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", metavar="", help="print the plan only; call no AWS API")
    ] = False,
    unplanned: Annotated[
        bool, typer.Option("--unplanned", metavar="", help="the primary region is lost: fail over with AllowDataLoss")
    ] = False,
    timeout: Annotated[float, typer.Option(help="seconds each step may wait for AWS to finish")] = 1800.0,
    yes: Annotated[bool, typer.Option("--yes", "-y", metavar="", help="do not ask (planned switchover only)")] = False,
    confirm: Annotated[
        str | None,
        typer.Option(help="the environment's name, instead of typing it back (needed for --unplanned in CI)"),
    ] = None,
    profile: ProfileOption = None,
    config_file: ConfigOption = None,
    overrides: SetOption = None,
) -> None:
    """Move Aurora's and Redis's writers to another region and report where Route 53 sends traffic.

    Asks for the environment's name first; --unplanned (which may lose data) takes no --yes.
    Example: genai-infra failover --env production --to ap-northeast-1 --dry-run
    """
    from genai_infra.cli.validate import aws_clients
    from genai_infra.validation.failover import Waiting

    if timeout <= 0:
        raise common.fail(f"--timeout must be a positive number of seconds, got {timeout}.")
    config = common.project_config(config_file, overrides)
    try:
        environment = select_environment(config, env)
        refuse_unless_drillable(environment, to)
    except (ConfigError, FailoverError) as error:
        raise common.fail(str(error)) from None
    kind = "unplanned failover" if unplanned else "planned switchover"
    if dry_run:
        # The plan needs no client: the steps are built with a factory that is never called.
        def unused(region: str, service: str) -> None:
            raise AssertionError("a dry run calls no AWS API")

        common.console.print(f"[bold]{env}: {kind} to {to}[/] (dry run, nothing is changed)")
        for number, step in enumerate(drill_steps(environment, to, unused, unplanned=unplanned), start=1):
            common.console.print(f"  {number}. {step.title}")
        return
    if unplanned or not yes:
        common.confirmed(env, confirm, kind)
    _, clients = aws_clients(profile, environment, f"failover of {env}")
    common.console.print(f"[bold]{env}: {kind} to {to}[/]")

    def report(step: StepReport) -> None:
        verdict = "[green]done[/]" if step.passed else "[red]FAILED[/]"
        common.console.print(f"  {step.number}. {step.title}: {verdict} in {step.seconds:.1f} s\n     {step.detail}")

    steps = drill_steps(environment, to, clients, unplanned=unplanned, waiting=Waiting(timeout_seconds=timeout))
    if not run_steps(steps, report):
        raise common.fail(f"the {kind} to {to} stopped at a failed step; see the step above.")
