#!/usr/bin/env bash
# The newest tested ansible-core (README.md "Support matrix"): `make newest`, or the `newest` stage
# of scripts/test.sh.
#   scripts/newest.sh [pytest args]
# ansible-core 2.20 and later run only on Python >= 3.12, which this machine may not have: the script
# looks for one (NEWEST_PYTHON, else python3.12 / 3.13 / 3.14 on PATH, else a pyenv-installed one)
# and, when there is none, says so and exits 77 (the `newest` stage reports it as SKIPPED).
# Builds .cache/newest-venv with NEWEST_ANSIBLE_CORE (default below) and the same pinned test tools
# as .venv (constraints-dev.txt, less the pins the newer core rules out), then runs on it, against
# the same .cache/collections, a lean subset of the playbook suites (NEWEST_TESTS), including the
# check that no playbook run prints a [DEPRECATION WARNING] (tests/integration/test_deprecations.py).
# With pytest args, those run instead of NEWEST_TESTS.
# Expects scripts/bootstrap.sh to have run (the Makefile does that).
set -euo pipefail

NEWEST_ANSIBLE_CORE="${NEWEST_ANSIBLE_CORE:-ansible-core==2.21.5}"
# Pins of constraints-dev.txt that the newer core replaces (none beyond ansible-core today).
NEWEST_EXTRA_PINS=()
# Tools of the development toolchain that the suites below need.
NEWEST_TOOLS=(pytest hypothesis pywinrm cryptography PyYAML)
# The lean subset (about a minute; the whole suites run on the primary core in `units` and on the oldest
# in `compat`): no deprecation warning (site.yml --check planning an install, drift.yml), site.yml on a
# converged box (twice, with its call budget), drift.yml's reports and exit code, plan.yml in check mode,
# and an inventory error stopping before any host.
NEWEST_TESTS=(
    tests/integration/test_deprecations.py
    "tests/integration/test_windows_playbooks.py::test_site_on_a_converged_box_changes_nothing_and_calls_nothing[mode0]"
    tests/integration/test_windows_playbooks.py::test_drift_reports_and_exit_code
    tests/integration/test_windows_playbooks.py::test_bad_inventory_stops_before_any_host
    tests/integration/test_plan_playbook.py::test_plan_check_mode_writes_nothing
)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.cache/newest-venv"
log() { printf '[newest] %s\n' "$*" >&2; }

# ---------------------------------------------------------------- interpreter
runs_312() { [[ -n "$1" ]] && "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; }
PYTHON="${NEWEST_PYTHON:-}"
if [[ -n "$PYTHON" ]]; then
    runs_312 "$PYTHON" || { log "ERROR: NEWEST_PYTHON=$PYTHON is not a Python >= 3.12 that runs"; exit 1; }
else
    for cand in python3.12 python3.13 python3.14; do
        if runs_312 "$(command -v "$cand" || true)"; then PYTHON="$(command -v "$cand")"; break; fi
    done
    if [[ -z "$PYTHON" ]]; then
        proot="$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")"
        shopt -s nullglob
        for cand in "$proot"/versions/3.1[2-9]*/bin/python3.1[2-9]; do
            if runs_312 "$cand"; then PYTHON="$cand"; break; fi
        done
        shopt -u nullglob
    fi
fi
if [[ -z "$PYTHON" ]]; then
    log "SKIPPED: ${NEWEST_ANSIBLE_CORE##*==} needs Python >= 3.12 and none was found (python3.12 on PATH," \
        "a pyenv version, or NEWEST_PYTHON=/path/to/python3.12)"
    exit 77
fi

# ---------------------------------------------------------------- virtualenv
cons="$ROOT/.cache/newest-constraints.txt"
mkdir -p "$ROOT/.cache"
{
    grep -vE "^(ansible-core$(for p in ${NEWEST_EXTRA_PINS[@]+"${NEWEST_EXTRA_PINS[@]}"}; do printf '|%s' "${p%%==*}"; done))==" constraints-dev.txt
    printf '%s\n' "$NEWEST_ANSIBLE_CORE" ${NEWEST_EXTRA_PINS[@]+"${NEWEST_EXTRA_PINS[@]}"}
} >"$cons.new"
mv "$cons.new" "$cons"
key="$( (cat "$cons"; "$PYTHON" -c 'import sys; print(sys.version, sys.base_prefix)'; echo "${NEWEST_TOOLS[*]}") | sha256sum | cut -d' ' -f1)"
if [[ -f "$VENV/.newest-stamp" && "$(cat "$VENV/.newest-stamp")" == "$key" ]] && "$VENV/bin/python" -c '' 2>/dev/null; then
    :
else
    log "creating $VENV with $NEWEST_ANSIBLE_CORE on $("$PYTHON" -V)"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --disable-pip-version-check "${NEWEST_ANSIBLE_CORE}" "${NEWEST_TOOLS[@]}" \
        -c "$cons" >"$ROOT/.cache/newest-pip.log" 2>&1 \
        || { tail -n 30 "$ROOT/.cache/newest-pip.log" >&2; log "ERROR: pip install failed (log: .cache/newest-pip.log)"; exit 1; }
    echo "$key" >"$VENV/.newest-stamp"
fi
# the whole output, then its first line: `| head -n1` can close the pipe before ansible-playbook is done
version="$("$VENV/bin/ansible-playbook" --version)"
version="${version%%$'\n'*}"
log "$version, $("$VENV/bin/python" -V)"
want="${NEWEST_ANSIBLE_CORE##*==}"
if [[ "$version" != *"core $want]"* ]]; then
    log "ERROR: expected ansible-core $want in $VENV, got: $version"
    exit 1
fi

# ---------------------------------------------------------------- suites
export VIRTUAL_ENV="$VENV"
export PATH="$VENV/bin:$PATH"
export ANSIBLE_CONFIG="$ROOT/ansible.cfg"
export ANSIBLE_COLLECTIONS_PATH="$ROOT/.cache/collections"
export ANSIBLE_HOME="$ROOT/.cache/newest-ansible-home"
export HYPOTHESIS_STORAGE_DIRECTORY="$ROOT/.cache/hypothesis"
if [[ -n "${CI:-}" ]]; then export ANSIBLE_NOCOLOR=1 NO_COLOR=1; fi

if [[ $# -eq 0 ]]; then set -- "${NEWEST_TESTS[@]}"; fi
log "pytest on $want: $*"
python -m pytest -o cache_dir=.cache/newest-pytest --junitxml="$ROOT/.cache/newest-junit.xml" "$@"
log "OK: the playbook suites pass on $version, with no deprecation warning"
