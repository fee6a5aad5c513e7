# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The gathered state of an edge server (docs/state-format.md): loading snapshots and checking
that a state dict has the shape the diff engine relies on."""

from __future__ import annotations

import json
import os

STATE_FORMAT = 1

_SECTIONS = {
    "computer": dict,
    "adapters": list,
    "routes": list,
    "hosts_file": dict,
    "certificates": dict,
}


class StateError(ValueError):
    """A state (or snapshot file) is not in the documented format."""


def check(state, where="state"):
    """Return ``state`` when it has the documented shape; raise :class:`StateError` naming the key."""
    if not isinstance(state, dict):
        raise StateError("%s is a %s, not a mapping (see docs/state-format.md)" % (where, type(state).__name__))
    if state.get("format") != STATE_FORMAT:
        raise StateError("%s has format %r; this collection reads format %d (docs/state-format.md)"
                         % (where, state.get("format"), STATE_FORMAT))
    for key, kind in _SECTIONS.items():
        if not isinstance(state.get(key), kind):
            raise StateError("%s: '%s' is missing or not a %s (docs/state-format.md)"
                             % (where, key, "list" if kind is list else "mapping"))
    for i, adapter in enumerate(state["adapters"]):
        if not isinstance(adapter, dict) or not isinstance(adapter.get("name"), str):
            raise StateError("%s: adapters[%d] has no 'name'" % (where, i))
        for key in ("addresses", "gateways", "dns_servers"):
            if not isinstance(adapter.get(key, []), list):
                raise StateError("%s: adapters[%d].%s is not a list" % (where, i, key))
    if not isinstance(state["hosts_file"].get("content", ""), str):
        raise StateError("%s: hosts_file.content is not text" % where)
    return state


def snapshot_path(directory, host):
    return os.path.join(directory, "%s.json" % host)


def load_snapshot(directory, host):
    """Read ``<directory>/<host>.json`` and check it.

    :raises StateError: naming the file and what is wrong with it.
    """
    path = snapshot_path(directory, host)
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise StateError("no snapshot for %s: %s does not exist; run playbooks/capture.yml with "
                         "sfb_edge_capture_dir=%s, or unset sfb_edge_facts_from" % (host, path, directory)) from None
    except (OSError, ValueError) as exc:
        raise StateError("cannot read the snapshot %s: %s" % (path, exc)) from None
    return check(data, where=path)
