# -*- coding: utf-8 -*-
"""No playbook run prints a deprecation warning of ansible-core (issue 22, point 9).

ansible-core 2.20 and later deprecate reading a fact as a top-level variable (INJECT_FACTS_AS_VARS): a
``site.yml --check`` that plans an install printed it three times, since the roles and the playbooks read the
``edge_state_*`` values sfb.edge.host_state sets. These runs are the units stage's (primary core) and the
``newest`` stage's (scripts/newest.sh, the newest tested core), from the shipped snapshots.
"""

from __future__ import annotations

import os

import pytest

from test_plan_playbook import ROOT, run

SNAPSHOTS = os.path.join(ROOT, "tests", "snapshots")
EXAMPLE = os.path.join(ROOT, "inventories", "example")

RUNS = {
    # the run of the issue: an install planned, the state read per host and kept for the validation play
    "site-check-install": ("site", ["-i", os.path.join(SNAPSHOTS, "inventory"), "-i", EXAMPLE,
                                    "-e", "sfb_edge_facts_from=%s" % os.path.join(SNAPSHOTS, "cs-fresh"),
                                    "--check", "--diff"]),
    "drift": ("drift", ["-i", EXAMPLE, "-e", "sfb_edge_facts_from=%s" % os.path.join(SNAPSHOTS, "cs-stopped-service")]),
}


@pytest.mark.parametrize("name", sorted(RUNS))
def test_playbook_runs_print_no_deprecation_warning(tmp_path, monkeypatch, name):
    playbook, args = RUNS[name]
    # shown whatever the user's configuration says, in one line each
    monkeypatch.setenv("ANSIBLE_DEPRECATION_WARNINGS", "true")
    monkeypatch.setenv("ANSIBLE_CALLBACK_RESULT_FORMAT", "json")
    result = run("ansible-playbook", os.path.join(ROOT, "playbooks", playbook + ".yml"), *args,
                 "-e", "sfb_edge_plan_dir=%s" % (tmp_path / "plan"))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    output = result.stdout + result.stderr
    assert "PLAY RECAP" in result.stdout
    lines = output.splitlines()
    found = ["\n".join(lines[i:i + 8]) for i, line in enumerate(lines) if "DEPRECATION WARNING" in line]
    assert found == [], "%s printed %d deprecation warning(s):\n%s" % (name, len(found), "\n---\n".join(found))
