# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The registry of the areas: every list of areas the collection has is derived from here.

- :data:`APPLIED`: the areas site.yml applies, in its order - drift.AREAS, sfb.edge.edge_apply's ``area``
  choices (tests/unit/plugins/plugin_utils/test_areas_registry.py holds its DOCUMENTATION to it) and the include_role order of
  playbooks/tasks/converge.yml (same test);
- :data:`REPORTED`: the areas drift.yml reports (drift.REPORT_AREAS), the slicing keys (areas.KEYS);
- :data:`PHASES`: the areas of each part of site.yml (_phase.PART_AREAS, sfb.edge.site_phase);
- :data:`GUARDED`: the areas the lockout guard judges (areas.GUARDED, drift.host_drift);
- the re-read-after-change rule: sfb.edge.edge_apply, whatever its area, sets the fact ``edge_state_stale``
  when it applied (or, from snapshots, planned) a change; hoststate.still_current reads it.

Add an area: one module here (``AREA = Area(...)``) and its line below (CONTRIBUTING.md, "Add an area")."""

from __future__ import annotations

from ansible_collections.sfb.edge.plugins.plugin_utils._areas import (
    certificates, cs_certificates, cs_install, cs_replication, cs_services, hosts_file, identity, network, routes)

_MODULES = (routes, network, hosts_file, identity, certificates, cs_install, cs_certificates, cs_services, cs_replication)
REGISTRY = tuple(sorted((module.AREA for module in _MODULES), key=lambda area: area.order))
BY_NAME = {area.name: area for area in REGISTRY}
REPORTED = tuple(area.name for area in REGISTRY)
APPLIED = tuple(area.name for area in REGISTRY if area.applied)
GUARDED = tuple(area.name for area in REGISTRY if area.guarded)
TIMED = tuple(area.name for area in REGISTRY if area.timed)
# the areas of each part of site.yml (_phase.PART_AREAS)
PHASES = {phase: tuple(area.name for area in REGISTRY if area.phase == phase) for phase in ("windows", "install")}
# area: (sections of the desired state, sections of the gathered state) it reads.
KEYS = {area.name: (area.desired_sections, area.current_sections) for area in REGISTRY}


def get(name):
    """The record of the area ``name``. :raises KeyError: naming the areas there are."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError("%r is not an area (%s)" % (name, ", ".join(REPORTED))) from None
