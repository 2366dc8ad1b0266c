"""`genai-infra validate --env E`: the spec's validate:deployment against the deployed environment.

Health (ALB targets, Route 53 health checks, HTTPS /actuator/health), service discovery (EKS
cluster, node groups, add-ons) and data (Aurora, Redis, MSK) as one pass/fail table; exit 1 on
any failure. No synthesis: every name comes from naming.py and the configuration.
"""

from __future__ import annotations

import sys
from importlib.metadata import version
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from genai_infra.cli import common, reports
from genai_infra.cli.aws import ProfileOption, checked_session
from genai_infra.cli.options import ConfigOption, EnvOption, SetOption
from genai_infra.config import ConfigError, EnvironmentConfig, select_environment, select_region


def aws_clients(profile: str | None, environment: EnvironmentConfig, scope: str) -> tuple[Any, Any]:
    """A checked boto3 session (genai_infra.cli.aws) and a (region, service) -> client factory with a cache."""
    from botocore.config import Config

    session = checked_session(profile, environment, scope)
    # Bounded retries and timeouts: validation reports a slow API as a failure instead of hanging.
    config = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=10, read_timeout=30)
    cache: dict[tuple[str, str], Any] = {}

    def clients(region: str, service: str) -> Any:
        key = (region, service)
        if key not in cache:
            cache[key] = session.client(service, region_name=region, config=config)
        return cache[key]

    return session, clients


def validate(
    env: EnvOption,
    region: Annotated[str | None, typer.Option(help="one serving region; every serving region when omitted")] = None,
    probes: Annotated[
        bool,
        typer.Option(metavar="", help="open real connections (needs a route into the VPC, e.g. a runner inside it)"),
    ] = True,
    timeout: Annotated[float, typer.Option(help="seconds each network probe may take")] = 10.0,
    ca_bundle: Annotated[
        Path | None,
        typer.Option(
            "--ca-bundle",
            metavar="FILE",
            help="PEM CAs the PostgreSQL (verify-full) and Redis probes trust; the system store when omitted",
        ),
    ] = None,
    iam_login: Annotated[
        bool,
        typer.Option(
            metavar="",
            help="log in as the app's database user with an IAM token (--no-iam-login: reported as skipped, "
            "e.g. against the local emulator, whose PostgreSQL cannot verify the token)",
        ),
    ] = True,
    profile: ProfileOption = None,
    output_format: Annotated[
        str, typer.Option("--format", help=reports.FormatHelp, metavar="[table|json|sarif|junit]")
    ] = "table",
    config_file: ConfigOption = None,
    overrides: SetOption = None,
) -> None:
    """Check the deployed environment: health, service discovery and data connectivity; exit 1 on any failure.

    Example: genai-infra validate --env staging --no-probes --profile staging
    """
    from genai_infra.validation.suite import ProbeOptions, validate_environment

    if timeout <= 0:
        raise common.fail(f"--timeout must be a positive number of seconds, got {timeout}.")
    if ca_bundle is not None and not ca_bundle.is_file():
        raise common.fail(f"--ca-bundle {ca_bundle} is not a file; pass a PEM file of CA certificates.")
    if output_format not in reports.FORMATS:
        raise common.fail(f"unknown format {output_format!r}; use {reports.FormatHelp}.")
    config = common.project_config(config_file, overrides)
    try:
        environment = select_environment(config, env)
        regions = list(environment.regions) if region is None else [select_region(environment, region)]
    except ConfigError as error:
        raise common.fail(str(error)) from None
    if regions[0] not in environment.regions:
        raise common.fail(
            f"{regions[0]} is the global region of {env}; validate a serving region: {', '.join(environment.regions)}."
        )
    session, clients = aws_clients(profile, environment, f"validate of {env}")
    from genai_infra.validation.kubernetes_api import eks_token

    options = ProbeOptions(
        enabled=probes,
        timeout=timeout,
        postgres_root_cert=None if ca_bundle is None else str(ca_bundle),
        redis_ca_file=None if ca_bundle is None else str(ca_bundle),
        kubernetes_token=lambda cluster, where: eks_token(session, cluster, where),
        iam_login=iam_login,
    )
    with common.errors.status(f"validating {env} in {', '.join(regions)}"):
        outcomes = validate_environment(environment, regions, clients, options)
    failed = sum(not outcome.result.passed and not outcome.result.skipped for outcome in outcomes)
    skipped = sum(outcome.result.skipped for outcome in outcomes)
    if output_format != "table":
        results = [
            reports.Result(
                o.region,
                o.group,
                o.result.name,
                "ok" if o.result.passed else "warning" if o.result.skipped else "error",
                o.result.name,
                o.result.reason,
                passed=o.result.passed,
            )
            for o in outcomes
        ]
        tool = f"genai-infra validate {env}"
        sys.stdout.write(reports.render(output_format, tool, version("genai-demo-infra"), results))
        if failed:
            raise common.fail(f"{failed} of {len(outcomes)} validation check(s) failed in {env}.")
        return
    table = Table("region", "group", "check", "result", "reason", title=f"genai-infra validate {env}")
    for outcome in outcomes:
        verdict = (
            "[green]pass[/]"
            if outcome.result.passed
            else "[yellow]skip[/]"
            if outcome.result.skipped
            else "[red]FAIL[/]"
        )
        table.add_row(outcome.region, outcome.group, outcome.result.name, verdict, outcome.result.reason)
    common.console.print(common.keep_whole(table))
    passed = len(outcomes) - failed - skipped
    common.console.print(
        f"{passed} of {len(outcomes)} checks pass" + (f", {skipped} skipped (not verified)." if skipped else ".")
    )
    if failed:
        raise common.fail(f"{failed} of {len(outcomes)} validation check(s) failed in {env}; see the table above.")
