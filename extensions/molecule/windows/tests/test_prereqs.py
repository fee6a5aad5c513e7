# -*- coding: utf-8 -*-
"""Where the Lync/SfB prerequisites are read, checked on the real host over WinRM (testinfra) -
docs/lab-checklist.md, section "Prerequisites" (plugins/plugin_utils/_prereqs.py decides on them from
edge_facts' computer fields).

Run by `molecule verify -s windows` after converge.yml, like test_edge.py (same connection variables).
Read-only: nothing is installed or changed. The values are read here with other means than
edge_facts uses where Windows has them (Environment.OSVersion, whoami, the Windows Update agent).
"""

from __future__ import annotations

import pytest
from test_edge import host, powershell  # noqa: F401  # pylint: disable=unused-import

# Windows Server builds and the .NET Framework 4.x release each ships with (learn.microsoft.com,
# "Versions and dependencies of .NET Framework"): a server of that build has at least this release.
SHIPPED_DOTNET = {14393: 394802, 17763: 461808, 20348: 528040}

PS_OS = r"""
$os = Get-CimInstance -ClassName Win32_OperatingSystem
@{ build = [int]$os.BuildNumber; version = [string]$os.Version; caption = [string]$os.Caption
   env_build = [Environment]::OSVersion.Version.Build; env_version = [string][Environment]::OSVersion.Version }
"""

PS_DOTNET = r"""
$r = Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full' -Name Release -ErrorAction SilentlyContinue
@{ release = if ($r) { [int]$r.Release } else { $null }; clr = [string][Environment]::Version }
"""

PS_TOKEN = r"""
$id = [Security.Principal.WindowsIdentity]::GetCurrent()
$p = Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System' -ErrorAction SilentlyContinue
$admins = @(Get-LocalGroupMember -SID 'S-1-5-32-544' -ErrorAction SilentlyContinue | ForEach-Object { [string]$_.SID })
@{ sid = $id.User.Value; name = $id.Name
   elevated = ([Security.Principal.WindowsPrincipal]$id).IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
   latfp = if ($p -and $null -ne $p.LocalAccountTokenFilterPolicy) { [int]$p.LocalAccountTokenFilterPolicy } else { $null }
   enable_lua = if ($p -and $null -ne $p.EnableLUA) { [int]$p.EnableLUA } else { $null }
   member = $admins -contains $id.User.Value
   debug = [bool]((whoami /priv) -match 'SeDebugPrivilege') }
"""

PS_WINDOWS_UPDATE = r"""
$au = Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU' -ErrorAction SilentlyContinue
@{ au_options = if ($au -and $null -ne $au.AUOptions) { [int]$au.AUOptions } else { $null }
   no_auto_update = if ($au -and $null -ne $au.NoAutoUpdate) { [int]$au.NoAutoUpdate } else { $null }
   level = [int](New-Object -ComObject Microsoft.Update.AutoUpdate).Settings.NotificationLevel }
"""

PS_NET35 = r"""
$f = Get-WindowsFeature -Name NET-Framework-Core
@{ install_state = [string]$f.InstallState }
"""


def test_os_build_from_win32_operatingsystem_is_the_windows_build(host):
    os_ = powershell(host, PS_OS)
    assert os_["build"] == os_["env_build"], os_
    assert os_["version"] == "10.0.%d" % os_["build"] or os_["build"] < 10000, os_
    assert os_["build"] in (9200, 9600, 14393, 17763, 20348, 26100), "not a Windows Server build: %s" % os_
    assert "Windows Server" in os_["caption"], os_


def test_dotnet_release_is_in_the_ndp_v4_full_key(host):
    os_ = powershell(host, PS_OS)
    net = powershell(host, PS_DOTNET)
    assert isinstance(net["release"], int), net
    assert net["clr"].startswith("4.0.30319"), net  # the CLR of every .NET Framework 4.x
    if os_["build"] in SHIPPED_DOTNET:
        assert net["release"] >= SHIPPED_DOTNET[os_["build"]], (os_, net)


def test_a_network_logon_is_elevated_exactly_as_prereqs_assumes(host):
    """A local administrator gets a full token over WinRM only as the built-in Administrator (-500),
    with LocalAccountTokenFilterPolicy 1, or with UAC off; only then does it hold SeDebugPrivilege,
    which runas become needs to elevate (prereqs.check_account)."""
    token = powershell(host, PS_TOKEN)
    if not token["member"] and not token["sid"].endswith("-500"):
        pytest.skip("the connecting account %s is not in Administrators: nothing to compare" % token["name"])
    expected = token["sid"].endswith("-500") or token["latfp"] == 1 or token["enable_lua"] == 0
    assert token["elevated"] == expected, token
    assert token["debug"] == token["elevated"], token


def test_windows_update_policy_values_are_what_the_agent_uses(host):
    wu = powershell(host, PS_WINDOWS_UPDATE)
    if wu["au_options"] is None or wu["no_auto_update"] == 1:
        pytest.skip("no Windows Update policy on this host (AUOptions not set or NoAutoUpdate 1): %s" % wu)
    # NotificationLevel: 2 notify before download, 3 notify before install, 4 scheduled install.
    assert wu["level"] == wu["au_options"], wu


def test_net35_has_no_payload_without_a_source(host):
    """NET-Framework-Core is 'Removed' (no payload) on a Windows Server 2012+ image: installing it needs
    -Source <media>\\sources\\sxs (sfb_edge_windows_feature_source), else 0x800f081f."""
    state = powershell(host, PS_NET35)["install_state"]
    if state == "Installed":
        pytest.skip(".NET 3.5 is installed already on this host")
    assert state == "Removed", state
