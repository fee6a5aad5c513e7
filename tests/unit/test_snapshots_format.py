# -*- coding: utf-8 -*-
"""Every snapshot under tests/snapshots/<scenario>/<host>.json follows docs/state-format.md.

Structure only (keys, types, value ranges, references between sections): what drift a
scenario contains is checked by the tests that use the snapshots, not here. Unknown keys are
allowed (the format may gain fields). Each failure names the file and the key path.
"""

from __future__ import annotations

import ipaddress
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
SNAPSHOTS = ROOT / "tests" / "snapshots"
FILES = sorted(SNAPSHOTS.glob("*/*.json"))

NETBIOS = ("default", "enabled", "disabled")
STORES = ("My", "Root", "CA")
MAC_RE = re.compile(r"^[0-9A-Fa-f]{2}(-[0-9A-Fa-f]{2}){5}$")
THUMBPRINT_RE = re.compile(r"^[0-9A-F]{40}$")
TIMESTAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
OID_RE = re.compile(r"^[0-2](\.(0|[1-9]\d*))+$")


class Checker:
    """Collects "<key path>: <problem>" messages for one state dict."""

    def __init__(self):
        self.errors = []

    def fail(self, path, message):
        self.errors.append("%s: %s" % (path, message))

    # -- primitives (each returns True when the value is acceptable) -------------------------
    def typed(self, value, path, types, what, nullable=False):
        if value is None and nullable:
            return True
        # bool is an int subclass: never accept it where a number is expected.
        if isinstance(value, bool) and bool not in types:
            ok = False
        else:
            ok = isinstance(value, types)
        if not ok:
            self.fail(path, "expected %s%s, got %r" % (what, " or null" if nullable else "", value))
        return ok

    def string(self, value, path, nullable=False, nonempty=False):
        if not self.typed(value, path, (str,), "a string", nullable):
            return False
        if nonempty and value is not None and not value.strip():
            self.fail(path, "must not be empty")
            return False
        return True

    def boolean(self, value, path, nullable=False):
        return self.typed(value, path, (bool,), "true/false", nullable)

    def integer(self, value, path, low=None, high=None, nullable=False):
        if not self.typed(value, path, (int,), "an integer", nullable):
            return False
        if value is not None and ((low is not None and value < low) or (high is not None and value > high)):
            self.fail(path, "%r out of range %s..%s" % (value, low, high))
            return False
        return True

    def ipv4(self, value, path):
        if not self.string(value, path):
            return False
        try:
            ipaddress.IPv4Address(value)
        except ValueError:
            self.fail(path, "%r is not an IPv4 dotted quad" % (value,))
            return False
        return True

    def section(self, parent, key, path, kind):
        """parent[key] must exist and be a dict (kind=dict) or a list (kind=list)."""
        if key not in parent:
            self.fail(path, "missing")
            return None
        value = parent[key]
        if not isinstance(value, kind):
            self.fail(path, "expected a %s, got %r" % ("mapping" if kind is dict else "list", value))
            return None
        return value

    def keys(self, obj, required, path):
        missing = [k for k in required if k not in obj]
        for key in missing:
            self.fail("%s.%s" % (path, key) if path else key, "missing")
        return not missing

    def strings(self, value, path, check=None):
        if not isinstance(value, list):
            self.fail(path, "expected a list, got %r" % (value,))
            return
        for n, item in enumerate(value):
            (check or self.string)(item, "%s[%d]" % (path, n))

    # -- sections ----------------------------------------------------------------------------
    def computer(self, state):
        comp = self.section(state, "computer", "computer", dict)
        if comp is None:
            return
        self.keys(comp, ("hostname", "pending_hostname", "dns_suffix", "part_of_domain", "domain",
                         "workgroup", "pending_reboot", "pending_reboot_reasons"), "computer")
        self.string(comp.get("hostname"), "computer.hostname", nonempty=True)
        self.string(comp.get("pending_hostname"), "computer.pending_hostname", nullable=True)
        self.string(comp.get("dns_suffix"), "computer.dns_suffix")
        self.boolean(comp.get("part_of_domain"), "computer.part_of_domain")
        self.string(comp.get("domain"), "computer.domain", nonempty=True)
        self.string(comp.get("workgroup"), "computer.workgroup", nullable=True)
        self.boolean(comp.get("pending_reboot"), "computer.pending_reboot")
        self.strings(comp.get("pending_reboot_reasons"), "computer.pending_reboot_reasons")
        if comp.get("pending_reboot") is False and comp.get("pending_reboot_reasons"):
            self.fail("computer.pending_reboot_reasons", "must be empty when pending_reboot is false")

    def adapters(self, state):
        adapters = self.section(state, "adapters", "adapters", list)
        if adapters is None:
            return {}
        by_name = {}
        seen = {"name": {}, "mac": {}, "index": {}}
        for n, nic in enumerate(adapters):
            path = "adapters[%d]" % n
            if not isinstance(nic, dict):
                self.fail(path, "expected a mapping, got %r" % (nic,))
                continue
            self.keys(nic, ("name", "description", "mac", "index", "status", "dhcp", "addresses", "gateways",
                            "dns_servers", "register_in_dns", "netbios"), path)
            if self.string(nic.get("name"), path + ".name", nonempty=True):
                by_name[nic["name"].lower()] = nic
            self.string(nic.get("description"), path + ".description")
            if self.string(nic.get("mac"), path + ".mac") and not MAC_RE.match(nic["mac"]):
                self.fail(path + ".mac", "%r is not a MAC address like 00-15-5D-0A-00-01" % (nic["mac"],))
            self.integer(nic.get("index"), path + ".index", low=1)
            self.string(nic.get("status"), path + ".status", nonempty=True)
            self.boolean(nic.get("dhcp"), path + ".dhcp")
            self.boolean(nic.get("register_in_dns"), path + ".register_in_dns")
            if nic.get("netbios") not in NETBIOS:
                self.fail(path + ".netbios", "expected one of %s, got %r" % ("/".join(NETBIOS), nic.get("netbios")))
            self.addresses(nic.get("addresses"), path + ".addresses")
            self.strings(nic.get("gateways"), path + ".gateways", self.ipv4)
            self.strings(nic.get("dns_servers"), path + ".dns_servers", self.ipv4)
            for key in seen:
                value = nic.get(key)
                if isinstance(value, (str, int)) and not isinstance(value, bool):
                    norm = value.lower() if isinstance(value, str) else value
                    if norm in seen[key]:
                        self.fail("%s.%s" % (path, key), "%r also used by %s" % (value, seen[key][norm]))
                    seen[key][norm] = path
        return by_name

    def addresses(self, addresses, path):
        if not isinstance(addresses, list):
            self.fail(path, "expected a list, got %r" % (addresses,))
            return
        for n, entry in enumerate(addresses):
            apath = "%s[%d]" % (path, n)
            if not isinstance(entry, dict):
                self.fail(apath, "expected a mapping, got %r" % (entry,))
                continue
            self.keys(entry, ("address", "prefix_length", "skip_as_source", "origin"), apath)
            if self.ipv4(entry.get("address"), apath + ".address") and \
                    ipaddress.IPv4Address(entry["address"]).is_link_local:
                self.fail(apath + ".address", "link-local addresses (169.254/16) are not reported")
            self.integer(entry.get("prefix_length"), apath + ".prefix_length", 0, 32)
            self.boolean(entry.get("skip_as_source"), apath + ".skip_as_source")
            self.string(entry.get("origin"), apath + ".origin", nonempty=True)

    def routes(self, state, adapters):
        routes = self.section(state, "routes", "routes", list)
        if routes is None:
            return
        for n, route in enumerate(routes):
            path = "routes[%d]" % n
            if not isinstance(route, dict):
                self.fail(path, "expected a mapping, got %r" % (route,))
                continue
            self.keys(route, ("destination", "gateway", "interface", "interface_index", "metric"), path)
            dest = route.get("destination")
            if self.string(dest, path + ".destination"):
                try:
                    net = ipaddress.IPv4Network(dest, strict=True)
                except ValueError as exc:
                    self.fail(path + ".destination", "%r is not an IPv4 network a.b.c.d/len: %s" % (dest, exc))
                else:
                    if "/" not in dest:
                        self.fail(path + ".destination", "%r lacks a prefix length" % (dest,))
                    elif net.prefixlen == 0:
                        self.fail(path + ".destination", "default routes are not listed in routes")
            self.ipv4(route.get("gateway"), path + ".gateway")
            self.integer(route.get("metric"), path + ".metric", low=0)
            if self.integer(route.get("interface_index"), path + ".interface_index", low=1) and \
                    self.string(route.get("interface"), path + ".interface", nonempty=True):
                nic = adapters.get(route["interface"].lower())
                if nic is None:
                    self.fail(path + ".interface", "%r names no adapter of this snapshot" % (route["interface"],))
                elif nic.get("index") != route["interface_index"]:
                    self.fail(path + ".interface_index", "%r, but adapter %r has index %r"
                              % (route["interface_index"], route["interface"], nic.get("index")))

    def hosts_file(self, state):
        hosts = self.section(state, "hosts_file", "hosts_file", dict)
        if hosts is None:
            return
        self.keys(hosts, ("path", "content"), "hosts_file")
        self.string(hosts.get("path"), "hosts_file.path", nonempty=True)
        self.string(hosts.get("content"), "hosts_file.content")

    def certificates(self, state):
        certs = self.section(state, "certificates", "certificates", dict)
        if certs is None:
            return
        for store in STORES:
            entries = self.section(certs, store, "certificates." + store, list)
            if entries is None:
                continue
            seen = {}
            for n, cert in enumerate(entries):
                path = "certificates.%s[%d]" % (store, n)
                if not isinstance(cert, dict):
                    self.fail(path, "expected a mapping, got %r" % (cert,))
                    continue
                self.certificate(cert, path)
                thumb = cert.get("thumbprint")
                if isinstance(thumb, str):
                    if thumb in seen:
                        self.fail(path + ".thumbprint", "duplicate of %s" % seen[thumb])
                    seen[thumb] = path

    def certificate(self, cert, path):
        self.keys(cert, ("thumbprint", "subject", "issuer", "dns_names", "not_before", "not_after",
                         "has_private_key", "key_algorithm", "key_size", "key_provider", "legacy_csp", "eku"), path)
        thumb = cert.get("thumbprint")
        if self.string(thumb, path + ".thumbprint") and not THUMBPRINT_RE.match(thumb):
            self.fail(path + ".thumbprint", "%r is not 40 upper-case hex characters" % (thumb,))
        self.string(cert.get("subject"), path + ".subject")
        self.string(cert.get("issuer"), path + ".issuer")
        self.strings(cert.get("dns_names"), path + ".dns_names")
        for key in ("not_before", "not_after"):
            value = cert.get(key)
            if self.string(value, "%s.%s" % (path, key)) and not TIMESTAMP_RE.match(value):
                self.fail("%s.%s" % (path, key), "%r is not a UTC timestamp like 2026-01-01T00:00:00Z" % (value,))
        if isinstance(cert.get("not_before"), str) and isinstance(cert.get("not_after"), str) and \
                cert["not_before"] > cert["not_after"]:
            self.fail(path + ".not_after", "before not_before")
        has_key = cert.get("has_private_key")
        self.boolean(has_key, path + ".has_private_key")
        self.string(cert.get("key_algorithm"), path + ".key_algorithm", nullable=True)
        self.integer(cert.get("key_size"), path + ".key_size", low=1, nullable=True)
        self.string(cert.get("key_provider"), path + ".key_provider", nullable=True)
        if self.boolean(cert.get("legacy_csp"), path + ".legacy_csp", nullable=True) and has_key is False and \
                cert.get("legacy_csp") is not None:
            self.fail(path + ".legacy_csp", "must be null when has_private_key is false")
        self.strings(cert.get("eku"), path + ".eku")
        for n, oid in enumerate(cert.get("eku") or []):
            if isinstance(oid, str) and not OID_RE.match(oid):
                self.fail("%s.eku[%d]" % (path, n), "%r is not a dotted OID" % (oid,))

    def connection(self, state):
        conns = self.section(state, "connection", "connection", list)
        if conns is None:
            return
        for n, conn in enumerate(conns):
            path = "connection[%d]" % n
            if not isinstance(conn, dict):
                self.fail(path, "expected a mapping, got %r" % (conn,))
                continue
            self.keys(conn, ("local_address", "local_port", "remote_address"), path)
            self.ipv4(conn.get("local_address"), path + ".local_address")
            self.integer(conn.get("local_port"), path + ".local_port", 1, 65535)
            self.ipv4(conn.get("remote_address"), path + ".remote_address")

    def check(self, state):
        if not isinstance(state, dict):
            self.fail("(top level)", "expected a mapping, got %r" % (type(state).__name__,))
            return self.errors
        if state.get("format") != 1 or isinstance(state.get("format"), bool):
            self.fail("format", "expected 1, got %r" % (state.get("format"),))
        self.computer(state)
        adapters = self.adapters(state)
        self.routes(state, adapters)
        self.hosts_file(state)
        self.certificates(state)
        self.connection(state)
        return self.errors


