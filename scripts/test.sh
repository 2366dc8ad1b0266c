#!/usr/bin/env bash
# Sets everything up, then runs the whole gate: ruff, mypy, and the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
ruff check src tests app.py
ruff format --check src tests app.py
mypy
# worksteal: an idle worker takes queued tests from a busy one, so the few slow tests (checkov, the
# check command, the CDK CLI) do not leave one core idle at the end of the run.
pytest -q -n auto --dist worksteal "$@"
