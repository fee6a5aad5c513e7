# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A bytecode cache for the collection's controller code, used while ``sfb.edge.preload`` imports it.

Ansible's collection loader compiles a collection's Python source at every import and keeps no
bytecode: importing this collection's filters and plugin_utils costs ~70 ms of compiling in every
``ansible-playbook`` run (docs/performance.md). Python's own cache (``__pycache__`` beside the
sources) is not an option: ``ansible-galaxy collection verify`` reports a directory the collection's
FILES.json does not list as a modification. So this module keeps the compiled code elsewhere:

* **where**: ``$SFB_EDGE_CODE_CACHE``, else ``${XDG_CACHE_HOME:-~/.cache}/sfb.edge/code``. An empty
  ``SFB_EDGE_CODE_CACHE`` turns the cache off; the code is then compiled as Ansible does.
  (``PYTHONDONTWRITEBYTECODE`` is about ``__pycache__`` beside the sources, which this never writes.)
* **keyed by content**: a file is named by the SHA-256 of the Python bytecode magic number, the
  source's path and the source's bytes, so an edited, moved or upgraded source (or another Python)
  never gets another's code - nothing goes stale, nothing is trusted by time.
* **fails safe**: a directory that is not the user's own or that others can write to is not used; an
  unreadable or corrupt entry is compiled again and replaced (written to a temporary file, then
  renamed); no error of the cache ever stops an import.
* **bounded**: an entry used is touched at most once a day; when an entry is written, those not used for
  :data:`MAX_AGE_DAYS` days (the code of an older release or of an edited source) are removed.

Only while :func:`cached_imports` is active, and only for plain modules (not packages) of
``ansible_collections.sfb.edge.plugins``: the finder asks the other finders (Ansible's collection
finder) for the module's file and loads that file with :class:`CachedLoader`. The modules are the
same as Ansible would import (same names, same files); only their code object comes from the cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import marshal
import os
import stat
import sys
import tempfile
import time

PACKAGE = "ansible_collections.sfb.edge.plugins."
ENV = "SFB_EDGE_CODE_CACHE"
MAX_AGE_DAYS = 30
_DAY = 86400


def cache_directory(environ=None):
    """The cache directory (see the module's docstring), or None when the cache is off."""
    environ = os.environ if environ is None else environ
    if ENV in environ:
        return environ[ENV] or None
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "sfb.edge", "code")


def usable_directory(path):
    """Create ``path`` (0700) if it is missing; True when it is a directory of this user that nobody else can
    write to (another user's entries would be code run by this one)."""
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        info = os.stat(path)
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode):
        return False
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return False
    return not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def key(path, source):
    """The entry's name: SHA-256 of the bytecode magic number, the path and the source."""
    digest = hashlib.sha256(b"sfb.edge code cache 1\0")
    digest.update(importlib.util.MAGIC_NUMBER)
    digest.update(os.fsencode(path) + b"\0")
    digest.update(source)
    return digest.hexdigest()


def compiled(path, source, directory):
    """The code object of ``source`` (the bytes of the file ``path``): from the cache entry when there is a
    readable one, else compiled (as Ansible's loader compiles it) and stored."""
    entry = os.path.join(directory, key(path, source) + ".code") if directory else None
    if entry is not None:
        try:
            with open(entry, "rb") as handle:
                code = marshal.loads(handle.read())
                if time.time() - os.fstat(handle.fileno()).st_mtime > _DAY:
                    os.utime(entry)  # in use: not pruned
            return code
        except (OSError, ValueError, EOFError, TypeError):
            pass  # missing or corrupt: compiled again below, and replaced
    code = compile(source, path, "exec", dont_inherit=True)
    if entry is not None:
        _store(entry, code)
        prune(directory)
    return code


def prune(directory, now=None, max_age_days=MAX_AGE_DAYS):
    """Remove the entries of ``directory`` not used for ``max_age_days`` days; the names removed."""
    limit = (time.time() if now is None else now) - max_age_days * _DAY
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        if not (name.endswith(".code") or name.endswith(".tmp")):
            continue
        path = os.path.join(directory, name)
        with contextlib.suppress(OSError):
            if os.stat(path).st_mtime < limit:
                os.unlink(path)
                removed.append(name)
    return removed


def _store(entry, code):
    try:
        descriptor, temporary = tempfile.mkstemp(dir=os.path.dirname(entry), suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(marshal.dumps(code))
        os.replace(temporary, entry)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


class CachedLoader(importlib.machinery.SourceFileLoader):
    """Python's source loader for one of the collection's files, with the code from :func:`compiled`."""

    directory = None

    def get_code(self, fullname):
        path = self.get_filename(fullname)
        return compiled(path, self.get_data(path), self.directory)


class CachedFinder(importlib.abc.MetaPathFinder):
    """Serves the collection's plain modules with :class:`CachedLoader` (see the module's docstring)."""

    def __init__(self, directory):
        self.directory = directory

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith(PACKAGE):
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is None:
                continue
            origin = spec.origin or ""
            if spec.submodule_search_locations is not None or not origin.endswith(".py") or not os.path.isfile(origin):
                return spec  # a package or not a source file: Ansible's own loader
            loader = CachedLoader(fullname, origin)
            loader.directory = self.directory
            return importlib.util.spec_from_file_location(fullname, origin, loader=loader)
        return None


@contextlib.contextmanager
def cached_imports(environ=None):
    """While active, the collection's modules imported for the first time take their code from the cache;
    yields the cache directory (None: off, nothing changes)."""
    directory = cache_directory(environ)
    if directory is None or not usable_directory(directory):
        yield None
        return
    finder = CachedFinder(directory)
    sys.meta_path.insert(0, finder)
    try:
        yield directory
    finally:
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(finder)
