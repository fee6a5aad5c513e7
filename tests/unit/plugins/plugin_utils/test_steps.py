# -*- coding: utf-8 -*-
"""_steps.py and the nine filters it replaces (issue 22, point 4): the internal filters are plain functions the
actions call; each filter stays one release as a deprecated shim that returns what it returned before, marked in
meta/runtime.yml and its documentation; no YAML of the collection uses them; the public filters are few and
documented."""

from __future__ import annotations

import glob
import importlib
import json
import os
import re
import subprocess
import sys

import pytest
import yaml

from ansible.errors import AnsibleFilterError

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

import inventory_data  # noqa: E402

from ansible_collections.sfb.edge.plugins.plugin_utils import _steps, _state as state, _store as store  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
SNAPSHOTS = os.path.join(ROOT, "tests", "snapshots")
DEPRECATED = ("connection_ports", "desired_state", "desired_states", "drift_areas", "inventory_path", "site_phase",
              "state_parts", "validation", "validation_table")
PUBLIC = ("routes", "san_list", "hosts_entries", "edge_inventory", "validate", "plan", "plan_report", "format_findings",
          "drift", "drift_report")
OPTIONS = {"frontend": "fe01", "config_refresh": False}
WINDOWS = ["routes", "network", "hosts_file", "identity", "certificates"]
INSTALL = ["cs_install", "cs_certificates", "cs_services"]


@pytest.fixture(autouse=True)
def run_store(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "run_directory", lambda: str(tmp_path / "store"))


def _filter(name):
    """The filter as Ansible loads it: the function the FilterModule of the deprecated filters' file gives."""
    module = importlib.import_module("ansible_collections.sfb.edge.plugins.filter.deprecated")
    return module.FilterModule().filters()[name]


def _desired(host="edge01"):
    return _steps.desired_state(inventory_data.example(), host)


def _snapshot(scenario, host="edge01"):
    return state.load_snapshot(os.path.join(SNAPSHOTS, scenario), host)


# ------------------------------------------------------------------ each deprecated filter returns what it did
def test_connection_ports_filter():
    ports = _filter("connection_ports")
    assert ports({"ansible_connection": "psrp", "ansible_port": 15986}) == [15986]
    assert ports({"ansible_connection": "psrp", "ansible_port": 15986}, single=True) == 15986
    assert ports({"ansible_connection": "ssh"}) == [22]
    assert ports({}) == [5985, 5986] and ports({}, single=True) is None


def test_desired_state_filters():
    one = _filter("desired_state")(inventory_data.example(), "edge01")
    assert (one["host"], one["pool"]) == ("edge01", "edgepool.corp.example.com")
    assert sorted(one) == ["certificates", "cs", "format", "host", "hosts_file", "identity", "network", "pool", "routes"]
    every = _filter("desired_states")(inventory_data.example(), ["edge01", "edge02"], read_certificates=False)
    assert sorted(every) == ["findings", "hosts"] and sorted(every["hosts"]) == ["edge01", "edge02"]
    assert every["hosts"]["edge01"] == one
    handles = _filter("desired_states")(inventory_data.example(), ["edge01"], read_certificates=False, store=True)
    assert store.is_handle(handles["hosts"]["edge01"]) and handles["hosts"]["edge01"]["host"] == "edge01"


def test_state_parts_filter():
    parts = _filter("state_parts")(_desired(), _snapshot("converged"), check=False)
    assert sorted(parts) == ["certificates", "cs_certificates", "cs_install", "cs_replication", "cs_services",
                             "hosts_file", "identity", "network", "routes"]
    # the guarded areas carry what the lockout guard reads; the others only their sections
    assert sorted(parts["routes"]["current"]) == ["adapters", "connection", "connection_ports", "format", "routes"]
    assert sorted(parts["hosts_file"]["desired"]) == ["format", "host", "hosts_file", "pool"]
    assert sorted(parts["hosts_file"]["current"]) == ["format", "hosts_file"]


def test_drift_areas_filter():
    areas = _filter("drift_areas")
    assert areas(_desired(), _snapshot("converged"), ansible_host="192.0.2.10", connection_port=5986, options=OPTIONS) == []
    assert areas(_desired(), _snapshot("fresh"), ansible_host="192.0.2.10", connection_port=5986, options=OPTIONS) == [
        "routes", "network", "hosts_file", "identity", "cs_install", "cs_certificates"]


def test_inventory_path_filter(tmp_path):
    path = _filter("inventory_path")
    assert path("out", str(tmp_path)) == str(tmp_path / "out")
    assert path(None, str(tmp_path)) == os.path.join(os.getcwd(), "plan")


def test_site_phase_filter():
    phase = _filter("site_phase")
    assert phase("windows", ["all"], []) == {"parts": ["windows"], "phase": "windows", "areas": WINDOWS,
                                             "deferred": INSTALL}
    assert phase(None, ["cs"], []) == {"parts": ["install"], "phase": "install", "areas": INSTALL, "deferred": WINDOWS}
    assert phase("deploy", ["all"], [])["error"].startswith("sfb_edge_phase names an unknown phase: 'deploy'")


