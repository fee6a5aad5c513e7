# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of sfb.edge.host_state: an edge server's desired and gathered state, and the areas to converge."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail

from ansible_collections.sfb.edge.plugins.plugin_utils import _steps, _hoststate as hoststate

ARGUMENT_SPEC = dict(hoststate.STATE_OPTIONS, **{
    "areas": {"type": "bool", "default": True},
    "config_refresh": {"type": "bool", "default": False},
})


class ActionModule(hoststate.HostAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC
    KEEPS_STATE = True  # its facts carry the state to the roles and to the validation

    def evaluate(self, result, task_vars, host, args, facts):
        try:
            if args["areas"]:
                facts["edge_state_areas"] = _steps.drift_areas(
                    facts["edge_state_desired"], facts["edge_state_current"],
                    ansible_host=self.guard_inputs(task_vars, self._templar),
                    connection_port=facts["edge_state_connection_port"],
                    options={"frontend": facts["edge_state_frontend"], "config_refresh": args["config_refresh"]})
            # each area's part of both states (handles where the states are handles), what the roles pass to
            # sfb.edge.edge_apply: edge_state_parts.<area>.desired / .current
            facts["edge_state_parts"] = _steps.state_parts(facts["edge_state_desired"], facts["edge_state_current"],
                                                           check=False)
        except _steps.StepError as exc:
            raise AnsibleActionFail("%s: %s" % (host, exc)) from None
        kept = result["state_read"] == "kept"
        result.update(ansible_facts=facts, msg="%s: state %s (%s)" % (
            host, "kept from earlier in the run" if kept else "read", facts["edge_state_source"]))
        return result
