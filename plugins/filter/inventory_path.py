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

from ansible_collections.sfb.edge.plugins.plugin_utils import model


def inventory_path(path, base=None, sources=None):
    if path is not None and not isinstance(path, (str, int, float)):
        raise AnsibleFilterError("sfb.edge.inventory_path: sfb_edge_plan_dir must be a directory path (a string), got "
                                 "%r; set it to an absolute path or one relative to the inventory directory" % (path,))
    if isinstance(sources, str):
        sources = [sources]
    try:
        return model.report_dir(path, str(base) if base else None, [str(s) for s in sources or ()])
    except ValueError as exc:
        raise AnsibleFilterError(str(exc)) from None


class FilterModule:
    def filters(self):
        return {"inventory_path": inventory_path}
