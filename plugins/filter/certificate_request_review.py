# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sfb.edge.certificate_request_review filter: deprecated, removed in 0.7.0 (a shim over plugin_utils/_certificate_request.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: certificate_request_review
author: sfb.edge contributors
version_added: 0.4.0
deprecated:
  removed_in: 0.7.0
  why: >-
    Internal to the P(sfb.edge.certificate_request#role) role, whose Jinja no longer uses it (its logic runs in
    the role's action); it keeps working, with a deprecation warning, until 0.7.0.
  alternative: >-
    The P(sfb.edge.certificate_request#role) role; the same checks are C(step: review) of its
    internal action P(sfb.edge.certificate_request#module).
short_description: Check the certificate a CA issued for a request against the plan before it is accepted
description:
  - For each request (P(sfb.edge.certificate_requests#filter)), reads on the controller the CSR (unless the edge just
    returned it) and, when the operator put it there, the issued certificate C(<host>-<kind>.cer) beside it.
  - Checks the certificate against the plan and the request - the plan's names are covered, RSA of at least 2048 bits,
    the request's public key, the Server Authentication EKU, valid now - and returns findings
    (C(issued_certificate_name_missing), C(issued_certificate_key_too_small), C(issued_certificate_key_mismatch),
    C(issued_certificate_expired), C(issued_certificate_not_yet_valid), C(issued_certificate_eku_missing), ...).
  - A certificate with an error finding is not offered for acceptance.
positional: _input, results
options:
  _input:
    description: Requests from P(sfb.edge.certificate_requests#filter).
    type: list
    elements: dict
    required: true
  results:
    description: The P(sfb.edge.edge_certificate_request#module) results of the requests, in the same order (their
      C(csr) is used); omitted or empty - the CSR files on the controller are read.
    type: list
    elements: dict
    default: []
  snapshot:
    description: The hosts were not contacted (C(sfb_edge_facts_from)); only for the messages.
    type: bool
    default: false
  check_mode:
    description: The run is in check mode; only for the messages.
    type: bool
    default: false
  inventory:
    description:
      - The output of P(sfb.edge.edge_inventory#filter); each request's host gives its C(sfb_edge_certificates.root_ca).
      - The issued certificate's chain - the other certificates of the C(.cer) file (a PEM bundle or a PKCS#7) and
        these CA certificates - must reach a self-signed root of C(root_ca), else it is not accepted
        (C(issued_certificate_chain_untrusted)); omitted - no root is known and no certificate is accepted.
    type: dict
    default: {}
    version_added: 0.5.0
"""

EXAMPLES = r"""
- name: Check the issued certificates
  ansible.builtin.set_fact:
    my_review: "{{ my_requests | sfb.edge.certificate_request_review(my_results.results) }}"
"""

RETURN = r"""
_value:
  description: "C([{kind, pool, host, csr, csr_file: {path, content} or null, certificate: {path, thumbprint, subject, not_after} or null, findings,
    accept, chain, messages}]) where C(accept) is the base64 DER to accept, or null, C(chain) the base64 DER of its
    CA certificates (issuer first, root last) to import before it is accepted, and C(messages) what happened and
    what to do next."
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.edge.plugins.plugin_utils import _certificate_request as _steps


def certificate_request_review(requests, results=None, snapshot=False, check_mode=False, inventory=None):
    try:
        return _steps.review(requests, results=results, snapshot=snapshot, check_mode=check_mode, inventory=inventory)
    except _steps.StepError as exc:
        raise AnsibleFilterError("sfb.edge.certificate_request_review: %s" % exc) from None


class FilterModule:
    def filters(self):
        return {"certificate_request_review": certificate_request_review}