def problems(state):
    return Checker().check(state)


def test_snapshots_exist():
    assert FILES, "no snapshots found under %s" % SNAPSHOTS


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(SNAPSHOTS)) for p in FILES])
def test_snapshot_follows_state_format(path):
    name = path.relative_to(ROOT)
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        pytest.fail("%s: not valid JSON: %s" % (name, exc))
    errors = problems(state)
    assert not errors, "%s does not follow docs/state-format.md:\n  %s" % (name, "\n  ".join(errors))


# -- the checker itself: a broken copy of a valid snapshot is reported by key path ---------------

def _valid():
    if not FILES:
        pytest.skip("no snapshots")
    return json.loads(FILES[0].read_text(encoding="utf-8"))


def _first_with(key_path_picker):
    for path in FILES:
        state = json.loads(path.read_text(encoding="utf-8"))
        if key_path_picker(state):
            return state
    pytest.skip("no snapshot has the part this check needs")


@pytest.mark.parametrize("breakage, expected", [
    (lambda s: s.update(format=2), "format"),
    (lambda s: s["computer"].pop("dns_suffix"), "computer.dns_suffix: missing"),
    (lambda s: s["computer"].update(part_of_domain="no"), "computer.part_of_domain"),
    (lambda s: s["adapters"][0].update(netbios="off"), "adapters[0].netbios"),
    (lambda s: s["adapters"][0]["addresses"][0].update(address="172.16.10.300"), "adapters[0].addresses[0].address"),
    (lambda s: s["adapters"][0]["addresses"][0].update(prefix_length=33), "adapters[0].addresses[0].prefix_length"),
    (lambda s: s["adapters"][0]["addresses"][0].update(prefix_length=True), "adapters[0].addresses[0].prefix_length"),
    (lambda s: s["adapters"][0].update(gateways=["gw"]), "adapters[0].gateways[0]"),
    (lambda s: s["adapters"][0].update(mac="00:15:5D:0A:00:01"), "adapters[0].mac"),
    (lambda s: s["hosts_file"].update(content=["line"]), "hosts_file.content"),
    (lambda s: s["certificates"]["Root"][0].update(thumbprint="3a1f" * 10), "certificates.Root[0].thumbprint"),
    (lambda s: s["certificates"].pop("CA"), "certificates.CA: missing"),
    (lambda s: s["connection"][0].update(local_port=0), "connection[0].local_port"),
    (lambda s: s["connection"][0].update(remote_address="controller"), "connection[0].remote_address"),
    (lambda s: s.pop("routes"), "routes: missing"),
])
def test_checker_names_the_broken_key(breakage, expected):
    state = _valid()
    assert problems(state) == []
    breakage(state)
    errors = problems(state)
    assert any(e.startswith(expected) for e in errors), errors


