# -*- coding: utf-8 -*-
"""The cumulative-update path on a real edge (docs/lab-checklist.md, "CS update path"; issue 19, section A):
what the update installer's file version says, where it writes its logs, the mark edge_cs keeps while the
update's second half is due, and the exit codes and services the controller's policy relies on. Checked
after `molecule converge -s windows` installed Lync/SfB with this version; the tests that need the update
skip without `sfb_edge_cu_path`, and the ones that stop a service or run an installer again run only with
SFB_EDGE_LAB_DISRUPTIVE=1 (a lab box: the edge is briefly down)."""

from __future__ import annotations

import os

import pytest
from test_edge import as_list, desired, host, powershell  # noqa: F401  # pylint: disable=unused-import

LOG_DIR = os.environ.get("SFB_EDGE_CS_LOG_DIR", "C:\\ProgramData\\sfb-edge\\logs")
DISRUPTIVE = os.environ.get("SFB_EDGE_LAB_DISRUPTIVE") == "1"

PS_UPDATE = r"""
$path = $want.installer
$item = Get-Item -LiteralPath $path -ErrorAction SilentlyContinue
$info = if ($item) { $item.VersionInfo }
@{
    exists = [bool]$item
    version = if ($info) {
        '{0}.{1}.{2}.{3}' -f $info.FileMajorPart, $info.FileMinorPart, $info.FileBuildPart, $info.FilePrivatePart
    } else { $null }
    folder_logs = @(if ($item) {
        Get-ChildItem -LiteralPath $item.DirectoryName -Filter '*.log' -File -ErrorAction SilentlyContinue | ForEach-Object { $_.Name }
    })
    temp_logs = @(Get-ChildItem -LiteralPath $want.log_dir -File -ErrorAction SilentlyContinue | ForEach-Object { $_.Name })
    products = @(Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\*' -ErrorAction SilentlyContinue |
        Where-Object { $_.DisplayName -like "$($want.product), *" } |
        ForEach-Object { @{ name = [string]$_.DisplayName; version = [string]$_.DisplayVersion } })
    mark = [bool](Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\sfb.edge' -Name 'CuDatabasesPending' -ErrorAction SilentlyContinue)
}
"""

PS_MARK = r"""
$key = 'HKLM:\SOFTWARE\sfb.edge-labtest'
if (-not (Test-Path -LiteralPath $key)) { $null = New-Item -Path $key -Force -ErrorAction Stop }
$null = New-ItemProperty -LiteralPath $key -Name 'CuDatabasesPending' -PropertyType DWord -Value 1 -Force -ErrorAction Stop
$null = New-ItemProperty -LiteralPath $key -Name 'CuDatabasesPending' -PropertyType DWord -Value 1 -Force -ErrorAction Stop
$set = (Get-ItemProperty -LiteralPath $key -Name 'CuDatabasesPending' -ErrorAction SilentlyContinue).CuDatabasesPending
Remove-ItemProperty -LiteralPath $key -Name 'CuDatabasesPending' -ErrorAction Stop
$cleared = [bool](Get-ItemProperty -LiteralPath $key -Name 'CuDatabasesPending' -ErrorAction SilentlyContinue)
Remove-Item -LiteralPath $key -Force
@{ set = $set; cleared = -not $cleared }
"""

PS_SERVICES = r"""
@(foreach ($name in $want.services) {
    $cim = Get-CimInstance -ClassName Win32_Service -Filter ("Name='{0}'" -f $name)
    @{ name = $name; start_mode = if ($cim) { [string]$cim.StartMode } else { $null } }
})
"""

PS_RESTART = r"""
$name = $want.service
Stop-Service -Name $name -Force -ErrorAction Stop
$stopped = [string](Get-Service -Name $name).Status
Start-Service -Name $name -ErrorAction Stop
(Get-Service -Name $name).WaitForStatus('Running', [TimeSpan]::FromSeconds(120))
@{ stopped = $stopped; status = [string](Get-Service -Name $name).Status }
"""

PS_RERUN = r"""
$p = Start-Process -FilePath $want.path -ArgumentList $want.arguments -Wait -PassThru
@{ rc = $p.ExitCode }
"""


def _version_key(text):
    return tuple(int(p) for p in str(text).split(".") if p.isdigit())


