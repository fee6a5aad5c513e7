# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: the base of the controller tasks over the whole edge inventory.

sfb.edge.plan_files (plan.yml in one task) and sfb.edge.plan_validation (the playbooks' validation step) read the
``sfb_edge_*`` variables of the edge servers once from the task's ``hostvars`` (:func:`read_inventory`), validate
them once, show the warnings as Ansible warnings (:func:`warning_texts`) and fail listing every error
(:func:`errors_failure`). What this module imports is loaded in Ansible's main process (the linear strategy loads
an action there before it forks the worker), so only what these actions need is imported here.
"""

from __future__ import annotations

import json

from ansible.errors import AnsibleActionFail, AnsibleError
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.sfb.edge.plugins.plugin_utils import _validate as validate
from ansible_collections.sfb.edge.plugins.plugin_utils import _plan
from ansible_collections.sfb.edge.plugins.plugin_utils._edge_inventory import edge_inventory

display = Display()

EDGE_GROUP = "edge_servers"


def read_inventory(task_vars):
    """The edge inventory (``{host: {sfb_edge_*: value, inventory_dir}}``) of the hosts of the group
    edge_servers, read once from the task's hostvars with the sfb.edge.edge_inventory filter's code."""
    hosts = list((task_vars.get("groups") or {}).get(EDGE_GROUP) or [])
    try:
        return edge_inventory(task_vars["hostvars"], hosts, groups=task_vars.get("groups"))
    except AnsibleError as exc:
        raise AnsibleActionFail(str(getattr(exc, "message", None) or exc)) from None


def warning_texts(findings):
    """The warning findings as Ansible warnings: ``[code] host <host>, variable <variable>: <message>``
    (the WARNING prefix of sfb.edge.format_findings left out: Ansible adds its own)."""
    return [_plan.format_finding(f).partition(" ")[2] for f in findings if f["severity"] == "warning"]


def errors_failure(findings):
    """The failure for the error findings (None when there is none), every one listed: one per line above
    the failure (readable with stock settings, where the default callback prints a failed result as one
    line of JSON), and the failure's message one sentence that names them all (what AWX/AAP shows as the
    job's failure)."""
    errors = validate.errors(findings)
    if not errors:
        return None
    lines = [_plan.format_finding(f) for f in errors]
    display.display("The edge inventory has %d error(s):\n%s" % (
        len(lines), "\n".join("    %s" % json.dumps(line, ensure_ascii=False) for line in lines)), color="red")
    return {"failed": True, "changed": False,
            "msg": "The edge inventory has %d error(s), listed above; nothing was changed. Fix them and run again: %s"
                   % (len(lines), " | ".join(lines))}


class InventoryAction(ActionBase):
    """A controller task over the whole edge inventory: no connection; the inventory read once from the task's
    hostvars. Subclasses give ARGUMENT_SPEC and :meth:`act`."""

    TRANSFERS_FILES = False
    _requires_connection = False
    ARGUMENT_SPEC = {}

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        _valid, args = self.validate_argument_spec(argument_spec=self.ARGUMENT_SPEC)
        done = self.before_inventory(result, args)
        if done is not None:
            return done
        return self.act(result, args, task_vars, read_inventory(task_vars))

    def before_inventory(self, result, args):  # pylint: disable=unused-argument
        """A result that needs no inventory (the inventory is then not read), else None."""
        return None

    def act(self, result, args, task_vars, inventory):
        raise NotImplementedError
