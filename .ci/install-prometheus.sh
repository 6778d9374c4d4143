#!/usr/bin/env bash
# Installs the real Prometheus server + promtool (Debian package) used by the scenario tests and benchmark.
# Idempotent: skips apt entirely when both binaries are already on PATH.
set -euo pipefail
if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends prometheus >/dev/null
