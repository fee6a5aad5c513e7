# -*- coding: utf-8 -*-
"""What a converged edge server looks like, checked on the real host over WinRM (testinfra).

Run by `molecule verify -s windows` after converge.yml, which wrote the host's desired state (the
scenario's windows_desired_state filter over SFB_EDGE_INVENTORY) to <ephemeral>/desired/<host>.json: every
expected value below comes from there, i.e. from the plan of the inventory, none is hard-coded.
The host is read with plain PowerShell (Get-NetIPAddress, Get-NetRoute, Get-DnsClient*, the hosts
file, the Tcpip registry key, Win32_ComputerSystem), not with the collection's sfb.edge.edge_facts,
so a bug there cannot hide one here.

Connection: SFB_EDGE_WINRM_HOST (required), SFB_EDGE_WINRM_USER, SFB_EDGE_WINRM_PASSWORD,
SFB_EDGE_WINRM_PORT (5986; 5985 means HTTP), SFB_EDGE_WINRM_TRANSPORT (ntlm),
SFB_EDGE_WINRM_CERT_VALIDATION (validate | ignore), SFB_EDGE_WINRM_CA_TRUST_PATH (optional);
SFB_EDGE_HOST is the inventory hostname (edge01). See README.md next to this directory.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import os
import urllib.parse

import pytest
import testinfra

HOST = os.environ.get("SFB_EDGE_HOST") or "edge01"
HOSTS_BEGIN = "# BEGIN sfb.edge managed entries"
HOSTS_END = "# END sfb.edge managed entries"
NETBIOS = {0: "default", 1: "enabled", 2: "disabled"}  # Win32_NetworkAdapterConfiguration.TcpipNetbiosOptions
CMD_MAX = 8000  # cmd.exe command-line limit (8191) with some room

# Runs every snippet: parameters in as base64 JSON ($want), the result out as base64 JSON (ASCII only,
# whatever the adapter names or hosts-file comments contain), errors as {"error": ...}.
PS_WRAPPER = r"""$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$want = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('@PARAMS@')) | ConvertFrom-Json
try { $out = & { @SCRIPT@ } } catch { $out = @{ error = ($_ | Out-String) } }
[Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes((ConvertTo-Json -InputObject $out -Depth 8 -Compress)))
"""

PS_ADAPTER = r"""
$a = Get-NetAdapter -Name $want.name -ErrorAction SilentlyContinue
if (-not $a) {
    return @{ found = $false; adapters = @(Get-NetAdapter | ForEach-Object { '{0} ({1})' -f $_.Name, $_.MacAddress }) }
}
$i = [int]$a.ifIndex
$addresses = @(Get-NetIPAddress -InterfaceIndex $i -AddressFamily IPv4 -ErrorAction SilentlyContinue |
    Where-Object { $_.IPAddress -notlike '169.254.*' } |
    ForEach-Object { @{ address = $_.IPAddress; prefix_length = [int]$_.PrefixLength; skip_as_source = [bool]$_.SkipAsSource } })
$gateways = @(foreach ($s in 'ActiveStore', 'PersistentStore') {
    Get-NetRoute -InterfaceIndex $i -AddressFamily IPv4 -DestinationPrefix '0.0.0.0/0' -PolicyStore $s -ErrorAction SilentlyContinue |
        ForEach-Object { @{ store = $s; next_hop = $_.NextHop } } })
$nic = Get-CimInstance -ClassName Win32_NetworkAdapterConfiguration -Filter "InterfaceIndex = $i"
@{
    found = $true; index = $i; mac = [string]$a.MacAddress; status = [string]$a.Status
    dhcp = [string](Get-NetIPInterface -InterfaceIndex $i -AddressFamily IPv4).Dhcp
    addresses = $addresses; gateways = $gateways
    dns_servers = @((Get-DnsClientServerAddress -InterfaceIndex $i -AddressFamily IPv4).ServerAddresses)
    register_in_dns = [bool](Get-DnsClient -InterfaceIndex $i).RegisterThisConnectionsAddress
    netbios = [int]$nic.TcpipNetbiosOptions
}
"""

PS_ROUTES = r"""
@{ routes = @(foreach ($s in 'PersistentStore', 'ActiveStore') {
    Get-NetRoute -AddressFamily IPv4 -PolicyStore $s -ErrorAction SilentlyContinue |
        Where-Object { $_.DestinationPrefix -ne '0.0.0.0/0' -and $_.NextHop -ne '0.0.0.0' } |
        ForEach-Object { @{ store = $s; destination = $_.DestinationPrefix; next_hop = $_.NextHop; index = [int]$_.ifIndex } } }) }
