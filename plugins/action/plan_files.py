# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of sfb.edge.plan_files: the whole of playbooks/plan.yml in one controller task.

Reads the ``sfb_edge_*`` variables of the edge servers once (what the sfb.edge.edge_inventory filter
does, from the task's ``hostvars``), validates them once, computes every pool's plan from that one
validation, writes plan.json, plan.md, firewall.csv and report.html of each pool atomically (the
sfb.edge.report_files code path; nothing in check mode) and publishes the summary for AWX/AAP
(``sfb_plan_summary``, as ``set_stats`` would).  Each Ansible task costs a round of its own (a worker,
the host's variables, the result's processing) whatever it does: one task instead of ten.

The helpers below are shared with sfb.edge.plan_validation (the validation step of the other
playbooks).  What this module imports is loaded in Ansible's main process (the linear strategy loads
the action there before it forks the worker), so only what the plan needs is imported here.
"""

from __future__ import annotations

import json
import os

from ansible.errors import AnsibleActionFail, AnsibleError
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.sfb.edge.plugins.action.report_files import plan_files
from ansible_collections.sfb.edge.plugins.filter.edge_inventory import edge_inventory
from ansible_collections.sfb.edge.plugins.plugin_utils import model, outputs, validate
from ansible_collections.sfb.edge.plugins.plugin_utils import plan as _plan

display = Display()

EDGE_GROUP = "edge_servers"
FILE_NAMES = ("plan.json", "plan.md", "firewall.csv", "report.html")

ARGUMENT_SPEC = {
    "plan_dir": {"type": "str"},
    "read_certificates": {"type": "bool", "default": True},
}


# ------------------------------------------------------------------ shared with sfb.edge.plan_validation
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


def plan_summary(plans, directory):
    """``sfb_plan_summary``: per pool, its servers, its findings by severity and the paths of its files (what the
    plan role published with set_stats before; docs/awx.md). No secret: names, counts and paths."""
    summary = _plan.summary(plans)
    for pool in summary:
        summary[pool]["files"] = ["%s/%s/%s" % (directory, pool, name) for name in FILE_NAMES]
    return dict(sorted(summary.items()))


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


# ------------------------------------------------------------------ the action
class ActionModule(InventoryAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def act(self, result, args, task_vars, inventory):
        directory = plan_directory(self._templar, task_vars, args["plan_dir"], inventory)
        try:
            plans = _plan.build(inventory, read_certificates=args["read_certificates"])
        except _plan.PlanError as exc:
            # the warnings of the validation too, as on success (the errors are listed by the failure)
            warnings = warning_texts(exc.all_findings)
            if warnings:
                result["warnings"] = warnings
            result.update(errors_failure(exc.findings) or {"failed": True, "msg": str(exc)})
            return result
        # each pool's plan holds its warnings and those of no pool: one list, each once, in the order of validation
        findings = validate.sort_findings([f for pool in plans.values() for f in pool["findings"]])
        pools = sorted(plans)
        # The result is printed (as debug prints its message): where the plan is, and the summary it publishes for
        # AWX/AAP (as set_stats would: the run's custom stats, aggregated) - the pools, their servers, their
        # findings by severity and the paths of their files. Outputs, not changes: never changed.
        result.update(changed=False, _ansible_verbose_always=True,
                      ansible_stats={"data": {"sfb_plan_summary": plan_summary(plans, directory)},
                                     "per_host": False, "aggregate": True})
        if findings:
            result["warnings"] = warning_texts(findings)
        where = "%s/<pool>/%s for: %s" % (directory, ", ".join(FILE_NAMES), ", ".join(pools))
        if self._task.check_mode:  # nothing is written in check mode
            result["msg"] = "Check mode, nothing written; the plan goes to %s" % where
            return result
        try:
            # every writer's folder passes _files.output_dir: refused inside an inventory source, also when plan_dir
            # is given explicitly
            outputs.write_files(plan_files(plans, directory), base=directory,
                                sources=task_vars.get("ansible_inventory_sources"))
        except outputs.OutputError as exc:
            raise AnsibleActionFail(str(exc)) from None
        result["msg"] = "Plan written to %s" % where
        return result
