# -*- coding: utf-8 -*-
"""Imports run one way (issue 22, point 3; CONTRIBUTING.md "Layers").

Every ``.py`` under plugins/ is parsed (imports inside functions too) and the graph of its
``ansible_collections.sfb.edge.plugins.*`` imports is built, one node per module. The layers, top down:
action, filter, lookup -> plugin_utils. plugin_utils never imports an action, a filter or a lookup (nor a module); an
action imports no action or filter; a filter no filter or action; a lookup no action or filter; a module none of the
controller's code; and no import cycle, call-time imports included.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = ROOT / "plugins"
PREFIX = "ansible_collections.sfb.edge.plugins"

# layer -> the layers it may not import
FORBIDDEN = {
    "plugin_utils": {"action", "filter", "lookup", "modules"},
    "action": {"action", "filter"},
    "filter": {"filter", "action"},
    "lookup": {"action", "filter"},
    # a module's .py is its documentation, or code that runs on the target (port_probe): no controller code
    "modules": {"action", "filter", "lookup", "plugin_utils"},
}


def module_name(path, plugins=PLUGINS):
    """``plugin_utils._drift`` for plugins/plugin_utils/_drift.py (a package's __init__: the package)."""
    parts = list(path.relative_to(plugins).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path, plugins=PLUGINS):
    """``[(imported module, line)]``: every import of the collection's plugins in ``path``, at any depth (in a
    function, a class, a try block); ``from <package> import <module>`` names the module when it is one."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(a.name[len(PREFIX) + 1:], node.lineno) for a in node.names if a.name.startswith(PREFIX + ".")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and (
                node.module == PREFIX or node.module.startswith(PREFIX + ".")):
            base = node.module[len(PREFIX) + 1:]
            for alias in node.names:
                sub = "%s.%s" % (base, alias.name) if base else alias.name
                is_module = (plugins / (sub.replace(".", "/") + ".py")).is_file() or (plugins / sub.replace(".", "/")).is_dir()
                found.append((sub if is_module else base, node.lineno))
        elif isinstance(node, ast.ImportFrom) and node.level:
            found.append(("<relative import>", node.lineno))
    return found


def graph(plugins=PLUGINS):
    """``{module: {imported module: first line}}`` of every .py under ``plugins``."""
    result = {}
    for path in sorted(plugins.rglob("*.py")):
        edges = result.setdefault(module_name(path, plugins), {})
        for target, line in imports_of(path, plugins):
            edges.setdefault(target, line)
    return result


def layer(module):
    return module.split(".")[0]


def upward(edges):
    """``["<module>:<line> imports <module> (<layer> may not import <layer>)"]``."""
    wrong = []
    for source in sorted(edges):
        for target, line in sorted(edges[source].items()):
            if target == "<relative import>":
                wrong.append("%s:%d uses a relative import; import %s.<package>.<module>" % (source, line, PREFIX))
            elif layer(target) in FORBIDDEN.get(layer(source), ()):
                wrong.append("%s:%d imports %s (%s may not import %s)" % (source, line, target, layer(source), layer(target)))
    return wrong


def cycles(edges):
    """Every import cycle, each once, as its path ``[a, b, ..., a]`` (Tarjan's strongly connected components, then one
    shortest cycle through each component's first module)."""
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def visit(start):  # iterative Tarjan: no recursion limit on a long chain
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in edges:
                    continue
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in edges.get(node, ()):
                        components.append(sorted(component))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    found = []
    for component in sorted(components):
        members, first = set(component), component[0]
        previous, queue = {first: None}, [first]
        while queue:  # breadth first from the first module back to itself, inside the component
            node = queue.pop(0)
            nxt = [t for t in sorted(edges.get(node, ())) if t in members]
            if first in nxt:
                path = [first]
                while node is not None:
                    path.insert(1, node)
                    node = previous[node]
                found.append(path[1:] + [first])
                break
            for target in nxt:
                if target not in previous:
                    previous[target] = node
                    queue.append(target)
    return found


def test_no_upward_or_sideways_import():
    assert upward(graph()) == []


def test_no_import_cycle():
    assert [" -> ".join(path) for path in cycles(graph())] == []


# ----------------------------------------------------------------------------------- the checker itself
def _tree(tmp_path, files):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return graph(tmp_path)


def test_the_checker_sees_imports_inside_functions_and_the_module_of_a_from_import(tmp_path):
    edges = _tree(tmp_path, {
        "plugin_utils/a.py": "def f():\n    from ansible_collections.sfb.edge.plugins.action.x import helper\n",
        "plugin_utils/b.py": "from ansible_collections.sfb.edge.plugins.plugin_utils import a, c as _c\n",
        "plugin_utils/c.py": "try:\n    import ansible_collections.sfb.edge.plugins.filter.y\nexcept ImportError:\n    pass\n",
        "action/x.py": "from ansible_collections.sfb.edge.plugins.action import z\n"
                       "from ansible_collections.sfb.edge.plugins.plugin_utils.a import f\n",
        "action/z.py": "", "filter/y.py": "from ansible_collections.sfb.edge.plugins.filter.w import g\n",
        "filter/w.py": "from .y import q\n", "lookup/l.py": "from ansible_collections.sfb.edge.plugins.action import z\n",
    })
    assert edges["plugin_utils.b"] == {"plugin_utils.a": 1, "plugin_utils.c": 1}
    assert edges["action.x"] == {"action.z": 1, "plugin_utils.a": 2}
    assert upward(edges) == [
        "action.x:1 imports action.z (action may not import action)",
        "filter.w:1 uses a relative import; import ansible_collections.sfb.edge.plugins.<package>.<module>",
        "filter.y:1 imports filter.w (filter may not import filter)",
        "lookup.l:1 imports action.z (lookup may not import action)",
        "plugin_utils.a:2 imports action.x (plugin_utils may not import action)",
        "plugin_utils.c:2 imports filter.y (plugin_utils may not import filter)",
    ]


def test_the_checker_reports_each_cycle_with_its_path(tmp_path):
    imp = "from ansible_collections.sfb.edge.plugins.plugin_utils import %s\n"
    edges = _tree(tmp_path, {
        # drift -> guard -> drift, as 0.4.0 had it (broken by a call-time import, which counts)
        "plugin_utils/_drift.py": imp % "_guard", "plugin_utils/_guard.py": "def f():\n    " + imp % "_drift",
        # a longer one: a -> b -> c -> a, with a shortcut b -> d outside it
        "plugin_utils/a.py": imp % "b", "plugin_utils/b.py": imp % "c" + imp % "d", "plugin_utils/c.py": imp % "a",
        "plugin_utils/d.py": "", "plugin_utils/self.py": imp % "self",
    })
    assert cycles(edges) == [["plugin_utils._drift", "plugin_utils._guard", "plugin_utils._drift"],
                             ["plugin_utils.a", "plugin_utils.b", "plugin_utils.c", "plugin_utils.a"],
                             ["plugin_utils.self", "plugin_utils.self"]]


@pytest.mark.parametrize("module", ["plugin_utils._hoststate", "action.plan_validation", "filter.deprecated"])
def test_the_modules_that_imported_upward_in_0_4_import_only_plugin_utils(module):
    """hoststate imported two actions and two filters at call time, plan_validation two actions and a filter,
    desired_states a filter - now one of the deprecated steps (issue 22, point 3): each imports plugin_utils only."""
    assert {layer(target) for target in graph()[module]} == {"plugin_utils"}


# ----------------------------------------------------------------------------------- the actions users call
# The actions a user may call in a play of their own; every other action takes handles or results that only a run of
# the collection's roles and playbooks holds, and its documentation says it is internal (issue 22, point 4).
PUBLIC_ACTIONS = {"frontend_failure", "plan_files", "report_files"}
INTERNAL_ACTIONS = {"certificate_request", "edge_apply", "firewall_proof", "host_drift", "host_state", "host_validation", "plan_validation"}


def _documentation(name):
    tree = ast.parse((PLUGINS / "modules" / ("%s.py" % name)).read_text(encoding="utf-8"))
    text = next(node.value.value for node in tree.body if isinstance(node, ast.Assign)
                and [t.id for t in node.targets if isinstance(t, ast.Name)] == ["DOCUMENTATION"])
    return yaml.safe_load(text)


def test_every_action_is_public_or_says_it_is_internal():
    actions = {p.stem for p in (PLUGINS / "action").glob("*.py") if p.stem != "__init__"}
    assert actions == PUBLIC_ACTIONS | INTERNAL_ACTIONS, "classify the new action in PUBLIC_ACTIONS or INTERNAL_ACTIONS"
    for name in sorted(actions):
        doc = _documentation(name)
        internal = doc["short_description"].startswith("Internal, not a public API - ")
        assert internal == (name in INTERNAL_ACTIONS), name
        assert any(line.startswith("Internal to the collection's roles and playbooks, not a public API")
                   for line in doc["description"]) == internal, name
