#!/usr/bin/env bash
# ansible-test sanity for sfb.edge.
#   scripts/sanity.sh [--python X.Y] [extra ansible-test sanity args, e.g. --test pep8]
#
# ansible-test insists on running from a real .../ansible_collections/<ns>/<name> directory
# (it resolves the cwd, so the symlink in .cache/collections is not enough). We copy the
# tracked and untracked-but-not-ignored files to .cache/sanity/ansible_collections/sfb/edge
# (a git repository of its own) and run there, keeping its tests/output between runs.
#
# --venv: ansible-test makes one virtualenv per sanity test under ~/.ansible/test/venv and
# pip-installs that test's pinned requirements from PyPI (first run only). It bootstraps pip
# in those venvs with ~/.ansible/test/cache/get_pip_<ver>.py, which it would download from a
# host we cannot reach: we write a stand-in that installs pip with ensurepip instead.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$ROOT/.venv/bin:$PATH"
unset ANSIBLE_CONFIG ANSIBLE_COLLECTIONS_PATH   # ansible-test sets up its own

PY_XY="$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [[ "${1:-}" == --python ]]; then PY_XY="$2"; shift 2; fi

# ---------------------------------------------------------------- get-pip stand-in
pip_ver="$(python - "$PY_XY" <<'PY'
import sys
from types import SimpleNamespace
from ansible_test._internal.python_requirements import get_venv_packages
print(get_venv_packages(SimpleNamespace(version=sys.argv[1]))["pip"])
PY
)"
get_pip="$HOME/.ansible/test/cache/get_pip_${pip_ver//./_}.py"
mkdir -p "$(dirname "$get_pip")"
cat >"$get_pip.new" <<'PY'
"""Stand-in for get-pip.py, written by sfb.edge scripts/sanity.sh (the real one cannot be
downloaded here). ansible-test runs it in a new virtualenv without pip, with pip-install
arguments such as: --disable-pip-version-check pip==24.2 --no-setuptools --no-wheel
It installs pip with ensurepip, then runs `pip install` with those arguments."""
import subprocess
import sys

args = sys.argv[1:]
no_setuptools = "--no-setuptools" in args
args = [a for a in args if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"],
                      stdout=subprocess.DEVNULL)
if args:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--upgrade"] + args)
if no_setuptools:
    subprocess.call([sys.executable, "-m", "pip", "uninstall", "--yes", "--quiet", "setuptools"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
PY
if cmp -s "$get_pip.new" "$get_pip"; then rm -f "$get_pip.new"; else mv "$get_pip.new" "$get_pip"; fi

# ---------------------------------------------------------------- copy of the collection
ns="$(sed -n 's/^namespace:[[:space:]]*//p' galaxy.yml | tr -d "\"' ")"
name="$(sed -n 's/^name:[[:space:]]*//p' galaxy.yml | tr -d "\"' ")"
dest="$ROOT/.cache/sanity/ansible_collections/$ns/$name"
keep="$ROOT/.cache/sanity/output.keep"
rm -rf "$keep"
if [[ -d "$dest/tests/output" ]]; then mv "$dest/tests/output" "$keep"; fi
rm -rf "$dest"
mkdir -p "$dest"
git ls-files -z --cached --others --exclude-standard \
    | while IFS= read -r -d '' f; do [[ -e "$f" || -L "$f" ]] && printf '%s\0' "$f"; done \
    | tar --null --no-recursion -T - -cf - \
    | tar -xf - -C "$dest"
if [[ -d "$keep" ]]; then mkdir -p "$dest/tests"; mv "$keep" "$dest/tests/output"; fi
# ansible-test lists content with `git ls-files --cached --others --exclude-standard` of the
# nearest enclosing git repository; without a repository of its own, the copy would be seen
# as part of this checkout, where .cache/ is ignored, and every target would be skipped.
git -C "$dest" init --quiet

# ---------------------------------------------------------------- which tests
skip=()
# validate-modules reads the argument specs of PowerShell modules by running them with
# pwsh, which is not available on our machines; it fails on every plugins/modules/*.ps1.
# Skip it (only it) once the collection has PowerShell modules.
if compgen -G "$dest/plugins/modules/*.ps1" >/dev/null; then
    echo "NOTE: plugins/modules/*.ps1 present and no pwsh: skipping sanity test validate-modules"
    skip+=(--skip-test validate-modules)
fi

color=auto
if [[ -n "${CI:-}" ]]; then color=no; fi

cd "$dest"
echo "ansible-test sanity --venv --python $PY_XY (in ${dest#"$ROOT"/})"
ansible-test sanity --venv --python "$PY_XY" --color "$color" "${skip[@]}" "$@"
