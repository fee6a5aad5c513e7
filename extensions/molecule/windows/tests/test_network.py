# -*- coding: utf-8 -*-
"""The NetTCPIP policy-store behaviour the network and routes areas rely on, checked on the real host
over WinRM (testinfra) - docs/lab-checklist.md, section "Network stores".

Run by `molecule verify -s windows` after converge.yml, like test_edge.py (same connection variables).
The experiments use scratch objects in the benchmark range 198.18.0.0/15 (RFC 2544): one /32 address
with SkipAsSource on the internal NIC (never a source address) and one route via the internal gateway;
each test removes what it made, whatever happens.
"""

from __future__ import annotations

import ipaddress

import pytest
from test_edge import as_list, desired, host, internal, powershell  # noqa: F401  # pylint: disable=unused-import

SCRATCH_ADDRESS = "198.18.255.10"
SCRATCH_ROUTE = "198.19.255.0/24"

PS_ADDRESS_STORES = r"""
@{ stores = @(foreach ($s in 'ActiveStore', 'PersistentStore') {
    if (Get-NetIPAddress -InterfaceIndex $want.index -IPAddress $want.address -AddressFamily IPv4 -PolicyStore $s -ErrorAction SilentlyContinue) { $s } }) }
"""

PS_ROUTE_STORES = r"""
@{ routes = @(foreach ($s in 'ActiveStore', 'PersistentStore') {
    Get-NetRoute -AddressFamily IPv4 -PolicyStore $s -DestinationPrefix $want.prefix -ErrorAction SilentlyContinue |
        Where-Object { [int]$_.InterfaceIndex -eq $want.index -and $_.NextHop -eq $want.next_hop } |
        ForEach-Object { @{ store = $s; protocol = [string]$_.Protocol } } }) }
"""

PS_NEW_ADDRESS = r"""
$p = @{ InterfaceIndex = $want.index; IPAddress = $want.address; PrefixLength = 32; AddressFamily = 'IPv4'; SkipAsSource = $true }
if ($want.store) { $p.PolicyStore = $want.store }
$null = New-NetIPAddress @p -ErrorAction Stop
@{ done = $true }
"""

PS_REMOVE_ADDRESS = r"""
$p = @{ InterfaceIndex = $want.index; IPAddress = $want.address; AddressFamily = 'IPv4' }
if ($want.store) { $p.PolicyStore = $want.store }
Remove-NetIPAddress @p -Confirm:$false -ErrorAction SilentlyContinue
@{ done = $true }
"""

PS_NEW_ROUTE = r"""
$p = @{ InterfaceIndex = $want.index; DestinationPrefix = $want.prefix; NextHop = $want.next_hop; AddressFamily = 'IPv4' }
if ($want.store) { $p.PolicyStore = $want.store }
$null = New-NetRoute @p -ErrorAction Stop
@{ done = $true }
"""

PS_REMOVE_ROUTE = r"""
foreach ($s in 'ActiveStore', 'PersistentStore') {
    Remove-NetRoute -DestinationPrefix $want.prefix -NextHop $want.next_hop -InterfaceIndex $want.index -PolicyStore $s `
        -Confirm:$false -ErrorAction SilentlyContinue
}
@{ done = $true }
"""

PS_ORPHAN_ROUTE = r"""
$used = @(Get-NetIPInterface | ForEach-Object { [int]$_.InterfaceIndex })
$index = 1 + ($used | Measure-Object -Maximum).Maximum + 50
try {
    $null = New-NetRoute -InterfaceIndex $index -DestinationPrefix $want.prefix -NextHop $want.next_hop -PolicyStore PersistentStore -ErrorAction Stop
}
catch { return @{ created = $false; index = $index; error = "$($_.Exception.Message)" } }
$found = @(Get-NetRoute -PolicyStore PersistentStore -DestinationPrefix $want.prefix -ErrorAction SilentlyContinue |
    Where-Object { [int]$_.InterfaceIndex -eq $index })
Remove-NetRoute -DestinationPrefix $want.prefix -NextHop $want.next_hop -InterfaceIndex $index -PolicyStore PersistentStore -Confirm:$false -ErrorAction Stop
$left = @(Get-NetRoute -PolicyStore PersistentStore -DestinationPrefix $want.prefix -ErrorAction SilentlyContinue |
    Where-Object { [int]$_.InterfaceIndex -eq $index })
@{ created = $true; index = $index; found = $found.Count; left = $left.Count }
"""

