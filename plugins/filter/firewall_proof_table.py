# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sfb.edge.firewall_proof_table filter: deprecated, removed in 0.7.0 (a shim over plugin_utils/_firewall_proof.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: firewall_proof_table
author: sfb.edge contributors
version_added: 0.4.0
deprecated:
  removed_in: 0.7.0
  why: >-
    Internal to the P(sfb.edge.firewall_proof#role) role, whose Jinja no longer uses it (its logic runs in
    the role's action); it keeps working, with a deprecation warning, until 0.7.0.
  alternative: >-
    The P(sfb.edge.firewall_proof#role) role; the same lines are the C(markdown) of C(step: report) of
    its internal action P(sfb.edge.firewall_proof#module).
short_description: A firewall proof report as Markdown lines
description:
  - Renders the output of P(sfb.edge.firewall_proof_report#filter) - what ran, a table with one row per firewall
    rule (verdict, probe host, the address:ports tested and their answer, why), the sampling note and the listeners.
options:
  _input:
    description: The proof report of one host.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Show the proof
  ansible.builtin.debug:
    msg: "{{ my_report | sfb.edge.firewall_proof_table }}"
"""

RETURN = r"""
_value:
  description: The lines.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.edge.plugins.plugin_utils import _firewall_proof as _steps


def firewall_proof_table(report):
    try:
        return _steps.table(report)
    except _steps.StepError as exc:
        raise AnsibleFilterError("sfb.edge.firewall_proof_table: %s" % exc) from None


class FilterModule:
    def filters(self):
        return {"firewall_proof_table": firewall_proof_table}
