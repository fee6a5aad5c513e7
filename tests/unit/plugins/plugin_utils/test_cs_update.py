# -*- coding: utf-8 -*-
"""The cumulative-update path (issue 19, section A): a CU that asks for a reboot keeps its second half
(point 1), the target version is the update installer's own (point 1), the services stopped for the update
start again on every failure path (point 2), the exit-code policy is the controller's (point 3), and the
progress lines name where the update installer's logs are (point 4).

The expectations are written by hand: exit codes from Microsoft's Windows Installer error codes (0
ERROR_SUCCESS, 1638 ERROR_PRODUCT_VERSION, 1641 ERROR_SUCCESS_REBOOT_INITIATED, 3010
ERROR_SUCCESS_REBOOT_REQUIRED), versions from Microsoft's update lists (SfB 2015 CU9 6.0.9319.548, SfB 2019
RTM 7.0.2046.0)."""

from __future__ import annotations

import copy
import os
import re
import sys

import jinja2
import pytest
import tree_sitter_pwsh
import yaml
from tree_sitter import Language, Parser

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

import test_cs_run  # noqa: E402
import winsim  # noqa: E402
from test_cs_run import EDGE_CS, OPTIONS, ROOT, as_sfb2015, edge_cs_args, run_action, snap, want  # noqa: E402

from ansible_collections.sfb.edge.plugins.plugin_utils import _edge_apply  # noqa: E402
from ansible_collections.sfb.edge.plugins.plugin_utils import _cs as cs, _drift as drift, _state as state  # noqa: E402

CU_DIR = "C:\\media\\cu"
INSTALLER = CU_DIR + "\\SkypeServerUpdateInstaller.exe"
SFB2019_RTM = "7.0.2046.0"
SFB2019_UPDATE = "7.0.2046.530"  # the simulator's updated build of SfB 2019 (winsim.SIM_PRODUCTS)
EDGE_SERVICES_2019 = ["REPLICA", "RTCCLSAGT", "RTCSRV", "RTCDATAPROXY", "RTCMEDIARELAY", "RTCMRAUTH"]
POLICY = {  # what every installer's exit code means (hand-written; the controller's cs.EXIT_CODES must say the same)
    "core_prerequisites": {"success": [0, 1638], "reboot": [3010, 1641]},
    "core": {"success": [0], "reboot": [3010, 1641]},
    "cu": {"success": [0], "reboot": [3010, 1641]},
    "local_management": {"success": [0], "reboot": [3010, 1641]},
    "edge_roles": {"success": [0], "reboot": [3010, 1641]},
}


def _ps1():
    with open(EDGE_CS, encoding="utf-8") as handle:
        return handle.read()


def installed_2019(version=SFB2019_RTM, target=SFB2019_UPDATE, exists=True):
    """A deployed SfB 2019 edge (the converged snapshot) at ``version``, sfb_edge_cu_path set, and the update
    installer edge_facts read there (``target``: its file version)."""
    goal = want()
    goal["cs"]["cu_path"] = CU_DIR
    current = snap("converged")
    for item in current["cs"]["products"]:
        item["version"] = version
    current["cs"]["update_installer"] = {"path": INSTALLER, "exists": exists, "version": target if exists else None}
    return goal, current


def fresh_2019():
    goal = want()
    goal["cs"]["cu_path"] = CU_DIR
    current = test_cs_run._features_installed(snap("cs-fresh"))
    current["cs"]["update_installer"] = {"path": INSTALLER, "exists": True, "version": SFB2019_UPDATE}
    return goal, current


def steps_of(goal, current):
    return (edge_cs_args(drift.cs.cs_install(goal, current, OPTIONS)) or {}).get("steps")


