# -*- coding: utf-8 -*-
"""Inventory validation: one test per finding code, each with a positive case (a minimal mutation
of a valid inventory that triggers it) and a negative case (the closest valid variant does not).

Certificate codes are in test_certs.py.  Every positive case asserts the complete set of findings
as ``(severity, code, host, variable)`` tuples, so a rule that starts firing elsewhere, or stops
firing, fails here.
"""

from __future__ import annotations

import copy
import os
import re
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

import inventory_data  # noqa: E402
from findings_helpers import codes, keys, only  # noqa: E402
from inventory_data import set_pool  # noqa: E402

from ansible_collections.sfb.edge.plugins.plugin_utils import _model as model, _plan as plan, _validate as validate  # noqa: E402

E, W = "error", "warning"
POOL = "edgepool.corp.example.com"
SINGLE = "sfbedge01"
SINGLE_POOL = "sfbedge01.corp.example.org"

KNOWN_CODES = frozenset("""
    missing_variable invalid_value invalid_fqdn invalid_sip_domain unknown_variable ignored_variable renamed_variable
    pool_mixed_settings pool_too_large load_balancing_none_with_pool hlb_without_vips vips_without_hlb
    xmpp_unsupported ocs2007_federation_ignored san_count_limit san_size_limit private_dns_server
    no_dns_servers default_route_internal next_hop_unresolvable no_internal_networks hostname_too_long
    fqdn_suffix_mismatch same_nic gateway_outside_subnet gateway_on_internal_nic dns_on_internal_nic
    subnet_overlap private_external_address external_subnets_differ nat_with_hlb nat_with_dns_lb
    nat_incomplete unreachable_internal_host internal_network_overlaps_dmz internal_host_on_external_subnet
    duplicate_address duplicate_fqdn server_fqdn_is_pool_fqdn
    duplicate_mac network_host_bits internal_networks_overlap hosts_name_multiple_addresses pfx_encryption_unsupported
    certificate_unreadable certificate_not_ca certificate_no_private_key certificate_key_too_small
    certificate_expired certificate_expiring certificate_eku certificate_no_client_auth
    certificate_san_missing certificate_key_mismatch certificate_not_yet_valid certificate_untrusted
    unsafe_file_name
    frontend_is_edge_server
    pool_group_conflict
    controller_addresses_unset management_address_unknown
    certificate_in_inventory_source
""".split())


# --------------------------------------------------------------------------- helpers


def assert_well_formed(findings):
    assert isinstance(findings, list)
    for f in findings:
        assert set(f) == {"severity", "code", "host", "pool", "variable", "message"}, f
        assert f["severity"] in (E, W), f
        assert f["code"] in KNOWN_CODES, f
        assert isinstance(f["host"], str) and f["host"], f
        assert f["pool"] is None or isinstance(f["pool"], str), f
        assert isinstance(f["variable"], str) and re.match(r"^(sfb_edge_\w+|edge_servers|inventory_hostname\Z)", f["variable"]), f
        assert isinstance(f["message"], str) and f["message"].strip(), f
    order = {E: 0, W: 1}
    assert findings == sorted(findings, key=lambda f: (order[f["severity"]], f["pool"] or "", f["host"], f["code"],
                                                       f["variable"]))
    assert all(findings.count(f) == 1 for f in findings), "duplicate findings"


def run(inv, **kwargs):
    findings = validate.validate(inv, **kwargs)
    assert_well_formed(findings)
    return findings


def check(inv, expected, needles=(), absent=()):
    """Validate ``inv``; the findings must be exactly ``expected``.

    The first tuple of ``expected`` is the finding under test: every finding with that
    (severity, code, host, variable) must mention each of ``needles`` and none of ``absent``.
    """
    findings = run(inv)
    assert keys(findings) == sorted(expected)
    primary = [f for f in findings if (f["severity"], f["code"], f["host"], f["variable"]) == expected[0]]
    for f in primary:
        for needle in needles:
            assert needle in f["message"], (needle, f["message"])
        for needle in absent:
            assert needle not in f["message"], (needle, f["message"])
    return primary


def host_set(inv, host, path, value):
    """Set ``inv[host][path...]`` (path is a dotted variable path); None deletes it."""
    parts = path.split(".")
    target = inv[host]
    for part in parts[:-1]:
        target = target[part]
    if value is None:
        target.pop(parts[-1], None)
    else:
        target[parts[-1]] = copy.deepcopy(value)
    return inv


def example(**pool_vars):
    inv = inventory_data.example()
    for name, value in pool_vars.items():
        set_pool(inv, name, value)
    return inv


def dns_pool(**pool_vars):
    inv = inventory_data.dns_pool()
    for name, value in pool_vars.items():
        set_pool(inv, name, value)
    return inv


def single(**host_vars):
    inv = inventory_data.single()
    for name, value in host_vars.items():
        host_set(inv, SINGLE, name, value)
    return inv


def dns_pool_of(count):
    """A DNS-load-balanced pool of ``count`` servers edge01..edgeNN, all addresses unique."""
    template = inventory_data.dns_pool()["edge01"]
    inv = {}
    for i in range(1, count + 1):
        host = copy.deepcopy(template)
        host["sfb_edge_internal_nic"]["address"] = "172.16.10.%d/24" % (100 + i)
        host["sfb_edge_internal_nic"]["mac"] = "00-15-5D-1E-%02X-04" % i  # every NIC has its own MAC
        host["sfb_edge_external_nic"]["mac"] = "00-15-5D-1E-%02X-05" % i
        first = 40 + 3 * i
        host["sfb_edge_external_nic"]["addresses"] = {
            "access": "192.0.2.%d/24" % first, "webconf": "192.0.2.%d/24" % (first + 1), "av": "192.0.2.%d/24" % (first + 2)}
        inv["edge%02d" % i] = host
    return inv


def second_pool():
    """Another valid HLB pool (edge03, edge04) on the same DMZ subnets and firewalls as example()."""
    source = inventory_data.example()
    inv = {}
    for old, new, n in (("edge01", "edge03", 41), ("edge02", "edge04", 51)):
        host = source[old]
        host["sfb_edge_pool_fqdn"] = "edgepool2.corp.example.com"
        host["sfb_edge_hlb_vips"] = {"internal": "172.16.10.20", "access": "192.0.2.60", "webconf": "192.0.2.61",
                                     "av": "192.0.2.62"}
        host["sfb_edge_internal_nic"]["address"] = "172.16.10.%d/24" % n
        host["sfb_edge_internal_nic"]["mac"] = "00-15-5D-2E-8C-%02X" % n  # every NIC has its own MAC
        host["sfb_edge_external_nic"]["mac"] = "00-15-5D-2E-8D-%02X" % n
        host["sfb_edge_external_nic"]["addresses"] = {
            "access": "192.0.2.%d/24" % n, "webconf": "192.0.2.%d/24" % (n + 1), "av": "192.0.2.%d/24" % (n + 2)}
        inv[new] = host
    return inv


def public_single(**nat):
    """single() with three public addresses on the NIC (so NAT findings stand alone)."""
    inv = single(**{"sfb_edge_external_nic.addresses": {
        "access": "198.51.100.10/24", "webconf": "198.51.100.11/24", "av": "198.51.100.12/24"}})
    set_pool(inv, "sfb_edge_external_gateway", "198.51.100.1")
    host_set(inv, SINGLE, "sfb_edge_external_nat", nat or None)
    return inv


# --------------------------------------------------------------------------- valid inventories

@pytest.mark.parametrize("factory", [inventory_data.example, inventory_data.single, inventory_data.dns_pool])
def test_shipped_inventories_have_no_findings(factory):
    assert run(factory()) == []


def test_two_pools_together_have_no_findings():
    inv = inventory_data.example()
    inv.update(inventory_data.single())
    inv.update(second_pool())
    assert run(inv) == []


def test_helper_pools_are_valid():
    assert run(dns_pool_of(12)) == []
    assert run(public_single(access="203.0.113.10", webconf="203.0.113.11", av="203.0.113.12")) == []


# --------------------------------------------------------------------------- inventory shape

@pytest.mark.parametrize("hostvars", [None, [], ["edge01"], "edge01", 42, ("edge01",)])
def test_inventory_not_a_mapping_is_one_error(hostvars):
    findings = run(hostvars)
    assert keys(findings) == [(E, "invalid_value", "inventory", "edge_servers")]
    assert type(hostvars).__name__ in findings[0]["message"]
    assert "mapping" in findings[0]["message"]


def test_empty_inventory_is_one_error():
    findings = run({})
    assert keys(findings) == [(E, "missing_variable", "inventory", "edge_servers")]
    assert "edge_servers" in findings[0]["message"]


def test_host_without_variables_is_reported_not_raised():
    findings = run({"edge01": None})
    assert keys(findings) == [(E, "missing_variable", "edge01", "sfb_edge_pool_fqdn")]
    assert "group vars" in findings[0]["message"]


# --------------------------------------------------------------------------- missing_variable

@pytest.mark.parametrize("variable", model.REQUIRED_POOL_VARS[1:])
def test_missing_variable_pool(variable):
    inv = example(**{variable: None})
    check(inv, [(E, "missing_variable", "edge01", variable)], needles=[POOL, "group vars"])


def test_missing_variable_pool_fqdn_is_reported_per_host():
    inv = example(sfb_edge_pool_fqdn=None)
    check(inv, [(E, "missing_variable", "edge01", "sfb_edge_pool_fqdn"),
                (E, "missing_variable", "edge02", "sfb_edge_pool_fqdn")],
          needles=["sfb_edge_pool_fqdn", "edgepool.corp.example.com"])


@pytest.mark.parametrize("path, variable, needle", [
    ("sfb_edge_internal_nic", "sfb_edge_internal_nic", "address"),
    ("sfb_edge_external_nic", "sfb_edge_external_nic", "addresses"),
    ("sfb_edge_internal_nic.address", "sfb_edge_internal_nic.address", "internal NIC address"),
    ("sfb_edge_internal_nic.name", "sfb_edge_internal_nic.name", "Get-NetAdapter"),
    ("sfb_edge_external_nic.name", "sfb_edge_external_nic.name", "Get-NetAdapter"),
    ("sfb_edge_external_nic.addresses", "sfb_edge_external_nic.addresses.access", "access:"),
    ("sfb_edge_external_nic.addresses.access", "sfb_edge_external_nic.addresses.access", "access:"),
    ("sfb_edge_external_nic.addresses.av", "sfb_edge_external_nic.addresses.av", "give av too"),
    ("sfb_edge_external_nic.addresses.webconf", "sfb_edge_external_nic.addresses.webconf", "give webconf too"),
])
def test_missing_variable_host(path, variable, needle):
    inv = host_set(example(), "edge01", path, None)
    check(inv, [(E, "missing_variable", "edge01", variable)], needles=[needle])


def test_missing_variable_fqdn_when_inventory_name_is_an_ip():
    inv = {"192.168.50.20": inventory_data.single()[SINGLE]}
    check(inv, [(E, "missing_variable", "192.168.50.20", "sfb_edge_fqdn")], needles=["'192.168.50.20'", "sfb_edge_fqdn"])


def test_missing_variable_not_for_single_ip_mode_or_derived_fqdn():
    # single(): only the access address and no sfb_edge_fqdn (derived from the name + suffix).
    assert "sfb_edge_fqdn" not in inventory_data.single()[SINGLE]
    assert run(inventory_data.single()) == []
    inv = {"192.168.50.20": dict(inventory_data.single()[SINGLE], sfb_edge_fqdn="sfbedge01.corp.example.org")}
    assert run(inv) == []


# --------------------------------------------------------------------------- invalid_value

@pytest.mark.parametrize("variable, value, needles", [
    ("sfb_edge_version", "sfb2016", ["'sfb2016'", "lync2013, sfb2015, sfb2019, sfbse"]),
    ("sfb_edge_xmpp", "maybe", ["'maybe'", "true or false"]),
    ("sfb_edge_san_include_av", 2, ["2", "true or false"]),
    ("sfb_edge_routes_summarize", [True], ["[True]", "true or false"]),
    ("sfb_edge_san_limit", -1, ["-1", "default is 100"]),
    ("sfb_edge_san_size_limit", "big", ["'big'", "default is 4096"]),
    ("sfb_edge_certificate_warn_days", 1.5, ["1.5", "default is 30", "whole number of days"]),
    ("sfb_edge_certificate_warn_days", -1, ["-1", "default is 30", "0 turns the expiry warnings off"]),
    ("sfb_edge_sip_domains", "example.com", ["'example.com'", "non-empty list"]),
    ("sfb_edge_external_fqdns", ["sip.example.com"], ["['sip.example.com']", "{access, webconf, av}"]),
    ("sfb_edge_external_gateway", "192.0.2.256", ["'192.0.2.256'", "firewall's address"]),
    ("sfb_edge_external_dns_servers", "198.51.100.53", ["'198.51.100.53'", "list of IPv4"]),
])
def test_invalid_value_pool(variable, value, needles):
    check(example(**{variable: value}), [(E, "invalid_value", "edge01", variable)], needles=needles)


