# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The edge topology model: the inventory contract, its defaults, and parsing into pools.

Input is a plain mapping ``{inventory_hostname: {sfb_edge_*: value}}`` for every host of the
``edge_servers`` group.  :func:`load` turns it into :class:`Pool` objects and a list of
:class:`Finding` for whatever could not be parsed.  It never raises on bad inventory data: every
problem becomes a finding that names the host, the variable, the value and the fix.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, field

from ansible_collections.sfb.edge.plugins.plugin_utils import _files, _products, _netcalc as netcalc
from ansible_collections.sfb.edge.plugins.plugin_utils._excerpt import excerpt as _x

VERSIONS = _products.VERSIONS  # sfb_edge_version (the registry of product versions: _products.py)
XMPP_VERSIONS = _products.XMPP_VERSIONS
LOAD_BALANCING = ("none", "dns", "hlb")
MAX_POOL_SERVERS = 12

# Pool-level variables (group vars): every server of a pool must carry the same value.
POOL_VARS = (
    "sfb_edge_pool_fqdn",
    "sfb_edge_version",
    "sfb_edge_load_balancing",
    "sfb_edge_dns_suffix",
    "sfb_edge_sip_domains",
    "sfb_edge_external_fqdns",
    "sfb_edge_hlb_vips",
    "sfb_edge_internal_gateway",
    "sfb_edge_internal_networks",
    "sfb_edge_external_gateway",
    "sfb_edge_external_dns_servers",
    "sfb_edge_internal_hosts",
    "sfb_edge_next_hop_fqdn",
    "sfb_edge_xmpp",
    "sfb_edge_san_include_av",
    "sfb_edge_ocs2007_federation",
    "sfb_edge_routes_summarize",
    "sfb_edge_san_limit",
    "sfb_edge_san_size_limit",
    "sfb_edge_certificate_warn_days",
    "sfb_edge_routes_purge",
    "sfb_edge_media_path",
    "sfb_edge_install_dir",
    "sfb_edge_frontend_host",
    "sfb_edge_windows_features",
    "sfb_edge_certificate_roll_date",
    "sfb_edge_windows_feature_source",
    "sfb_edge_cu_path",
    "sfb_edge_controller_addresses",
)
# Host-level variables.  Certificates may be per host (same key required across a pool).
HOST_VARS = (
    "sfb_edge_internal_nic",
    "sfb_edge_external_nic",
    "sfb_edge_external_nat",
    "sfb_edge_fqdn",
    "sfb_edge_certificates",
)
# Variables that belong to playbooks, not to the topology.
PLAYBOOK_VARS = (
    "sfb_edge_plan_dir",
    "sfb_edge_facts_from",
    "sfb_edge_offline_one_task",
    "sfb_edge_fail_on_drift",
    "sfb_edge_fail_on_expiry_warning",
    "sfb_edge_allow_connection_change",
    "sfb_edge_capture_dir",
    "sfb_edge_config_refresh",
    "sfb_edge_replication_invoke",
    "sfb_edge_awx_mode",
    "sfb_edge_phase",
)
# Old names still read (with a warning), mapped to their new names.
RENAMED_VARS = {"sfb_edge_cert_expiry_warn_days": "sfb_edge_certificate_warn_days"}
KNOWN_VARS = frozenset(POOL_VARS + HOST_VARS + PLAYBOOK_VARS + tuple(RENAMED_VARS))

DEFAULTS = {
    "sfb_edge_version": _products.DEFAULT,
    "sfb_edge_xmpp": False,
    "sfb_edge_san_include_av": False,
    "sfb_edge_ocs2007_federation": False,
    "sfb_edge_routes_summarize": False,
    "sfb_edge_routes_purge": False,
    "sfb_edge_internal_networks": [],
    "sfb_edge_internal_hosts": [],
    "sfb_edge_external_dns_servers": [],
    "sfb_edge_san_limit": 100,
    "sfb_edge_san_size_limit": 4096,
    "sfb_edge_certificate_warn_days": 30,
}

REQUIRED_POOL_VARS = (
    "sfb_edge_pool_fqdn",
    "sfb_edge_dns_suffix",
    "sfb_edge_sip_domains",
    "sfb_edge_external_fqdns",
    "sfb_edge_internal_gateway",
    "sfb_edge_external_gateway",
    "sfb_edge_next_hop_fqdn",
)


@dataclass
class Finding:
    """One validation result."""

    severity: str  # error | warning
    code: str  # stable identifier, see docs/findings.md
    host: str  # inventory hostname, or the pool FQDN for pool-wide findings
    variable: str  # the inventory variable (with a dotted path inside it)
    message: str  # what is wrong and how to fix it
    pool: str | None = None

    def as_dict(self):
        return {
            "severity": self.severity,
            "code": self.code,
            "host": self.host,
            "pool": self.pool,
            "variable": self.variable,
            "message": self.message,
        }

    def __str__(self):
        return "%s [%s] %s: %s: %s" % (self.severity.upper(), self.code, self.host, self.variable, self.message)


@dataclass
class Server:
    """One edge server, with its values parsed (None where a value was invalid)."""

    name: str
    fqdn: str | None
    internal_nic_name: str | None
    internal: ipaddress.IPv4Interface | None
    external_nic_name: str | None
    internal_nic_mac: str | None = None
    external_nic_mac: str | None = None
    external: dict = field(default_factory=dict)  # service -> IPv4Interface
    nat: dict = field(default_factory=dict)  # service -> IPv4Address (public side)
    certificates: dict | None = None
    raw: dict = field(default_factory=dict)

    @property
    def single_ip(self):
        return set(self.external) == {"access"}

    def public(self, service):
        """The address the internet uses for ``service`` on this server."""
        service = "access" if self.single_ip else service
        if service in self.nat:
            return self.nat[service]
        iface = self.external.get(service)
        return iface.ip if iface else None


