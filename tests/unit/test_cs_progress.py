# -*- coding: utf-8 -*-
"""Feedback on the Lync/SfB install (issue 11, item 6): edge_apply runs an edge_cs call as one call per
step, prints each step and the logs its installers write before it starts, and a converged host still
gets no call."""

from __future__ import annotations

import os
import re
import sys
from unittest import mock

from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(__file__))

import test_cs_run  # noqa: E402
from test_cs_run import OPTIONS, edge_cs_args, run_action, snap, want  # noqa: E402

from ansible_collections.sfb.edge.plugins.action import edge_apply  # noqa: E402
from ansible_collections.sfb.edge.plugins.plugin_utils import cs, drift  # noqa: E402

EDGE_CS = test_cs_run.EDGE_CS


def _ps1():
    with open(EDGE_CS, encoding="utf-8") as handle:
        return handle.read()


def test_run_steps_places_the_second_half_of_cu_like_edge_cs():
    assert cs.run_steps(["core", "local_management", "edge_roles", "enable_computer"]) == [
        "core", "local_management", "edge_roles", "enable_computer"]
    assert cs.run_steps(["enable_computer", "cu", "core", "edge_roles"]) == [
        "core", "cu", "edge_roles", "cu_databases", "enable_computer"]
    assert cs.run_steps(["cu", "start_services", "certificates"]) == [
        "cu", "cu_databases", "certificates", "start_services"]
    assert cs.run_steps([]) == []


def test_run_units_one_per_step_but_cu_kept_whole_on_an_installed_server():
    fresh = ["core", "cu", "local_management", "import_configuration", "enable_replica", "start_replica",
             "edge_roles", "enable_computer"]
    assert cs.run_units(fresh) == [[s] for s in cs.run_steps(fresh)]
    # an installed server gets a new CU: the services cu stops are started by cu_databases, in one call
    assert cs.run_units(["cu", "edge_roles", "start_services"]) == [
        ["cu", "edge_roles", "cu_databases"], ["start_services"]]
    assert cs.run_units(["cu"]) == [["cu", "cu_databases"]]


@given(st.lists(st.sampled_from(cs.RUN_ORDER), unique=True))
def test_units_cover_the_run_in_order(steps):
    units = cs.run_units(steps)
    assert [s for u in units for s in u] == cs.run_steps(steps)
    assert set(cs.run_steps(steps)) - {"cu_databases"} == set(steps)
    assert ("cu_databases" in cs.run_steps(steps)) == ("cu" in steps)
    assert all(units)
    calls = [{"module": "sfb.edge.edge_cs", "args": {"steps": steps}}] if steps else []
    assert cs.remote_calls(calls) == len(units)
    progress = cs.progress(steps, "D:\\logs")
    assert [p["steps"] for p in progress] == units and all(p["total"] == len(units) for p in progress)
    for entry in progress:
        if set(entry["steps"]) & {"core", "cu", "local_management", "edge_roles"}:
            assert entry["logs"] and all(log.startswith("D:\\logs\\") for log in entry["logs"])


def test_every_step_edge_cs_runs_has_a_title_and_the_ps1_knows_the_run_steps():
    text = _ps1()
    order = tuple(re.findall(r"'(\w+)'", re.search(r"^\$order = (.*?)\n(.*?)\n", text, re.M | re.S).group(0)))
    assert order == cs.RUN_ORDER
    assert set(cs.STEP_TITLES) == set(cs.RUN_ORDER) | {"cu_databases"}
    # the run option's choices are the run steps, and the loop runs only those
    run = re.search(r"run = @\{(.*?)\n        \}", text, re.S).group(1)
    assert set(re.findall(r"'(\w+)'", run.split("choices", 1)[1])) == set(cs.STEP_TITLES)
    assert "if ($p.run) { $runSteps = @($runSteps | Where-Object { $p.run -contains $_ }) }" in text


def test_the_logs_named_before_a_step_are_the_ones_edge_cs_writes():
    text = _ps1()
    for log in cs.step_logs("core", "X"):
        name = log.rsplit("\\", 1)[1]
        if name == "sfb-edge-vcredist_x64.log":
            assert "Join-Path $logDir 'sfb-edge-vcredist_x64.log'" in text
        elif name == "sfb-edge-ocscore.msi.log":
            assert "Join-Path $logDir 'sfb-edge-ocscore.msi.log'" in text
        else:
            msi = name[len("sfb-edge-"):-len(".log")]
            assert "'%s'" % msi in text and 'Join-Path $logDir "sfb-edge-$msi.log"' in text
    # Bootstrapper and the update installer write into their TEMP, which edge_cs points at the log folder
    bootstrapper = [line for line in text.splitlines() if "-Path $bootstrapper" in line]
    updates = [line for line in text.splitlines() if "-Path $p.cu_installer" in line]
    assert len(bootstrapper) == 2 and len(updates) == 2
    assert all("-Temp $logDir" in line for line in bootstrapper + updates)
    assert "$environment['TEMP'] = $Temp" in text and "$environment['TMP'] = $Temp" in text
    assert "$env:TEMP" not in text.replace("else { $env:TEMP }", "")  # nothing else writes to the session's TEMP


