#!powershell

# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic

# Adds and removes persistent IPv4 routes, all in one call. A route is identified by its
# destination prefix, interface and next hop (ansible.windows.win_route matches on the prefix
# only and cannot pin the interface). Removes first, then adds.

$spec = @{
    options = @{
        add = @{
            type = 'list'
            elements = 'dict'
            options = @{
                destination = @{ type = 'str'; required = $true }
                gateway = @{ type = 'str'; required = $true }
                interface = @{ type = 'str'; required = $true }
                interface_index = @{ type = 'int' }
                metric = @{ type = 'int' }
            }
        }
        remove = @{
            type = 'list'
            elements = 'dict'
            options = @{
                destination = @{ type = 'str'; required = $true }
                gateway = @{ type = 'str'; required = $true }
                interface = @{ type = 'str' }
                interface_index = @{ type = 'int' }
            }
        }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)

$stores = 'ActiveStore', 'PersistentStore'
$indexOf = @{}   # interface alias -> ifIndex (case-insensitive keys)
$aliasOf = @{}   # ifIndex -> interface alias
foreach ($ipInterface in Get-NetIPInterface -AddressFamily IPv4 -ErrorAction SilentlyContinue) {
    $indexOf[$ipInterface.InterfaceAlias] = [int]$ipInterface.InterfaceIndex
    $aliasOf[[int]$ipInterface.InterfaceIndex] = $ipInterface.InterfaceAlias
}

function Resolve-Interface {
    # ifIndex of the route's interface: interface_index when given (it survives a rename), else
    # the alias; $null when there is no such interface.
    param ($Route)
    if ($null -ne $Route.interface_index) {
        if ($aliasOf.ContainsKey($Route.interface_index)) { return $Route.interface_index }
        return $null
    }
    if ($Route.interface) { return $indexOf[$Route.interface] }
    $null
}

function Get-Route {
    param ([string]$Store, [string]$Prefix, [int]$Index, [string]$NextHop)
    Get-NetRoute -AddressFamily IPv4 -PolicyStore $Store -DestinationPrefix $Prefix -InterfaceIndex $Index -ErrorAction SilentlyContinue |
        Where-Object { $_.NextHop -eq $NextHop }
}

function Get-RouteText {
    param ([string]$Prefix, [string]$NextHop, $Index)
    "$Prefix via $NextHop on $($aliasOf[$Index]) (index $Index)"
}

function Invoke-Change {
    param ([string]$Action, [scriptblock]$Change)
    $module.Result.changed = $true
    if ($module.CheckMode) { return }
    $failure = $null
    try { $null = & $Change }
    catch { $failure = $_ }
    if ($failure) { $module.FailJson("Could not $($Action): $($failure.Exception.Message)", $failure) }
}

# Diff: the persistent routes (without default routes) and their metrics.
$before = [ordered]@{}
foreach ($route in Get-NetRoute -AddressFamily IPv4 -PolicyStore PersistentStore -ErrorAction SilentlyContinue) {
    if ($route.DestinationPrefix -ne '0.0.0.0/0') {
        $before[(Get-RouteText $route.DestinationPrefix $route.NextHop ([int]$route.InterfaceIndex))] = [int]$route.RouteMetric
    }
}
$after = [ordered]@{}
foreach ($key in $before.Keys) { $after[$key] = $before[$key] }

$module.Result.removed = [System.Collections.Generic.List[object]]@()
$module.Result.added = [System.Collections.Generic.List[object]]@()

$gone = @{}   # routes removed by this call: "prefix|index|next hop"
foreach ($route in $module.Params.remove) {
    $index = Resolve-Interface -Route $route
    if ($null -eq $index -and $null -ne $route.interface_index) {
        # A persistent route of an interface that no longer exists: by prefix, next hop and index
        # (there is no alias to go by); it cannot be in the active store.
        $orphan = @(Get-NetRoute -AddressFamily IPv4 -PolicyStore PersistentStore -DestinationPrefix $route.destination -ErrorAction SilentlyContinue |
                Where-Object { [int]$_.InterfaceIndex -eq $route.interface_index -and $_.NextHop -eq $route.gateway })
        if (-not $orphan) { continue }
        $text = "$($route.destination) via $($route.gateway) on interface index $($route.interface_index) (no longer exists)"
        Invoke-Change "remove the route $text" {
            Remove-NetRoute -AddressFamily IPv4 -DestinationPrefix $route.destination -NextHop $route.gateway `
                -InterfaceIndex $route.interface_index -PolicyStore PersistentStore -Confirm:$false -ErrorAction Stop
        }
        $module.Result.removed.Add([ordered]@{
                destination = $route.destination
                gateway = $route.gateway
                interface = $null
                interface_index = $route.interface_index
            })
        $after.Remove((Get-RouteText $route.destination $route.gateway $route.interface_index))
        continue
    }
    if ($null -eq $index) { continue }
    $found = @(foreach ($store in 'PersistentStore', 'ActiveStore') { Get-Route $store $route.destination $index $route.gateway })
    if (-not $found) { continue }
    $text = Get-RouteText $route.destination $route.gateway $index
    Invoke-Change "remove the route $text" {
        foreach ($store in 'PersistentStore', 'ActiveStore') {
            Get-Route $store $route.destination $index $route.gateway | Remove-NetRoute -Confirm:$false -ErrorAction Stop
        }
    }
    $gone["$($route.destination)|$index|$($route.gateway)"] = $true
    $module.Result.removed.Add([ordered]@{
            destination = $route.destination
            gateway = $route.gateway
            interface = $aliasOf[$index]
            interface_index = $index
        })
    $after.Remove($text)
}

foreach ($route in $module.Params.add) {
    $index = Resolve-Interface -Route $route
    if ($null -ne $index) {
        # Present means present in both policy stores; a route in one store only gets the copy of
        # the missing store (a route added without -p is lost at the next reboot; a persistent-only
        # one is not in use until then).
        $missing = @(if ($gone.ContainsKey("$($route.destination)|$index|$($route.gateway)")) { $stores } else {
                $stores | Where-Object { -not @(Get-Route $_ $route.destination $index $route.gateway) }
            })
        if (-not $missing) { continue }
        $text = Get-RouteText $route.destination $route.gateway $index
        $what = if ($missing.Count -eq 1) { "add the route $text to the $($missing[0])" } else { "add the route $text" }
        Invoke-Change $what {
            $params = @{
                DestinationPrefix = $route.destination
                InterfaceIndex = $index
                NextHop = $route.gateway
                AddressFamily = 'IPv4'
                ErrorAction = 'Stop'
            }
            if ($null -ne $route.metric) { $params.RouteMetric = $route.metric }
            # Without -PolicyStore, New-NetRoute writes the active and the persistent store.
            if ($missing.Count -eq 1) { $params.PolicyStore = $missing[0] }
            New-NetRoute @params
        }
        $alias = $aliasOf[$index]
    }
    else {
        $missing = "Route $($route.destination) via $($route.gateway): no IPv4 interface named '$($route.interface)'"
        if ($null -ne $route.interface_index) { $missing += " with index $($route.interface_index)" }
        if (-not $module.CheckMode) { $module.FailJson($missing) }
        # In check mode the interface may be one that an earlier task would have renamed.
        $module.Warn("$missing (check mode: reported as added)")
        $module.Result.changed = $true
        $text = "$($route.destination) via $($route.gateway) on $($route.interface)"
        $alias = $route.interface
    }
    $module.Result.added.Add([ordered]@{
            destination = $route.destination
            gateway = $route.gateway
            interface = $alias
            interface_index = $index
            metric = $route.metric
        })
    $after[$text] = $route.metric
}

$module.Diff.before = @{ routes = $before }
$module.Diff.after = @{ routes = $after }
$module.ExitJson()
