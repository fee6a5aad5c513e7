# -*- coding: utf-8 -*-
"""scripts/bench.py (make bench) in its smallest mode: one server, two networks, one run.

Keeps the harness working: its JSON report has the documented structure, the generated converged
snapshot is converged for the generated inventory (drift.yml with sfb_edge_fail_on_drift passes),
the generated inventory is valid (no finding), and the remote calls it counts are the budget -
converged: the state gathering only; fresh: as many as the shipped fresh snapshot needs.  Wall
times are recorded, never asserted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import yaml

from test_plan_playbook import ROOT

sys.path.insert(0, os.path.join(ROOT, "scripts"))

import bench  # noqa: E402  pylint: disable=wrong-import-position


def test_bench_smallest_mode_reports_structure_and_call_counts(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "bench.py"), "--sizes", "1x2", "--runs", "1",
                           "--routes", "1000", "--timeout", "120", "--json", str(out)],
                          capture_output=True, text=True, timeout=240, check=False, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["format"] == 1 and report["runs"] == 1
    assert set(report["machine"]) >= {"nproc", "memory", "python", "ansible_core"}
    size = report["sizes"]["1x2"]
    assert (size["servers"], size["pools"], size["networks"]) == (1, 1, 2)
    assert size["converged_verified"] is True
    assert size["plan_findings"] == 0
    assert size["empty_seconds"] > 0
    for book in ("plan", "site", "drift"):
        assert size[book]["ratio"] > 0 and len(size[book]["samples"]) == 1
    # converged site.yml from snapshots: state gathering only - in the converge play and (until the
    # validation play reuses that state, issue 10 item 5) in the validation play; nothing applied
    converged = size["calls"]["converged"]["detail"]["edge01"]
    assert (converged["applied"], converged["other"]) == (0, 0), converged
    assert converged["gatherings"] in (1, 2) and converged["total"] == converged["gatherings"]
    assert size["calls"]["converged"]["per_host"] == {"edge01": converged["total"]}
    assert size["calls"]["converged"]["changed_tasks"] == 0
    # a fresh host: the Windows calls, the reconnect wait and the Lync/SfB calls (as in
    # test_windows_playbooks.py), gathered again after the changes
    fresh = size["calls"]["fresh"]["detail"]["edge01"]
    # (and once more after the setup steps, before cs_services decides: issue 19, point 1)
    assert fresh["other"] == 0 and fresh["gatherings"] == 3, fresh
    # issue 10's goal, 14, with the state read again after the setup steps (issue 19, point 1): the install runs
    # its 6 setup steps and then the service start in one edge_cs call, each named with its logs before it and
    # reported after it (issue 11, item 6; 20 with cs_install_step_calls: true); cs_services, decided from the
    # state read again, has nothing left to do
    assert fresh["applied"] == 11 and fresh["total"] == 14, fresh
    assert set(report["routes"]) == {"1000/%s/%s" % (m, k) for m in ("default", "summarize") for k in ("disjoint", "mixed")}
    assert all(r["routes"] > 0 for r in report["routes"].values())
    assert "1x2" in proc.stdout and "sfb.edge.routes" in proc.stdout


def test_generated_inventory_scales_only_in_the_lists():
    inventory, layout = bench.generate(12, 1, 50, 20)
    pool = inventory["all"]["children"]["edge_servers"]["children"]["edge_pool_0"]
    assert len(pool["hosts"]) == 12 == len(layout)
    nets = pool["vars"]["sfb_edge_internal_networks"]
    assert len(nets) == len(set(nets)) == 50
    assert len(pool["vars"]["sfb_edge_internal_hosts"]) == 20
    assert pool["vars"]["sfb_edge_load_balancing"] == "hlb"
    five, layout5 = bench.generate(50, 5, 10, 3)
    pools = five["all"]["children"]["edge_servers"]["children"]
    assert [len(p["hosts"]) for p in pools.values()] == [10] * 5 and len(layout5) == 50
    every = [n for p in pools.values() for n in p["vars"]["sfb_edge_internal_networks"]]
    assert len(set(every)) == 50  # no two pools share a network
    yaml.safe_dump(five)  # plain data


def test_remote_call_counting():
    entries = [
        {"host": "a", "task": "read", "action": "ansible.builtin.set_fact", "status": "ok", "gathering": True,
         "delegate_to": None},
        {"host": "a", "task": "apply", "action": "sfb.edge.edge_apply", "status": "ok", "remote_calls": 3, "blocked": 1,
         "delegate_to": None},
        {"host": "a", "task": "feature", "action": "ansible.windows.win_feature", "status": "ok", "delegate_to": None},
        {"host": "a", "task": "skipped", "action": "ansible.windows.win_feature", "status": "skipped", "delegate_to": None},
        {"host": "a", "task": "export", "action": "sfb.edge.cs_config_export", "status": "ok", "delegate_to": "fe01"},
        {"host": "b", "task": "facts", "action": "sfb.edge.edge_facts", "status": "ok", "delegate_to": None},
        {"host": "b", "task": "plan", "action": "sfb.edge.report_files", "status": "ok", "delegate_to": None},
    ]
    calls = bench.remote_calls(entries, ["a", "b"])
    assert calls == {"a": {"total": 6, "gatherings": 1, "applied": 3 + 1, "other": 1, "reached": ["read", "feature"]},
                     "b": {"total": 1, "gatherings": 1, "applied": 0, "other": 0, "reached": ["facts"]}}
