#!/usr/bin/env bash
# Sets everything up, then runs the main job for one environment (default: production):
# synthesize every region and check it (preflight, cfn-lint per region, cdk-nag, determinism);
# then, from those same assemblies, print the deployment plan, price it against its budget and
# report its recovery paths; then deploy the whole environment to the local AWS emulator
# (scripts/deploy-local.sh: every stack read back against its template) and validate it there;
# with a secondary region (production), run the failover drill there too (scripts/failover-drill.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
env_name="${1:-production}"
out="cdk.out/main"
bash scripts/setup.sh
source scripts/env.sh
genai-infra check --env "$env_name" --out "$out"
genai-infra plan --env "$env_name" --from "$out"
genai-infra cost --env "$env_name" --from "$out"
genai-infra recovery --env "$env_name" --from "$out"
bash scripts/deploy-local.sh "$env_name" "$out" --failover-drill
