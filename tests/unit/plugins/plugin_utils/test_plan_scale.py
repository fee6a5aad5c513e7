# -*- coding: utf-8 -*-
"""Issue 10, item 1: every computation over the inventory is O(n log n) or better.

Two kinds of tests:

* properties: the fast code (sort-and-sweep, binary searches, sets) gives what a simple reference
  implementation kept here gives (the obvious quadratic scans);
* complexity: the work done, counted as Python lines executed (sys.settrace; a sort in C counts as
  one line, a scan of a list in Python as one line per item), grows at most ~2.2x when an input
  doubles.  Never wall time: a generous hang guard only.
"""

from __future__ import annotations

import ipaddress
import sys
import time
import types

import pytest
import scale_data
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ansible_collections.sfb.edge.plugins.plugin_utils import _model as model, _netcalc as netcalc, _plan as plan, _validate as validate

NIC = "172.16.10.11/24"
GW = "172.16.10.1"
HANG_GUARD = 120  # seconds: only so that a quadratic regression fails instead of hanging the suite


# --- reference implementations (obvious, quadratic, kept simple on purpose) -----------------------

def reference_routes(networks, nic_address, summarize=False):
    nic = ipaddress.IPv4Interface(nic_address).network
    wanted = [ipaddress.IPv4Network(n, strict=False) for n in networks]
    wanted = [n for n in wanted if not n.subnet_of(nic)]
    if summarize:
        kept = []
        for net in ipaddress.collapse_addresses(wanted):
            kept.extend(net.subnets(new_prefix=1) if net.prefixlen == 0 else [net])
    else:
        kept = []
        for net in wanted:
            if net not in kept and not any(net != other and net.subnet_of(other) for other in wanted):
                kept.append(net)
    return [str(n) for n in sorted(kept)]


def reference_sort_findings(findings):
    order = {"error": 0, "warning": 1}
    unique = []
    for f in findings:
        if f not in unique:
            unique.append(f)
    return sorted(unique, key=lambda f: (order.get(f["severity"], 2), f["pool"] or "", f["host"], f["code"], f["variable"]))


def reference_unique(items):
    out = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


# --- strategies -----------------------------------------------------------------------------------

@st.composite
def cidrs(draw):
    """Networks crowded into 172.16.0.0/20 (so they nest, repeat and touch the NIC's /24) plus a few
    anywhere; host bits set now and then."""
    if draw(st.booleans()):
        address = 0xAC100000 + draw(st.integers(0, (1 << 12) - 1))
        plen = draw(st.integers(18, 32))
    else:
        address = draw(st.integers(0, (1 << 32) - 1))
        plen = draw(st.integers(1, 32))
    return "%s/%d" % (ipaddress.IPv4Address(address), plen)


def _covered(net, routes):
    return any(net.subnet_of(ipaddress.IPv4Network(r)) for r in routes)


# --- routes ---------------------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.lists(cidrs(), max_size=40), st.booleans())
@example(["0.0.0.0/1", "128.0.0.0/1"], True)
@example(["172.16.10.0/25", "172.16.10.128/25", "172.16.11.0/24"], True)
@example(["172.16.8.0/22", "172.16.8.0/23", "172.16.8.0/22"], False)
def test_routes_equal_the_reference(networks, summarize):
    got = [r["destination"] for r in netcalc.routes(networks, NIC, GW, "Internal", summarize=summarize)]
    assert got == reference_routes(networks, NIC, summarize)
    nic = ipaddress.IPv4Interface(NIC).network
    for text in networks:
        net = ipaddress.IPv4Network(text, strict=False)
        if not net.subnet_of(nic):
            assert _covered(net, got), "%s has no route" % net  # every requested network is reached
    for text in got:
        assert not ipaddress.IPv4Network(text).subnet_of(nic)  # the internal subnet is never routed
        assert ipaddress.IPv4Network(text).prefixlen > 0  # never a default route
    if not summarize:
        assert len(got) == len(set(got))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 255), st.integers(24, 30)), max_size=60))