@dataclass
class Pool:
    """An edge pool: servers sharing ``sfb_edge_pool_fqdn`` and the pool-level settings."""

    fqdn: str
    servers: list
    settings: dict  # pool-level variables with defaults applied, raw values
    version: str | None = None
    load_balancing: str | None = None
    sip_domains: list = field(default_factory=list)
    external_fqdns: dict = field(default_factory=dict)
    vips: dict = field(default_factory=dict)  # internal/access/webconf/av -> IPv4Address
    internal_gateway: ipaddress.IPv4Address | None = None
    external_gateway: ipaddress.IPv4Address | None = None
    internal_networks: list = field(default_factory=list)  # IPv4Network
    # index of each parsed network in sfb_edge_internal_networks (invalid items are left out above)
    internal_network_indexes: list = field(default_factory=list)
    external_dns_servers: list = field(default_factory=list)
    internal_hosts: list = field(default_factory=list)  # normalised [{ip, names}]
    # sfb_edge_controller_addresses parsed (IPv4Network; a bare address is a /32); None when unset
    controller_addresses: list | None = None
    # how the controller reaches the servers, the Front Ends and the probe hosts (see MANAGEMENT)
    management: dict = field(default_factory=dict)
    next_hop_fqdn: str | None = None
    dns_suffix: str | None = None
    # values computed once per pool and shared by its servers (route destinations per on-link subnet)
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def single_ip(self):
        return bool(self.servers) and all(s.single_ip for s in self.servers)

    @property
    def xmpp(self):
        return bool(self.settings.get("sfb_edge_xmpp"))

    def setting(self, name):
        return self.settings.get(name)


class _Collector:
    """Collects findings; helpers keep the call sites short."""

    def __init__(self):
        self.findings = []
        self._errored = None  # {pool: {variable with an error}}, built on first use, then kept up to date

    def add(self, severity, code, host, variable, message, pool=None):
        self.findings.append(Finding(severity, code, host, variable, message, pool))
        if self._errored is not None and severity == "error":
            self._errored.setdefault(pool, set()).add(variable)

    def errored(self, pool):
        """The variables of ``pool`` with an error finding so far (one pass over the findings in all,
        not one per question)."""
        if self._errored is None:
            self._errored = {}
            for f in self.findings:
                if f.severity == "error":
                    self._errored.setdefault(f.pool, set()).add(f.variable)
        return set(self._errored.get(pool, ()))

    def error(self, code, host, variable, message, pool=None):
        self.add("error", code, host, variable, message, pool)

    def warning(self, code, host, variable, message, pool=None):
        self.add("warning", code, host, variable, message, pool)


def _bool(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "on", "1", "false", "no", "off", "0"):
        return value.strip().lower() in ("true", "yes", "on", "1")
    raise ValueError("%s is not a boolean (use true or false)" % (_x(value),))


def _short_name(hostname):
    return hostname.split(".")[0].lower()


def _looks_like_ip(text):
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


def with_defaults(hostvars):
    """Return ``{host: vars}`` with the model defaults applied (the only place defaults live)."""
    result = {}
    for host, variables in hostvars.items():
        merged = dict(DEFAULTS)
        if isinstance(variables, dict):
            merged.update({k: v for k, v in variables.items() if v is not None})
        result[host] = merged
    return result


def load(hostvars):
    """Parse the inventory into pools.

    :param hostvars: ``{inventory_hostname: {sfb_edge_*: value}}``.
    :returns: ``(pools, findings)``; pools is a list of :class:`Pool` sorted by FQDN.
    """
    col = _Collector()
    if not isinstance(hostvars, dict):
        col.error("invalid_value", "inventory", "edge_servers",
                  "expected a mapping of edge server names to their variables, got %s" % type(hostvars).__name__)
        return [], col.findings
    if not hostvars:
        col.error("missing_variable", "inventory", "edge_servers",
                  "the inventory has no host in group 'edge_servers'; add your edge servers to that group")
        return [], col.findings
    unsafe = set()
    for host, variables in sorted(hostvars.items(), key=lambda item: str(item[0])):
        if not _host_name_checked(col, host):
            unsafe.add(host)  # never parsed further: no pool, report or snapshot path is built from the name
        elif variables is not None and not isinstance(variables, dict):
            col.error("invalid_value", str(host), "edge_servers", "the variables of %s are a %s, not a mapping of "
                      "variable names to values" % (host, type(variables).__name__))
    if unsafe:
        hostvars = {host: variables for host, variables in hostvars.items() if host not in unsafe}
    hostvars = with_defaults(_renamed(col, hostvars))
    by_pool = {}
    for host in sorted(hostvars):
        variables = hostvars[host]
        fqdn = variables.get("sfb_edge_pool_fqdn")
        if not _pool_name_checked(col, host, fqdn):
            continue  # the same: no folder is named after this pool
        pool_name = fqdn.lower().rstrip(".") if isinstance(fqdn, str) and fqdn else None
        for name in sorted(variables):
            if name.startswith("sfb_edge_") and name not in KNOWN_VARS:
                col.warning("unknown_variable", host, name,
                            "'%s' is not an sfb.edge inventory variable (typo?); it is ignored. Known pool "
                            "variables: %s" % (name, ", ".join(POOL_VARS)), pool=pool_name)
        if fqdn is not None and not isinstance(fqdn, str):
            col.error("invalid_value", host, "sfb_edge_pool_fqdn",
                      "%s is not a string (YAML made it a %s); set sfb_edge_pool_fqdn to the edge pool's internal "
                      "FQDN, e.g. edgepool.corp.example.com, in the group vars of the pool" % (_x(fqdn), type(fqdn).__name__))
            continue
        if not fqdn:
            col.error("missing_variable", host, "sfb_edge_pool_fqdn",
                      "is not set; set sfb_edge_pool_fqdn (the edge pool's internal FQDN, e.g. "
                      "edgepool.corp.example.com) in the group vars of the pool")
            continue
        groups = variables.get(POOL_GROUPS)
        if isinstance(groups, dict) and len(groups) > 1:
            listed = ", ".join("%s (%s)" % (g, groups[g]) for g in sorted(groups))
            col.error("pool_group_conflict", host, "sfb_edge_pool_fqdn",
                      "%s is in the groups %s, whose group vars give different sfb_edge_pool_fqdn values; Ansible's "
                      "precedence would silently put it in %s. Keep the server in the group of its one pool only, or "
                      "set sfb_edge_pool_fqdn in its host_vars" % (host, listed, fqdn), pool=pool_name)
            continue
        by_pool.setdefault(fqdn.lower().rstrip("."), []).append(host)

    pools = []
    for fqdn in sorted(by_pool):
        names = by_pool[fqdn]
        first = hostvars[names[0]]
        settings = {name: first.get(name) for name in POOL_VARS}
        _check_mixed(col, fqdn, names, hostvars)
        pool = Pool(fqdn=fqdn, servers=[], settings=settings)
        _parse_pool(col, pool, names)
        peers = first.get(MANAGEMENT)
        pool.management = {"connections": {h: hostvars[h].get(CONNECTION) or {} for h in names},
                           "peers": peers if isinstance(peers, dict) else None}
        for host in names:
            pool.servers.append(_parse_server(col, pool, host, hostvars[host]))
        _check_frontend_outside(col, pool, names[0], hostvars)
        pools.append(pool)
    return pools, col.findings


