# -*- coding: utf-8 -*-
"""Faults and variants in the LIVE path, against simulated Windows hosts (tests/simhost, issue 21 points 4-6).

The failure paths run live: an update whose installer fails, a connection lost after the address change, a
module that fails at a given step - each asserted on the simulated host's state, not only on the output.
"""

from __future__ import annotations

import json
import os
import re

import pytest
import yaml

import test_simhost_playbooks as base
from test_simhost_playbooks import EDGES, FAST, FRESH_ADDRESSES, recap, simhost, simulate, site

pytestmark = base.pytestmark  # ansible-core 2.17+ payloads only

CU_PATH = "C:\\media\\sfb-cu"
CU_VERSION = "7.0.2046.530"  # the update installer's file version (SfB 2019 CU, the target of the cu step)


def set_meta(tmp_path, host, **meta):
    path = tmp_path / "sim" / host / "meta.json"
    data = json.loads(path.read_text())
    data.update(meta)
    path.write_text(json.dumps(data))


def pool_vars(inv, **values):
    path = inv / "group_vars" / "edge_pool_corp.yml"
    data = yaml.safe_load(path.read_text())
    data.update(values)
    path.write_text(yaml.safe_dump(data))


def test_update_installer_fails_services_started_again_temp_files_removed(tmp_path, monkeypatch):
    """The update's second run (after the roles; the cu step's second half) exits 1603 on edge01: the run fails,
    the message names the host, the step, the installer and its exit code and says the services were started
    again; on the simulated host the Replica Replicator Agent (started by the setup call, stopped for the update)
    runs again, and the configuration export put on the host for the import is gone from its temporary folder
    (and from the controller's). On edge02 a management shell step fails (Enable-CsReplica): its run stops
    there - the topology imported, the replica not enabled, no later step run - and says which step failed."""
    sim, inv = simulate(tmp_path, "cs-fresh")
    pool_vars(inv, sfb_edge_cu_path=CU_PATH)
    for host in EDGES:
        set_meta(tmp_path, host, update_installer=CU_VERSION)
    set_meta(tmp_path, "edge01", faults={"installer_exit": {"step": "cu_databases", "rc": 1603}})
    set_meta(tmp_path, "edge02", faults={"step_fails": "enable_replica"})
    monkeypatch.setenv("TMPDIR", str(tmp_path / "controller-tmp"))
    (tmp_path / "controller-tmp").mkdir()
    result = site(tmp_path, sim, inv, monkeypatch, *FAST)
    assert result.returncode != 0
    out = " ".join(result.stdout.split())
    assert "edge01: setup step 8/9 FAILED after 1.0 s (rc 1603): Cumulative update of the roles" in out, out[-3000:]
    assert ("host edge01, cs_install: sfb.edge.edge_cs failed: The step cu failed: C:\\media\\sfb-cu\\"
            "SkypeServerUpdateInstaller.exe exited with 1603 (success: 0; reboot: 3010, 1641); the services stopped "
            "for the update were started again: REPLICA") in out, out[-3000:]
    state = simhost.state_of(sim, "edge01")
    services = {s["name"]: s["status"] for s in state["cs"]["services"]}
    assert services["REPLICA"] == "Running", services
    assert state["cs"]["cu_databases_pending"] is True  # the update's second half is still due: the next run does it
    transfers = [e.get("action") for e in simhost.calls(sim, "edge01") if e["class"] == "transfer"]
    assert transfers == ["powershell_mkdtemp.ps1", "put_file", None]  # None: the Remove-Item of that folder
    assert list((tmp_path / "controller-tmp").glob("sfb-edge-config-*")) == []
    assert "host edge02, cs_install: sfb.edge.edge_cs failed: The step enable_replica failed" in out
    cs = simhost.state_of(sim, "edge02")["cs"]
    assert (cs["topology"]["imported"], cs["replica"]["enabled"]) == (True, False)
    assert {s["name"]: s["status"] for s in cs["services"]} == {"REPLICA": "Stopped", "RTCCLSAGT": "Stopped"}
    for host in EDGES:
        assert recap(result.stdout, host)["failed"] == 1
        meta = json.loads((tmp_path / "sim" / host / "meta.json").read_text())
        assert [p for p in meta["files"] if p.lower().startswith(simhost.TEMP.lower())] == []


