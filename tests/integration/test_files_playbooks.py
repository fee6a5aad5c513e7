# -*- coding: utf-8 -*-
"""No file written outside its folder, end to end through ansible-playbook (issue 18, points 2 and 5): a planted
``plan/<pool>`` symlink stops plan.yml (nothing written into the other folder), and the writers that bypassed the
"plan folder inside an inventory source" refusal (the plan role's plan_dir, certificate_request, the firewall proof)
refuse it, writing nothing there. The unit tests (tests/unit/plugins/plugin_utils/test_files.py) hold the other writers."""

from __future__ import annotations

import os

from test_plan_playbook import ROOT, flat, play, run
from test_windows_playbooks import SNAPSHOTS, inventory_copy, playbook

POOL = "edgepool.corp.example.com"


def files_under(path):
    return sorted(os.path.relpath(os.path.join(d, f), path) for d, _dirs, fs in os.walk(path) for f in fs)


def test_plan_refuses_a_planted_pool_folder_symlink(tmp_path):
    plan, elsewhere = tmp_path / "plan", tmp_path / "elsewhere"
    plan.mkdir()
    elsewhere.mkdir()
    (plan / POOL).symlink_to(elsewhere)
    result = play(os.path.join(ROOT, "inventories", "example"), plan)
    assert result.returncode != 0
    assert "%s/%s resolves to %s, outside its folder %s: the collection reads and writes only inside it; remove the " \
           "symbolic link" % (os.path.realpath(plan), POOL, elsewhere, os.path.realpath(plan)) in flat(result.stdout + result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    assert files_under(elsewhere) == []


def test_plan_role_refuses_its_plan_dir_inside_an_inventory_source(tmp_path):
    inventory = inventory_copy(tmp_path)
    book = tmp_path / "plan_role.yml"
    book.write_text("- hosts: localhost\n  gather_facts: false\n  roles:\n"
                    "    - role: sfb.edge.plan\n      vars:\n        plan_dir: %s\n" % (inventory / "plan"))
    result = run("ansible-playbook", str(book), "-i", str(inventory))
    assert result.returncode != 0
    assert "is inside the inventory source directory %s: Ansible would read the files written there as inventory " \
           "files on the next run" % os.path.realpath(inventory) in flat(result.stdout + result.stderr)
    assert not (inventory / "plan").exists()


def test_certificate_request_refuses_a_plan_dir_inside_an_inventory_source(tmp_path):
    inventory = inventory_copy(tmp_path)
    result, _entries = playbook("certificate_request", inventory, tmp_path, "-e",
                                "sfb_edge_plan_dir=%s" % (inventory / "plan"), snapshot="converged")
    assert result.returncode != 0
    assert "is inside the inventory source directory %s" % os.path.realpath(inventory) in flat(result.stdout + result.stderr)
    assert not (inventory / "plan").exists()


def test_firewall_proof_refuses_its_folder_inside_an_inventory_source(tmp_path):
    inventory = inventory_copy(tmp_path)
    result, _entries = playbook("firewall_proof", inventory, tmp_path, "-e", "firewall_proof_dir=%s" % (inventory / "proof"),
                                snapshots=os.path.join(SNAPSHOTS, "cs-fresh"))
    assert result.returncode != 0
    assert "is inside the inventory source directory %s" % os.path.realpath(inventory) in flat(result.stdout + result.stderr)
    assert not (inventory / "proof").exists()


def test_a_fifo_in_the_drift_folder_does_not_hang_plan(tmp_path):
    plan = tmp_path / "plan"
    (plan / POOL / "drift").mkdir(parents=True)
    os.mkfifo(plan / POOL / "drift" / "edge01.json")
    result = play(os.path.join(ROOT, "inventories", "example"), plan)  # the old code waited here for a writer
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    page = (plan / POOL / "report.html").read_text()
    assert "drift/edge01.json: the drift report could not be read" in page


def test_a_fifo_snapshot_fails_its_host_only_and_does_not_hang_drift(tmp_path):
    snapshots = tmp_path / "snapshots"
    snapshots.mkdir()
    with open(os.path.join(SNAPSHOTS, "converged", "edge02.json"), encoding="utf-8") as handle:
        (snapshots / "edge02.json").write_text(handle.read())
    os.mkfifo(snapshots / "edge01.json")
    result, _entries = playbook("drift", os.path.join(ROOT, "inventories", "example"), tmp_path,
                                snapshots=str(snapshots))
    out = flat(result.stdout + result.stderr)
    assert result.returncode != 0
    assert "%s is a FIFO (named pipe), not a regular file" % (snapshots / "edge01.json") in out
    assert "Traceback" not in out
    assert (tmp_path / "plan" / POOL / "what-if" / "drift" / "edge02.json").is_file()  # a snapshot run: what-if
    assert not (tmp_path / "plan" / POOL / "what-if" / "drift" / "edge01.json").exists()