"""

PS_HOSTS_FILE = r"""
$path = Join-Path $env:SystemRoot 'System32\drivers\etc\hosts'
@{ path = $path; content = [IO.File]::ReadAllText($path) }
"""

PS_IDENTITY = r"""
$p = Get-ItemProperty -Path 'HKLM:\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters'
$c = Get-CimInstance -ClassName Win32_ComputerSystem
@{
    nv_hostname = [string]$p.'NV Hostname'; nv_domain = [string]$p.'NV Domain'
    hostname = [string]$p.Hostname; domain = [string]$p.Domain; machine_name = [Environment]::MachineName
    part_of_domain = [bool]$c.PartOfDomain; workgroup = [string]$c.Workgroup; cs_domain = [string]$c.Domain
}
"""

PS_CERTIFICATES = r"""
@{ certificates = @(foreach ($w in @($want.certificates)) {
    $c = Get-Item -Path ('Cert:\LocalMachine\{0}\{1}' -f $w.store, $w.thumbprint) -ErrorAction SilentlyContinue
    @{ store = $w.store; thumbprint = $w.thumbprint; present = [bool]$c; has_private_key = [bool]($c -and $c.HasPrivateKey) } }) }
"""


def powershell_command(script, **params):
    """The cmd.exe command line running ``script`` (a PowerShell snippet) with ``params`` as $want."""
    payload = base64.b64encode(json.dumps(params).encode("utf-8")).decode("ascii")
    source = PS_WRAPPER.replace("@PARAMS@", payload).replace("@SCRIPT@", script.strip())
    encoded = base64.b64encode(source.encode("utf-16-le")).decode("ascii")
    command = "powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand " + encoded
    assert len(command) < CMD_MAX, "PowerShell snippet too long for one command line (%d)" % len(command)
    return command


def powershell(host, script, **params):
    """Run ``script`` on ``host`` and return what it returned, decoded from JSON."""
    result = host.run(powershell_command(script, **params))
    assert result.rc == 0, "powershell.exe failed (exit %s): %s" % (result.rc, result.stderr)
    lines = [line for line in result.stdout_bytes.decode("ascii", "replace").split() if line]
    assert lines, "powershell.exe printed nothing; stderr: %s" % result.stderr
    out = json.loads(base64.b64decode(lines[-1]).decode("utf-8"))
    if isinstance(out, dict) and set(out) == {"error"}:
        pytest.fail("PowerShell on %s failed: %s" % (HOST, out["error"]))
    return out


def as_list(value):
    """PowerShell 5.1 may turn a one-element array into its element and an empty one into null."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# ------------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def host():
    """The edge server under test, over WinRM (testinfra's winrm backend)."""
    address = os.environ.get("SFB_EDGE_WINRM_HOST")
    if not address:
        pytest.fail("SFB_EDGE_WINRM_HOST is not set: the windows scenario needs a real Windows edge host "
                    "(see extensions/molecule/windows/README.md)")
    port = os.environ.get("SFB_EDGE_WINRM_PORT") or "5986"
    user = os.environ.get("SFB_EDGE_WINRM_USER") or ""
    password = os.environ.get("SFB_EDGE_WINRM_PASSWORD") or ""
    validation = os.environ.get("SFB_EDGE_WINRM_CERT_VALIDATION") or "validate"
    query = []
    if port == "5985":
        query.append("no_ssl=true")
    if validation == "ignore":
        query.append("no_verify_ssl=true")
    spec = "winrm://%s:%s@%s:%s" % (urllib.parse.quote(user, safe=""), urllib.parse.quote(password, safe=""),
                                    address, port)
    edge = testinfra.get_host(spec + ("?" + "&".join(query) if query else ""))
    # testinfra's backend always says ntlm and knows no CA bundle: pass them to pywinrm directly.
    edge.backend.conn_args["transport"] = os.environ.get("SFB_EDGE_WINRM_TRANSPORT") or "ntlm"
    if os.environ.get("SFB_EDGE_WINRM_CA_TRUST_PATH"):
        edge.backend.conn_args["ca_trust_path"] = os.environ["SFB_EDGE_WINRM_CA_TRUST_PATH"]
    try:
        edge.run("hostname")
    except Exception as exc:  # pylint: disable=broad-except  # any pywinrm / requests error
        pytest.fail("cannot reach %s over WinRM (%s://%s:%s, transport %s): %s: %s" % (
            HOST, "http" if port == "5985" else "https", address, port, edge.backend.conn_args["transport"],
            type(exc).__name__, exc))
    return edge


