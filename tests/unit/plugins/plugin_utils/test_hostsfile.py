# -*- coding: utf-8 -*-
"""The hosts file area (issue 9, items 7-9): bytes in, bytes out, and no operator line is ever lost.

States are built here in code (the shipped snapshots hold text ``content``; a gathered state holds
``raw``, the file's bytes in base64).  Every test goes through ``drift.hosts_file``, the area function
the roles call, and looks at the bytes the ``sfb.edge.edge_hosts_file`` call would write.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import os
import re
import sys

import pytest
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

import winsim  # noqa: E402

from ansible_collections.sfb.edge.plugins.plugin_utils import _drift as drift, _hostsfile as hostsfile  # noqa: E402

PATH = "C:\\Windows\\System32\\drivers\\etc\\hosts"
BEGIN, END = b"# BEGIN sfb.edge managed entries", b"# END sfb.edge managed entries"
DIRPOOL = {"ip": "10.10.1.20", "names": ["dirpool.corp.example.com"]}
FEPOOL = {"ip": "10.10.1.10", "names": ["fepool.corp.example.com"]}
ENTRIES = [DIRPOOL, FEPOOL]
HEADER = b"# Copyright (c) 1993-2009 Microsoft Corp.\r\n#\r\n"


def gathered(data, exists=True):
    """The hosts_file part of a state as edge_facts returns it."""
    return {"hosts_file": {"path": PATH, "exists": exists, "raw": base64.b64encode(data).decode("ascii"),
                           "sha256": hashlib.sha256(data).hexdigest().upper()}}


def plan(entries):
    return {"hosts_file": {"entries": copy.deepcopy(entries)}}


def run(data, entries=None, exists=True):
    entries = ENTRIES if entries is None else entries
    return drift.hosts_file(plan(entries), gathered(data, exists))


def written(res):
    """The bytes the one edge_hosts_file call writes."""
    assert [c["module"] for c in res["calls"]] == ["sfb.edge.edge_hosts_file"], res
    return base64.b64decode(res["calls"][0]["args"]["content_base64"], validate=True)


def block(entries=None, nl=b"\r\n"):
    entries = ENTRIES if entries is None else entries
    return BEGIN + nl + b"".join(("%s %s" % (e["ip"], " ".join(e["names"]))).encode() + nl for e in entries) + END + nl


def converges(data, entries=None):
    """Apply the planned call to a simulated host and diff again: nothing left to do."""
    entries = ENTRIES if entries is None else entries
    current = gathered(data)
    res = drift.hosts_file(plan(entries), current)
    after = winsim.apply(current, res["calls"])
    again = drift.hosts_file(plan(entries), after)
    assert again["changes"] == [] and again["calls"] == [] and again["problems"] == [], again
    return base64.b64decode(after["hosts_file"]["raw"])


# ----------------------------------------------------------------------------------- item 7
def test_unmanaged_line_with_a_managed_name_and_an_alias_is_kept():
    line = b"10.10.1.20 dirpool.corp.example.com legacy-alias.corp.example.com\r\n"
    data = HEADER + line + b"10.1.1.1 other.example.com\r\n"
    res = run(data)
    new = written(res)
    assert new == data + block()  # the line, its alias and everything else stay byte for byte
    assert res["problems"] == []
    # the duplicate is reported, naming the line (number and text) and the fix
    assert len(res["notes"]) == 1
    note = res["notes"][0]
    assert "line 3 '10.10.1.20 dirpool.corp.example.com legacy-alias.corp.example.com'" in note
    assert "remove dirpool.corp.example.com from that line by hand" in note
    assert converges(data) == new


def test_unmanaged_line_mapping_a_managed_name_elsewhere_is_a_problem_and_nothing_is_written():
    data = HEADER + b"10.10.9.20\tdirpool.corp.example.com legacy-alias.corp.example.com # old pool\r\n"
    res = run(data)
    assert res["calls"] == [] and res["changes"] == []
    [problem] = res["problems"]
    assert problem["variable"] == "sfb_edge_internal_hosts"
    msg = problem["message"]
    assert PATH in msg and "line 3 '10.10.9.20\\tdirpool.corp.example.com legacy-alias.corp.example.com # old pool'" \
        in msg
    assert "dirpool.corp.example.com -> 10.10.1.20" in msg and "remove dirpool.corp.example.com from line 3 by hand" \
        in msg


def test_a_single_name_line_of_another_address_is_kept_and_reported():
    data = HEADER + b"10.10.9.20 dirpool.corp.example.com\r\n"
    res = run(data)
    assert res["calls"] == [] and "line 3 '10.10.9.20 dirpool.corp.example.com'" in res["problems"][0]["message"]


def test_the_hand_made_copy_of_a_planned_entry_moves_into_the_block():
    data = HEADER + b"# Lync internal pools\r\n10.10.1.20\tDirPool.corp.example.com\r\n"
    res = run(data)
    assert written(res) == HEADER + b"# Lync internal pools\r\n" + block()
    assert [c["target"] for c in res["changes"]] == ["fepool.corp.example.com"]  # dirpool keeps its address
    assert res["notes"] == ["hosts file %s: line 4 '10.10.1.20\\tDirPool.corp.example.com', outside the managed "
                            "block, is the planned entry itself: moved into the managed block" % PATH]


def test_a_planned_entry_with_a_comment_keeps_its_line_and_comment():
    line = b"10.10.1.20 dirpool.corp.example.com # added by ops, ticket 4711\r\n"
    res = run(HEADER + line)
    assert written(res) == HEADER + line + block()
    assert "line 3" in res["notes"][0]


# ----------------------------------------------------------------------------------- item 8
def test_begin_without_end_deletes_nothing_and_names_the_line():
    data = (HEADER + BEGIN + b"\r\n10.10.1.20 dirpool.corp.example.com\r\n# backup server, do not remove\r\n"
            b"10.50.0.7 backup01.corp.example.com\r\n")
    res = run(data, [DIRPOOL, FEPOOL])
    assert res["calls"] == [] and res["changes"] == []
    [problem] = res["problems"]
    msg = problem["message"]
    assert "line 3 is '# BEGIN sfb.edge managed entries' without a matching '# END sfb.edge managed entries'" in msg
    assert "line 5: '# backup server, do not remove'" in msg and "nothing was written" in msg


def test_unterminated_begin_followed_by_user_entries_only():
    data = HEADER + BEGIN + b"\n10.50.0.7 backup01.corp.example.com\n10.50.0.8 backup02.corp.example.com"
    res = run(data)
    assert res["calls"] == [] and "line 3 is" in res["problems"][0]["message"]


def test_end_without_begin_is_a_problem():
    data = HEADER + b"10.50.0.7 backup01.corp.example.com\r\n" + END + b"\r\n"
    res = run(data)
    assert res["calls"] == []
    assert "line 4 is '# END sfb.edge managed entries' without a '# BEGIN" in res["problems"][0]["message"]


def test_begin_inside_a_block_is_a_problem():
    data = HEADER + BEGIN + b"\r\n10.10.1.20 dirpool.corp.example.com\r\n" + block([FEPOOL])
    res = run(data)
    assert res["calls"] == []
    assert "line 5 is a second '# BEGIN" in res["problems"][0]["message"]
    assert "opened on line 3" in res["problems"][0]["message"]


def test_two_blocks_merge_into_the_first_and_keep_the_lines_between():
    data = HEADER + block([DIRPOOL]) + b"10.50.0.7 backup01.corp.example.com\r\n" + block([FEPOOL])
    res = run(data)
    assert res["problems"] == []
    assert written(res) == HEADER + block() + b"10.50.0.7 backup01.corp.example.com\r\n"
    assert [c["property"] for c in res["changes"]] == ["managed block"]
    assert converges(data) == written(res)


def test_an_operator_comment_inside_the_block_stops_a_rewrite():
    data = HEADER + BEGIN + b"\r\n# pinned by ops\r\n10.10.9.20 dirpool.corp.example.com\r\n" + END + b"\r\n"
    res = run(data)
    assert res["calls"] == []
    assert "line 4 '# pinned by ops' is inside the managed block (lines 3-6)" in res["problems"][0]["message"]


def test_an_operator_comment_inside_a_converged_block_is_left_alone():
    data = HEADER + BEGIN + b"\r\n# pinned by ops\r\n10.10.1.20 dirpool.corp.example.com\r\n" \
        b"10.10.1.10 fepool.corp.example.com\r\n" + END + b"\r\n"
    res = run(data)
    assert res["calls"] == [] and res["changes"] == [] and res["problems"] == []


# ----------------------------------------------------------------------------------- item 9
@pytest.mark.parametrize("nl", [b"\r\n", b"\n"])
def test_line_endings_follow_the_file(nl):
    data = HEADER.replace(b"\r\n", nl) + b"10.1.1.1 other.example.com" + nl
    new = written(run(data))
    assert new == data + block(nl=nl)


def test_a_mixed_file_keeps_each_line_ending():
    data = b"# one\r\n# two\n# three\n10.1.1.1 other\r\n10.1.1.2 more\n"
    new = written(run(data))
    assert new == data + block(nl=b"\n")  # LF is the more frequent ending here
    assert converges(data) == new


def test_a_utf8_bom_is_kept():
    data = b"\xef\xbb\xbf# Hosts f\xc3\xbcr den Edge\r\n"
    res = run(data)
    assert written(res) == data + block()
    assert res["diff"]["before"] == "# Hosts f\u00fcr den Edge\r\n"
    assert res["diff"]["before_header"] == PATH + " (gathered, utf-8 with BOM)"


def test_ansi_bytes_are_written_back_as_they_were():
    data = b"# Serveur de caf\xe9 \x80 \x81\r\n10.1.1.1 other.example.com\r\n"  # cp1252 e-acute, euro, undefined 0x81
    res = run(data)
    new = written(res)
    assert new == data + block()
    assert b"\xef\xbf\xbd" not in new  # no U+FFFD
    assert res["diff"]["before"].startswith("# Serveur de caf\u00e9 \u20ac")
    assert res["diff"]["before_header"] == PATH + " (gathered, cp1252)"
    assert converges(data) == new


def test_a_correct_block_written_with_tabs_is_converged():
    data = HEADER + BEGIN + b"\r\n10.10.1.10\t\tFEPOOL.corp.example.com\r\n10.10.1.20\tdirpool.corp.example.com\r\n" \
        + END + b"\r\n"
    res = run(data)
    assert res["changes"] == [] and res["calls"] == [] and res["problems"] == [] and res["notes"] == []


def test_a_last_line_without_newline_stays_so():
    data = HEADER + b"10.1.1.1 other.example.com"
    new = written(run(data))
    assert new == data + b"\r\n" + block()[:-2]
    assert converges(data) == new
    # with a block at the end of such a file, a changed entry keeps the file without a final newline
    stale = data + b"\r\n" + block([{"ip": "10.10.9.20", "names": DIRPOOL["names"]}, FEPOOL])[:-2]
    assert written(run(stale)) == new


@pytest.mark.parametrize("exists", [True, False])
def test_an_empty_or_absent_file_gets_the_block(exists):
    res = run(b"", exists=exists)
    assert written(res) == block()
    assert res["calls"][0]["args"]["expected_sha256"] == hashlib.sha256(b"").hexdigest().upper()
    assert run(b"", entries=[], exists=exists)["calls"] == []


def test_the_call_carries_the_hash_of_the_gathered_bytes_and_the_path():
    data = b"\xef\xbb\xbf# x\n"
    args = run(data)["calls"][0]["args"]
    assert args["expected_sha256"] == hashlib.sha256(data).hexdigest().upper()
    assert args["path"] == PATH and set(args) == {"content_base64", "expected_sha256", "path"}


def test_a_hand_written_snapshot_gives_text_content():
    current = {"hosts_file": {"path": PATH, "content": "# x\n10.10.1.20 dirpool.corp.example.com\n"}}
    res = drift.hosts_file(plan([DIRPOOL]), current)
    assert written(res) == b"# x\n" + block([DIRPOOL], nl=b"\n")
    assert res["calls"][0]["args"]["expected_sha256"] == hashlib.sha256(current["hosts_file"]["content"].encode()) \
        .hexdigest().upper()


@pytest.mark.parametrize("info, message", [
    ({"path": PATH}, "hosts_file.raw is missing (not read)"),
    ({"path": PATH, "content": None}, "hosts_file.raw is missing (not read)"),
    ({"path": PATH, "raw": "not base64!"}, "hosts_file.raw is not base64"),
    ({"path": PATH, "raw": "", "sha256": "00"}, "hosts_file.sha256 (00) is not the SHA-256 of hosts_file.raw"),
    ({"path": PATH, "raw": "", "content": ""}, "both 'raw' and 'content'"),
    ({"path": PATH, "raw": ["x"]}, "hosts_file.raw is a list, not text"),
    ({"path": PATH, "raw": base64.b64encode("# x\r\n".encode("utf-16")).decode()}, "is UTF-16"),
])
def test_an_unreadable_state_plans_nothing(info, message):
    res = drift.hosts_file(plan(ENTRIES), {"hosts_file": info})
    assert res["calls"] == [] and res["changes"] == []
    assert message in res["problems"][0]["message"]
    assert drift.hosts_file(plan(ENTRIES), {})["problems"][0]["message"].startswith("hosts_file is not in the")


def test_removed_and_changed_entries_are_reported():
    data = HEADER + block([{"ip": "10.10.9.20", "names": DIRPOOL["names"]}, {"ip": "10.10.1.13", "names": ["fe03"]}])
    res = run(data)
    assert sorted((c["target"], c["action"], c["before"], c["after"]) for c in res["changes"]) == [
        ("dirpool.corp.example.com", "set", "10.10.9.20", "10.10.1.20"),
        ("fe03", "remove", "10.10.1.13", None),
        ("fepool.corp.example.com", "add", None, "10.10.1.10")]
    assert written(res) == HEADER + block()
    assert "10.10.9.20" in res["diff"]["before"] and "10.10.9.20" not in res["diff"]["after"]


def test_nothing_planned_removes_the_block_only():
    data = HEADER + block() + b"10.1.1.1 other\r\n"
    assert written(run(data, entries=[])) == HEADER + b"10.1.1.1 other\r\n"


# ----------------------------------------------------------------------------------- properties
_names = st.sampled_from(["a.corp.example.com", "b.corp.example.com", "c.corp.example.com", "d.corp.example.com"])
_entries = st.lists(st.tuples(st.integers(1, 4), st.lists(_names, min_size=1, max_size=2, unique=True)),
                    max_size=3).map(lambda items: _unique_entries(items))  # pylint: disable=unnecessary-lambda  # defined below
_other = st.sampled_from([b"x.example.net", b"legacy-alias", b"localhost", b"A.corp.example.com"])
_body = st.one_of(
    st.binary(max_size=20).map(lambda b: b.replace(b"\n", b"").replace(b"\x00", b"")),  # any bytes (ANSI, CR, ...)
    st.builds(lambda ip, names, sep, comment: ip + sep + sep.join(names) + comment,
              st.sampled_from([b"10.10.1.1", b"10.10.1.2", b"10.9.9.9", b"::1"]),
              st.lists(st.one_of(_other, _names.map(str.encode)), min_size=1, max_size=3),
              st.sampled_from([b" ", b"\t", b"  \t"]), st.sampled_from([b"", b" # ops", b"#\xe9"])),
    st.sampled_from([b"", b"#", b"# comment", b"\t# indented"]))


def _unique_entries(items):
    seen, entries = set(), []
    for k, names in items:
        names = [n for n in names if n not in seen]
        if names:
            seen.update(names)
            entries.append({"ip": "10.10.1.%d" % k, "names": names})
    return entries


def _adopted(body, planned):
    """The test's own rule for the one kind of line that moves into the block: ``<planned ip> <one managed
    name>`` and nothing else (spaces or tabs, any case, no comment)."""
    fields = [f for f in re.split(rb"[ \t]+", body.strip(b" \t")) if f]
    if b"#" in body or len(fields) != 2:
        return False
    name = fields[1].decode("latin-1").lower().rstrip(".")
    return planned.get(name) == fields[0].decode("latin-1")


@settings(max_examples=300, deadline=None)
@given(bodies=st.lists(_body, max_size=10),
       endings=st.lists(st.sampled_from([b"\r\n", b"\n"]), min_size=10, max_size=10),
       final=st.booleans(), bom=st.booleans(), entries=_entries)
@example(bodies=[b"\xef\xbb\xbf"], endings=[b"\r\n"] * 10, final=False, bom=False,
         entries=[{"ip": "10.10.1.1", "names": ["a.corp.example.com"]}])
def test_unmanaged_lines_survive_byte_for_byte_and_the_block_holds_exactly_the_entries(
        bodies, endings, final, bom, entries):
    lines = [b + e for b, e in zip(bodies, endings)]
    if lines and not final:
        lines[-1] = bodies[-1]
    if not bom and lines and lines[0].startswith(b"\xef\xbb\xbf"):
        # a first line that starts with the BOM bytes is a file with a BOM (found by hypothesis)
        bom, lines[0] = True, lines[0][3:]
    prefix = b"\xef\xbb\xbf" if bom else b""
    data = prefix + b"".join(lines)
    res = run(data, entries)
    event("problem" if res["problems"] else "call" if res["calls"] else "converged")
    if res["problems"]:
        # a line maps a managed name to another address, or the bytes are UTF-16: nothing is written
        assert res["calls"] == [] and res["changes"] == []
        return
    new = written(res) if res["calls"] else data
    planned = {n: e["ip"] for e in entries for n in e["names"]}
    assert new.startswith(prefix)
    out = _split(new[len(prefix):])
    # the managed block: exactly the planned entries, in the planned order
    if entries:
        begin = [i for i, line in enumerate(out) if line.rstrip(b"\r\n") == BEGIN]
        end = [i for i, line in enumerate(out) if line.rstrip(b"\r\n") == END]
        assert len(begin) == 1 and len(end) == 1 and begin[0] < end[0]
        inside = [line.rstrip(b"\r\n").split(b" ") for line in out[begin[0] + 1:end[0]]]
        assert [(f[0].decode(), [n.decode() for n in f[1:]]) for f in inside] == \
            [(e["ip"], e["names"]) for e in entries]
        out = out[:begin[0]] + out[end[0] + 1:]
    else:
        assert not any(BEGIN in line for line in out)
    # every other line: byte for byte and in order; only the planned entry's hand-made copy is gone
    expected = [line for line in lines if line and not _adopted(line.rstrip(b"\r\n"), planned)]
    if expected and not expected[-1].endswith(b"\n") and len(out) == len(expected) and out:
        assert out[-1] in (expected[-1], expected[-1] + b"\r\n", expected[-1] + b"\n")
        out, expected = out[:-1], expected[:-1]
    assert out == expected
    # the file ends with a newline exactly when it did before (an empty file gets one)
    if data[len(prefix):]:
        assert new.endswith(b"\n") == data.endswith(b"\n")
    # idempotent: the result is converged, and rendering it again gives it back
    assert run(new, entries)["calls"] == []
    text = hostsfile.decode(new)[0]
    assert hostsfile.render_hosts(text, entries) == text


def _split(data):
    """Lines with their endings; only LF ends a line (as in the module)."""
    parts = data.split(b"\n")
    last = parts.pop()
    return [p + b"\n" for p in parts] + ([last] if last else [])


_pool = st.sampled_from([
    "# BEGIN sfb.edge managed entries", "# END sfb.edge managed entries", "  # END sfb.edge managed entries\t",
    "10.10.1.1 a.corp.example.com", "10.10.1.1\ta.corp.example.com", "10.9.9.9 b.corp.example.com x.example.net",
    "10.10.1.2 b.corp.example.com # ops", "10.10.1.2 B.corp.example.com.", "10.1.1.1 other.example.net", "# note",
    "", "\t", "caf\u00e9 \u20ac", "10.10.1.3"])


def _outside(text):
    """``[(line number, body)]`` of the lines outside every BEGIN/END pair (the test's own reading)."""
    out, inside = [], False
    for number, (body, _end) in enumerate(hostsfile.split_lines(text), 1):
        marker = body.strip(" \t")
        if marker == hostsfile.HOSTS_BEGIN:
            inside = True
        elif marker == hostsfile.HOSTS_END:
            inside = False
        elif not inside:
            out.append((number, body))
    return out


@settings(max_examples=300, deadline=None)
@given(bodies=st.lists(_pool, max_size=12), nl=st.sampled_from(["\r\n", "\n"]), final=st.booleans(),
       entries=_entries)
def test_render_is_idempotent_and_keeps_the_lines_outside_the_block(bodies, nl, final, entries):
    text = nl.join(bodies) + (nl if final and bodies else "")
    first = hostsfile.render(text, entries)
    event("problem" if first["problems"] else "changed" if first["changed"] else "converged")
    if first["problems"]:
        assert first["text"] == text and not first["changed"]
        return
    second = hostsfile.render(first["text"], entries)
    assert second["text"] == first["text"] and not second["changed"] and second["problems"] == []
    # the lines outside the blocks survive, in order; only the adopted copies of planned entries go
    want = [body for number, body in _outside(text) if number not in first["adopted"]]
    assert [body for _number, body in _outside(first["text"])] == want
