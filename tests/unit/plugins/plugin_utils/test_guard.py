# -*- coding: utf-8 -*-
"""The lockout guard (plugins/plugin_utils/_guard.py): the connection's real port, host names resolved on the
controller, NAT, fail-closed when the connection cannot be identified, the interface the connection uses."""

from __future__ import annotations

import copy
import functools
import ipaddress
import os
import socket
import sys

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

import inventory_data  # noqa: E402

from ansible_collections.sfb.edge.plugins.plugin_utils import _desired as desired, _drift as drift, _guard as guard, _state as state  # noqa: E402

SNAPSHOTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__)))), "snapshots")
OPTIONS = {"frontend": "fe01"}
NOT_IDENTIFIED = "the controller's connection could not be identified"


def want(inv=None, host="edge01"):
    return desired.build(inv or inventory_data.example(), host)


def snap(scenario, host="edge01", ports=(5985, 5986), connection=None):
    current = state.load_snapshot(os.path.join(SNAPSHOTS, scenario), host)
    current["connection_ports"] = list(ports)
    if connection is not None:
        current["connection"] = connection
    return current


def conn(local, remote, port=5986, remote_port=50123):
    return {"local_address": local, "local_port": port, "remote_address": remote, "remote_port": remote_port}


def report(goal, current, **kwargs):
    kwargs.setdefault("options", OPTIONS)
    return drift.report(goal, current, **kwargs)


def blocked(rep):
    return sorted((b["area"], b["target"], b["property"], b["action"]) for b in rep["blocked"])


def verdict_of(goal, current, **kwargs):
    _results, verdict = drift.host_drift(goal, current, options=OPTIONS, **kwargs)
    return verdict


# ----------------------------------------------------------------------------------- the port used
@pytest.mark.parametrize("variables, port", [
    ({"ansible_connection": "winrm"}, 5986),
    ({"ansible_connection": "winrm", "ansible_port": 5985}, 5985),
    ({"ansible_connection": "ansible.builtin.winrm", "ansible_port": "15986"}, 15986),
    ({"ansible_connection": "winrm", "ansible_port": 5986, "ansible_winrm_port": 15986}, 15986),
    ({"ansible_connection": "psrp"}, 5986),
    ({"ansible_connection": "psrp", "ansible_psrp_protocol": "http"}, 5985),
    ({"ansible_connection": "ansible.builtin.psrp", "ansible_port": 5986, "ansible_psrp_port": 15985}, 15985),
    ({"ansible_connection": "ssh"}, 22),
    ({"ansible_connection": "ssh", "ansible_port": "", "ansible_ssh_port": 2222}, 2222),
    ({"ansible_connection": "local", "ansible_port": 22}, None),
    ({}, None),
])
def test_connection_port_per_plugin(variables, port):
    assert guard.connection_port(variables) == port


def test_gather_ports_for_edge_facts():
    assert guard.gather_ports({"ansible_connection": "winrm", "ansible_port": 15986}) == [15986]
    assert guard.gather_ports({"ansible_connection": "ssh"}) == [22]
    assert guard.gather_ports({"ansible_connection": ""}) == [5985, 5986]
    assert guard.gather_ports({"ansible_port": 15986}) == [5985, 5986, 15986]


# ----------------------------------------------------------------------------------- another port
def test_session_on_another_ansible_port_not_looked_at_fails_closed():
    # Old gathering: 5985/5986 only. Ours comes in on 15986 on the address the plan replaces; the only
    # session seen is someone else's on the external NIC.
    current = snap("winrm-on-changed-nic", connection=[conn("192.0.2.21", "198.51.100.9")])
    rep = report(want(), current, ansible_host="172.16.10.11", port=15986)
    assert blocked(rep) == [("network", "Internal", "address", "remove")]
    reason = rep["blocked"][0]["reason"]
    assert NOT_IDENTIFIED in reason
    assert "connects on port 15986, but the state looked only at local port(s) 5985, 5986" in reason
    assert "sfb_edge_allow_connection_change: true" in reason and "ansible_port" in reason


