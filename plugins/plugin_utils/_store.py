# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller's store of large per-host data for one run: content-addressed files.

Ansible copies and templates a host's facts and a task's arguments for every task of every host;
with ansible-core 2.19's data tagging that is what a large desired or gathered state costs (seconds
per task at 12 servers x 2,000 networks), not computing it.  So the playbooks keep a desired state
(:mod:`desired`), a gathered state (:mod:`state`) and the plans of the pools (:mod:`plan`) here, once, and pass a small *handle* around:
``{"sfb_edge_store": 1, "kind": "desired" | "state" | "plan", "digest": <sha256 of the content>, ...}`` plus a
small summary (host, pool, ``cs``).  The filters and actions that need the data read it back with
:func:`resolve`.

Safe by construction:

* the file is named by the SHA-256 of its content, and reading checks that digest: a handle can
  only ever give the data it was made from - never a stale or changed copy (keyed by content, not
  by time);
* a missing, unreadable, malformed or changed file fails closed with :class:`StoreError`, naming
  the file, the host and what to do;
* the directory is private (0700) and lives in the run's temporary directory (Ansible's
  ``DEFAULT_LOCAL_TMP``, removed when ``ansible-playbook`` exits), so nothing accumulates; forked
  workers share it.

Plain data in, plain data out (the directory is a parameter); no secret is ever stored (a desired
or gathered state holds none).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile

from ansible_collections.sfb.edge.plugins.plugin_utils._excerpt import excerpt

MARK = "sfb_edge_store"
VERSION = 1
KINDS = ("desired", "state", "plan")
SUBDIR = "sfb_edge_store"


class StoreError(ValueError):
    """The stored data cannot be used; the message says which file, why, and what to do."""


