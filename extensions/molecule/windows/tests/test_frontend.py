# -*- coding: utf-8 -*-
"""The Front End and the cleanup assumptions of issue 9 (items 3 and 13), checked on real servers.

docs/lab-checklist.md, section "Front End and cleanup", names each test here. The edge server is the
`host` of test_edge.py (SFB_EDGE_WINRM_*). The Front End tests need their own WinRM connection, as the
Front End's inventory describes it but without become (a plain WinRM logon, the one that hits the
double hop), and are skipped without it:
  SFB_EDGE_FE_WINRM_HOST, SFB_EDGE_FE_WINRM_USER, SFB_EDGE_FE_WINRM_PASSWORD,
  SFB_EDGE_FE_WINRM_PORT (5986), SFB_EDGE_FE_WINRM_TRANSPORT (ntlm), SFB_EDGE_FE_WINRM_CERT_VALIDATION.
"""

from __future__ import annotations

import importlib.util
import os
import re
import urllib.parse
from pathlib import Path

import pytest
import testinfra

from test_edge import host, powershell  # noqa: F401  # pylint: disable=unused-import  # the edge fixture

ROOT = Path(__file__).resolve().parents[4]
MODULES = ROOT / "plugins" / "modules"


def _frontend_utils():
    """plugins/plugin_utils/_frontend.py, the controller's recognition of the double hop."""
    spec = importlib.util.spec_from_file_location("sfb_edge_frontend", ROOT / "plugins" / "plugin_utils" / "_frontend.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def frontend():
    address = os.environ.get("SFB_EDGE_FE_WINRM_HOST")
    if not address:
        pytest.skip("SFB_EDGE_FE_WINRM_HOST is not set: the Front End checks need a WinRM connection to it")
    port = os.environ.get("SFB_EDGE_FE_WINRM_PORT") or "5986"
    spec = "winrm://%s:%s@%s:%s" % (urllib.parse.quote(os.environ.get("SFB_EDGE_FE_WINRM_USER") or "", safe=""),
                                    urllib.parse.quote(os.environ.get("SFB_EDGE_FE_WINRM_PASSWORD") or "", safe=""),
                                    address, port)
    query = (["no_ssl=true"] if port == "5985" else []) + (
        ["no_verify_ssl=true"] if os.environ.get("SFB_EDGE_FE_WINRM_CERT_VALIDATION") == "ignore" else [])
    fe = testinfra.get_host(spec + ("?" + "&".join(query) if query else ""))
    fe.backend.conn_args["transport"] = os.environ.get("SFB_EDGE_FE_WINRM_TRANSPORT") or "ntlm"
    return fe


PS_REPLICATION_PLAIN = r"""
foreach ($name in 'SkypeForBusiness', 'Lync') {
    if (Get-Module -ListAvailable -Name $name) { Import-Module -Name $name -DisableNameChecking; break }
}
try { $null = @(Get-CsManagementStoreReplicationStatus -ErrorAction Stop); @{ ok = $true; message = '' } }
catch { @{ ok = $false; message = ($_ | Out-String) } }
"""


def test_double_hop_error_text_is_the_one_recognised(frontend):
    """Over a plain WinRM logon (no become, no delegation) the replication status either works (the CMS
    needs no second hop, e.g. Standard Edition) or fails with a text plugin_utils/_frontend.py recognises."""
    out = powershell(frontend, PS_REPLICATION_PLAIN)
    if not out["ok"]:
        assert _frontend_utils().double_hop({"msg": out["message"]}) is not None, out["message"]


PS_EXPORT_LEFT = r"""
@{ left = @(Get-ChildItem -Path $env:TEMP -Filter 'sfb-edge-config-*.zip' -ErrorAction SilentlyContinue |
    ForEach-Object { $_.FullName }) }
"""


def test_no_export_left_on_the_front_end(frontend):
    """After converge (site.yml exported the configuration with become runas as the Front End account),
    no export zip is left in that account's %TEMP% - neither a fetched one nor a partial one."""
    left = powershell(frontend, PS_EXPORT_LEFT)["left"]
    assert not left, left


def _remove_persisted_key_function():
    source = (MODULES / "edge_certificates.ps1").read_text()
    match = re.search(r"^function Remove-PersistedKey \{.*?^\}$", source, re.M | re.S)
    assert match, "edge_certificates.ps1 has no Remove-PersistedKey function"
    return match.group(0)


PS_KEY_CLEANUP = r"""
@FUNCTION@
$flags = [Security.Cryptography.X509Certificates.X509KeyStorageFlags]'MachineKeySet, PersistKeySet, Exportable'
$made = New-SelfSignedCertificate -Subject 'CN=sfb-edge-key-cleanup-test' -CertStoreLocation Cert:\LocalMachine\My `
    -KeyExportPolicy Exportable -Provider $want.provider -NotAfter (Get-Date).AddDays(1)
$bytes = $made.Export('Pfx', 'sfb-edge-test')
Remove-Item -Path ('Cert:\LocalMachine\My\' + $made.Thumbprint) -DeleteKey
$cert = New-Object Security.Cryptography.X509Certificates.X509Certificate2 -ArgumentList $bytes, 'sfb-edge-test', $flags
$key = [Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($cert)
if ($key -is [Security.Cryptography.RSACng]) { $file = Join-Path $env:ProgramData ('Microsoft\Crypto\Keys\' + $key.Key.UniqueName) }
else { $file = Join-Path $env:ProgramData ('Microsoft\Crypto\RSA\MachineKeys\' + $key.CspKeyContainerInfo.UniqueKeyContainerName) }
$before = Test-Path -LiteralPath $file
Remove-PersistedKey -Certificate $cert
@{ kind = $key.GetType().Name; before = $before; after = (Test-Path -LiteralPath $file) }
"""


@pytest.mark.parametrize("provider", ["Microsoft Enhanced RSA and AES Cryptographic Provider",
                                      "Microsoft Software Key Storage Provider"])
def test_failed_import_leaves_no_key_in_machine_keys(host, provider):  # noqa: F811
    """A PFX read with MachineKeySet|PersistKeySet writes its key file at once; edge_certificates'
    Remove-PersistedKey (run when the store refuses the certificate) deletes it, for a CSP and a CNG key."""
    out = powershell(host, PS_KEY_CLEANUP.replace("@FUNCTION@", _remove_persisted_key_function()), provider=provider)
    assert out["before"] is True, out
    assert out["after"] is False, out
