# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Inventory validation: every rule the field documents keep seeing broken.

:func:`validate` takes the plain inventory mapping and returns a list of findings (dicts), errors
first.  Codes are stable and documented in docs/findings.md.
"""

from __future__ import annotations

import bisect
import os

from ansible_collections.sfb.edge.plugins.plugin_utils import _management, _model as model, _netcalc as netcalc
from ansible_collections.sfb.edge.plugins.plugin_utils._products import OCS2007_VERSIONS, XMPP_VERSIONS
from ansible_collections.sfb.edge.plugins.plugin_utils._model import MAX_POOL_SERVERS
from ansible_collections.sfb.edge.plugins.plugin_utils._excerpt import excerpt as _x


def validate(hostvars, today=None, read_certificates=True):
    """Validate the whole inventory.

    :param hostvars: ``{inventory_hostname: {sfb_edge_*: value}}`` for the ``edge_servers`` group.
    :param today: a ``datetime`` used for certificate expiry (tests pin it).
    :param read_certificates: read certificate files given in ``sfb_edge_certificates``.
    :returns: list of finding dicts, errors first, then by host and code.
    """
    return check(hostvars, today=today, read_certificates=read_certificates)[1]


def check(hostvars, today=None, read_certificates=True):
    """Like :func:`validate`, but also return the parsed pools: ``(pools, findings)``."""
    _count_validation()
    return _check(hostvars, today, read_certificates)


def _check(hostvars, today, read_certificates):
    pools, findings = model.load(hostvars)
    col = model._Collector()
    col.findings = findings
    for pool in pools:
        _check_pool(col, pool)
        index = _PoolIndex(pool)
        for server in pool.servers:
            _check_server(col, pool, server, index)
        if read_certificates:
            from ansible_collections.sfb.edge.plugins.plugin_utils import _certs as certs

            certs.check_pool(col, pool, today=today)
    _check_duplicates(col, pools)
    return pools, sort_findings(col.findings)


def _count_validation():
    """Tests count the validations of a run: one line per call in the file SFB_EDGE_COUNT_VALIDATIONS names."""
    path = os.environ.get("SFB_EDGE_COUNT_VALIDATIONS")
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write("%d\n" % os.getpid())


def sort_findings(findings):
    order = {"error": 0, "warning": 1}
    result = [f.as_dict() if isinstance(f, model.Finding) else f for f in findings]
    unique, seen = [], set()
    for f in result:  # exact duplicates out, first kept; a set, not a list scan (100,000 findings happen)
        marker = tuple(sorted((k, repr(v)) for k, v in f.items()))
        if marker not in seen:
            seen.add(marker)
            unique.append(f)
    return sorted(unique, key=lambda f: (order.get(f["severity"], 2), f["pool"] or "", f["host"], f["code"], f["variable"]))


def errors(findings):
    return [f for f in findings if f["severity"] == "error"]


def _check_pool(col, pool):
    p = pool.fqdn
    first = pool.servers[0].name if pool.servers else p

    def err(code, var, msg):
        col.error(code, first, var, msg, pool=p)

    def warn(code, var, msg):
        col.warning(code, first, var, msg, pool=p)

    count = len(pool.servers)
    modes = {s.name: s.single_ip for s in pool.servers if "access" in s.external}
    if len(set(modes.values())) > 1:
        err("pool_mixed_settings", "sfb_edge_external_nic.addresses", "pool %s mixes single-IP servers (%s) with "
            "three-IP servers (%s); all servers of a pool use the same mode" % (
                p, ", ".join(h for h, m in modes.items() if m), ", ".join(h for h, m in modes.items() if not m)))
    natted = {s.name: bool(s.nat) for s in pool.servers}
    if len(set(natted.values())) > 1:
        with_nat = ", ".join(h for h, n in natted.items() if n)
        without_nat = ", ".join(h for h, n in natted.items() if not n)
        err("pool_mixed_settings", "sfb_edge_external_nat", "is set on %s but not on %s; servers of pool %s are "
            "either all behind NAT or none" % (with_nat, without_nat, p))
    if count > MAX_POOL_SERVERS:
        err("pool_too_large", "sfb_edge_pool_fqdn", "pool %s has %d servers; an edge pool supports at most %d, split "
            "it into several pools" % (p, count, MAX_POOL_SERVERS))
    lb = pool.load_balancing
    if lb == "none" and count > 1:
        err("load_balancing_none_with_pool", "sfb_edge_load_balancing", "is 'none' but pool %s has %d servers (%s); "
            "use dns or hlb" % (p, count, ", ".join(s.name for s in pool.servers)))
    if lb == "hlb":
        needed = ("internal", "access") if pool.single_ip else ("internal", "access", "webconf", "av")
        missing = [k for k in needed if k not in pool.vips]
        if missing:
            err("hlb_without_vips", "sfb_edge_hlb_vips", "pool %s uses a hardware load balancer but VIP(s) %s are not "
                "set; set sfb_edge_hlb_vips: {%s}" % (p, ", ".join(missing), ", ".join("%s: <ip>" % k for k in needed)))
        for key, vip in pool.vips.items():
            if key != "internal" and netcalc.is_private(vip):
                err("private_external_address", "sfb_edge_hlb_vips.%s" % key, "%s is a private address; the "
                    "external HLB VIPs must be public addresses (no NAT in front of an HLB pool)" % vip)
    elif pool.vips:
        warn("vips_without_hlb", "sfb_edge_hlb_vips", "is set but sfb_edge_load_balancing is %s; the VIPs are "
             "ignored. Set sfb_edge_load_balancing: hlb or remove sfb_edge_hlb_vips"
             % _x(pool.setting("sfb_edge_load_balancing")))

    if pool.xmpp and pool.version and pool.version not in XMPP_VERSIONS:
        err("xmpp_unsupported", "sfb_edge_xmpp", "is true but %s has no XMPP gateway (only %s); "
            "set sfb_edge_xmpp: false" % (pool.version, " and ".join(XMPP_VERSIONS)))
    if pool.setting("sfb_edge_ocs2007_federation") and pool.version and pool.version not in OCS2007_VERSIONS:
        warn("ocs2007_federation_ignored", "sfb_edge_ocs2007_federation", "inbound 50000-59999 for OCS 2007 "
             "federation is only listed for %s; it is ignored for %s" % (" and ".join(OCS2007_VERSIONS), pool.version))

    if pool.sip_domains and pool.external_fqdns.get("access") and pool.external_fqdns.get("webconf"):
        names = netcalc.san_list(pool.sip_domains, pool.external_fqdns, xmpp=pool.xmpp,
                                 include_av=bool(pool.setting("sfb_edge_san_include_av")) and "av" in pool.external_fqdns)
        limit = pool.setting("sfb_edge_san_limit")
        if len(names) > limit:
            err("san_count_limit", "sfb_edge_sip_domains", "the external certificate needs %d names (%d SIP domains) "
                "but the CA allows %d (sfb_edge_san_limit); split SIP domains across pools or use a CA with a "
                "higher limit" % (len(names), len(pool.sip_domains), limit))
        size, size_limit = netcalc.san_size(names), pool.setting("sfb_edge_san_size_limit")
        if size > size_limit:
            err("san_size_limit", "sfb_edge_sip_domains", "the external certificate's names need %d bytes (each name "
                "counts its length + 2) but a certificate may hold %d (sfb_edge_san_size_limit); reduce SIP domains"
                % (size, size_limit))

    for i, server_ip in enumerate(pool.external_dns_servers):
        if netcalc.is_private(server_ip):
            warn("private_dns_server", "sfb_edge_external_dns_servers[%d]" % i, "%s is a private address; the edge "
                 "should use public DNS servers on the external NIC (internal names come from the hosts file)"
                 % server_ip)
    dns_errors = [v for v in _errored(col, p) if v.startswith("sfb_edge_external_dns_servers")]
    if not pool.external_dns_servers and not dns_errors:
        warn("no_dns_servers", "sfb_edge_external_dns_servers", "is empty; the edge needs public DNS servers on the "
             "external NIC to resolve federation SRV records")

    for i, net in _networks(pool):
        if net.prefixlen == 0:
            err("default_route_internal", "sfb_edge_internal_networks[%d]" % i, "%s would add a second default route "
                "via the internal NIC; the only default gateway is on the external NIC. List the internal networks "
                "instead" % net)
    _check_network_overlaps(warn, pool)
    _check_hosts_names(warn, pool)

    hosts_broken = any(v.startswith("sfb_edge_internal_hosts") for v in _errored(col, p))
    if pool.next_hop_fqdn and not hosts_broken:
        names = {n for e in pool.internal_hosts for n in e["names"]}
        if pool.next_hop_fqdn not in names:
            err("next_hop_unresolvable", "sfb_edge_internal_hosts", "has no entry for the next hop %s; the edge has no "
                "internal DNS, so add {ip: <next hop pool address>, names: [%s]} to sfb_edge_internal_hosts"
                % (pool.next_hop_fqdn, pool.next_hop_fqdn))
    _check_management(col, pool, warn)
    if not pool.internal_networks and pool.setting("sfb_edge_internal_networks") == []:
        warn("no_internal_networks", "sfb_edge_internal_networks", "is empty: no persistent routes will be added, so "
             "only the internal DMZ subnet is reachable. List every internal network with Lync servers or clients")


def _check_management(col, pool, warn):
    """The management rules of the firewall plan (issue 20, point 8): the controller's addresses are set, and every
    Front End and probe host has an address the plan can name."""
    peers = _management.peers(pool)
    if not peers["known"]:  # hostvars from elsewhere than sfb.edge.edge_inventory (a test, a custom filter chain)
        return
    if pool.setting("sfb_edge_controller_addresses") is None:
        warn("controller_addresses_unset", "sfb_edge_controller_addresses", "is not set, so the firewall plan leaves "
             "out the management rules - WinRM from the Ansible controller to each edge server's internal address and "
             "to the Front End, SSH or WinRM to the firewall-proof probe hosts - and a firewall built exactly from the "
             "plan blocks sfb.edge. Set sfb_edge_controller_addresses to the controller's addresses as the edge "
             "servers see them, e.g. ['10.10.5.20'] (an AWX/AAP execution node network as a CIDR), in the pool's "
             "group vars or group_vars/all")
    for kind, items in (("Front End", peers["front_ends"]), ("probe host", peers["probes"])):
        for item in items:
            if item["address"]:
                continue
            fix = ("set its ansible_host to its IPv4 address or add {ip: <address>, names: [%s]} to "
                   "sfb_edge_internal_hosts" % item["given"]) if kind == "Front End" else \
                "set its ansible_host to its IPv4 address"
            # the variable to fix: the hosts entries for a Front End; for a probe host its ansible_host, which the
            # management rules from sfb_edge_controller_addresses need
            variable = "sfb_edge_internal_hosts" if kind == "Front End" else "sfb_edge_controller_addresses"
            col.warning("management_address_unknown", item["name"], variable, "%s %s: ansible_host %r is not an IPv4 address%s, "
                        "so the firewall plan of pool %s leaves it out (%s); %s" % (
                            kind, item["name"], item["given"], " and no hosts entry names it" if kind == "Front End"
                            else "", pool.fqdn, "group front_end_servers and the WinRM management rule"
                            if kind == "Front End" else "the management rule to it", fix), pool=pool.fqdn)


def _networks(pool):
    """``(index in sfb_edge_internal_networks, IPv4Network)`` for every parsed internal network."""
    indexes = pool.internal_network_indexes or range(len(pool.internal_networks))
    return list(zip(indexes, pool.internal_networks))


def _check_network_overlaps(warn, pool):
    """Internal networks inside another one (or listed twice): the route planner drops them (sort and sweep)."""
    items = [(i, net) for i, net in _networks(pool) if net.prefixlen > 0]
    nets = [net for _i, net in items]
    for pos, cover in sorted(netcalc.covering(nets)[1]):
        i, net = items[pos]
        j, outer = items[cover]
        if net == outer:
            warn("internal_networks_overlap", "sfb_edge_internal_networks[%d]" % i, "%s is listed twice (also "
                 "sfb_edge_internal_networks[%d]); the repeat is dropped. Remove it from sfb_edge_internal_networks"
                 % (net, j))
        else:
            warn("internal_networks_overlap", "sfb_edge_internal_networks[%d]" % i, "%s lies inside %s "
                 "(sfb_edge_internal_networks[%d]): %s is dropped, no route is added for it because the route for %s "
                 "covers it. Remove %s from sfb_edge_internal_networks (or remove %s if you meant to route only the "
                 "smaller network)" % (net, outer, j, net, outer, net, outer))


def _check_hosts_names(warn, pool):
    """A hosts-file name given for two addresses (one pass over the entries)."""
    entries = pool.setting("sfb_edge_internal_hosts")
    if not pool.internal_hosts or not isinstance(entries, list):
        return
    first = {}
    for index, entry in enumerate(entries):
        names = entry["names"]
        ip = netcalc.address_text(entry["ip"])  # valid: pool.internal_hosts was parsed from these entries
        for name in [names] if isinstance(names, str) else names:
            name = name.lower().rstrip(".")
            seen = first.setdefault(name, (index, ip))
            if seen[1] != ip:
                warn("hosts_name_multiple_addresses", "sfb_edge_internal_hosts[%d]" % index, "%s is given for %s here "
                     "and for %s in sfb_edge_internal_hosts[%d]; the hosts file then has two lines for one name, and "
                     "which address the edge uses depends on the resolver (no DNS load balancing, no failover). Give "
                     "each name one address: for a load-balanced pool, the pool FQDN's HLB VIP or one server"
                     % (name, ip, seen[1], seen[0]))


def _errored(col, pool_fqdn):
    return col.errored(pool_fqdn)


def _check_server(col, pool, server, index=None):
    h = server.name

    def err(code, var, msg):
        col.error(code, h, var, msg, pool=pool.fqdn)

    def warn(code, var, msg):
        col.warning(code, h, var, msg, pool=pool.fqdn)

    if server.fqdn:
        short = server.fqdn.split(".")[0]
        if len(short) > 15:
            err("hostname_too_long", "sfb_edge_fqdn", "host name %s has %d characters; a Windows computer name has at "
                "most 15. Use a shorter name" % (_x(short), len(short)))
        if pool.dns_suffix and not server.fqdn.endswith("." + pool.dns_suffix):
            err("fqdn_suffix_mismatch", "sfb_edge_fqdn", "%s does not end with the primary DNS suffix %s; the edge "
                "FQDN is <hostname>.<sfb_edge_dns_suffix> and must match the topology" % (server.fqdn, pool.dns_suffix))
    if server.fqdn and server.fqdn == pool.fqdn and len(pool.servers) > 1:
        err("server_fqdn_is_pool_fqdn", "sfb_edge_fqdn", "%s is the pool FQDN, but pool %s has %d servers; the pool "
            "FQDN names the pool (internal DNS points it at every server or the internal VIP), so give each server "
            "its own FQDN" % (server.fqdn, pool.fqdn, len(pool.servers)))
    if server.internal_nic_name and (server.internal_nic_name.lower() == (server.external_nic_name or "").lower()):
        err("same_nic", "sfb_edge_external_nic.name", "internal and external NIC are both %s; an edge server needs "
            "two NICs" % _x(server.internal_nic_name))

    internal = server.internal
    gw = pool.internal_gateway
    if internal and gw:
        if gw not in internal.network:
            err("gateway_outside_subnet", "sfb_edge_internal_gateway", "%s is outside %s's internal NIC subnet %s; "
                "persistent routes need a next hop on that subnet" % (gw, h, internal.network))
        elif gw == internal.ip:
            err("duplicate_address", "sfb_edge_internal_gateway", "%s is %s's own internal address" % (gw, h))
    ext_gw = pool.external_gateway
    for service, iface in sorted(server.external.items()):
        var = "sfb_edge_external_nic.addresses.%s" % service
        if ext_gw and ext_gw not in iface.network:
            err("gateway_outside_subnet", "sfb_edge_external_gateway", "%s is outside the external %s subnet %s of "
                "%s; the default gateway must be on the external NIC's subnet" % (ext_gw, service, iface.network, h))
        if internal and (internal.network.overlaps(iface.network)):
            err("subnet_overlap", var, "external subnet %s overlaps the internal NIC subnet %s; the two DMZ networks "
                "must be separate and must not route to each other" % (iface.network, internal.network))
        if netcalc.is_private(iface.ip):
            if pool.load_balancing == "hlb":
                err("private_external_address", var, "%s is private, but servers of an HLB pool need public "
                    "addresses on the external NIC (the A/V Edge must answer with its real public address)" % iface.ip)
            elif service not in server.nat:
                err("private_external_address", var, "%s is a private address and no public NAT address is "
                    "declared; set sfb_edge_external_nat.%s to the public address, or use a public address on the "
                    "NIC" % (iface.ip, service))
    if ext_gw and internal and ext_gw in internal.network:
        err("gateway_on_internal_nic", "sfb_edge_external_gateway", "%s is on the internal NIC subnet %s; the default "
            "gateway belongs on the external NIC" % (ext_gw, internal.network))
    if server.external and "access" in server.external:
        nets = {str(i.network) for i in server.external.values()}
        if len(nets) > 1:
            err("external_subnets_differ", "sfb_edge_external_nic.addresses", "the external addresses are in "
                "different subnets (%s); all edge addresses of one NIC belong to the external DMZ subnet"
                % ", ".join(sorted(nets)))

    if server.nat:
        if pool.load_balancing == "hlb":
            err("nat_with_hlb", "sfb_edge_external_nat", "NAT is declared (%s) but pool %s uses a hardware load "
                "balancer: the A/V Edge must answer with its real public address, so servers of an HLB pool need "
                "public addresses on the external NIC and no NAT. Remove sfb_edge_external_nat"
                % (_nat_text(server), pool.fqdn))
        else:
            if pool.load_balancing == "dns":
                warn("nat_with_dns_lb", "sfb_edge_external_nat", "NAT (%s) in a DNS-load-balanced pool is supported "
                     "only as symmetric NAT (the same public address for inbound and outbound traffic) with these "
                     "public addresses entered in the topology; check the firewall does that" % _nat_text(server))
            needed = ["access"] if server.single_ip else list(netcalc.SERVICES)
            missing = [k for k in needed if k not in server.nat]
            if missing:
                err("nat_incomplete", "sfb_edge_external_nat", "has no public address for %s; with NAT every edge "
                    "service needs its public address" % ", ".join(missing))
            for key, public in server.nat.items():
                if netcalc.is_private(public):
                    err("private_external_address", "sfb_edge_external_nat.%s" % key, "%s is private; the NAT "
                        "address must be the public address the internet uses" % public)

    # Every internal address the edge needs must be reachable: on-link or through a route.
    if internal:
        index = index or _PoolIndex(pool)
        for entry in index.unreachable(internal.network):
            err("unreachable_internal_host", "sfb_edge_internal_hosts", "%s (%s) is not on the internal subnet %s "
                "and no entry of sfb_edge_internal_networks covers it, so the edge cannot reach it; add its network "
                "to sfb_edge_internal_networks" % (entry["ip"], ", ".join(entry["names"]), internal.network))
        dmz = [iface.network for _service, iface in sorted(server.external.items())] + [internal.network]
        for i, net in index.networks_overlapping(dmz):
            var = "sfb_edge_internal_networks[%d]" % i
            for service, iface in sorted(server.external.items()):
                if net.overlaps(iface.network):
                    err("internal_network_overlaps_dmz", var, "%s overlaps the external DMZ subnet %s (%s); a route "
                        "for it via the internal NIC would send external traffic inwards. Remove or narrow it"
                        % (net, iface.network, service))
                    break
            if net.overlaps(internal.network):
                if net.subnet_of(internal.network):
                    warn("internal_network_overlaps_dmz", var, "%s is inside the internal DMZ subnet %s, which is "
                         "on-link; no route is added for it. Remove it from sfb_edge_internal_networks"
                         % (net, internal.network))
                else:
                    warn("internal_network_overlaps_dmz", var, "%s contains the internal DMZ subnet %s; the on-link "
                         "route stays more specific, but list the internal networks precisely so the DMZ is not "
                         "summarised into them" % (net, internal.network))
        external = sorted(server.external.items())
        for entry, service in index.hosts_inside([iface.network for _service, iface in external]):
            err("internal_host_on_external_subnet", "sfb_edge_internal_hosts", "%s (%s) is on the external "
                "DMZ subnet %s; internal servers must be reached through the internal NIC"
                % (entry["ip"], ", ".join(entry["names"]), external[service][1].network))


class _PoolIndex:
    """A pool's internal networks and hosts entries parsed once and sorted, for the per-server checks:
    each server then costs O(log n + what it reports) instead of a scan of every network and entry
    (12 servers x 5,000 networks x 500 hosts entries happen).  CIDR blocks nest or are disjoint, which
    makes every query a binary search."""

    def __init__(self, pool):
        self.pool = pool
        # (start, end, position in _networks order, index, network), sorted by start
        # (the last address from the prefix length: no broadcast_address object per network)
        self.networks = sorted((int(net.network_address), int(net.network_address) | 0xFFFFFFFF >> net.prefixlen, pos,
                                i, net) for pos, (i, net) in enumerate(_networks(pool)) if net.prefixlen > 0)
        self.network_starts = [item[0] for item in self.networks]
        self.by_block = {}
        for item in self.networks:
            self.by_block.setdefault((item[0], item[4].prefixlen), []).append(item)
        # (address, position, entry) sorted by address: the entries are normalised, their ip is canonical
        self.hosts = sorted((netcalc.address_int(entry["ip"]), pos, entry)
                            for pos, entry in enumerate(pool.internal_hosts))
        self.host_addresses = [item[0] for item in self.hosts]
        self._unreachable = {}

    def _inside(self, starts, network):
        """Positions in ``starts`` (sorted) of the items that start inside ``network``."""
        first = int(network.network_address)
        return range(bisect.bisect_left(starts, first), bisect.bisect_right(starts, int(network.broadcast_address)))

    def unreachable(self, on_link):
        """Hosts entries neither on ``on_link`` nor in an internal network, in the entries' order
        (computed once per on-link subnet: the servers of a pool share it)."""
        if on_link not in self._unreachable:
            reachable = netcalc.cover_ranges([(int(on_link.network_address), on_link.prefixlen)]
                                             + [(item[0], item[4].prefixlen) for item in self.networks])
            starts = [start for start, _plen in reachable]
            found = []
            for address, pos, entry in self.hosts:
                at = bisect.bisect_right(starts, address) - 1
                if at < 0 or address > reachable[at][0] + (1 << (32 - reachable[at][1])) - 1:
                    found.append((pos, entry))
            self._unreachable[on_link] = [entry for _pos, entry in sorted(found, key=lambda item: item[0])]
        return self._unreachable[on_link]

    def networks_overlapping(self, blocks):
        """``(index, network)`` of the internal networks that overlap any of ``blocks``, in list order:
        the ones inside a block by binary search, the ones containing it by a lookup per prefix length."""
        found = {}
        for block in blocks:
            for at in self._inside(self.network_starts, block):
                item = self.networks[at]
                found[item[2]] = item
            start = int(block.network_address)
            for plen in range(1, block.prefixlen + 1):
                key = (start & (0xFFFFFFFF ^ ((1 << (32 - plen)) - 1)), plen)
                for item in self.by_block.get(key, ()):
                    found[item[2]] = item
        return [(found[pos][3], found[pos][4]) for pos in sorted(found)]

    def hosts_inside(self, blocks):
        """``(entry, index of the block)`` for every hosts entry inside one of ``blocks``, ordered by entry
        then block."""
        found = []
        for number, block in enumerate(blocks):
            for at in self._inside(self.host_addresses, block):
                found.append((self.hosts[at][1], number, self.hosts[at][2]))
        return [(entry, number) for _pos, number, entry in sorted(found, key=lambda item: item[:2])]


def _nat_text(server):
    return ", ".join("%s %s -> %s" % (k, server.external[k].ip if k in server.external else "?", ip)
                     for k, ip in sorted(server.nat.items()))


def _check_duplicates(col, pools):
    seen = {}
    fqdns = {}
    macs = {}
    for pool in pools:
        for server in pool.servers:
            for var, mac in (("sfb_edge_internal_nic.mac", server.internal_nic_mac),
                             ("sfb_edge_external_nic.mac", server.external_nic_mac)):
                if mac:
                    macs.setdefault(mac, []).append((server.name, var, pool.fqdn))
            uses = []
            if server.internal:
                uses.append((server.internal.ip, server.name, "sfb_edge_internal_nic.address"))
            for key, iface in server.external.items():
                uses.append((iface.ip, server.name, "sfb_edge_external_nic.addresses.%s" % key))
            for key, ip in server.nat.items():
                uses.append((ip, server.name, "sfb_edge_external_nat.%s" % key))
            for ip, host, var in uses:
                seen.setdefault(ip, []).append((host, var, pool.fqdn))
            if server.fqdn:
                fqdns.setdefault(server.fqdn, []).append((server.name, pool.fqdn))
        for key, ip in pool.vips.items():
            seen.setdefault(ip, []).append((pool.fqdn, "sfb_edge_hlb_vips.%s" % key, pool.fqdn))
        for gw_var, gw in (("sfb_edge_internal_gateway", pool.internal_gateway),
                           ("sfb_edge_external_gateway", pool.external_gateway)):
            if gw is not None and gw in seen:
                for host, var, pfqdn in seen[gw]:
                    if pfqdn == pool.fqdn and var != gw_var:
                        col.error("duplicate_address", host, var, "%s is also the pool's %s; an edge address cannot be "
                                  "the firewall's address" % (gw, gw_var), pool=pool.fqdn)
    for ip, uses in sorted(seen.items()):
        # a NAT public address may legitimately equal ... nothing else; everything must be unique
        if len(uses) > 1:
            where = ", ".join("%s %s" % (h, v) for h, v, _p in uses)
            for host, var, pfqdn in uses:
                col.error("duplicate_address", host, var, "%s is used more than once (%s); every edge address and VIP "
                          "must be unique" % (ip, where), pool=pfqdn)
    for mac, uses in sorted(macs.items()):
        if len(uses) > 1:
            where = ", ".join("%s %s" % (h, v) for h, v, _p in uses)
            for host, var, pfqdn in uses:
                col.error("duplicate_mac", host, var, "%s is given for more than one NIC (%s); each NIC has its own "
                          "MAC address and the adapter is found and renamed by it. Copy each NIC's MacAddress from "
                          "Get-NetAdapter on its server, or remove the mac key" % (mac, where), pool=pfqdn)
    for fqdn, uses in sorted(fqdns.items()):
        if len(uses) > 1:
            for host, pfqdn in uses:
                col.error("duplicate_fqdn", host, "sfb_edge_fqdn", "%s is the FQDN of %s; every edge server needs its "
                          "own FQDN" % (fqdn, ", ".join(h for h, _p in uses)), pool=pfqdn)