def windows_phase(tmp_path, monkeypatch, down, *extra):
    """The windows phase of site.yml on fresh edge01 alone, whose connection is lost for ``down`` attempts after
    its address change."""
    sim, inv = simulate(tmp_path, "fresh", FRESH_ADDRESSES)
    set_meta(tmp_path, "edge01", down_after_network=down)
    result = site(tmp_path, sim, inv, monkeypatch, "--limit", "edge01", "-e", "sfb_edge_phase=windows",
                  "-e", "sfb_edge_allow_connection_change=true", *FAST, *extra)
    return sim, result


def test_connection_lost_after_the_address_change_recovers(tmp_path, monkeypatch):
    """The host does not answer on its new address for 3 attempts after the deferred network change: the
    reconnect wait (wait_for_connection, its 1-second retries on the connection's fake clock - no real sleeping)
    tries again on the new address until it answers, the background change is read (async_status) and the phase
    converges: the NICs as planned."""
    sim, result = windows_phase(tmp_path, monkeypatch, 3)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    entries = simhost.calls(sim, "edge01")
    refused = [e for e in entries if e["class"] == "refused" and "address change" in e["msg"]]
    assert [e["address"] for e in refused] == ["172.16.10.11"] * 3, refused
    after = entries[entries.index(refused[-1]) + 1:]
    assert [(e["module"], e["address"]) for e in after[:2]] == [("ansible.windows.win_ping", "172.16.10.11"),
                                                                ("ansible.windows.async_status", "172.16.10.11")]
    state = simhost.state_of(sim, "edge01")
    assert [(a["name"], a["dhcp"], [x["address"] for x in a["addresses"]]) for a in state["adapters"]][0] == (
        "Internal", False, ["172.16.10.11"])


def test_connection_lost_after_the_address_change_for_good_fails_clearly(tmp_path, monkeypatch):
    """The host never answers again on its new address: after network_reconnect_timeout (5 fake seconds) the run
    fails for edge01, saying it timed out waiting for the host and why (no answer on the new address); nothing
    after the change reaches the host."""
    sim, result = windows_phase(tmp_path, monkeypatch, 10 ** 6, "-e", "network_reconnect_timeout=5")
    assert result.returncode != 0
    out = " ".join((result.stdout + result.stderr).split())
    assert "timed out waiting for ping module test: edge01: the simulated host does not answer after its address " \
           "change (connection refused)" in out, out[-3000:]
    # the task that failed says what was waited for: the host on its new address
    failed = re.search(r"TASK \[([^\]]+)\][^\n]*\n(?:(?!TASK \[).*\n)*?fatal: \[edge01\]", result.stdout)
    assert failed and failed.group(1) == "sfb.edge.network : Wait for the host on its new address", failed
    entries = simhost.calls(sim, "edge01")
    last = max(i for i, e in enumerate(entries) if e["module"] == "sfb.edge.edge_network")
    assert {e["class"] for e in entries[last + 1:]} == {"refused"} and 4 <= len(entries[last + 1:]) <= 6


# Lync Server 2013 on Windows Server 2012 (.NET 4.5); Skype for Business Server 2015 with XMPP federation on
# Windows Server 2019, which needs CU9 (6.0.9319.548) or later: the update installer in sfb_edge_cu_path is
# CU15 HF (6.0.9319.613, winsim.SIM_PRODUCTS).
VARIANTS = {
    "lync2013": ({"os_build": 9200, "os_version": "6.2.9200", "os_caption": "Microsoft Windows Server 2012 Standard",
                  "dotnet_release": 378389}, {}, None),
    "sfb2015": ({}, {"sfb_edge_xmpp": True, "sfb_edge_cu_path": CU_PATH}, "6.0.9319.613"),
}