@pytest.mark.parametrize("variable, value, reported, needles", [
    ("sfb_edge_external_dns_servers", ["198.51.100.53", "dns.example.com"], "sfb_edge_external_dns_servers[1]",
     ["'dns.example.com'", "IPv4 address"]),
    ("sfb_edge_internal_networks", ["10.10.0.0/16", "10.20.0.0/16", "10.30.0.0/20", "10.40.0.0"],
     "sfb_edge_internal_networks[3]", ["'10.40.0.0'", "'10.40.0.0/24'"]),
    ("sfb_edge_hlb_vips", {"internal": "172.16.10.10", "access": "192.0.2.10", "webconf": "192.0.2.11",
                           "av": "192.0.2.12", "xmpp": "192.0.2.13"}, "sfb_edge_hlb_vips.xmpp", ["'xmpp'", "webconf"]),
])
def test_invalid_value_pool_entry(variable, value, reported, needles):
    check(example(**{variable: value}), [(E, "invalid_value", "edge01", reported)], needles=needles)


@pytest.mark.parametrize("variable, value, reported, needle, also", [
    # A broken value also empties what depends on it: the consequences are reported too.
    ("sfb_edge_hlb_vips", "192.0.2.10", "sfb_edge_hlb_vips", "'192.0.2.10' must be a dict",
     [(E, "hlb_without_vips", "edge01", "sfb_edge_hlb_vips")]),
    ("sfb_edge_hlb_vips", {"internal": "172.16.10.10", "access": "192.0.2.10", "webconf": "192.0.2.11",
                           "av": "192.0.2.300"}, "sfb_edge_hlb_vips.av", "'192.0.2.300'",
     [(E, "hlb_without_vips", "edge01", "sfb_edge_hlb_vips")]),
    ("sfb_edge_internal_hosts", {"ip": "10.10.1.20", "names": ["dirpool.corp.example.com"]}, "sfb_edge_internal_hosts",
     "must be a list of {ip, names}", []),  # no follow-on next_hop_unresolvable noise
    ("sfb_edge_internal_gateway", "172.16.10.999", "sfb_edge_internal_gateway", "'172.16.10.999'", []),
    ("sfb_edge_load_balancing", "round-robin", "sfb_edge_load_balancing", "'round-robin' is not valid; use none",
     [(W, "vips_without_hlb", "edge01", "sfb_edge_hlb_vips")]),
])
def test_invalid_value_pool_with_consequences(variable, value, reported, needle, also):
    check(example(**{variable: value}), [(E, "invalid_value", "edge01", reported)] + also, needles=[needle])


@pytest.mark.parametrize("path, value, reported, needles", [
    ("sfb_edge_internal_nic", "172.16.10.11/24", "sfb_edge_internal_nic", ["'172.16.10.11/24'", "{name, address}"]),
    ("sfb_edge_internal_nic.address", "172.16.10.11", "sfb_edge_internal_nic.address",
     ["'172.16.10.11'", "'10.10.1.10/24'"]),
    ("sfb_edge_internal_nic.address", "172.16.10.0/24", "sfb_edge_internal_nic.address",
     ["'172.16.10.0/24'", "network or broadcast"]),
    ("sfb_edge_internal_nic.address", "172.16.10.11/32", "sfb_edge_internal_nic.address", ["/32", "real subnet prefix"]),
    ("sfb_edge_external_nic", ["External"], "sfb_edge_external_nic", ["['External']", "{name, addresses}"]),
    ("sfb_edge_external_nic.addresses.xmpp", "192.0.2.24/24", "sfb_edge_external_nic.addresses.xmpp",
     ["'xmpp'", "access, webconf and av"]),
    ("sfb_edge_external_nic.addresses.av", "192.0.2.23/33", "sfb_edge_external_nic.addresses.av",
     ["'192.0.2.23/33'", "not a valid IPv4"]),
])
def test_invalid_value_host(path, value, reported, needles):
    inv = host_set(example(), "edge01", path, value)
    check(inv, [(E, "invalid_value", "edge01", reported)], needles=needles)


@pytest.mark.parametrize("nat, reported, needles", [
    ("203.0.113.10", "sfb_edge_external_nat", ["'203.0.113.10'", "{access, webconf, av}"]),
    ({"access": "203.0.113.10", "sip": "203.0.113.11"}, "sfb_edge_external_nat.sip", ["'sip'"]),
    ({"access": "203.0.113"}, "sfb_edge_external_nat.access", ["'203.0.113'", "IPv4 address"]),
])
def test_invalid_value_nat(nat, reported, needles):
    expected = [(E, "invalid_value", SINGLE, reported)]
    if reported != "sfb_edge_external_nat.sip":
        # no usable public address left for the private access address
        expected.append((E, "private_external_address", SINGLE, "sfb_edge_external_nic.addresses.access"))
    check(single(sfb_edge_external_nat=nat), expected, needles=needles)


def test_invalid_value_not_for_equivalent_spellings():
    """Booleans as yes/no strings, integers as strings and a bare default all parse."""
    inv = example(sfb_edge_xmpp="no", sfb_edge_san_include_av="false", sfb_edge_routes_summarize="Yes",
                  sfb_edge_san_limit="100", sfb_edge_san_size_limit=" 4096 ", sfb_edge_certificate_warn_days=0)
    assert run(inv) == []
    assert run(example(sfb_edge_version=None)) == []  # default sfb2019


# --------------------------------------------------------------------------- invalid_fqdn / invalid_sip_domain

@pytest.mark.parametrize("variable, value, reported", [
    ("sfb_edge_dns_suffix", "corp_example.com", "sfb_edge_dns_suffix"),
    ("sfb_edge_next_hop_fqdn", "dirpool", "sfb_edge_next_hop_fqdn"),
    ("sfb_edge_external_fqdns", {"access": "sip.example.com", "webconf": "webconf..example.com",
                                 "av": "av.example.com"}, "sfb_edge_external_fqdns.webconf"),
])
def test_invalid_fqdn_pool(variable, value, reported):
    bad = value["webconf"] if isinstance(value, dict) else value
    check(example(**{variable: value}), [(E, "invalid_fqdn", "edge01", reported)], needles=[repr(bad)])


def test_invalid_fqdn_pool_name():
    check(example(sfb_edge_pool_fqdn="edgepool"), [(E, "invalid_fqdn", "edge01", "sfb_edge_pool_fqdn")],
          needles=["'edgepool'", "edgepool.corp.example.com"])


def test_invalid_fqdn_server():
    inv = host_set(example(), "edge01", "sfb_edge_fqdn", "edge01.corp.example.com-")
    check(inv, [(E, "invalid_fqdn", "edge01", "sfb_edge_fqdn")], needles=["'edge01.corp.example.com-'", "<hostname>"])


def test_invalid_fqdn_internal_hosts():
    hosts = inventory_data.example()["edge01"]["sfb_edge_internal_hosts"] + [{"ip": "10.10.1.30", "names": ["fe 03"]}]
    check(example(sfb_edge_internal_hosts=hosts),
          [(E, "invalid_fqdn", "edge01", "sfb_edge_internal_hosts")],
          needles=["'fe 03'", "{ip: 10.1.1.10, names: [fe01.corp.example.com]}"])


def test_invalid_fqdn_not_for_trailing_dot_or_capitals():
    inv = example(sfb_edge_pool_fqdn="EdgePool.Corp.Example.com.", sfb_edge_dns_suffix="CORP.example.com.",
                  sfb_edge_next_hop_fqdn="DirPool.corp.example.com.")
    host_set(inv, "edge01", "sfb_edge_fqdn", "Edge01.corp.example.com.")
    assert run(inv) == []


def test_invalid_sip_domain():
    check(example(sfb_edge_sip_domains=["example.com", "exa mple.net"]),
          [(E, "invalid_sip_domain", "edge01", "sfb_edge_sip_domains[1]")],
          needles=["'exa mple.net'", "such as example.com"])


def test_invalid_sip_domain_not_for_capitals_and_trailing_dot():
    assert run(example(sfb_edge_sip_domains=["Example.COM", "example.net."])) == []


# Regression: SIP domains were de-duplicated before normalising ('Example.com.' was kept twice).
def test_sip_domains_are_deduplicated_after_normalising():
    inv = example(sfb_edge_sip_domains=["example.com", "Example.com.", "example.net"])
    pool = model.load(inv)[0][0]
    assert pool.sip_domains == ["example.com", "example.net"]


# --------------------------------------------------------------------------- unknown / ignored variables

def test_unknown_variable():
    inv = host_set(example(), "edge01", "sfb_edge_pool_fdqn", "edgepool.corp.example.com")
    check(inv, [(W, "unknown_variable", "edge01", "sfb_edge_pool_fdqn")],
          needles=["'sfb_edge_pool_fdqn'", "typo", "sfb_edge_pool_fqdn"])


def test_unknown_variable_not_for_playbook_or_foreign_variables():
    inv = example(sfb_edge_plan_dir="/tmp/plan", ansible_host="192.0.2.21", edge_fqdn="x")
    assert run(inv) == []


@pytest.mark.parametrize("key, value, hint", [
    ("gateway", "192.0.2.1", "sfb_edge_external_gateway"),
    ("dns_servers", ["198.51.100.53"], "sfb_edge_external_dns_servers"),
])
def test_ignored_variable(key, value, hint):
    inv = host_set(example(), "edge01", "sfb_edge_external_nic." + key, value)
    check(inv, [(W, "ignored_variable", "edge01", "sfb_edge_external_nic." + key)], needles=["is ignored", hint])


@pytest.mark.parametrize("value", ["", []])
def test_ignored_variable_not_for_empty_values(value):
    inv = host_set(example(), "edge01", "sfb_edge_external_nic.gateway", value)
    host_set(inv, "edge01", "sfb_edge_external_nic.dns_servers", value)
    assert run(inv) == []


# --------------------------------------------------------------------------- pool structure

def test_pool_mixed_settings():
    inv = host_set(example(), "edge02", "sfb_edge_sip_domains", ["example.com"])
    [finding] = check(inv, [(E, "pool_mixed_settings", POOL, "sfb_edge_sip_domains")],
                      needles=["['example.com', 'example.net'] on edge01", "['example.com'] on edge02", "group vars"])
    assert finding["pool"] == POOL


def test_pool_mixed_settings_when_set_on_one_server_only():
    inv = host_set(example(), "edge02", "sfb_edge_xmpp", True)
    check(inv, [(E, "pool_mixed_settings", POOL, "sfb_edge_xmpp")], needles=["False on edge01", "True on edge02"])


def test_pool_mixed_settings_not_for_case_or_whitespace():
    inv = host_set(example(), "edge02", "sfb_edge_sip_domains", ["Example.com ", "EXAMPLE.NET"])
    host_set(inv, "edge02", "sfb_edge_version", "sfb2019")  # explicit value equal to the default
    host_set(inv, "edge01", "sfb_edge_version", None)
    assert run(inv) == []


def test_pool_mixed_settings_single_ip_and_three_ip_servers():
    inv = host_set(dns_pool(), "edge02", "sfb_edge_external_nic.addresses", {"access": "192.0.2.31/24"})
    check(inv, [(E, "pool_mixed_settings", "edge01", "sfb_edge_external_nic.addresses")],
          needles=["single-IP servers (edge02)", "three-IP servers (edge01)", "same mode"])


def test_pool_mixed_settings_nat_on_some_servers():
    inv = host_set(dns_pool(), "edge02", "sfb_edge_external_nat",
                   {"access": "203.0.113.31", "webconf": "203.0.113.32", "av": "203.0.113.33"})
    check(inv, [(E, "pool_mixed_settings", "edge01", "sfb_edge_external_nat"),
                (W, "nat_with_dns_lb", "edge02", "sfb_edge_external_nat")],
          needles=["is set on edge02 but not on edge01", "all behind NAT or none"])


def test_pool_mixed_settings_not_for_a_uniform_pool():
    inv = dns_pool()
    for host in inv:
        host_set(inv, host, "sfb_edge_external_nic.addresses.webconf", None)
        host_set(inv, host, "sfb_edge_external_nic.addresses.av", None)
    assert run(inv) == []  # all single-IP
    assert only(run(with_nat(dns_pool())), "pool_mixed_settings") == []  # all behind NAT


