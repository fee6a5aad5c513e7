# -*- coding: utf-8 -*-
"""certreq on the real edge server, as sfb.edge.edge_certificate_request uses it (docs/lab-checklist.md,
"Certificate requests").

A throwaway request for names under `.invalid` is made with the INF the collection writes
(plugins/plugin_utils/_csr.py), answered by a throwaway CA made here with `cryptography`, accepted, and
everything is removed again (the request, the certificate and its key, the CA from LocalMachine\\Root).
The host is read with plain PowerShell, as in test_edge.py; the CSR is checked on the controller.
"""

from __future__ import annotations

import base64
import datetime
import sys
import uuid
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from test_edge import host, powershell  # noqa: F401  # pylint: disable=unused-import  # the host fixture

ROOT = Path(__file__).resolve().parents[4]
sys.path.insert(0, str(ROOT / ".cache" / "collections"))

from ansible_collections.sfb.edge.plugins.plugin_utils import _csr as csr  # noqa: E402

TAG = uuid.uuid4().hex[:8]
NAMES = ["sfbedge-lab-%s.invalid" % TAG, "webconf-%s.invalid" % TAG, "sip.%s.invalid" % TAG]
SUBJECT = "CN=%s" % NAMES[0]

PS_NEW = r"""
$before = @(Get-ChildItem Cert:\LocalMachine\REQUEST | ForEach-Object { $_.Thumbprint })
$inf = [IO.Path]::GetTempFileName(); $out = [IO.Path]::GetTempFileName(); Remove-Item $out
[IO.File]::WriteAllText($inf, ($want.inf -replace "`r?`n", "`r`n"), [Text.Encoding]::ASCII)
$text = & certreq.exe -new -q -machine $inf $out 2>&1 | Out-String; $rc = $LASTEXITCODE
Remove-Item $inf -Force
$new = @(Get-ChildItem Cert:\LocalMachine\REQUEST | Where-Object { $before -notcontains $_.Thumbprint })
$csrText = $null; if (Test-Path $out) { $csrText = [IO.File]::ReadAllText($out); Remove-Item $out -Force }
@{ rc = $rc; output = $text; csr = $csrText; requests = @($new | ForEach-Object {
    $key = $_.PrivateKey
    @{ thumbprint = $_.Thumbprint; subject = $_.Subject; has_private_key = $_.HasPrivateKey
       dns_names = @($_.DnsNameList | ForEach-Object { $_.Unicode })
       public_key = [Convert]::ToBase64String($_.GetPublicKey())
       provider = $key.CspKeyContainerInfo.ProviderName; provider_type = $key.CspKeyContainerInfo.ProviderType
       exportable = $key.CspKeyContainerInfo.Exportable; machine = $key.CspKeyContainerInfo.MachineKeyStore } }) }
"""

PS_ACCEPT = r"""
$ca = New-Object Security.Cryptography.X509Certificates.X509Certificate2 -ArgumentList (, [Convert]::FromBase64String($want.ca))
$root = New-Object Security.Cryptography.X509Certificates.X509Store -ArgumentList 'Root', 'LocalMachine'
$root.Open('ReadWrite'); $root.Add($ca); $root.Close()
try {
    $cer = [IO.Path]::GetTempFileName()
    [IO.File]::WriteAllBytes($cer, [Convert]::FromBase64String($want.cert))
    $text = & certreq.exe -accept -q -machine $cer 2>&1 | Out-String; $rc = $LASTEXITCODE
    Remove-Item $cer -Force
    $mine = Get-Item -LiteralPath ('Cert:\LocalMachine\My\' + $want.thumbprint) -ErrorAction SilentlyContinue
    $pending = Get-Item -LiteralPath ('Cert:\LocalMachine\REQUEST\' + $want.request) -ErrorAction SilentlyContinue
    $result = @{ rc = $rc; output = $text; in_my = [bool]$mine; has_private_key = [bool]($mine -and $mine.HasPrivateKey)
                 provider = $(if ($mine -and $mine.HasPrivateKey) { $mine.PrivateKey.CspKeyContainerInfo.ProviderName })
                 still_pending = [bool]$pending }
}
finally {
    $root.Open('ReadWrite'); $root.Remove($ca); $root.Close()
}
$result
"""

