# sfb.edge — developer entry points. Everything installs itself into .venv and .cache
# (scripts/bootstrap.sh); nothing is needed beforehand but Python >= 3.11, git and make.
#
#   make plan [INVENTORY=inventories/single] [PLAN_DIR=plan] [ANSIBLE_ARGS='-v']
#   make test          units, browser, lint, docs, sanity, molecule, compat, newest, importer — in that order,
#                      stops at the first failure
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
#   make role-docs | changelog | docs   role READMEs from meta/argument_specs.yml; the release of
#                      galaxy.yml's version rendered again from changelogs/fragments (after merging
#                      fragments); the docs stage alone (CONTRIBUTING.md)
#   make browser | report-screenshot [REPORT_WINDOW=1400,2400]   report.html in headless chromium: the tests | make plan + <pool>/report.png
#   make dist | ee | compat | newest | importer   dist/: offline bundle (collection + dependency tarballs,
#                      requirements.yml, INSTALL.txt); ee: + ansible-builder context in dist/ee; compat: the
#                      suites on ansible-core 2.16; newest: a lean subset on the newest tested core (2.21;
#                      needs Python >= 3.12, else SKIPPED); importer: galaxy-importer on the tarball (docs/install.md)
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
	@echo "Plan written under $(abspath $(PLAN_DIR))/ - open report.html in a browser:"
	@for pool in $$(find "$(PLAN_DIR)" -mindepth 2 -maxdepth 2 -name plan.json 2>/dev/null | sort); do \
	  dir=$$(dirname "$$pool"); \
	  for name in report.html plan.md plan.json firewall.csv; do \
	    [ -f "$$dir/$$name" ] && echo "  $$dir/$$name"; \
	  done; \
	done; true

bench: bootstrap
	"$(VENV_BIN)/python" scripts/bench.py $(BENCH_ARGS)

test: bootstrap
	@scripts/test.sh units browser lint docs sanity molecule compat newest importer

units lint sanity molecule: bootstrap
	@scripts/test.sh $@

molecule-windows: bootstrap
	@scripts/test.sh windows

clean:
	rm -rf .venv .cache dist plan tests/output .pytest_cache .hypothesis extensions/.ansible .ansible
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +

# ---- docs: role READMEs, release notes, docs checks (issue 11; CONTRIBUTING.md)
.PHONY: role-docs changelog docs
DOCS_ENV := PATH="$(VENV_BIN):$$PATH" ANSIBLE_CONFIG="$(CURDIR)/ansible.cfg" \
	ANSIBLE_COLLECTIONS_PATH="$(CURDIR)/.cache/collections" ANSIBLE_HOME="$(CURDIR)/.cache/ansible-home"

role-docs: bootstrap
	@scripts/role_docs.sh

changelog: bootstrap
	$(DOCS_ENV) antsibull-changelog lint
	$(DOCS_ENV) antsibull-changelog release --update-existing --reload-plugins 2>&1 \
	  | { grep -v 'Found no release_summary section' || true; }
	@echo "Release $$(sed -n 's/^version: *//p' galaxy.yml) rendered: changelogs/changelog.yaml, CHANGELOG.rst (fragments consumed)"

docs: bootstrap
	@scripts/test.sh docs

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

# ---- dist: install paths, execution environment, support matrix (issue 11; docs/install.md)
.PHONY: dist ee compat newest importer
dist: bootstrap
	"$(VENV_BIN)/python" scripts/dist.py

ee: dist
	"$(VENV_BIN)/ansible-builder" create -f execution-environment.yml -c dist/ee --output-filename Containerfile

compat newest importer: bootstrap
	@scripts/test.sh $@
