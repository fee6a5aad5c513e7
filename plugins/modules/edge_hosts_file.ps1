#!powershell

# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic

# Writes the hosts file bytes the controller computed from the bytes sfb.edge.edge_facts read
# (plugins/plugin_utils/hostsfile.py decides everything: encoding, BOM, line endings, the block).
# Bytes only: the file is read with ReadAllBytes, its SHA-256 is taken over those bytes, and the new
# bytes are written with WriteAllBytes only while that hash is still expected_sha256.

$spec = @{
    options = @{
        content_base64 = @{ type = 'str'; required = $true }
        path = @{ type = 'path'; default = '%SystemRoot%\System32\drivers\etc\hosts' }
        expected_sha256 = @{ type = 'str'; required = $true }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$path = $module.Params.path
$expected = $module.Params.expected_sha256.Trim().ToUpperInvariant()

function Get-Sha256Hex {
    param ([byte[]]$Bytes)
    $sha256 = [System.Security.Cryptography.SHA256]::Create()
    try { [System.BitConverter]::ToString($sha256.ComputeHash($Bytes)).Replace('-', '') }
    finally { $sha256.Dispose() }
}

$failure = $null
try { $new = [System.Convert]::FromBase64String($module.Params.content_base64) }
catch { $failure = $_ }
if ($failure) { $module.FailJson("content_base64 is not base64: $($failure.Exception.Message)") }

# A missing file counts as no bytes.
$current = [byte[]]@()
try {
    if (Test-Path -LiteralPath $path) { $current = [System.IO.File]::ReadAllBytes($path) }
}
catch { $failure = $_ }
if ($failure) { $module.FailJson("Could not read $($path): $($failure.Exception.Message)", $failure) }

$actual = Get-Sha256Hex -Bytes $current
if ($actual -ne $expected) {
    $module.FailJson("The hosts file $path changed since the state was gathered (SHA-256 of its bytes $actual, expected $expected); nothing was written - run again")
}
$after = Get-Sha256Hex -Bytes $new
$module.Result.sha256 = $actual
$module.Diff.before = "SHA-256 $actual, $($current.Length) bytes`n"
$module.Diff.after = "SHA-256 $after, $($new.Length) bytes`n"

if ($after -ne $actual) {
    $module.Result.changed = $true
    $module.Result.sha256 = $after
    if (-not $module.CheckMode) {
        try { [System.IO.File]::WriteAllBytes($path, $new) }
        catch { $failure = $_ }
        if ($failure) {
            $module.FailJson("Could not write $($path): $($failure.Exception.Message) (is the file read-only, or locked by an anti-virus scanner?)", $failure)
        }
    }
}
$module.ExitJson()