def test_checker_route_must_name_an_adapter():
    state = _first_with(lambda s: s.get("routes"))
    state["routes"][0]["interface"] = "NoSuchNic"
    assert any(e.startswith("routes[0].interface:") for e in problems(state))
    state["routes"][0]["interface"] = state["adapters"][0]["name"]
    state["routes"][0]["destination"] = "10.10.1.0/16"
    assert any(e.startswith("routes[0].destination:") for e in problems(state))


# -- the state schema and the fields of this version (docs/state-format.md) ---------------------

# Windows Server build and .NET Framework 4.x "Release" values per product (inventories/example is
# sfb2019, the snapshots are its two servers). SfB 2019 runs on Server 2016/2019 with .NET 4.7 or
# 4.8; SfB 2015 on 2012 R2/2016 with .NET 4.5 or later (4.7+ with the matching CU, 4.8 from CU9:
# issue 19 point 7); Lync 2013 on 2012 R2 with .NET 4.5 or later.
OS_BUILDS = {"lync2013": {9600}, "sfb2015": {9600, 14393}, "sfb2019": {14393, 17763}, "sfbse": {17763, 20348}}
DOTNET_47_OR_LATER = 460798
DOTNET_45 = 378389
OS = {9600: ("6.3.9600", "Windows Server 2012 R2"), 14393: ("10.0.14393", "Windows Server 2016"),
      17763: ("10.0.17763", "Windows Server 2019"), 20348: ("10.0.20348", "Windows Server 2022")}


