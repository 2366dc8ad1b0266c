#!/usr/bin/env bash
# Deploys an environment's primary region into the local AWS emulator (moto on loopback) through
# `genai-infra deploy` and the pinned CDK CLI: bootstrap, then every stack the emulator can create.
# moto stands in for STS, S3, CloudFormation, KMS, IAM and Secrets Manager, so SecurityStack
# deploys for real; it does not materialize the SSM parameters a template declares, so the stacks
# that read them (NetworkStack onward) can only be deployed to a real account.
# Usage: bash scripts/deploy-local.sh [environment] [out-dir]   (after scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
env_name="${1:-production}"
out="${2:-cdk.out/local}"
region=$(python -c "from genai_infra.config import load_config; print(load_config().environments['$env_name'].primary_region)")
port=$(python -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
log="$(mktemp)"
moto_server -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
moto_pid=$!
trap 'kill $moto_pid 2>/dev/null || true; rm -f "$log"' EXIT
# "localhost": moto finds the bucket of a TemplateURL by that host name (path-style addressing).
export AWS_ENDPOINT_URL="http://localhost:$port"
export AWS_ACCESS_KEY_ID=local-emulator AWS_SECRET_ACCESS_KEY=local-emulator  # moto takes any key
export AWS_REGION="$region" AWS_DEFAULT_REGION="$region" AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_SESSION_TOKEN
for _ in $(seq 100); do
  python -c "import urllib.request; urllib.request.urlopen('$AWS_ENDPOINT_URL/moto-api/', timeout=1)" 2>/dev/null && break
  sleep 0.1
done
# The checked assemblies in $out are deployed as they are, never synthesized again. moto answers
# CloudFormation's termination-protection call with an HTML error page, so the emulator deploys a
# copy without it (real deployments keep it, decision S5; $out is not changed); and the emulator
# holds nothing real, so production's approval of broadened IAM is not asked for here.
emulator_options=(--without-termination-protection --require-approval never)
account=$(python -c "import boto3; print(boto3.client('sts').get_caller_identity()['Account'])")
echo "local emulator: moto on $AWS_ENDPOINT_URL, account $account, region $region"
# The environment's own qualifier and toolkit stack (decision S6), as genai_infra.bootstrap builds them.
mapfile -t bootstrap < <(python -c "
import sys
from genai_infra.bootstrap import bootstrap_command
from genai_infra.config import load_config
print('\n'.join(bootstrap_command(load_config().environments[sys.argv[1]], sys.argv[2], sys.argv[3])))
" "$env_name" "$region" "$account")
(cd "$(mktemp -d)" && "${bootstrap[@]}" >/dev/null)  # outside the project: no app to run
if [ ! -f "$out/$env_name-$region/manifest.json" ]; then
  genai-infra synth --env "$env_name" --region "$region" --out "$out"  # run alone: nothing checked to reuse
fi
genai-infra deploy --env "$env_name" --region "$region" --stack SecurityStack --from "$out" --out "$(mktemp -d)" \
  "${emulator_options[@]}"
python - "$env_name" "$region" <<'PY'
import sys

import boto3

environment, region = sys.argv[1:]
stacks = boto3.client("cloudformation", region_name=region).describe_stacks()["Stacks"]
for stack in stacks:
    print(f"{stack['StackName']}: {stack['StackStatus']}")
names = {stack["StackName"]: stack["StackStatus"] for stack in stacks}
assert names.get(f"genai-demo-{environment}-SecurityStack") == "CREATE_COMPLETE", names
PY
echo "deployed to the local emulator: SecurityStack of $env_name in $region (the rest needs a real account; see README)"
