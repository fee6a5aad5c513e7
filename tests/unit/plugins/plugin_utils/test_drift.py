# -*- coding: utf-8 -*-
"""The diff engine over the shipped snapshots (tests/snapshots/README.md lists what each holds)."""

from __future__ import annotations

import base64
import copy
import hashlib
import os
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

import inventory_data  # noqa: E402
import winsim  # noqa: E402

from ansible_collections.sfb.edge.plugins.plugin_utils import _desired as desired, _drift as drift, _state as state  # noqa: E402

SNAPSHOTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__)))), "snapshots")
SCENARIOS = ("fresh", "manual", "converged", "stale", "winrm-on-changed-nic")
HOSTS = ("edge01", "edge02")
# edge01's and edge02's internal DHCP address in fresh/
FRESH_DHCP = {"edge01": "172.16.10.137", "edge02": "172.16.10.142"}
FRESH_EXT_DHCP = {"edge01": "192.0.2.154", "edge02": "192.0.2.161"}
OLD_INTERNAL = {"edge01": "172.16.10.50", "edge02": "172.16.10.51"}
NUM = {"edge01": (11, 21), "edge02": (12, 31)}


# The inventory names a Front End (group front_ends); the roles pass it to the CS areas.
OPTIONS = {"frontend": "fe01"}
WINDOWS_AREAS = tuple(a for a in drift.AREAS if not a.startswith("cs_"))


def report(*args, **kwargs):
    kwargs.setdefault("options", OPTIONS)
    return drift.report(*args, **kwargs)


def host_drift(*args, **kwargs):
    kwargs.setdefault("options", OPTIONS)
    return drift.host_drift(*args, **kwargs)


def want(host, inv=None):
    return desired.build(inv or inventory_data.example(), host)


def snap(scenario, host):
    current = state.load_snapshot(os.path.join(SNAPSHOTS, scenario), host)
    # The shipped snapshots were gathered on ports 5985 and 5986; a snapshot without connection_ports
    # makes the lockout guard fail closed (test_guard.py), so say which ports were looked at.
    current.setdefault("connection_ports", [5985, 5986])
    return current


def rows(rep, areas=drift.REPORT_AREAS):
    return sorted((c["area"], c["target"], c["property"], c["action"], repr(c["before"]), repr(c["after"]))
                  for area in areas for c in rep["changes"][area])


def all_calls(results):
    return [c for area in drift.AREAS for c in results[area]["calls"]]


# ----------------------------------------------------------------------------------- per scenario
@pytest.mark.parametrize("host", HOSTS)
def test_converged_box_has_no_drift_and_needs_no_call(host):
    rep = report(want(host), snap("converged", host), ansible_host="172.16.10.%d" % NUM[host][0])
    assert rep["in_sync"] is True
    assert rows(rep) == [] and rep["problems"] == [] and rep["blocked"] == [] and rep["notes"] == []
    assert rep["remote_calls"] == {a: [] for a in drift.REPORT_AREAS}


