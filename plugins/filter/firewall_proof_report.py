# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sfb.edge.firewall_proof_report filter: deprecated, removed in 0.7.0 (a shim over plugin_utils/_firewall_proof.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: firewall_proof_report
author: sfb.edge contributors
version_added: 0.4.0
deprecated:
  removed_in: 0.7.0
  why: >-
    Internal to the P(sfb.edge.firewall_proof#role) role, whose Jinja no longer uses it (its logic runs in
    the role's action); it keeps working, with a deprecation warning, until 0.7.0.
  alternative: >-
    The P(sfb.edge.firewall_proof#role) role; the same report is C(step: report) of its internal
    action P(sfb.edge.firewall_proof#module) (its C(report)).
short_description: The firewall proof's verdict per rule for one edge server
description:
  - One verdict per firewall rule of the plan - C(open) (every sampled address:port answered and a listener behind
    it counted the connection - the server's own, or for a VIP the pool's servers share any of theirs), C(blocked)
    (a probe ran and at least one did not answer), C(answered by something else) (it answered but no listener behind
    it counted a connection - a device on the path answered), C(not tested) (no probe host could test it, or a
    snapshot run), C(would test) (check mode) - with the probe host used and why.
positional: _input
options:
  _input:
    description: The host's proof plan (a C(hosts) value of P(sfb.edge.firewall_proof_plan#filter)).
    type: dict
    required: true
  probes:
    description: "C({probe host: registered result of its probe task}) (P(sfb.edge.tcp_probe#module) or
      P(sfb.edge.port_probe#module)); a skipped task counts as not run, a failed one makes its rules C(not tested)."
    type: dict
  opened:
    description: The C(opened) of P(sfb.edge.edge_port_listener#module).
    type: list
    elements: dict
  received:
    description:
      - "What the listeners counted: C({host: received}) of every server of the play (the C(received) of each host's
        P(sfb.edge.edge_port_listener#module) call with C(state=absent)), or this host's list alone."
      - A probe to a VIP the pool's servers share proves the rule with a hit on any of their listeners; without
        another server's counts only this host's listeners count.
    type: raw
  source:
    description: Where the state came from (recorded in the report).
    type: str
  duration:
    description: Seconds the listeners were open at most (recorded in the report).
    type: int
"""

EXAMPLES = r"""
- name: The verdicts of this host
  ansible.builtin.set_fact:
    my_report: "{{ my_proof.hosts[inventory_hostname] | sfb.edge.firewall_proof_report(probes={'fe01': my_fe_probe}) }}"
"""

RETURN = r"""
_value:
  description: "C({format, host, pool, mode, source, duration, probes, sampling, listeners, opened, summary, rules,
    made}); C(made) is C({at, mode}), the UTC time the report was made (C(SFB_EDGE_NOW) pins it) and its mode;
    see docs/firewall-proof.md."
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.edge.plugins.plugin_utils import _firewall_proof as _steps


def firewall_proof_report(plan, probes=None, opened=None, received=None, source=None, duration=None):
    try:
        return _steps.report(plan, probes=probes, opened=opened, received=received, source=source, duration=duration)
    except _steps.StepError as exc:
        raise AnsibleFilterError("sfb.edge.firewall_proof_report: %s" % exc) from None


class FilterModule:
    def filters(self):
        return {"firewall_proof_report": firewall_proof_report}
