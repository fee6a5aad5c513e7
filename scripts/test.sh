#!/usr/bin/env bash
# Run test stages in the given order, stop at the first failure, print a one-line summary.
#   scripts/test.sh units lint sanity molecule
# Stages:
#   units     python -m pytest over tests/unit and tests/integration (pytest.ini), on every core
#             (pytest-xdist: -n $SFB_EDGE_TEST_WORKERS, default auto = one worker per CPU)
#   lint      ansible-lint --offline --profile production (.ansible-lint)
#   sanity    ansible-test sanity on a copy under .cache/sanity (scripts/sanity.sh)
#   docs      antsibull-changelog lint, antsibull-docs lint-collection-docs --plugin-docs, role READMEs
#             up to date (scripts/role_docs.sh --check), .github/workflows by yamllint and check-jsonschema
#   molecule  every scenario under extensions/molecule (run from extensions/); 'windows' only when
#             SFB_EDGE_WINRM_HOST is set, else it is reported as SKIPPED
#   windows   only the 'windows' scenario, against the real Windows host of SFB_EDGE_WINRM_HOST
#             (fails when it is not set; extensions/molecule/windows/README.md)
#   browser   the HTML report in headless chromium (tests/integration/test_html_report_browser.py);
#             installs the Debian package 'chromium' first when it is missing and we are root, else
#             reports SKIPPED naming the package (docs/html-report.md). After 'units' it runs the tests
#             only when it had to install chromium (else 'units' ran them).