@pytest.mark.parametrize("host", HOSTS)
def test_fresh_box(host):
    i, e = NUM[host]
    rep = report(want(host), snap("fresh", host), ansible_host="172.16.10.%d" % i)
    changes = {(c["area"], c["target"], c["property"], c["action"]): (c["before"], c["after"])
               for a in drift.REPORT_AREAS for c in rep["changes"][a]}
    hostname = {"edge01": "WIN-7Q2KD8J3L1M", "edge02": "WIN-R4H1S0VJ2PC"}[host]
    assert changes[("identity", "computer", "hostname", "set")] == (hostname, host.upper())
    assert changes[("identity", "computer", "dns_suffix", "set")] == ("", "corp.example.com")
    assert changes[("network", "Internal", "name", "set")] == ("Ethernet", "Internal")
    assert changes[("network", "External", "name", "set")] == ("Ethernet 2", "External")
    assert changes[("network", "Internal", "dhcp", "set")] == (True, False)
    assert changes[("network", "Internal", "gateway", "set")] == (["172.16.10.1 (DHCP)"], [])
    # the lease's gateway is the planned one, but it goes with DHCP: set statically
    assert changes[("network", "External", "gateway", "set")] == (["192.0.2.1 (DHCP)"], ["192.0.2.1"])
    dns = (["192.0.2.1 (DHCP)"], ["198.51.100.53", "198.51.100.54"])
    assert changes[("network", "External", "dns_servers", "set")] == dns
    assert changes[("network", "External", "netbios", "set")] == ("default", "disabled")
    assert changes[("network", "External", "register_in_dns", "set")] == (True, False)
    added = sorted(c["after"] for c in rep["changes"]["network"] if c["action"] == "add")
    assert added == sorted(["172.16.10.%d/24" % i] + ["192.0.2.%d/24" % (e + k) for k in range(3)])
    removed = sorted(c["before"] for c in rep["changes"]["network"] if c["action"] == "remove")
    assert removed == sorted([FRESH_DHCP[host] + "/24", FRESH_EXT_DHCP[host] + "/24"])
    assert [c["target"] for c in rep["changes"]["routes"]] == ["10.10.0.0/16", "10.20.0.0/16", "10.30.0.0/20"]
    assert sorted((c["target"], c["action"], c["after"]) for c in rep["changes"]["hosts_file"]) == [
        ("dir01.corp.example.com", "add", "10.10.1.21"), ("dir02.corp.example.com", "add", "10.10.1.22"),
        ("dirpool.corp.example.com", "add", "10.10.1.20"), ("fe01.corp.example.com", "add", "10.10.1.11"),
        ("fe02.corp.example.com", "add", "10.10.1.12"), ("fepool.corp.example.com", "add", "10.10.1.10")]
    assert rep["changes"]["certificates"] == []
    # the WinRM session comes in on the DHCP address the plan replaces: guarded
    assert [(b["area"], b["before"]) for b in rep["blocked"]] == [("network", FRESH_DHCP[host] + "/24")]
    assert rep["remote_calls"] == {
        "routes": ["sfb.edge.edge_routes"],
        "network": ["sfb.edge.edge_network", "ansible.windows.win_dns_client", "ansible.windows.win_dns_client",
                    "community.windows.win_netbios"],
        "hosts_file": ["sfb.edge.edge_hosts_file"],
        "identity": ["ansible.windows.win_hostname", "ansible.windows.win_regedit"],
        "certificates": [],
        # nothing of Skype for Business is there yet (the CS steps are asserted in test_cs.py): the setup call
        # that installs the roles starts the services too (issue 10's budget), cs_services plans no call of its own
        "cs_install": ["ansible.windows.win_feature", "sfb.edge.edge_cs"],
        "cs_certificates": [],
        "cs_services": [],
        "cs_replication": [],
    }


@pytest.mark.parametrize("host", HOSTS)
def test_box_set_up_by_hand(host):
    i, e = NUM[host]
    rep = report(want(host), snap("manual", host), ansible_host="172.16.10.%d" % i)
    assert rows(rep, WINDOWS_AREAS) == sorted([
        ("hosts_file", "dir01.corp.example.com", "entry", "add", "None", "'10.10.1.21'"),
        ("hosts_file", "dir02.corp.example.com", "entry", "add", "None", "'10.10.1.22'"),
        ("hosts_file", "fe01.corp.example.com", "entry", "add", "None", "'10.10.1.11'"),
        ("hosts_file", "fe02.corp.example.com", "entry", "add", "None", "'10.10.1.12'"),
        ("identity", "computer", "dns_suffix", "set", "''", "'corp.example.com'"),
        ("network", "External", "dns_servers", "set", "[]", "['198.51.100.53', '198.51.100.54']"),
        ("network", "External", "netbios", "set", "'default'", "'disabled'"),
        ("network", "External", "register_in_dns", "set", "True", "False"),
        ("network", "External 192.0.2.%d" % (e + 1), "skip_as_source", "set", "False", "True"),
        ("network", "External 192.0.2.%d" % (e + 2), "skip_as_source", "set", "False", "True"),
        ("network", "Internal", "dns_servers", "set", "['10.10.1.5', '10.10.1.6']", "[]"),
        ("network", "Internal", "gateway", "set", "['172.16.10.1']", "[]"),
        ("routes", "10.30.0.0/20", "route", "add", "None", "'10.30.0.0/20 via 172.16.10.1 on Internal'"),
    ])
    # the controller (10.10.5.5) is reached through the internal gateway now and through the planned
    # route 10.10.0.0/16 afterwards, on the same NIC: removing the gateway is not a lockout
    assert rep["blocked"] == [] and rep["problems"] == []
    # the hand-made hosts lines are moved into the managed block, every unmanaged line stays
    res = drift.hosts_file(want(host), snap("manual", host))
    after = base64.b64decode(res["calls"][0]["args"]["content_base64"]).decode("utf-8")
    assert "\tdirpool.corp.example.com" not in after and "10.10.1.20 dirpool.corp.example.com\r\n" in after
    assert "# Lync internal pools\r\n" in after