# ----------------------------------------------------------------------------------- point 1: the second half
def test_a_cu_that_asks_for_a_reboot_keeps_its_second_half_and_the_rerun_completes_it():
    goal, current = installed_2019()
    assert steps_of(goal, current) == ["cu"]
    # edge_cs as the .ps1 runs it: the update installer exits 3010, the loop stops before cu_databases
    out, after = winsim.edge_cs_run(current, edge_cs_args(drift.cs.cs_install(goal, current, OPTIONS)),
                                    rcs={"cu": 3010})
    assert [s["run"] for s in out["steps"]] == ["cu"] and out["reboot_required"] is True
    assert out["services_stopped"] == EDGE_SERVICES_2019 and out["services_restarted"] == []  # a reboot follows
    result, made = run_action("cs_install", goal, current, {"sfb.edge.edge_cs": lambda args: copy.deepcopy(out)})
    assert len(made) == 1 and not result.get("failed") and result["reboot_required"] is True
    assert [p["steps"] for p in result["pending"]] == [["cu"]]  # cu_databases did not run: its step stays
    assert result["msg"] == ("host edge01, cs_install: the step cu asked for a reboot (exit code 3010); "
                             "cu_databases run after it; the services stopped for the update (REPLICA, RTCCLSAGT, "
                             "RTCSRV, RTCDATAPROXY, RTCMEDIARELAY, RTCMRAUTH) start with Windows after the reboot")
    assert [(p["step"], p["status"]) for p in result["progress"]] == [("cu", "reboot"), ("cu_databases", "not run")]
    # after the reboot the components read the update's version, and the mark says the databases are due
    rebooted = winsim.reboot(after)
    assert {p["version"] for p in rebooted["cs"]["products"]} == {SFB2019_UPDATE}
    assert rebooted["cs"]["cu_databases_pending"] is True
    state.check(rebooted)
    assert steps_of(goal, rebooted) == ["cu"]
    out, done = winsim.edge_cs_run(rebooted, edge_cs_args(drift.cs.cs_install(goal, rebooted, OPTIONS)))
    assert [(s["name"], s["run"]) for s in out["steps"]] == [("cu", "cu"), ("cu_databases", "cu_databases")]
    assert done["cs"]["cu_databases_pending"] is False and winsim.deployed(done) == []
    assert steps_of(goal, done) is None


def test_the_action_keeps_cu_pending_when_only_its_first_half_ran():
    """edge_cs's own result for a cu that exited 3010 (written out): the first half ran, cu_databases did not
    (SfB 2015 on Windows Server 2019 below CU9: the update is planned by the required minimum alone)."""
    goal, current = test_cs_run._sfb2015(17763, [("Core Components", "6.0.9319.0"), ("Edge Server", "6.0.9319.0")])
    out = {"changed": True, "reboot_required": True, "services": [], "services_stopped": EDGE_SERVICES_2019,
           "services_restarted": [], "steps": [{"name": "cu", "rc": 3010, "output": "", "run": "cu"}],
           "run_steps": [{"name": "cu", "seconds": 600.0}]}
    result, _made = run_action("cs_install", goal, current, {"sfb.edge.edge_cs": out})
    assert result["pending"] == [dict(edge_cs_args(drift.cs.cs_install(goal, current, OPTIONS)),
                                      module="sfb.edge.edge_cs")]
    assert "the step cu asked for a reboot (exit code 3010); cu_databases run after it" in result["msg"]
    assert result["services_stopped"] == EDGE_SERVICES_2019 and result["services_restarted"] == []


def test_a_second_half_due_without_cu_path_names_the_variable():
    goal, current = installed_2019(version=SFB2019_UPDATE)
    current["cs"]["cu_databases_pending"] = True
    assert steps_of(goal, current) == ["cu"]
    goal["cs"]["cu_path"] = None
    res = drift.cs.cs_install(goal, current, OPTIONS)
    assert [p["variable"] for p in res["problems"]] == ["sfb_edge_cu_path"]
    assert "without its second half" in res["problems"][0]["message"]


def _role_tasks():
    with open(os.path.join(ROOT, "roles", "cs_install", "tasks", "main.yml"), encoding="utf-8") as handle:
        tasks = yaml.safe_load(handle)
    return [t for t in tasks if "block" in t and any("sfb.edge.edge_apply" in x for x in t["block"])][0]["block"]


def _bool(value):
    return value if isinstance(value, bool) else str(value).strip().lower() in ("true", "yes", "on", "1")


JINJA = jinja2.Environment(undefined=jinja2.ChainableUndefined)
JINJA.filters["bool"] = _bool


