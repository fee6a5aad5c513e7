# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sfb.edge.desired_states filter."""

from __future__ import annotations

DOCUMENTATION = r"""
name: desired_states
author: sfb.edge contributors
version_added: 0.4.0
short_description: Validate the inventory once and compute the desired state of every edge server
description:
  - Validates the whole inventory once and returns the findings and, when there is no error finding,
    the desired state (see P(sfb.edge.desired_state#filter)) of each host asked for - one validation
    for the whole play, whatever the number of servers. Each certificate file is read once.
  - Holds no secret; certificate passwords stay in the inventory.
  - Does not fail on error findings; the caller shows them and stops (the sfb.edge.plan role's validate tasks).
positional: _input, hosts
deprecated:
  removed_in: "0.7.0"
  removed_from_collection: sfb.edge
  why: Internal plumbing of the playbooks and roles; its logic now runs inside the actions (issue 22, point 4).
  alternative: Use the registered result of sfb.edge.plan_validation (plan_validation.hosts); docs/porting.md.
options:
  _input:
    description: The output of the P(sfb.edge.edge_inventory#filter) filter.
    type: dict
    required: true
  hosts:
    description: Inventory hostnames of edge servers; omitted - every edge server of the inventory.
    type: list
    elements: str
  read_certificates:
    description: Read the certificate files named in C(sfb_edge_certificates) on the controller and check them.
    type: bool
    default: true
  store:
    description:
      - Keep each desired state in the controller's store of this run and return, per host, a small handle
        instead (C(host), C(pool), C(cs) and the SHA-256 C(digest) of the stored content) - what the playbooks
        do, so that Ansible never copies a large desired state between tasks. The filters and actions of the
        collection that take a desired state take the handle as well; the store lives for one
        C(ansible-playbook) run.
    type: bool
    default: false
    version_added: 0.4.0
"""

EXAMPLES = r"""
- name: Validate once, desired state of every host of the play
  ansible.builtin.set_fact:
    my_checked: "{{ hostvars | sfb.edge.edge_inventory(groups['edge_servers']) | sfb.edge.desired_states(ansible_play_hosts_all) }}"
  run_once: true
"""

RETURN = r"""
_value:
  description: "C({findings: [finding], hosts: {inventory hostname: desired state}}); C(hosts) is empty when a
    finding is an error. With O(store=true), each desired state is a handle of the stored state."
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.edge.plugins.plugin_utils import _steps

handle = _steps.handle


def desired_states(inventory, hosts=None, read_certificates=True, store=False):
    """Deprecated (removed in 0.7.0): :func:`_steps.desired_states`."""
    try:
        return _steps.desired_states(inventory, hosts, read_certificates=read_certificates, store=store)
    except _steps.StepError as exc:
        raise AnsibleFilterError(str(exc)) from None


class FilterModule:
    def filters(self):
        return {"desired_states": desired_states}
