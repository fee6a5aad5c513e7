# -*- coding: utf-8 -*-
"""Lync / Skype for Business decisions over the CS snapshots (tests/snapshots/README.md), with the
test certificates of tests/snapshots/certificates (inventory_data.example_with_certificates)."""

from __future__ import annotations

import copy
import os
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

import inventory_data  # noqa: E402
import winsim  # noqa: E402

from ansible_collections.sfb.edge.plugins.plugin_utils import _checks as checks
from ansible_collections.sfb.edge.plugins.plugin_utils import _cs as cs
from ansible_collections.sfb.edge.plugins.plugin_utils import _desired as desired
from ansible_collections.sfb.edge.plugins.plugin_utils import _drift as drift
from ansible_collections.sfb.edge.plugins.plugin_utils import _model as model
from ansible_collections.sfb.edge.plugins.plugin_utils import _plan as plan
from ansible_collections.sfb.edge.plugins.plugin_utils import _state as state  # noqa: E402

SNAPSHOTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__)))), "snapshots")
HOSTS = ("edge01", "edge02")
OPTIONS = {"frontend": "fe01"}
INTERNAL = "EAFCC809EC2E3EA925BB2B4052D92F162EB72D27"
EXTERNAL = "CA0A0800EABAB78C5E36DE81A5DD0690DE8CA98E"
OLD_EXTERNAL = "7D1E2C55A0B94B3F8C0E6A1D2F4B5C6D7E8F9012"
EXTERNAL_USES = ["AccessEdgeExternal", "DataEdgeExternal", "AudioVideoAuthentication"]
SERVICES = ["REPLICA", "RTCCLSAGT", "RTCSRV", "RTCDATAPROXY", "RTCMEDIARELAY", "RTCMRAUTH"]
ADDR = {"edge01": ("172.16.10.11", "192.0.2.21", "192.0.2.22", "192.0.2.23"),
        "edge02": ("172.16.10.12", "192.0.2.31", "192.0.2.32", "192.0.2.33")}
_DESIRED = {}
NOW = inventory_data.CERTIFICATES_NOW


def want(host, inv=None):
    if inv is not None:
        return desired.build(inv, host)
    if host not in _DESIRED:  # reading the PFX files is the slow part
        _DESIRED[host] = desired.build(inventory_data.example_with_certificates(), host, today=NOW)
    return copy.deepcopy(_DESIRED[host])


def snap(scenario, host):
    return state.load_snapshot(os.path.join(SNAPSHOTS, scenario), host)


def cs_rows(results):
    return [(c["area"], c["target"], c["property"], c["action"], c["before"], c["after"])
            for area in cs.REPORT_AREAS for c in results[area]["changes"]]


def run(host, scenario, options=None, goal=None):
    results, _verdict = drift.host_drift(goal or want(host), snap(scenario, host), areas=drift.REPORT_AREAS,
                                         options=OPTIONS if options is None else options)
    return results


def edge_cs_args(result):
    calls = [c for c in result["calls"] if c["module"] == "sfb.edge.edge_cs"]
    assert len(calls) <= 1
    return calls[0]["args"] if calls else None


