# -*- coding: utf-8 -*-
"""The Lync / Skype for Business install run on the real edge server (docs/lab-checklist.md, "CS
install"): what edge_cs and the controller assume about setup, checked after `molecule converge -s
windows` ran site.yml. Read with plain PowerShell and the product's own cmdlets, not with
sfb.edge.edge_facts. Expected values come from the desired state converge.yml wrote (test_edge.py).
"""

from __future__ import annotations

import pytest
from test_edge import as_list, desired, host, powershell  # noqa: F401  # pylint: disable=unused-import

# Minimum product version per (version, first OS build) - a copy of cs.py's table on purpose: a
# wrong production table must not hide here. SfB 2015: CU5 on 2016, CU9 on 2019.
REQUIRED_CU = {"sfb2015": ((17763, "6.0.9319.548"), (14393, "6.0.9319.281")), "lync2013": ((9600, "5.0.8308.556"),)}
# The names of the uninstall entries (cs.PROFILES entry_pattern): Lync Server 2013 writes "Microsoft Lync Server 2013,
# <component>" (issue 19, point 5); the others "<product>, <component>".
ENTRY_PREFIX = {"lync2013": "Microsoft Lync Server 2013, "}

PS_INSTALL = r"""
$uninstall = 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\*',
    'HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\*'
@{
    bootstrapper = Test-Path -LiteralPath ($want.install_dir.TrimEnd('\') + '\Deployment\Bootstrapper.exe') -PathType Leaf
    module_exists = Test-Path -LiteralPath $want.module_path -PathType Leaf
    module_under_install_dir = @(Get-ChildItem -LiteralPath $want.install_dir -Recurse -Filter ($want.module + '.psd1') -ErrorAction SilentlyContinue).Count
    os_build = [int](Get-CimInstance -ClassName Win32_OperatingSystem).BuildNumber
    products = @(Get-ItemProperty -Path $uninstall -ErrorAction SilentlyContinue |
        Where-Object { $_.DisplayName -match 'Lync Server|Skype for Business Server' } |
        ForEach-Object { @{ name = [string]$_.DisplayName; version = [string]$_.DisplayVersion } })
    features = @(Get-WindowsFeature -Name $want.features | ForEach-Object { @{ name = $_.Name; installed = [bool]$_.Installed } })
    services = @(foreach ($n in $want.services) {
        $s = Get-Service -Name $n -ErrorAction SilentlyContinue
        @{ name = $n; status = if ($s) { [string]$s.Status } else { 'Missing' } } })
    rtclocal = [string](Get-Service -Name 'MSSQL$RTCLOCAL' -ErrorAction SilentlyContinue).Status
    replica_share = [bool](Get-SmbShare -Name 'xds-replica' -ErrorAction SilentlyContinue)
}
"""

PS_MODULE = r"""
Import-Module -Name $want.module_path -DisableNameChecking -ErrorAction Stop
$xml = [xml](Get-CsTopology -LocalStore -AsXml).ToString()
@{
    commands = @('Import-CsConfiguration', 'Enable-CsReplica', 'Start-CsWindowsService', 'Install-CsDatabase', 'Enable-CsComputer',
        'Set-CsCertificate' | Where-Object { Get-Command -Name $_ -ErrorAction SilentlyContinue })
    machines = @($xml.SelectNodes("//*[local-name()='Machine']") | ForEach-Object { "$($_.Fqdn)".ToLowerInvariant() })
    databases = @(Test-CsDatabase -LocalService -ErrorAction Stop | ForEach-Object {
        @{ name = [string]$_.DatabaseName; succeed = [bool]$_.Succeed; expected = [string]$_.ExpectedVersion; installed = [string]$_.InstalledVersion } })
    cs_services = @(Get-CsWindowsService -ErrorAction Stop | ForEach-Object { @{ name = [string]$_.Name; status = [string]$_.Status } })
}
"""

PS_REBOOT = r"""
$names = 'HKLM:\SYSTEM\CurrentControlSet\Control\ComputerName'
@{
    ComponentBasedServicing = Test-Path -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending'
    WindowsUpdate = Test-Path -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired'
    PendingFileRenameOperations = [bool](Get-ItemProperty -LiteralPath 'HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager' `
        -Name PendingFileRenameOperations -ErrorAction SilentlyContinue)
    ComputerRename = (Get-ItemProperty "$names\ActiveComputerName").ComputerName -ne (Get-ItemProperty "$names\ComputerName").ComputerName
    cbs_key = Test-Path -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing'
}
"""


def _version_key(text):
    return tuple(int(p) for p in str(text).split(".") if p.isdigit())