PS_ADAPTER_LOOKUP = r"""
@{ found = @(foreach ($name in @($want.names)) {
    @{ name = $name
       netadapter = [bool](Get-NetAdapter -Name $name -ErrorAction SilentlyContinue)
       wmi = [bool](Get-CimInstance -ClassName Win32_NetworkAdapter -Filter ("NetConnectionID='{0}'" -f $name)) } }) }
"""


def _address_stores(host, index):
    return sorted(as_list(powershell(host, PS_ADDRESS_STORES, index=index, address=SCRATCH_ADDRESS)["stores"]))


def _route_stores(host, index, next_hop):
    return as_list(powershell(host, PS_ROUTE_STORES, index=index, prefix=SCRATCH_ROUTE, next_hop=next_hop)["routes"])


@pytest.fixture
def scratch_address(host, internal):
    index = internal["index"]
    powershell(host, PS_REMOVE_ADDRESS, index=index, address=SCRATCH_ADDRESS, store=None)
    yield index
    powershell(host, PS_REMOVE_ADDRESS, index=index, address=SCRATCH_ADDRESS, store=None)
    assert _address_stores(host, index) == [], "the scratch address %s was left behind" % SCRATCH_ADDRESS


@pytest.fixture
def scratch_route(host, internal, desired):
    planned = desired["routes"]["routes"]
    if not planned:
        pytest.skip("the plan has no internal route: no gateway to route the scratch network through")
    args = {"index": internal["index"], "prefix": SCRATCH_ROUTE, "next_hop": planned[0]["gateway"]}
    powershell(host, PS_REMOVE_ROUTE, **args)
    yield args
    powershell(host, PS_REMOVE_ROUTE, **args)
    assert _route_stores(host, args["index"], args["next_hop"]) == [], "the scratch route was left behind"


# ----------------------------------------------------------------------------------- converged host
def test_planned_addresses_are_in_both_stores(host, desired):
    for role in ("internal", "external"):
        nic = desired["network"][role]
        index = powershell(host, "@{ index = [int](Get-NetAdapter -Name $want.name).ifIndex }", name=nic["name"])["index"]
        for address in nic["addresses"]:
            stores = sorted(as_list(powershell(host, PS_ADDRESS_STORES, index=index, address=address["address"])["stores"]))
            assert stores == ["ActiveStore", "PersistentStore"], "%s on %s is in %s" % (address["address"], nic["name"],
                                                                                       stores)


def test_the_default_gateway_is_in_both_stores(host, desired):
    nic = desired["network"]["external"]
    if not nic["gateway"]:
        pytest.skip("the plan has no default gateway")
    found = as_list(powershell(host, r"""
$i = [int](Get-NetAdapter -Name $want.name).ifIndex
@{ stores = @(foreach ($s in 'ActiveStore', 'PersistentStore') {
    if (Get-NetRoute -InterfaceIndex $i -DestinationPrefix '0.0.0.0/0' -PolicyStore $s -ErrorAction SilentlyContinue |
        Where-Object { $_.NextHop -eq $want.gateway }) { $s } }) }
""", name=nic["name"], gateway=nic["gateway"])["stores"])
    assert sorted(found) == ["ActiveStore", "PersistentStore"]


def test_renamed_adapters_are_found_by_the_names_dns_client_and_netbios_use(host, desired):
    """win_dns_client looks adapters up with Get-NetAdapter -Name, win_netbios with Win32_NetworkAdapter
    NetConnectionID: after edge_network's Rename-NetAdapter both must know the new names."""
    names = [desired["network"][role]["name"] for role in ("internal", "external")]
    found = as_list(powershell(host, PS_ADAPTER_LOOKUP, names=names)["found"])
    assert [(f["name"], f["netadapter"], f["wmi"]) for f in found] == [(n, True, True) for n in names]


