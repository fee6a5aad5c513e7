# -*- coding: utf-8 -*-
"""The Front End tasks through the real Ansible CLI (issue 9, items 3 and 13).

A failed export on the Front End must leave nothing behind on the controller. The role's own task
file runs with the state of a server without Lync/SfB (the cs-fresh snapshot, as if gathered live, so
the export is needed) and a Front End whose export really fails: its inventory gives it a local
connection, where the PowerShell module cannot run. The controller's temporary directory is looked
for under TMPDIR, which the test points at a directory of its own.
"""

from __future__ import annotations

import getpass
import os
import shutil
import sys

import yaml

from test_plan_playbook import ROOT, run

SNAPSHOTS = os.path.join(ROOT, "tests", "snapshots")

PLAY = """
- name: cs_install with a Front End whose export fails
  hosts: edge_servers
  gather_facts: false
  vars:
    cs_install_config_refresh: false
    cs_install_reboot: false
    cs_install_timeout: 60
    edge_state_parts: "{{ edge_state_desired | sfb.edge.state_parts(edge_state_current, check=false) }}"
  tasks:
    - name: The state of a server without Lync/SfB, as if gathered live
      ansible.builtin.set_fact:
        edge_state_desired: "{{ hostvars | sfb.edge.edge_inventory(groups['edge_servers']) | sfb.edge.desired_state(inventory_hostname) }}"
        edge_state_current: "{{ lookup('sfb.edge.edge_snapshot', inventory_hostname, directory=snapshots) }}"
        edge_state_snapshot: false
        edge_state_frontend: fe01
        edge_state_source: live
    - name: The tasks of the role sfb.edge.cs_install
      ansible.builtin.include_tasks: "{{ role_tasks }}"
"""


def _failing_frontend(tmp_path):
    inv = tmp_path / "inventory"
    shutil.copytree(os.path.join(ROOT, "inventories", "example"), inv)
    (inv / "host_vars" / "fe01.yml").write_text(yaml.safe_dump(
        {"ansible_connection": "local", "ansible_python_interpreter": sys.executable, "ansible_become": False}))
    play = tmp_path / "play.yml"
    play.write_text(PLAY)
    return inv, play


def test_failed_export_leaves_no_directory_on_the_controller(tmp_path, monkeypatch):
    inv, play = _failing_frontend(tmp_path)
    tmpdir = tmp_path / "controller-tmp"
    tmpdir.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmpdir))
    result = run("ansible-playbook", str(play), "-i", str(inv),
                 "-e", "snapshots=%s" % os.path.join(SNAPSHOTS, "cs-fresh"),
                 "-e", "role_tasks=%s" % os.path.join(ROOT, "roles", "cs_install", "tasks", "main.yml"))
    out = result.stdout + result.stderr
    assert result.returncode != 0, out
    # the export really ran and failed, and the directory had been created before it
    assert "TASK [Private temporary directory on the controller]" in out
    assert "fatal: [edge01 -> fe01" in out
    assert sorted(p.name for p in tmpdir.iterdir() if p.name.startswith("sfb-edge-config-")) == [], out[-3000:]
    # the failure names the Front End and the task (not a double hop: the error is passed on)
    assert "fe01: 'Export-CsConfiguration on the Front End' failed on the Front End:" in out
    assert "Traceback" not in out


DRIFT_PLAY = """
- name: drift with a Front End whose cmdlets hit the double hop
  hosts: edge_servers
  gather_facts: false
  # What a play may set for the edge servers (issue 9, item 18: setup as SYSTEM): the tasks delegated
  # to the Front End must not take it.
  become: true
  become_user: SYSTEM
  become_method: runas
  vars:
    drift_dir: "{{ plan_dir }}"
    drift_fail: false
  tasks:
    - name: The state of converged servers, as if gathered live
      ansible.builtin.set_fact:
        edge_state_desired: "{{ hostvars | sfb.edge.edge_inventory(groups['edge_servers']) | sfb.edge.desired_state(inventory_hostname) }}"
        edge_state_current: "{{ lookup('sfb.edge.edge_snapshot', inventory_hostname, directory=snapshots) }}"
        edge_state_snapshot: false
        edge_state_frontend: fe01
        edge_state_source: live
    - name: The tasks of the role sfb.edge.drift
      ansible.builtin.include_tasks: "{{ role_tasks }}"
"""

# Stands in for PowerShell on the Front End. A PowerShell module runs as `powershell <module file>`
# (a fixed #!powershell shebang), the file holding Ansible's exec wrapper with, under become, the
# runas action and its user: the stub records that user, then fails as
# Get-CsManagementStoreReplicationStatus does when the CMS SQL Server sees an anonymous logon.
STUB = """#!/bin/sh
user=$(grep -a -o '"BecomeUser": "[^"]*"' "$1" | head -n 1)
printf '%s\\n' "${user:-no become}" >> "$SFB_EDGE_STUB_LOG"
cat <<'JSON'
{"failed": true, "changed": false, "msg": "Login failed for user 'NT AUTHORITY\\\\ANONYMOUS LOGON'.",
 "exception": "System.Data.SqlClient.SqlException (0x80131904): Login failed for user 'NT AUTHORITY\\\\ANONYMOUS LOGON'."}
JSON
"""


def test_front_end_tasks_run_as_the_front_end_inventory_says_and_name_the_double_hop(tmp_path, monkeypatch):
    """The example inventory's front_ends become settings (runas as the Front End account) are what the
    delegated Front End task runs with, whatever the play sets; the double hop failure says what to fix."""
    inv = tmp_path / "inventory"
    shutil.copytree(os.path.join(ROOT, "inventories", "example"), inv)
    (tmp_path / "bin").mkdir()
    stub = tmp_path / "bin" / "powershell"
    stub.write_text(STUB)
    stub.chmod(0o755)
    log = tmp_path / "stub.log"
    monkeypatch.setenv("PATH", "%s:%s" % (tmp_path / "bin", os.environ["PATH"]))
    monkeypatch.setenv("SFB_EDGE_STUB_LOG", str(log))
    # Only the connection is local; the become settings are those of group_vars/front_ends/main.yml. The
    # Front End account is this user, so the local connection need not hand files to another user.
    (inv / "host_vars" / "fe01.yml").write_text(yaml.safe_dump(
        {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}))
    user = getpass.getuser()
    result = run("ansible-playbook", str(play_file(tmp_path, DRIFT_PLAY)), "-i", str(inv),
                 "-e", "snapshots=%s" % os.path.join(SNAPSHOTS, "converged"), "-e", "plan_dir=%s" % (tmp_path / "plan"),
                 "-e", "role_tasks=%s" % os.path.join(ROOT, "roles", "drift", "tasks", "main.yml"),
                 "-e", "vault_sfb_edge_frontend_user=%s" % user, "-e", "vault_sfb_edge_frontend_password=placeholder")
    out = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0, out
    assert log.read_text().splitlines() == ['"BecomeUser": "%s"' % user], out[-3000:]  # runas, not SYSTEM
    assert ("fe01: 'Replication status of every edge from the Front End (one call)' could not reach the SQL Server "
            "of the Central Management Store - the WinRM double hop") in out
    assert "(now: become runas, transport kerberos)" in out
    assert "ansible_winrm_kerberos_delegation: true" in out and "ansible_winrm_transport: credssp" in out
    assert "placeholder" not in out
    assert "Traceback" not in out


def play_file(tmp_path, text):
    play = tmp_path / "play.yml"
    play.write_text(text)
    return play
