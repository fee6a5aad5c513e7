# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The nine deprecated filters of 0.4 (issue 22, point 4), thin shims over plugins/plugin_utils/_steps.py until 0.7.0.

One file for all of them, documented by the YAML beside it (plugins/filter/<name>.yml): meta/runtime.yml deprecates
each filter by its name, and Ansible reads that routing for every filter file it loads whenever a template uses any
filter of the collection - a file named after a deprecated filter would print its deprecation in every run. Named
so, the warning comes only where the deprecated filter is used. docs/porting.md lists the replacements.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.edge.plugins.plugin_utils import _steps


def inventory_dict(inventory, name):
    """For sfb.edge.firewall_proof_plan, which imports it from here (until that filter goes too)."""
    try:
        return _steps.inventory_dict(inventory, name)
    except _steps.StepError as exc:
        raise AnsibleFilterError(str(exc)) from None


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
