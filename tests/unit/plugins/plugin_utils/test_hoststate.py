# -*- coding: utf-8 -*-
"""The shared state read of the host actions (plugins/plugin_utils/_hoststate.py) and the actions' outputs."""

from __future__ import annotations

import json
import os
import shutil
from unittest import mock

import sys

import pytest

from ansible.errors import AnsibleActionFail

from ansible_collections.sfb.edge.plugins.action import host_drift, host_state, host_validation
from ansible_collections.sfb.edge.plugins.plugin_utils import _hoststate as hoststate, _store as store

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
SNAPSHOTS = os.path.join(ROOT, "tests", "snapshots")
DESIRED = {"host": "edge01", "pool": "edgepool.corp.example.com",
           "cs": {"fqdn": "edge01.corp.example.com", "module_path": "C:/m", "install_dir": "C:/i",
                  "services": ["RTCSRV"], "features": ["Web-Server"]}}


@pytest.fixture(autouse=True)
def run_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "run_directory", lambda: str(tmp_path / "store"))
    return str(tmp_path / "store")


class _Task:
    def __init__(self, args, check_mode=False):
        self.args = args
        self.check_mode = check_mode
        self.action = "sfb.edge.host_state"
        self.async_val = 0
        self.environment = None

    def get_name(self):
        return self.action


class _Templar:
    """Inventory values as plain strings: template() gives them back as they are."""

    def template(self, value):
        return value


def _action(cls, args, check_mode=False, gathered=None):
    action = cls(_Task(args, check_mode), mock.MagicMock(), mock.MagicMock(), mock.MagicMock(), _Templar(),
                 mock.MagicMock())
    calls = []

    def execute(module_name, module_args, task_vars):
        calls.append((module_name, module_args, action._task.check_mode))
        return gathered if gathered is not None else {"failed": True, "msg": "no gathered state given"}

    action._execute_module = execute
    # what ansible-core 2.21+ records in the task's context (none here): the variables the action registers
    action.registered = []
    action.register_host_variables = lambda variables, layer: action.registered.append((layer, variables))
    return action, calls


def _vars(**extra):
    data = {"inventory_hostname": "edge01", "plan_validation": {"hosts": {"edge01": DESIRED}}, "groups": {}}
    data.update(extra)
    return data


@pytest.mark.parametrize("connection, ports, port", [
    ({"ansible_connection": "psrp", "ansible_port": 15986}, [15986], 15986),
    ({"ansible_connection": "winrm", "ansible_winrm_port": 5985}, [5985], 5985),
    ({}, [5985, 5986], None),
])
def test_live_read_is_one_edge_facts_call_with_the_roles_arguments(connection, ports, port):
    action, calls = _action(host_state.ActionModule, {}, check_mode=True, gathered={"state": {"format": 1}})
    facts, read, failure = action.read_state(_vars(**connection), "", False)
    assert (read, failure) == ("live", None)
    # one call, the arguments of the edge_state role's former gathering task, never in check mode
    assert calls == [("sfb.edge.edge_facts", {"connection_ports": ports, "cs": {
        "module_path": "C:/m", "install_dir": "C:/i", "services": ["RTCSRV"], "features": ["Web-Server"]}}, False)]
    assert action._task.check_mode is True  # the task's own check mode is back
    assert facts["edge_state_current"] == {"format": 1} and facts["edge_state_source"] == "live"
    assert facts["edge_state_connection_port"] == port and facts["edge_state_desired"] is DESIRED
    # what the former connection_ports filter gives for the same variables (the role's former argument)
    from ansible_collections.sfb.edge.plugins.plugin_utils._steps import connection_ports

    variables = {name: connection.get(name, "") for name in hoststate.CONNECTION_VARS}
    assert (connection_ports(variables), connection_ports(variables, single=True)) == (ports, port)


def test_a_failed_gathering_names_the_host_and_the_module():
    action, _calls = _action(host_state.ActionModule, {}, gathered={"failed": True, "msg": "WinRM: access denied"})
    _facts, read, failure = action.read_state(_vars(), "", False)
    assert read == "live" and failure["failed"] is True
    assert failure["msg"] == "edge01: reading the state with sfb.edge.edge_facts failed: WinRM: access denied"


