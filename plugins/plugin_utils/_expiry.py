# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Certificate expiry: one rule for the plan, validation, drift and the validation reports.

A certificate is, at the instant ``now`` (UTC), with ``left = not_after - now``:

``expired``  ``left <= 0``: it expired at ``not_after`` (at exactly ``now`` it is already expired);
``warning``  ``0 < left <= warn_days`` days (exactly ``warn_days`` days left is a warning; 0 turns
             warnings off);
``ok``       ``left > warn_days`` days;
``unknown``  no expiry date (no certificate file in the inventory, or none gathered).

``days_left`` is the number of whole days left, rounded down (``floor(left / 1 day)``): 0 in the
last day, negative once expired (-1 in the first day after).

"now" is always a parameter: None means the current UTC time, read once per call, or the instant
in the environment variable ``SFB_EDGE_NOW`` (ISO 8601, e.g. ``2027-03-01T12:00:00Z``) when it is
set, so that playbook-level tests and "what expires by then?" previews pin the clock.  No date is
ever fixed in the code.
"""

from __future__ import annotations

import datetime
import os
import re

from ansible_collections.sfb.edge.plugins.plugin_utils._excerpt import excerpt as _x

UTC = datetime.timezone.utc
STATUSES = ("ok", "warning", "expired", "unknown")
DEFAULT_WARN_DAYS = 30
NOW_ENV = "SFB_EDGE_NOW"
REQUEST_PLAYBOOK = "sfb.edge.certificate_request"
# Finding ids (docs/findings.md), by status
IDS = {"warning": "certificate_expiring", "expired": "certificate_expired"}
SEVERITY = {"warning": "warning", "expired": "error"}

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?"
                  r"\s*(Z|[+-]\d{2}:?\d{2})?\Z", re.IGNORECASE | re.ASCII)
_MAX_DAYS = datetime.timedelta.max.days


class ExpiryError(ValueError):
    """A date or time that cannot be read; the message says which value and what is expected."""


def parse(value):
    """An aware UTC ``datetime`` from ``value``: a ``datetime`` (naive counts as UTC) or an ISO 8601
    text (``2036-01-01T00:00:00Z``, as edge_facts gathers it; no zone counts as UTC; a date alone is
    midnight UTC).  None and '' give None.

    :raises ExpiryError: for anything else.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day, tzinfo=UTC)
    match = _ISO.match(value.strip()) if isinstance(value, str) else None
    if not match:
        raise ExpiryError("%s is not an ISO 8601 date and time; expected e.g. 2027-03-01T12:00:00Z" % (_x(value),))
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        stamp = datetime.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                                  int(second or 0), int((fraction or "0").ljust(6, "0")[:6]), tzinfo=UTC)
        if zone and zone.upper() != "Z":
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            offset = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            stamp = stamp - sign * offset
    except (ValueError, OverflowError) as exc:
        raise ExpiryError("%s is not a valid date and time (%s); expected e.g. 2027-03-01T12:00:00Z" % (_x(value), exc)) \
            from None
    return stamp


def utcnow(now=None):
    """``now`` as an aware UTC ``datetime``; None: ``SFB_EDGE_NOW`` when set, else the clock."""
    if now is None:
        pinned = os.environ.get(NOW_ENV)
        if pinned:
            try:
                return parse(pinned)
            except ExpiryError:
                raise ExpiryError("the environment variable %s (%s) is not an ISO 8601 date and time; unset it or "
                                  "set it to a UTC time like 2027-03-01T12:00:00Z" % (NOW_ENV, _x(pinned))) from None
        return datetime.datetime.now(UTC)
    return parse(now)


def iso(stamp):
    """``2027-03-01T12:00:00Z`` (whole seconds, UTC) of a ``datetime``; None stays None."""
    if stamp is None:
        return None
    return parse(stamp).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def status(not_after, now, warn_days=DEFAULT_WARN_DAYS):
    """``{status, days_left, warn_days}`` of a certificate valid until ``not_after`` (a ``datetime``,
    ISO text or None) at ``now`` (a ``datetime``; pass :func:`utcnow` for the current time)."""
    warn_days = int(warn_days)
    end = parse(not_after)
    if end is None:
        return {"status": "unknown", "days_left": None, "warn_days": warn_days}
    left = end - parse(now)
    if left <= datetime.timedelta(0):
        state = "expired"
    elif left <= datetime.timedelta(days=min(max(warn_days, 0), _MAX_DAYS)):
        state = "warning"
    else:
        state = "ok"
    return {"status": state, "days_left": left.days, "warn_days": warn_days}


def _days(count):
    return "%d day%s" % (count, "" if count in (1, -1) else "s")


def when_text(not_after, info, now=None):
    """'expires 2027-03-01T12:00:00Z (12 days)' / 'expired 2026-10-01T00:00:00Z (60 days ago)' /
    'expiry unknown'.  The days ago are whole days since the expiry (``now`` given), else
    ``-days_left``; 'today' in the first day."""
    if info["status"] == "unknown":
        return "expiry unknown"
    if info["status"] == "expired":
        ago = (parse(now) - parse(not_after)).days if now is not None else -info["days_left"]
        return "expired %s (%s)" % (iso(not_after), "today" if ago <= 0 else _days(ago) + " ago")
    return "expires %s (%s)" % (iso(not_after), _days(info["days_left"]))


def fix_text(kind=None):
    """How to fix an expiring or expired certificate."""
    if kind in ("internal", "external"):
        how = ("request a new %s certificate with the plan's names (playbook %s writes the request) or renew it "
               "with the issuing CA, then point sfb_edge_certificates.%s at the new PFX and run site.yml"
               % (kind, REQUEST_PLAYBOOK, kind))
    else:
        how = ("renew it with the issuing CA (for the edge certificates: playbook %s writes the request with the "
               "plan's names), put the new file in sfb_edge_certificates and run site.yml" % REQUEST_PLAYBOOK)
    return how


def describe(info, not_after, what, kind=None, now=None):
    """The message of a finding: which certificate, its date, the days left and the fix."""
    text = "%s %s" % (what, when_text(not_after, info, now))
    if info["status"] == "warning":
        text += ", within the %d-day warning window (sfb_edge_certificate_warn_days)" % info["warn_days"]
    return "%s; %s" % (text, fix_text(kind))


def finding(info, not_after, what, kind=None, now=None, **extra):
    """A finding ``{id, severity, status, not_after, days_left, warn_days, message, ...extra}`` for a
    certificate that expires within the window or has expired; None when it is ok or unknown."""
    if info["status"] not in IDS:
        return None
    item = {"id": IDS[info["status"]], "severity": SEVERITY[info["status"]]}
    item.update(extra)
    item.update({"status": info["status"], "not_after": iso(not_after), "days_left": info["days_left"],
                 "warn_days": info["warn_days"], "message": describe(info, not_after, what, kind, now)})
    return item
