#!powershell

# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell ansible_collections.sfb.edge.plugins.module_utils.SfbEdge

# On a Front End: exports the topology and configuration (Export-CsConfiguration) to a zip the
# playbook fetches, imports on the edge server (sfb.edge.edge_cs) and removes. Only a temporary
# file is written, so the task never reports a change.

$spec = @{
    options = @{
        path = @{ type = 'path' }
        module_path = @{ type = 'path' }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$module.Result.changed = $false
$module.Result.path = $null
$module.Result.size = $null
if ($module.CheckMode) { $module.ExitJson() }

$path = $module.Params.path
if (-not $path) { $path = Join-Path $env:TEMP ('sfb-edge-config-{0}.zip' -f [guid]::NewGuid()) }

$failure = $null
try { Import-SfbEdgeCsModule -Path $module.Params.module_path }
catch { $failure = $_ }
if ($failure) { $module.FailJson($failure.Exception.Message, $failure) }

try {
    $null = Export-CsConfiguration -FileName $path -Force -ErrorAction Stop
    $size = (Get-Item -LiteralPath $path -ErrorAction Stop).Length
}
catch {
    $failure = $_
    # A failed export may leave a partial zip; the result says path: null, so nothing else removes it.
    Remove-Item -LiteralPath $path -Force -ErrorAction SilentlyContinue
}
if ($failure) { $module.FailJson("Could not export the configuration to ${path}: $($failure.Exception.Message)", $failure) }

$module.Result.path = $path
$module.Result.size = [long]$size
$module.ExitJson()
