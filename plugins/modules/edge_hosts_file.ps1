#!powershell

# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic

# Writes the hosts file content the controller computed from the gathered state. With
# expected_sha256, refuses to write when the file changed after that state was gathered.

$spec = @{
    options = @{
        content = @{ type = 'str'; required = $true }
        path = @{ type = 'path'; default = '%SystemRoot%\System32\drivers\etc\hosts' }
        expected_sha256 = @{ type = 'str' }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$path = $module.Params.path
$content = $module.Params.content
$expected = $module.Params.expected_sha256

$current = ''
$failure = $null
try {
    if (Test-Path -LiteralPath $path -PathType Leaf) { $current = [System.IO.File]::ReadAllText($path) }
}
catch { $failure = $_ }
if ($failure) { $module.FailJson("Could not read $($path): $($failure.Exception.Message)", $failure) }

if ($expected) {
    $sha256 = [System.Security.Cryptography.SHA256]::Create()
    $bytes = $sha256.ComputeHash([System.Text.Encoding]::UTF8.GetBytes($current))
    $actual = [System.BitConverter]::ToString($bytes).Replace('-', '')
    if ($actual -ne $expected.Trim()) {
        $module.FailJson("The hosts file $path changed since the state was gathered (SHA-256 $actual, expected $($expected.Trim())); nothing was written - run again")
    }
}

$module.Diff.before = $current
$module.Diff.after = $content
$module.Diff.before_header = $path
$module.Diff.after_header = $path

if ($content -cne $current) {
    $module.Result.changed = $true
    if (-not $module.CheckMode) {
        try { [System.IO.File]::WriteAllText($path, $content, (New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false)) }
        catch { $failure = $_ }
        if ($failure) { $module.FailJson("Could not write $($path): $($failure.Exception.Message)", $failure) }
    }
}
$module.ExitJson()
