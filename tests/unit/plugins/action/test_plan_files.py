# -*- coding: utf-8 -*-
"""The pieces of the one-task plan (sfb.edge.plan_files, sfb.edge.plan_validation) that are pure Python:
plan.json against to_nice_json's text, the edge_inventory filter's raw reading against Ansible's templating
(real Ansible inventory, variable manager and hostvars), the summary and the warnings' text."""

from __future__ import annotations

import json

import pytest
import yaml
from ansible.plugins.filter.core import to_nice_json

from ansible_collections.sfb.edge.plugins.action import plan_files as action
from ansible_collections.sfb.edge.plugins.filter import edge_inventory as filt
from ansible_collections.sfb.edge.plugins.filter.plan import plan as plan_filter
from ansible_collections.sfb.edge.plugins.plugin_utils import _edge_inventory
from ansible_collections.sfb.edge.plugins.plugin_utils._report_files import plan_json

import inventory_data


# ----------------------------------------------------------------------------------- plan.json
def test_plan_json_of_a_real_plan_is_the_same_bytes():
    """plan.json is what the roles wrote before it was written in Python: to_nice_json(indent=2)."""
    plans = plan_filter(inventory_data.example(), read_certificates=False)
    for pool_plan in plans.values():
        assert plan_json(pool_plan) == to_nice_json(pool_plan, indent=2) + "\n"


# ----------------------------------------------------------------------------------- edge_inventory
class TemplatedOnly:
    """Ansible's hostvars without raw_get: every variable is templated (what edge_inventory did before)."""

    def __init__(self, hostvars):
        self._hostvars = hostvars

    def __getitem__(self, host):
        return self._hostvars[host]


@pytest.fixture()
def ansible_hostvars(tmp_path):
    """Real Ansible objects over an inventory with group variables shared by two hosts, templates (one using a
    host variable, one an extra var) and a !unsafe value."""
    from ansible.parsing.dataloader import DataLoader
    from ansible.inventory.manager import InventoryManager
    from ansible.vars.hostvars import HostVars
    from ansible.vars.manager import VariableManager

    inventory = tmp_path / "inventory"
    (inventory / "group_vars").mkdir(parents=True)
    (inventory / "host_vars").mkdir()
    (inventory / "hosts.yml").write_text(yaml.safe_dump({"all": {"children": {"edge_servers": {"children": {
        "pool_a": {"hosts": {"edge01": None, "edge02": None}}}}}}}))
    (inventory / "group_vars" / "pool_a.yml").write_text(
        "sfb_edge_pool_fqdn: edgepool.corp.example.com\n"
        "sfb_edge_internal_networks: [10.1.0.0/16, 10.2.0.0/16]\n"
        "sfb_edge_internal_hosts:\n  - {ip: 10.1.0.10, names: [pool.corp.example.com]}\n"
        "sfb_edge_dns_suffix: \"{{ my_suffix }}\"\n"
        "sfb_edge_xmpp: false\n"
        "sfb_edge_san_limit: 100\n"
        "sfb_edge_next_hop_fqdn: !unsafe \"{{ not a template }}\"\n"
        "sfb_edge_certificates:\n  internal:\n    pfx: files/internal.pfx\n    password: \"{{ my_password }}\"\n"
        "my_suffix: corp.example.com\n"
        "my_password: Pfx-Passw0rd\n")
    (inventory / "host_vars" / "edge01.yml").write_text(
        "sfb_edge_internal_nic: {name: Internal, address: 172.16.10.11/24}\n"
        "sfb_edge_fqdn: \"{{ inventory_hostname }}.{{ my_suffix }}\"\n")
    (inventory / "host_vars" / "edge02.yml").write_text(
        "sfb_edge_internal_nic: {name: Internal, address: 172.16.10.12/24}\n"
        "sfb_edge_external_gateway: \"{{ extra_gateway }}\"\n")
    loader = DataLoader()
    manager = InventoryManager(loader=loader, sources=[str(inventory)])
    variables = VariableManager(loader=loader, inventory=manager)
    variables._extra_vars = {"extra_gateway": "192.0.2.1"}  # as -e gives it
    return HostVars(inventory=manager, variable_manager=variables, loader=loader), str(inventory)


