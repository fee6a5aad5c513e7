# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filters internal to the firewall_proof and certificate_request roles, deprecated in 0.5.0 and removed in 0.7.0
(docs/porting.md): shims over plugin_utils/_firewall_proof.py and _certificate_request.py, which the roles' actions
run. Their documentation is beside this file, one sidecar per filter (``<name>.yml``).

All six live in this one file, whose name is no filter's: ansible-core looks a collection's filter up by loading
every file of plugins/filter and resolves each file's name in meta/runtime.yml, so a deprecated filter in a file of
its own would print its deprecation warning whenever any sfb.edge filter is used. Here it is printed only when the
deprecated filter itself is (meta/runtime.yml routes the filter names)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.edge.plugins.plugin_utils import _certificate_request, _firewall_proof, _csr as csr


def firewall_proof_plan(inventory, hosts, states, frontend=None, probe=None, probe_connection=None, mode="live",
                        duration=300, probe_timeout_ms=3000, inventory_hosts=None):
    try:
        return _firewall_proof.decide(inventory, hosts, states, frontend=frontend, probe=probe,
                                      probe_connection=probe_connection, mode=mode, duration=duration,
                                      probe_timeout_ms=probe_timeout_ms, inventory_hosts=inventory_hosts)
    except _firewall_proof.StepError as exc:
        raise AnsibleFilterError("sfb.edge.firewall_proof_plan: %s" % exc) from None


def firewall_proof_probes(plans, probe, tcp_only=False):
    try:
        return _firewall_proof.probe_targets(plans, probe, tcp_only=tcp_only)
    except _firewall_proof.StepError as exc:
        raise AnsibleFilterError("sfb.edge.firewall_proof_probes: %s" % exc) from None


def firewall_proof_report(plan, probes=None, opened=None, received=None, source=None, duration=None):
    try:
        return _firewall_proof.report(plan, probes=probes, opened=opened, received=received, source=source,
                                      duration=duration)
    except _firewall_proof.StepError as exc:
        raise AnsibleFilterError("sfb.edge.firewall_proof_report: %s" % exc) from None


def firewall_proof_table(report):
    try:
        return _firewall_proof.table(report)
    except _firewall_proof.StepError as exc:
        raise AnsibleFilterError("sfb.edge.firewall_proof_table: %s" % exc) from None


def certificate_requests(plans, plan_dir, request_hosts=None, kinds=csr.KINDS, key_length=2048):
    try:
        return _certificate_request.requests(plans, plan_dir, request_hosts=request_hosts, kinds=kinds,
                                             key_length=key_length)
    except _certificate_request.StepError as exc:
        raise AnsibleFilterError("sfb.edge.certificate_requests: %s" % exc) from None


def certificate_request_review(requests, results=None, snapshot=False, check_mode=False, inventory=None):
    try:
        return _certificate_request.review(requests, results=results, snapshot=snapshot, check_mode=check_mode,
                                           inventory=inventory)
    except _certificate_request.StepError as exc:
        raise AnsibleFilterError("sfb.edge.certificate_request_review: %s" % exc) from None


class FilterModule:
    def filters(self):
        return {"firewall_proof_plan": firewall_proof_plan, "firewall_proof_probes": firewall_proof_probes,
                "firewall_proof_report": firewall_proof_report, "firewall_proof_table": firewall_proof_table,
                "certificate_requests": certificate_requests, "certificate_request_review": certificate_request_review}
