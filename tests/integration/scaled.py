# -*- coding: utf-8 -*-
"""A generated edge pool of up to 12 servers with n internal networks and hosts entries, and its
converged snapshots (tests and measurements of site.yml / drift.yml at scale; no host is contacted).

The inventory is inventories/example with edge03..edgeNN added to its pool; each snapshot is
tests/snapshots/converged/edge02.json with the server's name, addresses and MACs put in, and the routes
and managed hosts entries the desired state asks for - so site.yml finds nothing to change.

    python tests/integration/scaled.py DEST SERVERS NETWORKS [HOSTS_ENTRIES]
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(ROOT, "inventories", "example")
CONVERGED = os.path.join(ROOT, "tests", "snapshots", "converged")


def _server(i):
    """Name and host variables of server ``i`` (1-based); 1 and 2 are the example's."""
    if i <= 2:
        with open(os.path.join(EXAMPLE, "host_vars", "edge%02d.yml" % i), encoding="utf-8") as handle:
            return "edge%02d" % i, yaml.safe_load(handle)
    ext = 100 + 3 * i
    return "edge%02d" % i, {
        "sfb_edge_internal_nic": {"name": "Internal", "mac": "00-15-5D-1F-%02X-01" % i,
                                  "address": "172.16.10.%d/24" % (10 + i)},
        "sfb_edge_external_nic": {"name": "External", "mac": "00-15-5D-1F-%02X-02" % i, "addresses": {
            "access": "192.0.2.%d/24" % ext, "webconf": "192.0.2.%d/24" % (ext + 1), "av": "192.0.2.%d/24" % (ext + 2)}},
    }


def networks(n):
    """``n`` internal networks: the example's data centre /16 first, then /24s outside it."""
    return ["10.10.0.0/16"] + ["10.%d.%d.0/24" % (100 + k // 250, k % 250) for k in range(n - 1)]


def hosts_entries(n):
    return [{"ip": "10.10.1.20", "names": ["dirpool.corp.example.com"]}] + [
        {"ip": "10.10.%d.%d" % (2 + k // 250, k % 250 + 1), "names": ["srv%04d.corp.example.com" % k]}
        for k in range(n - 1)]


def write_inventory(dest, servers, n_networks, n_hosts=None):
    """The inventory directory ``dest``; returns ``{host: host variables}`` (what edge_inventory reads)."""
    shutil.copytree(EXAMPLE, dest)
    pool_file = os.path.join(dest, "group_vars", "edge_pool_corp.yml")
    with open(pool_file, encoding="utf-8") as handle:
        pool = yaml.safe_load(handle)
    pool["sfb_edge_internal_networks"] = networks(n_networks)
    pool["sfb_edge_internal_hosts"] = hosts_entries(n_hosts if n_hosts is not None else n_networks)
    with open(pool_file, "w", encoding="utf-8") as handle:
        yaml.safe_dump(pool, handle)
    hosts_file = os.path.join(dest, "hosts.yml")
    with open(hosts_file, encoding="utf-8") as handle:
        hosts = yaml.safe_load(handle)
    members = {}
    hostvars = {}
    for i in range(1, servers + 1):
        name, data = _server(i)
        members[name] = {"ansible_host": data["sfb_edge_internal_nic"]["address"].split("/")[0]}
        with open(os.path.join(dest, "host_vars", name + ".yml"), "w", encoding="utf-8") as handle:
            yaml.safe_dump(data, handle)
        hostvars[name] = dict(pool, **data)
    hosts["all"]["children"]["edge_servers"]["children"]["edge_pool_corp"]["hosts"] = members
    with open(hosts_file, "w", encoding="utf-8") as handle:
        yaml.safe_dump(hosts, handle)
    return hostvars


def write_snapshots(dest, hostvars):
    """Converged snapshots of every host of ``hostvars`` in the directory ``dest``."""
    sys.path.insert(0, os.path.join(ROOT, ".cache", "collections"))
    # pylint: disable-next=import-outside-toplevel
    from ansible_collections.sfb.edge.plugins.plugin_utils import _desired as desired, _hostsfile as hostsfile

    findings, states = desired.build_all(hostvars)
    assert not [f for f in findings if f["severity"] == "error"], findings
    with open(os.path.join(CONVERGED, "edge02.json"), encoding="utf-8") as handle:
        template = handle.read()
    base = _server(2)[1]
    os.makedirs(dest, exist_ok=True)
    for i, host in enumerate(sorted(hostvars), start=1):
        data = _server(i)[1]
        text = template.replace("EDGE02", host.upper()).replace("edge02.corp", host + ".corp")
        pairs = [(base["sfb_edge_internal_nic"]["address"], data["sfb_edge_internal_nic"]["address"])] + [
            (base["sfb_edge_external_nic"]["addresses"][k], data["sfb_edge_external_nic"]["addresses"][k])
            for k in ("access", "webconf", "av")]
        for old, new in pairs:
            text = re.sub(re.escape(old.split("/")[0]) + r"(?!\d)", new.split("/")[0], text)
        for nic in ("sfb_edge_internal_nic", "sfb_edge_external_nic"):
            text = text.replace(base[nic]["mac"], data[nic]["mac"])
        state = json.loads(text)
        want = states[host]
        internal = [a for a in state["adapters"] if a["name"] == "Internal"][0]
        template_route = [r for r in state["routes"] if r["interface_index"] == internal["index"]][0]
        state["routes"] = [r for r in state["routes"] if r["interface_index"] != internal["index"]] + [
            dict(template_route, destination=r["destination"], gateway=r["gateway"]) for r in want["routes"]["routes"]]
        content = state["hosts_file"]["content"]
        state["hosts_file"]["content"] = hostsfile.render_hosts(content, want["hosts_file"]["entries"])
        state.setdefault("connection_ports", [5985, 5986])
        with open(os.path.join(dest, host + ".json"), "w", encoding="utf-8") as handle:
            json.dump(state, handle, indent=1)


def write(dest, servers, n_networks, n_hosts=None):
    """Inventory ``dest/inventory`` and converged snapshots ``dest/snapshots``."""
    hostvars = write_inventory(os.path.join(dest, "inventory"), servers, n_networks, n_hosts)
    write_snapshots(os.path.join(dest, "snapshots"), hostvars)
    return os.path.join(dest, "inventory"), os.path.join(dest, "snapshots")


if __name__ == "__main__":
    write(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else None)