# ----------------------------------------------------------------------------------- scenarios
@pytest.mark.parametrize("host", HOSTS)
def test_fresh_box_plans_every_step_in_order(host):
    res = run(host, "cs-fresh")
    install = res["cs_install"]
    assert install["problems"] == []
    assert install["calls"][0] == {"module": "ansible.windows.win_feature",
                                   "args": {"name": ["NET-WCF-HTTP-Activation45", "Windows-Identity-Foundation"],
                                            "state": "present"}}
    args = edge_cs_args(install)
    # one setup call: the roles, then their certificates, then the services (issue 10's budget; the order of a real
    # deployment: an edge service starts only with its certificate assigned)
    assert args["steps"] == ["core", "local_management", "import_configuration", "enable_replica", "start_replica",
                             "edge_roles", "certificates", "start_services"]
    assert args["media_path"] == "D:\\" and args["configuration"] == cs.ARCHIVE
    assert args["fqdn"] == "%s.corp.example.com" % host
    assert args["module_path"] == ("C:\\Program Files\\Common Files\\Skype for Business Server 2019\\Modules\\"
                                   "SkypeForBusiness\\SkypeForBusiness.psd1")
    assert install["config_import"] is True
    assert args["certificates"] == [
        {"uses": ["Internal"], "thumbprint": INTERNAL}, {"uses": EXTERNAL_USES, "thumbprint": EXTERNAL}]
    # REPLICA is started (and waited for) by start_replica earlier in the call
    assert args["services"] == ["RTCCLSAGT", "RTCSRV", "RTCDATAPROXY", "RTCMEDIARELAY", "RTCMRAUTH"]
    assert [row for row in cs_rows(res) if row[3] in ("set", "start")] == [
        ("cs_install", "Internal", "thumbprint", "set", None, INTERNAL),
        ("cs_install", "AccessEdgeExternal", "thumbprint", "set", None, EXTERNAL),
        ("cs_install", "DataEdgeExternal", "thumbprint", "set", None, EXTERNAL),
        ("cs_install", "AudioVideoAuthentication", "thumbprint", "set", None, EXTERNAL),
        ("cs_install", "RTCCLSAGT", "status", "start", "not installed", "Running"),
        ("cs_install", "RTCSRV", "status", "start", "not installed", "Running"),
        ("cs_install", "RTCDATAPROXY", "status", "start", "not installed", "Running"),
        ("cs_install", "RTCMEDIARELAY", "status", "start", "not installed", "Running"),
        ("cs_install", "RTCMRAUTH", "status", "start", "not installed", "Running")]
    # the work of cs_certificates and cs_services is in that call: they plan nothing of their own on this state
    for area in ("cs_certificates", "cs_services"):
        assert res[area]["calls"] == [] and res[area]["changes"] == [] and res[area]["problems"] == []
    assert res["cs_replication"]["changes"] == [] and res["cs_replication"]["notes"] == []


@pytest.mark.parametrize("host", HOSTS)
def test_imported_box_without_certificates_assigns_them_and_starts_the_services(host):
    res = run(host, "cs-imported")
    assert res["cs_install"]["changes"] == [] and res["cs_install"]["calls"] == []
    assert cs_rows(res) == [
        ("cs_certificates", "Internal", "thumbprint", "set", None, INTERNAL),
        ("cs_certificates", "AccessEdgeExternal", "thumbprint", "set", None, EXTERNAL),
        ("cs_certificates", "DataEdgeExternal", "thumbprint", "set", None, EXTERNAL),
        ("cs_certificates", "AudioVideoAuthentication", "thumbprint", "set", None, EXTERNAL),
        ("cs_services", "RTCSRV", "status", "start", "Stopped", "Running"),
        ("cs_services", "RTCDATAPROXY", "status", "start", "Stopped", "Running"),
        ("cs_services", "RTCMEDIARELAY", "status", "start", "Stopped", "Running"),
        ("cs_services", "RTCMRAUTH", "status", "start", "Stopped", "Running"),
    ]
    assert len(res["cs_certificates"]["calls"]) == 1  # four uses, one Set-CsCertificate call
    assert res["cs_services"]["notes"] == [
        "RTCSRV is Stopped (Service Control Manager event 7024 at 2026-11-24T05:58:31Z: The Skype for Business "
        "Server Access Edge service terminated with the following service-specific error: %%-1008590824)"]


@pytest.mark.parametrize("host", HOSTS)
@pytest.mark.parametrize("inventory", ["with_certificates", "without_certificates"])
def test_fully_deployed_box_needs_nothing(host, inventory):
    goal = want(host) if inventory == "with_certificates" else want(host, inventory_data.example())
    res = run(host, "converged", goal=goal)
    for area in cs.REPORT_AREAS:
        assert res[area]["changes"] == [] and res[area]["calls"] == [] and res[area]["problems"] == []
        assert res[area]["notes"] == []


@pytest.mark.parametrize("host", HOSTS)
def test_wrong_certificate_is_replaced_for_the_external_uses_only(host):
    res = run(host, "cs-wrong-certificate")
    assert cs_rows(res) == [("cs_certificates", use, "thumbprint", "set", OLD_EXTERNAL, EXTERNAL)
                            for use in EXTERNAL_USES]
    assert edge_cs_args(res["cs_certificates"])["certificates"] == [{"uses": EXTERNAL_USES, "thumbprint": EXTERNAL}]


