"""genai-infra: synthesize, list and plan the environments of the GenAI Demo platform.

Every user error ends in one sentence and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import sys

import typer

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


def main() -> None:
    app(args=expand_optional_values(sys.argv[1:]))


if __name__ == "__main__":
    main()
