# -*- coding: utf-8 -*-
"""One setup call for a new edge (issue 10's budget of calls with issue 19, point 1's order): when cs_install
installs the edge roles, the same edge_cs call assigns the planned certificates and then starts the services -
after the roles (and the second half of a cumulative update), the certificates before the services. cs_certificates
and cs_services plan nothing of their own on that state; they decide from the state read again after the call
(site.yml), and a state that shows the call did not finish (a reboot after the roles) gives them their work back."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

import test_cs  # noqa: E402
import test_cs_run  # noqa: E402
import winsim  # noqa: E402
from test_cs import EXTERNAL, EXTERNAL_USES, INTERNAL, OPTIONS, edge_cs_args, snap, want  # noqa: E402

from ansible_collections.sfb.edge.plugins.plugin_utils import _cs as cs, _drift as drift  # noqa: E402

ROLE_SERVICES = ["RTCSRV", "RTCDATAPROXY", "RTCMEDIARELAY", "RTCMRAUTH"]
CERTIFICATES = [{"uses": ["Internal"], "thumbprint": INTERNAL}, {"uses": EXTERNAL_USES, "thumbprint": EXTERNAL}]


def _imported(current):
    """``current`` with the planned PFX files imported (what the certificates area does before cs_install)."""
    results, _v = drift.host_drift(want("edge01"), current, areas=("certificates",), options=OPTIONS)
    return winsim.apply(current, results["certificates"]["calls"])


def test_the_services_start_in_the_setup_call_after_the_roles_and_their_certificates():
    args = edge_cs_args(drift.cs.cs_install(want("edge01"), snap("cs-fresh", "edge01"), OPTIONS))
    # the order edge_cs runs them in (cs.run_steps, the .ps1's $runSteps), written out
    assert cs.run_steps(args["steps"]) == ["core", "local_management", "import_configuration", "enable_replica",
                                           "start_replica", "edge_roles", "certificates", "start_services"]
    assert args["certificates"] == CERTIFICATES
    assert args["services"] == ["RTCCLSAGT"] + ROLE_SERVICES  # REPLICA: start_replica started it
    # the simulated edge_cs runs them one by one in that order, and ends with a deployed edge
    out, after = winsim.edge_cs_run(_imported(snap("cs-fresh", "edge01")), args)
    assert [s["name"] for s in out["run_steps"]] == ["core", "local_management", "import_configuration",
                                                     "enable_replica", "start_replica", "edge_roles", "certificates",
                                                     "start_services"]
    assert winsim.deployed(after) == []
    assert sorted((c["use"], c["thumbprint"]) for c in after["cs"]["certificates"]) == sorted(
        [("Internal", INTERNAL)] + [(u, EXTERNAL) for u in EXTERNAL_USES])


def test_with_a_cumulative_update_the_certificates_and_services_come_after_its_second_half():
    goal = test_cs_run.want(version="sfb2015")
    goal["cs"]["cu_path"] = "D:\\CU"
    goal["cs"]["feature_source"] = "D:\\sources\\sxs"
    current = test_cs_run.as_sfb2015(test_cs_run._features_installed(test_cs_run.snap("cs-fresh")))
    current["computer"]["os_build"] = 17763
    args = edge_cs_args(drift.cs.cs_install(goal, current, OPTIONS))
    assert cs.run_steps(args["steps"]) == ["core", "cu", "local_management", "import_configuration", "enable_replica",
                                           "start_replica", "edge_roles", "cu_databases", "start_services"]
    # one call per step (cs_install_step_calls): each its own call, in the same order
    assert cs.run_units(args["steps"], step_calls=True) == [[s] for s in cs.run_steps(args["steps"])]


@pytest.mark.parametrize("scenario", ["cs-fresh", "fresh", "manual"])
def test_cs_certificates_and_cs_services_plan_nothing_while_the_setup_call_does_their_work(scenario):
    results = test_cs.run("edge01", scenario)
    steps = edge_cs_args(results["cs_install"])["steps"]
    assert steps[-2:] == ["certificates", "start_services"]
    for area in ("cs_certificates", "cs_services"):
        assert results[area]["calls"] == [] and results[area]["changes"] == [] and results[area]["problems"] == []
    # a converged host, and one whose roles exist: no fold, the areas decide as before
    assert test_cs.run("edge01", "converged")["cs_install"]["calls"] == []
    imported = test_cs.run("edge01", "cs-imported")
    assert imported["cs_install"]["calls"] == []
    assert edge_cs_args(imported["cs_certificates"])["certificates"] == CERTIFICATES
    assert edge_cs_args(imported["cs_services"])["services"] == ROLE_SERVICES


def test_after_the_setup_call_the_state_read_again_gives_certificates_and_services_nothing_to_do():
    """What site.yml does on a fresh edge: cs_install's call, the state read again, cs_certificates and
    cs_services decided from it - no call of their own (issue 10: one call less)."""
    goal, current = want("edge01"), _imported(snap("cs-fresh", "edge01"))
    install = drift.cs.cs_install(goal, current, OPTIONS)
    _out, after = winsim.edge_cs_run(current, edge_cs_args(install))
    after = winsim.apply(after, [c for c in install["calls"] if c["module"] == "ansible.windows.win_feature"])
    results, _v = drift.host_drift(goal, after, areas=cs.CS_AREAS, options=OPTIONS)
    for area in cs.CS_AREAS:
        assert results[area]["calls"] == [] and results[area]["changes"] == [], area


def test_a_reboot_after_the_roles_gives_certificates_and_services_back_to_their_areas():
    """edge_roles exits 3010: the call stops before the certificates and the services; the state read after
    the reboot shows the roles installed, so cs_install plans nothing and cs_certificates/cs_services plan the
    assignment and the start - from that state, not from the one read before the call."""
    goal, current = want("edge01"), _imported(snap("cs-fresh", "edge01"))
    args = edge_cs_args(drift.cs.cs_install(goal, current, OPTIONS))
    out, after = winsim.edge_cs_run(current, args, rcs={"edge_roles": 3010})
    assert out["reboot_required"] is True
    assert [s["name"] for s in out["run_steps"]][-1] == "edge_roles"
    after["computer"].update(pending_reboot=False, pending_reboot_reasons=[])  # rebooted; the services still stopped
    after["cs"]["features"] = {name: True for name in goal["cs"]["features"]}
    results, _v = drift.host_drift(goal, after, areas=cs.CS_AREAS, options=OPTIONS)
    assert results["cs_install"]["calls"] == []
    assert edge_cs_args(results["cs_certificates"])["certificates"] == CERTIFICATES
    assert edge_cs_args(results["cs_services"])["services"] == ["RTCCLSAGT"] + ROLE_SERVICES
    # applied in site.yml's order (certificates, then services), the edge is deployed
    done = winsim.apply(after, results["cs_certificates"]["calls"] + results["cs_services"]["calls"])
    assert winsim.deployed(done) == []


def test_a_refused_certificate_folds_nothing_and_the_services_wait_for_it():
    """A planned certificate with a CNG key already in the store: the setup call neither assigns certificates nor
    starts services; cs_certificates refuses it as before (it fails the host after the install)."""
    current = snap("cs-fresh", "edge01")
    current["certificates"]["My"] = snap("cs-imported", "edge01")["certificates"]["My"]
    for cert in current["certificates"]["My"]:
        if cert["thumbprint"] == EXTERNAL:
            cert["legacy_csp"] = False
    results = test_cs.run("edge01", "cs-fresh")  # the plan without the refusal, for comparison
    assert edge_cs_args(results["cs_install"])["steps"][-2:] == ["certificates", "start_services"]
    results, _v = drift.host_drift(want("edge01"), current, areas=cs.CS_AREAS, options=OPTIONS)
    assert edge_cs_args(results["cs_install"])["steps"][-1] == "edge_roles"
    assert [c["target"] for c in results["cs_install"]["changes"] if c["action"] in ("set", "start")] == []
    assert [p["variable"] for p in results["cs_certificates"]["problems"]] == ["sfb_edge_certificates.external"]
    assert edge_cs_args(results["cs_services"])["steps"] == ["start_services"]


def test_the_parts_of_the_areas_hold_the_certificates_the_fold_reads():
    """edge_apply gets each area's part of the state (areas.KEYS): the fold reads the certificate store."""
    from ansible_collections.sfb.edge.plugins.plugin_utils import _parts as areas  # pylint: disable=import-outside-toplevel

    assert "certificates" in areas.keys("cs_install")[1] and "certificates" in areas.keys("cs_services")[1]