def test_session_on_another_ansible_port_is_matched_on_that_port():
    current = snap("winrm-on-changed-nic", ports=[15986],
                   connection=[conn("172.16.10.50", "10.10.5.5", port=15986)])
    rep = report(want(), current, ansible_host="172.16.10.11", port=15986)
    assert blocked(rep) == [("network", "Internal", "address", "remove")]
    assert rep["blocked"][0]["reason"].startswith("removes 172.16.10.50, the address the controller's connection "
                                                  "uses (port 15986)")
    # a session on another port (another admin's, a monitoring tool) is not the controller's
    current = snap("winrm-on-changed-nic", ports=[5986, 15986],
                   connection=[conn("172.16.10.50", "10.10.5.5", port=5986), conn("192.0.2.21", "10.10.5.5", 15986)])
    assert report(want(), current, ansible_host="172.16.10.11", port=15986)["blocked"] == []


def test_psrp_and_ssh_sessions():
    psrp = guard.connection_port({"ansible_connection": "psrp", "ansible_psrp_protocol": "http"})
    current = snap("winrm-on-changed-nic", ports=[psrp], connection=[conn("172.16.10.50", "10.10.5.5", port=5985)])
    assert blocked(report(want(), current, port=psrp)) == [("network", "Internal", "address", "remove")]
    ssh = guard.connection_port({"ansible_connection": "ssh"})
    current = snap("winrm-on-changed-nic", ports=[ssh], connection=[conn("172.16.10.50", "10.10.5.5", port=22)])
    rep = report(want(), current, port=ssh)
    assert blocked(rep) == [("network", "Internal", "address", "remove")]
    assert "port 22" in rep["blocked"][0]["reason"] and NOT_IDENTIFIED not in rep["blocked"][0]["reason"]
    # SSH on 22 while the state only looked at the WinRM ports: fail closed
    current = snap("winrm-on-changed-nic", connection=[conn("172.16.10.50", "10.10.5.5", port=5986)])
    rep = report(want(), current, port=ssh)
    assert NOT_IDENTIFIED in rep["blocked"][0]["reason"] and "port 22" in rep["blocked"][0]["reason"]


# ----------------------------------------------------------------------------------- host names
def test_resolve_ipv4(monkeypatch):
    def fake(name, port, family, kind):
        assert family == socket.AF_INET
        if name == "edge01.corp.example.com":
            return [(socket.AF_INET, kind, 6, "", ("172.16.10.50", 0)), (socket.AF_INET, kind, 6, "", ("172.16.10.50", 0))]
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(guard.socket, "getaddrinfo", fake)
    assert guard.resolve_ipv4("edge01.corp.example.com") == (["172.16.10.50"], None)
    assert guard.resolve_ipv4("172.16.10.11") == (["172.16.10.11"], None)
    addresses, error = guard.resolve_ipv4("nowhere.invalid")
    assert addresses == [] and "nowhere.invalid does not resolve to an IPv4 address on the controller" in error


def test_ansible_host_as_a_host_name_picks_its_session(monkeypatch):
    monkeypatch.setattr(guard.socket, "getaddrinfo",
                        lambda name, *a: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("172.16.10.50", 0))])
    addresses, error = guard.resolve_ipv4("edge01.corp.example.com")
    # two sessions on the port: the controller's (on the name's address) and a monitoring one on the external NIC
    current = snap("winrm-on-changed-nic",
                   connection=[conn("192.0.2.21", "198.51.100.9"), conn("172.16.10.50", "10.10.5.5")])
    verdict = verdict_of(want(), current, ansible_host="edge01.corp.example.com", port=5986,
                         host_addresses=addresses, resolve_error=error)
    assert verdict["connection"]["identified"] and verdict["connection"]["addresses"] == ["172.16.10.50"]
    assert verdict["connection"]["connections"] == [
        {"local_address": "172.16.10.50", "remote_address": "10.10.5.5", "local_port": 5986}]
    assert [b["before"] for b in verdict["blocked"]] == ["172.16.10.50/24"]
    assert verdict["new_address"] == "172.16.10.11"
    # The name resolves to an address of the host but no session comes in on it: fail closed.
    current = snap("winrm-on-changed-nic", connection=[conn("192.0.2.21", "198.51.100.9")])
    verdict = verdict_of(want(), current, ansible_host="edge01.corp.example.com", port=5986,
                         host_addresses=addresses)
    assert not verdict["connection"]["identified"]
    assert "ansible_host 172.16.10.50 is an address of this host, but no connection on port 5986 comes in on it" \
        in verdict["blocked"][0]["reason"]


