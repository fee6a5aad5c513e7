# -*- coding: utf-8 -*-
"""The same account for everything that touches the Lync/SfB local configuration store (issue 19, point 15).

Setup runs elevated as cs_install_become_user (runas SYSTEM by default) and creates RTCLOCAL; every task that
reads or writes the store - the state read (edge_facts, in host_state / host_drift / host_validation),
Set-CsCertificate (cs_certificates), the services (cs_services) - runs with that become. The task files and
playbooks are parsed (not run) and every such task listed; a permission error of the store names the account
and the fix.
"""

from __future__ import annotations

import glob
import os
import sys

import pytest
import yaml

from ansible_collections.sfb.edge.plugins.action import host_state
from ansible_collections.sfb.edge.plugins.plugin_utils import _csaccess

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

from test_hoststate import _action, _vars  # noqa: E402  # pylint: disable=wrong-import-position

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
# Modules and actions that run sfb.edge.edge_facts or sfb.edge.edge_cs on the edge (edge_apply: its cs_* areas).
STORE_ACTIONS = {"sfb.edge.edge_facts", "sfb.edge.edge_cs", "sfb.edge.host_state", "sfb.edge.host_drift",
                 "sfb.edge.host_validation"}
KEYWORDS = {"name", "when", "register", "become", "become_method", "become_user", "vars", "loop", "loop_control",
            "run_once", "delegate_to", "check_mode", "changed_when", "failed_when", "tags", "block", "rescue",
            "always", "any_errors_fatal", "no_log", "ignore_errors", "environment", "until", "retries", "delay",
            "notify", "args", "throttle", "listen", "delegate_facts", "diff", "timeout"}
# cs_install's own tasks use its variables directly (the role's defaults are there).
SETUP = {"become": "{{ cs_install_become | bool }}", "become_method": "{{ cs_install_become_method }}",
         "become_user": "{{ cs_install_become_user }}"}


def _tasks(items, path):
    for task in items or []:
        if not isinstance(task, dict):
            continue
        yield path, task
        for key in ("block", "rescue", "always", "tasks", "pre_tasks", "post_tasks", "handlers"):
            yield from _tasks(task.get(key), path)


def _all_tasks():
    files = sorted(glob.glob(os.path.join(ROOT, "roles", "*", "tasks", "*.yml")) +
                   glob.glob(os.path.join(ROOT, "playbooks", "*.yml")) +
                   glob.glob(os.path.join(ROOT, "playbooks", "tasks", "*.yml")))
    for path in files:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
        yield from _tasks(data if isinstance(data, list) else [], os.path.relpath(path, ROOT))


def _action_of(task):
    names = [k for k in task if k not in KEYWORDS]
    return (names[0], task[names[0]]) if len(names) == 1 else (None, None)


def store_tasks():
    """(file, task name, task) of every task that reads or writes the CS store on an edge server."""
    found = []
    for path, task in _all_tasks():
        action, args = _action_of(task)
        args = args if isinstance(args, dict) else {}
        touches = action in STORE_ACTIONS or (action == "sfb.edge.edge_apply" and str(args.get("area", "")).startswith("cs_"))
        if not touches:
            continue
        found.append((path, task.get("name"), task))
    return found