def encode(data):
    """The bytes of ``data`` (JSON, no spaces). Keys keep their order - reading back gives the mappings in the
    order they were stored (reports and calls follow the order of the states) - so the same data built the
    same way gives the same bytes.

    :raises StoreError: a string (or key) of ``data`` holds a lone UTF-16 surrogate: it is no text and has no
        UTF-8 bytes; the message names its field."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise StoreError(_surrogate_problem(data)) from None


def _surrogate_problem(data):
    from ansible_collections.sfb.edge.plugins.plugin_utils import _state as state  # pylint: disable=import-outside-toplevel

    for path, item in state.walk(data):
        texts = [item] if isinstance(item, str) else [k for k in item if isinstance(k, str)] if isinstance(item, dict) else []
        for text in texts:
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                return ("%s: %s holds a lone UTF-16 surrogate (%s), which is not text; nothing was stored. Correct the "
                        "value where it comes from (an inventory variable, a snapshot, the gathered state)"
                        % ("the data" if not path else path, "a key" if text is not item else "the string",
                           excerpt(text)))
    return "the data holds a lone UTF-16 surrogate, which is not text; nothing was stored"


def digest_of(data):
    return hashlib.sha256(encode(data)).hexdigest()


def is_handle(value):
    return isinstance(value, dict) and value.get(MARK) == VERSION


def path_of(directory, digest):
    return os.path.join(directory, "%s.json" % digest)


def put(directory, data, kind, **summary):
    """Store ``data`` (a dict) and return its handle, with ``summary`` (small, plain values) in it.

    Writing is atomic (temporary file + rename); a file that already holds the same content is kept.
    """
    if kind not in KINDS:
        raise ValueError("kind must be one of %s, got %r" % (", ".join(KINDS), kind))
    if not isinstance(data, dict):
        raise StoreError("only a mapping can be stored, got %s" % type(data).__name__)
    raw = encode(data)
    digest = hashlib.sha256(raw).hexdigest()
    os.makedirs(directory, mode=0o700, exist_ok=True)
    path = path_of(directory, digest)
    if not _holds(path, digest):
        fd, tmp = tempfile.mkstemp(prefix=".%s." % digest[:16], dir=directory)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(raw)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    handle = dict(summary)
    handle.update({MARK: VERSION, "kind": kind, "digest": digest})
    return handle


def _holds(path, digest):
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest() == digest
    except OSError:
        return False


def get(directory, handle, where="the stored data"):
    """The data a handle was made from.

    :raises StoreError: the handle is malformed, or its file is missing, unreadable or does not hold
        exactly the content the handle's digest names (fails closed: never other data).
    """
    if not is_handle(handle):
        raise StoreError("%s: not a handle of the controller's store (%s: %s)" % (where, MARK, _short(handle)))
    digest = handle.get("digest")
    if not isinstance(digest, str) or len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
        raise StoreError("%s: the handle's digest %s is not a SHA-256 hex digest" % (where, _short(digest)))
    path = path_of(directory, digest)
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise StoreError("%s: %s cannot be read (%s). The controller's store lives for one ansible-playbook run: "
                         "a handle from another run, or a cleaned temporary directory, cannot be used - run the "
                         "playbook again (it computes and stores the data in its first tasks)"
                         % (where, path, exc.strerror or exc)) from None
    if hashlib.sha256(raw).hexdigest() != digest:
        raise StoreError("%s: %s does not hold the content of its handle (the file was changed or corrupted); "
                         "nothing was used. Run the playbook again" % (where, path))
    try:
        data = json.loads(raw.decode("utf-8"))
    except ValueError as exc:
        raise StoreError("%s: %s is not JSON (%s); run the playbook again" % (where, path, exc)) from None
    if not isinstance(data, dict):
        raise StoreError("%s: %s does not hold a mapping; run the playbook again" % (where, path))
    return data


def resolve(directory, value, where="the stored data"):
    """``value`` itself, or the data it is a handle of."""
    return get(directory, value, where) if is_handle(value) else value


def _short(value):
    return excerpt(value, limit=80)


# ----------------------------------------------------------------------------------- in a run
def run_directory():
    """The store of this ansible-playbook run: a private directory in Ansible's per-run temporary
    directory (``DEFAULT_LOCAL_TMP``: created by the main process before any worker forks, removed
    when it exits), so every task of the run - each in its own forked worker - sees the same store."""
    from ansible import constants as C  # pylint: disable=import-outside-toplevel

    return os.path.join(C.DEFAULT_LOCAL_TMP, SUBDIR)


def load(value, where="the stored data", directory=None):
    """``value``, or the data of the handle ``value`` (only its area's sections when the handle names a
    ``part``: what :func:`areas.split` gives for that area)."""
    if not is_handle(value):
        return value
    data = get(directory or run_directory(), value, where)
    area = value.get("part")
    if area:
        from ansible_collections.sfb.edge.plugins.plugin_utils import _parts as areas  # pylint: disable=import-outside-toplevel

        if area not in areas.KEYS:
            raise StoreError("%s: the handle names the part %r, not an area (%s)" % (where, area, ", ".join(areas.KEYS)))
        want, have = areas.keys(area)
        data = areas.part(data, want if value["kind"] == "desired" else have)
    return data


class CheckedState(dict):
    """A whole gathered state checked (docs/state-format.md) by the task that read it and kept in that task's
    memory: what a handle with ``checked: true`` stands for, without the store's round trip (the host actions
    that pass the state on to no later task). Plain JSON data; anything that copies it (Ansible, :func:`plain`)
    gives a plain dict again, which is checked again where it is used."""


def checked(value):
    """True when ``value`` is a :class:`CheckedState`, or a handle of a gathered state that was checked
    (docs/state-format.md) when it was stored: reading it back gives exactly that checked content, so it need
    not be checked again."""
    if isinstance(value, CheckedState):
        return True
    return is_handle(value) and value.get("kind") == "state" and value.get("checked") is True


def load_states(desired, current, plain):
    """``(desired, current, checked)`` for the filters: both states as plain data (``plain`` drops Ansible's
    wrapper types of data that is not a handle), read back from the store where they are handles;
    ``checked``: the gathered state is a whole one that was checked when it was read or stored."""
    if isinstance(current, CheckedState):
        was_checked = True
    else:
        was_checked = checked(current) and not current.get("part")
        current = load(current, where="the gathered state") if is_handle(current) else plain(current)
    desired = load(desired, where="the desired state") if is_handle(desired) else plain(desired)
    return desired, current, was_checked
