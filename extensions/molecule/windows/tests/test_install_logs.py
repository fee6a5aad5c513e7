# -*- coding: utf-8 -*-
"""Where the install run's installers write their logs (docs/lab-checklist.md, "CS install progress
and logs"; issue 11, item 6): edge_cs names these paths before each step runs, so they must be where
the installers really write. Checked after `molecule converge -s windows` installed Lync/SfB with this
version of the collection; a server installed before it (no log folder) skips, saying so."""

from __future__ import annotations

import os

import pytest
from test_edge import as_list, desired, host, powershell  # noqa: F401  # pylint: disable=unused-import

# cs_install_log_dir (the role's default unless the scenario sets another)
LOG_DIR = os.environ.get("SFB_EDGE_CS_LOG_DIR", "C:\\ProgramData\\sfb-edge\\logs")

PS_LOGS = r"""
$dir = $want.log_dir
@{
    exists = Test-Path -LiteralPath $dir -PathType Container
    files = @(Get-ChildItem -LiteralPath $dir -File -ErrorAction SilentlyContinue | ForEach-Object { $_.Name })
    # seconds between a log's creation and its last write: it grew while its installer ran
    written = @(Get-ChildItem -LiteralPath $dir -File -ErrorAction SilentlyContinue | ForEach-Object {
        @{ name = $_.Name; seconds = [math]::Round(($_.LastWriteTimeUtc - $_.CreationTimeUtc).TotalSeconds, 1) } })
    vcredist_on_media = if ($want.media_path) { Test-Path -LiteralPath ($want.media_path.TrimEnd('\') + '\Setup\amd64\vcredist_x64.exe') } else { $false }
    msis_on_media = @(foreach ($m in 'SQLSysClrTypes.msi', 'SharedManagementObjects.msi') {
        if ($want.media_path -and (Test-Path -LiteralPath ($want.media_path.TrimEnd('\') + '\Setup\amd64\' + $m))) { $m } })
}
"""


@pytest.fixture(scope="module")
def logs(host, desired):  # noqa: F811
    out = powershell(host, PS_LOGS, log_dir=LOG_DIR, media_path=desired["cs"]["media_path"])
    if not out["exists"]:
        pytest.skip("%s does not exist: Lync/SfB was installed before this version named its log folder" % LOG_DIR)
    out["files"] = as_list(out["files"])
    out["msis_on_media"] = as_list(out["msis_on_media"])
    out["written"] = {item["name"]: item["seconds"] for item in as_list(out["written"])}
    return out


def test_msiexec_logs_of_core_are_in_the_log_folder(logs):
    assert "sfb-edge-ocscore.msi.log" in logs["files"]
    for msi in logs["msis_on_media"]:
        assert "sfb-edge-%s.log" % msi in logs["files"]


def test_vcredist_writes_the_log_named_by_its_log_option(logs):
    if not logs["vcredist_on_media"]:
        pytest.skip("the media has no Setup\\amd64\\vcredist_x64.exe")
    assert "sfb-edge-vcredist_x64.log" in logs["files"]


def test_bootstrapper_writes_its_logs_into_its_temp(logs):
    """Bootstrapper (local_management, edge_roles) and the SQL Express setup it starts got TEMP and TMP
    set to the log folder: their own log files are there, next to the msiexec logs."""
    own = [f for f in logs["files"] if not f.startswith("sfb-edge-")]
    assert any("bootstrap" in f.lower() for f in own), logs["files"]


def test_update_installer_writes_its_logs_into_its_temp(logs, desired):
    if not desired["cs"].get("cu_path"):
        pytest.skip("no sfb_edge_cu_path: the cu step did not run")
    own = [f for f in logs["files"] if not f.startswith("sfb-edge-") and "bootstrap" not in f.lower()]
    assert own, logs["files"]
    assert "LCSSetup_Commands.log" in own, own  # the per-package logs are in the installer's folder (test_cu_path.py)


def test_logs_grow_while_their_installer_runs(logs):
    """The install runs in one edge_cs call (cs_install_step_calls: false), so the logs named before it
    are what the operator follows during it: the Core Components' MSI log and Bootstrapper's logs are
    written over the minutes their installers run, not once at the end."""
    assert logs["written"].get("sfb-edge-ocscore.msi.log", 0) >= 5, logs["written"]
    bootstrap = {name: secs for name, secs in logs["written"].items() if "bootstrap" in name.lower()}
    assert bootstrap and max(bootstrap.values()) >= 30, logs["written"]
