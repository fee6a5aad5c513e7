# -*- coding: utf-8 -*-
"""The one JSON writer (plugin_utils/_json.py; issue 22, point 7): every JSON report file the controller code
writes (plan.json, drift/<host>.json, validate/<host>.json) is ``nice_json(data) + "\n"``, which is exactly what
``ansible.builtin.to_nice_json(indent=2)`` gives (the roles wrote these files with it before)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from ansible.plugins.filter.core import to_nice_json
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.sfb.edge.plugins.plugin_utils._json import nice_json

ROOT = Path(__file__).resolve().parent.parent.parents[2]


# ----------------------------------------------------------------------------------- Ansible's to_nice_json itself
@pytest.mark.parametrize("data, text", [
    # sorted keys at every depth, two spaces per level, ": " and "," at the end of a line
    ({"b": {"z": 1, "a": [2, {"y": None, "x": True}]}, "a": []},
     '{\n  "a": [],\n  "b": {\n    "a": [\n      2,\n      {\n        "x": true,\n        "y": null\n      }\n    ],\n'
     '    "z": 1\n  }\n}'),
    # not ASCII: escaped, as to_nice_json escapes it (ensure_ascii), a surrogate pair above the BMP
    ({"café": "Zürich \u2028 \U0001F600"}, '{\n  "caf\\u00e9": "Z\\u00fcrich \\u2028 \\ud83d\\ude00"\n}'),
    # a list of mappings of scalars (routes, hosts entries, rules): the fast path's special case
    ([{"prefix": "10.0.0.0/8", "gateway": "172.16.0.1"}, {"prefix": "192.168.0.0/16", "metric": 5}],
     '[\n  {\n    "gateway": "172.16.0.1",\n    "prefix": "10.0.0.0/8"\n  },\n  {\n    "metric": 5,\n'
     '    "prefix": "192.168.0.0/16"\n  }\n]'),
    ({"empty": {}, "list": [], "n": -1.5}, '{\n  "empty": {},\n  "list": [],\n  "n": -1.5\n}'),
])
def test_nice_json_is_ansibles_to_nice_json_indent_2(data, text):
    """Hand-written expectations, and Ansible's own filter giving the same text."""
    assert nice_json(data) == text
    assert to_nice_json(data, indent=2) == text


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=6),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
                    | st.lists(st.dictionaries(st.text(max_size=4), st.text(max_size=4) | st.integers(), max_size=3),
                               max_size=3), max_leaves=30))
def test_nice_json_equals_to_nice_json_for_nested_and_unicode_data(data):
    assert nice_json(data) == to_nice_json(data, indent=2)


def _json_dumps_with_indent(tree):
    """The ``json.dumps(..., indent=...)``/``json.dump(..., indent=...)`` calls of a module's syntax tree."""
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("dumps", "dump") and any(k.arg == "indent" for k in node.keywords)]


def test_one_json_writer():
    """0.4.0 had two writers that both claimed to match to_nice_json (hoststate.report_json and report_files'
    nice_json): the controller code now has one indenting JSON encoder, in plugin_utils/_json.py, and the
    host actions and the plan files use it."""
    found = {}
    for path in sorted((ROOT / "plugins").rglob("*.py")):
        lines = _json_dumps_with_indent(ast.parse(path.read_text(encoding="utf-8")))
        if lines:
            found[str(path.relative_to(ROOT))] = lines
    assert list(found) == ["plugins/plugin_utils/_json.py"]
    for user in ("action/host_drift.py", "action/host_validation.py", "plugin_utils/_report_files.py"):
        assert "from ansible_collections.sfb.edge.plugins.plugin_utils._json import nice_json" in (
            ROOT / "plugins" / user).read_text(encoding="utf-8")
