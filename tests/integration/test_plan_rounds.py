# -*- coding: utf-8 -*-
"""plan.yml and the validation step as one controller task each (sfb.edge.plan_files, sfb.edge.plan_validation),
through the real CLI: validations and task rounds counted (callbacks/task_log.py, SFB_EDGE_COUNT_VALIDATIONS),
the files' real contents, the warnings, the errors, the registered plan_validation."""

from __future__ import annotations

import json
import os
import shutil

import pytest
import yaml

from test_plan_playbook import ROOT, run

from ansible_collections.sfb.edge.plugins.plugin_utils import _report as report, _store as store

EXAMPLE = os.path.join(ROOT, "inventories", "example")
POOL = "edgepool.corp.example.com"


def counted(tmp_path, *args, env=None):
    """``(result, task log entries, validations)`` of ``ansible-playbook *args``."""
    log = tmp_path / ("log-%d.jsonl" % len(list(tmp_path.glob("log-*"))))
    counter = tmp_path / ("validations-%s.txt" % log.stem)
    extra = dict(ANSIBLE_CALLBACK_PLUGINS=os.path.join(ROOT, "tests", "integration", "callbacks"),
                 ANSIBLE_CALLBACKS_ENABLED="task_log", SFB_EDGE_TASK_LOG=str(log),
                 SFB_EDGE_COUNT_VALIDATIONS=str(counter), **(env or {}))
    old = {k: os.environ.get(k) for k in extra}
    os.environ.update(extra)
    try:
        result = run("ansible-playbook", *args)
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    entries = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    validations = len(counter.read_text().splitlines()) if counter.exists() else 0
    return result, entries, validations


def inventory_with(tmp_path, **pool_vars):
    dest = tmp_path / "inventory"
    shutil.copytree(EXAMPLE, dest)
    path = dest / "group_vars" / "edge_pool_corp.yml"
    data = yaml.safe_load(path.read_text())
    data.update(pool_vars)
    path.write_text(yaml.safe_dump(data))
    return dest


INVENTORY_PLAY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: The edge inventory as the filter reads it
      ansible.builtin.copy:
        dest: "{{ out }}"
        content: "{{ hostvars | sfb.edge.edge_inventory(groups['edge_servers']) | ansible.builtin.to_json }}"
"""


def reference_plans(tmp_path, inventory):
    """The plans the filters give (sfb.edge.edge_inventory, then the plan in this process)."""
    from ansible_collections.sfb.edge.plugins.plugin_utils import _plan as plan_utils

    book, out = tmp_path / "inventory.yml", tmp_path / "inventory.json"
    book.write_text(INVENTORY_PLAY)
    result = run("ansible-playbook", str(book), "-i", str(inventory), "-e", "out=%s" % out)
    assert result.returncode == 0, result.stdout[-3000:]
    return plan_utils.build(json.loads(out.read_text()))


ROLE_PLAY = """
- hosts: localhost
  connection: local
  gather_facts: false
  roles:
    - role: sfb.edge.plan
