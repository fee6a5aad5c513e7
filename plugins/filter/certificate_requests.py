# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sfb.edge.certificate_requests filter: deprecated, removed in 0.7.0 (a shim over plugin_utils/_certificate_request.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: certificate_requests
author: sfb.edge contributors
version_added: 0.4.0
deprecated:
  removed_in: 0.7.0
  why: >-
    Internal to the P(sfb.edge.certificate_request#role) role, whose Jinja no longer uses it (its logic runs in
    the role's action); it keeps working, with a deprecation warning, until 0.7.0.
  alternative: >-
    The P(sfb.edge.certificate_request#role) role; the same requests are C(step: requests) of its
    internal action P(sfb.edge.certificate_request#module).
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

from ansible_collections.sfb.edge.plugins.plugin_utils import _certificate_request as _steps
from ansible_collections.sfb.edge.plugins.plugin_utils import csr


def certificate_requests(plans, plan_dir, request_hosts=None, kinds=csr.KINDS, key_length=2048):
    try:
        return _steps.requests(plans, plan_dir, request_hosts=request_hosts, kinds=kinds, key_length=key_length)
    except _steps.StepError as exc:
        raise AnsibleFilterError("sfb.edge.certificate_requests: %s" % exc) from None


class FilterModule:
    def filters(self):
        return {"certificate_requests": certificate_requests}
