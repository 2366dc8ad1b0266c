#!/usr/bin/env bash
# Installs the servers the probe tests run on loopback (tests/test_probes.py): PostgreSQL 15 and
# Redis 7 from Debian's packages. Without them those tests skip. Needs root (or sudo) and apt.
# The packages' own services are stopped and disabled: the tests start their own instances.
set -euo pipefail
if [ -x /usr/lib/postgresql/15/bin/postgres ] && command -v redis-server >/dev/null && command -v runuser >/dev/null; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends postgresql-15 redis-server util-linux >/dev/null
# Package install scripts start the default clusters where a service manager runs; nothing needs them.
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  $sudo systemctl disable --now postgresql redis-server >/dev/null 2>&1 || true
fi
/usr/lib/postgresql/15/bin/postgres --version
redis-server --version
