"""genai-infra: synthesize, list and plan the environments of the GenAI Demo platform.

Every user error ends in one sentence and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import os
import signal
import sys
from importlib.metadata import version
from types import FrameType
from typing import Annotated

import typer

from genai_infra.cli import common
from genai_infra.cli.check import check
from genai_infra.cli.checkov import checkov
from genai_infra.cli.configuration import config_app
from genai_infra.cli.cost import cost, expand_optional_values
from genai_infra.cli.deploy import deploy, destroy, diff
from genai_infra.cli.deploy_role import bootstrap, deploy_role
from genai_infra.cli.diagram import diagram
from genai_infra.cli.failover import failover
from genai_infra.cli.manifests import manifests
from genai_infra.cli.plan import plan
from genai_infra.cli.recovery import recovery
from genai_infra.cli.synth import list_targets, synth
from genai_infra.cli.validate import validate

OFFLINE = "Offline: no AWS account needed (workflow order)"
NEEDS_AWS = "Needs AWS credentials (workflow order)"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"genai-infra {version('genai-demo-infra')}")
        raise typer.Exit


# main only assembles the application: the commands share genai_infra.cli.common, never this module.
app = typer.Typer(
    no_args_is_help=True,
    help=__doc__,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _options(
    show_version: Annotated[
        bool, typer.Option("--version", metavar="", callback=_version, is_eager=True, help="print the version and exit")
    ] = False,
) -> None:
    """genai-infra: synthesize, check, price, deploy and operate the GenAI Demo environments."""


for name, command, panel in (
    ("list", list_targets, OFFLINE),
    ("synth", synth, OFFLINE),
    ("check", check, OFFLINE),
    ("checkov", checkov, OFFLINE),
    ("plan", plan, OFFLINE),
    ("recovery", recovery, OFFLINE),
    ("manifests", manifests, OFFLINE),
    ("diagram", diagram, OFFLINE),
    ("bootstrap", bootstrap, NEEDS_AWS),
    ("deploy-role", deploy_role, NEEDS_AWS),
    ("diff", diff, NEEDS_AWS),
    ("deploy", deploy, NEEDS_AWS),
    ("validate", validate, NEEDS_AWS),
    ("failover", failover, NEEDS_AWS),
    ("destroy", destroy, NEEDS_AWS),
):
    app.command(name, rich_help_panel=panel)(command)
app.add_typer(cost, name="cost", rich_help_panel=OFFLINE)
app.add_typer(config_app, name="config", rich_help_panel=OFFLINE)


INTERRUPTED_EXIT = 130  # 128 + SIGINT, as shells report it


def _on_interrupt(signum: int, frame: FrameType | None) -> None:
    common.INTERRUPT.set()
    raise KeyboardInterrupt


def main() -> None:
    signal.signal(signal.SIGINT, _on_interrupt)
    try:
        app(args=expand_optional_values(sys.argv[1:]))
    except SystemExit:
        if not common.INTERRUPT.is_set():
            raise
        sys.stdout.flush()
        sys.stderr.write("interrupted (Ctrl-C); a --out folder may hold half-written assemblies.\n")
        sys.stderr.flush()
        # os._exit: the jsii runtime's exit handler would print a traceback about its stopped Node process.
        os._exit(INTERRUPTED_EXIT)


if __name__ == "__main__":
    main()
