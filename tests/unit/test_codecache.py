# -*- coding: utf-8 -*-
"""codecache.py: the bytecode cache sfb.edge.preload imports the collection's controller code with.

What must hold: an entry is keyed by the source's content (an edited source never gets old code), a corrupt
entry is compiled again and replaced, a directory other users can write to is never used, and a module
imported through the cache is the module Ansible would import (same file, same behaviour).
"""

from __future__ import annotations

import importlib
import marshal
import os
import stat
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.sfb.edge.plugins.plugin_utils import codecache

MODULE = "ansible_collections.sfb.edge.plugins.plugin_utils.expiry"


def test_cache_directory_from_the_environment(tmp_path):
    assert codecache.cache_directory({"SFB_EDGE_CODE_CACHE": str(tmp_path)}) == str(tmp_path)
    assert codecache.cache_directory({"SFB_EDGE_CODE_CACHE": ""}) is None  # off
    assert codecache.cache_directory({"XDG_CACHE_HOME": "/x/cache"}) == "/x/cache/sfb.edge/code"
    assert codecache.cache_directory({}) == os.path.join(os.path.expanduser("~"), ".cache", "sfb.edge", "code")
    # PYTHONDONTWRITEBYTECODE is about __pycache__ beside the sources, which this never writes
    assert codecache.cache_directory({"PYTHONDONTWRITEBYTECODE": "1", "SFB_EDGE_CODE_CACHE": "/c"}) == "/c"


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=200), st.binary(max_size=200), st.sampled_from(["/a/x.py", "/b/x.py"]))
def test_key_is_the_content(source, other, path):
    assert codecache.key(path, source) == codecache.key(path, bytes(source))
    assert (codecache.key(path, source) == codecache.key(path, other)) is (source == other)
    assert codecache.key("/a/x.py", source) != codecache.key("/b/x.py", source)  # tracebacks name the file


def test_entry_written_then_used_and_a_corrupt_one_replaced(tmp_path):
    source = b"VALUE = 6 * 7\n"
    path = str(tmp_path / "m.py")
    first = codecache.compiled(path, source, str(tmp_path))
    entry = tmp_path / (codecache.key(path, source) + ".code")
    assert entry.is_file() and marshal.loads(entry.read_bytes()).co_filename == path
    # the entry is what is used: a marker constant written into it comes back
    entry.write_bytes(marshal.dumps(compile(b"VALUE = 'from the cache'\n", path, "exec")))
    namespace = {}
    exec(codecache.compiled(path, source, str(tmp_path)), namespace)  # noqa: S102
    assert namespace["VALUE"] == "from the cache"
    # corrupt: compiled again and replaced
    entry.write_bytes(b"\x00not marshal data")
    namespace = {}
    exec(codecache.compiled(path, source, str(tmp_path)), namespace)  # noqa: S102
    assert namespace["VALUE"] == 42 and marshal.loads(entry.read_bytes()).co_consts == first.co_consts
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []


def test_no_directory_compiles_without_writing(tmp_path):
    namespace = {}
    exec(codecache.compiled(str(tmp_path / "m.py"), b"VALUE = 1\n", None), namespace)  # noqa: S102
    assert namespace["VALUE"] == 1 and list(tmp_path.iterdir()) == []


def test_directory_others_can_write_to_is_not_used(tmp_path):
    mine = tmp_path / "mine"
    assert codecache.usable_directory(str(mine)) is True
    assert stat.S_IMODE(os.stat(mine).st_mode) & 0o077 == 0  # created private
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    assert codecache.usable_directory(str(shared)) is False
    os.chmod(shared, 0o775)
    assert codecache.usable_directory(str(shared)) is False
    a_file = tmp_path / "file"
    a_file.write_text("x")
    assert codecache.usable_directory(str(a_file)) is False
    with codecache.cached_imports({"SFB_EDGE_CODE_CACHE": str(shared)}) as directory:
        assert directory is None  # not used, and nothing installed
    assert not any(isinstance(f, codecache.CachedFinder) for f in sys.meta_path)


