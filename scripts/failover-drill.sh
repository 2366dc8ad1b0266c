#!/usr/bin/env bash
# The DR drill against an environment deployed in the local emulator (run by deploy-local.sh
# --failover-drill while its emulator is up; AWS_ENDPOINT_URL and the fake keys already set):
#   planned:   failover --to <secondary> (switchover), check the writers moved, validate, back to the primary;
#   unplanned: simulate the primary region's loss (its Route 53 health check inverted), failover
#              --unplanned (AllowDataLoss), check writers and origin moved, recover the region,
#              validate, switch back once the old primary has resynchronized.
# Usage: bash scripts/failover-drill.sh ENV OUT_DIR
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: bash scripts/failover-drill.sh ENV OUT_DIR (an environment deployed in the local emulator)" >&2
  exit 1
fi
env_name="$1"
out="$2"
regions=$(python - "$env_name" <<'PY'
import sys

from genai_infra.config import ConfigError, load_config
from genai_infra.config.loader import select_environment

try:
    environment = select_environment(load_config(), sys.argv[1])
except ConfigError as error:
    sys.exit(f"error: {error}")
print(environment.primary_region, next((r for r in environment.regions if r != environment.primary_region), "-"))
PY
)
read -r primary secondary <<<"$regions"
if [ "$secondary" = "-" ]; then
  genai-infra failover --env "$env_name" --to "$primary" --dry-run 2>&1 | tail -1 || true
  echo "failover drill: skipped, $env_name has one serving region"
  exit 0
fi
started=$SECONDS

validate_drill() {  # validate; only the ALB target checks (no pods in the emulator) may fail
  set +e
  COLUMNS=250 genai-infra validate --env "$env_name" --no-probes >"$out/validate-$1.txt"
  local code=$?
  set -e
  local passed unexpected
  passed=$(grep -c "│ pass" "$out/validate-$1.txt" || true)
  unexpected=$(grep "│ FAIL" "$out/validate-$1.txt" | grep -vc "ALB targets" || true)
  echo "validate after the $1: exit $code, $passed checks passed, $unexpected failed other than the ALB targets"
  if [ "$unexpected" != 0 ]; then
    grep "│ FAIL" "$out/validate-$1.txt" | grep -v "ALB targets" >&2
    echo "error: validate failed after the $1; see $out/validate-$1.txt" >&2
    exit 1
  fi
}

drill() {  # genai-infra failover, its report shown, the writers checked
  echo "\$ genai-infra failover --env $env_name --to $1 ${*:3}"
  COLUMNS=200 genai-infra failover --env "$env_name" --to "$1" "${@:3}"
  python -m genai_infra.emulator.drill state --env "$env_name" --expect "$1"
  python -m genai_infra.emulator.drill state --env "$env_name" | grep -q "origin answers from $2" \
    || { echo "error: origin does not answer from $2 after the failover to $1" >&2; exit 1; }
}

echo "failover drill ($env_name): planned switchover to $secondary and back"
drill "$secondary" "$primary" --yes
validate_drill "planned switchover"
drill "$primary" "$primary" --yes

echo "failover drill ($env_name): unplanned failover to $secondary (the loss of $primary simulated) and back"
python -m genai_infra.emulator.drill lose-region --env "$env_name" --region "$primary"
drill "$secondary" "$secondary" --unplanned --confirm "$env_name"
python -m genai_infra.emulator.drill recover-region --env "$env_name" --region "$primary"
validate_drill "unplanned failover"
drill "$primary" "$primary" --yes
echo "failover drill ($env_name): planned and unplanned, there and back, passed ($((SECONDS - started)) s)"
