# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sfb.edge.validate filter."""

from __future__ import annotations

DOCUMENTATION = r"""
name: validate
author: sfb.edge contributors
version_added: 0.1.0
short_description: Validate an sfb.edge inventory
description:
  - Checks the whole edge inventory (every pool and server) against the rules for Lync 2013 and
    Skype for Business Server edge servers and returns the findings, errors first.
  - Each finding names the host (or pool), the variable, a stable code and how to fix it. The codes
    are listed in the collection's docs/findings.md.
  - When C(sfb_edge_certificates) names files, they are read on the controller and checked (names,
    key size, expiry, private key, same external key across the pool).
extends_documentation_fragment:
  - sfb.edge.edge_inventory_input
"""

EXAMPLES = r"""
- name: Validate
  ansible.builtin.set_fact:
    plan_findings: "{{ hostvars | sfb.edge.edge_inventory(groups['edge_servers']) | sfb.edge.validate }}"
"""

RETURN = r"""
_value:
  description: Findings, errors first.
  type: list
  elements: dict
  contains:
    severity:
      description: C(error) or C(warning).
      type: str
    code:
      description: Stable finding code, for example C(gateway_on_internal_nic).
      type: str
    host:
      description: Inventory hostname (or the inventory / pool for inventory-wide findings).
      type: str
    pool:
      description: Pool FQDN the finding belongs to, if known.
      type: str
    variable:
      description: The inventory variable, with a dotted path inside it.
      type: str
    message:
      description: What is wrong and how to fix it.
      type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.edge.plugins.plugin_utils import _validate


def validate(inventory, read_certificates=True):
    if not isinstance(inventory, dict):
        raise AnsibleFilterError("sfb.edge.validate: expected the output of sfb.edge.edge_inventory (a dict), got %s"
                                 % type(inventory).__name__)
    return _validate.validate(inventory, read_certificates=bool(read_certificates))


class FilterModule:
    def filters(self):
        return {"validate": validate}