def _ephemeral(*parts):
    base = os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY")
    if not base:
        pytest.fail("MOLECULE_EPHEMERAL_DIRECTORY is not set: run these tests with `molecule verify -s windows`")
    return os.path.join(base, *parts)


@pytest.fixture(scope="module")
def desired():
    """The desired state of the host, as converge.yml wrote it."""
    path = _ephemeral("desired", HOST + ".json")
    if not os.path.exists(path):
        pytest.fail("%s is missing: run `molecule converge -s windows` before verify" % path)
    with open(path, encoding="utf-8") as handle:
        state = json.load(handle)
    assert state["host"] == HOST
    return state


def _adapter(host, nic):
    found = powershell(host, PS_ADAPTER, name=nic["name"])
    assert found["found"], "no adapter named %r (%s); adapters: %s" % (nic["name"], nic["variable"], found["adapters"])
    for key in ("addresses", "gateways", "dns_servers"):
        found[key] = as_list(found.get(key))
    return found


@pytest.fixture(scope="module")
def internal(host, desired):
    return _adapter(host, desired["network"]["internal"])


@pytest.fixture(scope="module")
def external(host, desired):
    return _adapter(host, desired["network"]["external"])


@pytest.fixture(scope="module")
def routes(host):
    return as_list(powershell(host, PS_ROUTES)["routes"])


@pytest.fixture(scope="module")
def identity(host):
    return powershell(host, PS_IDENTITY)


@pytest.fixture(scope="module")
def hosts_file(host):
    return powershell(host, PS_HOSTS_FILE)["content"]


def _addresses(nic):
    return sorted(("%s/%d" % (a["address"], a["prefix_length"]), a["skip_as_source"]) for a in nic["addresses"])


# ---------------------------------------------------------------------------------- internal NIC
def test_internal_nic_has_the_planned_address(internal, desired):
    want = desired["network"]["internal"]
    assert _addresses(internal) == _addresses(want)
    assert internal["dhcp"] == "Disabled"
    assert internal["status"] == "Up"
    if want.get("mac"):
        assert internal["mac"].upper() == want["mac"].upper().replace(":", "-")


def test_internal_nic_has_no_default_gateway(internal):
    assert internal["gateways"] == [], "default route(s) on the internal NIC: %s" % internal["gateways"]


def test_internal_nic_has_no_dns_servers(internal):
    assert internal["dns_servers"] == []


def test_persistent_routes_on_the_internal_nic(internal, routes, desired):
    on_internal = {(r["store"], r["destination"], r["next_hop"]) for r in routes if r["index"] == internal["index"]}
    want = desired["routes"]["routes"]
    assert want, "the plan has no internal routes: nothing to check"
    for route in want:
        destination = str(ipaddress.ip_network(route["destination"], strict=False))
        assert ("PersistentStore", destination, route["gateway"]) in on_internal, "missing persistent route %s" % route
        assert ("ActiveStore", destination, route["gateway"]) in on_internal, "route %s persistent but not active" % route


def test_no_unplanned_persistent_route_on_the_internal_nic(internal, routes, desired):
    if not desired["routes"]["purge"]:
        pytest.skip("sfb_edge_routes_purge is false: unplanned routes are only reported")
    want = {(str(ipaddress.ip_network(r["destination"], strict=False)), r["gateway"]) for r in desired["routes"]["routes"]}
    persistent = {(r["destination"], r["next_hop"]) for r in routes
                  if r["store"] == "PersistentStore" and r["index"] == internal["index"]}
    assert persistent - want == set()


# ------------------------------------------------------------------------------------ hosts file
def _hosts_block(content):
    lines = [line.strip() for line in content.splitlines()]
    assert lines.count(HOSTS_BEGIN) == 1, "expected one %r line in the hosts file" % HOSTS_BEGIN
    assert lines.count(HOSTS_END) == 1, "expected one %r line in the hosts file" % HOSTS_END
    begin, end = lines.index(HOSTS_BEGIN), lines.index(HOSTS_END)
    assert begin < end
    inside = [line.split() for line in lines[begin + 1:end] if line and not line.startswith("#")]
    outside = [line.split("#", 1)[0].split() for line in lines[:begin] + lines[end + 1:]]
    return inside, [fields for fields in outside if len(fields) > 1]