def test_pool_too_large():
    check(dns_pool_of(13), [(E, "pool_too_large", "edge01", "sfb_edge_pool_fqdn")],
          needles=["13 servers", "at most 12", "split"])


def test_pool_too_large_not_at_twelve():
    assert run(dns_pool_of(12)) == []


def test_load_balancing_none_with_pool():
    check(dns_pool(sfb_edge_load_balancing="none"),
          [(E, "load_balancing_none_with_pool", "edge01", "sfb_edge_load_balancing")],
          needles=["'none'", "2 servers (edge01, edge02)", "use dns or hlb"])


def test_load_balancing_defaults_to_dns_for_a_pool_and_none_for_one_server():
    assert run(dns_pool(sfb_edge_load_balancing=None)) == []
    inv = single(sfb_edge_load_balancing=None)
    assert run(inv) == []
    assert model.load(inv)[0][0].load_balancing == "none"
    assert model.load(dns_pool(sfb_edge_load_balancing=None))[0][0].load_balancing == "dns"


def test_hlb_without_vips():
    vips = {"internal": "172.16.10.10", "access": "192.0.2.10", "webconf": "192.0.2.11"}
    check(example(sfb_edge_hlb_vips=vips), [(E, "hlb_without_vips", "edge01", "sfb_edge_hlb_vips")],
          needles=["VIP(s) av are not set", "av: <ip>"])


def test_hlb_without_vips_entirely():
    check(example(sfb_edge_hlb_vips=None), [(E, "hlb_without_vips", "edge01", "sfb_edge_hlb_vips")],
          needles=["internal, access, webconf, av are not set"])


def test_hlb_without_vips_not_for_single_ip_hlb_pool():
    """Single-IP mode with an HLB needs only the internal and the access VIP."""
    inv = example(sfb_edge_hlb_vips={"internal": "172.16.10.10", "access": "192.0.2.10"})
    for host in inv:
        host_set(inv, host, "sfb_edge_external_nic.addresses.webconf", None)
        host_set(inv, host, "sfb_edge_external_nic.addresses.av", None)
    assert run(inv) == []
    assert plan.build(inv)[POOL]["public_ips"]["count"] == 3


def test_vips_without_hlb():
    inv = dns_pool(sfb_edge_hlb_vips=inventory_data.example()["edge01"]["sfb_edge_hlb_vips"])
    check(inv, [(W, "vips_without_hlb", "edge01", "sfb_edge_hlb_vips")],
          needles=["'dns'", "sfb_edge_load_balancing: hlb", "remove sfb_edge_hlb_vips"])


def test_vips_without_hlb_not_for_empty_vips():
    assert run(dns_pool(sfb_edge_hlb_vips={})) == []


# --------------------------------------------------------------------------- version features

@pytest.mark.parametrize("version", ["sfb2019", "sfbse"])
def test_xmpp_unsupported(version):
    inv = single(sfb_edge_version=version)  # single() has sfb_edge_xmpp: true
    check(inv, [(E, "xmpp_unsupported", SINGLE, "sfb_edge_xmpp")], needles=[version, "sfb_edge_xmpp: false"])


@pytest.mark.parametrize("version", ["lync2013", "sfb2015"])
def test_xmpp_supported(version):
    assert run(single(sfb_edge_version=version)) == []


def test_xmpp_unsupported_not_when_xmpp_off():
    assert run(single(sfb_edge_version="sfbse", sfb_edge_xmpp=False)) == []


@pytest.mark.parametrize("version", ["sfb2015", "sfb2019", "sfbse"])
def test_ocs2007_federation_ignored(version):
    inv = single(sfb_edge_version=version, sfb_edge_xmpp=False, sfb_edge_ocs2007_federation=True)
    check(inv, [(W, "ocs2007_federation_ignored", SINGLE, "sfb_edge_ocs2007_federation")],
          needles=[version, "lync2013"])


def test_ocs2007_federation_not_ignored_for_lync2013():
    assert run(single(sfb_edge_version="lync2013", sfb_edge_ocs2007_federation=True)) == []


# --------------------------------------------------------------------------- certificate size limits

# example(): sip.example.com, webconf.example.com, sip.example.net -> 3 names, (15+2)+(19+2)+(15+2) = 55 bytes.

def test_san_count_limit():
    check(example(sfb_edge_san_limit=2), [(E, "san_count_limit", "edge01", "sfb_edge_sip_domains")],
          needles=["needs 3 names (2 SIP domains)", "allows 2", "split SIP domains"])


def test_san_count_limit_not_at_the_limit():
    assert run(example(sfb_edge_san_limit=3)) == []


def test_san_count_limit_counts_xmpp_domains_and_av():
    # single(): sip.example.org, webconf.example.org, example.org (XMPP) + av.example.org = 4
    inv = single(sfb_edge_san_limit=3, sfb_edge_san_include_av=True)
    check(inv, [(E, "san_count_limit", SINGLE, "sfb_edge_sip_domains")], needles=["needs 4 names", "allows 3"])
    assert run(single(sfb_edge_san_limit=4, sfb_edge_san_include_av=True)) == []


def test_san_size_limit():
    check(example(sfb_edge_san_size_limit=54), [(E, "san_size_limit", "edge01", "sfb_edge_sip_domains")],
          needles=["need 55 bytes", "may hold 54", "reduce SIP domains"])


def test_san_size_limit_not_at_the_limit():
    assert run(example(sfb_edge_san_size_limit=55)) == []


def test_san_size_limit_default_is_4096():
    # 2 fixed names (17 + 21 bytes) + 110 * (len("sip.sip-domain-number-NNN.example.com") + 2) = 38 + 110 * 39
    domains = ["sip-domain-number-%03d.example.com" % i for i in range(110)]
    size = 17 + 21 + sum(len("sip." + d) + 2 for d in domains)
    assert size == 4328
    check(example(sfb_edge_sip_domains=domains, sfb_edge_san_limit=1000),
          [(E, "san_size_limit", "edge01", "sfb_edge_sip_domains")], needles=["need %d bytes" % size, "may hold 4096"])
    assert run(example(sfb_edge_sip_domains=domains[:100], sfb_edge_san_limit=1000)) == []


# --------------------------------------------------------------------------- DNS servers and routes

@pytest.mark.parametrize("address", ["10.0.0.53", "172.20.0.53", "192.168.1.53", "100.64.0.53", "169.254.0.53"])
def test_private_dns_server(address):
    check(example(sfb_edge_external_dns_servers=["198.51.100.53", address]),
          [(W, "private_dns_server", "edge01", "sfb_edge_external_dns_servers[1]")],
          needles=[address, "public DNS servers"])


@pytest.mark.parametrize("address", ["192.0.2.53", "203.0.113.53", "8.8.8.8", "172.32.0.53", "100.128.0.53"])
def test_private_dns_server_not_for_public_addresses(address):
    assert run(example(sfb_edge_external_dns_servers=[address])) == []


@pytest.mark.parametrize("value", [[], None])
def test_no_dns_servers(value):
    check(example(sfb_edge_external_dns_servers=value), [(W, "no_dns_servers", "edge01", "sfb_edge_external_dns_servers")],
          needles=["is empty", "public DNS servers"])


def test_no_dns_servers_not_when_the_variable_is_broken():
    check(example(sfb_edge_external_dns_servers={"primary": "198.51.100.53"}),
          [(E, "invalid_value", "edge01", "sfb_edge_external_dns_servers")])


# Regression: a list of only invalid DNS servers also got no_dns_servers ('is empty').
def test_no_dns_servers_not_when_every_entry_is_invalid():
    check(example(sfb_edge_external_dns_servers=["dns.example.net"]),
          [(E, "invalid_value", "edge01", "sfb_edge_external_dns_servers[0]")])


def test_default_route_internal():
    networks = ["10.10.0.0/16", "10.20.0.0/16", "10.30.0.0/20", "0.0.0.0/0"]
    check(example(sfb_edge_internal_networks=networks),
          [(E, "default_route_internal", "edge01", "sfb_edge_internal_networks[3]")],
          needles=["0.0.0.0/0", "second default route", "List the internal networks"])


def test_default_route_internal_not_for_half_the_address_space():
    assert run(example(sfb_edge_internal_networks=["0.0.0.0/1"])) == []


def test_next_hop_unresolvable():
    check(example(sfb_edge_next_hop_fqdn="dir99.corp.example.com"),
          [(E, "next_hop_unresolvable", "edge01", "sfb_edge_internal_hosts")],
          needles=["dir99.corp.example.com", "names: [dir99.corp.example.com]"])


def test_next_hop_resolvable_in_any_case():
    assert run(example(sfb_edge_next_hop_fqdn="FEPool.Corp.Example.com.")) == []


def test_no_internal_networks():
    hosts = [{"ip": "172.16.10.50", "names": ["dirpool.corp.example.com"]}]
    check(example(sfb_edge_internal_networks=[], sfb_edge_internal_hosts=hosts),
          [(W, "no_internal_networks", "edge01", "sfb_edge_internal_networks")],
          needles=["is empty", "List every internal network"])
    # unset is the same as empty
    check(example(sfb_edge_internal_networks=None, sfb_edge_internal_hosts=hosts),
          [(W, "no_internal_networks", "edge01", "sfb_edge_internal_networks")])


def test_no_internal_networks_not_with_one_network():
    hosts = [{"ip": "172.16.10.50", "names": ["dirpool.corp.example.com"]}]
    assert run(example(sfb_edge_internal_networks=["10.10.0.0/16"], sfb_edge_internal_hosts=hosts)) == []


# --------------------------------------------------------------------------- server names and NICs

@pytest.mark.parametrize("name, length", [("edge0123456789ab", 16), ("a-very-long-edge-server-name", 28)])
def test_hostname_too_long(name, length):
    inv = host_set(example(), "edge01", "sfb_edge_fqdn", name + ".corp.example.com")
    check(inv, [(E, "hostname_too_long", "edge01", "sfb_edge_fqdn")],
          needles=[repr(name), "%d characters" % length, "at most 15"])


def test_hostname_too_long_when_derived_from_the_inventory_name():
    inv = inventory_data.example()
    inv["edge-server-0001"] = inv.pop("edge01")
    check(inv, [(E, "hostname_too_long", "edge-server-0001", "sfb_edge_fqdn")], needles=["'edge-server-0001'"])


def test_hostname_of_fifteen_characters_is_fine():
    inv = host_set(example(), "edge01", "sfb_edge_fqdn", "edge0123456789a.corp.example.com")
    assert run(inv) == []
    inv = inventory_data.example()
    inv["edge0123456789a.corp.example.com"] = inv.pop("edge01")  # FQDN inventory name: first label counts
    assert run(inv) == []


# Regression: an FQDN derived from the inventory name was never checked ('edge_01' went into the plan).
def test_derived_fqdn_is_validated():
    inv = inventory_data.example()
    inv["edge_01"] = inv.pop("edge01")
    findings = run(inv)
    assert [(f["code"], f["host"], f["variable"]) for f in validate.errors(findings)] == [
        ("invalid_fqdn", "edge_01", "sfb_edge_fqdn")]
    assert "edge_01" in findings[0]["message"]


def test_fqdn_suffix_mismatch():
    inv = host_set(example(), "edge01", "sfb_edge_fqdn", "edge01.dmz.example.com")
    check(inv, [(E, "fqdn_suffix_mismatch", "edge01", "sfb_edge_fqdn")],
          needles=["edge01.dmz.example.com", "corp.example.com", "<hostname>.<sfb_edge_dns_suffix>"])


def test_fqdn_suffix_mismatch_needs_a_label_boundary():
    inv = host_set(example(), "edge01", "sfb_edge_fqdn", "edge01.notcorp.example.com")
    check(inv, [(E, "fqdn_suffix_mismatch", "edge01", "sfb_edge_fqdn")])


def test_fqdn_suffix_matches_in_any_case():
    inv = host_set(example(), "edge01", "sfb_edge_fqdn", "EDGE01.Corp.Example.com.")
    assert run(inv) == []


@pytest.mark.parametrize("name", ["Internal", " Internal "])
def test_same_nic(name):
    inv = host_set(example(), "edge01", "sfb_edge_external_nic.name", name)
    check(inv, [(E, "same_nic", "edge01", "sfb_edge_external_nic.name")], needles=["'Internal'", "two NICs"])


def test_same_nic_not_for_two_names():
    assert run(host_set(example(), "edge01", "sfb_edge_external_nic.name", "Internal 2")) == []


# --------------------------------------------------------------------------- gateways

