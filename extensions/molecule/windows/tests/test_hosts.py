# -*- coding: utf-8 -*-
"""The hosts file on the real edge server, as bytes (docs/lab-checklist.md, "hosts").

The collection reads the hosts file with [System.IO.File]::ReadAllBytes, hashes those bytes with
SHA-256 (upper-case hex) and writes bytes back with WriteAllBytes; the controller decodes them as
UTF-8 (BOM kept) or the ANSI code page, taken to be Windows-1252 (docs/windows-roles.md, "Hosts
file").  These tests confirm on the host what that relies on.  Like test_edge.py they read the host
with plain PowerShell and decode here, without the collection's code.
"""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from test_edge import HOST, HOSTS_BEGIN, HOSTS_END, desired, host, powershell  # noqa: F401  # fixtures

PS_HOSTS_BYTES = r"""
$path = Join-Path $env:SystemRoot 'System32\drivers\etc\hosts'
$bytes = [IO.File]::ReadAllBytes($path)
$sha = [Security.Cryptography.SHA256]::Create()
$item = Get-Item -LiteralPath $path -Force
@{
    path = $path; raw = [Convert]::ToBase64String($bytes)
    sha256 = [BitConverter]::ToString($sha.ComputeHash($bytes)).Replace('-', '')
    attributes = [string]$item.Attributes
    acp = [string](Get-ItemProperty -Path 'HKLM:\SYSTEM\CurrentControlSet\Control\Nls\CodePage').ACP
}
"""

PS_ROUND_TRIP = r"""
$path = Join-Path ([IO.Path]::GetTempPath()) ('sfb-edge-hosts-{0}.tmp' -f [guid]::NewGuid())
try {
    [IO.File]::WriteAllBytes($path, [Convert]::FromBase64String($want.longer))
    [IO.File]::WriteAllBytes($path, [Convert]::FromBase64String($want.data))
    $back = [IO.File]::ReadAllBytes($path)
    $sha = [Security.Cryptography.SHA256]::Create()
    @{ raw = [Convert]::ToBase64String($back); sha256 = [BitConverter]::ToString($sha.ComputeHash($back)).Replace('-', '') }
}
finally { Remove-Item -LiteralPath $path -Force -ErrorAction SilentlyContinue }
"""

PS_RESOLVE = r"""
@{ resolved = @(foreach ($name in @($want.names)) {
    $addresses = @()
    try { $addresses = @([Net.Dns]::GetHostAddresses($name) | ForEach-Object { $_.IPAddressToString }) } catch { }
    @{ name = $name; addresses = $addresses } }) }
"""

# Every kind of byte sequence the controller must get back unchanged: a UTF-8 BOM, CRLF and LF lines,
# a Windows-1252 e-acute, a byte Windows-1252 leaves undefined, a tab, no final newline.
SAMPLE = b"\xef\xbb\xbf# caf\xe9 \x81\r\n10.1.1.1\tone.example.com\n# last line without newline"


@pytest.fixture(scope="module")
def hosts_bytes(host):
    out = powershell(host, PS_HOSTS_BYTES)
    out["data"] = base64.b64decode(out["raw"])
    return out


def _text(data):
    try:
        return data[3:].decode("utf-8") if data.startswith(b"\xef\xbb\xbf") else data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def test_read_and_write_all_bytes_keep_every_byte(host):
    """WriteAllBytes writes the bytes as given (no BOM added, no newline conversion, an existing longer file
    is truncated) and ReadAllBytes returns them; SHA-256 over the bytes equals Python's."""
    out = powershell(host, PS_ROUND_TRIP, data=base64.b64encode(SAMPLE).decode("ascii"),
                     longer=base64.b64encode(SAMPLE * 3).decode("ascii"))
    assert base64.b64decode(out["raw"]) == SAMPLE
    assert out["sha256"] == hashlib.sha256(SAMPLE).hexdigest().upper()


def test_hosts_file_hash_is_taken_over_its_bytes(hosts_bytes):
    assert hosts_bytes["sha256"] == hashlib.sha256(hosts_bytes["data"]).hexdigest().upper()


def test_hosts_file_is_writable_in_place(hosts_bytes):
    """WriteAllBytes (FileMode.Create) fails on a read-only or hidden file."""
    attributes = {a.strip() for a in hosts_bytes["attributes"].split(",")}
    assert not attributes & {"ReadOnly", "Hidden"}, \
        "%s has the attributes %s: sfb.edge.edge_hosts_file cannot write it" % (hosts_bytes["path"], attributes)


def test_hosts_file_has_one_managed_block_with_the_planned_entries_in_its_bytes(hosts_bytes, desired):
    data = hosts_bytes["data"]
    lines = [line.rstrip(b"\r") for line in data.split(b"\n")]
    begin, end = HOSTS_BEGIN.encode("ascii"), HOSTS_END.encode("ascii")
    assert [line.strip() for line in lines].count(begin) == 1 and [line.strip() for line in lines].count(end) == 1
    first = [line.strip() for line in lines].index(begin)
    last = [line.strip() for line in lines].index(end)
    got = sorted((f[0].decode(), tuple(n.decode().lower() for n in f[1:]))
                 for f in (re.split(rb"[ \t]+", line.strip()) for line in lines[first + 1:last] if line.strip()))
    want = sorted((e["ip"], tuple(n.lower() for n in e["names"])) for e in desired["hosts_file"]["entries"])
    assert got == want


def test_hosts_file_encoding_was_kept(hosts_bytes):
    """No U+FFFD written back as EF BF BD (the old ReadAllText/UTF-8 round trip did that to ANSI bytes), and
    the managed block ends its lines like the rest of the file."""
    data = hosts_bytes["data"]
    assert b"\xef\xbf\xbd" not in data, "the hosts file holds EF BF BD (U+FFFD): ANSI bytes were re-encoded"
    endings = re.findall(rb"\r?\n", data)
    block = data[data.index(HOSTS_BEGIN.encode()):]
    block = block[:block.index(HOSTS_END.encode()) + len(HOSTS_END)]
    block_endings = set(re.findall(rb"\r?\n", block))
    assert len(block_endings) <= 1
    if block_endings and endings.count(b"\r\n") != endings.count(b"\n"):
        assert block_endings == {max((b"\r\n", b"\n"), key=endings.count)}


def test_ansi_code_page_is_windows_1252_or_the_file_is_utf8(hosts_bytes):
    """The controller shows non-UTF-8 hosts files as Windows-1252 (only --diff depends on it)."""
    data = hosts_bytes["data"]
    try:
        data.decode("utf-8")
        return
    except UnicodeDecodeError:
        pass
    assert hosts_bytes["acp"] == "1252", (
        "%s: ANSI code page %s and a hosts file that is not UTF-8: --diff shows its non-ASCII characters as "
        "Windows-1252 (the bytes are still written back unchanged)" % (HOST, hosts_bytes["acp"]))


def test_planned_names_resolve_to_the_planned_addresses(host, desired):
    """Windows reads the managed block as written (encoding, BOM, line endings kept)."""
    entries = desired["hosts_file"]["entries"]
    if not entries:
        pytest.skip("no sfb_edge_internal_hosts planned")
    names = [n for e in entries for n in e["names"]]
    resolved = {r["name"]: r["addresses"] for r in powershell(host, PS_RESOLVE, names=names)["resolved"]}
    for e in entries:
        for name in e["names"]:
            got = resolved.get(name) or []
            assert e["ip"] in ([got] if isinstance(got, str) else got), "%s resolves to %s, planned %s" % (
                name, got, e["ip"])
