# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The diff engine: desired state (:mod:`desired`) against gathered state (:mod:`state`).

For each area it returns the changes (each with before/after), the problems a run cannot fix by
itself, and the remote calls that apply exactly the changes - at most one call per module per
area, however many routes, addresses or hosts entries differ.  The lockout guard marks every change
that would cut the connection the controller uses.  Plain data in, plain data out.
"""

from __future__ import annotations

import hashlib

from ansible_collections.sfb.edge.plugins.plugin_utils import changes as _records
from ansible_collections.sfb.edge.plugins.plugin_utils import cs
from ansible_collections.sfb.edge.plugins.plugin_utils import guard as _guard
from ansible_collections.sfb.edge.plugins.plugin_utils.model import normalize_mac

# The order site.yml applies the areas in.  Routes come before the network area so that, on a box
# set up by hand with a default gateway on the internal NIC, the persistent routes to the internal
# networks exist before that gateway is removed; routes pin the interface by index, which a rename
# does not change.
# The Lync/SfB areas (cs.py) follow: they need the certificates imported and the network in place.
AREAS = ("routes", "network", "hosts_file", "identity", "certificates") + cs.CS_AREAS
# Reported by drift.yml but not applied by site.yml (replication is fixed from the Front End).
REPORT_AREAS = AREAS + ("cs_replication",)
REPORT_FORMAT = 1

HOSTS_BEGIN = "# BEGIN sfb.edge managed entries"
HOSTS_END = "# END sfb.edge managed entries"
TCPIP_PARAMETERS = r"HKLM:\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters"


_change, _problem, _result = _records.change, _records.problem, _records.result


# ----------------------------------------------------------------------------------- adapters
def _adapter_list(current):
    return [a for a in current.get("adapters") or [] if isinstance(a, dict)]


def _describe_adapters(current):
    return ", ".join("%s [%s]" % (a.get("name"), a.get("mac") or "no MAC") for a in _adapter_list(current)) or "none"


def resolve_adapter(current, nic):
    """Find the adapter for a desired NIC: by MAC when the inventory gives one, else by name.

    :returns: ``(adapter, problem)``; exactly one of them is None.
    """
    adapters = _adapter_list(current)
    name = nic["name"]
    named = [a for a in adapters if str(a.get("name", "")).lower() == name.lower()]
    if nic.get("mac"):
        by_mac = [a for a in adapters if normalize_mac(a.get("mac")) == nic["mac"]]
        if not by_mac:
            return None, "no adapter has MAC %s (adapters: %s); correct %s.mac" % (
                nic["mac"], _describe_adapters(current), nic["variable"])
        if named and named[0] is not by_mac[0]:
            return None, "the adapter named %r has MAC %s, not %s; rename or correct %s.mac" % (
                named[0]["name"], named[0].get("mac"), nic["mac"], nic["variable"])
        return by_mac[0], None
    if not named:
        return None, "no adapter is named %r (adapters: %s); rename it by hand, or set %s.mac so the " \
            "adapter is found by its MAC address and renamed" % (name, _describe_adapters(current), nic["variable"])
    return named[0], None


def _leased(values, dhcp):
    """Values as reported, marked when they come from a DHCP lease (they go when DHCP is turned off)."""
    return ["%s (DHCP)" % v for v in values] if dhcp else values


def _addresses(adapter):
    result = {}
    for item in adapter.get("addresses") or []:
        result[item["address"]] = {"prefix_length": int(item["prefix_length"]),
                                   "skip_as_source": bool(item.get("skip_as_source"))}
    return result


# ----------------------------------------------------------------------------------- network
def network(desired, current):
    res = _result("network")
    edge_calls, dns_calls, netbios = [], [], {}
    for role in ("internal", "external"):
        nic = desired["network"][role]
        adapter, problem = resolve_adapter(current, nic)
        if problem:
            res["problems"].append(_problem("network", nic["variable"], problem))
            continue
        now, name = adapter["name"], nic["name"]
        call = {"name": now}
        if nic.get("mac"):
            call["mac"] = nic["mac"]

        def change(prop, action, before, after, target=name):
            res["changes"].append(_change("network", target, prop, action, before, after))

        if now != name:
            change("name", "set", now, name)
            call["rename_to"] = name
        if adapter.get("dhcp"):
            change("dhcp", "set", True, False)
            call["dhcp"] = False
        have = _addresses(adapter)
        want = {a["address"]: a for a in nic["addresses"]}
        for ip, a in want.items():
            cidr = "%s/%d" % (ip, a["prefix_length"])
            old = have.get(ip)
            if old is None or old["prefix_length"] != a["prefix_length"]:
                if old is not None:
                    change("address", "remove", "%s/%d" % (ip, old["prefix_length"]), None)
                    call.setdefault("remove", []).append(ip)
                change("address", "add", None, cidr)
                call.setdefault("add", []).append(dict(a))
            elif old["skip_as_source"] != a["skip_as_source"]:
                change("skip_as_source", "set", old["skip_as_source"], a["skip_as_source"], "%s %s" % (name, ip))
                call.setdefault("skip_as_source", {})[ip] = a["skip_as_source"]
        for ip, old in have.items():
            if ip not in want:
                change("address", "remove", "%s/%d" % (ip, old["prefix_length"]), None)
                call.setdefault("remove", []).append(ip)
        # Turning DHCP off drops the lease's gateway and DNS servers: set them even when equal.
        dhcp = bool(adapter.get("dhcp"))
        gateways = list(adapter.get("gateways") or [])
        wanted_gw = [nic["gateway"]] if nic["gateway"] else []
        if gateways != wanted_gw or (dhcp and wanted_gw):
            change("gateway", "set", _leased(gateways, dhcp), wanted_gw)
            call["gateway"] = nic["gateway"] or ""
        if "register_in_dns" in nic and bool(adapter.get("register_in_dns")) != nic["register_in_dns"]:
            change("register_in_dns", "set", bool(adapter.get("register_in_dns")), nic["register_in_dns"])
            call["register_in_dns"] = nic["register_in_dns"]
        if len(call) > (2 if "mac" in call else 1):
            edge_calls.append(call)
        servers = list(adapter.get("dns_servers") or [])
        if servers != nic["dns_servers"] or (dhcp and nic["dns_servers"]):
            change("dns_servers", "set", _leased(servers, dhcp), list(nic["dns_servers"]))
            dns_calls.append({"module": "ansible.windows.win_dns_client",
                              "args": {"adapter_names": name, "dns_servers": list(nic["dns_servers"])}})
        if "netbios" in nic and adapter.get("netbios") != nic["netbios"]:
            change("netbios", "set", adapter.get("netbios"), nic["netbios"])
            netbios.setdefault(nic["netbios"], []).append(name)
    if edge_calls:
        res["calls"].append({"module": "sfb.edge.edge_network", "args": {"adapters": edge_calls}})
    res["calls"] += dns_calls
    for setting, names in sorted(netbios.items()):
        res["calls"].append({"module": "community.windows.win_netbios",
                             "args": {"adapter_names": names, "state": setting}})
    return res


# ----------------------------------------------------------------------------------- routes
def routes(desired, current):
    res = _result("routes")
    spec = desired["routes"]
    nic = desired["network"][spec["nic"]]
    adapter, problem = resolve_adapter(current, nic)
    if problem:
        res["problems"].append(_problem("routes", nic["variable"], problem))
        return res
    index = adapter.get("index")
    wanted = {r["destination"]: r["gateway"] for r in spec["routes"]}
    present, add, remove = set(), [], []
    for route in current.get("routes") or []:
        dest, gw = route.get("destination"), route.get("gateway")
        mine = route.get("interface_index") == index
        if dest in wanted and mine and gw == wanted[dest]:
            present.add(dest)  # a repeated identical entry is the same route, not a stale one
            continue
        if dest in wanted or (mine and spec["purge"]):
            remove.append(route)
        elif mine:
            res["notes"].append("unmanaged persistent route %s via %s on %s is kept (set sfb_edge_routes_purge: true "
                                "to remove it)" % (dest, gw, route.get("interface")))
    for dest, gw in wanted.items():
        if dest not in present:
            add.append({"destination": dest, "gateway": gw, "interface": nic["name"], "interface_index": index})
    for route in remove:
        text = "%s via %s on %s" % (route.get("destination"), route.get("gateway"), route.get("interface"))
        res["changes"].append(_change("routes", route.get("destination"), "route", "remove", text, None))
    for route in add:
        res["changes"].append(_change("routes", route["destination"], "route", "add", None,
                                      "%s via %s on %s" % (route["destination"], route["gateway"], nic["name"])))
    if add or remove:
        res["calls"].append({"module": "sfb.edge.edge_routes", "args": {
            "add": add,
            "remove": [{"destination": r.get("destination"), "gateway": r.get("gateway"),
                        "interface": r.get("interface"), "interface_index": r.get("interface_index")} for r in remove],
        }})
    return res


# ----------------------------------------------------------------------------------- hosts file
def _line_entry(line):
    """``(ip, [names])`` of a hosts-file line, or None for comments and blank lines."""
    text = line.split("#", 1)[0].strip()
    if not text:
        return None
    fields = text.split()
    if len(fields) < 2:
        return None
    return fields[0], [n.lower().rstrip(".") for n in fields[1:]]


def render_hosts(content, entries):
    """The hosts file with the managed entries in their block; every other line kept byte-for-byte.

    Lines naming a managed host outside the block would shadow it, so they are dropped too.
    :returns: ``(new_content, dropped_lines)``.
    """
    newline = "\n" if "\n" in content and "\r\n" not in content else "\r\n"
    managed = {n for e in entries for n in e["names"]}
    kept, dropped, position, in_block = [], [], None, False
    for line in content.splitlines(keepends=True):
        marker = line.strip()
        if marker == HOSTS_BEGIN:
            in_block = True
            position = len(kept) if position is None else position
            continue
        if marker == HOSTS_END and in_block:
            in_block = False
            continue
        entry = _line_entry(line)
        if in_block or (entry and managed & set(entry[1])):
            if entry:
                dropped.append(entry)
            continue
        kept.append(line)
    if kept and not kept[-1].endswith(("\n", "\r")):
        kept[-1] += newline
    block = [HOSTS_BEGIN + newline] + ["%s %s%s" % (e["ip"], " ".join(e["names"]), newline) for e in entries]
    block.append(HOSTS_END + newline)
    if not entries:
        block = []
    if position is None:
        position = len(kept)
    return "".join(kept[:position] + block + kept[position:]), dropped


def hosts_file(desired, current):
    res = _result("hosts_file")
    info = current.get("hosts_file") or {}
    content = info.get("content") or ""
    entries = desired["hosts_file"]["entries"]
    new, dropped = render_hosts(content, entries)
    if new == content:
        return res
    before = {}
    for ip, names in dropped:
        for name in names:
            before.setdefault(name, []).append(ip)
    after = {n: e["ip"] for e in entries for n in e["names"]}
    for name in sorted(set(before) | set(after)):
        old, new_ip = before.get(name, []), after.get(name)
        if new_ip is None:
            res["changes"].append(_change("hosts_file", name, "entry", "remove", ", ".join(old), None))
        elif not old:
            res["changes"].append(_change("hosts_file", name, "entry", "add", None, new_ip))
        elif old != [new_ip]:
            res["changes"].append(_change("hosts_file", name, "entry", "set", ", ".join(old), new_ip))
    if not res["changes"]:
        res["changes"].append(_change("hosts_file", info.get("path") or "hosts", "managed block", "set",
                                      "entries outside the managed block or in another layout",
                                      "%d entries in the managed block" % len(entries)))
    res["calls"].append({"module": "sfb.edge.edge_hosts_file", "args": {
        "content": new, "expected_sha256": hashlib.sha256(content.encode("utf-8")).hexdigest()}})
    res["diff"] = {"before": content, "after": new, "before_header": "hosts (gathered)", "after_header": "hosts"}
    return res


# ----------------------------------------------------------------------------------- identity
def identity(desired, current):
    res = _result("identity")
    ident, computer = desired["identity"], current.get("computer") or {}
    if computer.get("part_of_domain"):
        res["problems"].append(_problem(
            "identity", "sfb_edge_fqdn", "the host is joined to the domain %r; an edge server must be a workgroup "
            "machine (it cannot reach domain controllers from the perimeter network). Remove it from the domain by "
            "hand and run again; this collection never changes domain membership" % computer.get("domain")))
    name = computer.get("pending_hostname") or computer.get("hostname") or ""
    if name.upper() != ident["hostname"].upper():
        res["changes"].append(_change("identity", "computer", "hostname", "set", name, ident["hostname"].upper()))
        res["calls"].append({"module": "ansible.windows.win_hostname", "args": {"name": ident["hostname"].upper()}})
    suffix = (computer.get("dns_suffix") or "").lower()
    if suffix != ident["dns_suffix"]:
        res["changes"].append(_change("identity", "computer", "dns_suffix", "set", suffix, ident["dns_suffix"]))
        res["calls"].append({"module": "ansible.windows.win_regedit", "args": {
            "path": TCPIP_PARAMETERS, "name": "NV Domain", "data": ident["dns_suffix"], "type": "string"}})
    if computer.get("pending_reboot"):
        res["notes"].append("a reboot is pending (%s)" % (", ".join(computer.get("pending_reboot_reasons") or [])
                                                          or "reason unknown"))
    res["reboot_required"] = bool(res["changes"])
    return res


# ----------------------------------------------------------------------------------- certificates
def certificates(desired, current):
    res = _result("certificates")
    stores = current.get("certificates") or {}
    todo = []
    for cert in desired["certificates"]:
        found = [c for c in stores.get(cert["store"]) or []
                 if str(c.get("thumbprint", "")).upper() == cert["thumbprint"]]
        ok = [c for c in found if cert["store"] != "My" or c.get("has_private_key")]
        if ok:
            if cert["store"] == "My" and ok[0].get("legacy_csp") is False:
                res["notes"].append("%s (%s) has a CNG/KSP private key; Skype for Business Server 2015 and later "
                                    "need a legacy CSP key: re-import the PFX with a CSP (%s)"
                                    % (cert["subject"], cert["thumbprint"], cert["variable"]))
            continue
        res["changes"].append(_change("certificates", "%s\\%s" % (cert["store"], cert["thumbprint"]), "certificate",
                                      "add", "present without private key" if found else None,
                                      "%s (%s)" % (cert["subject"], cert["variable"])))
        todo.append({"store": cert["store"], "thumbprint": cert["thumbprint"], "pfx": cert["pfx"],
                     "variable": cert["variable"], "path": cert["path"]})
    if todo:
        res["calls"].append({"module": "sfb.edge.edge_certificates", "args": {"certificates": todo}})
    return res


AREA_FUNCTIONS = {"network": network, "routes": routes, "hosts_file": hosts_file, "identity": identity,
                  "certificates": certificates}
AREA_FUNCTIONS.update(cs.AREA_FUNCTIONS)


# ----------------------------------------------------------------------------------- lockout guard
def guard(desired, current, results, ansible_host=None, port=None, host_addresses=None, resolve_error=None):
    """The lockout guard: :func:`guard.guard`."""
    return _guard.guard(desired, current, results, ansible_host=ansible_host, port=port,
                        host_addresses=host_addresses, resolve_error=resolve_error)


# ----------------------------------------------------------------------------------- whole host
def host_drift(desired, current, ansible_host=None, areas=AREAS, options=None, port=None, host_addresses=None,
               resolve_error=None):
    """Every area's result plus the lockout guard, for one host.

    :param options: for the CS areas: ``config_refresh`` and ``frontend`` (see :func:`cs.cs_install`).
    :param port: the local port the controller connects to (:func:`guard.connection_port`; None: unknown).
    :param host_addresses: the IPv4 addresses ``ansible_host`` resolves to on the controller
        (:func:`guard.resolve_ipv4`); None: ``ansible_host`` when it is an IPv4 address.
    """
    results = {}
    for area in areas:
        if area in cs.AREA_FUNCTIONS:
            results[area] = cs.AREA_FUNCTIONS[area](desired, current, options)
        else:
            results[area] = AREA_FUNCTIONS[area](desired, current)
    if "network" in results or "routes" in results:
        verdict = guard(desired, current, results, ansible_host=ansible_host, port=port,
                        host_addresses=host_addresses, resolve_error=resolve_error)
    else:
        verdict = {"blocked": [], "new_address": None, "connection": None}
    return results, verdict


def report(desired, current, ansible_host=None, source=None, options=None, port=None, host_addresses=None,
           resolve_error=None):
    """The drift report of one host (written as ``<plan dir>/<pool>/drift/<host>.json``)."""
    results, verdict = host_drift(desired, current, ansible_host=ansible_host, areas=REPORT_AREAS, options=options,
                                  port=port, host_addresses=host_addresses, resolve_error=resolve_error)
    changes = {a: results[a]["changes"] for a in REPORT_AREAS}
    problems = [p for a in REPORT_AREAS for p in results[a]["problems"]]
    return {
        "format": REPORT_FORMAT,
        "host": desired["host"],
        "pool": desired["pool"],
        "source": source,
        "in_sync": not any(changes.values()) and not problems,
        "summary": {a: len(changes[a]) for a in REPORT_AREAS},
        "changes": changes,
        "problems": problems,
        "blocked": verdict["blocked"],
        "notes": [n for a in REPORT_AREAS for n in results[a]["notes"]],
        "remote_calls": {a: [c["module"] for c in results[a]["calls"]] for a in REPORT_AREAS},
    }


def _value(value):
    if value is None:
        return "-"
    if isinstance(value, list):
        return "[%s]" % ", ".join(str(v) for v in value)
    return str(value)


def format_report(rep):
    """Readable lines of a drift report."""
    total = sum(rep["summary"].values())
    areas = ", ".join("%s %d" % (a, n) for a, n in rep["summary"].items() if n)
    head = "%s (%s): %s" % (rep["host"], rep["pool"], "in sync" if rep["in_sync"] else
                            "%d change(s)%s, %d problem(s)" % (total, " (%s)" % areas if areas else "",
                                                               len(rep["problems"])))
    lines = [head]
    for area in rep["changes"]:
        for c in rep["changes"][area]:
            if c["property"] in ("route", "certificate"):
                text = c["after"] if c["after"] is not None else c["before"]
                text = "%s %s" % (c["target"], text) if c["property"] == "certificate" else text
            else:
                what = c["target"] if c["property"] == "entry" else "%s %s" % (c["target"], c["property"])
                text = "%s: %s -> %s" % (what, _value(c["before"]), _value(c["after"]))
            lines.append("  %-15s %-6s %s" % (area, c["action"], text))
    for p in rep["problems"]:
        lines.append("  %-15s %-6s %s: %s" % (p["area"], "FIX", p["variable"], p["message"]))
    for b in rep["blocked"]:
        lines.append("  %-15s %-6s %s %s: %s" % (b["area"], "GUARD", b["target"], b["property"], b["reason"]))
    for n in rep["notes"]:
        lines.append("  note: %s" % n)
    return lines