def test_snapshot_read_keeps_the_checked_state_in_the_store(tmp_path):
    action, calls = _action(host_state.ActionModule, {})
    facts, read, _failure = action.read_state(_vars(), os.path.join(SNAPSHOTS, "converged"), False)
    assert read == "snapshot" and calls == []
    handle = facts["edge_state_current"]
    with open(os.path.join(SNAPSHOTS, "converged", "edge01.json"), encoding="utf-8") as f:
        assert store.load(handle) == json.load(f)
    assert handle["checked"] is True and handle["host"] == "edge01"
    assert facts["edge_state_source"] == "snapshot %s/edge01.json" % os.path.join(SNAPSHOTS, "converged")


def test_missing_snapshot_names_the_file(tmp_path):
    action, _calls = _action(host_state.ActionModule, {})
    with pytest.raises(AnsibleActionFail, match="no snapshot for edge01: %s" % (tmp_path / "edge01.json")):
        action.read_state(_vars(), str(tmp_path), False)


@pytest.mark.parametrize("marks, again, current", [
    ({}, False, True),
    ({}, True, False),  # edge_state_again: always read again
    ({"ansible_facts": {"edge_state_stale": "RUN"}}, False, False),  # an edge_apply task changed the host in this run
    ({"ansible_facts": {"edge_state_stale": "/tmp/other-run"}}, False, True),  # a fact cache of another run
    ({"ansible_facts": {}, "edge_state_stale": True}, False, False),  # a reboot task's set_fact
    ({"edge_state_stale": "RUN"}, False, False),  # the fact where facts are variables
    ({"edge_state_stale": False}, False, True),
    # issue 22, point 1: a registered result decides nothing any more (CHANGE_RESULTS is gone): the fact does
    ({"routes_result": {"changed": True, "applied": True}}, False, True),
    ({"my_own_apply": {"changed": True, "applied": True}, "ansible_facts": {"edge_state_stale": "RUN"}}, False, False),
])
def test_state_kept_only_while_nothing_was_applied(marks, again, current, run_dir):
    def resolve(value):
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        return run_dir if value == "RUN" else value

    task_vars = dict(_vars(edge_state_current={"x": 1}, edge_state_run=run_dir), **resolve(marks))
    assert hoststate.still_current(task_vars, again) is current


@pytest.mark.parametrize("result, stale", [
    ({"changed": True, "applied": True}, True),  # applied
    ({"changed": True, "applied": False}, False),  # check mode: nothing applied
    ({"changed": True, "applied": False, "snapshot": True}, True),  # from snapshots: a live run would apply it
    ({"changed": False, "applied": True}, False),  # converged
    ({"changed": False, "applied": False, "snapshot": True}, False),
    ({"changed": True, "failed": True}, True),  # failed part-way: what ran may have changed the host
])
def test_edge_apply_marks_the_state_stale_when_it_changed_the_host(result, stale, run_dir):
    assert hoststate.stale_facts(result) == ({"edge_state_stale": run_dir} if stale else {})


def test_state_of_another_run_is_never_kept(run_dir):
    """A fact cache that outlives the run (jsonfile) must not give the next run an old state."""
    assert hoststate.still_current(_vars(edge_state_current={"x": 1}, edge_state_run=run_dir)) is True
    assert hoststate.still_current(_vars(edge_state_current={"x": 1}, edge_state_run="/tmp/other-run")) is False
    assert hoststate.still_current(_vars(edge_state_run=run_dir)) is False  # nothing read yet
    # a state a play of this run set itself (tests/integration/test_firewall_proof_playbook.py) is kept
    assert hoststate.still_current(_vars(edge_state_current={"x": 1})) is True


def test_kept_state_makes_no_call(run_dir):
    action, calls = _action(host_state.ActionModule, {})
    current = {"format": 1}
    facts, read, _failure = action.read_state(
        _vars(edge_state_current=current, edge_state_run=run_dir, edge_state_source="live"), "snapshots", False)
    assert (read, calls, facts["edge_state_current"], facts["edge_state_reuse"]) == ("kept", [], current, True)


