# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sfb.edge.desired_state filter."""

from __future__ import annotations

DOCUMENTATION = r"""
name: desired_state
author: sfb.edge contributors
version_added: 0.2.0
short_description: The desired Windows state of one edge server
description:
  - Validates the whole inventory and returns, for one edge server, what the Windows roles converge
    it to - NIC addresses, gateway, DNS servers, DNS registration and NetBIOS per NIC, persistent
    routes, hosts-file entries, hostname and primary DNS suffix, and the certificates to import
    (with the thumbprints read from the files on the controller).
  - Holds no secret; certificate passwords stay in the inventory.
  - Fails, listing every error finding, when the inventory has errors.
deprecated:
  removed_in: "0.7.0"
  removed_from_collection: sfb.edge
  why: Internal plumbing of the playbooks and roles; its logic now runs inside the actions (issue 22, point 4).
  alternative: Use the fact edge_state_desired of sfb.edge.host_state (the role sfb.edge.edge_state); docs/porting.md.
options:
  _input:
    description: The output of the P(sfb.edge.edge_inventory#filter) filter.
    type: dict
    required: true
  host:
    description: The inventory hostname of the edge server.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: What this edge server should look like
  ansible.builtin.set_fact:
    my_desired: "{{ hostvars | sfb.edge.edge_inventory(groups['edge_servers']) | sfb.edge.desired_state(inventory_hostname) }}"
"""

RETURN = r"""
_value:
  description: "C({format, host, pool, identity, network {internal, external}, routes, hosts_file, certificates});
    see docs/windows-roles.md."
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.edge.plugins.plugin_utils import _steps


def inventory_dict(inventory, name):
    """For sfb.edge.firewall_proof_plan, which imports it from here (until that filter goes too)."""
    try:
        return _steps.inventory_dict(inventory, name)
    except _steps.StepError as exc:
        raise AnsibleFilterError(str(exc)) from None


def desired_state(inventory, host):
    """Deprecated (removed in 0.7.0): :func:`_steps.desired_state`."""
    try:
        return _steps.desired_state(inventory, host)
    except _steps.StepError as exc:
        raise AnsibleFilterError(str(exc)) from None


class FilterModule:
    def filters(self):
        return {"desired_state": desired_state}
