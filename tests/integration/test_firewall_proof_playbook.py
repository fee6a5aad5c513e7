# -*- coding: utf-8 -*-
"""playbooks/firewall_proof.yml end to end through the real Ansible CLI, without a Windows host: on the shipped
snapshots (nothing contacted, every rule "not tested"), the refusal on an installed edge (nothing written, nothing
opened), and check mode on hosts whose state is already known (nothing opened or probed, "would test")."""

from __future__ import annotations

import json
import os

import pytest

from test_plan_playbook import ROOT
from test_windows_playbooks import EDGES, SNAPSHOTS, playbook, recap

EXAMPLE = os.path.join(ROOT, "inventories", "example")
OVERLAY = os.path.join(ROOT, "tests", "snapshots", "inventory")
POOL = "edgepool.corp.example.com"
# Tasks that would reach an edge, the Front End or the probe host.
REMOTE = {"sfb.edge.edge_port_listener", "sfb.edge.tcp_probe", "sfb.edge.port_probe", "sfb.edge.edge_facts"}


def _reports(tmp_path, host):
    base = tmp_path / "plan" / POOL / "what-if" / "firewall-proof" / host
    return json.loads(base.with_suffix(".json").read_text()), base.with_suffix(".md").read_text()


def _ran(entries, actions):
    return [(e["host"], e["action"]) for e in entries if e["action"] in actions and e["status"] != "skipped"]


def test_snapshot_run_writes_the_report_and_contacts_nothing(tmp_path):
    # the overlay inventory first (tests/snapshots/README.md): its certificates are not needed, it must not hurt
    result, entries = playbook("firewall_proof", OVERLAY, tmp_path, "-i", EXAMPLE,
                               snapshots=os.path.join(SNAPSHOTS, "cs-fresh"))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    assert _ran(entries, REMOTE) == []
    for host in EDGES:
        assert recap(result.stdout, host)["changed"] == 0
    data, md = _reports(tmp_path, "edge01")
    assert (data["mode"], data["host"], data["pool"], data["duration"]) == ("snapshot", "edge01", POOL, 300)
    assert data["source"].endswith("cs-fresh/edge01.json")
    assert data["probes"] == {"internal": "fe01", "external": None, "external_windows": False}
    # 29 port-table rules (Centralized Logging from next_hop_pool and from front_end_servers) and the 2 management
    # rules of the example (WinRM to the edges and to fe01; issue 20, point 8)
    assert data["summary"] == {"open": 0, "blocked": 0, "answered by something else": 0, "not tested": 31, "would test": 0}
    assert [(l["protocol"], l["address"], l["port"]) for l in data["listeners"]] == [
        ("TCP", "172.16.10.11", p) for p in (443, 4443, 5061, 5062, 8057, 50001, 50002, 50003)] + [
        ("UDP", "172.16.10.11", 3478), ("TCP", "192.0.2.21", 443), ("TCP", "192.0.2.21", 5061),
        ("TCP", "192.0.2.22", 443), ("TCP", "192.0.2.23", 443), ("UDP", "192.0.2.23", 3478)]
    rule17 = data["rules"][16]
    assert (rule17["firewall"], rule17["destination"], rule17["ports"], rule17["verdict"]) == (
        "internal", "edge_internal", "5061", "not tested")
    assert rule17["reason"] == "snapshot run: no host was contacted (a live run probes it from fe01)"
    assert rule17["tests"] == [{"protocol": "TCP", "listener": "172.16.10.11", "target": "172.16.10.11", "port": 5061,
                                "behind": [{"host": "edge01", "address": "172.16.10.11"}],
                                "answered": None, "error": None, "hits": None}]
    assert md.startswith("# Firewall proof: edge01 (edgepool.corp.example.com)\n")
    assert "- summary: 31 not tested\n" in md
    assert ("| 1 | external | inbound | any | vip_access | TCP | 443 | **not tested** | - | 192.0.2.10:443 | no probe host "
            "outside the perimeter (group edge_probes): external rules are not tested |") in md
    edge02, _md = _reports(tmp_path, "edge02")
    assert edge02["listeners"][0] == {"protocol": "TCP", "address": "172.16.10.12", "port": 443, "hits": None}
    # a report is an output: the second run rewrites nothing and changes nothing
    again, _entries = playbook("firewall_proof", OVERLAY, tmp_path, "-i", EXAMPLE,
                               snapshots=os.path.join(SNAPSHOTS, "cs-fresh"))
    assert again.returncode == 0 and recap(again.stdout, "edge01")["changed"] == 0


def test_installed_edge_is_refused_and_nothing_is_written(tmp_path):
    result, entries = playbook("firewall_proof", EXAMPLE, tmp_path, snapshots=os.path.join(SNAPSHOTS, "converged"))
    assert result.returncode != 0
    out = result.stdout + result.stderr
    assert "The firewall proof opens nothing on any host:" in out
    assert "host edge01: TCP 172.16.10.11:5061 is already in use (listening: 172.16.10.11:5061 by RTCSrv)" in out
    assert "host edge02: Skype for Business Server 2019, Core Components is installed - check an installed edge" in out
    assert _ran(entries, REMOTE) == []
    assert not (tmp_path / "plan" / POOL).exists()  # nothing written, live or what-if


