# -*- coding: utf-8 -*-
"""scripts/compat_tests.py: what `make compat` runs on the oldest ansible-core (issue 22, `make test` in 10 minutes).

Every playbook suite (tests/integration) and every unit test file that reaches ansible-core - directly, through a
test helper module or through the collection's modules - runs on 2.16; a unit test file of plain Python is left to
the units stage.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_SPEC = importlib.util.spec_from_file_location("compat_tests", os.path.join(ROOT, "scripts", "compat_tests.py"))
compat_tests = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(compat_tests)


def _lines(*args):
    """What ``python scripts/compat_tests.py ARGS`` prints, a line each."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert compat_tests.main(list(args)) == 0
    return out.getvalue().split()


def test_the_playbook_suites_and_the_unit_tests_that_reach_ansible_core():
    kept, skipped = _lines(), _lines("--skipped")
    assert kept[0] == "tests/integration"
    # imports ansible itself
    assert "tests/unit/plugins/plugin_utils/test_store.py" in kept and "tests/unit/plugins/action/test_plan_files.py" in kept
    # only through the test helper module test_cs_run (the edge_apply action, an ActionBase)
    assert "tests/unit/plugins/plugin_utils/test_cs_fold.py" in kept
    # through the collection: plugin_utils/_hoststate.py is an ActionBase
    assert "tests/unit/plugins/plugin_utils/test_hoststate.py" in kept
    # plain Python: netcalc, the PowerShell parser gate, the changelog fragments
    for name in ("plugins/plugin_utils/test_netcalc.py", "plugins/modules/test_powershell_syntax.py", "test_changelog.py"):
        assert "tests/unit/" + name in skipped and "tests/unit/" + name not in kept
    files = sorted(os.path.relpath(os.path.join(folder, f), ROOT)
                   for folder, _dirs, names in os.walk(os.path.join(ROOT, "tests", "unit"))
                   for f in names if f.startswith("test_") and f.endswith(".py"))
    assert sorted(kept[1:] + skipped) == files  # each file once, on one side


def test_a_file_left_out_imports_no_ansible_core():
    """The claim behind leaving a file out, checked in a fresh interpreter for one of them."""
    for folder, name in (("plugins/plugin_utils", "test_netcalc"),):
        assert "tests/unit/%s/%s.py" % (folder, name) in _lines("--skipped")
        code = ("import sys; sys.path[:0] = [%r, %r, %r, %r]; import %s; "
                "print(sorted(m for m in sys.modules if m == 'ansible' or m.startswith('ansible.')))"
                % (os.path.join(ROOT, ".cache", "collections"), os.path.join(ROOT, "tests", "unit", folder),
                   os.path.join(ROOT, "tests", "unit"), os.path.join(ROOT, "tests", "simhost"), name))
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True,
                              cwd=ROOT)
        assert done.stdout.strip() == "[]"
