# -*- coding: utf-8 -*-
"""The shipped inventories as an operator uses them (issue 20, items 1, 2 and 12).

- Following the vault advice (a ``vault.yml`` beside the group's variables) must keep the WinRM settings:
  the group's variables are a folder, ``group_vars/<group>/main.yml`` + ``vault.yml``, and Ansible reads
  both (a ``group_vars/<group>.yml`` file is ignored once the folder exists).
- Nothing in the inventory sets the edges' ``ansible_user``/``ansible_password``: inventory variables beat
  ``-u`` and AWX's Machine credential, so a templated empty default silently replaced the credential.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest

from test_plan_playbook import ROOT, run

EXAMPLE = os.path.join(ROOT, "inventories", "example")
SINGLE = os.path.join(ROOT, "inventories", "single")
CONNECTION = {"ansible_connection": "winrm", "ansible_port": 5986, "ansible_winrm_scheme": "https",
              "ansible_winrm_transport": "ntlm", "ansible_winrm_message_encryption": "always",
              "ansible_winrm_server_cert_validation": "validate", "cs_install_become": True,
              "cs_install_become_method": "ansible.builtin.runas", "cs_install_become_user": "SYSTEM"}


def host_vars(inventory, host, *extra):
    done = run("ansible-inventory", "-i", str(inventory), "--host", host, *extra)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def _vault(tmp_path, path, text):
    secret = tmp_path / "vault-pass"
    secret.write_text("correct horse\n")
    path.write_text(text)
    done = run("ansible-vault", "encrypt", "--vault-password-file", str(secret), str(path))
    assert done.returncode == 0, done.stderr
    assert path.read_text().startswith("$ANSIBLE_VAULT;")
    return secret


def test_the_example_keeps_its_connection_when_the_vault_files_exist(tmp_path):
    inventory = tmp_path / "inventory"
    shutil.copytree(EXAMPLE, inventory)
    secret = _vault(tmp_path, inventory / "group_vars" / "edge_servers" / "vault.yml",
                    "ansible_user: edgeadmin\nansible_password: S3cret-pw\n")
    _vault(tmp_path, inventory / "group_vars" / "front_ends" / "vault.yml",
           "vault_sfb_edge_frontend_user: svc-lync@CORP.EXAMPLE.COM\nvault_sfb_edge_frontend_password: Fe-pw-1\n")
    edge = host_vars(inventory, "edge01", "--vault-password-file", str(secret))
    assert {k: edge.get(k) for k in CONNECTION} == CONNECTION
    assert (edge["ansible_user"], edge["ansible_password"]) == ("edgeadmin", "S3cret-pw")
    assert edge["sfb_edge_pool_fqdn"] == "edgepool.corp.example.com"  # the pool's variables too
    fe = host_vars(inventory, "fe01", "--vault-password-file", str(secret))
    assert (fe["ansible_connection"], fe["ansible_winrm_transport"], fe["ansible_become_method"]) == \
        ("winrm", "kerberos", "runas")
    assert fe["ansible_user"] == "{{ vault_sfb_edge_frontend_user | default('') }}"  # resolved at connection time


@pytest.mark.parametrize("inventory, host", [(EXAMPLE, "edge01"), (EXAMPLE, "edge02"), (SINGLE, "sfbedge01")])
def test_no_inventory_sets_the_edges_account(inventory, host):
    """AWX's Machine credential and ``-u`` decide the account; no vault variable is needed for a plan or a
    snapshot run (inventories/single failed on an undefined one)."""
    found = host_vars(inventory, host)
    assert "ansible_user" not in found and "ansible_password" not in found
    assert not [k for k, v in found.items() if "vault_" in json.dumps(v)]
    assert {k: found.get(k) for k in ("ansible_connection", "ansible_port")} == {"ansible_connection": "winrm",
                                                                                 "ansible_port": 5986}


def test_group_vars_are_folders():
    """A group_vars/<group>.yml beside a group_vars/<group>/ folder would be ignored by Ansible."""
    for inventory in (EXAMPLE, SINGLE):
        folder = os.path.join(inventory, "group_vars")
        files = {os.path.splitext(n)[0] for n in os.listdir(folder) if n.endswith(".yml")}
        dirs = {n for n in os.listdir(folder) if os.path.isdir(os.path.join(folder, n))}
        assert files & dirs == set()
        assert {"edge_servers"} <= dirs
