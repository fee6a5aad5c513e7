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

import operator

from ansible_collections.sfb.edge.plugins.plugin_utils import changes as _records
from ansible_collections.sfb.edge.plugins.plugin_utils import cs
from ansible_collections.sfb.edge.plugins.plugin_utils import expiry
from ansible_collections.sfb.edge.plugins.plugin_utils import guard as _guard
from ansible_collections.sfb.edge.plugins.plugin_utils import hostsfile as _hostsfile
from ansible_collections.sfb.edge.plugins.plugin_utils.model import normalize_mac
from ansible_collections.sfb.edge.plugins.plugin_utils._excerpt import excerpt as _x

# The order site.yml applies the areas in.  Routes come before the network area so that, on a box
# set up by hand with a default gateway on the internal NIC, the persistent routes to the internal
# networks exist before that gateway is removed; routes pin the interface by index, which a rename
# does not change.
# The Lync/SfB areas (cs.py) follow: they need the certificates imported and the network in place.
AREAS = ("routes", "network", "hosts_file", "identity", "certificates") + cs.CS_AREAS
# Reported by drift.yml but not applied by site.yml (replication is fixed from the Front End).
REPORT_AREAS = AREAS + ("cs_replication",)
REPORT_FORMAT = 1
# How each area's drift is fixed (the failure message of drift.yml, docs/cs-roles.md#drift and
# docs/windows-roles.md); every area of REPORT_AREAS has one.
SITE_FIX = "playbooks/site.yml (first with --check --diff)"
FIXES = dict({area: SITE_FIX for area in AREAS},
             cs_replication="playbooks/validate.yml -e sfb_edge_replication_invoke=true (replication is pushed from "
                            "the Front End; check TCP 4443 from the Front Ends to the edge's internal address)")

TCPIP_PARAMETERS = r"HKLM:\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters"


_change, _problem, _result = _records.change, _records.problem, _records.result
_ABSENT = object()  # no value (a route destination that is not wanted)

# The hosts file area lives in hostsfile.py; its names stay importable from here for existing callers.
HOSTS_BEGIN, HOSTS_END = _hostsfile.HOSTS_BEGIN, _hostsfile.HOSTS_END
hosts_file, render_hosts = _hostsfile.hosts_file, _hostsfile.render_hosts


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


# ----------------------------------------------------------------------------------- identity
def identity(desired, current):
    res = _result("identity")
    ident, computer = desired["identity"], current.get("computer") or {}
    if computer.get("part_of_domain"):
        res["problems"].append(_problem(
            "identity", "sfb_edge_fqdn", "the host is joined to the domain %s; an edge server must be a workgroup "
            "machine (it cannot reach domain controllers from the perimeter network). Remove it from the domain by "
            "hand and run again; this collection never changes domain membership" % _x(computer.get("domain"))))
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
_WINDOWS_BUILDS = ((7601, "Windows Server 2008 R2"), (9200, "Windows Server 2012"), (9600, "Windows Server 2012 R2"),
                   (14393, "Windows Server 2016"))


def _pfx_unreadable_here(res, cert, computer):
    """True when the host's Windows cannot decrypt the PFX (PBES2/AES before build 16299): a problem, no import."""
    from ansible_collections.sfb.edge.plugins.plugin_utils import certs

    info = cert.get("pfx_encryption")
    if not cert.get("pfx") or not info or not info.get("pbes2"):
        return False
    build = computer.get("os_build")
    if build is None or isinstance(build, bool) or not isinstance(build, int):
        res["notes"].append("%s (%s) is encrypted with %s, which Windows before Server 2019 cannot import, and this "
                            "host's OS build was not read: re-gather with this collection's edge_facts"
                            % (cert["path"], cert["variable"], " and ".join(info["pbes2"])))
        return False
    if build >= certs.PBES2_MIN_BUILD:
        return False
    name = [n for b, n in _WINDOWS_BUILDS if b <= build]
    res["problems"].append(_problem("certificates", cert["variable"] + ".pfx", "%s is encrypted with %s (%s); this "
                                    "host runs %s (build %d), which cannot import it (Windows reports 'The specified "
                                    "network password is not correct'), so it is not imported: %s"
                                    % (cert["path"], " and ".join(info["pbes2"]), certs.pfx_encryption_text(info),
                                       name[-1] if name else "Windows", build, certs.pfx_fix(cert["path"]))))
    return True


