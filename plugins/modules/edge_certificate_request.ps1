#!powershell

# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic

# A certificate request made on the host (certreq -new: the private key is created in the machine key
# set and never leaves it) and the CA's answer accepted back (certreq -accept). The INF comes from the
# controller (sfb.edge.certificate_request); pending requests are read from Cert:\LocalMachine\REQUEST.

$spec = @{
    options = @{
        state = @{ type = 'str'; default = 'present'; choices = 'present', 'accepted' }
        subject = @{ type = 'str'; required = $true }
        dns_names = @{ type = 'list'; elements = 'str'; default = @() }
        inf = @{ type = 'str' }
        certificate = @{ type = 'str' }
        request_dir = @{ type = 'path'; default = '%ProgramData%\sfb.edge\certificate-requests' }
        renew = @{ type = 'bool'; default = $false }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$subject = $module.Params.subject
$requestDir = [System.Environment]::ExpandEnvironmentVariables($module.Params.request_dir)
$wanted = @($module.Params.dns_names | ForEach-Object { $_.ToLowerInvariant() } | Sort-Object -Unique)
$module.Result.changed = $false
$module.Result.status = $null
$module.Result.csr = $null
$module.Result.thumbprint = $null
$module.Result.subject = $subject

function Get-DnsName {
    param ($Certificate)
    @($Certificate.DnsNameList | ForEach-Object { $_.Unicode.ToLowerInvariant() } | Sort-Object -Unique)
}

function Test-SameName {
    # Same subject, and the same SAN DNS names when the object carries them.
    param ($Certificate)
    if ($Certificate.Subject -ne $subject) { return $false }
    $names = Get-DnsName -Certificate $Certificate
    ($names.Count -eq 0) -or (($names -join ',') -eq ($wanted -join ','))
}

function Test-Cover {
    # An issued certificate: its SAN DNS names cover every wanted name, a one-label wildcard too (a CA
    # may add names or RDNs).
    param ($Certificate)
    $names = Get-DnsName -Certificate $Certificate
    $missing = @($wanted | Where-Object {
            $names -notcontains $_ -and -not ($_.Contains('.') -and $names -contains ('*.' + $_.Substring($_.IndexOf('.') + 1)))
        })
    ($wanted.Count -gt 0) -and $missing.Count -eq 0
}

function Invoke-CertReq {
    param ([string[]]$Arguments, [string]$Step)
    $output = & certreq.exe @Arguments 2>&1 | Out-String
    if ($LASTEXITCODE -ne 0) {
        $module.FailJson("certreq $Step failed for $subject (exit code $LASTEXITCODE): $($output.Trim())")
    }
}

function Get-Pending {
    @(Get-ChildItem -Path Cert:\LocalMachine\REQUEST | Sort-Object -Property NotBefore -Descending)
}

if ($module.Params.state -eq 'present') {
    if (-not $module.Params.inf) { $module.FailJson('state=present needs inf, the certreq policy file text') }
    $now = Get-Date
    $issued = @()
    if (-not $module.Params.renew) {
        $issued = @(Get-ChildItem -Path Cert:\LocalMachine\My | Where-Object {
                $_.HasPrivateKey -and $_.NotAfter -gt $now -and (Test-Cover -Certificate $_)
            } | Sort-Object -Property NotAfter -Descending)
    }
    if ($issued) {
        $module.Result.status = 'issued'
        $module.Result.thumbprint = $issued[0].Thumbprint
        $module.ExitJson()
    }
    foreach ($request in (Get-Pending | Where-Object { Test-SameName -Certificate $_ })) {
        $file = Join-Path -Path $requestDir -ChildPath "$($request.Thumbprint).csr"
        if (Test-Path -LiteralPath $file -PathType Leaf) {
            $module.Result.status = 'pending'
            $module.Result.thumbprint = $request.Thumbprint
            $module.Result.csr = [System.IO.File]::ReadAllText($file)
            $module.ExitJson()
        }
        $module.Warn("pending request $($request.Thumbprint) for $subject has no CSR in $requestDir (made by hand?); " +
            "a new request is made. Remove the old one: Remove-Item Cert:\LocalMachine\REQUEST\$($request.Thumbprint) -DeleteKey")
    }
    $module.Result.changed = $true
    $module.Result.status = 'created'
    $module.Diff.before = ''
    $module.Diff.after = $module.Params.inf
    if ($module.CheckMode) { $module.ExitJson() }

    $null = New-Item -Path $requestDir -ItemType Directory -Force
    $before = @(Get-Pending | ForEach-Object { $_.Thumbprint })
    $infPath = [System.IO.Path]::GetTempFileName()
    $csrPath = Join-Path -Path $requestDir -ChildPath "new-$([guid]::NewGuid()).csr"
    try {
        $text = $module.Params.inf -replace "`r?`n", "`r`n"
        [System.IO.File]::WriteAllText($infPath, $text, [System.Text.Encoding]::ASCII)
        Invoke-CertReq -Arguments @('-new', '-q', '-machine', $infPath, $csrPath) -Step '-new'
    }
    finally { Remove-Item -LiteralPath $infPath -Force -ErrorAction SilentlyContinue }
    $new = @(Get-Pending | Where-Object { $before -notcontains $_.Thumbprint -and $_.Subject -eq $subject })
    if ($new.Count -ne 1) {
        $module.FailJson("certreq -new for $subject left $($new.Count) new entries in Cert:\LocalMachine\REQUEST, not 1; the CSR is $csrPath")
    }
    $final = Join-Path -Path $requestDir -ChildPath "$($new[0].Thumbprint).csr"
    Move-Item -LiteralPath $csrPath -Destination $final -Force
    $module.Result.thumbprint = $new[0].Thumbprint
    $module.Result.csr = [System.IO.File]::ReadAllText($final)
    $module.ExitJson()
}

# state=accepted: the CA's answer to a pending request of this host.
if (-not $module.Params.certificate) { $module.FailJson('state=accepted needs certificate, the base64 DER of the issued certificate') }
try {
    $bytes = [System.Convert]::FromBase64String($module.Params.certificate)
    $cert = New-Object -TypeName System.Security.Cryptography.X509Certificates.X509Certificate2 -ArgumentList (, $bytes)
}
catch { $module.FailJson("certificate: not a base64 DER certificate: $($_.Exception.Message)", $_) }
$thumbprint = $cert.Thumbprint
$module.Result.thumbprint = $thumbprint
$installed = Get-Item -LiteralPath "Cert:\LocalMachine\My\$thumbprint" -ErrorAction SilentlyContinue
if ($installed -and $installed.HasPrivateKey) {
    $module.Result.status = 'accepted'
    $module.ExitJson()
}
$key = [System.Convert]::ToBase64String($cert.GetPublicKey())
$request = @(Get-Pending | Where-Object { [System.Convert]::ToBase64String($_.GetPublicKey()) -eq $key })
if (-not $request) {
    $module.FailJson("certificate $thumbprint ($($cert.Subject)) answers no pending request of this host: no entry of " +
        "Cert:\LocalMachine\REQUEST holds its public key. Have the CA issue the CSR this host made (see the role's output)")
}
$module.Result.changed = $true
$module.Result.status = 'accepted'
$module.Result.request_thumbprint = $request[0].Thumbprint
$module.Diff.before = ''
$module.Diff.after = "Cert:\LocalMachine\My\$thumbprint $($cert.Subject)`n"
if ($module.CheckMode) { $module.ExitJson() }

$cerPath = [System.IO.Path]::GetTempFileName()
try {
    [System.IO.File]::WriteAllBytes($cerPath, $bytes)
    Invoke-CertReq -Arguments @('-accept', '-q', '-machine', $cerPath) -Step '-accept'
}
finally { Remove-Item -LiteralPath $cerPath -Force -ErrorAction SilentlyContinue }
$installed = Get-Item -LiteralPath "Cert:\LocalMachine\My\$thumbprint" -ErrorAction SilentlyContinue
if (-not ($installed -and $installed.HasPrivateKey)) {
    $module.FailJson("certreq -accept ran but Cert:\LocalMachine\My\$thumbprint with its private key is not there")
}
Remove-Item -LiteralPath (Join-Path -Path $requestDir -ChildPath "$($request[0].Thumbprint).csr") -Force -ErrorAction SilentlyContinue
$module.ExitJson()
