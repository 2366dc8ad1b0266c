"""genai-infra: synthesize, list and plan the environments of the GenAI Demo platform.

Every user error ends in one sentence and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

import typer

from genai_infra.cli import common
from genai_infra.cli.check import check
from genai_infra.cli.cost import cost, expand_optional_values
from genai_infra.cli.deploy import deploy, destroy, diff
from genai_infra.cli.diagram import diagram
from genai_infra.cli.failover import failover
from genai_infra.cli.manifests import manifests
from genai_infra.cli.plan import plan
from genai_infra.cli.recovery import recovery
from genai_infra.cli.synth import list_targets, synth
from genai_infra.cli.validate import validate

# main only assembles the application: the commands share genai_infra.cli.common, never this module.
app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
app.command("check")(check)
app.command("recovery")(recovery)
app.command("validate")(validate)
app.command("failover")(failover)
app.command("deploy")(deploy)
app.command("diff")(diff)
app.command("destroy")(destroy)
app.command("list")(list_targets)
app.command("synth")(synth)
app.command("plan")(plan)
app.command("manifests")(manifests)
app.command("cost")(cost)
app.command("diagram")(diagram)


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
