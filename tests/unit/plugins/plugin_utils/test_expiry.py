# -*- coding: utf-8 -*-
"""Certificate expiry (plugins/plugin_utils/_expiry.py) and where it shows: plan.json / plan.md, the
drift report (areas certificates and cs_certificates), the validation report and table.

Every test passes a fixed "now": the shipped test certificates (tests/snapshots/certificates) end
in 2036 and the snapshots name a certificate that ended on 2026-10-01; nothing here depends on the
day the tests run.
"""

from __future__ import annotations

import copy
import datetime
import os
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

import inventory_data  # noqa: E402

from ansible_collections.sfb.edge.plugins.plugin_utils import _checks as checks
from ansible_collections.sfb.edge.plugins.plugin_utils import _desired as desired
from ansible_collections.sfb.edge.plugins.plugin_utils import _drift as drift
from ansible_collections.sfb.edge.plugins.plugin_utils import _expiry as expiry
from ansible_collections.sfb.edge.plugins.plugin_utils import _plan as plan
from ansible_collections.sfb.edge.plugins.plugin_utils import _report as report
from ansible_collections.sfb.edge.plugins.plugin_utils import _state as state  # noqa: E402

UTC = datetime.timezone.utc
NOW = inventory_data.CERTIFICATES_NOW  # 2026-12-01T00:00:00Z
POOL = "edgepool.corp.example.com"
SNAPSHOTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__)))), "snapshots")
OLD_EXTERNAL = "7D1E2C55A0B94B3F8C0E6A1D2F4B5C6D7E8F9012"  # cs-wrong-certificate: ended 2026-10-01
INTERNAL = "EAFCC809EC2E3EA925BB2B4052D92F162EB72D27"
EXTERNAL = "CA0A0800EABAB78C5E36DE81A5DD0690DE8CA98E"
DAY = datetime.timedelta(days=1)
SECOND = datetime.timedelta(seconds=1)

_DESIRED = {}


def want(host="edge01", warn_days=None):
    key = (host, warn_days)
    if key not in _DESIRED:
        inv = inventory_data.example_with_certificates()
        if warn_days is not None:
            inventory_data.set_pool(inv, "sfb_edge_certificate_warn_days", warn_days)
        _DESIRED[key] = desired.build(inv, host, today=NOW)
    return copy.deepcopy(_DESIRED[key])


def snap(scenario, host="edge01"):
    return state.load_snapshot(os.path.join(SNAPSHOTS, scenario), host)


# --------------------------------------------------------------------------- the rule

times = st.datetimes(min_value=datetime.datetime(1990, 1, 1), max_value=datetime.datetime(2100, 1, 1),
                     timezones=st.just(UTC))


@given(not_after=times, now=times, warn_days=st.integers(min_value=0, max_value=10 ** 12))
def test_exactly_one_status_and_it_follows_the_documented_rule(not_after, now, warn_days):
    info = expiry.status(not_after, now, warn_days)
    assert set(info) == {"status", "days_left", "warn_days"} and info["warn_days"] == warn_days
    left = not_after - now
    micro = left // datetime.timedelta(microseconds=1)  # exact integers, no float rounding
    expected = "expired" if micro <= 0 else "warning" if micro <= warn_days * 86400 * 10 ** 6 else "ok"
    assert info["status"] == expected
    # whole days left, rounded down: 0 in the last day, negative once expired
    assert info["days_left"] == (not_after - now) // DAY
    assert (info["days_left"] < 0) == (left < datetime.timedelta(0))


@given(not_after=times, warn_days=st.integers(min_value=0, max_value=3650))
def test_the_boundaries(not_after, warn_days):
    # at exactly not_after it has expired; one second before it has not
    assert expiry.status(not_after, not_after, warn_days)["status"] == "expired"
    assert expiry.status(not_after, not_after - SECOND, warn_days)["status"] == ("warning" if warn_days else "ok")
    # exactly warn_days left: a warning; one second more: ok
    edge = not_after - warn_days * DAY
    if warn_days:
        assert expiry.status(not_after, edge, warn_days) == {"status": "warning", "days_left": warn_days,
                                                             "warn_days": warn_days}
    assert expiry.status(not_after, edge - SECOND, warn_days)["status"] == "ok"