# ------------------------------------------------------------------------------ names used as file names (issue 18)
# Inventory hostnames and pool FQDNs name files and folders: <plan dir>/<pool>/, drift/<host>.json,
# <snapshots>/<host>.json, certificates/<host>-external.csr. A name that cannot be a file name is refused.
MAX_FILE_NAME_BYTES = 230  # NAME_MAX is 255 bytes; the longest suffix the collection adds is '-external.csr'
EXCERPT = 60


def excerpt(value, limit=EXCERPT):
    """A short, escaped excerpt of ``value`` for a message: ``repr`` (control and format characters as
    ``\\n``, ``\\x00``, ``\\u202e``; never raw) of at most ``limit`` characters, ``...`` when cut."""
    text = value if isinstance(value, str) else str(value)
    return repr(text[:limit]) + ("..." if len(text) > limit else "")


def file_name_problem(name):
    """Why ``name`` (an inventory hostname or a pool FQDN) cannot be a file name, or None when it can.

    Refused: not a string or empty; ``/`` or ``\\``; ``.``, ``..`` (or any leading ``.``); a leading ``-``;
    a control character (Cc: NUL, newline, tab, ...), a format character (Cf: U+202E, U+200B, ...), a
    surrogate or a line/paragraph separator; more than :data:`MAX_FILE_NAME_BYTES` bytes in UTF-8."""
    if not isinstance(name, str):
        return "is a %s, not a name" % type(name).__name__
    if not name:
        return "is empty"
    bad = _control_character(name)
    if bad is not None:
        return "contains the %s character U+%04X" % (
            "format" if _category(bad) == "Cf" else "control", ord(bad))
    for sep in ("/", "\\"):
        if sep in name:
            return "contains %r, a folder separator" % sep
    if name in (".", ".."):
        return "is %r, which names a folder (this one or its parent), never a file" % name
    if name[0] == ".":
        return "starts with '.' (a hidden file; '..' leaves the folder)"
    if name[0] == "-":
        return "starts with '-' (a command reads it as an option)"
    if len(name.encode("utf-8")) > MAX_FILE_NAME_BYTES:
        return "is longer than %d bytes" % MAX_FILE_NAME_BYTES
    return None


def _category(char):
    import unicodedata

    return unicodedata.category(char)


def shown_name(name):
    """An inventory hostname as a finding's ``host`` shows it: as it is when it is printable and short,
    else its :func:`excerpt` (escaped, never a raw control or format character)."""
    return name if isinstance(name, str) and name and name.isprintable() and len(name) <= EXCERPT else excerpt(name)


def _host_name_checked(col, host):
    """False (and an ``unsafe_file_name`` error) when the inventory hostname ``host`` cannot be a file name
    (:func:`file_name_problem`)."""
    problem = file_name_problem(host)
    if problem is None:
        return True
    col.error("unsafe_file_name", shown_name(host), "inventory_hostname", "the inventory hostname %s %s; it names the "
              "host's files (<snapshots>/<host>.json, <plan dir>/<pool>/drift/<host>.json), so it must be a plain "
              "file name: rename the host in the inventory (letters, digits, '-', '_' and '.', e.g. edge01 or "
              "edge01.corp.example.com) and give its address in ansible_host" % (excerpt(host), problem))
    return False


def _pool_name_checked(col, host, fqdn):
    """False (and an ``unsafe_file_name`` error) when the pool FQDN ``fqdn`` of ``host`` cannot be a file name."""
    if not isinstance(fqdn, str) or not fqdn:
        return True  # reported as invalid_value / missing_variable
    problem = file_name_problem(fqdn) or file_name_problem(fqdn.lower().rstrip("."))
    if problem is None:
        return True
    col.error("unsafe_file_name", host, "sfb_edge_pool_fqdn", "%s %s; the pool FQDN names the pool's folder of the "
              "plan (<plan dir>/<pool>/), so it must be a plain file name: set sfb_edge_pool_fqdn to the edge pool's "
              "internal FQDN, e.g. edgepool.corp.example.com, in the group vars of the pool" % (excerpt(fqdn), problem))
    return False


def _check_frontend_outside(col, pool, first, edge_servers):
    """``sfb_edge_frontend_host`` must not name an edge server (docs/inventory.md: the Front End is outside
    edge_servers): the configuration export and the internal probes would run on an edge."""
    name = pool.settings.get("sfb_edge_frontend_host")
    if isinstance(name, str) and name in edge_servers:
        col.error("frontend_is_edge_server", first, "sfb_edge_frontend_host",
                  "%s is a host of the group edge_servers, not a Front End: the Front End exports the configuration "
                  "(Export-CsConfiguration) and probes the edges' internal firewall rules, so it must be an inventory "
                  "host outside edge_servers. Set sfb_edge_frontend_host to the Front End's inventory name, or leave "
                  "it unset and put the Front End in the group front_ends" % excerpt(name), pool=pool.fqdn)


def _renamed(col, hostvars):
    """``hostvars`` with each old variable name of :data:`RENAMED_VARS` read as its new name (when the
    new one is not set), and a warning per host that uses an old name."""
    result = {}
    for host, variables in hostvars.items():
        old = sorted(n for n in RENAMED_VARS if isinstance(variables, dict) and n in variables)
        if not old:
            result[host] = variables
            continue
        variables = dict(variables)
        for name in old:
            new = RENAMED_VARS[name]
            fqdn = variables.get("sfb_edge_pool_fqdn")
            used = new not in variables or variables.get(new) is None
            col.warning("renamed_variable", host, name, "%s was renamed to %s; %s. Rename it in the inventory "
                        "(group or host vars)" % (name, new, "its value %s is used" % (_x(variables[name], name),) if used else
                                                  "it is ignored because %s is set too" % new),
                        pool=fqdn.lower().rstrip(".") if isinstance(fqdn, str) and fqdn else None)
            value = variables.pop(name)
            if used:
                variables[new] = value
        result[host] = variables
    return result


