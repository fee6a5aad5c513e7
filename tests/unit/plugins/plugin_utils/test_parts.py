# -*- coding: utf-8 -*-
"""areas.py: each edge_apply task gets only its area's part of the desired and gathered state.

The reference is the whole state: for every shipped snapshot scenario, every area's result (and the
lockout guard's verdict for the guarded areas) on the parts equals the result on the whole states,
and a recording mapping shows that no area reads a section its part leaves out.
"""

from __future__ import annotations

import copy
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

import inventory_data  # noqa: E402

from ansible_collections.sfb.edge.plugins.plugin_utils import _parts as areas, _desired as desired, _drift as drift, _state as state  # noqa: E402

SNAPSHOTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__)))), "snapshots")
SCENARIOS = sorted(d for d in os.listdir(SNAPSHOTS) if os.path.isfile(os.path.join(SNAPSHOTS, d, "edge01.json")))
OPTIONS = {"frontend": "fe01", "config_refresh": False}
_DESIRED = {}


class Recording(dict):
    """A mapping that records which of its keys were read."""

    def __init__(self, data, seen):
        super().__init__(data)
        self.seen = seen

    def __getitem__(self, key):
        self.seen.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.seen.add(key)
        return super().get(key, default)

    def __contains__(self, key):
        self.seen.add(key)
        return super().__contains__(key)

    def _all(self):
        self.seen.update(super().keys())

    def keys(self):
        self._all()
        return super().keys()

    def items(self):
        self._all()
        return super().items()

    def values(self):
        self._all()
        return super().values()

    def __iter__(self):
        self._all()
        return super().__iter__()

    def copy(self):
        self._all()
        return dict(self)


def want(host):
    if host not in _DESIRED:
        _DESIRED[host] = desired.build(inventory_data.example_with_certificates(), host,
                                       today=inventory_data.CERTIFICATES_NOW)
    return copy.deepcopy(_DESIRED[host])


def cases():
    for scenario in SCENARIOS:
        for host in ("edge01", "edge02"):
            if os.path.isfile(os.path.join(SNAPSHOTS, scenario, host + ".json")):
                yield scenario, host


def _areas_of(area):
    # what plugins/plugin_utils/_edge_apply.py computes for an area
    return tuple(dict.fromkeys((area,) + (areas.GUARDED if area in areas.GUARDED else ())))


def _run(goal, current, area):
    results, verdict = drift.host_drift(goal, current, ansible_host="172.16.10.11", areas=_areas_of(area),
                                        options=OPTIONS, port=5986)
    return results[area], verdict


@pytest.mark.parametrize("scenario, host", list(cases()))
@pytest.mark.parametrize("area", list(areas.KEYS))
def test_the_part_gives_the_same_result_and_holds_what_the_area_reads(scenario, host, area):
    goal = want(host)
    current = state.load_snapshot(os.path.join(SNAPSHOTS, scenario), host)
    if area == "cs_replication":
        current.setdefault("replication", {"fqdn": goal["cs"]["fqdn"], "up_to_date": False,
                                           "last_status_report": None, "last_update_creation": None})
    whole = _run(copy.deepcopy(goal), copy.deepcopy(current), area)
    parts = areas.split(goal, current, [area])[area]
    assert areas.check_current(parts["current"], area, "test") is parts["current"]
    assert _run(copy.deepcopy(parts["desired"]), copy.deepcopy(parts["current"]), area) == whole
    seen_desired, seen_current = set(), set()
    _run(Recording(copy.deepcopy(goal), seen_desired), Recording(copy.deepcopy(current), seen_current), area)
    want_keys, have_keys = areas.keys(area)
    assert seen_desired <= set(want_keys), (area, seen_desired - set(want_keys))
    assert seen_current <= set(have_keys), (area, seen_current - set(have_keys))


def test_parts_are_small_and_shared():
    goal, current = want("edge01"), state.load_snapshot(os.path.join(SNAPSHOTS, "converged"), "edge01")
    split = areas.split(goal, current)
    assert set(split) == set(areas.KEYS)
    assert "routes" not in split["hosts_file"]["current"] and "routes" not in split["cs_services"]["desired"]
    assert split["routes"]["current"]["routes"] is current["routes"]  # no copy
    # the guarded areas carry the guard's inputs: the connection and both NIC and route sections
    for area in areas.GUARDED:
        assert {"adapters", "routes", "connection", "connection_ports"} <= set(split[area]["current"])
        assert {"network", "routes"} <= set(split[area]["desired"])


def test_check_current_is_as_strict_on_the_sections_it_checks():
    current = state.load_snapshot(os.path.join(SNAPSHOTS, "converged"), "edge01")
    broken = dict(current, routes="not a list")
    with pytest.raises(state.StateError, match="routes"):
        areas.check_current(areas.split({}, broken, ["routes"])["routes"]["current"], "routes", "x")
    with pytest.raises(state.StateError, match="connection is missing"):
        areas.check_current({"format": state.STATE_FORMAT, "adapters": [], "routes": []}, "network", "x")
    with pytest.raises(state.StateError, match="format"):
        areas.check_current({"format": 99}, "identity", "x")
    # a section the area does not read may be broken or absent
    assert areas.check_current({"format": state.STATE_FORMAT, "computer": current["computer"], "routes": 5},
                               "identity", "x")
