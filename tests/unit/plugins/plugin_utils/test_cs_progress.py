# -*- coding: utf-8 -*-
"""Feedback on the Lync/SfB install (issue 11, item 6) within the call budget (issue 10): by default
edge_apply runs all the setup steps in ONE edge_cs call, prints each step with the logs its installers
write before it and a line per step with its result and duration after it; with ``step_calls``
(cs_install_step_calls) it makes one call per step, each announced as it starts. A converged host gets
no call and no line."""

from __future__ import annotations

import os
import re
import sys
from unittest import mock

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

import test_cs_run  # noqa: E402
from test_cs_run import OPTIONS, ROOT, edge_cs_args, run_action, snap, want  # noqa: E402

from ansible_collections.sfb.edge.plugins.plugin_utils import _edge_apply  # noqa: E402
from ansible_collections.sfb.edge.plugins.plugin_utils import _cs as cs, _drift as drift  # noqa: E402

EDGE_CS = test_cs_run.EDGE_CS
# The progress lines' title of each step, written out (not read from cs.STEP_TITLES): what the step runs, as
# edge_cs.ps1 runs it and Microsoft's deployment steps name it.
TITLES = {
    "core": "Install Core Components (OCSCore.msi, with the Visual C++ runtime, SQL CLR types and SMO of the media)",
    "cu": "Cumulative update (SkypeServerUpdateInstaller.exe /silentmode)",
    "local_management": "Bootstrapper local management store (/BootstrapLocalMgmt: SQL Server Express RTCLOCAL)",
    "import_configuration": "Import-CsConfiguration -LocalStore (the Front End's export)",
    "enable_replica": "Enable-CsReplica",
    "start_replica": "Start the replica service (REPLICA)",
    "edge_roles": "Bootstrapper install roles (the edge roles of the topology)",
    "cu_databases": "Cumulative update of the roles, Install-CsDatabase -Update -LocalDatabases",
    "enable_computer": "Enable-CsComputer",
    "certificates": "Set-CsCertificate (assign the certificates)",
    "start_services": "Start the edge services (Start-CsWindowsService)",
}


def _ps1():
    with open(EDGE_CS, encoding="utf-8") as handle:
        return handle.read()


# ----------------------------------------------------------------------------------- reference
def ref_run_steps(steps):
    """edge_cs.ps1's $runSteps, written out the long way: its $order, cu_databases inserted before
    enable_computer, else before certificates/start_services, else last."""
    order = [s for s in cs.RUN_ORDER if s in steps]
    if "cu" not in steps:
        return order
    for anchor in ("enable_computer", "certificates", "start_services"):
        if anchor in order:
            i = order.index(anchor)
            return order[:i] + ["cu_databases"] + order[i:]
    return order + ["cu_databases"]


def ref_units(steps, step_calls):
    run = ref_run_steps(steps)
    if not run:
        return []
    if not step_calls:
        return [run]
    units, open_cu = [], None
    for step in run:
        if open_cu is not None:
            open_cu.append(step)
            if step == "cu_databases":
                units.append(open_cu)
                open_cu = None
        elif step == "cu" and "core" not in run:
            open_cu = [step]
        else:
            units.append([step])
    return units


def _installer(step, steps):
    """The exit_codes entry of the installer ``step`` runs in a call of ``steps`` (its last one), or None: the
    controller-side data (cs.STEP_INSTALLERS) the .ps1's $installers holds; cu_databases runs the update
    installer only when edge_roles is in the call."""
    keys = cs.STEP_INSTALLERS.get(step, ())
    return keys[-1] if keys and (step != "cu_databases" or "edge_roles" in steps) else None


