# Entry points for people: `make demo` shows the bot judging the tutorial canaries on a real, backfilled Prometheus;
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

# 1. Check prerequisites (installs Prometheus when run as root, otherwise says how).
# 2. Serve the "tutorial" scenario: product-catalog v2 healthy at 20%, order-management v2 tripping circuit breaking.
# 3. Run the bot's analyze over this repository's apps/ at the scenario's evaluation time, then stop everything.
demo:
	$(cd-root)
	bash .ci/prereqs.sh demo
	work=$$(mktemp -d)
	serve=""
	cleanup() {
	  if [ -f "$$work/info" ]; then
	    kill -TERM "$$(sed -n 's/^SERVE_PID=//p' "$$work/info")" 2>/dev/null || true
	    sleep 1
	    kill -TERM "$$(sed -n 's/^PROMETHEUS_PID=//p' "$$work/info")" 2>/dev/null || true
	  fi
	  [ -z "$$serve" ] || kill -TERM "$$serve" 2>/dev/null || true
	  wait 2>/dev/null || true
	  rm -rf "$$work"
	}
	trap cleanup EXIT INT TERM
	echo "Building the bot and the scenario server..."
	dotnet build bot/PromotionBot -nologo -v q
	dotnet build tests/Scenarios -nologo -v q
	echo "Backfilling the tutorial scenario into a local Prometheus..."
	dotnet run --no-build --project tests/Scenarios -- serve tutorial --info-file "$$work/info" >"$$work/serve.log" 2>&1 &
	serve=$$!
	for _ in $$(seq 1 240); do
	  [ -f "$$work/info" ] && break
	  kill -0 "$$serve" 2>/dev/null || { cat "$$work/serve.log" >&2; exit 1; }
	  sleep 0.5
	done
	[ -f "$$work/info" ] || { echo "scenario server did not come up:" >&2; cat "$$work/serve.log" >&2; exit 1; }
	source "$$work/info"
	echo "Prometheus $$PROMETHEUS_URL, evaluating at $$EVALUATION_AT"
	# Absolute --repo: `dotnet run` starts a web-SDK app in its project directory, not here.
	echo "$$ dotnet run --project bot/PromotionBot -- analyze --repo \"$$PWD\" --prometheus $$PROMETHEUS_URL --at $$EVALUATION_AT"
	dotnet run --no-build --project bot/PromotionBot -- analyze --repo "$$PWD" --prometheus "$$PROMETHEUS_URL" --at "$$EVALUATION_AT"
