# -*- coding: utf-8 -*-
"""site.yml, drift.yml and the Windows roles end to end, in snapshot mode (no host is contacted).

A test callback (callbacks/task_log.py) records every task result, so the round-trip budget is
measured on what the playbook really runs: in snapshot mode every task of an edge host must run on
the controller, and the calls a live run would make are the state gathering plus the
``remote_calls`` each sfb.edge.edge_apply task reports (plus the reconnect wait when the lockout
guard lets a connection change through).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys

import pytest
import yaml

from test_plan_playbook import ROOT, run

sys.path.insert(0, os.path.join(ROOT, "tests", "unit"))

SNAPSHOTS = os.path.join(ROOT, "tests", "snapshots")
EXAMPLE = os.path.join(ROOT, "inventories", "example")
EDGES = ("edge01", "edge02")
# What an edge host's task may be in snapshot mode: nothing that reaches the host.
CONTROLLER_ONLY = {"ansible.builtin.validate_argument_spec", "ansible.builtin.set_fact", "ansible.builtin.debug",
                   "ansible.builtin.include_role", "ansible.builtin.include_tasks",
                   "ansible.builtin.fail", "ansible.builtin.set_stats", "sfb.edge.edge_apply", "sfb.edge.report_files",
                   "ansible.builtin.meta",
                   # the host actions read the state on the host only where the log says so (gathering)
                   "sfb.edge.host_state", "sfb.edge.host_drift", "sfb.edge.host_validation",
                   "sfb.edge.plan_validation", "sfb.edge.plan_files"}


def playbook(name, inventory, tmp_path, *extra, snapshot=None, snapshots=None):
    """Run a playbook from snapshots: each host gets a task of its own, as in a live run (the path a live run
    takes, with the snapshot standing for the host)."""
    log = tmp_path / ("log-%s-%d.jsonl" % (name, len(list(tmp_path.glob("log-*")))))
    counter = tmp_path / ("validations-%s.txt" % log.stem)
    args = ["ansible-playbook", os.path.join(ROOT, "playbooks", name + ".yml"), "-i", str(inventory),
            "-e", "sfb_edge_plan_dir=%s" % (tmp_path / "plan")]
    if snapshot:
        args += ["-e", "sfb_edge_facts_from=%s" % snapshot_copy(tmp_path, snapshot)]
    if snapshots:
        args += ["-e", "sfb_edge_facts_from=%s" % snapshots]
    os.environ.update(ANSIBLE_CALLBACK_PLUGINS=os.path.join(ROOT, "tests", "integration", "callbacks"),
                      ANSIBLE_CALLBACKS_ENABLED="task_log", SFB_EDGE_TASK_LOG=str(log),
                      SFB_EDGE_COUNT_VALIDATIONS=str(counter))
    try:
        result = run(*args, *extra)
    finally:
        for key in ("ANSIBLE_CALLBACK_PLUGINS", "ANSIBLE_CALLBACKS_ENABLED", "SFB_EDGE_TASK_LOG",
                    "SFB_EDGE_COUNT_VALIDATIONS"):
            os.environ.pop(key)
    entries = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    result.validations = len(counter.read_text().splitlines()) if counter.exists() else 0
    return result, entries


def snapshot_copy(tmp_path, scenario):
    """The shipped snapshot set, with ``connection_ports`` (the ports its sessions were read on) where
    the file has none: without it the lockout guard fails closed (tests/unit/plugins/plugin_utils/test_guard.py)."""
    dest = tmp_path / "tests" / "snapshots" / scenario
    if not dest.exists():
        shutil.copytree(os.path.join(SNAPSHOTS, scenario), dest)
        for path in dest.glob("*.json"):
            data = json.loads(path.read_text())
            if "connection_ports" not in data:
                data["connection_ports"] = [5985, 5986]
                path.write_text(json.dumps(data, indent=2))
    return str(dest)


def recap(output, host):
    line = [l for l in output.splitlines() if l.startswith(host + " ")][-1]
    return {k: int(v) for k, v in (f.split("=") for f in line.split(":", 1)[1].split())}


def live_calls(entries, host):
    """Calls a live run makes on ``host``: the gathering, every planned call, the reconnect wait."""
    ran = [e for e in entries if e["host"] == host and e["status"] != "skipped" and not e["delegate_to"]]
    outside = [e["action"] for e in ran if e["action"] not in CONTROLLER_ONLY]
    assert outside == [], "tasks that would reach %s in snapshot mode: %s" % (host, outside)
    applied = [e for e in ran if e["action"] == "sfb.edge.edge_apply"]
    # one gathering per play that reads the state (site.yml: the converge play, and the validation play when
    # something was applied): in snapshot mode the read of the snapshot stands for the sfb.edge.edge_facts call
    gatherings = sum(1 for e in ran if e["gathering"])
    assert all(e["state_read"] == "snapshot" for e in ran if e["gathering"]), ran
    return gatherings + sum(e["remote_calls"] or 0 for e in applied) + (1 if any(e["blocked"] for e in applied) else 0)


def call_list(entries, host):
    """The calls :func:`live_calls` counts, in the order a live run makes them: ``(task, module)`` - the gathering
    is ``sfb.edge.edge_facts``, an edge_cs call of several units (step calls) is listed once per unit, the
    reconnect wait of a connection change that went through is ``reconnect``."""
    ran = [e for e in entries if e["host"] == host and e["status"] != "skipped" and not e["delegate_to"]]
    calls = []
    for e in ran:
        if e["gathering"]:
            calls.append((e["task"], "sfb.edge.edge_facts"))
        if e["action"] == "sfb.edge.edge_apply":
            modules = list(e["calls"] or [])
            extra = (e["remote_calls"] or 0) - len(modules)  # the units of a split edge_cs call
            calls += [(e["task"], m) for m in modules] + [(e["task"], "sfb.edge.edge_cs")] * max(extra, 0)
            if e["blocked"]:
                calls.append((e["task"], "reconnect"))
    return calls


def per_host_rounds(entries, host):
    """The tasks that reached ``host`` as tasks of their own (a fork and the host's variables each, ~0.23x of
    the empty play at 12x2000 whatever they do - skipped ones too): neither run_once (one host for the play)
    nor meta (decided in Ansible's main process)."""
    return [e["task"] for e in entries
            if e["host"] == host and not e["run_once"] and e["action"] != "ansible.builtin.meta"]


def inventory_copy(tmp_path, pool=None, hosts=None):
    dest = tmp_path / "inventory"
    shutil.copytree(EXAMPLE, dest)
    for name, data in ((dest / "group_vars" / "edge_pool_corp.yml", pool),) + tuple(
            (dest / "host_vars" / ("%s.yml" % h), v) for h, v in (hosts or {}).items()):
        if data:
            content = yaml.safe_load(name.read_text())
            content.update(data)
            name.write_text(yaml.safe_dump(content))
    return dest


# ----------------------------------------------------------------------------------- converged
@pytest.mark.parametrize("mode", [(), ("--check", "--diff")])
def test_site_on_a_converged_box_changes_nothing_and_calls_nothing(tmp_path, mode, monkeypatch):
    # the snapshot's assigned certificates end on 2036-01-01: judge their expiry at a fixed instant
    monkeypatch.setenv("SFB_EDGE_NOW", "2026-12-01T00:00:00Z")
    result, entries = playbook("site", EXAMPLE, tmp_path, *mode, snapshot="converged")
    assert result.returncode == 0, result.stdout + result.stderr
    # The first run in a fresh plan directory (every CI job) writes the validation reports next to the
    # plan: outputs on the controller, not changes - changed=0 from the first run on (issue 9, item 15).
    for host in EDGES:
        assert recap(result.stdout, host)["changed"] == 0, result.stdout[-3000:]
    assert [e["task"] for e in entries if e["changed"]] == []
    reports = sorted(p.name for p in (tmp_path / "plan" / "edgepool.corp.example.com" / "what-if" / "validate").iterdir())
    assert reports == ["edge01.json", "edge01.md", "edge02.json", "edge02.md"]
    again, entries = playbook("site", EXAMPLE, tmp_path, *mode, snapshot="converged")
    for host in EDGES:
        assert recap(again.stdout, host)["changed"] == 0
        # the state gathering of the converge play, nothing else: the validation play keeps that state,
        # since nothing was applied to the host (issue 10, item 5)
        assert live_calls(entries, host) == 1
        # no area differs: the host leaves the converge play after its state was read (meta end_host, in the
        # main process), so none of the area roles runs and no edge_apply task at all; site.yml reaches it with
        # two tasks in all (issue 10: site.yml <= 2x the empty play)
        assert per_host_rounds(entries, host) == [
            "Read the state of the edge server and decide the areas to converge",
            "Validate the edge server (controller; written to <plan dir>/<pool>/validate/<host>.md and .json)"]
        assert [e["state_read"] for e in entries if e["host"] == host and e["state_read"]] == ["snapshot", "kept"]
        assert [e for e in entries if e["host"] == host and e["task"].startswith("Converge the areas")] == []
    # 11 sockets, 6 services, replication and the 2 assigned certificates pass; 5 probes are skipped
    assert "edge01 (edge01.corp.example.com): PASSED - 20 pass, 0 fail, 5 skipped" in again.stdout
    assert again.validations == 1  # one validation of the inventory for the whole site.yml


# ----------------------------------------------------------------------------------- scale
@pytest.fixture(scope="module")
def twelve(tmp_path_factory):
    """12 servers in one pool, 30 internal networks, 30 hosts entries, converged snapshots."""
    import scaled  # tests/integration/scaled.py

    return scaled.write(str(tmp_path_factory.mktemp("twelve") / "set"), 12, 30)


@pytest.mark.parametrize("name", ["site", "drift"])
def test_twelve_servers_one_validation_one_call(tmp_path, twelve, name, monkeypatch):
    """issue 10, items 3 and 5: one validation per playbook whatever the number of servers (it was
    servers + 1 per play: 26 for site.yml, 13 for drift.yml), and one call per converged host for
    the whole playbook."""
    inventory, snapshots = twelve
    monkeypatch.setenv("SFB_EDGE_NOW", "2026-12-01T00:00:00Z")  # the assigned certificates end on 2036-01-01
    result, entries = playbook(name, inventory, tmp_path, snapshots=snapshots)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    assert result.validations == 1
    hosts = ["edge%02d" % i for i in range(1, 13)]
    for host in hosts:
        assert recap(result.stdout, host)["changed"] == 0
        assert live_calls(entries, host) == 1
    if name == "drift":
        assert result.stdout.count("(edgepool.corp.example.com): in sync") == 12
    else:
        assert result.stdout.count("PASSED - 20 pass, 0 fail") == 12


def _reports(plan):
    """``{relative path: content}`` of the drift and validation reports under ``plan`` (from snapshots: in the pools'
    what-if folders; SFB_EDGE_NOW pins the time they carry)."""
    return {str(p.relative_to(plan)): p.read_text() for p in sorted(plan.glob("*/what-if/*/*"))
            if p.suffix in (".json", ".md")}


@pytest.mark.parametrize("name", ["site", "drift", "validate"])
def test_snapshot_run_takes_the_live_task_structure(tmp_path, twelve, name, monkeypatch):
    """Issue 22, point 5: from snapshots every host reads its state in a task of its own, as a live run does (no
    run-once task for all the hosts, no per-host result handed back by another host's task); still one call per
    converged host and one validation per playbook. sfb_edge_offline_one_task, set, changes nothing but prints
    one deprecation warning for the run, naming the release that removes it."""
    inventory, snapshots = twelve
    monkeypatch.setenv("SFB_EDGE_NOW", "2026-12-01T00:00:00Z")
    (tmp_path / "plain").mkdir()
    (tmp_path / "old").mkdir()
    result, entries = playbook(name, inventory, tmp_path / "plain", snapshots=snapshots)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    assert result.validations == 1 and [e["task"] for e in entries if e["changed"]] == []
    assert "DEPRECATION" not in result.stdout + result.stderr
    hosts = ["edge%02d" % i for i in range(1, 13)]
    action = {"site": "sfb.edge.host_state", "drift": "sfb.edge.host_drift", "validate": "sfb.edge.host_validation"}[name]
    for host in hosts:
        assert live_calls(entries, host) == 1
        reads = [(e["action"], e["state_read"], e["run_once"]) for e in entries if e["host"] == host and e["state_read"]]
        assert reads[0] == (action, "snapshot", False)
    assert not any(e["run_once"] and e["action"].startswith("sfb.edge.host_") for e in entries)
    old, old_entries = playbook(name, inventory, tmp_path / "old", "-e", "sfb_edge_offline_one_task=true",
                                snapshots=snapshots)
    assert old.returncode == 0, old.stdout[-3000:] + old.stderr
    assert sorted((e["host"], e["task"], e["state_read"]) for e in old_entries if e["action"].startswith("sfb.edge.host_")) \
        == sorted((e["host"], e["task"], e["state_read"]) for e in entries if e["action"].startswith("sfb.edge.host_"))
    assert _reports(tmp_path / "old" / "plan") == _reports(tmp_path / "plain" / "plan") != {}
    text = re.sub(r"\s+", " ", old.stdout + old.stderr)
    assert text.count("[DEPRECATION WARNING]: sfb_edge_offline_one_task (set for edge01, edge02, edge03 and 9 more): "
                      "it no longer has an effect") == 1, text[-3000:]
    assert ("will be removed from collection 'sfb.edge' version 0.7.0" in text
            or "will be removed from sfb.edge in version 0.7.0" in text)  # ansible-core 2.16's wording
    summary = {"site": "PASSED - 20 pass, 0 fail", "validate": "PASSED - 20 pass, 0 fail",
               "drift": "(edgepool.corp.example.com): in sync"}[name]
    assert result.stdout.count(summary) == 12


def test_snapshot_drift_fails_only_the_drifted_host(tmp_path):
    snaps = tmp_path / "snaps"
    shutil.copytree(snapshot_copy(tmp_path, "converged"), snaps)
    stale = json.loads(open(os.path.join(SNAPSHOTS, "stale", "edge01.json"), encoding="utf-8").read())
    stale.setdefault("connection_ports", [5985, 5986])
    (snaps / "edge02.json").write_text(json.dumps(dict(stale, computer=dict(stale["computer"], name="EDGE02"))))
    result, entries = playbook("drift", EXAMPLE, tmp_path, "-e", "sfb_edge_fail_on_drift=true",
                               snapshots=str(snaps))
    assert result.returncode != 0
    assert recap(result.stdout, "edge02")["failed"] == 1
    assert re.search(r"fatal: \[edge02\]: FAILED! => \W+changed\W+false\W+msg\W+Drift: edge02 \(edgepool.corp.example.com\)",
                     result.stdout), result.stdout[-2500:]
    assert "fatal: [edge01]" not in result.stdout
    assert [e["host"] for e in entries if e["status"] == "failed"] == ["edge02"]
    # each host its own drift task; the host in sync leaves after it, the drifted one reaches its failure
    assert per_host_rounds(entries, "edge01") == [
        "Drift of the edge server (controller; written to <plan dir>/<pool>/drift/<host>.json)"]
    assert per_host_rounds(entries, "edge02") == [
        "Drift of the edge server (controller; written to <plan dir>/<pool>/drift/<host>.json)",
        "Fail when the host has drifted"]


def test_validate_alone_validates_once(tmp_path):
    result, entries = playbook("validate", EXAMPLE, tmp_path, snapshot="converged")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    assert result.validations == 1
    assert all(live_calls(entries, host) == 1 for host in EDGES)
    # one task per host reads the state, evaluates, writes, shows and publishes
    for host in EDGES:
        assert per_host_rounds(entries, host) == [
            "Validate the edge server (controller; written to <plan dir>/<pool>/validate/<host>.md and .json)"]


ROLES_PLAY = """---
- name: The roles in a play of your own
  hosts: edge_servers
  gather_facts: false
  roles:
    - role: sfb.edge.drift
      vars:
        drift_dir: {plan}
        drift_fail: true
    - role: sfb.edge.validate
      vars:
        validate_dir: {plan}
"""


@pytest.mark.parametrize("scenario, in_sync", [("converged", True), ("stale", False)])
def test_roles_in_a_play_of_your_own(tmp_path, scenario, in_sync, monkeypatch):
    """The roles stay usable on their own (no validation step: each host's desired state computed alone), read
    the state once (the drift and validation tasks keep what sfb.edge.edge_state read) and fail on drift."""
    monkeypatch.setenv("SFB_EDGE_NOW", "2026-12-01T00:00:00Z")
    book = tmp_path / "roles.yml"
    book.write_text(ROLES_PLAY.format(plan=tmp_path / "plan"))
    log = tmp_path / "log.jsonl"
    os.environ.update(ANSIBLE_CALLBACK_PLUGINS=os.path.join(ROOT, "tests", "integration", "callbacks"),
                      ANSIBLE_CALLBACKS_ENABLED="task_log", SFB_EDGE_TASK_LOG=str(log))
    try:
        result = run("ansible-playbook", str(book), "-i", EXAMPLE,
                     "-e", "sfb_edge_facts_from=%s" % snapshot_copy(tmp_path, scenario))
    finally:
        for key in ("ANSIBLE_CALLBACK_PLUGINS", "ANSIBLE_CALLBACKS_ENABLED", "SFB_EDGE_TASK_LOG"):
            os.environ.pop(key)
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert (result.returncode == 0) is in_sync, result.stdout[-3000:]
    report = json.loads((tmp_path / "plan" / "edgepool.corp.example.com" / "what-if" / "drift" / "edge01.json").read_text())
    assert report["in_sync"] is in_sync
    reads = [(e["action"], e["state_read"]) for e in entries if e["host"] == "edge01" and e["state_read"]]
    assert reads[:2] == [("sfb.edge.host_state", "snapshot"), ("sfb.edge.host_drift", "kept")]
    if in_sync:
        assert reads[2:] == [("sfb.edge.host_validation", "kept")]
        assert (tmp_path / "plan" / "edgepool.corp.example.com" / "what-if" / "validate" / "edge01.md").exists()
    else:
        failed = [e for e in entries if e["status"] == "failed"]
        assert sorted((e["host"], e["task"]) for e in failed) == [
            (h, "sfb.edge.drift : Fail when the host has drifted") for h in EDGES]
        assert [e for e in failed if e["host"] == "edge01"][0]["msg"].startswith(
            "Drift: edge01 (edgepool.corp.example.com): 4 change(s) (routes 2, hosts_file 2)")


ROLES_DEFAULT_DIRS = """---
- name: The roles in a play of your own, their report directories left to the actions
  hosts: edge_servers
  gather_facts: false
  roles:
    - role: sfb.edge.drift
    - role: sfb.edge.validate
"""


def test_roles_without_report_dirs_write_under_the_inventory_relative_plan_dir(tmp_path):
    """drift_dir/validate_dir unset (null since the inventory_path filter was deprecated, issue 22 point 4): the
    actions resolve sfb_edge_plan_dir against the inventory directory, as the filter did, and the roles refresh
    report.html where the reports went."""
    inventory = tmp_path / "inventory"
    shutil.copytree(EXAMPLE, inventory)
    book = tmp_path / "roles.yml"
    book.write_text(ROLES_DEFAULT_DIRS)
    plan = run("ansible-playbook", os.path.join(ROOT, "playbooks", "plan.yml"), "-i", str(inventory),
               "-e", "sfb_edge_plan_dir=../reports", "-e", "sfb_edge_facts_from=%s" % snapshot_copy(tmp_path, "converged"))
    assert plan.returncode == 0, plan.stdout[-3000:]
    result = run("ansible-playbook", str(book), "-i", str(inventory), "-e", "sfb_edge_plan_dir=../reports",
                 "-e", "sfb_edge_facts_from=%s" % snapshot_copy(tmp_path, "converged"))
    assert result.returncode == 0, result.stdout[-3000:]
    pool = tmp_path / "reports" / "edgepool.corp.example.com" / "what-if"
    for host in EDGES:
        assert json.loads((pool / "drift" / ("%s.json" % host)).read_text())["in_sync"] is True
        assert (pool / "validate" / ("%s.md" % host)).exists()
    assert (pool / "report.html").exists()
    assert "sfb.edge.drift : Refresh the HTML report of the pool" in result.stdout
    assert not (inventory / "reports").exists() and not (tmp_path / "plan").exists()


def test_capture_validates_once_per_play(tmp_path):
    """capture.yml validates the inventory once for the play (it was once per host) and takes each host's
    Lync/SfB part from that validation. No Windows host here: the local connection stops the run at the
    gathering (PowerShell is not installed), after what is under test."""
    # the gathering runs with setup's become (runas SYSTEM, issue 19 point 15), which a local connection cannot take
    result, entries = playbook("capture", EXAMPLE, tmp_path, "-e", "ansible_connection=local",
                               "-e", "cs_install_become=false",
                               "-e", "sfb_edge_capture_dir=%s" % (tmp_path / "snapshots"))
    assert result.validations == 1
    what = [e for e in entries if e["task"] == "What to read of Lync/SfB (controller)"]
    assert sorted((e["host"], e["status"]) for e in what) == [("edge01", "ok"), ("edge02", "ok")]
    gathered = [e for e in entries if e["action"] == "sfb.edge.edge_facts"]
    assert sorted(e["host"] for e in gathered) == ["edge01", "edge02"]
    # no PowerShell here: 2.19 says so ("powershell"), 2.16 names the missing interpreter
    failed = [e["msg"].lower() for e in gathered if e["status"] == "failed"]
    assert all("powershell" in m or "interpreter" in m for m in failed), failed


# ----------------------------------------------------------------------------------- round trips
def _scaled(tmp_path, n):
    nets = ["10.10.0.0/16"] + ["10.%d.%d.0/24" % (100 + k // 250, k % 250) for k in range(n - 1)]
    entries = [{"ip": "10.10.1.20", "names": ["dirpool.corp.example.com"]}] + [
        {"ip": "10.10.2.%d" % (k + 1), "names": ["srv%03d.corp.example.com" % k]} for k in range(n - 1)]
    return inventory_copy(tmp_path / str(n), pool={"sfb_edge_internal_networks": nets,
                                                   "sfb_edge_internal_hosts": entries})


def test_round_trips_on_a_fresh_box_do_not_grow_with_the_lists(tmp_path):
    counts = {}
    for n in (2, 200):
        (tmp_path / str(n)).mkdir()
        # identity_reboot: the fresh box gets a new name; without it the install waits for the reboot (issue 20)
        result, entries = playbook("site", _scaled(tmp_path, n), tmp_path / str(n),
                                   "-e", "sfb_edge_allow_connection_change=true", "-e", "identity_reboot=true",
                                   snapshot="fresh")
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr
        counts[n] = {h: live_calls(entries, h) for h in EDGES}
        routes = [e for e in entries if e["host"] == "edge01" and e["task"].startswith("sfb.edge.routes")
                  and e["action"] == "sfb.edge.edge_apply"]
        assert routes[0]["calls"] == ["sfb.edge.edge_routes"]  # n routes, one call
    assert counts[2] == counts[200]
    assert result.validations == 1
    # Windows: gathering + 9 calls + reconnect wait; Lync/SfB: win_feature, edge_cs (install: every setup
    # step in one call - core, local_management, import_configuration, enable_replica, start_replica,
    # edge_roles, then the certificates (the example configures none) and start_services - each named with its
    # logs before it and reported after it), the state read again after the setup steps so that cs_certificates
    # and cs_services decide from it (issue 19, point 1: they find nothing to do, no call); validation: its own
    # gathering. Issue 10's goal: <= 14.
    assert all(c == 14 for c in counts[200].values()), counts
    assert [(task.split(" : ")[0], module) for task, module in call_list(entries, "edge01")] == [
        ("Read the state of the edge server and decide the areas to converge", "sfb.edge.edge_facts"),
        ("sfb.edge.routes", "sfb.edge.edge_routes"),
        ("sfb.edge.network", "sfb.edge.edge_network"),
        ("sfb.edge.network", "ansible.windows.win_dns_client"),
        ("sfb.edge.network", "ansible.windows.win_dns_client"),
        ("sfb.edge.network", "community.windows.win_netbios"),
        ("sfb.edge.network", "reconnect"),
        ("sfb.edge.hosts_file", "sfb.edge.edge_hosts_file"),
        ("sfb.edge.identity", "ansible.windows.win_hostname"),
        ("sfb.edge.identity", "ansible.windows.win_regedit"),
        ("sfb.edge.cs_install", "ansible.windows.win_feature"),
        ("sfb.edge.cs_install", "sfb.edge.edge_cs"),
        # the state read again after the setup call (issue 19, point 1), in the cs_install role
        ("sfb.edge.edge_state", "sfb.edge.edge_facts"),
        ("Validate the edge server (controller; written to <plan dir>/<pool>/validate/<host>.md and .json)",
         "sfb.edge.edge_facts")]
    assert len(call_list(entries, "edge01")) == counts[200]["edge01"]
    # cs_certificates and cs_services run only after that read, decided from it: nothing to do, no call
    mine = [e for e in entries if e["host"] == "edge01"]
    reread = [i for i, e in enumerate(mine) if e["gathering"] and e["task"].startswith("sfb.edge.edge_state")]
    after = [(i, e) for i, e in enumerate(mine) if e["action"] == "sfb.edge.edge_apply" and e["status"] != "skipped"
             and e["task"].split(" : ")[0] in ("sfb.edge.cs_certificates", "sfb.edge.cs_services")]
    assert len(reread) == 1 and all(i > reread[0] and e["remote_calls"] == 0 for i, e in after), after
    install = [e for e in entries if e["host"] == "edge01" and e["action"] == "sfb.edge.edge_apply"
               and e["task"].startswith("sfb.edge.cs_install")]
    assert [e["remote_calls"] for e in install if e["status"] != "skipped"] == [2]  # win_feature + edge_cs


def test_check_diff_of_a_fresh_box_shows_the_service_start_in_the_setup_call(tmp_path):
    """--check --diff on a fresh box: the starts are rows of cs_install's diff (the setup call of a new edge
    starts the services, after the certificates); cs_services plans no call of its own, so it does not show
    them again - and the state is not read again after the setup call in check mode (nothing ran)."""
    # identity_reboot: the install follows the new name's reboot in the same run (else it waits for it)
    result, entries = playbook("site", EXAMPLE, tmp_path, "--check", "--diff", "-e",
                               "sfb_edge_allow_connection_change=true", "-e", "identity_reboot=true", snapshot="fresh")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    install = result.stdout[result.stdout.index("+++ after: cs_install (planned)"):]
    install = install[:install.index("changed: [")]
    assert [line for line in install.splitlines() if line.endswith("status: Running")] == [
        "+REPLICA status: Running", "+RTCCLSAGT status: Running", "+RTCSRV status: Running",
        "+RTCDATAPROXY status: Running", "+RTCMEDIARELAY status: Running", "+RTCMRAUTH status: Running"]
    assert "cs_services (planned)" not in result.stdout
    services = [e for e in entries if e["task"].startswith("sfb.edge.cs_services") and e["status"] != "skipped"]
    assert services == []
    assert not [e for e in entries if e["gathering"] and e["task"].startswith("sfb.edge.edge_state")]


def test_one_call_per_setup_step_on_request(tmp_path):
    """cs_install_step_calls: true - one edge_cs call per setup step (issue 11, item 6 as it was): the
    7 steps of a fresh box (start_services, folded into the setup run, included) are 7 calls, 6 more than the
    default, still independent of the lists (and the state read again after them, issue 19 point 1)."""
    result, entries = playbook("site", _scaled(tmp_path, 2), tmp_path, "-e", "sfb_edge_allow_connection_change=true",
                               "-e", "cs_install_step_calls=true", "-e", "identity_reboot=true", snapshot="fresh")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    assert {h: live_calls(entries, h) for h in EDGES} == {h: 20 for h in EDGES}


def test_lockout_guard_stops_the_network_change(tmp_path):
    result, entries = playbook("site", EXAMPLE, tmp_path, snapshot="winrm-on-changed-nic")
    assert result.returncode != 0
    failed = [e for e in entries if e["status"] == "failed"]
    assert sorted(e["host"] for e in failed) == list(EDGES)
    assert all(e["task"].startswith("sfb.edge.network") for e in failed)
    msg = {e["host"]: e["msg"] for e in failed}
    assert "would cut the controller's connection" in msg["edge01"] and "172.16.10.50" in msg["edge01"]
    assert "sfb_edge_allow_connection_change: true" in msg["edge01"] and "172.16.10.11" in msg["edge01"]
    assert "172.16.10.51" in msg["edge02"]
    allowed, _entries = playbook("site", EXAMPLE, tmp_path, "-e", "sfb_edge_allow_connection_change=true",
                                 snapshot="winrm-on-changed-nic")
    assert allowed.returncode == 0, allowed.stdout[-3000:]


def test_lockout_guard_looks_on_the_real_port_and_fails_closed(tmp_path):
    # The sessions of the snapshot are on 5986; the inventory says the controller connects on 15986.
    result, entries = playbook("site", EXAMPLE, tmp_path, "-e", "ansible_port=15986", snapshot="winrm-on-changed-nic")
    assert result.returncode != 0
    failed = [e for e in entries if e["status"] == "failed"]
    assert sorted(e["host"] for e in failed) == list(EDGES)
    msg = failed[0]["msg"]
    assert "the controller's connection (port 15986) could not be identified in the gathered state" in msg
    assert re.search(r"connects on port 15986, but the state looked only at local port\(s\) (5985, )?5986", msg)
    assert "sfb_edge_allow_connection_change: true" in msg
    # the same with the port the sessions are on: identified, blocked because it would cut it
    result, entries = playbook("site", EXAMPLE, tmp_path, "-e", "ansible_port=5986", snapshot="winrm-on-changed-nic")
    failed = [e for e in entries if e["status"] == "failed"]
    assert "would cut the controller's connection" in failed[0]["msg"]


def test_lockout_guard_resolves_a_host_name_in_ansible_host(tmp_path):
    # localhost resolves (on the controller) to 127.0.0.1, which is not an address of the host: the
    # controller comes through a forward or NAT, the session on the port is the connection, and the
    # play would reconnect on ansible_host itself, not on an address it cannot reach.
    result, entries = playbook("site", EXAMPLE, tmp_path, "-e", "ansible_host=localhost",
                               snapshot="winrm-on-changed-nic")
    failed = [e for e in entries if e["status"] == "failed"]
    assert sorted(e["host"] for e in failed) == list(EDGES), result.stdout[-3000:]
    msg = {e["host"]: e["msg"] for e in failed}
    assert "would cut the controller's connection" in msg["edge01"] and "removes 172.16.10.50" in msg["edge01"]
    assert "the play reconnects on localhost)" in msg["edge01"]


# ----------------------------------------------------------------------------------- drift.yml
def test_drift_reports_and_exit_code(tmp_path):
    result, _entries = playbook("drift", EXAMPLE, tmp_path, snapshot="stale")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    assert recap(result.stdout, "edge01")["changed"] == 0  # the report is an output (issue 9, item 15)
    report = json.loads((tmp_path / "plan" / "edgepool.corp.example.com" / "what-if" / "drift" / "edge01.json").read_text())
    assert report["summary"] == {"routes": 2, "network": 0, "hosts_file": 2, "identity": 0, "certificates": 0,
                                 "cs_install": 0, "cs_certificates": 0, "cs_services": 0, "cs_replication": 0}
    assert report["source"].endswith("tests/snapshots/stale/edge01.json")
    assert "edge01 (edgepool.corp.example.com): 4 change(s) (routes 2, hosts_file 2), 0 problem(s)" in result.stdout
    assert "remove 192.168.200.0/24 via 172.16.10.254 on Internal" in result.stdout
    again, _log = playbook("drift", EXAMPLE, tmp_path, snapshot="stale")
    assert recap(again.stdout, "edge01")["changed"] == 0  # same report, file untouched
    failing, _log = playbook("drift", EXAMPLE, tmp_path, "-e", "sfb_edge_fail_on_drift=true", snapshot="stale")
    assert failing.returncode != 0
    assert "Drift: edge01 (edgepool.corp.example.com): 4 change(s) (routes 2, hosts_file 2)" in failing.stdout
    clean, _log = playbook("drift", EXAMPLE, tmp_path, "-e", "sfb_edge_fail_on_drift=true", snapshot="converged")
    assert clean.returncode == 0, clean.stdout[-3000:]


@pytest.mark.parametrize("mode", [(), ("--check",)])
def test_drift_first_run_in_a_fresh_plan_dir_changes_nothing(tmp_path, mode):
    """A converged host: drift.yml's first run in a new plan directory gives changed=0 (issue 9, item 15),
    and the report is written - in check mode too (a check run's drift report is what it is for)."""
    result, entries = playbook("drift", EXAMPLE, tmp_path, *mode, snapshot="converged")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    for host in EDGES:
        assert recap(result.stdout, host)["changed"] == 0, result.stdout[-3000:]
        report = json.loads((tmp_path / "plan" / "edgepool.corp.example.com" / "what-if" / "drift" / ("%s.json" % host)).read_text())
        assert report["in_sync"] is True
    # the report is written by the host's one task (sfb.edge.host_drift), never as a change
    drifts = [e for e in entries if e["action"] == "sfb.edge.host_drift" and not e["run_once"]]
    assert sorted((e["host"], e["status"], e["changed"], e["state_read"]) for e in drifts) == [
        (h, "ok", False, "snapshot") for h in EDGES]
    # report.html of the pool: once for the play (there is no plan.json in a fresh plan dir: not written)
    writes = [e for e in entries if e["action"] == "sfb.edge.report_files"]
    assert [(e["task"], e["run_once"], e["changed"]) for e in writes] == [
        ("Refresh the HTML report of the pool", True, False)]
    # drift.yml reaches each host with one task: issue 10's drift.yml <= 1.5x the empty play
    for host in EDGES:
        assert per_host_rounds(entries, host) == [
            "Drift of the edge server (controller; written to <plan dir>/<pool>/drift/<host>.json)"]


def test_missing_snapshot_names_the_file(tmp_path):
    (tmp_path / "snaps").mkdir()
    shutil.copy(os.path.join(SNAPSHOTS, "converged", "edge01.json"), tmp_path / "snaps")
    result = run("ansible-playbook", os.path.join(ROOT, "playbooks", "drift.yml"), "-i", EXAMPLE,
                 "-e", "sfb_edge_facts_from=%s" % (tmp_path / "snaps"), "-e", "sfb_edge_plan_dir=%s" % tmp_path)
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "no snapshot for edge02: %s does not exist" % (tmp_path / "snaps" / "edge02.json") in out
    assert "Traceback" not in out


def test_bad_inventory_stops_before_any_host(tmp_path):
    inv = inventory_copy(tmp_path, hosts={"edge02": {"sfb_edge_internal_nic": {
        "name": "Internal", "address": "172.16.10.12/24", "gateway": "172.16.10.1"}}})
    result, entries = playbook("site", inv, tmp_path, snapshot="manual")
    assert result.returncode != 0
    assert "host edge02, variable sfb_edge_internal_nic.gateway" in result.stdout
    # only the validation ran (one task, once, on the controller), no task of an edge host
    assert [(e["task"], e["action"], e["status"]) for e in entries] == [
        ("Validate the edge inventory (every error is listed; nothing is contacted)", "sfb.edge.plan_validation",
         "failed")]
    assert result.validations == 1


def test_validation_runs_with_limit(tmp_path):
    inv = inventory_copy(tmp_path, hosts={"edge02": {"sfb_edge_internal_nic": {
        "name": "Internal", "address": "172.16.10.12/24", "gateway": "172.16.10.1"}}})
    result, entries = playbook("drift", inv, tmp_path, "--limit", "edge01", snapshot="converged")
    assert result.returncode != 0
    assert "host edge02, variable sfb_edge_internal_nic.gateway" in result.stdout
    assert not (tmp_path / "plan").exists()


# ----------------------------------------------------------------------------------- certificates
def test_certificate_passwords_never_printed(tmp_path):
    import datetime

    import certfactory

    now = datetime.datetime.now(datetime.timezone.utc)
    start, end = now - datetime.timedelta(days=1), now + datetime.timedelta(days=365)
    ca_key, int_key, ext_key = certfactory.rsa_key(), certfactory.rsa_key(), certfactory.rsa_key()
    ca = certfactory.certificate(ca_key, "Corp Root CA", start, end, ca=True, eku=None)
    internal = certfactory.certificate(int_key, "edgepool.corp.example.com", start, end, issuer=(ca, ca_key))
    external = certfactory.certificate(ext_key, "sip.example.com", start, end,
                                       sans=["sip.example.com", "webconf.example.com", "sip.example.net"],
                                       eku=(certfactory.SERVER_AUTH, certfactory.CLIENT_AUTH))
    secret_int, secret_ext = "Int3rnal-Pfx-Secret", "Ext3rnal-Pfx-Secret"
    certs = {"root_ca": [certfactory.write_pem(tmp_path / "ca.pem", ca)],
             "internal": {"pfx": certfactory.write_pfx(tmp_path / "i.pfx", internal, int_key, secret_int),
                          "password": secret_int},
             "external": {"pfx": certfactory.write_pfx(tmp_path / "e.pfx", external, ext_key, secret_ext),
                          "password": secret_ext}}
    inv = inventory_copy(tmp_path, pool={"sfb_edge_certificates": certs})
    result, entries = playbook("site", inv, tmp_path, "-vvv", "--diff", snapshot="converged")
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-3000:]
    cert = [e for e in entries if e["host"] == "edge01" and e["task"].startswith("sfb.edge.certificates")
            and e["action"] == "sfb.edge.edge_apply"]
    assert cert[0]["changed"] and cert[0]["calls"] == ["sfb.edge.edge_certificates"]
    assert "CN=sip.example.com (sfb_edge_certificates.external)" in out
    assert secret_int not in out and secret_ext not in out


# ----------------------------------------------------------------------------------- docs
@pytest.mark.parametrize("kind, name", [
    ("filter", "desired_state"), ("filter", "drift"), ("filter", "drift_report"), ("filter", "connection_ports"),
    ("lookup", "edge_snapshot"),
    ("module", "edge_apply"), ("module", "edge_facts"), ("module", "edge_network"), ("module", "edge_routes"),
    ("module", "edge_hosts_file"), ("module", "edge_certificates"),
    ("role", "edge_state"), ("role", "routes"), ("role", "network"), ("role", "hosts_file"), ("role", "identity"),
    ("role", "certificates"), ("role", "drift"), ("module", "report_files"), ("filter", "frontend_failure"),
    ("module", "frontend_failure"), ("role", "common"),
    ("filter", "desired_states"), ("filter", "state_parts"), ("filter", "drift_areas"),
    ("module", "host_state"), ("module", "host_drift"), ("module", "host_validation"), ("role", "validate"),
])
def test_docs_render(kind, name):
    result = run("ansible-doc", "-t", kind, "sfb.edge.%s" % name)
    assert result.returncode == 0, result.stderr
    assert "sfb.edge.%s" % name in result.stdout or name in result.stdout
