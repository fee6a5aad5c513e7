# -*- coding: utf-8 -*-
"""Certificate expiry end to end: plan.yml, drift.yml and site.yml (snapshot mode) with the test
certificates of tests/snapshots/certificates (overlay inventory tests/snapshots/inventory, given
first), the clock pinned with SFB_EDGE_NOW so that nothing depends on the day the tests run."""

from __future__ import annotations

import json
import os

import pytest

from test_plan_playbook import ROOT, run

POOL = "edgepool.corp.example.com"
OVERLAY = os.path.join(ROOT, "tests", "snapshots", "inventory")
EXAMPLE = os.path.join(ROOT, "inventories", "example")
SNAPSHOTS = os.path.join(ROOT, "tests", "snapshots")
OLD_EXTERNAL = "7D1E2C55A0B94B3F8C0E6A1D2F4B5C6D7E8F9012"


def playbook(name, out, *extra):
    return run("ansible-playbook", "sfb.edge." + name, "-i", OVERLAY, "-i", EXAMPLE,
               "-e", "sfb_edge_plan_dir=%s" % out, *extra)


def test_plan_shows_the_dates_and_warns_within_the_window(tmp_path, monkeypatch):
    monkeypatch.setenv("SFB_EDGE_NOW", "2035-12-20T00:00:00Z")  # 12 days before the test certificates end
    result = playbook("plan", tmp_path)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    plan = json.loads((tmp_path / POOL / "plan.json").read_text())
    for kind in ("external", "internal"):
        assert plan["certificates"][kind]["not_after"] == "2036-01-01T00:00:00Z"
        assert plan["certificates"][kind]["expiry"] == {"status": "warning", "days_left": 12, "warn_days": 30}
    assert len([f for f in plan["findings"] if f["code"] == "certificate_expiring"]) == 4
    md = (tmp_path / POOL / "plan.md").read_text()
    assert md.count("| Expiry | expires 2036-01-01T00:00:00Z (12 days) — **renew soon**") == 2
    # the same day again: byte-identical files, changed=0
    before = (tmp_path / POOL / "plan.json").read_bytes()
    again = playbook("plan", tmp_path)
    assert "changed=0" in again.stdout and (tmp_path / POOL / "plan.json").read_bytes() == before


def test_plan_stops_on_an_expired_certificate(tmp_path, monkeypatch):
    monkeypatch.setenv("SFB_EDGE_NOW", "2036-01-01T00:00:00Z")  # the instant they end
    result = playbook("plan", tmp_path)
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert out.count("ERROR [certificate_expired] host edge0") >= 4
    assert "expired 2036-01-01T00:00:00Z (today)" in out and "sfb.edge.certificate_request" in out
    assert not (tmp_path / POOL / "plan.json").exists()


@pytest.mark.parametrize("scenario", ["cs-wrong-certificate"])
def test_drift_and_validation_report_the_expired_assigned_certificate(tmp_path, monkeypatch, scenario):
    monkeypatch.setenv("SFB_EDGE_NOW", "2026-12-01T00:00:00Z")
    facts = "sfb_edge_facts_from=%s" % os.path.join(SNAPSHOTS, scenario)
    drift = playbook("drift", tmp_path / "drift", "-e", facts)
    assert drift.returncode == 0, (drift.stdout + drift.stderr)[-3000:]
    report = json.loads((tmp_path / "drift" / POOL / "what-if" / "drift" / "edge01.json").read_text())
    assert [(f["id"], f["severity"], f["thumbprint"], f["not_after"], f["days_left"]) for f in report["findings"]] == [
        ("certificate_expired", "error", OLD_EXTERNAL, "2026-10-01T00:00:00Z", -61)]
    assert "[certificate_expired] the certificate %s" % OLD_EXTERNAL in drift.stdout
    site = playbook("site", tmp_path / "site", "-e", facts)
    assert site.returncode == 0, (site.stdout + site.stderr)[-3000:]  # snapshot mode: validation does not fail
    validation = json.loads((tmp_path / "site" / POOL / "what-if" / "validate" / "edge01.json").read_text())
    assert [(r["id"], r["actual"]) for r in validation["rows"] if r["result"] == "fail"] == [
        ("certificate_expired", "expired 2026-10-01T00:00:00Z (61 days ago)")]
    table = (tmp_path / "site" / POOL / "what-if" / "validate" / "edge01.md").read_text()
    assert "| PASS | certificate | Internal: EAFCC809EC2E3EA925BB2B4052D92F162EB72D27" in table


def _converged_drift(tmp_path, *extra):
    """drift.yml on the converged snapshots with the example inventory alone (no certificate files: the
    expiry comes from the gathered state, as on a live run)."""
    return run("ansible-playbook", "sfb.edge.drift", "-i", EXAMPLE, "-e", "sfb_edge_plan_dir=%s" % tmp_path,
               "-e", "sfb_edge_facts_from=%s" % os.path.join(SNAPSHOTS, "converged"),
               "-e", "sfb_edge_fail_on_drift=true", *extra)


def test_drift_fails_when_a_certificate_in_use_has_expired(tmp_path, monkeypatch):
    """A host whose configuration is in sync but whose certificates in use expired fails the monitoring job
    (issue 20, item 5): the day after both test certificates ended, exit 2, both hosts named."""
    monkeypatch.setenv("SFB_EDGE_NOW", "2036-01-02T00:00:00Z")
    result = _converged_drift(tmp_path)
    out = result.stdout + result.stderr
    assert result.returncode == 2, out[-3000:]
    assert "edge01 (edgepool.corp.example.com): in sync; but 2 certificate(s) expired" in out
    assert "edge02 (edgepool.corp.example.com): in sync; but 2 certificate(s) expired" in out
    flat = " ".join(out.split())  # ansible-core 2.16 folds the failure message
    for host in ("edge01", "edge02"):  # each host fails with its own report named
        assert "Expired: the certificate CA0A0800EABAB78C5E36DE81A5DD0690DE8CA98E (CN=sip.example.com)" in flat
        assert "%s/what-if/drift/%s.json" % (POOL, host) in "".join(out.split())
    assert flat.count("FAILED!") >= 2
    report = json.loads((tmp_path / POOL / "what-if" / "drift" / "edge01.json").read_text())
    assert report["in_sync"] is True  # the configuration is as planned: expiry is not drift


def test_drift_within_the_warning_window_fails_only_on_request(tmp_path, monkeypatch):
    monkeypatch.setenv("SFB_EDGE_NOW", "2035-12-20T00:00:00Z")  # 12 days left, warning window 30 days
    quiet = _converged_drift(tmp_path / "a")
    assert quiet.returncode == 0, (quiet.stdout + quiet.stderr)[-3000:]
    assert "edge01 (edgepool.corp.example.com): in sync; but 2 certificate(s) expiring" in quiet.stdout
    strict = _converged_drift(tmp_path / "b", "-e", "sfb_edge_fail_on_expiry_warning=true")
    out = strict.stdout + strict.stderr
    assert strict.returncode == 2, out[-3000:]
    assert "Expiring (sfb_edge_fail_on_expiry_warning): the certificate CA0A0800EABAB78C5E36DE81A5DD0690DE8CA98E" in out
    assert "(12 days), within the 30-day warning window" in out