def test_raw_reading_gives_what_templating_gives(ansible_hostvars):
    hostvars, inventory = ansible_hostvars
    fast = filt.edge_inventory(hostvars, ["edge01", "edge02"])
    slow = filt.edge_inventory(TemplatedOnly(hostvars), ["edge01", "edge02"])
    assert fast == slow
    assert fast["edge01"]["sfb_edge_dns_suffix"] == "corp.example.com"  # a template: templated
    assert fast["edge01"]["sfb_edge_fqdn"] == "edge01.corp.example.com"  # under its own host's variables
    assert fast["edge02"]["sfb_edge_external_gateway"] == "192.0.2.1"  # an extra var
    assert fast["edge01"]["sfb_edge_next_hop_fqdn"] == "{{ not a template }}"  # !unsafe: left as it is
    assert fast["edge01"]["sfb_edge_certificates"]["internal"]["password"] == "Pfx-Passw0rd"  # a template deep inside
    assert fast["edge02"]["sfb_edge_internal_networks"] == ["10.1.0.0/16", "10.2.0.0/16"]
    assert fast["edge01"]["inventory_dir"] == inventory
    assert "my_suffix" not in fast["edge01"]  # only sfb_edge_* variables
    # plain data: no Ansible wrapper type left
    assert {type(v) for v in fast["edge02"]["sfb_edge_internal_hosts"][0].values()} == {str, list}
    assert {type(fast["edge01"]["sfb_edge_san_limit"])} == {int} and fast["edge01"]["sfb_edge_xmpp"] is False


def test_raw_reading_templates_only_what_holds_a_template(ansible_hostvars, monkeypatch):
    hostvars, _inventory = ansible_hostvars
    templated = []
    original = type(hostvars).__getitem__

    def counting(self, host):
        view = original(self, host)

        class Counting:
            def __getitem__(self, name):
                templated.append((host, name))
                return view[name]

            def keys(self):
                return view.keys()

        return Counting()

    monkeypatch.setattr(type(hostvars), "__getitem__", counting)
    filt.edge_inventory(hostvars, ["edge01", "edge02"])
    assert sorted(templated) == [("edge01", "sfb_edge_certificates"), ("edge01", "sfb_edge_dns_suffix"),
                                 ("edge01", "sfb_edge_fqdn"), ("edge01", "sfb_edge_next_hop_fqdn"),
                                 ("edge02", "sfb_edge_certificates"), ("edge02", "sfb_edge_dns_suffix"),
                                 ("edge02", "sfb_edge_external_gateway"), ("edge02", "sfb_edge_next_hop_fqdn")]


def test_shared_group_variables_are_converted_once(ansible_hostvars):
    hostvars, _inventory = ansible_hostvars
    data = filt.edge_inventory(hostvars, ["edge01", "edge02"])
    assert data["edge01"]["sfb_edge_internal_networks"] is data["edge02"]["sfb_edge_internal_networks"]


@pytest.mark.parametrize("value, literal", [
    ("plain", True), ("{not jinja}", True), ("a {{ b }}", False), ("{% if %}", False), ("{# c #}", False),
    ("#jinja2: trim_blocks: False\nx", False), ({"k": ["a", 1, 2.5, None, True]}, True), ({"{{ k }}": 1}, False),
    (["x", ["{{ y }}"]], False), (object(), False),
])
def test_literal(value, literal):
    assert _edge_inventory._literal(value) is literal


# ----------------------------------------------------------------------------------- summary, warnings
def test_summary_names_the_files_of_each_pool():
    plans = plan_filter(inventory_data.example(), read_certificates=False)
    summary = action.plan_summary(plans, "/srv/plans")
    pool = sorted(plans)[0]
    assert summary[pool] == {"servers": sorted(plans[pool]["hosts"]),
                             "findings": {"error": 0, "warning": len(plans[pool]["findings"])},
                             "files": ["/srv/plans/%s/%s" % (pool, n)
                                       for n in ("plan.json", "plan.md", "firewall.csv", "report.html")]}


