# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sfb.edge.format_findings filter."""

from __future__ import annotations

DOCUMENTATION = r"""
name: format_findings
author: sfb.edge contributors
version_added: 0.1.0
short_description: Findings as readable lines
description:
  - "Turns findings from the P(sfb.edge.validate#filter) filter into one line each:
    C(ERROR [code] host <host>, variable <variable>: <message>)."
options:
  _input:
    description: Findings.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Stop on errors
  ansible.builtin.fail:
    msg: "{{ plan_findings | selectattr('severity', 'eq', 'error') | sfb.edge.format_findings }}"
"""

RETURN = r"""
_value:
  description: One line per finding.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.edge.plugins.plugin_utils import _plan as plan


def format_findings(findings):
    try:
        return [plan.format_finding(f) for f in findings]
    except (KeyError, TypeError) as exc:
        raise AnsibleFilterError("sfb.edge.format_findings: expected findings from sfb.edge.validate (%s)" % exc) from None


class FilterModule:
    def filters(self):
        return {"format_findings": format_findings}