def test_real_values_and_texts():
    end = datetime.datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
    assert expiry.status(end, end - 90 * DAY, 30) == {"status": "ok", "days_left": 90, "warn_days": 30}
    info = expiry.status("2027-03-01T12:00:00Z", end - 12 * DAY - SECOND, 30)
    assert info == {"status": "warning", "days_left": 12, "warn_days": 30}
    assert expiry.when_text(end, info) == "expires 2027-03-01T12:00:00Z (12 days)"
    info = expiry.status(end, end + 60 * DAY + 3600 * SECOND, 30)
    assert info == {"status": "expired", "days_left": -61, "warn_days": 30}
    assert expiry.when_text(end, info, end + 60 * DAY + 3600 * SECOND) == "expired 2027-03-01T12:00:00Z (60 days ago)"
    assert expiry.when_text(end, expiry.status(end, end, 30), end) == "expired 2027-03-01T12:00:00Z (today)"
    assert expiry.when_text(end, expiry.status(end, end - DAY, 30)) == "expires 2027-03-01T12:00:00Z (1 day)"
    assert expiry.status(None, end, 7) == {"status": "unknown", "days_left": None, "warn_days": 7}
    assert expiry.when_text(None, expiry.status(None, end, 7)) == "expiry unknown"


def test_a_huge_window_does_not_overflow():
    assert expiry.status("2036-01-01T00:00:00Z", NOW, 10 ** 15)["status"] == "warning"


@pytest.mark.parametrize("text, expected", [
    ("2036-01-01T00:00:00Z", datetime.datetime(2036, 1, 1, tzinfo=UTC)),
    ("2036-01-01T02:30:00+02:30", datetime.datetime(2036, 1, 1, tzinfo=UTC)),
    ("2035-12-31T19:00:00-0500", datetime.datetime(2036, 1, 1, tzinfo=UTC)),
    ("2036-01-01 00:00:00.1234567", datetime.datetime(2036, 1, 1, 0, 0, 0, 123456, tzinfo=UTC)),
    ("2036-01-01", datetime.datetime(2036, 1, 1, tzinfo=UTC)),
    (datetime.datetime(2036, 1, 1), datetime.datetime(2036, 1, 1, tzinfo=UTC)),
    (datetime.date(2036, 1, 1), datetime.datetime(2036, 1, 1, tzinfo=UTC)),
    (None, None),
])
def test_parse(text, expected):
    assert expiry.parse(text) == expected


@pytest.mark.parametrize("bad", ["01/01/2036", "2036-13-01T00:00:00Z", "soon", 20360101, ["2036-01-01"]])
def test_parse_refuses_what_it_cannot_read(bad):
    with pytest.raises(expiry.ExpiryError, match="expected e.g. 2027-03-01T12:00:00Z"):
        expiry.parse(bad)


@given(stamp=times)
def test_iso_round_trips_whole_seconds(stamp):
    text = expiry.iso(stamp)
    assert text.endswith("Z") and len(text) == 20
    assert expiry.parse(text) == stamp.replace(microsecond=0)


