# -*- coding: utf-8 -*-
"""plugin_utils/_outputs.py: report files written atomically on the controller (issue 9, item 15)."""

from __future__ import annotations

import os
import stat

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.sfb.edge.plugins.plugin_utils import _outputs as outputs


def test_writes_new_files_and_parent_directories(tmp_path):
    a, b = tmp_path / "pool" / "drift" / "edge01.json", tmp_path / "pool" / "validate" / "edge01.md"
    written, unchanged = outputs.write_files([{"path": str(a), "content": "{}\n"},
                                              {"path": str(b), "content": "| x |\n"}])
    assert written == [str(a), str(b)] and unchanged == []
    assert a.read_text() == "{}\n" and b.read_text() == "| x |\n"
    assert stat.S_IMODE(a.stat().st_mode) == 0o644
    assert stat.S_IMODE(a.parent.stat().st_mode) & 0o755 == 0o755


def test_same_content_is_left_alone(tmp_path):
    path = tmp_path / "r.json"
    outputs.write_files([{"path": str(path), "content": "one\n"}])
    os.utime(path, (1, 1))
    written, unchanged = outputs.write_files([{"path": str(path), "content": "one\n"}])
    assert (written, unchanged) == ([], [str(path)])
    assert path.stat().st_mtime == 1
    written, unchanged = outputs.write_files([{"path": str(path), "content": "two\n"}])
    assert (written, unchanged) == ([str(path)], [])
    assert path.read_text() == "two\n"


def test_no_temporary_file_left_and_old_file_kept_on_failure(tmp_path, monkeypatch):
    path = tmp_path / "r.json"
    path.write_text("old\n")

    def broken(src, dst, **_dir_fds):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(outputs.os, "replace", broken)
    with pytest.raises(outputs.OutputError, match=r"could not write .*r\.json: No space left on device"):
        outputs.write_files([{"path": str(path), "content": "new\n"}])
    assert path.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]


def test_errors_name_the_file(tmp_path):
    (tmp_path / "d").mkdir()
    with pytest.raises(outputs.OutputError, match="is a directory"):
        outputs.write_file(str(tmp_path / "d"), "x")
    with pytest.raises(outputs.OutputError, match=r"files\[1\]: .*given twice"):
        outputs.write_files([{"path": str(tmp_path / "a"), "content": ""}, {"path": str(tmp_path / "a"), "content": ""}])
    with pytest.raises(outputs.OutputError, match=r"files\[0\]: give exactly path and content"):
        outputs.write_files([{"path": str(tmp_path / "a")}])
    with pytest.raises(outputs.OutputError, match="must be text"):
        outputs.write_file(str(tmp_path / "a"), b"bytes")


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_content_round_trips_as_utf8(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("h") / "report.md"
    outputs.write_file(str(path), text)
    assert path.read_bytes() == text.encode("utf-8")
    assert outputs.write_file(str(path), text) is False
