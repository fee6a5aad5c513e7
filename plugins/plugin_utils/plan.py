# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The edge plan: what other teams act on (public IPs, certificates, DNS, firewall, per-host
network settings), computed from the validated inventory.  JSON-ready dicts only."""

from __future__ import annotations

from ansible_collections.sfb.edge.plugins.plugin_utils import expiry, model, netcalc, ports, validate

PLAN_FORMAT = 2


class PlanError(ValueError):
    """The inventory has error findings; the message lists them."""

    def __init__(self, findings, all_findings=None):
        self.findings = findings
        # every finding of the validation (warnings too), for a caller that shows the warnings with the errors
        self.all_findings = findings if all_findings is None else all_findings
        super().__init__("the inventory has %d error(s):\n%s" % (
            len(findings), "\n".join("- %s" % format_finding(f) for f in findings)))


def format_finding(f):
    return "%s [%s] host %s, variable %s: %s" % (f["severity"].upper(), f["code"], f["host"], f["variable"], f["message"])


def build(hostvars, today=None, read_certificates=True):
    """Validate and plan the whole inventory.

    :returns: ``{pool_fqdn: plan}``
    :raises PlanError: when any error finding exists.
    """
    now = expiry.utcnow(today)  # one instant for the whole run: validation and every pool's plan
    with model.bulk():
        pools, findings = validate.check(hostvars, today=now, read_certificates=read_certificates)
        errs = validate.errors(findings)
        if errs:
            raise PlanError(errs, findings)
        return {pool.fqdn: pool_plan(pool, [f for f in findings if f["pool"] in (pool.fqdn, None)], now=now,
                                     read_certificates=read_certificates) for pool in pools}


def pool_plan(pool, findings=(), now=None, read_certificates=True):
    single = pool.single_ip
    servers = sorted(pool.servers, key=lambda s: s.name)
    return {
        "format": PLAN_FORMAT,
        "pool": {
            "fqdn": pool.fqdn,
            "version": pool.version,
            "load_balancing": pool.load_balancing,
            "single_ip": single,
            "servers": [s.name for s in servers],
            "next_hop_fqdn": pool.next_hop_fqdn,
            "sip_domains": list(pool.sip_domains),
            "default_sip_domain": pool.sip_domains[0],
            "external_fqdns": dict(pool.external_fqdns),
            "xmpp": pool.xmpp,
            "service_ports": service_ports(single),
        },
        "public_ips": public_ips(pool),
        "certificates": with_expiry(certificates(pool), pool, expiry.utcnow(now), read_certificates),
        "hosts": {s.name: host_plan(pool, s) for s in servers},
        "dns_records": dns_records(pool),
        "firewall": firewall(pool),
        "findings": [f for f in findings if f["severity"] != "error"],
    }


def service_ports(single_ip):
    """Public TLS port of each external service."""
    if single_ip:
        return {k: int(v) for k, v in ports.SINGLE_IP_PORTS.items()}
    return {"access": 443, "webconf": 443, "av": 443}


def _endpoints(pool, service):
    """Public addresses the internet uses for ``service``: the VIP with HLB, else every server's."""
    if pool.load_balancing == "hlb":
        key = "access" if pool.single_ip else service
        return [str(pool.vips[key])]
    return [str(s.public(service)) for s in sorted(pool.servers, key=lambda s: s.name)]


def public_ips(pool):
    """Microsoft's rule: 3 per server (1 in single-IP mode), plus one per HLB VIP; with NAT the public
    side counts."""
    services = ("access",) if pool.single_ip else netcalc.SERVICES
    detail = []
    for server in sorted(pool.servers, key=lambda s: s.name):
        for service in services:
            detail.append({"address": str(server.public(service)), "service": service, "host": server.name,
                           "nat": service in server.nat})
    if pool.load_balancing == "hlb":
        for service in services:
            detail.append({"address": str(pool.vips[service]), "service": service, "host": "hlb_vip", "nat": False})
    addresses = list(dict.fromkeys(item["address"] for item in detail))  # first seen kept, in order
    return {"count": len(addresses), "addresses": addresses, "detail": detail}