PS_CLEANUP = r"""
foreach ($path in @('Cert:\LocalMachine\REQUEST\' + $want.request, 'Cert:\LocalMachine\My\' + $want.thumbprint)) {
    if (Test-Path -LiteralPath $path) { Remove-Item -LiteralPath $path -DeleteKey -ErrorAction SilentlyContinue }
}
@{ request = [bool](Test-Path -LiteralPath ('Cert:\LocalMachine\REQUEST\' + $want.request))
   certificate = [bool](Test-Path -LiteralPath ('Cert:\LocalMachine\My\' + $want.thumbprint)) }
"""


@pytest.fixture(scope="module")
def request_made(host):
    entry = {"subject": NAMES[0], "san": NAMES, "eku": ["Server Authentication", "Client Authentication"]}
    out = powershell(host, PS_NEW, inf=csr.inf_text(entry, "external", "lab-%s.invalid" % TAG))
    yield out
    for item in out.get("requests") or []:
        powershell(host, PS_CLEANUP, request=item["thumbprint"], thumbprint="0" * 40)


def test_certreq_new_makes_one_pending_machine_request_with_the_names(request_made):
    assert request_made["rc"] == 0, request_made["output"]
    [item] = request_made["requests"]
    assert item["subject"] == SUBJECT
    assert sorted(n.lower() for n in item["dns_names"]) == sorted(NAMES)  # the REQUEST entry carries the SANs
    assert item["has_private_key"] is True
    assert item["provider"] == csr.PROVIDER_NAME and item["provider_type"] == csr.PROVIDER_TYPE
    assert item["exportable"] is True and item["machine"] is True