def test_gateway_outside_subnet_internal():
    check(example(sfb_edge_internal_gateway="172.16.11.1"),
          [(E, "gateway_outside_subnet", "edge01", "sfb_edge_internal_gateway"),
           (E, "gateway_outside_subnet", "edge02", "sfb_edge_internal_gateway")],
          needles=["172.16.11.1", "172.16.10.0/24", "next hop on that subnet"])


def test_gateway_outside_subnet_internal_on_one_server():
    inv = host_set(example(), "edge02", "sfb_edge_internal_nic.address", "172.16.10.18/28")
    check(inv, [(E, "gateway_outside_subnet", "edge02", "sfb_edge_internal_gateway")],
          needles=["172.16.10.1 is outside edge02's internal NIC subnet 172.16.10.16/28"])


def test_gateway_outside_subnet_external():
    expected = [(E, "gateway_outside_subnet", host, "sfb_edge_external_gateway") for host in ("edge01", "edge02")] * 3
    check(example(sfb_edge_external_gateway="198.51.100.1"), expected,
          needles=["198.51.100.1", "192.0.2.0/24", "default gateway must be on the external NIC's subnet"])


def test_gateway_inside_subnets_is_fine():
    assert run(example(sfb_edge_internal_gateway="172.16.10.254", sfb_edge_external_gateway="192.0.2.254")) == []


@pytest.mark.parametrize("key", ["gateway", "default_gateway"])
def test_gateway_on_internal_nic_key(key):
    inv = host_set(example(), "edge01", "sfb_edge_internal_nic." + key, "172.16.10.1")
    check(inv, [(E, "gateway_on_internal_nic", "edge01", "sfb_edge_internal_nic." + key)],
          needles=["'172.16.10.1'", "no default gateway", "remove this key"])


def test_gateway_on_internal_nic_external_gateway_in_internal_subnet():
    expected = [(E, "gateway_on_internal_nic", "edge01", "sfb_edge_external_gateway"),
                (E, "gateway_on_internal_nic", "edge02", "sfb_edge_external_gateway")]
    expected += [(E, "gateway_outside_subnet", host, "sfb_edge_external_gateway") for host in ("edge01", "edge02")] * 3
    check(example(sfb_edge_external_gateway="172.16.10.254"), expected,
          needles=["172.16.10.254", "172.16.10.0/24", "belongs on the external NIC"])


@pytest.mark.parametrize("value", [None, "", []])
def test_gateway_on_internal_nic_not_for_empty_key(value):
    inv = host_set(example(), "edge01", "sfb_edge_internal_nic.gateway", value)
    host_set(inv, "edge01", "sfb_edge_internal_nic.dns_servers", value)
    assert run(inv) == []


def test_dns_on_internal_nic():
    inv = host_set(example(), "edge01", "sfb_edge_internal_nic.dns_servers", ["10.10.1.5"])
    check(inv, [(E, "dns_on_internal_nic", "edge01", "sfb_edge_internal_nic.dns_servers")],
          needles=["['10.10.1.5']", "no DNS servers", "remove this key"])


# --------------------------------------------------------------------------- subnets and public addresses

def test_subnet_overlap():
    inv = single(**{"sfb_edge_internal_nic.address": "172.31.0.200/28", "sfb_edge_internal_gateway": "172.31.0.193"})
    check(inv, [(E, "subnet_overlap", SINGLE, "sfb_edge_external_nic.addresses.access")],
          needles=["172.31.0.0/24", "172.31.0.192/28", "must be separate"])


def test_subnet_overlap_not_for_adjacent_subnets():
    inv = single(**{"sfb_edge_internal_nic.address": "172.31.1.200/28", "sfb_edge_internal_gateway": "172.31.1.193"})
    assert run(inv) == []


def test_private_external_address_without_nat():
    check(single(sfb_edge_external_nat=None),
          [(E, "private_external_address", SINGLE, "sfb_edge_external_nic.addresses.access")],
          needles=["172.31.0.10", "sfb_edge_external_nat.access"])


def test_private_external_address_cgnat_without_nat():
    inv = single(sfb_edge_external_nat=None, **{"sfb_edge_external_nic.addresses.access": "100.64.0.10/24"})
    set_pool(inv, "sfb_edge_external_gateway", "100.64.0.1")
    check(inv, [(E, "private_external_address", SINGLE, "sfb_edge_external_nic.addresses.access")],
          needles=["100.64.0.10"])


def test_private_external_address_on_hlb_servers():
    inv = example(sfb_edge_external_gateway="172.20.0.1")
    for host, base in (("edge01", 21), ("edge02", 31)):
        host_set(inv, host, "sfb_edge_external_nic.addresses", {
            "access": "172.20.0.%d/24" % base, "webconf": "172.20.0.%d/24" % (base + 1), "av": "172.20.0.%d/24" % (base + 2)})
    expected = [(E, "private_external_address", host, "sfb_edge_external_nic.addresses." + service)
                for host in ("edge01", "edge02") for service in ("access", "webconf", "av")]
    findings = check(inv, expected)
    assert "172.20.0.21 is private, but servers of an HLB pool need public addresses" in findings[0]["message"]


def test_private_external_address_hlb_vip():
    vips = {"internal": "172.16.10.10", "access": "10.1.1.10", "webconf": "192.0.2.11", "av": "192.0.2.12"}
    check(example(sfb_edge_hlb_vips=vips), [(E, "private_external_address", "edge01", "sfb_edge_hlb_vips.access")],
          needles=["10.1.1.10", "must be public"])


def test_private_external_address_nat():
    check(single(**{"sfb_edge_external_nat.access": "192.168.99.10"}),
          [(E, "private_external_address", SINGLE, "sfb_edge_external_nat.access")],
          needles=["192.168.99.10", "public address the internet uses"])


def test_private_external_address_not_for_documentation_ranges_or_internal_vip():
    # example(): 192.0.2.0/24 on the NICs and VIPs, a private internal VIP; single(): NAT to 203.0.113.10
    assert run(inventory_data.example()) == []
    assert run(inventory_data.single()) == []
    inv = dns_pool(sfb_edge_external_gateway="198.51.100.1")
    for host, base in (("edge01", 21), ("edge02", 31)):
        host_set(inv, host, "sfb_edge_external_nic.addresses", {
            "access": "198.51.100.%d/24" % base, "webconf": "198.51.100.%d/24" % (base + 1),
            "av": "198.51.100.%d/24" % (base + 2)})
    assert run(inv) == []


def test_external_subnets_differ():
    inv = host_set(example(), "edge01", "sfb_edge_external_nic.addresses.webconf", "192.0.2.22/25")
    check(inv, [(E, "external_subnets_differ", "edge01", "sfb_edge_external_nic.addresses")],
          needles=["192.0.2.0/24, 192.0.2.0/25", "external DMZ subnet"])


def test_external_subnets_same_in_single_ip_mode():
    assert run(inventory_data.single()) == []
    inv = host_set(example(), "edge01", "sfb_edge_external_nic.addresses.webconf", "192.0.2.22/24")
    assert run(inv) == []


# --------------------------------------------------------------------------- NAT

def with_nat(inv):
    """NAT on every server: public 203.0.113.x for the 192.0.2.x NIC addresses (whatever those are)."""
    for host in inv:
        addresses = inv[host]["sfb_edge_external_nic"]["addresses"]
        host_set(inv, host, "sfb_edge_external_nat", {
            service: "203.0.113." + address.split("/")[0].split(".")[-1] for service, address in addresses.items()})
    return inv


def test_nat_with_hlb():
    check(with_nat(example()),
          [(E, "nat_with_hlb", "edge01", "sfb_edge_external_nat"), (E, "nat_with_hlb", "edge02", "sfb_edge_external_nat")],
          needles=[POOL, "hardware load balancer", "Remove sfb_edge_external_nat"])


def test_nat_with_hlb_not_without_nat():
    inv = host_set(example(), "edge01", "sfb_edge_external_nat", {})
    host_set(inv, "edge02", "sfb_edge_external_nat", None)
    assert run(inv) == []


def test_nat_with_dns_lb_is_a_warning_only():
    check(with_nat(dns_pool()),
          [(W, "nat_with_dns_lb", "edge01", "sfb_edge_external_nat"), (W, "nat_with_dns_lb", "edge02", "sfb_edge_external_nat")],
          needles=["symmetric NAT", "topology"])


def test_nat_with_dns_lb_behind_private_addresses():
    inv = dns_pool(sfb_edge_external_gateway="172.20.0.1")
    for host, base in (("edge01", 21), ("edge02", 31)):
        host_set(inv, host, "sfb_edge_external_nic.addresses", {
            "access": "172.20.0.%d/24" % base, "webconf": "172.20.0.%d/24" % (base + 1), "av": "172.20.0.%d/24" % (base + 2)})
        host_set(inv, host, "sfb_edge_external_nat", {
            "access": "203.0.113.%d" % base, "webconf": "203.0.113.%d" % (base + 1), "av": "203.0.113.%d" % (base + 2)})
    findings = check(inv, [(W, "nat_with_dns_lb", "edge01", "sfb_edge_external_nat"),
                           (W, "nat_with_dns_lb", "edge02", "sfb_edge_external_nat")])
    assert findings and validate.errors(run(inv)) == []
    assert plan.build(inv)[POOL]["public_ips"]["addresses"][:3] == ["203.0.113.21", "203.0.113.22", "203.0.113.23"]


def test_nat_with_dns_lb_not_for_a_single_server():
    assert run(inventory_data.single()) == []  # load balancing none, NAT


def test_nat_incomplete():
    check(public_single(access="203.0.113.10"), [(E, "nat_incomplete", SINGLE, "sfb_edge_external_nat")],
          needles=["webconf, av", "every edge service needs its public address"])


def test_nat_incomplete_with_private_addresses_reports_the_unmapped_ones_too():
    inv = single(**{"sfb_edge_external_nic.addresses": {
        "access": "172.31.0.10/24", "webconf": "172.31.0.11/24", "av": "172.31.0.12/24"}})
    check(inv, [(E, "nat_incomplete", SINGLE, "sfb_edge_external_nat"),
                (E, "private_external_address", SINGLE, "sfb_edge_external_nic.addresses.webconf"),
                (E, "private_external_address", SINGLE, "sfb_edge_external_nic.addresses.av")],
          needles=["webconf, av"])


def test_nat_complete():
    assert run(public_single(access="203.0.113.10", webconf="203.0.113.11", av="203.0.113.12")) == []
    assert run(inventory_data.single()) == []  # single-IP mode needs only access


# --------------------------------------------------------------------------- internal reachability

def with_internal_hosts(*extra, networks=None):
    hosts = inventory_data.example()["edge01"]["sfb_edge_internal_hosts"] + list(extra)
    inv = example(sfb_edge_internal_hosts=hosts)
    if networks is not None:
        set_pool(inv, "sfb_edge_internal_networks", networks)
    return inv


def test_unreachable_internal_host():
    inv = with_internal_hosts({"ip": "10.99.0.5", "names": ["med01.corp.example.com"]})
    check(inv, [(E, "unreachable_internal_host", "edge01", "sfb_edge_internal_hosts"),
                (E, "unreachable_internal_host", "edge02", "sfb_edge_internal_hosts")],
          needles=["10.99.0.5 (med01.corp.example.com)", "172.16.10.0/24", "add its network to sfb_edge_internal_networks"])


def test_internal_host_reachable_through_a_network_or_on_link():
    networks = ["10.10.0.0/16", "10.20.0.0/16", "10.30.0.0/20", "10.99.0.0/16"]
    assert run(with_internal_hosts({"ip": "10.99.0.5", "names": ["med01.corp.example.com"]}, networks=networks)) == []
    assert run(with_internal_hosts({"ip": "172.16.10.50", "names": ["med01.corp.example.com"]})) == []


def test_unreachable_internal_host_default_route_does_not_count():
    networks = ["10.20.0.0/16", "10.30.0.0/20", "0.0.0.0/0"]
    findings = run(example(sfb_edge_internal_networks=networks))
    assert codes(findings) == ["default_route_internal", "unreachable_internal_host"]
    assert len(only(findings, "unreachable_internal_host")) == 12  # 6 hosts x 2 servers


@pytest.mark.parametrize("network, severity, needles", [
    ("192.0.2.0/25", E, ["192.0.2.0/25 overlaps the external DMZ subnet 192.0.2.0/24", "Remove or narrow"]),
    ("192.0.0.0/16", E, ["192.0.0.0/16 overlaps the external DMZ subnet 192.0.2.0/24"]),
    ("172.16.10.0/25", W, ["172.16.10.0/25 is inside the internal DMZ subnet 172.16.10.0/24", "Remove it"]),
    ("172.16.0.0/16", W, ["172.16.0.0/16 contains the internal DMZ subnet 172.16.10.0/24"]),
])
def test_internal_network_overlaps_dmz(network, severity, needles):
    networks = ["10.10.0.0/16", "10.20.0.0/16", "10.30.0.0/20", network]
    check(example(sfb_edge_internal_networks=networks),
          [(severity, "internal_network_overlaps_dmz", host, "sfb_edge_internal_networks[3]") for host in ("edge01", "edge02")],
          needles=needles)


