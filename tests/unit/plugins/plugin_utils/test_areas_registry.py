# -*- coding: utf-8 -*-
"""Issue 22, point 1: the area is the unit. Each area is one module of plugins/plugin_utils/_areas exporting one
record; the registry (_areas/_registry.py) derives every list of areas: drift's tables, the slicing keys, the
guarded set, edge_apply's choices (its DOCUMENTATION literal too), site.yml's converge order and the
re-read-after-change rule (the fact edge_apply sets, which replaces hoststate.CHANGE_RESULTS).

The expected values are written out here by hand: a change of the registry must change this file too."""

from __future__ import annotations

import ast
import copy
import importlib
import os
import pkgutil
import sys
from unittest import mock

import pytest
import yaml

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

import inventory_data  # noqa: E402

from ansible_collections.sfb.edge.plugins.plugin_utils import _edge_apply  # noqa: E402
from ansible_collections.sfb.edge.plugins.action import edge_apply as edge_apply_action  # noqa: E402
from ansible_collections.sfb.edge.plugins.plugin_utils import _parts as areas
from ansible_collections.sfb.edge.plugins.plugin_utils import _desired as desired
from ansible_collections.sfb.edge.plugins.plugin_utils import _drift as drift
from ansible_collections.sfb.edge.plugins.plugin_utils import _hoststate as hoststate
from ansible_collections.sfb.edge.plugins.plugin_utils import _state as state
from ansible_collections.sfb.edge.plugins.plugin_utils import _store as store  # noqa: E402
from ansible_collections.sfb.edge.plugins.plugin_utils import _areas, _phase  # noqa: E402
from ansible_collections.sfb.edge.plugins.plugin_utils._areas import _registry  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
SNAPSHOTS = os.path.join(ROOT, "tests", "snapshots")
OPTIONS = {"frontend": "fe01", "config_refresh": False}

# site.yml's order (routes before the NICs: docs/windows-roles.md), then the area drift.yml only reports.
APPLIED = ("routes", "network", "hosts_file", "identity", "certificates", "cs_install", "cs_certificates", "cs_services")
REPORTED = APPLIED + ("cs_replication",)


# ----------------------------------------------------------------------------------- the records
def test_each_area_module_exports_one_record_named_after_it():
    names = sorted(info.name for info in pkgutil.iter_modules(_areas.__path__) if not info.name.startswith("_"))
    assert names == sorted(REPORTED)
    for name in names:
        module = importlib.import_module("%s.%s" % (_areas.__name__, name))
        records = [value for value in vars(module).values() if isinstance(value, _areas.Area)]
        assert len(records) == 1 and module.AREA is records[0] and module.AREA.name == name
        assert _registry.BY_NAME[name] is module.AREA  # every area module is in the registry


def test_the_registry_in_site_order():
    assert _registry.REPORTED == REPORTED
    assert _registry.APPLIED == APPLIED
    assert [a.order for a in _registry.REGISTRY] == sorted({a.order for a in _registry.REGISTRY})  # unique, ascending
    assert _registry.GUARDED == ("routes", "network")
    assert _registry.TIMED == ("certificates", "cs_certificates")
    with_options = ["cs_install", "cs_certificates", "cs_services", "cs_replication"]
    assert [a.name for a in _registry.REGISTRY if a.options] == with_options
    assert [a.role for a in _registry.REGISTRY] == ["sfb.edge.%s" % name for name in APPLIED] + [None]
    assert _registry.PHASES == {"windows": ("routes", "network", "hosts_file", "identity", "certificates"),
                                "install": ("cs_install", "cs_certificates", "cs_services")}
    assert [a.phase for a in _registry.REGISTRY] == ["windows"] * 5 + ["install"] * 3 + [None]  # windows part first


def test_what_derives_from_the_registry():
    assert drift.AREAS == APPLIED and drift.REPORT_AREAS == REPORTED
    assert list(drift.AREA_FUNCTIONS) == list(REPORTED)
    assert drift.AREA_FUNCTIONS["routes"] is _registry.BY_NAME["routes"].function
    assert list(areas.KEYS) == list(REPORTED) and areas.GUARDED == ("routes", "network")
    assert areas.KEYS["routes"] == (("network", "routes"), ("adapters", "routes"))
    assert areas.KEYS["cs_install"] == (("cs", "identity"), ("computer", "adapters", "cs", "certificates"))
    assert areas.KEYS["cs_replication"] == (("cs",), ("replication",))
    assert _edge_apply.ARGUMENT_SPEC["area"]["choices"] == list(APPLIED)
    assert _phase.PART_AREAS == {"windows": APPLIED[:5], "install": APPLIED[5:], "validate": ()}


def test_an_unknown_area_is_named_with_the_areas_there_are():
    with pytest.raises(KeyError, match="'tls' is not an area \\(routes, network, hosts_file, identity, certificates, "
                                       "cs_install, cs_certificates, cs_services, cs_replication\\)"):
        _registry.get("tls")


def test_the_record_gives_its_part_and_compares():
    goal = desired.build(inventory_data.example(), "edge01")
    current = state.load_snapshot(os.path.join(SNAPSHOTS, "converged"), "edge01")
    record = _registry.BY_NAME["hosts_file"]
    assert record.desired(goal) == {"hosts_file": goal["hosts_file"]}
    assert record.desired({"format": 1}) == {}
    assert record.compare(goal, current)["changes"] == []
    changed = copy.deepcopy(current)
    changed["computer"].update(hostname="OLDNAME", pending_hostname="OLDNAME")
    res = _registry.BY_NAME["identity"].compare(goal, changed, OPTIONS)
    assert [(c["property"], c["before"], c["after"]) for c in res["changes"]] == [("hostname", "OLDNAME", "EDGE01")]
    assert [c["module"] for c in res["calls"]] == ["ansible.windows.win_hostname"]


