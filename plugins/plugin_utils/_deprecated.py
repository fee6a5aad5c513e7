# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Inventory variables that are still accepted but no longer have an effect (PRIVATE to the collection).

The playbooks' validation step (sfb.edge.plan_validation) returns :func:`deprecations` as the task's
``deprecations``: Ansible prints each one once, as a ``[DEPRECATION WARNING]``, when the run starts.
"""

from __future__ import annotations

# variable: (the version that removes it, what to do instead)
VARIABLES = {
    "sfb_edge_offline_one_task": (
        "0.7.0",
        "it no longer has an effect: drift.yml, validate.yml and site.yml give every host a task of its own, live or "
        "from snapshots (sfb_edge_facts_from: only where the state comes from differs). Remove it from the inventory "
        "(docs/porting.md)"),
}


def deprecations(inventory):
    """``[{msg, version, collection_name}]`` for each deprecated variable set on a host of ``inventory``
    (``{host: {variable: value}}``), one entry per variable naming the hosts (at most 3, then a count)."""
    entries = []
    for name, (version, text) in sorted(VARIABLES.items()):
        hosts = sorted(str(host) for host, variables in (inventory or {}).items()
                       if isinstance(variables, dict) and name in variables)
        if hosts:
            shown = ", ".join(hosts[:3]) + (" and %d more" % (len(hosts) - 3) if len(hosts) > 3 else "")
            entries.append({"msg": "%s (set for %s): %s" % (name, shown, text), "version": version,
                            "collection_name": "sfb.edge"})
    return entries