@pytest.fixture(name="fresh_module")
def _fresh_module():
    """MODULE imported again inside the test; the original module object is put back afterwards."""
    original = importlib.import_module(MODULE)
    del sys.modules[MODULE]
    parent = sys.modules[MODULE.rpartition(".")[0]]
    yield
    sys.modules[MODULE] = original
    setattr(parent, MODULE.rpartition(".")[2], original)


def test_import_through_the_cache_is_the_same_module(tmp_path, fresh_module):  # pylint: disable=unused-argument
    with codecache.cached_imports({"SFB_EDGE_CODE_CACHE": str(tmp_path / "cache")}) as directory:
        module = importlib.import_module(MODULE)
    assert directory == str(tmp_path / "cache")
    assert isinstance(module.__loader__, codecache.CachedLoader)
    source_path = module.__file__
    assert source_path.endswith(os.path.join("plugins", "plugin_utils", "expiry.py"))
    with open(source_path, "rb") as handle:
        source = handle.read()
    assert os.listdir(directory) == [codecache.key(source_path, source) + ".code"]
    # the finder is gone afterwards
    assert not any(isinstance(f, codecache.CachedFinder) for f in sys.meta_path)
    # it behaves as the module Ansible imports
    assert module.__name__ == MODULE and module.iso(module.parse("2036-01-01T00:00:00Z")) == "2036-01-01T00:00:00Z"


def test_nothing_is_written_beside_the_sources(tmp_path, monkeypatch):
    """Python's own cache would be __pycache__ beside the source, which ansible-galaxy collection verify reports."""
    def refuse(*_args):
        raise AssertionError("set_data called: a .pyc beside the source")

    monkeypatch.setattr(codecache.CachedLoader, "set_data", refuse)
    source = tmp_path / "plain.py"
    source.write_text("VALUE = 3\n")
    loader = codecache.CachedLoader("ansible_collections.sfb.edge.plugins.plugin_utils.plain_test", str(source))
    loader.directory = str(tmp_path / "cache")
    os.mkdir(loader.directory, 0o700)
    namespace = {}
    exec(loader.get_code(loader.name), namespace)  # noqa: S102
    assert namespace["VALUE"] == 3 and sorted(p.name for p in tmp_path.iterdir()) == ["cache", "plain.py"]


def test_packages_are_left_to_their_own_loader(tmp_path):
    finder = codecache.CachedFinder(str(tmp_path))
    plugins = importlib.import_module("ansible_collections.sfb.edge.plugins")
    spec = finder.find_spec("ansible_collections.sfb.edge.plugins.plugin_utils", plugins.__path__)
    assert spec is not None and spec.submodule_search_locations is not None
    assert not isinstance(spec.loader, codecache.CachedLoader)
    assert finder.find_spec("json") is None  # not the collection's: not this finder's business


def test_entries_not_used_for_a_month_are_pruned_when_one_is_written(tmp_path):
    old = tmp_path / ("0" * 64 + ".code")
    old.write_bytes(marshal.dumps(compile("X = 1", "/old.py", "exec")))
    kept = tmp_path / ("1" * 64 + ".code")
    kept.write_bytes(marshal.dumps(compile("X = 2", "/kept.py", "exec")))
    other = tmp_path / "notes.txt"
    other.write_text("not an entry")
    month = 31 * 86400
    for path in (old, other):
        os.utime(path, (os.stat(path).st_atime - month, os.stat(path).st_mtime - month))
    # a hit on an entry more than a day old touches it (in use)
    source = b"VALUE = 1\n"
    codecache.compiled("/m.py", source, str(tmp_path))  # a miss: written, and the directory pruned
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [kept.name, other.name, codecache.key("/m.py", source) + ".code"])
    entry = tmp_path / (codecache.key("/m.py", source) + ".code")
    os.utime(entry, (0, os.stat(entry).st_mtime - 2 * 86400))
    codecache.compiled("/m.py", source, str(tmp_path))
    assert os.stat(entry).st_mtime > os.stat(kept).st_mtime - 60  # touched: in use
    # a month later without use: both entries go, the file that is not an entry stays
    assert sorted(codecache.prune(str(tmp_path), now=os.stat(entry).st_mtime + month)) == sorted(
        [kept.name, entry.name])
    assert [p.name for p in tmp_path.iterdir()] == [other.name]
