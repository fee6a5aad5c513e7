# -*- coding: utf-8 -*-
"""What sfb.edge.edge_port_listener assumes about Windows (docs/lab-checklist.md, section "Firewall proof"),
checked on the real edge over WinRM with the connection of test_edge.py.

The listener process is the module's own script (the here-string $child of edge_port_listener.ps1, taken from
the source so the lab checks the code that ships), started the module's way (Win32_Process.Create through
CIM), on the loopback and on free ports only, with its status file under %TEMP% and its own firewall rule
group: the edge's services and the real proof's state are not touched. Every test stops what it started.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from pathlib import Path

from test_edge import host, powershell  # noqa: F401  # pylint: disable=unused-import  # the edge fixture

MODULE = Path(__file__).resolve().parents[4] / "plugins" / "modules" / "edge_port_listener.ps1"
MARKER = "# sfb.edge firewall proof listener"
GROUP = "sfb.edge firewall proof lab test"
CHUNK = 1200


def _child():
    """The listener script of the module, exactly as the module passes it to powershell.exe."""
    source = MODULE.read_text(encoding="utf-8")
    match = re.search(r"^\$child = @'\r?\n(.*?)\r?\n'@$", source, re.M | re.S)
    assert match, "edge_port_listener.ps1 has no $child here-string"
    assert match.group(1).startswith(MARKER)
    return match.group(1)


# Snippets longer than one command line allows go to a file under %TEMP% in chunks (base64 of UTF-8), then
# PS_RUN runs that file's script in the wrapper (it sees $want).
PS_APPEND = r"""
$path = Join-Path $env:TEMP $want.file
if ($want.first) { Remove-Item -LiteralPath $path -Force -ErrorAction SilentlyContinue }
[IO.File]::AppendAllText($path, [string]$want.chunk)
@{ ok = $true }
"""

PS_RUN = r"""
. ([scriptblock]::Create([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String([IO.File]::ReadAllText((Join-Path $env:TEMP $want.file))))))
"""

# Starts the script as the module does; returns the process id, the status path and the free ports it chose.
PS_START = r"""
$child = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String([IO.File]::ReadAllText((Join-Path $env:TEMP 'sfb-edge-fwproof-child.b64'))))
$t = New-Object Net.Sockets.TcpListener ([Net.IPAddress]::Loopback), 0; $t.Start(); $tcp = $t.LocalEndpoint.Port; $t.Stop()
$u = New-Object Net.Sockets.UdpClient 0; $udp = $u.Client.LocalEndPoint.Port; $u.Close()
$status = Join-Path $env:TEMP ('sfb-edge-fwproof-test-' + [guid]::NewGuid().ToString('N') + '.json')
$listeners = @(@{ protocol = 'TCP'; address = '127.0.0.1'; port = $tcp }, @{ protocol = 'UDP'; address = '127.0.0.1'; port = $udp })
if ($want.foreign) { $listeners += @{ protocol = 'TCP'; address = '192.0.2.254'; port = $tcp } }
foreach ($l in $listeners) {
    $null = New-NetFirewallRule -DisplayName ('{0} {1} {2}:{3}' -f $want.group, $l.protocol, $l.address, $l.port) -Group $want.group `
        -Direction Inbound -Action Allow -Protocol $l.protocol -LocalAddress $l.address -LocalPort $l.port -Profile Any
}
$cfg = @{ duration = [int]$want.duration; status = $status; group = $want.group; listeners = $listeners }
$b64 = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes((ConvertTo-Json -InputObject $cfg -Depth 4 -Compress)))
$encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($child.Replace('@CONFIG@', $b64)))
$made = Invoke-CimMethod -ClassName Win32_Process -MethodName Create -Arguments @{
    CommandLine = 'powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ' + $encoded }
$deadline = (Get-Date).AddSeconds(20)
while ((Get-Date) -lt $deadline -and -not (Test-Path -LiteralPath $status)) { Start-Sleep -Milliseconds 200 }
@{ return_value = [int]$made.ReturnValue; pid = [int]$made.ProcessId; status = $status; tcp = $tcp; udp = $udp
   rules = @(Get-NetFirewallRule -Group $want.group -ErrorAction SilentlyContinue).Count }
"""

# In a new WinRM shell: is the process there, do the listeners answer, what does the status say.
PS_USE = r"""
$proc = Get-CimInstance -ClassName Win32_Process -Filter ('ProcessId = {0}' -f [int]$want.pid)
$decoded = $null
if ($proc -and ([string]$proc.CommandLine -match '-EncodedCommand\s+(\S+)')) {
    $decoded = [Text.Encoding]::Unicode.GetString([Convert]::FromBase64String($Matches[1])) }
$tcpOpen = $false
try { $c = New-Object Net.Sockets.TcpClient; $c.Connect('127.0.0.1', [int]$want.tcp); $tcpOpen = $c.Connected; $c.Close() } catch { $null = $_ }
$echo = $null
try {
    $u = New-Object Net.Sockets.UdpClient; $u.Client.ReceiveTimeout = 3000; $u.Connect('127.0.0.1', [int]$want.udp)
    $bytes = [Text.Encoding]::ASCII.GetBytes('sfb.edge lab'); $null = $u.Send($bytes, $bytes.Length)
    $from = New-Object Net.IPEndPoint ([Net.IPAddress]::Any), 0; $echo = [Text.Encoding]::ASCII.GetString($u.Receive([ref]$from)); $u.Close()
} catch { $echo = 'error: ' + $_.Exception.Message }
Start-Sleep -Milliseconds 500
$started = $null
if (Get-Process -Id ([int]$want.pid) -ErrorAction SilentlyContinue) {
    $started = (Get-Process -Id ([int]$want.pid)).StartTime.ToUniversalTime().ToString('yyyyMMddHHmmssfffffff') }
@{ running = [bool]$proc; marker = ($decoded -and $decoded.StartsWith($want.marker)); started = $started
   tcp_open = $tcpOpen; echo = $echo
   status = $(if (Test-Path -LiteralPath $want.status) { Get-Content -LiteralPath $want.status -Raw } else { $null }) }
"""

PS_STOP = r"""
Stop-Process -Id ([int]$want.pid) -Force -ErrorAction SilentlyContinue
Remove-NetFirewallRule -Group $want.group -ErrorAction SilentlyContinue
Remove-Item -LiteralPath $want.status -Force -ErrorAction SilentlyContinue
Get-ChildItem -Path $env:TEMP -Filter 'sfb-edge-fwproof-*.b64' | Remove-Item -Force -ErrorAction SilentlyContinue
@{ ok = $true }
"""

PS_GONE = r"""
@{ running = [bool](Get-Process -Id ([int]$want.pid) -ErrorAction SilentlyContinue)
   status = (Test-Path -LiteralPath $want.status)
   rules = @(Get-NetFirewallRule -Group $want.group -ErrorAction SilentlyContinue).Count }
"""


def _upload(host, name, text):  # noqa: F811
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    for index in range(0, len(payload), CHUNK):
        powershell(host, PS_APPEND, file=name, first=index == 0, chunk=payload[index:index + CHUNK])


def _run(host, script, **params):  # noqa: F811
    name = "sfb-edge-fwproof-%s.b64" % hashlib.sha256(script.encode("utf-8")).hexdigest()[:16]
    _upload(host, name, script)
    return powershell(host, PS_RUN, file=name, **params)


def _start(host, duration, foreign=False):  # noqa: F811
    _upload(host, "sfb-edge-fwproof-child.b64", _child())
    return _run(host, PS_START, duration=duration, group=GROUP, foreign=foreign)


def _stop(host, started):  # noqa: F811
    powershell(host, PS_STOP, pid=started["pid"], status=started["status"], group=GROUP)


def test_listener_outlives_the_winrm_shell_and_answers_tcp_and_udp(host):  # noqa: F811
    """Win32_Process.Create starts the listener outside the WinRM shell's job: it still runs from the next
    shell; the TcpListener accepts, the UdpClient echoes the datagram, the status file counts both; its
    command line decodes to the script (the marker state=absent checks) and its StartTime round-trips."""
    started = _start(host, 60)
    try:
        assert started["return_value"] == 0 and started["rules"] == 2, started
        used = _run(host, PS_USE, pid=started["pid"], tcp=started["tcp"], udp=started["udp"],
                    status=started["status"], marker=MARKER)
        assert used["running"] and used["marker"], used
        assert used["tcp_open"] is True and used["echo"] == "sfb.edge lab", used
        status = json.loads(used["status"])
        assert status["pid"] == started["pid"] and status["started"] == used["started"], status
        hits = {(l["protocol"], l["port"]): (l["opened"], l["hits"]) for l in status["listeners"]}
        assert hits == {("TCP", started["tcp"]): (True, 1), ("UDP", started["udp"]): (True, 1)}, status
    finally:
        _stop(host, started)


def test_listener_closes_itself_and_its_firewall_rules_after_the_duration(host):  # noqa: F811
    """Nobody stops it: after the duration the process exits, its status file and its firewall rule group are
    gone (the finally block of the script runs on a normal end)."""
    started = _start(host, 5)
    try:
        assert started["return_value"] == 0 and started["rules"] == 2, started
        time.sleep(12)
        gone = powershell(host, PS_GONE, pid=started["pid"], status=started["status"], group=GROUP)
        assert gone == {"running": False, "status": False, "rules": 0}, gone
    finally:
        _stop(host, started)


def test_a_foreign_address_is_reported_not_opened(host):  # noqa: F811
    """Binding an address the server does not have fails in the listener (the module then stops it and fails,
    naming the address:port); the listeners that could open are reported opened."""
    started = _start(host, 60, foreign=True)
    try:
        used = _run(host, PS_USE, pid=started["pid"], tcp=started["tcp"], udp=started["udp"],
                    status=started["status"], marker=MARKER)
        status = json.loads(used["status"])
        opened = {(l["address"], l["protocol"]): (l["opened"], bool(l["error"])) for l in status["listeners"]}
        assert opened == {("127.0.0.1", "TCP"): (True, False), ("127.0.0.1", "UDP"): (True, False),
                          ("192.0.2.254", "TCP"): (False, True)}, status
    finally:
        _stop(host, started)


# ----------------------------------------------------------------------- issue 19, point 14
PS_KILLED = r"""
Stop-Process -Id ([int]$want.pid) -Force
Start-Sleep -Seconds 2
$rules = @(Get-NetFirewallRule -Group $want.group -ErrorAction SilentlyContinue)
$persistent = @(Get-NetFirewallRule -Group $want.group -PolicyStore PersistentStore -ErrorAction SilentlyContinue)
$names = @($rules | ForEach-Object { [string]$_.DisplayName })
Remove-NetFirewallRule -Group $want.group -ErrorAction SilentlyContinue
@{ names = $names; persistent = $persistent.Count
   after = @(Get-NetFirewallRule -Group $want.group -ErrorAction SilentlyContinue).Count }
"""


def test_a_killed_listener_leaves_persistent_rules_the_close_call_finds_by_group(host):  # noqa: F811
    """A listener killed (as a reboot ends it) never runs its finally: its allow rules stay, in the
    PersistentStore (they survive the reboot); Get-NetFirewallRule -Group finds them with their display names
    and Remove-NetFirewallRule -Group removes them - what Remove-ProofRule does on the close call."""
    started = _start(host, 60)
    try:
        assert started["return_value"] == 0 and started["rules"] == 2, started
        killed = powershell(host, PS_KILLED, pid=started["pid"], group=GROUP)
        assert sorted(killed["names"]) == sorted(["%s TCP 127.0.0.1:%d" % (GROUP, started["tcp"]),
                                                  "%s UDP 127.0.0.1:%d" % (GROUP, started["udp"])]), killed
        assert killed["persistent"] == 2 and killed["after"] == 0, killed
    finally:
        _stop(host, started)
