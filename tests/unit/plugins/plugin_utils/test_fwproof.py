# -*- coding: utf-8 -*-
"""The firewall proof's decisions (plugins/plugin_utils/_fwproof.py): which listeners on which host, which
probes from which probe host, the refusals, the verdict per rule; and sfb.edge.port_probe against real
sockets on the loopback."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import socket
import sys
import threading

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

try:  # ansible-core >= 2.19: the role's own templates are trusted, test data is not
    from ansible.template import trust_as_template
except ImportError:  # 2.16 (make compat): the role-rendering tests are skipped there
    trust_as_template = None
ROLE_RENDERING = pytest.mark.skipif(trust_as_template is None, reason="renders the role's Jinja with ansible-core "
                                    ">= 2.19's templating API (trust_as_template, evaluate_conditional); make units runs it")
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

import inventory_data  # noqa: E402

from ansible_collections.sfb.edge.plugins.modules import port_probe  # noqa: E402
from ansible_collections.sfb.edge.plugins.plugin_utils import _fwproof as fwproof, _plan as plan  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
SNAPSHOTS = os.path.join(ROOT, "tests", "snapshots")
EXAMPLE = plan.build(inventory_data.example(), read_certificates=False)
POOL = EXAMPLE["edgepool.corp.example.com"]


def snapshot(scenario, host):
    with open(os.path.join(SNAPSHOTS, scenario, host + ".json"), encoding="utf-8") as handle:
        return json.load(handle)


def fresh_states():
    return {h: snapshot("cs-fresh", h) for h in ("edge01", "edge02")}


def state_with(addresses, listeners=()):
    """A cs-fresh state whose adapters carry exactly ``addresses`` and whose listeners are ``listeners``."""
    state = snapshot("cs-fresh", "edge01")
    template = state["adapters"][0]["addresses"][0]
    state["adapters"] = [dict(state["adapters"][0], addresses=[dict(template, address=a) for a in addresses])]
    state["listeners"] = [{"protocol": p, "address": a, "port": n, "process": "x"} for p, a, n in listeners]
    return state


def listeners_of(host_plan):
    return [(l["protocol"], l["address"], l["port"]) for l in host_plan["listeners"]]


def _internal_tcp(address):
    return [("TCP", address, p) for p in (443, 4443, 5061, 5062, 8057, 50001, 50002, 50003)] + [("UDP", address, 3478)]


# The planned listeners of the example pool's servers (firewall rules to an edge group, on the server's own addresses).
EDGE01 = _internal_tcp("172.16.10.11") + [
    ("TCP", "192.0.2.21", 443), ("TCP", "192.0.2.21", 5061), ("TCP", "192.0.2.22", 443),
    ("TCP", "192.0.2.23", 443), ("UDP", "192.0.2.23", 3478)]
EDGE02 = _internal_tcp("172.16.10.12") + [
    ("TCP", "192.0.2.31", 443), ("TCP", "192.0.2.31", 5061), ("TCP", "192.0.2.32", 443),
    ("TCP", "192.0.2.33", 443), ("UDP", "192.0.2.33", 3478)]


def test_listeners_of_the_example_pool():
    proof = fwproof.plan_all(EXAMPLE, ["edge01", "edge02"], fresh_states(), frontend="fe01")
    assert proof["refusals"] == []
    assert listeners_of(proof["hosts"]["edge01"]) == EDGE01
    assert listeners_of(proof["hosts"]["edge02"]) == EDGE02
    assert proof["duration"] == 300


def test_listeners_cover_the_planned_listening_table():
    """Every socket Lync will listen on (the plan's listening table) is among the proof's listeners."""
    proof = fwproof.plan_all(EXAMPLE, ["edge01"], {"edge01": snapshot("cs-fresh", "edge01")})
    planned = {(s["protocol"], s["address"], s["port"]) for s in POOL["hosts"]["edge01"]["listening"]}
    assert planned <= set(listeners_of(proof["hosts"]["edge01"]))


def test_probes_of_the_front_end_and_the_probe_host():
    proof = fwproof.plan_all(EXAMPLE, ["edge01", "edge02"], fresh_states(), frontend="fe01", external_probe="probe1")
    internal = [(t["protocol"], t["host"], t["port"]) for t in proof["probes"]["fe01"]]
    assert internal == ([("TCP", "172.16.10.10", p) for p in (443, 5061, 5062)]
                        + [x for x in _internal_tcp("172.16.10.11") if x[0] == "TCP"]
                        + [x for x in _internal_tcp("172.16.10.12") if x[0] == "TCP"])
    external = [(t["protocol"], t["host"], t["port"]) for t in proof["probes"]["probe1"]]
    # the VIPs for Access and Web Conferencing, the A/V VIP and each server's A/V address (both)
    assert external == [("TCP", "192.0.2.10", 443), ("TCP", "192.0.2.10", 5061), ("TCP", "192.0.2.11", 443),
                        ("TCP", "192.0.2.12", 443), ("UDP", "192.0.2.12", 3478),
                        ("TCP", "192.0.2.23", 443), ("UDP", "192.0.2.23", 3478),
                        ("TCP", "192.0.2.33", 443), ("UDP", "192.0.2.33", 3478)]
    # only the hosts whose listeners opened are probed (edge02 left the play)
    only = fwproof.probe_calls([proof["hosts"]["edge01"]])
    assert ("TCP", "172.16.10.12", 5061) not in {(t["protocol"], t["host"], t["port"]) for t in only["fe01"]}


def test_single_ip_behind_nat_listens_on_the_private_address_and_probes_the_public_one():
    pools = plan.build(inventory_data.single(), read_certificates=False)
    pool = pools["sfbedge01.corp.example.org"]
    state = state_with(["192.168.50.20", "172.31.0.10"])
    host = fwproof.host_plan(pool, "sfbedge01", state, frontend="fe", external_probe="p")
    assert host["refusals"] == []
    external = sorted((l["protocol"], l["port"]) for l in host["listeners"] if l["address"] == "172.31.0.10")
    assert external == [("TCP", 443), ("TCP", 444), ("TCP", 5061), ("TCP", 5269), ("UDP", 3478)]
    assert ("TCP", "192.168.50.20", 23456) in listeners_of(host)  # XMPP gateway, internal
    targets = {t["target"] for r in host["rules"] if r["firewall"] == "external" for t in r["tests"]}
    assert targets == {"203.0.113.10"}  # the NAT address the firewall translates


def test_refuses_a_port_in_use_on_an_installed_edge():
    proof = fwproof.plan_all(EXAMPLE, ["edge01", "edge02"], {h: snapshot("converged", h) for h in ("edge01", "edge02")})
    assert proof["hosts"]["edge01"]["listeners"] == [] and proof["hosts"]["edge02"]["listeners"] == []
    assert "host edge01: TCP 172.16.10.11:5061 is already in use (listening: 172.16.10.11:5061 by RTCSrv)" \
        in proof["refusals"]
    assert "host edge02: TCP 172.16.10.12:4443 is already in use (listening: 0.0.0.0:4443 by ReplicaReplicatorAgent)" \
        in proof["refusals"]
    assert ("host edge01: Skype for Business Server 2019, Core Components is installed - check an installed edge with "
            "playbooks/validate.yml; the firewall proof is for a server before the install") in proof["refusals"]
    assert len(proof["refusals"]) == 2 * (11 + 1)  # the 11 sockets of the installed edge, 50001-50003 free


def test_refuses_one_port_held_by_another_program():
    states = fresh_states()
    states["edge02"]["listeners"].append({"protocol": "UDP", "address": "0.0.0.0", "port": 3478, "process": "turnserver"})
    proof = fwproof.plan_all(EXAMPLE, ["edge01", "edge02"], states)
    assert proof["refusals"] == [
        "host edge02: UDP 172.16.10.12:3478 is already in use (listening: 0.0.0.0:3478 by turnserver)",
        "host edge02: UDP 192.0.2.33:3478 is already in use (listening: 0.0.0.0:3478 by turnserver)",
        "host edge02: stop the programs holding these ports for the proof, or test those rules by hand (PortQry)"]
    assert proof["hosts"]["edge02"]["listeners"] == []
    assert listeners_of(proof["hosts"]["edge01"]) == EDGE01  # the decision; the role opens nothing when any refusal


def test_same_port_on_another_address_is_not_in_use():
    states = fresh_states()
    states["edge01"]["listeners"].append({"protocol": "TCP", "address": "127.0.0.1", "port": 5061, "process": "x"})
    assert fwproof.plan_all(EXAMPLE, ["edge01"], states)["refusals"] == []


def test_refuses_an_address_that_is_not_the_servers_own():
    proof = fwproof.plan_all(EXAMPLE, ["edge01"], {"edge01": snapshot("winrm-on-changed-nic", "edge01")})
    internal = [r for r in proof["refusals"] if "172.16.10.11" in r]
    # and the 5 external sockets the installed edge holds, and the line naming the product
    assert len(internal) == 9 and len(proof["refusals"]) == 9 + 5 + 1
    assert internal[0] == (
        "host edge01: TCP 172.16.10.11:443 - 172.16.10.11 is not an address of this server (it has 172.16.10.50, "
        "192.0.2.21, 192.0.2.22, 192.0.2.23); the proof listens only on the server's own addresses: converge the "
        "NICs first (playbooks/site.yml, role sfb.edge.network) or fix sfb_edge_internal_nic / sfb_edge_external_nic")
    fresh = fwproof.plan_all(EXAMPLE, ["edge01"], {"edge01": snapshot("fresh", "edge01")})
    assert len(fresh["refusals"]) == 14 and fresh["hosts"]["edge01"]["listeners"] == []


def test_an_inactive_address_is_not_the_servers_own():
    state = snapshot("cs-fresh", "edge01")
    state["adapters"][0]["addresses"][0]["active"] = False  # persistent store only: not bound now
    assert any("172.16.10.11 is not an address" in r for r in fwproof.plan_all(EXAMPLE, ["edge01"], {"edge01": state})["refusals"])


def test_refuses_without_gathered_listeners():
    state = snapshot("cs-fresh", "edge01")
    del state["listeners"]
    refusals = fwproof.plan_all(EXAMPLE, ["edge01"], {"edge01": state})["refusals"]
    assert refusals == ["host edge01: the gathered state has no listeners, so the proof cannot show that the planned "
                        "ports are free; gather it with sfb.edge.edge_state (edge_facts reads them) or add 'listeners' "
                        "to the snapshot (docs/state-format.md)"]


@pytest.mark.parametrize("ports, sample", [
    ("443", [443]),
    ("50001-50003", [50001, 50002, 50003]),
    ("50000-50007", list(range(50000, 50008))),
    ("50000-50008", [50000, 50002, 50004, 50006, 50008]),
    ("50000-59999", [50000, 52499, 54999, 57499, 59999]),
])
def test_sample_ports(ports, sample):
    assert fwproof.sample_ports(ports) == sample


def test_media_range_is_sampled_and_the_report_says_so():
    inventory = inventory_data.example()
    for host in inventory.values():
        host.update(sfb_edge_version="lync2013", sfb_edge_ocs2007_federation=True)
    pool = plan.build(inventory, read_certificates=False)["edgepool.corp.example.com"]
    host = fwproof.host_plan(pool, "edge01", snapshot("cs-fresh", "edge01"), external_probe="p")
    media = [l["port"] for l in host["listeners"] if l["address"] == "192.0.2.23" and l["port"] >= 50000]
    assert media == [50000, 52499, 54999, 57499, 59999] * 2  # TCP and UDP
    rep = fwproof.report(host)
    sampled = [r for r in rep["rules"] if r["sampled"]]
    assert [(r["protocol"], r["ports"]) for r in sampled] == [("TCP", "50000-59999"), ("UDP", "50000-59999")]
    assert "50000, 52499, 54999, 57499, 59999" in rep["sampling"]
    assert any("| 50000-59999 (sampled) |" in line for line in fwproof.markdown(rep))


# ------------------------------------------------------------------------------------------ verdicts
def _rule(number):
    proof = fwproof.plan_all(EXAMPLE, ["edge01"], {"edge01": snapshot("cs-fresh", "edge01")}, frontend="fe01",
                             external_probe="probe1")
    return proof["hosts"]["edge01"], next(r for r in proof["hosts"]["edge01"]["rules"] if r["id"] == number)


def _answers(*triples):
    return {"results": [{"protocol": p, "host": h, "port": n, "open": ok, "error": None if ok else "refused"}
                        for p, h, n, ok in triples]}


CLS = [("TCP", "172.16.10.11", 50001), ("TCP", "172.16.10.11", 50002), ("TCP", "172.16.10.11", 50003)]


def _received(*triples, hits=1):
    """The ``received`` of edge_port_listener (state=absent): ``hits`` on each listener (protocol, address, port)."""
    return [{"protocol": p, "address": a, "port": n, "hits": hits} for p, a, n in triples]


@pytest.mark.parametrize("mode, probes, expected", [
    ("live", {"fe01": _answers(*[t + (True,) for t in CLS])}, "open"),
    ("live", {"fe01": _answers(CLS[0] + (True,), CLS[1] + (False,), CLS[2] + (True,))}, "blocked"),
    ("live", {"fe01": _answers(CLS[0] + (True,), CLS[2] + (True,))}, "not tested"),  # a target without result
    ("live", {"fe01": _answers(CLS[0] + (False,), CLS[2] + (True,))}, "blocked"),  # one failed is enough
    ("live", {}, "not tested"),
    ("live", {"fe01": {"skipped": True}}, "not tested"),
    ("live", {"fe01": {"failed": True, "msg": "Access is denied"}}, "not tested"),
    ("check", {"fe01": _answers(*[t + (True,) for t in CLS])}, "would test"),
    ("snapshot", {"fe01": _answers(*[t + (True,) for t in CLS])}, "not tested"),
])
def test_verdict_of_the_cls_rule(mode, probes, expected):
    host, rule = _rule(23)  # internal TCP 50001-50003 from next_hop_pool to edge_internal
    assert (rule["ports"], rule["probe"]) == ("50001-50003", "fe01")
    row = fwproof.report(dict(host, mode=mode), probes, received=_received(*CLS))["rules"][22]
    assert row["verdict"] == expected
    assert row["probe"] == ("fe01" if expected in ("open", "blocked", "would test") else None)


def test_tcp_probe_results_have_no_protocol_and_count_as_tcp():
    host, _rule23 = _rule(23)
    results = {"fe01": {"results": [{"host": h, "port": n, "open": True, "error": None} for _p, h, n in CLS]}}
    row = fwproof.report(host, results, received=_received(*CLS))["rules"][22]
    assert row["verdict"] == "open"
    assert [t["answered"] for t in row["tests"]] == [True, True, True]


def test_failed_probe_says_why():
    host, _rule23 = _rule(23)
    row = fwproof.report(host, {"fe01": {"failed": True, "msg": "Access is denied"}})["rules"][22]
    assert row["reason"] == "the probe from fe01 failed: Access is denied"


def test_rules_that_cannot_be_tested():
    host, outbound = _rule(3)
    assert outbound["direction"] == "outbound" and outbound["tests"] == []
    rep = fwproof.report(host, {"fe01": _answers(), "probe1": _answers()})
    assert rep["rules"][2]["verdict"] == "not tested" and rep["rules"][2]["reason"].startswith("outbound rule")
    nobody = fwproof.plan_all(EXAMPLE, ["edge01"], {"edge01": snapshot("cs-fresh", "edge01")})["hosts"]["edge01"]
    rows = fwproof.report(nobody, {})["rules"]
    assert {r["verdict"] for r in rows} == {"not tested"}
    assert rows[0]["reason"] == "no probe host outside the perimeter (group edge_probes): external rules are not tested"
    assert rows[16]["reason"].startswith("no Front End to probe from")


def test_udp_needs_a_linux_probe_host():
    windows = fwproof.plan_all(EXAMPLE, ["edge01"], {"edge01": snapshot("cs-fresh", "edge01")}, frontend="fe01",
                               external_probe="win1", external_probe_windows=True)["hosts"]["edge01"]
    udp = [r for r in windows["rules"] if r["protocol"] == "UDP" and r["direction"] == "inbound"]
    assert len(udp) == 4 and all(r["probe"] is None and "UDP from a Windows probe host" in r["reason"] for r in udp)
    host, rule9 = _rule(9)  # external UDP 3478 to edge_av, from the Linux probe host
    assert rule9["probe"] == "probe1"
    rep = fwproof.report(host, {"probe1": _answers(("UDP", "192.0.2.23", 3478, True))},
                         received=_received(("UDP", "192.0.2.23", 3478)))
    assert rep["rules"][8]["verdict"] == "open"


def test_report_records_what_the_listeners_received():
    host, _rule23 = _rule(23)
    rep = fwproof.report(host, {}, received=[{"protocol": "UDP", "address": "192.0.2.23", "port": 3478, "hits": 2}])
    assert {(l["address"], l["port"]): l["hits"] for l in rep["listeners"]}[("192.0.2.23", 3478)] == 2
    assert "- UDP 192.0.2.23:3478 (2 received)" in fwproof.markdown(rep)


def test_markdown_row():
    host, _rule23 = _rule(23)
    lines = fwproof.markdown(fwproof.report(host, {"fe01": _answers(*[t + (True,) for t in CLS])}, received=_received(*CLS)))
    assert "| 23 | internal | inbound | next_hop_pool | edge_internal | TCP | 50001-50003 | **open** | fe01 | " \
           "172.16.10.11:50001 ok, 172.16.10.11:50002 ok, 172.16.10.11:50003 ok | every tested address:port answered " \
           "and a listener behind it counted the connection (probed from fe01) |" in lines


@pytest.mark.parametrize("value", [29, 3601, "abc", True, None, "300.5"])
def test_duration_is_bounded(value):
    with pytest.raises(fwproof.ProofError, match="firewall_proof_duration is .*: give the seconds"):
        fwproof.plan_all(EXAMPLE, ["edge01"], fresh_states(), duration=value)


@pytest.mark.parametrize("value, seconds", [(30, 30), ("3600", 3600), (300, 300)])
def test_duration_bounds_are_inclusive(value, seconds):
    assert fwproof.check_duration(value) == seconds


def test_unknown_host_and_missing_state():
    with pytest.raises(fwproof.ProofError, match="host fe01 is not an edge server"):
        fwproof.plan_all(EXAMPLE, ["fe01"], {})
    with pytest.raises(fwproof.ProofError, match="host edge02: no gathered state"):
        fwproof.plan_all(EXAMPLE, ["edge02"], {"edge01": {}})


@pytest.mark.parametrize("connection, windows", [
    ({"ansible_connection": "winrm"}, True), ({"ansible_connection": "psrp"}, True),
    ({"ansible_connection": "ssh", "ansible_shell_type": "powershell"}, True),
    ({"ansible_connection": "ssh"}, False), ({"ansible_connection": "local"}, False), ({}, False), (None, False),
])
def test_is_windows(connection, windows):
    assert fwproof.is_windows(connection) is windows


# ---------------------------------------------- "open" needs a listener hit (issue 18, point 10)
def _both():
    proof = fwproof.plan_all(EXAMPLE, ["edge01", "edge02"], fresh_states(), frontend="fe01", external_probe="probe1")
    return proof["hosts"]["edge01"], proof["hosts"]["edge02"]


def test_connected_with_every_listener_at_zero_hits_is_answered_by_something_else():
    """16 rules came out "open" with every listener at 0 hits: a device on the path answered for the address."""
    host, _rule23 = _rule(23)
    probes = {"fe01": _answers(*[t + (True,) for t in CLS])}
    row = fwproof.report(host, probes, received=_received(*CLS, hits=0))["rules"][22]
    assert row["verdict"] == "answered by something else"
    assert row["probe"] == "fe01"
    assert row["reason"] == (
        "172.16.10.11:50001, 172.16.10.11:50002, 172.16.10.11:50003 answered but no listener behind them counted a "
        "connection (edge01 172.16.10.11:50001 - 0 hits; edge01 172.16.10.11:50002 - 0 hits; edge01 "
        "172.16.10.11:50003 - 0 hits): something else on the path (a firewall, NAT device, load balancer or proxy) "
        "answered for the address, so the rule is not proven (probed from fe01)")
    assert [(t["answered"], t["hits"]) for t in row["tests"]] == [(True, 0), (True, 0), (True, 0)]
    # no hit count returned at all (the listeners' result is missing): not proven either
    assert fwproof.report(host, probes)["rules"][22]["verdict"] == "answered by something else"
    # one sampled port without a hit is enough
    some = _received(CLS[0], CLS[2]) + _received(CLS[1], hits=0)
    assert fwproof.report(host, probes, received=some)["rules"][22]["verdict"] == "answered by something else"


def test_every_rule_answered_without_a_hit_is_counted_and_shown():
    host, _rule23 = _rule(23)
    probes = {p: {"results": [dict(t, open=True, error=None) for t in targets]}
              for p, targets in fwproof.probe_calls([host]).items()}
    rep = fwproof.report(host, probes, received=_received(*EDGE01, hits=0))
    # 16 inbound rules probed (4 internal UDP/TCP on fe01 less the UDP 3478 pair: TCP only), all answered, no hit;
    # not tested: 12 and the management rule (WinRM to the edge, issue 20 point 8)
    assert rep["summary"] == {"open": 0, "blocked": 0, "answered by something else": 16, "not tested": 13,
                              "would test": 0}
    md = fwproof.markdown(rep)
    assert "- summary: 16 answered by something else, 13 not tested" in md
    row = next(line for line in md if line.startswith("| 23 |"))
    assert ("| **answered by something else** | fe01 | 172.16.10.11:50001 answered, no listener hit, 172.16.10.11:50002 "
            "answered, no listener hit, 172.16.10.11:50003 answered, no listener hit |") in row


def test_vip_listeners_are_every_pool_server_behind_it():
    edge01, _edge02 = _both()
    rule16 = edge01["rules"][15]  # internal TCP 5061 to edge_internal_vip 172.16.10.10
    assert rule16["tests"] == [{"protocol": "TCP", "listener": "172.16.10.11", "target": "172.16.10.10", "port": 5061,
                                "behind": [{"host": "edge01", "address": "172.16.10.11"},
                                           {"host": "edge02", "address": "172.16.10.12"}]}]
    rule1 = edge01["rules"][0]  # external TCP 443 to vip_access 192.0.2.10
    assert rule1["tests"][0]["behind"] == [{"host": "edge01", "address": "192.0.2.21"},
                                           {"host": "edge02", "address": "192.0.2.31"}]
    rule17 = edge01["rules"][16]  # internal TCP 5061 to edge_internal: this server only
    assert rule17["tests"][0]["behind"] == [{"host": "edge01", "address": "172.16.10.11"}]


def test_vip_rule_is_open_with_a_hit_on_the_other_pool_servers_listener():
    edge01, _edge02 = _both()
    probes = {"fe01": _answers(("TCP", "172.16.10.10", 5061, True), ("TCP", "172.16.10.11", 5061, True)),
              "probe1": _answers(("TCP", "192.0.2.10", 443, True))}
    received = {"edge01": _received(("TCP", "172.16.10.11", 5061), ("TCP", "192.0.2.21", 443), hits=0),
                "edge02": _received(("TCP", "172.16.10.12", 5061), ("TCP", "192.0.2.31", 443), hits=1)}
    rows = fwproof.report(edge01, probes, received=received)["rules"]
    assert (rows[15]["verdict"], rows[15]["tests"][0]["hits"]) == ("open", 1)  # the load balancer picked edge02
    assert rows[0]["verdict"] == "open"
    # a server's own address is proven by its own listener only: edge02's hit does not count for edge01
    assert (rows[16]["verdict"], rows[16]["tests"][0]["hits"]) == ("answered by something else", 0)
    # the report lists this server's listeners with this server's counts
    listeners = fwproof.report(edge01, probes, received=received)["listeners"]
    assert {(item["address"], item["port"]): item["hits"] for item in listeners}[("172.16.10.11", 5061)] == 0
    # with no hit on either server behind the VIP: answered by something else
    nobody = {"edge01": received["edge01"], "edge02": _received(("TCP", "172.16.10.12", 5061), hits=0)}
    assert fwproof.report(edge01, probes, received=nobody)["rules"][15]["verdict"] == "answered by something else"


def _role_task(name):
    tasks = DataLoader().load_from_file(os.path.join(ROOT, "roles", "firewall_proof", "tasks", "main.yml"))
    return next(t for t in tasks if t["name"] == name)


def _role_templar(**variables):
    loader = DataLoader()
    role_vars = loader.load_from_file(os.path.join(ROOT, "roles", "firewall_proof", "vars", "main.yml"))
    # the role's vars are templates Ansible trusts (they come from the role); the test data is not
    role_vars = {k: trust_as_template(v) if isinstance(v, str) else v for k, v in role_vars.items()}
    return Templar(loader, variables=dict(role_vars, **variables))


@ROLE_RENDERING
@pytest.mark.parametrize("answered, hits, fail, fails", [
    (True, 1, True, False),  # open
    (True, 0, True, True),  # answered by something else fails like blocked
    (False, 0, True, True),  # blocked
    (True, 0, False, False),  # firewall_proof_fail=false: reported, not failed
])
def test_role_fails_the_host_for_blocked_and_answered_by_something_else(answered, hits, fail, fails):
    host, _rule23 = _rule(23)
    rep = fwproof.report(host, {"fe01": _answers(*[t + (answered,) for t in CLS])}, received=_received(*CLS, hits=hits))
    task = _role_task("Fail when a rule is blocked or answered by something else")
    # the registered result of the role's report step (sfb.edge.firewall_proof, step report)
    templar = _role_templar(firewall_proof_result={"report": rep, "markdown": fwproof.markdown(rep)},
                            firewall_proof_fail=fail, firewall_proof_dir="plan",
                            inventory_hostname="edge01")
    assert all(templar.evaluate_conditional(trust_as_template(c)) for c in task["when"]) is fails
    if fails:
        msg = templar.template(trust_as_template(task["ansible.builtin.fail"]["msg"]))
        assert rep["rules"][22]["reason"] in msg
        assert ("1 rule(s) blocked, 0 rule(s) answered by something else" if not answered else
                "0 rule(s) blocked, 1 rule(s) answered by something else") in msg


@ROLE_RENDERING
def test_role_passes_every_servers_hit_counts_to_the_report():
    templar = _role_templar(ansible_play_hosts_all=["edge01", "edge02", "edge03"], hostvars={
        "edge01": {"firewall_proof_closed": {"received": _received(("TCP", "172.16.10.11", 5061))}},
        "edge02": {"firewall_proof_closed": {"skipped": True}}, "edge03": {}})
    received = templar.template(trust_as_template("{{ firewall_proof_received }}"))
    assert received == {"edge01": [{"protocol": "TCP", "address": "172.16.10.11", "port": 5061, "hits": 1}],
                        "edge02": [], "edge03": []}


# ----------------------------------------------- probe hosts and timeouts (issue 18, point 11)
INVENTORY_HOSTS = ["edge01", "edge02", "fe01", "probe1"]


@pytest.mark.parametrize("frontend, probe, message", [
    ("fe01", "edge02", "firewall_proof_probe_host is 'edge02', an edge server (group edge_servers): the probe host "
     "outside the perimeter that probes the external rules (firewall_proof_probe_host, default the first host of the "
     "group edge_probes) must be another inventory host - a probe from an edge to its own pool crosses no firewall "
     "and proves nothing. Set firewall_proof_probe_host to an inventory host outside edge_servers"),
    ("fe01", "localhost", "firewall_proof_probe_host is 'localhost', which is not a host of the inventory: the probe "
     "host outside the perimeter that probes the external rules (firewall_proof_probe_host, default the first host of "
     "the group edge_probes) must be an inventory host outside edge_servers (not localhost, not a bare address). Add "
     "it to the inventory (the group edge_probes) and set firewall_proof_probe_host to its inventory name"),
    ("fe01", "198.51.100.7", "firewall_proof_probe_host is '198.51.100.7', which is not a host of the inventory"),
    ("edge01", "probe1", "sfb_edge_frontend_host is 'edge01', an edge server (group edge_servers): the Front End that "
     "probes the internal rules (sfb_edge_frontend_host, else the first host of the group front_ends) must be another "
     "inventory host"),
    ("fe99", None, "sfb_edge_frontend_host is 'fe99', which is not a host of the inventory: the Front End that probes "
     "the internal rules (sfb_edge_frontend_host, else the first host of the group front_ends) must be an inventory "
     "host outside edge_servers (not localhost, not a bare address). Add it to the inventory (the group front_ends) and "
     "set sfb_edge_frontend_host to its inventory name"),
])
def test_probe_hosts_must_be_inventory_hosts_outside_edge_servers(frontend, probe, message):
    with pytest.raises(fwproof.ProofError) as caught:
        fwproof.plan_all(EXAMPLE, ["edge01"], fresh_states(), frontend=frontend, external_probe=probe,
                         inventory_hosts=INVENTORY_HOSTS)
    assert str(caught.value).startswith(message)


def test_probe_hosts_outside_edge_servers_pass():
    """The near miss: inventory hosts that are not edges, one letter away from the edge names."""
    proof = fwproof.plan_all(EXAMPLE, ["edge01"], fresh_states(), frontend="fe01", external_probe="edge01probe",
                             inventory_hosts=INVENTORY_HOSTS + ["edge01probe"])
    assert proof["hosts"]["edge01"]["probes"] == {"internal": "fe01", "external": "edge01probe", "external_windows": False}
    # an edge server of another play is still an edge of the inventory: refused without the inventory list too
    with pytest.raises(fwproof.ProofError, match="firewall_proof_probe_host is 'edge02', an edge server"):
        fwproof.plan_all(EXAMPLE, ["edge01"], fresh_states(), external_probe="edge02")


@pytest.mark.parametrize("value", [0, 60001, -5, "1e3", True, None, "3000 ms", 3000.5])
def test_probe_timeout_is_bounded(value):
    with pytest.raises(fwproof.ProofError) as caught:
        fwproof.plan_all(EXAMPLE, ["edge01"], fresh_states(), probe_timeout_ms=value)
    assert str(caught.value) == (
        "firewall_proof_probe_timeout_ms is %r: give the milliseconds each probe call waits for all its targets "
        "together, a whole number from 1 to 60000 (60 seconds)" % (value,))


@pytest.mark.parametrize("value, millis", [(1, 1), (60000, 60000), ("59999", 59999), (3000, 3000)])
def test_probe_timeout_bounds_are_inclusive(value, millis):
    assert fwproof.plan_all(EXAMPLE, ["edge01"], fresh_states(), probe_timeout_ms=value)["probe_timeout_ms"] == millis


def _port_probe_main(args):
    try:
        from ansible.module_utils.testing import patch_module_args
    except ImportError:  # ansible-core < 2.19 (make compat): the module reads its arguments from _ANSIBLE_ARGS
        from ansible.module_utils import basic

        @contextlib.contextmanager
        def patch_module_args(given):
            saved = basic._ANSIBLE_ARGS
            basic._ANSIBLE_ARGS = json.dumps({"ANSIBLE_MODULE_ARGS": given}).encode("utf-8")
            try:
                yield
            finally:
                basic._ANSIBLE_ARGS = saved

    out = io.StringIO()
    with patch_module_args(args), contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        port_probe.main()
    return json.loads(out.getvalue())


@pytest.mark.parametrize("timeout, refused", [(60001, True), (0, True), (60000, False), (1, False)])
def test_port_probe_timeout_is_at_most_a_minute(timeout, refused):
    result = _port_probe_main({"targets": [{"protocol": "TCP", "host": "no-such-host.invalid", "port": 443}],
                               "timeout_ms": timeout})
    if refused:
        assert result["failed"] is True
        assert result["msg"] == ("timeout_ms is %d: give the milliseconds to wait for all targets together, 1 to 60000 "
                                 "(60 seconds)" % timeout)
    else:
        assert not result.get("failed") and result["results"][0]["open"] is False


def test_tcp_probe_refuses_a_timeout_above_a_minute():
    """tcp_probe.ps1 (no PowerShell here: the source, read with the syntax gate's grammar) fails before any
    connection when timeout_ms is outside 1 to 60000, and its documentation says so."""
    from test_powershell_syntax import PARSER

    source = open(os.path.join(ROOT, "plugins", "modules", "tcp_probe.ps1"), "rb").read()
    tree = PARSER.parse(source)

    def statements(node):
        if node.type == "if_statement":
            yield node
        for child in node.children:
            yield from statements(child)

    checks = [" ".join(source[n.start_byte:n.end_byte].decode().split()) for n in statements(tree.root_node)]
    guard = [c for c in checks if c.startswith("if ($timeout -lt 1 -or $timeout -gt 60000) { $module.FailJson(")]
    assert len(guard) == 1 and "1 to 60000" in guard[0]
    text = source.decode()
    assert text.index("$timeout -gt 60000") < text.index("ConnectAsync")  # before anything is probed
    doc = open(os.path.join(ROOT, "plugins", "modules", "tcp_probe.yml"), encoding="utf-8").read()
    assert "1 to 60000" in doc


# ---------------------------------------------------------------------------------------- hypothesis
ALL_ADDRESSES = ["172.16.10.11", "192.0.2.21", "192.0.2.22", "192.0.2.23", "172.16.10.50", "10.0.0.1"]
PLANNED = sorted({(p, n) for p, _a, n in EDGE01})


@settings(max_examples=150, deadline=None)
@given(addresses=st.sets(st.sampled_from(ALL_ADDRESSES)),
       busy=st.sets(st.tuples(st.sampled_from(["0.0.0.0", "172.16.10.11", "192.0.2.23", "127.0.0.1"]),
                              st.sampled_from(PLANNED)), max_size=3),
       frontend=st.sampled_from([None, "fe01"]), probe=st.sampled_from([None, "lin1", "win1"]),
       mode=st.sampled_from(fwproof.MODES), answers=st.data())
def test_listeners_are_own_addresses_and_every_rule_has_one_verdict(addresses, busy, frontend, probe, mode, answers):
    state = state_with(sorted(addresses), [(p, a, n) for a, (p, n) in busy])
    host = fwproof.host_plan(POOL, "edge01", state, frontend=frontend, external_probe=probe,
                             external_probe_windows=probe == "win1", mode=mode)
    assert all(l["address"] in addresses for l in host["listeners"])
    assert (host["listeners"] == []) == bool(host["refusals"])
    results = {}
    for probe_host, targets in fwproof.probe_calls([host]).items():
        results[probe_host] = {"results": [dict(t, open=answers.draw(st.booleans()), error=None) for t in targets]}
    received = [dict(item, hits=answers.draw(st.integers(0, 2))) for item in host["listeners"]]
    rep = fwproof.report(host, results, received=received)
    counted = {(item["protocol"], item["address"], item["port"]): item["hits"] for item in received}
    assert len(rep["rules"]) == len(POOL["firewall"]["rules"]) == sum(rep["summary"].values())
    for row in rep["rules"]:
        assert row["verdict"] in fwproof.VERDICTS
        answered = [t["answered"] for t in row["tests"]]
        if row["verdict"] == "open":
            assert answered and all(a is True for a in answered) and mode == "live"
            # only edge01's listeners are open here: each target's own listener counted it
            assert all(counted.get((t["protocol"], t["listener"], t["port"])) for t in row["tests"])
        if row["verdict"] == "answered by something else":
            assert all(a is True for a in answered) and mode == "live"
            assert not all(counted.get((t["protocol"], t["listener"], t["port"])) for t in row["tests"])
        if row["verdict"] == "blocked":
            assert False in answered and mode == "live"
        if row["verdict"] == "would test":
            assert mode == "check"
        if row["direction"] == "outbound" or mode == "snapshot":
            assert row["verdict"] == "not tested"


# ---------------------------------------------------------------------------------------- port_probe
@pytest.fixture
def loopback_servers():
    """A TCP listener and a UDP echo responder on 127.0.0.1 (what edge_port_listener does on the edge)."""
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(8)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.settimeout(0.2)
    stop = threading.Event()

    def echo():
        while not stop.is_set():
            try:
                data, peer = udp.recvfrom(2048)
                udp.sendto(data, peer)
            except socket.timeout:
                continue
            except OSError:
                return

    thread = threading.Thread(target=echo, daemon=True)
    thread.start()
    free = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    free.bind(("127.0.0.1", 0))
    closed_port = free.getsockname()[1]
    free.close()  # nobody listens here now
    yield tcp.getsockname()[1], udp.getsockname()[1], closed_port
    stop.set()
    thread.join(2)
    tcp.close()
    udp.close()


def test_port_probe_tcp_and_udp_on_loopback(loopback_servers):
    tcp_port, udp_port, closed = loopback_servers
    results = port_probe.probe([
        {"protocol": "TCP", "host": "127.0.0.1", "port": tcp_port},
        {"protocol": "UDP", "host": "127.0.0.1", "port": udp_port},
        {"protocol": "TCP", "host": "127.0.0.1", "port": closed},
        {"protocol": "UDP", "host": "127.0.0.1", "port": closed},
    ], 1500)
    assert [(r["protocol"], r["open"]) for r in results] == [("TCP", True), ("UDP", True), ("TCP", False), ("UDP", False)]
    assert results[0]["error"] is None and results[1]["error"] is None
    assert results[2]["error"] == "refused"
    assert results[3]["error"] in ("refused", "no answer within 1500 ms")


def test_port_probe_bad_host_is_a_result_not_a_failure():
    results = port_probe.probe([{"protocol": "TCP", "host": "no-such-host.invalid", "port": 443}], 200)
    assert results[0]["open"] is False and results[0]["error"]


def test_port_probe_result_feeds_the_verdict(loopback_servers):
    """port_probe's results are what fwproof.report reads (protocol, host, port, open)."""
    tcp_port, _udp, _closed = loopback_servers
    host = copy.deepcopy(_rule(1)[0])
    rule = host["rules"][0]
    rule["tests"] = [{"protocol": "TCP", "listener": "127.0.0.1", "target": "127.0.0.1", "port": tcp_port}]
    rep = fwproof.report(host, {"probe1": {"results": port_probe.probe(
        [{"protocol": "TCP", "host": "127.0.0.1", "port": tcp_port}], 1000)}},
        received=_received(("TCP", "127.0.0.1", tcp_port)))
    assert rep["rules"][0]["verdict"] == "open"


# ------------------------------------------------------------------ issue 20, points 8 and 10
def test_rule_numbers_are_one_numbering_in_plan_md_csv_html_and_the_proof():
    """The plan numbers its rules once (``id``); plan.md, firewall.csv, report.html and the proof show that number,
    and the management rules (numbers 30, 31) are left to the tool's own connection, not probed."""
    import csv
    import io
    import re

    from ansible_collections.sfb.edge.plugins.plugin_utils import _html_report as html_report, _model as model, _report as report

    inv = inventory_data.example()
    peers = {"front_ends": [{"name": "fe01", "address": "fe01.corp.example.com", "connection": {}}],
             "frontend": "fe01", "probes": []}
    for variables in inv.values():
        variables.update({"sfb_edge_controller_addresses": ["10.10.5.20"], model.CONNECTION: {}, model.MANAGEMENT: peers})
    pool_plan = plan.build(inv, read_certificates=False)["edgepool.corp.example.com"]
    rules = pool_plan["firewall"]["rules"]
    assert [r["id"] for r in rules] == list(range(1, 32))
    key = {r["id"]: (r["direction"], r["source"], r["destination"], r["protocol"], r["ports"]) for r in rules}
    # plan.md: "| # | Direction | Source | Destination | Protocol | Ports |"
    md = report.markdown(pool_plan)
    in_md = {int(m[0]): (m[1], m[2], m[3], m[4], m[5]) for m in re.findall(
        r"^\| (\d+) \| (\w+) \| `(\w+)` \| `(\w+)` \| (\w+) \| ([0-9-]+) \|", md, re.M)}
    assert in_md == key
    # firewall.csv: the column "rule"
    rows = list(csv.DictReader(io.StringIO("".join(report.firewall_csv(pool_plan["firewall"])))))
    in_csv = {int(r["rule"]): (r["direction"], r["source_group"], r["destination_group"], r["protocol"], r["ports"])
              for r in rows}
    assert in_csv == key
    assert {int(r["rule"]) for r in rows if r["management"] == "yes"} == {30, 31}
    # report.html: the first cell of each rule row
    page = html_report.render(pool_plan)
    in_html = {int(m[0]): m[1] for m in re.findall(r'<tr class="fw-rule fw-\w+"><td>(\d+)</td><td>(\w+)</td>', page)}
    assert in_html == {n: k[0] for n, k in key.items()}
    # the proof: the same numbers; the management rules are not probed and say why
    proof = fwproof.plan_all({"edgepool.corp.example.com": pool_plan}, ["edge01"], {"edge01": snapshot("cs-fresh", "edge01")},
                             frontend="fe01")
    by_id = {r["id"]: r for r in proof["hosts"]["edge01"]["rules"]}
    assert {n: (r["direction"], r["source"], r["destination"], r["protocol"], r["ports"]) for n, r in by_id.items()} == key
    for number in (30, 31):
        assert by_id[number]["tests"] == [] and by_id[number]["probe"] is None
        assert by_id[number]["reason"].startswith("management rule: the tool's own connection")
    assert ("TCP", "172.16.10.11", 5986) not in {(listener["protocol"], listener["address"], listener["port"])
                                                 for listener in proof["hosts"]["edge01"]["listeners"]}