"""


@pytest.mark.parametrize("book", ["plan.yml", "role"])
def test_plan_is_one_validation_and_one_task_round_with_real_files(tmp_path, book):
    """plan.yml is the one controller task; the sfb.edge.plan role in a play of your own gives the same files with
    its argument-spec check before it."""
    inventory = inventory_with(tmp_path, sfb_edge_typo_setting=1)  # one warning
    plan_dir = tmp_path / "plan"
    path = os.path.join(ROOT, "playbooks", "plan.yml")
    if book == "role":
        path = str(tmp_path / "role.yml")
        (tmp_path / "role.yml").write_text(ROLE_PLAY)
    result, entries, validations = counted(
        tmp_path, path, "-i", str(inventory), "-e", "sfb_edge_plan_dir=%s" % plan_dir,
        env={"ANSIBLE_SHOW_CUSTOM_STATS": "1", "ANSIBLE_CALLBACK_RESULT_FORMAT": "json"})
    assert result.returncode == 0, result.stdout[-3000:]
    assert validations == 1  # the inventory is validated once, the plans computed from that validation
    # one task round, the controller task (the role: its argument-spec check first)
    rounds = [("localhost", "ansible.builtin.validate_argument_spec", "ok")] if book == "role" else []
    assert [(e["host"], e["action"], e["status"]) for e in entries] == rounds + [
        ("localhost", "sfb.edge.plan_files", "ok")]
    assert not entries[-1]["changed"]
    # the files, as the renderers give them from the plan written
    base = plan_dir / POOL
    text = (base / "plan.json").read_text()
    plan = json.loads(text)
    assert text == json.dumps(plan, indent=2, sort_keys=True, separators=(",", ": ")) + "\n"
    assert plan["pool"]["servers"] == ["edge01", "edge02"] and plan["public_ips"]["count"] == 9
    assert [(f["code"], f["host"], f["variable"]) for f in plan["findings"]] == [
        ("unknown_variable", "edge01", "sfb_edge_typo_setting"), ("unknown_variable", "edge02", "sfb_edge_typo_setting")]
    want = reference_plans(tmp_path, inventory)[POOL]
    assert plan == json.loads(json.dumps(want))
    assert (base / "plan.md").read_text() == report.markdown(want)
    assert (base / "firewall.csv").read_text() == "".join(report.firewall_csv(want["firewall"]))
    assert (base / "report.html").read_text().startswith("<!DOCTYPE html>")
    # the warnings as Ansible warnings, one per finding
    out = " ".join(result.stdout.split() + result.stderr.split())
    for host in ("edge01", "edge02"):
        assert "[WARNING]: [unknown_variable] host %s, variable sfb_edge_typo_setting:" % host in out
    # where the plan is, and the AWX/AAP summary (custom stats)
    assert "Plan written to %s/<pool>/plan.json, plan.md, firewall.csv, report.html for: %s" % (plan_dir, POOL) in out
    stats = json.loads([line for line in result.stdout.splitlines() if line.strip().startswith("RUN:")][-1]
                       .split("RUN:", 1)[1])
    assert stats == {"sfb_plan_summary": {POOL: {
        "servers": ["edge01", "edge02"], "findings": {"error": 0, "warning": 2},
        "files": [str(base / n) for n in ("plan.json", "plan.md", "firewall.csv", "report.html")]}}}
    # a second run writes nothing new: the same bytes, the same time stamps
    stamps = {p.name: p.stat().st_mtime_ns for p in base.iterdir()}
    again, _entries, _validations = counted(tmp_path, os.path.join(ROOT, "playbooks", "plan.yml"), "-i", str(inventory),
                                            "-e", "sfb_edge_plan_dir=%s" % plan_dir)
    assert again.returncode == 0
    assert {p.name: p.stat().st_mtime_ns for p in base.iterdir()} == stamps


def test_plan_errors_fail_in_the_one_task_and_write_nothing(tmp_path):
    # an error, and a warning (an unknown variable) shown with it as on success
    inventory = inventory_with(tmp_path, sfb_edge_dns_suffix="bad suffix", sfb_edge_typo_setting=1)
    result, entries, validations = counted(tmp_path, os.path.join(ROOT, "playbooks", "plan.yml"), "-i", str(inventory),
                                           "-e", "sfb_edge_plan_dir=%s" % (tmp_path / "plan"))
    assert result.returncode != 0
    assert validations == 1
    assert [(e["action"], e["status"]) for e in entries] == [("sfb.edge.plan_files", "failed")]
    assert '"ERROR [invalid_fqdn] host edge01, variable sfb_edge_dns_suffix:' in result.stdout  # one line per error
    assert "The edge inventory has 1 error(s), listed above; nothing was changed" in entries[0]["msg"]
    out = " ".join(result.stdout.split() + result.stderr.split())
    for host in ("edge01", "edge02"):
        assert "[WARNING]: [unknown_variable] host %s, variable sfb_edge_typo_setting:" % host in out
    assert not (tmp_path / "plan").exists()


VALIDATION_PLAY = """
- hosts: edge_servers
  gather_facts: false
  tasks:
    - name: Validate the edge inventory, as the playbooks do
      run_once: true
      block:
        - name: Validate
          ansible.builtin.include_role:
            name: sfb.edge.plan
            tasks_from: validate.yml
          vars:
            plan_desired_hosts: "{{ ansible_play_hosts_all }}"
    - name: What each host sees
      ansible.builtin.copy:
        dest: "{{ out }}/{{ inventory_hostname }}.json"
        content: "{{ {'findings': plan_validation.findings, 'hosts': plan_validation.hosts,
                      'plan_dir': plan_validation.plan_dir} | ansible.builtin.to_json }}"
      delegate_to: localhost