def test_unresolvable_host_name_without_a_session_fails_closed():
    current = snap("winrm-on-changed-nic", connection=[])
    rep = report(want(), current, ansible_host="edge01.invalid", port=5986, host_addresses=[],
                 resolve_error="edge01.invalid does not resolve to an IPv4 address on the controller")
    assert blocked(rep) == [("network", "Internal", "address", "remove")]
    assert "no established TCP connection on local port 5986" in rep["blocked"][0]["reason"]
    assert "edge01.invalid does not resolve" in rep["blocked"][0]["reason"]


# ----------------------------------------------------------------------------------- NAT
def test_nat_controller_is_routed_by_the_address_the_host_sees():
    # ansible_host is a public address the firewall DNATs to the external NIC; the host sees the NAT device.
    goal = want()
    goal["network"]["external"]["gateway"] = None  # a desired state without the external gateway
    current = snap("converged", connection=[conn("192.0.2.21", "203.0.113.50")])
    verdict = verdict_of(goal, current, ansible_host="198.51.100.20", port=5986)
    assert verdict["connection"]["identified"] and verdict["connection"]["addresses"] == []
    assert [(b["target"], b["property"]) for b in verdict["blocked"]] == [("External", "gateway")]
    assert verdict["blocked"][0]["reason"].startswith(
        "removes the default gateway 192.0.2.1 of External, by which 192.0.2.21 answers the controller's peer "
        "203.0.113.50; afterwards 203.0.113.50 would not be reachable at all")
    # the controller keeps connecting to the NAT address, never to the host's private one
    assert verdict["new_address"] == "198.51.100.20"


def test_nat_controller_address_change_reconnects_on_ansible_host():
    current = snap("winrm-on-changed-nic", connection=[conn("172.16.10.50", "10.10.200.1")])
    verdict = verdict_of(want(), current, ansible_host="198.51.100.20", port=5986)
    assert [b["before"] for b in verdict["blocked"]] == ["172.16.10.50/24"]
    assert verdict["new_address"] == "198.51.100.20"


def test_nat_controller_without_a_session_fails_closed():
    current = snap("winrm-on-changed-nic", connection=[])
    rep = report(want(), current, ansible_host="198.51.100.20", port=5986)
    assert blocked(rep) == [("network", "Internal", "address", "remove")]
    assert NOT_IDENTIFIED in rep["blocked"][0]["reason"]


# ----------------------------------------------------------------------------------- fail closed
def test_no_session_blocks_every_change_on_the_path():
    # A fresh box (DHCP on both NICs, default names): nothing identifies the connection.
    current = snap("fresh", connection=[])
    rep = report(want(), current, ansible_host="172.16.10.11", port=5986)
    net = rep["changes"]["network"]
    on_path = sorted(("network", c["target"], c["property"], c["action"]) for c in net
                     if (c["property"] == "address" and c["action"] == "remove")
                     or (c["property"] == "gateway" and c["before"]) or c["property"] in ("name", "dhcp"))
    assert on_path and blocked(rep) == on_path
    assert {p for _a, _t, p, _x in on_path} == {"address", "gateway", "name", "dhcp"}
    for b in rep["blocked"]:
        assert NOT_IDENTIFIED in b["reason"] and "no established TCP connection on local port 5986" in b["reason"]
        assert "console access" in b["reason"]
    # additions, DNS and NetBIOS settings are never on the path
    assert not any(b["action"] == "add" or b["property"] in ("dns_servers", "netbios") for b in rep["blocked"])
    # where the play reconnects when allowed: the host will have ansible_host's address
    assert verdict_of(want(), current, ansible_host="172.16.10.11", port=5986)["new_address"] == "172.16.10.11"


