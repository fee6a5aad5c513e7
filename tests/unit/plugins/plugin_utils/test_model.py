# -*- coding: utf-8 -*-
"""Report directories and certificate paths resolved against the inventory (issue 11, item 5)."""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.sfb.edge.plugins.plugin_utils import _model as model

SEGMENT = st.text(alphabet="abcXYZ019-_. ", min_size=1, max_size=8).filter(lambda s: s.strip(". ") != "")


def test_relative_absolute_and_home():
    assert model.resolve_path("files/a.pfx", "/srv/inv") == "/srv/inv/files/a.pfx"
    assert model.resolve_path("../files/a.pfx", "/srv/inv") == "/srv/inv/../files/a.pfx"
    assert model.resolve_path("/etc/pki/a.pfx", "/srv/inv") == "/etc/pki/a.pfx"
    assert model.resolve_path("~/a.pfx", "/srv/inv") == os.path.expanduser("~/a.pfx")
    assert model.resolve_path("a.pfx", None) == os.path.join(os.getcwd(), "a.pfx")
    for value in (None, "", "  ", 5, ["x"]):
        assert model.resolve_path(value, "/srv/inv") == value  # left to validation


@given(st.lists(SEGMENT, min_size=1, max_size=4), st.lists(SEGMENT, min_size=1, max_size=4))
def test_relative_paths_land_under_the_base(base_parts, rel_parts):
    base = "/" + "/".join(base_parts)
    rel = "/".join(rel_parts)
    resolved = model.resolve_path(rel, base)
    assert os.path.isabs(resolved)
    assert resolved == os.path.join(os.path.abspath(base), rel)
    assert model.resolve_path(resolved, "/elsewhere") == resolved  # idempotent: absolute stays


def test_report_dir_default_is_plan_in_the_working_directory():
    assert model.report_dir(None, "/srv/inv") == os.path.join(os.getcwd(), "plan")
    assert model.report_dir("", "/srv/inv") == os.path.join(os.getcwd(), "plan")
    assert model.report_dir("../reports", "/srv/inv") == "/srv/inv/../reports"
    assert model.report_dir("/var/lib/sfb", "/srv/inv") == "/var/lib/sfb"


def test_report_dir_inside_a_directory_source_is_refused(tmp_path):
    inv = tmp_path / "inv"
    inv.mkdir()
    with pytest.raises(ValueError) as err:
        model.report_dir("plan", str(inv), sources=[str(inv)])
    assert "sfb_edge_plan_dir 'plan'" in str(err.value) and str(inv) in str(err.value)
    assert str(tmp_path / "reports") in str(err.value)  # the fix names a directory beside it
    # beside it, or a file source: fine
    assert model.report_dir("../reports", str(inv), sources=[str(inv)]) == str(inv / ".." / "reports")
    hosts = tmp_path / "hosts.yml"
    hosts.write_text("all: {}\n")
    assert model.report_dir("plan", str(tmp_path), sources=[str(hosts)]) == str(tmp_path / "plan")


def test_certificate_paths_resolved_other_keys_kept():
    spec = {"root_ca": ["ca.cer", "/abs/ca2.cer"], "internal": {"pfx": "int.pfx", "password": "x"},
            "external": {"pfx": "/abs/ext.pfx", "password": "y"}}
    out = model.certificate_paths(spec, "/srv/inv")
    assert out == {"root_ca": ["/srv/inv/ca.cer", "/abs/ca2.cer"], "internal": {"pfx": "/srv/inv/int.pfx", "password": "x"},
                   "external": {"pfx": "/abs/ext.pfx", "password": "y"}}
    assert spec["root_ca"][0] == "ca.cer"  # the input is not changed
    assert model.certificate_paths({"root_ca": "ca.cer"}, "/b") == {"root_ca": "/b/ca.cer"}
    assert model.certificate_paths({"internal": "bad"}, "/b") == {"internal": "bad"}


