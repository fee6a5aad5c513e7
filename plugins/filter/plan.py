# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sfb.edge.plan filter."""

from __future__ import annotations

DOCUMENTATION = r"""
name: plan
author: sfb.edge contributors
version_added: 0.1.0
short_description: The edge plan of every pool in an sfb.edge inventory
description:
  - Validates the inventory and computes, per edge pool, what other teams act on and what the
    Windows roles apply - public IP addresses, certificate names, per-host NIC settings, persistent
    routes and hosts-file entries, DNS records and the firewall plan (address groups and rules between them).
  - Fails, listing every error finding, when the inventory has errors.
  - The format of the result is documented in the collection's docs/plan-format.md.
options:
  store:
    description:
      - Keep the plans in the controller's store of this run and return a small handle instead (C(pools), the
        sorted pool FQDNs, C(summary), each pool's servers and count of findings by severity, and the SHA-256
        C(digest) of the stored content), for
        P(sfb.edge.report_files#module)'s C(plans) - what the sfb.edge.plan role does, so that a large plan
        never travels through Ansible's facts and task arguments.
    type: bool
    default: false
    version_added: 0.4.0
extends_documentation_fragment:
  - sfb.edge.edge_inventory_input
"""

EXAMPLES = r"""
- name: Compute the plan
  ansible.builtin.set_fact:
    plan_pools: "{{ hostvars | sfb.edge.edge_inventory(groups['edge_servers']) | sfb.edge.plan }}"
"""

RETURN = r"""
_value:
  description: "C({pool_fqdn: plan}); see docs/plan-format.md."
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.edge.plugins.plugin_utils import _plan
from ansible_collections.sfb.edge.plugins.plugin_utils import _store


def plan(inventory, read_certificates=True, store=False):
    if not isinstance(inventory, dict):
        raise AnsibleFilterError("sfb.edge.plan: expected the output of sfb.edge.edge_inventory (a dict), got %s"
                                 % type(inventory).__name__)
    try:
        plans = _plan.build(inventory, read_certificates=bool(read_certificates))
    except _plan.PlanError as exc:
        raise AnsibleFilterError("sfb.edge.plan: %s" % exc) from None
    if not store:
        return plans
    try:
        return _store.put(_store.run_directory(), plans, "plan", pools=sorted(plans), summary=_plan.summary(plans))
    except (OSError, _store.StoreError) as exc:
        raise AnsibleFilterError("sfb.edge.plan: cannot keep the plans in the controller's store: %s" % exc) from None


class FilterModule:
    def filters(self):
        return {"plan": plan}