def _version_of_the_example():
    text = (ROOT / "inventories" / "example" / "group_vars" / "edge_pool_corp.yml").read_text(encoding="utf-8")
    return re.search(r"^sfb_edge_version:\s*(\S+)", text, re.M).group(1)


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(SNAPSHOTS)) for p in FILES])
def test_snapshot_passes_the_state_schema(path):
    from ansible_collections.sfb.edge.plugins.plugin_utils import _state as state
    state.load_snapshot(str(path.parent), path.stem)


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(SNAPSHOTS)) for p in FILES])
def test_snapshot_has_every_field_of_this_version(path):
    """The shipped snapshots carry every optional field the collection reads (so tests see them),
    with values that fit together and fit the product version of the example inventory."""
    s = json.loads(path.read_text(encoding="utf-8"))
    version = _version_of_the_example()
    comp = s["computer"]
    errors = []

    def need(ok, what):
        if not ok:
            errors.append(what)

    need(comp.get("os_build") in OS_BUILDS[version], "computer.os_build %r for %s" % (comp.get("os_build"), version))
    os_version, os_name = OS.get(comp.get("os_build"), (None, None))
    need(comp.get("os_version") == os_version, "computer.os_version %r does not match os_build" % comp.get("os_version"))
    need(os_name and os_name in str(comp.get("os_caption")), "computer.os_caption %r" % comp.get("os_caption"))
    release = comp.get("dotnet_release")
    need(isinstance(release, int), "computer.dotnet_release missing")
    if isinstance(release, int):
        need(release >= DOTNET_47_OR_LATER if version in ("sfb2019", "sfbse") else release >= DOTNET_45,
             "computer.dotnet_release %d does not fit %s" % (release, version))
    need("local_account_token_filter_policy" in comp, "computer.local_account_token_filter_policy missing")
    user = comp.get("user") or {}
    need(user.get("builtin_administrator") == str(user.get("sid", "")).endswith("-500"), "user.builtin_administrator")
    need(user.get("system") == (user.get("sid") == "S-1-5-18"), "user.system")
    need(user.get("builtin_administrator") or user.get("system"), "user: the built-in Administrator or SYSTEM")
    need(user.get("elevated") is True, "user.elevated")
    need(str(user.get("name", "")).upper().startswith(comp["hostname"].upper() + "\\") or user.get("system"),
         "user.name %r is not an account of %s" % (user.get("name"), comp["hostname"]))
    need((comp.get("windows_update") or {}).get("au_options", 0) in (None, 2, 3), "windows_update.au_options")
    for n, nic in enumerate(s["adapters"]):
        for m, address in enumerate(nic["addresses"]):
            dhcp = address["origin"] == "Dhcp"
            need(address.get("active") is True and address.get("persistent") is (not dhcp),
                 "adapters[%d].addresses[%d]: active true, persistent %s" % (n, m, not dhcp))
        routes = nic.get("default_routes")
        need(isinstance(routes, list) and [r["next_hop"] for r in routes] == nic["gateways"],
             "adapters[%d].default_routes must list the gateways" % n)
        for m, route in enumerate(routes or []):
            need(route["active"] is True and route["persistent"] is (not nic["dhcp"]),
                 "adapters[%d].default_routes[%d] stores" % (n, m))
    for n, route in enumerate(s["routes"]):
        need(route.get("active") is True and route.get("persistent") is True and route.get("interface_exists") is True,
             "routes[%d]: active, persistent, interface_exists" % n)
    need(s["hosts_file"].get("exists") is True and "content" in s["hosts_file"] and "raw" not in s["hosts_file"],
         "hosts_file: exists true, hand-written content form")
    ports = s.get("connection_ports")
    need(isinstance(ports, list) and ports, "connection_ports missing")
    for n, conn in enumerate(s["connection"]):
        need(conn["local_port"] in (ports or []), "connection[%d].local_port not in connection_ports" % n)
        need(isinstance(conn.get("remote_port"), int) and 49152 <= conn["remote_port"] <= 65535,
             "connection[%d].remote_port: an ephemeral port" % n)
    assert not errors, "%s:\n  %s" % (path.relative_to(ROOT), "\n  ".join(errors))