def certificates(pool):
    san = netcalc.san_list(pool.sip_domains, pool.external_fqdns, xmpp=pool.xmpp,
                           include_av=bool(pool.setting("sfb_edge_san_include_av")))
    return {
        "external": {
            "subject": san[0],
            "san": san,
            "san_bytes": netcalc.san_size(san),
            "key": "RSA 2048 or more, exportable, legacy CSP (not CNG/KSP)",
            "eku": ["Server Authentication", "Client Authentication"],
            "issuer": "public CA",
            "assign_to": ["AccessEdgeExternal", "DataEdgeExternal", "AudioVideoAuthentication"]
            + (["XmppServer"] if pool.xmpp else []),
            "shared_across_pool": True,
        },
        "internal": {
            "subject": pool.fqdn,
            "san": [pool.fqdn],
            "key": "RSA 2048 or more, exportable, legacy CSP (not CNG/KSP)",
            "eku": ["Server Authentication"],
            "issuer": "internal CA (root into Trusted Root Certification Authorities)",
            "assign_to": ["Internal"],
        },
    }


def with_expiry(planned, pool, now, read_certificates=True):
    """``planned`` (:func:`certificates`) with ``not_after`` and ``expiry`` per kind (docs/plan-format.md).

    ``not_after`` is the earliest end of validity among the files the pool's servers name for that kind
    (ISO 8601 UTC), None when none names one (or ``read_certificates`` is off); ``expiry`` is
    :func:`expiry.status` of it at ``now``.  Each file is read once per run (:func:`certs.load_certificate`).
    """
    from ansible_collections.sfb.edge.plugins.plugin_utils import certs

    warn_days = int(pool.setting("sfb_edge_certificate_warn_days") or 0)
    for kind, spec in planned.items():
        ends = []
        for server in sorted(pool.servers, key=lambda s: s.name) if read_certificates else ():
            item = (server.certificates or {}).get(kind)
            if isinstance(item, dict) and item.get("pfx"):
                end, _info = certs.planned_expiry(item["pfx"], item.get("password"), now, warn_days)
                if end is not None:
                    ends.append(end)
        end = min(ends) if ends else None
        spec["not_after"] = expiry.iso(end)
        spec["expiry"] = expiry.status(end, now, warn_days)
    return planned


def host_plan(pool, server):
    services = ("access",) if server.single_ip else netcalc.SERVICES
    gateway = str(pool.internal_gateway)
    return {
        "fqdn": server.fqdn,
        "hostname": server.fqdn.split(".")[0],
        "dns_suffix": pool.dns_suffix,
        "internal_nic": {
            "name": server.internal_nic_name,
            "mac": server.internal_nic_mac,
            "addresses": [server.internal.with_prefixlen],
            "gateway": None,
            "dns_servers": [],
        },
        "external_nic": {
            "name": server.external_nic_name,
            "mac": server.external_nic_mac,
            "addresses": [server.external[s].with_prefixlen for s in services],
            "services": {s: str(server.external[s].ip) for s in services},
            "skip_as_source": [str(server.external[s].ip) for s in services if s != "access"],
            "public": {s: str(server.public(s)) for s in services},
            "gateway": str(pool.external_gateway),
            "dns_servers": [str(ip) for ip in pool.external_dns_servers],
            "register_in_dns": False,
            "netbios": False,
        },
        "routes": [{"destination": destination, "gateway": gateway, "interface": server.internal_nic_name}
                   for destination in _route_destinations(pool, server)],
        "hosts_entries": [{"ip": e["ip"], "names": list(e["names"])} for e in pool.internal_hosts],
        "listening": listening(pool, server),
    }


def _route_destinations(pool, server):
    """netcalc.routes for ``server``, computed once per pool and internal subnet (the servers of a pool
    share it): the networks are parsed, sorted and swept once, not once per server."""
    summarize = bool(pool.setting("sfb_edge_routes_summarize"))
    netcalc.routes([], server.internal.with_prefixlen, str(pool.internal_gateway), server.internal_nic_name)  # the checks
    key = ("routes", server.internal.network, summarize)
    if key not in pool.cache:
        pool.cache[key] = netcalc.route_destinations(pool.internal_networks, server.internal.network, summarize)
    return pool.cache[key]


