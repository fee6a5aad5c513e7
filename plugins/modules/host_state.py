# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Documentation only: sfb.edge.host_state runs on the controller (plugins/action/host_state.py).

DOCUMENTATION = r"""
module: host_state
author: sfb.edge contributors (!UNKNOWN)
version_added: 0.4.0
short_description: Internal, not a public API - read an edge server's state once, its desired state and the areas to converge
description:
  - Internal to the collection's roles and playbooks, not a public API - it takes what only a run of them holds (the
    validation step's registered result, the store's handles, the state an earlier task of the run read). Its options and
    results may change in any release without a deprecation; use the playbooks or the roles instead.
  - In one task, what the P(sfb.edge.edge_state#role) role does (it runs this action) and site.yml's converge play
    starts with.
  - The desired state is the host's handle from the play's one validation (C(plan_validation.hosts), set by the
    playbooks' validation step); without it, the host's own is computed from the whole inventory.
  - The gathered state is, in this order - the one read earlier in this run when it is still the host's state
    (read in this run, O(again) not set, no change applied by P(sfb.edge.edge_apply#module) since and no reboot);
    else C(<facts_from>/<inventory_hostname>.json) (checked and kept in the controller's store, as
    P(sfb.edge.edge_snapshot#lookup) with C(store=true)); else one P(sfb.edge.edge_facts#module) call on the host
    (also in check mode, since reading changes nothing), looking for the controller's connection on the ports of the
    connection variables - C(winrm) C(ansible_winrm_port), else C(ansible_port), else 5986 (5985 for http);
    C(psrp) C(ansible_psrp_port), else C(ansible_port), else 5986 (5985 with C(ansible_psrp_protocol=http)); C(ssh)
    C(ansible_ssh_port), else C(ansible_port), else 22; without a known C(ansible_connection), 5985 and 5986 (and
    C(ansible_port)). C(edge_state_connection_port) is that port (V(null) for a connection without one).
  - "Facts set: C(edge_state_desired), C(edge_state_current), C(edge_state_source) (C(live) or the snapshot file),
    C(edge_state_snapshot), C(edge_state_frontend), C(edge_state_connection_port), C(edge_state_reuse) (the state
    was kept), C(edge_state_run) (names the run the state was read in) and, with O(areas), C(edge_state_areas) -
    the areas whose P(sfb.edge.edge_apply#module) task has something to do (compared as that task compares them, in
    site.yml's order), and C(edge_state_parts) - each area's part of both states
    (C(edge_state_parts.<area>.desired) and C(.current); store handles naming the part where the states are
    handles), what the roles pass to P(sfb.edge.edge_apply#module)."
options:
  areas:
    description: Also decide C(edge_state_areas).
    type: bool
    default: true
  config_refresh:
    description: Plan a new configuration import even when the local store holds this server (for C(edge_state_areas)).
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - sfb.edge.host_state
attributes:
  check_mode:
    support: full
    description: The state is read in check mode too; nothing is changed.
notes:
  - The result's C(state_read) says how the state was read - C(kept) (no call), C(snapshot) or C(live) (one call).
  - "On ansible-core 2.21 and later the facts are set as M(ansible.builtin.set_fact) sets them (variables of the host,
    read as top-level variables without the INJECT_FACTS_AS_VARS deprecation of ansible-core 2.20+; not in
    C(ansible_facts) nor in a fact cache); only role and include parameters and extra variables take precedence.
    Before 2.21 they are set as a module's facts are (host facts); a variable of the same name set with
    C(ansible.builtin.set_fact), in the vars of the play or of a role, or as an extra variable takes precedence over
    them. Either way, do not set them yourself, and read them as variables (C(edge_state_areas)), not from
    C(ansible_facts)."
  - A state kept in a fact cache from another run (C(edge_state_run) names the run) is never kept; it is read again.
"""

EXAMPLES = r"""
- name: Read the state of the edge server and decide the areas to converge
  sfb.edge.host_state:
    facts_from: "{{ sfb_edge_facts_from | default('') }}"
"""

RETURN = r"""
state_read:
  description: How the state was read - C(kept), C(snapshot) or C(live).
  returned: always
  type: str
"""