def test_validation_filters(monkeypatch):
    monkeypatch.setenv("SFB_EDGE_NOW", "2027-03-01T12:00:00Z")
    report = _filter("validation")(_desired(), _snapshot("converged"), frontend="fe01", source="x")
    assert report["passed"] is True and report["summary"] == {"pass": 20, "fail": 0, "skip": 5, "warn": 0}
    assert report["rows"][0] == {"check": "listening", "target": "internal 172.16.10.11:443/TCP",
                                 "expected": "A/V Edge (RTCMEDIARELAY)", "actual": "listening", "result": "pass"}
    table = _filter("validation_table")({
        "host": "edge01", "fqdn": "edge01.x", "passed": False, "summary": {"pass": 1, "fail": 1, "skip": 0},
        "rows": [{"result": "pass", "check": "service", "target": "RTCSRV", "expected": "Running", "actual": "Running"},
                 {"result": "fail", "check": "listening", "target": "172.16.10.11:5061", "expected": "open",
                  "actual": "a|b"}]})
    assert table == ["edge01 (edge01.x): FAILED - 1 pass, 1 fail, 0 skipped", "",
                     "| result | check | target | expected | actual |", "|---|---|---|---|---|",
                     "| PASS | service | RTCSRV | Running | Running |",
                     "| FAIL | listening | 172.16.10.11:5061 | open | a/b |"]


@pytest.mark.parametrize("name, args, message", [
    ("connection_ports", ("psrp",), "sfb.edge.connection_ports: expects a mapping of connection variables, got str"),
    ("desired_state", ([], "edge01"), "sfb.edge.desired_state: expected the output of sfb.edge.edge_inventory (a dict), "
                                      "got list"),
    ("desired_states", ({}, "edge01"), "sfb.edge.desired_states: hosts is a list of inventory hostnames, got str"),
    ("state_parts", ([], {}), "sfb.edge.state_parts: expected the desired state (a dict), got list"),
    ("drift_areas", (store.CheckedState({"format": 1}), store.CheckedState({"format": 1}), None, "https"),
     "sfb.edge.drift_areas: connection_port is 'https', not a port number"),
    ("inventory_path", ({"a": 1},), "sfb.edge.inventory_path: sfb_edge_plan_dir must be a directory path (a string), "
                                    "got {'a': 1}"),
    ("validation", ({"host": "edge01"}, {"format": 1, "listeners": {}}), "sfb.edge.validation: "),
    ("validation_table", ({"host": "edge01"},), "sfb.edge.validation_table: the input is not the output of "
                                                "sfb.edge.validation (KeyError: 'fqdn')"),
])
def test_the_filters_fail_as_before(name, args, message):
    with pytest.raises(AnsibleFilterError) as caught:
        _filter(name)(*args)
    assert str(caught.value.message).startswith(message), caught.value.message
    # the plain function says the same, as its own error (the actions turn it into their failure)
    with pytest.raises(_steps.StepError) as plain:
        getattr(_steps, name)(*args)
    assert str(plain.value) == str(caught.value.message)