#   compat    the oldest supported ansible-core (2.16, meta/runtime.yml) in .cache/compat-venv: pytest and
#             the snapshot and plan molecule scenarios on it (scripts/compat.sh)
#   newest    the newest tested ansible-core (2.21, README.md "Support matrix") in .cache/newest-venv: a lean
#             subset of the playbook suites and no deprecation warning (scripts/newest.sh); it needs Python
#             >= 3.12 (on PATH or from pyenv) and is reported as SKIPPED when there is none
#   importer  galaxy-importer on the built collection tarball, as Galaxy / Automation Hub import it
#             (scripts/importer.sh; needs the generated role READMEs)
# Expects scripts/bootstrap.sh to have run (the Makefile does that).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The windows scenario's inventory: relative to where the caller is, absolute for molecule (which
# runs ansible-playbook in the scenario directory).
if [[ -n "${SFB_EDGE_INVENTORY:-}" && "$SFB_EDGE_INVENTORY" != /* ]]; then
    SFB_EDGE_INVENTORY="$PWD/$SFB_EDGE_INVENTORY"
fi
cd "$ROOT" || exit 1

export VIRTUAL_ENV="$ROOT/.venv"
export PATH="$VIRTUAL_ENV/bin:$PATH"
export ANSIBLE_CONFIG="$ROOT/ansible.cfg"
export ANSIBLE_COLLECTIONS_PATH="$ROOT/.cache/collections"
# Keep Ansible's per-user state (tmp, galaxy cache, ansible-lint cache) inside .cache.
export ANSIBLE_HOME="$ROOT/.cache/ansible-home"
if [[ -n "${CI:-}" ]]; then export ANSIBLE_NOCOLOR=1 NO_COLOR=1; fi
export HYPOTHESIS_STORAGE_DIRECTORY="$ROOT/.cache/hypothesis"
PY_XY="$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')"

JUNIT="${SFB_EDGE_JUNIT:-$ROOT/.cache/pytest-junit.xml}"
# pytest-xdist workers of the units and compat stages ('auto': one per CPU; 0: no worker, in this process)
export SFB_EDGE_TEST_WORKERS="${SFB_EDGE_TEST_WORKERS:-auto}"

stage_units() {
    rm -f "$JUNIT"
    python -m pytest -n "$SFB_EDGE_TEST_WORKERS" --dist worksteal --junitxml="$JUNIT"
    local rc=$?
    if [[ $rc -eq 5 ]]; then
        # pytest's exit 5: nothing was collected (a moved test directory, a bad testpaths or
        # PYTEST_ADDOPTS): a test stage that ran no test has not passed.
        echo "ERROR: pytest collected no tests (exit 5): check testpaths in pytest.ini" \
            "(tests/unit tests/integration) and PYTEST_ADDOPTS='${PYTEST_ADDOPTS:-}'" >&2
    fi
    return $rc
}

stage_lint() {
    # --offline: no Galaxy, no requirements install; the collections come from
    # .cache/collections through ANSIBLE_COLLECTIONS_PATH. With ANSIBLE_* set and --offline,
    # ansible-lint uses $ANSIBLE_HOME for its cache instead of creating ./.ansible.
    ansible-lint --offline --profile production
    local rc=$?
    if [[ -e "$ROOT/.ansible" ]]; then
        echo "ERROR: ansible-lint created $ROOT/.ansible" >&2
        return 1
    fi
    return $rc
}

stage_sanity() {
    "$ROOT/scripts/sanity.sh" --python "$PY_XY"
}

stage_docs() {
    # Every check runs, then the stage fails naming each one that failed.
    local failed=()
    echo "-- antsibull-changelog lint (changelogs/fragments)"
    antsibull-changelog lint || failed+=("antsibull-changelog lint: fix the fragments named above")
    echo "-- antsibull-docs lint-collection-docs --plugin-docs ."
    antsibull-docs lint-collection-docs --plugin-docs . || failed+=("antsibull-docs lint-collection-docs: fix the docs named above")
    echo "-- support matrix and role READMEs (scripts/role_docs.sh --check: scripts/support_matrix.py --check, aar-doc)"
    "$ROOT/scripts/role_docs.sh" --check || failed+=("role READMEs: run make role-docs")
    echo "-- .github/workflows (yamllint, check-jsonschema vendor.github-workflows)"
    { yamllint -s .github && check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml; } \
        || failed+=("GitHub workflows: fix the errors above")
    if [[ ${#failed[@]} -gt 0 ]]; then
        printf 'ERROR: %s\n' "${failed[@]}" >&2
        return 1
    fi
}

WINDOWS_HELP="set SFB_EDGE_WINRM_HOST (and SFB_EDGE_WINRM_USER/PASSWORD, SFB_EDGE_INVENTORY) to run it \
against a real Windows edge host; see extensions/molecule/windows/README.md"

run_molecule() {
    # Collection-level scenarios (ansible-creator layout), run from extensions/ with the shared
    # base config (molecule does not look for it by itself from there). No scenario has a destroy
    # step, so molecule would keep its state (and skip prepare) between runs: reset them first.
    local args=() s
    for s in "$@"; do args+=(-s "$s"); done
    echo "molecule scenarios: $*"
    (cd "$ROOT/extensions" &&
        molecule -c molecule/config.yml reset "${args[@]}" &&
        molecule -c molecule/config.yml test "${args[@]}")
}

windows_env() {
    if [[ -n "${SFB_EDGE_INVENTORY:-}" && ! -d "$SFB_EDGE_INVENTORY" ]]; then
        echo "SFB_EDGE_INVENTORY=$SFB_EDGE_INVENTORY is not a directory" >&2
        return 1
    fi
    export SFB_EDGE_INVENTORY="${SFB_EDGE_INVENTORY:-$ROOT/inventories/example}"
    export SFB_EDGE_HOST="${SFB_EDGE_HOST:-edge01}"
    echo "windows: ${SFB_EDGE_HOST} of ${SFB_EDGE_INVENTORY} at ${SFB_EDGE_WINRM_HOST}:${SFB_EDGE_WINRM_PORT:-5986}" \
        "(${SFB_EDGE_WINRM_TRANSPORT:-ntlm}, certificate ${SFB_EDGE_WINRM_CERT_VALIDATION:-validate})"
}

stage_molecule() {
    # Every scenario directory, so a new one is never left out; 'windows' needs a real host.
    local scenarios=() dir name
    for dir in "$ROOT"/extensions/molecule/*/molecule.yml; do
        name="$(basename "$(dirname "$dir")")"
        if [[ "$name" == windows && -z "${SFB_EDGE_WINRM_HOST:-}" ]]; then
            echo "SKIPPED molecule scenario 'windows': $WINDOWS_HELP"
            notes+=("SKIPPED molecule scenario 'windows' (SFB_EDGE_WINRM_HOST not set)")
            continue
        fi
        scenarios+=("$name")
    done
    if [[ " ${scenarios[*]} " == *" windows "* ]]; then windows_env || return 1; fi
    run_molecule "${scenarios[@]}"
}

stage_windows() {
    if [[ -z "${SFB_EDGE_WINRM_HOST:-}" ]]; then
        echo "ERROR: the 'windows' scenario needs a real Windows edge host: $WINDOWS_HELP" >&2
        return 1
    fi
    windows_env || return 1
    run_molecule windows
}

stage_browser() {
    local out installed=
    python "$ROOT/scripts/report_browser.py" ensure --no-install >/dev/null 2>&1 || installed=1
    if ! out="$(python "$ROOT/scripts/report_browser.py" ensure 2>&1)"; then
        echo "$out"
        echo "SKIPPED browser: ${out##*ERROR: }"
        notes+=("SKIPPED browser tests (no chromium: install the Debian package 'chromium' as root)")
        return 0
    fi
    echo "chromium: ${out##*$'\n'}"
    if [[ -n "$ran_units" && -z "$installed" ]]; then
        # chromium was there for the units stage, which ran these tests already
        echo "the browser tests ran in the units stage (tests/integration/test_html_report_browser.py)"
        return 0
    fi
    python -m pytest tests/integration/test_html_report_browser.py
}

stage_compat() {
    "$ROOT/scripts/compat.sh"
}

stage_newest() {
    "$ROOT/scripts/newest.sh"
    local rc=$?
    if [[ $rc -eq 77 ]]; then
        # no Python >= 3.12 on this machine: nothing to run the newest core on (scripts/newest.sh said so)
        echo "SKIPPED newest: no Python >= 3.12 (python3.12 on PATH, pyenv, or NEWEST_PYTHON=...)"
        notes+=("SKIPPED newest ansible-core (no Python >= 3.12: install python3.12 or set NEWEST_PYTHON)")
        return 0
    fi
    return $rc
}

stage_importer() {
    "$ROOT/scripts/importer.sh"
}

pytest_counts() {
    # "pytest: N passed, N failed, N skipped" from this run's JUnit report, if there is one.
    [[ -n "$ran_units" && -f "$JUNIT" ]] || return 0
    python - "$JUNIT" <<'PY'
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
tot = {k: sum(int(s.get(k, 0)) for s in suites) for k in ("tests", "failures", "errors", "skipped")}
failed = tot["failures"] + tot["errors"]
print(f"pytest: {tot['tests'] - failed - tot['skipped']} passed, {failed} failed, {tot['skipped']} skipped")
PY
}

fmt() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

[[ $# -gt 0 ]] || set -- units browser lint docs sanity molecule compat newest importer
for s in "$@"; do
    declare -F "stage_$s" >/dev/null || { echo "unknown stage: $s" >&2; exit 2; }
done

summary=()
notes=()
ran_units=
t_all=$SECONDS
for s in "$@"; do
    if [[ "$s" == units ]]; then ran_units=1; fi
    echo
    echo "================================================================ stage: $s"
    t0=$SECONDS
    "stage_$s"
    rc=$?
    dt=$((SECONDS - t0))
    if [[ $rc -ne 0 ]]; then
        summary+=("$s FAILED ($(fmt $dt))")
        echo
        echo "================================================================"
        echo "stage '$s' FAILED (exit $rc) after $(fmt $dt); later stages not run."
        pytest_counts
        echo "summary: FAILED at '$s' — ${summary[*]}"
        for n in ${notes[@]+"${notes[@]}"}; do echo "$n"; done
        exit 1
    fi
    summary+=("$s ok ($(fmt $dt))")
done
echo
echo "================================================================"
echo "summary: OK in $(fmt $((SECONDS - t_all))) — ${summary[*]}"
for n in ${notes[@]+"${notes[@]}"}; do echo "$n"; done
pytest_counts
