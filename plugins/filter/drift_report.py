# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sfb.edge.drift_report filter."""

from __future__ import annotations

DOCUMENTATION = r"""
name: drift_report
author: sfb.edge contributors
version_added: 0.2.0
short_description: A drift report as readable lines
description:
  - Turns the result of the P(sfb.edge.drift#filter) filter into lines - a heading with the host, the
    pool and the number of changes, then one line per change (area, action, what, before -> after),
    problem (FIX), guarded change (GUARD) and note.
options:
  _input:
    description: A drift report.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Show the drift
  ansible.builtin.debug:
    msg: "{{ my_drift | sfb.edge.drift_report }}"
"""

RETURN = r"""
_value:
  description: The lines.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.edge.plugins.plugin_utils import _drift as drift


def drift_report(report):
    try:
        return drift.format_report(report)
    except (KeyError, TypeError, AttributeError) as exc:
        raise AnsibleFilterError("sfb.edge.drift_report: expected a report from sfb.edge.drift (%s)" % exc) from None


class FilterModule:
    def filters(self):
        return {"drift_report": drift_report}
