# -*- coding: utf-8 -*-
"""The network and routes areas: the deferred change of the connection's address (issue 9, point 4)
and the ActiveStore/PersistentStore copies of addresses, default routes and routes (point 14)."""

from __future__ import annotations

import copy
import os
import sys
from unittest import mock

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import inventory_data  # noqa: E402
import winsim  # noqa: E402

from ansible.parsing.dataloader import DataLoader  # noqa: E402
from ansible.playbook.play_context import PlayContext  # noqa: E402
from ansible.playbook.task import Task  # noqa: E402
from ansible.template import Templar  # noqa: E402

from ansible_collections.sfb.edge.plugins.action.edge_apply import ActionModule  # noqa: E402
from ansible_collections.sfb.edge.plugins.plugin_utils import desired, drift, state  # noqa: E402

SNAPSHOTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "snapshots")
HOSTS = ("edge01", "edge02")
NUM = {"edge01": (11, 21), "edge02": (12, 31)}


def want(host, inv=None):
    return desired.build(inv or inventory_data.example(), host)


def snap(scenario, host):
    return state.load_snapshot(os.path.join(SNAPSHOTS, scenario), host)


class Host:
    """A simulated Windows host behind the action plugin: every module call the plugin makes is
    applied to the state with winsim, in order; a call naming an adapter that does not exist at
    that moment fails as the module would."""

    def __init__(self, current):
        self.state = copy.deepcopy(current)
        self.log = []

    def execute(self, module_name, module_args, task_vars):
        try:
            self.state = winsim.apply(self.state, [{"module": module_name, "args": module_args}])
        except AssertionError as exc:
            self.log.append((module_name, "failed"))
            return {"failed": True, "msg": "Failed to find network adapter(s): %s" % exc}
        self.log.append((module_name, "ok"))
        return {"changed": True}


def run_action(host, args):
    task = Task()
    task.args = args
    task.check_mode = False
    loader = DataLoader()
    action = ActionModule(task, mock.MagicMock(), PlayContext(), loader, Templar(loader), None)
    with mock.patch.object(action, "_execute_module", side_effect=host.execute):
        return action.run(task_vars={"inventory_hostname": args["desired"]["host"]})


def run_network_role(host, goal, address):
    """roles/network/tasks/main.yml: edge_apply, then (when deferred) the background edge_network call,
    and after it has finished the deferred DNS-client and NetBIOS calls."""
    res = run_action(host, {"area": "network", "desired": goal, "current": copy.deepcopy(host.state),
                            "allow_connection_change": True, "connection_address": address})
    assert not res.get("failed"), res.get("msg")
    deferred = res.get("deferred")
    if deferred:
        host.execute(deferred["module"], deferred["args"], {})
        for call in deferred["after"]:
            host.execute(call["module"], call["args"], {})
    return res


# ----------------------------------------------------------------------------------- point 4
@pytest.mark.parametrize("host", HOSTS)
def test_fresh_vm_defers_dns_and_netbios_with_the_address_change(host):
    """A fresh VM (DHCP, "Ethernet" / "Ethernet 2"), the session on the DHCP address, the change allowed:
    every call finds its adapter at the moment it runs, and the host converges in one run."""
    goal, current = want(host), snap("fresh", host)
    sim = Host(current)
    routes = run_action(sim, {"area": "routes", "desired": goal, "current": copy.deepcopy(current),
                              "connection_address": "172.16.10.%d" % NUM[host][0]})
    assert not routes.get("failed"), routes.get("msg")
    res = run_network_role(sim, goal, "172.16.10.%d" % NUM[host][0])
    # nothing of the network area ran at once: the DNS and NetBIOS calls need the adapters' new names
    assert res["remote_calls"] == 0
    assert res["deferred"]["module"] == "sfb.edge.edge_network"
    assert [c["module"] for c in res["deferred"]["after"]] == [
        "ansible.windows.win_dns_client", "ansible.windows.win_dns_client", "community.windows.win_netbios"]
    assert [c["args"]["adapter_names"] for c in res["deferred"]["after"]] == ["Internal", "External", ["External"]]
    assert sim.log == [("sfb.edge.edge_routes", "ok"), ("sfb.edge.edge_network", "ok"),
                       ("ansible.windows.win_dns_client", "ok"), ("ansible.windows.win_dns_client", "ok"),
                       ("community.windows.win_netbios", "ok")]
    external = [a for a in sim.state["adapters"] if a["name"] == "External"][0]
    assert external["dns_servers"] == ["198.51.100.53", "198.51.100.54"] and external["netbios"] == "disabled"
    results, _verdict = drift.host_drift(goal, sim.state, areas=("routes", "network"))
    assert [c for a in ("routes", "network") for c in results[a]["changes"]] == []


def test_nothing_is_deferred_without_a_blocked_change():
    goal, current = want("edge01"), snap("manual", "edge01")
    sim = Host(current)
    res = run_network_role(sim, goal, "172.16.10.11")
    assert "deferred" not in res and res["remote_calls"] == len(sim.log) > 0
    assert all(outcome == "ok" for _module, outcome in sim.log)


def test_split_deferred_keeps_the_order_and_refuses_unknown_followers():
    calls = [{"module": m, "args": {}} for m in ("sfb.edge.edge_network", "ansible.windows.win_dns_client",
                                                 "community.windows.win_netbios")]
    assert drift.split_deferred(calls) == ([], calls)
    assert drift.split_deferred(calls[1:]) == (calls[1:], [])
    with pytest.raises(ValueError, match="ansible.windows.win_hostname"):
        drift.split_deferred(calls + [{"module": "ansible.windows.win_hostname", "args": {}}])
