# -*- coding: utf-8 -*-
"""The firewall proof role's controller steps (plugin_utils/_firewall_proof.py, the role's internal action
sfb.edge.firewall_proof) and the four firewall_proof_* filters they replace, deprecated until 0.7.0 (issue 22,
point 4): each filter still returns what it returned, and meta/runtime.yml says it is deprecated."""

from __future__ import annotations

import os
import re
import sys
from unittest import mock

import pytest
import yaml
from ansible.errors import AnsibleActionFail, AnsibleFilterError
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
from ansible.template import Templar

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

import inventory_data  # noqa: E402
from test_fwproof import CLS, EDGE01, EDGE02, ROOT, _answers, _received, fresh_states, listeners_of  # noqa: E402

from ansible_collections.sfb.edge.plugins.action import firewall_proof as action  # noqa: E402
from ansible_collections.sfb.edge.plugins.filter.deprecated import (  # noqa: E402
    FilterModule, firewall_proof_plan, firewall_proof_probes, firewall_proof_report, firewall_proof_table)
from ansible_collections.sfb.edge.plugins.plugin_utils import _firewall_proof as steps  # noqa: E402

POOL = "edgepool.corp.example.com"
HOSTS = ["edge01", "edge02", "fe01", "probe1"]
NOW = "2027-03-01T12:00:00Z"
# The example's Front End targets (TCP): its own pool's Front End ports, then each edge's internal listeners.
FE01 = ([{"host": "172.16.10.10", "port": p} for p in (443, 5061, 5062)]
        + [{"host": a, "port": p} for a in ("172.16.10.11", "172.16.10.12")
           for p in (443, 4443, 5061, 5062, 8057, 50001, 50002, 50003)])
# The probe host's targets: the VIPs for Access and Web Conferencing, the A/V VIP and each server's A/V address.
PROBE1 = [{"protocol": p, "host": h, "port": n} for p, h, n in (
    ("TCP", "192.0.2.10", 443), ("TCP", "192.0.2.10", 5061), ("TCP", "192.0.2.11", 443), ("TCP", "192.0.2.12", 443),
    ("UDP", "192.0.2.12", 3478), ("TCP", "192.0.2.23", 443), ("UDP", "192.0.2.23", 3478), ("TCP", "192.0.2.33", 443),
    ("UDP", "192.0.2.33", 3478))]
DEPRECATED = ("firewall_proof_plan", "firewall_proof_probes", "firewall_proof_report", "firewall_proof_table")


@pytest.fixture(name="decision")
def fixture_decision():
    return firewall_proof_plan(inventory_data.example(), ["edge01", "edge02"], fresh_states(), frontend="fe01",
                               probe="probe1", inventory_hosts=HOSTS)


# ------------------------------------------------------------------ the deprecated filters still work
def test_plan_filter_decides_the_listeners_and_probes(decision):
    assert (decision["duration"], decision["probe_timeout_ms"], decision["refusals"]) == (300, 3000, [])
    assert listeners_of(decision["hosts"]["edge01"]) == EDGE01
    assert listeners_of(decision["hosts"]["edge02"]) == EDGE02
    assert decision["probes"]["probe1"] == PROBE1
    assert decision["hosts"]["edge01"]["probes"] == {"internal": "fe01", "external": "probe1", "external_windows": False}


def test_probes_filter_gives_each_probe_hosts_targets(decision):
    plans = [decision["hosts"]["edge01"], decision["hosts"]["edge02"]]
    assert firewall_proof_probes(plans, "fe01", tcp_only=True) == FE01
    assert firewall_proof_probes(plans, "probe1") == PROBE1
    assert firewall_proof_probes(plans, "probe1", tcp_only=True) == [
        {"host": t["host"], "port": t["port"]} for t in PROBE1 if t["protocol"] == "TCP"]
    assert firewall_proof_probes(plans, "nobody") == []