@pytest.mark.parametrize("network", ["172.17.0.0/16", "192.0.3.0/24", "172.16.11.0/24"])
def test_internal_network_next_to_dmz_is_fine(network):
    assert run(example(sfb_edge_internal_networks=["10.10.0.0/16", "10.20.0.0/16", "10.30.0.0/20", network])) == []


def test_internal_host_on_external_subnet():
    inv = with_internal_hosts({"ip": "192.0.2.50", "names": ["fe03.corp.example.com"]})
    expected = [(E, "internal_host_on_external_subnet", host, "sfb_edge_internal_hosts") for host in ("edge01", "edge02")]
    expected += [(E, "unreachable_internal_host", host, "sfb_edge_internal_hosts") for host in ("edge01", "edge02")]
    check(inv, expected, needles=["192.0.2.50 (fe03.corp.example.com)", "192.0.2.0/24", "through the internal NIC"])


def test_internal_host_on_internal_subnet_is_fine():
    assert run(with_internal_hosts({"ip": "172.16.10.50", "names": ["fe03.corp.example.com"]})) == []


# --------------------------------------------------------------------------- duplicates

def test_duplicate_address_across_hosts():
    inv = host_set(example(), "edge02", "sfb_edge_internal_nic.address", "172.16.10.11/24")
    check(inv, [(E, "duplicate_address", "edge01", "sfb_edge_internal_nic.address"),
                (E, "duplicate_address", "edge02", "sfb_edge_internal_nic.address")],
          needles=["172.16.10.11 is used more than once", "edge01 sfb_edge_internal_nic.address",
                   "edge02 sfb_edge_internal_nic.address", "must be unique"])


def test_duplicate_address_across_roles_of_one_host():
    inv = host_set(example(), "edge01", "sfb_edge_external_nic.addresses.webconf", "192.0.2.21/24")
    check(inv, [(E, "duplicate_address", "edge01", "sfb_edge_external_nic.addresses.access"),
                (E, "duplicate_address", "edge01", "sfb_edge_external_nic.addresses.webconf")],
          needles=["192.0.2.21 is used more than once"])


@pytest.mark.parametrize("vip, address, server_variable", [
    ("access", "192.0.2.21", "sfb_edge_external_nic.addresses.access"),
    ("av", "192.0.2.33", "sfb_edge_external_nic.addresses.av"),
    ("internal", "172.16.10.12", "sfb_edge_internal_nic.address"),
])
def test_duplicate_address_vip_equals_server_address(vip, address, server_variable):
    vips = dict(inventory_data.example()["edge01"]["sfb_edge_hlb_vips"], **{vip: address})
    server = "edge01" if address.endswith("21") else "edge02"
    check(example(sfb_edge_hlb_vips=vips),
          [(E, "duplicate_address", POOL, "sfb_edge_hlb_vips." + vip), (E, "duplicate_address", server, server_variable)],
          needles=[address + " is used more than once"])


def test_duplicate_address_external_gateway_equals_edge_address():
    check(example(sfb_edge_external_gateway="192.0.2.21"),
          [(E, "duplicate_address", "edge01", "sfb_edge_external_nic.addresses.access")],
          needles=["192.0.2.21 is also the pool's sfb_edge_external_gateway"])


def test_duplicate_address_internal_gateway_equals_edge_address():
    check(example(sfb_edge_internal_gateway="172.16.10.11"),
          [(E, "duplicate_address", "edge01", "sfb_edge_internal_gateway"),
           (E, "duplicate_address", "edge01", "sfb_edge_internal_nic.address")],
          needles=["172.16.10.11 is edge01's own internal address"])


def test_duplicate_address_internal_gateway_equals_internal_vip():
    check(example(sfb_edge_internal_gateway="172.16.10.10"),
          [(E, "duplicate_address", POOL, "sfb_edge_hlb_vips.internal")],
          needles=["172.16.10.10 is also the pool's sfb_edge_internal_gateway"])


def test_duplicate_address_across_pools():
    inv = inventory_data.example()
    inv.update(inventory_data.single())
    host_set(inv, SINGLE, "sfb_edge_external_nat.access", "192.0.2.21")
    [finding] = check(inv, [(E, "duplicate_address", SINGLE, "sfb_edge_external_nat.access"),
                            (E, "duplicate_address", "edge01", "sfb_edge_external_nic.addresses.access")])
    assert finding["pool"] == SINGLE_POOL
    assert "edge01 sfb_edge_external_nic.addresses.access" in finding["message"]


def test_duplicate_address_not_for_gateways_shared_by_two_pools():
    inv = inventory_data.example()
    inv.update(second_pool())
    assert run(inv) == []


def test_duplicate_fqdn():
    inv = host_set(example(), "edge02", "sfb_edge_fqdn", "Edge01.corp.example.com.")
    check(inv, [(E, "duplicate_fqdn", "edge01", "sfb_edge_fqdn"), (E, "duplicate_fqdn", "edge02", "sfb_edge_fqdn")],
          needles=["edge01.corp.example.com is the FQDN of edge01, edge02", "its own FQDN"])


def test_duplicate_fqdn_across_pools():
    inv = inventory_data.example()
    inv.update(second_pool())
    host_set(inv, "edge03", "sfb_edge_fqdn", "edge01.corp.example.com")
    findings = check(inv, [(E, "duplicate_fqdn", "edge01", "sfb_edge_fqdn"), (E, "duplicate_fqdn", "edge03", "sfb_edge_fqdn")])
    assert {f["pool"] for f in run(inv)} == {POOL, "edgepool2.corp.example.com"}
    assert findings[0]["pool"] == POOL


def test_duplicate_fqdn_not_for_a_single_server_named_like_its_pool():
    assert model.load(inventory_data.single())[0][0].servers[0].fqdn == SINGLE_POOL
    assert run(inventory_data.single()) == []


# --------------------------------------------------------------------------- other code misclassifications

# Regression: the code was picked by searching 'FQDN' in the message, so a bad 'names' was invalid_fqdn.
@pytest.mark.parametrize("names", [[], 5])
def test_internal_hosts_names_not_a_list_is_invalid_value(names):
    hosts = inventory_data.example()["edge01"]["sfb_edge_internal_hosts"] + [{"ip": "10.10.1.30", "names": names}]
    check(example(sfb_edge_internal_hosts=hosts),
          [(E, "invalid_value", "edge01", "sfb_edge_internal_hosts")])


# --------------------------------------------------------------------------- ordering and shape

def test_findings_sorted_errors_first_then_pool_host_code_variable():
    inv = inventory_data.example()
    inv.update(inventory_data.single())
    host_set(inv, "edge02", "sfb_edge_typo", 1)  # warning, edge pool
    host_set(inv, SINGLE, "sfb_edge_external_dns_servers", [])  # warning, single pool
    host_set(inv, SINGLE, "sfb_edge_external_nat", None)  # error, single pool
    host_set(inv, "edge02", "sfb_edge_fqdn", "edge02.dmz.example.com")  # error, edge pool
    host_set(inv, "edge01", "sfb_edge_external_nic.name", "Internal")  # error, edge pool
    findings = run(inv)
    assert [(f["severity"], f["pool"], f["host"], f["code"]) for f in findings] == [
        (E, POOL, "edge01", "same_nic"),
        (E, POOL, "edge02", "fqdn_suffix_mismatch"),
        (E, SINGLE_POOL, SINGLE, "private_external_address"),
        (W, POOL, "edge02", "unknown_variable"),
        (W, SINGLE_POOL, SINGLE, "no_dns_servers"),
    ]
    assert validate.errors(findings) == findings[:3]


def test_sort_findings_removes_exact_duplicates():
    f = model.Finding(E, "same_nic", "edge01", "sfb_edge_external_nic.name", "x", POOL)
    g = model.Finding(W, "unknown_variable", "edge01", "sfb_edge_x", "y", POOL)
    assert validate.sort_findings([g, f, f.as_dict()]) == [f.as_dict(), g.as_dict()]


def test_plan_refuses_an_inventory_with_errors():
    inv = single(sfb_edge_external_nat=None)
    with pytest.raises(plan.PlanError) as info:
        plan.build(inv)
    assert [f["code"] for f in info.value.findings] == ["private_external_address"]
    assert "172.31.0.10" in str(info.value)


# --------------------------------------------------------------------------- garbage never raises

PLAUSIBLE = st.sampled_from([
    "", " ", "x", "none", "dns", "hlb", "sfb2015", "lync2013", "sfbse", "yes", "off", "External", "Internal",
    "10.0.0.1", "172.16.10.1", "172.16.10.11", "172.16.10.40/24", "192.0.2.1", "192.0.2.21", "192.0.2.40/24",
    "203.0.113.9", "10.10.1.20", "10.99.0.0/16", "0.0.0.0/0", "192.0.2.0/24", "1.2.3.4/32", "300.1.1.1",
    "example.com", "sip.example.com", "dirpool.corp.example.com", "edge01.corp.example.com", "a.b", "-a.b",
])
JSON_KEYS = st.sampled_from([
    "name", "address", "addresses", "access", "webconf", "av", "internal", "xmpp", "ip", "names", "gateway",
    "default_gateway", "dns_servers", "pfx", "password", "root_ca", "external"])
JSON_SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
                | st.text(max_size=10) | PLAUSIBLE)
JSON = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(JSON_KEYS | st.text(max_size=6), inner, max_size=5), max_leaves=12)
BASES = st.sampled_from([inventory_data.example, inventory_data.single, inventory_data.dns_pool])
FUZZ = settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def assert_consistent_with_plan(inv):
    """validate() never raises and returns well-formed findings; plan.build() agrees with it."""
    findings = run(inv)
    if validate.errors(findings):
        with pytest.raises(plan.PlanError) as info:
            plan.build(inv)
        assert info.value.findings == validate.errors(findings)
    else:
        pools = plan.build(inv)
        assert sorted(pools) == sorted({v["sfb_edge_pool_fqdn"].lower().rstrip(".") for v in inv.values()})
        for fqdn, result in pools.items():
            assert result["pool"]["fqdn"] == fqdn
            assert result["findings"] == [f for f in findings if f["pool"] in (fqdn, None)]


# sfb_edge_certificates is fuzzed in test_certs.py (it reads files).
@pytest.mark.parametrize("variable", sorted(model.KNOWN_VARS - {"sfb_edge_certificates"}) + ["sfb_edge_typo"])
@FUZZ
@given(base=BASES, value=JSON, everywhere=st.booleans())
def test_garbage_in_any_variable_never_raises(variable, base, value, everywhere):
    inv = base()
    for host in list(inv) if everywhere else sorted(inv)[:1]:
        inv[host][variable] = copy.deepcopy(value)
    assert_consistent_with_plan(inv)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, prefix + (index,))


@settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=BASES, data=st.data())
def test_garbage_anywhere_inside_a_valid_inventory_never_raises(base, data):
    """Replace up to three values at any depth (a NIC address, one hosts entry, a VIP...)."""
    inv = base()
    for _round in range(data.draw(st.integers(1, 3), label="mutations")):
        paths = [p for p in _paths(inv) if len(p) >= 2]
        path = data.draw(st.sampled_from(paths), label="path")
        value = data.draw(JSON, label="value")
        target = inv[path[0]]
        for part in path[1:-1]:
            target = target[part]
        target[path[-1]] = value
    assert_consistent_with_plan(inv)


# --------------------------------------------------------------------------- review follow-ups

def test_server_fqdn_is_pool_fqdn_in_a_multi_server_pool():
    inv = host_set(example(), "edge01", "sfb_edge_fqdn", POOL)
    check(inv, [(E, "server_fqdn_is_pool_fqdn", "edge01", "sfb_edge_fqdn")], needles=[POOL, "its own FQDN"])
    # a single server may carry the pool FQDN (inventories/single does)
    assert run(single()) == []


def test_nic_name_of_the_wrong_type_is_invalid_not_missing():
    inv = host_set(example(), "edge01", "sfb_edge_internal_nic.name", 5)
    check(inv, [(E, "invalid_value", "edge01", "sfb_edge_internal_nic.name")], needles=["5", "as a string"])


def test_host_variables_not_a_mapping():
    inv = example()
    inv["edge03"] = "x"
    found = run(inv)
    assert (E, "invalid_value", "edge03", "edge_servers") in [(f["severity"], f["code"], f["host"], f["variable"])
                                                              for f in found]


