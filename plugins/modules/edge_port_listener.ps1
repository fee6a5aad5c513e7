#!powershell

# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic

# Temporary listeners for the firewall proof (docs/firewall-proof.md), as PortPeeker does by hand: a
# background powershell.exe, started through WMI (Win32_Process.Create) so that it outlives the WinRM
# shell, opens every TCP listener and UDP responder (echo) at once and closes them all when duration
# has passed - also when nobody comes to stop it. state=absent stops it and returns what it saw.

$spec = @{
    options = @{
        state = @{ type = 'str'; choices = @('present', 'absent'); default = 'present' }
        listeners = @{
            type = 'list'
            elements = 'dict'
            default = @()
            options = @{
                protocol = @{ type = 'str'; choices = @('TCP', 'UDP'); required = $true }
                address = @{ type = 'str'; required = $true }
                port = @{ type = 'int'; required = $true }
            }
        }
        duration = @{ type = 'int'; default = 300 }
        start_timeout = @{ type = 'int'; default = 20 }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$marker = '# sfb.edge firewall proof listener'
$statusFile = Join-Path -Path $env:ProgramData -ChildPath 'sfb.edge\firewall-proof.json'
# Windows Firewall allow rules for the listeners (else the host's own firewall answers for the perimeter);
# removed with the listeners, by the listener process itself at the end too.
$group = 'sfb.edge firewall proof'

# The listener process; @CONFIG@ is its settings as base64 JSON. Polls: accepts and closes TCP
# connections, echoes UDP datagrams, counts both; writes its status (atomically) when something changed.
$child = @'
# sfb.edge firewall proof listener
$cfg = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('@CONFIG@')) | ConvertFrom-Json
$until = [DateTime]::UtcNow.AddSeconds([int]$cfg.duration)
$started = (Get-Process -Id $PID).StartTime.ToUniversalTime().ToString('yyyyMMddHHmmssfffffff')
$items = @(foreach ($l in $cfg.listeners) {
        $item = @{ protocol = [string]$l.protocol; address = [string]$l.address; port = [int]$l.port; opened = $false; error = $null; hits = 0; socket = $null }
        try {
            $endpoint = New-Object -TypeName Net.IPEndPoint -ArgumentList ([Net.IPAddress]::Parse($item.address)), $item.port
            if ($item.protocol -eq 'TCP') {
                $item.socket = New-Object -TypeName Net.Sockets.TcpListener -ArgumentList $endpoint
                $item.socket.ExclusiveAddressUse = $true
                $item.socket.Start()
            }
            else {
                $item.socket = New-Object -TypeName Net.Sockets.UdpClient
                $item.socket.ExclusiveAddressUse = $true
                try { $null = $item.socket.Client.IOControl(-1744830452, [byte[]](0, 0, 0, 0), $null) } catch { $null = $_ }
                $item.socket.Client.Bind($endpoint)
            }
            $item.opened = $true
        }
        catch { $item.error = $_.Exception.GetBaseException().Message }
        $item
    })
function Write-Status {
    $out = @{ pid = $PID; started = $started; until = $until.ToString('o'); listeners = @($items | ForEach-Object {
                @{ protocol = $_.protocol; address = $_.address; port = $_.port; opened = $_.opened; error = $_.error; hits = $_.hits } }) }
    try {
        [IO.File]::WriteAllText($cfg.status + '.tmp', (ConvertTo-Json -InputObject $out -Depth 4))
        Move-Item -LiteralPath ($cfg.status + '.tmp') -Destination $cfg.status -Force
    }
    catch { $null = $_ }  # the module may be reading it: the next write brings it up to date
}
try {
    Write-Status
    while ([DateTime]::UtcNow -lt $until) {
        $seen = $false
        foreach ($item in @($items | Where-Object { $_.opened })) {
            if ($item.protocol -eq 'TCP') {
                while ($item.socket.Pending()) { $item.socket.AcceptTcpClient().Close(); $item.hits++; $seen = $true }
            }
            else {
                while ($item.socket.Available -gt 0) {
                    $from = New-Object -TypeName Net.IPEndPoint -ArgumentList ([Net.IPAddress]::Any), 0
                    try { $data = $item.socket.Receive([ref]$from); $null = $item.socket.Send($data, $data.Length, $from); $item.hits++; $seen = $true }
                    catch { $null = $_ }
                }
            }
        }
        if ($seen) { Write-Status }
        Start-Sleep -Milliseconds 50
    }
}
finally {
    foreach ($item in @($items | Where-Object { $_.socket })) { if ($item.protocol -eq 'TCP') { $item.socket.Stop() } else { $item.socket.Close() } }
    Remove-NetFirewallRule -Group $cfg.group -ErrorAction SilentlyContinue
    Remove-Item -LiteralPath $cfg.status -Force -ErrorAction SilentlyContinue
}
'@

function Get-ProofStatus {
    if (-not (Test-Path -LiteralPath $statusFile)) { return $null }
    try { return Get-Content -LiteralPath $statusFile -Raw | ConvertFrom-Json } catch { return $null }
}

function Test-ProofProcess([int]$Id, [string]$Started) {
    # The process is ours: its command line decodes to the listener script, and it started when the status says.
    $proc = Get-CimInstance -ClassName Win32_Process -Filter "ProcessId = $Id" -ErrorAction SilentlyContinue
    if (-not $proc -or -not ([string]$proc.CommandLine -match '-EncodedCommand\s+(\S+)')) { return $false }
    $script = [Text.Encoding]::Unicode.GetString([Convert]::FromBase64String($Matches[1]))
    $when = (Get-Process -Id $Id -ErrorAction SilentlyContinue).StartTime
    return ($script.StartsWith($marker) -and $when -and $when.ToUniversalTime().ToString('yyyyMMddHHmmssfffffff') -eq $Started)
}

function Remove-ProofRule {
    # Removes the allow rules of the group (also those a reboot or a killed run left: they are persistent and
    # found by their group); records their display names in rules_removed (in check mode: those it would remove).
    $rules = @(Get-NetFirewallRule -Group $group -ErrorAction SilentlyContinue)
    foreach ($rule in $rules) { $module.Result.rules_removed.Add([string]$rule.DisplayName) }
    if ($rules.Count -gt 0 -and -not $module.CheckMode) {
        Remove-NetFirewallRule -Group $group -ErrorAction SilentlyContinue
    }
}

function Stop-ProofListener {
    # Stops a running listener process and removes the group's rules; returns its last status (or $null when none ran).
    $status = Get-ProofStatus
    if ($status -and (Test-ProofProcess -Id $status.pid -Started $status.started) -and -not $module.CheckMode) {
        Stop-Process -Id $status.pid -Force -ErrorAction SilentlyContinue
    }
    Remove-ProofRule
    if (-not $module.CheckMode) {
        Remove-Item -LiteralPath $statusFile, ($statusFile + '.tmp') -Force -ErrorAction SilentlyContinue
    }
    return $status
}

function Format-Listener($l) { '{0} {1}:{2}' -f $l.protocol, $l.address, $l.port }

$module.Result.changed = $false
$module.Result.opened = @()
$module.Result.received = @()
$module.Result.rules_removed = [System.Collections.Generic.List[string]]@()
$wanted = @($module.Params.listeners)
if ($module.Params.state -eq 'absent') {
    $last = Stop-ProofListener
    if ($module.Result.rules_removed.Count -gt 0) { $module.Result.changed = $true }
    if ($last) {
        $module.Result.changed = $true
        $module.Result.received = @($last.listeners | ForEach-Object { @{ protocol = $_.protocol; address = $_.address; port = $_.port; hits = $_.hits } })
    }
    $module.ExitJson()
}

if ($wanted.Count -eq 0) { $module.FailJson('state=present needs listeners (protocol, address, port)') }
if ($module.Params.duration -lt 30 -or $module.Params.duration -gt 3600) {
    $module.FailJson("duration is $($module.Params.duration): give 30 to 3600 seconds (the listeners close themselves after it)")
}
foreach ($l in $wanted) {
    $ip = $null
    if (-not [Net.IPAddress]::TryParse([string]$l.address, [ref]$ip) -or $l.port -lt 1 -or $l.port -gt 65535) {
        $module.FailJson("listener $(Format-Listener $l): give an IPv4 address and a port from 1 to 65535")
    }
}
$null = Stop-ProofListener  # an earlier run's listeners go first (they would hold the ports)
$module.Result.changed = $true
if ($module.CheckMode) { $module.ExitJson() }

function Remove-ProofLeftover($Id) {
    # Everything a failed start leaves: the listener process, the group's allow rules, the status file.
    if ($Id) { Stop-Process -Id $Id -Force -ErrorAction SilentlyContinue }
    Remove-ProofRule
    Remove-Item -LiteralPath $statusFile, ($statusFile + '.tmp') -Force -ErrorAction SilentlyContinue
}

# From the first allow rule on, every failure - one this module names ($named, thrown) or any exception (New-Item,
# Invoke-CimMethod, ...) - ends in the catch; the finally removes the rules and stops the process again. FailJson
# runs only after it (never inside the try, whose catch would see its exit).
$made = $null
$failure = $null
$named = $null
$started = $false
try {
    foreach ($l in $wanted) {
        try { $null = New-NetFirewallRule -DisplayName "$group $(Format-Listener $l)" -Group $group -Direction Inbound -Action Allow `
            -Protocol $l.protocol -LocalAddress $l.address -LocalPort $l.port -Profile Any -ErrorAction Stop }
        catch { $named = "Windows Firewall rule for $(Format-Listener $l): $($_.Exception.Message); nothing is left open"; throw }
    }
    $config = @{ duration = $module.Params.duration; status = $statusFile; group = $group; listeners = @($wanted | ForEach-Object {
                @{ protocol = $_.protocol; address = $_.address; port = $_.port } }) }
    $null = New-Item -Path (Split-Path -Path $statusFile) -ItemType Directory -Force
    $encodedConfig = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes((ConvertTo-Json -InputObject $config -Depth 4 -Compress)))
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($child.Replace('@CONFIG@', $encodedConfig)))
    $command = 'powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ' + $encoded
    $made = Invoke-CimMethod -ClassName Win32_Process -MethodName Create -Arguments @{ CommandLine = $command }
    if ($made.ReturnValue -ne 0) {
        $named = "Win32_Process.Create failed with $($made.ReturnValue): the listener process did not start; nothing is left open"
        throw $named
    }

    $deadline = (Get-Date).AddSeconds($module.Params.start_timeout)
    $status = $null
    while ((Get-Date) -lt $deadline) {
        $status = Get-ProofStatus
        if ($status -and $status.pid -eq $made.ProcessId) { break }
        $status = $null
        Start-Sleep -Milliseconds 200
    }
    if (-not $status) {
        $named = "the listener process ($($made.ProcessId)) did not report within $($module.Params.start_timeout) s; it was stopped"
        throw $named
    }
    $failed = @($status.listeners | Where-Object { -not $_.opened })
    if ($failed.Count -gt 0) {
        $named = 'could not open ' + (@($failed | ForEach-Object { '{0} ({1})' -f (Format-Listener $_), $_.error }) -join '; ') + '; every listener was closed again'
        throw $named
    }
    $module.Result.pid = $status.pid
    $module.Result.until = $status.until
    $module.Result.opened = @($status.listeners | ForEach-Object { @{ protocol = $_.protocol; address = $_.address; port = $_.port } })
    $started = $true
}
catch { $failure = $_ }
finally {
    if (-not $started) { Remove-ProofLeftover $(if ($made) { $made.ProcessId }) }
}
if ($named) { $module.FailJson($named) }
if ($failure) {
    $module.FailJson("the firewall proof listeners could not be opened: $($failure.Exception.Message); the allow rules (" +
        "$(if ($module.Result.rules_removed.Count) { $module.Result.rules_removed -join ', ' } else { 'none yet' })) and the listener process were removed again", $failure)
}
$module.ExitJson()
