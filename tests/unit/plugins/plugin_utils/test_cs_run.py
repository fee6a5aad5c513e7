# -*- coding: utf-8 -*-
"""The install run of an edge server (issue 9, points 1, 2, 18, 19, 20, 21, 24): when edge_cs imports
the management module, reboots (3010/1641 and pending-reboot indicators), the cumulative update
step, the elevated run context, the service list and the module path, and the simulator's own
lists (tests/simhost/winsim.py)."""

from __future__ import annotations

import copy
import os
import re
import sys
from unittest import mock

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

import inventory_data  # noqa: E402
import winsim  # noqa: E402

from ansible_collections.sfb.edge.plugins.action import edge_apply  # noqa: E402
from ansible_collections.sfb.edge.plugins.plugin_utils import _cs as cs, _desired as desired, _drift as drift, _state as state  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__)))))
SNAPSHOTS = os.path.join(ROOT, "tests", "snapshots")
EDGE_CS = os.path.join(ROOT, "plugins", "modules", "edge_cs.ps1")
OPTIONS = {"frontend": "fe01"}
_DESIRED = {}


def want(host="edge01", version=None, xmpp=None):
    key = (host, version, xmpp)
    if key not in _DESIRED:
        inv = inventory_data.example()
        if version:
            inventory_data.set_pool(inv, "sfb_edge_version", version)
        if xmpp is not None:
            inventory_data.set_pool(inv, "sfb_edge_xmpp", xmpp)
        _DESIRED[key] = desired.build(inv, host)
    return copy.deepcopy(_DESIRED[key])


def snap(scenario, host="edge01"):
    return state.load_snapshot(os.path.join(SNAPSHOTS, scenario), host)


def edge_cs_args(res):
    calls = [c for c in res["calls"] if c["module"] == "sfb.edge.edge_cs"]
    return calls[0]["args"] if calls else None


# ----------------------------------------------------------------------------------- point 1
def _switch_branches(text):
    """{step: body} of the step switch in edge_cs.ps1 (the loop over the steps to run)."""
    loop = text.index("foreach ($step in $runSteps)")
    body = text[loop:]
    branches = {}
    for match in re.finditer(r"^( +)'(\w+)' \{\n(.*?)^\1\}\n", body, re.M | re.S):
        branches[match.group(2)] = match.group(3)
    return loop, branches


def test_edge_cs_imports_the_module_only_when_a_step_that_needs_it_runs():
    """On a fresh server `core` installs the module: nothing may import it before the step loop, the
    setup steps never import it, and every cmdlet step imports it first thing."""
    with open(EDGE_CS, encoding="utf-8") as handle:
        text = handle.read()
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    # exactly one call of the import, inside the lazy helper
    calls = [m.start() for m in re.finditer(r"Import-SfbEdgeCsModule\b", code)]
    helper = code.index("function Use-SfbCsModule")
    helper_end = code.index("\n}\n", helper)
    assert len(calls) == 1 and helper < calls[0] < helper_end, "Import-SfbEdgeCsModule outside Use-SfbCsModule"
    loop, branches = _switch_branches(code)
    # the helper is only called from inside the step loop, never before it
    uses = [m.start() for m in re.finditer(r"Use-SfbCsModule -Step", code)]
    assert uses and all(u > loop for u in uses)
    for step in ("core", "cu", "local_management", "edge_roles"):
        assert "Use-SfbCsModule" not in branches[step], step
    for step in cs.MODULE_STEPS:
        assert branches[step].strip().startswith("Use-SfbCsModule -Step $step"), step
    # the .ps1's list of module steps is the controller's
    listed = re.search(r"^\$moduleSteps = (.*)$", code, re.M).group(1)
    assert tuple(re.findall(r"'(\w+)'", listed)) == cs.MODULE_STEPS