def _check_mixed(col, fqdn, names, hostvars):
    for name in POOL_VARS:
        first = repr(hostvars[names[0]].get(name))
        if all(repr(hostvars[host].get(name)) == first for host in names[1:]):
            continue  # the same text is the same canonical value: no canonical copy of 5,000 networks per server
        values = {}
        for host in names:
            values.setdefault(repr(_canonical(hostvars[host].get(name))), []).append(host)
        if len(values) > 1:
            groups = "; ".join("%s on %s" % (value, ", ".join(hosts)) for value, hosts in values.items())
            col.error("pool_mixed_settings", fqdn, name,
                      "differs between servers of pool %s (%s); a pool-level variable must be the same on every "
                      "server: set it once in the pool's group vars" % (fqdn, groups), pool=fqdn)


def _canonical(value):
    if isinstance(value, str):
        return value.strip().lower()
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    return value


def _parse_pool(col, pool, names):
    """Parse pool-level settings; problems are reported against the pool's first host."""
    host = names[0]
    s = pool.settings
    p = pool.fqdn

    def err(code, var, msg):
        col.error(code, host, var, msg, pool=p)

    for var in REQUIRED_POOL_VARS:
        if s.get(var) in (None, "", [], {}):
            err("missing_variable", var, "is required for every edge pool but is not set (pool %s); set it in the "
                "pool's group vars (see the role argument specs / docs/inventory.md)" % p)

    if not netcalc.is_fqdn(p):
        err("invalid_fqdn", "sfb_edge_pool_fqdn", "%s is not a valid FQDN; use the edge pool's internal FQDN "
            "as defined in Topology Builder, e.g. edgepool.corp.example.com" % _x(p))

    version = s.get("sfb_edge_version")
    if version not in VERSIONS:
        err("invalid_value", "sfb_edge_version", "%s is not supported; use one of %s" % (_x(version), ", ".join(VERSIONS)))
    else:
        pool.version = version

    for var in ("sfb_edge_xmpp", "sfb_edge_san_include_av", "sfb_edge_ocs2007_federation", "sfb_edge_routes_summarize",
                "sfb_edge_routes_purge"):
        try:
            s[var] = _bool(s.get(var))
        except ValueError as exc:
            err("invalid_value", var, str(exc))
            s[var] = False

    for var in ("sfb_edge_san_limit", "sfb_edge_san_size_limit", "sfb_edge_certificate_warn_days"):
        value = s.get(var)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            try:
                s[var] = int(str(value))
                if s[var] < 0:
                    raise ValueError
            except ValueError:
                fix = ("set it to a whole number of days (0 turns the expiry warnings off)"
                       if var == "sfb_edge_certificate_warn_days" else "set it to a whole number")
                err("invalid_value", var, "%s is not a non-negative integer; %s in the pool's group vars, or leave it "
                    "out (the default is %s)" % (_x(value, var), fix, DEFAULTS[var]))
                s[var] = DEFAULTS[var]

    lb = s.get("sfb_edge_load_balancing")
    if lb is None:
        lb = "none" if len(names) == 1 else "dns"
        s["sfb_edge_load_balancing"] = lb
    if lb not in LOAD_BALANCING:
        err("invalid_value", "sfb_edge_load_balancing", "%s is not valid; use none (single server), dns or hlb" % (_x(lb),))
    else:
        pool.load_balancing = lb

    suffix = s.get("sfb_edge_dns_suffix")
    if suffix is not None:
        if netcalc.is_fqdn(suffix):
            pool.dns_suffix = suffix.lower().rstrip(".")
        else:
            err("invalid_fqdn", "sfb_edge_dns_suffix", "%s is not a valid DNS suffix; use the internal AD DNS "
                "domain, e.g. corp.example.com" % (_x(suffix),))

    domains = s.get("sfb_edge_sip_domains")
    if domains is not None:
        if isinstance(domains, str) or not isinstance(domains, list) or not domains:
            err("invalid_value", "sfb_edge_sip_domains", "%s must be a non-empty list of SIP domains, the default "
                "SIP domain first" % (_x(domains),))
        else:
            for i, d in enumerate(domains):
                if netcalc.is_fqdn(d):
                    d = d.lower().rstrip(".")
                    if d not in pool.sip_domains:
                        pool.sip_domains.append(d)
                else:
                    err("invalid_sip_domain", "sfb_edge_sip_domains[%d]" % i, "%s is not a valid SIP domain; use a "
                        "DNS domain such as example.com" % (_x(d),))

    fqdns = s.get("sfb_edge_external_fqdns")
    if fqdns is not None:
        if not isinstance(fqdns, dict):
            err("invalid_value", "sfb_edge_external_fqdns", "%s must be a dict {access, webconf, av}" % (_x(fqdns),))
        else:
            for key in fqdns:
                if key not in netcalc.SERVICES:
                    err("invalid_value", "sfb_edge_external_fqdns.%s" % _key_text(key), "unknown key %s%s; use "
                        "access, webconf and av (the public FQDNs of the Access, Web Conferencing and A/V Edge)"
                        % (_x(key), _did_you_mean(key, netcalc.SERVICES)))
            for key in netcalc.SERVICES:
                value = fqdns.get(key)
                if value in (None, ""):
                    err("missing_variable", "sfb_edge_external_fqdns.%s" % key, "is not set; give the public FQDN "
                        "of the %s service (e.g. %s.example.com)" % (_SERVICE_NAMES[key], key))
                elif not netcalc.is_fqdn(value):
                    err("invalid_fqdn", "sfb_edge_external_fqdns.%s" % key, "%s is not a valid FQDN" % (_x(value),))
                else:
                    pool.external_fqdns[key] = value.lower().rstrip(".")

    vips = s.get("sfb_edge_hlb_vips")
    if vips not in (None, {}):
        if not isinstance(vips, dict):
            err("invalid_value", "sfb_edge_hlb_vips", "%s must be a dict {internal, access, webconf, av}" % (_x(vips),))
        else:
            for key, value in vips.items():
                if key not in ("internal",) + netcalc.SERVICES:
                    err("invalid_value", "sfb_edge_hlb_vips.%s" % key, "unknown VIP %s; use internal, access, "
                        "webconf, av" % _x(key))
                    continue
                try:
                    pool.vips[key] = netcalc.parse_address(value, "VIP")
                except ValueError as exc:
                    err("invalid_value", "sfb_edge_hlb_vips.%s" % key, str(exc))

    for var, attr in (("sfb_edge_internal_gateway", "internal_gateway"), ("sfb_edge_external_gateway", "external_gateway")):
        value = s.get(var)
        if value in (None, ""):
            continue
        try:
            setattr(pool, attr, netcalc.parse_address(value, var))
        except ValueError as exc:
            err("invalid_value", var, str(exc) + "; give the firewall's address on that DMZ subnet")

    indexes = []
    pool.internal_networks = _parse_list(err, s, "sfb_edge_internal_networks", netcalc.parse_network,
                                         "internal network", "CIDRs such as ['10.0.0.0/16']", indexes=indexes)
    pool.internal_network_indexes = indexes
    raw_networks = s.get("sfb_edge_internal_networks")
    for i, net in zip(indexes, pool.internal_networks):
        address = netcalc.host_bits(raw_networks[i], net)
        if address is not None:
            err("network_host_bits", "sfb_edge_internal_networks[%d]" % i, "%s has host bits set: as a /%d it means "
                "the network %s, not the address %s. Write '%s' for the network, or '%s/32' for that one host"
                % (_x(raw_networks[i]), net.prefixlen, net, address, net, address))
    pool.external_dns_servers = _parse_list(err, s, "sfb_edge_external_dns_servers", netcalc.parse_address,
                                            "DNS server", "IPv4 addresses")

    entries = s.get("sfb_edge_internal_hosts")
    try:
        pool.internal_hosts = netcalc.hosts_entries(entries)
    except ValueError as exc:
        code = "invalid_fqdn" if isinstance(exc, netcalc.InvalidName) else "invalid_value"
        err(code, "sfb_edge_internal_hosts", str(exc) + "; each entry is {ip: 10.1.1.10, names: [fe01.corp.example.com]}")

    hop = s.get("sfb_edge_next_hop_fqdn")
    if hop not in (None, ""):
        if netcalc.is_fqdn(hop):
            pool.next_hop_fqdn = hop.lower().rstrip(".")
        else:
            err("invalid_fqdn", "sfb_edge_next_hop_fqdn", "%s is not a valid FQDN; use the Director or Front End "
                "pool FQDN the edge sends SIP to" % (_x(hop),))

    _parse_controller_addresses(err, pool, s)
    _parse_install(err, s)