def test_now_is_the_clock_unless_given_or_pinned(monkeypatch):
    monkeypatch.delenv(expiry.NOW_ENV, raising=False)
    before = datetime.datetime.now(UTC)
    now = expiry.utcnow()
    assert now.tzinfo is not None and before <= now <= datetime.datetime.now(UTC)
    assert expiry.utcnow(datetime.datetime(2030, 5, 5)) == datetime.datetime(2030, 5, 5, tzinfo=UTC)
    monkeypatch.setenv(expiry.NOW_ENV, "2031-02-03T04:05:06Z")
    assert expiry.utcnow() == datetime.datetime(2031, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert expiry.utcnow(NOW) == NOW  # a given now wins
    monkeypatch.setenv(expiry.NOW_ENV, "next tuesday")
    with pytest.raises(expiry.ExpiryError, match=r"SFB_EDGE_NOW \('next tuesday'\) is not an ISO 8601"):
        expiry.utcnow()


# --------------------------------------------------------------------------- plan.json / plan.md

def test_plan_without_certificate_files_has_no_date():
    certificates = plan.build(inventory_data.example(), today=NOW)[POOL]["certificates"]
    for kind in ("external", "internal"):
        assert certificates[kind]["not_after"] is None
        assert certificates[kind]["expiry"] == {"status": "unknown", "days_left": None, "warn_days": 30}
    md = report.markdown(plan.build(inventory_data.example(), today=NOW)[POOL])
    assert "| Expiry | unknown: no certificate file in the inventory (sfb_edge_certificates.external) |" in md


def test_plan_with_the_test_certificates():
    p = plan.build(inventory_data.example_with_certificates(), today=NOW)[POOL]
    for kind in ("external", "internal"):
        assert p["certificates"][kind]["not_after"] == "2036-01-01T00:00:00Z"
        assert p["certificates"][kind]["expiry"] == {"status": "ok", "days_left": 3318, "warn_days": 30}
    assert "| Expiry | expires 2036-01-01T00:00:00Z (3318 days) |" in report.markdown(p)
    # the same inventory and now: the same plan, byte for byte
    assert plan.build(inventory_data.example_with_certificates(), today=NOW) == {POOL: p}
    # without reading the files there is no date
    unread = plan.build(inventory_data.example_with_certificates(), today=NOW, read_certificates=False)[POOL]
    assert unread["certificates"]["internal"]["expiry"]["status"] == "unknown"


def test_plan_within_the_window_warns_in_the_findings_and_the_report():
    soon = datetime.datetime(2035, 12, 20, tzinfo=UTC)  # 12 days before the test certificates end
    p = plan.build(inventory_data.example_with_certificates(), today=soon)[POOL]
    assert p["certificates"]["external"]["expiry"] == {"status": "warning", "days_left": 12, "warn_days": 30}
    expiring = [f for f in p["findings"] if f["code"] == "certificate_expiring"]
    assert sorted((f["host"], f["variable"]) for f in expiring) == [
        (h, "sfb_edge_certificates.%s.pfx" % k) for h in ("edge01", "edge02") for k in ("external", "internal")]
    assert all("sfb.edge.certificate_request" in f["message"] and "(12 days)" in f["message"] for f in expiring)
    md = report.markdown(p)
    assert ("| Expiry | expires 2036-01-01T00:00:00Z (12 days) — **renew soon**: within the 30-day warning window |"
            in md)
    # with a 10-day window the same day is fine
    inv = inventory_data.set_pool(inventory_data.example_with_certificates(), "sfb_edge_certificate_warn_days", 10)
    p = plan.build(inv, today=soon)[POOL]
    assert p["certificates"]["internal"]["expiry"] == {"status": "ok", "days_left": 12, "warn_days": 10}
    assert not [f for f in p["findings"] if f["code"].startswith("certificate_expir")]


def test_plan_of_an_expired_certificate_stops():
    with pytest.raises(plan.PlanError, match="certificate_expired.*expired 2036-01-01T00:00:00Z"):
        plan.build(inventory_data.example_with_certificates(), today=datetime.datetime(2036, 1, 2, tzinfo=UTC))


def test_plan_takes_the_earliest_certificate_of_the_pool(tmp_path):
    import certfactory

    ca_key, key = certfactory.rsa_key(), certfactory.rsa_key()
    ca = certfactory.certificate(ca_key, "Corp Root CA", NOW - 10 * DAY, NOW + 4000 * DAY, ca=True, eku=None)
    cert = certfactory.certificate(key, POOL, NOW - 10 * DAY, NOW + 20 * DAY, issuer=(ca, ca_key), sans=[POOL])
    inv = inventory_data.example_with_certificates()
    inv["edge02"]["sfb_edge_certificates"] = dict(inv["edge02"]["sfb_edge_certificates"], internal={
        "pfx": certfactory.write_pfx(tmp_path / "short.pfx", cert, key, "pw"), "password": "pw"})
    inv["edge02"]["sfb_edge_certificates"]["root_ca"] = [certfactory.write_pem(tmp_path / "ca.pem", ca)]
    p = plan.build(inv, today=NOW)[POOL]
    assert p["certificates"]["internal"]["not_after"] == expiry.iso(NOW + 20 * DAY)
    assert p["certificates"]["internal"]["expiry"] == {"status": "warning", "days_left": 20, "warn_days": 30}
    assert p["certificates"]["external"]["expiry"]["status"] == "ok"


# --------------------------------------------------------------------------- drift

def test_drift_of_a_converged_box_lists_every_date_and_no_finding():
    rep = drift.report(want(), snap("converged"), now=NOW)
    assert rep["in_sync"] and rep["findings"] == []
    assert [(e["area"], e["target"], e["not_after"], e["status"]) for e in rep["expiry"]] == [
        ("certificates", "Root\\E5F32354EC662533BC0E12E467938FD8DCC46ACF", "2046-01-01T00:00:00Z", "ok"),
        ("certificates", "Root\\90A1E4C302A33B13BB36BA985E0D252CD103650E", "2046-01-01T00:00:00Z", "ok"),
        ("certificates", "My\\" + INTERNAL, "2036-01-01T00:00:00Z", "ok"),
        ("certificates", "My\\" + EXTERNAL, "2036-01-01T00:00:00Z", "ok"),
        # the uses in the order the state lists them
        ("cs_certificates", "AccessEdgeExternal, AudioVideoAuthentication, DataEdgeExternal: " + EXTERNAL,
         "2036-01-01T00:00:00Z", "ok"),
        ("cs_certificates", "Internal: " + INTERNAL, "2036-01-01T00:00:00Z", "ok"),
    ]
    lines = drift.format_report(rep, now=NOW)
    assert lines[0] == "edge01 (edgepool.corp.example.com): in sync"
    assert "  expiry: My\\%s CN=edgepool.corp.example.com expires 2036-01-01T00:00:00Z (3318 days)" % INTERNAL in lines


def test_drift_does_not_change_with_the_day_while_nothing_is_due():
    one = drift.report(want(), snap("converged"), now=NOW)
    assert drift.report(want(), snap("converged"), now=NOW + 100 * DAY) == one


def test_drift_warns_within_the_window_and_errs_once_expired():
    rep = drift.report(want(), snap("converged"), now=datetime.datetime(2035, 12, 25, tzinfo=UTC))
    assert rep["in_sync"]  # expiry is not drift
    assert sorted((f["id"], f["severity"], f["area"], f["thumbprint"], f["days_left"]) for f in rep["findings"]) == [
        ("certificate_expiring", "warning", "certificates", EXTERNAL, 7),
        ("certificate_expiring", "warning", "certificates", INTERNAL, 7),
        ("certificate_expiring", "warning", "cs_certificates", EXTERNAL, 7),
        ("certificate_expiring", "warning", "cs_certificates", INTERNAL, 7),
    ]
    message = [f for f in rep["findings"] if f["area"] == "certificates" and f["thumbprint"] == INTERNAL][0]["message"]
    assert message.startswith("the certificate %s (CN=edgepool.corp.example.com, sfb_edge_certificates.internal) "
                              "installed in LocalMachine\\My expires 2036-01-01T00:00:00Z (7 days), within the "
                              "30-day warning window" % INTERNAL)
    assert "sfb.edge.certificate_request" in message and "sfb_edge_certificates.internal" in message
    # a wider window from the inventory reaches the installed and the assigned copies
    wide = drift.report(want(warn_days=400), snap("converged"), now=datetime.datetime(2035, 1, 1, tzinfo=UTC))
    assert len(wide["findings"]) == 4 and {f["warn_days"] for f in wide["findings"]} == {400}


def test_drift_names_the_expired_assigned_certificate():
    rep = drift.report(want(), snap("cs-wrong-certificate"), now=NOW)
    [found] = rep["findings"]
    assert {k: found[k] for k in ("id", "severity", "area", "thumbprint", "subject", "not_after", "days_left",
                                  "status")} == {
        "id": "certificate_expired", "severity": "error", "area": "cs_certificates", "thumbprint": OLD_EXTERNAL,
        "subject": "CN=sip.example.com", "not_after": "2026-10-01T00:00:00Z", "days_left": -61, "status": "expired"}
    assert "assigned to AccessEdgeExternal, AudioVideoAuthentication, DataEdgeExternal" in found["message"]
    assert "the plan assigns another one to" in found["message"]
    assert "expired 2026-10-01T00:00:00Z (61 days ago)" in found["message"]
    lines = drift.format_report(rep, now=NOW)
    assert any(line.startswith("  cs_certificates ERROR  [certificate_expired] the certificate " + OLD_EXTERNAL)
               for line in lines)
    # the summary counts drift only: the three uses that move to the planned certificate
    assert rep["summary"]["cs_certificates"] == 3


def test_drift_without_a_cs_part_or_certificates_has_no_expiry():
    goal = desired.build(inventory_data.example(), "edge01", today=NOW)
    rep = drift.report(goal, snap("fresh"), now=NOW)
    assert rep["expiry"] == [] and rep["findings"] == []


# --------------------------------------------------------------------------- validation

def test_validation_rows_per_assigned_certificate():
    rep = checks.report(want(), snap("cs-wrong-certificate"), now=NOW)
    rows = [r for r in rep["rows"] if r["check"] == "certificate"]
    assert [(r["target"], r["result"], r.get("id"), r["not_after"], r["days_left"]) for r in rows] == [
        ("AccessEdgeExternal, AudioVideoAuthentication, DataEdgeExternal: %s (CN=sip.example.com)" % OLD_EXTERNAL,
         "fail", "certificate_expired", "2026-10-01T00:00:00Z", -61),
        ("Internal: %s (CN=edgepool.corp.example.com)" % INTERNAL, "pass", None, "2036-01-01T00:00:00Z", 3318),
    ]
    assert rows[0]["actual"] == "expired 2026-10-01T00:00:00Z (61 days ago)"
    assert rows[1]["expected"] == "valid for more than 30 days"
    assert rep["passed"] is False and rep["summary"]["fail"] == 1
    table = checks.table(rep)
    assert ("| PASS | certificate | Internal: %s (CN=edgepool.corp.example.com) | valid for more than 30 days | "
            "expires 2036-01-01T00:00:00Z (3318 days) |" % INTERNAL) in table


def test_validation_warns_without_failing():
    rep = checks.report(want(), snap("converged"), now=datetime.datetime(2035, 12, 2, tzinfo=UTC))
    rows = [r for r in rep["rows"] if r["check"] == "certificate"]
    assert [(r["result"], r["id"], r["days_left"]) for r in rows] == [("warn", "certificate_expiring", 30)] * 2
    assert rep["passed"] is True and rep["summary"] == {"pass": 18, "fail": 0, "skip": 5, "warn": 2}
    assert checks.table(rep)[0] == "edge01 (edge01.corp.example.com): PASSED - 18 pass, 0 fail, 5 skipped, 2 warnings"


def test_validation_skips_what_was_not_gathered():
    current = snap("converged")
    current["cs"]["certificates"] = []
    assert [(r["target"], r["actual"], r["result"]) for r in checks.certificate_rows(want(), current, NOW)] == [
        ("assigned certificates", "none assigned", "skip")]
    del current["cs"]
    assert [r["result"] for r in checks.certificate_rows(want(), current, NOW)] == ["skip"]
