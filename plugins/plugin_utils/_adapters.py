# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: which gathered adapter is a desired NIC.

Shared by the diff engine (:mod:`drift`) and the lockout guard (:mod:`guard`), so that neither imports the other
(the guard is called by the diff engine). Plain data in, plain data out.
"""

from __future__ import annotations

from ansible_collections.sfb.edge.plugins.plugin_utils._excerpt import excerpt as _x
from ansible_collections.sfb.edge.plugins.plugin_utils.model import normalize_mac


def _adapter_list(current):
    return [a for a in current.get("adapters") or [] if isinstance(a, dict)]


def _describe_adapters(current):
    return ", ".join("%s [%s]" % (a.get("name"), a.get("mac") or "no MAC") for a in _adapter_list(current)) or "none"


def resolve_adapter(current, nic):
    """Find the adapter for a desired NIC: by MAC when the inventory gives one, else by name.

    :returns: ``(adapter, problem)``; exactly one of them is None.
    """
    adapters = _adapter_list(current)
    name = nic["name"]
    named = [a for a in adapters if str(a.get("name", "")).lower() == name.lower()]
    if nic.get("mac"):
        by_mac = [a for a in adapters if normalize_mac(a.get("mac")) == nic["mac"]]
        if not by_mac:
            return None, "no adapter has MAC %s (adapters: %s); correct %s.mac" % (
                nic["mac"], _describe_adapters(current), nic["variable"])
        if named and named[0] is not by_mac[0]:
            return None, "the adapter named %s has MAC %s, not %s; rename or correct %s.mac" % (
                _x(named[0]["name"]), named[0].get("mac"), nic["mac"], nic["variable"])
        return by_mac[0], None
    if not named:
        return None, "no adapter is named %s (adapters: %s); rename it by hand, or set %s.mac so the " \
            "adapter is found by its MAC address and renamed" % (_x(name), _describe_adapters(current), nic["variable"])
    return named[0], None