def test_no_session_blocks_route_removals_not_additions():
    current = snap("stale", connection=[conn("192.0.2.21", "198.51.100.9", port=5985)])
    rep = report(want(), current, port=5986)
    assert blocked(rep) == [("routes", "10.99.0.0/16", "route", "remove"),
                            ("routes", "192.168.200.0/24", "route", "remove")]
    assert "no established TCP connection on local port 5986 was found (the state lists: 192.0.2.21:5985 from " \
           "198.51.100.9)" in rep["blocked"][0]["reason"]


def test_no_session_does_not_block_removing_a_route_of_a_vanished_interface():
    current = snap("stale", connection=[])
    current["routes"] = [dict(r, interface_index=99, interface_exists=False) if r["destination"] == "10.99.0.0/16"
                         else r for r in current["routes"]]
    rep = report(want(), current, port=5986)
    assert blocked(rep) == [("routes", "192.168.200.0/24", "route", "remove")]


@pytest.mark.parametrize("mutate, why", [
    (lambda s: s.pop("connection"), "has no 'connection'"),
    (lambda s: s.pop("connection_ports"), "has no 'connection_ports'"),
    (lambda s: s.update(connection=conn("172.16.10.50", "10.10.5.5")), "'connection' is a dict, not a list"),
    (lambda s: s.update(connection="172.16.10.50"), "'connection' is a string, not a list"),
    (lambda s: s.update(connection=None), "'connection' is a NoneType, not a list"),
    (lambda s: s.update(connection=["172.16.10.50"]), "connection[0] of the gathered state is a str"),
    (lambda s: s.update(connection=[dict(conn("172.16.10.50", "10.10.5.5"), local_port="5986")]),
     "has local_port '5986'"),
    (lambda s: s.update(connection=[dict(conn("172.16.10.50", "10.10.5.5"), local_address=None)]),
     "has local_address None"),
    (lambda s: s.update(connection=[conn("172.16.10.50", "10.10.5.5"), conn("172.16.10.50", "banana")]),
     "connection[1] of the gathered state has remote_address 'banana'"),
    (lambda s: s.update(connection_ports="5986"), "'connection_ports' is '5986'"),
])
def test_malformed_connection_never_disables_the_guard(mutate, why):
    current = snap("winrm-on-changed-nic", connection=[conn("172.16.10.50", "10.10.5.5")])
    mutate(current)
    verdict = verdict_of(want(), current, ansible_host="172.16.10.11", port=5986)
    assert not verdict["connection"]["identified"]
    assert [b["before"] for b in verdict["blocked"]] == ["172.16.10.50/24"]
    assert NOT_IDENTIFIED in verdict["blocked"][0]["reason"] and why in verdict["blocked"][0]["reason"]


def test_session_on_no_adapter_address_fails_closed():
    current = snap("winrm-on-changed-nic", connection=[conn("127.0.0.1", "127.0.0.1")])
    rep = report(want(), current, port=5986)
    assert "come in on 127.0.0.1, which is no adapter's IPv4 address" in rep["blocked"][0]["reason"]


# ----------------------------------------------------------------------------------- IPv6
def test_ipv6_session_is_not_cut_by_ipv4_changes():
    current = snap("winrm-on-changed-nic",
                   connection=[conn("2001:db8::50", "2001:db8::5"), conn("fe80::1%4", "fe80::2%4")])
    verdict = verdict_of(want(), current, ansible_host="172.16.10.11", port=5986)
    assert verdict["connection"]["identified"] and verdict["connection"]["ipv6"]
    assert verdict["blocked"] == []
    # ... but the IPv4 address ansible_host names is still kept
    verdict = verdict_of(want(), current, ansible_host="172.16.10.50", port=5986)
    assert [b["before"] for b in verdict["blocked"]] == ["172.16.10.50/24"]


