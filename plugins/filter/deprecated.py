# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The deprecated filters of sfb.edge, kept working for one release (deprecated in 0.5.0, removed in 0.7.0;
meta/runtime.yml plugin_routing, docs/porting.md): thin shims over the private plugin_utils functions that the
roles' actions now run. Each is documented in plugins/filter/<name>.yml.

They all live in this one file, whose name is no filter's: ansible-core (2.19) loads every filter file of the
collection by its file name, through the plugin routing, when it looks up any sfb.edge filter - a deprecated filter
in a file of its own name would print its deprecation on every run that uses another sfb.edge filter. Here the
deprecation is printed only where the deprecated name is used.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.edge.plugins.plugin_utils import _certificate_request, _firewall_proof, _steps
from ansible_collections.sfb.edge.plugins.plugin_utils import _csr as csr
from ansible_collections.sfb.edge.plugins.plugin_utils import _frontend as frontend


# ----------------------------------------------------------------------------------- the Front End rescue
def frontend_failure(result, frontend_host, task, connection=None):
    """Deprecated shim: what the module sfb.edge.frontend_failure fails with."""
    return frontend.describe(result, frontend_host, task, connection)


# ----------------------------------------------------------------------------------- the firewall proof and certificate request roles
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


# ----------------------------------------------------------------------------------- the playbooks' steps
def connection_ports(variables, single=False):
    """Deprecated (removed in 0.7.0): :func:`_steps.connection_ports`."""
    try:
        return _steps.connection_ports(variables, single=single)
    except _steps.StepError as exc:
        raise AnsibleFilterError(str(exc)) from None


def desired_state(inventory, host):
    """Deprecated (removed in 0.7.0): :func:`_steps.desired_state`."""
    try:
        return _steps.desired_state(inventory, host)
    except _steps.StepError as exc:
        raise AnsibleFilterError(str(exc)) from None


def desired_states(inventory, hosts=None, read_certificates=True, store=False):
    """Deprecated (removed in 0.7.0): :func:`_steps.desired_states`."""
    try:
        return _steps.desired_states(inventory, hosts, read_certificates=read_certificates, store=store)
    except _steps.StepError as exc:
        raise AnsibleFilterError(str(exc)) from None


def drift_areas(desired, current, ansible_host=None, connection_port=None, options=None):
    """Deprecated (removed in 0.7.0): :func:`_steps.drift_areas`."""
    try:
        return _steps.drift_areas(desired, current, ansible_host=ansible_host, connection_port=connection_port, options=options)
    except _steps.StepError as exc:
        raise AnsibleFilterError(str(exc)) from None


def inventory_path(path, base=None, sources=None):
    """Deprecated (removed in 0.7.0): :func:`_steps.inventory_path`."""
    try:
        return _steps.inventory_path(path, base=base, sources=sources)
    except _steps.StepError as exc:
        raise AnsibleFilterError(str(exc)) from None


def site_phase(phase, run_tags=None, skip_tags=None):
    """Deprecated (removed in 0.7.0): :func:`_steps.site_phase`."""
    try:
        return _steps.site_phase(phase, run_tags, skip_tags)
    except _steps.StepError as exc:
        raise AnsibleFilterError(str(exc)) from None


def state_parts(desired, current, source=None, check=True):
    """Deprecated (removed in 0.7.0): :func:`_steps.state_parts`."""
    try:
        return _steps.state_parts(desired, current, source=source, check=check)
    except _steps.StepError as exc:
        raise AnsibleFilterError(str(exc)) from None


def validation(desired, current, probes=None, replication=None, frontend=None, source=None):
    """Deprecated (removed in 0.7.0): :func:`_steps.validation`."""
    try:
        return _steps.validation(desired, current, probes=probes, replication=replication, frontend=frontend, source=source)
    except _steps.StepError as exc:
        raise AnsibleFilterError(str(exc)) from None


def validation_table(report):
    """Deprecated (removed in 0.7.0): :func:`_steps.validation_table`."""
    try:
        return _steps.validation_table(report)
    except _steps.StepError as exc:
        raise AnsibleFilterError(str(exc)) from None


class FilterModule:
    def filters(self):
        return {
            "frontend_failure": frontend_failure,
            "firewall_proof_plan": firewall_proof_plan,
            "firewall_proof_probes": firewall_proof_probes,
            "firewall_proof_report": firewall_proof_report,
            "firewall_proof_table": firewall_proof_table,
            "certificate_requests": certificate_requests,
            "certificate_request_review": certificate_request_review,
            "connection_ports": connection_ports,
            "desired_state": desired_state,
            "desired_states": desired_states,
            "drift_areas": drift_areas,
            "inventory_path": inventory_path,
            "site_phase": site_phase,
            "state_parts": state_parts,
            "validation": validation,
            "validation_table": validation_table,
        }
