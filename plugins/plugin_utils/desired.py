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

from ansible_collections.sfb.edge.plugins.plugin_utils import cs
from ansible_collections.sfb.edge.plugins.plugin_utils import plan as _plan
from ansible_collections.sfb.edge.plugins.plugin_utils import validate

DESIRED_FORMAT = 1


class DesiredError(ValueError):
    """The desired state cannot be computed; the message says why and how to fix it."""


def build(hostvars, host, today=None):
    """Desired state of ``host`` (an inventory hostname in ``hostvars``).

    :raises DesiredError: when the inventory has errors (every error listed) or the host is not an
        edge server of the inventory.
    """
    pools, findings = validate.check(hostvars, today=today, read_certificates=True)
    errs = validate.errors(findings)
    if errs:
        raise DesiredError(str(_plan.PlanError(errs)))
    for pool in pools:
        for server in pool.servers:
            if server.name == host:
                return host_state(pool, server)
    raise DesiredError("host %s is not in the edge_servers group of the inventory (or has no sfb_edge_* "
                       "variables); add it to a pool group under edge_servers" % host)


def host_state(pool, server):
    """Desired state of ``server`` of a validated ``pool`` (see :func:`build`)."""
    hp = _plan.host_plan(pool, server)
    internal, external = hp["internal_nic"], hp["external_nic"]
    wanted_certificates = certificates(server)
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


def certificates(server):
    """Certificates to have on the host: ``[{variable, store, thumbprint, subject, path, pfx}]``; the
    internal and external ones also carry ``pfx_encryption`` (:func:`certs.pfx_encryption`, or None).

    CA certificates go to ``Root`` when self-signed, else to ``CA`` (intermediate); the internal and
    external PFX go to ``My`` with their private key.  Files were checked by validation already.
    """
    from ansible_collections.sfb.edge.plugins.plugin_utils import certs

    spec = server.certificates or {}
    wanted = []
    roots = spec.get("root_ca") or []
    if isinstance(roots, str):
        roots = [roots]
    for i, path in enumerate(roots):
        cert, _key = certs.load_certificate(path)
        store = "Root" if cert.subject == cert.issuer else "CA"
        wanted.append(_cert_entry("sfb_edge_certificates.root_ca[%d]" % i, store, cert, path, False))
    for kind in ("internal", "external"):
        item = spec.get(kind)
        if not item:
            continue
        cert, _key = certs.load_certificate(item["pfx"], item.get("password"))
        entry = _cert_entry("sfb_edge_certificates.%s" % kind, "My", cert, item["pfx"], True)
        try:  # issue 9 point 6: the drift area checks it against the gathered OS build before the import
            entry["pfx_encryption"] = certs.pfx_file_encryption(item["pfx"])
        except certs.CertificateError:
            entry["pfx_encryption"] = None
        wanted.append(entry)
    return wanted


def _cert_entry(variable, store, cert, path, pfx):
    from cryptography.hazmat.primitives import hashes

    return {
        "variable": variable,
        "store": store,
        "thumbprint": cert.fingerprint(hashes.SHA1()).hex().upper(),  # nosec: the Windows thumbprint is SHA-1
        "subject": cert.subject.rfc4514_string(),
        "path": path,
        "pfx": pfx,
    }