def edge_cs_like(fail=None, reboot=None, seconds=7.5):
    """A fake sfb.edge.edge_cs with the result the .ps1 gives, from the data the controller gives it (issue 19,
    point 3): it runs ``run`` (else every run step, cs.run_steps), records each step with the run step it belongs
    to (cu_databases' second update run is named cu) and each run step's duration. Installers exit with the first
    success code of the call's exit_codes (cs.exit_codes when the call has none), ``reboot`` with its first reboot
    code - only an installer step can ask for one - and ``fail`` with 1 (in no policy); a management shell step
    has rc None."""
    def module(args):
        run = args.get("run") or cs.run_steps(args["steps"])
        codes = args.get("exit_codes") or cs.exit_codes(args["steps"])
        out = {"changed": False, "reboot_required": False, "steps": [], "services": [], "run_steps": []}
        for step in run:
            out["run_steps"].append({"name": step, "seconds": seconds})
            out["changed"] = True
            key = _installer(step, args["steps"])
            assert key or step != reboot, "a management shell step never asks for a reboot (%s)" % step
            if key:
                policy = codes[key]
                assert 1 not in policy["success"] + policy["reboot"]
                rc = 1 if step == fail else policy["reboot"][0] if step == reboot else policy["success"][0]
                out["steps"].append({"name": "cu" if step == "cu_databases" else step, "rc": rc, "output": "",
                                     "run": step})
            if not key or (step == "cu_databases" and step != fail):
                out["steps"].append({"name": step, "rc": None, "output": "", "run": step})
            if step == fail:
                out.update(failed=True, msg="The step %s failed: it exited with 1" % step)
                return out
            if step == reboot:
                out["reboot_required"] = True
                return out
        return out
    return module


# ----------------------------------------------------------------------------------- pure functions
def test_run_steps_places_the_second_half_of_cu_like_edge_cs():
    assert cs.run_steps(["core", "local_management", "edge_roles", "enable_computer"]) == [
        "core", "local_management", "edge_roles", "enable_computer"]
    assert cs.run_steps(["enable_computer", "cu", "core", "edge_roles"]) == [
        "core", "cu", "edge_roles", "cu_databases", "enable_computer"]
    assert cs.run_steps(["cu", "start_services", "certificates"]) == [
        "cu", "cu_databases", "certificates", "start_services"]
    assert cs.run_steps([]) == []


def test_run_units_one_call_by_default_one_per_step_on_request():
    fresh = ["core", "cu", "local_management", "import_configuration", "enable_replica", "start_replica",
             "edge_roles", "enable_computer"]
    assert cs.run_units(fresh) == [cs.run_steps(fresh)] == [[
        "core", "cu", "local_management", "import_configuration", "enable_replica", "start_replica", "edge_roles",
        "cu_databases", "enable_computer"]]
    assert cs.run_units(fresh, step_calls=True) == [[s] for s in cs.run_steps(fresh)]
    # an installed server gets a new CU: the services cu stops are started by cu_databases, in one call
    assert cs.run_units(["cu", "edge_roles", "start_services"], step_calls=True) == [
        ["cu", "edge_roles", "cu_databases"], ["start_services"]]
    assert cs.run_units(["cu"], step_calls=True) == [["cu", "cu_databases"]] == cs.run_units(["cu"])
    assert cs.run_units([]) == [] == cs.run_units([], step_calls=True)


@given(st.lists(st.sampled_from(cs.INSTALL_STEPS + ("certificates", "start_services")), unique=True), st.booleans())
def test_units_and_progress_match_the_reference(steps, step_calls):
    units = cs.run_units(steps, step_calls)
    assert units == ref_units(steps, step_calls)
    assert cs.run_steps(steps) == ref_run_steps(steps)
    calls = [{"module": "sfb.edge.edge_cs", "args": {"steps": steps}}] if steps else []
    assert cs.remote_calls(calls, step_calls) == len(units) == (len(units) if step_calls else min(1, len(steps)))
    progress = cs.progress(steps, "D:\\logs", step_calls)
    run = ref_run_steps(steps)
    assert [p["step"] for p in progress] == run
    assert [p["number"] for p in progress] == list(range(1, len(run) + 1))
    assert all(p["total"] == len(run) and p["calls"] == len(units) and p["title"] == TITLES[p["step"]]
               for p in progress)
    assert [[p["step"] for p in progress if p["call"] == n] for n in range(1, len(units) + 1)] == units
    for entry in progress:
        if entry["step"] in ("cu", "cu_databases"):  # only LCSSetup_Commands.log is in its TEMP (issue 19, point 4)
            assert entry["logs"] == ["D:\\logs\\LCSSetup_Commands.log",
                                     "the log of each package: in the folder of the update installer"]
        elif entry["step"] in ("core", "local_management", "edge_roles"):
            assert entry["logs"] and all(log.startswith("D:\\logs\\") for log in entry["logs"])
        else:
            assert entry["logs"] == []