@pytest.mark.parametrize("host", HOSTS)
def test_stopped_service_and_replication_behind(host):
    res = run(host, "cs-stopped-service")
    assert cs_rows(res) == [
        ("cs_services", "RTCMEDIARELAY", "status", "start", "Stopped", "Running"),
        ("cs_replication", "%s.corp.example.com" % host, "replication", "sync",
         "not up to date (last status report 2026-11-19T03:12:55Z, last update 2026-11-23T21:39:50Z)", "up to date"),
    ]
    assert edge_cs_args(res["cs_services"])["services"] == ["RTCMEDIARELAY"]
    assert "event 7031" in res["cs_services"]["notes"][0]
    assert res["cs_replication"]["calls"] == []  # fixed from the Front End (validate.yml), not here


@pytest.mark.parametrize("scenario", ["cs-fresh", "cs-imported", "cs-wrong-certificate", "cs-stopped-service",
                                      "converged", "fresh", "manual"])
@pytest.mark.parametrize("host", HOSTS)
def test_applying_the_planned_cs_calls_converges(scenario, host):
    """A second run finds nothing left to do in the CS areas (winsim applies the calls as documented)."""
    goal = want(host)
    results, _v = drift.host_drift(goal, snap(scenario, host), options=OPTIONS)
    calls = [c for a in ("certificates",) + cs.CS_AREAS for c in results[a]["calls"]]  # drift.AREAS' order
    after = winsim.apply(snap(scenario, host), calls)
    again, _v = drift.host_drift(goal, after, areas=cs.CS_AREAS, options=OPTIONS)
    assert [c for a in cs.CS_AREAS for c in again[a]["changes"]] == []
    # and by the simulator's own lists (not cs.py's): a working edge server, every service running
    assert winsim.deployed(after) == []


# ----------------------------------------------------------------------------------- decisions
def test_refresh_imports_again_and_a_foreign_topology_is_noted():
    assert run("edge01", "converged", options=dict(OPTIONS, config_refresh=True))["cs_install"]["changes"] == [
        {"area": "cs_install", "target": "local configuration store", "property": "topology", "action": "import",
         "before": "holds edge01.corp.example.com", "after": "refreshed from a new export (sfb_edge_config_refresh)"}]
    current = snap("converged", "edge01")
    current["cs"]["topology"]["machines"] = ["fe01.corp.example.com"]
    res = drift.cs.cs_install(want("edge01"), current, OPTIONS)
    assert edge_cs_args(res)["steps"] == ["import_configuration"]
    assert "publish the topology with this edge server" in res["notes"][0]


def test_missing_media_and_front_end_are_problems_naming_the_variable():
    inv = inventory_data.example_with_certificates()
    inventory_data.set_pool(inv, "sfb_edge_media_path", None)
    res = run("edge01", "cs-fresh", options={}, goal=want("edge01", inv))["cs_install"]
    assert [p["variable"] for p in res["problems"]] == ["sfb_edge_media_path", "sfb_edge_frontend_host"]
    assert "core, local_management, edge_roles need the installation media" in res["problems"][0]["message"]
    assert "group front_ends" in res["problems"][1]["message"]
    # no import needed, no Front End needed
    assert run("edge01", "cs-imported", options={})["cs_install"]["problems"] == []


def test_other_version_installed_is_a_problem_and_nothing_is_planned():
    current = snap("converged", "edge01")
    current["cs"]["products"] = [{"name": "Skype for Business Server 2015, Core Components", "version": "6.0.9319.0"}]
    res = drift.cs.cs_install(want("edge01"), current, OPTIONS)
    assert res["calls"] == [] and res["changes"] == []
    assert res["problems"][0]["variable"] == "sfb_edge_version"
    assert "Skype for Business Server 2015 is installed but sfb_edge_version is 'sfb2019'" in res["problems"][0]["message"]


def test_installed_roles_not_activated_get_enable_cscomputer():
    current = snap("cs-imported", "edge01")
    for svc in current["cs"]["services"]:
        if svc["name"] != "REPLICA":
            svc["start_mode"] = "Disabled"
    assert edge_cs_args(drift.cs.cs_install(want("edge01"), current, OPTIONS))["steps"] == ["enable_computer"]


def test_cng_key_is_refused_on_2015_and_later():
    current = snap("cs-imported", "edge01")
    for cert in current["certificates"]["My"]:
        if cert["thumbprint"] == EXTERNAL:
            cert["legacy_csp"] = False
    res = drift.cs.cs_certificates(want("edge01"), current)
    assert [p["variable"] for p in res["problems"]] == ["sfb_edge_certificates.external"]
    assert "legacy CSP" in res["problems"][0]["message"]
    assert edge_cs_args(res)["certificates"] == [{"uses": ["Internal"], "thumbprint": INTERNAL}]


