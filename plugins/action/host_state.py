# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of sfb.edge.host_state: an edge server's desired and gathered state, and the areas to converge."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail, AnsibleError

from ansible_collections.sfb.edge.plugins.filter.drift_areas import drift_areas
from ansible_collections.sfb.edge.plugins.plugin_utils.hoststate import HostAction

ARGUMENT_SPEC = {
    "facts_from": {"type": "str", "default": ""},
    "again": {"type": "bool", "default": False},
    "areas": {"type": "bool", "default": True},
    "config_refresh": {"type": "bool", "default": False},
}


class ActionModule(HostAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        host = task_vars["inventory_hostname"]
        args = self._args(host)
        facts, read, failure = self.read_state(task_vars, args["facts_from"] or "", args["again"])
        if failure is not None:
            failure.update(state_read=read, changed=False)
            return failure
        if args["areas"]:
            try:
                facts["edge_state_areas"] = drift_areas(
                    facts["edge_state_desired"], facts["edge_state_current"],
                    ansible_host=self.guard_inputs(task_vars, self._templar),
                    connection_port=facts["edge_state_connection_port"],
                    options={"frontend": facts["edge_state_frontend"], "config_refresh": args["config_refresh"]})
            except AnsibleError as exc:
                raise AnsibleActionFail("%s: %s" % (host, exc.message)) from None
        result.update(changed=False, state_read=read, ansible_facts=facts,
                      msg="%s: state %s (%s)" % (host, "kept from earlier in the run" if read == "kept" else "read",
                                                 facts["edge_state_source"]))
        return result
