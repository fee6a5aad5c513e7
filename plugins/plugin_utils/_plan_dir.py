# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: the directory of the plan, where every report of a run goes.

plan.yml writes ``<plan dir>/<pool>/plan.json`` there; the host actions their drift and validation reports below it;
the playbooks refresh each pool's report.html in it (sfb.edge.plan_files, sfb.edge.plan_validation's ``plan_dir``,
hoststate.report_directory).
"""

from __future__ import annotations

import os

from ansible.errors import AnsibleActionFail

from ansible_collections.sfb.edge.plugins.plugin_utils import _model as model


def inventory_base(task_vars, inventory):
    """The directory a relative sfb_edge_plan_dir is resolved against: the play host's inventory_dir,
    else (the implicit localhost of plan.yml has none) the one of the first edge server."""
    own = task_vars.get("inventory_dir")
    if isinstance(own, str) and own:
        return own
    for host in sorted(inventory):
        base = inventory[host].get(model.BASE_DIR)
        if base:
            return base
    return None


def plan_directory(templar, task_vars, plan_dir, inventory):
    """The absolute, real directory of the plan: ``plan_dir`` (relative to the current directory) when
    given, else ``sfb_edge_plan_dir`` resolved against the inventory directory (:func:`model.report_dir`:
    ``./plan`` when unset; refused inside a directory given as an inventory source)."""
    if plan_dir:
        return os.path.realpath(plan_dir)
    value = templar.template(task_vars.get("sfb_edge_plan_dir"))
    if value is not None and not isinstance(value, (str, int, float)):
        raise AnsibleActionFail("sfb_edge_plan_dir must be a directory path (a string), got %r; set it to an absolute "
                                "path or one relative to the inventory directory" % (value,))
    sources = task_vars.get("ansible_inventory_sources") or []
    if isinstance(sources, str):
        sources = [sources]
    base = inventory_base(task_vars, inventory)
    try:
        return os.path.realpath(model.report_dir(None if value is None else str(value), base, [str(s) for s in sources]))
    except ValueError as exc:
        raise AnsibleActionFail(str(exc)) from None
