# Stable entry points: setup, demo, test, emulator, bench (plus lint).
# Every recipe runs in the environment of toolchain/activate (offline-safe Pulumi settings,
# project-local backend and tools), so `make` and a hand-run `pulumi` behave the same.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
ACTIVATE := . toolchain/activate &&
SCALE ?= small
PORT ?= 8443
STATE ?= .emulator/state.db
ADMIN_PASSWORD ?= VMware1!VMware1!
PYTEST_ARGS ?= -n 2

.PHONY: help setup venv pulumi kubernetes demo test lint emulator bench trace adopt doctor clean

help:
	@echo "make demo   - set up, start the NSX emulator and a local API server, apply dev, quarantine live"
	@echo "make test   - set up, lint (ruff, mypy, import contracts) and run the whole test suite"
	@echo "make setup  - install the Python venv and the Pulumi CLI (built from Go if not installed)"
	@echo "make emulator PORT=8443 STATE=.emulator/state.db ADMIN_PASSWORD=...  - NSX emulator in the foreground"
	@echo "make bench SCALE=small|full  - benchmarks, one 'BENCH <name> <value> <unit>' line per figure"
	@echo "make adopt STACK=<name> [APPS_BY=tag:<scope>|prefix|none]  - stack files from an existing NSX"
	@echo "make doctor STACK=<name> [FOR=up|preview]  - can this stack be previewed/applied from here, and if not why"

setup: venv pulumi kubernetes

# The venv is rebuilt only when a requirements file changes (stamp holds their hash).
venv:
	@want="$$(cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)"; \
	if [ -x $(VENV)/bin/python ] && [ "$$(cat $(VENV)/.requirements-stamp 2>/dev/null)" = "$$want" ]; then exit 0; fi; \
	command -v $(PYTHON) >/dev/null || { echo "setup: need $(PYTHON) (Python 3.11) on PATH" >&2; exit 2; }; \
	echo "setup: installing Python dependencies into $(VENV)"; \
	$(PYTHON) -m venv $(VENV); \
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt; \
	echo "$$want" > $(VENV)/.requirements-stamp

pulumi:
	@toolchain/ensure-pulumi.sh

# kube-apiserver, etcd, kubectl and the Kubernetes provider plugin (built from Go once, then cached).
kubernetes: venv pulumi
	@$(ACTIVATE) toolchain/ensure-kubernetes.sh

demo: setup
	@$(ACTIVATE) python scripts/demo.py

lint: venv
	@$(ACTIVATE) ruff check . && ruff format --check . && mypy && lint-imports

test: setup lint
	@$(ACTIVATE) python -m pytest $(PYTEST_ARGS)

emulator: venv
	@$(ACTIVATE) python -m nsx_emulator --port $(PORT) --state $(STATE) --admin-password '$(ADMIN_PASSWORD)'

# Start from an existing NSX: `make adopt STACK=prod [APPS_BY=tag:app|prefix|none] [DOMAIN=default]`
# writes stacks/$(STACK)/ and its import plan; nothing is written to NSX (docs/adoption.md).
APPS_BY ?= none
DOMAIN ?= default
adopt: venv
	@$(ACTIVATE) python -m zerotrust.adopt --stack $(STACK) --apps-by '$(APPS_BY)' --domain '$(DOMAIN)'

# Can A reach B? `make trace STACK=dev FROM=pod:shop/frontend TO=vm:orders-db PORT=5432`, against the
# inventory the stack's preview reads (dev: its snapshot, offline); LIVE=1 reads NSX (read-only).
STACK ?= dev
trace: venv
	@$(ACTIVATE) python -m zerotrust.spec.trace --stack $(STACK) --from '$(FROM)' --to '$(TO)' $(if $(PORT),--port $(PORT)) $(if $(LIVE),--live)

# Before a first preview: `make doctor STACK=prod [FOR=preview]` checks NSX (reachable, TLS, the
# account and its role, version, clock), each cluster's registration and health, and each
# Kubernetes API server; exit 1 when something blocks (docs/operations.md).
FOR ?= up
doctor: venv
	@$(ACTIVATE) python -m zerotrust.doctor --stack $(STACK) --for $(FOR)

# Each module prints its figures as `BENCH <name> <value> <unit>` lines (SCALE=small|full);
# then the benchmark-sized tests: SIGKILLed up/destroy at SCALE, 100 drift edits (small).
bench: setup
	@$(ACTIVATE) python -m nsx_emulator.bench --scale $(SCALE)
	@$(ACTIVATE) python -m zerotrust.providers.bench --scale $(SCALE)
	@$(ACTIVATE) python -m zerotrust.evaluator.bench --scale $(SCALE)
	@$(ACTIVATE) ZT_BENCH_SCALE=$(SCALE) python -m pytest -m slow tests/scale -q -s -p no:cacheprovider

clean:
	rm -rf .pulumi-state .emulator .pytest_cache .mypy_cache .ruff_cache