def dns_records(pool):
    fq = pool.external_fqdns
    single = pool.single_ip
    port = service_ports(single)
    external = []
    for service in netcalc.SERVICES:
        for address in _endpoints(pool, service):
            external.append({"type": "A", "name": fq[service], "value": address})
    for domain in pool.sip_domains:
        sip = "sip." + domain
        if sip not in fq.values():
            for address in _endpoints(pool, "access"):
                external.append({"type": "A", "name": sip, "value": address})
    for domain in pool.sip_domains:
        external.append(_srv("_sip._tls." + domain, fq["access"], port["access"]))
        external.append(_srv("_sipfederationtls._tcp." + domain, fq["access"], 5061))
        if pool.xmpp:
            external.append(_srv("_xmpp-server._tcp." + domain, fq["access"], 5269))
    internal = []
    servers = sorted(pool.servers, key=lambda s: s.name)
    if pool.load_balancing == "hlb":
        internal.append({"type": "A", "name": pool.fqdn, "value": str(pool.vips["internal"])})
    elif not (len(servers) == 1 and servers[0].fqdn == pool.fqdn):
        for s in servers:
            internal.append({"type": "A", "name": pool.fqdn, "value": str(s.internal.ip)})
    for s in servers:
        internal.append({"type": "A", "name": s.fqdn, "value": str(s.internal.ip)})
    return {"external": _distinct(external), "internal": _distinct(internal)}


def _srv(name, target, port):
    return {"type": "SRV", "name": name, "value": target, "port": port, "priority": 0, "weight": 0,
            "rdata": "0 0 %d %s" % (port, target)}


def _distinct(items):
    """``items`` (flat dicts of hashable values) without repeats, first kept: a dict, not a list scan."""
    seen, out = set(), []
    for item in items:
        key = tuple(sorted(item.items()))
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _applies(rule, pool):
    when = rule.get("when")
    if when == "xmpp":
        return pool.xmpp
    if when == "multi_ip":
        return not pool.single_ip
    if when == "ocs2007":
        return pool.version == "lync2013" and bool(pool.setting("sfb_edge_ocs2007_federation"))
    return True


# The address groups of the firewall plan, in the order they are listed.
_GROUP_ORDER = ("any", "internal_networks", "lync_servers", "edge_internal", "edge_internal_vip",
                "edge_access", "edge_webconf", "edge_av", "vip_access", "vip_webconf", "vip_av")
_SERVICE_NAME = {"access": "Access Edge", "webconf": "Web Conferencing Edge", "av": "A/V Edge"}


def firewall_groups(pool):
    """Named address groups, each member listed once: ``{name: {description, members}}``.

    Only groups a rule uses appear in the plan (see firewall()); an empty peer list (no internal
    networks, no hosts entries) means the rules use ``any``.
    """
    servers = sorted(pool.servers, key=lambda s: s.name)
    hlb = pool.load_balancing == "hlb"
    services = ("access",) if pool.single_ip else netcalc.SERVICES
    groups = {
        "any": ("Any address", ["Any"]),
        "internal_networks": ("Internal client and server networks (sfb_edge_internal_networks)",
                              [str(n) for n in pool.internal_networks]),
        "lync_servers": ("Front End pools and Directors: the hosts entries (next hop pool and its servers)",
                         [e["ip"] for e in pool.internal_hosts]),
        "edge_internal": ("Edge servers' internal interfaces", [str(s.internal.ip) for s in servers]),
    }
    if hlb:
        groups["edge_internal_vip"] = ("Edge pool internal VIP (hardware load balancer)", [str(pool.vips["internal"])])
    for service in services:
        nat = [s.name for s in servers if service in s.nat]
        label = "Access, Web Conferencing and A/V Edge (single-IP mode)" if pool.single_ip else _SERVICE_NAME[service]
        text = "%s: public address of each edge server" % label
        if nat:
            text += " (the NAT public address for %s; the firewall translates it to the external NIC's address)" % ", ".join(nat)
        groups["edge_" + service] = (text, [str(s.public(service)) for s in servers])
        if hlb:
            groups["vip_" + service] = ("%s VIP (hardware load balancer)" % label, [str(pool.vips[service])])
    return {name: {"description": text, "members": list(dict.fromkeys(members))}
            for name, (text, members) in groups.items()}