def test_warning_text_and_errors_failure():
    warning = {"severity": "warning", "code": "unknown_variable", "host": "edge02", "variable": "sfb_edge_typo",
               "message": "not a variable", "pool": None}
    error = dict(warning, severity="error", code="invalid_value")
    assert action.warning_texts([error, warning]) == ["[unknown_variable] host edge02, variable sfb_edge_typo: not a variable"]
    assert action.errors_failure([warning]) is None
    failure = action.errors_failure([error, error])
    assert failure["failed"] is True
    assert failure["msg"] == ("The edge inventory has 2 error(s), listed above; nothing was changed. Fix them and run "
                              "again: ERROR [invalid_value] host edge02, variable sfb_edge_typo: not a variable | "
                              "ERROR [invalid_value] host edge02, variable sfb_edge_typo: not a variable")


# ------------------------------------------------------------ plan_validation: reuse of an earlier validation
def _validation_action():
    from ansible_collections.sfb.edge.plugins.action import plan_validation
    return plan_validation.ActionModule.__new__(plan_validation.ActionModule)


HANDLES = {"edge01": {"host": "edge01", "pool": "edgepool.corp.example.com", "digest": "a" * 64},
           "edge02": {"host": "edge02", "pool": "edgepool.corp.example.com", "digest": "b" * 64}}


def test_an_earlier_successful_validation_of_every_host_is_returned_as_it_is():
    earlier = {"changed": False, "findings": [{"id": "x", "severity": "warning"}], "hosts": HANDLES}
    result = _validation_action().before_inventory({}, {"desired_hosts": ["edge02", "edge01"], "reuse": earlier})
    assert result == {"changed": False, "findings": earlier["findings"], "hosts": HANDLES, "reused": True}


@pytest.mark.parametrize("earlier", [
    None, "text", {"skipped": True, "changed": False},  # the validation task was skipped
    {"failed": True, "findings": [], "hosts": HANDLES},
    {"findings": [], "hosts": {"edge01": HANDLES["edge01"]}},  # edge02 was not validated earlier
    {"findings": [], "hosts": {"edge01": HANDLES["edge01"], "edge02": "not a handle"}},
    {"findings": "no list", "hosts": HANDLES},
])
def test_anything_else_validates_again(earlier):
    assert _validation_action().before_inventory({}, {"desired_hosts": ["edge01", "edge02"], "reuse": earlier}) is None


ALL = ["edge01", "edge02", "fe01.corp.example.com", "fe02.corp.example.com", "fe03"]


@pytest.mark.parametrize("task_vars, frontend", [
    ({"sfb_edge_frontend_host": "fe02.corp.example.com", "groups": {"all": ALL, "front_ends": ["fe01.corp.example.com"]}},
     "fe02.corp.example.com"),
    ({"sfb_edge_frontend_host": "", "groups": {"all": ALL, "front_ends": ["fe01.corp.example.com", "fe03"]}},
     "fe01.corp.example.com"),
    ({"sfb_edge_frontend_host": None, "groups": {"all": ALL, "front_ends": ["fe01.corp.example.com"]}},
     "fe01.corp.example.com"),
    ({"groups": {"all": ALL, "front_ends": []}}, ""),
    ({"groups": {}}, ""),
])
def test_the_front_end_is_decided_in_one_place(task_vars, frontend):
    from ansible.template import Templar
    from ansible.parsing.dataloader import DataLoader
    from ansible_collections.sfb.edge.plugins.plugin_utils import _hoststate as hoststate
    assert hoststate.frontend_host(Templar(loader=DataLoader()), task_vars) == frontend