def _true(expression, variables):
    return _bool(JINJA.from_string("{{ (%s) }}" % expression).render(**variables))


def role_run(variables):
    """The tasks of cs_install's install block after the first edge_apply that would run with ``variables``
    (its set_fact applied, registered results as given; the Jinja of Ansible's conditionals)."""
    variables = dict(variables)
    ran = []
    for task in _role_tasks()[1:]:
        when = task.get("when") or []
        if all(_true(w, variables) for w in ([when] if isinstance(when, str) else when)):
            ran.append(task["name"])
            for name, value in (task.get("ansible.builtin.set_fact") or {}).items():
                variables[name] = _bool(JINJA.from_string(value).render(**variables)) if isinstance(value, str) else value
    return ran


@pytest.mark.parametrize("reboot", [False, True])
def test_the_role_reboots_or_fails_when_setup_asks_for_a_reboot_with_nothing_pending(reboot):
    """The last step's installer asked for a reboot: nothing is pending, and still the role reboots (opt-in)
    or fails - it never goes on silently (issue 19, point 1)."""
    result = {"applied": True, "changed": True, "reboot_required": True, "msg": "host edge01, cs_install: the step "
              "edge_roles asked for a reboot (exit code 3010)"}
    ran = role_run({"cs_install_result": result, "cs_install_reboot": reboot, "ansible_check_mode": False,
                    "edge_state_snapshot": False})
    if reboot:
        assert "Reboot for the Windows features or setup (cs_install_reboot)" in ran
        assert "The remaining setup steps after the reboot" in ran
        assert "Stop when Windows waits for a reboot (reboots are opt-in)" not in ran
    else:
        assert "Stop when Windows waits for a reboot (reboots are opt-in)" in ran
        assert not [t for t in ran if t.startswith("Reboot") or t.startswith("The remaining")]


def test_after_the_setup_steps_the_state_is_read_again_before_cs_services_decides():
    result = {"applied": True, "changed": True, "reboot_required": False}
    ran = role_run({"cs_install_result": result, "cs_install_reboot": False, "ansible_check_mode": False,
                    "edge_state_snapshot": False})
    read = "Read the state again after the setup steps, before the certificates and services are decided"
    assert ran == ["Whether Windows waits for a reboot after the setup run", read]
    task = [t for t in _role_tasks() if t["name"] == read][0]
    assert task["ansible.builtin.include_role"] == {"name": "sfb.edge.edge_state"} and task["vars"] == {
        "edge_state_again": True}
    # nothing applied (check mode, a converged host): no read
    assert read not in role_run({"cs_install_result": {"applied": False, "changed": True}, "ansible_check_mode": False})
    assert read not in role_run({"cs_install_result": result, "ansible_check_mode": True})
    # after the reboot and the remaining steps: read once more
    after = role_run({"cs_install_result": dict(result, reboot_required=True), "cs_install_reboot": True,
                      "cs_install_after_reboot": {"applied": True, "changed": True, "reboot_required": False},
                      "ansible_check_mode": False})
    assert after[-1] == read
    # site.yml decides cs_certificates and cs_services after cs_install, from the state read last
    with open(os.path.join(ROOT, "playbooks", "tasks", "converge.yml"), encoding="utf-8") as handle:
        order = [(t["ansible.builtin.include_role"]["name"], t["when"]) for t in yaml.safe_load(handle)
                 if "ansible.builtin.include_role" in t]
    names = [n for n, _w in order]
    assert names.index("sfb.edge.cs_install") < names.index("sfb.edge.cs_services")
    assert "'cs_services' in edge_state_areas" in dict(order)["sfb.edge.cs_services"]


# ----------------------------------------------------------------------------------- point 1: the target version
@pytest.mark.parametrize("installed,planned", [(SFB2019_RTM, True), ("7.0.2046.252", True), (SFB2019_UPDATE, False),
                                               ("7.0.2046.531", False)])
