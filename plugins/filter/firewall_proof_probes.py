# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sfb.edge.firewall_proof_probes filter: deprecated, removed in 0.7.0 (a shim over plugin_utils/_firewall_proof.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: firewall_proof_probes
author: sfb.edge contributors
version_added: 0.4.0
deprecated:
  removed_in: 0.7.0
  why: >-
    Internal to the P(sfb.edge.firewall_proof#role) role, whose Jinja no longer uses it (its logic runs in
    the role's action); it keeps working, with a deprecation warning, until 0.7.0.
  alternative: >-
    The P(sfb.edge.firewall_proof#role) role; the same targets are C(step: probes) of its internal
    action P(sfb.edge.firewall_proof#module).
short_description: The targets one probe host of the firewall proof tests, in one call
description:
  - From the per-host proof plans (the C(hosts) values of P(sfb.edge.firewall_proof_plan#filter)) of the servers
    whose listeners are open, the address:port pairs the probe host O(probe) tests - each once, sorted.
positional: _input, probe
options:
  _input:
    description: Proof plans of the hosts (a list of the C(hosts) values of P(sfb.edge.firewall_proof_plan#filter)).
    type: list
    elements: dict
    required: true
  probe:
    description: The probe host (inventory name).
    type: str
    required: true
  tcp_only:
    description: Return C({host, port}) items (the targets of P(sfb.edge.tcp_probe#module)) instead of C({protocol, host, port}).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Probe the internal rules from the Front End
  sfb.edge.tcp_probe:
    targets: "{{ ansible_play_hosts | map('extract', my_proof.hosts) | sfb.edge.firewall_proof_probes('fe01', tcp_only=true) }}"
  delegate_to: fe01
  run_once: true
"""

RETURN = r"""
_value:
  description: "C([{protocol, host, port}]), or C([{host, port}]) with O(tcp_only)."
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.edge.plugins.plugin_utils import _firewall_proof as _steps


def firewall_proof_probes(plans, probe, tcp_only=False):
    try:
        return _steps.probe_targets(plans, probe, tcp_only=tcp_only)
    except _steps.StepError as exc:
        raise AnsibleFilterError("sfb.edge.firewall_proof_probes: %s" % exc) from None


class FilterModule:
    def filters(self):
        return {"firewall_proof_probes": firewall_proof_probes}