@pytest.fixture(scope="module")
def update(host, desired):  # noqa: F811
    cu_path = desired["cs"].get("cu_path")
    if not cu_path:
        pytest.skip("no sfb_edge_cu_path: the cu step did not run")
    installer = cu_path if cu_path.lower().endswith(".exe") else cu_path.rstrip("\\") + "\\SkypeServerUpdateInstaller.exe"
    out = powershell(host, PS_UPDATE, installer=installer, log_dir=LOG_DIR, product=desired["cs"]["product"])
    if not out["exists"]:
        pytest.fail("%s does not exist on the host" % installer)
    out["installer"] = installer
    return out


def test_update_installer_file_version_is_the_build_it_installs(update):
    """The target version of cu (cs.update_target) is the installer's file version: after the converge every
    Core Components / Edge Server entry shows that build (or a newer one, installed by hand later)."""
    parts = [p for p in as_list(update["products"]) if p["name"].endswith((", Core Components", ", Edge Server"))]
    assert parts, update["products"]
    versions = {_version_key(p["version"]) for p in parts}
    assert min(versions) >= _version_key(update["version"]), (update["version"], parts)
    assert _version_key(update["version"]) in versions, (update["version"], parts)


def test_update_installer_writes_package_logs_in_its_own_folder(update):
    assert as_list(update["folder_logs"]), "no *.log next to %s" % update["installer"]


def test_update_installer_writes_lcssetup_commands_log_into_its_temp(update):
    assert "LCSSetup_Commands.log" in as_list(update["temp_logs"]), update["temp_logs"]


def test_the_second_half_mark_is_clear_after_the_converge(update):
    """edge_cs cleared HKLM\\SOFTWARE\\sfb.edge CuDatabasesPending after Install-CsDatabase -Update succeeded."""
    assert update["mark"] is False


def test_the_mark_is_written_overwritten_and_removed_as_edge_cs_does(host):  # noqa: F811
    out = powershell(host, PS_MARK)
    assert out == {"set": 1, "cleared": True}


def test_every_planned_service_starts_with_windows(host, desired):  # noqa: F811
    """A reboot that follows the update starts the services it stopped (edge_cs leaves them stopped then)."""
    modes = {s["name"]: s["start_mode"] for s in as_list(powershell(host, PS_SERVICES, services=desired["cs"]["services"]))}
    assert modes == {name: "Auto" for name in desired["cs"]["services"]}


@pytest.mark.skipif(not DISRUPTIVE, reason="stops a service: set SFB_EDGE_LAB_DISRUPTIVE=1 on a lab box")
def test_start_service_starts_a_service_stopped_for_the_update(host):  # noqa: F811
    """What Start-SfbCsServiceAgain / Restore-SfbCsService do: Start-Service brings back an RTC service stopped
    with Stop-Service -Force (the Centralized Logging agent: the least disruptive one)."""
    assert powershell(host, PS_RESTART, service="RTCCLSAGT") == {"stopped": "Stopped", "status": "Running"}


@pytest.mark.skipif(not DISRUPTIVE, reason="runs the update installer again: set SFB_EDGE_LAB_DISRUPTIVE=1 on a lab box")
def test_update_installer_on_a_current_server_exits_with_a_success_code(update, host):  # noqa: F811
    """`<installer> /silentmode` on a server that has the update exits 0 (cs.EXIT_CODES["cu"] success)."""
    rc = powershell(host, PS_RERUN, path=update["installer"], arguments="/silentmode")["rc"]
    assert rc in (0, 3010, 1641), rc  # the policy's success or reboot codes; anything else fails the step
    assert rc == 0, "rc %s: a reboot code on a current server - reboot before the next run" % rc


@pytest.mark.skipif(not DISRUPTIVE, reason="runs Bootstrapper again: set SFB_EDGE_LAB_DISRUPTIVE=1 on a lab box")
def test_bootstrapper_on_an_installed_server_exits_with_a_success_code(host, desired):  # noqa: F811
    """`Bootstrapper.exe /BootstrapLocalMgmt` again on an installed server: 0 (cs.EXIT_CODES["local_management"])."""
    bootstrapper = desired["cs"]["install_dir"].rstrip("\\") + "\\Deployment\\Bootstrapper.exe"
    media = (desired["cs"].get("media_path") or "").rstrip("\\")
    if not media:
        pytest.skip("no sfb_edge_media_path")
    rc = powershell(host, PS_RERUN, path=bootstrapper,
                    arguments='/BootstrapLocalMgmt "/SourceDirectory:%s\\Setup\\amd64"' % media)["rc"]
    assert rc == 0, rc
