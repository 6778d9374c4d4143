#!/usr/bin/env bash
# Re-vendors Istio's samples/addons manifests and LICENSE for one release.
# Usage: ./update.sh 1.28.10        (run from anywhere; needs network; not run in CI)
set -euo pipefail

release="${1:?usage: update.sh <istio-release, e.g. 1.28.10>}"
if [[ ! "$release" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "update.sh: '$release' is not an exact Istio release (x.y.z); ranges and branches are not allowed" >&2
  exit 2
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
base_url="https://raw.githubusercontent.com/istio/istio/${release}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Download everything first so a failed download leaves the vendored copy untouched.
for file in prometheus grafana kiali jaeger; do
  curl --fail --silent --show-error --location --retry 3 \
    "${base_url}/samples/addons/${file}.yaml" -o "${tmp}/${file}.yaml"
done
curl --fail --silent --show-error --location --retry 3 "${base_url}/LICENSE" -o "${tmp}/LICENSE"

mv "${tmp}"/*.yaml "${tmp}/LICENSE" "${here}/"

# Keep PROVENANCE.md in step with what was just downloaded.
sed -i -E \
  -e "s/^\| Release \| Istio [0-9.]+ \(git tag \`[0-9.]+\`\)/| Release | Istio ${release} (git tag \`${release}\`)/" \
  -e "s/^\| Vendored \| .*\|$/| Vendored | $(date -u +%Y-%m-%d) |/" \
  "${here}/PROVENANCE.md"

echo "Vendored Istio ${release} addons into ${here}. Review with: git diff -- ${here}"
