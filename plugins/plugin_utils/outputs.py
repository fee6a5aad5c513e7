# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Report files written on the controller (plan, drift and validation reports).

A report is an output of a run, not a change of a host: sfb.edge.report_files writes them here, each
atomically (a temporary file in the same directory, then a rename), and never reports a change.
A file whose content is already the same is left alone (its time stamp too).
"""

from __future__ import annotations

import filecmp
import os
import tempfile


class OutputError(Exception):
    """A report file could not be written; the message names the file and the reason."""


def _same(path, data):
    try:
        with open(path, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False


def write_file(path, content, mode=0o644):
    """Write ``content`` (str, UTF-8) to ``path`` atomically; return True when the file was (re)written.

    ``content`` may also be an iterator of str chunks (a large export such as firewall.csv): the
    chunks are streamed into the temporary file, which replaces the old file only when it differs.
    Creates the missing parent directories (0755). Raises OutputError naming the path on failure; a
    failure leaves the old file, if any, untouched and no temporary file behind.
    """
    if not isinstance(path, str) or not path:
        raise OutputError("a report file needs a path (got %r)" % (path,))
    streamed = not isinstance(content, str) and hasattr(content, "__next__")
    if not isinstance(content, str) and not streamed:
        raise OutputError("%s: the content must be text, not %s" % (path, type(content).__name__))
    path = os.path.abspath(path)
    data = None if streamed else content.encode("utf-8")
    if os.path.isdir(path):
        raise OutputError("%s is a directory; give the path of a file" % path)
    if not streamed and _same(path, data):
        if (os.stat(path).st_mode & 0o7777) != mode:
            os.chmod(path, mode)
        return False
    directory = os.path.dirname(path)
    tmp = None
    try:
        os.makedirs(directory, mode=0o755, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), suffix=".tmp", dir=directory)
        with os.fdopen(fd, "wb") as handle:
            if streamed:
                for chunk in content:
                    handle.write(chunk.encode("utf-8"))
            else:
                handle.write(data)
            handle.flush()
            if streamed and os.path.isfile(path) and filecmp.cmp(tmp, path, shallow=False):
                if (os.stat(path).st_mode & 0o7777) != mode:
                    os.chmod(path, mode)
                return False
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise OutputError("could not write %s: %s" % (path, exc.strerror or exc)) from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return True


def write_files(files, mode=0o644):
    """Write every ``{path, content}`` of ``files``; return ``(written, unchanged)`` lists of absolute paths."""
    written, unchanged = [], []
    seen = set()
    for number, item in enumerate(files):
        if not isinstance(item, dict) or set(item) != {"path", "content"}:
            raise OutputError("files[%d]: give exactly path and content (got %s)"
                              % (number, sorted(item) if isinstance(item, dict) else type(item).__name__))
        path = os.path.abspath(item["path"]) if isinstance(item["path"], str) and item["path"] else item["path"]
        if path in seen:
            raise OutputError("files[%d]: %s is given twice" % (number, path))
        seen.add(path)
        (written if write_file(path, item["content"], mode) else unchanged).append(path)
    return written, unchanged