"""


def test_validation_step_is_one_task_and_sets_plan_validation_for_every_host(tmp_path):
    inventory = inventory_with(tmp_path, sfb_edge_typo_setting=1)
    book = tmp_path / "validate.yml"
    book.write_text(VALIDATION_PLAY)
    out = tmp_path / "out"
    out.mkdir()
    result, entries, validations = counted(tmp_path, str(book), "-i", str(inventory), "-e", "out=%s" % out)
    assert result.returncode == 0, result.stdout[-3000:]
    assert validations == 1
    step = [(e["host"], e["action"]) for e in entries if e["action"] != "ansible.builtin.copy"]
    assert step == [("edge01", "ansible.builtin.include_role"), ("edge01", "sfb.edge.plan_validation")]
    output = " ".join(result.stdout.split() + result.stderr.split())
    assert "[WARNING]: [unknown_variable] host edge02, variable sfb_edge_typo_setting:" in output
    seen = {host: json.loads((out / ("%s.json" % host)).read_text()) for host in ("edge01", "edge02")}
    assert seen["edge01"] == seen["edge02"]  # run once, set for every host of the play
    assert [f["code"] for f in seen["edge01"]["findings"]] == ["unknown_variable", "unknown_variable"]
    # the run's plan directory, as plan.yml resolves it (unset: plan in the current directory)
    assert seen["edge01"]["plan_dir"] == os.path.realpath(os.path.join(ROOT, "plan"))
    handles = seen["edge01"]["hosts"]
    assert sorted(handles) == ["edge01", "edge02"]
    for host, handle in handles.items():
        assert store.is_handle(handle) and handle["kind"] == "desired"
        assert (handle["host"], handle["pool"]) == (host, POOL) and "firewall" not in json.dumps(handle)


def test_validation_step_refuses_a_plan_dir_inside_the_inventory_before_any_host(tmp_path):
    """The plan directory is decided once by the validation step (plan_validation.plan_dir): one inside a directory
    given as an inventory source is refused there, before any host is contacted (Ansible would read the reports as
    inventory files on the next run)."""
    inventory = inventory_with(tmp_path)
    book = tmp_path / "validate.yml"
    book.write_text(VALIDATION_PLAY)
    out = tmp_path / "out"
    out.mkdir()
    inside = inventory / "reports"
    result, entries, _validations = counted(tmp_path, str(book), "-i", str(inventory), "-e", "out=%s" % out,
                                            "-e", "sfb_edge_plan_dir=%s" % inside)
    assert result.returncode != 0
    assert [(e["action"], e["status"]) for e in entries if e["action"] != "ansible.builtin.include_role"] == [
        ("sfb.edge.plan_validation", "failed")]
    failure = [e for e in entries if e["status"] == "failed"][0]["msg"]
    assert "sfb_edge_plan_dir %r is %s, inside the inventory source directory %s" % (
        str(inside), os.path.realpath(inside), os.path.realpath(inventory)) in failure
    assert list(out.iterdir()) == []


def test_plan_refuses_a_pool_or_host_name_that_is_no_file_name(tmp_path):
    """Issue 18, point 4: a pool FQDN or an inventory hostname with '..' and '/' is an unsafe_file_name error of the
    validation; plan.yml writes nothing, inside the plan folder or beside it."""
    inventory = inventory_with(tmp_path, sfb_edge_pool_fqdn="../../escape.corp.example.com")
    hosts = inventory / "hosts.yml"
    hosts.write_text(hosts.read_text().replace("            edge02:\n", "            ../../x/edge02:\n"))
    (inventory / "host_vars" / "edge02.yml").rename(tmp_path / "edge02.yml")  # (not a host of it any more)
    result, entries, _validations = counted(tmp_path, os.path.join(ROOT, "playbooks", "plan.yml"), "-i", str(inventory),
                                            "-e", "sfb_edge_plan_dir=%s" % (tmp_path / "work" / "plan"))
    assert result.returncode != 0
    assert [(e["action"], e["status"]) for e in entries] == [("sfb.edge.plan_files", "failed")]
    assert ('"ERROR [unsafe_file_name] host ../../x/edge02, variable inventory_hostname: the inventory hostname '
            "'../../x/edge02' contains '/', a folder separator;" in result.stdout)
    assert ('"ERROR [unsafe_file_name] host edge01, variable sfb_edge_pool_fqdn: '
            "'../../escape.corp.example.com' contains '/', a folder separator;" in result.stdout)
    assert "The edge inventory has 2 error(s)" in entries[0]["msg"]
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(("log-", "validations-"))) == \
        ["edge02.yml", "inventory"]


def test_plan_warns_about_a_certificate_file_inside_the_inventory_directory(tmp_path):
    """Issue 20, point 11: a PFX kept in the inventory directory (``files/sip.pfx`` next to ``hosts.yml``) is read by
    Ansible's inventory plugins as inventory; the validation of a real run warns, naming host, variable, path and
    where to move it. The same file next to the inventory (``../certs/sip.pfx``) draws no such warning."""
    garbage = bytes(range(256)) * 4  # not a PFX: certificate_unreadable either way, which is not under test
    inventory = inventory_with(tmp_path, sfb_edge_certificates={"external": {"pfx": "files/sip.pfx", "password": "p"}})
    (inventory / "files").mkdir()
    (inventory / "files" / "sip.pfx").write_bytes(garbage)
    result, _entries, _validations = counted(tmp_path, os.path.join(ROOT, "playbooks", "plan.yml"), "-i",
                                             str(inventory), "-e", "sfb_edge_plan_dir=%s" % (tmp_path / "plan"))
    # compared without white space: ansible-core 2.16 wraps a warning's long words at their hyphens
    out = "".join(result.stdout.split() + result.stderr.split())
    real = os.path.realpath(inventory)
    for host in ("edge01", "edge02"):
        assert "".join(("[certificate_in_inventory_source] host %s, variable sfb_edge_certificates.external.pfx: "
                        "%s/files/sip.pfx is inside the inventory source directory %s:" % (host, inventory, real)).split()) in out
    assert "".join(("e.g. to %s/certs/sip.pfx, and set sfb_edge_certificates.external.pfx to ../certs/sip.pfx" % (
        os.path.dirname(real))).split()) in out
    # moved next to the inventory, as the message says: no warning
    (tmp_path / "certs").mkdir()
    (inventory / "files" / "sip.pfx").rename(tmp_path / "certs" / "sip.pfx")
    path = inventory / "group_vars" / "edge_pool_corp.yml"
    data = yaml.safe_load(path.read_text())
    data["sfb_edge_certificates"]["external"]["pfx"] = "../certs/sip.pfx"
    path.write_text(yaml.safe_dump(data))
    result, _entries, _validations = counted(tmp_path, os.path.join(ROOT, "playbooks", "plan.yml"), "-i",
                                             str(inventory), "-e", "sfb_edge_plan_dir=%s" % (tmp_path / "plan"))
    out = " ".join(result.stdout.split() + result.stderr.split())
    assert "certificate_unreadable" in out  # the file was validated (read), from its new place
    assert "certificate_in_inventory_source" not in out
