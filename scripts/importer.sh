#!/usr/bin/env bash
# galaxy-importer on the collection tarball, as Galaxy / Private Automation Hub would import it:
# `make importer`, or the `importer` stage of scripts/test.sh.
#   scripts/importer.sh
# Builds the tarball with scripts/dist.py into .cache/importer/dist, then runs galaxy-importer from
# its own venv (.cache/importer-venv, requirements-importer.txt) with
# .cache/importer/galaxy-importer.cfg: no container, no ansible-test (the sanity stage runs it), no
# ansible-lint (the lint stage runs it over the tree; inside the importer it times out here), no
# network. It fails when the import fails (metadata, docs of every plugin and role, role READMEs,
# changelog, file manifest) or prints an ERROR line.
#
# galaxy.yml has no `repository` (the collection has no public repository yet, and a placeholder
# URL is worse than none), while Galaxy requires one: the import is made from a copy of the tarball
# whose MANIFEST.json names SFB_EDGE_REPOSITORY (default: a reserved .invalid name, said as a NOTE).
# Set `repository` in galaxy.yml before publishing; then the tarball is imported unchanged.
# Expects scripts/bootstrap.sh to have run (the Makefile does that).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.cache/importer-venv"
WORK="$ROOT/.cache/importer"
log() { printf '[importer] %s\n' "$*" >&2; }

key="$( (cat requirements-importer.txt; "$PYTHON" -c 'import sys; print(sys.version, sys.base_prefix)') | sha256sum | cut -d' ' -f1)"
if [[ -f "$VENV/.importer-stamp" && "$(cat "$VENV/.importer-stamp")" == "$key" ]] && "$VENV/bin/python" -c '' 2>/dev/null; then
    :
else
    log "creating $VENV (requirements-importer.txt)"
    rm -rf "$VENV"
    mkdir -p "$ROOT/.cache"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --disable-pip-version-check -r requirements-importer.txt \
        >"$ROOT/.cache/importer-pip.log" 2>&1 \
        || { tail -n 30 "$ROOT/.cache/importer-pip.log" >&2; log "ERROR: pip install failed (log: .cache/importer-pip.log)"; exit 1; }
    echo "$key" >"$VENV/.importer-stamp"
fi

rm -rf "$WORK"
mkdir -p "$WORK/tmp" "$WORK/ansible-tmp" "$WORK/home" "$WORK/import"
"$ROOT/.venv/bin/python" scripts/dist.py --output "$WORK/dist" >/dev/null
tarball="$(cd "$WORK/dist" && ls sfb-edge-*.tar.gz)"

cat >"$WORK/galaxy-importer.cfg" <<EOF
[galaxy-importer]
run_ansible_test = False
run_ansible_lint = False
run_ansible_doc = True
run_flake8 = False
check_required_tags = False
check_changelog = True
log_level_main = INFO
tmp_root_dir = $WORK/tmp
ansible_local_tmp = $WORK/ansible-tmp
EOF

"$VENV/bin/python" - "$WORK/dist/$tarball" "$WORK/import/$tarball" "${SFB_EDGE_REPOSITORY:-}" <<'PY'
"""Copy the tarball; add `repository` to MANIFEST.json only when galaxy.yml has none (FILES.json,
which lists every other file with its checksum, does not cover MANIFEST.json)."""
import io
import json
import sys
import tarfile

src, dst, repository = sys.argv[1], sys.argv[2], sys.argv[3] or "https://repository-not-published.invalid/sfb/edge"
with tarfile.open(src) as tin, tarfile.open(dst, "w:gz") as tout:
    for member in tin.getmembers():
        data = tin.extractfile(member).read() if member.isfile() else None
        if member.name == "MANIFEST.json":
            manifest = json.loads(data)
            if not manifest["collection_info"].get("repository"):
                manifest["collection_info"]["repository"] = repository
                print("[importer] NOTE: galaxy.yml has no repository; imported with %s (set it before "
                      "publishing: Galaxy and Automation Hub require it)" % repository, file=sys.stderr)
            data = json.dumps(manifest, indent=4).encode("utf-8")
            member.size = len(data)
        tout.addfile(member, io.BytesIO(data) if data is not None else None)
PY

log "galaxy-importer on $tarball"
out="$WORK/importer.log"
set +e
(cd "$WORK/home" && HOME="$WORK/home" PATH="$VENV/bin:$PATH" GALAXY_IMPORTER_CONFIG="$WORK/galaxy-importer.cfg" \
    "$VENV/bin/python" -m galaxy_importer.main "$WORK/import/$tarball") >"$out" 2>&1
rc=$?
set -e
grep -vE '^\s*$|^Loading ' "$out" | cut -c1-400 >&2 || true
if [[ $rc -ne 0 ]] || grep -q '^ERROR' "$out"; then
    log "FAILED (exit $rc): see the ERROR above (full log: ${out#"$ROOT/"})"
    exit 1
fi
grep -q '^Importer processing completed successfully' "$out" || { log "FAILED: no success line in ${out#"$ROOT/"}"; exit 1; }
log "OK: $tarball imports"
