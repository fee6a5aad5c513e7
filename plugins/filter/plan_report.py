# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sfb.edge.plan_report filter."""

from __future__ import annotations

DOCUMENTATION = r"""
name: plan_report
author: sfb.edge contributors
version_added: 0.1.0
short_description: Render an edge pool plan as a Markdown Edge Admin Report
description:
  - Renders one pool's plan (a value of the P(sfb.edge.plan#filter) filter's result) as Markdown - summary,
    public IP addresses, certificates, a Mermaid network diagram, per-server NIC settings, routes and
    hosts entries, DNS records, the firewall address groups and the rules between them, and findings.
options:
  _input:
    description: One pool plan.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Write the report
  ansible.builtin.copy:
    content: "{{ plan_pools['edgepool.corp.example.com'] | sfb.edge.plan_report }}"
    dest: plan/edgepool.corp.example.com/plan.md
    mode: "0644"
"""

RETURN = r"""
_value:
  description: Markdown text.
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.edge.plugins.plugin_utils import _report as report


def plan_report(pool_plan):
    if not isinstance(pool_plan, dict) or "pool" not in pool_plan:
        raise AnsibleFilterError("sfb.edge.plan_report: expected one pool plan (a value of sfb.edge.plan), got %r"
                                 % (type(pool_plan).__name__,))
    try:
        return report.markdown(pool_plan)
    except (KeyError, TypeError) as exc:
        raise AnsibleFilterError("sfb.edge.plan_report: the plan is incomplete (%s missing or malformed)" % exc) from None


class FilterModule:
    def filters(self):
        return {"plan_report": plan_report}