def test_bad_option_names_host_option_and_value():
    action, _calls = _action(host_drift.ActionModule, {"report_dir": "/x", "fail": "maybe"})
    with pytest.raises(AnsibleActionFail) as err:
        action.run(task_vars=_vars())
    assert "sfb.edge.host_state on edge01" in str(err.value) and "fail" in str(err.value) and "maybe" in str(err.value)


# ----------------------------------------------------------------------------------- outputs of the actions
def _example_desired():
    import inventory_data  # tests/unit/inventory_data.py

    from ansible_collections.sfb.edge.plugins.plugin_utils import _desired as desired

    return desired.build(inventory_data.example(), "edge01")


def test_drift_action_writes_shows_publishes_and_fails_with_the_real_report(tmp_path, monkeypatch):
    monkeypatch.setenv("SFB_EDGE_NOW", "2027-03-01T12:00:00Z")
    snaps = tmp_path / "snaps"
    snaps.mkdir()
    data = json.load(open(os.path.join(SNAPSHOTS, "stale", "edge01.json"), encoding="utf-8"))
    data.setdefault("connection_ports", [5985, 5986])
    (snaps / "edge01.json").write_text(json.dumps(data))
    wanted = _example_desired()
    from ansible_collections.sfb.edge.plugins.filter.drift import drift
    from ansible_collections.sfb.edge.plugins.plugin_utils import _drift

    args = {"report_dir": str(tmp_path / "plan"), "fail": True, "facts_from": str(snaps)}
    action, calls = _action(host_drift.ActionModule, args, check_mode=True)
    result = action.run(task_vars=_vars(plan_validation={"hosts": {"edge01": wanted}}))
    expected = dict(drift(wanted, data, ansible_host="edge01", source="snapshot %s/edge01.json" % snaps,
                          options={"frontend": ""}), made={"at": "2027-03-01T12:00:00Z", "mode": "snapshot"})
    # made from snapshots (in check mode too): a what-if, in the pool's what-if folder
    path = tmp_path / "plan" / wanted["pool"] / "what-if" / "drift" / "edge01.json"
    # the report as the role wrote it (to_nice_json, indent 2), in check mode too; the host is not called
    assert json.loads(path.read_text()) == expected and path.read_text().startswith('{\n  "blocked"')
    assert calls == [] and result["changed"] is False and result["state_read"] == "snapshot"
    assert result["msg"] == _drift.format_report(expected) and result["_ansible_verbose_always"] is True
    assert expected["in_sync"] is False
    summary = result["ansible_stats"]["data"]["sfb_drift_summary"]["edge01"]
    assert summary == {"pool": wanted["pool"], "in_sync": False, "problems": len(expected["problems"]),
                       "areas": {a: n for a, n in expected["summary"].items() if n}, "report": str(path),
                       "certificates_expired": 0, "certificates_expiring": 0}
    assert result["fail_msg"] == "Drift: %s; see %s. To fix it: %s." % (result["msg"][0], path, _drift.fix_text(expected))
    assert "run playbooks/site.yml (first with --check --diff)" in result["fail_msg"]


