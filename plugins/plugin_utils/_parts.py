# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each area's part of the desired and of the gathered state.

site.yml runs one sfb.edge.edge_apply task per area; each gets only the top-level sections of the
desired state (:mod:`desired`) and of the gathered state (:mod:`state`) its area reads - not the
whole of both, eight times per host.  The areas the lockout guard watches (routes, network) also get
what the guard reads: both of them and the controller's connection.  tests/unit/plugins/plugin_utils/test_parts.py
records what every area function really reads and checks these lists against it.
"""

from __future__ import annotations

from ansible_collections.sfb.edge.plugins.plugin_utils import _state
from ansible_collections.sfb.edge.plugins.plugin_utils._areas import _registry

# Always part of a slice: small, and named in messages.
DESIRED_ALWAYS = ("format", "host", "pool")
CURRENT_ALWAYS = ("format",)

# The areas whose changes the lockout guard may block; their drift is computed with the guard's inputs.
GUARDED = _registry.GUARDED
GUARD_DESIRED = ("network", "routes")
GUARD_CURRENT = ("adapters", "routes", "connection", "connection_ports")

# area: (sections of the desired state, sections of the gathered state) it reads - each area module's record
# (plugins/plugin_utils/_areas/<area>.py), in the registry's order.
KEYS = _registry.KEYS


def keys(area):
    """``(desired sections, gathered sections)`` an edge_apply task of ``area`` needs, in a stable order."""
    want, have = KEYS[area]
    if area in GUARDED:
        want, have = want + GUARD_DESIRED, have + GUARD_CURRENT
    return tuple(dict.fromkeys(DESIRED_ALWAYS + want)), tuple(dict.fromkeys(CURRENT_ALWAYS + have))


def part(data, names):
    """The sections ``names`` of ``data`` that it has (a section that is absent stays absent)."""
    return {name: data[name] for name in names if name in data}


def split(desired, current, areas=None):
    """``{area: {"desired": part, "current": part}}`` for ``areas`` (default: every area of :data:`KEYS`).
    The parts share their sections with ``desired`` and ``current`` (no copy)."""
    result = {}
    for area in areas or KEYS:
        want, have = keys(area)
        result[area] = {"desired": part(desired, want), "current": part(current, have)}
    return result


def check_current(current, area, where):
    """:func:`state.check` of the sections ``area`` reads (each of them as strictly as in the whole state);
    the other sections may be absent.  A whole state (every required section present) is checked whole.
    :raises state.StateError: as :func:`state.check`."""
    whole = isinstance(current, dict) and all(name in current for name, field in _state.SCHEMA.fields.items()
                                              if field.required)
    if whole or not isinstance(current, dict) or current.get("format") != _state.STATE_FORMAT:
        return _state.check(current, where=where)  # a whole state is checked whole, as before
    _want, have = keys(area)
    schema = _state.Map({name: _state.SCHEMA.fields[name] for name in have if name in _state.SCHEMA.fields})
    found = _state.problems(current, schema)
    if found:
        _state._fail(where, found, _state.HINT)  # pylint: disable=protected-access
    return current