def test_summarize_ranges_is_the_minimal_cover(blocks):
    ranges = netcalc.cover_ranges([((10 << 24) + (b << 8 & ~((1 << (32 - p)) - 1)), p) for b, p in blocks])
    got = netcalc.summarize_ranges(ranges)
    want = ipaddress.collapse_addresses(ipaddress.IPv4Network((s, p)) for s, p in ranges)
    assert [netcalc.cidr_text(s, p) for s, p in got] == [str(n) for n in want]


@pytest.mark.parametrize("text", ["10.1.2.3/16", "0.0.0.0/0", "255.255.255.255/32", "10.0.0.0/8", " 10.0.0.0/8",
                                  "10.0.0.0/255.0.0.0", "010.0.0.0/8", "10.0.0.0/08"])
def test_network_range_reads_like_ipaddress(text):
    try:
        net = ipaddress.IPv4Network(text.strip(), strict=False)
    except ValueError:
        with pytest.raises(ValueError):
            netcalc.network_range(text)
        return
    assert netcalc.network_range(text) == (int(net.network_address), net.prefixlen)


# --- findings and other de-duplication ------------------------------------------------------------

_finding = st.fixed_dictionaries({
    "severity": st.sampled_from(["error", "warning"]),
    "code": st.sampled_from(["a", "b"]),
    "host": st.sampled_from(["edge01", "edge02"]),
    "pool": st.sampled_from([None, "p1", "p2"]),
    "variable": st.sampled_from(["x", "y"]),
    "message": st.sampled_from(["m", "n"]),
})


@settings(max_examples=200, deadline=None)
@given(st.lists(_finding, max_size=60))
def test_sort_findings_equals_the_reference(findings):
    objects = [model.Finding(f["severity"], f["code"], f["host"], f["variable"], f["message"], f["pool"])
               for f in findings[: len(findings) // 2]] + findings[len(findings) // 2:]
    assert validate.sort_findings(objects) == reference_sort_findings([dict(f) for f in findings])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.fixed_dictionaries({"type": st.sampled_from(["A", "SRV"]), "name": st.sampled_from(["a", "b", "c"]),
                                       "port": st.sampled_from([443, 5061])}), max_size=40))
def test_plan_distinct_equals_the_reference(items):
    assert plan._distinct(items) == reference_unique(items)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.lists(st.sampled_from(["a.x.com", "b.x.com", "C.x.com", "c.x.com."]),
                                                      min_size=1, max_size=4)), max_size=20))
def test_hosts_entries_equal_the_reference(raw):
    entries = [{"ip": "10.0.0.%d" % ip, "names": names} for ip, names in raw]
    want = {}
    for entry in entries:
        bucket = want.setdefault(entry["ip"], [])
        for name in entry["names"]:
            name = name.lower().rstrip(".")
            if name not in bucket:
                bucket.append(name)
    assert netcalc.hosts_entries(entries) == [{"ip": ip, "names": names} for ip, names in want.items()]


# --- the per-server checks: index queries equal plain scans ---------------------------------------

@settings(max_examples=150, deadline=None)
@given(st.lists(cidrs(), max_size=30), st.lists(st.integers(0xAC100000, 0xAC100FFF), max_size=30),
       st.lists(st.sampled_from(["172.16.10.0/24", "172.16.8.0/22", "172.16.0.0/16", "172.16.12.0/30", "10.0.0.0/8"]),
                min_size=1, max_size=4))
def test_pool_index_equals_plain_scans(networks, addresses, blocks):
    nets = [ipaddress.IPv4Network(n, strict=False) for n in networks]
    entries = [{"ip": str(ipaddress.IPv4Address(a)), "names": ["h%d.corp.example.com" % i]}
               for i, a in enumerate(dict.fromkeys(addresses))]
    pool = types.SimpleNamespace(internal_networks=nets, internal_network_indexes=list(range(len(nets))),
                                 internal_hosts=entries)
    index = validate._PoolIndex(pool)
    blocks = [ipaddress.IPv4Network(b) for b in blocks]
    on_link = blocks[0]
    routed = [n for n in nets if n.prefixlen > 0]
    assert index.unreachable(on_link) == [
        e for e in entries
        if not any(ipaddress.IPv4Address(e["ip"]) in n for n in [on_link] + routed)]
    assert index.networks_overlapping(blocks) == [
        (i, n) for i, n in enumerate(nets) if n.prefixlen > 0 and any(n.overlaps(b) for b in blocks)]
    assert index.hosts_inside(blocks) == [
        (e, k) for e in entries for k, b in enumerate(blocks) if ipaddress.IPv4Address(e["ip"]) in b]


