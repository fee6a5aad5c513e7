# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lockout guard: which planned network and route changes could cut the controller's connection.

The connection is identified in the gathered state's ``connection`` list (established TCP connections
on the local ports ``connection_ports`` that ``edge_facts`` looked at): the entries on the port the
controller really uses (:func:`connection_port`), narrowed to the host's own addresses of
``ansible_host`` when it has them (:func:`resolve_ipv4` resolves a host name on the controller).

- **Identified**: a change is blocked when it removes an address the connection uses, or when it takes
  away the last route by which the connection's interface reaches the peer (``remote_address``, the
  address the host sees - behind NAT that is the NAT device, which is what routing needs). Windows
  uses the strong host model: the packets of a connection leave by the interface that holds its local
  address, using only that interface's routes; a gateway or route added on the other NIC does not
  move them and is not blocked.
- **Not identified** (no entry on that port, ``connection`` or ``connection_ports`` absent or
  malformed, the port not looked at, ...): the guard fails closed and blocks every change that could
  be on the path - removing or changing an address, a default gateway or a route, renaming or turning
  DHCP off on an adapter that carries any of them - with the reason and how to proceed.

The edge roles manage IPv4 only: an IPv6 session (not IPv4-mapped) is not cut by any of their changes.
Plain data in, plain data out; no name resolution here except in :func:`resolve_ipv4`.
"""

from __future__ import annotations

import ipaddress
import socket

from ansible_collections.sfb.edge.plugins.plugin_utils import _netcalc as netcalc
from ansible_collections.sfb.edge.plugins.plugin_utils._areas import network as _network
from ansible_collections.sfb.edge.plugins.plugin_utils._excerpt import excerpt as _x

DEFAULT_PORTS = [5985, 5986]
SSH_PORT = 22

# What an operator does about a block (appended to the fail-closed reasons).
PROCEED = ("check that you have console access to the host, then set sfb_edge_allow_connection_change: true; "
           "or make the gathered state show the connection (ansible_port / ansible_winrm_port / "
           "ansible_psrp_port must be the port the controller really uses; gather again with this "
           "collection's sfb.edge.edge_facts)")


# ----------------------------------------------------------------------------------- controller side
def _int(value):
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _plugin(name):
    """``winrm``, ``psrp``, ``ssh`` or None, from a connection plugin name (FQCN or short)."""
    short = str(name or "").rsplit(".", 1)[-1].lower()
    if short in ("winrm", "psrp"):
        return short
    if short in ("ssh", "paramiko", "paramiko_ssh", "libssh"):
        return "ssh"
    return None


def connection_port(variables):
    """The TCP port the controller connects on, from the connection variables, as the connection
    plugins of ansible-core resolve it (the more specific variable wins over ``ansible_port``):

    - ``winrm``: ``ansible_winrm_port``, ``ansible_port``, else 5986 (the plugin's default; set the port
      to 5985 for http);
    - ``psrp``: ``ansible_psrp_port``, ``ansible_port``, else 5986 for ``ansible_psrp_protocol: https``
      (the default) and 5985 for ``http``;
    - ``ssh``: ``ansible_ssh_port``, ``ansible_port``, else 22.

    :param variables: mapping with ``ansible_connection`` and the port variables (absent or "" = unset).
    :returns: the port, or None for another connection (``local``) or an unknown one.
    """
    plugin = _plugin(variables.get("ansible_connection"))
    port = _int(variables.get("ansible_port"))
    if plugin == "winrm":
        return _int(variables.get("ansible_winrm_port")) or port or 5986
    if plugin == "psrp":
        explicit = _int(variables.get("ansible_psrp_port")) or port
        if explicit:
            return explicit
        return 5985 if str(variables.get("ansible_psrp_protocol") or "").lower() == "http" else 5986
    if plugin == "ssh":
        return _int(variables.get("ansible_ssh_port")) or port or SSH_PORT
    return None


def gather_ports(variables):
    """The ``connection_ports`` to pass to ``edge_facts``: the port of the connection; when the
    connection is not known (no ``ansible_connection``), the WinRM defaults and ``ansible_port``."""
    port = connection_port(variables)
    if port:
        return [port]
    ports = list(DEFAULT_PORTS)
    extra = _int(variables.get("ansible_port"))
    if extra and extra not in ports:
        ports.append(extra)
    return ports


def resolve_ipv4(name):
    """The IPv4 addresses of ``name`` as the controller resolves them (an address is returned as is).

    :returns: ``(addresses, error)``; ``addresses`` sorted and unique, ``error`` a text or None.
    """
    text = str(name or "").strip()
    if not text:
        return [], "ansible_host is not set"
    try:
        return [str(ipaddress.IPv4Address(text))], None
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(text, None, socket.AF_INET, socket.SOCK_STREAM)
    except (socket.gaierror, socket.herror, UnicodeError, OSError) as exc:
        return [], "%s does not resolve to an IPv4 address on the controller (%s)" % (text, exc)
    addresses = sorted({info[4][0] for info in infos}, key=ipaddress.IPv4Address)
    if not addresses:
        return [], "%s does not resolve to an IPv4 address on the controller" % text
    return addresses, None


# ----------------------------------------------------------------------------------- topology
def _adapters(current):
    return [a for a in current.get("adapters") or [] if isinstance(a, dict)]


def _adapter_index(current, nic):
    adapter, _reason = _network.resolve_adapter(current, nic)
    return adapter.get("index") if adapter else None


def _interfaces(items):
    result = set()
    for x in items or []:
        try:
            result.add(ipaddress.IPv4Interface("%s/%s" % (x["address"], x["prefix_length"])))
        except (KeyError, TypeError, ValueError):
            continue
    return result


class Network:
    """An IPv4 network of a route: what the guard asks of it (``ip in net``, ``prefixlen``, ``str(net)``),
    with integers instead of :class:`ipaddress.IPv4Network` objects (a state has thousands of routes).
    ``str()`` is the text ``ipaddress`` gives (the canonical ``a.b.c.d/len``)."""

    __slots__ = ("start", "prefixlen", "mask", "text")

    def __init__(self, start, prefixlen, text):
        self.start, self.prefixlen, self.text = start, prefixlen, text
        self.mask = netcalc.MASKS[prefixlen]

    def __contains__(self, ip):
        return int(ip) & self.mask == self.start

    def __str__(self):
        return self.text

    def __repr__(self):
        return "Network(%r)" % self.text

    def __eq__(self, other):
        return isinstance(other, Network) and (self.start, self.prefixlen) == (other.start, other.prefixlen)

    def __hash__(self):
        return hash((self.start, self.prefixlen))


# text -> (Network, host bits set) for the strings read in this process (each parsed once)
_PARSED = {}
_PARSED_MAX = 200000


def _parse(text):
    """``(Network, host bits set)`` of a route destination as ``ipaddress.IPv4Network(text, strict=False)``
    reads it; raises what it raises."""
    if type(text) is not str:  # pylint: disable=unidiomatic-typecheck  # e.g. an int: ipaddress decides
        return _parse_slowly(text)
    known = _PARSED.get(text)
    if known is not None:
        return known
    block = netcalc.canonical_block(text)  # the form states and plans hold; any other text: ipaddress reads it
    if block is not None:
        address, plen = block
        start = address & netcalc.MASKS[plen]
        parsed = (Network(start, plen, text if start == address else _text(start, plen)), start != address)
    else:
        parsed = _parse_slowly(text)
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.clear()
    _PARSED[text] = parsed
    return parsed


def _parse_slowly(text):
    ip_net = ipaddress.IPv4Network(text, strict=False)
    try:
        ipaddress.IPv4Network(text)
        host_bits = False
    except ValueError:
        host_bits = True
    return Network(int(ip_net.network_address), ip_net.prefixlen, str(ip_net)), host_bits


def _text(start, plen):
    return "%d.%d.%d.%d/%d" % (start >> 24 & 255, start >> 16 & 255, start >> 8 & 255, start & 255, plen)


def network(text, strict=True):
    """The :class:`Network` of a route destination, as ``ipaddress.IPv4Network(text, strict=strict)``
    reads it (each text parsed once per process); raises what ``ipaddress`` raises."""
    net, host_bits = _parse(text)
    if strict and host_bits:
        ipaddress.IPv4Network(text)  # raises ipaddress's own error (host bits set)
    return net


def _routes(current):
    rts = []
    known = _PARSED.get
    for r in current.get("routes") or []:
        try:
            dest = r["destination"]
            parsed = known(dest) if type(dest) is str else None  # pylint: disable=unidiomatic-typecheck
            rts.append((parsed[0] if parsed is not None else network(dest, strict=False), r.get("interface_index"),
                        r.get("gateway")))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    return rts


def _topology(current, routes=True):
    addrs, gws, names = {}, {}, {}
    for a in _adapters(current):
        addrs[a.get("index")] = _interfaces(a.get("addresses"))
        gws[a.get("index")] = [str(g) for g in a.get("gateways") or []]
        names[a.get("index")] = a.get("name")
    return {"addresses": addrs, "gateways": gws, "routes": _routes(current) if routes else [], "names": names}


def topology(current):
    """Addresses, routes and gateways per interface index, as the host has them now: ``{"addresses":
    {index: {IPv4Interface}}, "gateways": {index: [address]}, "routes": [(Network, index, gateway)],
    "names": {index: name}}``."""
    return _topology(current)


def final_topology(desired, current, now=None):
    """The topology after every area has been applied (``now``: :func:`topology` of ``current``, when
    the caller has it already; it is not changed)."""
    now = topology(current) if now is None else now
    topo = {"addresses": dict(now["addresses"]), "gateways": dict(now["gateways"]), "routes": now["routes"],
            "names": dict(now["names"])}
    for role in ("internal", "external"):
        nic = desired["network"][role]
        index = _adapter_index(current, nic)
        if index is None:
            continue
        topo["addresses"][index] = {ipaddress.IPv4Interface("%s/%d" % (a["address"], a["prefix_length"]))
                                    for a in nic["addresses"]}
        topo["gateways"][index] = [nic["gateway"]] if nic["gateway"] else []
        topo["names"][index] = nic["name"]
    spec = desired["routes"]
    index = _adapter_index(current, desired["network"][spec["nic"]])
    if index is not None:
        wanted = {r["destination"] for r in spec["routes"]}
        purge = spec["purge"]
        kept = [r for r in topo["routes"] if r[0].text not in wanted and not (purge and r[1] == index)]
        topo["routes"] = kept + [(network(r["destination"]), index, r["gateway"]) for r in spec["routes"]]
    return topo


def path(topo, remote):
    """How ``remote`` is reached when no source address is given: ``("onlink", index)``,
    ``("route", index, network)``, ``("gateway", index)`` (one per interface with a default gateway) -
    a list, empty when unreachable."""
    ip = ipaddress.IPv4Address(remote)
    onlink = [("onlink", i) for i, addrs in topo["addresses"].items() if any(ip in a.network for a in addrs)]
    if onlink:
        return onlink
    number = int(ip)
    matching = [r for r in topo["routes"] if number & r[0].mask == r[0].start]
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
    number = int(ip)
    matching = [r for r in topo["routes"] if r[1] == index and number & r[0].mask == r[0].start]
    if matching:
        best = max(r[0].prefixlen for r in matching)
        return [("route", index, str(r[0])) for r in matching if r[0].prefixlen == best]
    if topo["gateways"].get(index):
        return [("gateway", index)]
    return []


def owner(topo, address):
    for index, addrs in topo["addresses"].items():
        if any(str(a.ip) == address for a in addrs):
            return index
    return None


def describe_path(topo, steps):
    texts = []
    for step in steps:
        name = topo["names"].get(step[1], "interface %s" % step[1])
        if step[0] == "onlink":
            texts.append("on-link on %s" % name)
        elif step[0] == "route":
            texts.append("the route to %s on %s" % (step[2], name))
        else:
            texts.append("the default gateway %s of %s" % (", ".join(topo["gateways"].get(step[1]) or []), name))
    return " or ".join(texts)


def ipv4(text):
    """``a.b.c.d`` for an IPv4 or IPv4-mapped IPv6 address (``::ffff:a.b.c.d``), else None."""
    try:
        ip = ipaddress.ip_address(str(text).split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        ip = ip.ipv4_mapped
    return str(ip) if ip else None


def _ipv6(text):
    try:
        ip = ipaddress.ip_address(str(text).split("%", 1)[0])
    except ValueError:
        return False
    return isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is None


# ----------------------------------------------------------------------------------- identification
def _entry_problem(entry):
    if not isinstance(entry, dict):
        return "is a %s, not a mapping" % type(entry).__name__
    local, remote, port = entry.get("local_address"), entry.get("remote_address"), entry.get("local_port")
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        return "has local_port %s, not a port number" % (_x(port),)
    if not isinstance(local, str) or not (ipv4(local) or _ipv6(local)):
        return "has local_address %s, not an IP address" % (_x(local),)
    if not isinstance(remote, str) or not (ipv4(remote) or _ipv6(remote)):
        return "has remote_address %s, not an IP address" % (_x(remote),)
    if bool(ipv4(local)) != bool(ipv4(remote)):
        return "mixes an IPv4 and an IPv6 address (%s, %s)" % (local, remote)
    remote_port = entry.get("remote_port")
    if remote_port is not None and (not isinstance(remote_port, int) or isinstance(remote_port, bool)):
        return "has remote_port %s, not a port number or null" % (_x(remote_port),)
    return None


def _describe_entries(entries):
    return ", ".join("%s:%s from %s" % (e.get("local_address"), e.get("local_port"), e.get("remote_address"))
                     for e in entries) or "none"


def identify(current, port=None, ansible_host=None, host_addresses=None, resolve_error=None):
    """Find the controller's connection in the gathered state.

    :param port: the local port the controller connects to (None: unknown - every port looked at).
    :param host_addresses: the IPv4 addresses ``ansible_host`` resolves to on the controller (None:
        ``ansible_host`` itself when it is an IPv4 address).
    :returns: ``{"identified": bool, "ipv6": bool, "connections": [{"local_address", "remote_address",
        "local_port"}] (IPv4), "addresses": [host-owned addresses of ansible_host], "reason": str}``.
    """
    now = _topology(current, routes=False)  # only the adapters' addresses are looked at
    if host_addresses is None:
        host_addresses = [ipv4(ansible_host)] if ansible_host and ipv4(ansible_host) else []
    owned = sorted({a for a in host_addresses if owner(now, a) is not None})
    verdict = {"identified": False, "ipv6": False, "connections": [], "addresses": owned, "reason": "",
               "port": port}

    def fail(reason):
        verdict["reason"] = reason + ("; %s" % resolve_error if resolve_error else "")
        return verdict

    where = "port %s" % port if port else "the ports looked at"
    if "connection" not in current:
        return fail("the gathered state has no 'connection' (it was not read: gathered by an older edge_facts, "
                    "or a snapshot without it)")
    raw = current["connection"]
    if not isinstance(raw, list):
        return fail("the gathered state's 'connection' is a %s, not a list (a one-item list written by "
                    "ConvertTo-Json as an object?)" % ("string" if isinstance(raw, str) else type(raw).__name__))
    for i, entry in enumerate(raw):
        problem = _entry_problem(entry)
        if problem:
            return fail("connection[%d] of the gathered state %s" % (i, problem))
    looked = current.get("connection_ports")
    if looked is None:
        return fail("the gathered state has no 'connection_ports', so which local ports were looked at is "
                    "unknown (gathered by an older edge_facts, or a snapshot without it)")
    if not isinstance(looked, list) or not all(isinstance(p, int) and not isinstance(p, bool) for p in looked):
        return fail("the gathered state's 'connection_ports' is %s, not a list of port numbers" % (_x(looked),))
    if port and port not in looked:
        return fail("the controller connects on port %d, but the state looked only at local port(s) %s"
                    % (port, ", ".join(str(p) for p in looked) or "none"))
    on_port = [e for e in raw if (e["local_port"] == port if port else e["local_port"] in looked)]
    if not on_port:
        return fail("no established TCP connection on local %s was found (the state lists: %s)"
                    % (where if port else "port(s) %s" % ", ".join(str(p) for p in looked), _describe_entries(raw)))
    v4 = [dict(e, local_address=ipv4(e["local_address"]), remote_address=ipv4(e["remote_address"]))
          for e in on_port if ipv4(e["local_address"])]
    v6 = [e for e in on_port if not ipv4(e["local_address"])]
    if owned:
        mine = [e for e in v4 if e["local_address"] in owned]
        if not mine and not v6:
            return fail("ansible_host %s is an address of this host, but no connection on %s comes in on it "
                        "(found: %s)" % (", ".join(owned), where, _describe_entries(on_port)))
    else:
        mine = [e for e in v4 if owner(now, e["local_address"]) is not None]
        if not mine and not v6:
            return fail("the connection(s) on %s come in on %s, which is no adapter's IPv4 address (a tunnel or "
                        "a loopback forward?)" % (where, ", ".join(sorted({e["local_address"] for e in v4}))))
    verdict.update(identified=True, connections=[
        {"local_address": e["local_address"], "remote_address": e["remote_address"], "local_port": e["local_port"]}
        for e in mine], ipv6=not mine)
    return verdict


# ----------------------------------------------------------------------------------- the guard
def _address_after(desired, current, now, final, used, ansible_host, host_addresses=None):
    """Where the controller reaches the host once the blocked changes are applied.

    ``ansible_host`` itself when it is not an address of the host before or after (NAT, a load
    balancer: the controller keeps connecting there); else the connection's address if it survives,
    ``ansible_host`` if the host will have (one of) its addresses, else the first planned address of
    the NIC the connection comes in on."""
    names = host_addresses if host_addresses is not None else ([ipv4(ansible_host)] if ipv4(ansible_host) else [])
    finals = {str(a.ip) for addrs in final["addresses"].values() for a in addrs}
    if ansible_host and names and not any(owner(now, a) is not None or a in finals for a in names):
        return str(ansible_host)
    for address in sorted(used):
        index = owner(now, address)
        after = [str(a.ip) for a in final["addresses"].get(index, ())]
        if address in after:
            return address
        if ansible_host and any(a in after for a in names):
            return str(ansible_host)
        for role in ("internal", "external"):
            nic = desired["network"][role]
            if _adapter_index(current, nic) == index and nic["addresses"]:
                return nic["addresses"][0]["address"]
    if ansible_host and any(a in finals for a in names):
        return str(ansible_host)  # the connection is unknown, but the host will have ansible_host's address
    return None


def _nic_index(desired, current, target):
    """The adapter index of a network change's target (the desired NIC name)."""
    for role in ("internal", "external"):
        nic = desired["network"][role]
        if nic["name"] == target:
            return _adapter_index(current, nic)
    return None