def test_report_and_table_filters_give_the_verdicts_and_the_markdown(decision, monkeypatch):
    monkeypatch.setenv("SFB_EDGE_NOW", NOW)
    rep = firewall_proof_report(decision["hosts"]["edge01"], probes={"fe01": _answers(*[t + (True,) for t in CLS])},
                                received=_received(*CLS), source="live", duration=300)
    assert (rep["host"], rep["pool"], rep["mode"], rep["source"], rep["duration"]) == ("edge01", POOL, "live", "live", 300)
    assert rep["made"] == {"at": NOW, "mode": "live"}
    assert rep["rules"][22]["verdict"] == "open"  # rule 23: internal TCP 50001-50003 from next_hop_pool
    lines = firewall_proof_table(rep)
    assert lines[0] == "# Firewall proof: edge01 (edgepool.corp.example.com)"
    assert lines[2:4] == ["- mode: live (live), made %s" % NOW, "- internal rules probed from: fe01"]
    assert "- summary: 1 open, 28 not tested" in lines
    assert ("| 23 | internal | inbound | next_hop_pool | edge_internal | TCP | 50001-50003 | **open** | fe01 |"
            in "\n".join(lines))


@pytest.mark.parametrize("call, message", [
    (lambda: firewall_proof_plan(inventory_data.example(), "edge01", {}),
     "sfb.edge.firewall_proof_plan: hosts is a list of inventory hostnames, got str"),
    (lambda: firewall_proof_plan([], ["edge01"], {}),
     "sfb.edge.firewall_proof_plan: expected the output of sfb.edge.edge_inventory (a dict), got list"),
    (lambda: firewall_proof_plan(inventory_data.example(), ["edge01"], fresh_states(), frontend="fe01"),
     "sfb.edge.firewall_proof_plan: with a Front End or a probe host, give inventory_hosts (groups['all'])"),
    (lambda: firewall_proof_plan(inventory_data.example(), ["edge01"], fresh_states(), frontend="fe01", probe="edge02",
                                 inventory_hosts=HOSTS),
     "sfb.edge.firewall_proof_plan: firewall_proof_probe_host is 'edge02', an edge server (group edge_servers)"),
    (lambda: firewall_proof_probes([{}], "fe01"),
     "sfb.edge.firewall_proof_probes: the input is not a list of proof plans of sfb.edge.firewall_proof_plan (KeyError"),
    (lambda: firewall_proof_report({}), "sfb.edge.firewall_proof_report: the input is not a proof plan of "
                                        "sfb.edge.firewall_proof_plan (KeyError"),
    (lambda: firewall_proof_table({}), "sfb.edge.firewall_proof_table: the input is not the output of "
                                       "sfb.edge.firewall_proof_report (KeyError"),
])
def test_filters_fail_as_before_naming_themselves(call, message):
    with pytest.raises(AnsibleFilterError) as caught:
        call()
    assert str(caught.value).startswith(message)


