# -*- coding: utf-8 -*-
"""AWX/AAP (issue 11, item 5): paths relative to the inventory, set_stats summaries, failures readable
with stock ansible-core settings, and the wrapper playbook sfb.edge.awx - through the real CLI, run from
a directory that is neither the checkout nor the inventory (as an AWX job's working directory)."""

from __future__ import annotations

import json
import os
import shutil

import yaml

from test_plan_playbook import ROOT, run

SNAPSHOTS = os.path.join(ROOT, "tests", "snapshots")
EXAMPLE = os.path.join(ROOT, "inventories", "example")
POOL = "edgepool.corp.example.com"


def _inventory(tmp_path, plan_dir=None, **pool_vars):
    """The example inventory in tmp/site/inventory, with the test certificates in tmp/site/files;
    ``plan_dir`` goes to group_vars/all (plan.yml runs on localhost, which reads only those)."""
    site = tmp_path / "site"
    shutil.copytree(EXAMPLE, site / "inventory")
    shutil.copytree(os.path.join(SNAPSHOTS, "certificates"), site / "files")
    if plan_dir is not None:
        (site / "inventory" / "group_vars" / "all.yml").write_text(yaml.safe_dump({"sfb_edge_plan_dir": plan_dir}))
    path = site / "inventory" / "group_vars" / "edge_pool_corp.yml"
    data = yaml.safe_load(path.read_text())
    data.update(pool_vars)
    path.write_text(yaml.safe_dump(data))
    return site / "inventory"


