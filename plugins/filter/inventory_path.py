# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sfb.edge.inventory_path filter."""

from __future__ import annotations

DOCUMENTATION = r"""
name: inventory_path
author: sfb.edge contributors
version_added: 0.4.0
short_description: A report directory resolved against the inventory directory
description:
  - "The absolute directory a report path means: an absolute path is used as is (C(~) expanded); a
    relative one is resolved against O(base), the inventory directory of the host (C(inventory_dir)),
    or against the current directory when there is none."
  - "When the input is unset or blank: C(plan) in the current directory (the default of
    C(sfb_edge_plan_dir))."
  - The same rule resolves the certificate paths of C(sfb_edge_certificates) (in the model, from
    P(sfb.edge.edge_inventory#filter)). docs/awx.md explains it for AWX/AAP jobs.
deprecated:
  removed_in: "0.7.0"
  removed_from_collection: sfb.edge
  why: Internal plumbing of the playbooks and roles; its logic now runs inside the actions (issue 22, point 4).
  alternative: Use the report_dir that sfb.edge.host_drift and sfb.edge.host_validation return (leave drift_dir/validate_dir unset); docs/porting.md.
options:
  _input:
    description: The path, normally C(sfb_edge_plan_dir), or null.
    type: str
  base:
    description: The directory relative paths are resolved against, normally C(inventory_dir).
    type: str
  sources:
    description:
      - The inventory sources of the run, normally C(ansible_inventory_sources). A directory inside a
        source that is a directory is refused (Ansible would read the reports as inventory files).
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: Where the reports go
  ansible.builtin.debug:
    msg: >-
      {{ sfb_edge_plan_dir | default(none)
         | sfb.edge.inventory_path(inventory_dir | default(none), sources=ansible_inventory_sources) }}
"""

RETURN = r"""
_value:
  description: An absolute path.
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.edge.plugins.plugin_utils import _steps


def inventory_path(path, base=None, sources=None):
    """Deprecated (removed in 0.7.0): :func:`_steps.inventory_path`."""
    try:
        return _steps.inventory_path(path, base=base, sources=sources)
    except _steps.StepError as exc:
        raise AnsibleFilterError(str(exc)) from None


class FilterModule:
    def filters(self):
        return {"inventory_path": inventory_path}
