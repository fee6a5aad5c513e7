# -*- coding: utf-8 -*-
"""scripts/test.sh, the units stage: a run that collects no test fails (issue 9, item 23).

The stage is run as users run it (`scripts/test.sh units`), pointed at a directory of our own with
PYTEST_ADDOPTS (pytest uses a path given there instead of pytest.ini's testpaths), and its JUnit
report goes to a temporary file (SFB_EDGE_JUNIT) so the report of the run around it is not touched.
"""

from __future__ import annotations

import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _units(tmp_path, testdir):
    env = dict(os.environ, PYTEST_ADDOPTS=str(testdir), SFB_EDGE_JUNIT=str(tmp_path / "junit.xml"),
               NO_COLOR="1")
    return subprocess.run([os.path.join(ROOT, "scripts", "test.sh"), "units"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def test_units_stage_fails_when_pytest_collects_nothing(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = _units(tmp_path, empty)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "ERROR: pytest collected no tests (exit 5)" in out
    assert "stage 'units' FAILED (exit 5)" in out
    assert "summary: FAILED at 'units'" in out


def test_units_stage_passes_when_tests_run(tmp_path):
    one = tmp_path / "one"
    one.mkdir()
    (one / "test_one.py").write_text("def test_one():\n    assert 1 + 1 == 2\n")
    result = _units(tmp_path, one)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "pytest: 1 passed, 0 failed, 0 skipped" in out
