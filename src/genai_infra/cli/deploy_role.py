"""`genai-infra bootstrap` and `genai-infra deploy-role`: what an operator runs once per environment.

`bootstrap` runs `cdk bootstrap` in every region of an environment under the environment's own
qualifier and toolkit stack (decision S6, genai_infra.bootstrap). `deploy-role` synthesizes the
environment's DeployRoleStack (the role GitHub Actions assumes) and deploys it with the pinned CDK
CLI. Both print their exact commands with --dry-run, and run with the operator's credentials.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from genai_infra.bootstrap import bootstrap_command
from genai_infra.cli import common
from genai_infra.cli.options import ConfigOption, EnvOption, SetOption
from genai_infra.config import ConfigError, select_environment

ACCOUNT = re.compile(r"^\d{12}$")
DryRunOption = Annotated[bool, typer.Option("--dry-run", metavar="", help="print the cdk commands and exit")]


def _run(commands: list[list[str]], dry_run: bool, what: str) -> None:
    from genai_infra.cli.cdk_process import cdk_environment
    from genai_infra.synth import PROJECT_ROOT

    for command in commands:
        sys.stdout.write(shlex.join(command) + "\n")
        if dry_run:
            continue
        # Outside the project directory for bootstrap: cdk.json would make the CLI run the app first.
        cwd = PROJECT_ROOT if "--app" in command else Path("/")
        result = subprocess.run(command, env=cdk_environment(), cwd=cwd, check=False)
        if result.returncode != 0:
            raise common.fail(f"{what} failed (cdk exit code {result.returncode}): {shlex.join(command)}")


def bootstrap(
    env: EnvOption,
    account: Annotated[
        str | None, typer.Option(help="the 12-digit AWS account; default: the environment's configured account")
    ] = None,
    dry_run: DryRunOption = False,
    config_file: ConfigOption = None,
    overrides: SetOption = None,
) -> None:
    """cdk bootstrap every region of an environment with its own qualifier and toolkit stack.

    Example: genai-infra bootstrap --env staging --account 123456789012 --dry-run
    """
    from genai_infra.cli.cdk_process import cdk_executable

    config = common.project_config(config_file, overrides)
    try:
        environment = select_environment(config, env)
    except ConfigError as error:
        raise common.fail(str(error)) from None
    chosen = account or environment.account
    if chosen is None:
        raise common.fail(
            f"{env} names no account: pass --account 123456789012 or set environments.{env}.account "
            "in the configuration."
        )
    if not ACCOUNT.match(chosen):
        raise common.fail(f"--account {chosen!r} is not a 12-digit AWS account id.")
    if environment.account is not None and chosen != environment.account:
        raise common.fail(f"--account {chosen} is not {env}'s configured account {environment.account}.")
    cdk = cdk_executable()
    commands = [bootstrap_command(environment, region, chosen, cdk) for region in environment.target_regions]
    _run(commands, dry_run, f"cdk bootstrap of {env}")


def deploy_role(
    env: EnvOption,
    dry_run: DryRunOption = False,
    out: Annotated[Path, typer.Option(help="directory for the cloud assembly")] = Path("cdk.out"),
    config_file: ConfigOption = None,
    overrides: SetOption = None,
) -> None:
    """Synthesize and deploy the environment's DeployRoleStack (the GitHub Actions OIDC role).

    Example: genai-infra deploy-role --env staging --set ci.github_repository=owner/repo --dry-run
    """
    from genai_infra.cli.cdk_process import cdk_executable

    config = common.project_config(config_file, overrides)
    try:
        environment = select_environment(config, env)
    except ConfigError as error:
        raise common.fail(str(error)) from None
    if config.ci.github_repository is None:
        raise common.fail(
            "the deploy role trusts one GitHub repository: set ci.github_repository, "
            "e.g. --set ci.github_repository=owner/repo."
        )
    cdk = cdk_executable()
    from genai_infra.stacks.deploy_role_stack import DEPLOY_ROLE_STACK_ID, synthesize_deploy_role
    from genai_infra.synth import use_project_node

    use_project_node()
    with common.errors.status(f"synthesizing the deploy role of {env}"):
        try:
            directory = synthesize_deploy_role(config, environment.name, out)
        except Exception as error:  # jsii reports cdk-nag findings as a generic error
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise common.fail(f"synthesis of the deploy role of {env} failed: {first_line}") from None
    approval = "any-change" if env == "production" else "broadening"
    command = [
        cdk,
        "deploy",
        "--app",
        str(directory.resolve()),
        "--require-approval",
        approval,
        "--progress",
        "events",
        DEPLOY_ROLE_STACK_ID,
    ]
    _run([command], dry_run, f"deploying the deploy role of {env}")