def test_roll_over_only_where_a_certificate_is_assigned():
    inv = inventory_data.example_with_certificates()
    inventory_data.set_pool(inv, "sfb_edge_certificate_roll_date", "2026-12-01T02:00:00")
    goal = want("edge01", inv)
    current = snap("cs-wrong-certificate", "edge01")
    current["cs"]["certificates"] = [c for c in current["cs"]["certificates"] if c["use"] != "Internal"]
    args = edge_cs_args(drift.cs.cs_certificates(goal, current))
    assert args["certificates"] == [
        {"uses": ["Internal"], "thumbprint": INTERNAL},
        {"uses": EXTERNAL_USES, "thumbprint": EXTERNAL, "roll": True, "effective_date": "2026-12-01T02:00:00"}]
    # scheduled: both assigned, the planned one with its effective date - nothing to do, a note
    current["cs"]["certificates"] += [{"use": u, "thumbprint": t, "effective_date": d} for u, t, d in (
        [("Internal", INTERNAL, None)] + [(u, EXTERNAL, "2026-12-01T02:00:00") for u in EXTERNAL_USES])]
    res = drift.cs.cs_certificates(goal, current)
    assert res["calls"] == [] and len(res["notes"]) == 3 and "scheduled for 2026-12-01T02:00:00" in res["notes"][0]


def test_without_certificates_in_the_inventory_only_notes():
    res = drift.cs.cs_certificates(want("edge01", inventory_data.example()), snap("cs-imported", "edge01"))
    assert res["calls"] == [] and res["changes"] == []
    assert res["notes"] == [
        "no certificate is assigned to AccessEdgeExternal, DataEdgeExternal, AudioVideoAuthentication and none is "
        "planned (sfb_edge_certificates.external is not set): the edge services do not start without one",
        "no certificate is assigned to Internal and none is planned (sfb_edge_certificates.internal is not set): the "
        "edge services do not start without one"]


def test_state_without_cs_part_is_a_problem():
    current = snap("converged", "edge01")
    del current["cs"]
    for area in cs.CS_AREAS:
        res = drift.cs.AREA_FUNCTIONS[area](want("edge01"), current, OPTIONS)
        assert res["calls"] == [] and res["problems"][0]["variable"] == "sfb_edge_version"


# ----------------------------------------------------------------------------------- versions
def test_xmpp_service_and_uses_on_sfb2015_with_xmpp():
    goal = desired.build(inventory_data.single(), "sfbedge01")["cs"]
    assert goal["services"] == SERVICES + ["RTCXMPPTGWPX"]
    assert goal["certificate_uses"]["external"] == EXTERNAL_USES + ["XmppServer"]
    assert goal["module_path"].endswith("Skype for Business Server 2015\\Modules\\SkypeForBusiness\\"
                                        "SkypeForBusiness.psd1")
    assert goal["features"][0] == "NET-Framework-Core"


@pytest.mark.parametrize("version,module,folder", [
    ("lync2013", "Lync", "Microsoft Lync Server 2013"), ("sfb2015", "SkypeForBusiness", "Skype for Business Server 2015"),
    ("sfb2019", "SkypeForBusiness", "Skype for Business Server 2019"),
    ("sfbse", "SkypeForBusiness", "Skype for Business Server")])
def test_version_profile(version, module, folder):
    inv = inventory_data.set_pool(inventory_data.example(), "sfb_edge_version", version)
    goal = desired.build(inv, "edge01")["cs"]
    assert goal["module"] == module and goal["install_dir"] == "C:\\Program Files\\" + folder
    assert goal["module_path"] == "C:\\Program Files\\Common Files\\%s\\Modules\\%s\\%s.psd1" % (folder, module, module)
    assert cs.installed_versions([{"name": cs.PROFILES[version]["product"] + ", Core Components"}]) == {version}


