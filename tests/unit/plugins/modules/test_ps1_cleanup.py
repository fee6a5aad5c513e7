# -*- coding: utf-8 -*-
"""Cleanup on the failure paths of the firewall proof listener and the certificate import (issue 19, point 14
and the private-key cleanup of section D), read without PowerShell with the tree-sitter grammar of the syntax
gate. docs/lab-checklist.md names the windows molecule tests that confirm the behaviour on a real server."""

from __future__ import annotations

import re
from pathlib import Path

from test_cs_config_export import _nodes, _text, _try_doing
from test_powershell_syntax import PARSER

ROOT = Path(__file__).resolve().parent.parent.parent.parent.parent
MODULES = ROOT / "plugins" / "modules"
LISTENER = MODULES / "edge_port_listener.ps1"


def _function(path, name):
    source = path.read_bytes()
    found = [n for n in _nodes(PARSER.parse(source).root_node, "function_statement")
             if re.match(r"function %s[ (]" % re.escape(name), _text(source, n))]
    assert len(found) == 1, name
    return _text(source, found[0])


def test_every_failure_after_the_allow_rules_exist_removes_them():
    body, handlers = _try_doing(LISTENER, "Invoke-CimMethod -ClassName Win32_Process -MethodName Create")
    # the one try holds everything from the first rule to the listener's report: New-Item and Invoke-CimMethod too
    assert body.index("New-NetFirewallRule -DisplayName") < body.index("New-Item -Path (Split-Path -Path $statusFile)") \
        < body.index("Invoke-CimMethod") < body.index("$started = $true")
    assert body.rstrip("} ").endswith("$started = $true")
    # any exception is caught, and the finally removes the rules and stops the process unless it all opened
    assert handlers.startswith("catch { $failure = $_ } finally {")
    assert "if (-not $started) { Remove-ProofLeftover $(if ($made) { $made.ProcessId }) }" in handlers
    # FailJson never runs inside that try (its exit would be caught there); it runs after the cleanup
    assert "FailJson" not in body
    text = LISTENER.read_text()
    after = text[text.index("finally {\n    if (-not $started)"):]
    assert "if ($named) { $module.FailJson($named) }" in after and "$module.FailJson(\"the firewall proof listeners " \
        "could not be opened: $($failure.Exception.Message)" in after
    leftover = _function(LISTENER, "Remove-ProofLeftover")
    assert "Stop-Process -Id $Id -Force" in leftover and "Remove-ProofRule" in leftover
    assert "Exit-Failed" not in text


def test_the_close_call_removes_leftover_rules_by_group_and_reports_them():
    rule = _function(LISTENER, "Remove-ProofRule")
    assert "$rules = @(Get-NetFirewallRule -Group $group -ErrorAction SilentlyContinue)" in rule
    assert "$module.Result.rules_removed.Add([string]$rule.DisplayName)" in rule
    assert "if ($rules.Count -gt 0 -and -not $module.CheckMode) { Remove-NetFirewallRule -Group $group" in rule
    assert "Remove-ProofRule" in _function(LISTENER, "Stop-ProofListener")
    text = LISTENER.read_text()
    absent = text[text.index("if ($module.Params.state -eq 'absent') {"):text.index("if ($wanted.Count -eq 0)")]
    # rules left by a reboot (no process, maybe no status) still make the close call change and report
    assert "if ($module.Result.rules_removed.Count -gt 0) { $module.Result.changed = $true }" in absent
    # the rules carry the group the listener's own finally and the close call remove by
    assert re.search(r"New-NetFirewallRule -DisplayName \"\$group [^\n]*-Group \$group", text)


def test_rules_removed_is_documented():
    import yaml

    doc = yaml.safe_load((MODULES / "edge_port_listener.yml").read_text())
    assert doc["RETURN"]["rules_removed"]["returned"] == "always"
    assert doc["RETURN"]["rules_removed"]["type"] == "list"


def test_the_key_cleanup_uses_an_api_of_net_4_5_and_reports_when_it_cannot():
    path = MODULES / "edge_certificates.ps1"
    helper = _function(path, "Remove-PersistedKey")
    # .NET 4.5 (Lync 2013): X509Certificate2.PrivateKey gives the CryptoAPI key; RSACertificateExtensions only if present
    assert helper.index("$key = $Certificate.PrivateKey") < helper.index("$extensions = ")
    assert "$key.PersistKeyInCsp = $false $key.Clear() return $true" in helper
    assert "$extensions = 'System.Security.Cryptography.X509Certificates.RSACertificateExtensions' -as [type]" in helper
    assert "[System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::" not in helper  # no bare type use
    assert helper.rstrip("} ").endswith("return $container")
    text = path.read_text()
    assert "if ($cleanup -ne $true) {" in text
    assert "The private key it wrote could not be removed (key container $cleanup in" in text
    assert "certutil -delkey" in text