def test_a_fresh_server_gets_core_before_every_step_that_needs_the_module():
    args = edge_cs_args(drift.cs.cs_install(want(), snap("cs-fresh"), OPTIONS))
    steps = args["steps"]
    first_module_step = min(steps.index(s) for s in steps if s in cs.MODULE_STEPS)
    assert steps[0] == "core" and first_module_step > steps.index("core")
    # and the order is the one edge_cs enforces
    with open(EDGE_CS, encoding="utf-8") as handle:
        order = re.search(r"^\$order = (.*?)\n(.*?)\n", handle.read(), re.M | re.S)
    assert tuple(re.findall(r"'(\w+)'", order.group(0))) == cs.INSTALL_STEPS + ("certificates", "start_services")


# ----------------------------------------------------------------------------------- point 2
class _Task:
    def __init__(self, args, check_mode=False):
        self.args = args
        self.check_mode = check_mode
        self.async_val = 0
        self.diff = False
        self.action = "sfb.edge.edge_apply"


def run_action(area, goal, current, outputs, check_mode=False, step_calls=None):
    """edge_apply's run with a fake connection: ``outputs`` maps a module name to what it returns (a
    callable gets the module args). ``step_calls``: the action option (None: not given, its default).
    Returns (result, [(module, args)] of the calls made)."""
    args = {"area": area, "desired": goal, "current": current, "frontend": "fe01",
            "configuration_archive": __file__, "call_options": {"timeout": 60}}
    if step_calls is not None:
        args["step_calls"] = step_calls
    action = edge_apply.ActionModule(_Task(args, check_mode), mock.MagicMock(), mock.MagicMock(), mock.MagicMock(),
                                     mock.MagicMock(), mock.MagicMock())
    made = []

    def execute(module_name, module_args, task_vars):
        made.append((module_name, module_args))
        out = outputs[module_name]
        return out(module_args) if callable(out) else copy.deepcopy(out)

    action._execute_module = execute
    action._make_tmp_path = lambda: "C:\\Windows\\Temp\\ansible-tmp"
    action._connection._shell.join_path = lambda *parts: "\\".join(parts)
    action._transfer_file = lambda src, dst: None
    action._remove_tmp_path = lambda tmp: None
    return action.run(task_vars={"inventory_hostname": "edge01"}), made


def _features_installed(current):
    current["cs"]["features"] = {name: True for name in want()["cs"]["features"]}
    return current


def test_exit_code_3010_stops_after_the_step_and_the_rest_resumes_from_the_state():
    goal, current = want(), _features_installed(snap("cs-fresh"))
    planned = edge_cs_args(drift.cs.cs_install(goal, current, OPTIONS))["steps"]
    # edge_cs as documented: core's ocscore.msi exits 3010, the run ends after core
    out = {"changed": True, "reboot_required": True, "services": [],
           "steps": [{"name": "core", "rc": 3010, "output": "vcredist_x64.exe: 1638\nocscore.msi: 3010"}]}
    result, made = run_action("cs_install", goal, current, {"sfb.edge.edge_cs": out})
    assert [m for m, _a in made] == ["sfb.edge.edge_cs"]
    assert result["reboot_required"] is True and not result.get("failed")
    assert [p["steps"] for p in result["pending"]] == [planned[1:]]
    assert result["msg"] == ("host edge01, cs_install: the step core asked for a reboot (exit code 3010); "
                             "local_management, import_configuration, enable_replica, start_replica, edge_roles, "
                             "start_services run after it")
    # after the reboot the role gathers again: core is installed, so the new plan starts after it
    after = winsim.apply(current, [{"module": "sfb.edge.edge_cs", "args": dict(made[0][1], steps=["core"])}])
    assert edge_cs_args(drift.cs.cs_install(goal, after, OPTIONS))["steps"] == planned[1:]


def test_a_run_without_a_reboot_request_has_nothing_pending():
    goal, current = want(), _features_installed(snap("cs-fresh"))
    steps = edge_cs_args(drift.cs.cs_install(goal, current, OPTIONS))["steps"]
    out = {"changed": True, "reboot_required": False, "services": [],
           "steps": [{"name": s, "rc": 0, "output": ""} for s in steps]}
    result, _made = run_action("cs_install", goal, current, {"sfb.edge.edge_cs": out})
    assert result["applied"] is True and "pending" not in result and result["reboot_required"] is False