def test_ipv4_mapped_session_is_ipv4():
    current = snap("winrm-on-changed-nic", connection=[conn("::ffff:172.16.10.50", "::ffff:10.10.5.5")])
    verdict = verdict_of(want(), current, port=5986)
    assert verdict["connection"]["connections"][0]["local_address"] == "172.16.10.50"
    assert [b["before"] for b in verdict["blocked"]] == ["172.16.10.50/24"]


# ----------------------------------------------------------------------------------- item 12: the interface
def _gateway_on_internal_only(current):
    """A box built by hand: the default gateway on the internal NIC, none on the external one, no routes."""
    for adapter in current["adapters"]:
        _set_gateways(adapter, ["172.16.10.1"] if adapter["name"] == "Internal" else [])
    current["routes"] = []
    return current


def _set_gateways(adapter, gateways):
    adapter["gateways"] = list(gateways)
    adapter["default_routes"] = [{"next_hop": g, "active": True, "persistent": True} for g in gateways]


def test_gateway_move_is_blocked_on_the_connections_interface_with_the_true_reason():
    # the controller's peer 10.77.0.9 is reached only through the internal NIC's default gateway
    current = _gateway_on_internal_only(snap("converged", connection=[conn("172.16.10.11", "10.77.0.9")]))
    rep = report(want(), current, port=5986)
    gateway_changes = sorted((c["target"], repr(c["before"]), repr(c["after"]))
                             for c in rep["changes"]["network"] if c["property"] == "gateway")
    assert gateway_changes == [("External", "[]", "['192.0.2.1']"), ("Internal", "['172.16.10.1']", "[]")]
    # only the removal on the connection's interface is blocked, the addition on the other NIC is not
    assert blocked(rep) == [("network", "Internal", "gateway", "set")]
    assert rep["blocked"][0]["reason"].startswith(
        "removes the default gateway 172.16.10.1 of Internal, by which 172.16.10.11 answers the controller's peer "
        "10.77.0.9; afterwards 10.77.0.9 would be reached only by the default gateway 192.0.2.1 of External, away "
        "from Internal - Windows sends a connection's replies only from the interface that holds its address")


def test_external_gateway_addition_is_not_blocked_when_a_route_reaches_the_peer():
    # the peer 10.10.5.5 is on an internal network the planned persistent route covers
    current = _gateway_on_internal_only(snap("converged", connection=[conn("172.16.10.11", "10.10.5.5")]))
    rep = report(want(), current, port=5986)
    assert any(c["target"] == "External" and c["property"] == "gateway" for c in rep["changes"]["network"])
    assert rep["blocked"] == []


def test_gateway_change_on_the_other_nic_is_not_blocked():
    # connection on the internal NIC by a persistent route; the external gateway changes
    inv = inventory_data.set_pool(inventory_data.example(), "sfb_edge_external_gateway", "192.0.2.254")
    current = snap("converged", connection=[conn("172.16.10.11", "10.10.5.5")])
    rep = report(want(inv), current, port=5986)
    assert [c["property"] for c in rep["changes"]["network"]] == ["gateway"]
    assert rep["blocked"] == []
    # the same change, the connection on the external NIC by that gateway: the peer still has a way out
    # there (the new gateway), so it is not blocked either
    current = snap("converged", connection=[conn("192.0.2.21", "198.51.100.9")])
    assert report(want(inv), current, port=5986)["blocked"] == []


# ----------------------------------------------------------------------------------- properties
_REMOTES = ["10.10.5.5", "10.77.0.9", "172.16.10.200", "192.0.2.77", "198.51.100.9", "10.99.4.4"]
_ROUTE_DESTS = ["10.10.0.0/16", "10.20.0.0/16", "10.99.0.0/16", "10.77.0.0/16", "198.51.100.0/24"]


