# -*- coding: utf-8 -*-
"""Plain-data inventories for unit tests (what sfb.edge.edge_inventory returns).

``example()`` mirrors inventories/example (two-server SfB 2019 HLB pool, two SIP domains);
``single()`` mirrors inventories/single (one SfB 2015 server, single IP behind NAT, XMPP).
A test in test_plan.py checks that these stay equal to the shipped inventories.
Each call returns a fresh deep copy, so tests may mutate it.
"""

from __future__ import annotations

import copy
import datetime
import os

_POOL = {
    "sfb_edge_pool_fqdn": "edgepool.corp.example.com",
    "sfb_edge_version": "sfb2019",
    "sfb_edge_load_balancing": "hlb",
    "sfb_edge_dns_suffix": "corp.example.com",
    "sfb_edge_sip_domains": ["example.com", "example.net"],
    "sfb_edge_external_fqdns": {"access": "sip.example.com", "webconf": "webconf.example.com", "av": "av.example.com"},
    "sfb_edge_hlb_vips": {"internal": "172.16.10.10", "access": "192.0.2.10", "webconf": "192.0.2.11", "av": "192.0.2.12"},
    "sfb_edge_external_gateway": "192.0.2.1",
    "sfb_edge_external_dns_servers": ["198.51.100.53", "198.51.100.54"],
    "sfb_edge_internal_gateway": "172.16.10.1",
    "sfb_edge_internal_networks": ["10.10.0.0/16", "10.20.0.0/16", "10.30.0.0/20"],
    "sfb_edge_routes_purge": True,
    "sfb_edge_controller_addresses": ["10.10.5.20"],
    "sfb_edge_next_hop_fqdn": "dirpool.corp.example.com",
    "sfb_edge_media_path": "D:\\",
    "sfb_edge_internal_hosts": [
        {"ip": "10.10.1.20", "names": ["dirpool.corp.example.com"]},
        {"ip": "10.10.1.21", "names": ["dir01.corp.example.com"]},
        {"ip": "10.10.1.22", "names": ["dir02.corp.example.com"]},
        {"ip": "10.10.1.10", "names": ["fepool.corp.example.com"]},
        {"ip": "10.10.1.11", "names": ["fe01.corp.example.com"]},
        {"ip": "10.10.1.12", "names": ["fe02.corp.example.com"]},
    ],
}

_EXAMPLE = {
    "edge01": dict(_POOL, sfb_edge_internal_nic={"name": "Internal", "mac": "00-15-5D-1E-8C-04",
                                                 "address": "172.16.10.11/24"},
                   sfb_edge_external_nic={"name": "External", "mac": "00-15-5D-1E-8C-05", "addresses": {
                       "access": "192.0.2.21/24", "webconf": "192.0.2.22/24", "av": "192.0.2.23/24"}}),
    "edge02": dict(_POOL, sfb_edge_internal_nic={"name": "Internal", "mac": "00-15-5D-1E-8C-0A",
                                                 "address": "172.16.10.12/24"},
                   sfb_edge_external_nic={"name": "External", "mac": "00-15-5D-1E-8C-0B", "addresses": {
                       "access": "192.0.2.31/24", "webconf": "192.0.2.32/24", "av": "192.0.2.33/24"}}),
}

_SINGLE = {
    "sfbedge01": {
        "sfb_edge_pool_fqdn": "sfbedge01.corp.example.org",
        "sfb_edge_version": "sfb2015",
        "sfb_edge_load_balancing": "none",
        "sfb_edge_dns_suffix": "corp.example.org",
        "sfb_edge_sip_domains": ["example.org"],
        "sfb_edge_external_fqdns": {"access": "sip.example.org", "webconf": "webconf.example.org",
                                    "av": "av.example.org"},
        "sfb_edge_xmpp": True,
        "sfb_edge_external_gateway": "172.31.0.1",
        "sfb_edge_external_dns_servers": ["203.0.113.53"],
        "sfb_edge_internal_gateway": "192.168.50.1",
        "sfb_edge_internal_networks": ["192.168.0.0/20"],
        "sfb_edge_controller_addresses": ["192.168.5.20"],
        "sfb_edge_next_hop_fqdn": "sfbfe01.corp.example.org",
        "sfb_edge_internal_hosts": [{"ip": "192.168.1.10", "names": ["sfbfe01.corp.example.org"]}],
        "sfb_edge_internal_nic": {"name": "Internal", "address": "192.168.50.20/24"},
        "sfb_edge_external_nic": {"name": "External", "addresses": {"access": "172.31.0.10/24"}},
        "sfb_edge_external_nat": {"access": "203.0.113.10"},
    }
}


def example():
    return copy.deepcopy(_EXAMPLE)


def single():
    return copy.deepcopy(_SINGLE)


def dns_pool():
    """The example pool with DNS load balancing instead of an HLB (no VIPs)."""
    inv = example()
    for host in inv.values():
        host["sfb_edge_load_balancing"] = "dns"
        del host["sfb_edge_hlb_vips"]
    return inv


def nat_dns_pool():
    """:func:`dns_pool` behind NAT: private external addresses 172.20.0.x, public NAT addresses
    203.0.113.x (server i: .10i+1 access, .10i+2 webconf, .10i+3 av), gateway 172.20.0.254."""
    inv = dns_pool()
    for i, host in enumerate(sorted(inv)):
        inv[host]["sfb_edge_external_nic"]["addresses"] = {
            k: "172.20.0.%d/24" % (10 * i + n + 1) for n, k in enumerate(("access", "webconf", "av"))}
        inv[host]["sfb_edge_external_nat"] = {k: "203.0.113.%d" % (10 * i + n + 1)
                                              for n, k in enumerate(("access", "webconf", "av"))}
    set_pool(inv, "sfb_edge_external_gateway", "172.20.0.254")
    return inv


def set_pool(inv, name, value):
    """Set a pool-level variable on every host (as group vars would)."""
    for host in inv.values():
        if value is None:
            host.pop(name, None)
        else:
            host[name] = copy.deepcopy(value)
    return inv


CERTIFICATES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "snapshots", "certificates")
CERTIFICATE_PASSWORD = "sfb-edge-test"
# A fixed "now" inside the validity of the test certificates (2026-01-01 to 2036, CAs to 2046, see
# tests/snapshots/certificates/make_certificates.py): tests that read them pass it, so that they do
# not start failing when the certificates near their end in real time.  The 2026-10-01 certificate of
# tests/snapshots/cs-wrong-certificate has expired at this instant.
CERTIFICATES_NOW = datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc)


def example_with_certificates():
    """The example pool plus the test certificates of tests/snapshots/certificates (what the overlay
    inventory tests/snapshots/inventory adds)."""
    spec = {
        "root_ca": [os.path.join(CERTIFICATES, "corp-root-ca.cer"), os.path.join(CERTIFICATES, "public-ca.cer")],
        "internal": {"pfx": os.path.join(CERTIFICATES, "edgepool-internal.pfx"), "password": CERTIFICATE_PASSWORD},
        "external": {"pfx": os.path.join(CERTIFICATES, "sip.example.com.pfx"), "password": CERTIFICATE_PASSWORD},
    }
    return set_pool(example(), "sfb_edge_certificates", spec)