def test_edge_cs_starts_only_the_services_that_do_not_run_yet():
    """The list is decided from the state read before the call; a service an earlier step of the same call started
    (RTCCLSAGT when setup starts it) is left as it is: Start-CsWindowsService only for one that does not run."""
    with open(test_cs_run.EDGE_CS, encoding="utf-8") as handle:
        text = handle.read()
    body = text[text.index("function Start-SfbService"):]
    body = body[:body.index("\n}\n")]
    loop = body[body.index("foreach ($name in $Names)"):]
    skip = loop.index("-eq 'Running') { continue }")
    assert "Get-Service -Name $name" in loop[:skip] and skip < loop.index("Start-CsWindowsService -Name $name")


def test_another_version_installed_folds_nothing():
    """cs_install refuses the server (no upgrade, no mixing): no setup call, so cs_services keeps its own plan."""
    current = snap("cs-fresh", "edge01")
    current["cs"]["products"] = [{"name": "Skype for Business Server 2015, Core Components", "version": "6.0.9319.0"}]
    results, _v = drift.host_drift(want("edge01"), current, areas=cs.CS_AREAS, options=OPTIONS)
    assert [p["variable"] for p in results["cs_install"]["problems"]] == ["sfb_edge_version"]
    assert results["cs_install"]["calls"] == []
    assert edge_cs_args(results["cs_services"])["services"] == ["REPLICA", "RTCCLSAGT"] + ROLE_SERVICES
