# -*- coding: utf-8 -*-
"""The test files `make compat` runs on the oldest ansible-core (scripts/compat.sh): every file of
tests/integration (the playbooks end to end) and the files of tests/unit that reach ansible-core - that
import ``ansible`` themselves, or through a test module or a module of the collection they import
(plugins/action, filter, lookup, ... and plugin_utils/hoststate, an ActionBase). A unit test that
reaches no ansible-core code tests plain Python, which runs the same on every core: the units stage
runs it already.

    python scripts/compat_tests.py            # one path a line
    python scripts/compat_tests.py --skipped  # the unit test files left out, one a line
"""

from __future__ import annotations

import ast
import functools
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PREFIX = "ansible_collections.sfb.edge."
SEARCH = (os.path.join(ROOT, "tests", "unit"), os.path.join(ROOT, "tests", "integration"),
          os.path.join(ROOT, "tests", "simhost"))


@functools.lru_cache(maxsize=None)
def _imports(path):
    """The module names ``path`` imports, anywhere in it (a function-level import counts); each file parsed once."""
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), path)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update("%s.%s" % (node.module, alias.name) for alias in node.names)
    return names


def _file_of(name, here):
    """The file of a module of the collection or of the test tree (a bare name: beside ``here`` first, the test
    file that imports it), or None (a third-party module)."""
    if name.startswith(PREFIX):
        base = os.path.join(ROOT, *name[len(PREFIX):].split("."))
        for path in (base + ".py", os.path.join(base, "__init__.py")):
            if os.path.isfile(path):
                return path
        return None
    if "." not in name:
        for folder in (os.path.dirname(here),) + SEARCH:
            path = os.path.join(folder, name + ".py")
            if os.path.isfile(path):
                return path
    return None


def reaches_ansible(path, seen=None):
    """True when ``path`` imports ansible-core, directly or through the modules of the collection and of the
    test tree it imports."""
    seen = set() if seen is None else seen
    if path in seen:
        return False
    seen.add(path)
    names = _imports(path)
    if any(n == "ansible" or n.startswith("ansible.") for n in names):
        return True
    return any(reaches_ansible(f, seen) for f in {_file_of(n, path) for n in names} - {None})


def main(argv):
    unit = os.path.join("tests", "unit")
    # the unit tests mirror the plugin tree (tests/unit/plugins/<kind>/test_<module>.py) beside the repository-wide ones
    files = sorted(os.path.relpath(os.path.join(folder, f), ROOT)
                   for folder, _dirs, names in os.walk(os.path.join(ROOT, unit))
                   for f in names if f.startswith("test_") and f.endswith(".py"))
    keep = [f for f in files if reaches_ansible(os.path.join(ROOT, f))]
    if "--skipped" in argv:
        print("\n".join(f for f in files if f not in keep))
    else:
        print("\n".join([os.path.join("tests", "integration")] + keep))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
