# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sfb.edge.connection_ports filter."""

from __future__ import annotations

DOCUMENTATION = r"""
name: connection_ports
author: sfb.edge contributors
version_added: 0.4.0
short_description: The TCP port(s) the controller connects to a host on, from its connection variables
description:
  - Returns the list of local ports of the host on which P(sfb.edge.edge_facts#module) reports the
    established connections (its O(sfb.edge.edge_facts#module:connection_ports) option), so that the
    lockout guard finds the controller's connection.
  - C(winrm) - C(ansible_winrm_port), else C(ansible_port), else 5986 (the plugin's default; http is
    port 5985). C(psrp) - C(ansible_psrp_port), else C(ansible_port), else 5986, or 5985 with
    C(ansible_psrp_protocol=http). C(ssh) - C(ansible_ssh_port), else C(ansible_port), else 22.
  - Without a known C(ansible_connection), the WinRM defaults 5985 and 5986 (and C(ansible_port)).
deprecated:
  removed_in: "0.7.0"
  removed_from_collection: sfb.edge
  why: Internal plumbing of the playbooks and roles; its logic now runs inside the actions (issue 22, point 4).
  alternative: Use the fact edge_state_connection_port of sfb.edge.host_state; docs/porting.md.
options:
  _input:
    description:
      - The connection variables - C(ansible_connection), C(ansible_port), C(ansible_winrm_port),
        C(ansible_winrm_scheme), C(ansible_psrp_port), C(ansible_psrp_protocol), C(ansible_ssh_port).
        Absent or empty means not set.
    type: dict
    required: true
  single:
    description: Return the one port (an integer, or V(null) for a connection without a port such as C(local)).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Gather the state, looking for the controller's connection on its real port
  sfb.edge.edge_facts:
    connection_ports: "{{ {'ansible_connection': 'psrp', 'ansible_port': 15986} | sfb.edge.connection_ports }}"
  # -> [15986]
"""

RETURN = r"""
_value:
  description: The ports (list of int), or with O(single) the port (int or null).
  type: raw
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.edge.plugins.plugin_utils import _steps


def connection_ports(variables, single=False):
    """Deprecated (removed in 0.7.0): :func:`_steps.connection_ports`."""
    try:
        return _steps.connection_ports(variables, single=single)
    except _steps.StepError as exc:
        raise AnsibleFilterError(str(exc)) from None


class FilterModule:
    def filters(self):
        return {"connection_ports": connection_ports}