@pytest.mark.parametrize("task_vars, message", [
    ({"sfb_edge_frontend_host": "edge02", "groups": {"all": ALL, "edge_servers": ["edge01", "edge02"]}},
     "sfb_edge_frontend_host ('edge02') is an edge server (group edge_servers), not a Front End: the Front End exports "
     "the configuration and probes the edges' internal firewall rules, so it must be an inventory host outside "
     "edge_servers. Set sfb_edge_frontend_host to the Front End's inventory name, or put the Front End (and no edge) in "
     "the group front_ends"),
    ({"groups": {"all": ALL, "edge_servers": ["edge01", "edge02"], "front_ends": ["edge01", "fe03"]}},
     "the first host of the group front_ends ('edge01') is an edge server (group edge_servers)"),
    ({"sfb_edge_frontend_host": "localhost", "groups": {"all": ALL, "edge_servers": ["edge01", "edge02"]}},
     "sfb_edge_frontend_host ('localhost') is not a host of the inventory: the Front End must be an inventory host "
     "outside edge_servers (not localhost, not an address or FQDN the inventory does not list). Add the Front End to "
     "the inventory (the group front_ends) and set sfb_edge_frontend_host to its inventory name, or leave it unset"),
    ({"sfb_edge_frontend_host": "10.10.1.10", "groups": {"all": ALL, "edge_servers": ["edge01"]}},
     "sfb_edge_frontend_host ('10.10.1.10') is not a host of the inventory"),
])
def test_a_front_end_that_is_an_edge_or_not_in_the_inventory_is_refused(task_vars, message):
    """Issue 18, point 11: refused where the Front End is decided (the validation step and every host action)."""
    from ansible.errors import AnsibleActionFail
    from ansible.template import Templar
    from ansible.parsing.dataloader import DataLoader
    from ansible_collections.sfb.edge.plugins.plugin_utils import _hoststate as hoststate
    with pytest.raises(AnsibleActionFail) as caught:
        hoststate.frontend_host(Templar(loader=DataLoader()), task_vars)
    assert str(caught.value.message).startswith(message)


def test_a_front_end_outside_edge_servers_passes():
    """The near miss: an inventory host whose name starts like an edge's."""
    from ansible.template import Templar
    from ansible.parsing.dataloader import DataLoader
    from ansible_collections.sfb.edge.plugins.plugin_utils import _hoststate as hoststate
    task_vars = {"sfb_edge_frontend_host": "edge01-fe", "groups": {"all": ALL + ["edge01-fe"], "edge_servers": ["edge01"]}}
    assert hoststate.frontend_host(Templar(loader=DataLoader()), task_vars) == "edge01-fe"


def test_edge_inventory_reads_the_connection_of_the_edges_front_ends_and_probe_hosts(tmp_path):
    """The management rules of the firewall plan (issue 20, point 8) need each edge's WinRM port and the Front Ends
    and probe hosts with their ansible_host: read from the real inventory (a templated port too), never a secret."""
    from ansible.inventory.manager import InventoryManager
    from ansible.parsing.dataloader import DataLoader
    from ansible.vars.hostvars import HostVars
    from ansible.vars.manager import VariableManager

    from ansible_collections.sfb.edge.plugins.plugin_utils import _model as model

    inventory = tmp_path / "inventory"
    (inventory / "group_vars").mkdir(parents=True)
    (inventory / "hosts.yml").write_text(yaml.safe_dump({"all": {"children": {
        "edge_servers": {"hosts": {"edge01": {"ansible_host": "172.16.10.11"}}},
        "front_ends": {"hosts": {"fe01": {"ansible_host": "fe01.corp.example.com"}, "fe02": None}},
        "edge_probes": {"hosts": {"probe01": {"ansible_host": "203.0.113.7"}}}}}}))
    (inventory / "group_vars" / "edge_servers.yml").write_text(
        "ansible_connection: winrm\nansible_port: \"{{ my_port }}\"\nansible_password: Secret-Passw0rd\n"
        "my_port: 5986\nsfb_edge_pool_fqdn: edgepool.corp.example.com\n")
    (inventory / "group_vars" / "front_ends.yml").write_text("ansible_connection: winrm\nansible_winrm_port: 5985\n")
    loader = DataLoader()
    manager = InventoryManager(loader=loader, sources=[str(inventory)])
    variables = VariableManager(loader=loader, inventory=manager)
    hostvars = HostVars(inventory=manager, variable_manager=variables, loader=loader)
    groups = {g.name: [h.name for h in g.get_hosts()] for g in manager.groups.values()}
    for source in (hostvars, TemplatedOnly(hostvars)):
        data = filt.edge_inventory(source, ["edge01"], groups=groups)["edge01"]
        # (a template gives an int on ansible-core 2.19, the text "5986" before; the plan reads either)
        assert {k: str(v) for k, v in data[model.CONNECTION].items()} == {"ansible_connection": "winrm", "ansible_port": "5986"}
        assert data[model.MANAGEMENT] == {"frontend": "fe01", "front_ends": [
            {"name": "fe01", "address": "fe01.corp.example.com",
             "connection": {"ansible_connection": "winrm", "ansible_winrm_port": 5985}},
            {"name": "fe02", "address": "fe02", "connection": {"ansible_connection": "winrm", "ansible_winrm_port": 5985}}],
            "probes": [{"name": "probe01", "address": "203.0.113.7", "connection": {}}]}
        assert "Secret-Passw0rd" not in json.dumps(data)
    # without groups=, the groups of the first edge server (what a playbook's filter call gives)
    assert filt.edge_inventory(hostvars, ["edge01"])["edge01"][model.MANAGEMENT]["frontend"] == "fe01"


