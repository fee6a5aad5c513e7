# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of sfb.edge.firewall_proof: the controller steps of the firewall proof role (internal to the role;
the steps are plugin_utils/_firewall_proof.py)."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.sfb.edge.plugins.plugin_utils import _firewall_proof as _steps

# every value is checked by the step (a bad firewall_proof_duration or probe host names its variable and the fix)
STEPS = {
    "plan": ("inventory", "hosts", "states", "frontend", "probe", "probe_connection", "mode", "duration",
             "probe_timeout_ms", "inventory_hosts"),
    "probes": ("plans", "frontend", "probe"),
    "report": ("plan", "frontend", "probe", "internal", "external_windows", "external_posix", "opened", "received",
               "source", "duration"),
}
ARGUMENT_SPEC = dict({"step": {"type": "str", "required": True, "choices": sorted(STEPS)}},
                     **{name: {"type": "raw"} for names in STEPS.values() for name in names})
REQUIRED = [["step", "plan", ["inventory", "hosts", "states"]], ["step", "probes", ["plans"]], ["step", "report", ["plan"]]]


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars or {})
        _valid, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC, required_if=REQUIRED)
        step = args["step"]
        given = {name: args[name] for name in STEPS[step] if args[name] is not None}
        try:
            if step == "plan":
                result.update(_steps.decide(**given))
            elif step == "probes":
                result.update(_steps.probes(**given))
            else:
                result.update(_steps.role_report(**given))
        except _steps.StepError as exc:
            raise AnsibleActionFail(str(exc)) from None
        result["changed"] = False
        return result
