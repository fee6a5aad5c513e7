# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The edge plan: what other teams act on (public IPs, certificates, DNS, firewall, per-host
network settings), computed from the validated inventory.  JSON-ready dicts only."""

from __future__ import annotations

from ansible_collections.sfb.edge.plugins.plugin_utils import _management
from ansible_collections.sfb.edge.plugins.plugin_utils import _products
from ansible_collections.sfb.edge.plugins.plugin_utils import _expiry as expiry
from ansible_collections.sfb.edge.plugins.plugin_utils import _netcalc as netcalc
from ansible_collections.sfb.edge.plugins.plugin_utils import _ports as ports
from ansible_collections.sfb.edge.plugins.plugin_utils import _validate as validate

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
    from ansible_collections.sfb.edge.plugins.plugin_utils import _certs as certs

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
        return pool.version in _products.OCS2007_VERSIONS and bool(pool.setting("sfb_edge_ocs2007_federation"))
    return True


# The address groups of the firewall plan, in the order they are listed (management groups with a port in
# their name, when the servers differ in port, follow in order of appearance).
_GROUP_ORDER = ("any", "internal_networks", "next_hop_pool", "front_end_servers", "edge_internal", "edge_internal_vip",
                "edge_access", "edge_webconf", "edge_av", "vip_access", "vip_webconf", "vip_av", "controller")
_SERVICE_NAME = {"access": "Access Edge", "webconf": "Web Conferencing Edge", "av": "A/V Edge"}
# How each group reads in a rule's sentence for the firewall team (rule "allow").
_GROUP_TEXT = {
    "any": "any address", "internal_networks": "the internal networks", "next_hop_pool": "the next hop pool and its "
    "servers", "front_end_servers": "the Front End servers", "edge_internal": "the edge servers' internal addresses",
    "edge_internal_vip": "the edge pool's internal VIP", "controller": "the Ansible controller",
    "front_end_management": "the Front End sfb.edge connects to", "probe_hosts": "the firewall-proof probe hosts",
}
# Which firewall and which way, as the team that owns the firewall says it: (firewall, direction) -> crossing.
_CROSSING = {
    ("external", "inbound"): "from the internet into the perimeter network",
    ("external", "outbound"): "from the perimeter network to the internet",
    ("internal", "inbound"): "from the internal network into the perimeter network",
    ("internal", "outbound"): "from the perimeter network into the internal network",
    ("internal", "transit"): "inside the internal network, only where a firewall separates the two",
    ("external", "transit"): "from the internal network out to the probe host outside the perimeter",
}


def _hosts_text(items):
    return ", ".join("%s %s (%s)" % (i["name"], i["address"], i["source"]) for i in items)


def firewall_groups(pool):
    """Named address groups, each member listed once: ``{name: {description, members}}``.

    Only groups a rule uses appear in the plan (see firewall()); an empty peer list (no internal
    networks, no hosts entries) means the rules use ``any``.
    """
    servers = sorted(pool.servers, key=lambda s: s.name)
    hlb = pool.load_balancing == "hlb"
    services = ("access",) if pool.single_ip else netcalc.SERVICES
    peers = _management.peers(pool)
    front_ends = [f for f in peers["front_ends"] if f["address"]]
    hop = pool.next_hop_fqdn
    hop_addresses = [e["ip"] for e in pool.internal_hosts if hop in e["names"]]
    groups = {
        "any": ("Any address", ["Any"]),
        "internal_networks": ("Internal client and server networks (sfb_edge_internal_networks)",
                              [str(n) for n in pool.internal_networks]),
        "next_hop_pool": ("Next hop pool %s (sfb_edge_next_hop_fqdn, hosts entry %s) and the servers behind it: the "
                          "addresses of every hosts entry (sfb_edge_internal_hosts)"
                          % (hop, ", ".join(hop_addresses) or "none"), [e["ip"] for e in pool.internal_hosts]),
        "front_end_servers": ("Front End servers of the inventory (group front_ends, sfb_edge_frontend_host): %s"
                              % (_hosts_text(front_ends) or "none"), [f["address"] for f in front_ends]),
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
    if pool.controller_addresses:
        groups["controller"] = ("The Ansible controller (sfb_edge_controller_addresses): where sfb.edge connects from",
                                [str(n.network_address) if n.prefixlen == 32 else str(n) for n in pool.controller_addresses])
    return {name: {"description": text, "members": list(dict.fromkeys(members))}
            for name, (text, members) in groups.items()}


def firewall(pool):
    """The firewall plan as address groups and rules between them.  Direction is as seen from the edge
    server.  The number of rules depends on the port tables and the pool's options only, never on the
    number of servers, networks or hosts entries (those are group members); the management rules (the tool's own
    traffic, issue 20 point 8) come last, one per port the controller uses.  Each rule carries its number
    (``id``, from 1, the one plan.md, firewall.csv, report.html and the firewall proof show), ``management`` and
    ``allow``, the rule as the team that owns that firewall reads it."""
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
        edges = (["edge_internal_vip"] if hlb and rule["endpoint"] == "both" else []) + ["edge_internal"]
        for peer, note in _internal_peers(rule["peer"], groups):
            for edge in edges:
                _add_rule(rules, "internal", rule, rule["port"], edge, peer, note=note)
    _management_rules(rules, groups, pool)
    rules = list(rules.values())
    for number, rule in enumerate(rules, 1):
        rule["id"] = number
        rule["allow"] = allow_text(rule, groups)
    used = {r["source"] for r in rules} | {r["destination"] for r in rules}
    order = [n for n in _GROUP_ORDER if n in groups] + [n for n in groups if n not in _GROUP_ORDER]
    return {"groups": {name: groups[name] for name in order if name in used}, "rules": rules}


def _internal_peers(kind, groups):
    """``[(group, note suffix)]`` of an internal rule's peer kind (ports.py): the next hop pool, the Front End
    servers (the next hop pool's entries stand in, saying so, when the inventory names no Front End), both
    (lync_servers), or the internal networks; ``any`` when the group is empty."""
    hop = "next_hop_pool" if groups["next_hop_pool"]["members"] else "any"
    if kind == "next_hop":
        return [(hop, "")]
    if kind in ("front_ends", "lync_servers"):
        if groups["front_end_servers"]["members"]:
            return ([(hop, "")] if kind == "lync_servers" else []) + [("front_end_servers", "")]
        return [(hop, "" if kind == "lync_servers" else
                 " (the inventory names no Front End - group front_ends - so the hosts entries stand in)")]
    return [("internal_networks" if groups["internal_networks"]["members"] else "any", "")]


def _management_rules(rules, groups, pool):
    """The tool's own traffic (issue 20, point 8) from the group ``controller``: WinRM to each edge server's internal
    address (its ansible_port / ansible_winrm_port, default 5986), WinRM to the Front End sfb.edge connects to,
    SSH or WinRM to each firewall-proof probe host. Left out when sfb_edge_controller_addresses is unset (the
    validation warns: controller_addresses_unset)."""
    if "controller" not in groups:
        return
    by_port = _management.edge_ports(pool)
    for port, servers in sorted(by_port.items()):
        target = "edge_internal"
        if len(by_port) > 1:
            target = "edge_internal_winrm_%d" % port
            groups[target] = {"description": "Edge servers' internal interfaces that take WinRM on TCP %d: %s"
                              % (port, ", ".join(s.name for s in servers)),
                              "members": [str(s.internal.ip) for s in servers]}
        _add_management(rules, "internal", "inbound", target, port,
                        "WinRM from the Ansible controller: sfb.edge configures and reads the edge servers over it "
                        "(ansible_port / ansible_winrm_port)")
    peers = _management.peers(pool)
    chosen = [f for f in peers["front_ends"] if f["name"] == peers["frontend"] and f["address"]]
    if chosen:
        front_end = chosen[0]
        groups["front_end_management"] = {
            "description": "The Front End sfb.edge connects to over WinRM (sfb_edge_frontend_host, else the first host "
                           "of front_ends): %s" % _hosts_text(chosen), "members": [front_end["address"]]}
        _add_management(rules, "internal", "transit", "front_end_management", front_end["port"],
                        "WinRM from the Ansible controller to the Front End: Export-CsConfiguration, the replication "
                        "status and the firewall proof's internal probes")
    probes = {}
    for probe in peers["probes"]:
        if probe["address"]:
            probes.setdefault(probe["port"], []).append(probe)
    for port, items in sorted(probes.items()):
        target = "probe_hosts" if len(probes) == 1 else "probe_hosts_%d" % port
        groups[target] = {"description": "Firewall-proof probe hosts outside the perimeter (group edge_probes) on TCP "
                                         "%d: %s" % (port, _hosts_text(items)),
                          "members": list(dict.fromkeys(i["address"] for i in items))}
        _add_management(rules, "external", "transit", target, port,
                        "%s from the Ansible controller to the firewall-proof probe host (sfb.edge.firewall_proof)"
                        % ("SSH" if port == _management.SSH_PORT else "WinRM"))


def _add_management(rules, side, direction, destination, port, note):
    item = {"firewall": side, "direction": direction, "source": "controller", "destination": destination,
            "protocol": "TCP", "ports": str(port), "service": "management", "note": note, "management": True}
    rules.setdefault((side, direction, "controller", destination, "TCP", str(port), "management"), item)


def _group_text(name):
    if name in _GROUP_TEXT:
        return _GROUP_TEXT[name]
    if name.startswith("edge_internal_winrm_"):
        return "the edge servers' internal addresses"
    if name.startswith("probe_hosts_"):
        return "the firewall-proof probe hosts"
    if name.startswith("vip_"):
        return "the %s VIP" % _SERVICE_NAME.get(name[4:], name[4:])
    if name.startswith("edge_"):
        return "the edge servers' %s public addresses" % _SERVICE_NAME.get(name[5:], name[5:])
    return name


def allow_text(rule, groups=None):
    """One rule as the team that owns that firewall reads it: "Internal firewall: allow TCP 5061 from the next hop
    pool and its servers (next_hop_pool) to the edge servers' internal addresses (edge_internal), from the internal
    network into the perimeter network"."""
    return "%s firewall: allow %s %s from %s (%s) to %s (%s), %s" % (
        rule["firewall"].capitalize(), rule["protocol"], rule["ports"], _group_text(rule["source"]), rule["source"],
        _group_text(rule["destination"]), rule["destination"],
        _CROSSING.get((rule["firewall"], rule["direction"]), rule["direction"]))


def _add_rule(rules, side, rule, port, edge_group, peer_group, note=""):
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
        "note": rule["purpose"] + note,
        "management": False,
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