@given(st.lists(st.sampled_from(cs.INSTALL_STEPS + ("certificates", "start_services")), unique=True, min_size=1),
       st.data())
def test_step_results_give_each_step_the_outcome_edge_cs_reported(steps, data):
    run = cs.run_steps(steps)
    stop = data.draw(st.sampled_from(run + [None]))
    how = data.draw(st.sampled_from(["fail", "reboot"] if _installer(stop, steps) else ["fail"]))
    module = edge_cs_like(fail=stop if how == "fail" else None, reboot=stop if how == "reboot" else None, seconds=2.5)
    out = module({"steps": steps})
    results = cs.step_results(cs.progress(steps), out)
    end = run.index(stop) if stop else len(run)
    expected = ["ok"] * end + ([{"fail": "failed", "reboot": "reboot"}[how]] if stop else [])
    expected += ["not run"] * (len(run) - len(expected))
    assert [r["status"] for r in results] == expected
    assert [r["seconds"] for r in results] == [2.5 if s != "not run" else None for s in expected]
    for r in results:
        if r["status"] == "not run" or not _installer(r["step"], steps):
            assert r["rc"] is None
        else:
            assert r["rc"] == {"failed": 1, "reboot": 3010}.get(r["status"], 0)
    # an edge_cs that reports no run_steps (before 0.4.0): started steps from its records, no durations (the
    # failed update run of cu_databases is named cu there, which only ``run`` tells apart: not this case)
    if stop == "cu_databases" and how == "fail" and _installer(stop, steps):
        return
    old = dict(out, run_steps=None, steps=[{k: v for k, v in s.items() if k != "run"} for s in out["steps"]])
    older = cs.step_results(cs.progress(steps), old)
    assert [r["status"] for r in older] == [r["status"] for r in results]
    assert all(r["seconds"] is None for r in older)


def test_step_results_of_a_failure_before_any_record_name_the_step_it_started():
    # Use-SfbCsModule failed at enable_replica: the step has no record, run_steps ends with it
    entries = cs.progress(["import_configuration", "enable_replica", "start_replica"])
    out = {"failed": True, "steps": [{"name": "import_configuration", "rc": None, "run": "import_configuration"}],
           "run_steps": [{"name": "import_configuration", "seconds": 3.0}, {"name": "enable_replica", "seconds": None}]}
    assert [(r["status"], r["seconds"]) for r in cs.step_results(entries, out)] == [
        ("ok", 3.0), ("failed", None), ("not run", None)]


def test_lines_before_and_after_a_call():
    entries = cs.progress(["core", "import_configuration"], "D:\\logs")
    before = cs.call_lines("edge01", entries)
    assert before == [
        "edge01: setup steps 1-2 of 2 run in one edge_cs call (1/1); a line per step follows when it ends",
        "edge01: setup step 1/2: %s - log: %s" % (TITLES["core"], "; ".join(cs.step_logs("core", "D:\\logs"))),
        "edge01: setup step 2/2: %s - log: no installer log (the output is in the result)"
        % TITLES["import_configuration"]]
    # one step per call: no call line, the step line as before
    single = cs.call_lines("edge01", cs.progress(["core"]))
    assert len(single) == 1 and single[0].startswith("edge01: setup step 1/1: Install Core Components")
    done = [dict(entries[0], status="reboot", rc=3010, seconds=61.24),
            dict(entries[1], status="not run", rc=None, seconds=None)]
    assert cs.result_lines("edge01", done) == [
        "edge01: setup step 1/2 done in 61.2 s (rc 3010), and asks for a reboot before the next step: %s"
        % TITLES["core"],
        "edge01: setup step 2/2 not run: %s" % TITLES["import_configuration"]]
    failed = cs.result_lines("edge01", [dict(entries[0], status="failed", rc=1603, seconds=8.0)])
    assert failed == ["edge01: setup step 1/2 FAILED after 8.0 s (rc 1603): %s - log: %s" % (
        TITLES["core"], "; ".join(cs.step_logs("core", "D:\\logs")))]
    assert cs.result_lines("edge01", [dict(entries[1], status="ok", rc=None, seconds=None)]) == [
        "edge01: setup step 2/2 done: %s" % TITLES["import_configuration"]]


