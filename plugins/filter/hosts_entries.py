# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sfb.edge.hosts_entries filter."""

from __future__ import annotations

DOCUMENTATION = r"""
name: hosts_entries
author: sfb.edge contributors
version_added: 0.1.0
short_description: Normalised hosts-file entries for an edge server
description:
  - An edge server has no internal DNS; it resolves the next hop pool, Front Ends and Directors
    through its hosts file.
  - Validates the addresses and names, lower-cases the names, removes duplicate names and merges
    entries for the same address (first-seen order kept).
options:
  _input:
    description: Entries C([{ip, names}]) (C(sfb_edge_internal_hosts)); C(names) may be a string.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Hosts entries
  ansible.builtin.debug:
    msg: "{{ [{'ip': '10.10.1.10', 'names': ['FEPool.corp.example.com']}] | sfb.edge.hosts_entries }}"
  # -> [{ip: 10.10.1.10, names: [fepool.corp.example.com]}]
"""

RETURN = r"""
_value:
  description: One entry per address.
  type: list
  elements: dict
  contains:
    ip:
      description: IPv4 address.
      type: str
    names:
      description: Lower-case FQDNs for that address.
      type: list
      elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.edge.plugins.plugin_utils import _netcalc as netcalc


def hosts_entries(entries):
    try:
        return netcalc.hosts_entries(entries)
    except ValueError as exc:
        raise AnsibleFilterError("sfb.edge.hosts_entries: %s" % exc) from None


class FilterModule:
    def filters(self):
        return {"hosts_entries": hosts_entries}
