#!/usr/bin/env bash
# Role READMEs from the argument specs: roles/<role>/README.md for every role that has a
# meta/argument_specs.yml, rendered by aar-doc with scripts/templates/role_readme.md.j2.
#   scripts/role_docs.sh           (re)write every role README (make role-docs)
#   scripts/role_docs.sh --check   render into a temporary directory and compare: exit 1 naming each
#                                  stale, missing or orphaned README ("run make role-docs")
# First the support matrix (scripts/support_matrix.py, from scripts/support_matrix.yml): README.md's table,
# meta/runtime.yml requires_ansible and each role's meta/main.yml platforms / min_ansible_version, which
# the READMEs render (--check: compared, nothing written).
# A role directory without meta/argument_specs.yml is an error (every role documents its options).
# Expects .venv (scripts/bootstrap.sh; the Makefile runs it).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
AAR_DOC="${AAR_DOC:-$ROOT/.venv/bin/aar-doc}"
TEMPLATE="$ROOT/scripts/templates/role_readme.md.j2"
check=
case "${1:-}" in
    --check) check=1 ;;
    "") ;;
    *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac
[[ -x "$AAR_DOC" ]] || { echo "ERROR: $AAR_DOC not found: run make bootstrap" >&2; exit 1; }

problems=()
if ! "$ROOT/.venv/bin/python" "$ROOT/scripts/support_matrix.py" ${check:+--check}; then
    problems+=("the support matrix (scripts/support_matrix.py${check:+ --check}) failed: see above")
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

roles=0
for dir in "$ROOT"/roles/*/; do
    dir="${dir%/}"
    role="$(basename "$dir")"
    if [[ ! -f "$dir/meta/argument_specs.yml" ]]; then
        problems+=("roles/$role has no meta/argument_specs.yml: document the role's options there (every role has one)")
        continue
    fi
    roles=$((roles + 1))
    out="$tmp/$role.md"
    # --config-file: none (a missing file is fine); aar-doc logs to stderr only on trouble.
    if ! "$AAR_DOC" --config-file "$tmp/no-config.yml" --output-file "$out" \
        --output-template "$TEMPLATE" --output-mode replace "$dir" markdown >"$tmp/$role.log" 2>&1; then
        cat "$tmp/$role.log" >&2
        problems+=("aar-doc failed for roles/$role (output above)")
        continue
    fi
    readme="$dir/README.md"
    if [[ -n "$check" ]]; then
        if [[ ! -f "$readme" ]]; then
            problems+=("roles/$role/README.md is missing")
        elif ! cmp -s "$out" "$readme"; then
            diff -u "$readme" "$out" | head -n 40 >&2 || true
            problems+=("roles/$role/README.md is stale (differs from its meta/argument_specs.yml, diff above)")
        fi
    elif ! cmp -s "$out" "$readme" 2>/dev/null; then
        cp "$out" "$readme"
        echo "wrote roles/$role/README.md"
    fi
done

if [[ ${#problems[@]} -gt 0 ]]; then
    printf 'ERROR: %s\n' "${problems[@]}" >&2
    if [[ -n "$check" ]]; then echo "Role READMEs are generated: run make role-docs and commit the result." >&2; fi
    exit 1
fi
if [[ -n "$check" ]]; then
    echo "role READMEs: $roles up to date"
else
    echo "role READMEs: $roles generated (roles/*/README.md)"
fi
