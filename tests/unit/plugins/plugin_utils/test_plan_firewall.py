# -*- coding: utf-8 -*-
"""The firewall plan as address groups and rules between them (plan.json format 2), its Markdown
table and its flat per-address export (firewall.csv)."""

from __future__ import annotations

import copy
import csv
import io
import ipaddress
import os
import re
import stat
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

import inventory_data  # noqa: E402

from ansible_collections.sfb.edge.plugins.plugin_utils import _model as model
from ansible_collections.sfb.edge.plugins.plugin_utils import _outputs as outputs
from ansible_collections.sfb.edge.plugins.plugin_utils import _plan as plan
from ansible_collections.sfb.edge.plugins.plugin_utils import _ports as ports
from ansible_collections.sfb.edge.plugins.plugin_utils import _report as report  # noqa: E402

EXAMPLE_GROUPS = {
    "any": ["Any"],
    "internal_networks": ["10.10.0.0/16", "10.20.0.0/16", "10.30.0.0/20"],
    "next_hop_pool": ["10.10.1.20", "10.10.1.21", "10.10.1.22", "10.10.1.10", "10.10.1.11", "10.10.1.12"],
    "edge_internal": ["172.16.10.11", "172.16.10.12"],
    "edge_internal_vip": ["172.16.10.10"],
    "edge_access": ["192.0.2.21", "192.0.2.31"],
    "edge_av": ["192.0.2.23", "192.0.2.33"],
    "vip_access": ["192.0.2.10"],
    "vip_webconf": ["192.0.2.11"],
    "vip_av": ["192.0.2.12"],
    "controller": ["10.10.5.20"],  # sfb_edge_controller_addresses (issue 20, point 8)
}

# (firewall, direction, source, destination, protocol, ports, service)
EXAMPLE_RULES = [
    ("external", "inbound", "any", "vip_access", "TCP", "443", "access"),
    ("external", "inbound", "any", "vip_access", "TCP", "5061", "access"),
    ("external", "outbound", "vip_access", "any", "TCP", "5061", "access"),
    ("external", "outbound", "edge_access", "any", "TCP", "80", "access"),
    ("external", "outbound", "edge_access", "any", "TCP", "53", "access"),
    ("external", "outbound", "edge_access", "any", "UDP", "53", "access"),
    ("external", "inbound", "any", "vip_webconf", "TCP", "443", "webconf"),
    ("external", "inbound", "any", "vip_av", "UDP", "3478", "av"),
    ("external", "inbound", "any", "edge_av", "UDP", "3478", "av"),
    ("external", "outbound", "edge_av", "any", "UDP", "3478", "av"),
    ("external", "inbound", "any", "vip_av", "TCP", "443", "av"),
    ("external", "inbound", "any", "edge_av", "TCP", "443", "av"),
    ("external", "outbound", "edge_av", "any", "TCP", "443", "av"),
    ("external", "outbound", "edge_av", "any", "TCP", "50000-59999", "av"),
    ("external", "outbound", "edge_av", "any", "UDP", "50000-59999", "av"),
    ("internal", "inbound", "next_hop_pool", "edge_internal_vip", "TCP", "5061", "internal"),
    ("internal", "inbound", "next_hop_pool", "edge_internal", "TCP", "5061", "internal"),
    ("internal", "outbound", "edge_internal", "next_hop_pool", "TCP", "5061", "internal"),
    ("internal", "inbound", "next_hop_pool", "edge_internal_vip", "TCP", "5062", "internal"),
    ("internal", "inbound", "next_hop_pool", "edge_internal", "TCP", "5062", "internal"),
    ("internal", "inbound", "next_hop_pool", "edge_internal", "TCP", "8057", "internal"),
    ("internal", "inbound", "next_hop_pool", "edge_internal", "TCP", "4443", "internal"),
    ("internal", "inbound", "next_hop_pool", "edge_internal", "TCP", "50001-50003", "internal"),
    ("internal", "inbound", "internal_networks", "edge_internal_vip", "UDP", "3478", "internal"),
    ("internal", "inbound", "internal_networks", "edge_internal", "UDP", "3478", "internal"),
    ("internal", "inbound", "internal_networks", "edge_internal_vip", "TCP", "443", "internal"),
    ("internal", "inbound", "internal_networks", "edge_internal", "TCP", "443", "internal"),
    ("internal", "outbound", "edge_internal", "internal_networks", "TCP", "443", "internal"),
    # the tool's own traffic: WinRM from the controller (no connection variables here: 5986)
    ("internal", "inbound", "controller", "edge_internal", "TCP", "5986", "management"),
]