def test_cu_is_planned_when_a_component_is_older_than_the_update_installer(installed, planned):
    goal, current = installed_2019(version=installed)
    res = drift.cs.cs_install(goal, current, OPTIONS)
    assert res["problems"] == []
    assert (edge_cs_args(res) or {}).get("steps") == (["cu"] if planned else None)
    if planned:
        change = [c for c in res["changes"] if c["property"] == "cumulative update"][0]
        assert change["after"] == "at least 7.0.2046.530 (C:\\media\\cu\\SkypeServerUpdateInstaller.exe)"


def test_an_update_installer_older_than_the_required_cu_is_a_problem():
    goal, current = test_cs_run._sfb2015(17763, [("Core Components", "6.0.9319.0"), ("Edge Server", "6.0.9319.0")])
    current["cs"]["update_installer"] = {"path": "D:\\CU\\SkypeServerUpdateInstaller.exe", "exists": True,
                                         "version": "6.0.9319.516"}
    res = drift.cs.cs_install(goal, current, OPTIONS)
    assert [p["variable"] for p in res["problems"]] == ["sfb_edge_cu_path"]
    assert "is version 6.0.9319.516, older than CU9, 6.0.9319.548" in res["problems"][0]["message"]
    # a newer one is the target
    current["cs"]["update_installer"]["version"] = "6.0.9319.613"
    res = drift.cs.cs_install(goal, current, OPTIONS)
    assert res["problems"] == [] and edge_cs_args(res)["steps"] == ["cu"]
    assert [c["after"] for c in res["changes"] if c["property"] == "cumulative update"] == [
        "at least 6.0.9319.613 (D:\\CU\\SkypeServerUpdateInstaller.exe)"]


def test_a_missing_update_installer_is_a_problem_when_the_update_is_due():
    goal, current = installed_2019(exists=False)
    current["cs"]["products"][0]["version"] = SFB2019_RTM
    current["cs"]["cu_databases_pending"] = True
    res = drift.cs.cs_install(goal, current, OPTIONS)
    assert [p["variable"] for p in res["problems"]] == ["sfb_edge_cu_path"]
    assert "C:\\media\\cu\\SkypeServerUpdateInstaller.exe does not exist on the server" in res["problems"][0]["message"]


@pytest.mark.parametrize("step", ["core", "cu", "local_management", "edge_roles"])
def test_a_fresh_install_that_reboots_midway_still_plans_the_update(step):
    """core (or cu, or a Bootstrapper run) exits 3010 on a fresh server: after the reboot the re-plan still has
    cu while the components are below the update's version (or its second half is due)."""
    goal, current = fresh_2019()
    args = edge_cs_args(drift.cs.cs_install(goal, current, OPTIONS))
    assert args["steps"][:3] == ["core", "cu", "local_management"]
    out, after = winsim.edge_cs_run(current, args, rcs={step: 3010})
    assert out["reboot_required"] is True and out["run_steps"][-1]["name"] == step
    rebooted = winsim.reboot(after)
    state.check(rebooted)
    again = steps_of(goal, rebooted)
    assert "cu" in again
    # and the run after the reboot converges: the components at the update's version, the databases updated
    out, done = winsim.edge_cs_run(rebooted, edge_cs_args(drift.cs.cs_install(goal, rebooted, OPTIONS)))
    assert not out.get("failed") and out["reboot_required"] is False
    assert {p["version"] for p in done["cs"]["products"]} == {SFB2019_UPDATE}
    assert done["cs"]["cu_databases_pending"] is False and steps_of(goal, done) is None


def test_the_gathering_reads_the_update_installer_when_cu_path_is_set():
    from test_hoststate import _action, _vars

    from ansible_collections.sfb.edge.plugins.action import host_state
    desired_state = {"cs": {"module_path": "C:/m", "install_dir": "C:/i", "services": ["RTCSRV"], "features": [],
                            "cu_path": "C:\\media\\cu", "version": "sfb2015"}}
    action, calls = _action(host_state.ActionModule, {}, gathered={"state": {"format": 1}})
    action.read_state(_vars(plan_validation={"hosts": {"edge01": desired_state}}), "", False)
    assert [c[1]["cs"].get("cu_installer") for c in calls] == ["C:\\media\\cu\\SkypeServerUpdateInstaller.exe"]
    # Lync Server 2013 has its own update installer (issue 19, point 5)
    action, calls = _action(host_state.ActionModule, {}, gathered={"state": {"format": 1}})
    lync = {"cs": dict(desired_state["cs"], version="lync2013")}
    action.read_state(_vars(plan_validation={"hosts": {"edge01": lync}}), "", False)
    assert [c[1]["cs"].get("cu_installer") for c in calls] == ["C:\\media\\cu\\LyncServerUpdateInstaller.exe"]
    del desired_state["cs"]["cu_path"]
    action, calls = _action(host_state.ActionModule, {}, gathered={"state": {"format": 1}})
    action.read_state(_vars(plan_validation={"hosts": {"edge01": desired_state}}), "", False)
    assert "cu_installer" not in calls[0][1]["cs"]