# ------------------------------------------------------------ plan_validation: site.yml's phase (issue 22, point 4)
@pytest.mark.parametrize("task_vars, phase", [
    ({}, {"parts": ["windows", "install", "validate"], "phase": "all",
          "areas": ["routes", "network", "hosts_file", "identity", "certificates", "cs_install", "cs_certificates",
                    "cs_services"], "deferred": []}),
    ({"sfb_edge_phase": "windows", "ansible_run_tags": ["all"], "ansible_skip_tags": []},
     {"parts": ["windows"], "phase": "windows", "areas": ["routes", "network", "hosts_file", "identity", "certificates"],
      "deferred": ["cs_install", "cs_certificates", "cs_services"]}),
    ({"sfb_edge_phase": None, "ansible_run_tags": ["cs", "validate"], "ansible_skip_tags": []},
     {"parts": ["install", "validate"], "phase": "install,validate",
      "areas": ["cs_install", "cs_certificates", "cs_services"],
      "deferred": ["routes", "network", "hosts_file", "identity", "certificates"]}),
    ({"ansible_run_tags": ["all"], "ansible_skip_tags": ["validate"]},
     {"parts": ["windows", "install"], "phase": "windows,install",
      "areas": ["routes", "network", "hosts_file", "identity", "certificates", "cs_install", "cs_certificates",
                "cs_services"], "deferred": []}),
])
def test_the_validation_step_decides_the_phase(monkeypatch, task_vars, phase):
    """What site.yml's sfb.edge.site_phase filter gave, from sfb_edge_phase and the run's tags (task variables)."""
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar
    from ansible_collections.sfb.edge.plugins.action import plan_validation

    monkeypatch.setattr(plan_validation.InventoryAction, "run", lambda self, tmp=None, task_vars=None: {"changed": False})
    action = _validation_action()
    action._templar = Templar(loader=DataLoader())
    result = action.run(task_vars=dict(task_vars, groups={}))
    assert result["phase"] == phase and result["frontend"] == ""


def test_the_phase_error_is_returned_for_site_yml_to_fail_with(monkeypatch):
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar
    from ansible_collections.sfb.edge.plugins.action import plan_validation

    monkeypatch.setattr(plan_validation.InventoryAction, "run", lambda self, tmp=None, task_vars=None: {"changed": False})
    action = _validation_action()
    action._templar = Templar(loader=DataLoader())
    result = action.run(task_vars={"sfb_edge_phase": "install", "ansible_run_tags": ["windows"],
                                   "ansible_skip_tags": [], "groups": {}})
    assert result["phase"]["parts"] == [] and result["phase"]["error"].startswith(
        "sfb_edge_phase=install and the tags (windows) select different phases (install, windows)")
    assert "failed" not in result  # the playbook's next task fails with it, after the inventory's own errors