# --- the generated inventories --------------------------------------------------------------------

def test_scale_inventory_is_valid_and_planned():
    inv = scale_data.inventory(servers=4, pools=2, networks=300, hosts=250)
    assert len(inv) == 4
    pools, findings = validate.check(inv, read_certificates=False)
    assert findings == []
    assert [len(p.servers) for p in pools] == [2, 2]
    built = plan.build(inv, read_certificates=False)
    for pool_plan in built.values():
        for host in pool_plan["hosts"].values():
            assert len(host["routes"]) == 300
            assert len(host["hosts_entries"]) == 250


# --- complexity: counted work, doubling the input ------------------------------------------------

_EQUALITIES = [0]


class Counted(str):
    """A string that counts its equality tests: a list scan (``x in list``) runs in C, so it executes no
    Python line, but it compares; with these as values the scan shows in :func:`operations`."""

    __hash__ = str.__hash__

    def __eq__(self, other):
        _EQUALITIES[0] += 1
        return str.__eq__(self, other)

    def __ne__(self, other):
        _EQUALITIES[0] += 1
        return str.__ne__(self, other)


def operations(function, *args, **kwargs):
    """Python lines executed by ``function(*args, **kwargs)``, in every frame it calls, plus the
    equality tests of :class:`Counted` values."""
    _EQUALITIES[0] = 0
    count = [0]
    give_up = time.monotonic() + HANG_GUARD

    def tracer(frame, event, arg):
        if event == "line":
            count[0] += 1
            if not count[0] % 100000 and time.monotonic() > give_up:
                raise AssertionError("hang guard: still running after %d s (%d operations)" % (HANG_GUARD, count[0]))
        return tracer

    old = sys.gettrace()
    sys.settrace(tracer)
    try:
        function(*args, **kwargs)
    finally:
        sys.settrace(old)
    return count[0] + _EQUALITIES[0]


def assert_linearithmic(measure, small, factor=2.2):
    first, second = measure(small), measure(2 * small)
    assert second <= factor * first, "doubling the input: %d -> %d operations (%.2fx)" % (first, second, second / first)