def test_edge_facts_reads_the_installer_version_and_the_mark_edge_cs_keeps():
    with open(os.path.join(ROOT, "plugins", "modules", "edge_facts.ps1"), encoding="utf-8") as handle:
        facts = handle.read()
    text = _ps1()
    # the same mark: edge_cs sets it when cu starts and clears it after Install-CsDatabase; edge_facts reads it
    assert "$pendingKey = 'HKLM:\\SOFTWARE\\sfb.edge'" in text and "$pendingName = 'CuDatabasesPending'" in text
    assert "Get-ItemProperty -LiteralPath 'HKLM:\\SOFTWARE\\sfb.edge' -Name 'CuDatabasesPending'" in facts
    _loop, branches = test_cs_run._switch_branches(text)
    cu = branches["cu"]
    assert cu.index("Set-CuDatabasesPending -Step $step -Pending $true") < cu.index("Stop-SfbCsService")
    second = branches["cu_databases"]
    assert second.index("Install-CsDatabase -Update") < second.index("Set-CuDatabasesPending -Step $step -Pending $false")
    assert "$info.FileMajorPart, $info.FileMinorPart, $info.FileBuildPart, $info.FilePrivatePart" in facts
    # the schema takes both, and refuses a wrong type
    good = snap("converged")
    good["cs"].update(update_installer={"path": INSTALLER, "exists": True, "version": SFB2019_UPDATE},
                      cu_databases_pending=False)
    state.check(good)
    bad = copy.deepcopy(good)
    bad["cs"]["cu_databases_pending"] = "yes"
    with pytest.raises(state.StateError):
        state.check(bad)


# ----------------------------------------------------------------------------------- point 2: services restarted
def _step_loop():
    text = _ps1()
    loop = text.index("foreach ($step in $runSteps)")
    start = text.rindex("\ntry {\n", 0, loop)
    return text, text[start:]


def test_the_services_stopped_for_the_update_start_again_on_every_failure_path():
    text, tail = _step_loop()
    # the loop is the try of a catch and a finally that starts them again, and the failure is written after it
    finally_ = tail[tail.index("\nfinally {\n"):]
    assert tail.index("\ncatch {\n") < tail.index("\nfinally {\n")
    assert "$notStarted = @(Restore-SfbCsService)" in finally_[:finally_.index("\n}\n")]
    after = finally_[finally_.index("\n}\n"):]
    assert "$module.FailJson($failed.message + $restart" in after
    # nothing inside the loop, or in a helper it calls, ends the module itself: failures go through Exit-Step
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    loop_code = code[code.index("\ntry {\n    foreach ($step in $runSteps)"):code.index("\ncatch {\n    $failed")]
    assert "FailJson" not in loop_code
    helpers = re.findall(r"^function ([\w-]+) \{\n(.*?)^\}\n", code, re.M | re.S)
    failing = {name for name, body in helpers if "FailJson" in body}
    assert failing == {"Exit-Step"}
    exit_step = dict(helpers)["Exit-Step"]
    assert exit_step.index("if ($script:inSteps) {") < exit_step.index("throw $Message") < exit_step.index("FailJson")
    # Restore starts nothing when a reboot follows, else every service still stopped, and never throws
    restore = dict(helpers)["Restore-SfbCsService"]
    assert restore.index("if ($module.Result.reboot_required) { return $notStarted }") < restore.index("Start-Service")
    assert "catch { $notStarted += " in restore


