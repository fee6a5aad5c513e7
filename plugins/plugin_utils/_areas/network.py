# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network area: the two NICs (name, DHCP, addresses and their stores, gateway, DNS servers, DNS
registration, NetBIOS), applied by sfb.edge.edge_network, ansible.windows.win_dns_client and
community.windows.win_netbios.  Its changes are judged by the lockout guard.  The adapter helpers here are
shared with the routes area and the guard."""

from __future__ import annotations

from ansible_collections.sfb.edge.plugins.plugin_utils import _changes as _records
from ansible_collections.sfb.edge.plugins.plugin_utils._model import normalize_mac
from ansible_collections.sfb.edge.plugins.plugin_utils._areas import Area
from ansible_collections.sfb.edge.plugins.plugin_utils._excerpt import excerpt as _x

_change, _problem, _result = _records.change, _records.problem, _records.result


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
            return None, "the adapter named %s has MAC %s, not %s; rename or correct %s.mac" % (
                _x(named[0]["name"]), named[0].get("mac"), nic["mac"], nic["variable"])
        return by_mac[0], None
    if not named:
        return None, "no adapter is named %s (adapters: %s); rename it by hand, or set %s.mac so the " \
            "adapter is found by its MAC address and renamed" % (_x(name), _describe_adapters(current), nic["variable"])
    return named[0], None


def _leased(values, dhcp):
    """Values as reported, marked when they come from a DHCP lease (they go when DHCP is turned off)."""
    return ["%s (DHCP)" % v for v in values] if dhcp else values


def _stores(item):
    """``(active, persistent)`` of a gathered address or route; a flag that is absent (a state gathered
    before the stores were read) counts as set: both stores."""
    return item.get("active") is not False, item.get("persistent") is not False


def _store_text(active, persistent):
    return {(True, True): "active and persistent", (True, False): "active only",
            (False, True): "persistent only"}.get((active, persistent), "in no store")


def _addresses(adapter):
    result = {}
    for item in adapter.get("addresses") or []:
        result[item["address"]] = {"prefix_length": int(item["prefix_length"]),
                                   "skip_as_source": bool(item.get("skip_as_source")),
                                   "stores": _stores(item)}
    return result


def _default_routes(adapter):
    """The adapter's default routes as ``{next_hop: (active, persistent)}``, in gathered order.

    ``default_routes`` (both policy stores) when gathered, else ``gateways`` counted as in both stores."""
    routes = adapter.get("default_routes")
    if routes is None:
        return {str(g): (True, True) for g in adapter.get("gateways") or []}
    result = {}
    for route in routes:
        active, persistent = _stores(route)
        was = result.get(str(route["next_hop"]), (False, False))
        result[str(route["next_hop"])] = (was[0] or active, was[1] or persistent)
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
            else:
                if old["stores"] != (True, True):
                    # Only in the active store: lost at the next reboot; only in the persistent store:
                    # not in use until then. edge_network adds the copy of the missing store.
                    change("address store", "set", _store_text(*old["stores"]), _store_text(True, True),
                           "%s %s" % (name, ip))
                    call.setdefault("add", []).append(dict(a))
                if old["skip_as_source"] != a["skip_as_source"]:
                    change("skip_as_source", "set", old["skip_as_source"], a["skip_as_source"], "%s %s" % (name, ip))
                    call.setdefault("skip_as_source", {})[ip] = a["skip_as_source"]
        for ip, old in have.items():
            if ip not in want:
                change("address", "remove", "%s/%d" % (ip, old["prefix_length"]), None)
                call.setdefault("remove", []).append(ip)
        # Turning DHCP off drops the lease's gateway and DNS servers: set them even when equal.
        dhcp = bool(adapter.get("dhcp"))
        routes = _default_routes(adapter)
        gateways = list(routes)
        wanted_gw = [nic["gateway"]] if nic["gateway"] else []
        if gateways != wanted_gw or (dhcp and wanted_gw):
            change("gateway", "set", _leased(gateways, dhcp), wanted_gw)
            call["gateway"] = nic["gateway"] or ""
        elif wanted_gw and routes[nic["gateway"]] != (True, True):
            change("gateway store", "set", "%s %s" % (nic["gateway"], _store_text(*routes[nic["gateway"]])),
                   "%s %s" % (nic["gateway"], _store_text(True, True)))
            call["gateway"] = nic["gateway"]
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


# The calls that name adapters by their inventory name: they run after sfb.edge.edge_network, which
# gives the adapters that name (and turns DHCP off, which drops a lease's DNS servers).
AFTER_EDGE_NETWORK = ("ansible.windows.win_dns_client", "community.windows.win_netbios")


def split_deferred(calls):
    """``(now, deferred)``: the calls to make at once and the ones held back with the
    ``sfb.edge.edge_network`` call the lockout guard defers (it runs in the background while the play
    reconnects): that call and every call after it, in order.  Without an edge_network call nothing
    is deferred (a blocked route removal is applied in the normal call)."""
    for number, call in enumerate(calls):
        if call["module"] == "sfb.edge.edge_network":
            later = calls[number:]
            unknown = [c["module"] for c in later[1:] if c["module"] not in AFTER_EDGE_NETWORK]
            if unknown:
                raise ValueError("cannot defer %s after sfb.edge.edge_network" % ", ".join(unknown))
            return calls[:number], later
    return list(calls), []


AREA = Area(name="network", order=20, desired_sections=("network",), current_sections=("adapters",), function=network,
            modules=("sfb.edge.edge_network",) + AFTER_EDGE_NETWORK, role="sfb.edge.network", phase="windows", guarded=True)
