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

The base and the helpers it shares with sfb.edge.plan_validation (the validation step of the other
playbooks) are in plugin_utils/_inventory_action.py, the plan directory in _plan_dir.py and the files
written in _report_files.py.  What this module imports is loaded in Ansible's main process (the linear
strategy loads the action there before it forks the worker), so only what the plan needs is imported here.
"""

from __future__ import annotations

from ansible.errors import AnsibleActionFail

from ansible_collections.sfb.edge.plugins.plugin_utils import _outputs as outputs, _validate as validate
from ansible_collections.sfb.edge.plugins.plugin_utils import _plan
from ansible_collections.sfb.edge.plugins.plugin_utils._inventory_action import InventoryAction, errors_failure, warning_texts
from ansible_collections.sfb.edge.plugins.plugin_utils._plan_dir import plan_directory
from ansible_collections.sfb.edge.plugins.plugin_utils._report_files import plan_files

FILE_NAMES = ("plan.json", "plan.md", "firewall.csv", "report.html")

ARGUMENT_SPEC = {
    "plan_dir": {"type": "str"},
    "read_certificates": {"type": "bool", "default": True},
}


def plan_summary(plans, directory):
    """``sfb_plan_summary``: per pool, its servers, its findings by severity and the paths of its files (what the
    plan role published with set_stats before; docs/awx.md). No secret: names, counts and paths."""
    summary = _plan.summary(plans)
    for pool in summary:
        summary[pool]["files"] = ["%s/%s/%s" % (directory, pool, name) for name in FILE_NAMES]
    return dict(sorted(summary.items()))


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
