#!/usr/bin/env bash
# Waits until the root Application and every layer Application exist and are Synced + Healthy.
# Usage: .github/scripts/e2e-wait-applications.sh [timeout-seconds]
set -euo pipefail
timeout="${1:-1500}"
expected=(root istio-base istiod istio-gateway addons ecommerce promotion-bot)
deadline=$(( $(date +%s) + timeout ))

while true; do
  status="$(kubectl get applications -n argocd \
    -o jsonpath='{range .items[*]}{.metadata.name}={.status.sync.status}/{.status.health.status}{"\n"}{end}')"
  pending=()
  for app in "${expected[@]}"; do
    grep -qx "${app}=Synced/Healthy" <<<"$status" || pending+=("$app")
  done
  if [ ${#pending[@]} -eq 0 ]; then
    echo "All Applications Synced and Healthy:"; echo "$status"
    exit 0
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "Timed out after ${timeout}s; not Synced/Healthy: ${pending[*]}" >&2
    echo "$status" >&2
    exit 1
  fi
  echo "$(date -u +%H:%M:%S) waiting for: ${pending[*]}"
  sleep 15
done