def test_the_csr_has_the_plan_names_key_and_ekus(request_made):
    text = request_made["csr"]
    assert "-----BEGIN NEW CERTIFICATE REQUEST-----" in text
    request = csr.load_csr(text)
    assert request.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == NAMES[0]
    sans = request.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == NAMES  # in the INF's order
    ekus = request.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(ekus) == [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
    assert request.public_key().key_size == 2048
    # the module pairs a certificate with its request by GetPublicKey() of the REQUEST entry
    modulus = request.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    assert base64.b64decode(request_made["requests"][0]["public_key"]) == modulus


def test_certreq_accept_installs_the_certificate_with_its_key_and_ends_the_request(host, request_made):
    request = csr.load_csr(request_made["csr"])
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sfb.edge lab test CA %s" % TAG)])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(ca_key, hashes.SHA256()))
    cert = (x509.CertificateBuilder().subject_name(request.subject).issuer_name(ca_name)
            .public_key(request.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(request.extensions.get_extension_for_class(x509.SubjectAlternativeName).value, critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    der = cert.public_bytes(serialization.Encoding.DER)
    thumbprint = csr.thumbprint(cert)
    pending = request_made["requests"][0]["thumbprint"]
    try:
        out = powershell(host, PS_ACCEPT, ca=base64.b64encode(ca.public_bytes(serialization.Encoding.DER)).decode(),
                         cert=base64.b64encode(der).decode(), thumbprint=thumbprint, request=pending)
        assert out["rc"] == 0, out["output"]
        assert out["in_my"] and out["has_private_key"]
        assert out["provider"] == csr.PROVIDER_NAME
        assert out["still_pending"] is False  # the REQUEST entry is gone once accepted
    finally:
        powershell(host, PS_CLEANUP, request=pending, thumbprint=thumbprint)


# ------------------------------------------------------------------------- issue 19, points 12 and 13
PS_CERTREQ_FAILS = r"""
$exe = Join-Path ([Environment]::SystemDirectory) 'certreq.exe'
$psi = New-Object Diagnostics.ProcessStartInfo -ArgumentList $exe, ('-new -q -machine "' + $want.missing + '" "' + $want.missing + '.csr"')
$psi.UseShellExecute = $false; $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true
$p = [Diagnostics.Process]::Start($psi); $out = $p.StandardOutput.ReadToEnd(); $err = $p.StandardError.ReadToEnd(); $p.WaitForExit()
$ErrorActionPreference = 'Stop'
$terminating = $false
try { $null = & certreq.exe -new -q -machine $want.missing ($want.missing + '.csr') 2>&1 | Out-String } catch { $terminating = $true }
@{ rc = $p.ExitCode; text = ($out + $err).Trim(); terminating = $terminating }
"""

PS_CSR_KEY = r"""
$pkcs10 = New-Object -ComObject X509Enrollment.CX509CertificateRequestPkcs10
$pkcs10.InitializeDecode($want.csr, 6)
@{ key = ($pkcs10.PublicKey.EncodedKey(1) -replace '\s', '') }
"""

PS_STORE = r"""
$s = New-Object Security.Cryptography.X509Certificates.X509Store -ArgumentList $want.store, 'LocalMachine'
$s.Open('ReadWrite')
if ($want.data) { $s.Add((New-Object Security.Cryptography.X509Certificates.X509Certificate2 -ArgumentList (, [Convert]::FromBase64String($want.data)))) }
else { @($s.Certificates | Where-Object { $_.Thumbprint -eq $want.thumbprint }) | ForEach-Object { $s.Remove($_) } }
$s.Close(); @{ done = $true }
"""

PS_ACCEPT_ONLY = r"""
$cer = [IO.Path]::GetTempFileName()
[IO.File]::WriteAllBytes($cer, [Convert]::FromBase64String($want.cert))
$exe = Join-Path ([Environment]::SystemDirectory) 'certreq.exe'
$psi = New-Object Diagnostics.ProcessStartInfo -ArgumentList $exe, ('-accept -q -machine "' + $cer + '"')
$psi.UseShellExecute = $false; $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true
$p = [Diagnostics.Process]::Start($psi); $text = $p.StandardOutput.ReadToEnd() + $p.StandardError.ReadToEnd(); $p.WaitForExit()
Remove-Item $cer -Force
$mine = Get-Item -LiteralPath ('Cert:\LocalMachine\My\' + $want.thumbprint) -ErrorAction SilentlyContinue
@{ rc = $p.ExitCode; output = $text; has_private_key = [bool]($mine -and $mine.HasPrivateKey) }
"""


def test_certreq_failure_is_an_exit_code_and_text_not_a_terminating_error_when_read_as_a_process(host):
    """Point 13: certreq's failure reaches the module as an exit code and text when it runs as a process (as
    Ansible.Process.ProcessUtil runs it); the old `& certreq 2>&1` under ErrorActionPreference Stop throws
    instead in Windows PowerShell 5.1 when certreq writes to stderr."""
    missing = "C:\\Windows\\Temp\\sfbedge-%s-missing.inf" % TAG
    out = powershell(host, PS_CERTREQ_FAILS, missing=missing)
    assert out["rc"] != 0 and out["text"], out


def test_certenroll_reads_the_csr_key_as_get_public_key_gives_it(host, request_made):
    """Point 13: an interrupted run's new-<guid>.csr is paired with its REQUEST entry by this key."""
    out = powershell(host, PS_CSR_KEY, csr=request_made["csr"])
    assert out["key"] == request_made["requests"][0]["public_key"]


@pytest.fixture(scope="module")
def second_request(host):
    names = ["chain-%s.invalid" % TAG]
    entry = {"subject": names[0], "san": names, "eku": ["Server Authentication"]}
    out = powershell(host, PS_NEW, inf=csr.inf_text(entry, "external", "lab-%s.invalid" % TAG))
    yield out
    for item in out.get("requests") or []:
        powershell(host, PS_CLEANUP, request=item["thumbprint"], thumbprint="0" * 40)


def test_certreq_accept_builds_the_chain_from_the_ca_and_root_stores_without_aia(host, second_request):
    """Point 12: with the issuing CA in LocalMachine\\CA and the root in Root (what the module imports from
    its chain option), certreq -accept installs a certificate whose issuer has no AIA URL to fetch from."""
    request = csr.load_csr(second_request["csr"])
    now = datetime.datetime.now(datetime.timezone.utc)

    def build(subject, issuer, key, sign_key, ca, san=None):
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key)
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
                   .not_valid_after(now + datetime.timedelta(days=2))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if san is not None:
            builder = builder.add_extension(san, critical=False)
        return builder.sign(sign_key, hashes.SHA256())

    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    issuing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sfb.edge lab root %s" % TAG)])
    issuing_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sfb.edge lab issuing %s" % TAG)])
    root = build(root_name, root_name, root_key.public_key(), root_key, True)
    issuing = build(issuing_name, root_name, issuing_key.public_key(), root_key, True)
    cert = build(request.subject, issuing_name, request.public_key(), issuing_key, False,
                 request.extensions.get_extension_for_class(x509.SubjectAlternativeName).value)

    def b64(c):
        return base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode()

    pending = second_request["requests"][0]["thumbprint"]
    try:
        # one certificate per call (the cmd.exe line limit), as the module imports them: root into Root, issuing into CA
        powershell(host, PS_STORE, store="Root", data=b64(root))
        powershell(host, PS_STORE, store="CA", data=b64(issuing))
        out = powershell(host, PS_ACCEPT_ONLY, cert=b64(cert), thumbprint=csr.thumbprint(cert))
        assert out["rc"] == 0, out["output"]
        assert out["has_private_key"] is True
    finally:
        powershell(host, PS_CLEANUP, request=pending, thumbprint=csr.thumbprint(cert))
        powershell(host, PS_STORE, store="CA", thumbprint=csr.thumbprint(issuing))
        powershell(host, PS_STORE, store="Root", thumbprint=csr.thumbprint(root))


# ----------------------------------------------------- issue 19, section D: the key cleanup of edge_certificates
PS_KEY_CLEANUP = r"""
$pfx = [Convert]::FromBase64String([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String([IO.File]::ReadAllText((Join-Path $env:TEMP $want.file)))))
Remove-Item -LiteralPath (Join-Path $env:TEMP $want.file) -Force
$flags = [Security.Cryptography.X509Certificates.X509KeyStorageFlags]'MachineKeySet, PersistKeySet'
$cert = New-Object Security.Cryptography.X509Certificates.X509Certificate2 -ArgumentList $pfx, $want.password, $flags
$key = $cert.PrivateKey
$file = Join-Path $env:ProgramData ('Microsoft\Crypto\RSA\MachineKeys\' + $key.CspKeyContainerInfo.UniqueKeyContainerName)
$before = Test-Path -LiteralPath $file
$key.PersistKeyInCsp = $false
$key.Clear()
@{ type = $key.GetType().FullName; before = $before; after = (Test-Path -LiteralPath $file)
   release = [int](Get-ItemProperty 'HKLM:\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full').Release }
"""


def test_a_persisted_csp_key_is_deleted_through_privatekey_on_this_net(host):
    """edge_certificates' Remove-PersistedKey: a PFX read with MachineKeySet|PersistKeySet writes its CryptoAPI
    key to MachineKeys; X509Certificate2.PrivateKey (every .NET Framework, 4.5 of Lync 2013 too) is an
    RSACryptoServiceProvider, and PersistKeyInCsp = $false with Clear() deletes the container file."""
    from cryptography.hazmat.primitives.serialization import pkcs12
    from test_firewall_proof import _upload

    now = datetime.datetime.now(datetime.timezone.utc)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sfbedge-keytest-%s.invalid" % TAG)])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    password = TAG
    encryption = (serialization.PrivateFormat.PKCS12.encryption_builder()
                  .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC).hmac_hash(hashes.SHA1())
                  .build(password.encode()))
    pfx = pkcs12.serialize_key_and_certificates(b"keytest", key, cert, None, encryption)
    _upload(host, "sfb-edge-keytest-%s.b64" % TAG, base64.b64encode(pfx).decode("ascii"))
    out = powershell(host, PS_KEY_CLEANUP, file="sfb-edge-keytest-%s.b64" % TAG, password=password)
    assert out["type"] == "System.Security.Cryptography.RSACryptoServiceProvider", out
    assert out["before"] is True and out["after"] is False, out
