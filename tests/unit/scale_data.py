# -*- coding: utf-8 -*-
"""Generated inventories of any size for scale tests and the benchmark.

``inventory(servers=12, pools=1, networks=2000, hosts=500)`` returns the hostvars dict that
sfb.edge.edge_inventory would give: ``pools`` HLB pools sharing ``servers`` edge servers (spread
evenly, at least one each), each pool with ``networks`` distinct internal /24 networks and ``hosts``
internal hosts-file entries (the next hop and the Front End pool first).  The result is valid
(validate.check reports nothing), so every computation runs its full path.  Deterministic.

``networks_list(count, start=0)`` gives ``count`` distinct /24 CIDR strings (10.0.0.0/24,
10.0.1.0/24, ...; past 10.255.255.0/24 it goes on in 11.0.0.0/8 and up).
"""

from __future__ import annotations

import copy

from inventory_data import example

_TEMPLATE = example()["edge01"]


def _address(number):
    return "%d.%d.%d.%d" % (number >> 24 & 255, number >> 16 & 255, number >> 8 & 255, number & 255)


def networks_list(count, start=0):
    """``count`` distinct /24 networks from the ``start``-th /24 of 10.0.0.0/8 on."""
    return ["%s/24" % _address((10 << 24) + (start + i) * 256) for i in range(count)]


def hosts_list(count, networks):
    """``count`` hosts entries with distinct addresses (200 per network of ``networks``) and names."""
    if count and len(networks) * 200 < count:
        raise ValueError("%d hosts entries need at least %d networks" % (count, -(-count // 200)))
    entries = []
    for j in range(count):
        base = networks[j // 200].split("/", 1)[0].rsplit(".", 1)[0]
        name = {0: "dirpool", 1: "fepool"}.get(j, "host%05d" % j)
        entries.append({"ip": "%s.%d" % (base, 10 + j % 200), "names": [name + ".corp.example.com"]})
    return entries


def inventory(servers=12, pools=1, networks=2000, hosts=500):
    """The hostvars of a generated valid inventory (see the module docstring)."""
    if pools < 1 or servers < pools or pools > 200 or servers // pools > 200:
        raise ValueError("need 1 <= pools <= servers, at most 200 pools of at most 200 servers")
    hostvars = {}
    for p in range(pools):
        nets = networks_list(networks, start=p * networks)
        entries = hosts_list(hosts, nets)
        size = servers // pools + (1 if p < servers % pools else 0)
        pool = "edgepool%d.corp.example.com" % p if pools > 1 else _TEMPLATE["sfb_edge_pool_fqdn"]
        public = 0xc6120000 + p * 256  # 198.18.<p>.0/24: one external subnet per pool
        internal = 0xac100000 + (10 + p) * 256  # 172.16.<10+p>.0/24: one DMZ subnet per pool
        for s in range(size):
            host = dict(copy.deepcopy(_TEMPLATE))
            host.update({
                "sfb_edge_pool_fqdn": pool,
                "sfb_edge_internal_networks": list(nets),  # a copy per host, as Ansible's hostvars give
                "sfb_edge_internal_hosts": copy.deepcopy(entries),
                "sfb_edge_internal_gateway": _address(internal + 1),
                "sfb_edge_external_gateway": _address(public + 1),
                "sfb_edge_hlb_vips": {"internal": _address(internal + 10), "access": _address(public + 10),
                                      "webconf": _address(public + 11), "av": _address(public + 12)},
                "sfb_edge_internal_nic": {"name": "Internal", "mac": "00-15-5D-%02X-%02X-04" % (p, s),
                                          "address": "%s/24" % _address(internal + 20 + s)},
                "sfb_edge_external_nic": {"name": "External", "mac": "00-15-5D-%02X-%02X-05" % (p, s), "addresses": {
                    "access": "%s/24" % _address(public + 20 + 3 * s), "webconf": "%s/24" % _address(public + 21 + 3 * s),
                    "av": "%s/24" % _address(public + 22 + 3 * s)}},
            })
            if hosts < 2:
                host.pop("sfb_edge_internal_hosts")
            hostvars["edge%d%02d" % (p, s) if pools > 1 else "edge%02d" % (s + 1)] = host
    return hostvars
