# -*- coding: utf-8 -*-
"""End to end: the plan playbook and the filter documentation, run through the real Ansible CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
FILTERS = ("routes", "san_list", "hosts_entries", "edge_inventory", "validate", "plan", "plan_report",
           "format_findings")


def run(*args, cwd=ROOT):
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".cache", "collections"),
               ANSIBLE_LOCAL_TEMP=os.path.join(ROOT, ".cache", "ansible-tmp"), PY_COLORS="0")
    exe = os.path.join(BIN, args[0])
    if not os.path.exists(exe):
        exe = shutil.which(args[0])
    return subprocess.run([exe, *args[1:]], cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
                          check=False)


def play(inventory, plan_dir, *extra):
    return run("ansible-playbook", os.path.join(ROOT, "playbooks", "plan.yml"), "-i", str(inventory),
               "-e", "sfb_edge_plan_dir=%s" % plan_dir, *extra)


def flat(output):
    """The output as one line: ansible-core before 2.19 folds the YAML of a failure message at 80
    columns and doubles the single quotes in it (make compat runs these tests on 2.16)."""
    return " ".join(output.split()).replace("''", "'")


def changed(output):
    line = [l for l in output.splitlines() if l.startswith("localhost")][-1]
    return int(line.split("changed=")[1].split()[0])


@pytest.mark.parametrize("inventory, pool, count", [
    ("example", "edgepool.corp.example.com", 9),
    ("single", "sfbedge01.corp.example.org", 1),
])
def test_plan_writes_files_and_is_idempotent(tmp_path, inventory, pool, count):
    first = play(os.path.join(ROOT, "inventories", inventory), tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert changed(first.stdout) == 0  # writing the plan is an output, not a change (issue 9, item 15)
    data = json.loads((tmp_path / pool / "plan.json").read_text())
    assert data["public_ips"]["count"] == count
    assert data["pool"]["fqdn"] == pool
    md = (tmp_path / pool / "plan.md").read_text()
    assert md.startswith("# Edge Admin Report: %s" % pool)
    # the flat per-address export beside plan.md: the expansion of the grouped rules
    lines = (tmp_path / pool / "firewall.csv").read_text().splitlines()
    groups = data["firewall"]["groups"]
    assert len(lines) == 1 + sum(len(groups[r["source"]]["members"]) * len(groups[r["destination"]]["members"])
                                 for r in data["firewall"]["rules"])
    assert "%s/%s/plan.json" % (tmp_path, "<pool>") in first.stdout or str(tmp_path) in first.stdout
    second = play(os.path.join(ROOT, "inventories", inventory), tmp_path)
    assert second.returncode == 0
    assert changed(second.stdout) == 0, second.stdout
    check = play(os.path.join(ROOT, "inventories", inventory), tmp_path, "--check", "--diff")
    assert check.returncode == 0 and changed(check.stdout) == 0


def test_plan_check_mode_writes_nothing(tmp_path):
    result = play(os.path.join(ROOT, "inventories", "example"), tmp_path / "p", "--check")
    assert result.returncode == 0, result.stdout + result.stderr
    # The plan is an output, not a change (sfb.edge.report_files); a check run writes nothing.
    assert changed(result.stdout) == 0
    assert not (tmp_path / "p").exists()


def _broken_inventory(tmp_path, mutate):
    dest = tmp_path / "inventory"
    shutil.copytree(os.path.join(ROOT, "inventories", "example"), dest)
    path = dest / "host_vars" / "edge02.yml"
    data = yaml.safe_load(path.read_text())
    mutate(data)
    path.write_text(yaml.safe_dump(data))
    return dest


def test_broken_inventory_fails_naming_host_and_variable(tmp_path):
    inv = _broken_inventory(tmp_path, lambda d: d["sfb_edge_internal_nic"].update(gateway="172.16.10.1"))
    result = play(inv, tmp_path / "plan")
    assert result.returncode != 0
    out = result.stdout + result.stderr
    assert "gateway_on_internal_nic" in out
    assert "host edge02" in out and "sfb_edge_internal_nic.gateway" in out
    assert "Traceback" not in out
    assert not (tmp_path / "plan").exists()  # nothing written


def test_garbage_value_fails_cleanly(tmp_path):
    inv = _broken_inventory(tmp_path, lambda d: d.update(sfb_edge_external_nic="External"))
    result = play(inv, tmp_path / "plan")
    assert result.returncode != 0
    out = result.stdout + result.stderr
    assert "host edge02, variable sfb_edge_external_nic" in out
    assert "Traceback" not in out


def test_certificate_password_never_printed(tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID
    import datetime

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "wrong.example.com")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=365)).sign(key, hashes.SHA256()))
    secret = "S3cret-Pfx-Passw0rd"
    pfx = tmp_path / "ext.pfx"
    pfx.write_bytes(pkcs12.serialize_key_and_certificates(
        b"x", key, cert, None, serialization.BestAvailableEncryption(secret.encode())))
    inv = _broken_inventory(tmp_path, lambda d: d.update(
        sfb_edge_certificates={"external": {"pfx": str(pfx), "password": secret}}))
    result = play(inv, tmp_path / "plan", "-vvv")
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "certificate_san_missing" in out and "host edge02" in out
    assert secret not in out
    # with the wrong password the file cannot be opened: still no password in the output
    inv2 = _broken_inventory(tmp_path / "b", lambda d: d.update(
        sfb_edge_certificates={"external": {"pfx": str(pfx), "password": "Wr0ng-" + secret}}))
    result = play(inv2, tmp_path / "plan", "-vvv")
    out = result.stdout + result.stderr
    assert "certificate_unreadable" in out and secret not in out


@pytest.mark.parametrize("name", FILTERS)
def test_filter_docs_render(name):
    result = run("ansible-doc", "-t", "filter", "sfb.edge.%s" % name)
    assert result.returncode == 0, result.stderr
    assert "sfb.edge.%s" % name in result.stdout or name in result.stdout
    assert "EXAMPLES" in result.stdout


def test_role_docs_show_inventory_contract():
    result = run("ansible-doc", "-t", "role", "sfb.edge.plan")
    assert result.returncode == 0, result.stderr
    for var in ("sfb_edge_pool_fqdn", "sfb_edge_internal_networks", "sfb_edge_hlb_vips", "plan_dir"):
        assert var in result.stdout


def test_filter_errors_name_the_filter(tmp_path):
    playbook = tmp_path / "p.yml"
    playbook.write_text(
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - ansible.builtin.debug:\n"
        "        msg: \"{{ ['0.0.0.0/0'] | sfb.edge.routes(nic_address='10.0.0.5/24', gateway='10.0.0.1',"
        " interface='Internal') }}\"\n")
    result = run("ansible-playbook", str(playbook), "-i", "localhost,", "-e",
                 "ansible_python_interpreter=%s" % sys.executable, cwd=str(tmp_path))
    out = flat(result.stdout + result.stderr)
    assert result.returncode != 0
    assert "sfb.edge.routes: internal network '0.0.0.0/0' is a default route" in out


def test_undefined_variable_names_host_and_variable(tmp_path):
    inv = _broken_inventory(tmp_path, lambda d: d.update(sfb_edge_dns_suffix="{{ my_missing_suffix }}"))
    result = play(inv, tmp_path / "plan")
    out = flat(result.stdout + result.stderr)
    assert result.returncode != 0
    assert "host edge02, variable sfb_edge_dns_suffix cannot be evaluated" in out
    assert "my_missing_suffix" in out and "censored" not in out


def test_make_plan_names_the_report_page_first(tmp_path):
    """`make plan` ends by naming the page people open (issue 20 item 12, issue 22 item 10)."""
    plan_dir = tmp_path / "plan"
    done = subprocess.run(["make", "-s", "plan", "PLAN_DIR=%s" % plan_dir], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False, env=dict(os.environ, ANSIBLE_NOCOLOR="1"))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    tail = done.stdout.split("Plan written under", 1)[1].splitlines()
    pool = os.path.join(str(plan_dir), "edgepool.corp.example.com")
    assert "open report.html in a browser" in tail[0]
    assert [line.strip() for line in tail[1:5]] == [os.path.join(pool, name) for name in
                                                    ("report.html", "plan.md", "plan.json", "firewall.csv")]


def _two_pool_groups(tmp_path, parent_default=False):
    """The example inventory with a second pool group edge_pool_dmz2 (pool edgepool2.corp.example.com) and edge03
    in both pool groups; ``parent_default``: instead, edge_servers' group vars give a default pool that the pool
    group (its child) overrides - Ansible's documented order, not an ambiguity."""
    inv = tmp_path / "inventory"
    shutil.copytree(os.path.join(ROOT, "inventories", "example"), inv)
    hosts = yaml.safe_load((inv / "hosts.yml").read_text())
    if parent_default:  # inline group vars of the parent: whatever the layout of group_vars/
        hosts["all"]["children"]["edge_servers"]["vars"] = {"sfb_edge_pool_fqdn": "default-pool.corp.example.com"}
        (inv / "hosts.yml").write_text(yaml.safe_dump(hosts))
        return inv
    children = hosts["all"]["children"]["edge_servers"]["children"]
    children["edge_pool_corp"]["hosts"]["edge03"] = {"ansible_host": "172.16.10.13"}
    children["edge_pool_dmz2"] = {"hosts": {"edge03": None}}
    (inv / "hosts.yml").write_text(yaml.safe_dump(hosts))
    (inv / "group_vars" / "edge_pool_dmz2.yml").write_text("sfb_edge_pool_fqdn: edgepool2.corp.example.com\n")
    return inv


def test_a_server_in_two_pool_groups_fails_naming_host_and_groups(tmp_path):
    """Issue 19, point 16: hostvars hold only the merged value; the inventory's groups are read."""
    result = play(_two_pool_groups(tmp_path), tmp_path / "plan")
    assert result.returncode != 0
    out = flat(result.stdout + result.stderr)
    assert "ERROR [pool_group_conflict] host edge03, variable sfb_edge_pool_fqdn: edge03 is in the groups " \
        "edge_pool_corp (edgepool.corp.example.com), edge_pool_dmz2 (edgepool2.corp.example.com), whose group vars " \
        "give different sfb_edge_pool_fqdn values" in out
    assert "Traceback" not in out
    assert not (tmp_path / "plan").exists()  # nothing written


def test_a_parent_groups_default_pool_overridden_by_the_pool_group_is_no_conflict(tmp_path):
    result = play(_two_pool_groups(tmp_path, parent_default=True), tmp_path / "plan")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "pool_group_conflict" not in result.stdout + result.stderr
    assert json.loads((tmp_path / "plan" / "edgepool.corp.example.com" / "plan.json").read_text())["pool"]["fqdn"] == \
        "edgepool.corp.example.com"
