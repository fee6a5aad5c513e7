# -*- coding: utf-8 -*-
"""REFERENCE for tests only: code as it was before the fast paths of issue 10, item 1, kept simple on purpose.

- the lockout guard's topology and verdict: every route destination parsed by ipaddress on every call,
  both topologies always computed, blocked changes de-duplicated by a scan of the blocked ones (the helpers
  that did not change come from the real module);
- the routes area of the diff engine (:func:`routes`).

tests/unit/test_fast_paths.py checks that plugins/plugin_utils/guard.py and drift.py give exactly what this
gives."""
# pylint: skip-file

from __future__ import annotations

import ipaddress
import unicodedata

from ansible_collections.sfb.edge.plugins.plugin_utils import drift, guard


def topology(current):
    """Addresses, routes and gateways per interface index, as the host has them now."""
    addrs, gws, names = {}, {}, {}
    for a in guard._adapters(current):
        addrs[a.get("index")] = guard._interfaces(a.get("addresses"))
        gws[a.get("index")] = [str(g) for g in a.get("gateways") or []]
        names[a.get("index")] = a.get("name")
    rts = []
    for r in current.get("routes") or []:
        try:
            rts.append((ipaddress.IPv4Network(r["destination"], strict=False), r.get("interface_index"),
                        r.get("gateway")))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    return {"addresses": addrs, "gateways": gws, "routes": rts, "names": names}


def final_topology(desired, current):
    """The topology after every area has been applied."""
    topo = topology(current)
    for role in ("internal", "external"):
        nic = desired["network"][role]
        index = guard._adapter_index(current, nic)
        if index is None:
            continue
        topo["addresses"][index] = {ipaddress.IPv4Interface("%s/%d" % (a["address"], a["prefix_length"]))
                                    for a in nic["addresses"]}
        topo["gateways"][index] = [nic["gateway"]] if nic["gateway"] else []
        topo["names"][index] = nic["name"]
    spec = desired["routes"]
    index = guard._adapter_index(current, desired["network"][spec["nic"]])
    if index is not None:
        wanted = {r["destination"] for r in spec["routes"]}
        kept = [r for r in topo["routes"] if str(r[0]) not in wanted and not (spec["purge"] and r[1] == index)]
        topo["routes"] = kept + [(ipaddress.IPv4Network(r["destination"]), index, r["gateway"]) for r in spec["routes"]]
    return topo


def path(topo, remote):
    """How ``remote`` is reached when no source address is given: ``("onlink", index)``,
    ``("route", index, network)``, ``("gateway", index)`` (one per interface with a default gateway) -
    a list, empty when unreachable."""
    ip = ipaddress.IPv4Address(remote)
    onlink = [("onlink", i) for i, addrs in topo["addresses"].items() if any(ip in a.network for a in addrs)]
    if onlink:
        return onlink
    matching = [r for r in topo["routes"] if ip in r[0]]
    if matching:
        best = max(r[0].prefixlen for r in matching)
        return [("route", r[1], str(r[0])) for r in matching if r[0].prefixlen == best]
    return [("gateway", i) for i, gws in topo["gateways"].items() if gws]


def path_from(topo, remote, index):
    """How interface ``index`` reaches ``remote`` (strong host model: only that interface's on-link
    networks, routes and default gateway count) - a list like :func:`path`, empty when it cannot."""
    ip = ipaddress.IPv4Address(remote)
    if any(ip in a.network for a in topo["addresses"].get(index, ())):
        return [("onlink", index)]
    matching = [r for r in topo["routes"] if r[1] == index and ip in r[0]]
    if matching:
        best = max(r[0].prefixlen for r in matching)
        return [("route", index, str(r[0])) for r in matching if r[0].prefixlen == best]
    if topo["gateways"].get(index):
        return [("gateway", index)]
    return []


