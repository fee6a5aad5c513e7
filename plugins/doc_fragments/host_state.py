# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options and attributes shared by the host actions that read an edge server's state (host_state, host_drift,
host_validation: plugins/plugin_utils/_hoststate.py)."""

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
attributes:
  diff_mode:
    support: none
  platform:
    platforms: windows
"""
