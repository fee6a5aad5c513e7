# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller's file-system safety: the one place where names become paths, folders are created and
files are read or written (docs/security.md, "Files and folders").

- A name that becomes a file name (a host, a pool) is checked by :func:`check_name`; :func:`child` builds
  ``<folder>/<name><suffix>`` and refuses a path that resolves outside the folder.
- A folder the user names (the plan directory, ``sfb_edge_facts_from``, ``sfb_edge_capture_dir``) is trusted
  as it is: it may be a symbolic link, resolved once (:func:`output_dir`). A folder the user names to write
  into is refused inside an inventory source directory.
- Below such a folder, every folder the collection creates or enters to write (:func:`open_folder`) is not a
  symbolic link, is owned by the running user or root, and is not writable by group or others unless sticky.
  Folders are created one at a time (0755), each opened with ``O_NOFOLLOW`` relative to its parent.
- A file is written through a temporary file and a rename in that folder (:func:`write_at`); an existing file
  that is a symbolic link, a FIFO or a device is refused, never followed, and a mode is only ever set on an
  open descriptor (never through a path).
- A file the collection reads from a folder (a snapshot, a CSR or issued certificate, a report) is read by
  :func:`read_regular`: a regular file only (a symbolic link, FIFO or device is refused without blocking),
  at most ``limit`` bytes.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
import unicodedata

# The largest file read back, per kind (documented in docs/security.md). A snapshot of a host with 5,000 routes
# is under 1 MiB (make bench); the bound only keeps a wrong file (a device, a log) from filling the controller's memory.
SNAPSHOT_LIMIT = 64 * 1024 * 1024
REPORT_LIMIT = 64 * 1024 * 1024  # plan.json and the drift/validation reports read back for report.html
CERTIFICATE_LIMIT = 1024 * 1024  # a CSR or an issued certificate (a few KiB)
NAME_MAX = 255  # bytes of one file name (Linux, macOS)

_READ_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_CLOEXEC", 0))
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_KINDS = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory"))


class FilesError(Exception):
    """A name, folder or file the collection refuses; the message names it, says why and how to fix it."""


