# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The identity area: the host name and the primary DNS suffix (a workgroup machine), applied by
ansible.windows.win_hostname and ansible.windows.win_regedit; a change needs a reboot."""

from __future__ import annotations

from ansible_collections.sfb.edge.plugins.plugin_utils import _changes as _records
from ansible_collections.sfb.edge.plugins.plugin_utils._areas import Area
from ansible_collections.sfb.edge.plugins.plugin_utils._excerpt import excerpt as _x

_change, _problem, _result = _records.change, _records.problem, _records.result

TCPIP_PARAMETERS = r"HKLM:\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters"


def identity(desired, current):
    res = _result("identity")
    ident, computer = desired["identity"], current.get("computer") or {}
    if computer.get("part_of_domain"):
        res["problems"].append(_problem(
            "identity", "sfb_edge_fqdn", "the host is joined to the domain %s; an edge server must be a workgroup "
            "machine (it cannot reach domain controllers from the perimeter network). Remove it from the domain by "
            "hand and run again; this collection never changes domain membership" % _x(computer.get("domain"))))
    name = computer.get("pending_hostname") or computer.get("hostname") or ""
    if name.upper() != ident["hostname"].upper():
        res["changes"].append(_change("identity", "computer", "hostname", "set", name, ident["hostname"].upper()))
        res["calls"].append({"module": "ansible.windows.win_hostname", "args": {"name": ident["hostname"].upper()}})
    suffix = (computer.get("dns_suffix") or "").lower()
    if suffix != ident["dns_suffix"]:
        res["changes"].append(_change("identity", "computer", "dns_suffix", "set", suffix, ident["dns_suffix"]))
        res["calls"].append({"module": "ansible.windows.win_regedit", "args": {
            "path": TCPIP_PARAMETERS, "name": "NV Domain", "data": ident["dns_suffix"], "type": "string"}})
    if computer.get("pending_reboot"):
        res["notes"].append("a reboot is pending (%s)" % (", ".join(computer.get("pending_reboot_reasons") or [])
                                                          or "reason unknown"))
    res["reboot_required"] = bool(res["changes"])
    return res


AREA = Area(name="identity", order=40, desired_sections=("identity",), current_sections=("computer",),
            function=identity, modules=("ansible.windows.win_hostname", "ansible.windows.win_regedit"),
            role="sfb.edge.identity", phase="windows")