def _parse_controller_addresses(err, pool, s):
    """sfb_edge_controller_addresses: the Ansible controller's addresses (IPs or CIDRs) for the management rules
    of the firewall plan (issue 20, point 8). Unset: None (the plan leaves those rules out, with a warning)."""
    value = s.get("sfb_edge_controller_addresses")
    if value is None:
        pool.controller_addresses = None
        return
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        err("invalid_value", "sfb_edge_controller_addresses", "%r must be a list of the Ansible controller's IPv4 "
            "addresses or CIDRs as the edge servers see them (after any NAT), e.g. ['10.10.5.20'] or "
            "['10.10.5.0/28'] for an AWX/AAP execution node pool" % (value,))
        pool.controller_addresses = None
        return
    parsed = []
    for i, item in enumerate(value):
        text = item.strip() if isinstance(item, str) else item
        if isinstance(text, str) and "/" not in text and _looks_like_ip(text):
            text += "/32"
        try:
            parsed.append(netcalc.parse_network(text, "controller address"))
        except ValueError as exc:
            err("invalid_value", "sfb_edge_controller_addresses[%d]" % i, "%s; give the Ansible controller's IPv4 "
                "address (10.10.5.20) or network (10.10.5.0/28) as the edge servers see it" % exc)
    pool.controller_addresses = list(dict.fromkeys(parsed))


# A Windows path: drive-rooted (D:\, C:\sfb\media) or UNC (\\server\share\path).
# Every pattern ends in \Z, not $ ($ also matches before a final newline); no control character in a path.
_WINDOWS_PATH = re.compile(r"^(?:[A-Za-z]:\\|\\\\[^\\/:*?\"<>|\x00-\x1f\x7f]+\\[^\\/:*?\"<>|\x00-\x1f\x7f]+)[^/:*?\"<>|\x00-\x1f\x7f]*\Z")
# A local, drive-rooted path only (the install paths the edge itself reads, see _LOCAL_PATHS).
_LOCAL_PATH = re.compile(r"^[A-Za-z]:\\[^/:*?\"<>|\x00-\x1f\x7f]*\Z")
_FEATURE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]*\Z")

# The paths the edge reads while installing (issue 9, item 3): local folders or a mounted ISO only.
# An edge server is in a workgroup: its WinRM logon is NTLM without delegation (no second hop to a
# file server) and SYSTEM, which runs setup, reaches the network as an anonymous logon - a UNC path
# cannot be read by either, and setup would only report that the media are missing.
_LOCAL_PATHS = (
    ("sfb_edge_media_path", "the installation media as the edge sees them: a mounted ISO such as D:\\ or a "
     "local folder that holds Setup\\amd64 (e.g. C:\\media\\sfb2019)"),
    ("sfb_edge_cu_path", "the folder on the edge that holds the update installer, SkypeServerUpdateInstaller.exe "
     "(LyncServerUpdateInstaller.exe for Lync Server 2013) (e.g. C:\\media\\cu), or that file itself"),
    ("sfb_edge_windows_feature_source", "the Windows Server side-by-side store as the edge sees it, e.g. "
     "D:\\sources\\sxs of the mounted Windows Server ISO (a folder: ansible.windows.win_feature checks the source "
     "with Test-Path, so the wim:<file>:<index> form of Install-WindowsFeature is not accepted)"),
)


def _unc_message(var, value, what):
    return ("%s is a UNC path, which an edge server cannot read while installing: it is in a workgroup, so its "
            "WinRM logon (NTLM) cannot pass the credentials on to the file server, and SYSTEM, which runs setup, "
            "reaches the network as an anonymous logon. Copy the files to a local folder on the edge or mount the "
            "ISO, and set %s to %s" % (_x(value, var), var, what))