SINGLE_GROUPS = {
    "any": ["Any"],
    "internal_networks": ["192.168.0.0/20"],
    "next_hop_pool": ["192.168.1.10"],
    "edge_internal": ["192.168.50.20"],
    "edge_access": ["203.0.113.10"],  # the NAT public address, not the NIC's 172.31.0.10
    "controller": ["192.168.5.20"],
}

SINGLE_RULES = [
    ("external", "inbound", "any", "edge_access", "TCP", "5061", "access"),
    ("external", "outbound", "edge_access", "any", "TCP", "5061", "access"),
    ("external", "inbound", "any", "edge_access", "TCP", "5269", "access"),
    ("external", "outbound", "edge_access", "any", "TCP", "5269", "access"),
    ("external", "outbound", "edge_access", "any", "TCP", "80", "access"),
    ("external", "outbound", "edge_access", "any", "TCP", "53", "access"),
    ("external", "outbound", "edge_access", "any", "UDP", "53", "access"),
    ("external", "inbound", "any", "edge_access", "TCP", "444", "webconf"),
    ("external", "inbound", "any", "edge_access", "UDP", "3478", "av"),
    ("external", "outbound", "edge_access", "any", "UDP", "3478", "av"),
    ("external", "inbound", "any", "edge_access", "TCP", "443", "av"),
    ("external", "outbound", "edge_access", "any", "TCP", "443", "av"),
    ("external", "outbound", "edge_access", "any", "TCP", "50000-59999", "av"),
    ("external", "outbound", "edge_access", "any", "UDP", "50000-59999", "av"),
    ("internal", "inbound", "next_hop_pool", "edge_internal", "TCP", "5061", "internal"),
    ("internal", "outbound", "edge_internal", "next_hop_pool", "TCP", "5061", "internal"),
    ("internal", "inbound", "next_hop_pool", "edge_internal", "TCP", "5062", "internal"),
    ("internal", "inbound", "next_hop_pool", "edge_internal", "TCP", "8057", "internal"),
    ("internal", "inbound", "next_hop_pool", "edge_internal", "TCP", "4443", "internal"),
    ("internal", "inbound", "next_hop_pool", "edge_internal", "TCP", "50001-50003", "internal"),
    ("internal", "inbound", "next_hop_pool", "edge_internal", "TCP", "23456", "internal"),
    ("internal", "inbound", "internal_networks", "edge_internal", "UDP", "3478", "internal"),
    ("internal", "inbound", "internal_networks", "edge_internal", "TCP", "443", "internal"),
    ("internal", "outbound", "edge_internal", "internal_networks", "TCP", "443", "internal"),
    ("internal", "inbound", "controller", "edge_internal", "TCP", "5986", "management"),
]

_NO_FRONT_END = " (the inventory names no Front End - group front_ends - so the hosts entries stand in)"
RULE_KEYS = ("firewall", "direction", "source", "destination", "protocol", "ports", "service")


def _fw(inv):
    plans = plan.build(inv)
    assert len(plans) == 1
    return next(iter(plans.values()))["firewall"]


def _members(fw):
    return {name: group["members"] for name, group in fw["groups"].items()}


def _rules(fw):
    return [tuple(r[k] for k in RULE_KEYS) for r in fw["rules"]]


def test_example_hlb_groups_and_rules():
    fw = _fw(inventory_data.example())
    assert _members(fw) == EXAMPLE_GROUPS
    assert list(fw["groups"]) == list(EXAMPLE_GROUPS)  # listed in a stable order
    assert _rules(fw) == EXAMPLE_RULES
    for rule in fw["rules"]:
        assert set(rule) == set(RULE_KEYS) | {"note", "id", "management", "allow"} and rule["note"]
    for group in fw["groups"].values():
        assert set(group) == {"description", "members"} and group["description"]
    # with an HLB, clients reach Access and Web Conferencing on the VIPs only; A/V on the VIP and on
    # each server's own public address (no NAT for A/V behind an HLB)
    assert "edge_webconf" not in fw["groups"]