# ------------------------------------------------------------------ deprecated, and no longer used
def _documentation(name):
    """The filter's documentation: its sidecar plugins/filter/<name>.yml (the code of the deprecated filters is one file)."""
    with open(os.path.join(ROOT, "plugins", "filter", name + ".yml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)["DOCUMENTATION"]


@pytest.mark.parametrize("name", DEPRECATED)
def test_runtime_and_documentation_say_the_filter_is_deprecated(name):
    with open(os.path.join(ROOT, "meta", "runtime.yml"), encoding="utf-8") as handle:
        routing = yaml.safe_load(handle)["plugin_routing"]["filter"]
    deprecation = routing[name]["deprecation"]
    assert deprecation["removal_version"] == "0.7.0"
    assert "sfb.edge.firewall_proof role" in deprecation["warning_text"]  # the replacement
    assert "docs/porting.md" in deprecation["warning_text"]
    assert _documentation(name)["deprecated"]["removed_in"] == "0.7.0"  # what ansible-test sanity compares


@pytest.mark.parametrize("name", DEPRECATED)
def test_the_filter_is_in_a_file_whose_name_is_no_deprecated_filter(name):
    """ansible-core resolves the name of every file of plugins/filter in meta/runtime.yml whenever any sfb.edge filter is
    looked up: a deprecated filter in its own file would print its warning in every run that uses any sfb.edge filter."""
    assert name in FilterModule().filters()
    assert not os.path.exists(os.path.join(ROOT, "plugins", "filter", name + ".py"))
    assert _documentation(name)["name"] == name


def _yaml_files(*folders):
    for folder in folders:
        for base, _dirs, files in os.walk(os.path.join(ROOT, folder)):
            yield from (os.path.join(base, f) for f in files if f.endswith((".yml", ".yaml")))


@pytest.mark.parametrize("name", DEPRECATED)
def test_no_role_or_playbook_uses_the_deprecated_filter(name):
    """The logic moved into the role's action: a run of the collection's own playbooks prints no deprecation."""
    users = []
    for path in _yaml_files("roles", "playbooks", "extensions"):
        with open(path, encoding="utf-8") as handle:
            if re.search(r"\bsfb\.edge\.%s\b" % name, handle.read()):
                users.append(os.path.relpath(path, ROOT))
    assert users == []


# ------------------------------------------------------------------ the role's steps
def test_probes_step_gives_the_three_calls_targets(decision):
    plans = [decision["hosts"]["edge01"], decision["hosts"]["edge02"]]
    assert steps.probes(plans, frontend="fe01", probe="probe1") == {
        "internal": FE01, "external_tcp": [{"host": t["host"], "port": t["port"]} for t in PROBE1 if t["protocol"] == "TCP"],
        "external": PROBE1}
    # only the servers whose listeners opened: edge02 left the play
    assert {"host": "172.16.10.12", "port": 5061} not in steps.probes(plans[:1], frontend="fe01", probe="probe1")["internal"]
    assert steps.probes(plans, frontend="", probe="") == {"internal": [], "external_tcp": [], "external": []}


def test_report_step_takes_the_probe_task_the_connection_chose(decision, monkeypatch):
    monkeypatch.setenv("SFB_EDGE_NOW", NOW)
    edge01 = decision["hosts"]["edge01"]
    answered = _answers(*[t + (True,) for t in CLS])
    # a POSIX probe host: its port_probe result counts, the skipped tcp_probe task does not
    out = steps.role_report(edge01, frontend="fe01", probe="probe1", internal=answered, external_windows={"skipped": True},
                            external_posix={"results": []}, received=_received(*CLS), source="live", duration="300")
    assert out["report"]["rules"][22]["verdict"] == "open"
    assert out["report"]["duration"] == 300  # the text ansible-core 2.16 makes of the number, made a number again
    assert out["markdown"][0] == "# Firewall proof: edge01 (edgepool.corp.example.com)"
    # a probe task not run (omitted) counts as skipped: nothing tested
    out = steps.role_report(edge01, frontend="fe01", probe="probe1", received=_received(*CLS), source="live")
    assert out["report"]["rules"][22]["verdict"] == "not tested"


def _run(args, check_mode=False):
    task = Task()
    task.args = args
    task.check_mode = check_mode
    loader = DataLoader()
    module = action.ActionModule(task, mock.MagicMock(), PlayContext(), loader, Templar(loader), None)
    return module.run(task_vars={"inventory_hostname": "edge01"})


def test_action_runs_each_step_and_changes_nothing(decision, monkeypatch):
    monkeypatch.setenv("SFB_EDGE_NOW", NOW)
    planned = _run({"step": "plan", "inventory": inventory_data.example(), "hosts": ["edge01", "edge02"],
                    "states": fresh_states(), "frontend": "fe01", "probe": "probe1", "inventory_hosts": HOSTS,
                    "duration": "300", "probe_timeout_ms": "3000"})
    assert planned["changed"] is False
    assert {k: planned[k] for k in decision} == decision
    targets = _run({"step": "probes", "plans": list(decision["hosts"].values()), "frontend": "fe01", "probe": "probe1"})
    assert (targets["internal"], targets["external"]) == (FE01, PROBE1)
    reported = _run({"step": "report", "plan": decision["hosts"]["edge01"], "frontend": "fe01", "probe": "probe1",
                     "source": "live", "duration": 300}, check_mode=True)
    assert reported["changed"] is False and reported["report"]["made"] == {"at": NOW, "mode": "live"}


def test_action_failure_names_the_variable_and_the_fix():
    with pytest.raises(AnsibleActionFail, match=re.escape("firewall_proof_duration is '5': give the seconds the "
                                                          "listeners stay open, a whole number from 30 to 3600")):
        _run({"step": "plan", "inventory": inventory_data.example(), "hosts": ["edge01"], "states": fresh_states(),
              "duration": "5"})
