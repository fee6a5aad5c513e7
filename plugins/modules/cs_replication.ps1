#!powershell

# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell ansible_collections.sfb.edge.plugins.module_utils.SfbEdge

# On a Front End: the replication state of the Central Management Store on the given replicas
# (edge servers); with invoke, replication is first pushed to those not up to date.

$spec = @{
    options = @{
        replicas = @{ type = 'list'; elements = 'str'; required = $true }
        invoke = @{ type = 'bool'; default = $false }
        wait = @{ type = 'int'; default = 0 }
        module_path = @{ type = 'path' }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$replicas = @($module.Params.replicas | ForEach-Object { ([string]$_).ToLowerInvariant() })

function Get-ReplicaState {
    # One entry per replica. The status of every replica is read in one call and matched by FQDN,
    # so a replica the CMS does not know gives up_to_date = null instead of an error.
    $all = @(Get-CsManagementStoreReplicationStatus -ErrorAction Stop)
    foreach ($fqdn in $replicas) {
        $status = $all | Where-Object { ([string]$_.ReplicaFqdn).ToLowerInvariant() -eq $fqdn } | Select-Object -First 1
        [ordered]@{
            fqdn = $fqdn
            up_to_date = if ($status) { [bool]$status.UpToDate } else { $null }
            last_status_report = if ($status) { ConvertTo-SfbEdgeUtcText $status.LastStatusReport } else { $null }
            last_update_creation = if ($status) { ConvertTo-SfbEdgeUtcText $status.LastUpdateCreation } else { $null }
        }
    }
}

$failure = $null
try {
    Import-SfbEdgeCsModule -Path $module.Params.module_path
    $state = @(Get-ReplicaState)
}
catch { $failure = $_ }
if ($failure) { $module.FailJson($failure.Exception.Message, $failure) }

$behind = @($state | Where-Object { $_.up_to_date -eq $false } | ForEach-Object { $_.fqdn })
$module.Result.invoked = $behind
if (-not $module.Params.invoke) { $module.Result.invoked = @() }
elseif ($behind) {
    $module.Result.changed = $true
    if (-not $module.CheckMode) {
        try {
            foreach ($fqdn in $behind) { $null = Invoke-CsManagementStoreReplication -ReplicaFqdn $fqdn -ErrorAction Stop }
            $deadline = (Get-Date).AddSeconds($module.Params.wait)
            while ((Get-Date) -lt $deadline) {
                Start-Sleep -Seconds 5
                $state = @(Get-ReplicaState)
                if (-not @($state | Where-Object { $_.fqdn -in $behind -and $_.up_to_date -ne $true })) { break }
            }
            $state = @(Get-ReplicaState)
        }
        catch { $failure = $_ }
        if ($failure) { $module.FailJson("Could not replicate to $($behind -join ', '): $($failure.Exception.Message)", $failure) }
    }
}
$module.Result.replicas = $state
$module.ExitJson()