# ----------------------------------------------------------------------------------- edge_cs.ps1
def test_every_step_edge_cs_runs_has_a_title_and_the_ps1_knows_the_run_steps():
    text = _ps1()
    order = tuple(re.findall(r"'(\w+)'", re.search(r"^\$order = (.*?)\n(.*?)\n", text, re.M | re.S).group(0)))
    assert order == cs.RUN_ORDER
    assert set(cs.STEP_TITLES) == set(TITLES) == set(cs.RUN_ORDER) | {"cu_databases"}
    # the run option's choices are the run steps, and the loop runs only those
    run = re.search(r"run = @\{(.*?)\n        \}", text, re.S).group(1)
    assert set(re.findall(r"'(\w+)'", run.split("choices", 1)[1])) == set(TITLES)
    assert "if ($p.run) { $runSteps = @($runSteps | Where-Object { $p.run -contains $_ }) }" in text


def test_edge_cs_reports_each_run_step_and_its_duration():
    """The .ps1 side of step_results: every iteration of the step loop starts a run_steps entry and its
    clock before the switch, every record names its run step and updates the duration (so a failure
    after a record still has one), and the duration is final after the switch."""
    text = _ps1()
    loop = text.index("foreach ($step in $runSteps)")
    head = [line.strip() for line in text[loop:].splitlines()[1:6]]
    assert head == ["if ($module.Result.reboot_required) { break }",
                    "$script:runStep = [ordered]@{ name = $step; seconds = $null }",
                    "$module.Result.run_steps.Add($script:runStep)",
                    "$script:clock.Restart()",
                    "switch ($step) {"]
    # the duration is final after the switch; the loop is the try of the services' finally (issue 19, point 2)
    assert "        }\n        $script:runStep.seconds = [math]::Round($script:clock.Elapsed.TotalSeconds, 1)\n    }\n}\n" \
        "catch {" in text[loop:]
    assert text.index("$script:clock = [System.Diagnostics.Stopwatch]::StartNew()\n") < text.index(
        "\ntry {\n    foreach ($step in $runSteps)") < loop
    add = text[text.index("function Add-Step"):]
    add = add[:add.index("\n}\n")]
    assert "run = $script:runStep.name" in add
    assert "$script:runStep.seconds = [math]::Round($script:clock.Elapsed.TotalSeconds, 1)" in add
    assert "$module.Result.run_steps = [System.Collections.Generic.List[object]]@()" in text[:loop]
    with open(os.path.join(ROOT, "plugins", "modules", "edge_cs.yml"), encoding="utf-8") as handle:
        returns = yaml.safe_load(handle)["RETURN"]
    assert set(returns["run_steps"]["sample"][0]) == {"name", "seconds"}
    assert set(returns["steps"]["sample"][0]) == {"name", "rc", "output", "run"}


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


# ----------------------------------------------------------------------------------- the action
def _fresh():
    goal, current = want(), test_cs_run._features_installed(snap("cs-fresh"))
    return goal, current, edge_cs_args(drift.cs.cs_install(goal, current, OPTIONS))["steps"]


def _watch(monkeypatch, module):
    """Lines the action prints, and for each call how many had been printed when it was made."""
    shown, seen = [], []
    monkeypatch.setattr(_edge_apply.display, "display", lambda msg, *a, **k: shown.append(msg))

    def edge_cs(module_args):
        seen.append(len(shown))
        return module(module_args)
    return shown, seen, edge_cs