@pytest.mark.parametrize("host", HOSTS)
def test_stale_routes_and_hosts_entries(host):
    current = snap("stale", host)
    rep = report(want(host), current, ansible_host="172.16.10.%d" % NUM[host][0])
    assert rows(rep) == sorted([
        ("hosts_file", "dirpool.corp.example.com", "entry", "set", "'10.10.9.20'", "'10.10.1.20'"),
        ("hosts_file", "fe03.corp.example.com", "entry", "remove", "'10.10.1.13'", "None"),
        ("routes", "10.99.0.0/16", "route", "remove", "'10.99.0.0/16 via 172.16.10.1 on Internal'", "None"),
        ("routes", "192.168.200.0/24", "route", "remove", "'192.168.200.0/24 via 172.16.10.254 on Internal'",
         "None"),
    ])
    content = current["hosts_file"]["content"]
    args = drift.hosts_file(want(host), current)["calls"][0]["args"]
    assert args["expected_sha256"] == hashlib.sha256(content.encode("utf-8")).hexdigest().upper()
    new = base64.b64decode(args["content_base64"]).decode("utf-8")
    # the unmanaged line after the block is kept byte-for-byte, the stock header too
    assert new.endswith("# END sfb.edge managed entries\r\n"
                        "10.50.0.7 backup01.corp.example.com # added by ops\r\n")
    assert new[:824] == content[:824]
    assert "fe03" not in new and "10.10.9.20" not in new


def test_stale_routes_are_only_noted_without_purge():
    inv = inventory_data.set_pool(inventory_data.example(), "sfb_edge_routes_purge", False)
    rep = report(want("edge01", inv), snap("stale", "edge01"))
    assert rep["changes"]["routes"] == []
    assert len(rep["notes"]) == 2 and all("sfb_edge_routes_purge" in n for n in rep["notes"])
    assert "10.99.0.0/16" in rep["notes"][0] and "192.168.200.0/24" in rep["notes"][1]


@pytest.mark.parametrize("host", HOSTS)
def test_connection_on_the_changed_nic_is_guarded(host):
    i = NUM[host][0]
    rep = report(want(host), snap("winrm-on-changed-nic", host), ansible_host="172.16.10.%d" % i)
    assert rows(rep) == sorted([
        ("network", "Internal", "address", "add", "None", "'172.16.10.%d/24'" % i),
        ("network", "Internal", "address", "remove", "'%s/24'" % OLD_INTERNAL[host], "None"),
    ])
    assert [(b["property"], b["action"], b["before"]) for b in rep["blocked"]] == [
        ("address", "remove", OLD_INTERNAL[host] + "/24")]
    assert OLD_INTERNAL[host] in rep["blocked"][0]["reason"]
    results, verdict = host_drift(want(host), snap("winrm-on-changed-nic", host),
                                  ansible_host="172.16.10.%d" % i)
    assert verdict["new_address"] == "172.16.10.%d" % i  # where the play reconnects


def test_guard_without_session_information_fails_closed():
    current = snap("winrm-on-changed-nic", "edge01")
    current["connection"] = []
    # ansible_host is the planned address, not the one the host has: nothing identifies the connection
    rep = report(want("edge01"), current, ansible_host="172.16.10.11", port=5986)
    assert [b["before"] for b in rep["blocked"]] == ["172.16.10.50/24"]
    assert "could not be identified: no established TCP connection on local port 5986" in rep["blocked"][0]["reason"]
    _results, verdict = host_drift(want("edge01"), current, ansible_host="172.16.10.50", port=5986)
    assert verdict["new_address"] == "172.16.10.11"  # the planned address of the same NIC


