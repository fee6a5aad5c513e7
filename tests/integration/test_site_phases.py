# -*- coding: utf-8 -*-
"""site.yml's phases and the identity-reboot wait (issue 20, point 4), in snapshot mode: a phase runs only its
areas (the windows phase runs no Lync/SfB task and no validation), the tags map onto sfb_edge_phase (same
tasks), a conflict or an unknown phase stops the run before any edge task, and a new name / primary DNS
suffix makes the install wait for the reboot unless identity_reboot is on."""

from __future__ import annotations

from test_windows_playbooks import EDGES, EXAMPLE, live_calls, per_host_rounds, playbook, recap

CS_ROLES = ("sfb.edge.cs_install", "sfb.edge.cs_certificates", "sfb.edge.cs_services")
WINDOWS_ROLES = ("sfb.edge.routes", "sfb.edge.network", "sfb.edge.hosts_file", "sfb.edge.identity")
ALLOW = ("-e", "sfb_edge_allow_connection_change=true")


def _ran(entries, host, prefixes):
    return [e["task"] for e in entries if e["host"] == host and e["status"] != "skipped"
            and e["task"].startswith(prefixes)]


def test_windows_phase_runs_no_install_task_and_no_validation(tmp_path):
    by_variable, entries = playbook("site", EXAMPLE, tmp_path, *ALLOW, "-e", "sfb_edge_phase=windows",
                                    snapshot="fresh")
    assert by_variable.returncode == 0, by_variable.stdout[-3000:] + by_variable.stderr
    for host in EDGES:
        assert _ran(entries, host, CS_ROLES) == []
        assert [e for e in entries if e["host"] == host and e["task"].startswith("Lync/SfB")
                and e["status"] != "skipped"] == []
        assert _ran(entries, host, WINDOWS_ROLES) != []
    # the validation play ends before its first task: no validation, no report
    assert [e["task"] for e in entries if e["task"].startswith("Validate the edge server")] == []
    assert not (tmp_path / "plan" / "edgepool.corp.example.com" / "validate").exists()
    assert by_variable.validations == 1
    # cs_services: nothing of its own on a fresh box (the setup call starts the services, after the certificates)
    assert "edge01: phase windows; left for a later phase: cs_install, cs_certificates." in " ".join(by_variable.stdout.split())
    assert "Next: the firewall proof (sfb.edge.firewall_proof), then site.yml -e sfb_edge_phase=install" in " ".join(
        by_variable.stdout.split())
    # the tag maps onto the variable: the same tasks, with the same results
    (tmp_path / "tags").mkdir()
    by_tag, tag_entries = playbook("site", EXAMPLE, tmp_path / "tags", *ALLOW, "--tags", "windows", snapshot="fresh")
    assert by_tag.returncode == 0, by_tag.stdout[-3000:]
    assert sorted((e["host"], e["task"], e["status"]) for e in tag_entries) == sorted(
        (e["host"], e["task"], e["status"]) for e in entries)


def test_fresh_box_install_waits_for_the_identity_reboot(tmp_path):
    """tests/snapshots/fresh has the default name and no suffix: --check plans identity and marks the install
    as waiting - no cs_install, cs_certificates or cs_services task - and says what to do."""
    result, entries = playbook("site", EXAMPLE, tmp_path, *ALLOW, "--check", snapshot="fresh")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    out = " ".join(result.stdout.split())
    for host in EDGES:
        identity = [e for e in entries if e["host"] == host and e["action"] == "sfb.edge.edge_apply"
                    and e["task"].startswith("sfb.edge.identity")]
        assert [e["changed"] for e in identity] == [True]
        assert _ran(entries, host, CS_ROLES) == []
        assert ("%s: WAITING - the install (cs_install, cs_certificates) waits for the reboot of the new "
                "name / primary DNS suffix" % host) in out
    assert "Reboot edge01 and run site.yml again (-e sfb_edge_phase=install after the firewall proof), or set " \
           "identity_reboot: true to let the play reboot it." in out
    # with identity_reboot the install follows the reboot in the same run: planned
    (tmp_path / "reboot").mkdir()
    result, entries = playbook("site", EXAMPLE, tmp_path / "reboot", *ALLOW, "--check", "-e", "identity_reboot=true",
                               snapshot="fresh")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "WAITING" not in result.stdout
    install = [e for e in entries if e["host"] == "edge01" and e["action"] == "sfb.edge.edge_apply"
               and e["task"].startswith("sfb.edge.cs_install")]
    assert [e["changed"] for e in install if e["status"] != "skipped"] == [True]


def test_install_phase_refuses_a_host_whose_windows_part_differs(tmp_path):
    result, entries = playbook("site", EXAMPLE, tmp_path, "--tags", "install", snapshot="fresh")
    assert result.returncode != 0
    out = " ".join(result.stdout.split())
    assert ("edge01: phase install, but the Windows part still differs from the plan (routes, network, hosts_file, "
            "identity); nothing was changed. Run site.yml -e sfb_edge_phase=windows (--tags windows) first") in out
    for host in EDGES:
        assert _ran(entries, host, CS_ROLES + WINDOWS_ROLES) == []
        assert recap(result.stdout, host)["changed"] == 0


def test_validate_phase_runs_the_validation_play_only(tmp_path, monkeypatch):
    monkeypatch.setenv("SFB_EDGE_NOW", "2026-12-01T00:00:00Z")
    result, entries = playbook("site", EXAMPLE, tmp_path, "-e", "sfb_edge_phase=validate", snapshot="converged")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "PASSED - 20 pass, 0 fail" in result.stdout
    for host in EDGES:
        assert live_calls(entries, host) == 1  # the validation's own read; the converge play read nothing
        assert per_host_rounds(entries, host) == [
            "Validate the edge server (controller; written to <plan dir>/<pool>/validate/<host>.md and .json)"]
    assert result.validations == 1


def test_phase_and_tags_that_disagree_stop_before_any_edge_task(tmp_path):
    result, entries = playbook("site", EXAMPLE, tmp_path, "-e", "sfb_edge_phase=install", "--tags", "windows",
                               snapshot="converged")
    assert result.returncode != 0
    assert "sfb_edge_phase=install and the tags (windows) select different phases (install, windows)" in result.stdout
    assert [e["task"] for e in entries if e["status"] != "skipped"] == [
        "Validate the edge inventory (every error is listed; nothing is contacted)",
        "Check the phase (sfb_edge_phase, or the tags windows, install, validate)"]
    result, _entries = playbook("site", EXAMPLE, tmp_path, "-e", "sfb_edge_phase=deploy", snapshot="converged")
    assert result.returncode != 0 and "sfb_edge_phase names an unknown phase: 'deploy'" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
