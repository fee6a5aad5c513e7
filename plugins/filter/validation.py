# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sfb.edge.validation filter."""

from __future__ import annotations

DOCUMENTATION = r"""
name: validation
author: sfb.edge contributors
version_added: 0.3.0
short_description: Post-install validation of one edge server - a pass/fail row per check
description:
  - Checks an installed edge server against its desired state (P(sfb.edge.desired_state#filter)).
  - C(listening) rows, one per socket of the plan's C(listening) table (derived from the port tables); the
    socket must be open on the server's own address, or on 0.0.0.0, in the C(listeners) of the gathered state.
  - C(service) rows, one per edge service, which must be Running; the Windows event that explains a
    stopped service is shown when the state has one.
  - C(probe) rows, one per internal TCP port, from the results of P(sfb.edge.tcp_probe#module) run on the
    Front End against the edge's internal address; skipped when the probes did not run.
  - A C(replication) row from the Front End's Get-CsManagementStoreReplicationStatus (or the
    C(replication) of a snapshot); skipped when not queried.
  - C(certificate) rows, one per certificate assigned to a use (C(cs.certificates) of the gathered state),
    C(pass), C(warn) (C(id=certificate_expiring)) when it expires within C(sfb_edge_certificate_warn_days),
    C(fail) (C(id=certificate_expired)) once expired, judged at the current UTC time (or the environment
    variable C(SFB_EDGE_NOW)).
deprecated:
  removed_in: "0.7.0"
  removed_from_collection: sfb.edge
  why: Internal plumbing of the playbooks and roles; its logic now runs inside the actions (issue 22, point 4).
  alternative: Use sfb.edge.host_validation (the role sfb.edge.validate); docs/porting.md.
options:
  _input:
    description: The desired state of the host.
    type: dict
    required: true
  current:
    description: The gathered state (docs/state-format.md).
    type: dict
    required: true
  probes:
    description: The C(results) of P(sfb.edge.tcp_probe#module); omit when the probes did not run.
    type: list
    elements: dict
  replication:
    description: This edge's entry of the C(replicas) of P(sfb.edge.cs_replication#module).
    type: dict
  frontend:
    description: The inventory name of the Front End the probes ran on (shown in the table).
    type: str
  source:
    description: Where the state came from (recorded in the report).
    type: str
"""

EXAMPLES = r"""
- name: Validate one edge from a snapshot
  ansible.builtin.set_fact:
    my_validation: "{{ my_desired | sfb.edge.validation(my_state) }}"
"""

RETURN = r"""
_value:
  description: "C({format, host, pool, fqdn, source, passed, summary {pass, fail, skip, warn}, rows [{check, target,
    expected, actual, result}]}); certificate rows add C(id), C(not_after), C(days_left), C(warn_days); see
    docs/cs-roles.md."
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.edge.plugins.plugin_utils import _steps


def validation(desired, current, probes=None, replication=None, frontend=None, source=None):
    """Deprecated (removed in 0.7.0): :func:`_steps.validation`."""
    try:
        return _steps.validation(desired, current, probes=probes, replication=replication, frontend=frontend, source=source)
    except _steps.StepError as exc:
        raise AnsibleFilterError(str(exc)) from None


class FilterModule:
    def filters(self):
        return {"validation": validation}
