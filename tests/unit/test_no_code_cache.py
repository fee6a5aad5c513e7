# -*- coding: utf-8 -*-
"""No code from a cache (issue 18, point 1).

0.4.0 loaded the collection's compiled code from a bytecode cache in the user's home (or
``$SFB_EDGE_CODE_CACHE``) whose entries anyone could compute and, with a planted folder or a race, replace:
another user's code ran as root. The cache is gone: loading the collection's controller code (every filter and
plugin_utils module) reads and writes no file outside the sources, and no controller module loads code objects
from anywhere but Python's own import system.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COLLECTIONS = ROOT / ".cache" / "collections"


def _tree(path):
    return sorted(str(p.relative_to(path)) for p in path.rglob("*"))


def test_loading_the_controller_code_writes_no_cache(tmp_path):
    home, xdg, cache = tmp_path / "home", tmp_path / "xdg", tmp_path / "cache"
    for folder in (home, xdg, cache):
        folder.mkdir()
    env = dict(os.environ, HOME=str(home), XDG_CACHE_HOME=str(xdg), SFB_EDGE_CODE_CACHE=str(cache),
               ANSIBLE_HOME=str(tmp_path / "ansible-home"), ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"),
               PYTHONPATH=str(COLLECTIONS), PYTHONDONTWRITEBYTECODE="1")
    code = ("import importlib, pkgutil\n"
            "names = []\n"
            "for package in ('plugin_utils', 'filter'):\n"
            "    base = importlib.import_module('ansible_collections.sfb.edge.plugins.' + package)\n"
            "    for info in pkgutil.iter_modules(list(base.__path__)):\n"
            "        names.append(importlib.import_module(base.__name__ + '.' + info.name))\n"
            "print(len(names))")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) > 20  # every filter and plugin_utils module was loaded
    assert (_tree(home), _tree(xdg), _tree(cache)) == ([], [], [])


def test_no_controller_module_loads_code_it_did_not_import():
    """marshal, exec/compile of file contents or a meta-path finder of our own would bring a cache back."""
    found = []
    for path in sorted((ROOT / "plugins").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
                if any(n and n.split(".")[0] == "marshal" for n in names):
                    found.append("%s:%d imports marshal" % (path.relative_to(ROOT), node.lineno))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("exec", "compile"):
                found.append("%s:%d calls %s()" % (path.relative_to(ROOT), node.lineno, node.func.id))
            elif isinstance(node, ast.Attribute) and node.attr in ("meta_path", "spec_from_file_location"):
                found.append("%s:%d uses %s" % (path.relative_to(ROOT), node.lineno, node.attr))
    assert found == []
