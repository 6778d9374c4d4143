# Entry points for people: `make demo` plays the tutorial's canary story through the real worker on loopback;
# `make test` installs what the tests need (as root; otherwise prints the apt-get line) and runs every test.
# .ci/run runs exactly what `make test` runs. Both work from any folder: `make -C <repo root> test`.
SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -euo pipefail -c
.PHONY: demo test

# Every recipe starts in this Makefile's folder, also under `make -f path/Makefile` from a subfolder. MAKEFILE_LIST
# is a space-separated word list, so it is read as one string by the shell (paths with spaces) instead of $(dir ...).
define cd-root
mk='$(MAKEFILE_LIST)'; cd "$$(dirname -- "$${mk# }")"
endef

# Prerequisites first (one script for demo, test and CI), then the solution's tests.
test:
	$(cd-root)
	bash .ci/prereqs.sh test
	dotnet test

# 1. Check prerequisites (installs Prometheus and kubectl when run as root, otherwise says how).
# 2. Build the worker and the demo (Debug: the fastest build, and the demo's speed does not depend on it).
# 3. Play the tutorial's canary story through the real worker on loopback (docs/demo.md): product-catalog v2 goes
#    20 -> 50 -> 100 as a reviewer merges and the Argo CD stand-in applies; order-management v2 breaks and is rolled
#    back. The demo stops and removes everything it started on success, failure and Ctrl-C; exit 0 only when the
#    story ended as scripted. DEMO_SUMMARY=<file> also writes the summary as JSON.
demo:
	@$(cd-root)
	bash .ci/prereqs.sh demo
	echo "Building the worker and the demo..."
	# Quiet unless it fails: the story is what the screen is for.
	build=$$(dotnet build tests/Demo -nologo -v q 2>&1) || { echo "$$build" >&2; exit 1; }
	dotnet tests/Demo/bin/Debug/net10.0/Demo.dll
