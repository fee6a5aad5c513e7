# -*- coding: utf-8 -*-
"""The network and routes areas: the deferred change of the connection's address (issue 9, point 4)
and the ActiveStore/PersistentStore copies of addresses, default routes and routes (point 14)."""

from __future__ import annotations

import copy
import os
import sys
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

import inventory_data  # noqa: E402
import winsim  # noqa: E402

from ansible.parsing.dataloader import DataLoader  # noqa: E402
from ansible.playbook.play_context import PlayContext  # noqa: E402
from ansible.playbook.task import Task  # noqa: E402
from ansible.template import Templar  # noqa: E402

from ansible_collections.sfb.edge.plugins.action.edge_apply import ActionModule  # noqa: E402
from ansible_collections.sfb.edge.plugins.plugin_utils import _desired as desired, _drift as drift, _state as state  # noqa: E402

SNAPSHOTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__)))), "snapshots")
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


# ----------------------------------------------------------------------------------- point 14
def _converge(goal, current, areas=("routes", "network")):
    """Diff, apply the planned calls with winsim, diff again: the second run must find nothing."""
    results, verdict = drift.host_drift(goal, current, areas=areas)
    calls = [c for a in areas for c in results[a]["calls"]]
    after = winsim.apply(current, calls)
    again, _verdict = drift.host_drift(goal, after, areas=areas)
    assert [c for a in areas for c in again[a]["changes"]] == [] and [c for a in areas for c in again[a]["calls"]] == []
    return results, verdict, after


def _adapter(current, name):
    return [a for a in current["adapters"] if a["name"] == name][0]


def _changes(results, area):
    return [(c["target"], c["property"], c["action"], c["before"], c["after"]) for c in results[area]["changes"]]


@pytest.mark.parametrize("stores, before", [((True, False), "active only"), ((False, True), "persistent only")])
def test_an_address_in_one_store_is_completed(stores, before):
    goal, current = want("edge01"), snap("converged", "edge01")
    for a in current["adapters"]:
        for x in a["addresses"]:
            x.update(active=True, persistent=True)
    _adapter(current, "Internal")["addresses"][0].update(active=stores[0], persistent=stores[1])
    results, verdict, after = _converge(goal, current)
    assert _changes(results, "network") == [
        ("Internal 172.16.10.11", "address store", "set", before, "active and persistent")]
    assert results["network"]["calls"] == [{"module": "sfb.edge.edge_network", "args": {"adapters": [
        {"name": "Internal", "mac": "00-15-5D-1E-8C-04",
         "add": [{"address": "172.16.10.11", "prefix_length": 24, "skip_as_source": False}]}]}}]
    # completing a store never removes the address the controller uses: not guarded
    assert verdict["blocked"] == []
    assert _adapter(after, "Internal")["addresses"][0]["persistent"] is True


def test_an_address_in_one_store_with_another_skip_as_source_gets_both_in_one_call():
    goal, current = want("edge01"), snap("converged", "edge01")
    x = _adapter(current, "External")["addresses"][1]
    x.update(active=False, persistent=True, skip_as_source=False)
    results, _verdict, _after = _converge(goal, current)
    assert sorted(_changes(results, "network")) == [
        ("External 192.0.2.22", "address store", "set", "persistent only", "active and persistent"),
        ("External 192.0.2.22", "skip_as_source", "set", False, True)]
    [call] = results["network"]["calls"]
    assert call["args"]["adapters"][0]["add"] == [{"address": "192.0.2.22", "prefix_length": 24,
                                                   "skip_as_source": True}]
    assert call["args"]["adapters"][0]["skip_as_source"] == {"192.0.2.22": True}


@pytest.mark.parametrize("stores, before", [((True, False), "active only"), ((False, True), "persistent only")])
def test_the_default_route_in_one_store_is_completed(stores, before):
    goal, current = want("edge01"), snap("converged", "edge01")
    _adapter(current, "Internal")["default_routes"] = []
    _adapter(current, "External")["default_routes"] = [
        {"next_hop": "192.0.2.1", "active": stores[0], "persistent": stores[1]}]
    results, verdict, _after = _converge(goal, current)
    assert _changes(results, "network") == [
        ("External", "gateway store", "set", "192.0.2.1 %s" % before, "192.0.2.1 active and persistent")]
    assert results["network"]["calls"][0]["args"]["adapters"] == [
        {"name": "External", "mac": "00-15-5D-1E-8C-05", "gateway": "192.0.2.1"}]
    assert verdict["blocked"] == []


def test_a_persistent_only_gateway_on_the_internal_nic_is_removed():
    """Not active, so not in ``gateways``; it would come back at the next reboot."""
    goal, current = want("edge01"), snap("converged", "edge01")
    _adapter(current, "Internal")["default_routes"] = [
        {"next_hop": "172.16.10.1", "active": False, "persistent": True}]
    results, _verdict, after = _converge(goal, current)
    assert _changes(results, "network") == [("Internal", "gateway", "set", ["172.16.10.1"], [])]
    assert results["network"]["calls"][0]["args"]["adapters"][0]["gateway"] == ""
    assert _adapter(after, "Internal")["default_routes"] == []


@pytest.mark.parametrize("stores, before", [((True, False), "active only"), ((False, True), "persistent only")])
def test_a_route_in_one_store_is_completed(stores, before):
    goal, current = want("edge01"), snap("converged", "edge01")
    for r in current["routes"]:
        r.update(active=True, persistent=True, interface_exists=True)
    current["routes"][1].update(active=stores[0], persistent=stores[1])
    results, verdict, _after = _converge(goal, current)
    text = "10.20.0.0/16 via 172.16.10.1 on Internal"
    assert _changes(results, "routes") == [
        ("10.20.0.0/16", "route store", "set", "%s, %s" % (text, before), "%s, active and persistent" % text)]
    assert results["routes"]["calls"] == [{"module": "sfb.edge.edge_routes", "args": {"remove": [], "add": [
        {"destination": "10.20.0.0/16", "gateway": "172.16.10.1", "interface": "Internal", "interface_index": 4}]}}]
    assert verdict["blocked"] == []