INDICATORS = [  # edge_facts' computer.pending_reboot_reasons, and where each is read
    ("ComponentBasedServicing", "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending"),
    ("ComputerRename", "HKLM\\SYSTEM\\CurrentControlSet\\Control\\ComputerName: ActiveComputerName differs from "
                       "ComputerName"),
    ("PendingFileRenameOperations", "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\"
                                    "PendingFileRenameOperations"),
    ("WindowsUpdate", "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired")]


@pytest.mark.parametrize("indicator,where", INDICATORS)
def test_a_pending_reboot_holds_back_the_setup_steps_and_names_the_indicator(indicator, where):
    goal, current = want(), _features_installed(snap("cs-fresh"))
    current["computer"]["pending_reboot"] = True
    current["computer"]["pending_reboot_reasons"] = [indicator]
    res = drift.cs.cs_install(goal, current, OPTIONS)
    assert res["reboot_required"] is True and res["reboot_reasons"] == ["%s (%s)" % (indicator, where)]
    result, made = run_action("cs_install", goal, current, {})
    assert made == []  # nothing ran
    assert result["pending"][0]["steps"][0] == "core"
    assert result["msg"].startswith("host edge01, cs_install: Windows waits for a reboot (%s (%s)) before core, "
                                    "local_management" % (indicator, where))


def test_a_pending_reboot_does_not_hold_back_steps_that_run_no_installer():
    current = snap("converged")
    current["cs"]["topology"]["machines"] = ["fe01.corp.example.com"]  # only an import is due
    current["computer"].update(pending_reboot=True, pending_reboot_reasons=["PendingFileRenameOperations"])
    res = drift.cs.cs_install(want(), current, OPTIONS)
    assert edge_cs_args(res)["steps"] == ["import_configuration"] and not res.get("reboot_required")


def test_features_asking_for_a_reboot_stop_before_edge_cs():
    goal, current = want(), snap("cs-fresh")
    result, made = run_action("cs_install", goal, current,
                              {"ansible.windows.win_feature": {"changed": True, "reboot_required": True}})
    assert [m for m, _a in made] == ["ansible.windows.win_feature"]
    assert result["pending"][0]["module"] == "sfb.edge.edge_cs"
    assert "Windows waits for a reboot (a Windows feature asked for it) before core" in result["msg"]


def test_edge_cs_stops_after_a_step_whose_installer_asked_for_a_reboot():
    """The .ps1 side of the contract (issue 19, point 3 replaces the codes it had): every installer runs through
    Invoke-Program with its entry of the controller's exit_codes, each installer step sets reboot_required when
    its installer's code is a reboot code of that entry, and the step loop ends before the next step."""
    with open(EDGE_CS, encoding="utf-8") as handle:
        text = handle.read()
    loop, branches = _switch_branches(text)
    assert text[loop:].splitlines()[1].strip() == "if ($module.Result.reboot_required) { break }"
    installers = [x for x in text.splitlines() if "Invoke-Program -Step" in x]
    # vcredist, the two MSIs, ocscore.msi, the update installer after core and after edge_roles, both Bootstrappers
    assert len(installers) == 7
    assert all(re.search(r"-Policy '(\w+)'$", line.strip()) for line in installers), installers
    for step in ("core", "cu", "local_management", "edge_roles", "cu_databases"):
        assert "$module.Result.reboot_required = $true" in branches[step], step


