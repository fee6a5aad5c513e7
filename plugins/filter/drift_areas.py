# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sfb.edge.drift_areas filter."""

from __future__ import annotations

DOCUMENTATION = r"""
name: drift_areas
author: sfb.edge contributors
version_added: 0.4.0
short_description: The areas site.yml has something to do in on one edge server
description:
  - Compares the desired state with the gathered state as P(sfb.edge.edge_apply#module) does, for every area it
    applies (routes, network, hosts_file, identity, certificates, cs_install, cs_certificates, cs_services), and
    returns the areas with a change, a problem, a note or a call, in the order site.yml applies them -
    C(identity) also when Windows waits for a reboot (the identity role may reboot). A converged host gives
    an empty list, and site.yml runs none of its area roles.
  - Either state may be a handle of the controller's store (P(sfb.edge.desired_states#filter),
    P(sfb.edge.edge_snapshot#lookup) with C(store=true)).
deprecated:
  removed_in: "0.7.0"
  removed_from_collection: sfb.edge
  why: Internal plumbing of the playbooks and roles; its logic now runs inside the actions (issue 22, point 4).
  alternative: Use the fact edge_state_areas of sfb.edge.host_state; docs/porting.md.
options:
  _input:
    description: The desired state of the host.
    type: dict
    required: true
  current:
    description: The gathered state (docs/state-format.md).
    type: dict
    required: true
  ansible_host:
    description: The address or host name the controller connects to (the lockout guard's input).
    type: str
  connection_port:
    description: The TCP port the controller connects on (P(sfb.edge.connection_ports#filter)).
    type: int
  options:
    description: C(frontend) and C(config_refresh), as for P(sfb.edge.drift#filter).
    type: dict
"""

EXAMPLES = r"""
- name: Run the routes role only where the routes differ
  ansible.builtin.include_role:
    name: sfb.edge.routes
  when: "'routes' in (my_desired | sfb.edge.drift_areas(my_state))"
"""

RETURN = r"""
_value:
  description: Area names, in the order site.yml applies them.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.edge.plugins.plugin_utils import _steps


def drift_areas(desired, current, ansible_host=None, connection_port=None, options=None):
    """Deprecated (removed in 0.7.0): :func:`_steps.drift_areas`."""
    try:
        return _steps.drift_areas(desired, current, ansible_host=ansible_host, connection_port=connection_port, options=options)
    except _steps.StepError as exc:
        raise AnsibleFilterError(str(exc)) from None


class FilterModule:
    def filters(self):
        return {"drift_areas": drift_areas}