def test_validation_action_outputs(tmp_path, monkeypatch):
    monkeypatch.setenv("SFB_EDGE_NOW", "2027-03-01T12:00:00Z")
    wanted = _example_desired()
    from ansible_collections.sfb.edge.plugins.plugin_utils import _checks as checks
    from ansible_collections.sfb.edge.plugins.plugin_utils._steps import validation

    snaps = tmp_path / "snaps"
    shutil.copytree(os.path.join(SNAPSHOTS, "manual"), snaps)
    data = json.load(open(snaps / "edge01.json", encoding="utf-8"))
    action, _calls = _action(host_validation.ActionModule, {"report_dir": str(tmp_path / "plan"),
                                                            "facts_from": str(snaps)})
    result = action.run(task_vars=_vars(plan_validation={"hosts": {"edge01": wanted}}))
    expected = dict(validation(wanted, data, frontend="", source="snapshot %s/edge01.json" % snaps),
                    made={"at": "2027-03-01T12:00:00Z", "mode": "snapshot"})
    base = tmp_path / "plan" / wanted["pool"] / "what-if" / "validate" / "edge01"
    assert json.loads((base.parent / "edge01.json").read_text()) == expected
    assert (base.parent / "edge01.md").read_text() == "\n".join(checks.table(expected)) + (
        "\n\nMade 2027-03-01T12:00:00Z, snapshot (snapshot %s/edge01.json).\n" % snaps)
    assert result["msg"] == checks.table(expected)
    failed = [r["target"] for r in expected["rows"] if r["result"] == "fail"]
    assert failed and result["ansible_stats"]["data"]["sfb_validation_summary"]["edge01"] == {
        "pool": wanted["pool"], "passed": False, "pass": expected["summary"]["pass"],
        "fail": expected["summary"]["fail"], "skip": expected["summary"]["skip"],
        "warn": expected["summary"].get("warn", 0), "failed_checks": failed, "report": str(base) + ".md"}
    assert result["fail_msg"] == "Validation of edge01 failed: %d check(s): %s; see %s.md" % (
        len(failed), ", ".join(failed), base)
    # fail=false: the same outputs, no failure
    action, _calls = _action(host_validation.ActionModule, {"report_dir": str(tmp_path / "plan"),
                                                            "facts_from": str(snaps), "fail": False})
    assert "fail_msg" not in action.run(task_vars=_vars(plan_validation={"hosts": {"edge01": wanted}}))


@pytest.mark.parametrize("scenario", ["converged", "stale", "fresh"])
def test_snapshot_read_gives_the_lookups_handle(scenario):
    """The actions read a snapshot with the same code as the sfb.edge.edge_snapshot lookup (store=true)."""
    from ansible_collections.sfb.edge.plugins.lookup.edge_snapshot import LookupModule

    directory = os.path.join(SNAPSHOTS, scenario)
    lookup = LookupModule()
    lookup.set_options = lambda var_options=None, direct=None: None
    lookup.get_option = {"directory": directory, "store": True}.get
    assert lookup.run(["edge01"]) == [hoststate.snapshot_handle(directory, "edge01")]


# ----------------------------------------------------------------------------------- snapshots: one task per host
def _snapshot_setup(tmp_path):
    """Three hosts: edge01 drifted (stale snapshot), edge02 in sync with its own desired state is not needed -
    it gets edge01's desired state and the converged snapshot; edge03 has no snapshot directory (live)."""
    snaps = tmp_path / "snaps"
    snaps.mkdir()
    stale = json.load(open(os.path.join(SNAPSHOTS, "stale", "edge01.json"), encoding="utf-8"))
    converged = json.load(open(os.path.join(SNAPSHOTS, "converged", "edge01.json"), encoding="utf-8"))
    (snaps / "edge01.json").write_text(json.dumps(stale))
    (snaps / "edge02.json").write_text(json.dumps(converged))
    wanted = _example_desired()
    validation = {"hosts": {h: wanted for h in ("edge01", "edge02", "edge03")}, "plan_dir": str(tmp_path / "plan")}
    hostvars = {h: _vars(inventory_hostname=h, sfb_edge_facts_from=str(snaps), plan_validation=validation)
                for h in ("edge01", "edge02")}
    hostvars["edge03"] = _vars(inventory_hostname="edge03", plan_validation=validation)
    return snaps, validation, hostvars


def _own_task(cls, args, host_vars_):
    action, calls = _action(cls, args)
    return action.run(task_vars=dict(host_vars_)), calls


@pytest.mark.parametrize("cls, args", [
    (host_state.ActionModule, {"hosts": ["edge01"]}),
    (host_drift.ActionModule, {"hosts": ["edge01"], "refresh_html": True}),
    (host_validation.ActionModule, {"kept": {}}),
])
def test_the_one_task_for_all_hosts_options_are_gone(cls, args):
    """Issue 22, point 5: a snapshot run takes the live run's task structure - no host action reads other hosts
    (hosts), takes a state from another host's task (kept) or refreshes pages (refresh_html) any more."""
    action, calls = _action(cls, args)
    action._load_name = "sfb.edge.host_state"  # ansible-core 2.16 names the module in the message from it
    with pytest.raises(AnsibleActionFail, match="sfb.edge.host_state on edge01: Unsupported parameters for .* module: "
                                                "(hosts|kept)"):
        action.run(task_vars=_vars())
    assert calls == []


