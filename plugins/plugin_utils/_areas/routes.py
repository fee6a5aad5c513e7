# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The routes area: the persistent routes to the internal networks on the internal NIC, applied by
sfb.edge.edge_routes in one call.  Its changes are judged by the lockout guard."""

from __future__ import annotations

import operator

from ansible_collections.sfb.edge.plugins.plugin_utils import _changes as _records
from ansible_collections.sfb.edge.plugins.plugin_utils._areas import Area
from ansible_collections.sfb.edge.plugins.plugin_utils._areas.network import _store_text, resolve_adapter

_change, _problem, _result = _records.change, _records.problem, _records.result
_ABSENT = object()  # no value (a route destination that is not wanted)


def routes(desired, current):
    res = _result("routes")
    spec = desired["routes"]
    nic = desired["network"][spec["nic"]]
    adapter, problem = resolve_adapter(current, nic)
    if problem:
        res["problems"].append(_problem("routes", nic["variable"], problem))
        return res
    index = adapter.get("index")
    wanted = dict(map(operator.itemgetter("destination", "gateway"), spec["routes"]))
    add, remove, stores = [], [], {}  # stores: the wanted routes present, {destination: (active, persistent)}
    gathered = current.get("routes") or []
    converged = _all_wanted(gathered, wanted, index)
    if converged is not None:
        stores, gathered = converged, ()  # every gathered route is a wanted one, in both stores
    for route in gathered:
        get = route.get
        dest, gw = get("destination"), get("gateway")
        mine = get("interface_index") == index
        if mine and wanted.get(dest, _ABSENT) == gw:
            # A repeated identical entry is the same route, not a stale one; a copy in one policy store
            # only is completed (edge_routes adds the missing copy).  (_stores, inlined: thousands of routes)
            active, persistent = get("active") is not False, get("persistent") is not False
            was = stores.get(dest)
            stores[dest] = (active, persistent) if was is None else (was[0] or active, was[1] or persistent)
            continue
        # A persistent route whose interface is gone is never active again: junk, removed by its index.
        orphan = get("interface_exists") is False
        if dest in wanted or ((mine or orphan) and spec["purge"]):
            remove.append(route)
        elif orphan:
            res["notes"].append("persistent route %s via %s on interface index %s, which no longer exists, is kept "
                                "(set sfb_edge_routes_purge: true to remove it)" % (dest, gw, route.get("interface_index")))
        elif mine:
            res["notes"].append("unmanaged persistent route %s via %s on %s is kept (set sfb_edge_routes_purge: true "
                                "to remove it)" % (dest, gw, route.get("interface")))
    both = (True, True)
    for dest, gw in wanted.items() if converged is None or len(converged) < len(wanted) else ():
        if stores.get(dest) != both:
            add.append({"destination": dest, "gateway": gw, "interface": nic["name"], "interface_index": index})
    for route in remove:
        where = route.get("interface") if route.get("interface_exists") is not False else \
            "interface index %s (no longer exists)" % route.get("interface_index")
        text = "%s via %s on %s" % (route.get("destination"), route.get("gateway"), where)
        res["changes"].append(_change("routes", route.get("destination"), "route", "remove", text, None))
    for route in add:
        text = "%s via %s on %s" % (route["destination"], route["gateway"], nic["name"])
        if route["destination"] in stores:
            res["changes"].append(_change("routes", route["destination"], "route store", "set",
                                          "%s, %s" % (text, _store_text(*stores[route["destination"]])),
                                          "%s, %s" % (text, _store_text(True, True))))
        else:
            res["changes"].append(_change("routes", route["destination"], "route", "add", None, text))
    if add or remove:
        res["calls"].append({"module": "sfb.edge.edge_routes", "args": {
            "add": add,
            "remove": [{"destination": r.get("destination"), "gateway": r.get("gateway"),
                        "interface": r.get("interface") if r.get("interface_exists") is not False else None,
                        "interface_index": r.get("interface_index")} for r in remove],
        }})
    return res


def _all_wanted(routes, wanted, index):
    """``{destination: (True, True)}`` when every gathered route is a wanted one - its destination, gateway and
    interface index, in both policy stores - (what the loop of :func:`routes` finds on a converged host, in a
    few passes in C over thousands of routes); else None, and the loop decides."""
    if not isinstance(routes, list) or not set(map(type, routes)) <= {dict}:
        return None
    try:
        # equal to (index, True, True): that interface, and "is not False" for both stores (an absent flag,
        # which the loop counts as set, or any other value: the loop decides)
        if set(map(operator.itemgetter("interface_index", "active", "persistent"), routes)) - {(index, True, True)}:
            return None
        pairs = list(map(operator.itemgetter("destination", "gateway"), routes))
        found = dict(pairs)
        if len(found) == len(pairs) and found == wanted:  # each wanted route once (the usual converged host)
            return dict.fromkeys(found, (True, True))
        if not wanted.items() >= set(pairs):  # each one's destination is wanted with that gateway
            return None
    except (KeyError, TypeError):  # an absent key, an unhashable value: the loop decides (and raises what it raises)
        return None
    return dict.fromkeys(map(operator.itemgetter(0), pairs), (True, True))


# Routes come before the network area so that, on a box set up by hand with a default gateway on the internal NIC,
# the persistent routes to the internal networks exist before that gateway is removed; routes pin the interface by
# index, which a rename does not change.  The guard reads the NICs too (areas.GUARD_DESIRED).
AREA = Area(name="routes", order=10, desired_sections=("network", "routes"), current_sections=("adapters", "routes"),
            function=routes, modules=("sfb.edge.edge_routes",), role="sfb.edge.routes", phase="windows", guarded=True)