def _fresh():
    goal, current = want(), test_cs_run._features_installed(snap("cs-fresh"))
    return goal, current, edge_cs_args(drift.cs.cs_install(goal, current, OPTIONS))["steps"]


def test_a_fresh_install_runs_and_announces_one_call_per_step(monkeypatch):
    goal, current, steps = _fresh()
    shown = []
    made_order = []
    monkeypatch.setattr(edge_apply.display, "display", lambda msg, *a, **k: shown.append(msg))

    def edge_cs(module_args):
        made_order.append(("call", module_args["run"], len(shown)))
        return {"changed": True, "reboot_required": False, "services": [],
                "steps": [{"name": s, "rc": 0, "output": ""} for s in module_args["run"]]}

    result, made = run_action("cs_install", goal, current, {"sfb.edge.edge_cs": edge_cs})
    units = cs.run_units(steps)
    assert [a["run"] for _m, a in made] == units
    assert all(a["steps"] == steps and a["timeout"] == 60 for _m, a in made)  # each call knows the whole run
    # each line is printed before its call: call n sees n lines
    assert [n for _c, _r, n in made_order] == list(range(1, len(units) + 1))
    assert shown[0] == ("edge01: setup step 1/%d: %s - log: %s" % (
        len(units), cs.STEP_TITLES["core"], "; ".join(cs.step_logs("core"))))
    assert "C:\\ProgramData\\sfb-edge\\logs\\sfb-edge-ocscore.msi.log" in shown[0]
    assert shown[units.index(["import_configuration"])].endswith(
        "Import-CsConfiguration -LocalStore (the Front End's export) - log: no installer log (the output is in the result)")
    # the configuration export travels only with the call that imports it
    assert [a["run"] for _m, a in made if "configuration" in a] == [["import_configuration"]]
    assert result["applied"] is True and result["remote_calls"] == len(units) + 0
    assert [s["name"] for s in result["steps"]] == [s for u in units for s in u]
    assert [p["steps"] for p in result["progress"]] == units


def test_a_failed_step_stops_the_run_and_names_the_step():
    goal, current, steps = _fresh()

    def edge_cs(module_args):
        if module_args["run"] == ["edge_roles"]:
            return {"failed": True, "msg": "The step edge_roles failed: Bootstrapper.exe exited with 1",
                    "steps": [{"name": "edge_roles", "rc": 1, "output": "x"}]}
        return {"changed": True, "steps": [{"name": s, "rc": 0, "output": ""} for s in module_args["run"]]}

    result, made = run_action("cs_install", goal, current, {"sfb.edge.edge_cs": edge_cs})
    units = cs.run_units(steps)
    assert [a["run"] for _m, a in made] == units[:units.index(["edge_roles"]) + 1]
    assert result["failed"] is True
    assert result["msg"] == ("host edge01, cs_install: sfb.edge.edge_cs failed: The step edge_roles failed: "
                             "Bootstrapper.exe exited with 1")
    assert [s["name"] for s in result["steps"]][-1] == "edge_roles"


def test_a_reboot_request_mid_run_leaves_the_rest_pending():
    goal, current, steps = _fresh()

    def edge_cs(module_args):
        rc = 3010 if module_args["run"] == ["local_management"] else 0
        return {"changed": True, "reboot_required": rc == 3010,
                "steps": [{"name": s, "rc": rc, "output": ""} for s in module_args["run"]]}

    result, made = run_action("cs_install", goal, current, {"sfb.edge.edge_cs": edge_cs})
    assert [a["run"] for _m, a in made] == [["core"], ["local_management"]]
    assert result["pending"][0]["steps"] == steps[2:]
    assert "the step local_management asked for a reboot (exit code 3010)" in result["msg"]


def test_check_mode_and_a_converged_host_make_no_call():
    goal, current, steps = _fresh()
    result, made = run_action("cs_install", goal, current, {}, check_mode=True)
    assert made == [] and result["applied"] is False
    assert result["remote_calls"] == len(cs.run_units(steps))  # what a live run makes
    with mock.patch.object(edge_apply.display, "display") as shown:
        result, made = run_action("cs_install", want(), snap("converged"), {})
    assert made == [] and shown.call_count == 0
    assert result["remote_calls"] == 0 and "progress" not in result