def test_from_snapshots_each_host_reads_its_own_in_its_own_task(tmp_path):
    """From snapshots each host's drift task reads its own file (no call), writes its report in the pool's what-if
    folder and fails only when that host must fail; a host without a snapshot directory is read live."""
    _snaps, validation, hostvars = _snapshot_setup(tmp_path)
    pool = validation["hosts"]["edge01"]["pool"]
    seen = {}
    for host in ("edge01", "edge02"):
        own, calls = _own_task(host_drift.ActionModule, {"fail": True}, hostvars[host])
        assert calls == [] and own["state_read"] == "snapshot" and own["changed"] is False
        assert own["report"] == str(tmp_path / "plan" / pool / "what-if" / "drift" / (host + ".json"))
        assert own["_ansible_verbose_always"] is True and "ansible_facts" not in own
        assert sorted(own["ansible_stats"]["data"]["sfb_drift_summary"]) == [host]
        seen[host] = (own["in_sync"], "fail_msg" in own)
    assert seen == {"edge01": (False, True), "edge02": (True, False)}
    live, calls = _own_task(host_drift.ActionModule, {"fail": True}, hostvars["edge03"])
    assert [name for name, _args, _check in calls] == ["sfb.edge.edge_facts"] and live["state_read"] == "live"


def test_a_missing_snapshot_fails_that_host_only(tmp_path):
    snaps, _validation, hostvars = _snapshot_setup(tmp_path)
    os.remove(snaps / "edge02.json")
    own, _calls = _own_task(host_drift.ActionModule, {}, hostvars["edge01"])
    assert "failed" not in own and "fail_msg" not in own  # fail not asked
    with pytest.raises(AnsibleActionFail) as failed:
        _own_task(host_drift.ActionModule, {}, hostvars["edge02"])
    assert failed.value.message == ("sfb.edge.edge_snapshot: no snapshot for edge02: %s does not exist; run "
                                    "playbooks/capture.yml with sfb_edge_capture_dir=%s, or unset sfb_edge_facts_from"
                                    % (snaps / "edge02.json", snaps))


@pytest.mark.parametrize("text, problem", [
    ('{"format": 1, "x": ' + "[" * 100000 + "]" * 100000 + "}",
     "nested more than 32 levels deep (line 1, column 51); a state is a few levels deep"),
    ('{"format": 1, "format": 2}', "format is given twice in one object (which value is meant is unknown); keep one"),
])
def test_a_bad_snapshot_fails_that_host_only(tmp_path, text, problem):
    """A snapshot nested 100,000 levels deep must not raise RecursionError (issue 18, point 7): the other host gets its
    report and the bad one its own failure, naming the file."""
    snaps, _validation, hostvars = _snapshot_setup(tmp_path)
    (snaps / "edge02.json").write_text(text, encoding="utf-8")
    own, _calls = _own_task(host_drift.ActionModule, {}, hostvars["edge01"])
    assert own["in_sync"] is False and os.path.exists(own["report"])
    with pytest.raises(AnsibleActionFail) as failed:
        _own_task(host_drift.ActionModule, {}, hostvars["edge02"])
    assert failed.value.message == ("sfb.edge.edge_snapshot: snapshot %s: %s. Correct the file as docs/state-format.md "
                                    "describes, or capture it again with playbooks/capture.yml"
                                    % (snaps / "edge02.json", problem))


def test_the_state_read_from_a_snapshot_is_kept_for_the_hosts_later_tasks(tmp_path, run_dir):
    """site.yml from snapshots: the converge play's host_state reads the file once; the validation play's task of the
    same host keeps that state (no second read) until a change was applied - as in a live run."""
    _snaps, _validation, hostvars = _snapshot_setup(tmp_path)
    read, calls = _own_task(host_state.ActionModule, {}, hostvars["edge01"])
    facts = read["ansible_facts"]
    assert calls == [] and read["state_read"] == "snapshot" and store.checked(facts["edge_state_current"])
    assert facts["edge_state_run"] == run_dir and facts["edge_state_areas"]  # stale: areas to converge
    later = dict(hostvars["edge01"], **facts)
    validated, calls = _own_task(host_validation.ActionModule, {"fail": False}, later)
    assert calls == [] and validated["state_read"] == "kept"
    # a change applied since: the snapshot is read again (what a live run would read again)
    again, calls = _own_task(host_validation.ActionModule, {"fail": False},
                             dict(later, ansible_facts={"edge_state_stale": run_dir}))  # what edge_apply set
    assert calls == [] and again["state_read"] == "snapshot"