def test_hosts_file_has_the_managed_block_with_the_planned_entries(hosts_file, desired):
    inside = _hosts_block(hosts_file)[0]
    got = sorted((fields[0], tuple(n.lower() for n in fields[1:])) for fields in inside)
    want = sorted((e["ip"], tuple(n.lower() for n in e["names"])) for e in desired["hosts_file"]["entries"])
    assert got == want


def test_no_managed_name_outside_the_block_on_another_address(hosts_file, desired):
    # an operator's line naming a managed name with the planned address is kept (docs/windows-roles.md)
    outside = _hosts_block(hosts_file)[1]
    planned = {n.lower(): e["ip"] for e in desired["hosts_file"]["entries"] for n in e["names"]}
    assert [f for f in outside if any(planned.get(n.lower(), f[0]) != f[0] for n in f[1:])] == []


# -------------------------------------------------------------------------------------- identity
def test_primary_dns_suffix_is_set(identity, desired):
    assert identity["nv_domain"].lower() == desired["identity"]["dns_suffix"].lower()


def test_hostname_is_the_planned_one(identity, desired):
    # The name after the next reboot; the active one changes with the reboot (identity_reboot).
    assert identity["nv_hostname"].lower() == desired["identity"]["hostname"].lower()


def test_not_domain_joined(identity):
    assert identity["part_of_domain"] is False, "joined to %s: an edge server stays in a workgroup" % identity["cs_domain"]


# ---------------------------------------------------------------------------------- external NIC
def test_external_nic_has_the_planned_addresses(external, desired):
    want = desired["network"]["external"]
    assert _addresses(external) == _addresses(want)
    assert external["dhcp"] == "Disabled"
    if want.get("mac"):
        assert external["mac"].upper() == want["mac"].upper().replace(":", "-")


def test_external_secondary_addresses_are_skip_as_source(external, desired):
    secondary = {a["address"] for a in desired["network"]["external"]["addresses"] if a["skip_as_source"]}
    got = {a["address"]: a["skip_as_source"] for a in external["addresses"]}
    if not secondary:
        pytest.skip("the plan has a single external address: no secondary address")
    assert {a: got.get(a) for a in secondary} == {a: True for a in secondary}
    primary = [a["address"] for a in desired["network"]["external"]["addresses"] if not a["skip_as_source"]]
    assert [got.get(a) for a in primary] == [False] * len(primary)


def test_external_nic_gateway_and_dns_servers(external, desired):
    want = desired["network"]["external"]
    active = sorted({g["next_hop"] for g in external["gateways"] if g["store"] == "ActiveStore"})
    assert active == ([want["gateway"]] if want["gateway"] else [])
    assert external["dns_servers"] == want["dns_servers"]


def test_external_nic_dns_registration_and_netbios(external, desired):
    want = desired["network"]["external"]
    assert external["register_in_dns"] is want["register_in_dns"]
    assert NETBIOS.get(external["netbios"]) == want["netbios"]


# ---------------------------------------------------------------------------------- certificates
def test_planned_certificates_are_installed(host, desired):
    wanted = [{"store": c["store"], "thumbprint": c["thumbprint"], "pfx": c["pfx"]} for c in desired["certificates"]]
    if not wanted:
        pytest.skip("the inventory configures no certificate (sfb_edge_certificates)")
    found = as_list(powershell(host, PS_CERTIFICATES, certificates=wanted)["certificates"])
    assert [(c["store"], c["thumbprint"]) for c in found if not c["present"]] == []
    keyless = [c["thumbprint"] for c, w in zip(found, wanted) if w["pfx"] and not c["has_private_key"]]
    assert keyless == [], "certificates in My without their private key"


# ---------------------------------------------------------------------------- the collection's view
def test_drift_report_after_converge_is_in_sync(desired):
    path = _ephemeral("plan", desired["pool"], "drift", HOST + ".json")
    assert os.path.exists(path), "%s is missing: converge.yml runs drift.yml after site.yml" % path
    with open(path, encoding="utf-8") as handle:
        report = json.load(handle)
    assert report["source"] == "live"
    assert (report["in_sync"], report["summary"], report["problems"]) == (True, {k: 0 for k in report["summary"]}, [])