@pytest.mark.parametrize("fail", ["cu_databases", "start_services"])
def test_a_failed_update_run_reports_the_services_it_started_again(fail):
    goal, current = installed_2019()
    args = edge_cs_args(drift.cs.cs_install(goal, current, OPTIONS))
    if fail == "start_services":  # a later step of the same call fails after the update
        args = dict(args, steps=["cu", "start_services"], services=["RTCSRV"])
    out, after = winsim.edge_cs_run(current, args, fail=fail)
    assert out["failed"] is True
    assert out["services_stopped"] == EDGE_SERVICES_2019 == sorted(out["services_restarted"], key=EDGE_SERVICES_2019.index)
    assert winsim.deployed(after) == []  # all running again
    result, _made = run_action("cs_install", goal, current, {"sfb.edge.edge_cs": lambda a: copy.deepcopy(out)})
    assert result["failed"] is True
    assert result["services_stopped"] == EDGE_SERVICES_2019 and set(result["services_restarted"]) == set(EDGE_SERVICES_2019)


def test_the_result_keys_are_documented():
    with open(os.path.join(ROOT, "plugins", "modules", "edge_cs.yml"), encoding="utf-8") as handle:
        doc = yaml.safe_load(handle)
    for key in ("services_stopped", "services_restarted"):
        assert doc["RETURN"][key]["returned"] == "always" and doc["RETURN"][key]["elements"] == "str"
    text = _ps1()
    assert "$module.Result.services_stopped = [System.Collections.Generic.List[object]]@()" in text
    assert "$module.Result.services_restarted = [System.Collections.Generic.List[object]]@()" in text
    assert set(_edge_apply._OUT_KEYS) >= {"services_stopped", "services_restarted"}


# ----------------------------------------------------------------------------------- point 3: the exit-code policy
def test_the_controller_policy_is_microsofts_codes():
    assert {k: {kk: list(vv) for kk, vv in v.items()} for k, v in cs.EXIT_CODES.items()} == POLICY
    assert cs.STEP_INSTALLERS == {"core": ("core_prerequisites", "core"), "cu": ("cu",),
                                  "local_management": ("local_management",), "edge_roles": ("edge_roles",),
                                  "cu_databases": ("cu",)}


def test_the_policy_is_passed_to_edge_cs_as_arguments():
    goal, current = fresh_2019()
    args = edge_cs_args(drift.cs.cs_install(goal, current, OPTIONS))
    assert args["exit_codes"] == POLICY  # core, cu, both Bootstrapper runs
    goal, current = installed_2019()
    assert edge_cs_args(drift.cs.cs_install(goal, current, OPTIONS))["exit_codes"] == {"cu": POLICY["cu"]}
    current = snap("converged")
    current["cs"]["topology"]["machines"] = ["fe01.corp.example.com"]  # only an import: no installer, no policy
    assert "exit_codes" not in edge_cs_args(drift.cs.cs_install(want(), current, OPTIONS))
    # the action passes them on as they are
    goal, current = fresh_2019()
    _result, made = run_action("cs_install", goal, current, {"sfb.edge.edge_cs": {"changed": True, "steps": []}})
    assert [a["exit_codes"] for m, a in made if m == "sfb.edge.edge_cs"] == [POLICY]


def _integers(node, source, found):
    if node.type in ("decimal_integer_literal", "integer_literal", "hexadecimal_integer_literal"):
        found.append(int(source[node.start_byte:node.end_byte].decode("utf-8"), 0))
    for child in node.children:
        _integers(child, source, found)
    return found