# ----------------------------------------------------------------------------------- point 18
def test_setup_runs_with_become_system_by_default_and_the_example_says_so():
    with open(os.path.join(ROOT, "roles", "cs_install", "defaults", "main.yml"), encoding="utf-8") as handle:
        defaults = yaml.safe_load(handle)
    assert (defaults["cs_install_become"], defaults["cs_install_become_method"], defaults["cs_install_become_user"]) \
        == (True, "ansible.builtin.runas", "SYSTEM")
    with open(os.path.join(ROOT, "roles", "cs_install", "tasks", "main.yml"), encoding="utf-8") as handle:
        tasks = yaml.safe_load(handle)
    applies = [t for block in tasks for t in block.get("block", [block]) if "sfb.edge.edge_apply" in t]
    assert len(applies) == 2
    for task in applies:
        assert (task["become"], task["become_method"], task["become_user"]) == (
            "{{ cs_install_become | bool }}", "{{ cs_install_become_method }}", "{{ cs_install_become_user }}")
    with open(os.path.join(ROOT, "inventories", "example", "group_vars", "edge_servers", "main.yml"), encoding="utf-8") as h:
        text = h.read()
    assert yaml.safe_load(text)["cs_install_become_user"] == "SYSTEM"
    assert "runas as\n# SYSTEM" in text and "SQL Server Express" in text


def test_become_of_the_task_reaches_the_modules_edge_apply_runs():
    """ansible-core builds the module with the connection's become plugin (the task's become): the
    runas wrapper wraps every module an action plugin runs through _execute_module."""
    import inspect

    from ansible.plugins.action import ActionBase
    source = inspect.getsource(ActionBase._configure_module)
    # 2.19 passes the plugin; 2.16 to 2.18 pass its method and options (make compat runs this on 2.16)
    assert ("become_plugin=self._connection.become" in source
            or "become_kwargs['become_method'] = self._connection.become.name" in source)
    assert "modify_module(" in source


# ----------------------------------------------------------------------------------- point 19
CU9, CU5 = "6.0.9319.548", "6.0.9319.281"


@pytest.mark.parametrize("version,build,minimum", [
    ("sfb2015", 14393, CU5), ("sfb2015", 17763, CU9), ("sfb2015", 9600, None), ("sfb2015", None, None),
    ("sfb2019", 17763, None), ("lync2013", 9600, "5.0.8308.556"), ("lync2013", 9200, None),
    ("sfbse", 20348, None)])
def test_required_cu(version, build, minimum):
    assert cs.required_cu(version, build) == minimum


@given(st.tuples(*[st.integers(0, 20000)] * 4), st.tuples(*[st.integers(0, 20000)] * 4))
def test_version_lower_is_the_numeric_order(a, b):
    assert cs.version_lower(".".join(map(str, a)), ".".join(map(str, b))) == (a < b)


def as_sfb2015(current):
    """A server whose .NET needs no cumulative update of SfB 2015: 4.6.2 (release 394802; 4.7 and later
    need CU5/CU6/CU9, issue 19 point 7 - tested in test_prereqs_facts.py), so the OS build alone decides."""
    current["computer"]["dotnet_release"] = 394802
    return current


def _sfb2015(build, products, cu_path="D:\\CU"):
    goal = want(version="sfb2015")
    goal["cs"]["cu_path"] = cu_path
    current = as_sfb2015(snap("converged"))
    current["cs"]["features"] = {name: True for name in goal["cs"]["features"]}
    current["computer"]["os_build"] = build
    current["cs"]["products"] = [{"name": "Skype for Business Server 2015, %s" % n, "version": v} for n, v in products]
    return goal, current


def test_cu_runs_right_after_core_on_a_fresh_server():
    goal = want(version="sfb2015")
    goal["cs"]["cu_path"] = "D:\\CU"
    goal["cs"]["feature_source"] = "D:\\sources\\sxs"  # .NET 3.5 of the 2015 profile
    current = as_sfb2015(_features_installed(snap("cs-fresh")))
    current["computer"]["os_build"] = 17763
    args = edge_cs_args(drift.cs.cs_install(goal, current, OPTIONS))
    assert args["steps"][:3] == ["core", "cu", "local_management"]
    assert args["cu_installer"] == "D:\\CU\\SkypeServerUpdateInstaller.exe"