def test_unknown_variable_belongs_to_its_pool():
    found = run(host_set(example(), "edge02", "sfb_edge_typo", 1))
    assert [(f["code"], f["pool"]) for f in found] == [("unknown_variable", POOL)]


def test_nat_messages_name_the_addresses():
    inv = example()
    for host in inv.values():
        host["sfb_edge_external_nat"] = {"access": "203.0.113.1", "webconf": "203.0.113.2", "av": "203.0.113.3"}
        break
    msgs = [f["message"] for f in run(inv) if f["code"] == "nat_with_hlb"]
    assert msgs and "access 192.0.2.21 -> 203.0.113.1" in msgs[0]


def test_vips_without_hlb_names_the_value_set():
    inv = example(sfb_edge_load_balancing="round-robin")
    msgs = [f["message"] for f in run(inv) if f["code"] == "vips_without_hlb"]
    assert msgs and "'round-robin'" in msgs[0]


def test_every_code_is_documented_and_emitted():
    """docs/findings.md, the sources and KNOWN_CODES name the same codes."""
    import glob
    import re

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
    with open(os.path.join(root, "docs", "findings.md"), encoding="utf-8") as handle:
        documented = set(re.findall(r"^\| `([a-z_0-9]+)` \|", handle.read(), re.M))
    emitted = set()
    for path in glob.glob(os.path.join(root, "plugins", "plugin_utils", "*.py")):
        with open(path, encoding="utf-8") as handle:
            emitted |= set(re.findall(r'(?:err|warn|error|warning)\(\s*"([a-z_0-9]+)"', handle.read()))
    emitted.add("dns_on_internal_nic")  # chosen by a conditional expression in model.py
    assert documented == set(KNOWN_CODES)
    assert emitted == set(KNOWN_CODES)


# --------------------------------------------------------------------------- NIC MAC addresses

@pytest.mark.parametrize("value", ["00-15-5D-0A-00", "00:15:5d:0a:00:zz", "0015.5d0a.0001", 12])
def test_invalid_nic_mac(value):
    inv = host_set(example(), "edge01", "sfb_edge_internal_nic.mac", value)
    check(inv, [(E, "invalid_value", "edge01", "sfb_edge_internal_nic.mac")],
          needles=["is not a MAC address", "00-15-5D-0A-00-01"])


@pytest.mark.parametrize("value, expected", [
    ("00:15:5d:0a:00:01", "00-15-5D-0A-00-01"), ("00155D0A0001", "00-15-5D-0A-00-01"),
    ("00-15-5d-0a-00-01", "00-15-5D-0A-00-01")])
def test_nic_mac_is_normalised(value, expected):
    inv = host_set(example(), "edge02", "sfb_edge_external_nic.mac", value)
    assert run(inv) == []
    pool = model.load(inv)[0][0]
    assert [s.external_nic_mac for s in pool.servers if s.name == "edge02"] == [expected]


# --------------------------------------------------------------------------- issue 9, point 16: wrong input accepted silently

def test_pool_fqdn_of_the_wrong_type_is_invalid_not_missing():
    findings = check(example(sfb_edge_pool_fqdn=5), [(E, "invalid_value", "edge01", "sfb_edge_pool_fqdn"),
                                                     (E, "invalid_value", "edge02", "sfb_edge_pool_fqdn")])
    assert findings[0]["message"] == (
        "5 is not a string (YAML made it a int); set sfb_edge_pool_fqdn to the edge pool's internal FQDN, e.g. "
        "edgepool.corp.example.com, in the group vars of the pool")
    [finding] = check(host_set(example(), "edge02", "sfb_edge_pool_fqdn", [POOL]),
                      [(E, "invalid_value", "edge02", "sfb_edge_pool_fqdn")])
    assert finding["message"].startswith("['edgepool.corp.example.com'] is not a string (YAML made it a list)")
    # unset or empty stays "missing"
    check(host_set(example(), "edge02", "sfb_edge_pool_fqdn", ""), [(E, "missing_variable", "edge02", "sfb_edge_pool_fqdn")])


def test_unknown_key_in_external_fqdns():
    fqdns = {"acess": "sip.example.com", "webconf": "webconf.example.com", "av": "av.example.com"}
    [finding] = check(example(sfb_edge_external_fqdns=fqdns),
                      [(E, "invalid_value", "edge01", "sfb_edge_external_fqdns.acess"),
                       (E, "missing_variable", "edge01", "sfb_edge_external_fqdns.access")])
    assert finding["message"] == ("unknown key 'acess' (did you mean 'access'?); use access, webconf and av (the "
                                  "public FQDNs of the Access, Web Conferencing and A/V Edge)")
    fqdns = dict(inventory_data.example()["edge01"]["sfb_edge_external_fqdns"], xmpp="xmpp.example.com")
    [finding] = check(example(sfb_edge_external_fqdns=fqdns), [(E, "invalid_value", "edge01", "sfb_edge_external_fqdns.xmpp")])
    assert finding["message"].startswith("unknown key 'xmpp'; use access, webconf and av")


@pytest.mark.parametrize("name, char", [("Internal\nNIC", "U+000A"), ("Inter\tnal", "U+0009"), ("Int\x00ernal", "U+0000"),
                                        ("Internal\u200b", "U+200B"), ("Ext\x85ernal", "U+0085")])
def test_adapter_name_with_a_control_character(name, char):
    inv = host_set(example(), "edge02", "sfb_edge_external_nic.name", name)
    [finding] = check(inv, [(E, "invalid_value", "edge02", "sfb_edge_external_nic.name")])
    assert finding["message"] == (
        "%r contains the control character %s (a newline, tab or another non-printing character, often from a YAML "
        "block scalar or a copy-paste); an adapter name is one line of printable text: write it in quotes, e.g. "
        "name: 'Internal'" % (name, char))


@pytest.mark.parametrize("name", ["Internal 2", "Ethernet (LAN)", "Réseau interne", " Internal\n"])
def test_adapter_name_printable_is_fine(name):
    assert run(host_set(example(), "edge02", "sfb_edge_internal_nic.name", name)) == []


def test_duplicate_mac_on_both_nics_of_a_server():
    inv = host_set(example(), "edge01", "sfb_edge_external_nic.mac", "00:15:5d:1e:8c:04")
    findings = check(inv, [(E, "duplicate_mac", "edge01", "sfb_edge_internal_nic.mac"),
                           (E, "duplicate_mac", "edge01", "sfb_edge_external_nic.mac")])
    assert findings[0]["message"] == (
        "00-15-5D-1E-8C-04 is given for more than one NIC (edge01 sfb_edge_internal_nic.mac, edge01 "
        "sfb_edge_external_nic.mac); each NIC has its own MAC address and the adapter is found and renamed by it. Copy "
        "each NIC's MacAddress from Get-NetAdapter on its server, or remove the mac key")


def test_duplicate_mac_on_two_servers_and_across_pools():
    inv = host_set(example(), "edge02", "sfb_edge_internal_nic.mac", "00155d1e8c04")
    check(inv, [(E, "duplicate_mac", "edge01", "sfb_edge_internal_nic.mac"),
                (E, "duplicate_mac", "edge02", "sfb_edge_internal_nic.mac")],
          needles=["00-15-5D-1E-8C-04 is given for more than one NIC (edge01 sfb_edge_internal_nic.mac, edge02 "
                   "sfb_edge_internal_nic.mac)"])
    inv = inventory_data.example()
    inv.update(inventory_data.single())
    host_set(inv, SINGLE, "sfb_edge_external_nic.mac", "00-15-5D-1E-8C-0B")
    found = run(inv)
    assert keys(found) == [(E, "duplicate_mac", "edge02", "sfb_edge_external_nic.mac"),
                           (E, "duplicate_mac", SINGLE, "sfb_edge_external_nic.mac")]
    assert {f["pool"] for f in found} == {POOL, SINGLE_POOL}


def test_distinct_or_absent_macs_are_fine():
    inv = host_set(example(), "edge01", "sfb_edge_internal_nic.mac", None)
    host_set(inv, "edge02", "sfb_edge_internal_nic.mac", None)  # two NICs without a MAC are not "the same MAC"
    assert run(inv) == []


def test_hosts_name_on_two_addresses():
    inv = with_internal_hosts({"ip": "10.10.1.30", "names": ["sip-proxy.corp.example.com", "DirPool.corp.example.com."]})
    [finding] = check(inv, [(W, "hosts_name_multiple_addresses", "edge01", "sfb_edge_internal_hosts[6]")])
    assert finding["message"] == (
        "dirpool.corp.example.com is given for 10.10.1.30 here and for 10.10.1.20 in sfb_edge_internal_hosts[0]; the "
        "hosts file then has two lines for one name, and which address the edge uses depends on the resolver (no DNS "
        "load balancing, no failover). Give each name one address: for a load-balanced pool, the pool FQDN's HLB VIP "
        "or one server")


def test_hosts_name_repeated_for_the_same_address_is_fine():
    inv = with_internal_hosts({"ip": " 10.10.1.20", "names": "DIRPOOL.corp.example.com"},
                              {"ip": "10.10.1.20", "names": ["dirpool-alias.corp.example.com"]})
    assert run(inv) == []


def test_network_host_bits():
    inv = example(sfb_edge_internal_networks=["10.10.0.0/16", "10.20.0.0/16", "10.30.0.7/20"])
    [finding] = check(inv, [(E, "network_host_bits", "edge01", "sfb_edge_internal_networks[2]")])
    assert finding["message"] == ("'10.30.0.7/20' has host bits set: as a /20 it means the network 10.30.0.0/20, not "
                                  "the address 10.30.0.7. Write '10.30.0.0/20' for the network, or '10.30.0.7/32' for "
                                  "that one host")


def test_network_host_bits_names_the_right_item_after_an_invalid_one():
    inv = example(sfb_edge_internal_networks=["10.40.0.0", "10.10.0.0/16", "10.20.0.0/16", "10.30.0.0/20",
                                              "192.168.10.77/24"])
    check(inv, [(E, "network_host_bits", "edge01", "sfb_edge_internal_networks[4]"),
                (E, "invalid_value", "edge01", "sfb_edge_internal_networks[0]")],
          needles=["'192.168.10.77/24' has host bits set", "the network 192.168.10.0/24"])


@settings(max_examples=200, deadline=None, database=None)
@given(address=st.integers(0x0B000000, 0x0BFFFFFF), prefix=st.integers(8, 32))
def test_network_host_bits_iff_the_address_is_not_the_network_address(address, prefix):
    """11.0.0.0/8 is neither a DMZ subnet nor one of the example's networks: only host bits can be reported."""
    import ipaddress

    text = "%s/%d" % (ipaddress.IPv4Address(address), prefix)
    network = ipaddress.IPv4Network(text, strict=False)
    inv = example(sfb_edge_internal_networks=["10.10.0.0/16", "10.20.0.0/16", "10.30.0.0/20", text])
    findings = run(inv)
    expected = [(E, "network_host_bits", "edge01", "sfb_edge_internal_networks[3]")]
    assert keys(findings) == (expected if address != int(network.network_address) else [])
    for f in findings:
        assert "the network %s, not the address %s" % (network, ipaddress.IPv4Address(address)) in f["message"]


def test_internal_networks_overlap_names_the_dropped_network():
    inv = example(sfb_edge_internal_networks=["10.10.5.0/24", "10.10.0.0/16", "10.20.0.0/16", "10.30.0.0/20"])
    [finding] = check(inv, [(W, "internal_networks_overlap", "edge01", "sfb_edge_internal_networks[0]")])
    assert finding["message"] == (
        "10.10.5.0/24 lies inside 10.10.0.0/16 (sfb_edge_internal_networks[1]): 10.10.5.0/24 is dropped, no route is "
        "added for it because the route for 10.10.0.0/16 covers it. Remove 10.10.5.0/24 from sfb_edge_internal_networks "
        "(or remove 10.10.0.0/16 if you meant to route only the smaller network)")
    routes = plan.build(inv)[POOL]["hosts"]["edge01"]["routes"]
    assert [r["destination"] for r in routes] == ["10.10.0.0/16", "10.20.0.0/16", "10.30.0.0/20"]


def test_internal_networks_listed_twice():
    inv = example(sfb_edge_internal_networks=["10.10.0.0/16", "10.20.0.0/16", "10.30.0.0/20", "10.20.0.0/16"])
    [finding] = check(inv, [(W, "internal_networks_overlap", "edge01", "sfb_edge_internal_networks[3]")])
    assert finding["message"] == ("10.20.0.0/16 is listed twice (also sfb_edge_internal_networks[1]); the repeat is "
                                  "dropped. Remove it from sfb_edge_internal_networks")