def test_install_dir_and_features_can_be_overridden():
    inv = inventory_data.example()
    inventory_data.set_pool(inv, "sfb_edge_install_dir", "E:\\SfB")
    inventory_data.set_pool(inv, "sfb_edge_windows_features", ["Telnet-Client"])
    goal = desired.build(inv, "edge01")["cs"]
    assert goal["install_dir"] == "E:\\SfB" and goal["features"] == ["Telnet-Client"]
    # the installer puts the module under Common Files\<product folder>, whatever INSTALLDIR says
    assert goal["module_path"] == ("C:\\Program Files\\Common Files\\Skype for Business Server 2019\\Modules\\"
                                   "SkypeForBusiness\\SkypeForBusiness.psd1")


@pytest.mark.parametrize("var,value,text", [
    ("sfb_edge_media_path", "media/sfb", "is not an absolute Windows path"),
    ("sfb_edge_install_dir", "/opt/sfb", "is not an absolute Windows path"),
    ("sfb_edge_frontend_host", "fe 01", "is not an inventory hostname"),
    ("sfb_edge_windows_features", "NET-Framework-45-Core", "must be a list of Windows feature names"),
    ("sfb_edge_certificate_roll_date", "next tuesday", "is not a date and time"),
])
def test_invalid_install_settings_are_findings(var, value, text):
    inv = inventory_data.set_pool(inventory_data.example(), var, value)
    _pools, findings = model.load(inv)
    errs = [f for f in findings if f.severity == "error"]
    assert [(f.variable, f.host) for f in errs] == [(var, "edge01")]
    assert text in errs[0].message and repr(value) in errs[0].message


# ----------------------------------------------------------------------------------- sockets
SEED_TABLE = [  # shared/seeds/002: "Local Address / Interface / Service", for edge01 of the example
    ("internal", "172.16.10.11", "TCP", 443), ("internal", "172.16.10.11", "TCP", 4443),
    ("internal", "172.16.10.11", "TCP", 5061), ("internal", "172.16.10.11", "TCP", 5062),
    ("internal", "172.16.10.11", "TCP", 8057), ("internal", "172.16.10.11", "UDP", 3478),
    ("access", "192.0.2.21", "TCP", 443), ("access", "192.0.2.21", "TCP", 5061),
    ("webconf", "192.0.2.22", "TCP", 443), ("av", "192.0.2.23", "TCP", 443), ("av", "192.0.2.23", "UDP", 3478)]


def test_expected_sockets_of_the_example_pool_match_the_seed_table():
    got = [(s["interface"], s["address"], s["protocol"], s["port"]) for s in want("edge01")["cs"]["listening"]]
    assert got == SEED_TABLE
    listeners = {s["port"]: s["listener"] for s in want("edge01")["cs"]["listening"] if s["interface"] == "internal"}
    assert listeners[4443] == "Replica Replicator Agent (REPLICA)" and listeners[5062] == "A/V Authentication (RTCMRAUTH)"
    assert [(p["host"], p["port"]) for p in want("edge01")["cs"]["probes"]] == [
        ("172.16.10.11", 443), ("172.16.10.11", 4443), ("172.16.10.11", 5061), ("172.16.10.11", 5062),
        ("172.16.10.11", 8057)]


def test_single_ip_and_xmpp_sockets():
    got = {(s["interface"], s["protocol"], s["port"])
           for s in desired.build(inventory_data.single(), "sfbedge01")["cs"]["listening"]}
    assert {("access", "TCP", 5061), ("access", "TCP", 444), ("access", "TCP", 443), ("access", "UDP", 3478),
            ("access", "TCP", 5269), ("internal", "TCP", 23456)} <= got
    assert not any(s[0] in ("webconf", "av") for s in got)


@settings(max_examples=40, deadline=None)
@given(xmpp=st.booleans(), version=st.sampled_from(["lync2013", "sfb2015"]), lb=st.sampled_from(["dns", "hlb"]))
def test_every_expected_socket_is_an_inbound_firewall_port_on_the_servers_own_address(xmpp, version, lb):
    inv = inventory_data.set_pool(inventory_data.example() if lb == "hlb" else inventory_data.dns_pool(),
                                  "sfb_edge_xmpp", xmpp)
    inventory_data.set_pool(inv, "sfb_edge_version", version)
    pools, _findings = model.load(inv)
    pool = pools[0]
    fw = plan.firewall(pool)
    inbound = {(r["protocol"], str(r["ports"])) for r in fw["rules"] if r["direction"] == "inbound"}
    for server in pool.servers:
        # and the server's own addresses are in the rules' destination groups
        destinations = {m for r in fw["rules"] if r["direction"] == "inbound" for m in fw["groups"][r["destination"]]["members"]}
        assert str(server.internal.ip) in destinations
        own = {str(server.internal.ip)} | {str(i.ip) for i in server.external.values()}
        for sock in plan.listening(pool, server):
            assert sock["address"] in own
            assert (sock["protocol"], str(sock["port"])) in inbound
        assert any(s["port"] == 5269 for s in plan.listening(pool, server)) == xmpp