# ----------------------------------------------------------------------------------- store behaviour
def test_new_netipaddress_without_policystore_writes_both_stores(host, scratch_address):
    powershell(host, PS_NEW_ADDRESS, index=scratch_address, address=SCRATCH_ADDRESS, store=None)
    assert _address_stores(host, scratch_address) == ["ActiveStore", "PersistentStore"]
    # Remove-NetIPAddress without -PolicyStore removes both copies
    powershell(host, PS_REMOVE_ADDRESS, index=scratch_address, address=SCRATCH_ADDRESS, store=None)
    assert _address_stores(host, scratch_address) == []


@pytest.mark.parametrize("first, second", [("ActiveStore", "PersistentStore"), ("PersistentStore", "ActiveStore")])
def test_new_netipaddress_with_policystore_adds_the_missing_copy(host, scratch_address, first, second):
    powershell(host, PS_NEW_ADDRESS, index=scratch_address, address=SCRATCH_ADDRESS, store=first)
    assert _address_stores(host, scratch_address) == [first]  # Get-NetIPAddress -PolicyStore sees one store
    powershell(host, PS_NEW_ADDRESS, index=scratch_address, address=SCRATCH_ADDRESS, store=second)
    assert _address_stores(host, scratch_address) == ["ActiveStore", "PersistentStore"]
    # Remove-NetIPAddress -PolicyStore removes that store's copy only
    powershell(host, PS_REMOVE_ADDRESS, index=scratch_address, address=SCRATCH_ADDRESS, store=second)
    assert _address_stores(host, scratch_address) == [first]


@pytest.mark.parametrize("first, second", [("ActiveStore", "PersistentStore"), ("PersistentStore", "ActiveStore")])
def test_new_netroute_with_policystore_adds_the_missing_copy(host, scratch_route, first, second):
    powershell(host, PS_NEW_ROUTE, store=first, **scratch_route)
    assert [r["store"] for r in _route_stores(host, scratch_route["index"], scratch_route["next_hop"])] == [first]
    powershell(host, PS_NEW_ROUTE, store=second, **scratch_route)
    routes = _route_stores(host, scratch_route["index"], scratch_route["next_hop"])
    assert sorted(r["store"] for r in routes) == ["ActiveStore", "PersistentStore"]
    # edge_facts reads static routes from the active store by Protocol NetMgmt
    assert [r["protocol"] for r in routes if r["store"] == "ActiveStore"] == ["NetMgmt"]


def test_new_netroute_without_policystore_writes_both_stores(host, scratch_route):
    powershell(host, PS_NEW_ROUTE, store=None, **scratch_route)
    routes = _route_stores(host, scratch_route["index"], scratch_route["next_hop"])
    assert sorted(r["store"] for r in routes) == ["ActiveStore", "PersistentStore"]


def test_windows_own_routes_are_not_netmgmt(host):
    """edge_facts skips the active store's routes whose Protocol is not NetMgmt (on-link, host, multicast)."""
    found = as_list(powershell(host, r"""
@{ protocols = @(Get-NetRoute -AddressFamily IPv4 -PolicyStore ActiveStore | Where-Object {
    $_.DestinationPrefix -in '127.0.0.0/8', '224.0.0.0/4', '255.255.255.255/32' } | ForEach-Object { [string]$_.Protocol } | Select-Object -Unique) }
""")["protocols"])
    assert found and "NetMgmt" not in found


def test_a_persistent_route_of_a_missing_interface_is_removed_by_index(host, desired):
    planned = desired["routes"]["routes"]
    if not planned:
        pytest.skip("the plan has no internal route")
    next_hop = planned[0]["gateway"]
    prefix = str(ipaddress.ip_network("198.19.254.0/24"))
    out = powershell(host, PS_ORPHAN_ROUTE, prefix=prefix, next_hop=next_hop)
    if not out["created"]:
        pytest.skip("Windows refused a persistent route on the unused interface index %s (%s); to check this line, "
                    "add a persistent route on a spare NIC, remove the NIC and run edge_routes"
                    % (out["index"], out["error"]))
    assert (out["found"], out["left"]) == (1, 0)
