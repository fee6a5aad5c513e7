# -*- coding: utf-8 -*-
"""The Windows simulator (tests/simhost/winsim.py) returns only states edge_facts could return (issue 19,
point 19): every state a run goes through passes the schema, an imported certificate is reported as
edge_facts reports it, and a certificate roll-over is staged beside the current assignment."""

from __future__ import annotations

import copy
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import inventory_data  # noqa: E402
import winsim  # noqa: E402

from ansible_collections.sfb.edge.plugins.plugin_utils import _cs as cs, _desired as desired, _drift as drift, _state as state  # noqa: E402

SNAPSHOTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "snapshots")
SCENARIOS = sorted(d for d in os.listdir(SNAPSHOTS) if os.path.isfile(os.path.join(SNAPSHOTS, d, "edge01.json")))
OPTIONS = {"frontend": "fe01"}
NOW = inventory_data.CERTIFICATES_NOW
INTERNAL = "EAFCC809EC2E3EA925BB2B4052D92F162EB72D27"
EXTERNAL = "CA0A0800EABAB78C5E36DE81A5DD0690DE8CA98E"
OLD_EXTERNAL = "7D1E2C55A0B94B3F8C0E6A1D2F4B5C6D7E8F9012"
_GOALS = {}


def want(host, roll_date=None):
    key = (host, roll_date)
    if key not in _GOALS:  # reading the PFX files is the slow part
        inv = inventory_data.example_with_certificates()
        if roll_date:
            inventory_data.set_pool(inv, "sfb_edge_certificate_roll_date", roll_date)
        _GOALS[key] = desired.build(inv, host, today=NOW)
    return copy.deepcopy(_GOALS[key])


def snap(scenario, host="edge01"):
    return state.load_snapshot(os.path.join(SNAPSHOTS, scenario), host)


def test_the_scenarios_are_the_shipped_snapshots():
    assert SCENARIOS == ["converged", "cs-fresh", "cs-imported", "cs-stopped-service", "cs-wrong-certificate", "fresh",
                         "manual", "stale", "winrm-on-changed-nic"]


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("host", ["edge01", "edge02"])
def test_every_state_of_a_simulated_run_passes_the_schema(scenario, host):
    """Each call of each round applied one at a time; state.check on every state in between."""
    goal, current = want(host), snap(scenario, host)
    state.check(current, where="%s/%s.json" % (scenario, host))
    for round_ in range(1, 4):
        results, _verdict = drift.host_drift(goal, current, options=OPTIONS)
        calls = [c for area in drift.AREAS for c in results[area]["calls"]]
        if not calls:
            break
        for number, call in enumerate(calls, 1):
            current = winsim.apply(current, [call])
            state.check(current, where="%s/%s after round %d, call %d (%s)" % (
                scenario, host, round_, number, call["module"]))
    assert round_ <= 2, "%s/%s: the second round still plans calls: one run does not converge" % (scenario, host)


def test_imported_certificates_are_reported_as_edge_facts_reports_them():
    """The files of tests/snapshots/certificates imported into empty stores give the entries the converged
    snapshot (written as edge_facts reports these certificates) holds, field for field."""
    converged = snap("converged")
    empty = copy.deepcopy(converged)
    empty["certificates"] = {"My": [], "Root": [], "CA": []}
    results, _v = drift.host_drift(want("edge01"), empty, areas=("certificates",), options=OPTIONS)
    after = winsim.apply(empty, results["certificates"]["calls"])
    for store, thumbs in (("Root", ["E5F32354EC662533BC0E12E467938FD8DCC46ACF", "90A1E4C302A33B13BB36BA985E0D252CD103650E"]),
                          ("My", [INTERNAL, EXTERNAL])):
        assert sorted(c["thumbprint"] for c in after["certificates"][store]) == sorted(thumbs)
        for entry in after["certificates"][store]:
            assert entry == next(c for c in converged["certificates"][store] if c["thumbprint"] == entry["thumbprint"])
    assert after["certificates"]["My"][-1] == {
        "thumbprint": EXTERNAL, "subject": "CN=sip.example.com", "issuer": "CN=Example Test Public CA",
        "dns_names": ["sip.example.com", "webconf.example.com", "sip.example.net"],
        "not_before": "2026-01-01T00:00:00Z", "not_after": "2036-01-01T00:00:00Z", "has_private_key": True,
        "key_algorithm": "RSA", "key_size": 2048, "key_provider": "Microsoft RSA SChannel Cryptographic Provider",
        "legacy_csp": True, "eku": ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]}
    # imported again: the store holds the thumbprint already, nothing is added
    again = winsim.apply(after, results["certificates"]["calls"])
    assert again["certificates"] == after["certificates"]