def _installed_expiry(res, cert, installed, now):
    """The expiry entry and finding of the installed copy of a planned certificate (its gathered
    ``not_after``, else the file's)."""
    try:
        end = expiry.parse(installed.get("not_after") or cert.get("not_after"))
    except expiry.ExpiryError:
        end = None
    info = expiry.status(end, now, cert.get("warn_days", expiry.DEFAULT_WARN_DAYS))
    target = "%s\\%s" % (cert["store"], cert["thumbprint"])
    res["expiry"].append({"area": "certificates", "target": target, "thumbprint": cert["thumbprint"],
                          "subject": cert["subject"], "variable": cert["variable"], "not_after": expiry.iso(end),
                          "status": info["status"], "warn_days": info["warn_days"]})
    kind = cert["variable"].rsplit(".", 1)[-1]
    what = "the certificate %s (%s, %s) installed in LocalMachine\\%s" % (
        cert["thumbprint"], cert["subject"], cert["variable"], cert["store"])
    found = expiry.finding(info, end, what, kind=kind if kind in ("internal", "external") else None, now=now,
                           area="certificates", target=target, thumbprint=cert["thumbprint"], subject=cert["subject"])
    if found:
        res["findings"].append(found)


def certificates(desired, current, now=None):
    """Import the planned certificates that are missing; ``res["expiry"]`` / ``res["findings"]``: the
    end of validity of the installed ones and ``certificate_expiring`` / ``certificate_expired``
    (:mod:`expiry`, at ``now``; None: the current time)."""
    res = _result("certificates")
    res["expiry"], res["findings"] = [], []
    now = expiry.utcnow(now)
    stores = current.get("certificates") or {}
    computer = current.get("computer") if isinstance(current.get("computer"), dict) else {}
    todo = []
    for cert in desired["certificates"]:
        found = [c for c in stores.get(cert["store"]) or []
                 if str(c.get("thumbprint", "")).upper() == cert["thumbprint"]]
        ok = [c for c in found if cert["store"] != "My" or c.get("has_private_key")]
        if ok:
            _installed_expiry(res, cert, ok[0], now)
            if cert["store"] == "My" and ok[0].get("legacy_csp") is False:
                res["notes"].append("%s (%s) has a CNG/KSP private key; Skype for Business Server 2015 and later "
                                    "need a legacy CSP key: re-import the PFX with a CSP (%s)"
                                    % (cert["subject"], cert["thumbprint"], cert["variable"]))
            continue
        if _pfx_unreadable_here(res, cert, computer):
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
               resolve_error=None, now=None):
    """Every area's result plus the lockout guard, for one host.

    :param options: for the CS areas: ``config_refresh`` and ``frontend`` (see :func:`cs.cs_install`).
    :param port: the local port the controller connects to (:func:`guard.connection_port`; None: unknown).
    :param host_addresses: the IPv4 addresses ``ansible_host`` resolves to on the controller
        (:func:`guard.resolve_ipv4`); None: ``ansible_host`` when it is an IPv4 address.
    """
    results = {}
    timed = {"certificates", "cs_certificates"}  # the areas that check expiry take ``now``
    now = expiry.utcnow(now) if timed & set(areas) else None
    for area in areas:
        if area in cs.AREA_FUNCTIONS:
            args = (desired, current, options) + ((now,) if area in timed else ())
            results[area] = cs.AREA_FUNCTIONS[area](*args)
        else:
            results[area] = AREA_FUNCTIONS[area](desired, current, *((now,) if area in timed else ()))
    if "network" in results or "routes" in results:
        verdict = guard(desired, current, results, ansible_host=ansible_host, port=port,
                        host_addresses=host_addresses, resolve_error=resolve_error)
    else:
        verdict = {"blocked": [], "new_address": None, "connection": None}
    return results, verdict


def report(desired, current, ansible_host=None, source=None, options=None, port=None, host_addresses=None,
           resolve_error=None, areas=REPORT_AREAS, now=None):
    """The drift report of one host (written as ``<plan dir>/<pool>/drift/<host>.json``); ``areas``: the
    areas it covers (all of them by default); ``now``: the time certificate expiry is judged at (None:
    the current UTC time, see :func:`expiry.utcnow`)."""
    areas = tuple(a for a in REPORT_AREAS if a in areas)
    results, verdict = host_drift(desired, current, ansible_host=ansible_host, areas=areas, options=options,
                                  port=port, host_addresses=host_addresses, resolve_error=resolve_error, now=now)
    changes = {a: results[a]["changes"] for a in areas}
    problems = [p for a in areas for p in results[a]["problems"]]
    return {
        "format": REPORT_FORMAT,
        "host": desired["host"],
        "pool": desired["pool"],
        "source": source,
        "in_sync": not any(changes.values()) and not problems,
        "summary": {a: len(changes[a]) for a in areas},
        "changes": changes,
        "problems": problems,
        "blocked": verdict["blocked"],
        "notes": [n for a in areas for n in results[a]["notes"]],
        "remote_calls": {a: [c["module"] for c in results[a]["calls"]] for a in areas},
        # Certificate expiry: not drift (in_sync and summary leave it out), reported beside it.
        "expiry": [e for a in areas for e in results[a].get("expiry", ())],
        "findings": sorted((f for a in areas for f in results[a].get("findings", ())),
                           key=lambda f: (f["severity"] != "error", f["area"], f["target"])),
    }


