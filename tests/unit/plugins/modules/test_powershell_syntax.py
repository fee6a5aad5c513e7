# -*- coding: utf-8 -*-
"""Syntax gate for the collection's PowerShell: every *.ps1 / *.psm1 under plugins/ and roles/.

There is no pwsh here (nor on most controllers), so nothing would notice a PowerShell syntax
error before a Windows host runs the file. tree-sitter with the tree-sitter-pwsh grammar parses
each file and the gate fails listing file:line:column of every ERROR or MISSING node.

The grammar rejects a few constructs that PowerShell accepts. Such false positives go in
ALLOWED, each with the file, the 1-based line and the reason the construct is valid
PowerShell; an entry that no longer matches an error fails the gate, so the list stays small.
Constructs seen to trip tree-sitter-pwsh 0.38 (in ansible.windows, community.windows and
microsoft.ad; none is used here yet): nested generic type names such as
[Func[[Object], [Bool]]], a labelled `break label`, the -cin / -cnotin operators, a method call
with an index as a command argument, and a param() block followed by code on the same line.
Prefer writing around them over allowlisting.

The gate is not a full parser check: tree-sitter recovers silently from some errors (a `try`
without `catch`, `foreach ($i in )`), so it catches most, not all, syntax errors.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import tree_sitter_pwsh
from tree_sitter import Language, Parser

ROOT = Path(__file__).resolve().parent.parent.parent.parent.parent
PATTERNS = ("*.ps1", "*.psm1")
FILES = sorted({p for top in ("plugins", "roles") for pattern in PATTERNS for p in (ROOT / top).rglob(pattern)})
MODULES = sorted((ROOT / "plugins" / "modules").glob("*.ps1"))

# {(path relative to the repository root, line): reason the construct is valid PowerShell}
ALLOWED: dict[tuple[str, int], str] = {}

PARSER = Parser(Language(tree_sitter_pwsh.language()))


def syntax_errors(source: bytes, name: str = "<snippet>") -> list[str]:
    """``name:line:column: message`` for every ERROR and MISSING node (1-based line and column)."""
    tree = PARSER.parse(source)
    found = []
    if not tree.root_node.has_error:
        return found
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_missing:
            what = "missing %r" % node.type
        elif node.is_error:
            text = source[node.start_byte:node.end_byte].decode("utf-8", "replace")
            what = "cannot parse %r" % (text if len(text) <= 60 else text[:57] + "...")
        else:
            if node.has_error:
                stack.extend(reversed(node.children))
            continue
        line, column = node.start_point
        found.append((line + 1, column + 1, "%s:%d:%d: %s" % (name, line + 1, column + 1, what)))
    return [text for _line, _column, text in sorted(found)]


def gate(paths) -> list[str]:
    """The errors of the files, without the allowed ones; stale allowlist entries are errors too."""
    problems, used = [], set()
    for path in paths:
        rel = path.relative_to(ROOT).as_posix()
        for error in syntax_errors(path.read_bytes(), rel):
            line = int(error.split(":")[1])
            if (rel, line) in ALLOWED:
                used.add((rel, line))
            else:
                problems.append(error)
    for rel, line in sorted(set(ALLOWED) - used):
        if (ROOT / rel) in set(paths):
            problems.append("%s:%d: allowlisted in %s but no longer reported; remove the entry"
                            % (rel, line, Path(__file__).name))
    return problems


def test_powershell_files_parse():
    assert FILES, "no PowerShell files found under plugins/ or roles/"
    problems = gate(FILES)
    assert not problems, "PowerShell syntax errors (tree-sitter-pwsh):\n" + "\n".join(problems)


def test_allowlist_names_existing_files():
    missing = sorted(rel for rel, _line in ALLOWED if not (ROOT / rel).is_file())
    assert not missing, "ALLOWED names files that do not exist: %s" % missing


@pytest.mark.parametrize("snippet, line", [
    (b"function f { if ($x -eq 1 { } }\n", 1),                 # unclosed condition
    (b"$a = 1\n$h = @{ a = 1\n", 2),                            # unclosed hashtable
    (b"$a = @(\n  1,\n  2\n\nWrite-Output $a\n", 1),             # unclosed array expression
    (b"if ($a) { 1 } else if ($b) { 2 }\n", 1),                # "else if" is not PowerShell
    (b"$x = 'unterminated\n", 1),                               # unterminated string
])
def test_gate_reports_broken_code(snippet, line):
    errors = syntax_errors(snippet)
    assert errors, "the gate found nothing wrong in %r" % snippet
    assert all(e.startswith("<snippet>:") for e in errors)
    assert any(int(e.split(":")[1]) >= line for e in errors), errors


def test_gate_accepts_valid_code():
    source = (b"#!powershell\n$spec = @{ options = @{ a = @{ type = 'str' } }; supports_check_mode = $true }\n"
              b"function Get-X {\n    param ([int]$Index)\n    foreach ($i in 1..3) { if ($i -eq $Index) { $i } } }\n"
              b"$r = @(Get-X -Index 2 | Where-Object { $_ -gt 1 })\n"
              b"try { $null = & { 'x' } } catch { $f = $_ }\n")
    assert syntax_errors(source) == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_conventions(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines and lines[0] == "#!powershell", "%s must start with #!powershell" % path.name
    assert "#AnsibleRequires -CSharpUtil Ansible.Basic" in lines, \
        "%s must declare #AnsibleRequires -CSharpUtil Ansible.Basic" % path.name
    assert path.with_suffix(".yml").is_file(), "%s has no documentation sidecar %s" % (
        path.name, path.with_suffix(".yml").name)
