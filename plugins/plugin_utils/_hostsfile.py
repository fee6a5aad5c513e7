# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hosts file area: bytes in, bytes out (docs/windows-roles.md, "Hosts file").

``sfb.edge.edge_facts`` returns the file's bytes (``hosts_file.raw``, base64).  They are decoded here
(strict UTF-8, with or without a byte order mark, else the Windows ANSI code page, see
:data:`ANSI_ENCODING`), the managed block is rendered, and the result is encoded back with the same
encoding and BOM.  Every line outside the managed block keeps its bytes and its own line ending, and
the file keeps its final newline or the lack of one.  ``sfb.edge.edge_hosts_file`` gets the new bytes
(``content_base64``) and the SHA-256 of the gathered bytes, and writes only while the file still has
that hash.

Rules (each one decided here and tested in tests/unit/plugins/plugin_utils/test_hostsfile.py):

- Lines outside the block are never deleted or edited, with one exception: a line that is exactly
  ``<planned ip> <one managed name>`` (no other name, no comment) is the hand-made copy of a managed
  entry and is moved into the block.
- Any other line outside the block that names a managed name is kept.  Same address as planned: a
  note names the line.  Another address: a problem names the line (the name may resolve to that
  address instead of the planned one) and the area writes nothing until it is fixed.
- The markers must pair up: a BEGIN without END, an END without BEGIN or a BEGIN inside a block is a
  problem naming the line; nothing is written.  Two or more complete blocks are merged into one at
  the place of the first.
- A block whose entries equal the planned ones (any order, any spacing: tabs or spaces, any case) is
  converged: no change, no call.  A block to rewrite that holds lines this collection did not write
  (comments, text that is no entry, a comment after an entry) is a problem naming the line; nothing
  is written.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re

from ansible_collections.sfb.edge.plugins.plugin_utils import _changes as _records

HOSTS_BEGIN = "# BEGIN sfb.edge managed entries"
HOSTS_END = "# END sfb.edge managed entries"
UTF8_BOM = b"\xef\xbb\xbf"
# The ANSI code page a hosts file without valid UTF-8 is read in: Windows-1252 (Western European
# Windows).  The bytes of every line the collection does not manage are written back unchanged
# whatever the real code page is (undefined bytes included), and the managed block is ASCII; the
# code page only decides how non-ASCII characters look in --diff output.
ANSI_ENCODING = "cp1252"
CRLF, LF = "\r\n", "\n"
_FIELDS = re.compile(r"[ \t]+")

_change, _problem, _result = _records.change, _records.problem, _records.result