def verdict(desired, current, results, ansible_host=None, port=None, host_addresses=None, resolve_error=None):
    """Mark the changes that could cut the controller's connection (see the module docstring).

    :returns: ``{"blocked": [change + reason], "new_address": str | None, "connection": identify()}``;
        ``results[area]["blocked"]`` get the blocked changes too.
    """
    conn = guard.identify(current, port=port, ansible_host=ansible_host, host_addresses=host_addresses,
                          resolve_error=resolve_error)
    now, final = topology(current), final_topology(desired, current)
    blocked = []

    def block(change, reason):
        if not any(b is change or (b["area"], b["target"], b["property"], b["action"], b["before"]) ==
                   (change["area"], change["target"], change["property"], change["action"], change["before"])
                   for b in blocked):
            change = dict(change, reason=reason)
            blocked.append(change)
            results[change["area"]]["blocked"].append(change)

    net = results.get("network", {"changes": []})["changes"]
    rts = results.get("routes", {"changes": []})["changes"]
    if not conn["identified"]:
        why = "the controller's connection could not be identified: %s; so this change may be on its path. " \
              "To proceed, %s" % (conn["reason"], guard.PROCEED)
        carrying = guard._carrying(now, current)
        for change in net:
            prop, action = change["property"], change["action"]
            if prop == "address" and action == "remove":
                block(change, "removes %s - %s" % (change["before"], why))
            elif prop == "gateway" and change["before"]:
                block(change, "changes the default gateway of %s (%s -> %s) - %s" % (
                    change["target"], change["before"], change["after"] or "none", why))
            elif prop in ("name", "dhcp") and guard._nic_index(desired, current, change["target"]) in carrying:
                block(change, "%s the adapter %s, which carries addresses or routes - %s" % (
                    "renames" if prop == "name" else "turns DHCP off on", change["before"] if prop == "name"
                    else change["target"], why))
        live = {str(r.get("destination")) for r in current.get("routes") or [] if isinstance(r, dict)
                and r.get("interface_exists") is not False and r.get("interface_index") in now["addresses"]}
        for change in rts:
            # a persistent route of an interface that no longer exists carries nothing
            if change["action"] == "remove" and change["target"] in live:
                block(change, "removes the route %s - %s" % (change["before"], why))
        new_address = None
        if blocked:
            new_address = guard._address_after(desired, current, now, final, set(conn["addresses"]), ansible_host,
                                               host_addresses)
        return {"blocked": blocked, "new_address": new_address, "connection": conn}

    used = {c["local_address"] for c in conn["connections"]} | set(conn["addresses"])
    for change in net:
        if change["property"] == "address" and change["action"] == "remove":
            ip = change["before"].split("/")[0]
            if ip in used:
                block(change, "removes %s, the address the controller's connection uses (%s)" % (
                    ip, "port %d" % port if port else "the connection on this host"))
    for c in conn["connections"]:
        local, remote = c["local_address"], c["remote_address"]
        index_now, index_final = guard.owner(now, local), guard.owner(final, local)
        if index_final is None or index_final != index_now:
            continue  # the address itself goes (or moves): blocked above
        before, after = path_from(now, remote, index_now), path_from(final, remote, index_final)
        if after or not before:
            continue  # still reached from the same interface afterwards (or not even now)
        nic = now["names"].get(index_now, "interface %s" % index_now)
        others = [s for s in path(final, remote) if s[1] != index_final]
        where_to = ("would be reached only by %s, away from %s - Windows sends a connection's replies only from the "
                    "interface that holds its address (strong host model), so they would be lost"
                    % (guard.describe_path(final, others), nic)) if others else "would not be reachable at all"
        tail = ("afterwards %s %s. Add a persistent route for the controller's network (sfb_edge_internal_networks) "
                "or set sfb_edge_allow_connection_change: true after checking console access" % (remote, where_to))
        ip = ipaddress.IPv4Address(remote)
        # every way interface index_now reaches the peer today, each one the plan takes away is blocked
        for change in net:
            if guard._nic_index(desired, current, change["target"]) != index_now:
                continue
            if change["property"] == "address" and change["action"] == "remove":
                try:
                    gone = ipaddress.IPv4Interface(change["before"])
                except ValueError:
                    continue
                if ip in gone.network:
                    block(change, "removes %s from %s, the on-link network by which %s answers the controller's "
                                  "peer %s; %s" % (change["before"], nic, local, remote, tail))
            elif change["property"] == "gateway" and now["gateways"].get(index_now):
                block(change, "removes the default gateway %s of %s, by which %s answers the controller's peer %s; "
                              "%s" % (", ".join(now["gateways"][index_now]), nic, local, remote, tail))
        covering = {str(r[0]) for r in now["routes"] if r[1] == index_now and ip in r[0]}
        for change in rts:
            if change["action"] == "remove" and change["target"] in covering:
                block(change, "removes the route to %s on %s, by which %s answers the controller's peer %s; %s"
                      % (change["target"], nic, local, remote, tail))
    new_address = guard._address_after(desired, current, now, final, used, ansible_host, host_addresses) if blocked else None
    return {"blocked": blocked, "new_address": new_address, "connection": conn}


