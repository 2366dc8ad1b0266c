#!/usr/bin/env bash
# Sets everything up, then runs the main job for one environment (default: production):
# synthesize every region and check it (preflight, cfn-lint per region, cdk-nag, determinism);
# then, from those same assemblies, print the deployment plan, price it against its budget and
# report its recovery paths; then deploy the whole environment to the local AWS emulator
# (scripts/deploy-local.sh: every stack read back against its template) and validate it there,
# with probes against real PostgreSQL 15 and Redis 7 on loopback where they can be installed;
# with a secondary region (production), run the failover drill there too (scripts/failover-drill.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
env_name="${1:-production}"
out="cdk.out/main"
bash scripts/setup.sh
# The servers behind the emulator's Aurora and Redis (Debian's packages; needs root or sudo without
# a password). Without them deploy-local.sh validates with --no-probes and says so.
if [ "$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null; then
  bash scripts/test-services.sh || echo "warning: could not install PostgreSQL 15 and Redis 7; validate runs without probes"
fi
source scripts/env.sh
genai-infra check --env "$env_name" --out "$out"
genai-infra plan --env "$env_name" --from "$out"
genai-infra cost --env "$env_name" --from "$out"
genai-infra recovery --env "$env_name" --from "$out"
bash scripts/deploy-local.sh "$env_name" "$out" --failover-drill
