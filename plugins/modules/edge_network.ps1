#!powershell

# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic

# Applies the IPv4 settings the controller decided, adapter by adapter, in this order:
# rename, dhcp, add, skip_as_source, gateway, register_in_dns, remove (new before old, so the
# host stays reachable as long as possible). Each operation is idempotent on its own.

$spec = @{
    options = @{
        adapters = @{
            type = 'list'
            elements = 'dict'
            required = $true
            options = @{
                name = @{ type = 'str'; required = $true }
                mac = @{ type = 'str' }
                rename_to = @{ type = 'str' }
                dhcp = @{ type = 'bool' }
                add = @{
                    type = 'list'
                    elements = 'dict'
                    options = @{
                        address = @{ type = 'str'; required = $true }
                        prefix_length = @{ type = 'int'; required = $true }
                        skip_as_source = @{ type = 'bool'; default = $false }
                    }
                }
                remove = @{ type = 'list'; elements = 'str' }
                skip_as_source = @{ type = 'dict' }
                gateway = @{ type = 'str' }
                register_in_dns = @{ type = 'bool' }
            }
        }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)

$stores = 'ActiveStore', 'PersistentStore'

function Get-Address {
    # The IPv4 address on the interface, from both policy stores (active first), or from one.
    param ([int]$Index, [string]$Address, [string[]]$Store = $stores)
    foreach ($one in $Store) {
        Get-NetIPAddress -InterfaceIndex $Index -IPAddress $Address -AddressFamily IPv4 -PolicyStore $one -ErrorAction SilentlyContinue
    }
}

function Get-DefaultRoute {
    param ([int]$Index, [string]$Store)
    Get-NetRoute -InterfaceIndex $Index -DestinationPrefix '0.0.0.0/0' -PolicyStore $Store -ErrorAction SilentlyContinue
}

function Get-AdapterState {
    # What the diff shows of an adapter.
    param ($Adapter)
    $index = [int]$Adapter.ifIndex
    $addresses = [ordered]@{}
    foreach ($ip in Get-NetIPAddress -InterfaceIndex $index -AddressFamily IPv4 -ErrorAction SilentlyContinue) {
        if ($ip.IPAddress -notlike '169.254.*') {
            $addresses[$ip.IPAddress] = [ordered]@{ prefix_length = [int]$ip.PrefixLength; skip_as_source = [bool]$ip.SkipAsSource }
        }
    }
    $ipInterface = Get-NetIPInterface -InterfaceIndex $index -AddressFamily IPv4 -ErrorAction SilentlyContinue
    $client = Get-DnsClient -InterfaceIndex $index -ErrorAction SilentlyContinue
    [ordered]@{
        name = $Adapter.Name
        dhcp = [string]$ipInterface.Dhcp -eq 'Enabled'
        addresses = $addresses
        gateways = @(Get-DefaultRoute -Index $index -Store ActiveStore | ForEach-Object { [string]$_.NextHop })
        register_in_dns = [bool]$client.RegisterThisConnectionsAddress
    }
}

function Invoke-Change {
    # Records $Action for the current adapter and, unless in check mode, runs $Change.
    param ([string]$Action, [scriptblock]$Change)
    $report.actions.Add($Action)
    $module.Result.changed = $true
    if ($module.CheckMode) { return }
    $failure = $null
    try { $null = & $Change }
    catch { $failure = $_ }
    if ($failure) {
        $module.FailJson("Adapter '$($report.name)': could not $($Action): $($failure.Exception.Message)", $failure)
    }
}

# ------------------------------------------------------------------------------ find them all first
$work = @(foreach ($want in $module.Params.adapters) {
        $all = @(Get-NetAdapter -ErrorAction SilentlyContinue)
        if ($want.mac) {
            $mac = ($want.mac -replace '[^0-9A-Fa-f]', '').ToUpperInvariant()
            $found = @($all | Where-Object { ($_.MacAddress -replace '[^0-9A-Fa-f]', '') -eq $mac })
            $what = "with MAC address $($want.mac)"
        }
        else {
            $found = @($all | Where-Object { $_.Name -eq $want.name })
            $what = "named '$($want.name)'"
        }
        if ($found.Count -ne 1) {
            $module.FailJson("Found $($found.Count) network adapters $what, expected one (adapters: $(($all | ForEach-Object { "'$($_.Name)' $($_.MacAddress)" }) -join ', '))")
        }
        $both = @($want.add | Where-Object { $_ } | ForEach-Object { $_.address } | Where-Object { $want.remove -contains $_ })
        @{ want = $want; adapter = $found[0]; replaced = $both }
    })

# ------------------------------------------------------------------------------ apply
$module.Result.adapters = [System.Collections.Generic.List[object]]@()
$diffBefore = [System.Collections.Generic.List[object]]@()
$diffAfter = [System.Collections.Generic.List[object]]@()

foreach ($item in $work) {
    $want = $item.want
    $adapter = $item.adapter
    $index = [int]$adapter.ifIndex
    $report = [ordered]@{ name = $adapter.Name; actions = [System.Collections.Generic.List[string]]@() }
    $module.Result.adapters.Add($report)
    $before = Get-AdapterState -Adapter $adapter
    $after = Get-AdapterState -Adapter $adapter
    $diffBefore.Add($before)
    $diffAfter.Add($after)

    if ($want.rename_to -and $adapter.Name -cne $want.rename_to) {
        Invoke-Change "rename it to '$($want.rename_to)'" {
            Rename-NetAdapter -InputObject $adapter -NewName $want.rename_to -Confirm:$false -ErrorAction Stop
        }
        $report.name = $want.rename_to
        $after.name = $want.rename_to
    }

    if ($null -ne $want.dhcp -and $after.dhcp -ne $want.dhcp) {
        $setting = if ($want.dhcp) { 'Enabled' } else { 'Disabled' }
        Invoke-Change "set DHCP $setting" {
            Set-NetIPInterface -InterfaceIndex $index -AddressFamily IPv4 -Dhcp $setting -ErrorAction Stop
        }
        $after.dhcp = $want.dhcp
    }

    foreach ($new in $want.add) {
        # Present means present in both policy stores. A DHCP lease of the same address does not
        # count: the static address replaces it.
        $missing = @($stores | Where-Object {
                -not @(Get-Address -Index $index -Address $new.address -Store $_ | Where-Object { [string]$_.PrefixOrigin -ne 'Dhcp' })
            })
        if ($missing.Count -eq $stores.Count) {
            Invoke-Change "add $($new.address)/$($new.prefix_length)" {
                Get-Address -Index $index -Address $new.address | Remove-NetIPAddress -Confirm:$false -ErrorAction Stop
                # Without -PolicyStore, New-NetIPAddress writes the active and the persistent store.
                New-NetIPAddress -InterfaceIndex $index -AddressFamily IPv4 -IPAddress $new.address `
                    -PrefixLength $new.prefix_length -SkipAsSource $new.skip_as_source -ErrorAction Stop
            }
            $after.addresses[$new.address] = [ordered]@{ prefix_length = $new.prefix_length; skip_as_source = $new.skip_as_source }
            continue
        }
        if ($missing) {
            # In one store only (lost at the next reboot, or not in use until then): add the copy
            # of the missing store, leaving the one in use alone.
            $store = $missing[0]
            Invoke-Change "add $($new.address)/$($new.prefix_length) to the $store" {
                New-NetIPAddress -InterfaceIndex $index -AddressFamily IPv4 -IPAddress $new.address -PrefixLength $new.prefix_length `
                    -SkipAsSource $new.skip_as_source -PolicyStore $store -ErrorAction Stop
            }
            $after.addresses[$new.address] = [ordered]@{ prefix_length = $new.prefix_length; skip_as_source = $new.skip_as_source }
        }
        # Present with another prefix length (the controller lists it in add and remove):
        # change the prefix length in place instead of dropping the address.
        $other = @(Get-Address -Index $index -Address $new.address | Where-Object {
                [string]$_.PrefixOrigin -ne 'Dhcp' -and $_.PrefixLength -ne $new.prefix_length
            })
        if ($other) {
            Invoke-Change "set the prefix length of $($new.address) to $($new.prefix_length)" {
                $other | Set-NetIPAddress -PrefixLength $new.prefix_length -ErrorAction Stop
            }
            if ($after.addresses.Contains($new.address)) { $after.addresses[$new.address].prefix_length = $new.prefix_length }
        }
    }

    if ($want.skip_as_source) {
        foreach ($entry in $want.skip_as_source.GetEnumerator()) {
            $flag = [Ansible.Basic.AnsibleModule]::ParseBool($entry.Value)
            $differ = @(Get-Address -Index $index -Address $entry.Key | Where-Object { $_.SkipAsSource -ne $flag })
            if ($differ) {
                Invoke-Change "set skip_as_source of $($entry.Key) to $flag" {
                    $differ | Set-NetIPAddress -SkipAsSource $flag -ErrorAction Stop
                }
                if ($after.addresses.Contains($entry.Key)) { $after.addresses[$entry.Key].skip_as_source = $flag }
            }
        }
    }

    if ($null -ne $want.gateway) {
        # The new default route first, in both policy stores, then the others go.
        if ($want.gateway) {
            $missing = @($stores | Where-Object {
                    -not @(Get-DefaultRoute -Index $index -Store $_ | Where-Object { $_.NextHop -eq $want.gateway })
                })
            if ($missing.Count -eq $stores.Count) {
                Invoke-Change "add the default route via $($want.gateway)" {
                    # Without -PolicyStore, New-NetRoute writes the active and the persistent store.
                    New-NetRoute -InterfaceIndex $index -AddressFamily IPv4 -DestinationPrefix '0.0.0.0/0' -NextHop $want.gateway -ErrorAction Stop
                }
            }
            elseif ($missing) {
                # In one store only: add the copy of the missing store.
                $store = $missing[0]
                Invoke-Change "add the default route via $($want.gateway) to the $store" {
                    New-NetRoute -InterfaceIndex $index -AddressFamily IPv4 -DestinationPrefix '0.0.0.0/0' -NextHop $want.gateway `
                        -PolicyStore $store -ErrorAction Stop
                }
            }
        }
        foreach ($store in $stores) {
            foreach ($route in @(Get-DefaultRoute -Index $index -Store $store | Where-Object { $_.NextHop -ne $want.gateway })) {
                Invoke-Change "remove the default route via $($route.NextHop) ($store)" {
                    $route | Remove-NetRoute -Confirm:$false -ErrorAction Stop
                }
            }
        }
        $after.gateways = @(if ($want.gateway) { $want.gateway })
    }

    if ($null -ne $want.register_in_dns -and $after.register_in_dns -ne $want.register_in_dns) {
        Invoke-Change "set register_in_dns to $($want.register_in_dns)" {
            Set-DnsClient -InterfaceIndex $index -RegisterThisConnectionsAddress $want.register_in_dns -ErrorAction Stop
        }
        $after.register_in_dns = $want.register_in_dns
    }

    foreach ($old in $want.remove) {
        # An address also in add was kept there (prefix length changed in place).
        if ($item.replaced -contains $old -or -not @(Get-Address -Index $index -Address $old)) { continue }
        Invoke-Change "remove $old" {
            foreach ($store in $stores) {
                # Removing the active address may remove the persistent one too: look again per store.
                Get-NetIPAddress -InterfaceIndex $index -IPAddress $old -AddressFamily IPv4 -PolicyStore $store -ErrorAction SilentlyContinue |
                    Remove-NetIPAddress -Confirm:$false -ErrorAction Stop
            }
        }
        $after.addresses.Remove($old)
    }
}

$module.Diff.before = @{ adapters = $diffBefore }
$module.Diff.after = @{ adapters = $diffAfter }
$module.ExitJson()