def routes(desired, current):
    res = drift._result("routes")
    spec = desired["routes"]
    nic = desired["network"][spec["nic"]]
    adapter, problem = drift.resolve_adapter(current, nic)
    if problem:
        res["problems"].append(drift._problem("routes", nic["variable"], problem))
        return res
    index = adapter.get("index")
    wanted = {r["destination"]: r["gateway"] for r in spec["routes"]}
    present, add, remove, stores = set(), [], [], {}
    for route in current.get("routes") or []:
        dest, gw = route.get("destination"), route.get("gateway")
        mine = route.get("interface_index") == index
        # A persistent route whose interface is gone is never active again: junk, removed by its index.
        orphan = route.get("interface_exists") is False
        if dest in wanted and mine and gw == wanted[dest]:
            # A repeated identical entry is the same route, not a stale one; a copy in one policy store
            # only is completed (edge_routes adds the missing copy).
            active, persistent = drift._stores(route)
            was = stores.get(dest, (False, False))
            stores[dest] = (was[0] or active, was[1] or persistent)
            present.add(dest)
            continue
        if dest in wanted or ((mine or orphan) and spec["purge"]):
            remove.append(route)
        elif orphan:
            res["notes"].append("persistent route %s via %s on interface index %s, which no longer exists, is kept "
                                "(set sfb_edge_routes_purge: true to remove it)" % (dest, gw, route.get("interface_index")))
        elif mine:
            res["notes"].append("unmanaged persistent route %s via %s on %s is kept (set sfb_edge_routes_purge: true "
                                "to remove it)" % (dest, gw, route.get("interface")))
    for dest, gw in wanted.items():
        if dest not in present or stores[dest] != (True, True):
            add.append({"destination": dest, "gateway": gw, "interface": nic["name"], "interface_index": index})
    for route in remove:
        where = route.get("interface") if route.get("interface_exists") is not False else \
            "interface index %s (no longer exists)" % route.get("interface_index")
        text = "%s via %s on %s" % (route.get("destination"), route.get("gateway"), where)
        res["changes"].append(drift._change("routes", route.get("destination"), "route", "remove", text, None))
    for route in add:
        text = "%s via %s on %s" % (route["destination"], route["gateway"], nic["name"])
        if route["destination"] in present:
            res["changes"].append(drift._change("routes", route["destination"], "route store", "set",
                                                "%s, %s" % (text, drift._store_text(*stores[route["destination"]])),
                                                "%s, %s" % (text, drift._store_text(True, True))))
        else:
            res["changes"].append(drift._change("routes", route["destination"], "route", "add", None, text))
    if add or remove:
        res["calls"].append({"module": "sfb.edge.edge_routes", "args": {
            "add": add,
            "remove": [{"destination": r.get("destination"), "gateway": r.get("gateway"),
                        "interface": r.get("interface") if r.get("interface_exists") is not False else None,
                        "interface_index": r.get("interface_index")} for r in remove],
        }})
    return res


# ----------------------------------------------------------------------------------- report._table before the inline
# One character at a time (issue 18, point 9): an invisible one (control, format, surrogate, line or paragraph
# separator, U+FFFE/U+FFFF) written out as \xNN / \uNNNN / \UNNNNNNNN, then Markdown and HTML escaped.
_MD = {"\\": "\\\\", "`": "\\`", "*": "\\*", "|": "\\|", "&": "&amp;", "<": "&lt;", ">": "&gt;"}


def markdown_char(char):
    number = ord(char)
    if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp") or char in "\ufffe\uffff":
        shown = "\\x%02x" % number if number < 0x100 else "\\u%04x" % number if number < 0x10000 else "\\U%08x" % number
        return shown.replace("\\", "\\\\")
    return _MD.get(char, char)


def markdown_cell(value):
    if value is None:
        return "\u2014"
    if isinstance(value, (list, tuple)):
        return "<br>".join(markdown_cell(v) for v in value) if value else "\u2014"
    return "".join(markdown_char(c) for c in str(value))


def markdown_table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for header in headers) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(markdown_cell(v) for v in row) + " |")
    return lines
