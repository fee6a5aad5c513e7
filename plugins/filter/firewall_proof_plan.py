# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sfb.edge.firewall_proof_plan filter."""

from __future__ import annotations

DOCUMENTATION = r"""
name: firewall_proof_plan
author: sfb.edge contributors
version_added: 0.4.0
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

from ansible_collections.sfb.edge.plugins.filter._deprecated_steps import inventory_dict
from ansible_collections.sfb.edge.plugins.plugin_utils import fwproof
from ansible_collections.sfb.edge.plugins.plugin_utils import plan as _plan
from ansible_collections.sfb.edge.plugins.plugin_utils import state as _state
from ansible_collections.sfb.edge.plugins.plugin_utils import store as _store
from ansible_collections.sfb.edge.plugins.plugin_utils.plain import plain


def firewall_proof_plan(inventory, hosts, states, frontend=None, probe=None, probe_connection=None, mode="live",
                        duration=300, probe_timeout_ms=3000, inventory_hosts=None):
    if isinstance(hosts, (str, bytes, dict)) or not hasattr(hosts, "__iter__"):
        raise AnsibleFilterError("sfb.edge.firewall_proof_plan: hosts is a list of inventory hostnames, got %s"
                                 % type(hosts).__name__)
    if (frontend or probe) and (isinstance(inventory_hosts, (str, bytes, dict)) or not hasattr(inventory_hosts, "__iter__")):
        raise AnsibleFilterError("sfb.edge.firewall_proof_plan: with a Front End or a probe host, give inventory_hosts "
                                 "(groups['all']): the probe hosts must be inventory hosts outside edge_servers")
    try:
        pools = fwproof.from_inventory(inventory_dict(inventory, "firewall_proof_plan"))
        # a gathered state may be a handle of the run's store (sfb.edge.edge_state keeps large states there)
        states = {str(h): _state.check(plain(_store.load(s, where="the state of %s" % h)), where="the state of %s" % h)
                  for h, s in plain(states or {}).items()}
        return fwproof.plan_all(pools, [str(h) for h in hosts], states, frontend=frontend or None,
                                external_probe=probe or None,
                                external_probe_windows=fwproof.is_windows(plain(probe_connection or {})),
                                mode=str(mode), duration=duration, probe_timeout_ms=probe_timeout_ms,
                                inventory_hosts=None if inventory_hosts is None else [str(h) for h in inventory_hosts])
    except (_plan.PlanError, _state.StateError, _store.StoreError, fwproof.ProofError) as exc:
        raise AnsibleFilterError("sfb.edge.firewall_proof_plan: %s" % exc) from None


class FilterModule:
    def filters(self):
        return {"firewall_proof_plan": firewall_proof_plan}