@pytest.mark.parametrize("build,core,edge,planned", [
    (17763, "6.0.9319.0", "6.0.9319.0", True), (17763, "6.0.9319.548", "6.0.9319.0", True),
    (17763, "6.0.9319.548", "6.0.9319.548", False), (17763, "6.0.9319.613", "6.0.9319.613", False),
    (14393, "6.0.9319.281", "6.0.9319.281", False), (14393, "6.0.9319.272", "6.0.9319.281", True),
    (9600, "6.0.9319.0", "6.0.9319.0", False)])
def test_cu_is_planned_by_the_installed_version(build, core, edge, planned):
    goal, current = _sfb2015(build, [("Core Components", core), ("Edge Server", edge)])
    res = drift.cs.cs_install(goal, current, OPTIONS)
    assert res["problems"] == []
    assert (edge_cs_args(res) or {}).get("steps") == (["cu"] if planned else None)


def test_cu_unknown_os_build_is_a_note_not_a_silent_pass():
    goal, current = _sfb2015(None, [("Core Components", "6.0.9319.0"), ("Edge Server", "6.0.9319.0")])
    del current["computer"]["os_build"]
    res = drift.cs.cs_install(goal, current, OPTIONS)
    assert res["calls"] == [] and res["notes"] == [
        "the OS build was not read (computer.os_build): whether Skype for Business Server 2015 needs a cumulative "
        "update on this server is unknown; re-gather with this collection's edge_facts"]


def test_cu_minimum_from_the_desired_state_wins():
    goal, current = _sfb2015(9600, [("Core Components", "6.0.9319.548"), ("Edge Server", "6.0.9319.548")])
    goal["cs"]["minimum_version"] = "6.0.9319.613"
    assert edge_cs_args(drift.cs.cs_install(goal, current, OPTIONS))["steps"] == ["cu"]


def test_cu_needed_without_cu_path_is_a_problem_naming_the_variable():
    goal, current = _sfb2015(17763, [("Core Components", "6.0.9319.0"), ("Edge Server", "6.0.9319.0")], cu_path=None)
    res = drift.cs.cs_install(goal, current, OPTIONS)
    assert [p["variable"] for p in res["problems"]] == ["sfb_edge_cu_path"]
    assert "Skype for Business Server 2015 needs CU9, 6.0.9319.548 or later on this server (Windows build 17763" \
        in res["problems"][0]["message"]


def test_applying_the_cu_converges_and_a_rerun_skips_it():
    goal = want(version="sfb2015")
    goal["cs"]["cu_path"] = "D:\\CU\\SkypeServerUpdateInstaller.exe"
    goal["cs"]["feature_source"] = "D:\\sources\\sxs"
    current = as_sfb2015(snap("cs-fresh"))
    current["computer"]["os_build"] = 17763
    results, _v = drift.host_drift(goal, current, areas=cs.CS_AREAS, options=OPTIONS)
    calls = [c for a in cs.CS_AREAS for c in results[a]["calls"]]
    after = winsim.apply(current, calls, cs_version="sfb2015")
    assert winsim.deployed(after, "sfb2015") == []
    assert {p["version"] for p in after["cs"]["products"]} == {"6.0.9319.613"}
    again = drift.cs.cs_install(goal, after, OPTIONS)
    assert again["calls"] == [] and again["changes"] == []


# ----------------------------------------------------------------------------------- points 20, 21
@pytest.mark.parametrize("version", sorted(cs.PROFILES))
def test_every_version_installs_wcf_activation_and_runs_the_logging_agent(version):
    """HTTP Activation is listed for every server of SfB 2015/2019; the Lync 2013 Edge list is .NET 4.5,
    WIF and PowerShell 3.0 only (HTTP Activation: "internal server roles ... except Edge Server")."""
    goal = want(version=version)["cs"]
    assert ("NET-WCF-HTTP-Activation45" in goal["features"]) == (version != "lync2013")
    assert goal["services"][:2] == ["REPLICA", "RTCCLSAGT"]


