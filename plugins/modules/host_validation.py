# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Documentation only: sfb.edge.host_validation runs on the controller (plugins/action/host_validation.py).

DOCUMENTATION = r"""
module: host_validation
author: sfb.edge contributors (!UNKNOWN)
version_added: 0.4.0
short_description: Internal, not a public API - validate an installed edge server in one task (read, check, write, show, summarise)
description:
  - Internal to the collection's roles and playbooks, not a public API - it takes what only a run of them holds (the
    validation step's registered result, the store's handles, the Front End's probe results). Its options and results
    may change in any release without a deprecation; use the playbooks or the roles instead.
  - Reads the host's state as P(sfb.edge.host_state#module) does (in site.yml, the state the converge play read when
    nothing was applied since - no call), evaluates the checks (listening sockets, services, certificates; docs/cs-roles.md) with the Front End's
    probes and replication status, writes C(<report_dir>/<pool FQDN>/validate/<inventory_hostname>.json) and
    C(.md) (atomically; outputs, not changes - also in check mode, always C(changed=false)), returns the table
    (a Markdown pass/fail table) as its message, printed like a debug task's, and publishes the host's
    entry of C(sfb_validation_summary) (what C(ansible.builtin.set_stats) does, for AWX/AAP).
  - The task itself does not fail, so the summary is published; with O(fail=true) and a failed check it returns
    RV(fail_msg), which the playbook's next task fails with.
options:
  report_dir:
    description:
      - The plan directory; the reports go to its C(<pool>/validate/) subdirectory.
      - When not given, the run's plan directory decided by the validation step (C(plan_validation.plan_dir), see
        P(sfb.edge.plan_validation#module)), else the host's C(sfb_edge_plan_dir) resolved as plan.yml resolves it.
    type: path
  fail:
    description: Return RV(fail_msg) when a check failed.
    type: bool
    default: true
  probes:
    description: The C(results) of P(sfb.edge.tcp_probe#module) run on the Front End; omitted - the probes are skipped.
    type: list
    elements: dict
  replicas:
    description: The C(replicas) of P(sfb.edge.cs_replication#module) run on the Front End.
    type: list
    elements: dict
    default: []
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - sfb.edge.host_state
attributes:
  check_mode:
    support: full
    description: The reports are written in check mode too.
"""

EXAMPLES = r"""
- name: Validate the edge server
  sfb.edge.host_validation:
    report_dir: /srv/sfb-edge/plan
  register: my_validation

- name: Fail when a check failed
  ansible.builtin.fail:
    msg: "{{ my_validation.fail_msg }}"
  when: my_validation.fail_msg is defined
"""

RETURN = r"""
msg:
  description: The lines of the pass/fail table.
  returned: success
  type: list
  elements: str
report:
  description: The path of the Markdown report written (the JSON report is beside it).
  returned: success
  type: str
report_dir:
  description: The plan directory the report went under (O(report_dir), else the one the action decided).
  returned: success
  type: str
  version_added: 0.5.0
passed:
  description: Whether every check passed (skipped checks never fail).
  returned: success
  type: bool
state_read:
  description: How the state was read - C(kept), C(snapshot) or C(live).
  returned: always
  type: str
fail_msg:
  description: With O(fail=true), when a check failed - the failure message (the failed checks and the report's path).
  returned: when the host should fail
  type: str
"""