def test_every_task_touching_the_cs_store_runs_with_setups_become():
    found = store_tasks()
    names = sorted((path, name) for path, name, _task in found)
    # the list itself, written out: a task that moves or a parser that misses one shows here
    assert names == sorted([
        ("playbooks/capture.yml", "Read the state of the host (one call)"),
        ("playbooks/drift.yml", "Drift of the edge server (controller; written to <plan dir>/<pool>/drift/<host>.json)"),
        ("playbooks/site.yml", "Read the state of the edge server and decide the areas to converge"),
        ("playbooks/validate.yml",
         "Validate the edge server (controller; written to <plan dir>/<pool>/validate/<host>.md and .json)"),
        ("roles/cs_certificates/tasks/main.yml", "Assign the internal and external certificates (only where another one is assigned)"),
        ("roles/cs_install/tasks/main.yml", "The remaining setup steps after the reboot"),
        ("roles/cs_install/tasks/main.yml", "Windows features and Lync/SfB setup steps (only the missing ones)"),
        ("roles/cs_services/tasks/main.yml", "Start the edge services that are not running and wait for them"),
        ("roles/drift/tasks/main.yml", "Drift of the edge server (controller; written next to the plan)"),
        ("roles/edge_state/tasks/main.yml",
         "Read the state of the edge server and compute its desired state (one call, or the snapshot)"),
        ("roles/validate/tasks/main.yml", "Validate the edge server (controller; written next to the plan)"),
    ])
    wrong = []
    for path, name, task in found:
        expected = SETUP if path.startswith("roles/cs_install/") else {
            "become": "{{ cs_install_become | default(true) | bool }}",
            "become_method": "{{ cs_install_become_method | default('ansible.builtin.runas') }}",
            "become_user": "{{ cs_install_become_user | default('SYSTEM') }}"}
        got = {k: task.get(k) for k in expected}
        if got != expected or "delegate_to" in task:
            wrong.append("%s: %r has %r" % (path, name, got))
    assert wrong == []
    assert _csaccess.BECOME == {"become": "{{ cs_install_become | default(true) | bool }}",
                                "become_method": "{{ cs_install_become_method | default('ansible.builtin.runas') }}",
                                "become_user": "{{ cs_install_become_user | default('SYSTEM') }}"}


def test_the_gathering_stays_one_task_per_host():
    """The state read keeps to one task (one edge_facts call) in edge_state and in site.yml's live read."""
    reads = [(path, name) for path, name, task in store_tasks() if _action_of(task)[0] == "sfb.edge.host_state"]
    assert reads == [("playbooks/site.yml", "Read the state of the edge server and decide the areas to converge"),
                     ("roles/edge_state/tasks/main.yml",
                      "Read the state of the edge server and compute its desired state (one call, or the snapshot)")]


# ------------------------------------------------------------------------------- the messages
FIELD = "Set-CsCertificate: User does not have permission to alter database 'rtc', the database does not exist, or " \
    "the database is not in a state that allows access checks."


@pytest.mark.parametrize("text", [
    FIELD,
    "Could not read the topology of the local store: Access is denied.",
    "Cannot open database \"xds\" requested by the login. The login failed.",
    "The SELECT permission was denied on the object 'Item', database 'xds', schema 'dbo'.",
    "Login failed for user 'CORP\\svc-ansible'.",
    "Get-CsCertificate: UnauthorizedAccessException on RTCLOCAL",
])
def test_permission_errors_of_the_store_are_recognised(text):
    assert _csaccess.denied(text) is True


@pytest.mark.parametrize("text", [
    "WinRM: access denied",  # the connection, not the store
    "The service RTCSRV did not start within 3600 s",
    "Set-CsCertificate: the certificate 0A1B was not found in LocalMachine\\My",
    "",
    None,
])
def test_other_errors_are_not(text):
    assert _csaccess.denied(text) is False
    assert _csaccess.explain(text, "CORP\\svc", "edge01", "cs_certificates") is None


def test_the_message_names_host_account_and_fix():
    message = _csaccess.explain(FIELD, "CORP\\svc-ansible", "edge01", "cs_certificates (sfb.edge.edge_cs)")
    assert message.startswith("host edge01, cs_certificates (sfb.edge.edge_cs): the account CORP\\svc-ansible may "
                              "not use the Lync/Skype for Business local configuration store (RTCLOCAL): " + FIELD)
    assert "keep cs_install_become true with cs_install_become_method/cs_install_become_user as for setup " \
        "(ansible.builtin.runas / SYSTEM)" in message
    assert message.endswith("or grant CORP\\svc-ansible the sysadmin role on the RTCLOCAL SQL Server instance of edge01")


@pytest.mark.parametrize("become, user, remote, expected", [
    (True, "SYSTEM", "CORP\\svc", "SYSTEM"), (False, "SYSTEM", "CORP\\svc", "CORP\\svc"),
    (True, None, "x", "SYSTEM"), (False, None, None, "the connection user")])
def test_the_account_is_the_become_user_or_the_connection_user(become, user, remote, expected):
    assert _csaccess.account(become, user, remote) == expected