@st.composite
def _topologies(draw):
    """``(goal, current, purge, networks)``: the example inventory's edge01 with sfb_edge_routes_purge
    ``purge`` and sfb_edge_internal_networks ``networks``, and a state with drawn gateways, routes and
    connection."""
    current = snap(draw(st.sampled_from(["converged", "manual", "stale", "winrm-on-changed-nic"])))
    for adapter in current["adapters"]:
        if draw(st.booleans()):
            _set_gateways(adapter, [draw(st.sampled_from(["172.16.10.1", "192.0.2.1", "172.16.10.254"]))])
        else:
            _set_gateways(adapter, [])
    current["routes"] = [
        {"destination": d, "gateway": draw(st.sampled_from(["172.16.10.1", "172.16.10.254"])),
         "interface": "Internal", "interface_index": draw(st.sampled_from([4, 6])), "metric": 256}
        for d in draw(st.lists(st.sampled_from(_ROUTE_DESTS), unique=True, max_size=4))]
    locals_ = [a["address"] for ad in current["adapters"] for a in ad["addresses"]]
    current["connection"] = [conn(draw(st.sampled_from(locals_)), draw(st.sampled_from(_REMOTES)))]
    purge = draw(st.booleans())
    extra = draw(st.lists(st.sampled_from(["10.20.0.0/16", "10.77.0.0/16", "10.30.0.0/20"]), unique=True))
    return copy.deepcopy(_goal(purge, tuple(sorted(extra)))), current, purge, ["10.10.0.0/16"] + sorted(extra)


@functools.lru_cache(maxsize=None)
def _goal(purge, extra):
    inv = inventory_data.set_pool(inventory_data.example(), "sfb_edge_routes_purge", purge)
    inv = inventory_data.set_pool(inv, "sfb_edge_internal_networks", ["10.10.0.0/16"] + list(extra))
    return want(inv)


# The reference: what edge01 of the example inventory holds after a run, written out by hand (inventory_data.example:
# sfb_edge_internal_nic / sfb_edge_external_nic, the persistent routes via sfb_edge_internal_gateway), and the strong
# host model written plainly over the state's own lists - nothing of guard.py.
_PLANNED = {4: (["172.16.10.11/24"], []),  # Internal (MAC 00-15-5D-1E-8C-04): addresses, default gateways
            6: (["192.0.2.21/24", "192.0.2.22/24", "192.0.2.23/24"], ["192.0.2.1"])}  # External (...-05)


def _reference_now(current):
    adapters = {a["index"]: (["%s/%d" % (x["address"], x["prefix_length"]) for x in a["addresses"]], a["gateways"])
                for a in current["adapters"]}
    return adapters, [(r["destination"], r["interface_index"]) for r in current["routes"]]


def _reference_after(current, purge, networks):
    assert sorted(a["index"] for a in current["adapters"]) == [4, 6]
    kept = [(r["destination"], r["interface_index"]) for r in current["routes"]
            if r["destination"] not in networks and not (purge and r["interface_index"] == 4)]
    return dict(_PLANNED), kept + [(n, 4) for n in networks]


def _holder(adapters, local):
    held = [i for i, (addresses, _g) in adapters.items() if any(a.split("/")[0] == local for a in addresses)]
    return held[0] if held else None


def _answers(adapters, routes, index, remote):
    """Whether interface ``index`` sends to ``remote`` (strong host model): on one of its own networks, or by one
    of ITS routes that covers ``remote``, or by its own default gateway."""
    ip = ipaddress.IPv4Address(remote)
    addresses, gateways = adapters.get(index, ([], []))
    on_link = any(ip in ipaddress.IPv4Interface(a).network for a in addresses)
    routed = any(i == index and ip in ipaddress.IPv4Network(d) for d, i in routes)
    return on_link or routed or bool(gateways)