@pytest.mark.parametrize("version", sorted(VARIANTS))
def test_other_versions_converge_then_one_call(tmp_path, monkeypatch, version):
    """A Lync 2013 edge and an SfB 2015 edge with XMPP, nothing of Lync/SfB installed yet: site.yml installs the
    version's features and components (and for 2015 the update, both halves, and the XMPP gateway's service), the
    validation passes; a second run changes nothing and makes exactly one call on the host."""
    computer, extra_vars, cu = VARIANTS[version]
    sim, inv = simulate(tmp_path, "cs-fresh")
    state = simhost.state_of(sim, "edge01")
    state["computer"].update(computer)
    simhost.create(sim, "edge01", state, cs_version=version, xmpp=bool(extra_vars.get("sfb_edge_xmpp")),
                   update_installer=cu)
    pool_vars(inv, sfb_edge_version=version, **extra_vars)
    first = site(tmp_path, sim, inv, monkeypatch, "--limit", "edge01,fe01", *FAST)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr
    assert recap(first.stdout, "edge01")["changed"] > 0
    cs = simhost.state_of(sim, "edge01")["cs"]
    expected = {"lync2013": ("Lync Server 2013", "5.0.8308.0", {"RTCSRV", "RTCDATAPROXY", "RTCMEDIARELAY", "RTCMRAUTH"}),
                "sfb2015": ("Skype for Business Server 2015", "6.0.9319.613",
                            {"RTCSRV", "RTCDATAPROXY", "RTCMEDIARELAY", "RTCMRAUTH", "RTCXMPPTGWPX"})}[version]
    assert {(p["name"], p["version"]) for p in cs["products"]} == {
        (expected[0] + ", Core Components", expected[1]), (expected[0] + ", Edge Server", expected[1])}
    assert {s["name"]: s["status"] for s in cs["services"]} == dict.fromkeys(
        expected[2] | {"REPLICA", "RTCCLSAGT"}, "Running")
    assert "edge01 (edge01.corp.example.com): PASSED" in first.stdout, first.stdout[-3000:]
    seen = len(simhost.calls(sim, "edge01"))
    again = site(tmp_path, sim, inv, monkeypatch, "--limit", "edge01,fe01", *FAST)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr
    assert recap(again.stdout, "edge01")["changed"] == 0
    assert [(e["class"], e["module"]) for e in simhost.calls(sim, "edge01")[seen:]] == [("module", "sfb.edge.edge_facts")]


def before_install(tmp_path, networks):
    """The example pool with its NICs converged and nothing of Lync/SfB installed (the firewall proof's moment),
    ``networks``: each server's simulated network (meta ``network``: blocked and device-answered address:ports)."""
    sim, inv = simulate(tmp_path, "converged")
    for host in EDGES:
        state = simhost.state_of(sim, host)
        with open(os.path.join(base.SNAPSHOTS, "fresh", host + ".json"), encoding="utf-8") as handle:
            state["cs"] = json.load(handle)["cs"]
        state.pop("replication")
        state["listeners"] = [x for x in state["listeners"] if x["address"] == "0.0.0.0" and x["port"] != 4443]
        simhost.create(sim, host, state, network=networks.get(host) or {})
    return sim, inv


def test_firewall_proof_external_rules_from_a_windows_probe_host(tmp_path, monkeypatch):
    """An external probe host (edge_probes: probe01, a simulated Windows host: sfb.edge.tcp_probe, TCP only) probes
    the external rules through the simulated network: to each server's external addresses and to the load
    balancer's virtual addresses, which forward to the first server that answers. edge01's A/V Edge 443 is blocked
    on the path: its own rule is "blocked", the virtual address's rule is open (edge02 answers behind it, and its
    listener counts it); the UDP rules stay "not tested" (a Windows probe host has no UDP probe; the report says to
    add a Linux one)."""
    sim, inv = before_install(tmp_path, {"edge01": {"blocked": [["192.0.2.23", 443]]}})
    simhost.create(sim, "probe01")
    simhost.network(sim, {"172.16.10.10": ["172.16.10.11", "172.16.10.12"], "192.0.2.10": ["192.0.2.21", "192.0.2.31"],
                          "192.0.2.11": ["192.0.2.22", "192.0.2.32"], "192.0.2.12": ["192.0.2.23", "192.0.2.33"]})
    hosts = yaml.safe_load((inv / "hosts.yml").read_text())
    hosts["all"]["children"]["edge_probes"] = {"hosts": {"probe01": {
        "ansible_host": "203.0.113.200", "ansible_connection": "sfb_winsim", "ansible_shell_type": "powershell",
        "sfb_winsim_host": "probe01"}}}
    (inv / "hosts.yml").write_text(yaml.safe_dump(hosts))
    result = base.playbook(tmp_path, sim, monkeypatch, "firewall_proof", inv, "-e", "sfb_edge_plan_dir=%s" % (tmp_path / "plan"))
    assert result.returncode != 0
    assert "Firewall proof of edge01: 1 rule(s) blocked, 0 rule(s) answered by something else: no answer from " \
           "192.0.2.23:443 (probed from probe01)" in " ".join(result.stdout.split())
    reports = {host: json.loads((tmp_path / "plan" / "edgepool.corp.example.com" / "firewall-proof" / ("%s.json" % host))
                                .read_text()) for host in EDGES}
    external = {host: [(r["protocol"], r["destination"], r["ports"], r["verdict"]) for r in report["rules"]
                       if (r["firewall"], r["direction"]) == ("external", "inbound")] for host, report in reports.items()}
    rules = [("TCP", "vip_access", "443", "open"), ("TCP", "vip_access", "5061", "open"), ("TCP", "vip_webconf", "443", "open"),
             ("UDP", "vip_av", "3478", "not tested"), ("UDP", "edge_av", "3478", "not tested"), ("TCP", "vip_av", "443", "open")]
    assert external == {"edge01": rules + [("TCP", "edge_av", "443", "blocked")],
                        "edge02": rules + [("TCP", "edge_av", "443", "open")]}
    udp = [r["reason"] for r in reports["edge02"]["rules"] if r["protocol"] == "UDP" and r["firewall"] == "external"
           and r["direction"] == "inbound"]
    assert udp == ["UDP from a Windows probe host is not supported (sfb.edge.tcp_probe is TCP only): add a Linux host to "
                   "edge_probes for the UDP rules"] * 2
    assert reports["edge01"]["summary"]["blocked"] == 1 and reports["edge02"]["summary"]["blocked"] == 0
    assert [e["module"] for e in simhost.calls(sim, "probe01")] == ["sfb.edge.tcp_probe"]


