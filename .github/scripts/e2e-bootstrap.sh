#!/usr/bin/env bash
# Applies argocd/bootstrap (AppProject + root Application) so that Argo CD deploys the commit under test
# instead of the branch and repository named in argocd/repository/repository.yaml.
# The root app is pointed at REPO_URL@REVISION, and kustomize patches on the root app do the same for
# the child Applications and the AppProject it renders from clusters/kind.
# Usage: REPO_URL=https://github.com/o/r.git REVISION=<sha> .github/scripts/e2e-bootstrap.sh
set -euo pipefail
: "${REPO_URL:?}" "${REVISION:?}"
root="$(git rev-parse --show-toplevel)"

kubectl kustomize "$root/argocd/bootstrap" | python3 -c '
import sys, yaml
repo, rev = sys.argv[1], sys.argv[2]
docs = [d for d in yaml.safe_load_all(sys.stdin) if d]
retarget = f"""- op: replace
  path: /spec/source/repoURL
  value: {repo}
- op: replace
  path: /spec/source/targetRevision
  value: {rev}
"""
allow_repo = f"""- op: replace
  path: /spec/sourceRepos/0
  value: {repo}
"""
for d in docs:
    if d["kind"] == "AppProject":
        d["spec"]["sourceRepos"][0] = repo
    elif d["kind"] == "Application":
        d["spec"]["source"].update(repoURL=repo, targetRevision=rev)
        d["spec"]["source"]["kustomize"] = {"patches": [
            {"target": {"kind": "Application"}, "patch": retarget},
            {"target": {"kind": "AppProject"}, "patch": allow_repo},
        ]}
yaml.safe_dump_all(docs, sys.stdout, sort_keys=False)
' "$REPO_URL" "$REVISION" | kubectl apply -f -