def _orphan(destination):
    return {"destination": destination, "gateway": "172.16.10.1", "interface": None, "interface_index": 9,
            "metric": 256, "active": False, "persistent": True, "interface_exists": False}


@pytest.mark.parametrize("destination", ["10.10.0.0/16", "10.99.0.0/16"])
def test_a_route_on_an_interface_that_is_gone_is_removed_by_its_index(destination):
    goal, current = want("edge01"), snap("converged", "edge01")
    current["routes"].append(_orphan(destination))
    results, _verdict, after = _converge(goal, current)
    assert _changes(results, "routes") == [
        (destination, "route", "remove", "%s via 172.16.10.1 on interface index 9 (no longer exists)" % destination,
         None)]
    assert results["routes"]["calls"][0]["args"]["remove"] == [
        {"destination": destination, "gateway": "172.16.10.1", "interface": None, "interface_index": 9}]
    assert not any(r["interface_index"] == 9 for r in after["routes"])


def test_a_route_on_an_interface_that_is_gone_is_only_noted_without_purge():
    inv = inventory_data.set_pool(inventory_data.example(), "sfb_edge_routes_purge", False)
    current = snap("converged", "edge01")
    current["routes"].append(_orphan("10.99.0.0/16"))
    res = drift.routes(want("edge01", inv), current)
    assert res["changes"] == [] and res["calls"] == []
    assert res["notes"] == ["persistent route 10.99.0.0/16 via 172.16.10.1 on interface index 9, which no longer "
                            "exists, is kept (set sfb_edge_routes_purge: true to remove it)"]


def test_absent_store_flags_count_as_both_stores():
    """A state gathered before the stores were read (a snapshot of 0.3.0) plans nothing new."""
    goal, current = want("edge01"), snap("converged", "edge01")
    for adapter in current["adapters"]:  # the shipped snapshots carry the store flags: drop them
        adapter.pop("default_routes", None)
        for address in adapter["addresses"]:
            address.pop("active", None)
            address.pop("persistent", None)
    for route in current["routes"]:
        for key in ("active", "persistent", "interface_exists"):
            route.pop(key, None)
    results, _verdict = drift.host_drift(goal, current, areas=("routes", "network"))
    assert results["routes"]["changes"] == [] and results["network"]["changes"] == []


_stores = st.sampled_from([None, (True, True), (True, False), (False, True)])  # None: flags absent


def _flag(item, stores):
    if stores is not None:
        item.update(active=stores[0], persistent=stores[1])


@settings(max_examples=150, deadline=None)
@given(addresses=st.lists(_stores, min_size=4, max_size=4), gateway=_stores,
       routes=st.lists(_stores, min_size=3, max_size=3), host=st.sampled_from(HOSTS))
def test_store_copies_converge_in_one_run(addresses, gateway, routes, host):
    goal, current = want(host), snap("converged", host)
    for x, stores in zip([x for a in current["adapters"] for x in a["addresses"]], addresses):
        _flag(x, stores)
    if gateway is not None:
        _adapter(current, "External")["default_routes"] = [
            {"next_hop": _adapter(current, "External")["gateways"][0], "active": gateway[0], "persistent": gateway[1]}]
    for r, stores in zip(current["routes"], routes):
        _flag(r, stores)
    results, verdict, _after = _converge(goal, current)

    def single(stores):
        return stores not in (None, (True, True))

    props = [c["property"] for a in ("routes", "network") for c in results[a]["changes"]]
    assert props.count("address store") == sum(map(single, addresses))
    assert props.count("gateway store") == int(single(gateway))
    assert props.count("route store") == sum(map(single, routes))
    assert len(props) == sum(map(single, addresses + [gateway] + routes))
    assert len(results["network"]["calls"]) <= 1 and len(results["routes"]["calls"]) <= 1
    assert verdict["blocked"] == []


def test_the_network_role_runs_the_deferred_calls_after_the_change_has_finished():
    """roles/network: the deferred edge_network call in the background, reconnect, wait for the job, then the
    DNS-client and NetBIOS calls of ``deferred.after`` (the simulation above plays exactly this order)."""
    import yaml

    path = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))), "roles", "network", "tasks",
                        "main.yml")
    with open(path, encoding="utf-8") as handle:
        tasks = yaml.safe_load(handle)
    block = [t for t in tasks if "block" in t][0]
    assert block["when"] == "network_result.deferred is defined"
    modules = [next(k for k in t if "." in k and k not in ("ansible.builtin.set_fact",)) for t in block["block"]
               if "ansible.builtin.set_fact" not in t]
    assert modules == ["sfb.edge.edge_network", "ansible.builtin.wait_for_connection", "ansible.builtin.async_status",
                       "ansible.windows.win_dns_client", "community.windows.win_netbios"]
    background, _wait, status, dns, netbios = [t for t in block["block"] if "ansible.builtin.set_fact" not in t]
    assert background["poll"] == 0 and background["register"] == "network_change"
    assert status["ansible.builtin.async_status"]["jid"] == "{{ network_change.ansible_job_id }}"
    assert status["until"] == "network_job.finished"
    for task, module in ((dns, "ansible.windows.win_dns_client"), (netbios, "community.windows.win_netbios")):
        assert "network_result.deferred.after" in task["loop"] and module in task["loop"]