@pytest.fixture(scope="module")
def cs_want(desired):  # noqa: F811
    return desired["cs"]


@pytest.fixture(scope="module")
def installed(host, cs_want):  # noqa: F811
    return powershell(host, PS_INSTALL, install_dir=cs_want["install_dir"], module_path=cs_want["module_path"],
                      module=cs_want["module"], features=cs_want["features"], services=cs_want["services"])


@pytest.fixture(scope="module")
def shell(host, cs_want):  # noqa: F811
    return powershell(host, PS_MODULE, module_path=cs_want["module_path"])


# ----------------------------------------------------------------------------------- core, paths
def test_core_components_give_bootstrapper_under_the_install_dir(installed):
    assert installed["bootstrapper"] is True


def test_module_is_under_common_files_whatever_the_install_dir(installed, cs_want):
    assert installed["module_exists"] is True, "%s is missing" % cs_want["module_path"]
    assert installed["module_under_install_dir"] == 0


def test_module_imports_and_has_the_cmdlets_edge_cs_calls(shell):
    assert sorted(as_list(shell["commands"])) == sorted(
        ["Import-CsConfiguration", "Enable-CsReplica", "Start-CsWindowsService", "Install-CsDatabase",
         "Enable-CsComputer", "Set-CsCertificate"])


def test_uninstall_entries_name_core_components_and_edge_server(installed, cs_want):
    names = [p["name"] for p in as_list(installed["products"])]
    prefix = ENTRY_PREFIX.get(cs_want["version"], cs_want["product"] + ", ")
    for part in ("Core Components", "Edge Server"):
        assert prefix + part in names, names


def test_installed_version_reaches_the_required_cumulative_update(installed, cs_want):
    minimum = cs_want.get("minimum_version")
    for first_build, version in REQUIRED_CU.get(cs_want["version"], ()):
        if not minimum and installed["os_build"] >= first_build:
            minimum = version
            break
    if not minimum:
        pytest.skip("no cumulative update required for %s on build %s" % (cs_want["version"], installed["os_build"]))
    parts = ("Core Components", "Edge Server")
    for item in as_list(installed["products"]):
        if item["name"].startswith(ENTRY_PREFIX.get(cs_want["version"], cs_want["product"] + ", ")) \
                and item["name"].endswith(parts):
            assert _version_key(item["version"]) >= _version_key(minimum), item


# ----------------------------------------------------------------------------------- features
def test_planned_windows_features_are_installed(installed, cs_want):
    got = {f["name"]: f["installed"] for f in as_list(installed["features"])}
    assert got == {name: True for name in cs_want["features"]}
    # HTTP Activation: every SfB server; not in the Lync Server 2013 Edge list (issue 19, point 9)
    assert ("NET-WCF-HTTP-Activation45" in got) == (cs_want["version"] != "lync2013")


# ----------------------------------------------------------------------------------- local store, services
def test_local_store_sql_express_instance_runs(installed):
    # Bootstrapper /BootstrapLocalMgmt installed SQL Express (RTCLOCAL): it only succeeds elevated (become)
    assert installed["rtclocal"] == "Running"


def test_replica_is_enabled_as_the_xds_replica_share(installed):
    assert installed["replica_share"] is True


def test_every_planned_service_runs_including_the_logging_agent(installed, cs_want):
    assert "RTCCLSAGT" in cs_want["services"]
    assert {s["name"]: s["status"] for s in as_list(installed["services"])} == {n: "Running" for n in cs_want["services"]}


def test_the_product_lists_no_edge_service_the_plan_lacks(shell, cs_want):
    """Get-CsWindowsService (what a nameless Start-CsWindowsService starts) is the planned list."""
    assert sorted(s["name"] for s in as_list(shell["cs_services"])) == sorted(cs_want["services"])


def test_local_store_holds_this_server(shell, cs_want):
    assert cs_want["fqdn"].lower() in as_list(shell["machines"])


def test_local_databases_are_at_the_installed_version(shell):
    """Install-CsDatabase -Update -LocalDatabases ran after the cumulative update."""
    databases = as_list(shell["databases"])
    assert databases and all(d["succeed"] for d in databases), databases


# ----------------------------------------------------------------------------------- reboot indicators
def test_pending_reboot_indicators_are_readable_and_clear_after_the_run(host):  # noqa: F811
    flags = powershell(host, PS_REBOOT)
    assert flags.pop("cbs_key") is True
    assert set(flags) == {"ComponentBasedServicing", "WindowsUpdate", "PendingFileRenameOperations", "ComputerRename"}
    pending = sorted(name for name, value in flags.items() if value)
    if pending:
        pytest.skip("a reboot is pending on the host (%s): reboot it and verify again" % ", ".join(pending))
