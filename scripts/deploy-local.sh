#!/usr/bin/env bash
# Deploys a whole environment into the project's local AWS emulator (genai_infra.emulator: moto
# 5.2.5 on 127.0.0.1 with named fixes, CloudFormation models for the types moto lacks and custom
# resources answered in process) through `genai-infra deploy` and the pinned CDK CLI, unchanged:
# bootstrap every region, seed the hosted zone and its SSM parameter, deploy every stack (each one
# read back against its template by the deploy command), then `genai-infra validate` against the
# emulator, and print what the emulator modelled, recorded only or could not model. Where PostgreSQL
# 15 and Redis 7 are installed (scripts/test-services.sh), the emulator runs them on loopback behind
# Aurora and ElastiCache (--local-servers) and validate runs its probes against them; otherwise
# validate runs with --no-probes and says why.
# Usage: bash scripts/deploy-local.sh [environment] [out-dir]   (after scripts/setup.sh)
# With out-dir holding the checked assemblies (`check --out`), deploy reuses them when it can (--from).
# With --failover-drill (anywhere), scripts/failover-drill.sh then runs the DR drill there and back.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
drill=0
positional=()
for arg in "$@"; do
  if [ "$arg" = "--failover-drill" ]; then drill=1; else positional+=("$arg"); fi
