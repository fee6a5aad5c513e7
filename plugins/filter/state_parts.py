# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sfb.edge.state_parts filter."""

from __future__ import annotations

DOCUMENTATION = r"""
name: state_parts
author: sfb.edge contributors
version_added: 0.4.0
short_description: Each area's part of an edge server's desired and gathered state
description:
  - Checks the gathered state (docs/state-format.md) and returns, for each area P(sfb.edge.edge_apply#module)
    applies (and C(cs_replication)), the top-level sections of the desired and of the gathered state that area
    reads - so each edge_apply task gets only its part, not the whole of both states.
  - The areas the lockout guard watches (C(routes), C(network)) also get what the guard reads - the NIC and
    route sections of both states and the controller's connection (C(connection), C(connection_ports)).
  - A state given as a handle of the controller's store (P(sfb.edge.desired_states#filter) and
    P(sfb.edge.edge_snapshot#lookup) with C(store=true)) is not read - each area gets the handle naming its
    part (C(part)), which P(sfb.edge.edge_apply#module) and the other filters read back; nothing large is copied.
deprecated:
  removed_in: "0.7.0"
  removed_from_collection: sfb.edge
  why: Internal plumbing of the playbooks and roles; its logic now runs inside the actions (issue 22, point 4).
  alternative: Use the fact edge_state_parts that sfb.edge.host_state sets; docs/porting.md.
options:
  _input:
    description: The desired state of the host (P(sfb.edge.desired_state#filter)).
    type: dict
    required: true
  current:
    description: The gathered state (P(sfb.edge.edge_facts#module) or a snapshot).
    type: dict
    required: true
  source:
    description: Where the state came from, for the message when it is malformed.
    type: str
  check:
    description:
      - Check the whole gathered state first. V(false) - only split it (no copy); P(sfb.edge.edge_apply#module)
        checks the sections of its part (what the roles do).
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Each area's part
  ansible.builtin.set_fact:
    my_parts: "{{ my_desired | sfb.edge.state_parts(my_state) }}"

- name: Only the routes' part to the routes task
  sfb.edge.edge_apply:
    area: routes
    desired: "{{ my_parts.routes.desired }}"
    current: "{{ my_parts.routes.current }}"
"""

RETURN = r"""
_value:
  description: "C({area: {desired: {section: ...}, current: {section: ...}}}) for the areas routes, network,
    hosts_file, identity, certificates, cs_install, cs_certificates, cs_services and cs_replication."
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.edge.plugins.plugin_utils import _steps


def state_parts(desired, current, source=None, check=True):
    """Deprecated (removed in 0.7.0): :func:`_steps.state_parts`."""
    try:
        return _steps.state_parts(desired, current, source=source, check=check)
    except _steps.StepError as exc:
        raise AnsibleFilterError(str(exc)) from None


class FilterModule:
    def filters(self):
        return {"state_parts": state_parts}
