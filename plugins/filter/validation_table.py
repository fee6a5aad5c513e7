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

from ansible_collections.sfb.edge.plugins.plugin_utils import checks
from ansible_collections.sfb.edge.plugins.plugin_utils.plain import plain


def validation_table(report):
    try:
        return checks.table(plain(report))
    except (KeyError, TypeError) as exc:
        raise AnsibleFilterError("sfb.edge.validation_table: the input is not the output of sfb.edge.validation "
                                 "(%s: %s)" % (type(exc).__name__, exc)) from None


class FilterModule:
    def filters(self):
        return {"validation_table": validation_table}
