# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Documentation only: sfb.edge.plan_files runs on the controller (plugins/action/plan_files.py).

DOCUMENTATION = r"""
module: plan_files
author: sfb.edge contributors (!UNKNOWN)
version_added: 0.4.0
short_description: Validate the edge inventory once and write the plan of every edge pool, in one controller task
description:
  - What C(playbooks/plan.yml) (the P(sfb.edge.plan#role) role) does, in one task on the controller - each Ansible
    task costs a round of Ansible's own work (a worker process, the host's variables, the result) whatever it does.
  - Reads the C(sfb_edge_*) variables of every host of the group C(edge_servers) once, from the task's C(hostvars)
    (as P(sfb.edge.edge_inventory#filter) does; a variable that holds no template is taken as the inventory gives
    it, the others are templated under their host's variables), validates them once and computes the plan of every
    pool from that one validation (P(sfb.edge.plan#filter)).
  - Shows each warning finding as an Ansible warning. On any error finding it fails, every error listed on a line
    of its own above the failure and named again in the failure's message, and writes nothing.
  - Writes C(<plan dir>/<pool FQDN>/plan.json) (docs/plan-format.md), C(plan.md) (the Edge Admin Report),
    C(firewall.csv) and C(report.html) of every pool, as P(sfb.edge.report_files#module) does with C(plans) - each
    file atomically, a file that already has the content left alone, never a change.
  - Publishes C(sfb_plan_summary) in the run's custom stats (what M(ansible.builtin.set_stats) does, aggregated;
    an AWX/AAP job's artifacts, docs/awx.md) and prints it with the directory of the plan.
  - The host of the task is never contacted, whatever its connection.
options:
  plan_dir:
    description:
      - The directory of the plan; a relative path is relative to the current directory.
      - Default C(sfb_edge_plan_dir) resolved against the inventory directory (the play host's C(inventory_dir),
        else the one of the first edge server); C(./plan) when it is unset. A directory inside a directory given
        as an inventory source is refused (Ansible would read the reports as inventory files on the next run).
    type: str
  read_certificates:
    description: Read the certificate files named in C(sfb_edge_certificates) on the controller and check them.
    type: bool
    default: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    description: In check mode the inventory is validated and the plan computed, and nothing is written.
  diff_mode:
    support: none
  platform:
    support: full
    platforms: posix
    description: Runs on the controller only.
notes:
  - No secret is part of the result or the files (certificate passwords stay in the inventory).
seealso:
  - module: sfb.edge.plan_validation
  - module: sfb.edge.report_files
"""

EXAMPLES = r"""
- name: Validate the inventory and write the plan of every edge pool
  sfb.edge.plan_files:
    plan_dir: /srv/sfb-edge/plans
"""

RETURN = r"""
changed:
  description: Always V(false) - the plan is an output of the run, not a change.
  returned: always
  type: bool
msg:
  description: Where the plan is (or would be, in check mode).
  returned: success
  type: str
ansible_stats:
  description:
    - "The run's custom stats (as M(ansible.builtin.set_stats) returns them), C(data.sfb_plan_summary) -
      C({<pool FQDN>: {servers, findings: {error, warning}, files}}), C(files) being the paths of C(plan.json),
      C(plan.md), C(firewall.csv) and C(report.html)."
  returned: success
  type: dict
"""
