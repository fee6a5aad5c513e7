# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: the controller steps of the certificate request role (roles/certificate_request),
run by the sfb.edge.certificate_request action and by the deprecated filters certificate_requests and
certificate_request_review (plugins/filter/deprecated.py; removed in 0.7.0).

Each step takes what the role's task gives (Ansible's values made plain here) and returns plain data; an input it
cannot use raises :class:`StepError`, whose message says what is wrong and how to fix it (the action and the filters
add their own name). The INF text and the checks themselves are :mod:`csr`'s."""

from __future__ import annotations

from ansible_collections.sfb.edge.plugins.plugin_utils import _csr as csr
from ansible_collections.sfb.edge.plugins.plugin_utils._plain import plain


class StepError(ValueError):
    """A step cannot use its input; the message says which input, why, and what to do."""


def requests(plans, plan_dir, request_hosts=None, kinds=csr.KINDS, key_length=2048):
    """The certificate requests of every pool (:func:`csr.requests`) from the plans (the output of sfb.edge.plan):
    ``[{pool, kind, host, others, subject, san, eku, inf, files, inf_file, shared_across_pool}]``."""
    if not isinstance(plans, dict):
        raise StepError("expected the output of sfb.edge.plan (a dict), got %s" % type(plans).__name__)
    if request_hosts is not None and not isinstance(request_hosts, dict):
        raise StepError("certificate_request_hosts must be a dict {pool FQDN: inventory hostname}, got %r"
                        % (request_hosts,))
    try:
        length = int(key_length)
    except (TypeError, ValueError):
        length = key_length
    try:
        return csr.requests(plain(plans), str(plan_dir), plain(request_hosts) or {}, list(kinds or []), length)
    except csr.CsrError as exc:
        raise StepError(str(exc)) from None
    except (KeyError, TypeError) as exc:
        raise StepError("expected the output of sfb.edge.plan (%s missing or malformed)" % exc) from None


def review(requests, results=None, snapshot=False, check_mode=False, inventory=None):  # pylint: disable=redefined-outer-name
    """Each request's issued certificate checked against the plan and the request (:func:`csr.review`), in the order
    of ``requests``; ``results`` are the sfb.edge.edge_certificate_request results of the requests, in the same order
    (omitted or empty: the CSR files on the controller are read); ``inventory`` the output of sfb.edge.edge_inventory
    (each request host's ``sfb_edge_certificates.root_ca``)."""
    requests = plain(requests)
    inventory = plain(inventory) or {}
    results = plain(results) or []
    if not isinstance(requests, list):
        raise StepError("expected a list of requests from sfb.edge.certificate_requests, got %s"
                        % type(requests).__name__)
    if results and len(results) != len(requests):
        raise StepError("%d results for %d requests; give the results of the loop over the same requests"
                        % (len(results), len(requests)))
    try:
        return [csr.review(req, (results[i].get("csr") or None) if results else None,
                           status=results[i].get("status") if results else None, snapshot=bool(snapshot),
                           check_mode=bool(check_mode), installed=results[i].get("thumbprint") if results else None,
                           roots=csr.roots_of(inventory, req["host"]))
                for i, req in enumerate(requests)]
    except (KeyError, TypeError, AttributeError) as exc:
        raise StepError("expected requests from sfb.edge.certificate_requests (%s missing or malformed)" % exc) from None