def _parse_install(err, s):
    """The Lync/SfB installation settings (issue 4): media and install paths, Front End, features, roll-over."""
    for var, what in _LOCAL_PATHS:
        value = s.get(var)
        if value in (None, ""):
            s[var] = None
        elif isinstance(value, str) and value.strip().startswith(("\\\\", "//")):
            err("invalid_value", var, _unc_message(var, value, what))
            s[var] = None
        elif not isinstance(value, str) or _control_character(value) is not None or not _LOCAL_PATH.match(value):
            err("invalid_value", var, "%s is not an absolute Windows path on the edge's own disks; give %s" % (_x(value, var), what))
            s[var] = None
    for var, what in (("sfb_edge_install_dir", "the product's install folder, e.g. C:\\Program Files\\Skype for "
                       "Business Server 2019 (default: the version's standard folder)"),):
        value = s.get(var)
        if value in (None, ""):
            s[var] = None
        elif not isinstance(value, str) or _control_character(value) is not None or not _WINDOWS_PATH.match(value):
            err("invalid_value", var, "%s is not an absolute Windows path; give %s" % (_x(value, var), what))
            s[var] = None
    host = s.get("sfb_edge_frontend_host")
    if host in (None, ""):
        s["sfb_edge_frontend_host"] = None
    elif isinstance(host, str) and file_name_problem(host) is not None:
        err("unsafe_file_name", "sfb_edge_frontend_host", "%s %s, so it is no inventory hostname this collection "
            "accepts; name the Front End by its inventory name (e.g. fe01.corp.example.com), or leave it unset and "
            "put the Front End in the group front_ends" % (excerpt(host), file_name_problem(host)))
        s["sfb_edge_frontend_host"] = None
    elif not isinstance(host, str) or any(c.isspace() for c in host):
        err("invalid_value", "sfb_edge_frontend_host", "%s is not an inventory hostname; name the Front End (a host "
            "of your inventory) that runs Export-CsConfiguration, or put it in the group front_ends" % (_x(host),))
        s["sfb_edge_frontend_host"] = None
    features = s.get("sfb_edge_windows_features")
    if features is not None:
        if not isinstance(features, list) or not all(isinstance(f, str) and _FEATURE_NAME.match(f) for f in features):
            err("invalid_value", "sfb_edge_windows_features", "%s must be a list of Windows feature names as "
                "Get-WindowsFeature shows them (e.g. [NET-Framework-45-Core, Windows-Identity-Foundation]); leave it "
                "unset for the version's default list" % (_x(features),))
            s["sfb_edge_windows_features"] = None
    roll = s.get("sfb_edge_certificate_roll_date")
    if roll not in (None, ""):
        try:
            parse_roll_date(roll)
        except ValueError:
            err("invalid_value", "sfb_edge_certificate_roll_date", "%s is not a date and time; use ISO 8601 such as "
                "'2026-12-01T02:00:00' (local time of the edge servers) for Set-CsCertificate -Roll -EffectiveDate"
                % (_x(roll),))
            s["sfb_edge_certificate_roll_date"] = None
    else:
        s["sfb_edge_certificate_roll_date"] = None


def parse_roll_date(value):
    """``datetime`` of an ISO 8601 roll-over date (YAML may already give a date or datetime)."""
    import datetime

    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day)
    if not isinstance(value, str):
        raise ValueError(value)
    return datetime.datetime.fromisoformat(value.strip())


def _parse_list(err, settings, var, parser, what, expected, indexes=None):
    """Parse a list-valued pool variable item by item; bad items become findings and are left out.

    :param indexes: a list that receives the index (in the variable) of every parsed item.
    """
    value = settings.get(var)
    if isinstance(value, str) or not isinstance(value, list):
        err("invalid_value", var, "%s must be a list of %s" % (_x(value, var), expected))
        return []
    parsed = []
    for i, item in enumerate(value):
        try:
            parsed.append(parser(item, what))
        except ValueError as exc:
            err("invalid_value", "%s[%d]" % (var, i), str(exc))
            continue
        if indexes is not None:
            indexes.append(i)
    return parsed


def _key_text(key):
    """A dict key as it goes into a finding's variable path (printable, whatever YAML made of it)."""
    return key if isinstance(key, str) and key.isprintable() else repr(key)


def _did_you_mean(key, choices):
    import difflib

    if not isinstance(key, str):
        return ""
    close = difflib.get_close_matches(key.lower(), choices, n=1, cutoff=0.6)
    return " (did you mean %r?)" % close[0] if close else ""


_SERVICE_NAMES = {"access": "Access Edge", "webconf": "Web Conferencing Edge", "av": "A/V Edge",
                  "internal": "internal edge interface"}


