# -*- coding: utf-8 -*-
"""scripts/bench.py (make bench) in its smallest mode: one server, two networks, one run.

Keeps the harness working: its JSON report has the documented structure, the generated converged
snapshot is converged for the generated inventory (drift.yml with sfb_edge_fail_on_drift passes),
the generated inventory is valid (no finding), and the remote calls it counts - site.yml run live
against simulated hosts, counted on the connection (tests/simhost, issue 21) - are the budget:
converged: the state gathering only; fresh: 14, polls, reboots and transfers apart.  Wall times are
recorded, never asserted.
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
    # site.yml run live against simulated hosts (tests/simhost), the calls counted on the connection (issue 21):
    # converged - the state gathering only, nothing changed
    converged = size["calls"]["converged"]["detail"]["edge01"]
    assert converged == {"calls": 1, "polls": 0, "reboots": 0, "transfers": 0, "refused": 0, "other": 0,
                         "modules": ["sfb.edge.edge_facts"]}
    assert size["calls"]["converged"]["per_host"] == {"edge01": 1}
    assert size["calls"]["converged"]["hosts_counted"] == size["calls"]["fresh"]["hosts_counted"] == ["edge01"]
    assert size["calls"]["converged"]["changed_tasks"] == 0
    # a fresh box: issue 10's goal, 14 calls - the Windows calls, the state read again after the reconnect and the
    # new name's reboot, the features, the setup steps and the service start in one edge_cs call (issue 11, item 6),
    # the read after the setup steps (issue 19, point 1) and the validation's; cs_services has nothing left to do.
    # Apart: the reconnect's polls (win_ping, async_status), win_reboot's 4 commands, the configuration export's
    # temporary folder, file and removal, and the attempt refused while the host reboots.
    fresh = size["calls"]["fresh"]["detail"]["edge01"]
    assert fresh["modules"] == [
        "sfb.edge.edge_facts", "sfb.edge.edge_routes", "sfb.edge.edge_network", "ansible.windows.win_dns_client",
        "ansible.windows.win_dns_client", "community.windows.win_netbios", "sfb.edge.edge_hosts_file",
        "ansible.windows.win_hostname", "ansible.windows.win_regedit", "sfb.edge.edge_facts",
        "ansible.windows.win_feature", "sfb.edge.edge_cs", "sfb.edge.edge_facts", "sfb.edge.edge_facts"], fresh
    assert {k: v for k, v in fresh.items() if k != "modules"} == {
        "calls": 14, "polls": 2, "reboots": 4, "transfers": 3, "refused": 1, "other": 0}
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


def test_host_calls_counting():
    """A call is an exec carrying a module payload; polls, reboot commands, transfers and refused attempts are
    counted apart (the classes of tests/simhost/simhost.py's calls log)."""
    entries = [{"class": "module", "module": "sfb.edge.edge_facts"}, {"class": "transfer", "module": None},
               {"class": "module", "module": "sfb.edge.edge_network"}, {"class": "poll", "module": "ansible.windows.win_ping"},
               {"class": "refused", "module": None}, {"class": "reboot", "module": None},
               {"class": "poll", "module": "ansible.windows.async_status"}, {"class": "other", "module": None}]
    assert bench.host_calls(entries) == {"calls": 2, "polls": 2, "reboots": 1, "transfers": 1, "refused": 1, "other": 1,
                                         "modules": ["sfb.edge.edge_facts", "sfb.edge.edge_network"]}
    assert bench.recap_changed("edge01 : ok=3 changed=2 unreachable=0\nfe01 : ok=2 changed=1\n", ["edge01"]) == 2