def test_guard_blocks_purging_the_route_the_controller_uses():
    current = snap("stale", "edge01")
    current["connection"][0]["remote_address"] = "10.99.4.4"  # controller behind the stale route
    rep = report(want("edge01"), current)
    assert [(b["area"], b["target"]) for b in rep["blocked"]] == [("routes", "10.99.0.0/16")]
    assert "10.99.4.4" in rep["blocked"][0]["reason"]


def test_guard_blocks_removing_the_gateway_the_controller_uses():
    current = snap("manual", "edge01")
    current["connection"][0]["remote_address"] = "10.77.0.9"  # no planned route covers it
    rep = report(want("edge01"), current)
    assert [(b["target"], b["property"]) for b in rep["blocked"]] == [("Internal", "gateway")]
    # once a planned internal network covers the controller, the gateway may go
    inv = inventory_data.set_pool(inventory_data.example(), "sfb_edge_internal_networks",
                                  ["10.10.0.0/16", "10.20.0.0/16", "10.30.0.0/20", "10.77.0.0/16"])
    assert report(want("edge01", inv), current)["blocked"] == []


# ----------------------------------------------------------------------------------- convergence
@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("host", HOSTS)
def test_applying_the_planned_calls_converges(scenario, host):
    """What a second run sees: the planned calls, applied as the modules document, leave no drift."""
    goal = want(host)
    results, _verdict = host_drift(goal, snap(scenario, host))
    after = winsim.apply(snap(scenario, host), all_calls(results))
    again, _verdict2 = host_drift(goal, after)
    assert [c for a in drift.AREAS for c in again[a]["changes"]] == []
    assert all_calls(again) == []


def test_problems_instead_of_guesses():
    inv = inventory_data.example()
    inv["edge01"]["sfb_edge_internal_nic"].pop("mac")
    rep = report(want("edge01", inv), snap("fresh", "edge01"))
    msgs = [(p["area"], p["variable"]) for p in rep["problems"]]
    assert msgs == [("routes", "sfb_edge_internal_nic"), ("network", "sfb_edge_internal_nic")]
    assert "no adapter is named 'Internal'" in rep["problems"][0]["message"]
    assert "00-15-5D-1E-8C-04" in rep["problems"][0]["message"]  # lists what there is
    assert rep["in_sync"] is False
    inv["edge01"]["sfb_edge_internal_nic"]["mac"] = "00-15-5D-FF-FF-FF"
    rep = report(want("edge01", inv), snap("fresh", "edge01"))
    assert "no adapter has MAC 00-15-5D-FF-FF-FF" in rep["problems"][0]["message"]


def test_domain_joined_server_is_a_problem_never_changed():
    current = snap("converged", "edge01")
    current["computer"].update(part_of_domain=True, domain="corp.example.com", workgroup=None)
    rep = report(want("edge01"), current)
    assert [p["area"] for p in rep["problems"]] == ["identity"]
    assert "workgroup" in rep["problems"][0]["message"] and "corp.example.com" in rep["problems"][0]["message"]
    assert rep["remote_calls"]["identity"] == []


def test_pending_rename_counts_as_done():
    current = snap("fresh", "edge01")
    current["computer"]["pending_hostname"] = "EDGE01"
    assert [c["property"] for c in drift.identity(want("edge01"), current)["changes"]] == ["dns_suffix"]


