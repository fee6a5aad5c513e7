# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tool's own traffic for the firewall plan (issue 20, points 8 and 9): how the controller reaches each edge
server, the Front End and the firewall-proof probe hosts (address and TCP port), and the Front End servers the
inventory names. Plain functions of a parsed :class:`model.Pool`; nothing is guessed: an address comes from
``ansible_host`` when it is an IPv4 address, else from the hosts entry (``sfb_edge_internal_hosts``) that names it."""

from __future__ import annotations

import ipaddress

from ansible_collections.sfb.edge.plugins.plugin_utils import _guard as guard

SSH_PORT = 22


def _int(value):
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 65536 and not isinstance(value, bool) else None


def port(connection, windows=True):
    """The TCP port the controller connects to: as the connection plugin resolves it (:func:`guard.connection_port`);
    without ``ansible_connection``, ``ansible_port``, else WinRM's 5986 (5985 with ``ansible_winrm_scheme: http``)
    for a Windows host and 22 (SSH, Ansible's default connection) for a probe host."""
    connection = connection if isinstance(connection, dict) else {}
    found = guard.connection_port(connection)
    if found:
        return found
    explicit = _int(connection.get("ansible_port"))
    if explicit:
        return explicit
    if not windows:
        return SSH_PORT
    return 5985 if str(connection.get("ansible_winrm_scheme") or "").lower() == "http" else 5986


def _ipv4(text):
    try:
        return str(ipaddress.IPv4Address(str(text).strip()))
    except ValueError:
        return None


def peers(pool):
    """``{known, front_ends: [{name, given, address, source, port}], frontend, probes: [...]}`` of ``pool`` (computed
    once per pool). ``known`` is False when the inventory reader gave no host list (then no Front End or probe host
    is known). ``address`` is None when neither ``ansible_host`` nor a hosts entry gives one; ``source`` says where
    it came from."""
    key = ("management_peers",)
    if key in pool.cache:
        return pool.cache[key]
    info = (pool.management or {}).get("peers")
    by_name = {}
    for entry in pool.internal_hosts:
        for name in entry["names"]:
            by_name.setdefault(name, entry["ip"])

    def resolve(item, windows):
        name = str(item.get("name"))
        given = str(item.get("address") or name)
        address = _ipv4(given)
        source = "ansible_host" if address else None
        if address is None:
            for candidate in (given, name):
                found = by_name.get(candidate.lower().rstrip("."))
                if found:
                    address, source = found, "hosts entry %s" % candidate.lower().rstrip(".")
                    break
        return {"name": name, "given": given, "address": address, "source": source,
                "port": port(item.get("connection"), windows)}

    result = {"known": isinstance(info, dict), "front_ends": [], "frontend": None, "probes": []}
    if isinstance(info, dict):
        result["front_ends"] = [resolve(i, True) for i in info.get("front_ends") or [] if isinstance(i, dict)]
        result["probes"] = [resolve(i, False) for i in info.get("probes") or [] if isinstance(i, dict)]
        result["frontend"] = info.get("frontend") or None
        setting = pool.setting("sfb_edge_frontend_host")
        if isinstance(setting, str) and setting:
            result["frontend"] = setting
    pool.cache[key] = result
    return result


def edge_ports(pool):
    """``{port: [server, ...]}``: the WinRM port the controller uses for each edge server of ``pool``."""
    connections = (pool.management or {}).get("connections") or {}
    found = {}
    for server in sorted(pool.servers, key=lambda s: s.name):
        found.setdefault(port(connections.get(server.name)), []).append(server)
    return found
