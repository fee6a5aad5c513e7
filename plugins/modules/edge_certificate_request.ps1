#!powershell

# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -CSharpUtil Ansible.Process

# A certificate request made on the host (certreq -new: the private key is created in the machine key
# set and never leaves it) and the CA's answer accepted back (certreq -accept). The INF comes from the
# controller (sfb.edge.certificate_request); pending requests are read from Cert:\LocalMachine\REQUEST.
# certreq runs through Ansible.Process.ProcessUtil (as edge_cs does): its stderr is read, never turned
# into a terminating PowerShell error. The CA certificates of the chain (from the controller, which
# checked that they reach a trusted root) go into CA / Root before certreq -accept: a DMZ edge usually
# cannot fetch intermediates by AIA.

$spec = @{
    options = @{
        state = @{ type = 'str'; default = 'present'; choices = 'present', 'accepted' }
        subject = @{ type = 'str'; required = $true }
        dns_names = @{ type = 'list'; elements = 'str'; default = @() }
        inf = @{ type = 'str' }
        certificate = @{ type = 'str' }
        chain = @{ type = 'list'; elements = 'str'; default = @() }
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
$module.Result.chain_imported = [System.Collections.Generic.List[string]]@()

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
    # certreq.exe through ProcessUtil: stdout and stderr are read as text, the exit code decides.
    param ([string[]]$Arguments, [string]$Step)
    $exe = Join-Path -Path ([System.Environment]::SystemDirectory) -ChildPath 'certreq.exe'
    $line = '"{0}" {1}' -f $exe, (($Arguments | ForEach-Object { '"{0}"' -f $_ }) -join ' ')
    $failure = $null
    try { $result = [Ansible.Process.ProcessUtil]::CreateProcess($null, $line, [System.Environment]::SystemDirectory, $null) }
    catch { $failure = $_ }
    if ($failure) { $module.FailJson("certreq $Step for $subject could not start: $($failure.Exception.Message)", $failure) }
    $output = "$($result.StandardOut)$($result.StandardError)".Trim()
    if ($result.ExitCode -ne 0) {
        $module.FailJson("certreq $Step failed for $subject (exit code $($result.ExitCode)): $output")
    }
}

function Get-Pending {
    @(Get-ChildItem -Path Cert:\LocalMachine\REQUEST | Sort-Object -Property NotBefore -Descending)
}

function Get-CsrKey {
    # The base64 public key of a CSR file (CertEnroll decodes it), comparable to X509Certificate2.GetPublicKey().
    param ([string]$Path)
    try {
        $pkcs10 = New-Object -ComObject X509Enrollment.CX509CertificateRequestPkcs10
        $pkcs10.InitializeDecode([System.IO.File]::ReadAllText($Path), 6)  # XCN_CRYPT_STRING_BASE64_ANY
        ($pkcs10.PublicKey.EncodedKey(1) -replace '\s', '')  # XCN_CRYPT_STRING_BASE64
    }
    catch { $null }
}

function Import-Chain {
    # The chain's CA certificates into LocalMachine\Root (self-signed) or CA (the others), those missing.
    foreach ($data in $module.Params.chain) {
        $failure = $null
        try {
            $bytes = [System.Convert]::FromBase64String($data)
            $ca = New-Object -TypeName System.Security.Cryptography.X509Certificates.X509Certificate2 -ArgumentList (, $bytes)
            $name = if ($ca.Subject -eq $ca.Issuer) { 'Root' } else { 'CA' }
            $store = New-Object -TypeName System.Security.Cryptography.X509Certificates.X509Store -ArgumentList $name, 'LocalMachine'
            $store.Open($(if ($module.CheckMode) { 'ReadOnly' } else { 'ReadWrite' }))
            try {
                if (-not @($store.Certificates | Where-Object { $_.Thumbprint -eq $ca.Thumbprint })) {
                    if (-not $module.CheckMode) { $store.Add($ca) }
                    $module.Result.chain_imported.Add("$name\$($ca.Thumbprint)")
                    $module.Result.changed = $true
                }
            }
            finally { $store.Close() }
        }
        catch { $failure = $_ }
        if ($failure) {
            $module.FailJson("chain of $subject`: could not import a CA certificate into LocalMachine: $($failure.Exception.Message)", $failure)
        }
    }
}

if ($module.Params.state -eq 'present') {
    if (-not $module.Params.inf) { $module.FailJson('state=present needs inf, the certreq policy file text') }
    # The pending request is found by the subject the INF makes: the INF and the subject must agree.
    $infSubject = [regex]::Match($module.Params.inf, '(?m)^\s*Subject\s*=\s*"([^"]*)"')
    if (-not $infSubject.Success -or $infSubject.Groups[1].Value -ne $subject) {
        $module.FailJson("the INF's Subject ($(if ($infSubject.Success) { $infSubject.Groups[1].Value } else { 'none' })) is not subject $subject; " +
            'give the INF sfb.edge.certificate_request wrote for this subject')
    }
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
    # A pending request for the subject is never made twice (a second key): its CSR is returned, also
    # when an interrupted run left it as new-<guid>.csr (matched by its public key).
    $orphans = @(Get-ChildItem -Path (Join-Path -Path $requestDir -ChildPath 'new-*.csr') -File -ErrorAction SilentlyContinue)
    $unknown = @()
    foreach ($request in (Get-Pending | Where-Object { Test-SameName -Certificate $_ })) {
        $file = Join-Path -Path $requestDir -ChildPath "$($request.Thumbprint).csr"
        if (-not (Test-Path -LiteralPath $file -PathType Leaf)) {
            $key = [System.Convert]::ToBase64String($request.GetPublicKey())
            $orphan = @($orphans | Where-Object { (Get-CsrKey -Path $_.FullName) -eq $key }) | Select-Object -First 1
            if ($orphan -and -not $module.CheckMode) {
                Move-Item -LiteralPath $orphan.FullName -Destination $file -Force
            }
            elseif ($orphan) { $file = $orphan.FullName }
        }
        if (Test-Path -LiteralPath $file -PathType Leaf) {
            $module.Result.status = 'pending'
            $module.Result.thumbprint = $request.Thumbprint
            $module.Result.csr = [System.IO.File]::ReadAllText($file)
            $module.ExitJson()
        }
        $unknown += $request.Thumbprint
    }
    if ($unknown) {
        $module.FailJson("$subject has a pending request in Cert:\LocalMachine\REQUEST ($($unknown -join ', ')) whose CSR is not in " +
            "$requestDir (made by hand, or the file was deleted); no second key is made. Send that request's CSR to the CA " +
            "if you have it, or remove it and run again: " +
            (($unknown | ForEach-Object { "Remove-Item Cert:\LocalMachine\REQUEST\$_ -DeleteKey" }) -join '; '))
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
Import-Chain
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