def _parse_server(col, pool, host, v):
    def err(code, var, msg):
        col.error(code, host, var, msg, pool=pool.fqdn)

    server = Server(name=host, fqdn=None, internal_nic_name=None, internal=None, external_nic_name=None, raw=v)

    fqdn = v.get("sfb_edge_fqdn")
    if fqdn in (None, ""):
        if _looks_like_ip(host):
            err("missing_variable", "sfb_edge_fqdn", "the inventory name %s is an IP address, so the server FQDN "
                "cannot be derived; set sfb_edge_fqdn (hostname + primary DNS suffix)" % _x(host))
        elif pool.dns_suffix:
            derived = "%s.%s" % (_short_name(host), pool.dns_suffix)
            if netcalc.is_fqdn(derived):
                server.fqdn = derived
            else:
                err("invalid_fqdn", "sfb_edge_fqdn", "is not set and the name derived from the inventory name %s, "
                    "%s, is not a valid FQDN (letters, digits and hyphens only); set sfb_edge_fqdn or rename the "
                    "host" % (_x(host), _x(derived)))
    elif netcalc.is_fqdn(fqdn):
        server.fqdn = fqdn.lower().rstrip(".")
    else:
        err("invalid_fqdn", "sfb_edge_fqdn", "%s is not a valid FQDN; use <hostname>.<primary DNS suffix>" % (_x(fqdn),))

    nic = v.get("sfb_edge_internal_nic")
    if nic is None:
        err("missing_variable", "sfb_edge_internal_nic", "is not set; give {name: <adapter name>, address: "
            "'10.x.x.x/len'} for the internal (perimeter) NIC")
    elif not isinstance(nic, dict):
        err("invalid_value", "sfb_edge_internal_nic", "%s must be a dict {name, address}" % (_x(nic),))
    else:
        server.internal_nic_name = _nic_name(err, nic, "sfb_edge_internal_nic")
        server.internal_nic_mac = _nic_mac(err, nic, "sfb_edge_internal_nic")
        try:
            server.internal = netcalc.parse_interface(nic.get("address"), "internal NIC address")
        except ValueError as exc:
            err("invalid_value" if nic.get("address") else "missing_variable", "sfb_edge_internal_nic.address", str(exc))
        for key in ("gateway", "default_gateway", "dns_servers"):
            if nic.get(key) not in (None, "", []):
                err("gateway_on_internal_nic" if "gateway" in key else "dns_on_internal_nic",
                    "sfb_edge_internal_nic.%s" % key,
                    "is %s, but the internal NIC must have no %s: the only default gateway is on the external NIC "
                    "and internal networks are reached through persistent routes via sfb_edge_internal_gateway; "
                    "remove this key" % (_x(nic.get(key), key), "default gateway" if "gateway" in key else "DNS servers"))

    ext = v.get("sfb_edge_external_nic")
    if ext is None:
        err("missing_variable", "sfb_edge_external_nic", "is not set; give {name: <adapter name>, addresses: "
            "{access: 'a.b.c.d/len', webconf: ..., av: ...}} (only access for single-IP mode)")
    elif not isinstance(ext, dict):
        err("invalid_value", "sfb_edge_external_nic", "%s must be a dict {name, addresses}" % (_x(ext),))
    else:
        server.external_nic_name = _nic_name(err, ext, "sfb_edge_external_nic")
        server.external_nic_mac = _nic_mac(err, ext, "sfb_edge_external_nic")
        addresses = ext.get("addresses")
        if not isinstance(addresses, dict) or not addresses.get("access"):
            err("missing_variable", "sfb_edge_external_nic.addresses.access", "the external NIC needs at least the "
                "Access Edge address: addresses: {access: 'a.b.c.d/len'} (add webconf and av for three-IP mode)")
        else:
            for key, value in addresses.items():
                if key not in netcalc.SERVICES:
                    err("invalid_value", "sfb_edge_external_nic.addresses.%s" % key, "unknown service %s; use "
                        "access, webconf and av" % _x(key))
                    continue
                try:
                    server.external[key] = netcalc.parse_interface(value, "external %s address" % key)
                except ValueError as exc:
                    err("invalid_value", "sfb_edge_external_nic.addresses.%s" % key, str(exc))
            present = {k for k in ("webconf", "av") if addresses.get(k)}
            if len(present) == 1:
                missing = ({"webconf", "av"} - present).pop()
                err("missing_variable", "sfb_edge_external_nic.addresses.%s" % missing, "three-IP mode needs access, "
                    "webconf and av addresses; give %s too, or remove %s for single-IP mode" % (missing, present.pop()))
        for key in ("dns_servers", "gateway"):
            if ext.get(key) not in (None, "", []):
                col.warning("ignored_variable", host, "sfb_edge_external_nic.%s" % key,
                            "%s is ignored: the external NIC's %s comes from the pool variable sfb_edge_external_%s; "
                            "remove it here and set that instead" % (_x(ext.get(key), key), key, key), pool=pool.fqdn)

    nat = v.get("sfb_edge_external_nat")
    if nat not in (None, {}):
        if not isinstance(nat, dict):
            err("invalid_value", "sfb_edge_external_nat", "%s must be a dict {access, webconf, av} of public "
                "addresses" % (_x(nat),))
        else:
            for key, value in nat.items():
                if key not in netcalc.SERVICES:
                    err("invalid_value", "sfb_edge_external_nat.%s" % key, "unknown service %s" % _x(key))
                    continue
                try:
                    server.nat[key] = netcalc.parse_address(value, "public NAT address")
                except ValueError as exc:
                    err("invalid_value", "sfb_edge_external_nat.%s" % key, str(exc))

    certs = v.get("sfb_edge_certificates")
    if certs not in (None, {}):
        if isinstance(certs, dict):
            _certificate_layout(err, certs)
            server.certificates = certificate_paths(certs, v.get(BASE_DIR))
            _certificates_inside_sources(col, pool, host, server.certificates, v.get(SOURCES), v.get(BASE_DIR))
        else:
            err("invalid_value", "sfb_edge_certificates", "must be a dict {root_ca: [paths], internal: {pfx, "
                "password}, external: {pfx, password}}")
    return server


_CERTIFICATE_FORM = ("sfb_edge_certificates: {external: {pfx: <path to .pfx>, password: <vaulted password>}, "
                     "internal: {pfx: ..., password: ...}, root_ca: [<CA certificate paths>]}")


def _certificate_layout(err, certs):
    """A PFX's keys one level too high, and an ``external:``/``internal:`` left empty (the YAML of a
    mis-indented ``pfx``/``password``): either way that certificate would silently not be configured."""
    misplaced = [key for key in ("pfx", "password") if key in certs]
    for key in misplaced:
        err("invalid_value", "sfb_edge_certificates.%s" % key, "is directly under sfb_edge_certificates, where "
            "nothing reads it: pfx and password belong to one certificate; indent them under external: (the "
            "Access/Web Conferencing/A/V certificate) or internal:, as in %s" % _CERTIFICATE_FORM)
    for kind in ("internal", "external"):
        if kind in certs and certs[kind] in (None, {}, "", []):
            err("invalid_value", "sfb_edge_certificates.%s" % kind, "is present but empty, so no %s certificate "
                "is configured%s; give {pfx: <path to .pfx>, password: <vaulted password>} indented under %s:, or "
                "remove the key" % (kind, " (its pfx/password are one level up, directly under "
                                          "sfb_edge_certificates?)" if misplaced else "", kind))


def _nic_name(err, nic, var):
    name = nic.get("name")
    if name not in (None, "") and not isinstance(name, str):
        err("invalid_value", "%s.name" % var, "%s is not an adapter name; give the Windows adapter name as a string, "
            "e.g. 'Internal'" % (_x(name),))
        return None
    if not isinstance(name, str) or not name.strip():
        err("missing_variable", "%s.name" % var, "is not set; give the Windows adapter name (Get-NetAdapter Name), "
            "e.g. 'Internal' or 'External'")
        return None
    bad = _control_character(name.strip())
    if bad is not None:
        err("invalid_value", "%s.name" % var, "%s contains the control character U+%04X (a newline, tab or another "
            "non-printing character, often from a YAML block scalar or a copy-paste); an adapter name is one line of "
            "printable text: write it in quotes, e.g. name: 'Internal'" % (_x(name), ord(bad)))
        return None
    return name.strip()


def _control_character(text):
    """The first control or format character of ``text`` (C0, DEL, C1, zero-width and direction marks), or None."""
    import unicodedata

    for char in text:
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            return char
    return None


_MAC = re.compile(r"^[0-9a-f]{2}([-:]?)[0-9a-f]{2}(\1[0-9a-f]{2}){4}\Z", re.IGNORECASE | re.ASCII)


def normalize_mac(value):
    """``00:15:5d:0a:00:01`` / ``00155D0A0001`` -> ``00-15-5D-0A-00-01`` (Windows' form); None if not a MAC."""
    if not isinstance(value, str) or not _MAC.match(value.strip()):
        return None
    digits = re.sub(r"[-:]", "", value.strip()).upper()
    return "-".join(digits[i:i + 2] for i in range(0, 12, 2))


