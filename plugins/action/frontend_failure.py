# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of sfb.edge.frontend_failure: fail saying why a Front End task failed (plugin_utils/_frontend.py)."""

from __future__ import annotations

from ansible.plugins.action import ActionBase

from ansible_collections.sfb.edge.plugins.plugin_utils import _frontend as frontend

ARGUMENT_SPEC = {
    "result": {"type": "raw"},
    "frontend": {"type": "str", "required": True},
    "task": {"type": "str", "required": True},
}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        _valid, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        failed = args["result"]
        if failed is None:
            # in a rescue: the failed result as it is (not templated again - a result may hold a template's text)
            failed = task_vars.get("ansible_failed_result") or {}
        failed = {name: failed.get(name) for name in ("msg", "exception", "stderr")} if hasattr(failed, "get") else failed
        hostvars = task_vars.get("hostvars") or {}
        # the Front End's own variables: what its connection and become are set to now (never a password)
        connection = hostvars[args["frontend"]] if args["frontend"] in hostvars else {}
        result.update(failed=True, changed=False,
                      msg=frontend.describe(failed, args["frontend"], args["task"], connection))
        return result