def test_option_defaults_come_from_the_inventory(tmp_path):
    snaps, validation, hostvars = _snapshot_setup(tmp_path)
    own = dict(hostvars["edge01"], sfb_edge_fail_on_drift="yes")
    action, _calls = _action(host_drift.ActionModule, {})
    result = action.run(task_vars=own)
    assert result["state_read"] == "snapshot" and "fail_msg" in result  # facts_from and fail from the inventory
    assert result["report"].startswith(validation["plan_dir"] + os.sep)
    action, _calls = _action(host_drift.ActionModule, {})
    with pytest.raises(AnsibleActionFail, match="edge01: sfb_edge_fail_on_drift is 'maybe', not a boolean"):
        action.run(task_vars=dict(own, sfb_edge_fail_on_drift="maybe"))
    # no validation step: sfb_edge_plan_dir resolved as plan.yml resolves it
    wanted = validation["hosts"]["edge01"]
    bare = dict(own, plan_validation={"hosts": {"edge01": wanted}}, sfb_edge_plan_dir="reports",
                inventory_dir=str(tmp_path / "inv"))
    action, _calls = _action(host_drift.ActionModule, {})
    assert action.run(task_vars=bare)["report"] == str(tmp_path / "inv" / "reports" / wanted["pool"] / "what-if"
                                                       / "drift" / "edge01.json")
    assert os.path.isdir(snaps)


def test_drift_and_validation_do_not_store_a_snapshot(tmp_path, run_dir):
    """Only host_state passes the state on (its facts): the others keep a snapshot in memory, checked once."""
    _snaps, _validation, hostvars = _snapshot_setup(tmp_path)
    for cls in (host_drift.ActionModule, host_validation.ActionModule):
        action, _calls = _action(cls, {"fail": False})
        action.run(task_vars=dict(hostvars["edge02"]))
    assert not os.path.isdir(run_dir) or os.listdir(run_dir) == []
    action, _calls = _action(host_state.ActionModule, {})
    action.run(task_vars=dict(hostvars["edge02"]))
    assert len(os.listdir(run_dir)) == 1


# ----------------------------------------------------------------------------------- made: time and mode (issue 20, item 6)
def _converged_state():
    with open(os.path.join(SNAPSHOTS, "converged", "edge01.json"), encoding="utf-8") as handle:
        data = json.load(handle)
    data.setdefault("connection_ports", [5985, 5986])
    return data


@pytest.mark.parametrize("cls, kind", [(host_drift.ActionModule, "drift"), (host_validation.ActionModule, "validate")])
@pytest.mark.parametrize("check_mode, from_snapshots, mode, folder", [
    (False, False, "live", ()),
    (True, False, "check", ()),  # a check run reads the real state: its report is the live one
    (False, True, "snapshot", ("what-if",)),
    (True, True, "snapshot", ("what-if",)),  # from snapshots, whatever the check mode
])
def test_reports_carry_the_time_and_mode_they_were_made(tmp_path, monkeypatch, cls, kind, check_mode, from_snapshots,
                                                        mode, folder):
    monkeypatch.setenv("SFB_EDGE_NOW", "2027-03-01T12:00:00Z")
    wanted = _example_desired()
    snaps = tmp_path / "snaps"
    snaps.mkdir()
    (snaps / "edge01.json").write_text(json.dumps(_converged_state()))
    args = {"report_dir": str(tmp_path / "plan"), "fail": False, "facts_from": str(snaps) if from_snapshots else ""}
    action, calls = _action(cls, args, check_mode=check_mode, gathered={"state": _converged_state()})
    result = action.run(task_vars=_vars(plan_validation={"hosts": {"edge01": wanted}}))
    assert len(calls) == (0 if from_snapshots else 1)  # live: the one sfb.edge.edge_facts call, nothing more
    path = tmp_path.joinpath("plan", "edgepool.corp.example.com", *folder, kind, "edge01.json")
    assert result["report"] == str(path.with_suffix(".md" if kind == "validate" else ".json"))
    data = json.loads(path.read_text())
    assert data["made"] == {"at": "2027-03-01T12:00:00Z", "mode": mode}
    assert data["source"] == ("snapshot %s/edge01.json" % snaps if from_snapshots else "live")
    # a what-if never touches the live folder, and a live report never lands in the what-if folder
    other = tmp_path.joinpath("plan", "edgepool.corp.example.com", *(() if folder else ("what-if",)), kind)
    assert not other.exists()
    if kind == "validate":
        assert path.with_suffix(".md").read_text().endswith("\n\nMade 2027-03-01T12:00:00Z, %s%s.\n" % (
            mode, " (snapshot %s/edge01.json)" % snaps if from_snapshots else " (live)" if mode == "check" else ""))


