#!/usr/bin/env bash
# Sets everything up, then runs the main job for one environment (default: production):
# the deployment plan, and synthesis of every region with cdk-nag and cfn-lint.
set -euo pipefail
cd "$(dirname "$0")/.."
env_name="${1:-production}"
bash scripts/setup.sh
source scripts/env.sh
genai-infra plan --env "$env_name"
genai-infra synth --env "$env_name"
