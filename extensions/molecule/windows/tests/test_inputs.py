# -*- coding: utf-8 -*-
"""Windows behaviour the inventory checks rely on (issue 9 points 6 and 16), checked on the real host.

Lines of docs/lab-checklist.md, section "Certificate files and inventory input". Run by `molecule verify -s windows` with the same
connection settings as test_edge.py (whose helpers this module uses). Nothing here changes the
host's configuration for good: the test PFX files go to a temporary folder that is removed, and
they are only decrypted (certutil -dump), never imported; the hosts-file test restores the exact
bytes it found.
"""

from __future__ import annotations

import base64
import datetime

import pytest
from test_edge import as_list, host, powershell  # noqa: F401  # pylint: disable=unused-import  # host is a fixture

# Windows 10 1709 / Server 2019 and later decrypt PBES2 (PBKDF2 + AES) PFX files; certs.PBES2_MIN_BUILD.
PBES2_MIN_BUILD = 16299
PASSWORD = "sfb-edge-lab-check"
CHUNK = 1500  # bytes of file per command line (test_edge.CMD_MAX)

PS_BUILD = r"""@{ build = [int][Environment]::OSVersion.Version.Build; temp = [IO.Path]::GetTempPath() }"""

PS_APPEND = r"""
$dir = Join-Path ([IO.Path]::GetTempPath()) 'sfb-edge-inputs'
$null = New-Item -ItemType Directory -Force -Path $dir
$path = Join-Path $dir $want.name
$bytes = [Convert]::FromBase64String($want.chunk)
$stream = [IO.File]::Open($path, [IO.FileMode]::Append)
try { $stream.Write($bytes, 0, $bytes.Length) } finally { $stream.Dispose() }
@{ path = $path; size = (Get-Item -LiteralPath $path).Length }
"""

# certutil -dump -p decrypts the whole PFX (key and certificate bags) without importing anything.
PS_DUMP = r"""
$path = Join-Path (Join-Path ([IO.Path]::GetTempPath()) 'sfb-edge-inputs') $want.name
$out = & certutil.exe -p $want.password -dump $path 2>&1 | Out-String
@{ exit = $LASTEXITCODE; output = $out }
"""

PS_CLEANUP = r"""
$dir = Join-Path ([IO.Path]::GetTempPath()) 'sfb-edge-inputs'
if (Test-Path -LiteralPath $dir) { Remove-Item -LiteralPath $dir -Recurse -Force }
@{ removed = $true }
"""

# Two hosts-file lines for one name: what the resolver returns, three times; the file's bytes are restored.
PS_HOSTS_TWICE = r"""
$path = Join-Path $env:SystemRoot 'System32\drivers\etc\hosts'
$before = [IO.File]::ReadAllBytes($path)
try {
    $lines = "`r`n$($want.first) $($want.name)`r`n$($want.second) $($want.name)`r`n"
    [IO.File]::WriteAllBytes($path, $before + [Text.Encoding]::ASCII.GetBytes($lines))
    Clear-DnsClientCache
    $answers = @(1..3 | ForEach-Object {
        Clear-DnsClientCache
        ,@([Net.Dns]::GetHostAddresses($want.name) | ForEach-Object { $_.IPAddressToString })
    })
} finally {
    [IO.File]::WriteAllBytes($path, $before)
    Clear-DnsClientCache
}
@{ answers = $answers }
"""


def _pfx(encryption):
    """A small self-signed EC certificate with its key, as PKCS#12 bytes (AES: OpenSSL 3 default; 3DES: -legacy)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sfb-edge-lab-check.invalid")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    if encryption == "aes":
        protection = serialization.BestAvailableEncryption(PASSWORD.encode())
    else:
        protection = (serialization.PrivateFormat.PKCS12.encryption_builder().kdf_rounds(2048)
                      .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC).hmac_hash(hashes.SHA1())
                      .build(PASSWORD.encode()))
    return pkcs12.serialize_key_and_certificates(b"lab-check", key, cert, None, protection)


@pytest.fixture(scope="module")
def build(host):  # noqa: F811  # pylint: disable=redefined-outer-name
    return int(powershell(host, PS_BUILD)["build"])


@pytest.fixture(scope="module")
def pfx_files(host):  # noqa: F811  # pylint: disable=redefined-outer-name
    """Upload an AES and a 3DES PFX (in chunks: one command line is limited); removed afterwards."""
    names = {}
    try:
        for encryption in ("aes", "3des"):
            data = _pfx(encryption)
            name = "lab-%s.pfx" % encryption
            for start in range(0, len(data), CHUNK):
                result = powershell(host, PS_APPEND, name=name,
                                    chunk=base64.b64encode(data[start:start + CHUNK]).decode("ascii"))
            assert int(result["size"]) == len(data)
            names[encryption] = name
        yield names
    finally:
        powershell(host, PS_CLEANUP)


@pytest.mark.parametrize("encryption", ["aes", "3des"])
def test_pfx_encryption_readable_per_os_build(host, build, pfx_files, encryption):  # noqa: F811
    """Lab checklist: PBES2/AES PFX only from build 16299; pbeWithSHAAnd3-KeyTripleDES-CBC on every build."""
    result = powershell(host, PS_DUMP, name=pfx_files[encryption], password=PASSWORD)
    readable = int(result["exit"]) == 0
    expected = encryption == "3des" or build >= PBES2_MIN_BUILD
    assert readable == expected, "build %d, %s PFX: certutil -dump exit %s, expected %s\n%s" % (
        build, encryption, result["exit"], "success" if expected else "failure", result["output"])
    if not readable:
        # the misleading message the finding quotes ("The specified network password is not correct")
        assert "0x80070056" in result["output"] or "password" in result["output"].lower(), result["output"]


def test_hosts_file_name_on_two_lines_is_not_load_balanced(host):  # noqa: F811
    """Lab checklist: two hosts-file lines for one name give a fixed answer (no round robin, no failover)."""
    answers = [as_list(a) for a in as_list(powershell(host, PS_HOSTS_TWICE, name="sfb-edge-lab-check.invalid",
                                                      first="192.0.2.201", second="192.0.2.202")["answers"])]
    assert answers and all(a == answers[0] for a in answers), "answers changed between lookups: %s" % answers
    assert answers[0][0] == "192.0.2.201", "the first line is not the first answer: %s" % answers
