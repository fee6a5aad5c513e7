# -*- coding: utf-8 -*-
"""edge_certificate_request.ps1 read without PowerShell (tree-sitter, the grammar of the syntax gate), issue 19:

- point 13: certreq runs through ``[Ansible.Process.ProcessUtil]::CreateProcess`` (as edge_cs does), never as a
  native command with ``2>&1`` - under ``$ErrorActionPreference = 'Stop'`` Windows PowerShell 5.1 turns any
  stderr line into a terminating error; and a pending request for the INF's subject (also one whose CSR an
  interrupted run left as ``new-<guid>.csr``) is found before ``certreq -new`` makes a second key.
- point 12: the CA certificates of the chain the controller checked are imported before ``certreq -accept``.

docs/lab-checklist.md names the windows molecule tests that confirm each behaviour on a real edge.
"""

from __future__ import annotations

from pathlib import Path

from test_powershell_syntax import PARSER

ROOT = Path(__file__).resolve().parent.parent.parent.parent.parent
PATH = ROOT / "plugins" / "modules" / "edge_certificate_request.ps1"
SOURCE = PATH.read_bytes()
TREE = PARSER.parse(SOURCE).root_node


def _nodes(node, kind):
    if node.type == kind:
        yield node
    for child in node.children:
        yield from _nodes(child, kind)


def _text(node):
    return " ".join(SOURCE[node.start_byte:node.end_byte].decode("utf-8").split())


def _function(name):
    found = [n for n in _nodes(TREE, "function_statement") if _text(n).startswith("function %s " % name)]
    assert len(found) == 1, name
    return found[0]


def _commands():
    """(command name, text) of every command the module runs."""
    for node in _nodes(TREE, "command"):
        names = [c for c in node.children if c.type in ("command_name", "command_name_expr")]
        yield (_text(names[0]) if names else ""), _text(node)


def test_certreq_is_never_a_native_command():
    native = [text for name, text in _commands() if name.lower() in ("certreq", "certreq.exe") or "certreq.exe" in name.lower()]
    assert native == []
    redirections = [_text(n) for n in _nodes(TREE, "merging_redirection_operator")]
    assert redirections == []  # no 2>&1 anywhere in the module


def test_certreq_runs_through_process_util():
    text = SOURCE.decode("utf-8")
    assert "#AnsibleRequires -CSharpUtil Ansible.Process" in text.splitlines()
    body = _text(_function("Invoke-CertReq"))
    assert "[Ansible.Process.ProcessUtil]::CreateProcess($null, $line," in body
    assert "-ChildPath 'certreq.exe'" in body and "[System.Environment]::SystemDirectory" in body
    # the exit code decides, the output (stdout and stderr) goes into the message
    assert "if ($result.ExitCode -ne 0)" in body and "$($result.StandardError)" in body
    # and a start failure is caught and named, not a bare PowerShell error
    assert "catch { $failure = $_ }" in body and "could not start" in body
    calls = [_text(n) for n in _nodes(TREE, "command") if _text(n).startswith("Invoke-CertReq ")]
    assert calls == ["Invoke-CertReq -Arguments @('-new', '-q', '-machine', $infPath, $csrPath) -Step '-new'",
                     "Invoke-CertReq -Arguments @('-accept', '-q', '-machine', $cerPath) -Step '-accept'"]


def test_a_pending_request_is_looked_up_before_certreq_new():
    text = SOURCE.decode("utf-8")
    new = text.index("-Step '-new'")
    lookup = text.index("foreach ($request in (Get-Pending | Where-Object { Test-SameName -Certificate $_ }))")
    inf_subject = text.index("$infSubject = [regex]::Match($module.Params.inf, '(?m)^\\s*Subject\\s*=\\s*\"([^\"]*)\"')")
    orphans = text.index("-ChildPath 'new-*.csr'")
    refuse = text.index("no second key is made")
    assert inf_subject < orphans < lookup < refuse < new
    # an interrupted run's new-<guid>.csr is matched by the request's public key and kept under its thumbprint
    loop = text[lookup:refuse]
    assert "(Get-CsrKey -Path $_.FullName) -eq $key" in loop
    assert "Move-Item -LiteralPath $orphan.FullName -Destination $file -Force" in loop
    # the old behaviour (a warning, then a second request with a second key) is gone
    assert "a new request is made" not in text
    key = _text(_function("Get-CsrKey"))
    assert "New-Object -ComObject X509Enrollment.CX509CertificateRequestPkcs10" in key
    assert "$pkcs10.PublicKey.EncodedKey(1)" in key


def test_the_chain_is_imported_before_certreq_accept():
    text = SOURCE.decode("utf-8")
    assert "chain = @{ type = 'list'; elements = 'str'; default = @() }" in text
    assert text.index("\nImport-Chain\n") < text.index("if ($module.CheckMode) { $module.ExitJson() }\n\n$cerPath") \
        < text.index("-Step '-accept'")
    body = _text(_function("Import-Chain"))
    assert "$name = if ($ca.Subject -eq $ca.Issuer) { 'Root' } else { 'CA' }" in body
    assert "if (-not $module.CheckMode) { $store.Add($ca) }" in body
    assert "$module.Result.chain_imported.Add(\"$name\\$($ca.Thumbprint)\")" in body