def test_firewall_proof_udp_from_a_linux_probe_host(tmp_path, monkeypatch):
    """A Linux probe host (edge_probes: probe01 on the sfb_posixsim connection - sfb.edge.port_probe, a Python module
    decoded from its AnsiballZ payload) probes the external rules, UDP too: each UDP datagram reaches the temporary
    UDP responder behind the address (the virtual address's through the load balancer) and comes back, which counts
    it; edge02's A/V UDP 3478 is blocked on the path: its own rule is "blocked", the virtual address's is open
    (edge01 answers behind it)."""
    sim, inv = before_install(tmp_path, {"edge02": {"blocked": [["192.0.2.33", 3478]]}})
    simhost.create(sim, "probe01")
    simhost.network(sim, {"172.16.10.10": ["172.16.10.11", "172.16.10.12"], "192.0.2.10": ["192.0.2.21", "192.0.2.31"],
                          "192.0.2.11": ["192.0.2.22", "192.0.2.32"], "192.0.2.12": ["192.0.2.23", "192.0.2.33"]})
    hosts = yaml.safe_load((inv / "hosts.yml").read_text())
    hosts["all"]["children"]["edge_probes"] = {"hosts": {"probe01": {
        "ansible_host": "203.0.113.200", "ansible_connection": "sfb_posixsim", "sfb_winsim_host": "probe01",
        "ansible_python_interpreter": "/usr/bin/python3"}}}
    (inv / "hosts.yml").write_text(yaml.safe_dump(hosts))
    result = base.playbook(tmp_path, sim, monkeypatch, "firewall_proof", inv, "-e", "sfb_edge_plan_dir=%s" % (tmp_path / "plan"))
    assert result.returncode != 0, result.stdout[-3000:]
    assert "Firewall proof of edge02: 1 rule(s) blocked, 0 rule(s) answered by something else: no answer from " \
           "192.0.2.33:3478 (probed from probe01)" in " ".join(result.stdout.split()), result.stdout[-3000:]
    reports = {host: json.loads((tmp_path / "plan" / "edgepool.corp.example.com" / "firewall-proof" / ("%s.json" % host))
                                .read_text()) for host in EDGES}
    udp = {host: [(r["destination"], r["verdict"]) for r in report["rules"]
                  if (r["firewall"], r["direction"], r["protocol"]) == ("external", "inbound", "UDP")]
           for host, report in reports.items()}
    assert udp == {"edge01": [("vip_av", "open"), ("edge_av", "open")], "edge02": [("vip_av", "open"), ("edge_av", "blocked")]}
    probes = simhost.calls(sim, "probe01")
    assert [e["module"] for e in probes] == ["sfb.edge.port_probe"]
    assert {(t["protocol"], t["host"], t["port"]) for t in probes[0]["args"]["targets"]} >= {
        ("UDP", "192.0.2.12", 3478), ("UDP", "192.0.2.23", 3478), ("UDP", "192.0.2.33", 3478), ("TCP", "192.0.2.10", 443)}
