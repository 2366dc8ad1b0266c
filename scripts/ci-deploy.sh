#!/usr/bin/env bash
# Deploys the cloud assemblies `genai-infra synth --out DIR` wrote for one environment, target by
# target in deployment order (primary region, secondary, us-east-1), with the pinned CDK CLI.
# The same assemblies are what the pipeline checked and priced, and what a rollback redeploys.
# Usage: scripts/ci-deploy.sh ENVIRONMENT ASSEMBLY_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ne 2 ]; then
  echo "usage: scripts/ci-deploy.sh ENVIRONMENT ASSEMBLY_DIR" >&2
  exit 1
fi
environment="$1"
assemblies="$2"
source scripts/env.sh
targets=$(python - "$environment" <<'PY'
import sys

from genai_infra.config import ConfigError, load_config, select_environment
from genai_infra.synth import target_directory
from genai_infra.targets import targets_of
from pathlib import Path

try:
    environment = select_environment(load_config(), sys.argv[1])
except ConfigError as error:
    sys.exit(f"error: {error}")
for target in targets_of(environment):
    print(target_directory(Path("."), target).name)
PY
)
for target in $targets; do
  if [ ! -f "$assemblies/$target/manifest.json" ]; then
    echo "error: no cloud assembly for $target in $assemblies; run genai-infra synth --env $environment --out $assemblies" >&2
    exit 1
  fi
  echo "::group::cdk deploy $target"
  # Stacks of a target deploy in dependency order; independent ones (one phase) run concurrently.
  cdk deploy --app "$assemblies/$target" --all --require-approval never --concurrency 3 --progress events
  echo "::endgroup::"
done
