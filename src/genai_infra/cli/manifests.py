"""`genai-infra manifests --env E`: the application's Kubernetes manifests of one region (no synthesis)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from genai_infra.cli import common
from genai_infra.cli.options import ConfigOption, EnvOption, SetOption
from genai_infra.config import ConfigError, select_environment, select_region


def manifests(
    env: EnvOption,
    region: Annotated[str | None, typer.Option(help="one region of the environment; the primary when omitted")] = None,
    config_file: ConfigOption = None,
    overrides: SetOption = None,
) -> None:
    """The application's Kubernetes manifests of one region, as multi-document YAML (no synthesis).

    Example: genai-infra manifests --env production --region ap-northeast-1 > manifests.yaml
    """
    from genai_infra.kubernetes import inspection_inputs, render_yaml, workload_manifests
    from genai_infra.kubernetes.render import deploy_time_values

    config = common.project_config(config_file, overrides)
    try:
        environment = select_environment(config, env)
        chosen = select_region(environment, region)
    except ConfigError as error:
        raise common.fail(str(error)) from None
    if chosen not in environment.regions:
        raise common.fail(
            f"{chosen} is the global region of {env} and runs no cluster; use one of {', '.join(environment.regions)}."
        )
    documents = workload_manifests(inspection_inputs(environment, chosen))
    sys.stdout.write(
        "# Apart from the deploy-time values below, which CloudFormation fills in when the EKS stack deploys,\n"
        "# this is what `kubectl apply --dry-run=client -f -` reads:\n"
    )
    for where, value in deploy_time_values(documents):
        sys.stdout.write(f"#   {where}: {value}\n")
    sys.stdout.write(render_yaml(documents))