def test_a_fresh_install_is_one_call_with_every_step_named_before_and_reported_after(monkeypatch):
    goal, current, steps = _fresh()
    run = cs.run_steps(steps)
    # the services start in the same call, after the roles (the example plans no certificate: no certificates step)
    assert run == ["core", "local_management", "import_configuration", "enable_replica", "start_replica", "edge_roles",
                   "start_services"]
    shown, seen, edge_cs = _watch(monkeypatch, edge_cs_like(seconds=12.5))
    result, made = run_action("cs_install", goal, current, {"sfb.edge.edge_cs": edge_cs})
    assert len(made) == 1 and result["remote_calls"] == 1 and result["applied"] is True
    _module, args = made[0]
    assert args["steps"] == steps and "run" not in args and args["timeout"] == 60
    assert args["configuration"] == "C:\\Windows\\Temp\\ansible-tmp\\sfb-edge-configuration.zip"
    # before the call: the call line and a line per step, in order, each with its logs
    assert seen == [1 + len(run)]
    assert shown[0] == "edge01: setup steps 1-7 of 7 run in one edge_cs call (1/1); a line per step follows when it ends"
    assert shown[1] == "edge01: setup step 1/7: %s - log: %s" % (TITLES["core"], "; ".join(cs.step_logs("core")))
    assert "C:\\ProgramData\\sfb-edge\\logs\\sfb-edge-ocscore.msi.log" in shown[1]
    assert shown[1 + run.index("edge_roles")].endswith(
        "Bootstrapper install roles (the edge roles of the topology) - log: C:\\ProgramData\\sfb-edge\\logs\\ "
        "(Bootstrapper's and SQL Server Express setup's logs: its TEMP folder)")
    # after it: a line per step with its result and duration
    after = shown[1 + len(run):]
    assert after == ["edge01: setup step %d/7 done in 12.5 s%s: %s" % (
        n, "" if s in cs.MODULE_STEPS else " (rc 0)", TITLES[s]) for n, s in enumerate(run, 1)]
    assert [(p["step"], p["status"], p["seconds"], p["call"]) for p in result["progress"]] == [
        (s, "ok", 12.5, 1) for s in run]
    assert [s["name"] for s in result["steps"]] == run


def test_step_calls_runs_and_announces_one_call_per_step(monkeypatch):
    goal, current, steps = _fresh()
    shown, seen, edge_cs = _watch(monkeypatch, edge_cs_like())
    result, made = run_action("cs_install", goal, current, {"sfb.edge.edge_cs": edge_cs}, step_calls=True)
    units = cs.run_units(steps, step_calls=True)
    assert len(units) == 7
    assert [a["run"] for _m, a in made] == units
    assert all(a["steps"] == steps and a["timeout"] == 60 for _m, a in made)  # each call knows the whole run
    # each step is printed before its call and reported after it: call n sees 2n - 1 lines
    assert seen == [2 * n - 1 for n in range(1, len(units) + 1)]
    assert shown[0] == ("edge01: setup step 1/7: %s - log: %s" % (TITLES["core"], "; ".join(cs.step_logs("core"))))
    assert shown[1] == "edge01: setup step 1/7 done in 7.5 s (rc 0): %s" % TITLES["core"]
    assert shown[2 * units.index(["import_configuration"])].endswith(
        "Import-CsConfiguration -LocalStore (the Front End's export) - log: no installer log (the output is in the result)")
    # the configuration export travels only with the call that imports it
    assert [a["run"] for _m, a in made if "configuration" in a] == [["import_configuration"]]
    assert result["applied"] is True and result["remote_calls"] == len(units)
    assert [s["name"] for s in result["steps"]] == [s for u in units for s in u]
    assert [(p["step"], p["call"], p["calls"], p["status"]) for p in result["progress"]] == [
        (u[0], n, 7, "ok") for n, u in enumerate(units, 1)]


def test_step_calls_keeps_the_update_of_an_installed_server_in_one_call(monkeypatch):
    goal, current = test_cs_run._sfb2015(17763, [("Core Components", "6.0.9319.0"), ("Edge Server", "6.0.9319.0")])
    steps = edge_cs_args(drift.cs.cs_install(goal, current, OPTIONS))["steps"]
    assert steps == ["cu"]
    for step_calls in (False, True):
        shown, _seen, edge_cs = _watch(monkeypatch, edge_cs_like())
        result, made = run_action("cs_install", goal, current, {"sfb.edge.edge_cs": edge_cs}, step_calls=step_calls)
        assert len(made) == 1 and result["remote_calls"] == 1 and "run" not in made[0][1]
        assert [p["step"] for p in result["progress"]] == ["cu", "cu_databases"]
        assert shown[0].startswith("edge01: setup steps 1-2 of 2 run in one edge_cs call")


