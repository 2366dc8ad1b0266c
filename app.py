#!/usr/bin/env python3
"""CDK entry point: one synthesis = one environment in one region (decision T2).

    cdk synth -c environment=production -c region=ap-east-2

Optional context: config=FILE.toml (overrides), set="dotted.key=value;other.key=value". GENAI_INFRA_*
variables and ./genai-infra.toml apply as with genai-infra (README, "Configuration").
"""

import sys

import aws_cdk as cdk

from genai_infra.app_builder import build_target
from genai_infra.config import ConfigError, load_config, select_environment, select_region
from genai_infra.targets import targets_of

app = cdk.App()
try:
    config = load_config(
        app.node.try_get_context("config"),
        [item for item in str(app.node.try_get_context("set") or "").split(";") if item.strip()],
    )
    environment = select_environment(config, app.node.try_get_context("environment"))
    region = select_region(environment, app.node.try_get_context("region"))
except ConfigError as error:
    sys.exit(f"error: {error}")
build_target(app, config, next(target for target in targets_of(environment) if target.region == region))
app.synth()
