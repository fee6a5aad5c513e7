# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Documentation only: sfb.edge.host_drift runs on the controller (plugins/action/host_drift.py).

DOCUMENTATION = r"""
module: host_drift
author: sfb.edge contributors (!UNKNOWN)
version_added: 0.4.0
short_description: Internal, not a public API - an edge server's drift in one task (read the state, compare, write, show, summarise)
description:
  - Internal to the collection's roles and playbooks, not a public API - it takes what only a run of them holds (the
    validation step's registered result, the store's handles, the state read earlier in the run). Its options and
    results may change in any release without a deprecation; use the playbooks or the roles instead.
  - Reads the host's state as P(sfb.edge.host_state#module) does (kept from earlier in the run, the snapshot, or one
    P(sfb.edge.edge_facts#module) call), computes the drift (P(sfb.edge.drift#filter)), writes
    C(<report_dir>/<pool FQDN>/drift/<inventory_hostname>.json) (atomically, as P(sfb.edge.report_files#module); an
    output, not a change - also in check mode, always C(changed=false)), returns the readable report
    (P(sfb.edge.drift_report#filter)) as its message, printed like a debug task's, and publishes the host's entry
    of C(sfb_drift_summary) (what C(ansible.builtin.set_stats) does, for AWX/AAP).
  - The task itself does not fail on drift, so the summary is published (Ansible drops the stats of a failed
    task); with O(fail=true) and drift it returns RV(fail_msg), which the playbook's next task fails with.
options:
  report_dir:
    description:
      - The plan directory; the report goes to its C(<pool>/drift/) subdirectory.
      - When not given, the run's plan directory decided by the validation step (C(plan_validation.plan_dir), see
        P(sfb.edge.plan_validation#module)), else the host's C(sfb_edge_plan_dir) resolved as plan.yml resolves it.
    type: path
  fail:
    description:
      - Return RV(fail_msg) when the host has drifted.
      - When not given, the host's C(sfb_edge_fail_on_drift) (false when unset).
    type: bool
  replicas:
    description: The C(replicas) of P(sfb.edge.cs_replication#module) run on the Front End; this edge's entry
      replaces the state's C(replication).
    type: list
    elements: dict
    default: []
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - sfb.edge.host_state
attributes:
  check_mode:
    support: full
    description: The report is written in check mode too (a check run's drift report is what it is for).
"""

EXAMPLES = r"""
- name: Drift of the edge server
  sfb.edge.host_drift:
    report_dir: /srv/sfb-edge/plan
    facts_from: snapshots/
    fail: true
  register: my_drift

- name: Fail when the host has drifted
  ansible.builtin.fail:
    msg: "{{ my_drift.fail_msg }}"
  when: my_drift.fail_msg is defined
"""

RETURN = r"""
msg:
  description: The readable report, one line per change, problem, guarded change and note.
  returned: success
  type: list
  elements: str
report:
  description: The path of the report written.
  returned: success
  type: str
report_dir:
  description: The plan directory the report went under (O(report_dir), else the one the action decided).
  returned: success
  type: str
  version_added: 0.5.0
in_sync:
  description: Whether the host is in sync.
  returned: success
  type: bool
state_read:
  description: How the state was read - C(kept), C(snapshot) or C(live).
  returned: always
  type: str
fail_msg:
  description: With O(fail=true), when the host has drifted - the failure message (the report's first line and path).
  returned: when the host should fail
  type: str
"""