def test_feature_source_is_passed_to_win_feature():
    goal = want(version="sfb2015")
    goal["cs"]["feature_source"] = "D:\\sources\\sxs"
    res = drift.cs.cs_install(goal, as_sfb2015(snap("cs-fresh")), OPTIONS)
    assert res["calls"][0]["args"]["source"] == "D:\\sources\\sxs"
    assert "source" not in drift.cs.cs_install(want(version="sfb2019"), snap("cs-fresh"), OPTIONS)["calls"][0]["args"]


def test_a_stopped_logging_agent_is_started():
    current = snap("converged")
    for svc in current["cs"]["services"]:
        if svc["name"] == "RTCCLSAGT":
            svc["status"] = "Stopped"
    res = drift.cs.cs_services(want(), current)
    assert edge_cs_args(res)["services"] == ["RTCCLSAGT"]
    # it comes with the local store, not with the edge roles: no Bootstrapper run for it
    del current["cs"]["services"][1]
    assert edge_cs_args(drift.cs.cs_install(want(), current, OPTIONS)) is None


@pytest.mark.parametrize("version,folder,module", [
    ("lync2013", "Microsoft Lync Server 2013", "Lync"),
    ("sfb2015", "Skype for Business Server 2015", "SkypeForBusiness"),
    ("sfb2019", "Skype for Business Server 2019", "SkypeForBusiness"),
    ("sfbse", "Skype for Business Server", "SkypeForBusiness")])
def test_module_path_does_not_follow_an_overridden_install_dir(version, folder, module):
    inv = inventory_data.set_pool(inventory_data.example(), "sfb_edge_version", version)
    inventory_data.set_pool(inv, "sfb_edge_install_dir", "E:\\Lync\\%s" % version)
    goal = desired.build(inv, "edge01")["cs"]
    assert goal["install_dir"] == "E:\\Lync\\%s" % version
    assert goal["module_path"] == "C:\\Program Files\\Common Files\\%s\\Modules\\%s\\%s.psd1" % (folder, module, module)


# ----------------------------------------------------------------------------------- point 24
def test_the_simulator_has_its_own_lists():
    with open(winsim.__file__, encoding="utf-8") as handle:
        text = handle.read()
    # from cs.py only what edge_cs receives from the controller or shares with it (issue 19, points 3 and 19):
    # the step order and the installers of each step; the product lists are its own
    imports = re.findall(r"^from ansible_collections\.sfb\.edge\.plugins\.plugin_utils\._cs import (.*)$", text, re.M)
    assert imports == ["RUN_ORDER, STEP_INSTALLERS, run_steps"]
    assert not re.search(r"plugin_utils import .*\bcs\b", text)
    for version in cs.PROFILES:
        for xmpp in (False, True) if version in ("lync2013", "sfb2015") else (False,):
            production = want(version=version, xmpp=xmpp)["cs"]["services"]
            assert sorted(winsim.sim_services(version, xmpp)) == sorted(production), (version, xmpp)
    assert winsim.SIM_STEP_ORDER == cs.INSTALL_STEPS + ("certificates", "start_services")


@pytest.mark.parametrize("dropped", ["RTCMRAUTH", "RTCCLSAGT", "RTCSRV"])
def test_a_service_dropped_from_production_breaks_convergence(dropped, monkeypatch):
    """The CS convergence is no longer circular: with a service missing from the version's services (the
    registry of product versions, _products.py) the planned calls leave it stopped, and the simulator (its
    own list) says the server is not deployed."""
    def converge():
        goal = desired.build(inventory_data.example(), "edge01")
        current = snap("cs-fresh")
        results, _v = drift.host_drift(goal, current, areas=cs.CS_AREAS, options=OPTIONS)
        return winsim.apply(current, [c for a in cs.CS_AREAS for c in results[a]["calls"]])

    assert winsim.deployed(converge()) == []
    monkeypatch.setitem(cs.PROFILES["sfb2019"], "services", tuple(s for s in cs.EDGE_SERVICES if s[0] != dropped))
    assert winsim.deployed(converge()) == ["%s not running" % dropped]
