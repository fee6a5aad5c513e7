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
# pslint runs PSScriptAnalyzer under pwsh; neither is available here (pwsh is not on PyPI or
# in Debian). ansible-test would skip it with a warning anyway; say so explicitly.
if [[ -n "$(cd "$dest" && git ls-files --others --exclude-standard -- '*.ps1' '*.psm1' '*.psd1')" ]]; then
    echo "NOTE: PowerShell files present and no pwsh: skipping sanity test pslint"
    skip+=(--skip-test pslint)
fi
# validate-modules reads the argument spec of a PowerShell module by running it with pwsh,
# which is not available here: it crashes on any plugins/modules/*.ps1. When there are such
# modules, the main run skips validate-modules and a second run does validate-modules alone
# with the .ps1 files excluded (their documentation - .yml sidecars or .py stubs - and all
# Python content are still validated; only the PowerShell argument-spec comparison is lost,
# tests/unit/plugins/modules/test_powershell_argspec.py makes it without pwsh).
vm_exclude=()
for f in "$dest"/plugins/modules/*.ps1; do
    [[ -e "$f" ]] && vm_exclude+=(--exclude "plugins/modules/${f##*/}")
done
# The second run takes the caller's arguments without their test selection (--test and
# --skip-test), and runs only when that selection includes validate-modules: otherwise
# `--test yamllint` would run validate-modules too, and yamllint twice.
vm_args=() tests_named=no vm_named=no vm_skipped=no
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[i]}" in
        --test | --skip-test) option="${args[i]}" test="${args[i + 1]:-}" i=$((i + 1)) ;;
        --test=* | --skip-test=*) option="${args[i]%%=*}" test="${args[i]#*=}" ;;
        *) vm_args+=("${args[i]}"); continue ;;
    esac
    if [[ $option == --test ]]; then tests_named=yes; fi
    if [[ $option == --test && $test == validate-modules ]]; then vm_named=yes; fi
    if [[ $option == --skip-test && $test == validate-modules ]]; then vm_skipped=yes; fi
done
if [[ $vm_skipped == yes || ($tests_named == yes && $vm_named == no) ]]; then vm_exclude=(); fi
if [[ ${#vm_exclude[@]} -gt 0 ]]; then
    echo "NOTE: plugins/modules/*.ps1 present and no pwsh: validate-modules runs separately without them"
    skip+=(--skip-test validate-modules)
fi

color=auto
if [[ -n "${CI:-}" ]]; then color=no; fi

cd "$dest"
echo "ansible-test sanity --venv --python $PY_XY (in ${dest#"$ROOT"/})"
rc=0
ansible-test sanity --venv --python "$PY_XY" --color "$color" "${skip[@]}" "$@" || rc=$?
if [[ ${#vm_exclude[@]} -gt 0 ]]; then
    echo "ansible-test sanity --test validate-modules, PowerShell modules excluded"
    ansible-test sanity --venv --python "$PY_XY" --color "$color" --test validate-modules \
        "${vm_exclude[@]}" "${vm_args[@]}" || rc=$?
fi
exit "$rc"
