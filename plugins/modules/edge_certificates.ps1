#!powershell

# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic

# Imports certificates into LocalMachine stores, all in one call. The data and the passwords
# are never part of the result or of a message.

$spec = @{
    options = @{
        certificates = @{
            type = 'list'
            elements = 'dict'
            required = $true
            options = @{
                store = @{ type = 'str'; required = $true; choices = 'Root', 'CA', 'My' }
                thumbprint = @{ type = 'str'; required = $true }
                data = @{ type = 'str'; required = $true; no_log = $true }
                pfx = @{ type = 'bool'; default = $false }
                password = @{ type = 'str'; no_log = $true }
                exportable = @{ type = 'bool'; default = $false }
            }
        }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)

$x509 = 'System.Security.Cryptography.X509Certificates'

function Open-Store {
    param ([string]$Name, [string]$Mode)
    $store = New-Object -TypeName "$x509.X509Store" -ArgumentList $Name, 'LocalMachine'
    $store.Open($Mode)
    $store
}

function Read-Certificate {
    # The certificate of $Item; for a PFX the one with the private key, its key stored in the
    # machine key set only with -Persist (else it is deleted when the object is reset).
    param ($Item, [switch]$Persist)
    $bytes = [System.Convert]::FromBase64String($Item.data)
    if (-not $Item.pfx) { return New-Object -TypeName "$x509.X509Certificate2" -ArgumentList (, $bytes) }
    $flags = [System.Security.Cryptography.X509Certificates.X509KeyStorageFlags]::MachineKeySet
    if ($Persist) { $flags = $flags -bor [System.Security.Cryptography.X509Certificates.X509KeyStorageFlags]::PersistKeySet }
    if ($Item.exportable) { $flags = $flags -bor [System.Security.Cryptography.X509Certificates.X509KeyStorageFlags]::Exportable }
    New-Object -TypeName "$x509.X509Certificate2" -ArgumentList $bytes, ([string]$Item.password), $flags
}

function Remove-PersistedKey {
    # Deletes the private key a PersistKeySet import wrote to MachineKeys, when the certificate could not be added
    # to the store (nothing else refers to that key container then). Returns $true when it is gone, else the
    # key container's name (or 'unknown') for the message. A CryptoAPI key (what Lync/SfB certificates have) is
    # reached through X509Certificate2.PrivateKey, which exists on every .NET Framework (4.5 on Lync 2013 too);
    # RSACertificateExtensions (CNG keys) exists from .NET 4.6 only and is used only when present.
    param ($Certificate)
    if (-not $Certificate -or -not $Certificate.HasPrivateKey) { return $true }
    $container = 'unknown'
    try {
        $key = $Certificate.PrivateKey  # RSACryptoServiceProvider for a CryptoAPI key; throws for a CNG key
        if ($key -is [System.Security.Cryptography.RSACryptoServiceProvider]) {
            $container = $key.CspKeyContainerInfo.UniqueKeyContainerName
            $key.PersistKeyInCsp = $false
            $key.Clear()
            return $true
        }
    }
    catch { $null = $_ }
    $extensions = 'System.Security.Cryptography.X509Certificates.RSACertificateExtensions' -as [type]
    if ($extensions) {
        try {
            $key = $extensions::GetRSAPrivateKey($Certificate)
            if ($key -is [System.Security.Cryptography.RSACng]) {
                $container = $key.Key.UniqueName
                $key.Key.Delete()
                return $true
            }
        }
        catch { $null = $_ }
    }
    return $container
}

$module.Result.imported = [System.Collections.Generic.List[object]]@()

foreach ($item in $module.Params.certificates) {
    $thumbprint = ($item.thumbprint -replace '[^0-9A-Fa-f]', '').ToUpperInvariant()
    $where = "LocalMachine\$($item.store) $thumbprint"
    if ($item.store -eq 'My' -and -not $item.pfx) {
        $module.FailJson("${where}: a certificate for the My store needs its private key (pfx: true)")
    }

    $failure = $null
    try {
        $store = Open-Store -Name $item.store -Mode ReadOnly
        $present = @($store.Certificates | Where-Object { $_.Thumbprint -eq $thumbprint -and ($item.store -ne 'My' -or $_.HasPrivateKey) })
        $store.Close()
        if ($present) { continue }

        # Check the thumbprint before anything is stored (no key is kept from this read).
        $cert = Read-Certificate -Item $item
        $found = $cert.Thumbprint
        $cert.Reset()
    }
    catch { $failure = $_ }
    if ($failure) { $module.FailJson("${where}: could not read the certificate: $($failure.Exception.Message)", $failure) }
    if ($found -ne $thumbprint) {
        $module.FailJson("${where}: the certificate data has the thumbprint $found, not $thumbprint; nothing was imported for it")
    }

    if (-not $module.CheckMode) {
        $cert = $null
        $added = $false
        try {
            $cert = Read-Certificate -Item $item -Persist
            $store = Open-Store -Name $item.store -Mode ReadWrite
            $store.Add($cert)
            $added = $true
            $store.Close()
        }
        catch {
            $failure = $_
            # The key was persisted by the read: without the certificate in the store it is an orphan.
            $cleanup = $true
            if (-not $added) { $cleanup = Remove-PersistedKey -Certificate $cert }
        }
        if ($failure) {
            $left = ''
            if ($cleanup -ne $true) {
                $left = " The private key it wrote could not be removed (key container $cleanup in " +
                "$env:ProgramData\Microsoft\Crypto\RSA\MachineKeys); delete it by hand: certutil -delkey -csp " +
                "`"Microsoft RSA SChannel Cryptographic Provider`" <container>, or delete that file."
            }
            $module.FailJson("${where}: could not import the certificate: $($failure.Exception.Message).$left", $failure)
        }
    }
    $module.Result.imported.Add([ordered]@{ store = $item.store; thumbprint = $thumbprint })
    $module.Result.changed = $true
}
$module.ExitJson()