def test_single_ip_nat_groups_and_rules():
    fw = _fw(inventory_data.single())
    assert _members(fw) == SINGLE_GROUPS
    assert _rules(fw) == SINGLE_RULES
    assert "NAT public address for sfbedge01" in fw["groups"]["edge_access"]["description"]
    assert "single-IP mode" in fw["groups"]["edge_access"]["description"]


def test_dns_pool_groups_are_each_servers_public_addresses():
    fw = _fw(inventory_data.dns_pool())
    want = {k: v for k, v in EXAMPLE_GROUPS.items() if not k.startswith("vip_") and k != "edge_internal_vip"}
    want["edge_webconf"] = ["192.0.2.22", "192.0.2.32"]
    assert _members(fw) == want
    vip = {"vip_access": "edge_access", "vip_webconf": "edge_webconf", "vip_av": "edge_av",
           "edge_internal_vip": "edge_internal"}
    # the HLB rules with the VIP groups replaced by the servers' groups, each kept once
    expected = list(dict.fromkeys(tuple(vip.get(x, x) for x in r) for r in EXAMPLE_RULES))
    assert _rules(fw) == expected


def test_nat_dns_pool_puts_the_nat_addresses_in_the_service_groups():
    inv = inventory_data.nat_dns_pool()
    fw = _fw(inv)
    assert fw["groups"]["edge_access"]["members"] == ["203.0.113.1", "203.0.113.11"]
    assert fw["groups"]["edge_webconf"]["members"] == ["203.0.113.2", "203.0.113.12"]
    assert fw["groups"]["edge_av"]["members"] == ["203.0.113.3", "203.0.113.13"]


def test_no_networks_and_no_hosts_entries_means_any():
    # (an inventory without hosts entries is an error finding; the plan never has an empty group)
    inv = inventory_data.set_pool(inventory_data.example(), "sfb_edge_internal_networks", [])
    pools, _findings = model.load(inventory_data.set_pool(inv, "sfb_edge_internal_hosts", []))
    fw = plan.firewall(pools[0])
    assert "internal_networks" not in fw["groups"] and "next_hop_pool" not in fw["groups"]
    internal = [r for r in fw["rules"] if r["firewall"] == "internal"]
    assert {r["source"] for r in internal if r["direction"] == "inbound" and not r["management"]} == {"any"}
    assert {r["destination"] for r in internal if r["direction"] == "outbound"} == {"any"}


def test_ocs2007_and_xmpp_add_rules_not_rows_per_address():
    inv = inventory_data.set_pool(inventory_data.dns_pool(), "sfb_edge_version", "lync2013")
    inventory_data.set_pool(inv, "sfb_edge_ocs2007_federation", True)
    inventory_data.set_pool(inv, "sfb_edge_xmpp", True)
    rules = _rules(_fw(inv))
    assert ("external", "inbound", "any", "edge_av", "TCP", "50000-59999", "av") in rules
    assert ("external", "inbound", "any", "edge_av", "UDP", "50000-59999", "av") in rules
    assert ("external", "inbound", "any", "edge_access", "TCP", "5269", "access") in rules
    assert ("internal", "inbound", "next_hop_pool", "edge_internal", "TCP", "23456", "internal") in rules


