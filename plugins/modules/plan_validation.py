# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Documentation only: sfb.edge.plan_validation runs on the controller (plugins/action/plan_validation.py).

DOCUMENTATION = r"""
module: plan_validation
author: sfb.edge contributors (!UNKNOWN)
version_added: 0.4.0
short_description: Internal, not a public API - the playbooks' validation step, the desired states of the play's hosts kept for the run
description:
  - Internal to the collection's roles and playbooks, not a public API - its result holds handles of the controller's
    store of the run, which the host actions and the roles read back, and O(reuse) takes its result from earlier in
    the run. Its options and results may change in any release without a deprecation; use the playbooks or the roles
    instead.
  - The validation step of the collection's playbooks (the P(sfb.edge.plan#role) role's C(validate.yml), run once
    per play before anything touches a host), in one task on the controller.
  - Reads the C(sfb_edge_*) variables of every host of the group C(edge_servers) once, from the task's C(hostvars)
    (as P(sfb.edge.edge_inventory#filter) does), validates them once and computes the desired state of each host of
    O(desired_hosts) from that one validation, kept in the controller's store of the run
    (each a small handle, RV(hosts)).
  - Also decides site.yml's phase (RV(phase)) from C(sfb_edge_phase) and the run's tags.
  - Shows each warning finding as an Ansible warning. On any error finding it fails, every error listed on a line
    of its own above the failure and named again in the failure's message.
  - The host of the task is never contacted, whatever its connection.
options:
  desired_hosts:
    description: Inventory hostnames of edge servers whose desired state to compute (normally the play's hosts).
    type: list
    elements: str
    default: []
  read_certificates:
    description: Read the certificate files named in C(sfb_edge_certificates) on the controller and check them.
    type: bool
    default: true
  reuse:
    description:
      - A C(plan_validation) registered earlier in the same run (site.yml's converge play passes it to the validation
        play). When it is a successful validation that holds the desired state of every host of O(desired_hosts), it
        is returned as it is (RV(reused)) - the inventory is neither read nor validated again. Anything else
        (undefined, skipped, failed, a host missing) validates as without it.
    type: raw
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    support: full
    platforms: posix
    description: Runs on the controller only.
notes:
  - No secret is part of the result (certificate passwords stay in the inventory).
seealso:
  - module: sfb.edge.plan_files
"""

EXAMPLES = r"""
- name: Validate the edge inventory (every error is listed; nothing is contacted)
  sfb.edge.plan_validation:
    desired_hosts: "{{ ansible_play_hosts_all }}"
  register: plan_validation
  run_once: true
"""

RETURN = r"""
changed:
  description: Always V(false).
  returned: always
  type: bool
findings:
  description: The findings of the validation (docs/findings.md) - warnings only, since errors fail the task.
  returned: success
  type: list
  elements: dict
hosts:
  description:
    - "C({<inventory hostname>: handle}): for each host of O(desired_hosts), the handle of its desired state in the
      controller's store (C(host), C(pool), C(cs) and the SHA-256 C(digest) of the stored state), which the
      collection's actions read back; the desired state is C(edge_state_desired) of P(sfb.edge.host_state#module)."
  returned: success
  type: dict
frontend:
  description:
    - The Front End of the play's host - C(sfb_edge_frontend_host), else the first host of the group C(front_ends);
      an empty string when the inventory has none. The collection's playbooks delegate their run-once Front End
      tasks (export, replication, probes) to it; the host actions decide C(edge_state_frontend) the same way.
  returned: success
  type: str
plan_dir:
  description:
    - The run's plan directory, absolute and real - C(sfb_edge_plan_dir) of the play's host resolved as
      P(sfb.edge.plan_files#module) resolves it (relative to the inventory directory; C(plan) in the current
      directory when unset). The host actions write their reports under it when their C(report_dir) is not
      given, and the playbooks refresh C(<plan_dir>/<pool>/report.html). A directory inside an inventory source
      fails the task, before any host is contacted.
  returned: success
  type: str
phase:
  description:
    - "The parts of site.yml this run does, from C(sfb_edge_phase) (of the play's host; V(null) or empty - all)
      and the run's tags (C(ansible_run_tags), C(ansible_skip_tags)) - C(parts) (of C(windows), C(install),
      C(validate), in that order), C(phase) (C(all) or the parts joined by commas), C(areas) (the converge areas of
      those parts), C(deferred) (the converge areas left to another phase), and C(error) (a message naming the
      value and the choices) when the phase or the tags are not understood (site.yml then fails with it)."
    - site.yml reads it as C(plan_validation.phase); docs/cs-roles.md describes the phases.
  returned: success
  type: dict
  version_added: 0.5.0
reused:
  description: V(true) when O(reuse) was returned as it is (no validation).
  returned: when O(reuse) was used
  type: bool
"""