def _json_run(tmp_path, playbook, inventory, *extra):
    """ansible-playbook from an unrelated working directory; its custom stats (set_stats, what AWX/AAP
    keeps as the job's artifacts) as the default callback prints them with ANSIBLE_SHOW_CUSTOM_STATS."""
    cwd = tmp_path / "elsewhere"
    cwd.mkdir(exist_ok=True)
    env = {"ANSIBLE_SHOW_CUSTOM_STATS": "1", "ANSIBLE_CALLBACK_RESULT_FORMAT": "json"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        result = run("ansible-playbook", os.path.join(ROOT, "playbooks", playbook + ".yml"), "-i", str(inventory),
                     *extra, cwd=str(cwd))
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    stats = {}
    for line in result.stdout.splitlines():
        if line.strip().startswith("RUN:"):
            stats = json.loads(line.split("RUN:", 1)[1])
    return result, {"global_custom_stats": stats}


RELATIVE_CERTIFICATES = {
    "sfb_edge_certificates": {
        "root_ca": ["../files/corp-root-ca.cer", "../files/public-ca.cer"],
        "internal": {"pfx": "../files/edgepool-internal.pfx", "password": "sfb-edge-test"},
        "external": {"pfx": "../files/sip.example.com.pfx", "password": "sfb-edge-test"},
    },
}


def test_relative_plan_dir_and_certificates_resolve_against_the_inventory(tmp_path):
    inventory = _inventory(tmp_path, plan_dir="../reports", **RELATIVE_CERTIFICATES)
    result, out = _json_run(tmp_path, "plan", inventory)
    assert result.returncode == 0, result.stdout[-3000:]
    plan_dir = tmp_path / "site" / "reports" / POOL
    assert sorted(p.name for p in plan_dir.iterdir()) == ["firewall.csv", "plan.json", "plan.md", "report.html"]
    assert not (tmp_path / "elsewhere" / "reports").exists() and not (tmp_path / "elsewhere" / "plan").exists()
    stats = out["global_custom_stats"]["sfb_plan_summary"][POOL]
    assert stats["servers"] == ["edge01", "edge02"]
    assert stats["files"] == [str(plan_dir / n) for n in ("plan.json", "plan.md", "firewall.csv", "report.html")]
    # the certificate files were found and read: the findings are the certificates' own, not unreadable files
    plan = json.loads((plan_dir / "plan.json").read_text())
    codes = {f["code"] for f in plan["findings"]}
    assert "certificate_unreadable" not in codes, plan["findings"]
    assert stats["findings"]["error"] == 0
    assert stats["findings"]["warning"] == sum(1 for f in plan["findings"] if f["severity"] == "warning")
    assert "sfb-edge-test" not in result.stdout  # no password in the output or the stats


def test_relative_certificates_are_not_resolved_against_the_working_directory(tmp_path):
    """The control: the same relative paths, with the inventory elsewhere, do not reach the files."""
    inventory = _inventory(tmp_path, **RELATIVE_CERTIFICATES)
    moved = tmp_path / "deep" / "inventory"
    moved.parent.mkdir()
    shutil.move(str(inventory), str(moved))
    result, _out = _json_run(tmp_path, "plan", moved, "-e", "sfb_edge_plan_dir=%s" % (tmp_path / "plan"))
    assert result.returncode != 0
    assert "certificate_unreadable" in result.stdout
    # resolved against the moved inventory (where the files are not), never against the working directory
    assert str(tmp_path / "deep" / "inventory" / ".." / "files" / "edgepool-internal.pfx") in result.stdout


def test_plan_dir_inside_a_directory_inventory_is_refused(tmp_path):
    inventory = _inventory(tmp_path, plan_dir="plan")
    result, _out = _json_run(tmp_path, "plan", inventory)
    assert result.returncode != 0
    assert "inside the inventory source directory %s" % inventory in result.stdout
    assert "Set sfb_edge_plan_dir to a directory outside it" in result.stdout
    assert not (inventory / "plan").exists()


def test_default_plan_dir_stays_in_the_working_directory(tmp_path):
    inventory = _inventory(tmp_path)
    result, out = _json_run(tmp_path, "plan", inventory)
    assert result.returncode == 0
    assert (tmp_path / "elsewhere" / "plan" / POOL / "plan.json").is_file()
    assert out["global_custom_stats"]["sfb_plan_summary"][POOL]["files"][0] == str(
        tmp_path / "elsewhere" / "plan" / POOL / "plan.json")


def test_drift_and_validation_summaries_in_the_stats(tmp_path):
    inventory = _inventory(tmp_path, plan_dir=str(tmp_path / "reports"))
    result, out = _json_run(tmp_path, "drift", inventory, "-e",
                            "sfb_edge_facts_from=%s" % os.path.join(SNAPSHOTS, "manual"))
    assert result.returncode == 0, result.stdout[-3000:]
    drift = out["global_custom_stats"]["sfb_drift_summary"]
    assert sorted(drift) == ["edge01", "edge02"]
    report = json.loads((tmp_path / "reports" / POOL / "what-if" / "drift" / "edge01.json").read_text())
    assert drift["edge01"] == {
        "pool": POOL, "in_sync": False, "problems": len(report["problems"]),
        "areas": {a: n for a, n in report["summary"].items() if n}, "certificates_expired": 0,
        "certificates_expiring": 0, "report": str(tmp_path / "reports" / POOL / "what-if" / "drift" / "edge01.json")}

    result, out = _json_run(tmp_path, "validate", inventory, "-e",
                            "sfb_edge_facts_from=%s" % os.path.join(SNAPSHOTS, "manual"))
    assert result.returncode != 0  # the manual box fails its checks: the stats are published before the failure
    validation = out["global_custom_stats"]["sfb_validation_summary"]
    report = json.loads((tmp_path / "reports" / POOL / "what-if" / "validate" / "edge02.json").read_text())
    assert validation["edge02"]["passed"] is False
    assert [validation["edge02"][k] for k in ("pass", "fail", "skip", "warn")] == [
        report["summary"][k] for k in ("pass", "fail", "skip", "warn")]
    assert validation["edge02"]["failed_checks"] == [r["target"] for r in report["rows"] if r["result"] == "fail"]
    assert validation["edge02"]["report"].endswith("/what-if/validate/edge02.md")


def test_inventory_errors_readable_without_the_checkouts_config(tmp_path):
    """Stock ansible-core settings (an empty ansible.cfg, the default callback): every error on a line
    of its own, and the failure's message one sentence naming them."""
    inventory = _inventory(tmp_path, sfb_edge_dns_suffix="bad suffix", sfb_edge_external_gateway="nope")
    empty = tmp_path / "empty.cfg"
    empty.write_text("")
    old = os.environ.get("ANSIBLE_CONFIG")
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    import subprocess
    import sys

    env = dict(os.environ, ANSIBLE_CONFIG=str(empty), ANSIBLE_NOCOLOR="1",
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".cache", "collections"))
    result = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
                             os.path.join(ROOT, "playbooks", "plan.yml"), "-i", str(inventory),
                             "-e", "sfb_edge_plan_dir=%s" % (tmp_path / "plan")],
                            cwd=str(cwd), env=env, capture_output=True, text=True, timeout=300, check=False)
    assert old == os.environ.get("ANSIBLE_CONFIG")
    assert result.returncode != 0
    lines = result.stdout.splitlines()
    errors = [l.strip() for l in lines if l.strip().startswith('"ERROR [')]
    assert len(errors) == 2, result.stdout
    assert any("variable sfb_edge_dns_suffix" in l for l in errors)
    assert any("variable sfb_edge_external_gateway" in l for l in errors)
    fatal = [l for l in lines if l.startswith("fatal: [localhost]: FAILED!")]
    assert len(fatal) == 1 and "The edge inventory has 2 error(s), listed above" in fatal[0]
    assert '"msg": [' not in fatal[0]  # a sentence, not a JSON list on one line


