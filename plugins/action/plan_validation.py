# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of sfb.edge.plan_validation: the validation step of the playbooks in one controller task.

Reads the ``sfb_edge_*`` variables of the edge servers once (from the task's ``hostvars``), validates
them once, keeps the desired state of each host asked for in the controller's store of the run (the
_steps.desired_states with ``store=true``), returns ``{findings, hosts: {host: handle}}``
(registered as ``plan_validation`` by the sfb.edge.plan role's validate tasks), shows the warnings and
fails listing every error.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleActionFail

from ansible_collections.sfb.edge.plugins.plugin_utils import _deprecated, _steps, _hoststate as hoststate
from ansible_collections.sfb.edge.plugins.plugin_utils._inventory_action import InventoryAction, errors_failure, warning_texts
from ansible_collections.sfb.edge.plugins.plugin_utils._plan_dir import plan_directory

ARGUMENT_SPEC = {
    "desired_hosts": {"type": "list", "elements": "str", "default": []},
    "read_certificates": {"type": "bool", "default": True},
    "reuse": {"type": "raw"},
}


class ActionModule(InventoryAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        if not result.get("failed"):
            # the Front End the playbooks' run-once tasks delegate to, decided where the host actions decide it
            result["frontend"] = hoststate.frontend_host(self._templar, task_vars or {})
            # site.yml's phase: the parts of this run, from sfb_edge_phase and the run's tags (error: not understood)
            result["phase"] = _steps.site_phase(hoststate.variable(self._templar, task_vars or {}, "sfb_edge_phase"),
                                                (task_vars or {}).get("ansible_run_tags"),
                                                (task_vars or {}).get("ansible_skip_tags"))
        return result

    def before_inventory(self, result, args):
        """The validation registered earlier in the run (site.yml's converge play, for the validation play), when it
        is a successful one that holds the desired state of every host asked for: returned as it is, the inventory
        neither read nor validated again. Anything else (absent, skipped, failed, a host missing) validates."""
        earlier = args.get("reuse")
        if not isinstance(earlier, Mapping) or earlier.get("failed") or earlier.get("skipped"):
            return None
        hosts, findings = earlier.get("hosts"), earlier.get("findings")
        if not isinstance(hosts, Mapping) or not isinstance(findings, list) or any(
                not isinstance(hosts.get(host), Mapping) for host in args["desired_hosts"]):
            return None
        result.update(changed=False, findings=findings, hosts=dict(hosts), reused=True)
        if isinstance(earlier.get("plan_dir"), str):
            result["plan_dir"] = earlier["plan_dir"]
        return result

    def act(self, result, args, task_vars, inventory):
        try:
            checked = _steps.desired_states(inventory, args["desired_hosts"], read_certificates=args["read_certificates"],
                                            store=True)
        except _steps.StepError as exc:
            raise AnsibleActionFail(str(exc)) from None
        warnings = warning_texts(checked["findings"])
        if warnings:
            result["warnings"] = warnings
        deprecations = _deprecated.deprecations(inventory)  # once per run: site.yml's validation play reuses this
        if deprecations:
            result["deprecations"] = deprecations
        failure = errors_failure(checked["findings"])
        if failure:
            result.update(failure)
            return result
        # The run's one plan directory (plan.yml's): every report of the host actions goes under it, and the
        # playbooks refresh report.html there. Refused here, before any host, when it is inside an inventory source.
        result.update(changed=False, findings=checked["findings"], hosts=checked["hosts"],
                      plan_dir=plan_directory(self._templar, task_vars, None, inventory))
        return result
