#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine (Python 3.11, Node 20 and npm):
# a virtual environment with the pinned Python packages, checkov in one of its own, and the pinned
# CDK CLI and Node 22.
# Re-running it is cheap: it reinstalls only when a requirements or lock file changed.
# --locked (the deploy job, which can obtain AWS credentials): the runtime packages only, from
# requirements.lock with every file's hash checked (pip --require-hashes), no tools or test packages.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--locked" ]; then
  python3 -m venv .venv
  # No `pip install --upgrade pip`: that download would be the one without a hash.
  .venv/bin/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
  # The package itself is this checkout; its build backend (setuptools) came from the lock above.
  .venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
  .venv/bin/python -m pip check
  rm -f .venv/.installed  # a later plain setup.sh installs the development packages
fi

# The four installs below touch different folders and are mostly waiting on downloads and disk: they
# run side by side (on a fresh machine about half the time of one after another), and setup fails if
# any of them does.
python_packages() {
  local stamp=.venv/.installed want
  want=$(cat requirements.txt requirements-dev.txt pyproject.toml | sha256sum | cut -d' ' -f1)
  if [ "$mode" != "--locked" ] && { [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; }; then
    python3 -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
    # Bytecode compilation stays on: without it every `import aws_cdk` costs seconds more.
    .venv/bin/python -m pip install --quiet -r requirements-dev.txt
    .venv/bin/python -m pip install --quiet --no-deps -e .
    .venv/bin/python -m pip check
    echo "$want" > "$stamp"
  fi
}

# checkov pins boto3 and packaging versions the main environment cannot share: its own venv,
# with its own stamp. GENAI_INFRA_CHECKOV=skip leaves it out (jobs that only deploy do not scan).
checkov_packages() {
  local stamp=.venv-checkov/.installed want
  want=$(sha256sum requirements-checkov.txt | cut -d' ' -f1)
  if [ ! -x .venv-checkov/bin/checkov ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    python3 -m venv .venv-checkov
    .venv-checkov/bin/python -m pip install --quiet --upgrade pip
    .venv-checkov/bin/python -m pip install --quiet -r requirements-checkov.txt
    .venv-checkov/bin/python -m pip check
    echo "$want" > "$stamp"
  fi
}

node_packages() {
  local lock=node_modules/.package-lock.json
  if [ ! -x node_modules/.bin/cdk ] || ! cmp -s package-lock.json "$lock.source" 2>/dev/null; then
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json "$lock.source"
  fi
}

# Graphviz's `dot` draws `genai-infra diagram --format svg|png`: Debian's package, when apt and root
# (or sudo without a password) are at hand; without it only those two formats stop, with a sentence.
# The deploy job (--locked) draws nothing.
graphviz_package() {
  if [ "$mode" != "--locked" ] && ! command -v dot >/dev/null && command -v apt-get >/dev/null; then
    local apt="env DEBIAN_FRONTEND=noninteractive apt-get"
    if [ "$(id -u)" -ne 0 ]; then apt="sudo -n $apt"; fi
    # DejaVu: the font the pictures name, so text is measured the same on every machine.
    if ! { $apt update -qq && $apt install -y -qq --no-install-recommends graphviz fonts-dejavu-core >/dev/null; }; then
      echo "warning: could not install graphviz; diagram --format svg|png needs it (apt-get install graphviz)" >&2
    fi
  fi
}

mode="${1:-}"
pids=()
python_packages & pids+=("$!")
if [ "${GENAI_INFRA_CHECKOV:-}" != "skip" ]; then checkov_packages & pids+=("$!"); fi
node_packages & pids+=("$!")
graphviz_package & pids+=("$!")
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
if [ "$failed" -ne 0 ]; then
  echo "error: setup failed (see the messages above); fix the cause and run bash scripts/setup.sh again" >&2
  exit 1
fi
