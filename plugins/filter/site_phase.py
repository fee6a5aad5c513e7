# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sfb.edge.site_phase filter."""

from __future__ import annotations

DOCUMENTATION = r"""
name: site_phase
author: sfb.edge contributors
version_added: 0.5.0
short_description: The parts of site.yml a run does, from sfb_edge_phase and the run's tags
description:
  - site.yml has three parts, in this order - C(windows) (the areas routes, network, hosts_file, identity,
    certificates), C(install) (cs_install, cs_certificates, cs_services) and C(validate) (the validation play).
  - The variable C(sfb_edge_phase) is the source of truth - C(all) (default), one part, or several (a list or a
    comma-separated string). The tags C(windows), C(install) (alias C(cs)) and C(validate) map onto it; a
    variable and tags that select different parts, an unknown phase or an unknown tag give an C(error).
deprecated:
  removed_in: "0.7.0"
  removed_from_collection: sfb.edge
  why: Internal plumbing of the playbooks and roles; its logic now runs inside the actions (issue 22, point 4).
  alternative: Use the phase of sfb.edge.plan_validation's result (plan_validation.phase); docs/porting.md.
options:
  _input:
    description: The value of C(sfb_edge_phase) (V(null) or empty - not set).
    type: raw
    required: true
  run_tags:
    description: C(ansible_run_tags).
    type: list
    elements: str
    default: [all]
  skip_tags:
    description: C(ansible_skip_tags).
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: The parts of this run
  ansible.builtin.debug:
    msg: "{{ sfb_edge_phase | default(none) | sfb.edge.site_phase(ansible_run_tags, ansible_skip_tags) }}"
  # -e sfb_edge_phase=windows, or --tags windows -> {parts: [windows], phase: windows, areas: [routes, ...],
  #                                                   deferred: [cs_install, cs_certificates, cs_services]}
"""

RETURN = r"""
_value:
  description:
    - C(parts) (the parts to run, in order), C(phase) (C(all) or the parts joined by commas), C(areas) (the
      converge areas of those parts), C(deferred) (the converge areas left to another phase), and C(error) (a
      message naming the value and the choices) when the phase or the tags are not understood.
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.edge.plugins.plugin_utils import _steps


def site_phase(phase, run_tags=None, skip_tags=None):
    """Deprecated (removed in 0.7.0): :func:`_steps.site_phase`."""
    try:
        return _steps.site_phase(phase, run_tags, skip_tags)
    except _steps.StepError as exc:
        raise AnsibleFilterError(str(exc)) from None


class FilterModule:
    def filters(self):
        return {"site_phase": site_phase}