@pytest.mark.parametrize("step_calls", [False, True])
def test_a_failed_step_stops_the_run_and_names_the_step(monkeypatch, step_calls):
    goal, current, steps = _fresh()
    shown, _seen, edge_cs = _watch(monkeypatch, edge_cs_like(fail="edge_roles"))
    result, made = run_action("cs_install", goal, current, {"sfb.edge.edge_cs": edge_cs}, step_calls=step_calls)
    units = cs.run_units(steps, step_calls)
    last = [i for i, u in enumerate(units) if "edge_roles" in u][0]
    assert [a.get("run", cs.run_steps(steps)) for _m, a in made] == units[:last + 1]
    assert result["failed"] is True
    assert result["msg"] == ("host edge01, cs_install: sfb.edge.edge_cs failed: The step edge_roles failed: "
                             "it exited with 1")
    assert [s["name"] for s in result["steps"]][-1] == "edge_roles"
    assert [p["status"] for p in result["progress"]][:6] == ["ok"] * 5 + ["failed"]
    assert [p["status"] for p in result["progress"]][6:] == ["not run"]  # start_services, after the roles
    assert [line for line in shown if "FAILED" in line] == ["edge01: setup step 6/7 FAILED after 7.5 s (rc 1): %s - log: %s" % (
        TITLES["edge_roles"], "; ".join(cs.step_logs("edge_roles")))]


@pytest.mark.parametrize("step_calls", [False, True])
def test_a_reboot_request_mid_run_leaves_the_rest_pending(monkeypatch, step_calls):
    goal, current, steps = _fresh()
    shown, _seen, edge_cs = _watch(monkeypatch, edge_cs_like(reboot="local_management"))
    result, made = run_action("cs_install", goal, current, {"sfb.edge.edge_cs": edge_cs}, step_calls=step_calls)
    assert [a.get("run") for _m, a in made] == ([["core"], ["local_management"]] if step_calls else [None])
    assert [p["steps"] for p in result["pending"]] == [steps[2:]]
    assert "the step local_management asked for a reboot (exit code 3010)" in result["msg"]
    assert [p["status"] for p in result["progress"]] == ["ok", "reboot"] + ["not run"] * 5
    reboot = [line for line in shown if line.startswith("edge01: setup step 2/7 done")]
    assert reboot == ["edge01: setup step 2/7 done in 7.5 s (rc 3010), and asks for a reboot before the next step: %s"
                      % TITLES["local_management"]]
    if not step_calls:  # the steps of the call that did not run are reported too
        assert shown[-5:] == ["edge01: setup step %d/7 not run: %s" % (n, TITLES[s]) for n, s in enumerate(
            ["import_configuration", "enable_replica", "start_replica", "edge_roles", "start_services"], 3)]


@pytest.mark.parametrize("step_calls,calls", [(None, 1), (False, 1), (True, 7)])
def test_check_mode_and_a_converged_host_make_no_call(step_calls, calls):
    goal, current, _steps = _fresh()
    with mock.patch.object(_edge_apply.display, "display") as shown:
        result, made = run_action("cs_install", goal, current, {}, check_mode=True, step_calls=step_calls)
    assert made == [] and result["applied"] is False and shown.call_count == 0
    assert result["remote_calls"] == calls  # what a live run makes
    assert [p["call"] for p in result["progress"]] == ([1] * 7 if calls == 1 else list(range(1, 8)))
    assert "status" not in result["progress"][0]
    with mock.patch.object(_edge_apply.display, "display") as shown:
        result, made = run_action("cs_install", want(), snap("converged"), {}, step_calls=step_calls)
    assert made == [] and shown.call_count == 0
    assert result["remote_calls"] == 0 and "progress" not in result


def test_the_role_passes_the_option_to_both_installs_and_documents_it():
    with open(os.path.join(ROOT, "roles", "cs_install", "defaults", "main.yml"), encoding="utf-8") as handle:
        assert yaml.safe_load(handle)["cs_install_step_calls"] is False
    with open(os.path.join(ROOT, "roles", "cs_install", "tasks", "main.yml"), encoding="utf-8") as handle:
        tasks = yaml.safe_load(handle)
    applies = [t["sfb.edge.edge_apply"] for block in tasks for t in block.get("block", [block]) if "sfb.edge.edge_apply" in t]
    assert [a["step_calls"] for a in applies] == ["{{ cs_install_step_calls }}"] * 2
    with open(os.path.join(ROOT, "roles", "cs_install", "meta", "argument_specs.yml"), encoding="utf-8") as handle:
        option = yaml.safe_load(handle)["argument_specs"]["main"]["options"]["cs_install_step_calls"]
    assert (option["type"], option["default"]) == ("bool", False)
    assert _edge_apply.ARGUMENT_SPEC["step_calls"] == {"type": "bool", "default": False}
