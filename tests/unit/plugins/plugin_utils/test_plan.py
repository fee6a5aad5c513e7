# -*- coding: utf-8 -*-
"""The plan computed from the shipped example inventories and variants of them."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

import inventory_data  # noqa: E402

from ansible_collections.sfb.edge.plugins.plugin_utils import _plan as plan, _report as report  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))


def load_inventory(path):
    """sfb_edge_* variables of the edge_servers group, read by Ansible itself."""
    from ansible.inventory.manager import InventoryManager
    from ansible.parsing.dataloader import DataLoader
    from ansible.vars.manager import VariableManager

    loader = DataLoader()
    inventory = InventoryManager(loader=loader, sources=[path])
    variables = VariableManager(loader=loader, inventory=inventory)
    result = {}
    for host in inventory.get_groups_dict()["edge_servers"]:
        hv = variables.get_vars(host=inventory.get_host(host))
        result[host] = {k: hv[k] for k in hv if k.startswith("sfb_edge_")}
    return result


@pytest.mark.parametrize("name, data", [("example", inventory_data.example), ("single", inventory_data.single)])
def test_shipped_inventories_match_test_data(name, data):
    assert load_inventory(os.path.join(ROOT, "inventories", name)) == data()


@pytest.fixture(scope="module")
def example():
    return plan.build(inventory_data.example())["edgepool.corp.example.com"]


@pytest.fixture(scope="module")
def single():
    return plan.build(inventory_data.single())["sfbedge01.corp.example.org"]


def flat(p, side):
    """The per-address rows of one firewall (the reference expansion of the grouped plan, as the plan
    listed them before format 2): one row per rule and (source member, destination member)."""
    groups = p["firewall"]["groups"]
    return [{"direction": r["direction"], "protocol": r["protocol"], "port": r["ports"], "source": s, "destination": d,
             "service": r["service"], "purpose": r["note"]}
            for r in p["firewall"]["rules"] if r["firewall"] == side
            for s in groups[r["source"]]["members"] for d in groups[r["destination"]]["members"]]


def rules(p, side, **match):
    return [r for r in flat(p, side) if all(r[k] == v for k, v in match.items())]


def test_example_pool(example):
    assert example["pool"] == {
        "fqdn": "edgepool.corp.example.com", "version": "sfb2019", "load_balancing": "hlb", "single_ip": False,
        "servers": ["edge01", "edge02"], "next_hop_fqdn": "dirpool.corp.example.com",
        "sip_domains": ["example.com", "example.net"], "default_sip_domain": "example.com",
        "external_fqdns": {"access": "sip.example.com", "webconf": "webconf.example.com", "av": "av.example.com"},
        "xmpp": False, "service_ports": {"access": 443, "webconf": 443, "av": 443},
    }
    assert example["findings"] == []


def test_example_public_ips_two_server_hlb_needs_nine(example):
    ips = example["public_ips"]
    assert ips["count"] == 9
    assert ips["addresses"] == ["192.0.2.21", "192.0.2.22", "192.0.2.23", "192.0.2.31", "192.0.2.32", "192.0.2.33",
                                "192.0.2.10", "192.0.2.11", "192.0.2.12"]


def test_example_certificates(example):
    ext, internal = example["certificates"]["external"], example["certificates"]["internal"]
    assert ext["subject"] == "sip.example.com"
    assert ext["san"] == ["sip.example.com", "webconf.example.com", "sip.example.net"]
    assert ext["san_bytes"] == sum(len(n) + 2 for n in ext["san"])
    assert ext["assign_to"] == ["AccessEdgeExternal", "DataEdgeExternal", "AudioVideoAuthentication"]
    assert internal["subject"] == "edgepool.corp.example.com"
    assert internal["san"] == ["edgepool.corp.example.com"]


def test_example_hosts(example):
    h = example["hosts"]["edge02"]
    assert h["fqdn"] == "edge02.corp.example.com"
    assert h["dns_suffix"] == "corp.example.com"
    assert h["internal_nic"] == {"name": "Internal", "mac": "00-15-5D-1E-8C-0A", "addresses": ["172.16.10.12/24"],
                                 "gateway": None, "dns_servers": []}
    assert h["external_nic"]["mac"] == "00-15-5D-1E-8C-0B"
    ext = h["external_nic"]
    assert ext["addresses"] == ["192.0.2.31/24", "192.0.2.32/24", "192.0.2.33/24"]
    assert ext["gateway"] == "192.0.2.1"
    assert ext["dns_servers"] == ["198.51.100.53", "198.51.100.54"]
    assert ext["skip_as_source"] == ["192.0.2.32", "192.0.2.33"]
    # one route per internal network, via the internal firewall, pinned to the internal NIC
    assert h["routes"] == [{"destination": d, "gateway": "172.16.10.1", "interface": "Internal"}
                           for d in ("10.10.0.0/16", "10.20.0.0/16", "10.30.0.0/20")]
    assert [e["ip"] for e in h["hosts_entries"]] == ["10.10.1.20", "10.10.1.21", "10.10.1.22", "10.10.1.10",
                                                     "10.10.1.11", "10.10.1.12"]
    assert h["hosts_entries"][0]["names"] == ["dirpool.corp.example.com"]


def test_example_dns_hlb_points_at_vips(example):
    ext = example["dns_records"]["external"]
    a = {(r["name"], r["value"]) for r in ext if r["type"] == "A"}
    assert a == {("sip.example.com", "192.0.2.10"), ("webconf.example.com", "192.0.2.11"),
                 ("av.example.com", "192.0.2.12"), ("sip.example.net", "192.0.2.10")}
    srv = {(r["name"], r["value"], r["port"]) for r in ext if r["type"] == "SRV"}
    assert srv == {("_sip._tls.example.com", "sip.example.com", 443),
                   ("_sipfederationtls._tcp.example.com", "sip.example.com", 5061),
                   ("_sip._tls.example.net", "sip.example.com", 443),
                   ("_sipfederationtls._tcp.example.net", "sip.example.com", 5061)}
    assert example["dns_records"]["internal"] == [
        {"type": "A", "name": "edgepool.corp.example.com", "value": "172.16.10.10"},
        {"type": "A", "name": "edge01.corp.example.com", "value": "172.16.10.11"},
        {"type": "A", "name": "edge02.corp.example.com", "value": "172.16.10.12"},
    ]


def test_example_firewall_hlb(example):
    # client SIP goes to the Access VIP, not to the servers
    assert [r["destination"] for r in rules(example, "external", port="443", service="access")] == ["192.0.2.10"]
    # A/V: VIP and each server's real address (no NAT for A/V behind an HLB)
    assert [r["destination"] for r in rules(example, "external", port="3478", direction="inbound")] == [
        "192.0.2.12", "192.0.2.23", "192.0.2.33"]
    # SfB 2019: media range outbound only, TCP and UDP, from each server's A/V address
    media = rules(example, "external", port="50000-59999")
    assert {(r["direction"], r["protocol"], r["source"]) for r in media} == {
        ("outbound", "TCP", "192.0.2.23"), ("outbound", "UDP", "192.0.2.23"),
        ("outbound", "TCP", "192.0.2.33"), ("outbound", "UDP", "192.0.2.33")}
    assert not rules(example, "external", port="5269")  # no XMPP on 2019
    for rule in example["firewall"]["rules"]:
        assert set(rule) == {"firewall", "direction", "source", "destination", "protocol", "ports", "service", "note",
                             "id", "management", "allow"}
        assert rule["direction"] in ("inbound", "outbound") and rule["protocol"] in ("TCP", "UDP")


def test_example_firewall_internal(example):
    replication = rules(example, "internal", port="4443")
    assert {r["destination"] for r in replication} == {"172.16.10.11", "172.16.10.12"}
    assert {r["source"] for r in replication} == {"10.10.1.20", "10.10.1.21", "10.10.1.22", "10.10.1.10",
                                                  "10.10.1.11", "10.10.1.12"}
    stun = rules(example, "internal", port="3478")
    assert {r["destination"] for r in stun} == {"172.16.10.10", "172.16.10.11", "172.16.10.12"}
    assert {r["source"] for r in stun} == {"10.10.0.0/16", "10.20.0.0/16", "10.30.0.0/20"}
    assert {r["port"] for r in flat(example, "internal")} == {"5061", "5062", "8057", "4443", "50001-50003",
                                                              "3478", "443", "5986"}  # 5986: WinRM, management


def test_single_server_single_ip_nat(single):
    assert single["pool"]["single_ip"] is True
    assert single["pool"]["service_ports"] == {"access": 5061, "webconf": 444, "av": 443}
    assert single["public_ips"]["count"] == 1
    assert single["public_ips"]["addresses"] == ["203.0.113.10"]  # the NAT (public) side counts
    h = single["hosts"]["sfbedge01"]
    assert h["external_nic"]["addresses"] == ["172.31.0.10/24"]
    assert h["external_nic"]["skip_as_source"] == []
    assert h["routes"] == [{"destination": "192.168.0.0/20", "gateway": "192.168.50.1", "interface": "Internal"}]
    # XMPP on SfB 2015: bare domain in the SAN, SRV record, 5269 and 23456 open, XmppServer assignment
    assert single["certificates"]["external"]["san"] == ["sip.example.org", "webconf.example.org", "example.org"]
    assert "XmppServer" in single["certificates"]["external"]["assign_to"]
    srv = {(r["name"], r["port"]) for r in single["dns_records"]["external"] if r["type"] == "SRV"}
    assert srv == {("_sip._tls.example.org", 5061), ("_sipfederationtls._tcp.example.org", 5061),
                   ("_xmpp-server._tcp.example.org", 5269)}
    assert {r["value"] for r in single["dns_records"]["external"] if r["type"] == "A"} == {"203.0.113.10"}
    assert rules(single, "external", port="444", direction="inbound")[0]["destination"] == "203.0.113.10"
    assert not rules(single, "external", port="443", service="access")
    assert len(rules(single, "external", port="5269")) == 2
    assert rules(single, "internal", port="23456")[0]["source"] == "192.168.1.10"
    # the pool FQDN is the server FQDN: no extra pool record
    assert single["dns_records"]["internal"] == [
        {"type": "A", "name": "sfbedge01.corp.example.org", "value": "192.168.50.20"}]


def test_dns_load_balanced_pool():
    p = plan.build(inventory_data.dns_pool())["edgepool.corp.example.com"]
    assert p["public_ips"]["count"] == 6
    a = sorted((r["name"], r["value"]) for r in p["dns_records"]["external"] if r["type"] == "A")
    assert ("av.example.com", "192.0.2.23") in a and ("av.example.com", "192.0.2.33") in a
    assert [v for n, v in a if n == "sip.example.com"] == ["192.0.2.21", "192.0.2.31"]
    assert [r["value"] for r in p["dns_records"]["internal"] if r["name"] == "edgepool.corp.example.com"] == [
        "172.16.10.11", "172.16.10.12"]
    assert {r["destination"] for r in rules(p, "external", port="443", service="access")} == {
        "192.0.2.21", "192.0.2.31"}


def test_lync2013_ocs2007_option_opens_media_inbound():
    inv = inventory_data.set_pool(inventory_data.dns_pool(), "sfb_edge_version", "lync2013")
    p = plan.build(inv)["edgepool.corp.example.com"]
    assert not rules(p, "external", port="50000-59999", direction="inbound")
    inventory_data.set_pool(inv, "sfb_edge_ocs2007_federation", True)
    p = plan.build(inv)["edgepool.corp.example.com"]
    inbound = rules(p, "external", port="50000-59999", direction="inbound")
    assert {(r["protocol"], r["destination"]) for r in inbound} == {
        ("TCP", "192.0.2.23"), ("UDP", "192.0.2.23"), ("TCP", "192.0.2.33"), ("UDP", "192.0.2.33")}


def test_nat_dns_pool_counts_public_side_and_keeps_warning():
    inv = inventory_data.nat_dns_pool()
    p = plan.build(inv)["edgepool.corp.example.com"]
    assert p["public_ips"]["addresses"] == ["203.0.113.1", "203.0.113.2", "203.0.113.3",
                                            "203.0.113.11", "203.0.113.12", "203.0.113.13"]
    assert {f["code"] for f in p["findings"]} == {"nat_with_dns_lb"}


def test_build_refuses_errors_and_lists_them():
    inv = inventory_data.example()
    inv["edge02"]["sfb_edge_internal_nic"]["gateway"] = "172.16.10.1"
    with pytest.raises(plan.PlanError) as info:
        plan.build(inv)
    text = str(info.value)
    assert "gateway_on_internal_nic" in text and "edge02" in text and "sfb_edge_internal_nic.gateway" in text


def test_report_markdown(example):
    md = report.markdown(example)
    assert md.startswith("# Edge Admin Report: edgepool.corp.example.com\n")
    assert "| Public IP addresses needed | 9 |" in md
    assert "```mermaid\nflowchart LR" in md
    assert 'exthlb["External HLB VIPs<br>192.0.2.10<br>192.0.2.11<br>192.0.2.12"]' in md
    assert "| 10.30.0.0/20 | 172.16.10.1 | Internal |" in md
    assert "| SRV | _sipfederationtls._tcp.example.net | sip.example.com | 5061 |" in md
    assert "| Internal | Internal | 172.16.10.11/24 | none | none |" in md
    assert "No warnings." in md
    for section in ("## Summary", "## Certificates", "## Network diagram", "## DNS records", "## Firewall"):
        assert section in md


def test_report_lists_warnings():
    inv = inventory_data.dns_pool()
    inventory_data.set_pool(inv, "sfb_edge_external_dns_servers", ["10.1.1.1"])
    md = report.markdown(plan.build(inv)["edgepool.corp.example.com"])
    assert "| warning | private_dns_server | edge01 | sfb_edge_external_dns_servers[0] |" in md


def test_mixed_ip_mode_and_nat_in_one_pool_are_errors():
    from ansible_collections.sfb.edge.plugins.plugin_utils import _validate as validate

    inv = inventory_data.dns_pool()
    inv["edge02"]["sfb_edge_external_nic"]["addresses"] = {"access": "192.0.2.31/24"}
    found = [(f["code"], f["variable"]) for f in validate.validate(inv)]
    assert ("pool_mixed_settings", "sfb_edge_external_nic.addresses") in found
    inv = inventory_data.dns_pool()
    inv["edge02"]["sfb_edge_external_nat"] = {"access": "203.0.113.1", "webconf": "203.0.113.2", "av": "203.0.113.3"}
    found = [(f["code"], f["variable"], f["severity"]) for f in validate.validate(inv)]
    assert ("pool_mixed_settings", "sfb_edge_external_nat", "error") in found
