# -*- coding: utf-8 -*-
"""Cleanup on the failure paths of the Front End export and the certificate import (issue 9, item 13).

There is no PowerShell here: the modules are read with the tree-sitter grammar of the syntax gate, and
each test finds the `try` that does the work and checks what its `catch` (or `finally`) removes.
docs/lab-checklist.md (## Front End and cleanup) names the windows molecule tests that confirm the
behaviour on a real server.
"""

from __future__ import annotations

from pathlib import Path

from test_powershell_syntax import PARSER

ROOT = Path(__file__).resolve().parent.parent.parent.parent.parent
MODULES = ROOT / "plugins" / "modules"


def _nodes(node, kind):
    if node.type == kind:
        yield node
    for child in node.children:
        yield from _nodes(child, kind)


def _text(source, node):
    return " ".join(source[node.start_byte:node.end_byte].decode("utf-8").split())


def _try_doing(path, work):
    """(body, handlers) of the one try statement whose own block contains ``work``; handlers joins its
    catch and finally blocks."""
    source = path.read_bytes()
    found = []
    for node in _nodes(PARSER.parse(source).root_node, "try_statement"):
        body = next(c for c in node.children if c.type == "statement_block")
        if work in _text(source, body):
            handlers = [c for c in node.children if c.type in ("catch_clauses", "finally_clause")]
            found.append((_text(source, body), " ".join(_text(source, h) for h in handlers)))
    assert len(found) >= 1, "%s: no try around %r" % (path.name, work)
    return found[-1]  # the innermost


def test_failed_export_removes_its_partial_zip():
    _body, handlers = _try_doing(MODULES / "cs_config_export.ps1", "Export-CsConfiguration -FileName $path")
    assert "Remove-Item -LiteralPath $path -Force" in handlers


def test_failed_certificate_import_removes_the_persisted_key():
    source = (MODULES / "edge_certificates.ps1").read_text()
    body, handlers = _try_doing(MODULES / "edge_certificates.ps1", "$store.Add($cert)")
    # the key is persisted by the read inside this try; the certificate never reached the store
    assert "Read-Certificate -Item $item -Persist" in body
    assert "$store.Add($cert) $added = $true" in body
    assert "if (-not $added) { $cleanup = Remove-PersistedKey -Certificate $cert }" in handlers
    # and the helper deletes the key container of either key kind (CNG or legacy CSP)
    helper = source[source.index("function Remove-PersistedKey"):source.index("$module.Result.imported")]
    assert "$key.Key.Delete()" in helper
    assert "$key.PersistKeyInCsp = $false" in helper and "$key.Clear()" in helper


def test_reading_the_local_topology_after_the_import_is_guarded():
    """Issue 9, item 14: Get-CsTopology -LocalStore -AsXml in edge_cs's import step ran outside
    try/catch, so a failing read ended the module with a bare PowerShell error; now its catch fails
    the task naming the step and the cmdlet (edge_facts reads it inside Read-Part)."""
    _body, handlers = _try_doing(MODULES / "edge_cs.ps1", "Get-CsTopology -LocalStore -AsXml -ErrorAction Stop")
    assert "$failure = $_" in handlers
    source = (MODULES / "edge_cs.ps1").read_text()
    assert "Get-CsTopology -LocalStore -AsXml: $($failure.Exception.Message)" in source
    facts = (MODULES / "edge_facts.ps1").read_text()
    read = facts[facts.rindex("Read-Part", 0, facts.index("Get-CsTopology -LocalStore")):facts.index("Get-CsTopology -LocalStore")]
    assert "{" in read  # the edge_facts read is the body of a Read-Part block
