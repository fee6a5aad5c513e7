# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Post-install validation of an edge server (playbooks/validate.yml), as plain data.

Five kinds of check, each a row ``{check, target, expected, actual, result}`` with result
``pass``, ``warn`` (certificates only), ``fail`` or ``skip``:

``listening``    every socket of the plan's ``listening`` table (derived from the port tables, see
                 :func:`plan.listening`) is open on the server's own address, or on 0.0.0.0 (the
                 replica listens on all interfaces), in the ``listeners`` of the gathered state
``service``      every edge service is running (``cs.services``)
``probe``        the Front End reaches the edge's internal address on each internal TCP port
                 (results of ``sfb.edge.tcp_probe``)
``replication``  Get-CsManagementStoreReplicationStatus says UpToDate for this edge
``certificate``  every certificate assigned to a use (``cs.certificates``) is valid for more than
                 ``sfb_edge_certificate_warn_days``: ``warn`` (id ``certificate_expiring``) within
                 that window, ``fail`` (id ``certificate_expired``) once expired (:mod:`expiry`)
"""

from __future__ import annotations

from ansible_collections.sfb.edge.plugins.plugin_utils import _text, _expiry as expiry

VALIDATION_FORMAT = 1


def _row(check, target, expected, actual, result):
    return {"check": check, "target": target, "expected": expected, "actual": actual, "result": result}


def listening_rows(desired, current):
    rows = []
    gathered = current.get("listeners")
    have = set()
    for item in gathered or []:
        try:
            have.add((str(item["protocol"]).upper(), str(item["address"]), int(item["port"])))
        except (KeyError, TypeError, ValueError):
            continue
    for sock in desired["cs"]["listening"]:
        target = "%s %s:%d/%s" % (sock["interface"], sock["address"], sock["port"], sock["protocol"])
        if gathered is None:
            rows.append(_row("listening", target, sock["listener"], "not gathered", "skip"))
            continue
        own = (sock["protocol"], sock["address"], sock["port"]) in have
        wildcard = (sock["protocol"], "0.0.0.0", sock["port"]) in have
        actual = "listening" if own else "listening on 0.0.0.0" if wildcard else "not listening"
        rows.append(_row("listening", target, sock["listener"], actual, "pass" if own or wildcard else "fail"))
    return rows


def service_rows(desired, current):
    cs = current.get("cs")
    services = {str(s.get("name", "")).upper(): s for s in (cs or {}).get("services") or [] if isinstance(s, dict)}
    rows = []
    for name in desired["cs"]["services"]:
        if not isinstance(cs, dict):
            rows.append(_row("service", name, "Running", "not gathered", "skip"))
            continue
        svc = services.get(name)
        actual = svc.get("status") if svc else "not installed"
        error = (svc or {}).get("last_error")
        if actual != "Running" and isinstance(error, dict):
            actual = "%s - %s event %s: %s" % (actual, error.get("source"), error.get("id"), error.get("message"))
        rows.append(_row("service", name, "Running", actual, "pass" if actual == "Running" else "fail"))
    return rows


def probe_rows(desired, probes, frontend=None):
    """:param probes: ``sfb.edge.tcp_probe`` results (``[{host, port, open, error}]``), or None when
    the probes did not run (no Front End, snapshot or check mode)."""
    found = {}
    for item in probes or []:
        try:
            found[(str(item["host"]), int(item["port"]))] = item
        except (KeyError, TypeError, ValueError):
            continue
    listeners = {(s["address"], s["port"]): s["listener"] for s in desired["cs"]["listening"] if s["protocol"] == "TCP"}
    rows = []
    for probe in desired["cs"]["probes"]:
        target = "%s -> %s:%d/TCP" % (frontend or "Front End", probe["host"], probe["port"])
        expected = "open (%s)" % listeners.get((probe["host"], probe["port"]), "edge service")
        hit = found.get((probe["host"], probe["port"]))
        if probes is None or hit is None:
            rows.append(_row("probe", target, expected, "not probed", "skip"))
        elif hit.get("open"):
            rows.append(_row("probe", target, expected, "open", "pass"))
        else:
            rows.append(_row("probe", target, expected, "closed: %s" % (hit.get("error") or "no answer"), "fail"))
    return rows


def replication_rows(desired, status):
    fqdn = desired["cs"]["fqdn"]
    if not isinstance(status, dict):
        return [_row("replication", fqdn, "UpToDate", "not queried", "skip")]
    up = status.get("up_to_date")
    if up is True:
        return [_row("replication", fqdn, "UpToDate", "UpToDate (last status report %s)"
                     % (status.get("last_status_report") or "unknown"), "pass")]
    if up is False and not status.get("last_status_report"):
        # A new edge has not reported yet: its replica service gets its first copy from the Front End some
        # time after the install; a second validation, or an explicit replication, tells.
        actual = ("not up to date yet (no status report from the edge so far: right after an install this is "
                  "usual - run validate.yml again in a few minutes, or with -e sfb_edge_replication_invoke=true; "
                  "if it stays, check TCP 4443 from the Front Ends to the edge's internal address)")
    elif up is False:
        actual = ("not up to date (last status report %s; run validate.yml -e sfb_edge_replication_invoke=true, "
                  "and check TCP 4443 from the Front Ends to the edge's internal address)"
                  % status.get("last_status_report"))
    else:
        actual = "unknown to the Central Management Store (is the edge in the published topology?)"
    return [_row("replication", fqdn, "UpToDate", actual, "fail")]


_RESULT = {"ok": "pass", "warning": "warn", "expired": "fail", "unknown": "skip"}


def certificate_rows(desired, current, now=None):
    """One row per certificate assigned to a use (its uses in the target), judged at ``now`` (None: the
    current time); warn and fail rows carry the finding ``id``, and every row ``not_after``,
    ``days_left`` and ``warn_days``."""
    cs = current.get("cs")
    warn_days = desired["cs"].get("certificate_warn_days", expiry.DEFAULT_WARN_DAYS)
    expected = "valid for more than %d days" % warn_days
    if not isinstance(cs, dict):
        return [_row("certificate", "assigned certificates", expected, "not gathered", "skip")]
    now = expiry.utcnow(now)
    store = {str(c.get("thumbprint", "")).upper(): c
             for c in ((current.get("certificates") or {}).get("My") or []) if isinstance(c, dict)}
    by_thumb = {}
    for item in cs.get("certificates") or []:
        if isinstance(item, dict) and item.get("thumbprint"):
            entry = by_thumb.setdefault(str(item["thumbprint"]).upper(), {"uses": [], "not_after": None})
            entry["uses"].append(str(item.get("use")))
            entry["not_after"] = entry["not_after"] or item.get("not_after")
    if not by_thumb:
        return [_row("certificate", "assigned certificates", expected, "none assigned", "skip")]
    rows = []
    for thumb, entry in by_thumb.items():  # in gathered order
        try:
            end = expiry.parse(entry["not_after"] or (store.get(thumb) or {}).get("not_after"))
        except expiry.ExpiryError:
            end = None
        info = expiry.status(end, now, warn_days)
        subject = (store.get(thumb) or {}).get("subject")
        row = _row("certificate", "%s: %s%s" % (", ".join(entry["uses"]), thumb, " (%s)" % subject if subject else ""),
                   expected, expiry.when_text(end, info, now), _RESULT[info["status"]])
        if info["status"] in expiry.IDS:
            row["id"] = expiry.IDS[info["status"]]
        row.update(not_after=expiry.iso(end), days_left=info["days_left"], warn_days=warn_days)
        rows.append(row)
    return rows


def report(desired, current, probes=None, replication=None, frontend=None, source=None, now=None):
    """The validation report of one edge server.

    :param replication: the Front End's status for this edge (``{fqdn, up_to_date, ...}``); None
        falls back to ``replication`` of the state (snapshots), else the check is skipped.
    :param now: the time certificate expiry is judged at (None: the current UTC time).
    """
    if replication is None:
        replication = current.get("replication")
    rows = (listening_rows(desired, current) + service_rows(desired, current)
            + probe_rows(desired, probes, frontend) + replication_rows(desired, replication)
            + certificate_rows(desired, current, now))
    counts = {r: sum(1 for row in rows if row["result"] == r) for r in ("pass", "fail", "skip", "warn")}
    return {
        "format": VALIDATION_FORMAT,
        "host": desired["host"],
        "pool": desired["pool"],
        "fqdn": desired["cs"]["fqdn"],
        "source": source,
        "passed": counts["fail"] == 0,
        "summary": counts,
        "rows": rows,
    }


def table(rep):
    """A readable pass/fail table (Markdown, so it renders where plan.md does). Values from the host's state are
    shown with their invisible characters written out (``\\u202e``, ``\\x0a``: a newline would end the row)."""
    head = "%s (%s): %s - %d pass, %d fail, %d skipped" % (
        _text.visible(str(rep["host"])), _text.visible(str(rep["fqdn"])), "PASSED" if rep["passed"] else "FAILED",
        rep["summary"]["pass"], rep["summary"]["fail"], rep["summary"]["skip"])
    if rep["summary"].get("warn"):
        head += ", %d warning%s" % (rep["summary"]["warn"], "" if rep["summary"]["warn"] == 1 else "s")
    lines = [head, "", "| result | check | target | expected | actual |", "|---|---|---|---|---|"]
    for row in rep["rows"]:
        cells = (row["result"].upper(), row["check"], row["target"], row["expected"], str(row["actual"]).replace("|", "/"))
        lines.append("| %s | %s | %s | %s | %s |" % tuple(_text.visible(str(c)) for c in cells))
    return lines