def test_the_model_resolves_certificates_against_the_hosts_inventory_dir():
    from inventory_data import example  # noqa: E402  # tests/unit on sys.path (conftest)

    hostvars = example()
    for name, variables in hostvars.items():
        variables["sfb_edge_certificates"] = {"internal": {"pfx": "files/int.pfx", "password": "p"}}
        variables["inventory_dir"] = "/inv/" + name
    pools, _findings = model.load(hostvars)
    got = {s.name: s.certificates["internal"]["pfx"] for p in pools for s in p.servers}
    assert got == {name: "/inv/%s/files/int.pfx" % name for name in hostvars}


def test_the_step_wraps_the_model_and_names_the_variable(tmp_path):
    from ansible_collections.sfb.edge.plugins.plugin_utils._steps import StepError as AnsibleFilterError
    from ansible_collections.sfb.edge.plugins.plugin_utils._steps import inventory_path

    assert inventory_path("out", str(tmp_path)) == str(tmp_path / "out")
    assert inventory_path(None, str(tmp_path)) == os.path.join(os.getcwd(), "plan")
    with pytest.raises(AnsibleFilterError) as err:
        inventory_path({"a": 1}, str(tmp_path))
    assert "sfb_edge_plan_dir must be a directory path" in str(err.value) and "{'a': 1}" in str(err.value)
    with pytest.raises(AnsibleFilterError) as err:
        inventory_path("plan", str(tmp_path), sources=str(tmp_path))  # one source given as a string
    assert "inside the inventory source directory" in str(err.value)


# ------------------------------------------------ certificate files outside the inventory sources (issue 20, point 11)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
CERT_PATH = re.compile(r"(?:pfx:\s*|root_ca:\s*\[)\s*\"?(\{\{ playbook_dir \}\}[^\s\"]*|[^\s,\]\"}]+)")


@pytest.mark.parametrize("name, inventory", [
    ("inventories/example/group_vars/edge_pool_corp.yml", "inventories/example"),
    ("docs/awx.md", "inventories/prod"),
])
def test_the_example_and_the_docs_keep_certificates_outside_the_inventory(name, inventory):
    """Ansible's inventory plugins read every file of an inventory directory: the example and the "Paths" section of
    docs/awx.md name certificate files beside the inventory, not in it."""
    with open(os.path.join(ROOT, name), encoding="utf-8") as handle:
        text = handle.read()
    paths = CERT_PATH.findall(text)
    assert len(paths) >= 2, paths  # the example shows root_ca and the PFX files
    for path in paths:
        if path.startswith("<"):  # a placeholder
            continue
        if path.startswith("{{ playbook_dir }}"):  # the project's playbooks folder (AWX), not the inventory's
            resolved = os.path.normpath(path.replace("{{ playbook_dir }}", "playbooks"))
        else:
            resolved = os.path.normpath(os.path.join(inventory, path))
        assert not resolved.startswith(inventory + "/"), (name, path, resolved)


def test_the_edge_inventory_carries_the_runs_inventory_sources():
    """sfb.edge.edge_inventory hands the run's inventory sources (a magic variable of every host) to the model."""
    from ansible_collections.sfb.edge.plugins.filter.edge_inventory import edge_inventory

    hostvars = {"edge01": {"sfb_edge_fqdn": "edge01.corp.example.com", "inventory_dir": "/srv/inv",
                           "ansible_inventory_sources": ["/srv/inv", "/srv/more.yml"]},
                "edge02": {"sfb_edge_fqdn": "edge02.corp.example.com", "ansible_inventory_sources": "/srv/inv"},
                "edge03": {"sfb_edge_fqdn": "edge03.corp.example.com"}}
    got = edge_inventory(hostvars, ["edge01", "edge02", "edge03"])
    for data in got.values():  # the management rules' keys (issue 20, point 8) are tested in test_plan_action
        data.pop("ansible_connection_vars")
        data.pop("_sfb_edge_management")
    assert got == {"edge01": {"sfb_edge_fqdn": "edge01.corp.example.com", "inventory_dir": "/srv/inv",
                              "inventory_sources": ["/srv/inv", "/srv/more.yml"]},
                   "edge02": {"sfb_edge_fqdn": "edge02.corp.example.com", "inventory_sources": ["/srv/inv"]},
                   "edge03": {"sfb_edge_fqdn": "edge03.corp.example.com"}}