def test_internal_networks_adjacent_are_not_overlapping():
    assert run(example(sfb_edge_internal_networks=["10.10.0.0/16", "10.11.0.0/16", "10.20.0.0/16", "10.30.0.0/20"])) == []


NETWORKS = st.builds(lambda a, p: __import__("ipaddress").IPv4Network((a, p), strict=False),
                     st.integers(0x0A000000, 0x0A00FFFF), st.integers(16, 26))


@settings(max_examples=300, deadline=None, database=None)
@given(nets=st.lists(NETWORKS, max_size=25))
def test_covering_agrees_with_the_pairwise_definition(nets):
    from ansible_collections.sfb.edge.plugins.plugin_utils import _netcalc as netcalc

    kept, covered = netcalc.covering(nets)
    inside = {i for i, n in enumerate(nets) if any(j != i and n.subnet_of(m) and (n != m or j < i)
                                                   for j, m in enumerate(nets))}
    assert sorted(i for i, _c in covered) == sorted(inside)
    assert kept == sorted(n for i, n in enumerate(nets) if i not in inside)
    for i, cover in covered:
        assert nets[i].subnet_of(nets[cover]) and cover not in inside


def test_covering_is_fast_for_100000_networks():
    import ipaddress
    import time

    from ansible_collections.sfb.edge.plugins.plugin_utils import _netcalc as netcalc

    nets = [ipaddress.IPv4Network(((0x0A000000 + i * 256) & 0xFFFFFF00, 24)) for i in range(100000)]
    nets += [ipaddress.IPv4Network((0x0A000000 + i * 65536, 16)) for i in range(0, 256, 2)]
    start = time.monotonic()
    kept, covered = netcalc.covering(nets)
    assert time.monotonic() - start < 10
    assert len(kept) + len(covered) == len(nets)


# --------------------------------------------------------------------------- unsafe_file_name (issue 18, point 4)
# Inventory hostnames and pool FQDNs name files and folders (<snapshots>/<host>.json, <plan dir>/<pool>/...).

FILE_NAME_FIX = ("; it names the host's files (<snapshots>/<host>.json, <plan dir>/<pool>/drift/<host>.json), so it "
                 "must be a plain file name: rename the host in the inventory (letters, digits, '-', '_' and '.', e.g. "
                 "edge01 or edge01.corp.example.com) and give its address in ansible_host")


@pytest.mark.parametrize("name, shown, excerpt, problem", [
    ("../../../x/edge02", "../../../x/edge02", "'../../../x/edge02'", "contains '/', a folder separator"),
    ("/etc/edge02", "/etc/edge02", "'/etc/edge02'", "contains '/', a folder separator"),
    ("edge\\02", "edge\\02", "'edge\\\\02'", "contains '\\\\', a folder separator"),
    (".", ".", "'.'", "is '.', which names a folder (this one or its parent), never a file"),
    ("..", "..", "'..'", "is '..', which names a folder (this one or its parent), never a file"),
    (".edge02", ".edge02", "'.edge02'", "starts with '.' (a hidden file; '..' leaves the folder)"),
    ("-edge02", "-edge02", "'-edge02'", "starts with '-' (a command reads it as an option)"),
    ("", "''", "''", "is empty"),
    ("edge02\x00", "'edge02\\x00'", "'edge02\\x00'", "contains the control character U+0000"),
    ("edge02\n", "'edge02\\n'", "'edge02\\n'", "contains the control character U+000A"),
    ("edge\t02", "'edge\\t02'", "'edge\\t02'", "contains the control character U+0009"),
    ("edge\x1b[31m02", "'edge\\x1b[31m02'", "'edge\\x1b[31m02'", "contains the control character U+001B"),
    ("edge\u202e20", "'edge\\u202e20'", "'edge\\u202e20'", "contains the format character U+202E"),
    ("\u200bedge02", "'\\u200bedge02'", "'\\u200bedge02'", "contains the format character U+200B"),
    ("e" * 231, "'%s'..." % ("e" * 60), "'%s'..." % ("e" * 60), "is longer than 230 bytes"),
])
def test_unsafe_file_name_inventory_hostname(name, shown, excerpt, problem):
    inv = example()
    inv[name] = inv.pop("edge02")
    [finding] = check(inv, [(E, "unsafe_file_name", shown, "inventory_hostname")])
    assert finding["message"] == "the inventory hostname %s %s%s" % (excerpt, problem, FILE_NAME_FIX)
    assert finding["pool"] is None
    for text in (finding["host"], finding["message"]):
        assert text.isprintable(), text  # never a raw control or format character


@pytest.mark.parametrize("value, excerpt, problem", [
    ("../../x.corp.example.com", "'../../x.corp.example.com'", "contains '/', a folder separator"),
    ("edgepool.corp.example.com/..", "'edgepool.corp.example.com/..'", "contains '/', a folder separator"),
    ("edgepool\\corp.example.com", "'edgepool\\\\corp.example.com'", "contains '\\\\', a folder separator"),
    ("..", "'..'", "is '..', which names a folder (this one or its parent), never a file"),
    (".", "'.'", "is '.', which names a folder (this one or its parent), never a file"),
    ("...", "'...'", "starts with '.' (a hidden file; '..' leaves the folder)"),
    (".edgepool.corp.example.com", "'.edgepool.corp.example.com'", "starts with '.' (a hidden file; '..' leaves the folder)"),
    ("-edgepool.corp.example.com", "'-edgepool.corp.example.com'", "starts with '-' (a command reads it as an option)"),
    ("edgepool.corp.example.com\n", "'edgepool.corp.example.com\\n'", "contains the control character U+000A"),
    ("edgepool.corp\t.example.com", "'edgepool.corp\\t.example.com'", "contains the control character U+0009"),
    ("edgepool.corp.example.com\x00", "'edgepool.corp.example.com\\x00'", "contains the control character U+0000"),
    ("edgepool.corp.example.com\u202e", "'edgepool.corp.example.com\\u202e'", "contains the format character U+202E"),
])
def test_unsafe_file_name_pool_fqdn(value, excerpt, problem):
    findings = check(example(sfb_edge_pool_fqdn=value), [(E, "unsafe_file_name", "edge01", "sfb_edge_pool_fqdn"),
                                                         (E, "unsafe_file_name", "edge02", "sfb_edge_pool_fqdn")])
    assert findings[0]["message"] == (
        "%s %s; the pool FQDN names the pool's folder of the plan (<plan dir>/<pool>/), so it must be a plain file "
        "name: set sfb_edge_pool_fqdn to the edge pool's internal FQDN, e.g. edgepool.corp.example.com, in the group "
        "vars of the pool" % (excerpt, problem))
    assert findings[0]["message"].isprintable()
    assert model.load(example(sfb_edge_pool_fqdn=value))[0] == []  # no pool: nothing is named after it


@pytest.mark.parametrize("value, excerpt, problem", [
    ("../fe01", "'../fe01'", "contains '/', a folder separator"),
    ("fe01\n", "'fe01\\n'", "contains the control character U+000A"),
    ("fe\u202e01", "'fe\\u202e01'", "contains the format character U+202E"),
])
def test_unsafe_file_name_frontend_host(value, excerpt, problem):
    [finding] = check(example(sfb_edge_frontend_host=value), [(E, "unsafe_file_name", "edge01", "sfb_edge_frontend_host")])
    assert finding["message"] == (
        "%s %s, so it is no inventory hostname this collection accepts; name the Front End by its inventory name "
        "(e.g. fe01.corp.example.com), or leave it unset and put the Front End in the group front_ends"
        % (excerpt, problem))


@pytest.mark.parametrize("name", ["edge02.contoso.com", "edge-02", "edge_02", "EDGE02", "edge02.", "edge..02",
                                  "e" * 230, "edge02-"])
def test_unsafe_file_name_not_for_plain_names(name):
    inv = example()
    inv[name] = inv.pop("edge02")
    inv[name]["sfb_edge_fqdn"] = "edge02.corp.example.com"  # (the FQDN derived from the name needs a DNS label)
    assert run(inv) == []


@pytest.mark.parametrize("value", ["edgepool.contoso.com", "EdgePool.Corp.Example.com.", "edge-pool.corp.example.com"])
def test_unsafe_file_name_not_for_plain_pool_names(value):
    assert run(example(sfb_edge_pool_fqdn=value, sfb_edge_frontend_host="fe01.corp.example.com")) == []


def test_unsafe_file_name_host_is_not_parsed_further():
    """The unsafe host is in no pool: no server, desired state or report is made for it."""
    inv = example()
    inv["../edge02"] = inv.pop("edge02")
    pools, findings = model.load(inv)
    assert [s.name for p in pools for s in p.servers] == ["edge01"]
    assert keys(validate.sort_findings(findings)) == [(E, "unsafe_file_name", "../edge02", "inventory_hostname")]


# --------------------------------------------------------------------------- names end where they end (issue 18, point 8)
# Every name field of the inventory refuses a newline, a tab, a NUL and a Unicode format character, at its end too
# (a pattern ending in $ took "example.com\n": $ also matches before a final newline).

def _with_name(field, char):
    """The example inventory with ``char`` at the end of the name field ``field`` (inside an adapter name, whose
    surrounding white space is trimmed)."""
    inv = example()
    if field == "inventory_hostname":
        inv["edge02" + char] = inv.pop("edge02")
    elif field == "sfb_edge_sip_domains[0]":
        set_pool(inv, "sfb_edge_sip_domains", ["example.com" + char, "example.net"])
    elif field == "sfb_edge_external_fqdns.access":
        set_pool(inv, "sfb_edge_external_fqdns", dict(inv["edge01"]["sfb_edge_external_fqdns"], access="sip.example.com" + char))
    elif field == "sfb_edge_internal_hosts":
        set_pool(inv, "sfb_edge_internal_hosts", inv["edge01"]["sfb_edge_internal_hosts"]
                 + [{"ip": "10.10.1.13", "names": ["fe03.corp.example.com" + char]}])
    elif field == "sfb_edge_fqdn":
        inv["edge01"]["sfb_edge_fqdn"] = "edge01.corp.example.com" + char
    elif field == "sfb_edge_internal_nic.name":
        inv["edge01"]["sfb_edge_internal_nic"]["name"] = "Inter" + char + "nal"
    elif field == "sfb_edge_external_nic.name":
        inv["edge01"]["sfb_edge_external_nic"]["name"] = "Exter" + char + "nal"
    elif field == "sfb_edge_windows_features":
        set_pool(inv, field, ["NET-Framework-45-Core" + char])
    elif field in ("sfb_edge_media_path", "sfb_edge_windows_feature_source"):
        set_pool(inv, field, "D:\\media" + char)
    elif field == "sfb_edge_install_dir":
        set_pool(inv, field, "C:\\Program Files\\Skype for Business Server 2019" + char)
    else:
        set_pool(inv, field, {"sfb_edge_pool_fqdn": "edgepool.corp.example.com", "sfb_edge_dns_suffix": "corp.example.com",
                              "sfb_edge_next_hop_fqdn": "dirpool.corp.example.com",
                              "sfb_edge_frontend_host": "fe01.corp.example.com"}[field] + char)
    return inv


NAME_FIELDS = [  # (field, code, the hosts that report it)
    ("inventory_hostname", "unsafe_file_name", None),
    ("sfb_edge_pool_fqdn", "unsafe_file_name", ["edge01", "edge02"]),
    ("sfb_edge_dns_suffix", "invalid_fqdn", ["edge01"]),
    ("sfb_edge_sip_domains[0]", "invalid_sip_domain", ["edge01"]),
    ("sfb_edge_external_fqdns.access", "invalid_fqdn", ["edge01"]),
    ("sfb_edge_next_hop_fqdn", "invalid_fqdn", ["edge01"]),
    ("sfb_edge_internal_hosts", "invalid_fqdn", ["edge01"]),
    ("sfb_edge_fqdn", "invalid_fqdn", ["edge01"]),
    ("sfb_edge_internal_nic.name", "invalid_value", ["edge01"]),
    ("sfb_edge_external_nic.name", "invalid_value", ["edge01"]),
    ("sfb_edge_frontend_host", "unsafe_file_name", ["edge01"]),
    ("sfb_edge_windows_features", "invalid_value", ["edge01"]),
    ("sfb_edge_media_path", "invalid_value", ["edge01"]),
    ("sfb_edge_windows_feature_source", "invalid_value", ["edge01"]),
    ("sfb_edge_install_dir", "invalid_value", ["edge01"]),
]
NAME_CHARS = {"newline": "\n", "tab": "\t", "nul": "\x00", "rlo": "\u202e", "zwsp": "\u200b"}