def test_a_later_run_rewrites_the_time_and_still_changes_nothing(tmp_path, monkeypatch):
    """The report is an output: a second run at another time writes the new time (one write per report) and
    the task still reports changed=0."""
    wanted = _example_desired()
    args = {"report_dir": str(tmp_path / "plan"), "fail": False, "facts_from": ""}
    path = tmp_path / "plan" / "edgepool.corp.example.com" / "drift" / "edge01.json"
    seen = []
    for now in ("2027-03-01T12:00:00Z", "2027-03-02T06:30:00Z"):
        monkeypatch.setenv("SFB_EDGE_NOW", now)
        action, _calls = _action(host_drift.ActionModule, args, gathered={"state": _converged_state()})
        result = action.run(task_vars=_vars(plan_validation={"hosts": {"edge01": wanted}}))
        assert result["changed"] is False and result["report"] == str(path)
        seen.append(json.loads(path.read_text()))
    assert [r["made"] for r in seen] == [{"at": "2027-03-01T12:00:00Z", "mode": "live"},
                                         {"at": "2027-03-02T06:30:00Z", "mode": "live"}]
    assert {k: v for k, v in seen[0].items() if k != "made"} == {k: v for k, v in seen[1].items() if k != "made"}


def test_made_mode_and_what_if_rules():
    from ansible_collections.sfb.edge.plugins.plugin_utils import _made

    assert [_made.mode(snap, check) for snap in (False, True) for check in (False, True)] == [
        "live", "check", "snapshot", "snapshot"]
    assert _made.made("live", now="2027-03-01T12:00:00.5+02:00") == {"at": "2027-03-01T10:00:00Z", "mode": "live"}
    # the firewall proof in check mode tests nothing: a what-if too; drift and validation in check mode read the host
    assert [_made.is_what_if(m) for m in _made.MODES] == [False, False, True]
    assert [_made.is_what_if(m, tests_nothing=True) for m in _made.MODES] == [False, True, True]
    with pytest.raises(ValueError, match="a report's mode is one of live, check, snapshot, not 'offline'"):
        _made.made("offline")


def test_state_is_set_as_variables_not_facts_where_the_core_lets_an_action_choose(tmp_path, monkeypatch):
    # ansible-core >= 2.20 deprecates reading a fact as a top-level variable (INJECT_FACTS_AS_VARS), which is how
    # the roles read edge_state_*; 2.21+ lets an action register variables at set_fact's layer (issue 22, point 9).
    import enum

    layer = getattr(hoststate, "VariableLayer", None) or enum.IntEnum(
        "VariableLayer", "CACHEABLE_FACT INCLUDE_VARS EPHEMERAL_FACT REGISTER_VARS")
    monkeypatch.setattr(hoststate, "VariableLayer", layer, raising=False)
    _snaps, _validation, hostvars = _snapshot_setup(tmp_path)
    action, _calls = _action(host_state.ActionModule, {})
    result = action.run(task_vars=dict(hostvars["edge01"]))
    registered = action.registered
    assert [where.name for where, _variables in registered] == ["CACHEABLE_FACT", "EPHEMERAL_FACT"]
    assert registered[0][1] == {}  # not the result's ansible_facts as facts too, as set_fact does
    assert registered[1][1] == result["ansible_facts"]
    assert registered[1][1]["edge_state_areas"] != []
    # a core without that choice: facts, as before
    monkeypatch.setattr(hoststate, "VariableLayer", None)
    action, _calls = _action(host_state.ActionModule, {})
    assert action.run(task_vars=dict(hostvars["edge01"]))["ansible_facts"]["edge_state_areas"]
    assert action.registered == []


