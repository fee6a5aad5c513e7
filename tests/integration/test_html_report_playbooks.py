# -*- coding: utf-8 -*-
"""report.html through the real Ansible CLI: written by plan.yml beside plan.md (an output, never a change,
nothing in check mode), refreshed by drift.yml and validate.yml with their reports; runs from snapshots refresh the
pool's what-if page instead (issue 20, item 6)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
POOL = "edgepool.corp.example.com"
EXAMPLE = os.path.join(ROOT, "inventories", "example")
SNAPSHOTS = os.path.join(ROOT, "tests", "snapshots")


def playbook(name, plan_dir, *extra, rc=0):
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".cache", "collections"),
               ANSIBLE_LOCAL_TEMP=os.path.join(ROOT, ".cache", "ansible-tmp"))
    exe = os.path.join(BIN, "ansible-playbook")
    if not os.path.exists(exe):
        exe = shutil.which("ansible-playbook")
    done = subprocess.run([exe, os.path.join(ROOT, "playbooks", name), "-i", EXAMPLE, "-e",
                           "sfb_edge_plan_dir=%s" % plan_dir, *extra], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == rc, done.stdout + done.stderr
    return done.stdout


def changed(output):
    return sum(int(n) for n in re.findall(r"changed=(\d+)", output))


def status_rows(page):
    return re.findall(r'<tr class="host-status">(.*?)</tr>', page)


def test_plan_drift_and_validate_write_and_refresh_the_report(tmp_path):
    """Runs from snapshots are what-ifs (issue 20, item 6): their reports and their page go to the pool's what-if
    folder, with a banner; the pool's own report.html (the live runs' page) is never rewritten by them."""
    report = tmp_path / POOL / "report.html"
    what_if = tmp_path / POOL / "what-if" / "report.html"
    # check mode: nothing
    out = playbook("plan.yml", tmp_path, "--check")
    assert changed(out) == 0 and not report.exists()
    # drift before any plan: no plan.json, so no report.html (and no failure)
    out = playbook("drift.yml", tmp_path, "-e", "sfb_edge_facts_from=%s" % os.path.join(SNAPSHOTS, "converged"))
    assert changed(out) == 0 and not report.exists() and not what_if.exists()
    assert (tmp_path / POOL / "what-if" / "drift" / "edge01.json").is_file()
    assert not (tmp_path / POOL / "drift").exists()
    # the plan writes the pool's page: no live report beside it
    out = playbook("plan.yml", tmp_path)
    assert changed(out) == 0
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<title>Edge Admin Report: %s</title>" % POOL in page
    assert 'id="node-edge01"' in page and 'id="node-edge02"' in page
    assert status_rows(page) == [] and 'class="what-if"' not in page
    first = report.stat().st_mtime_ns
    # the same plan again: the same bytes, the file left alone
    out = playbook("plan.yml", tmp_path)
    assert changed(out) == 0 and report.stat().st_mtime_ns == first and report.read_text(encoding="utf-8") == page
    # a drift run from other snapshots refreshes the what-if page, not the pool's
    out = playbook("drift.yml", tmp_path, "-e", "sfb_edge_facts_from=%s" % os.path.join(SNAPSHOTS, "manual"))
    assert changed(out) == 0
    assert report.stat().st_mtime_ns == first and report.read_text(encoding="utf-8") == page
    shown = what_if.read_text(encoding="utf-8")
    assert "<title>What-if: Edge Admin Report: %s</title>" % POOL in shown
    assert ('<strong>WHAT-IF, NOT THE LIVE STATE.</strong> The reports on this page were made from the snapshots in %s'
            % os.path.join(SNAPSHOTS, "manual")) in shown
    rows = status_rows(shown)
    assert all('<span class="badge bad">drifted: ' in r for r in rows) and len(rows) == 2
    assert all("snapshot tests/snapshots/manual/edge0" in r or "/tests/snapshots/manual/edge0" in r for r in rows)
    assert all(re.search(r"made \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(snapshot\)", r) for r in rows)
    # and a validation run adds its status, also when it fails (as it does on these snapshots)
    out = playbook("validate.yml", tmp_path, "-e", "sfb_edge_facts_from=%s" % os.path.join(SNAPSHOTS, "cs-stopped-service"),
                   rc=2)
    assert changed(out) == 0 and "Validation of edge01 failed: 6 check(s)" in out
    shown = what_if.read_text(encoding="utf-8")
    rows = status_rows(shown)
    assert all(re.search(r'<span class="badge bad">FAILED: \d+ pass, [1-9]\d* fail, \d+ skipped</span>', r) for r in rows)
    assert "drifted, validation FAILED" in shown  # on the diagram's server nodes
    assert report.stat().st_mtime_ns == first  # the pool's page still untouched
