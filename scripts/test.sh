#!/usr/bin/env bash
# Sets everything up, then runs the whole gate: ruff, mypy, and the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
ruff check src tests app.py
ruff format --check src tests app.py
mypy
pytest -q -n auto "$@"
