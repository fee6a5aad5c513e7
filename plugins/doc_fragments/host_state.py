# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options and attributes shared by the host actions that read an edge server's state (host_state, host_drift,
host_validation: plugins/plugin_utils/hoststate.py)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  facts_from:
    description:
      - The snapshot directory; empty - gather live.
      - When not given, the host's C(sfb_edge_facts_from) (empty when unset). The collection's playbooks leave it
        out, since a task argument that is a template costs a template compilation per host.
    type: str
  again:
    description: Read the state again even when the one read earlier in the run is still current (after a reboot).
    type: bool
    default: false
  hosts:
    description:
      - Offline mode, for a task with C(run_once=true) - the collection's playbooks give the play's hosts
        (C(ansible_play_hosts)). The action does its work for every host of the list whose state comes from a
        snapshot (O(facts_from), else that host's C(sfb_edge_facts_from)) and whose C(sfb_edge_offline_one_task)
        is not false, with that host's variables
        (C(hostvars)), in this one task - no host is contacted, so none needs a task of its own (Ansible's
        per-task cost for each host is most of a converged host's time; docs/performance.md).
      - The result has RV(hosts) (what each host's own task would have returned, keyed by host, with its
        C(fail_msg) when it failed) and RV(left) (the hosts read live, for the playbook's per-host task). It sets
        no fact and never fails for one host.
    type: list
    elements: str
  refresh_html:
    description: In offline mode, refresh C(report.html) of the pool of each report written (as
      P(sfb.edge.report_files#module) does with C(html_report), also in check mode).
    type: bool
    default: false
  kept:
    description:
      - The registered result of P(sfb.edge.host_state#module) in offline mode earlier in the run. A host that has
        no state fact of its own uses the state kept there, when nothing was applied to it since (state_read
        C(kept), no call) - as the facts of its own P(sfb.edge.host_state#module) task would.
    type: raw
attributes:
  diff_mode:
    support: none
  platform:
    platforms: windows
"""