# ------------------------------------------------------------------ deprecated: runtime.yml, docs, porting guide
def _runtime():
    with open(os.path.join(ROOT, "meta", "runtime.yml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _documentation(name):
    """The filter's documentation: the YAML beside the file that holds the deprecated filters."""
    with open(os.path.join(ROOT, "plugins", "filter", name + ".yml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)["DOCUMENTATION"]


@pytest.mark.parametrize("name", DEPRECATED)
def test_runtime_and_documentation_mark_each_deprecated(name):
    entry = _runtime()["plugin_routing"]["filter"][name]["deprecation"]
    assert entry["removal_version"] == "0.7.0"
    assert "docs/porting.md" in entry["warning_text"] and "sfb.edge." in entry["warning_text"]
    documented = _documentation(name)["deprecated"]
    # what ansible-test's validate-modules compares: the same version, the collection named
    assert documented["removed_in"] == "0.7.0" and documented["removed_from_collection"] == "sfb.edge"
    assert "docs/porting.md" in documented["alternative"]
    with open(os.path.join(ROOT, "docs", "porting.md"), encoding="utf-8") as handle:
        porting = handle.read()
    section = porting.split("## The playbooks' internal step filters", 1)[1].split("\n## ", 1)[0]
    assert "| `sfb.edge.%s` |" % name in section


PLAY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.debug:
        msg: "{{ %s }}"
"""


def _play(tmp_path, expression):
    book = tmp_path / "play.yml"
    book.write_text(PLAY % expression)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".cache", "collections"),
               ANSIBLE_DEPRECATION_WARNINGS="true", ANSIBLE_NOCOLOR="1", ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"))
    done = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), str(book)], env=env,
                          capture_output=True, text=True, timeout=300, check=False, cwd=str(tmp_path))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return " ".join((done.stdout + done.stderr).split())


def test_a_deprecated_filter_warns_where_it_is_used_and_nowhere_else(tmp_path):
    """Ansible reads the routing of meta/runtime.yml when a template uses the filter - and, for every filter file it
    loads, the routing of that file's name: the deprecated filters live in a file of another name, so a run that
    uses only public filters prints no deprecation (tests/integration/test_deprecations.py)."""
    out = _play(tmp_path, "[] | sfb.edge.format_findings")
    assert "DEPRECATION" not in out and "has been deprecated" not in out, out[-2000:]
    # 2.19+ names the filter; 2.16 (make compat) gives the routing's text alone: "[DEPRECATION WARNING]: Use ..."
    out = _play(tmp_path, "{} | sfb.edge.connection_ports")
    assert ('Filter "sfb.edge.connection_ports" has been deprecated. Use the fact edge_state_connection_port' in out
            or "[DEPRECATION WARNING]: Use the fact edge_state_connection_port" in out), out[-2000:]
    assert "sfb.edge.site_phase" not in out and "Use the phase of" not in out
    out = _play(tmp_path, "none | sfb.edge.site_phase(['windows'], [])")
    assert ('Filter "sfb.edge.site_phase" has been deprecated. Use the phase of sfb.edge.plan_validation' in out
            or "[DEPRECATION WARNING]: Use the phase of sfb.edge.plan_validation" in out), out[-2000:]
    assert ("removed from collection 'sfb.edge' version 0.7.0" in out
            or "will be removed from sfb.edge in version 0.7.0" in out)


def test_ansible_doc_shows_each_deprecated_filter_with_its_replacement():
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".cache", "collections"), ANSIBLE_NOCOLOR="1")
    done = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-doc"), "-t", "filter", "--json"]
                          + ["sfb.edge." + name for name in DEPRECATED], env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    docs = json.loads(done.stdout)
    for name in DEPRECATED:
        doc = docs["sfb.edge." + name]["doc"]
        assert doc["name"] == name and doc["deprecated"]["removed_in"] == "0.7.0", (name, doc.get("deprecated"))
        assert "docs/porting.md" in doc["deprecated"]["alternative"]


# ------------------------------------------------------------------ nothing of the collection uses them
def _yaml_files():
    patterns = ("roles/*/tasks/*.yml", "roles/*/vars/*.yml", "roles/*/defaults/*.yml", "roles/*/handlers/*.yml",
                "playbooks/*.yml", "playbooks/tasks/*.yml", "extensions/molecule/**/*.yml")
    return sorted({path for pattern in patterns for path in glob.glob(os.path.join(ROOT, pattern), recursive=True)})


def test_no_yaml_of_the_collection_uses_a_deprecated_filter():
    used = re.compile(r"sfb\.edge\.(%s)\b" % "|".join(DEPRECATED))
    found = []
    for path in _yaml_files():
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if used.search(line):
                    found.append("%s:%d: %s" % (os.path.relpath(path, ROOT), number, line.strip()))
    assert found == []


def test_no_plugin_code_imports_a_deprecated_filter():
    """The actions, the other filters and plugin_utils call _steps, not the shims (which go in 0.7.0)."""
    imports = re.compile(r"plugins\.filter(?:\.| import )(%s)\b" % "|".join(DEPRECATED))
    found = []
    for path in sorted(glob.glob(os.path.join(ROOT, "plugins", "**", "*.py"), recursive=True)):
        if os.path.basename(path).startswith("firewall_proof_"):
            continue  # another helper's scope (surface-roles): those filters go too
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if imports.search(line):
                    found.append("%s:%d" % (os.path.relpath(path, ROOT), number))
    assert found == []


# ------------------------------------------------------------------ the public filters: few, each documented
def _docs_text():
    text = []
    for path in [os.path.join(ROOT, "README.md")] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md"))):
        if os.path.basename(path) != "porting.md":
            with open(path, encoding="utf-8") as handle:
                text.append(handle.read())
    return "\n".join(text)


def test_the_ten_public_filters_are_each_shown_in_the_docs():
    docs = _docs_text()
    assert [name for name in PUBLIC if "`sfb.edge.%s`" % name not in docs] == []


def _filter_names():
    """Every filter the collection's filter files give (a file may give several)."""
    names = []
    for path in sorted(glob.glob(os.path.join(ROOT, "plugins", "filter", "*.py"))):
        module = importlib.import_module("ansible_collections.sfb.edge.plugins.filter." + os.path.basename(path)[:-3])
        names.extend(module.FilterModule().filters())
    return sorted(names)


def test_the_deprecated_filters_still_load():
    assert set(DEPRECATED) <= set(_filter_names())


def test_ten_or_fewer_public_filter_plugins_each_used_in_docs_or_examples():
    deprecated = set((_runtime().get("plugin_routing") or {}).get("filter") or {})
    public = [name for name in _filter_names() if name not in deprecated]
    docs = _docs_text()
    assert [name for name in public if "sfb.edge.%s" % name not in docs] == []
    assert len(public) <= 10, public