def _carrying(now, current):
    """Indexes of the adapters that carry an address, a default gateway or a persistent route."""
    routed = {r[1] for r in now["routes"]}
    return {i for i in now["addresses"] if now["addresses"][i] or now["gateways"].get(i) or i in routed}


def _change_key(change):
    """What makes two changes the same block: area, target, property, action and before (lists as tuples,
    so the key can go in a set; a list and a tuple never compare equal, and stay apart)."""
    return (change["area"], change["target"], change["property"], change["action"], _frozen(change["before"]))


def _frozen(value):
    if isinstance(value, list):
        return ("list", tuple(_frozen(v) for v in value))
    if isinstance(value, tuple):
        return ("tuple", tuple(_frozen(v) for v in value))
    if isinstance(value, dict):
        return ("dict", frozenset((k, _frozen(v)) for k, v in value.items()))
    return value


def guard(desired, current, results, ansible_host=None, port=None, host_addresses=None, resolve_error=None):
    """Mark the changes that could cut the controller's connection (see the module docstring).

    :returns: ``{"blocked": [change + reason], "new_address": str | None, "connection": identify()}``;
        ``results[area]["blocked"]`` get the blocked changes too.
    """
    conn = identify(current, port=port, ansible_host=ansible_host, host_addresses=host_addresses,
                    resolve_error=resolve_error)
    net = results.get("network", {"changes": []})["changes"]
    rts = results.get("routes", {"changes": []})["changes"]
    if not net and not rts:
        # Nothing to block: neither topology is needed (a converged host with thousands of routes costs
        # nothing more here; the desired state is the validated output of _steps.desired_state).
        return {"blocked": [], "new_address": None, "connection": conn}
    now = topology(current)
    final = final_topology(desired, current, now)
    blocked = []
    seen = set()  # the keys of the blocked changes: one set lookup per change, not a scan of the blocked ones

    def block(change, reason):
        key = _change_key(change)
        try:
            if key in seen:
                return
            seen.add(key)
        except TypeError:  # a value that cannot be hashed (never in a diff of plain states): compare one by one
            if any(_change_key(b) == key for b in blocked):
                return
        change = dict(change, reason=reason)
        blocked.append(change)
        results[change["area"]]["blocked"].append(change)

    if not conn["identified"]:
        why = "the controller's connection could not be identified: %s; so this change may be on its path. " \
              "To proceed, %s" % (conn["reason"], PROCEED)
        carrying = _carrying(now, current)
        for change in net:
            prop, action = change["property"], change["action"]
            if prop == "address" and action == "remove":
                block(change, "removes %s - %s" % (change["before"], why))
            elif prop == "gateway" and change["before"]:
                block(change, "changes the default gateway of %s (%s -> %s) - %s" % (
                    change["target"], change["before"], change["after"] or "none", why))
            elif prop in ("name", "dhcp") and _nic_index(desired, current, change["target"]) in carrying:
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
            new_address = _address_after(desired, current, now, final, set(conn["addresses"]), ansible_host,
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
        index_now, index_final = owner(now, local), owner(final, local)
        if index_final is None or index_final != index_now:
            continue  # the address itself goes (or moves): blocked above
        before, after = path_from(now, remote, index_now), path_from(final, remote, index_final)
        if after or not before:
            continue  # still reached from the same interface afterwards (or not even now)
        nic = now["names"].get(index_now, "interface %s" % index_now)
        others = [s for s in path(final, remote) if s[1] != index_final]
        where_to = ("would be reached only by %s, away from %s - Windows sends a connection's replies only from the "
                    "interface that holds its address (strong host model), so they would be lost"
                    % (describe_path(final, others), nic)) if others else "would not be reachable at all"
        tail = ("afterwards %s %s. Add a persistent route for the controller's network (sfb_edge_internal_networks) "
                "or set sfb_edge_allow_connection_change: true after checking console access" % (remote, where_to))
        ip = ipaddress.IPv4Address(remote)
        # every way interface index_now reaches the peer today, each one the plan takes away is blocked
        for change in net:
            if _nic_index(desired, current, change["target"]) != index_now:
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
    new_address = _address_after(desired, current, now, final, used, ansible_host, host_addresses) if blocked else None
    return {"blocked": blocked, "new_address": new_address, "connection": conn}