@pytest.mark.parametrize("summarize", [False, True])
def test_routes_work_grows_linearly(summarize):
    def measure(n):
        nets = scale_data.networks_list(n) + scale_data.networks_list(n // 2)  # repeats too
        return operations(netcalc.routes, nets, NIC, GW, "Internal", summarize=summarize)

    assert_linearithmic(measure, 2000)


def _findings(n):
    return [{"severity": "warning", "code": Counted("c%d" % (i % 7)), "host": Counted("edge%02d" % (i % 12)), "pool": "p",
             "variable": Counted("v%d" % i), "message": Counted("m")} for i in range(n)]


def test_operations_see_a_list_scan():
    # the counter is fit for purpose: the quadratic reference is caught
    first, second = operations(reference_unique, _findings(300)), operations(reference_unique, _findings(600))
    assert second > 3 * first


def test_sort_findings_work_grows_linearly():
    def measure(n):
        findings = _findings(n)
        return operations(validate.sort_findings, findings + findings[: n // 2])

    assert_linearithmic(measure, 2000)


def test_plan_distinct_work_grows_linearly():
    def measure(n):
        return operations(plan._distinct, [{"type": "A", "name": Counted("n%d" % (i % (n // 2))), "value": Counted("v")}
                                           for i in range(n)])

    assert_linearithmic(measure, 2000)


def test_hosts_entries_work_grows_linearly():
    # one address with thousands of names (a hosts file of aliases)
    def measure(n):
        names = ["n%d.corp.example.com" % (i % (n // 2)) for i in range(n)]
        return operations(netcalc.hosts_entries, [{"ip": "10.0.0.1", "names": names}])

    assert_linearithmic(measure, 1000)


def _without_firewall(monkeypatch):
    # the firewall table is being rewritten as address groups (issue 10 item 2): measured apart
    monkeypatch.setattr(plan, "firewall", lambda pool: {})


@pytest.mark.parametrize("axis, small", [
    ("networks", dict(servers=4, networks=400, hosts=50)),
    ("hosts", dict(servers=4, networks=20, hosts=400)),
    ("servers", dict(servers=4, networks=200, hosts=100)),
])
def test_validate_and_plan_work_grow_linearly(monkeypatch, axis, small):
    _without_firewall(monkeypatch)
    first = operations(plan.build, scale_data.inventory(**small), read_certificates=False)
    second = operations(plan.build, scale_data.inventory(**dict(small, **{axis: 2 * small[axis]})), read_certificates=False)
    assert second <= 2.2 * first, "doubling %s: %d -> %d operations (%.2fx)" % (axis, first, second, second / first)


def test_many_findings_work_grows_linearly():
    # every hosts entry unreachable on every server: servers x hosts findings, de-duplicated and sorted
    def measure(hosts):
        inv = scale_data.inventory(servers=4, networks=hosts // 200 + 1, hosts=hosts)
        for host in inv.values():
            host["sfb_edge_internal_networks"] = ["192.168.0.0/24"]
        return operations(validate.check, inv, read_certificates=False)

    inv = scale_data.inventory(servers=2, networks=1, hosts=100)
    for host in inv.values():
        host["sfb_edge_internal_networks"] = ["192.168.0.0/24"]
    codes = [f["code"] for f in validate.validate(inv, read_certificates=False)]
    assert codes.count("unreachable_internal_host") == 200
    assert_linearithmic(measure, 400)


# --- certificate files: read once per run ---------------------------------------------------------

def test_certificate_files_are_read_once(monkeypatch):
    import collections
    import os

    from inventory_data import example_with_certificates

    from ansible_collections.sfb.edge.plugins.plugin_utils import _certs as certs

    monkeypatch.setattr(certs, "_READ", {})
    monkeypatch.setattr(certs, "_LOADED", {})
    opened = collections.Counter()
    real_open = os.open

    def counting_open(path, *args, **kwargs):
        opened[os.path.basename(path)] += 1
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", counting_open)
    inv = example_with_certificates()
    for name in ("edge03", "edge04"):  # four servers naming the same three files
        number = int(name[-1])
        internal = dict(inv["edge01"]["sfb_edge_internal_nic"], mac=None, address="172.16.10.%d/24" % (10 + number * 3))
        external = {s: "192.0.2.%d/24" % (40 + number * 3 + k) for k, s in enumerate(("access", "webconf", "av"))}
        inv[name] = dict(inv["edge01"], sfb_edge_internal_nic=internal,
                         sfb_edge_external_nic={"name": "External", "addresses": external})
    for _run in range(2):
        validate.check(inv)
    assert dict(opened) == {"corp-root-ca.cer": 1, "public-ca.cer": 1, "edgepool-internal.pfx": 1, "sip.example.com.pfx": 1}


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.integers(0, (1 << 32) - 1).map(lambda n: str(ipaddress.IPv4Address(n))),
                 st.from_regex(r"\A ?0?\d{1,3}\.\d{1,3}\.0?\d{1,3}\.\d{1,3} ?\Z")))
@example("010.0.0.1")
@example("256.0.0.1")
def test_address_text_reads_like_ipaddress(text):
    try:
        want = str(ipaddress.IPv4Address(text.strip()))
    except ValueError:
        with pytest.raises(ValueError):
            netcalc.address_text(text)
        return
    assert netcalc.address_text(text) == want
    assert netcalc.address_int(want) == int(ipaddress.IPv4Address(want))


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"\A ?0?\d{1,3}\.\d{1,3}\.0?\d{1,3}\.\d{1,3}/0?\d{1,2}\n?\Z"))
@example("10.0.0.0/8\n")
@example("10.0.0.0/33")
def test_network_range_reads_like_parse_network(text):
    try:
        net = netcalc.parse_network(text)
    except ValueError:
        with pytest.raises(ValueError):
            netcalc.network_range(text)
        return
    assert netcalc.network_range(text) == (int(net.network_address), net.prefixlen)
