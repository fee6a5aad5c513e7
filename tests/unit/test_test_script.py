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


def _newest(tmp_path, **extra):
    """`scripts/test.sh newest` on a machine without Python >= 3.12: only the system's bin directories on PATH
    (test.sh puts .venv/bin, Python 3.11, in front) and an empty pyenv root."""
    (tmp_path / "pyenv").mkdir(exist_ok=True)
    env = {name: value for name, value in os.environ.items() if name not in ("NEWEST_PYTHON", "PYENV_VERSION")}
    env.update(PATH="/usr/bin:/bin", PYENV_ROOT=str(tmp_path / "pyenv"), HOME=str(tmp_path), NO_COLOR="1", **extra)
    return subprocess.run([os.path.join(ROOT, "scripts", "test.sh"), "newest"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def test_newest_stage_is_skipped_not_failed_without_python_3_12(tmp_path):
    # issue 22, point 9: the newest ansible-core needs Python >= 3.12, which a machine need not have
    result = _newest(tmp_path)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "[newest] SKIPPED: 2.21.5 needs Python >= 3.12 and none was found" in out
    assert "SKIPPED newest: no Python >= 3.12" in out
    assert "summary: OK" in out and "newest ok" in out
    assert "SKIPPED newest ansible-core (no Python >= 3.12: install python3.12 or set NEWEST_PYTHON)" in out


def test_newest_stage_fails_when_the_python_it_is_told_to_use_is_too_old(tmp_path):
    result = _newest(tmp_path, NEWEST_PYTHON="/usr/bin/python3.11")
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "[newest] ERROR: NEWEST_PYTHON=/usr/bin/python3.11 is not a Python >= 3.12 that runs" in out
    assert "summary: FAILED at 'newest'" in out
