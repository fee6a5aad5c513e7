# -*- coding: utf-8 -*-
"""Routes, SAN list and hosts entries: examples and properties."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.sfb.edge.plugins.plugin_utils import _netcalc as netcalc

NIC = "172.16.10.11/24"
GW = "172.16.10.1"


def dests(routes):
    return [r["destination"] for r in routes]


def test_routes_basic_and_pinned():
    routes = netcalc.routes(["10.20.0.0/16", "10.10.0.0/16"], NIC, GW, "Internal")
    assert routes == [
        {"destination": "10.10.0.0/16", "gateway": GW, "interface": "Internal"},
        {"destination": "10.20.0.0/16", "gateway": GW, "interface": "Internal"},
    ]


def test_routes_normalise_dedupe_and_drop_covered():
    routes = netcalc.routes(["10.10.7.9/24", "10.10.7.0/24", "10.10.0.0/16", "10.99.1.0/24"], NIC, GW, "Int")
    assert dests(routes) == ["10.10.0.0/16", "10.99.1.0/24"]


def test_routes_never_for_own_subnet_or_inside_it():
    routes = netcalc.routes(["172.16.10.0/24", "172.16.10.128/25", "10.0.0.0/8"], NIC, GW, "Int")
    assert dests(routes) == ["10.0.0.0/8"]


def test_routes_summarize_merges_adjacent():
    nets = ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24", "10.9.0.0/16"]
    assert dests(netcalc.routes(nets, NIC, GW, "Int")) == nets
    assert dests(netcalc.routes(nets, NIC, GW, "Int", summarize=True)) == ["10.0.0.0/22", "10.9.0.0/16"]


@pytest.mark.parametrize("bad, text", [
    (["0.0.0.0/0"], "default route"),
    (["10.0.0.0"], "no prefix length"),
    (["10.0.0.300/8"], "not a valid IPv4 CIDR"),
    ("10.0.0.0/8", "must be a list"),
])
def test_routes_rejects(bad, text):
    with pytest.raises(ValueError, match=text):
        netcalc.routes(bad, NIC, GW, "Int")


def test_routes_gateway_must_be_on_link():
    with pytest.raises(ValueError, match="outside the internal NIC subnet 172.16.10.0/24"):
        netcalc.routes(["10.0.0.0/8"], NIC, "10.0.0.1", "Int")


networks = st.builds(
    lambda addr, plen: str(ipaddress.IPv4Network("%s/%d" % (ipaddress.IPv4Address(addr), plen), strict=False)),
    st.integers(min_value=0, max_value=2**32 - 1), st.integers(min_value=1, max_value=30))


@settings(max_examples=300, deadline=None)
@given(st.lists(networks, max_size=40), st.booleans())
def test_routes_properties(nets, summarize):
    nic = ipaddress.IPv4Interface(NIC)
    routes = netcalc.routes(nets, NIC, GW, "Internal", summarize=summarize)
    got = [ipaddress.IPv4Network(d) for d in dests(routes)]
    # every requested network is covered, by a route or by the on-link subnet
    for net in map(ipaddress.IPv4Network, nets):
        assert net.subnet_of(nic.network) or any(net.subnet_of(r) for r in got), net
    for route, net in zip(routes, got):
        assert net.prefixlen > 0  # never a default route
        assert not net.subnet_of(nic.network)  # never the NIC's own subnet (or part of it)
        assert route["gateway"] == GW and route["interface"] == "Internal"
        # a route only covers addresses that were asked for
        assert any(ipaddress.IPv4Network(n).subnet_of(net) for n in nets)
    assert len(set(got)) == len(got)
    assert got == sorted(got)
    if not summarize:  # no route covered by another
        assert not any(a != b and a.subnet_of(b) for a in got for b in got)


FQDNS = {"access": "sip.example.com", "webconf": "webconf.example.com", "av": "av.example.com"}


def test_san_list_order():
    assert netcalc.san_list(["example.com", "Example.NET"], FQDNS) == [
        "sip.example.com", "webconf.example.com", "sip.example.net"]


def test_san_list_xmpp_and_av():
    assert netcalc.san_list(["example.com", "example.net"], FQDNS, xmpp=True, include_av=True) == [
        "sip.example.com", "webconf.example.com", "sip.example.net", "example.com", "example.net", "av.example.com"]


@pytest.mark.parametrize("domains, fqdns, text", [
    ([], FQDNS, "non-empty list"),
    ("example.com", FQDNS, "non-empty list"),
    (["bad domain"], FQDNS, "not a valid domain"),
    (["example.com"], {"access": "sip.example.com"}, "external_fqdns.webconf"),
])
def test_san_list_rejects(domains, fqdns, text):
    with pytest.raises(ValueError, match=text):
        netcalc.san_list(domains, fqdns)


label = st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True)
domain = st.builds(lambda a, b: "%s.%s" % (a, b), label, st.sampled_from(["com", "net", "org", "example"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(domain, min_size=1, max_size=20), st.booleans(), st.booleans())
def test_san_list_properties(domains, xmpp, include_av):
    names = netcalc.san_list(domains, FQDNS, xmpp=xmpp, include_av=include_av)
    assert names[0] == "sip.example.com"  # subject first
    assert len(names) == len(set(names))
    assert all(n == n.lower() for n in names)
    assert "webconf.example.com" in names
    for d in domains:
        assert "sip." + d in names
        assert (d in names) == xmpp  # bare SIP domains only for XMPP
    assert ("av.example.com" in names) == include_av
    assert netcalc.san_size(names) == sum(len(n) + 2 for n in names)


def test_hosts_entries_merge_and_lower():
    entries = netcalc.hosts_entries([
        {"ip": "10.0.0.5", "names": ["FE01.corp.example.com"]},
        {"ip": "10.0.0.6", "names": "fe02.corp.example.com"},
        {"ip": "10.0.0.5", "names": ["fe01.corp.example.com", "fepool.corp.example.com"]},
    ])
    assert entries == [
        {"ip": "10.0.0.5", "names": ["fe01.corp.example.com", "fepool.corp.example.com"]},
        {"ip": "10.0.0.6", "names": ["fe02.corp.example.com"]},
    ]


@pytest.mark.parametrize("entries, text", [
    ([{"ip": "10.0.0.999", "names": ["a.b.c"]}], "not a valid IPv4 address"),
    ([{"ip": "10.0.0.1", "names": ["not a name"]}], "not a valid FQDN"),
    ([{"names": ["a.b.c"]}], "must be a dict with 'ip' and 'names'"),
    ({"ip": "10.0.0.1"}, "must be a list"),
])
def test_hosts_entries_rejects(entries, text):
    with pytest.raises(ValueError, match=text):
        netcalc.hosts_entries(entries)


@pytest.mark.parametrize("address, private", [
    ("10.1.2.3", True), ("172.16.0.1", True), ("172.31.255.254", True), ("192.168.1.1", True),
    ("100.64.0.1", True), ("172.32.0.1", False), ("192.0.2.10", False), ("198.51.100.1", False),
    ("203.0.113.5", False), ("8.8.8.8", False),
])
def test_is_private(address, private):
    assert netcalc.is_private(address) is private


@pytest.mark.parametrize("name, ok", [
    ("sip.example.com", True), ("a.b", True), ("example", False), ("-bad.example.com", False),
    ("bad-.example.com", False), ("under_score.example.com", False), ("x" * 64 + ".com", False),
    ("1.2.3.4", False), ("", False), (None, False),
])
def test_is_fqdn(name, ok):
    assert netcalc.is_fqdn(name) is ok


def test_summarize_never_makes_a_default_route():
    # found by hypothesis: the two halves of the address space collapse into 0.0.0.0/0
    assert dests(netcalc.routes(["0.0.0.0/1", "128.0.0.0/1"], NIC, GW, "Int", summarize=True)) == [
        "0.0.0.0/1", "128.0.0.0/1"]
