# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Documentation only: sfb.edge.certificate_request runs on the controller (plugins/action/certificate_request.py).

DOCUMENTATION = r"""
module: certificate_request
author: sfb.edge contributors (!UNKNOWN)
version_added: 0.5.0
short_description: Internal, not a public API - the controller steps of the certificate request role
description:
  - Internal to the collection's roles and playbooks, not a public API -
    the P(sfb.edge.certificate_request#role) role runs it; it is not meant to be called otherwise - its
    options take the role's in-run values (the plans, the registered request results), and may change without notice.
    Run the role (C(playbooks/certificate_request.yml)); see the collection's docs/certificate-requests.md.
  - O(step=requests) - one request per pool and certificate kind with its certreq INF, from the plan's
    C(certificates) entries (what the deprecated filter P(sfb.edge.certificate_requests#filter) returned).
  - O(step=review) - each request's issued certificate (C(<host>-<kind>.cer) beside its CSR) checked against the plan
    and the request, with what to accept and the messages (what the deprecated filter
    P(sfb.edge.certificate_request_review#filter) returned).
  - The host of the task is never contacted, whatever its connection; no file is written (the role writes them with
    P(sfb.edge.report_files#module)).
options:
  step:
    description: The step of the role.
    type: str
    required: true
    choices: [requests, review]
  plans:
    description: "O(step=requests) - C({pool FQDN: plan}), the output of P(sfb.edge.plan#filter)."
    type: raw
  plan_dir:
    description: O(step=requests) - the plan directory.
    type: raw
  request_hosts:
    description: "O(step=requests) - C({pool FQDN: inventory hostname}) of the server that makes each pool's requests;
      default the pool's first server by name."
    type: raw
  kinds:
    description: O(step=requests) - the certificates to request (default C(external) and C(internal)).
    type: raw
  key_length:
    description: O(step=requests) - RSA key length (default 2048).
    type: raw
  requests:
    description: O(step=review) - this server's requests (from O(step=requests)).
    type: raw
  results:
    description: O(step=review) - the P(sfb.edge.edge_certificate_request#module) results of the requests, in the same
      order; omitted or empty - the CSR files on the controller are read.
    type: raw
  snapshot:
    description: O(step=review) - the hosts were not contacted (C(sfb_edge_facts_from)); only for the messages.
    type: raw
  inventory:
    description: O(step=review) - the output of P(sfb.edge.edge_inventory#filter) for the request's host (its
      C(sfb_edge_certificates.root_ca)).
    type: raw
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    description: Runs in check mode too; the review's messages say what a run would do.
  diff_mode:
    support: none
  platform:
    support: full
    platforms: posix
    description: Runs on the controller only.
notes:
  - No secret is part of the result (certificate passwords stay in the inventory).
seealso:
  - module: sfb.edge.edge_certificate_request
  - module: sfb.edge.report_files
"""

EXAMPLES = r"""
# Internal to the sfb.edge.certificate_request role (roles/certificate_request/tasks/main.yml); run the role instead.
- name: The certificate requests of every pool, with their certreq INF
  sfb.edge.certificate_request:
    step: requests
    plans: "{{ certificate_request_plans }}"
    plan_dir: /srv/sfb-edge/plans
  register: certificate_request_all
"""

RETURN = r"""
changed:
  description: Always V(false).
  returned: always
  type: bool
requests:
  description: "O(step=requests) - C([{pool, kind, host, others, subject, san, eku, inf, files: {inf, csr, cer},
    inf_file: {path, content}, shared_across_pool}]), sorted by pool and kind."
  returned: O(step=requests)
  type: list
  elements: dict
reviews:
  description: "O(step=review) - per request, in its order, C({kind, pool, host, csr, csr_file: {path, content} or null,
    certificate: {path, thumbprint, subject, not_after} or null, findings, accept, chain, messages}) where C(accept) is
    the base64 DER to accept, or null, and C(chain) the base64 DER of its CA certificates (issuer first, root last)."
  returned: O(step=review)
  type: list
  elements: dict
"""