@settings(max_examples=150, deadline=None)
@given(case=_topologies())
@example(case=None)  # the hand-written case below, always tried
def test_identified_connection_is_blocked_exactly_when_its_path_is_cut(case):
    if case is None:
        # the peer is reached by Internal's default gateway, which the plan removes; a route to the peer's network
        # exists, but on External: Internal's replies have no way out afterwards
        current = _gateway_on_internal_only(snap("converged", connection=[conn("172.16.10.11", "10.77.0.9")]))
        current["routes"] = [{"destination": "10.77.0.0/16", "gateway": "172.16.10.254", "interface": "External",
                              "interface_index": 6, "metric": 256}]
        case = copy.deepcopy(_goal(True, ())), current, True, ["10.10.0.0/16"]
    goal, current, purge, networks = case
    c = current["connection"][0]
    local, remote = c["local_address"], c["remote_address"]
    rep = report(goal, current, port=5986)
    (adapters_now, routes_now), (adapters_after, routes_after) = \
        _reference_now(current), _reference_after(current, purge, networks)
    index_now, index_after = _holder(adapters_now, local), _holder(adapters_after, local)
    kept = index_after is not None and index_after == index_now
    reachable_now = _answers(adapters_now, routes_now, index_now, remote)
    reachable_after = kept and _answers(adapters_after, routes_after, index_after, remote)
    if kept and (reachable_after or not reachable_now):
        # the connection keeps its address and its way out: nothing is blocked
        assert rep["blocked"] == [], (local, remote, rep["blocked"])
    else:
        assert rep["blocked"], (local, remote, rep["changes"])
        for b in rep["blocked"]:
            assert NOT_IDENTIFIED not in b["reason"]
            assert local in b["reason"] or remote in b["reason"]


def test_a_route_on_the_other_interface_does_not_carry_the_connection():
    """Hand-written: Internal reaches the controller's peer 10.77.0.9 only by its default gateway; External has a
    route to 10.77.0.0/16. Removing Internal's gateway cuts the connection: blocked, and the reason says where
    the peer would be reached from instead."""
    current = _gateway_on_internal_only(snap("converged", connection=[conn("172.16.10.11", "10.77.0.9")]))
    current["routes"] = [{"destination": "10.77.0.0/16", "gateway": "192.0.2.254", "interface": "External",
                          "interface_index": 6, "metric": 256}]
    rep = report(_goal(False, ()), current, port=5986)
    assert blocked(rep) == [("network", "Internal", "gateway", "set")]
    assert rep["blocked"][0]["reason"].startswith(
        "removes the default gateway 172.16.10.1 of Internal, by which 172.16.10.11 answers the controller's peer "
        "10.77.0.9; afterwards 10.77.0.9 would be reached only by the route to 10.77.0.0/16 on External, away from "
        "Internal")


@settings(max_examples=100, deadline=None)
@given(case=_topologies(), broken=st.sampled_from(["none", "object", "ports", "other-port", "absent"]))
def test_unidentified_connection_blocks_every_path_change(case, broken):
    goal, current, _purge, _networks = case
    current = copy.deepcopy(current)
    if broken == "none":
        current["connection"] = []
    elif broken == "object":
        current["connection"] = current["connection"][0]
    elif broken == "ports":
        del current["connection_ports"]
    elif broken == "other-port":
        current["connection"][0]["local_port"] = 5985
    else:
        del current["connection"]
    rep = report(goal, current, port=5986)
    carrying = {a["name"] for a in current["adapters"] if a["addresses"] or a["gateways"]}
    on_path = sorted(
        [("network", c["target"], c["property"], c["action"]) for c in rep["changes"]["network"]
         if (c["property"] == "address" and c["action"] == "remove") or (c["property"] == "gateway" and c["before"])
         or (c["property"] == "name" and c["before"] in carrying)]
        + [("routes", c["target"], c["property"], c["action"]) for c in rep["changes"]["routes"]
           if c["action"] == "remove"])
    assert blocked(rep) == on_path
    assert all(NOT_IDENTIFIED in b["reason"] for b in rep["blocked"])


