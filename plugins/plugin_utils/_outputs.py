# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Report files written on the controller (plan, drift and validation reports).

A report is an output of a run, not a change of a host: sfb.edge.report_files writes them here, each
atomically (a temporary file in the same directory, then a rename), and never reports a change.
A file whose content is already the same is left alone (its time stamp too).
"""

from __future__ import annotations

import os

from ansible_collections.sfb.edge.plugins.plugin_utils import _files


class OutputError(Exception):
    """A report file could not be written; the message names the file and the reason."""


def write_file(path, content, mode=0o644, base=None, sources=()):
    """Write ``content`` (str, UTF-8) to ``path`` atomically; return True when the file was (re)written.

    ``content`` may also be an iterator of str chunks (a large export such as firewall.csv): the
    chunks are streamed into the temporary file, which replaces the old file only when it differs.

    ``base`` is the folder the user named (default: the file's own folder): resolved once (it may be a
    symbolic link), refused inside an inventory source directory of ``sources``
    (``ansible_inventory_sources``), created when missing. The folders below it are created one at a time
    (0755) and each is checked (_files.open_folder: not a link, yours or root's, not writable by others); a
    file that is a link, FIFO or device is refused, never followed. Raises OutputError naming the path on
    failure; a failure leaves the old file, if any, untouched and no temporary file behind.
    """
    if not isinstance(path, str) or not path:
        raise OutputError("a report file needs a path (got %r)" % (path,))
    streamed = not isinstance(content, str) and hasattr(content, "__next__")
    if not isinstance(content, str) and not streamed:
        raise OutputError("%s: the content must be text, not %s" % (path, type(content).__name__))
    path = os.path.abspath(path)
    try:
        if base is None:
            base, parts = os.path.dirname(path), [os.path.basename(path)]
        else:
            parts = _files.below(base, path)
        return _write(_files.output_dir(base, sources), parts, path, content, streamed, mode)
    except _files.FilesError as exc:
        raise OutputError(str(exc)) from None


def _write(real_base, parts, path, content, streamed, mode):
    data = (chunk.encode("utf-8") for chunk in content) if streamed else content.encode("utf-8")
    try:
        folder = _files.open_folder(real_base, parts[:-1])
        try:
            return _files.write_at(folder, parts[-1], data, mode, path)
        finally:
            os.close(folder)
    except OSError as exc:
        raise OutputError("could not write %s: %s" % (path, exc.strerror or exc)) from None


def write_files(files, mode=0o644, base=None, sources=()):
    """Write every ``{path, content}`` of ``files`` (each inside ``base``, see :func:`write_file`); return
    ``(written, unchanged)`` lists of absolute paths."""
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
        (written if write_file(path, item["content"], mode, base, sources) else unchanged).append(path)
    return written, unchanged
