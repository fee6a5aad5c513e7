# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sfb.edge.routes filter."""

from __future__ import annotations

DOCUMENTATION = r"""
name: routes
author: sfb.edge contributors
version_added: 0.1.0
short_description: Persistent routes for an edge server's internal NIC
description:
  - Turns the internal networks an edge server must reach into persistent IPv4 routes via the
    internal firewall, pinned to the internal NIC.
  - CIDRs are normalised (host bits cleared), duplicates and networks covered by another requested
    network are dropped, and networks inside the NIC's own (on-link) subnet get no route.
  - Never returns a default route; a C(0.0.0.0/0) entry is an error (the only default gateway is on
    the external NIC).
options:
  _input:
    description: Internal networks, as CIDR strings (C(sfb_edge_internal_networks)).
    type: list
    elements: str
    required: true
  nic_address:
    description: The internal NIC address with prefix, for example C(172.16.10.11/24).
    type: str
    required: true
  gateway:
    description: The internal firewall address on the internal DMZ subnet (C(sfb_edge_internal_gateway)).
    type: str
    required: true
  interface:
    description: The internal NIC name, pinned on every route.
    type: str
    required: true
  summarize:
    description: Also merge adjacent networks into their common supernet.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Routes for the internal NIC
  ansible.builtin.debug:
    msg: >-
      {{ ['10.10.0.0/16', '10.20.5.0/24', '10.10.7.0/24']
         | sfb.edge.routes(nic_address='172.16.10.11/24', gateway='172.16.10.1', interface='Internal') }}
  # -> [{destination: 10.10.0.0/16, gateway: 172.16.10.1, interface: Internal},
  #     {destination: 10.20.5.0/24, gateway: 172.16.10.1, interface: Internal}]
"""

RETURN = r"""
_value:
  description: Routes sorted by destination.
  type: list
  elements: dict
  contains:
    destination:
      description: Destination network in CIDR form.
      type: str
    gateway:
      description: Next hop (the internal firewall).
      type: str
    interface:
      description: The internal NIC name.
      type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.edge.plugins.plugin_utils import _netcalc as netcalc


def routes(networks, nic_address=None, gateway=None, interface=None, summarize=False):
    try:
        return netcalc.routes(list(networks) if isinstance(networks, (list, tuple)) else networks,
                              nic_address, gateway, interface, summarize=bool(summarize))
    except ValueError as exc:
        raise AnsibleFilterError("sfb.edge.routes: %s" % exc) from None


class FilterModule:
    def filters(self):
        return {"routes": routes}