# ----------------------------------------------------------------------------------- bytes and text
def decode(data):
    """``(text, encoding)`` of the file's bytes; ``encoding`` is ``{"name": "utf-8"|ANSI_ENCODING, "bom": bool}``.

    :raises ValueError: for UTF-16/UTF-32 or binary content (this collection edits none of them).
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise ValueError("is UTF-16 or holds NUL bytes (saved as 'Unicode' in Notepad?); this collection edits only "
                         "UTF-8 and ANSI hosts files, so nothing was written: save it as UTF-8 or ANSI and run again")
    bom = data.startswith(UTF8_BOM)
    try:
        return data[len(UTF8_BOM):].decode("utf-8") if bom else data.decode("utf-8"), {"name": "utf-8", "bom": bom}
    except UnicodeDecodeError:
        # surrogateescape keeps the bytes Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D)
        return data.decode(ANSI_ENCODING, "surrogateescape"), {"name": ANSI_ENCODING, "bom": False}


def encode(text, encoding):
    """The bytes of ``text`` in the ``encoding`` :func:`decode` found (the inverse of :func:`decode`)."""
    if encoding["name"] == "utf-8":
        return (UTF8_BOM if encoding["bom"] else b"") + text.encode("utf-8")
    return text.encode(encoding["name"], "surrogateescape")


def gathered_bytes(info):
    """The hosts file's bytes from the gathered ``hosts_file``: ``raw`` (base64, checked against ``sha256``
    when given) or, in hand-written snapshots, ``content`` (text, taken as its UTF-8 bytes).

    :returns: ``(bytes, None)`` or ``(None, message)`` when the state does not hold the file.
    """
    if not isinstance(info, dict):
        return None, "hosts_file is not in the gathered state (not read): re-gather with this collection's edge_facts"
    raw, content = info.get("raw"), info.get("content")
    if raw is not None and content is not None:
        return None, "hosts_file has both 'raw' and 'content'; give exactly one (docs/state-format.md)"
    if isinstance(raw, str):
        try:
            data = base64.b64decode(raw.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError, ValueError):
            return None, "hosts_file.raw is not base64 (%d characters); re-gather with this collection's edge_facts" \
                % len(raw)
        digest = info.get("sha256")
        if digest is not None and str(digest).upper() != sha256(data):
            return None, "hosts_file.sha256 (%s) is not the SHA-256 of hosts_file.raw (%s): the state is damaged; " \
                "re-gather with this collection's edge_facts" % (digest, sha256(data))
        return data, None
    if isinstance(content, str):
        return content.encode("utf-8"), None
    if raw is None and content is None:
        return None, "hosts_file.raw is missing (not read): re-gather with this collection's edge_facts"
    return None, "hosts_file.%s is a %s, not text (docs/state-format.md)" % (
        "raw" if raw is not None else "content", type(raw if raw is not None else content).__name__)


def sha256(data):
    """Upper-case hex SHA-256, as edge_facts and edge_hosts_file write it."""
    return hashlib.sha256(data).hexdigest().upper()


# ----------------------------------------------------------------------------------- lines
def split_lines(text):
    """``[(body, ending)]``: only LF ends a line; CRLF is kept as the line's ending, a lone CR stays in the
    body; the last line may have no ending (``""``)."""
    parts = text.split(LF)
    last = parts.pop()
    result = [(body[:-1], CRLF) if body.endswith("\r") else (body, LF) for body in parts]
    if last:
        result.append((last, ""))
    return result


def parse_entry(body):
    """``(ip, [names], comment)`` of a hosts line (names lower-case, without a final dot), or None when the
    line holds no entry (blank, comment only, a single field).  Fields are separated by spaces or tabs."""
    text, sep, comment = body.partition("#")
    fields = [f for f in _FIELDS.split(text.strip(" \t")) if f]
    if len(fields) < 2:
        return None
    return fields[0], [n.lower().rstrip(".") for n in fields[1:]], (sep + comment) if sep else ""


def _marker(body):
    text = body.strip(" \t")
    return "begin" if text == HOSTS_BEGIN else "end" if text == HOSTS_END else None


def _dominant_newline(lines):
    crlf = sum(1 for _b, e in lines if e == CRLF)
    lf = sum(1 for _b, e in lines if e == LF)
    return LF if lf > crlf else CRLF


def _show(body):
    return body if len(body) <= 120 else body[:117] + "..."


def _planned(entries):
    """``{name: ip}`` of the planned entries (the first entry wins for a name given twice)."""
    planned = {}
    for e in entries:
        for n in e["names"]:
            planned.setdefault(n.lower().rstrip("."), e["ip"])
    return planned


def _key(ip, names):
    return ip, tuple(n.lower().rstrip(".") for n in names)


# ----------------------------------------------------------------------------------- render
def render(text, entries):
    """The hosts file text with ``entries`` (``[{ip, names}]``) in the managed block.

    :returns: a dict: ``text`` (the new text; the input itself when nothing changes or a problem stops the
      rewrite), ``changed``, ``problems`` and ``notes`` (strings naming the line), ``removed``
      (``[(ip, [names])]`` taken out: block entries and adopted lines), ``adopted`` (line numbers).
    """
    lines = split_lines(text)
    out = {"text": text, "changed": False, "problems": [], "notes": [], "removed": [], "adopted": []}
    planned = _planned(entries)

    # 1. the markers must pair up
    blocks, begin = [], None
    for number, (body, _end) in enumerate(lines, 1):
        kind = _marker(body)
        if kind == "begin":
            if begin is not None:
                out["problems"].append(
                    "line %d is a second %r before the %r of the block opened on line %d; the managed block is "
                    "ambiguous, nothing was written: delete one of the two BEGIN lines by hand"
                    % (number, HOSTS_BEGIN, HOSTS_END, begin))
                return out
            begin = number
        elif kind == "end":
            if begin is None:
                out["problems"].append(
                    "line %d is %r without a %r before it; nothing was written: delete that line, or add the BEGIN "
                    "line above the managed entries it closes" % (number, HOSTS_END, HOSTS_BEGIN))
                return out
            blocks.append((begin, number))
            begin = None
    if begin is not None:
        following = next((n for n in range(begin + 1, len(lines) + 1) if parse_entry(lines[n - 1][0]) is None), None)
        hint = (" (the first line after it that is no hosts entry is line %d: %r)"
                % (following, _show(lines[following - 1][0]))) if following else ""
        out["problems"].append(
            "line %d is %r without a matching %r; the lines after it are not treated as managed and nothing was "
            "written: add the line %r after the last managed entry%s, or delete the BEGIN line"
            % (begin, HOSTS_BEGIN, HOSTS_END, HOSTS_END, hint))
        return out

    # 2. inside the blocks: entries written by this collection, anything else is the operator's
    inside = set()
    found, foreign = [], []
    for first, last in blocks:
        for number in range(first + 1, last):
            inside.add(number)
            body = lines[number - 1][0]
            entry = parse_entry(body)
            if entry and not entry[2]:
                found.append((number, entry[0], entry[1]))
            elif entry or body.strip(" \t"):
                foreign.append(number)

    # 3. outside: lines naming a managed name
    adopted = []
    for number, (body, _end) in enumerate(lines, 1):
        if number in inside or any(number in b for b in blocks):
            continue
        entry = parse_entry(body)
        if not entry:
            continue
        ip, names, comment = entry
        mine = [n for n in names if n in planned]
        if not mine:
            continue
        if len(names) == 1 and not comment and planned[names[0]] == ip:
            adopted.append(number)
            continue
        others = [n for n in mine if planned[n] != ip]
        if others:
            out["problems"].append(
                "line %d %r, outside the managed block, maps %s to %s, but the plan has %s; Windows may resolve the "
                "name from that line instead of the managed block, and this collection never edits or deletes a "
                "line it does not manage, so nothing was written: remove %s from line %d by hand (keep the other "
                "names), or correct sfb_edge_internal_hosts if that line is right"
                % (number, _show(body), ", ".join(others), ip, ", ".join("%s -> %s" % (n, planned[n]) for n in others),
                   " and ".join(others), number))
        else:
            out["notes"].append(
                "line %d %r, outside the managed block, also names %s with the planned address %s; it is kept as it "
                "is (this collection never edits a line it does not manage): remove %s from that line by hand to "
                "keep one entry per name" % (number, _show(body), ", ".join(mine), ip, ", ".join(mine)))
    if out["problems"]:
        return out

    # 4. converged: one block with exactly the planned entries (any order or spacing), nothing to adopt
    want = sorted(_key(e["ip"], e["names"]) for e in entries)
    have = sorted(_key(ip, names) for _n, ip, names in found)
    if not adopted and ((len(blocks) == 1 and have == want) or (not blocks and not entries)):
        return out
    if foreign:
        for number in foreign:
            out["problems"].append(
                "line %d %r is inside the managed block (lines %s) but was not written by this collection; the block "
                "has to be rewritten and that line would be lost, so nothing was written: move it out of the block "
                "(above %r or below %r)" % (number, _show(lines[number - 1][0]),
                                            ", ".join("%d-%d" % b for b in blocks), HOSTS_BEGIN, HOSTS_END))
        return out

    # 5. rewrite
    newline = _dominant_newline(lines)
    block = []
    if entries:
        block = [HOSTS_BEGIN + newline] + ["%s %s%s" % (e["ip"], " ".join(e["names"]), newline) for e in entries]
        block.append(HOSTS_END + newline)
    starts = {b[0] for b in blocks}
    skip = set(inside) | {n for b in blocks for n in b} | set(adopted)
    result, placed = [], False
    for number, (body, ending) in enumerate(lines, 1):
        if number in starts and not placed:
            result += block
            placed = True
        if number in skip:
            continue
        result.append(body + ending)
    if not placed and block:
        if result and not result[-1].endswith(LF):
            result[-1] += newline
        result += block
    new = "".join(result)
    if text and not text.endswith(LF) and new.endswith(LF):
        new = new[:-2] if new.endswith(CRLF) else new[:-1]
    out["removed"] = [(ip, names) for _n, ip, names in found] + [
        parse_entry(lines[n - 1][0])[:2] for n in adopted]
    for number in adopted:
        out["notes"].append("line %d %r, outside the managed block, is the planned entry itself: moved into the "
                            "managed block" % (number, _show(lines[number - 1][0])))
    out["adopted"] = adopted
    out["text"] = new
    out["changed"] = new != text
    return out


def render_hosts(text, entries):
    """The new hosts file text (``text`` itself when converged or when a problem stops the rewrite)."""
    return render(text, entries)["text"]


# ----------------------------------------------------------------------------------- area
def hosts_file(desired, current):
    """The hosts_file area of the diff engine (same result shape as every area, see changes.py)."""
    res = _result("hosts_file")
    info = current.get("hosts_file")
    path = (info.get("path") if isinstance(info, dict) else None) or "hosts"
    data, problem = gathered_bytes(info)
    if problem is None:
        try:
            text, encoding = decode(data)
        except ValueError as exc:
            problem = "the hosts file %s %s" % (path, exc)
    if problem:
        res["problems"].append(_problem("hosts_file", "hosts_file", problem))
        return res
    entries = desired["hosts_file"]["entries"]
    rendered = render(text, entries)
    for message in rendered["problems"]:
        res["problems"].append(_problem("hosts_file", "sfb_edge_internal_hosts",
                                        "hosts file %s: %s" % (path, message)))
    res["notes"] += ["hosts file %s: %s" % (path, n) for n in rendered["notes"]]
    if rendered["problems"] or not rendered["changed"]:
        return res
    new = rendered["text"]
    before = {}
    for ip, names in rendered["removed"]:
        for name in names:
            before.setdefault(name, []).append(ip)
    after = _planned(entries)
    for name in sorted(set(before) | set(after)):
        old, new_ip = before.get(name, []), after.get(name)
        if new_ip is None:
            res["changes"].append(_change("hosts_file", name, "entry", "remove", ", ".join(old), None))
        elif not old:
            res["changes"].append(_change("hosts_file", name, "entry", "add", None, new_ip))
        elif sorted(set(old)) != [new_ip]:
            res["changes"].append(_change("hosts_file", name, "entry", "set", ", ".join(old), new_ip))
    if not res["changes"]:
        res["changes"].append(_change("hosts_file", path, "managed block", "set",
                                      "entries outside the managed block or in another layout",
                                      "%d entries in the managed block" % len(entries)))
    args = {"content_base64": base64.b64encode(encode(new, encoding)).decode("ascii"),
            "expected_sha256": sha256(data)}
    if isinstance(info, dict) and info.get("path"):
        args["path"] = info["path"]
    res["calls"].append({"module": "sfb.edge.edge_hosts_file", "args": args})
    res["diff"] = {"before": text, "after": new, "before_header": "%s (gathered, %s%s)" % (
        path, encoding["name"], " with BOM" if encoding["bom"] else ""), "after_header": path}
    return res