def _nic_mac(err, nic, var):
    """Optional MAC address: the adapter is found by it and renamed to the inventory name."""
    value = nic.get("mac")
    if value in (None, ""):
        return None
    mac = normalize_mac(value)
    if mac is None:
        err("invalid_value", "%s.mac" % var, "%s is not a MAC address; write it as Windows shows it "
            "(Get-NetAdapter MacAddress), e.g. 00-15-5D-0A-00-01, or remove the key" % (_x(value),))
    return mac


# ------------------------------------------------------------------------------ paths (issue 11, item 5)
# The key sfb.edge.edge_inventory adds to each host's variables: the host's ``inventory_dir``, the base of
# the relative paths that host's variables name.
BASE_DIR = "inventory_dir"
# Key of the edge inventory (sfb.edge.edge_inventory): {group: sfb_edge_pool_fqdn} of the groups of a host that
# disagree about its pool where Ansible's precedence would pick one silently (issue 19, point 16).
POOL_GROUPS = "pool_fqdn_groups"
# The keys sfb.edge.edge_inventory adds for the management rules of the firewall plan (issue 20, point 8), none
# of them a secret: CONNECTION, each host's connection variables (the names of CONNECTION_VARS that are set);
# MANAGEMENT, the same object for every host: ``{front_ends: [{name, address, connection}], frontend: name,
# probes: [{name, address, connection}]}`` - the hosts of the groups front_ends (and sfb_edge_frontend_host) and
# edge_probes, each with its ansible_host (else its name) and connection variables.
CONNECTION = "ansible_connection_vars"
CONNECTION_VARS = ("ansible_connection", "ansible_port", "ansible_winrm_port", "ansible_winrm_scheme",
                   "ansible_psrp_port", "ansible_psrp_protocol", "ansible_ssh_port")
MANAGEMENT = "_sfb_edge_management"
# Key of the edge inventory (sfb.edge.edge_inventory): the run's inventory sources (``ansible_inventory_sources``),
# which no file the inventory names belongs in (issue 20, point 11).
SOURCES = "inventory_sources"
DEFAULT_PLAN_DIR = "plan"


def resolve_path(path, base=None):
    """What a path in the inventory means: ``~`` expanded; an absolute path as is; a relative one joined
    to ``base``, the inventory directory of the host that names it (Ansible's ``inventory_dir``), or to
    the current directory when there is none. Anything that is not a non-blank string is returned as it
    is (validation reports it)."""
    if not isinstance(path, str) or not path.strip():
        return path
    expanded = os.path.expanduser(path)
    if os.path.isabs(expanded):
        return expanded
    if isinstance(base, str) and base.strip():
        return os.path.join(os.path.abspath(os.path.expanduser(base)), expanded)
    return os.path.abspath(expanded)


def report_dir(value=None, base=None, sources=()):
    """The absolute directory reports go to: ``sfb_edge_plan_dir`` resolved with :func:`resolve_path`;
    when it is unset or blank, ``plan`` in the current directory (as before: ``make plan`` and the
    ``plan`` directory of a checkout keep working).

    :param sources: the inventory sources of the run (``ansible_inventory_sources``).
    :raises ValueError: when the directory is inside a directory given as an inventory source: Ansible
        would read every report there (plan.json, drift/*.json, firewall.csv) as an inventory file on the
        next run. The message names the value and the fix.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        path = os.path.abspath(DEFAULT_PLAN_DIR)
    else:
        path = resolve_path(value if isinstance(value, str) else str(value), base)
    inside = _inside_directory_source(path, sources)
    if inside:
        beside = os.path.join(os.path.dirname(inside.rstrip(os.sep)), "reports")
        raise ValueError("sfb_edge_plan_dir %s is %s, inside the inventory source directory %s: Ansible would read "
                         "the reports written there as inventory files on the next run. Set sfb_edge_plan_dir to a "
                         "directory outside it, e.g. %s" % (_files.short(value, 1024), path, inside, beside))
    return path


def _inside_directory_source(path, sources):
    return _files.inside_source(path, [s for s in sources or () if isinstance(s, str)])


def _certificates_inside_sources(col, pool, host, certs, sources, base):
    """A warning for each certificate file of ``sfb_edge_certificates`` (resolved paths) inside a directory given
    as an inventory source: Ansible's inventory plugins read every file there, a PFX or CA certificate too (a host
    of binary garbage, or a parse error, on every run)."""
    if not sources:
        return
    sources = [sources] if isinstance(sources, str) else sources if isinstance(sources, (list, tuple)) else ()
    roots = certs.get("root_ca")
    files = [("sfb_edge_certificates.root_ca", roots)] if isinstance(roots, str) else [
        ("sfb_edge_certificates.root_ca[%d]" % i, r) for i, r in enumerate(roots)] if isinstance(roots, list) else []
    files += [("sfb_edge_certificates.%s.pfx" % kind, certs[kind]["pfx"]) for kind in ("internal", "external")
              if isinstance(certs.get(kind), dict) and "pfx" in certs[kind]]
    for var, path in files:
        if not isinstance(path, str) or not path.strip():
            continue
        # its folder: a file of an inventory directory is read there also when it is a link to a file elsewhere
        inside = _inside_directory_source(os.path.dirname(path), sources)
        if inside:
            beside = os.path.join(os.path.dirname(inside.rstrip(os.sep)), "certs", os.path.basename(path))
            relative = os.path.relpath(beside, os.path.realpath(base)) if isinstance(base, str) and base else beside
            col.warning("certificate_in_inventory_source", host, var,
                        "%s is inside the inventory source directory %s: Ansible's inventory plugins read every file "
                        "there and parse this certificate file as inventory (hosts of binary garbage). Move it "
                        "outside the inventory sources, next to the inventory, e.g. to %s, and set %s to %s" % (
                            path, inside, beside, var, relative), pool=pool.fqdn)


def certificate_paths(spec, base=None):
    """``sfb_edge_certificates`` with its file paths (``root_ca`` items, ``internal.pfx``,
    ``external.pfx``) resolved with :func:`resolve_path`; other keys and malformed parts unchanged (the
    certificate checks report them)."""
    result = dict(spec)
    roots = spec.get("root_ca")
    if isinstance(roots, str):
        result["root_ca"] = resolve_path(roots, base)
    elif isinstance(roots, list):
        result["root_ca"] = [resolve_path(r, base) for r in roots]
    for kind in ("internal", "external"):
        item = spec.get(kind)
        if isinstance(item, dict) and "pfx" in item:
            result[kind] = dict(item, pfx=resolve_path(item["pfx"], base))
    return result
