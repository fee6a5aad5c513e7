#!/usr/bin/env bash
# Set up everything `make plan` and `make test` need, inside the checkout:
#   .venv/                       Python virtualenv with requirements-dev.txt (+ constraints-dev.txt)
#   .cache/collections/          collections path (ansible.cfg points here):
#     ansible_collections/{ansible/windows,community/windows}
#                                extracted from the PyPI `ansible` wheel (Galaxy is not reachable)
#     ansible_collections/sfb/edge -> ../../../..   this checkout, as the sfb.edge collection
#
# Idempotent and fast on re-run: each part keeps a stamp keyed on what it was built from.
# Environment: PYTHON (interpreter for the venv, default python3), BOOTSTRAP_FORCE=1 to rebuild.
set -euo pipefail

# PyPI `ansible` release whose bundled collections we use. 12.x goes with ansible-core 2.19.
ANSIBLE_BUNDLE="ansible==12.3.0"
BUNDLED_COLLECTIONS=(ansible/windows community/windows)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv"
CACHE="$ROOT/.cache"
COLL_ROOT="$CACHE/collections/ansible_collections"

log() { printf '[bootstrap] %s\n' "$*" >&2; }
die() { printf '[bootstrap] ERROR: %s\n' "$*" >&2; exit 1; }

command -v "$PYTHON" >/dev/null 2>&1 || die "interpreter '$PYTHON' not found (set PYTHON=...)"
if ! "$PYTHON" -c '' >/dev/null 2>&1 && command -v pyenv >/dev/null 2>&1; then
    # A pyenv shim for a version that is installed but not selected (e.g. python3.12).
    for cand in "$(pyenv root)"/versions/*/bin/"$PYTHON"; do
        if [[ -x "$cand" ]]; then PYTHON="$cand"; break; fi
    done
fi
PY_ID="$("$PYTHON" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3], sys.base_prefix)')" \
    || die "'$PYTHON' does not run"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || die "'$PYTHON' is Python ${PY_ID%% *}; Python >= 3.11 is required"

hash_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

# ---------------------------------------------------------------- virtualenv
venv_key="$(printf '%s\n%s\n' "$PY_ID" "$(hash_of requirements.txt requirements-dev.txt constraints-dev.txt)" | sha256sum | cut -d' ' -f1)"
venv_stamp="$VENV/.bootstrap-stamp"
if [[ "${BOOTSTRAP_FORCE:-}" != 1 && -f "$venv_stamp" && "$(cat "$venv_stamp")" == "$venv_key" ]] \
    && "$VENV/bin/python" -c '' 2>/dev/null; then
    :
else
    log "creating $VENV with $PYTHON (Python ${PY_ID%% *})"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    mkdir -p "$CACHE"
    "$VENV/bin/python" -m pip install --disable-pip-version-check \
        -r requirements-dev.txt -c constraints-dev.txt >"$CACHE/pip-install.log" 2>&1 \
        || { tail -n 40 "$CACHE/pip-install.log" >&2; die "pip install of requirements-dev.txt failed (log: .cache/pip-install.log)"; }
    echo "$venv_key" >"$venv_stamp"
    log "virtualenv ready"
fi

# ---------------------------------------------------------------- collections
coll_key="$(printf '%s %s\n' "$ANSIBLE_BUNDLE" "${BUNDLED_COLLECTIONS[*]}" | sha256sum | cut -d' ' -f1)"
coll_stamp="$CACHE/collections/.bootstrap-stamp"
if [[ "${BOOTSTRAP_FORCE:-}" != 1 && -f "$coll_stamp" && "$(cat "$coll_stamp")" == "$coll_key" ]]; then
    :
else
    log "extracting ${BUNDLED_COLLECTIONS[*]} from the PyPI package $ANSIBLE_BUNDLE"
    dl="$CACHE/downloads"
    mkdir -p "$dl"
    shopt -s nullglob
    wheels=("$dl/${ANSIBLE_BUNDLE%%==*}-${ANSIBLE_BUNDLE##*==}-"*.whl)
    if [[ ${#wheels[@]} -eq 0 ]]; then
        "$VENV/bin/python" -m pip download --disable-pip-version-check \
            --no-deps --only-binary=:all: -d "$dl" "$ANSIBLE_BUNDLE" >"$CACHE/pip-download.log" 2>&1 \
            || { tail -n 20 "$CACHE/pip-download.log" >&2; die "could not download $ANSIBLE_BUNDLE from PyPI"; }
        wheels=("$dl/${ANSIBLE_BUNDLE%%==*}-${ANSIBLE_BUNDLE##*==}-"*.whl)
        [[ ${#wheels[@]} -gt 0 ]] || die "no wheel of $ANSIBLE_BUNDLE in $dl"
    fi
    shopt -u nullglob
    wheel="${wheels[0]}"
    tmp="$CACHE/collections.tmp"
    rm -rf "$tmp"
    "$VENV/bin/python" - "$wheel" "$tmp" "${BUNDLED_COLLECTIONS[@]}" <<'PY'
import json, sys, zipfile
from pathlib import Path

wheel, dest, names = sys.argv[1], Path(sys.argv[2]), sys.argv[3:]
with zipfile.ZipFile(wheel) as zf:
    members = zf.namelist()
    for name in names:
        prefix = f"ansible_collections/{name}/"
        chosen = [m for m in members if m.startswith(prefix)]
        if f"{prefix}MANIFEST.json" not in chosen:
            sys.exit(f"{name}: not found in {wheel}")
        zf.extractall(dest, chosen)
        info = json.loads((dest / prefix / "MANIFEST.json").read_text())["collection_info"]
        print(f"[bootstrap]   {info['namespace']}.{info['name']} {info['version']}", file=sys.stderr)
PY
    mkdir -p "$COLL_ROOT"
    # A collection no longer bundled (e.g. microsoft.ad before 0.4.0) must not linger on the path:
    # keep only the sfb namespace (the link to this checkout).
    find "$COLL_ROOT" -mindepth 1 -maxdepth 1 -not -name sfb -exec rm -rf {} +
    for name in "${BUNDLED_COLLECTIONS[@]}"; do
        rm -rf "${COLL_ROOT:?}/$name"
        mkdir -p "$(dirname "$COLL_ROOT/$name")"
        mv "$tmp/ansible_collections/$name" "$COLL_ROOT/$name"
    done
    rm -rf "$tmp"
    echo "$coll_key" >"$coll_stamp"
fi

# This checkout is the sfb.edge collection (relative link: survives moving the checkout).
link="$COLL_ROOT/sfb/edge"
if [[ "$(readlink "$link" 2>/dev/null || true)" != "../../../.." ]]; then
    mkdir -p "$COLL_ROOT/sfb"
    rm -rf "$link"
    ln -s ../../../.. "$link"
fi
[[ -f "$link/galaxy.yml" ]] || die "$link does not resolve to the checkout"