PRELUDE = """---
# The state as gathered before (what edge_state reuses when it is already known), from a snapshot file.
- name: Known state
  hosts: edge_servers
  gather_facts: false
  tasks:
    - name: Keep the state
      ansible.builtin.set_fact:
        edge_state_current: "{{{{ lookup('ansible.builtin.file', '{snapshots}/' ~ inventory_hostname ~ '.json') | from_json }}}}"
        edge_state_source: live

- name: The proof
  ansible.builtin.import_playbook: {playbook}
"""

LOCAL = """---
all:
  children:
    edge_servers:
      children:
        edge_pool_corp:
          hosts:
            edge01: {ansible_connection: local}
            edge02: {ansible_connection: local}
    edge_probes:
      hosts:
        probe1: {ansible_connection: local}
"""


def test_check_mode_opens_nothing_and_says_would_test(tmp_path):
    wrapper = tmp_path / "proof.yml"
    wrapper.write_text(PRELUDE.format(snapshots=os.path.join(SNAPSHOTS, "cs-fresh"),
                                      playbook=os.path.join(ROOT, "playbooks", "firewall_proof.yml")))
    local = tmp_path / "local.yml"
    local.write_text(LOCAL)
    log = tmp_path / "log.jsonl"
    os.environ.update(ANSIBLE_CALLBACK_PLUGINS=os.path.join(ROOT, "tests", "integration", "callbacks"),
                      ANSIBLE_CALLBACKS_ENABLED="task_log", SFB_EDGE_TASK_LOG=str(log))
    try:
        from test_plan_playbook import run

        result = run("ansible-playbook", str(wrapper), "-i", EXAMPLE, "-i", str(local), "--check",
                     "-e", "sfb_edge_plan_dir=%s" % (tmp_path / "plan"))
    finally:
        for key in ("ANSIBLE_CALLBACK_PLUGINS", "ANSIBLE_CALLBACKS_ENABLED", "SFB_EDGE_TASK_LOG"):
            os.environ.pop(key)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert _ran(entries, REMOTE) == []  # no listener opened or closed, no probe, no gathering
    planned = [e for e in entries if e["action"] in REMOTE]
    assert {e["action"] for e in planned} >= {"sfb.edge.edge_port_listener", "sfb.edge.tcp_probe", "sfb.edge.port_probe"}
    data, md = _reports(tmp_path, "edge01")
    assert data["mode"] == "check"
    assert data["probes"] == {"internal": "fe01", "external": "probe1", "external_windows": False}
    # every inbound rule would be tested: the internal ones from fe01 (TCP; UDP needs a Linux probe host),
    # the external ones from probe1 (TCP and UDP); the 10 outbound rules cannot be, the 2 management rules are
    # proven by the run's own connection (issue 20, point 8)
    assert data["summary"] == {"open": 0, "blocked": 0, "answered by something else": 0,
                               "not tested": 10 + 2 + 2, "would test": 17}
    external = [r for r in data["rules"] if r["firewall"] == "external" and r["direction"] == "inbound"]
    assert {r["verdict"] for r in external} == {"would test"} and {r["probe"] for r in external} == {"probe1"}
    assert "| 9 | external | inbound | any | edge_av | UDP | 3478 | **would test** | probe1 | 192.0.2.23:3478 |" in md


@pytest.mark.parametrize("extra, message", [
    # issue 18, point 11: the probe host is an inventory host outside edge_servers, the timeout at most 60 s
    (["-e", "firewall_proof_probe_host=edge02"], "firewall_proof_probe_host is 'edge02', an edge server"),
    (["-e", "firewall_proof_probe_host=localhost"], "firewall_proof_probe_host is 'localhost', which is not a host of "
                                                    "the inventory"),
    (["-e", "firewall_proof_probe_timeout_ms=60001"], "firewall_proof_probe_timeout_ms is '60001': give the milliseconds"),
    (["-e", "sfb_edge_frontend_host=edge02"], "[frontend_is_edge_server]"),
])
def test_bad_probe_hosts_and_timeouts_are_refused_before_anything(tmp_path, extra, message):
    result, entries = playbook("firewall_proof", EXAMPLE, tmp_path, *extra, snapshots=os.path.join(SNAPSHOTS, "cs-fresh"))
    assert result.returncode != 0
    assert message in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert _ran(entries, REMOTE) == []
    assert not (tmp_path / "plan" / POOL).exists()  # nothing written, live or what-if


def test_probe_host_outside_edge_servers_and_a_one_minute_timeout_pass(tmp_path):
    """The near miss: fe01 (an inventory host, not an edge) as the probe host, 60000 ms."""
    result, _entries = playbook("firewall_proof", EXAMPLE, tmp_path, "-e", "firewall_proof_probe_host=fe01",
                                "-e", "firewall_proof_probe_timeout_ms=60000", snapshots=os.path.join(SNAPSHOTS, "cs-fresh"))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    data, _md = _reports(tmp_path, "edge01")
    assert data["probes"]["external"] == "fe01"