def short(value, limit=80):
    """``value`` for a message: repr (control and format characters escaped), at most ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def shown(name):
    """A name for a message: as it is when it is a printable string of at most 80 characters, else :func:`short`."""
    if isinstance(name, str) and name.isprintable() and len(name) <= 80:
        return name
    return short(name)


def kind_of(mode):
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


# ------------------------------------------------------------------------------------------------ names
def name_problem(name):
    """Why ``name`` cannot be one file name, or None."""
    if not isinstance(name, str) or not name:
        return "is empty or not a string"
    for char in ("/", "\\", "\x00"):
        if char in name:
            return "contains %r" % char
    if name in (".", ".."):
        return "is %r" % name
    if name[0] in ".-":
        return "starts with %r" % name[0]
    for char in name:
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            return "contains the control or format character U+%04X" % ord(char)
    if len(name.encode("utf-8")) > NAME_MAX:
        return "is longer than %d bytes" % NAME_MAX
    return None


def check_name(name, folder=None, what="name"):
    """Refuse ``name`` as a file name (in ``folder``, for the message)."""
    problem = name_problem(name)
    if problem:
        where = " in %s" % folder if folder else ""
        raise FilesError("the %s %s cannot be a file name%s: it %s. A host or pool name that becomes a file name has "
                         "no '/', '\\', control or format characters, is not '.' or '..' and does not start with '.' or "
                         "'-'; rename it in the inventory" % (what, short(name), where, problem))
    return name


def child(folder, name, suffix=""):
    """The path of ``<folder>/<name><suffix>``: ``name`` (and with its suffix) a plain file name whose resolved
    path stays in ``folder``.

    :raises FilesError: naming the name and the folder."""
    check_name(name, folder)
    if suffix:
        check_name(name + suffix, folder)
    path = os.path.join(folder, name + suffix)
    real_folder = os.path.realpath(folder)
    real = os.path.realpath(path)
    if not real.startswith(real_folder.rstrip(os.sep) + os.sep):
        raise FilesError("%s resolves to %s, outside its folder %s: the collection reads and writes only inside it; "
                         "remove the symbolic link %s" % (path, real, real_folder, path))
    return path


# ------------------------------------------------------------------------------------------------ folders
def sources_of(value):
    """``ansible_inventory_sources`` as a list of strings."""
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    return [str(s) for s in value]


def inside_source(path, sources):
    """The real inventory source directory ``path`` is in (or is), else None."""
    real = os.path.realpath(path)
    for source in sources_of(sources):
        if not os.path.isdir(source):
            continue
        top = os.path.realpath(source)
        if real == top or real.startswith(top.rstrip(os.sep) + os.sep):
            return top
    return None


def output_dir(path, sources=()):
    """The real path of a folder the user names to write into (a symbolic link is resolved, once): every writer's
    folder passes here. Refused inside a directory given as an inventory source: Ansible would read every file
    written there (plan.json, drift/*.json, firewall.csv, *.csr) as an inventory file on the next run."""
    if not isinstance(path, str) or not path:
        raise FilesError("a folder to write into is needed (got %s)" % short(path))
    real = os.path.realpath(path)
    top = inside_source(real, sources)
    if top:
        beside = os.path.join(os.path.dirname(top.rstrip(os.sep)), "reports")
        raise FilesError("%s (%s) is inside the inventory source directory %s: Ansible would read the files written "
                         "there as inventory files on the next run. Write to a folder outside it (sfb_edge_plan_dir, "
                         "firewall_proof_dir, sfb_edge_capture_dir), e.g. %s" % (path, real, top, beside))
    return real


def below(base, path):
    """The names of ``path`` below the folder ``base`` (given as the user named it, or resolved), each a plain file
    name; refused outside it."""
    full = os.path.abspath(os.path.join(base, path))
    for prefix in dict.fromkeys((os.path.abspath(base), os.path.realpath(base))):
        prefix = prefix.rstrip(os.sep) + os.sep
        if full.startswith(prefix):
            parts = full[len(prefix):].split(os.sep)
            for part in parts:
                check_name(part, base)
            return parts
    raise FilesError("%s is outside the folder %s it is written to; the collection writes only inside it"
                     % (path, base))


def check_folder(info, where):
    """Refuse a folder (its ``fstat``) another user could change: owned by someone other than the running user
    or root, or writable by group or others without the sticky bit."""
    mine = os.geteuid()
    if info.st_uid not in (mine, 0):
        raise FilesError("%s is owned by uid %d, not by you (uid %d) or root: another user could redirect what the "
                         "collection writes there; remove it or give it to yourself (chown)" % (where, info.st_uid, mine))
    if info.st_mode & 0o022 and not info.st_mode & stat.S_ISVTX:
        raise FilesError("%s is writable by %s (mode %04o): another user could plant a link there; run chmod go-w on "
                         "it" % (where, "group and others" if info.st_mode & 0o022 == 0o022
                                 else "group" if info.st_mode & 0o020 else "others", stat.S_IMODE(info.st_mode)))


def _refuse_entry(name, dir_fd, where, exc):
    try:
        info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except OSError:
        info = None
    if info is not None and not stat.S_ISDIR(info.st_mode):
        return FilesError("%s is %s, not a folder: the collection never writes through one; remove it"
                          % (where, kind_of(info.st_mode)))
    return FilesError("cannot open the folder %s: %s" % (where, exc.strerror or exc))


def open_folder(base, parts, create=True):
    """A descriptor of the folder ``<base>/<parts...>``: ``base`` the real path :func:`output_dir` gave (created with
    its parents when missing); each of ``parts`` created (0755) when missing and ``create``, opened without following
    a link and checked with :func:`check_folder`. The caller closes it.

    :raises FilesError: naming the folder refused."""
    if create:
        try:
            os.makedirs(base, mode=0o755, exist_ok=True)
        except OSError as exc:
            raise FilesError("cannot create the folder %s: %s" % (base, exc.strerror or exc)) from None
    try:
        fd = os.open(base, _DIR_FLAGS)
    except OSError as exc:
        raise FilesError("cannot open the folder %s: %s" % (base, exc.strerror or exc)) from None
    where = base
    try:
        for part in parts:
            check_name(part, where)
            where = os.path.join(where, part)
            if create:
                try:
                    os.mkdir(part, 0o755, dir_fd=fd)
                except FileExistsError:
                    pass
                except OSError as exc:
                    raise FilesError("cannot create the folder %s: %s" % (where, exc.strerror or exc)) from None
            try:
                inner = os.open(part, _DIR_FLAGS | _NOFOLLOW, dir_fd=fd)
            except OSError as exc:
                raise _refuse_entry(part, fd, where, exc) from None
            os.close(fd)
            fd = inner
            check_folder(os.fstat(fd), where)
    except BaseException:
        os.close(fd)
        raise
    return fd


# ------------------------------------------------------------------------------------------------ files
def _read_fd(fd, limit, where):
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise FilesError("%s is %s, not a regular file; put the file itself there" % (where, kind_of(info.st_mode)))
    if info.st_size > limit:
        raise FilesError("%s is larger than %s, the limit for this file; check that it is the right file"
                         % (where, _size(limit)))
    chunks, size = [], 0
    want = info.st_size + 1  # the whole file and one byte more (a file that grew), then 1 MiB at a time
    while size <= limit:
        chunk = os.read(fd, min(limit + 1 - size, want))
        want = 1 << 20
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise FilesError("%s is larger than %s, the limit for this file; check that it is the right file"
                         % (where, _size(limit)))
    return b"".join(chunks)


def _size(limit):
    return "%d MiB" % (limit // (1024 * 1024)) if limit % (1024 * 1024) == 0 else "%d bytes" % limit


def read_regular(path, limit, dir_fd=None):
    """The bytes of the regular file ``path``, at most ``limit``: opened without following a symbolic link and
    without blocking (a FIFO without a writer does not wait), checked on the open descriptor, read bounded.

    :raises FileNotFoundError: it does not exist (the caller says what to do).
    :raises FilesError: a symbolic link, FIFO, device or folder; larger than ``limit``; unreadable."""
    try:
        fd = os.open(path, _READ_FLAGS, dir_fd=dir_fd)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK, errno.ENXIO):
            try:
                info = os.stat(path, dir_fd=dir_fd, follow_symlinks=False)
                raise FilesError("%s is %s, not a regular file: the collection reads files only, never through a link;"
                                 " put the file itself there" % (path, kind_of(info.st_mode))) from None
            except OSError:
                pass
        raise FilesError("cannot read %s: %s" % (path, exc.strerror or exc)) from None
    except (TypeError, ValueError) as exc:  # a NUL byte in the path
        raise FilesError("cannot read %s: %s" % (short(path), exc)) from None
    try:
        return _read_fd(fd, limit, path)
    except OSError as exc:
        raise FilesError("cannot read %s: %s" % (path, exc.strerror or exc)) from None
    finally:
        os.close(fd)


def _same_fds(a, b):
    os.lseek(a, 0, os.SEEK_SET)
    os.lseek(b, 0, os.SEEK_SET)
    while True:
        x, y = os.read(a, 1 << 20), os.read(b, 1 << 20)
        while x and len(y) < len(x):  # a short read on one side
            more = os.read(b, len(x) - len(y))
            if not more:
                break
            y += more
        while y and len(x) < len(y):
            more = os.read(a, len(y) - len(x))
            if not more:
                break
            x += more
        if x != y:
            return False
        if not x:
            return True


def _existing(dir_fd, name, where):
    """A descriptor of the regular file ``name`` in ``dir_fd``, None when there is none; a link, FIFO, device or
    folder refused (never opened through, never blocking)."""
    try:
        fd = os.open(name, _READ_FLAGS, dir_fd=dir_fd)
    except FileNotFoundError:
        return None
    except OSError as exc:
        try:
            info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except OSError:
            raise FilesError("cannot open %s: %s" % (where, exc.strerror or exc)) from None
        raise FilesError("%s is %s: the collection never writes through one; remove it" % (where, kind_of(info.st_mode))) from None
    info = os.fstat(fd)
    if stat.S_ISDIR(info.st_mode):
        os.close(fd)
        raise FilesError("%s is a directory; give the path of a file" % where)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise FilesError("%s is %s: the collection never writes through one; remove it" % (where, kind_of(info.st_mode)))
    return fd


def write_at(dir_fd, name, data, mode, where):
    """Write ``data`` (bytes, or an iterator of bytes chunks) as ``name`` in the folder ``dir_fd`` (``where`` its
    path, for messages): a temporary file, then a rename; True when (re)written. A file that already holds the same
    bytes (and is not linked elsewhere) is left alone, its mode set on its descriptor."""
    existing = _existing(dir_fd, name, where)
    tmp = None
    try:
        if existing is not None:
            info = os.fstat(existing)
            # a file with another hard link is replaced, never changed in place
            alone = info.st_nlink == 1
            if alone and isinstance(data, bytes) and info.st_size == len(data) \
                    and _read_fd(existing, len(data), where) == data:
                if stat.S_IMODE(info.st_mode) != mode:
                    os.fchmod(existing, mode)
                return False
        for _attempt in range(100):
            tmp = ".%s.%s.tmp" % (name[:200], secrets.token_hex(4))
            try:
                out = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0),
                              0o600, dir_fd=dir_fd)
                break
            except FileExistsError:
                tmp = None
        else:
            raise FilesError("cannot create a temporary file in %s" % os.path.dirname(where))
        with os.fdopen(out, "w+b") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                for chunk in data:
                    handle.write(chunk)
            handle.flush()
            if not isinstance(data, bytes) and existing is not None and alone \
                    and os.fstat(existing).st_size == handle.tell() and _same_fds(handle.fileno(), existing):
                if stat.S_IMODE(os.fstat(existing).st_mode) != mode:
                    os.fchmod(existing, mode)
                os.unlink(tmp, dir_fd=dir_fd)
                tmp = None
                return False
            os.fsync(handle.fileno())
            os.fchmod(handle.fileno(), mode)
        os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        tmp = None
        return True
    finally:
        if existing is not None:
            os.close(existing)
        if tmp is not None:
            try:
                os.unlink(tmp, dir_fd=dir_fd)
            except OSError:
                pass
