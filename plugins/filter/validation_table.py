# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sfb.edge.validation_table filter."""

from __future__ import annotations

DOCUMENTATION = r"""
name: validation_table
author: sfb.edge contributors
version_added: 0.3.0
short_description: A validation report as a readable pass/fail table
description:
  - Renders the output of P(sfb.edge.validation#filter) as lines of a Markdown table, one row per check,
    under a head line with the host, PASSED or FAILED and the counts.
deprecated:
  removed_in: "0.7.0"
  removed_from_collection: sfb.edge
  why: Internal plumbing of the playbooks and roles; its logic now runs inside the actions (issue 22, point 4).
  alternative: Use the msg of sfb.edge.host_validation (the role sfb.edge.validate); docs/porting.md.
options:
  _input:
    description: The validation report of one host.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Show the validation
  ansible.builtin.debug:
    msg: "{{ my_validation | sfb.edge.validation_table }}"
"""

RETURN = r"""
_value:
  description: The lines of the table.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.edge.plugins.plugin_utils import _steps


def validation_table(report):
    """Deprecated (removed in 0.7.0): :func:`_steps.validation_table`."""
    try:
        return _steps.validation_table(report)
    except _steps.StepError as exc:
        raise AnsibleFilterError(str(exc)) from None


class FilterModule:
    def filters(self):
        return {"validation_table": validation_table}
