# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Documentation only: sfb.edge.firewall_proof runs on the controller (plugins/action/firewall_proof.py).

DOCUMENTATION = r"""
module: firewall_proof
author: sfb.edge contributors (!UNKNOWN)
version_added: 0.5.0
short_description: Internal, not a public API - the controller steps of the firewall proof role
description:
  - Internal to the collection's roles and playbooks, not a public API -
    the P(sfb.edge.firewall_proof#role) role runs it; it is not meant to be called otherwise - its
    options take the role's in-run values (the registered decision, probe results), and may change without notice.
    Run the role (C(playbooks/firewall_proof.yml)); see the collection's docs/firewall-proof.md.
  - O(step=plan) - decides, once for every edge of the play, the temporary listeners per host, the probes per probe
    host and the refusals (what the deprecated filter P(sfb.edge.firewall_proof_plan#filter) returned).
  - O(step=probes) - the targets of the role's three probe calls for the servers whose listeners are open (what the
    deprecated filter P(sfb.edge.firewall_proof_probes#filter) returned for each probe host).
  - O(step=report) - one host's verdict per firewall rule and its Markdown lines (what the deprecated filters
    P(sfb.edge.firewall_proof_report#filter) and P(sfb.edge.firewall_proof_table#filter) returned).
  - The host of the task is never contacted, whatever its connection.
options:
  step:
    description: The step of the role.
    type: str
    required: true
    choices: [plan, probes, report]
  inventory:
    description: O(step=plan) - the output of P(sfb.edge.edge_inventory#filter).
    type: raw
  hosts:
    description: O(step=plan) - the inventory hostnames of the edge servers to prove.
    type: raw
  states:
    description: "O(step=plan) - C({host: gathered state or its store handle}) of each of O(hosts)."
    type: raw
  frontend:
    description: The Front End that probes the internal rules (O(step=plan), O(step=probes), O(step=report)); empty -
      internal rules are not tested.
    type: raw
  probe:
    description: The probe host outside the perimeter (O(step=plan), O(step=probes), O(step=report)); empty - external
      rules are not tested.
    type: raw
  probe_connection:
    description: O(step=plan) - the probe host's C(ansible_connection) and C(ansible_shell_type) (Windows or not).
    type: raw
  mode:
    description: O(step=plan) - C(live), C(check) or C(snapshot).
    type: raw
  duration:
    description: Seconds the listeners stay open, 30 to 3600 (O(step=plan); O(step=report) - the decision's, recorded).
    type: raw
  probe_timeout_ms:
    description: O(step=plan) - milliseconds each probe call waits, 1 to 60000.
    type: raw
  inventory_hosts:
    description: O(step=plan) - every host of the inventory (C(groups['all'])); required with O(frontend) or O(probe).
    type: raw
  plans:
    description: O(step=probes) - the proof plans (C(hosts) values of O(step=plan)) of the servers whose listeners are open.
    type: raw
  plan:
    description: O(step=report) - this host's proof plan (its C(hosts) value of O(step=plan)).
    type: raw
  internal:
    description: O(step=report) - the registered result of the Front End's probe task; omitted - not run.
    type: raw
  external_windows:
    description: O(step=report) - the registered result of the probe host's P(sfb.edge.tcp_probe#module) task; omitted - not run.
    type: raw
  external_posix:
    description: O(step=report) - the registered result of the probe host's P(sfb.edge.port_probe#module) task; omitted - not run.
    type: raw
  opened:
    description: O(step=report) - the C(opened) of P(sfb.edge.edge_port_listener#module).
    type: raw
  received:
    description: "O(step=report) - C({host: received}) of every server of the play (what the listeners counted)."
    type: raw
  source:
    description: O(step=report) - where the state came from (recorded in the report).
    type: raw
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    description: Decides and reports in check mode too (the plan's mode says C(check)); it changes nothing.
  diff_mode:
    support: none
  platform:
    support: full
    platforms: posix
    description: Runs on the controller only.
seealso:
  - module: sfb.edge.edge_port_listener
  - module: sfb.edge.tcp_probe
  - module: sfb.edge.port_probe
"""

EXAMPLES = r"""
# Internal to the sfb.edge.firewall_proof role (roles/firewall_proof/tasks/main.yml); run the role instead.
- name: The verdict per firewall rule (controller)
  sfb.edge.firewall_proof:
    step: report
    plan: "{{ firewall_proof_decision.hosts[inventory_hostname] }}"
    frontend: fe01
    internal: "{{ firewall_proof_internal }}"
    source: live
  register: firewall_proof_result
"""

RETURN = r"""
changed:
  description: Always V(false).
  returned: always
  type: bool
duration:
  description: O(step=plan) - the seconds the listeners stay open.
  returned: O(step=plan)
  type: int
probe_timeout_ms:
  description: O(step=plan) - the milliseconds each probe call waits.
  returned: O(step=plan)
  type: int
hosts:
  description: "O(step=plan) - C({host: {host, pool, mode, probes, listeners, rules, refusals}}); see docs/firewall-proof.md."
  returned: O(step=plan)
  type: dict
refusals:
  description: O(step=plan) - why nothing may be opened (every host's); empty - the proof may go ahead.
  returned: O(step=plan)
  type: list
  elements: str
probes:
  description: "O(step=plan) - C({probe host: [{protocol, host, port}]})."
  returned: O(step=plan)
  type: dict
internal:
  description: "O(step=probes) - the Front End's targets, C([{host, port}]) (TCP; P(sfb.edge.tcp_probe#module))."
  returned: O(step=probes)
  type: list
  elements: dict
external_tcp:
  description: "O(step=probes) - the probe host's TCP targets, C([{host, port}]) (P(sfb.edge.tcp_probe#module))."
  returned: O(step=probes)
  type: list
  elements: dict
external:
  description: "O(step=probes) - the probe host's targets, C([{protocol, host, port}]) (P(sfb.edge.port_probe#module))."
  returned: O(step=probes)
  type: list
  elements: dict
report:
  description: "O(step=report) - C({format, host, pool, mode, source, duration, probes, sampling, listeners, opened,
    summary, rules, made}); see docs/firewall-proof.md."
  returned: O(step=report)
  type: dict
markdown:
  description: O(step=report) - the report as Markdown lines (the C(.md) file).
  returned: O(step=report)
  type: list
  elements: str
"""
