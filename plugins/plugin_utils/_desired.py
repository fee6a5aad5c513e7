# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The desired Windows state of one edge server, computed from the validated inventory.

It is the host's part of the plan (NICs, routes, hosts entries, name and suffix) plus what the
Windows roles need beyond the plan: the route purge switch and the certificates to import, each
with the SHA-1 thumbprint read from the file on the controller; and the Lync/SfB part (``cs``, see
:func:`cs.desired`).  No secret is ever part of it.
"""

from __future__ import annotations

from ansible_collections.sfb.edge.plugins.plugin_utils import _cs as cs, _expiry as expiry
from ansible_collections.sfb.edge.plugins.plugin_utils import _plan
from ansible_collections.sfb.edge.plugins.plugin_utils import _validate as validate

DESIRED_FORMAT = 1


class DesiredError(ValueError):
    """The desired state cannot be computed; the message says why and how to fix it."""


def build(hostvars, host, today=None):
    """Desired state of ``host`` (an inventory hostname in ``hostvars``).

    :raises DesiredError: when the inventory has errors (every error listed) or the host is not an
        edge server of the inventory.
    """
    findings, states = build_all(hostvars, [host], today=today)
    errs = validate.errors(findings)
    if errs:
        raise DesiredError(str(_plan.PlanError(errs)))
    if host not in states:
        raise DesiredError(_not_an_edge(host))
    return states[host]


def _not_an_edge(host):
    return ("host %s is not in the edge_servers group of the inventory (or has no sfb_edge_* "
            "variables); add it to a pool group under edge_servers" % host)


def build_all(hostvars, hosts=None, today=None, read_certificates=True):
    """One validation of the whole inventory, and the desired state of each of ``hosts`` from it.

    :param hosts: inventory hostnames (None: every edge server of the inventory).
    :returns: ``(findings, {host: desired state})``; the states are computed only when the inventory
        has no error finding (else the dict is empty).  Each certificate file is read once, however
        many servers use it.
    :raises DesiredError: when one of ``hosts`` is not an edge server of the inventory.
    """
    pools, findings = validate.check(hostvars, today=today, read_certificates=read_certificates)
    if validate.errors(findings):
        return findings, {}
    servers = {server.name: (pool, server) for pool in pools for server in pool.servers}
    wanted = list(servers) if hosts is None else [str(h) for h in hosts]
    missing = [h for h in wanted if h not in servers]
    if missing:
        raise DesiredError(_not_an_edge(missing[0]))
    cache = {}
    return findings, {h: host_state(servers[h][0], servers[h][1], cache=cache) for h in wanted}


def host_state(pool, server, cache=None):
    """Desired state of ``server`` of a validated ``pool`` (see :func:`build`); ``cache`` (a dict shared
    between the servers of one run) keeps what was read from each certificate file."""
    hp = _plan.host_plan(pool, server)
    internal, external = hp["internal_nic"], hp["external_nic"]
    wanted_certificates = certificates(server, cache, warn_days=pool.setting("sfb_edge_certificate_warn_days"))
    return {
        "format": DESIRED_FORMAT,
        "host": server.name,
        "pool": pool.fqdn,
        "identity": {"hostname": hp["hostname"], "fqdn": hp["fqdn"], "dns_suffix": hp["dns_suffix"]},
        "network": {
            "internal": {
                "variable": "sfb_edge_internal_nic",
                "name": internal["name"],
                "mac": internal["mac"],
                "addresses": [_address(a, False) for a in internal["addresses"]],
                "gateway": None,
                "dns_servers": [],
            },
            "external": {
                "variable": "sfb_edge_external_nic",
                "name": external["name"],
                "mac": external["mac"],
                "addresses": [_address(a, a.split("/")[0] in external["skip_as_source"])
                              for a in external["addresses"]],
                "gateway": external["gateway"],
                "dns_servers": list(external["dns_servers"]),
                "register_in_dns": bool(external["register_in_dns"]),
                "netbios": "enabled" if external["netbios"] else "disabled",
            },
        },
        "routes": {
            "nic": "internal",
            "routes": [{"destination": r["destination"], "gateway": r["gateway"]} for r in hp["routes"]],
            "purge": bool(pool.setting("sfb_edge_routes_purge")),
        },
        "hosts_file": {"entries": [dict(e, names=list(e["names"])) for e in hp["hosts_entries"]]},
        "certificates": wanted_certificates,
        "cs": cs.desired(pool, server, wanted_certificates),
    }


def _address(cidr, skip):
    ip, prefix = cidr.split("/")
    return {"address": ip, "prefix_length": int(prefix), "skip_as_source": bool(skip)}


def certificates(server, cache=None, warn_days=None):
    """Certificates to have on the host: ``[{variable, store, thumbprint, subject, path, pfx, not_after,
    warn_days}]`` (``not_after``: ISO 8601 UTC; ``warn_days``: ``sfb_edge_certificate_warn_days``, which
    the drift areas use for the installed copies); the internal and external ones also carry
    ``pfx_encryption`` (:func:`certs.pfx_encryption`, or None).

    CA certificates go to ``Root`` when self-signed, else to ``CA`` (intermediate); the internal and
    external PFX go to ``My`` with their private key.  Files were checked by validation already.
    """
    spec = server.certificates or {}
    cache = {} if cache is None else cache
    warn = {"warn_days": int(expiry.DEFAULT_WARN_DAYS if warn_days is None else warn_days)}
    wanted = []
    roots = spec.get("root_ca") or []
    if isinstance(roots, str):
        roots = [roots]
    for i, path in enumerate(roots):
        read = _read(cache, path, None, False)
        store = "Root" if read["self_signed"] else "CA"
        wanted.append(dict(read["entry"], variable="sfb_edge_certificates.root_ca[%d]" % i, store=store, **warn))
    for kind in ("internal", "external"):
        item = spec.get(kind)
        if not item:
            continue
        read = _read(cache, item["pfx"], item.get("password"), True)
        wanted.append(dict(read["entry"], variable="sfb_edge_certificates.%s" % kind, store="My", **warn))
    return wanted


def _read(cache, path, password, pfx):
    """What :func:`certificates` needs of one file, read once per ``cache`` (an in-memory dict of one run,
    never a fact or a result)."""
    key = (path, pfx, password)
    if key not in cache:
        from ansible_collections.sfb.edge.plugins.plugin_utils import _certs as certs

        cert, _key = certs.load_certificate(path, password)
        read = {"self_signed": cert.subject == cert.issuer, "entry": _cert_entry(cert, path, pfx)}
        if pfx:
            try:  # issue 9 point 6: the drift area checks it against the gathered OS build before the import
                read["entry"]["pfx_encryption"] = certs.pfx_file_encryption(path)
            except certs.CertificateError:
                read["entry"]["pfx_encryption"] = None
        cache[key] = read
    return cache[key]


def _cert_entry(cert, path, pfx):
    from cryptography.hazmat.primitives import hashes

    return {
        "variable": None,
        "store": None,
        "thumbprint": cert.fingerprint(hashes.SHA1()).hex().upper(),  # nosec: the Windows thumbprint is SHA-1
        "subject": cert.subject.rfc4514_string(),
        "path": path,
        "pfx": pfx,
        "not_after": expiry.iso(cert.not_valid_after_utc),
    }
