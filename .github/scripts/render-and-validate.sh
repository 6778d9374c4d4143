#!/usr/bin/env bash
# Renders every kustomize entry point of the repository (kustomization.yaml outside tests/, Components
# excepted: they are rendered through the overlays that use them) with Helm enabled, then validates the
# output with kubeconform in strict mode against the Kubernetes schemas plus JSON schemas generated from
# the CRDs we deploy (Istio's from the rendered base chart, Argo CD's from the pinned install.yaml).
# Needs: kustomize, helm, kubeconform, python3 with PyYAML, network (Helm charts, Argo CD install.yaml).
# Usage: .github/scripts/render-and-validate.sh      (output in .cache/rendered, git-ignored)
set -euo pipefail

root="$(git rev-parse --show-toplevel)"
out="${RENDER_DIR:-$root/.cache/rendered}"
kubernetes_version="${KUBERNETES_VERSION:-1.34.0}"   # the kind node image in clusters/kind/kind-cluster.yaml
kubeconform_version="${KUBECONFORM_VERSION:-v0.6.7}" # openapi2jsonschema.py is taken from the same tag

rm -rf "$out"
mkdir -p "$out/manifests" "$out/schemas"

mapfile -t entry_points < <(
  cd "$root" && find . -name kustomization.yaml \
    -not -path './tests/*' -not -path './.git/*' -not -path '*/charts/*' -not -path './.cache/*' \
    -printf '%h\n' | sed 's|^\./||' | sort
)

for dir in "${entry_points[@]}"; do
  if grep -qE '^kind:[[:space:]]*Component' "$root/$dir/kustomization.yaml"; then
    echo "skip   $dir (Component)"
    continue
  fi
  echo "render $dir"
  kustomize build --enable-helm "$root/$dir" > "$out/manifests/${dir//\//__}.yaml"
done

# What the AppProject allows must cover what the layers render (helm output included): every cluster-scoped
# kind in the whitelist, every namespaced object in one of the project's destination namespaces.
python3 - "$out/manifests" <<'PY'
import glob, os, sys, yaml
cluster_scoped = {"Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding",
    "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding",
    "PriorityClass", "StorageClass", "PersistentVolume", "APIService", "IngressClass", "GatewayClass",
    "RuntimeClass", "CSIDriver"}
def load(path):
    return [d for d in yaml.safe_load_all(open(path, encoding="utf-8")) if d]
failures = []
for cluster_file in sorted(glob.glob(sys.argv[1] + "/clusters__*.yaml")):
    name = os.path.basename(cluster_file)[:-5]
    if name.count("__") != 1:
        continue  # a layer, checked below against its cluster's project
    docs = load(cluster_file)
    project = next(d for d in docs if d["kind"] == "AppProject")
    allowed_kinds = {(w["group"], w["kind"]) for w in project["spec"].get("clusterResourceWhitelist", [])}
    allowed_ns = {d["namespace"] for d in project["spec"]["destinations"]}
    for app in (d for d in docs if d["kind"] == "Application"):
        layer_file = os.path.join(sys.argv[1], app["spec"]["source"]["path"].replace("/", "__") + ".yaml")
        for obj in load(layer_file):
            group = obj["apiVersion"].split("/")[0] if "/" in obj["apiVersion"] else ""
            where = f'{app["metadata"]["name"]}: {obj["kind"]}/{obj["metadata"]["name"]}'
            if obj["kind"] in cluster_scoped:
                if (group, obj["kind"]) not in allowed_kinds:
                    failures.append(f"{where}: cluster-scoped {group or 'core'}/{obj['kind']} not in the AppProject whitelist")
            else:
                ns = obj["metadata"].get("namespace", app["spec"]["destination"]["namespace"])
                if ns not in allowed_ns:
                    failures.append(f"{where}: namespace {ns} is not an AppProject destination")
print("\n".join(failures) or "AppProject covers every rendered layer")
sys.exit(1 if failures else 0)
PY

# Collect every CRD we render, once per name.
python3 - "$out/manifests" "$out/crds.yaml" <<'PY'
import glob, sys, yaml
seen, crds = set(), []
for path in sorted(glob.glob(sys.argv[1] + "/*.yaml")):
    for doc in yaml.safe_load_all(open(path, encoding="utf-8")):
        if doc and doc.get("kind") == "CustomResourceDefinition" and doc["metadata"]["name"] not in seen:
            seen.add(doc["metadata"]["name"])
            crds.append(doc)
if not crds:
    sys.exit("no CustomResourceDefinitions rendered: Istio base chart or Argo CD install missing?")
yaml.safe_dump_all(crds, open(sys.argv[2], "w", encoding="utf-8"))
print(f"{len(crds)} CRDs collected")
PY

curl --fail --silent --show-error --location --retry 3 \
  "https://raw.githubusercontent.com/yannh/kubeconform/${kubeconform_version}/scripts/openapi2jsonschema.py" \
  -o "$out/openapi2jsonschema.py"
(cd "$out/schemas" && python3 "$out/openapi2jsonschema.py" "$out/crds.yaml" > /dev/null)

kubeconform -strict -summary -output text \
  -kubernetes-version "$kubernetes_version" \
  -schema-location default \
  -schema-location "$out/schemas/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json" \
  "$out"/manifests/*.yaml