# ----------------------------------------------------------------------------------- validation
def _results(rep):
    return {(r["check"], r["target"]): r["result"] for r in rep["rows"]}


def test_validation_of_a_deployed_box_passes_and_skips_what_did_not_run():
    rep = checks.report(want("edge01"), snap("converged", "edge01"), now=NOW)
    assert rep["passed"] is True and rep["summary"] == {"pass": 20, "fail": 0, "skip": 5, "warn": 0}
    assert _results(rep)[("listening", "internal 172.16.10.11:4443/TCP")] == "pass"  # on 0.0.0.0
    assert {r["result"] for r in rep["rows"] if r["check"] == "probe"} == {"skip"}


def test_validation_of_a_stopped_service_names_the_sockets_and_the_event():
    probes = [{"host": "172.16.10.11", "port": p, "open": p != 443, "error": None if p != 443 else "refused"}
              for p in (443, 4443, 5061, 5062, 8057)]
    rep = checks.report(want("edge01"), snap("cs-stopped-service", "edge01"), probes=probes, frontend="fe01", now=NOW)
    failed = [(r["check"], r["target"]) for r in rep["rows"] if r["result"] == "fail"]
    assert failed == [("listening", "internal 172.16.10.11:443/TCP"), ("listening", "internal 172.16.10.11:3478/UDP"),
                      ("listening", "av 192.0.2.23:443/TCP"), ("listening", "av 192.0.2.23:3478/UDP"),
                      ("service", "RTCMEDIARELAY"), ("probe", "fe01 -> 172.16.10.11:443/TCP"),
                      ("replication", "edge01.corp.example.com")]
    service = [r for r in rep["rows"] if r["target"] == "RTCMEDIARELAY"][0]
    assert "7031" in service["actual"] and "terminated unexpectedly" in service["actual"]
    table = checks.table(rep)
    assert table[0] == "edge01 (edge01.corp.example.com): FAILED - 18 pass, 7 fail, 0 skipped"
    assert "| FAIL | probe | fe01 -> 172.16.10.11:443/TCP | open (A/V Edge (RTCMEDIARELAY)) | closed: refused |" in table


def test_replication_from_the_front_end_wins_over_the_snapshot():
    status = {"fqdn": "edge01.corp.example.com", "up_to_date": True, "last_status_report": "2026-11-24T07:00:00Z"}
    rep = checks.report(want("edge01"), snap("cs-stopped-service", "edge01"), replication=status)
    assert _results(rep)[("replication", "edge01.corp.example.com")] == "pass"
    unknown = checks.report(want("edge01"), snap("converged", "edge01"), replication={"up_to_date": None})
    assert _results(unknown)[("replication", "edge01.corp.example.com")] == "fail"


def test_replication_row_says_what_to_do():
    """issue 20, item 7: the first validation after an install explains a replica that has not reported."""
    from ansible_collections.sfb.edge.plugins.plugin_utils import _checks as checks

    desired = {"cs": {"fqdn": "edge01.corp.example.com"}}
    new = checks.replication_rows(desired, {"up_to_date": False, "last_status_report": None})[0]
    assert new["result"] == "fail" and new["actual"].startswith(
        "not up to date yet (no status report from the edge so far: right after an install this is usual - run "
        "validate.yml again in a few minutes, or with -e sfb_edge_replication_invoke=true")
    behind = checks.replication_rows(desired, {"up_to_date": False, "last_status_report": "2026-11-19T03:12:55Z"})[0]
    assert behind["actual"] == (
        "not up to date (last status report 2026-11-19T03:12:55Z; run validate.yml -e "
        "sfb_edge_replication_invoke=true, and check TCP 4443 from the Front Ends to the edge's internal address)")
    assert checks.replication_rows(desired, {"up_to_date": None})[0]["actual"] == \
        "unknown to the Central Management Store (is the edge in the published topology?)"
    assert checks.replication_rows(desired, {"up_to_date": True, "last_status_report": "x"})[0]["result"] == "pass"