def test_awx_wrapper_runs_the_playbook_of_the_mode(tmp_path):
    inventory = _inventory(tmp_path, plan_dir=str(tmp_path / "reports"))
    snapshots = os.path.join(SNAPSHOTS, "converged")
    result, out = _json_run(tmp_path, "awx", inventory, "-e", "sfb_edge_awx_mode=drift",
                            "-e", "sfb_edge_facts_from=%s" % snapshots)
    assert result.returncode == 0, result.stdout[-3000:]
    plays = [l for l in result.stdout.splitlines() if l.startswith("PLAY [")]
    assert [p.split("]")[0] for p in plays] == ["PLAY [Check the mode of the job template (sfb_edge_awx_mode)",
                                                "PLAY [Report the drift of the edge servers"]
    assert {h: v["in_sync"] for h, v in out["global_custom_stats"]["sfb_drift_summary"].items()} == {
        "edge01": True, "edge02": True}
    # the job type Check of a 'site' job template: what would change, nothing applied, validation kept
    result, out = _json_run(tmp_path, "awx", inventory, "-e", "sfb_edge_awx_mode=site", "--check", "--diff",
                            "-e", "sfb_edge_facts_from=%s" % os.path.join(SNAPSHOTS, "manual"))
    assert result.returncode == 0, result.stdout[-3000:]
    assert "PLAY [Converge the edge servers]" in result.stdout and "PLAY [Validate the edge servers]" in result.stdout
    assert out["global_custom_stats"]["sfb_validation_summary"]["edge01"]["passed"] is False
    # no mode: the plan
    result, out = _json_run(tmp_path, "awx", inventory)
    assert result.returncode == 0 and "sfb_plan_summary" in out["global_custom_stats"]


def test_awx_wrapper_refuses_an_unknown_mode_before_anything_runs(tmp_path):
    inventory = _inventory(tmp_path, plan_dir=str(tmp_path / "reports"))
    result, out = _json_run(tmp_path, "awx", inventory, "-e", "sfb_edge_awx_mode=deploy")
    assert result.returncode != 0
    assert 'sfb_edge_awx_mode is \\"deploy\\": set it' in result.stdout or 'sfb_edge_awx_mode is "deploy"' in result.stdout
    assert "PLAY [Plan the edge pools]" not in result.stdout and out["global_custom_stats"] == {}
    assert not (tmp_path / "reports").exists()


def test_awx_wrapper_runs_the_firewall_proof_and_the_certificate_requests(tmp_path):
    """issue 20, point 4: the order of a new pool runs from AWX - certificate requests and the firewall proof
    are modes of their own, and a site job template can run one phase (sfb_edge_phase) or its job tag."""
    inventory = _inventory(tmp_path, plan_dir=str(tmp_path / "reports"))
    result, _out = _json_run(tmp_path, "awx", inventory, "-e", "sfb_edge_awx_mode=certificate_request",
                             "-e", "sfb_edge_facts_from=%s" % os.path.join(SNAPSHOTS, "converged"))
    assert result.returncode == 0, result.stdout[-3000:]
    plays = [l.split("]")[0] for l in result.stdout.splitlines() if l.startswith("PLAY [")]
    assert plays == ["PLAY [Check the mode of the job template (sfb_edge_awx_mode)", "PLAY [Request the edge certificates"]
    assert (tmp_path / "reports" / POOL / "certificates" / "edge01-external.inf").is_file()

    result, _out = _json_run(tmp_path, "awx", inventory, "-e", "sfb_edge_awx_mode=firewall_proof",
                             "-e", "sfb_edge_facts_from=%s" % os.path.join(SNAPSHOTS, "cs-fresh"))
    assert result.returncode == 0, result.stdout[-3000:]
    plays = [l.split("]")[0] for l in result.stdout.splitlines() if l.startswith("PLAY [")]
    assert plays == ["PLAY [Check the mode of the job template (sfb_edge_awx_mode)", "PLAY [Prove the edge firewall"]
    assert (tmp_path / "reports" / POOL / "what-if" / "firewall-proof" / "edge01.json").is_file()  # from snapshots

    # a job tag of site.yml's phases does not skip the mode check, and the phase runs alone
    result, out = _json_run(tmp_path, "awx", inventory, "-e", "sfb_edge_awx_mode=site", "--tags", "validate",
                            "-e", "sfb_edge_facts_from=%s" % os.path.join(SNAPSHOTS, "manual"))
    assert "TASK [The mode is one of plan, certificate_request, firewall_proof, site, validate, drift, capture]" in result.stdout
    assert "Converge the areas" not in result.stdout and "sfb.edge.routes" not in result.stdout
    assert out["global_custom_stats"]["sfb_validation_summary"]["edge01"]["passed"] is False
