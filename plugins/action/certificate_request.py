# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of sfb.edge.certificate_request: the controller steps of the certificate request role (internal to
the role; the steps are plugin_utils/_certificate_request.py)."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.sfb.edge.plugins.plugin_utils import _certificate_request as _steps

STEPS = {
    "requests": ("plans", "plan_dir", "request_hosts", "kinds", "key_length"),
    "review": ("requests", "results", "snapshot", "inventory"),
}
ARGUMENT_SPEC = dict({"step": {"type": "str", "required": True, "choices": sorted(STEPS)}},
                     **{name: {"type": "raw"} for names in STEPS.values() for name in names})
REQUIRED = [["step", "requests", ["plans", "plan_dir"]], ["step", "review", ["requests"]]]


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars or {})
        _valid, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC, required_if=REQUIRED)
        given = {name: args[name] for name in STEPS[args["step"]] if args[name] is not None}
        try:
            if args["step"] == "requests":
                result["requests"] = _steps.requests(**given)
            else:  # the messages say what a check-mode run would do
                result["reviews"] = _steps.review(check_mode=bool(self._task.check_mode), **given)
        except _steps.StepError as exc:
            raise AnsibleActionFail(str(exc)) from None
        result["changed"] = False
        return result
