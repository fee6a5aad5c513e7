# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sfb.edge.drift filter."""

from __future__ import annotations

DOCUMENTATION = r"""
name: drift
author: sfb.edge contributors
version_added: 0.2.0
short_description: Drift of one edge server - desired state against gathered state
description:
  - Compares the desired state (P(sfb.edge.desired_state#filter)) with the state gathered by
    P(sfb.edge.edge_facts#module) or read from a snapshot, area by area (routes, network, hosts file,
    identity, certificates, and the Lync/Skype for Business areas cs_install, cs_certificates,
    cs_services, cs_replication), and returns the drift report.
  - Each change has C(area), C(target), C(property), C(action) (add, remove or set), C(before) and
    C(after). Problems are differences a run cannot fix by itself (an adapter that is not found, a
    domain-joined server). C(blocked) lists the changes the lockout guard holds back because they
    would cut the controller's connection.
options:
  _input:
    description: The desired state of the host.
    type: dict
    required: true
  current:
    description: The gathered state (docs/state-format.md).
    type: dict
    required: true
  ansible_host:
    description:
      - The address or host name the controller connects to; its removal is guarded. A host name is
        resolved (IPv4) on the controller.
    type: str
  connection_port:
    description:
      - The TCP port the controller connects on (P(sfb.edge.connection_ports#filter) gives it); the
        lockout guard looks for the connection on this local port of the host. Omitted - every port of the
        state's C(connection_ports).
    type: int
    version_added: 0.4.0
  source:
    description: Where the state came from (recorded in the report), e.g. C(live) or a snapshot path.
    type: str
  options:
    description:
      - For the Lync/Skype for Business areas. C(frontend) is the inventory name of the Front End the
        configuration export comes from (without one, a needed import is a problem);
        C(config_refresh) plans a new import even when the local store holds this server.
    type: dict
    version_added: 0.3.0
  areas:
    description:
      - The areas the report covers; omitted - all of them. With the area's part of the states
        (P(sfb.edge.state_parts#filter)), give only that area. C(routes) and C(network) are computed
        with the lockout guard when either is asked for, so give both parts' sections for them.
    type: list
    elements: str
    version_added: 0.4.0
  replication:
    description:
      - The replication status of this edge from the Front End (an entry of P(sfb.edge.cs_replication#module)'s
        C(replicas)), used as the gathered state's C(replication) section; omitted or empty - the state's own.
    type: dict
    version_added: 0.4.0
notes:
  - Either state may be a handle of the controller's store (P(sfb.edge.desired_states#filter),
    P(sfb.edge.edge_snapshot#lookup) with C(store=true), or an area's part from P(sfb.edge.state_parts#filter));
    it is read back from the store, and a missing or changed stored file fails the filter.
"""

EXAMPLES = r"""
- name: Drift report
  ansible.builtin.set_fact:
    my_drift: "{{ my_desired | sfb.edge.drift(my_state, ansible_host=ansible_host) }}"
"""

RETURN = r"""
_value:
  description: "C({format, host, pool, source, in_sync, summary, changes {area: [change]}, problems, blocked,
    notes, remote_calls, expiry, findings}); C(expiry) and C(findings) are the certificate expiry of the installed
    and assigned certificates (C(certificate_expiring), C(certificate_expired)); see docs/windows-roles.md."
  type: dict
"""

from ansible_collections.sfb.edge.plugins.plugin_utils._compare import drift


class FilterModule:
    def filters(self):
        return {"drift": drift}
