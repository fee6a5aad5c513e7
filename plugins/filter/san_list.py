# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sfb.edge.san_list filter."""

from __future__ import annotations

DOCUMENTATION = r"""
name: san_list
author: sfb.edge contributors
version_added: 0.1.0
short_description: Names of an edge pool's external (public) certificate
description:
  - Returns the subject and subject alternative names the external edge certificate needs, in
    order, lower-cased and without duplicates.
  - The Access Edge FQDN (the subject) first, then the Web Conferencing FQDN, C(sip.<domain>) for
    every SIP domain, the bare SIP domains when XMPP federation is on (Lync 2013 / SfB 2015), and
    the A/V Edge FQDN only when asked (the A/V service does not use the certificate names).
options:
  _input:
    description: SIP domains (C(sfb_edge_sip_domains)), the default SIP domain first.
    type: list
    elements: str
    required: true
  external_fqdns:
    description: The public FQDNs C({access, webconf, av}) (C(sfb_edge_external_fqdns)).
    type: dict
    required: true
  xmpp:
    description: Add the bare SIP domains for XMPP federation.
    type: bool
    default: false
  include_av:
    description: Add the A/V Edge FQDN.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: External certificate names
  ansible.builtin.debug:
    msg: >-
      {{ ['example.com', 'example.net']
         | sfb.edge.san_list({'access': 'sip.example.com', 'webconf': 'webconf.example.com',
                              'av': 'av.example.com'}) }}
  # -> [sip.example.com, webconf.example.com, sip.example.net]
"""

RETURN = r"""
_value:
  description: Certificate names; the first one is the subject.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.edge.plugins.plugin_utils import _netcalc as netcalc


def san_list(sip_domains, external_fqdns=None, xmpp=False, include_av=False):
    try:
        return netcalc.san_list(sip_domains, external_fqdns, xmpp=bool(xmpp), include_av=bool(include_av))
    except ValueError as exc:
        raise AnsibleFilterError("sfb.edge.san_list: %s" % exc) from None


class FilterModule:
    def filters(self):
        return {"san_list": san_list}