def test_a_store_permission_warning_fails_the_state_read_naming_the_account():
    """edge_facts only warned and the state said 'no local store', so every run planned the import again."""
    gathered = {"state": {"format": 1, "computer": {"user": {"name": "CORP\\svc-ansible"}}},
                "warnings": ["Could not read the network adapters: timeout",
                             "Could not read the topology of the local store: " + FIELD]}
    action, calls = _action(host_state.ActionModule, {}, gathered=gathered)
    _facts, read, failure = action.read_state(_vars(), "", False)
    assert len(calls) == 1 and read == "live"
    assert failure["failed"] is True
    assert failure["msg"].startswith("host edge01, reading the state (sfb.edge.edge_facts): the account "
                                     "CORP\\svc-ansible may not use the Lync/Skype for Business local configuration "
                                     "store (RTCLOCAL): Could not read the topology of the local store: ")


def test_other_warnings_leave_the_state_read_alone():
    gathered = {"state": {"format": 1}, "warnings": ["Could not read the network adapters: timeout"]}
    action, _calls = _action(host_state.ActionModule, {}, gathered=gathered)
    facts, read, failure = action.read_state(_vars(), "", False)
    assert (read, failure) == ("live", None) and facts["edge_state_current"] == {"format": 1}


def _apply(area, scenario, out, become=False, become_user=None, remote_user="CORP\\svc-ansible"):
    """sfb.edge.edge_apply's run (as test_cs_run.run_action) with a play context of the given account."""
    import copy
    from types import SimpleNamespace
    from unittest import mock

    import test_cs_run
    from ansible_collections.sfb.edge.plugins.action import edge_apply

    args = {"area": area, "desired": test_cs_run.want(), "current": test_cs_run.snap(scenario), "frontend": "fe01",
            "call_options": {"timeout": 60}}
    context = SimpleNamespace(become=become, become_user=become_user, remote_user=remote_user)
    action = edge_apply.ActionModule(test_cs_run._Task(args, False), mock.MagicMock(), context, mock.MagicMock(),
                                     mock.MagicMock(), mock.MagicMock())
    made = []

    def execute(module_name, module_args, task_vars):
        made.append(module_name)
        return copy.deepcopy(out)

    action._execute_module = execute
    return action.run(task_vars={"inventory_hostname": "edge01"}), made


def test_a_store_permission_failure_of_edge_cs_names_the_account_and_the_fix():
    area, scenario = "cs_services", "cs-stopped-service"
    out = {"failed": True, "changed": False, "msg": "The step certificates failed: " + FIELD}
    result, made = _apply(area, scenario, out)
    assert made == ["sfb.edge.edge_cs"]
    assert result["failed"] is True
    # the fake connection's play context has become off and connects as CORP\svc-ansible
    assert result["msg"].startswith("host edge01, %s (sfb.edge.edge_cs): the account CORP\\svc-ansible may not use "
                                    "the Lync/Skype for Business local configuration store (RTCLOCAL): " % area)


def test_another_failure_of_edge_cs_keeps_its_message():
    out = {"failed": True, "changed": False, "msg": "The service RTCSRV did not start within 60 s"}
    result, _made = _apply("cs_services", "cs-stopped-service", out)
    assert result["msg"] == ("host edge01, cs_services: sfb.edge.edge_cs failed: The service RTCSRV did not start "
                             "within 60 s")


def test_with_become_the_message_names_the_become_user():
    out = {"failed": True, "changed": False, "msg": FIELD}
    result, _made = _apply("cs_services", "cs-stopped-service", out, become=True, become_user="CORP\\setup")
    assert "the account CORP\\setup may not use" in result["msg"]


def test_a_failed_state_read_on_a_store_permission_error_names_the_account():
    gathered = {"failed": True, "msg": "Get-CsCertificate: " + FIELD}
    action, _calls = _action(host_state.ActionModule, {}, gathered=gathered)
    action._play_context.become, action._play_context.become_user = True, "SYSTEM"
    _facts, _read, failure = action.read_state(_vars(), "", False)
    assert failure["msg"].startswith("host edge01, reading the state (sfb.edge.edge_facts): the account SYSTEM may not "
                                     "use the Lync/Skype for Business local configuration store (RTCLOCAL): "
                                     "Get-CsCertificate: Set-CsCertificate: User does not have permission")
