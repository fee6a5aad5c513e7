# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sfb.edge.certificate_requests filter."""

from __future__ import annotations

DOCUMENTATION = r"""
name: certificate_requests
author: sfb.edge contributors
version_added: 0.4.0
short_description: The certificate requests of every edge pool, with their certreq INF, from the plan
description:
  - Takes the plan of every pool (P(sfb.edge.plan#filter)) and returns one request per pool and certificate kind
    (external, internal), made on one server of the pool, with the certreq INF written from the plan's
    C(certificates.<kind>) entry (subject, SANs in plan order, EKUs; RSA, exportable, machine key set, the legacy
    C(Microsoft RSA SChannel Cryptographic Provider)) and the paths of the INF, CSR and issued certificate under
    C(<plan_dir>/<pool>/certificates/).
  - See the collection's docs/certificate-requests.md.
positional: _input, plan_dir
options:
  _input:
    description: "C({pool FQDN: plan}), the output of P(sfb.edge.plan#filter)."
    type: dict
    required: true
  plan_dir:
    description: The plan directory.
    type: str
    required: true
  request_hosts:
    description: "C({pool FQDN: inventory hostname}) of the server that makes each pool's requests; default the
      pool's first server by name."
    type: dict
    default: {}
  kinds:
    description: The certificates to request.
    type: list
    elements: str
    default: [external, internal]
  key_length:
    description: RSA key length.
    type: int
    default: 2048
"""

EXAMPLES = r"""
- name: The requests of every pool
  ansible.builtin.set_fact:
    my_requests: "{{ hostvars | sfb.edge.edge_inventory(groups['edge_servers']) | sfb.edge.plan(read_certificates=false)
                     | sfb.edge.certificate_requests('plan') }}"
"""

RETURN = r"""
_value:
  description: "C([{pool, kind, host, others, subject, san, eku, inf, files: {inf, csr, cer}, inf_file: {path, content},
    shared_across_pool}]), sorted by pool and kind."
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.edge.plugins.plugin_utils import csr
from ansible_collections.sfb.edge.plugins.plugin_utils.plain import plain


def certificate_requests(plans, plan_dir, request_hosts=None, kinds=csr.KINDS, key_length=2048):
    if not isinstance(plans, dict):
        raise AnsibleFilterError("sfb.edge.certificate_requests: expected the output of sfb.edge.plan (a dict), got %s"
                                 % type(plans).__name__)
    if request_hosts is not None and not isinstance(request_hosts, dict):
        raise AnsibleFilterError("sfb.edge.certificate_requests: certificate_request_hosts must be a dict {pool FQDN: "
                                 "inventory hostname}, got %r" % (request_hosts,))
    try:
        length = int(key_length)
    except (TypeError, ValueError):
        length = key_length
    try:
        return csr.requests(plain(plans), str(plan_dir), plain(request_hosts) or {}, list(kinds or []), length)
    except csr.CsrError as exc:
        raise AnsibleFilterError("sfb.edge.certificate_requests: %s" % exc) from None
    except (KeyError, TypeError) as exc:
        raise AnsibleFilterError("sfb.edge.certificate_requests: expected the output of sfb.edge.plan (%s missing or "
                                 "malformed)" % exc) from None


class FilterModule:
    def filters(self):
        return {"certificate_requests": certificate_requests}