def _value(value):
    if value is None:
        return "-"
    if isinstance(value, list):
        return "[%s]" % ", ".join(str(v) for v in value)
    return str(value)


def certificate_due(rep):
    """``(expired, expiring)``: the certificate findings of a drift report (installed planned certificates and
    certificates assigned to a Lync use) that have expired, and those inside the warning window."""
    found = rep.get("findings") or ()
    return ([f for f in found if f.get("id") == expiry.IDS["expired"]],
            [f for f in found if f.get("id") == expiry.IDS["warning"]])


def due_text(rep):
    """'2 certificate(s) expired' / '1 certificate(s) expiring' / both, or '' when none is due."""
    expired, expiring = certificate_due(rep)
    words = []
    if expired:
        words.append("%d certificate(s) expired" % len(expired))
    if expiring:
        words.append("%d certificate(s) expiring" % len(expiring))
    return ", ".join(words)


def fix_text(rep):
    """How to fix what a drift report found, per area: 'routes, network: run playbooks/site.yml ...;
    cs_replication: run playbooks/validate.yml -e sfb_edge_replication_invoke=true ...'; inventory problems
    first (no playbook fixes those)."""
    parts = []
    if rep.get("problems"):
        parts.append("fix the inventory or the host as each FIX line says (%s)" % ", ".join(
            sorted({p["variable"] for p in rep["problems"]})))
    by_fix = {}
    for area, count in rep["summary"].items():
        if count:
            by_fix.setdefault(FIXES.get(area, SITE_FIX), []).append(area)
    parts += ["%s: run %s" % (", ".join(areas), fix) for fix, areas in by_fix.items()]
    return "; ".join(parts)


def format_report(rep, now=None):
    """Readable lines of a drift report (certificate days left counted at ``now``; None: the current time)."""
    total = sum(rep["summary"].values())
    areas = ", ".join("%s %d" % (a, n) for a, n in rep["summary"].items() if n)
    head = "%s (%s): %s" % (rep["host"], rep["pool"], "in sync" if rep["in_sync"] else
                            "%d change(s)%s, %d problem(s)" % (total, " (%s)" % areas if areas else "",
                                                               len(rep["problems"])))
    due = due_text(rep)
    if due:
        head += ("; but " if rep["in_sync"] else "; ") + due
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
    for f in rep.get("findings", ()):
        level = "ERROR" if f["severity"] == "error" else "WARN"
        lines.append("  %-15s %-6s [%s] %s" % (f["area"], level, f["id"], f["message"]))
    for n in rep["notes"]:
        lines.append("  note: %s" % n)
    lines += expiry_lines(rep.get("expiry", ()), now)
    return lines


def expiry_lines(entries, now=None):
    """'  expiry: My\\<thumbprint> CN=... expires <date> (<n> days)' per installed or assigned certificate,
    the days counted at ``now`` (None: the current time)."""
    if not entries:
        return []
    now = expiry.utcnow(now)
    lines = []
    for e in entries:
        info = expiry.status(e["not_after"], now, e["warn_days"])
        lines.append("  expiry: %s %s %s" % (e["target"], e["subject"], expiry.when_text(e["not_after"], info, now)))
    return lines


def active_areas(desired, current, ansible_host=None, options=None, port=None, host_addresses=None,
                 resolve_error=None):
    """The areas of :data:`AREAS` whose ``sfb.edge.edge_apply`` task has something to do on this host - a
    change, a problem, a note or a call - in the order site.yml applies them; ``identity`` also when Windows
    waits for a reboot (the identity role may reboot it).  A converged host gives ``[]``: site.yml runs none
    of the area roles for it.  The same results the edge_apply tasks compute (:func:`host_drift`)."""
    results, _verdict = host_drift(desired, current, ansible_host=ansible_host, areas=AREAS, options=options,
                                   port=port, host_addresses=host_addresses, resolve_error=resolve_error)
    pending = bool((current.get("computer") or {}).get("pending_reboot"))
    return [area for area in AREAS
            if any(results[area].get(key) for key in ("changes", "problems", "notes", "calls", "blocked"))
            or (area == "identity" and pending)]
