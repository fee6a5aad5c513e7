#!powershell

# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell ansible_collections.sfb.edge.plugins.module_utils.SfbEdge

# Reads, in one call, the state the sfb.edge roles decide on; the format is docs/state-format.md.
# Read-only. Each part is read on its own: a failing cmdlet gives a warning and an empty value,
# never a failed task.

$spec = @{
    options = @{
        hosts_path = @{ type = 'path'; default = '%SystemRoot%\System32\drivers\etc\hosts' }
        connection_ports = @{ type = 'list'; elements = 'int'; default = @(5985, 5986) }
        cs = @{
            type = 'dict'
            options = @{
                module_path = @{ type = 'path' }
                install_dir = @{ type = 'path' }
                services = @{ type = 'list'; elements = 'str'; default = @() }
                features = @{ type = 'list'; elements = 'str'; default = @() }
                cu_installer = @{ type = 'path' }
            }
        }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)

function Read-Part {
    # Output of $Script; on an error a warning (none when the cmdlet merely found nothing) and
    # $Default if given, else no output at all (so that @(Read-Part ...) is an empty list).
    param ([string]$What, [scriptblock]$Script, $Default)
    try {
        & $Script
    }
    catch {
        if ($_.CategoryInfo.Category -ne 'ObjectNotFound') {
            $module.Warn("Could not read ${What}: $($_.Exception.Message)")
        }
        if ($PSBoundParameters.ContainsKey('Default')) { $Default }
    }
}

$unread = @{}   # what could not be read from one of the policy stores

function Read-Store {
    # The objects $Script reads from the policy store $Store (the script block sees it as $Store),
    # each as @{ store; item }. A failure other than finding nothing gives a warning and marks
    # $What unread, so that the store flags are left out rather than a copy reported missing.
    param ([string]$What, [string]$Store, [scriptblock]$Script)
    try {
        & $Script | ForEach-Object { @{ store = $Store; item = $_ } }
    }
    catch {
        if ($_.CategoryInfo.Category -ne 'ObjectNotFound') {
            $module.Warn("Could not read $What ($Store): $($_.Exception.Message)")
            $unread[$What] = $true
        }
    }
}

function Merge-Store {
    # One entry per key from the copies of both stores (the active copy first), with the flags
    # active and persistent when both stores were read.
    param ($Copies, [scriptblock]$Key, [bool]$Flags)
    $merged = [ordered]@{}
    foreach ($copy in $Copies) {
        $k = & $Key $copy.item
        if (-not $merged.Contains($k)) { $merged[$k] = @{ item = $copy.item; active = $false; persistent = $false } }
        $merged[$k][$(if ($copy.store -eq 'ActiveStore') { 'active' } else { 'persistent' })] = $true
    }
    foreach ($entry in $merged.Values) { $entry.flags = $Flags; $entry }
}

function Get-RegistryValue {
    param ([string]$Path, [string]$Name)
    $item = Get-ItemProperty -LiteralPath $Path -Name $Name -ErrorAction SilentlyContinue
    if ($item) { $item.$Name }
}

function Get-ByIndex {
    param ($List, [int]$Index)
    $List | Where-Object { $_.InterfaceIndex -eq $Index } | Select-Object -First 1
}

function Get-KeyProvider {
    # @{ name; legacy } of the certificate's private key, $null when it has none.
    param ($Cert)
    if (-not $Cert.HasPrivateKey) { return $null }
    $key = $null
    try {
        # Windows PowerShell (.NET Framework): a CryptoAPI key is an RSACryptoServiceProvider,
        # a CNG key makes this throw.
        $key = $Cert.PrivateKey
    }
    catch { $key = $null }
    if ($key -isnot [System.Security.Cryptography.ICspAsymmetricAlgorithm]) {
        try {
            $key = [System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($Cert)
            if (-not $key) {
                $key = [System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions]::GetECDsaPrivateKey($Cert)
            }
        }
        catch {
            $module.Warn("Could not open the private key of certificate $($Cert.Thumbprint): $($_.Exception.Message)")
            return $null
        }
    }
    if ($key -is [System.Security.Cryptography.ICspAsymmetricAlgorithm]) {
        return @{ name = $key.CspKeyContainerInfo.ProviderName; legacy = $true }
    }
    if ($key -and $key.Key -is [System.Security.Cryptography.CngKey]) {
        return @{ name = $key.Key.Provider.Provider; legacy = $false }
    }
    $null
}

function ConvertTo-UtcText {
    param ([datetime]$Date)
    $Date.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", [System.Globalization.CultureInfo]::InvariantCulture)
}

function Get-CertificateInfo {
    param ($Cert)
    $size = $null
    try { $size = $Cert.PublicKey.Key.KeySize }
    catch {
        # .NET Framework cannot give PublicKey.Key for EC keys.
        try { $size = [System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions]::GetECDsaPublicKey($Cert).KeySize }
        catch { $size = $null }
    }
    $provider = Get-KeyProvider -Cert $Cert
    [ordered]@{
        thumbprint = $Cert.Thumbprint
        subject = $Cert.Subject
        issuer = $Cert.Issuer
        dns_names = @(foreach ($name in $Cert.DnsNameList) { [string]$name.Unicode })
        not_before = ConvertTo-UtcText $Cert.NotBefore
        not_after = ConvertTo-UtcText $Cert.NotAfter
        has_private_key = $Cert.HasPrivateKey
        key_algorithm = $Cert.PublicKey.Oid.FriendlyName
        key_size = $size
        key_provider = if ($provider) { $provider.name } else { $null }
        legacy_csp = if ($provider) { $provider.legacy } else { $null }
        eku = @($Cert.Extensions |
                Where-Object { $_ -is [System.Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension] } |
                ForEach-Object { $_.EnhancedKeyUsages } |
                ForEach-Object { [string]$_.Value })
    }
}

$state = [ordered]@{ format = 1 }

# ------------------------------------------------------------------------------ computer
$tcpip = 'HKLM:\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters'
$names = 'HKLM:\SYSTEM\CurrentControlSet\Control\ComputerName'
$system = Read-Part 'Win32_ComputerSystem' { Get-CimInstance -ClassName Win32_ComputerSystem -ErrorAction Stop } -Default $null
$reasons = @(Read-Part 'the pending reboot flags' {
        if (Test-Path -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending') {
            'ComponentBasedServicing'
        }
        if (Test-Path -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired') {
            'WindowsUpdate'
        }
        if (Get-RegistryValue 'HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager' 'PendingFileRenameOperations') {
            'PendingFileRenameOperations'
        }
        if ((Get-RegistryValue "$names\ActiveComputerName" 'ComputerName') -ne (Get-RegistryValue "$names\ComputerName" 'ComputerName')) {
            'ComputerRename'
        }
    })
# The prerequisites of the Lync/SfB setup (plugins/plugin_utils/prereqs.py decides on them).
$os = Read-Part 'Win32_OperatingSystem' { Get-CimInstance -ClassName Win32_OperatingSystem -ErrorAction Stop } -Default $null
$identity = Read-Part 'the connecting account' { [Security.Principal.WindowsIdentity]::GetCurrent() } -Default $null
$au = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU'
function ConvertTo-IntOrNull {
    param ($Value)
    if ($null -eq $Value) { $null } else { [int]$Value }
}
$user = $null
if ($identity) {
    $user = [ordered]@{
        name = $identity.Name
        sid = $identity.User.Value
        builtin_administrator = $identity.User.Value -match '^S-1-5-21-.+-500$'
        system = $identity.User.Value -eq 'S-1-5-18'
        elevated = ([Security.Principal.WindowsPrincipal]$identity).IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
    }
}
$state.computer = [ordered]@{
    hostname = [Environment]::MachineName
    pending_hostname = Read-Part 'the pending host name' { Get-RegistryValue $tcpip 'NV Hostname' } -Default $null
    dns_suffix = [string](Read-Part 'the primary DNS suffix' { Get-RegistryValue $tcpip 'NV Domain' } -Default '')
    part_of_domain = if ($system) { [bool]$system.PartOfDomain } else { $null }
    domain = if ($system) { $system.Domain } else { $null }
    workgroup = if ($system) { $system.Workgroup } else { $null }
    pending_reboot = $reasons.Count -gt 0
    pending_reboot_reasons = $reasons
    os_version = if ($os) { [string]$os.Version } else { $null }
    os_build = if ($os) { [int]$os.BuildNumber } else { $null }
    os_caption = if ($os) { [string]$os.Caption } else { $null }
    dotnet_release = Read-Part 'the .NET Framework release' {
        ConvertTo-IntOrNull (Get-RegistryValue 'HKLM:\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full' 'Release')
    } -Default $null
    local_account_token_filter_policy = Read-Part 'LocalAccountTokenFilterPolicy' {
        ConvertTo-IntOrNull (Get-RegistryValue 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System' 'LocalAccountTokenFilterPolicy')
    } -Default $null
    user = $user
    windows_update = [ordered]@{
        au_options = Read-Part 'the Windows Update policy' { ConvertTo-IntOrNull (Get-RegistryValue $au 'AUOptions') } -Default $null
        no_auto_update = Read-Part 'the Windows Update policy' { ConvertTo-IntOrNull (Get-RegistryValue $au 'NoAutoUpdate') } -Default $null
    }
}

# ------------------------------------------------------------------------------ adapters
$adapters = @(Read-Part 'the network adapters' { Get-NetAdapter -ErrorAction Stop })
$ipInterfaces = @(Read-Part 'the IPv4 interfaces' { Get-NetIPInterface -AddressFamily IPv4 -ErrorAction Stop })
# Addresses and routes from both policy stores: a copy in one store only is lost at the next reboot
# (ActiveStore) or not in use until then (PersistentStore). Without -PolicyStore the cmdlets read
# the active store only.
$stores = 'ActiveStore', 'PersistentStore'
$addressCopies = @(foreach ($store in $stores) {
        Read-Store 'the IPv4 addresses' $store { Get-NetIPAddress -AddressFamily IPv4 -PolicyStore $Store -ErrorAction Stop }
    })
$ipAddresses = @(Merge-Store -Copies $addressCopies -Flags (-not $unread['the IPv4 addresses']) -Key {
        param ($ip) '{0}|{1}' -f [int]$ip.InterfaceIndex, $ip.IPAddress
    })
$routeCopies = @(foreach ($store in $stores) {
        Read-Store 'the IPv4 routes' $store {
            # The active store also holds the routes Windows makes itself (Protocol Local, DHCP):
            # besides default routes, only static routes (NetMgmt) are read from it.
            Get-NetRoute -AddressFamily IPv4 -PolicyStore $Store -ErrorAction Stop | Where-Object {
                $Store -eq 'PersistentStore' -or [string]$_.Protocol -eq 'NetMgmt' -or $_.DestinationPrefix -eq '0.0.0.0/0'
            }
        }
    })
$allRoutes = @(Merge-Store -Copies $routeCopies -Flags (-not $unread['the IPv4 routes']) -Key {
        param ($route) '{0}|{1}|{2}' -f $route.DestinationPrefix, [int]$route.InterfaceIndex, $route.NextHop
    })
$defaultRoutes = @($allRoutes | Where-Object { $_.item.DestinationPrefix -eq '0.0.0.0/0' })
$dnsServers = @(Read-Part 'the DNS servers' { Get-DnsClientServerAddress -AddressFamily IPv4 -ErrorAction Stop })
$dnsClients = @(Read-Part 'the DNS client settings' { Get-DnsClient -ErrorAction Stop })
$netbiosConfigs = @(Read-Part 'the NetBIOS settings' {
        Get-CimInstance -ClassName Win32_NetworkAdapterConfiguration -ErrorAction Stop
    })
$netbiosNames = @{ 0 = 'default'; 1 = 'enabled'; 2 = 'disabled' }

$state.adapters = @(foreach ($adapter in $adapters) {
        $index = [int]$adapter.ifIndex
        $ipInterface = Get-ByIndex $ipInterfaces $index
        $dns = Get-ByIndex $dnsServers $index
        $client = Get-ByIndex $dnsClients $index
        $netbios = Get-ByIndex $netbiosConfigs $index
        $netbiosSetting = $null
        if ($netbios -and $null -ne $netbios.TcpipNetbiosOptions) { $netbiosSetting = $netbiosNames[[int]$netbios.TcpipNetbiosOptions] }
        [ordered]@{
            name = $adapter.Name
            description = $adapter.InterfaceDescription
            mac = $adapter.MacAddress
            index = $index
            status = [string]$adapter.Status
            dhcp = if ($ipInterface) { [string]$ipInterface.Dhcp -eq 'Enabled' } else { $null }
            addresses = @($ipAddresses |
                    Where-Object { $_.item.InterfaceIndex -eq $index -and $_.item.IPAddress -notlike '169.254.*' } |
                    ForEach-Object {
                        $address = [ordered]@{
                            address = $_.item.IPAddress
                            prefix_length = [int]$_.item.PrefixLength
                            skip_as_source = [bool]$_.item.SkipAsSource
                            origin = [string]$_.item.PrefixOrigin
                        }
                        if ($_.flags) { $address.active = $_.active; $address.persistent = $_.persistent }
                        $address
                    })
            # gateways: the next hops of the active default routes (in use now)
            gateways = @($defaultRoutes | Where-Object { $_.item.InterfaceIndex -eq $index -and $_.active } |
                    ForEach-Object { [string]$_.item.NextHop })
            default_routes = @($defaultRoutes | Where-Object { $_.flags -and $_.item.InterfaceIndex -eq $index } | ForEach-Object {
                    [ordered]@{ next_hop = [string]$_.item.NextHop; active = $_.active; persistent = $_.persistent }
                })
            dns_servers = @(if ($dns) { foreach ($server in $dns.ServerAddresses) { [string]$server } })
            register_in_dns = if ($client) { [bool]$client.RegisterThisConnectionsAddress } else { $null }
            netbios = $netbiosSetting
        }
    })

# ------------------------------------------------------------------------------ routes
$aliases = @{}
foreach ($ipInterface in $ipInterfaces) { $aliases[[int]$ipInterface.InterfaceIndex] = $ipInterface.InterfaceAlias }
foreach ($adapter in $adapters) { $aliases[[int]$adapter.ifIndex] = $adapter.Name }
# The static routes of both stores (without default routes); interface_exists false: a persistent
# route whose interface index has no interface any more.
$state.routes = @($allRoutes | Where-Object { $_.item.DestinationPrefix -ne '0.0.0.0/0' } | ForEach-Object {
        $route = [ordered]@{
            destination = $_.item.DestinationPrefix
            gateway = $_.item.NextHop
            interface = $aliases[[int]$_.item.InterfaceIndex]
            interface_index = [int]$_.item.InterfaceIndex
            metric = [int]$_.item.RouteMetric
            interface_exists = $aliases.ContainsKey([int]$_.item.InterfaceIndex)
        }
        if ($_.flags) { $route.active = $_.active; $route.persistent = $_.persistent }
        $route
    })

# ------------------------------------------------------------------------------ hosts file
# The file's bytes, undecoded (base64): the controller decodes them and writes bytes back
# (plugins/plugin_utils/hostsfile.py). Not readable: raw and sha256 are left out (= not read).
$hostsPath = $module.Params.hosts_path
$state.hosts_file = [ordered]@{ path = $hostsPath; exists = $false }
try {
    $hostsBytes = [byte[]]@()
    if (Test-Path -LiteralPath $hostsPath) {
        $hostsBytes = [System.IO.File]::ReadAllBytes($hostsPath)
        $state.hosts_file.exists = $true
    }
    else { $module.Warn("The hosts file $hostsPath does not exist") }
    $hostsSha256 = [System.Security.Cryptography.SHA256]::Create()
    $state.hosts_file.sha256 = [System.BitConverter]::ToString($hostsSha256.ComputeHash($hostsBytes)).Replace('-', '')
    $hostsSha256.Dispose()
    $state.hosts_file.raw = [System.Convert]::ToBase64String($hostsBytes)
}
catch {
    $state.hosts_file.Remove('sha256')
    $module.Warn("Could not read the hosts file $($hostsPath): $($_.Exception.Message)")
}

# ------------------------------------------------------------------------------ certificates
$state.certificates = [ordered]@{}
foreach ($storeName in 'My', 'Root', 'CA') {
    $certs = @(Read-Part "the certificate store LocalMachine\$storeName" {
            Get-ChildItem -LiteralPath "Cert:\LocalMachine\$storeName" -ErrorAction Stop
        })
    $state.certificates[$storeName] = @(foreach ($cert in $certs) {
            Read-Part "certificate $($cert.Thumbprint) in LocalMachine\$storeName" { Get-CertificateInfo -Cert $cert }
        })
}

# ------------------------------------------------------------------------------ connection
# All established connections, filtered here: -LocalPort with several ports raises for the first
# port that has none. None at all is an empty list (ObjectNotFound gives no warning). Always a list.
$connectionPorts = [int[]]@($module.Params.connection_ports)
$state.connection_ports = $connectionPorts
$state.connection = [object[]]@(Read-Part 'the established TCP connections' {
        Get-NetTCPConnection -State Established -ErrorAction Stop
    } | Where-Object { $connectionPorts -contains [int]$_.LocalPort } | ForEach-Object {
        [ordered]@{
            local_address = [string]$_.LocalAddress
            local_port = [int]$_.LocalPort
            remote_address = [string]$_.RemoteAddress
            remote_port = [int]$_.RemotePort
        }
    })

# ------------------------------------------------------------------------------ listeners
$processNames = @{}
foreach ($process in @(Read-Part 'the processes' { Get-Process -ErrorAction Stop })) { $processNames[[int]$process.Id] = $process.ProcessName }
$sockets = @(
    Read-Part 'the listening TCP ports' { Get-NetTCPConnection -State Listen -ErrorAction Stop } |
        ForEach-Object { @{ protocol = 'TCP'; socket = $_ } }
    Read-Part 'the UDP endpoints' { Get-NetUDPEndpoint -ErrorAction Stop } |
        ForEach-Object { @{ protocol = 'UDP'; socket = $_ } }
)
$seen = @{}
$state.listeners = @($sockets | Where-Object { $_.socket.LocalAddress -match '^\d{1,3}(\.\d{1,3}){3}$' } | ForEach-Object {
        [ordered]@{
            protocol = $_.protocol
            address = [string]$_.socket.LocalAddress
            port = [int]$_.socket.LocalPort
            process = $processNames[[int]$_.socket.OwningProcess]
        }
    } | Where-Object {
        $key = '{0} {1} {2}' -f $_.protocol, $_.address, $_.port
        if ($seen.ContainsKey($key)) { $false } else { $seen[$key] = $true; $true }
    } | Sort-Object -Property { $_.protocol }, { [version]$_.address }, { $_.port })

# ------------------------------------------------------------------------------ cs
# Only when the roles ask for it (option cs): the Lync / Skype for Business installation.
$cs = $module.Params.cs
if ($cs) {
    $uninstallKeys = 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\*',
    'HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\*'
    $products = @(Read-Part 'the installed Lync / Skype for Business products' {
            Get-ItemProperty -Path $uninstallKeys -ErrorAction SilentlyContinue |
                Where-Object { $_.DisplayName -match 'Lync Server|Skype for Business Server' } |
                Sort-Object -Property DisplayName |
                ForEach-Object { [ordered]@{ name = [string]$_.DisplayName; version = $_.DisplayVersion } }
        })

    $features = [ordered]@{}
    foreach ($name in $cs.features) { $features[$name] = $false }
    if ($cs.features) {
        Read-Part 'the Windows features' { Get-WindowsFeature -Name $cs.features -ErrorAction Stop } |
            ForEach-Object { $features[$_.Name] = [bool]$_.Installed }
    }

    $bootstrapper = [bool](Read-Part 'the Bootstrapper' {
            $cs.install_dir -and (Test-Path -LiteralPath ($cs.install_dir.TrimEnd('\') + '\Deployment\Bootstrapper.exe') -PathType Leaf)
        } -Default $false)
    # Bootstrapper.exe /BootstrapLocalMgmt installs the SQL Express instance RTCLOCAL that holds
    # the local configuration store.
    $localManagement = [bool](Read-Part 'the RTCLOCAL instance' {
            Get-Service -Name 'MSSQL$RTCLOCAL' -ErrorAction SilentlyContinue
        } -Default $false)

    $moduleState = [ordered]@{ loaded = $false; error = $null }
    if ($cs.module_path -and (Test-Path -LiteralPath $cs.module_path -PathType Leaf)) {
        try {
            Import-SfbEdgeCsModule -Path $cs.module_path
            $moduleState.loaded = $true
        }
        catch { $moduleState.error = $_.Exception.Message }
    }
    # Without RTCLOCAL there is no local store to read (and the cmdlets would only fail).
    $readStore = $moduleState.loaded -and $localManagement

    $machines = @()
    if ($readStore) {
        $machines = @(Read-Part 'the topology of the local store' {
                $topologyXml = [xml](Get-CsTopology -LocalStore -AsXml -ErrorAction Stop).ToString()
                foreach ($node in $topologyXml.SelectNodes("//*[local-name()='Machine']")) {
                    $fqdn = $node.GetAttribute('Fqdn')
                    if ($fqdn) { $fqdn.ToLowerInvariant() }
                }
            } | Select-Object -Unique)
    }

    # Enable-CsReplica creates the share xds-replica (the folder the CMS replicates into): its
    # existence is how an enabled replica is recognised.
    $replicaEnabled = [bool](Read-Part 'the xds-replica share' {
            Get-SmbShare -Name 'xds-replica' -ErrorAction SilentlyContinue
        } -Default $false)

    $csCertificates = @()
    if ($readStore) {
        $csCertificates = @(Read-Part 'the certificates assigned to the services' { Get-CsCertificate -ErrorAction Stop } |
                ForEach-Object {
                    [ordered]@{
                        use = [string]$_.Use
                        thumbprint = ([string]$_.Thumbprint).ToUpperInvariant()
                        effective_date = ConvertTo-SfbEdgeUtcText $_.EffectiveDate
                        not_after = ConvertTo-SfbEdgeUtcText $_.NotAfter
                    }
                })
    }

    $services = @(foreach ($name in $cs.services) {
            Read-Part "the service $name" {
                $service = Get-Service -Name $name -ErrorAction SilentlyContinue
                if ($service) {
                    $cim = Get-CimInstance -ClassName Win32_Service -Filter ("Name='{0}'" -f $service.Name) -ErrorAction Stop
                    $status = [string]$service.Status
                    [ordered]@{
                        name = $service.Name
                        display_name = $service.DisplayName
                        status = $status
                        start_mode = if ($cim) { [string]$cim.StartMode } else { $null }
                        last_error = if ($status -eq 'Running') { $null } else { Get-SfbEdgeServiceError -Name $service.Name -DisplayName $service.DisplayName }
                    }
                }
            }
        })

    # edge_cs's mark: a cumulative update ran and its second half (Install-CsDatabase -Update) is still due.
    $cuDatabasesPending = [bool](Read-Part 'the mark of a pending database update' {
            (Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\sfb.edge' -Name 'CuDatabasesPending' -ErrorAction SilentlyContinue).CuDatabasesPending
        } -Default $false)

    $state.cs = [ordered]@{
        products = $products
        features = $features
        bootstrapper = $bootstrapper
        local_management = $localManagement
        module = $moduleState
        topology = [ordered]@{ imported = $machines.Count -gt 0; machines = $machines }
        replica = [ordered]@{ enabled = $replicaEnabled }
        certificates = $csCertificates
        services = $services
        cu_databases_pending = $cuDatabasesPending
    }
    if ($cs.cu_installer) {
        # The update's own version, the target of the cu step: the installer's file version as four numbers
        # (FileVersion text may carry more than the numbers).
        $installer = Read-Part 'the update installer' { Get-Item -LiteralPath $cs.cu_installer -ErrorAction Stop }
        $info = if ($installer) { $installer.VersionInfo }
        $version = $null
        if ($info -and $info.FileVersion) {
            $version = '{0}.{1}.{2}.{3}' -f $info.FileMajorPart, $info.FileMinorPart, $info.FileBuildPart, $info.FilePrivatePart
        }
        $state.cs.update_installer = [ordered]@{ path = $cs.cu_installer; exists = [bool]$installer; version = $version }
    }
}

$module.Result.state = $state
$module.ExitJson()
