#!/usr/bin/env bash
# The oldest supported ansible-core (meta/runtime.yml requires_ansible): `make compat`, or the
# `compat` stage of scripts/test.sh.
#   scripts/compat.sh [pytest args]   (test paths among them replace the default selection below)
# Builds .cache/compat-venv with COMPAT_ANSIBLE_CORE (default below) and the same pinned test tools
# as .venv (constraints-dev.txt, less the pins that ansible-core series rules out), then runs on it,
# against the same .cache/collections:
#   - pytest over tests/integration (the playbooks end to end) and the files of tests/unit that reach
#     ansible-core (scripts/compat_tests.py: the plain-Python unit tests run the same on every core and
#     the units stage runs them), less the tests of the dev tooling that is not in this venv
#     (COMPAT_DESELECT), on every core (pytest-xdist, -n $SFB_EDGE_TEST_WORKERS, default auto);
#   - with COMPAT_MOLECULE=1, the `snapshot` and `plan` molecule scenarios too (site.yml, drift.yml, plan.yml end
#     to end, as tests/integration already runs them on this core; make molecule runs the scenarios on 2.19): left
#     out of make test for its 10-minute budget.
# Expects scripts/bootstrap.sh to have run (the Makefile does that).
set -euo pipefail

# ansible-core 2.16 is the oldest series that ansible.windows 3.x and community.windows 3.x (the
# collections of the PyPI ansible package that bootstrap uses) support; 2.16 wants resolvelib < 1.1.
COMPAT_ANSIBLE_CORE="${COMPAT_ANSIBLE_CORE:-ansible-core==2.16.19}"
COMPAT_EXTRA_PINS=(resolvelib==1.0.1)
# Tools of the development toolchain, not of the collection: they stay in .venv.
COMPAT_TOOLS=(pytest pytest-xdist hypothesis pytest-testinfra pywinrm cryptography PyYAML tree-sitter tree-sitter-pwsh)
# molecule (and its dependencies) only for the molecule scenarios (COMPAT_MOLECULE=1): the venv builds faster without
if [[ "${COMPAT_MOLECULE:-}" == 1 ]]; then COMPAT_TOOLS+=(molecule); fi
# Tests of the development toolchain itself (dist/builder tarballs, the test script, bench), not of
# the collection on an older core.
COMPAT_DESELECT=(tests/integration/test_install.py tests/integration/test_bench.py tests/unit/test_test_script.py)
# Tests of a harness detail of 2.19 (not of the collection): the stub PowerShell of this test reads
# the runas user from 2.19's exec-wrapper payload ("BecomeUser"), which 2.16 encodes differently.
# That the task's become reaches the module on 2.16 is checked by tests/unit/plugins/plugin_utils/test_cs_run.py.
COMPAT_DESELECT_TESTS=(
    "tests/integration/test_frontend_playbooks.py::test_front_end_tasks_run_as_the_front_end_inventory_says_and_name_the_double_hop"
)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.cache/compat-venv"
log() { printf '[compat] %s\n' "$*" >&2; }

# ---------------------------------------------------------------- virtualenv
cons="$ROOT/.cache/compat-constraints.txt"
mkdir -p "$ROOT/.cache"
{
    grep -vE "^(ansible-core|$(IFS='|'; echo "${COMPAT_EXTRA_PINS[*]%%==*}"))==" constraints-dev.txt
    printf '%s\n' "$COMPAT_ANSIBLE_CORE" "${COMPAT_EXTRA_PINS[@]}"
} >"$cons.new"
mv "$cons.new" "$cons"
key="$( (cat "$cons"; "$PYTHON" -c 'import sys; print(sys.version, sys.base_prefix)'; echo "${COMPAT_TOOLS[*]}") | sha256sum | cut -d' ' -f1)"
if [[ -f "$VENV/.compat-stamp" && "$(cat "$VENV/.compat-stamp")" == "$key" ]] && "$VENV/bin/python" -c '' 2>/dev/null; then
    :
else
    log "creating $VENV with $COMPAT_ANSIBLE_CORE"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --disable-pip-version-check "${COMPAT_ANSIBLE_CORE}" "${COMPAT_TOOLS[@]}" \
        -c "$cons" >"$ROOT/.cache/compat-pip.log" 2>&1 \
        || { tail -n 30 "$ROOT/.cache/compat-pip.log" >&2; log "ERROR: pip install failed (log: .cache/compat-pip.log)"; exit 1; }
    echo "$key" >"$VENV/.compat-stamp"
fi
# the whole output, then its first line: `| head -n1` can close the pipe before ansible-playbook is done
version="$("$VENV/bin/ansible-playbook" --version)"
version="${version%%$'\n'*}"
log "$version"
# The run must really be on the old core: a pin that pip resolved otherwise is an error.
want="${COMPAT_ANSIBLE_CORE##*==}"
if [[ "$version" != *"core $want]"* ]]; then
    log "ERROR: expected ansible-core $want in $VENV, got: $version"
    exit 1
fi

# ---------------------------------------------------------------- suites
export VIRTUAL_ENV="$VENV"
export PATH="$VENV/bin:$PATH"
export ANSIBLE_CONFIG="$ROOT/ansible.cfg"
export ANSIBLE_COLLECTIONS_PATH="$ROOT/.cache/collections"
export ANSIBLE_HOME="$ROOT/.cache/compat-ansible-home"
export HYPOTHESIS_STORAGE_DIRECTORY="$ROOT/.cache/hypothesis"
if [[ -n "${CI:-}" ]]; then export ANSIBLE_NOCOLOR=1 NO_COLOR=1; fi
# ansible-core before 2.19 folds YAML results at 80 columns, splitting the messages the tests look
# for; JSON results keep each message on one line (what is shown is the same).
export ANSIBLE_CALLBACK_RESULT_FORMAT=json

deselect=()
for t in "${COMPAT_DESELECT[@]}"; do deselect+=(--ignore="$t"); done
for t in "${COMPAT_DESELECT_TESTS[@]}"; do deselect+=(--deselect="$t"); done
# The test files: those the caller names (pytest args), else the playbook suites and the unit tests that
# reach ansible-core.
selection=()
named=
for a in "$@"; do if [[ "$a" != -* && -e "${a%%::*}" ]]; then named=1; fi; done
if [[ -z "$named" ]]; then
    selection_text="$("$VENV/bin/python" "$ROOT/scripts/compat_tests.py")" || { log "ERROR: scripts/compat_tests.py failed"; exit 1; }
    mapfile -t selection <<<"$selection_text"
fi
log "pytest on $want: ${selection[*]:-$*}"
python -m pytest -n "${SFB_EDGE_TEST_WORKERS:-auto}" --dist worksteal -o cache_dir=.cache/compat-pytest \
    --junitxml="$ROOT/.cache/compat-junit.xml" "${deselect[@]}" "${selection[@]}" "$@"

if [[ "${COMPAT_MOLECULE:-}" == 1 ]]; then
    log "molecule snapshot and plan scenarios on $want"
    (cd "$ROOT/extensions" &&
        molecule -c molecule/config.yml reset -s snapshot -s plan &&
        molecule -c molecule/config.yml test -s snapshot -s plan)
fi
log "OK: the collection's suites pass on $version"
