# -*- coding: utf-8 -*-
"""What the lockout guard relies on about Windows, checked on the real host over WinRM (testinfra).

docs/lab-checklist.md, section "Lockout guard", lists each assumption with the test here that confirms
it. The connection part of sfb.edge.edge_facts is run as shipped: its `Read-Part` function and its
"connection" section are cut out of plugins/modules/edge_facts.ps1 and run with a stub `$module`, so a
change there is what is tested. The session under test is testinfra's own WinRM connection
(SFB_EDGE_WINRM_PORT, 5986 by default).
"""

from __future__ import annotations

import os
import re

import pytest

from test_edge import as_list, desired, host, powershell  # noqa: F401  # pylint: disable=unused-import

MODULE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "plugins", "modules", "edge_facts.ps1")
PORT = int(os.environ.get("SFB_EDGE_WINRM_PORT") or "5986")
NO_SESSION_PORT = 1  # a local port no established connection uses


def _edge_facts_connection_part():
    with open(MODULE, encoding="utf-8") as handle:
        source = handle.read()
    read_part = re.search(r"^function Read-Part \{.*?^\}\n", source, re.S | re.M).group(0)
    start = source.index("# ------------------------------------------------------------------------------ connection")
    end = source.index("# ------------------------------------------------------------------------------ listeners")
    return read_part, source[start:end]


def _gather(host, ports):  # noqa: F811
    read_part, section = _edge_facts_connection_part()
    script = (
        "$script:warnings = @()\n"
        "$module = [pscustomobject]@{ Params = @{ connection_ports = @($want.ports | ForEach-Object { [int]$_ }) } }\n"
        "$module | Add-Member -MemberType ScriptMethod -Name Warn -Value { param($m) $script:warnings += $m }\n"
        "$state = [ordered]@{}\n" + read_part + section +
        "@{ connection = @($state.connection); connection_ports = @($state.connection_ports); "
        "is_array = ($state.connection -is [array]); warnings = @($script:warnings) }\n")
    return powershell(host, script, ports=ports)


PS_ADDRESSES = r"""
@{ addresses = @(Get-NetIPAddress -AddressFamily IPv4 | ForEach-Object { @{ address = $_.IPAddress; index = [int]$_.InterfaceIndex } }) }
"""

PS_OLD_QUERY = r"""
try {
    $null = Get-NetTCPConnection -State Established -LocalPort @($want.ports) -ErrorAction Stop
    @{ raised = $false; category = $null }
} catch { @{ raised = $true; category = [string]$_.CategoryInfo.Category } }
"""

PS_HOST_MODEL = r"""
@{ interfaces = @(foreach ($name in @($want.names)) {
    $i = Get-NetIPInterface -InterfaceAlias $name -AddressFamily IPv4
    @{ name = $name; weak_host_send = [string]$i.WeakHostSend; weak_host_receive = [string]$i.WeakHostReceive } }) }
"""

PS_FIND_ROUTE = r"""
$found = @(Find-NetRoute -RemoteIPAddress $want.remote -ErrorAction Stop)
$route = $found | Where-Object { $_.CimClass.CimClassName -eq 'MSFT_NetRoute' } | Select-Object -First 1
$address = $found | Where-Object { $_.CimClass.CimClassName -eq 'MSFT_NetIPAddress' } | Select-Object -First 1
@{ interface_index = [int]$route.InterfaceIndex; source = [string]$address.IPAddress }
"""


@pytest.fixture(scope="module")
def gathered(host):  # noqa: F811
    return _gather(host, [PORT, NO_SESSION_PORT])


@pytest.fixture(scope="module")
def session(gathered, host):  # noqa: F811
    """This test run's WinRM session as edge_facts reports it (IPv4 and on an adapter's address)."""
    addresses = {a["address"]: a["index"] for a in as_list(powershell(host, PS_ADDRESSES)["addresses"])}
    mine = [c for c in gathered["connection"] if c["local_port"] == PORT and c["local_address"] in addresses]
    assert mine, "no IPv4 session on local port %d on an adapter's address: %s" % (PORT, gathered["connection"])
    return dict(mine[0], interface_index=addresses[mine[0]["local_address"]])


def test_edge_facts_reports_the_session_on_its_port(gathered):
    # a port without any connection next to it does not hide the others (issue 9, item 14)
    assert gathered["warnings"] == []
    assert gathered["connection_ports"] == [PORT, NO_SESSION_PORT]
    assert gathered["is_array"] is True
    ports = {c["local_port"] for c in gathered["connection"]}
    assert ports == {PORT}, gathered["connection"]
    for entry in gathered["connection"]:
        assert set(entry) == {"local_address", "local_port", "remote_address", "remote_port"}
        assert isinstance(entry["remote_port"], int)


def test_edge_facts_connection_is_a_list_with_one_session(host):  # noqa: F811
    # asking for the session's port alone: usually one entry, still a list (never an object)
    gathered = _gather(host, [PORT])
    assert gathered["is_array"] is True and isinstance(gathered["connection"], list)


def test_several_ports_in_one_query_raise_for_the_empty_one(host):  # noqa: F811
    # why edge_facts filters the established connections itself instead of -LocalPort a,b
    result = powershell(host, PS_OLD_QUERY, ports=[PORT, NO_SESSION_PORT])
    assert result["raised"] is True and result["category"] == "ObjectNotFound"


def test_session_is_on_an_adapter_address(session):
    assert session["interface_index"] > 0
    assert session["remote_address"]


def test_nics_use_the_strong_host_model(host, desired):  # noqa: F811
    names = [desired["network"][role]["name"] for role in ("internal", "external")]
    found = as_list(powershell(host, PS_HOST_MODEL, names=names)["interfaces"])
    for item in found:
        assert item["weak_host_send"] == "Disabled", item
        assert item["weak_host_receive"] == "Disabled", item


def test_replies_to_the_controller_leave_by_the_sessions_interface(host, session):  # noqa: F811
    # the guard's path model: the peer the host sees is reached from the interface of the session
    route = powershell(host, PS_FIND_ROUTE, remote=session["remote_address"])
    assert route["interface_index"] == session["interface_index"], (route, session)
    assert route["source"] == session["local_address"], (route, session)