def test_edge_cs_has_no_exit_code_list_of_its_own():
    source = _ps1().encode("utf-8")
    tree = Parser(Language(tree_sitter_pwsh.language())).parse(source)
    numbers = _integers(tree.root_node, source, [])
    assert numbers and not {1638, 1641, 3010} & set(numbers), sorted(set(numbers))
    text = _ps1()
    assert "-Ok" not in text and "rebootCodes" not in text
    # the .ps1's installers per step are the controller's, and each Invoke-Program names its entry
    listed = text[text.index("$installers = @{"):]
    listed = listed[:listed.index("\n}\n")]
    found = {m.group(1): tuple(re.findall(r"'(\w+)'", m.group(2))) for m in re.finditer(r"^    (\w+) = (.*)$", listed, re.M)}
    assert found == cs.STEP_INSTALLERS
    _loop, branches = test_cs_run._switch_branches(text)
    for step, keys in cs.STEP_INSTALLERS.items():
        assert sorted(set(re.findall(r"-Policy '(\w+)'", branches[step]))) == sorted(set(keys)), step
    with open(os.path.join(ROOT, "plugins", "modules", "edge_cs.yml"), encoding="utf-8") as handle:
        option = yaml.safe_load(handle)["DOCUMENTATION"]["options"]["exit_codes"]
    assert set(option["suboptions"]) == set(cs.EXIT_CODES)


@pytest.mark.parametrize("step", ["core", "cu", "local_management", "edge_roles"])
def test_the_fake_applies_the_policy_it_is_given_like_the_ps1(step):
    """Every installer step, for every code of its policy and one outside it: the simulator's outcome is what the
    policy says (hand-written below) - the fake reads the call's exit_codes, as the .ps1 does."""
    goal, current = fresh_2019()
    args = edge_cs_args(drift.cs.cs_install(goal, current, OPTIONS))
    key = cs.STEP_INSTALLERS[step][-1]
    for rc in POLICY[key]["success"] + POLICY[key]["reboot"] + [1603]:
        out, _after = winsim.edge_cs_run(current, args, rcs={step: rc})
        mine = [s for s in out["steps"] if s["run"] == step]
        assert mine[-1]["rc"] == rc
        outcome = ("success" if rc == 0 or (rc == 1638 and key == "core_prerequisites") else
                   "reboot" if rc in (3010, 1641) else "failed")
        assert (bool(out.get("failed")), out["reboot_required"]) == (outcome == "failed", outcome == "reboot")
        assert (out["run_steps"][-1]["name"] == step) == (outcome != "success")
    # another policy given, another outcome: the fake has no codes of its own
    strict = dict(args, exit_codes=dict(args["exit_codes"], **{key: {"success": [0], "reboot": []}}))
    out, _after = winsim.edge_cs_run(current, strict, rcs={step: 3010})
    assert out["failed"] is True and out["reboot_required"] is False


# ----------------------------------------------------------------------------------- point 4: the update's logs
def test_the_progress_names_the_update_installers_folder_for_its_package_logs(monkeypatch):
    assert cs.step_logs("cu", "D:\\logs", INSTALLER) == [
        "D:\\logs\\LCSSetup_Commands.log",
        "the log of each package: in the folder of C:\\media\\cu\\SkypeServerUpdateInstaller.exe"]
    assert "$cuLogs = \"$logDir\\LCSSetup_Commands.log; the log of each package: in the folder of " \
           "$($p.cu_installer)\"" in _ps1()
    goal, current = installed_2019()
    shown = []
    monkeypatch.setattr(_edge_apply.display, "display", lambda msg, *a, **k: shown.append(msg))
    out, _after = winsim.edge_cs_run(current, edge_cs_args(drift.cs.cs_install(goal, current, OPTIONS)))
    run_action("cs_install", goal, current, {"sfb.edge.edge_cs": lambda a: copy.deepcopy(out)})
    assert shown[1] == ("edge01: setup step 1/2: Cumulative update (SkypeServerUpdateInstaller.exe /silentmode) - log: "
                        "C:\\ProgramData\\sfb-edge\\logs\\LCSSetup_Commands.log; the log of each package: in the folder "
                        "of C:\\media\\cu\\SkypeServerUpdateInstaller.exe")


def test_sfb2015_fixture_still_plans_by_the_required_cu():
    """Without an update installer read (an older gathering) the minimum a prerequisite requires still decides."""
    goal, current = test_cs_run._sfb2015(17763, [("Core Components", "6.0.9319.0"), ("Edge Server", "6.0.9319.0")])
    assert "update_installer" not in current["cs"]
    assert edge_cs_args(drift.cs.cs_install(goal, as_sfb2015(current), OPTIONS))["steps"] == ["cu"]