def test_an_assignment_carries_the_certificates_not_after():
    after = winsim.apply(snap("cs-wrong-certificate"), [{"module": "sfb.edge.edge_cs", "args": {
        "steps": ["certificates"], "certificates": [
            {"uses": ["AccessEdgeExternal", "DataEdgeExternal", "AudioVideoAuthentication"], "thumbprint": EXTERNAL}]}}])
    assert sorted((c["use"], c["thumbprint"], c["effective_date"], c["not_after"]) for c in after["cs"]["certificates"]) == [
        ("AccessEdgeExternal", EXTERNAL, None, "2036-01-01T00:00:00Z"),
        ("AudioVideoAuthentication", EXTERNAL, None, "2036-01-01T00:00:00Z"),
        ("DataEdgeExternal", EXTERNAL, None, "2036-01-01T00:00:00Z"),
        ("Internal", INTERNAL, None, "2036-01-01T00:00:00Z")]


def test_a_roll_over_is_staged_beside_the_current_assignment():
    """Set-CsCertificate -Roll -EffectiveDate: the current certificate stays assigned until the date, the new
    one is listed with its EffectiveDate; a second run sees the roll-over scheduled and plans nothing."""
    goal, current = want("edge01", roll_date="2027-01-15T02:00:00"), snap("cs-wrong-certificate")
    results, _v = drift.host_drift(goal, current, areas=cs.CS_AREAS, options=OPTIONS)
    calls = results["cs_certificates"]["calls"]
    assert [c["args"]["certificates"] for c in calls] == [[
        {"uses": ["AccessEdgeExternal", "DataEdgeExternal", "AudioVideoAuthentication"], "thumbprint": EXTERNAL,
         "roll": True, "effective_date": "2027-01-15T02:00:00"}]]
    after = state.check(winsim.apply(current, calls))
    assert sorted((c["use"], c["thumbprint"], c["effective_date"], c["not_after"]) for c in after["cs"]["certificates"]) == [
        ("AccessEdgeExternal", OLD_EXTERNAL, None, "2026-10-01T00:00:00Z"),
        ("AccessEdgeExternal", EXTERNAL, "2027-01-15T02:00:00Z", "2036-01-01T00:00:00Z"),
        ("AudioVideoAuthentication", OLD_EXTERNAL, None, "2026-10-01T00:00:00Z"),
        ("AudioVideoAuthentication", EXTERNAL, "2027-01-15T02:00:00Z", "2036-01-01T00:00:00Z"),
        ("DataEdgeExternal", OLD_EXTERNAL, None, "2026-10-01T00:00:00Z"),
        ("DataEdgeExternal", EXTERNAL, "2027-01-15T02:00:00Z", "2036-01-01T00:00:00Z"),
        ("Internal", INTERNAL, None, "2036-01-01T00:00:00Z")]
    again, _v = drift.host_drift(goal, after, areas=cs.CS_AREAS, options=OPTIONS)
    assert again["cs_certificates"]["changes"] == [] and again["cs_certificates"]["calls"] == []
    assert "AccessEdgeExternal: roll-over to %s is scheduled for 2027-01-15T02:00:00Z" % EXTERNAL \
        in again["cs_certificates"]["notes"]


def test_a_certificate_not_in_the_store_cannot_be_assigned():
    current = snap("cs-fresh")
    with pytest.raises(AssertionError, match="Set-CsCertificate fails: %s is not in LocalMachine" % INTERNAL):
        winsim.apply(current, [{"module": "sfb.edge.edge_cs", "args": {
            "steps": ["certificates"], "certificates": [{"uses": ["Internal"], "thumbprint": INTERNAL}]}}])
