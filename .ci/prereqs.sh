#!/usr/bin/env bash
# The one place that knows what `make demo`, `make test` and .ci/run need besides the .NET SDK:
#   prometheus + promtool   real Prometheus for the analysis tests, the scenarios and the demo
#   git + git-http-backend  real repositories and a smart-HTTP remote for the git tests
#   kubectl                 `kubectl kustomize` (kustomize v5) for the repository tests and the demo's stand-in Argo CD
#   alertmanager            Debian's prometheus-alertmanager, only for the detection-latency benchmark (bench)
# Missing tools are installed from Debian when running as root; otherwise this prints the exact apt-get line
# and exits non-zero, so no test starts half-equipped. Idempotent: apt is not touched when all are present.
# Usage: prereqs.sh [demo|test|bench]   (demo: prometheus/promtool and kubectl; bench: also prometheus-alertmanager)
set -euo pipefail
cd "$(dirname -- "${BASH_SOURCE[0]}")/.."

purpose=${1:-test}
export DEBIAN_FRONTEND=noninteractive

command -v dotnet >/dev/null || {
  echo "The .NET 10 SDK is required ('dotnet' on PATH): https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2
  exit 1
}

have_git() { command -v git >/dev/null && [ -x "$(git --exec-path)/git-http-backend" ]; }
have_prometheus() { command -v prometheus >/dev/null && command -v promtool >/dev/null; }
# kustomize major version built into kubectl ("Kustomize Version: v5.5.0" -> 5); 0 when unknown.
kustomize_major() {
  kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: v\([0-9][0-9]*\).*/\1/p' | head -n1 | grep . || echo 0
}
kubectl_version() {
  kubectl version --client 2>/dev/null | sed -n -e 's/^Client Version: \(v[0-9][^ ]*\)$/\1/p' -e 's/.*GitVersion:"\(v[^"]*\)".*/\1/p' | head -n1
}
have_kubectl() { command -v kubectl >/dev/null && [ "$(kustomize_major)" -ge 5 ]; }
# Debian's own kubectl package when the configured repositories offer one, else kubernetes-client.
kubectl_package() {
  if apt-cache show --no-all-versions kubectl 2>/dev/null | grep -q '^Filename:'; then echo kubectl; else echo kubernetes-client; fi
}

missing=()
have_prometheus || missing+=(prometheus)
# NuGet restore needs CA certificates; a minimal image may lack them (only then, so apt upgrades nothing else).
[ -s /etc/ssl/certs/ca-certificates.crt ] || missing+=(ca-certificates)
if [ "$purpose" != demo ]; then
  have_git || missing+=(git)
fi
command -v kubectl >/dev/null || missing+=("$(kubectl_package)")
if [ "$purpose" = bench ]; then
  command -v prometheus-alertmanager >/dev/null || command -v alertmanager >/dev/null || missing+=(prometheus-alertmanager)
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing ${missing[*]} (Debian packages)..."
    apt-get update -qq
    # The package list may only now know Debian's kubectl; prefer it over kubernetes-client.
    for i in "${!missing[@]}"; do
      if [ "${missing[$i]}" = kubernetes-client ]; then missing[$i]=$(kubectl_package); fi
    done
    apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null ||
      { echo "apt-get install ${missing[*]} failed (see above)" >&2; exit 1; }
  else
    {
      echo "Missing tools for 'make $purpose'. Install them with:"
      echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
    } >&2
    exit 1
  fi
fi

# Installing is not enough when an old package was all the repositories had: check what the tests need.
problems=()
have_prometheus || problems+=("prometheus and promtool are still not on PATH")
if [ "$purpose" != demo ]; then
  have_git || problems+=("git with git-http-backend ($(git --exec-path 2>/dev/null || echo 'git exec path')/git-http-backend) is still missing")
fi
if ! command -v kubectl >/dev/null; then
  problems+=("kubectl is still not on PATH")
elif ! have_kubectl; then
  # Debian 12's kubernetes-client is kubectl 1.20 with kustomize v2, which cannot build Components.
  problems+=("kubectl $(kubectl_version) at $(command -v kubectl) has no kustomize v5 built in; the repository tests and the demo need kubectl 1.27 or newer. Install a current kubectl (the Kubernetes project's apt repository or its release binary) ahead of it on PATH")
fi
if [ "$purpose" = bench ] && ! command -v prometheus-alertmanager >/dev/null && ! command -v alertmanager >/dev/null; then
  problems+=("prometheus-alertmanager is still not on PATH")
fi
if [ ${#problems[@]} -gt 0 ]; then
  printf '%s\n' "${problems[@]}" >&2
  exit 1
fi