def test_path_from_is_the_strong_host_view():
    current = _gateway_on_internal_only(snap("converged"))
    now = guard.topology(current)
    assert guard.path_from(now, "10.77.0.9", 4) == [("gateway", 4)]
    assert guard.path_from(now, "10.77.0.9", 6) == []
    assert guard.path_from(now, "192.0.2.77", 6) == [("onlink", 6)]
    assert guard.path(now, "10.77.0.9") == [("gateway", 4)]
    # a route on External gives External a way to the peer, not Internal: Internal keeps its default gateway
    current["routes"] = [{"destination": "10.77.0.0/16", "gateway": "192.0.2.254", "interface": "External",
                          "interface_index": 6, "metric": 256},
                         {"destination": "10.77.0.0/24", "gateway": "192.0.2.254", "interface": "External",
                          "interface_index": 6, "metric": 256}]
    now = guard.topology(current)
    assert guard.path_from(now, "10.77.0.9", 6) == [("route", 6, "10.77.0.0/24")]  # the longest prefix
    assert guard.path_from(now, "10.77.0.9", 4) == [("gateway", 4)]
    assert guard.path_from(now, "10.78.0.9", 6) == []  # External has no default gateway here


# ----------------------------------------------------------------------------------- the action plugin
class _Connection:
    def __init__(self, name, port):
        self._load_name, self._port = name, port

    def get_option(self, name):
        if name != "port":
            raise KeyError(name)
        return self._port


@pytest.mark.parametrize("name, option, variables, port", [
    ("ansible.builtin.winrm", 15986, {"ansible_port": 15986}, 15986),
    ("winrm", 5986, {}, 5986),
    ("ansible.builtin.psrp", None, {"ansible_psrp_protocol": "http"}, 5985),
    ("ansible.builtin.ssh", None, {}, 22),
    ("ansible.builtin.local", None, {"ansible_port": 22}, None),
])
def test_action_plugin_takes_the_port_from_the_connection_plugin(name, option, variables, port):
    from ansible_collections.sfb.edge.plugins.action.edge_apply import ActionModule

    action = ActionModule.__new__(ActionModule)
    action._connection = _Connection(name, option)  # pylint: disable=protected-access
    assert action._connection_port(variables) == port  # pylint: disable=protected-access


# ----------------------------------------------------------------------------------- edge_facts and the role
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__)))))


def test_edge_facts_reads_the_given_ports_without_a_multi_port_query():
    # Get-NetTCPConnection -LocalPort 5985,5986 -ErrorAction Stop raises for the port without a connection
    # and lost the other one's sessions (issue 9, item 14): one query, filtered by connection_ports.
    with open(os.path.join(ROOT, "plugins", "modules", "edge_facts.ps1"), encoding="utf-8") as handle:
        source = handle.read()
    start = source.index("# ------------------------------------------------------------------------------ connection")
    section = source[start:source.index("# ------------------------------------------------------------------------------ listeners")]
    code = "\n".join(line for line in section.splitlines() if not line.lstrip().startswith("#"))
    assert "-LocalPort" not in code
    assert "Get-NetTCPConnection -State Established -ErrorAction Stop" in section
    assert "$connectionPorts -contains [int]$_.LocalPort" in section
    assert "$state.connection_ports = $connectionPorts" in section
    assert "$state.connection = [object[]]@(" in section  # a list even with one session
    assert "remote_port = [int]$_.RemotePort" in section
    assert "connection_ports = @{ type = 'list'; elements = 'int'; default = @(5985, 5986) }" in source


def test_edge_state_gathers_on_the_connection_port():
    """The state read of sfb.edge.host_state (what the edge_state role runs) looks for the controller's
    connection on the port its connection variables give (tests/unit/plugins/plugin_utils/test_hoststate.py runs the read)."""
    from ansible_collections.sfb.edge.plugins.plugin_utils import _hoststate as hoststate

    assert set(hoststate.CONNECTION_VARS) == {"ansible_connection", "ansible_port", "ansible_winrm_port",
                                              "ansible_winrm_scheme", "ansible_psrp_port", "ansible_psrp_protocol",
                                              "ansible_ssh_port"}