def firewall(pool):
    """The firewall plan as address groups and rules between them.  Direction is as seen from the edge
    server.  The number of rules depends on the port tables and the pool's options only, never on the
    number of servers, networks or hosts entries (those are group members)."""
    groups = firewall_groups(pool)
    single = pool.single_ip
    hlb = pool.load_balancing == "hlb"
    rules = {}
    for rule in ports.EXTERNAL_RULES:
        if not _applies(rule, pool):
            continue
        service = "access" if single else rule["service"]
        edges = []
        if hlb and rule["endpoint"] in ("vip", "both"):
            edges.append("vip_" + service)
        if not hlb or rule["endpoint"] in ("servers", "both"):
            edges.append("edge_" + service)
        for edge in edges:
            _add_rule(rules, "external", rule, _external_port(rule, single), edge, "any")
    for rule in ports.INTERNAL_RULES:
        if not _applies(rule, pool):
            continue
        peer = "lync_servers" if rule["peer"] == "lync_servers" else "internal_networks"
        if not groups[peer]["members"]:
            peer = "any"
        edges = (["edge_internal_vip"] if hlb and rule["endpoint"] == "both" else []) + ["edge_internal"]
        for edge in edges:
            _add_rule(rules, "internal", rule, rule["port"], edge, peer)
    rules = list(rules.values())
    used = {r["source"] for r in rules} | {r["destination"] for r in rules}
    return {"groups": {name: groups[name] for name in _GROUP_ORDER if name in used and name in groups},
            "rules": rules}


def _add_rule(rules, side, rule, port, edge_group, peer_group):
    """Add one rule between two groups; a rule that is already there is kept once (dict, not a search)."""
    inbound = rule["direction"] == "inbound"
    item = {
        "firewall": side,
        "direction": rule["direction"],
        "source": peer_group if inbound else edge_group,
        "destination": edge_group if inbound else peer_group,
        "protocol": rule["protocol"],
        "ports": port,
        "service": rule["service"],
        "note": rule["purpose"],
    }
    key = (side, item["direction"], item["source"], item["destination"], item["protocol"], port, item["service"])
    rules.setdefault(key, item)


def _external_port(rule, single_ip):
    """The port of an external rule; in single-IP mode the TLS services move to their own ports."""
    if single_ip and rule["port"] == "443" and rule["protocol"] == "TCP" and rule["service"] in ("access", "webconf"):
        return ports.SINGLE_IP_PORTS[rule["service"]]
    return rule["port"]


def listening(pool, server):
    """The sockets an installed edge server listens on permanently, per address (its own addresses,
    not VIPs or public NAT addresses): the inbound rules of the port tables that name a listener."""
    single = server.single_ip
    sockets = []
    for rule in ports.INTERNAL_RULES:
        if rule["direction"] == "inbound" and rule.get("listener") and _applies(rule, pool):
            sockets.append({"interface": "internal", "address": str(server.internal.ip), "protocol": rule["protocol"],
                            "port": int(rule["port"]), "listener": rule["listener"]})
    for rule in ports.EXTERNAL_RULES:
        if rule["direction"] == "inbound" and rule.get("listener") and _applies(rule, pool):
            service = "access" if single else rule["service"]
            sockets.append({"interface": service, "address": str(server.external[service].ip),
                            "protocol": rule["protocol"], "port": int(_external_port(rule, single)),
                            "listener": rule["listener"]})
    order = {"internal": 0, "access": 1, "webconf": 2, "av": 3}
    return sorted(_distinct(sockets), key=lambda s: (order[s["interface"]], s["protocol"], s["port"]))


def summary(plans):
    """A small summary of each pool plan (for handles and AWX/AAP artifacts): its servers and the count of its
    findings by severity. Never a secret: names and counts only."""
    out = {}
    for pool, pool_plan in plans.items():
        counts = {"error": 0, "warning": 0}
        for finding in pool_plan.get("findings") or []:
            severity = finding.get("severity") if isinstance(finding, dict) else None
            if severity in counts:
                counts[severity] += 1
        out[pool] = {"servers": sorted(pool_plan.get("hosts") or {}), "findings": counts}
    return out