done
env_name="${positional[0]:-production}"
out="${positional[1]:-cdk.out/local}"
record="$out/emulator-record"
rm -rf "$record"
facts=$(python - "$env_name" <<'PY'
import sys

from genai_infra.config import ConfigError, load_config
from genai_infra.config.loader import select_environment
from genai_infra.targets import targets_of

try:
    config = load_config()
    environment = select_environment(config, sys.argv[1])
except ConfigError as error:
    sys.exit(f"error: {error}")
regions = ",".join(t.region for t in targets_of(environment))
# The environment's own bootstrap qualifier (decision S6).
qualifier = environment.bootstrap_qualifier
print(regions, qualifier, environment.domain, config.dns.zone_name)
PY
)
read -r regions qualifier domain zone_name <<<"$facts"
port=$(python -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
mkdir -p "$out"
log="$out/emulator.log"
servers="$out/local-servers"
rm -rf "$servers"
emulator_options=()
validate_options=(--no-probes)
if python -c "import sys; from genai_infra.emulator.local_servers import missing_binaries; sys.exit(bool(missing_binaries()))"; then
  emulator_options=(--local-servers "$servers")
  # The local servers' CA; only Aurora can verify an IAM token, so that one login is reported as skipped.
  validate_options=(--ca-bundle "$servers/ca.pem" --no-iam-login --timeout 5)
else
  echo "validate will run with --no-probes: PostgreSQL 15 and Redis 7 are not installed (bash scripts/test-services.sh installs them)"
fi
emulator_pid=""
trap 'if [ -n "$emulator_pid" ]; then kill "$emulator_pid" 2>/dev/null || true; fi' EXIT
start_emulator() {  # 0 once it says ready; 1 if it exits first or takes over 60 s
  python -m genai_infra.emulator --port "$port" --record "$record" "$@" >"$log" 2>&1 &
  emulator_pid=$!
  for _ in $(seq 600); do
    grep -q "emulator ready" "$log" && return 0
    kill -0 "$emulator_pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
if ! start_emulator "${emulator_options[@]}"; then
  kill "$emulator_pid" 2>/dev/null || true
  if [ ${#emulator_options[@]} -eq 0 ]; then
    cat "$log"; echo "error: the emulator did not start" >&2; exit 1
  fi
  # The deployment does not need the local servers: go on without them, and say so.
  echo "validate will run with --no-probes: the local servers did not start ($(grep -m1 "^error:" "$log" || tail -n1 "$log"))"
  validate_options=(--no-probes)
  start_emulator || { cat "$log"; echo "error: the emulator did not start" >&2; exit 1; }
fi
# "localhost": moto finds the bucket of a TemplateURL by that host name (path-style addressing).
export AWS_ENDPOINT_URL="http://localhost:$port"
export AWS_ACCESS_KEY_ID=local-emulator AWS_SECRET_ACCESS_KEY=local-emulator  # moto takes any key
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_SESSION_TOKEN
first_region="${regions%%,*}"
export AWS_REGION="$first_region" AWS_DEFAULT_REGION="$first_region"
account=$(python -c "import boto3; print(boto3.client('sts').get_caller_identity()['Account'])")
echo "local emulator: $AWS_ENDPOINT_URL (127.0.0.1), account $account, regions $regions"
grep "^local servers:" "$log" || true

started=$SECONDS
bootstrap_options=()
if [ "$qualifier" != "hnb659fds" ]; then  # cdk bootstrap's default needs no option
  bootstrap_options=(--qualifier "$qualifier" --toolkit-stack-name "CDKToolkit-$qualifier")
fi
for region in ${regions//,/ }; do  # outside the project: bootstrap must not run the app
  (cd "$(mktemp -d)" && cdk bootstrap "aws://$account/$region" "${bootstrap_options[@]}") >"$out/bootstrap-$region.log" 2>&1 \
    || { cat "$out/bootstrap-$region.log"; echo "error: cdk bootstrap of $region failed in the emulator" >&2; exit 1; }
done
echo "bootstrapped ${regions//,/, } ($((SECONDS - started)) s)"

# What an operator creates once per account (README, "Before a first deployment").
python - "$regions" "$zone_name" <<'PY'
import sys
import time

import boto3

from genai_infra.naming import HOSTED_ZONE_ID_PARAMETER

regions, zone_name = sys.argv[1].split(","), sys.argv[2]
route53 = boto3.client("route53")
zones = [z for z in route53.list_hosted_zones()["HostedZones"] if z["Name"].rstrip(".") == zone_name]
zone = zones[0] if zones else route53.create_hosted_zone(Name=zone_name, CallerReference=str(time.time()))["HostedZone"]
zone_id = zone["Id"].rsplit("/", 1)[-1]
for region in regions:
    boto3.client("ssm", region_name=region).put_parameter(
        Name=HOSTED_ZONE_ID_PARAMETER, Value=zone_id, Type="String", Overwrite=True
    )
print(f"seeded hosted zone {zone_name} ({zone_id}) and {HOSTED_ZONE_ID_PARAMETER} in {', '.join(regions)}")
PY

deploy_source=(--out "$out")
if genai-infra deploy --help | grep -q -- "--from"; then
  deploy_source=(--from "$out")  # the assemblies `check --out` wrote: deployed as checked
fi
started=$SECONDS
# The emulator holds nothing real, so production's approval of broadened IAM is not asked for here.
genai-infra deploy --env "$env_name" "${deploy_source[@]}" --require-approval never
python - "$env_name" "$regions" "$((SECONDS - started))" <<'PY'
import sys

import boto3

environment, regions, seconds = sys.argv[1], sys.argv[2].split(","), sys.argv[3]
prefix = f"genai-demo-{environment}-"
complete = [
    stack["StackName"]
    for region in regions
    for stack in boto3.client("cloudformation", region_name=region).describe_stacks()["Stacks"]
    if stack["StackName"].startswith(prefix) and stack["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE")
]
print(f"deployed to the local emulator: {len(complete)} stacks of {environment}, each read back against its template ({seconds} s)")
PY

# validate exits 1 on any failed check. The emulator runs no pods, so the ALB target-group checks
# fail here by design (reported, not hidden), and with probes so do those of what it does not serve:
# the public HTTPS name, the clusters' Kubernetes API (only its endpoint unreachable is expected) and
# the MSK brokers (GetBootstrapBrokers answers loopback, where no broker listens: only a refused
# connection there is expected). Any other failure (the PostgreSQL and Redis probes among them, an
# API error of the emulator) fails the main job.
set +e
COLUMNS=250 genai-infra validate --env "$env_name" "${validate_options[@]}" | tee "$out/validate.txt"
validate_exit=${PIPESTATUS[0]}
set -e
passed=$(grep -c "│ pass" "$out/validate.txt" || true)
skipped=$(grep -c "│ skip" "$out/validate.txt" || true)
unserved="ALB targets|│ HTTPS https://|│ Deployment [^│]*│ FAIL +│ Kubernetes API unreachable|│ TLS broker [0-9]+ 127\.0\.0\.1:[0-9]+ +│ FAIL +│ ConnectionRefusedError"
unexpected=$(grep "│ FAIL" "$out/validate.txt" | grep -Evc "$unserved" || true)
probed=$(grep -Ec "│ (PostgreSQL|Redis) [^│]*127\.0\.0\.1:[0-9]+ *│ pass" "$out/validate.txt" || true)
echo "genai-infra validate ${validate_options[*]} against the emulator: exit $validate_exit, $passed checks passed" \
  "($probed of them probes of the local PostgreSQL and Redis), $skipped skipped, $unexpected failed other than" \
  "what the emulator does not serve (ALB targets: no pods; public HTTPS, Kubernetes API; MSK brokers: none listens on loopback)"
assemblies=()
for region in ${regions//,/ }; do
  assemblies+=("$out/$env_name-$region")
done
python -m genai_infra.emulator --summary "${assemblies[@]}" --record "$record"
if [ "$unexpected" != 0 ]; then
  echo "error: validate found failures the emulator does not explain; see $out/validate.txt" >&2
  exit 1
fi
if [ "$drill" = 1 ]; then
  bash scripts/failover-drill.sh "$env_name" "$out"
fi
