# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The diff engine: desired state (:mod:`desired`) against gathered state (:mod:`state`).

For each area it returns the changes (each with before/after), the problems a run cannot fix by
itself, and the remote calls that apply exactly the changes - at most one call per module per
area, however many routes, addresses or hosts entries differ.  The lockout guard marks every change
that would cut the connection the controller uses.  Plain data in, plain data out.
"""

from __future__ import annotations

from ansible_collections.sfb.edge.plugins.plugin_utils import _changes as _records
from ansible_collections.sfb.edge.plugins.plugin_utils import _cs
from ansible_collections.sfb.edge.plugins.plugin_utils import _expiry as expiry
from ansible_collections.sfb.edge.plugins.plugin_utils import _guard
from ansible_collections.sfb.edge.plugins.plugin_utils import _hostsfile
from ansible_collections.sfb.edge.plugins.plugin_utils._areas import _registry
from ansible_collections.sfb.edge.plugins.plugin_utils._areas import certificates as _certificates
from ansible_collections.sfb.edge.plugins.plugin_utils._areas import identity as _identity
from ansible_collections.sfb.edge.plugins.plugin_utils._areas import network as _network
from ansible_collections.sfb.edge.plugins.plugin_utils._areas import routes as _routes

# The order site.yml applies the areas in, and the areas drift.yml reports (cs_replication is reported but not
# applied by site.yml: replication is fixed from the Front End): from the registry of the areas (_areas/_registry.py).
AREAS = _registry.APPLIED
REPORT_AREAS = _registry.REPORTED
REPORT_FORMAT = 1
# How each area's drift is fixed (the failure message of drift.yml, docs/cs-roles.md#drift and
# docs/windows-roles.md); every area of REPORT_AREAS has one.
SITE_FIX = "playbooks/site.yml (first with --check --diff)"
FIXES = dict({area: SITE_FIX for area in AREAS},
             cs_replication="playbooks/validate.yml -e sfb_edge_replication_invoke=true (replication is pushed from "
                            "the Front End; check TCP 4443 from the Front Ends to the edge's internal address)")

_change, _problem, _result = _records.change, _records.problem, _records.result

# The hosts file area lives in hostsfile.py; its names stay importable from here for existing callers.
HOSTS_BEGIN, HOSTS_END = _hostsfile.HOSTS_BEGIN, _hostsfile.HOSTS_END
hosts_file, render_hosts = _hostsfile.hosts_file, _hostsfile.render_hosts
# The areas' compare functions and helpers live in their area modules (plugins/plugin_utils/_areas); their names
# stay importable from here for existing callers.
network, routes, identity, certificates = _network.network, _routes.routes, _identity.identity, _certificates.certificates
resolve_adapter, split_deferred, AFTER_EDGE_NETWORK = _network.resolve_adapter, _network.split_deferred, \
    _network.AFTER_EDGE_NETWORK
_stores, _store_text = _network._stores, _network._store_text  # pylint: disable=protected-access
TCPIP_PARAMETERS = _identity.TCPIP_PARAMETERS
cs = _cs  # existing callers read drift.cs

# Each area's compare function, by name (the registry's records call them: _registry.BY_NAME[area].compare).
AREA_FUNCTIONS = {area.name: area.function for area in _registry.REGISTRY}


# ----------------------------------------------------------------------------------- lockout guard
def guard(desired, current, results, ansible_host=None, port=None, host_addresses=None, resolve_error=None):
    """The lockout guard: :func:`guard.guard`."""
    return _guard.guard(desired, current, results, ansible_host=ansible_host, port=port,
                        host_addresses=host_addresses, resolve_error=resolve_error)


# ----------------------------------------------------------------------------------- whole host
def host_drift(desired, current, ansible_host=None, areas=AREAS, options=None, port=None, host_addresses=None,
               resolve_error=None, now=None):
    """Every area's result plus the lockout guard, for one host.

    :param options: for the CS areas: ``config_refresh`` and ``frontend`` (see :func:`cs.cs_install`).
    :param port: the local port the controller connects to (:func:`guard.connection_port`; None: unknown).
    :param host_addresses: the IPv4 addresses ``ansible_host`` resolves to on the controller
        (:func:`guard.resolve_ipv4`); None: ``ansible_host`` when it is an IPv4 address.
    """
    results = {}
    now = expiry.utcnow(now) if set(_registry.TIMED) & set(areas) else None  # the areas that judge expiry
    for area in areas:
        results[area] = _registry.get(area).compare(desired, current, options, now)
    if set(_registry.GUARDED) & set(results):
        verdict = guard(desired, current, results, ansible_host=ansible_host, port=port,
                        host_addresses=host_addresses, resolve_error=resolve_error)
    else:
        verdict = {"blocked": [], "new_address": None, "connection": None}
    return results, verdict


def report(desired, current, ansible_host=None, source=None, options=None, port=None, host_addresses=None,
           resolve_error=None, areas=REPORT_AREAS, now=None):
    """The drift report of one host (written as ``<plan dir>/<pool>/drift/<host>.json``); ``areas``: the
    areas it covers (all of them by default); ``now``: the time certificate expiry is judged at (None:
    the current UTC time, see :func:`expiry.utcnow`)."""
    areas = tuple(a for a in REPORT_AREAS if a in areas)
    results, verdict = host_drift(desired, current, ansible_host=ansible_host, areas=areas, options=options,
                                  port=port, host_addresses=host_addresses, resolve_error=resolve_error, now=now)
    changes = {a: results[a]["changes"] for a in areas}
    problems = [p for a in areas for p in results[a]["problems"]]
    return {
        "format": REPORT_FORMAT,
        "host": desired["host"],
        "pool": desired["pool"],
        "source": source,
        "in_sync": not any(changes.values()) and not problems,
        "summary": {a: len(changes[a]) for a in areas},
        "changes": changes,
        "problems": problems,
        "blocked": verdict["blocked"],
        "notes": [n for a in areas for n in results[a]["notes"]],
        "remote_calls": {a: [c["module"] for c in results[a]["calls"]] for a in areas},
        # Certificate expiry: not drift (in_sync and summary leave it out), reported beside it.
        "expiry": [e for a in areas for e in results[a].get("expiry", ())],
        "findings": sorted((f for a in areas for f in results[a].get("findings", ())),
                           key=lambda f: (f["severity"] != "error", f["area"], f["target"])),
    }


def _value(value):
    if value is None:
        return "-"
    if isinstance(value, list):
        return "[%s]" % ", ".join(str(v) for v in value)
    return str(value)


def certificate_due(rep):
    """``(expired, expiring)``: the certificate findings of a drift report (installed planned certificates and
    certificates assigned to a Lync use) that have expired, and those inside the warning window."""
    found = rep.get("findings") or ()
    return ([f for f in found if f.get("id") == expiry.IDS["expired"]],
            [f for f in found if f.get("id") == expiry.IDS["warning"]])


def due_text(rep):
    """'2 certificate(s) expired' / '1 certificate(s) expiring' / both, or '' when none is due."""
    expired, expiring = certificate_due(rep)
    words = []
    if expired:
        words.append("%d certificate(s) expired" % len(expired))
    if expiring:
        words.append("%d certificate(s) expiring" % len(expiring))
    return ", ".join(words)


def fix_text(rep):
    """How to fix what a drift report found, per area: 'routes, network: run playbooks/site.yml ...;
    cs_replication: run playbooks/validate.yml -e sfb_edge_replication_invoke=true ...'; inventory problems
    first (no playbook fixes those)."""
    parts = []
    if rep.get("problems"):
        parts.append("fix the inventory or the host as each FIX line says (%s)" % ", ".join(
            sorted({p["variable"] for p in rep["problems"]})))
    by_fix = {}
    for area, count in rep["summary"].items():
        if count:
            by_fix.setdefault(FIXES.get(area, SITE_FIX), []).append(area)
    parts += ["%s: run %s" % (", ".join(areas), fix) for fix, areas in by_fix.items()]
    return "; ".join(parts)


def format_report(rep, now=None):
    """Readable lines of a drift report (certificate days left counted at ``now``; None: the current time)."""
    total = sum(rep["summary"].values())
    areas = ", ".join("%s %d" % (a, n) for a, n in rep["summary"].items() if n)
    head = "%s (%s): %s" % (rep["host"], rep["pool"], "in sync" if rep["in_sync"] else
                            "%d change(s)%s, %d problem(s)" % (total, " (%s)" % areas if areas else "",
                                                               len(rep["problems"])))
    due = due_text(rep)
    if due:
        head += ("; but " if rep["in_sync"] else "; ") + due
    lines = [head]
    for area in rep["changes"]:
        for c in rep["changes"][area]:
            if c["property"] in ("route", "certificate"):
                text = c["after"] if c["after"] is not None else c["before"]
                text = "%s %s" % (c["target"], text) if c["property"] == "certificate" else text
            else:
                what = c["target"] if c["property"] == "entry" else "%s %s" % (c["target"], c["property"])
                text = "%s: %s -> %s" % (what, _value(c["before"]), _value(c["after"]))
            lines.append("  %-15s %-6s %s" % (area, c["action"], text))
    for p in rep["problems"]:
        lines.append("  %-15s %-6s %s: %s" % (p["area"], "FIX", p["variable"], p["message"]))
    for b in rep["blocked"]:
        lines.append("  %-15s %-6s %s %s: %s" % (b["area"], "GUARD", b["target"], b["property"], b["reason"]))
    for f in rep.get("findings", ()):
        level = "ERROR" if f["severity"] == "error" else "WARN"
        lines.append("  %-15s %-6s [%s] %s" % (f["area"], level, f["id"], f["message"]))
    for n in rep["notes"]:
        lines.append("  note: %s" % n)
    lines += expiry_lines(rep.get("expiry", ()), now)
    return lines


def expiry_lines(entries, now=None):
    """'  expiry: My\\<thumbprint> CN=... expires <date> (<n> days)' per installed or assigned certificate,
    the days counted at ``now`` (None: the current time)."""
    if not entries:
        return []
    now = expiry.utcnow(now)
    lines = []
    for e in entries:
        info = expiry.status(e["not_after"], now, e["warn_days"])
        lines.append("  expiry: %s %s %s" % (e["target"], e["subject"], expiry.when_text(e["not_after"], info, now)))
    return lines


def active_areas(desired, current, ansible_host=None, options=None, port=None, host_addresses=None,
                 resolve_error=None):
    """The areas of :data:`AREAS` whose ``sfb.edge.edge_apply`` task has something to do on this host - a
    change, a problem, a note or a call - in the order site.yml applies them; ``identity`` also when Windows
    waits for a reboot (the identity role may reboot it).  A converged host gives ``[]``: site.yml runs none
    of the area roles for it.  The same results the edge_apply tasks compute (:func:`host_drift`)."""
    results, _verdict = host_drift(desired, current, ansible_host=ansible_host, areas=AREAS, options=options,
                                   port=port, host_addresses=host_addresses, resolve_error=resolve_error)
    pending = bool((current.get("computer") or {}).get("pending_reboot"))
    return [area for area in AREAS
            if any(results[area].get(key) for key in ("changes", "problems", "notes", "calls", "blocked"))
            or (area == "identity" and pending)]