@pytest.mark.parametrize("scenario", ["fresh", "manual", "stale", "winrm-on-changed-nic", "cs-fresh", "cs-imported",
                                      "cs-stopped-service", "cs-wrong-certificate"])
def test_each_area_calls_only_its_own_modules(scenario):
    goal = desired.build(inventory_data.example(), "edge01")
    current = state.load_snapshot(os.path.join(SNAPSHOTS, scenario), "edge01")
    results, _verdict = drift.host_drift(goal, current, areas=REPORTED, options=OPTIONS)
    for record in _registry.REGISTRY:
        assert {c["module"] for c in results[record.name]["calls"]} <= set(record.modules), record.name


# ----------------------------------------------------------------------------------- what must agree with it
def _documentation(path):
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and [t.id for t in node.targets if isinstance(t, ast.Name)] == ["DOCUMENTATION"]:
            return yaml.safe_load(node.value.value)
    raise AssertionError("no DOCUMENTATION in %s" % path)


def test_edge_apply_documentation_lists_the_registry_areas_in_order():
    doc = _documentation(os.path.join(ROOT, "plugins", "modules", "edge_apply.py"))
    assert doc["options"]["area"]["choices"] == list(_registry.APPLIED)


def test_converge_runs_the_roles_in_the_registry_order():
    with open(os.path.join(ROOT, "playbooks", "tasks", "converge.yml"), encoding="utf-8") as handle:
        tasks = yaml.safe_load(handle)
    roles = [t["ansible.builtin.include_role"]["name"] for t in tasks if "ansible.builtin.include_role" in t]
    assert roles == [a.role for a in _registry.REGISTRY if a.applied]
    for task in tasks:  # each role's task runs when its area differs and belongs to this run's phase
        if "ansible.builtin.include_role" in task:
            name = task["ansible.builtin.include_role"]["name"].split(".")[-1]
            assert "'%s' in edge_state_areas" % name in task["when"] and "'%s' in site_phase.areas" % name in task["when"]
    # the install part's areas, named where the install waits for the identity reboot
    with open(os.path.join(ROOT, "playbooks", "tasks", "converge.yml"), encoding="utf-8") as handle:
        text = handle.read()
    assert text.count("['%s']" % "', '".join(_registry.PHASES["install"])) == 2 == text.count("['cs_")


# ----------------------------------------------------------------------------------- re-read after a change
class _Task:
    def __init__(self, args, check_mode=False):
        self.args = args
        self.check_mode = check_mode
        self.async_val = 0
        self.diff = False
        self.action = "sfb.edge.edge_apply"


def _apply(current, check_mode=False, snapshot=False):
    goal = desired.build(inventory_data.example(), "edge01")
    args = {"area": "identity", "desired": goal, "current": current, "snapshot": snapshot}
    action = edge_apply_action.ActionModule(_Task(args, check_mode), mock.MagicMock(), mock.MagicMock(),
                                            mock.MagicMock(), mock.MagicMock(), mock.MagicMock())
    made = []
    action._execute_module = lambda module_name, module_args, task_vars: made.append(module_name) or {"changed": True}
    return action.run(task_vars={"inventory_hostname": "edge01"}), made


@pytest.fixture()
def run_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "run_directory", lambda: str(tmp_path / "store"))
    return str(tmp_path / "store")


@pytest.mark.parametrize("mode, stale, made", [
    ("live", True, ["ansible.windows.win_hostname"]),
    ("check", False, []),  # nothing applied: the state read before is still the host's
    ("snapshot", True, []),  # a live run would have applied it: the snapshot is read again, as the host would be
    ("converged", False, []),
])
def test_edge_apply_sets_the_stale_fact_that_the_next_read_honours(mode, stale, made, run_dir):
    current = state.load_snapshot(os.path.join(SNAPSHOTS, "converged"), "edge01")
    if mode != "converged":
        current["computer"].update(hostname="OLDNAME", pending_hostname="OLDNAME")
    result, calls = _apply(current, check_mode=mode == "check", snapshot=mode == "snapshot")
    assert calls == made and not result.get("failed")
    assert result.get("ansible_facts") == ({"edge_state_stale": run_dir} if stale else None)
    task_vars = {"edge_state_current": {"format": 1}, "edge_state_run": run_dir,
                 "ansible_facts": result.get("ansible_facts") or {}}
    assert hoststate.still_current(task_vars) is not stale


def test_no_hand_list_of_registered_results():
    assert not hasattr(hoststate, "CHANGE_RESULTS")


@pytest.mark.parametrize("role, register, when", [
    ("identity", "identity_reboot_result", "identity_reboot_result is not skipped"),
    ("cs_install", "cs_install_reboot_result", ["cs_install_reboot_due | bool", "cs_install_reboot | bool"]),  # the reboot's
])
def test_each_reboot_marks_the_state_stale(role, register, when):
    with open(os.path.join(ROOT, "roles", role, "tasks", "main.yml"), encoding="utf-8") as handle:
        text = yaml.safe_load(handle)

    def tasks(items):
        for item in items:
            yield item
            for key in ("block", "rescue", "always"):
                yield from tasks(item.get(key) or [])

    found = list(tasks(text))
    reboots = [t for t in found if "ansible.windows.win_reboot" in t]
    assert [t["register"] for t in reboots] == [register]
    marks = [t for t in found if (t.get("ansible.builtin.set_fact") or {}).get("edge_state_stale") is True]
    assert [t["when"] for t in marks] == [when]
    assert found.index(marks[0]) == found.index(reboots[0]) + 1  # right after the reboot
