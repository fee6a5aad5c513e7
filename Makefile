# sfb.edge — developer entry points. Everything installs itself into .venv and .cache
# (scripts/bootstrap.sh); nothing is needed beforehand but Python >= 3.11, git and make.
#
#   make plan [INVENTORY=inventories/single] [PLAN_DIR=plan] [ANSIBLE_ARGS='-v']
#   make test          units, browser, lint, sanity, molecule — in that order, stops at the first failure
#   make units | lint | sanity | molecule
#                      (molecule skips the 'windows' scenario unless SFB_EDGE_WINRM_HOST is set)
#   make molecule-windows   the 'windows' scenario against a real Windows edge host over WinRM:
#                      SFB_EDGE_WINRM_HOST=... SFB_EDGE_WINRM_USER=... SFB_EDGE_WINRM_PASSWORD=...
#                      [SFB_EDGE_INVENTORY=path/to/inventory SFB_EDGE_HOST=edge01] make molecule-windows
#                      (extensions/molecule/windows/README.md)
#   make bench [BENCH_ARGS='--quick']   generated inventories and snapshots: wall time of plan.yml,
#                      site.yml and drift.yml as a ratio to an empty play, routes filter timings,
#                      remote calls per host (scripts/bench.py; BENCH_RUNS, BENCH_SIZES, BENCH_ROUTES,
#                      BENCH_TIMEOUT; docs/performance.md)
#   make browser | report-screenshot [REPORT_WINDOW=1400,2400]   report.html in headless chromium: the tests | make plan + <pool>/report.png
#   make bootstrap     only set up .venv and .cache
#   make clean         remove .venv, .cache and generated output
#
# PYTHON=python3.12 make ...  builds the venv with another interpreter (default python3).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
INVENTORY ?= inventories/example
PLAN_DIR ?= plan
ANSIBLE_ARGS ?=
BENCH_ARGS ?=

export PYTHON
VENV_BIN := $(CURDIR)/.venv/bin

.PHONY: help bootstrap plan bench test units lint sanity molecule molecule-windows clean

help:
	@sed -n '/^[^#]/q; s/^# \{0,1\}//p' Makefile

bootstrap:
	@scripts/bootstrap.sh

plan: bootstrap
	@echo "== ansible-playbook playbooks/plan.yml -i $(INVENTORY)"
	PATH="$(VENV_BIN):$$PATH" ANSIBLE_CONFIG="$(CURDIR)/ansible.cfg" \
	  ansible-playbook playbooks/plan.yml -i "$(INVENTORY)" \
	  -e sfb_edge_plan_dir="$(abspath $(PLAN_DIR))" $(ANSIBLE_ARGS)
	@echo
	@echo "Plan written under $(abspath $(PLAN_DIR))/:"
	@find "$(PLAN_DIR)" -mindepth 2 -maxdepth 2 \( -name plan.json -o -name plan.md \) 2>/dev/null \
	  | sort | sed 's/^/  /' || true

bench: bootstrap
	"$(VENV_BIN)/python" scripts/bench.py $(BENCH_ARGS)

test: bootstrap
	@scripts/test.sh units browser lint sanity molecule

units lint sanity molecule: bootstrap
	@scripts/test.sh $@

molecule-windows: bootstrap
	@scripts/test.sh windows

clean:
	rm -rf .venv .cache plan tests/output .pytest_cache .hypothesis extensions/.ansible .ansible
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +

# ---------------------------------------------------------------- HTML report (docs/html-report.md)
REPORT_WINDOW ?= 1400,2400
.PHONY: report-screenshot browser

browser: bootstrap
	@scripts/test.sh browser

report-screenshot: plan
	@"$(VENV_BIN)/python" scripts/report_browser.py ensure >/dev/null
	@for report in "$(abspath $(PLAN_DIR))"/*/report.html; do \
	  "$(VENV_BIN)/python" scripts/report_browser.py screenshot "$$report" "$${report%.html}.png" \
	    --window-size="$(REPORT_WINDOW)"; \
	done
