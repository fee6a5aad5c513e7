#!powershell

# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic

# Opens a TCP connection from the host to every target at once and reports which could be
# opened within timeout_ms. Read-only: the connections are closed again at once.

$spec = @{
    options = @{
        targets = @{
            type = 'list'
            elements = 'dict'
            required = $true
            options = @{
                host = @{ type = 'str'; required = $true }
                port = @{ type = 'int'; required = $true }
            }
        }
        timeout_ms = @{ type = 'int'; default = 3000 }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$timeout = $module.Params.timeout_ms
# Ansible.Basic has no bounds for an int: the module refuses a wait above 60 seconds (or below 1 ms) itself.
if ($timeout -lt 1 -or $timeout -gt 60000) {
    $module.FailJson("timeout_ms is $($timeout): give the milliseconds to wait for all targets together, 1 to 60000 (60 seconds)")
}

$probes = @(foreach ($target in $module.Params.targets) {
        $probe = @{ host = $target.host; port = $target.port; client = $null; task = $null; error = $null }
        try {
            $probe.client = New-Object -TypeName System.Net.Sockets.TcpClient
            $probe.task = $probe.client.ConnectAsync([string]$target.host, [int]$target.port)
        }
        catch { $probe.error = $_.Exception.GetBaseException().Message }
        $probe
    })

$tasks = [System.Threading.Tasks.Task[]]@($probes | Where-Object { $_.task } | ForEach-Object { $_.task })
if ($tasks.Count -gt 0) {
    # WaitAll throws when a connection failed (once all are done); each task's state says which.
    try { $null = [System.Threading.Tasks.Task]::WaitAll($tasks, $timeout) }
    catch { $null = $_ }
}

$module.Result.results = @(foreach ($probe in $probes) {
        $open = $false
        $message = $probe.error
        if ($probe.task) {
            if ($probe.task.Status -eq 'RanToCompletion') { $open = $true }
            elseif ($probe.task.IsFaulted) { $message = $probe.task.Exception.GetBaseException().Message }
            else { $message = "no answer within $timeout ms" }
        }
        if ($probe.client) { $probe.client.Close() }
        [ordered]@{ host = $probe.host; port = $probe.port; open = $open; error = $message }
    })
$module.Result.changed = $false
$module.ExitJson()