# ----------------------------------------------------------------------- what the roles' filters did (issue 22, point 4)
def test_host_state_sets_each_areas_part_for_the_roles(tmp_path):
    """edge_state_parts, once the edge_state role's variable made by the state_parts filter: from snapshots (both
    states store handles) each part is the handle naming its area; a state gathered live is split into sections."""
    wanted = store.put(store.run_directory(), _example_desired(), "desired", host="edge01",
                       pool="edgepool.corp.example.com", cs={"fqdn": "edge01.corp.example.com"})
    action, _calls = _action(host_state.ActionModule, {"facts_from": os.path.join(SNAPSHOTS, "converged")})
    facts = action.run(task_vars=_vars(plan_validation={"hosts": {"edge01": wanted}}))["ansible_facts"]
    parts = facts["edge_state_parts"]
    assert sorted(parts) == ["certificates", "cs_certificates", "cs_install", "cs_replication", "cs_services",
                             "hosts_file", "identity", "network", "routes"]
    assert parts["routes"]["desired"] == dict(wanted, part="routes")
    assert parts["cs_services"]["current"] == dict(facts["edge_state_current"], part="cs_services")
    assert facts["edge_state_areas"] == []
    # gathered live: the sections each area reads (the guarded ones with what the lockout guard reads)
    with open(os.path.join(SNAPSHOTS, "converged", "edge01.json"), encoding="utf-8") as handle:
        live = json.load(handle)
    action, _calls = _action(host_state.ActionModule, {}, gathered={"state": live})
    facts = action.run(task_vars=_vars(plan_validation={"hosts": {"edge01": _example_desired()}}))["ansible_facts"]
    parts = facts["edge_state_parts"]
    assert sorted(parts["routes"]["current"]) == ["adapters", "connection", "connection_ports", "format", "routes"]
    assert sorted(parts["hosts_file"]["current"]) == ["format", "hosts_file"]
    assert sorted(parts["identity"]["desired"]) == ["format", "host", "identity", "pool"]


def test_host_state_fails_naming_the_host_when_the_areas_cannot_be_decided():
    action, _calls = _action(host_state.ActionModule, {}, gathered={"state": {"format": 1}})
    with pytest.raises(AnsibleActionFail) as caught:
        action.run(task_vars=_vars(plan_validation={"hosts": {"edge01": _example_desired()}}))
    assert caught.value.message.startswith("edge01: sfb.edge.drift_areas: the state of edge01: ")


@pytest.mark.parametrize("cls, kind", [(host_drift.ActionModule, "drift"), (host_validation.ActionModule, "validate")])
def test_host_actions_return_the_directory_they_wrote_under(tmp_path, cls, kind):
    """The drift and validate roles refresh report.html under it (their drift_dir/validate_dir default is null now,
    once the inventory_path filter): given, it is returned as given; unset, the run's plan directory."""
    wanted = _example_desired()
    snaps = os.path.join(SNAPSHOTS, "converged")
    action, _calls = _action(cls, {"facts_from": snaps, "report_dir": str(tmp_path / "given"), "fail": False})
    assert action.run(task_vars=_vars(plan_validation={"hosts": {"edge01": wanted}}))["report_dir"] == str(
        tmp_path / "given")
    action, _calls = _action(cls, {"facts_from": snaps, "fail": False})
    decided = str(tmp_path / "plan")
    result = action.run(task_vars=_vars(plan_validation={"hosts": {"edge01": wanted}, "plan_dir": decided}))
    assert result["report_dir"] == decided and result["report"].startswith(
        os.path.join(decided, wanted["pool"], "what-if", kind, "edge01."))
