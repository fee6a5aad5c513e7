# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of sfb.edge.host_state: an edge server's desired and gathered state, and the areas to converge."""

from __future__ import annotations

from ansible_collections.sfb.edge.plugins.filter.drift_areas import drift_areas
from ansible_collections.sfb.edge.plugins.plugin_utils import hoststate

ARGUMENT_SPEC = dict(hoststate.STATE_OPTIONS, **{
    "areas": {"type": "bool", "default": True},
    "config_refresh": {"type": "bool", "default": False},
})


class ActionModule(hoststate.HostAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC
    KEEPS_STATE = True  # its facts carry the state to the roles and to the validation

    def evaluate(self, result, task_vars, host, args, facts):
        if args["areas"]:
            facts["edge_state_areas"] = drift_areas(
                facts["edge_state_desired"], facts["edge_state_current"],
                ansible_host=self.guard_inputs(task_vars, self._templar),
                connection_port=facts["edge_state_connection_port"],
                options={"frontend": facts["edge_state_frontend"], "config_refresh": args["config_refresh"]})
        kept = result["state_read"] == "kept"
        result.update(ansible_facts=facts, msg="%s: state %s (%s)" % (
            host, "kept from earlier in the run" if kept else "read", facts["edge_state_source"]))
        return result