# ------------------------------------------------------------------------------------- scale
def big_inventory(servers, networks, hosts=50):
    """One HLB pool of ``servers`` servers, ``networks`` internal /24 networks and ``hosts`` hosts entries."""
    base = inventory_data.example()["edge01"]
    base["sfb_edge_internal_networks"] = [str(ipaddress.ip_network((0x0A000000 + (i << 8), 24))) for i in range(networks)]
    base["sfb_edge_internal_hosts"] = [{"ip": "10.250.%d.%d" % (i // 200, i % 200 + 1), "names": ["h%d.corp.example.com" % i]}
                                       for i in range(hosts)]
    base["sfb_edge_internal_networks"].append("10.250.0.0/16")
    if hosts:
        base["sfb_edge_internal_hosts"][0]["names"] = ["dirpool.corp.example.com"]
    inv = {}
    for s in range(servers):
        host = copy.deepcopy(base)
        host["sfb_edge_internal_nic"] = {"name": "Internal", "mac": "00-15-5D-1E-8C-%02X" % s,
                                         "address": "172.16.10.%d/24" % (20 + s)}
        host["sfb_edge_external_nic"] = {"name": "External", "mac": "00-15-5D-1E-8D-%02X" % s, "addresses": {
            "access": "192.0.2.%d/24" % (20 + 3 * s), "webconf": "192.0.2.%d/24" % (21 + 3 * s),
            "av": "192.0.2.%d/24" % (22 + 3 * s)}}
        inv["edge%02d" % s] = host
    return inv


def _pool(inv):
    pools, findings = model.load(inv)
    assert not [f for f in findings if f["severity"] == "error"]
    return pools[0]


def test_rule_count_does_not_depend_on_servers_networks_or_hosts_entries():
    small = plan.firewall(_pool(big_inventory(1, 2000)))
    large = plan.firewall(_pool(big_inventory(12, 2000, hosts=500)))
    assert len(small["rules"]) == len(large["rules"]) == len(EXAMPLE_RULES) == 29
    assert _rules(small) == _rules(large)
    assert len(large["groups"]["internal_networks"]["members"]) == 2001
    assert len(large["groups"]["edge_internal"]["members"]) == 12
    assert len(large["groups"]["next_hop_pool"]["members"]) == 500
    # the Markdown firewall section: one line per group and per rule, whatever the sizes
    assert len(report.firewall_section(small)) == len(report.firewall_section(large))


def _reference_rows(fw):
    """The simple reference expansion: every rule times every (source member, destination member)."""
    rows = []
    for number, r in enumerate(fw["rules"], 1):
        for s in fw["groups"][r["source"]]["members"]:
            for d in fw["groups"][r["destination"]]["members"]:
                rows.append([r["firewall"], r["direction"], r["protocol"], r["ports"], r["source"], s,
                             r["destination"], d, r["service"], r["note"], str(r.get("id", number)),
                             "yes" if r.get("management") else "no", r.get("allow", "")])
    return rows


def _parse(chunks):
    return list(csv.reader(io.StringIO("".join(chunks))))


def test_csv_of_a_large_pool_is_the_expansion_and_streams_in_bounded_chunks(monkeypatch):
    fw = plan.firewall(_pool(big_inventory(12, 2000, hosts=500)))
    calls = []
    real = report._csv_field
    monkeypatch.setattr(report, "_csv_field", lambda v: calls.append(1) or real(v))
    chunks = list(report.firewall_csv(fw))
    rows = _parse(chunks)
    assert rows[0] == list(report.CSV_HEADER)
    assert rows[1:] == _reference_rows(fw)
    # 2,001 networks x (VIP + 12 servers, twice, + 12 servers outbound) + 500 hosts entries x 74 + 114 external
    # + the controller to 12 servers (WinRM)
    assert len(rows) - 1 == 2001 * 38 + 500 * 74 + 114 + 12 == 113164
    # fields are escaped once per group member and per rule, never per line
    members = sum(len(g["members"]) for g in fw["groups"].values())
    assert len(calls) == members + 11 * len(fw["rules"])
    # one chunk per (rule, source member): the largest chunk is one source's destinations
    assert max(c.count("\n") for c in chunks) <= max(len(g["members"]) for g in fw["groups"].values())


_text = st.text(alphabet=st.sampled_from(list("ab1.,\"/ -\n")), min_size=1, max_size=6)


@st.composite
def firewalls(draw):
    names = draw(st.lists(st.sampled_from(["g%d" % i for i in range(6)]), min_size=1, max_size=6, unique=True))
    groups = {n: {"description": draw(_text), "members": draw(st.lists(_text, min_size=1, max_size=5, unique=True))}
              for n in names}
    rules = draw(st.lists(st.fixed_dictionaries({
        "firewall": st.sampled_from(["external", "internal"]), "direction": st.sampled_from(["inbound", "outbound"]),
        "source": st.sampled_from(names), "destination": st.sampled_from(names),
        "protocol": st.sampled_from(["TCP", "UDP"]), "ports": st.sampled_from(["443", "50000-59999"]),
        "service": st.sampled_from(["access", "av", "internal"]), "note": _text}), max_size=8))
    return {"groups": groups, "rules": rules}


@settings(max_examples=150, deadline=None)
@given(fw=firewalls())
def test_csv_equals_the_reference_expansion(fw):
    rows = _parse(report.firewall_csv(fw))
    assert rows[0] == list(report.CSV_HEADER)
    assert rows[1:] == _reference_rows(fw)
    # every (rule, member pair) exactly once
    keys = [(i, s, d) for i, r in enumerate(fw["rules"])
            for s in fw["groups"][r["source"]]["members"] for d in fw["groups"][r["destination"]]["members"]]
    assert len(keys) == len(set(keys)) == len(rows) - 1


def _old_rows(pool):
    """The per-address rows as the plan listed them before format 2 (kept as the reference): every
    port-table rule times every edge address times every peer address."""
    servers = sorted(pool.servers, key=lambda s: s.name)
    hlb = pool.load_balancing == "hlb"
    rows = []
    for rule in ports.EXTERNAL_RULES:
        if plan._applies(rule, pool):
            service = "access" if pool.single_ip else rule["service"]
            addresses = [str(pool.vips[service])] if hlb and rule["endpoint"] in ("vip", "both") else []
            if not hlb or rule["endpoint"] in ("servers", "both"):
                addresses += [str(s.public(service)) for s in servers]
            rows += [(rule, plan._external_port(rule, pool.single_ip), a, "Any") for a in addresses]
    lync = [e["ip"] for e in pool.internal_hosts] or ["Any"]
    nets = [str(n) for n in pool.internal_networks] or ["Any"]
    for rule in ports.INTERNAL_RULES:
        if plan._applies(rule, pool):
            addresses = [str(pool.vips["internal"])] if hlb and rule["endpoint"] == "both" else []
            addresses += [str(s.internal.ip) for s in servers]
            peers = nets if rule["peer"] == "internal_networks" else lync
            rows += [(rule, rule["port"], a, p) for a in addresses for p in peers]
    out = set()
    for rule, port, edge, peer in rows:
        inbound = rule["direction"] == "inbound"
        out.add((rule["direction"], rule["protocol"], port, peer if inbound else edge, edge if inbound else peer,
                 rule["service"], rule["purpose"]))
    return out


@settings(max_examples=30, deadline=None)
@given(servers=st.integers(1, 4), networks=st.integers(0, 6), hosts=st.integers(1, 5), hlb=st.booleans(),
       single_ip=st.booleans(), xmpp=st.booleans(), version=st.sampled_from(["lync2013", "sfb2015", "sfb2019"]))
def test_csv_rows_are_the_old_per_address_rows_each_once(servers, networks, hosts, hlb, single_ip, xmpp, version):
    inv = big_inventory(servers, networks, hosts)
    for host in inv.values():
        host["sfb_edge_xmpp"] = xmpp and version != "sfb2019"
        host["sfb_edge_version"] = version
        host["sfb_edge_ocs2007_federation"] = version == "lync2013"
        if not hlb:
            host["sfb_edge_load_balancing"] = "dns"
            del host["sfb_edge_hlb_vips"]
        if single_ip:
            host["sfb_edge_external_nic"]["addresses"] = {"access": host["sfb_edge_external_nic"]["addresses"]["access"]}
    pool = _pool(inv)
    fw = plan.firewall(pool)
    rows = [tuple(r) for r in _parse(report.firewall_csv(fw))[1:]]
    assert len(rows) == len(set(rows))  # every (rule, member pair) once
    # the management rows (issue 20, point 8) are new: the controller to each server's internal address
    management = [r for r in rows if r[11] == "yes"]
    assert sorted((r[5], r[7], r[3]) for r in management) == sorted(
        ("10.10.5.20", str(s.internal.ip), "5986") for s in pool.servers)
    rows = [r for r in rows if r[11] == "no"]
    got = [(r[1], r[2], r[3], r[5], r[7], r[8], r[9].replace(_NO_FRONT_END, "")) for r in rows]
    assert len(got) == len(set(got)) and set(got) == _old_rows(pool)
    for group in fw["groups"].values():  # members listed once
        assert len(group["members"]) == len(set(group["members"]))
    assert set(fw["groups"]) == {r["source"] for r in fw["rules"]} | {r["destination"] for r in fw["rules"]}
    assert len(fw["rules"]) <= 40  # a handful per direction, whatever the sizes


# ----------------------------------------------------------------------------- writing
def test_streamed_write_is_atomic_and_leaves_an_unchanged_file_alone(tmp_path):
    path = tmp_path / "pool" / "firewall.csv"
    fw = _fw(inventory_data.example())
    assert outputs.write_file(str(path), report.firewall_csv(fw)) is True
    text = path.read_text()
    assert text == "".join(report.firewall_csv(fw))
    before = path.stat().st_mtime_ns
    assert outputs.write_file(str(path), report.firewall_csv(fw), mode=0o600) is False
    assert path.stat().st_mtime_ns == before and stat.S_IMODE(path.stat().st_mode) == 0o600
    fw["rules"] = fw["rules"][:1]
    assert outputs.write_file(str(path), report.firewall_csv(fw)) is True
    assert len(path.read_text().splitlines()) == 2
    assert sorted(os.listdir(tmp_path / "pool")) == ["firewall.csv"]  # no temporary file left


def test_markdown_shows_the_groups_and_the_rules():
    p = plan.build(inventory_data.example())["edgepool.corp.example.com"]
    md = report.markdown(p)
    assert "### Address groups" in md
    assert "| `internal_networks` | Internal client and server networks (sfb_edge_internal_networks) | " \
           "10.10.0.0/16<br>10.20.0.0/16<br>10.30.0.0/20 |" in md
    assert "| 24 | inbound | `internal_networks` | `edge_internal_vip` | UDP | 3478 | Internal |" in md
    assert "| 15 | outbound | `edge_av` | `any` | UDP | 50000-59999 | A/V Edge |" in md
    section = md.split("## Firewall")[1].split("## Findings")[0]
    assert len(re.findall(r"\n\| [0-9]+ \| (?:inbound|outbound) \|", section)) == len(EXAMPLE_RULES)


# ------------------------------------------------------------------ issue 20, points 8 to 10
def with_management(inv, controller=("10.10.5.20",), front_ends=(("fe01", "fe01.corp.example.com"),), frontend="fe01",
                    probes=(), connection=None):
    """``inv`` as sfb.edge.edge_inventory gives it from a real inventory: the controller's addresses, each edge's
    connection variables and the Front Ends / probe hosts of the groups front_ends and edge_probes."""
    peers = {"front_ends": [{"name": n, "address": a, "connection": {"ansible_connection": "winrm", "ansible_port": 5986}}
                            for n, a in front_ends], "frontend": frontend,
             "probes": [{"name": n, "address": a, "connection": c} for n, a, c in probes]}
    for host, variables in inv.items():
        if controller is None:
            variables.pop("sfb_edge_controller_addresses", None)
        else:
            variables["sfb_edge_controller_addresses"] = list(controller)
        variables[model.CONNECTION] = (connection or {}).get(host, {"ansible_connection": "winrm", "ansible_port": 5986})
        variables[model.MANAGEMENT] = peers
    return inv


def _rule_tuple(fw, number):
    rule = next(r for r in fw["rules"] if r["id"] == number)
    return tuple(rule[k] for k in RULE_KEYS) + (rule["management"],)


def test_management_rules_let_the_tool_through():
    """WinRM from the controller to each edge's internal address (ansible_port 5986) and to the Front End, SSH to
    the probe host: marked management, after the port-table rules (their numbers unchanged)."""
    inv = with_management(inventory_data.example(), probes=[("probe01", "203.0.113.7", {})])
    fw = _fw(inv)
    management = [tuple(r[k] for k in RULE_KEYS) + (r["id"],) for r in fw["rules"] if r["management"]]
    assert management == [
        ("internal", "inbound", "controller", "edge_internal", "TCP", "5986", "management", 30),
        ("internal", "transit", "controller", "front_end_management", "TCP", "5986", "management", 31),
        ("external", "transit", "controller", "probe_hosts", "TCP", "22", "management", 32)]
    assert _members(fw)["controller"] == ["10.10.5.20"]
    assert _members(fw)["edge_internal"] == ["172.16.10.11", "172.16.10.12"]
    assert _members(fw)["front_end_management"] == ["10.10.1.11"]  # fe01's hosts entry
    assert _members(fw)["probe_hosts"] == ["203.0.113.7"]
    assert [r["id"] for r in fw["rules"]] == list(range(1, 33))
    assert not any(r["management"] for r in fw["rules"][:29])
    rows = _parse(report.firewall_csv(fw))
    header = rows[0]
    winrm = [dict(zip(header, r)) for r in rows[1:] if r[header.index("rule")] == "30"]
    assert [(r["source"], r["destination"], r["ports"], r["management"]) for r in winrm] == [
        ("10.10.5.20", "172.16.10.11", "5986", "yes"), ("10.10.5.20", "172.16.10.12", "5986", "yes")]
    assert winrm[0]["allow"] == ("Internal firewall: allow TCP 5986 from the Ansible controller (controller) to the "
                                 "edge servers' internal addresses (edge_internal), from the internal network into "
                                 "the perimeter network")
    md = report.markdown(plan.build(inv)["edgepool.corp.example.com"])
    assert "| 30 | inbound | `controller` | `edge_internal` | TCP | 5986 | Management | WinRM from the Ansible " \
           "controller" in md
    assert "| yes | Internal firewall: allow TCP 5986 from the Ansible controller (controller)" in md


def test_management_ports_follow_each_hosts_connection():
    """A CIDR, and servers that take WinRM on different ports: one rule per port, to the servers of that port."""
    inv = with_management(inventory_data.example(), controller=("10.10.5.0/28", "10.10.6.7"), connection={
        "edge01": {"ansible_connection": "winrm", "ansible_winrm_scheme": "http", "ansible_port": 5985},
        "edge02": {}})  # no connection variables: WinRM over HTTPS, 5986
    fw = _fw(inv)
    assert _members(fw)["controller"] == ["10.10.5.0/28", "10.10.6.7"]
    assert [tuple(r[k] for k in RULE_KEYS) for r in fw["rules"] if r["management"]][:2] == [
        ("internal", "inbound", "controller", "edge_internal_winrm_5985", "TCP", "5985", "management"),
        ("internal", "inbound", "controller", "edge_internal_winrm_5986", "TCP", "5986", "management")]
    assert _members(fw)["edge_internal_winrm_5985"] == ["172.16.10.11"]
    assert _members(fw)["edge_internal_winrm_5986"] == ["172.16.10.12"]


def test_without_controller_addresses_no_management_rule():
    fw = _fw(with_management(inventory_data.example(), controller=None))
    assert not [r for r in fw["rules"] if r["management"]] and "controller" not in fw["groups"]


DIRECTORS_ONLY = [{"ip": "10.10.1.20", "names": ["dirpool.corp.example.com"]},
                  {"ip": "10.10.1.21", "names": ["dir01.corp.example.com"]},
                  {"ip": "10.10.1.22", "names": ["dir02.corp.example.com"]}]


def _sources(fw, port):
    return [r["source"] for r in fw["rules"] if r["ports"] == port and r["direction"] == "inbound"
            and r["destination"] == "edge_internal"]


def test_lync_groups_with_directors_only_and_no_front_end():
    """Hosts entries of the Director pool only, no Front End in the inventory: the Front End rules come from the
    next hop's entries and say so - they do not claim to list Front End servers."""
    inv = inventory_data.set_pool(inventory_data.example(), "sfb_edge_internal_hosts", DIRECTORS_ONLY)
    fw = _fw(with_management(inv, front_ends=(), frontend=None))
    assert _members(fw)["next_hop_pool"] == ["10.10.1.20", "10.10.1.21", "10.10.1.22"]
    assert "front_end_servers" not in fw["groups"]
    assert fw["groups"]["next_hop_pool"]["description"].startswith(
        "Next hop pool dirpool.corp.example.com (sfb_edge_next_hop_fqdn, hosts entry 10.10.1.20)")
    for port in ("5061", "5062", "8057", "4443", "50001-50003"):
        assert _sources(fw, port) == ["next_hop_pool"], port
    a_v = next(r for r in fw["rules"] if r["ports"] == "5062" and r["destination"] == "edge_internal")
    assert a_v["note"] == ("A/V authentication (MRAS) from Front End servers (the inventory names no Front End - group "
                           "front_ends - so the hosts entries stand in)")


def test_lync_groups_with_directors_and_the_inventorys_front_ends():
    """With the Front Ends of the inventory (fe01 at an IP ansible_host, fe02 through its hosts entry): 5061 from the
    next hop pool, A/V authentication, web conferencing and CMS replication from the Front End servers, the
    Centralized Logging controller from both (edge-facts.md, "Ports")."""
    inv = inventory_data.set_pool(inventory_data.example(), "sfb_edge_internal_hosts",
                                  DIRECTORS_ONLY + [{"ip": "10.10.1.12", "names": ["fe02.corp.example.com"]}])
    fw = _fw(with_management(inv, front_ends=(("fe01", "10.10.1.11"), ("fe02", "fe02.corp.example.com"))))
    assert _members(fw)["front_end_servers"] == ["10.10.1.11", "10.10.1.12"]
    assert fw["groups"]["front_end_servers"]["description"] == (
        "Front End servers of the inventory (group front_ends, sfb_edge_frontend_host): fe01 10.10.1.11 (ansible_host), "
        "fe02 10.10.1.12 (hosts entry fe02.corp.example.com)")
    assert _sources(fw, "5061") == ["next_hop_pool"]
    for port in ("5062", "8057", "4443"):
        assert _sources(fw, port) == ["front_end_servers"], port
    assert _sources(fw, "50001-50003") == ["next_hop_pool", "front_end_servers"]
    a_v = next(r for r in fw["rules"] if r["ports"] == "5062" and r["destination"] == "edge_internal")
    assert a_v["note"] == "A/V authentication (MRAS) from Front End servers"
    assert a_v["allow"] == ("Internal firewall: allow TCP 5062 from the Front End servers (front_end_servers) to the "
                            "edge servers' internal addresses (edge_internal), from the internal network into the "
                            "perimeter network")
    outbound = next(r for r in fw["rules"] if r["ports"] == "5061" and r["direction"] == "outbound"
                    and r["firewall"] == "internal")
    assert outbound["allow"] == ("Internal firewall: allow TCP 5061 from the edge servers' internal addresses "
                                 "(edge_internal) to the next hop pool and its servers (next_hop_pool), from the "
                                 "perimeter network into the internal network")


def test_every_rule_reads_right_for_its_firewall_team():
    fw = _fw(with_management(inventory_data.example(), probes=[("probe01", "203.0.113.7", {})]))
    crossing = {("external", "inbound"): "from the internet into the perimeter network",
                ("external", "outbound"): "from the perimeter network to the internet",
                ("internal", "inbound"): "from the internal network into the perimeter network",
                ("internal", "outbound"): "from the perimeter network into the internal network"}
    for rule in fw["rules"]:
        assert rule["allow"].startswith("%s firewall: allow %s %s from " % (
            rule["firewall"].capitalize(), rule["protocol"], rule["ports"])), rule
        assert "(%s) to " % rule["source"] in rule["allow"] and "(%s), " % rule["destination"] in rule["allow"]
        if rule["direction"] != "transit":
            assert rule["allow"].endswith(crossing[(rule["firewall"], rule["direction"])]), rule
    assert fw["rules"][0]["allow"] == ("External firewall: allow TCP 443 from any address (any) to the Access Edge VIP "
                                       "(vip_access), from the internet into the perimeter network")
