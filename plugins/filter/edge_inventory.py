# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sfb.edge.edge_inventory filter."""

from __future__ import annotations

DOCUMENTATION = r"""
name: edge_inventory
author: sfb.edge contributors
version_added: 0.1.0
short_description: The sfb.edge inventory contract of a set of hosts, as plain data
description:
  - Reads the C(sfb_edge_*) variables of the given hosts from C(hostvars) and returns them as a
    plain mapping, the input of P(sfb.edge.validate#filter) and P(sfb.edge.plan#filter) filters.
  - Only C(sfb_edge_*) variables are read, so connection secrets such as C(ansible_password) are
    never templated or copied, plus C(inventory_dir), the directory relative certificate paths of the
    host are resolved against (docs/awx.md, "Paths"), and, for the management rules of the firewall plan,
    the connection's address and port variables (C(ansible_host), C(ansible_connection), C(ansible_port),
    C(ansible_winrm_port), C(ansible_winrm_scheme), ...) of the edge servers, the Front Ends and the probe hosts;
    and C(inventory_sources), the run's inventory sources (C(ansible_inventory_sources)), which no certificate
    file belongs inside (C(certificate_in_inventory_source)).
  - "A host in two groups (neither a parent of the other) whose group variables give different
    C(sfb_edge_pool_fqdn) values, and that sets none in its own host variables, also gets
    C(pool_fqdn_groups) - C({group: value}) of those groups - read from Ansible's inventory (inline group vars
    and the inventory sources' C(group_vars)); the validation refuses it (C(pool_group_conflict)) instead of
    letting Ansible's precedence silently pick one pool."
options:
  _input:
    description: C(hostvars).
    type: dict
    required: true
  hosts:
    description: The edge servers, normally C(groups['edge_servers']).
    type: list
    elements: str
    required: true
  groups:
    description:
      - The inventory's C(groups), for the management rules of the firewall plan (the Front Ends of the group
        C(front_ends) and the probe hosts of C(edge_probes)); default the C(groups) of the first edge server.
    type: dict
    version_added: 0.5.0
"""

EXAMPLES = r"""
- name: Read the edge inventory
  ansible.builtin.set_fact:
    plan_inventory: "{{ hostvars | sfb.edge.edge_inventory(groups['edge_servers'] | default([])) }}"
"""

RETURN = r"""
_value:
  description: "C({inventory_hostname: {sfb_edge_*: value, inventory_dir: path, inventory_sources: [path],
    pool_fqdn_groups: {group: value}, ansible_connection_vars: {...}, _sfb_edge_management: {...}}}) (C(inventory_dir)
    only where the host has one, C(inventory_sources) only where the run has some, C(pool_fqdn_groups) only where its
    groups disagree)."
  type: dict
"""

from ansible_collections.sfb.edge.plugins.plugin_utils._edge_inventory import edge_inventory


class FilterModule:
    def filters(self):
        return {"edge_inventory": edge_inventory}
