# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""When and how a report written on the controller was made, and where a what-if report goes.

Every drift, validation and firewall proof report carries ``made: {at, mode}``: ``at`` the UTC time it was
made (``2027-03-01T12:00:00Z``; :func:`expiry.utcnow`, so ``SFB_EDGE_NOW`` pins it), ``mode`` one of

* ``live``: the state was read from the host;
* ``check``: read from the host in a check run (``--check``: nothing was applied);
* ``snapshot``: read from snapshot files (``sfb_edge_facts_from``), the host was not contacted.

A report that does not tell the live state of the hosts - one made from snapshots, and a firewall proof that
tested nothing (check mode) - is a *what-if*: it goes to ``<plan dir>/<pool>/what-if/`` (the same layout:
``drift/``, ``validate/``, ``firewall-proof/``, ``report.html``), so that it never overwrites the pages of a
live run, and its report.html says so in a banner (docs/html-report.md).
"""

from __future__ import annotations

import os

from ansible_collections.sfb.edge.plugins.plugin_utils import _expiry as expiry

MODES = ("live", "check", "snapshot")
# The folder of the what-if reports inside a pool's folder.
WHAT_IF = "what-if"


def mode(snapshot, check_mode):
    """``snapshot`` (a snapshot was read, whatever the check mode), else ``check`` or ``live``."""
    if snapshot:
        return "snapshot"
    return "check" if check_mode else "live"


def made(report_mode, now=None):
    """``{at, mode}`` of a report made now (``now``: None, the clock or ``SFB_EDGE_NOW``).

    :raises ValueError: ``SFB_EDGE_NOW`` is not a date and time (the message names it and the fix)."""
    if report_mode not in MODES:
        raise ValueError("a report's mode is one of %s, not %r" % (", ".join(MODES), report_mode))
    return {"at": expiry.iso(expiry.utcnow(now)), "mode": report_mode}


def is_what_if(report_mode, tests_nothing=False):
    """True when a report of this mode goes to the what-if folder: made from snapshots, or (``tests_nothing``:
    the firewall proof) in check mode too."""
    return report_mode == "snapshot" or (tests_nothing and report_mode == "check")


def pool_folder(report_dir_pool, what_if):
    """The folder the reports of a pool go to: ``<plan dir>/<pool>`` or ``<plan dir>/<pool>/what-if``."""
    return os.path.join(report_dir_pool, WHAT_IF) if what_if else report_dir_pool


def line(stamp, source=None):
    """The line a Markdown report ends with: ``Made 2027-03-01T12:00:00Z, live (source).``"""
    return "Made %s, %s%s." % (stamp["at"], stamp["mode"], " (%s)" % source if source and source != stamp["mode"] else "")
