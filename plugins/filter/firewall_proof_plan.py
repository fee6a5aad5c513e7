# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sfb.edge.firewall_proof_plan filter: deprecated, removed in 0.7.0 (a shim over plugin_utils/_firewall_proof.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: firewall_proof_plan
author: sfb.edge contributors
version_added: 0.4.0
deprecated:
  removed_in: 0.7.0
  why: >-
    Internal to the P(sfb.edge.firewall_proof#role) role, whose Jinja no longer uses it (its logic runs in
    the role's action); it keeps working, with a deprecation warning, until 0.7.0.
  alternative: >-
    The P(sfb.edge.firewall_proof#role) role; the same decision is C(step: plan) of its internal
    action P(sfb.edge.firewall_proof#module).
short_description: What the firewall proof opens on each edge server and probes from where
description:
  - From the plan's firewall (address groups and rules) and each server's gathered state, decides for every host
    the temporary listeners (the inbound rules to an edge group, on the server's own address for that group,
    port ranges sampled), which probe host tests each rule (internal rules - the Front End; external rules - the
    probe host outside the perimeter) and why a rule cannot be tested (outbound rules, no probe host, UDP from a
    Windows probe host).
  - Lists refusals instead of listeners when a planned address is not one of the server's own addresses or a
    planned port is already in use (the gathered C(listeners)); the role then opens nothing on any host.
  - See the collection's docs/firewall-proof.md.
positional: _input, hosts, states
options:
  _input:
    description: The output of the P(sfb.edge.edge_inventory#filter) filter.
    type: dict
    required: true
  hosts:
    description: The inventory hostnames of the edge servers to prove.
    type: list
    elements: str
    required: true
  states:
    description: "C({host: gathered state}) (docs/state-format.md) of each of O(hosts)."
    type: dict
    required: true
  frontend:
    description: The Front End that probes the internal rules; empty - internal rules are not tested.
    type: str
  probe:
    description: The probe host outside the perimeter; empty - external rules are not tested.
    type: str
  probe_connection:
    description: The probe host's C(ansible_connection) and C(ansible_shell_type) (Windows or not).
    type: dict
  mode:
    description: C(live), C(check) (nothing is opened; rules would be tested) or C(snapshot) (nothing is contacted).
    type: str
    default: live
  duration:
    description: Seconds the listeners stay open, 30 to 3600.
    type: int
    default: 300
  probe_timeout_ms:
    description: Milliseconds each probe call waits for all its targets together, 1 to 60000; returned as
      C(probe_timeout_ms) for the probe tasks.
    type: int
    default: 3000
  inventory_hosts:
    description:
      - Every host of the inventory (C(groups['all'])). Required with O(frontend) or O(probe).
      - The Front End and the probe host must be hosts of the inventory outside the group C(edge_servers) (not an
        edge of the pool, not C(localhost), not a bare address); the filter fails naming the variable
        (C(sfb_edge_frontend_host), C(firewall_proof_probe_host)), the value and the fix otherwise.
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: Decide the proof of every edge of the play
  ansible.builtin.set_fact:
    my_proof: >-
      {{ hostvars | sfb.edge.edge_inventory(groups['edge_servers'])
         | sfb.edge.firewall_proof_plan(ansible_play_hosts, my_states, frontend='fe01', inventory_hosts=groups['all']) }}
  run_once: true
"""

RETURN = r"""
_value:
  description: "C({duration, probe_timeout_ms, hosts: {host: {host, pool, mode, probes, listeners, rules, refusals}},
    refusals, probes: {probe host: [{protocol, host, port}]}}); see docs/firewall-proof.md."
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.edge.plugins.plugin_utils import _firewall_proof as _steps


def firewall_proof_plan(inventory, hosts, states, frontend=None, probe=None, probe_connection=None, mode="live",
                        duration=300, probe_timeout_ms=3000, inventory_hosts=None):
    try:
        return _steps.decide(inventory, hosts, states, frontend=frontend, probe=probe, probe_connection=probe_connection,
                             mode=mode, duration=duration, probe_timeout_ms=probe_timeout_ms,
                             inventory_hosts=inventory_hosts)
    except _steps.StepError as exc:
        raise AnsibleFilterError("sfb.edge.firewall_proof_plan: %s" % exc) from None


class FilterModule:
    def filters(self):
        return {"firewall_proof_plan": firewall_proof_plan}