# ----------------------------------------------------------------------------------- round trips
def _big_inventory(n):
    inv = inventory_data.example()
    nets = ["10.10.0.0/16"] + ["10.%d.%d.0/24" % (100 + k // 250, k % 250) for k in range(n - 1)]
    hosts = [{"ip": "10.10.2.%d" % (k + 1), "names": ["srv%03d.corp.example.com" % k]} for k in range(n)]
    inventory_data.set_pool(inv, "sfb_edge_internal_networks", nets)
    inventory_data.set_pool(inv, "sfb_edge_internal_hosts",
                            [{"ip": "10.10.1.20", "names": ["dirpool.corp.example.com"]}] + hosts)
    return inv


def test_round_trips_do_not_grow_with_networks_and_hosts_entries():
    counts = {}
    for n in (2, 200):
        goal = want("edge01", _big_inventory(n))
        results, _verdict = host_drift(goal, snap("fresh", "edge01"))
        assert len(results["routes"]["changes"]) == n
        assert len(results["hosts_file"]["changes"]) == n + 1
        counts[n] = len(all_calls(results))
    assert counts[2] == counts[200]
    assert 1 + counts[200] <= 12  # plus the one state gathering


# The hosts file's own tests (encodings, markers, unmanaged lines): test_hostsfile.py.


# ----------------------------------------------------------------------------------- state format
def test_snapshot_errors_name_the_file(tmp_path):
    with pytest.raises(state.StateError, match="no snapshot for edge09: .*edge09.json does not exist"):
        state.load_snapshot(str(tmp_path), "edge09")
    (tmp_path / "edge01.json").write_text('{"format": 1, "computer": {}}')
    with pytest.raises(state.StateError, match=r"edge01.json: .*adapters is missing"):
        state.load_snapshot(str(tmp_path), "edge01")
    (tmp_path / "edge02.json").write_text("{not json")
    with pytest.raises(state.StateError, match="cannot read the snapshot"):
        state.load_snapshot(str(tmp_path), "edge02")
    bad = copy.deepcopy(snap("converged", "edge01"))
    bad["format"] = 2
    with pytest.raises(state.StateError, match="format 2"):
        state.check(bad)


# ----------------------------------------------------------------------------------- certificates
@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    import datetime

    import certfactory

    d = tmp_path_factory.mktemp("pki")
    now = datetime.datetime.now(datetime.timezone.utc)
    start, end = now - datetime.timedelta(days=1), now + datetime.timedelta(days=365)
    root_key, sub_key, int_key, ext_key = (certfactory.rsa_key() for _key in range(4))
    root = certfactory.certificate(root_key, "Corp Root CA", start, end + datetime.timedelta(days=3000), ca=True,
                                   eku=None)
    sub = certfactory.certificate(sub_key, "Corp Issuing CA", start, end + datetime.timedelta(days=2000),
                                  issuer=(root, root_key), ca=True, eku=None)
    internal = certfactory.certificate(int_key, "edgepool.corp.example.com", start, end, issuer=(sub, sub_key),
                                       sans=["edgepool.corp.example.com"])
    external = certfactory.certificate(ext_key, "sip.example.com", start, end,
                                       sans=["sip.example.com", "webconf.example.com", "sip.example.net"],
                                       eku=(certfactory.SERVER_AUTH, certfactory.CLIENT_AUTH))
    spec = {
        "root_ca": [certfactory.write_pem(d / "root.pem", root), certfactory.write_der(d / "sub.cer", sub)],
        "internal": {"pfx": certfactory.write_pfx(d / "int.pfx", internal, int_key, "Int-Pw-1", cas=[sub]),
                     "password": "Int-Pw-1"},
        "external": {"pfx": certfactory.write_pfx(d / "ext.pfx", external, ext_key, "Ext-Pw-2"),
                     "password": "Ext-Pw-2"},
    }
    from cryptography.hazmat.primitives import hashes

    prints = {k: c.fingerprint(hashes.SHA1()).hex().upper()
              for k, c in (("root", root), ("sub", sub), ("internal", internal), ("external", external))}
    return spec, prints


def test_certificates_go_to_their_stores_without_secrets(pki):
    spec, prints = pki
    inv = inventory_data.example()
    for host in inv.values():
        host["sfb_edge_certificates"] = copy.deepcopy(spec)
    goal = want("edge01", inv)
    assert [(c["store"], c["thumbprint"], c["pfx"]) for c in goal["certificates"]] == [
        ("Root", prints["root"], False), ("CA", prints["sub"], False),
        ("My", prints["internal"], True), ("My", prints["external"], True)]
    assert "Int-Pw-1" not in repr(goal) and "Ext-Pw-2" not in repr(goal)
    current = snap("converged", "edge01")
    res = drift.certificates(goal, current)
    assert [c["target"] for c in res["changes"]] == [
        "Root\\" + prints["root"], "CA\\" + prints["sub"], "My\\" + prints["internal"], "My\\" + prints["external"]]
    assert [c["module"] for c in res["calls"]] == ["sfb.edge.edge_certificates"]  # all in one call
    assert "Int-Pw-1" not in repr(res) and "password" not in repr(res["calls"])
    # present (the external one without its private key): only that one is imported again
    current["certificates"]["Root"].append({"thumbprint": prints["root"].lower(), "has_private_key": False})
    current["certificates"]["CA"].append({"thumbprint": prints["sub"], "has_private_key": False})
    current["certificates"]["My"] += [
        {"thumbprint": prints["internal"], "has_private_key": True, "legacy_csp": False},
        {"thumbprint": prints["external"], "has_private_key": False}]
    res = drift.certificates(goal, current)
    assert [(c["target"], c["before"]) for c in res["changes"]] == [
        ("My\\" + prints["external"], "present without private key")]
    # the internal one has a KSP key (the external AES PFX may add an "OS build not read" note: see test_certs)
    assert len([n for n in res["notes"] if "CNG/KSP" in n]) == 1


def test_guard_reads_ipv4_mapped_sessions_and_ignores_ipv6():
    current = snap("winrm-on-changed-nic", "edge01")
    current["connection"] = [{"local_address": "::ffff:172.16.10.50", "local_port": 5986,
                              "remote_address": "::ffff:10.10.5.5"},
                             {"local_address": "fe80::1", "local_port": 5986, "remote_address": "fe80::2"}]
    rep = report(want("edge01"), current)
    assert [b["before"] for b in rep["blocked"]] == ["172.16.10.50/24"]


# ----------------------------------------------------------------------------------- routes (properties)
_dest = st.sampled_from(["10.10.0.0/16", "10.20.0.0/16", "10.30.0.0/20", "10.99.0.0/16", "192.168.200.0/24"])
_route = st.fixed_dictionaries({"destination": _dest, "gateway": st.sampled_from(["172.16.10.1", "172.16.10.254"]),
                                "interface_index": st.sampled_from([4, 6])})


@settings(max_examples=200, deadline=None)
@given(routes=st.lists(_route, max_size=8), purge=st.booleans())
def test_routes_converge_in_one_call_and_spare_other_interfaces(routes, purge):
    inv = inventory_data.set_pool(inventory_data.example(), "sfb_edge_routes_purge", purge)
    goal = want("edge01", inv)
    current = snap("converged", "edge01")
    names = {4: "Internal", 6: "External"}
    current["routes"] = [dict(r, interface=names[r["interface_index"]], metric=256) for r in routes]
    res = drift.routes(goal, current)
    assert len(res["calls"]) <= 1
    after = winsim.apply(current, res["calls"])
    again = drift.routes(goal, after)
    assert again["changes"] == [] and again["calls"] == []
    mine = [(r["destination"], r["gateway"]) for r in after["routes"] if r["interface_index"] == 4]
    planned = [(r["destination"], r["gateway"]) for r in goal["routes"]["routes"]]
    assert all(p in mine for p in planned)
    # a planned network is reached only through the internal NIC and the internal gateway
    assert sorted({r for r in mine if r[0] in dict(planned)}) == sorted(planned)
    assert not any(r["destination"] in dict(planned) for r in after["routes"] if r["interface_index"] == 6)
    # the external NIC's other routes are never touched; unmanaged internal ones only with purge
    assert [r for r in after["routes"] if r["interface_index"] == 6] == [
        r for r in current["routes"] if r["interface_index"] == 6 and r["destination"] not in dict(planned)]
    unmanaged = sorted({(r["destination"], r["gateway"]) for r in current["routes"]
                        if r["interface_index"] == 4 and r["destination"] not in dict(planned)})
    assert sorted(set(mine) - set(planned)) == ([] if purge else unmanaged)


def test_the_failure_names_the_fix_of_each_area():
    """issue 20, item 7: replication is fixed from the Front End (validate.yml), not by site.yml."""
    rep = {"summary": {"routes": 2, "network": 0, "cs_services": 1, "cs_replication": 1},
           "problems": [{"variable": "sfb_edge_internal_networks"}, {"variable": "sfb_edge_internal_networks"}]}
    assert drift.fix_text(rep) == (
        "fix the inventory or the host as each FIX line says (sfb_edge_internal_networks); "
        "routes, cs_services: run playbooks/site.yml (first with --check --diff); "
        "cs_replication: run playbooks/validate.yml -e sfb_edge_replication_invoke=true (replication is pushed "
        "from the Front End; check TCP 4443 from the Front Ends to the edge's internal address)")
    assert drift.fix_text({"summary": {"cs_replication": 1}, "problems": []}).startswith(
        "cs_replication: run playbooks/validate.yml -e sfb_edge_replication_invoke=true")
    assert set(drift.FIXES) == set(drift.REPORT_AREAS)