@pytest.mark.parametrize("char", list(NAME_CHARS.values()), ids=list(NAME_CHARS))
@pytest.mark.parametrize("field, code, hosts", NAME_FIELDS, ids=[f[0] for f in NAME_FIELDS])
def test_name_field_refuses_newline_tab_nul_and_format_characters(field, code, hosts, char):
    findings = run(_with_name(field, char))
    if field == "inventory_hostname":
        expected = [(E, code, repr("edge02" + char), field)]
    else:
        expected = [(E, code, host, field) for host in hosts]
    assert keys(findings) == expected
    assert all(f["message"].isprintable() for f in findings)  # the value is shown escaped
    assert repr(char)[1:-1] in findings[0]["message"] or "U+%04X" % ord(char) in findings[0]["message"]


@pytest.mark.parametrize("field", [f[0] for f in NAME_FIELDS])
def test_name_fields_without_such_characters_are_fine(field):
    assert run(_with_name(field, "")) == []


@pytest.mark.parametrize("char", list(NAME_CHARS.values()) + ["\r", "\x0b", "\x0c"], ids=list(NAME_CHARS) + ["cr", "vt", "ff"])
def test_names_refuse_a_trailing_character_everywhere(char):
    """The name checks themselves: a DNS name, a certificate request name and a hosts-file entry name."""
    from ansible_collections.sfb.edge.plugins.plugin_utils import _csr as csr, _netcalc as netcalc

    assert netcalc.is_fqdn("example.com") and not netcalc.is_fqdn("example.com" + char)
    assert not netcalc.is_fqdn("sip" + char + ".example.com")
    with pytest.raises(netcalc.InvalidName, match="hosts entry #0 name 'fe01.corp.example.com.+' is not a valid FQDN"):
        netcalc.hosts_entries([{"ip": "10.10.1.11", "names": ["fe01.corp.example.com" + char]}])
    assert csr._check_name("sip.example.com", "san") == "sip.example.com"  # pylint: disable=protected-access
    with pytest.raises(csr.CsrError, match="is not a DNS name certreq can take"):
        csr._check_name("sip.example.com" + char, "san")  # pylint: disable=protected-access


def test_names_refuse_a_lookalike_that_lowercases_to_ascii():
    """U+212A (Kelvin sign) lower-cases to 'k': not a DNS name (it would have been stored as another one)."""
    from ansible_collections.sfb.edge.plugins.plugin_utils import _netcalc as netcalc

    assert not netcalc.is_fqdn("sip.example.\u212aom")
    check(example(sfb_edge_sip_domains=["example.com", "\u212a.example.net"]),
          [(E, "invalid_sip_domain", "edge01", "sfb_edge_sip_domains[1]")], needles=["'\u212a.example.net'"])
# ------------------------------------------------ the Front End is outside edge_servers (issue 18, point 11)


@pytest.mark.parametrize("name", ["edge02", "edge01"])
def test_frontend_that_is_an_edge_server_is_refused(name):
    primary = check(example(sfb_edge_frontend_host=name),
                    [(E, "frontend_is_edge_server", "edge01", "sfb_edge_frontend_host")],
                    needles=(repr(name), "edge_servers", "Set sfb_edge_frontend_host to the Front End's inventory name"))
    assert primary[0]["message"] == (
        "%r is a host of the group edge_servers, not a Front End: the Front End exports the configuration "
        "(Export-CsConfiguration) and probes the edges' internal firewall rules, so it must be an inventory host outside "
        "edge_servers. Set sfb_edge_frontend_host to the Front End's inventory name, or leave it unset and put the "
        "Front End in the group front_ends" % name)
    assert primary[0]["pool"] == POOL


@pytest.mark.parametrize("name", ["fe01", "edge03", "Edge02", "edge02.corp.example.com"])
def test_frontend_outside_edge_servers_is_no_finding(name):
    """Near misses: not an inventory name of an edge server (whether it is an inventory host at all is checked
    where the inventory is known - hoststate.frontend_host)."""
    check(example(sfb_edge_frontend_host=name), [])
# --------------------------------------------------------------------------- a server in two pool groups (issue 19, 16)


def test_a_server_whose_groups_disagree_about_its_pool_is_refused():
    inv = host_set(example(), "edge02", "pool_fqdn_groups",
                   {"edge_pool_corp": "edgepool.corp.example.com", "edge_pool_dmz2": "edgepool2.corp.example.com"})
    check(inv, [(E, "pool_group_conflict", "edge02", "sfb_edge_pool_fqdn")],
          needles=["edge02 is in the groups edge_pool_corp (edgepool.corp.example.com), edge_pool_dmz2 "
                   "(edgepool2.corp.example.com), whose group vars give different sfb_edge_pool_fqdn values",
                   "silently put it in edgepool.corp.example.com",
                   "Keep the server in the group of its one pool only, or set sfb_edge_pool_fqdn in its host_vars"])


def test_without_a_disagreement_nothing_is_reported():
    # what sfb.edge.edge_inventory gives when the groups agree or the host sets its pool: no key at all
    check(example(), [])
# --------------------------------------------------------------------------- management rules (issue 20, point 8)


def with_peers(inv, front_ends=(("fe01", "fe01.corp.example.com"),), probes=()):
    """``inv`` as sfb.edge.edge_inventory gives it from a real inventory: the hosts of front_ends and edge_probes."""
    peers = {"front_ends": [{"name": n, "address": a, "connection": {}} for n, a in front_ends],
             "frontend": front_ends[0][0] if front_ends else None,
             "probes": [{"name": n, "address": a, "connection": {}} for n, a in probes]}
    for variables in inv.values():
        variables[model.MANAGEMENT] = peers
    return inv


def test_controller_addresses_unset_warns():
    check(with_peers(example(sfb_edge_controller_addresses=None)), [(W, "controller_addresses_unset", "edge01", "sfb_edge_controller_addresses")],
          needles=["is not set, so the firewall plan leaves out the management rules", "WinRM from the Ansible controller",
                   "Set sfb_edge_controller_addresses to the controller's addresses", "['10.10.5.20']"])


def test_controller_addresses_set_is_fine():
    assert run(with_peers(example(sfb_edge_controller_addresses=["10.10.5.20", "10.10.6.0/28"]))) == []
    # hostvars that do not come from sfb.edge.edge_inventory (no hosts of the tool known): no warning either
    assert run(example(sfb_edge_controller_addresses=None)) == []


def test_controller_addresses_invalid():
    check(example(sfb_edge_controller_addresses=["10.10.5.20", "controller.corp.example.com"]),
          [(E, "invalid_value", "edge01", "sfb_edge_controller_addresses[1]")],
          needles=["'controller.corp.example.com'", "give the Ansible controller's IPv4 address (10.10.5.20)"])
    check(example(sfb_edge_controller_addresses={"a": 1}),
          [(E, "invalid_value", "edge01", "sfb_edge_controller_addresses")], needles=["must be a list"])


def test_front_end_without_an_address_warns():
    inv = with_peers(example(sfb_edge_controller_addresses=["10.10.5.20"]),
                     front_ends=(("fe09", "fe09.corp.example.com"),), probes=(("probe01", "probe01.example.net"),))
    check(inv, [(W, "management_address_unknown", "fe09", "sfb_edge_internal_hosts"),
                (W, "management_address_unknown", "probe01", "sfb_edge_controller_addresses")],
          needles=["Front End fe09: ansible_host 'fe09.corp.example.com' is not an IPv4 address and no hosts entry names "
                   "it", "leaves it out (group front_end_servers and the WinRM management rule)",
                   "add {ip: <address>, names: [fe09.corp.example.com]} to sfb_edge_internal_hosts"])


def test_front_end_at_an_ip_or_in_the_hosts_entries_is_fine():
    inv = with_peers(example(sfb_edge_controller_addresses=["10.10.5.20"]),
                     front_ends=(("fe01", "fe01.corp.example.com"), ("fe03", "10.10.1.13")),
                     probes=(("probe01", "203.0.113.7"),))
    assert run(inv) == []


# ------------------------------------------------ certificate files inside an inventory source (issue 20, point 11)
def _inventory_folder(tmp_path):
    inv = tmp_path / "inventories" / "example"
    (inv / "files").mkdir(parents=True)
    (inv / "hosts.yml").write_text("all: {}\n")
    return inv


def _with_certificates(certs, base, sources):
    inv = example()
    for host in ("edge01", "edge02"):
        host_set(inv, host, "sfb_edge_certificates", certs)
        inv[host]["inventory_dir"] = base
        if sources is not None:
            inv[host]["inventory_sources"] = sources
    return inv


def test_a_pfx_inside_the_inventory_directory_is_warned_about(tmp_path):
    inv_dir = _inventory_folder(tmp_path)
    inv = _with_certificates({"external": {"pfx": "files/sip.pfx", "password": "p"}}, str(inv_dir), [str(inv_dir)])
    findings = run(inv, read_certificates=False)
    assert keys(findings) == [(W, "certificate_in_inventory_source", "edge01", "sfb_edge_certificates.external.pfx"),
                              (W, "certificate_in_inventory_source", "edge02", "sfb_edge_certificates.external.pfx")]
    assert findings[0]["pool"] == POOL
    assert findings[0]["message"] == (
        "%s/files/sip.pfx is inside the inventory source directory %s: Ansible's inventory plugins read every file "
        "there and parse this certificate file as inventory (hosts of binary garbage). Move it outside the inventory "
        "sources, next to the inventory, e.g. to %s/inventories/certs/sip.pfx, and set "
        "sfb_edge_certificates.external.pfx to ../certs/sip.pfx" % (inv_dir, inv_dir, tmp_path))


def test_each_certificate_file_inside_is_named_by_its_variable(tmp_path):
    inv_dir = _inventory_folder(tmp_path)
    certs = {"root_ca": ["../certs/ca.cer", "files/issuing.cer"], "internal": {"pfx": str(inv_dir / "int.pfx"), "password": "p"},
             "external": {"pfx": "/etc/pki/sip.pfx", "password": "p"}}
    # a source given relative to the current directory, as -i gives it, is the same directory
    relative = os.path.relpath(str(inv_dir))
    findings = run(_with_certificates(certs, str(inv_dir), [relative]), read_certificates=False)
    assert keys(findings) == [
        (W, "certificate_in_inventory_source", host, var) for host in ("edge01", "edge02")
        for var in ("sfb_edge_certificates.internal.pfx", "sfb_edge_certificates.root_ca[1]")]
    assert "%s/inventories/certs/issuing.cer" % tmp_path in findings[1]["message"]
    assert "set sfb_edge_certificates.root_ca[1] to ../certs/issuing.cer" in findings[1]["message"]
    # a link inside the inventory directory to a file elsewhere is read there all the same
    (tmp_path / "pki").mkdir()
    (tmp_path / "pki" / "sip.pfx").write_bytes(b"x")
    os.symlink(str(tmp_path / "pki" / "sip.pfx"), str(inv_dir / "files" / "sip.pfx"))
    findings = run(_with_certificates({"external": {"pfx": "files/sip.pfx", "password": "p"}}, str(inv_dir), [str(inv_dir)]),
                   read_certificates=False)
    assert keys(findings) == [(W, "certificate_in_inventory_source", host, "sfb_edge_certificates.external.pfx")
                              for host in ("edge01", "edge02")]
    # root_ca given as one string
    findings = run(_with_certificates({"root_ca": "files/ca.cer"}, str(inv_dir), [str(inv_dir)]), read_certificates=False)
    assert keys(findings) == [(W, "certificate_in_inventory_source", host, "sfb_edge_certificates.root_ca")
                              for host in ("edge01", "edge02")]


def test_a_pfx_outside_the_inventory_sources_is_no_finding(tmp_path):
    inv_dir = _inventory_folder(tmp_path)
    certs = {"root_ca": ["../certs/ca.cer"], "external": {"pfx": "../certs/sip.pfx", "password": "p"},
             "internal": {"pfx": str(tmp_path / "inventories" / "exampleX" / "int.pfx"), "password": "p"}}
    assert run(_with_certificates(certs, str(inv_dir), [str(inv_dir)]), read_certificates=False) == []
    # a file source: Ansible reads that file only, the folder's other files are no inventory
    inside = {"external": {"pfx": "files/sip.pfx", "password": "p"}}
    assert run(_with_certificates(inside, str(inv_dir), [str(inv_dir / "hosts.yml")]), read_certificates=False) == []
    # sources unknown (a filter given a hand-made inventory): nothing to compare with
    assert run(_with_certificates(inside, str(inv_dir), None), read_certificates=False) == []
