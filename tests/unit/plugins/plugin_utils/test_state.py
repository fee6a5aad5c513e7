# -*- coding: utf-8 -*-
"""The state schema (plugins/plugin_utils/_state.py): every path into the diff engine refuses a
malformed state with the file/host and the field path, valid states pass, the schema and
docs/state-format.md agree, and edge_facts.ps1 builds every list-typed field as a list."""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import ipaddress
import json
import os
import re
import sys
from pathlib import Path

import pytest
from ansible.errors import AnsibleError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

import inventory_data  # noqa: E402

from ansible_collections.sfb.edge.plugins.filter.drift import drift as drift_filter  # noqa: E402
from ansible_collections.sfb.edge.plugins.plugin_utils._steps import StepError  # noqa: E402
from ansible_collections.sfb.edge.plugins.plugin_utils._steps import validation as validation_filter  # noqa: E402
from ansible_collections.sfb.edge.plugins.lookup.edge_snapshot import LookupModule  # noqa: E402
from ansible_collections.sfb.edge.plugins.plugin_utils import _desired as desired, _state as state  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent.parent.parent.parent
SNAPSHOTS = ROOT / "tests" / "snapshots"
FILES = sorted(SNAPSHOTS.glob("*/*.json"))
DOC = ROOT / "docs" / "state-format.md"
EDGE_FACTS = ROOT / "plugins" / "modules" / "edge_facts.ps1"


def snap(scenario="converged", host="edge01"):
    return json.loads((SNAPSHOTS / scenario / ("%s.json" % host)).read_text(encoding="utf-8"))


def want(host="edge01"):
    return desired.build(inventory_data.example(), host)


def refused(current, *fragments):
    """state.check refuses ``current``; the message has every fragment."""
    with pytest.raises(state.StateError) as info:
        state.check(current, where="snapshot x/edge01.json")
    message = str(info.value)
    assert message.startswith("snapshot x/edge01.json: "), message
    for fragment in fragments:
        assert fragment in message, message
    assert "Traceback" not in message
    return message


# ----------------------------------------------------------------------------------- the reviewers' cases
def test_connection_written_as_an_object_is_refused_not_ignored():
    current = snap("winrm-on-changed-nic")
    current["connection"] = current["connection"][0]  # ConvertTo-Json of a one-item array
    message = refused(current, "connection is a mapping (keys local_address, local_port, remote_address, remote_port), "
                               "expected a list (a one-item list written as an object by ConvertTo-Json?)",
                      "docs/state-format.md#connection")
    assert message.count("problem") == 0  # one problem, said once
    # the drift filter (what site.yml's roles and drift.yml use) fails instead of planning without the guard
    with pytest.raises(AnsibleError, match=r"sfb.edge.drift: the gathered state: connection is a mapping"):
        drift_filter(want(), current, ansible_host="172.16.10.11", source="snapshot s/edge01.json")


def test_connection_as_a_string_is_refused():
    current = snap("winrm-on-changed-nic")
    current["connection"] = "172.16.10.50"
    refused(current, "connection is a string ('172.16.10.50'), expected a list")
    with pytest.raises(AnsibleError, match="connection is a string"):
        drift_filter(want(), current, ansible_host="172.16.10.11")


@pytest.mark.parametrize("services", ["REPLICA", {"name": "REPLICA", "status": "Running"}, None])
def test_cs_services_not_a_list_never_plans_bootstrapper(services):
    current = snap("converged")
    current["cs"]["services"] = services
    refused(current, "cs.services is ", "expected a list", "docs/state-format.md#cs")
    with pytest.raises(AnsibleError, match="cs.services is "):
        drift_filter(want(), current, options={"frontend": "fe01"})


@pytest.mark.parametrize("mutate, fragment", [
    (lambda s: s["cs"]["products"].__setitem__(0, "Skype for Business Server 2019, Core Components"),
     "cs.products[0] is a string ('Skype for Business Server 2019, Core Com...' (47 characters)), expected a mapping"),
    (lambda s: s["cs"]["services"].__setitem__(2, "RTCDATAPROXY"), "cs.services[2] is a string"),
    (lambda s: s["cs"]["services"][2].update(status=4), "cs.services[2].status is an integer (4), expected a string"),
    (lambda s: s["adapters"][1]["addresses"].__setitem__(0, "192.0.2.21"),
     "adapters[1].addresses[0] is a string ('192.0.2.21'), expected a mapping"),
    (lambda s: s["routes"].__setitem__(1, "10.20.0.0/16"), "routes[1] is a string ('10.20.0.0/16'), expected a mapping"),
    (lambda s: s["certificates"]["My"].__setitem__(0, "EAFCC809EC2E3EA925BB2B4052D92F162EB72D27"),
     "certificates.My[0] is a string"),
    (lambda s: s["listeners"].__setitem__(0, "TCP 0.0.0.0:135"), "listeners[0] is a string"),
    (lambda s: s["connection"].__setitem__(0, "172.16.10.11:5986"), "connection[0] is a string"),
])
def test_list_items_of_the_wrong_type_name_the_item(mutate, fragment):
    current = snap("converged")
    mutate(current)
    refused(current, fragment)
    with pytest.raises(AnsibleError) as info:
        drift_filter(want(), current, options={"frontend": "fe01"})
    assert fragment in str(info.value) and "TypeError" not in str(info.value)


# a couple more per section: values of the wrong type that today pass, silently change a decision
# or end in a Python exception without the field
@pytest.mark.parametrize("mutate, fragment", [
    # computer: the string "false" is truthy, so it would report (and the identity role reboot for) a pending reboot
    (lambda s: s["computer"].update(pending_reboot="false"), "computer.pending_reboot is a string ('false'), "
                                                             "expected a boolean"),
    (lambda s: s["computer"].update(part_of_domain=0), "computer.part_of_domain is an integer (0), expected a boolean "
                                                       "or null"),
    (lambda s: s["computer"].update(pending_reboot_reasons="ComputerRename"),
     "computer.pending_reboot_reasons is a string ('ComputerRename'), expected a list"),
    (lambda s: s["computer"].update(os_build="17763"), "computer.os_build is a string ('17763'), expected an integer"),
    (lambda s: s["computer"].update(user={"name": "EDGE01\\Administrator"}), "computer.user.sid is missing"),
    # adapters
    (lambda s: s["adapters"][0].update(dhcp="false"), "adapters[0].dhcp is a string ('false')"),
    (lambda s: s["adapters"][1].update(gateways="192.0.2.1"),
     "adapters[1].gateways is a string ('192.0.2.1'), expected a list (a one-item list unwrapped by PowerShell?"),
    (lambda s: s["adapters"][1]["addresses"][1].update(skip_as_source="True"),
     "adapters[1].addresses[1].skip_as_source is a string ('True')"),
    (lambda s: s["adapters"][0]["addresses"][0].update(prefix_length=24.0),
     "adapters[0].addresses[0].prefix_length is a number (24.0), expected an integer"),
    (lambda s: s["adapters"][0]["addresses"][0].update(active=1), "adapters[0].addresses[0].active is an integer (1), "
                                                                  "expected a boolean"),
    (lambda s: s["adapters"][1].update(default_routes={"next_hop": "192.0.2.1", "active": True, "persistent": True}),
     "adapters[1].default_routes is a mapping"),
    # routes
    (lambda s: s["routes"][0].update(metric="256"), "routes[0].metric is a string ('256'), expected an integer"),
    (lambda s: s["routes"][0].update(interface_index=True), "routes[0].interface_index is a boolean (true)"),
    (lambda s: s["routes"][0].update(destination="10.10.0.0"),
     "routes[0].destination is a string ('10.10.0.0'), expected an IPv4 network with a prefix length"),
    # hosts file
    (lambda s: s["hosts_file"].update(content=None), "hosts_file.content is null, expected a string"),
    (lambda s: s["hosts_file"].update(raw="aGVsbG8=", sha256="0" * 64), "hosts_file has both raw and content"),
    # certificates: "false" is truthy, so the missing private key would go unnoticed
    (lambda s: s["certificates"]["My"][0].update(has_private_key="false"),
     "certificates.My[0].has_private_key is a string ('false')"),
    (lambda s: s["certificates"].update(Root={"thumbprint": "E5F3"}), "certificates.Root is a mapping (keys "
                                                                      "thumbprint), expected a list"),
    # connection and listeners
    (lambda s: s["connection"][0].update(local_port="5986"), "connection[0].local_port is a string ('5986')"),
    (lambda s: s.update(connection_ports=5986), "connection_ports is an integer (5986), expected a list"),
    (lambda s: s["listeners"][3].update(port=True), "listeners[3].port is a boolean (true), expected an integer"),
    # cs
    (lambda s: s["cs"].update(features=["Windows-Identity-Foundation"]), "cs.features is a list, expected a mapping"),
    (lambda s: s["cs"]["features"].update({"Telnet-Client": "Installed"}),
     "cs.features.Telnet-Client is a string ('Installed'), expected a boolean"),
    (lambda s: s["cs"]["module"].update(loaded="true"), "cs.module.loaded is a string ('true')"),
    (lambda s: s["cs"]["topology"].update(machines="edge01.corp.example.com"), "cs.topology.machines is a string"),
    (lambda s: s["cs"]["services"][0].update(last_error="The service terminated"),
     "cs.services[0].last_error is a string ('The service terminated'), expected a mapping or null"),
    (lambda s: s["cs"].pop("replica"), "cs.replica is missing, expected a mapping"),
    # replication: "false" would count as up to date by a truthiness test
    (lambda s: s["replication"].update(up_to_date="false"), "replication.up_to_date is a string ('false')"),
])
def test_wrong_types_per_section_are_refused_with_the_path(mutate, fragment):
    current = snap("converged")
    mutate(current)
    refused(current, fragment)


def test_all_problems_at_once_top_level_first_capped():
    current = snap("converged")
    services = current["cs"]["services"]
    for svc in services:
        svc["status"] = 1
    current["adapters"][0]["dhcp"] = "no"
    current.pop("routes")
    total = 2 + len(services)
    message = refused(current, "%d problems: routes is missing, expected a list; adapters[0].dhcp is a string ('no')"
                      % total, "cs.services[0].status is an integer (1)", "see docs/state-format.md#routes, #adapters, #cs")
    assert message.count(" is an integer (1)") == min(len(services), state.MAX_ERRORS - 2)
    current["cs"]["services"] = copy.deepcopy(services * 3)
    total = 2 + 3 * len(services)
    message = refused(current, "%d problems: " % total, "; and %d more" % (total - state.MAX_ERRORS))
    assert message.count(" is an integer (1)") == state.MAX_ERRORS - 2


@pytest.mark.parametrize("value, ok", [(1, True), (True, False), (1.0, False), ("1", False), (None, False)])
def test_format_must_be_the_integer_1(value, ok):
    current = snap()
    current["format"] = value
    if ok:
        assert state.check(current) is current
    else:
        with pytest.raises(state.StateError, match="has format .*; this collection reads format 1"):
            state.check(current)


@pytest.mark.parametrize("value, expected", [
    (True, "a boolean (true), expected an integer"), (5986.0, "a number (5986.0), expected an integer"),
    (0, "an integer (0), expected an integer from 1 to 65535"), ("5986", "a string ('5986')")])
def test_int_is_not_bool_and_never_float(value, expected):
    current = snap()
    current["connection"][0]["local_port"] = value
    refused(current, "connection[0].local_port is " + expected)
    current = snap()
    current["computer"]["pending_reboot"] = 0
    refused(current, "computer.pending_reboot is an integer (0), expected a boolean")


def test_unknown_keys_are_ignored_and_optional_keys_may_be_absent():
    current = snap()
    current["future_section"] = {"anything": [1, 2]}
    current["computer"]["future_field"] = "x"
    current["cs"]["services"][0]["future_field"] = None
    for key in ("listeners", "cs", "replication", "connection_ports"):
        current.pop(key, None)
    for key in ("os_version", "os_build", "os_caption", "dotnet_release", "local_account_token_filter_policy",
                "user", "windows_update"):
        current["computer"].pop(key, None)
    for nic in current["adapters"]:
        nic.pop("default_routes", None)
        for address in nic["addresses"]:
            address.pop("active", None)
            address.pop("persistent", None)
    current["hosts_file"].pop("exists", None)
    assert state.check(current) is current


def test_hosts_file_raw_form():
    current = snap()
    data = current["hosts_file"].pop("content").encode("utf-8")
    current["hosts_file"]["raw"] = base64.b64encode(data).decode("ascii")
    current["hosts_file"]["sha256"] = hashlib.sha256(data).hexdigest().upper()
    assert state.check(current) is current
    bad = copy.deepcopy(current)
    bad["hosts_file"]["sha256"] = hashlib.sha256(b"other").hexdigest().upper()
    refused(bad, "hosts_file.sha256 is a string", "but the bytes in raw have the SHA-256 %s"
            % hashlib.sha256(data).hexdigest().upper())
    bad = copy.deepcopy(current)
    bad["hosts_file"]["raw"] = "not base64!"
    refused(bad, "hosts_file.raw is a string ('not base64!'), expected base64")
    bad = copy.deepcopy(current)
    bad["hosts_file"]["sha256"] = "abc"
    refused(bad, "hosts_file.sha256 is a string ('abc'), expected 64 hex digits")
    # sha256 is only a consistency check; without raw and content the file was not read (edge_facts
    # leaves both out when it cannot read it): the hosts file area reports that, not the schema
    del current["hosts_file"]["sha256"]
    assert state.check(current) is current
    del current["hosts_file"]["raw"]
    assert state.check(current) is current


def test_the_lookup_names_the_snapshot_file(tmp_path):
    current = snap()
    current["cs"]["services"] = "REPLICA"
    (tmp_path / "edge01.json").write_text(json.dumps(current), encoding="utf-8")
    lookup = LookupModule()
    # the options as Ansible would set them from directory=... (no plugin loader here)
    lookup.set_options = lambda var_options=None, direct=None: None
    lookup.get_option = {"directory": str(tmp_path)}.get
    with pytest.raises(AnsibleError) as info:
        lookup.run(["edge01"], variables={}, directory=str(tmp_path))
    assert "sfb.edge.edge_snapshot: snapshot %s: cs.services is a string ('REPLICA')" % (tmp_path / "edge01.json") \
        in str(info.value)
    assert "capture it again with playbooks/capture.yml" in str(info.value)


@pytest.mark.parametrize("area", ["cs_install", "network"])
def test_the_action_plugin_refuses_a_malformed_live_state(area):
    from unittest import mock

    from ansible.playbook.task import Task

    from ansible_collections.sfb.edge.plugins.action.edge_apply import ActionModule
    current = snap("converged")
    current["cs"]["services"] = "REPLICA"  # on main: Bootstrapper and 5 service starts planned
    current["connection"] = current["connection"][0]
    task = Task()
    task.args = {"area": area, "desired": want(), "current": current, "snapshot": True}
    action = ActionModule(task, mock.MagicMock(), mock.MagicMock(), loader=None, templar=None, shared_loader_obj=None)
    with pytest.raises(AnsibleError) as info:
        action.run(task_vars={"inventory_hostname": "edge01"})
    assert str(info.value).startswith("the gathered state of edge01: 2 problems: connection is a mapping")
    assert "cs.services is a string ('REPLICA'), expected a list" in str(info.value)


def test_the_validation_filter_checks_the_state_and_the_replication_status():
    current = snap("converged")
    assert validation_filter(want(), current, replication=current["replication"])["passed"]
    bad = copy.deepcopy(current)
    bad["listeners"] = {"protocol": "TCP", "address": "0.0.0.0", "port": 443, "process": "System"}
    with pytest.raises(StepError, match=r"sfb.edge.validation: the state of edge01: listeners is a mapping"):
        validation_filter(want(), bad)
    with pytest.raises(StepError, match=r"the replication status from the Front End: replication.up_to_date is a "
                                        r"string \('true'\), expected a boolean or null"):
        validation_filter(want(), current, replication=dict(current["replication"], up_to_date="true"))


# ----------------------------------------------------------------------------------- hypothesis
# The restricted fields, written out from docs/state-format.md (not read from state.SCHEMA, so that a wrong bound
# or choice in the schema does not move the generated values with it).
BOUNDS = {
    "adapters[].addresses[].prefix_length": (0, 32),
    "connection[].local_port": (1, 65535),
    "connection[].remote_port": (1, 65535),
    "connection_ports[]": (1, 65535),
    "listeners[].port": (0, 65535),
}
CHOICES = {
    "adapters[].netbios": ("default", "enabled", "disabled"),
    "listeners[].protocol": ("TCP", "UDP"),
}


def test_the_literal_bounds_name_every_restricted_field_of_the_schema():
    """A bound or choice added to the schema is written down here too (its values are checked below)."""
    restricted = {"bounds": set(), "choices": set()}
    for path, node, _required in state.field_paths():
        inner = node.node if isinstance(node, state.Nullable) else node
        if isinstance(inner, state.Scalar) and inner.choices:
            restricted["choices"].add(path)
        elif isinstance(inner, state.Scalar) and (inner.low is not None or inner.high is not None):
            restricted["bounds"].add(path)
    assert restricted == {"bounds": set(BOUNDS), "choices": set(CHOICES)}


def _at(current, path, value):
    """Set the first occurrence of the generic ``path`` (``a[].b``) in ``current``; returns the concrete path."""
    parts = path.replace("[]", ".[]").split(".")
    where, concrete = current, ""
    for number, part in enumerate(parts):
        last = number == len(parts) - 1
        if part == "[]":
            concrete += "[0]"
            if last:
                where[0] = value
            else:
                where = where[0]
        else:
            concrete += ("." if concrete else "") + part
            if last:
                where[part] = value
            else:
                where = where[part]
    return concrete


def _with_every_field():
    current = snap("converged")
    current["listeners"] = [{"protocol": "TCP", "address": "0.0.0.0", "port": 5986, "process": "System"}]
    current["connection"][0]["remote_port"] = 50123
    return current


@pytest.mark.parametrize("path, value, ok", [
    (path, value, ok) for path, (low, high) in sorted(BOUNDS.items())
    for value, ok in ((low - 1, False), (low, True), (high, True), (high + 1, False))] + [
    (path, value, True) for path, choices in sorted(CHOICES.items()) for value in choices] + [
    ("adapters[].netbios", "Disabled", False), ("adapters[].netbios", "", False),
    ("listeners[].protocol", "tcp", False), ("listeners[].protocol", "ICMP", False)])
def test_the_documented_bounds_and_choices(path, value, ok):
    current = _with_every_field()
    concrete = _at(current, path, value)
    if ok:
        assert state.check(current) is current
        return
    refused(current, "%s is %s (%r), expected" % (concrete, "an integer" if isinstance(value, int) else "a string",
                                                  value))


def _strategy(node, path=""):
    if node is state.HOSTS_FILE:
        path_st = st.just("C:\\Windows\\System32\\drivers\\etc\\hosts")
        return st.one_of(
            st.fixed_dictionaries({"path": path_st, "content": st.text(max_size=30)},
                                  optional={"exists": st.booleans()}),
            st.binary(max_size=30).map(lambda data: {
                "path": "C:\\Windows\\System32\\drivers\\etc\\hosts", "exists": True,
                "raw": base64.b64encode(data).decode("ascii"), "sha256": hashlib.sha256(data).hexdigest().upper()}),
            st.fixed_dictionaries({"path": path_st}, optional={"exists": st.booleans()}))  # not read
    if isinstance(node, state.Nullable):
        return st.one_of(st.none(), _strategy(node.node, path))
    if isinstance(node, state.Scalar):
        if path in CHOICES:
            return st.sampled_from(CHOICES[path])
        if node.kind == "bool":
            return st.booleans()
        if node.kind == "int":
            low, high = BOUNDS.get(path, (-(2 ** 31), 2 ** 31))
            return st.integers(min_value=low, max_value=high)
        if node.check is state._ipv4:
            return st.ip_addresses(v=4).map(str)
        if node.check is state._ipv4_network:
            return st.tuples(st.ip_addresses(v=4), st.integers(1, 32)).map(
                lambda t: str(ipaddress.IPv4Network((t[0], t[1]), strict=False)))
        return st.text(max_size=12)
    if isinstance(node, state.ListOf):
        return st.lists(_strategy(node.item, path + "[]"), max_size=2)
    if isinstance(node, state.DictOf):
        return st.dictionaries(st.text(min_size=1, max_size=8), _strategy(node.value), max_size=2)
    sub = (lambda name: "%s.%s" % (path, name)) if path else (lambda name: name)
    required = {name: (st.just(1) if path == "" and name == "format" else _strategy(f.node, sub(name)))
                for name, f in node.fields.items() if f.required}
    optional = {name: _strategy(f.node, sub(name)) for name, f in node.fields.items() if not f.required}
    optional["x_unknown_field"] = st.one_of(st.none(), st.integers(), st.text(max_size=4))
    result = st.fixed_dictionaries(required, optional=optional)
    return result.map(_gateways_of_active_routes) if node is state.ADAPTER else result


def _gateways_of_active_routes(adapter):
    """gateways: the next hops of the active default routes (docs/state-format.md)."""
    for route in adapter.get("default_routes") or []:
        if route["active"] and route["next_hop"] not in adapter["gateways"]:
            adapter["gateways"].append(route["next_hop"])
    return adapter


VALID_STATES = _strategy(state.SCHEMA)


def _fits(kind, value):
    """Whether ``value`` has the documented ``kind`` (the type column of docs/state-format.md)."""
    if kind.endswith(" or null"):
        return value is None or _fits(kind[:-len(" or null")], value)
    if kind.startswith("list of"):
        return isinstance(value, list)
    if kind.startswith("mapping"):
        return isinstance(value, dict)
    return {"bool": lambda v: isinstance(v, bool), "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "string": lambda v: isinstance(v, str)}[kind](value)


def _fields(value, documented, generic="", concrete=""):
    """(concrete path, documented kind, container, key) of every documented field present in ``value``,
    walked over the value itself with the doc's table (not the schema)."""
    if isinstance(value, dict):
        for key, item in value.items():
            g = "%s.%s" % (generic, key) if generic else key
            c = "%s.%s" % (concrete, key) if concrete else key
            kind = documented.get(g, (None,))[0]
            if kind is None and documented.get(generic, (None,))[0] == "mapping of string to bool":
                kind = "bool"  # the items of cs.features
            if kind is None:
                continue  # an unknown key: ignored by the schema
            yield c, kind, value, key
            yield from _fields(item, documented, g, c)
    elif isinstance(value, list):
        kind = documented.get(generic, ("",))[0]
        item_kind = kind[len("list of "):] if kind.startswith("list of ") else None
        for number, item in enumerate(value):
            c = "%s[%d]" % (concrete, number)
            if item_kind and item_kind != "mapping":
                yield c, item_kind, value, number
            yield from _fields(item, documented, generic + "[]", c)


WRONG = [({"local_address": "x"}, "a mapping (keys local_address)"), (["x"], "a list"), ("x", "a string ('x')"),
         (7, "an integer (7)"), (True, "a boolean (true)"), (1.5, "a number (1.5)"), (None, "null")]


def _mutated_fails_naming_the_path(current, data):
    documented = _documented()
    fields = list(_fields(current, documented))
    path, kind, container, key = data.draw(st.sampled_from(fields), label="field")
    candidates = [(w, text) for w, text in WRONG if not _fits(kind, w)]
    wrong, text = data.draw(st.sampled_from(candidates), label="wrong value")
    container[key] = copy.deepcopy(wrong)
    with pytest.raises(state.StateError) as info:
        state.check(current, where="the state of edge01")
    message = str(info.value)
    assert message.startswith("the state of edge01")
    if path == "format":
        assert "has format" in message
    else:
        assert "%s is %s, expected" % (path, text) in message, message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(current=VALID_STATES)
def test_every_state_the_schema_describes_passes(current):
    assert state.check(current) is current


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(current=VALID_STATES, data=st.data())
def test_a_wrong_type_anywhere_in_a_generated_state_is_named(current, data):
    _mutated_fails_naming_the_path(current, data)


@settings(max_examples=300, deadline=None)
@given(path=st.sampled_from(FILES), data=st.data())
def test_a_wrong_type_anywhere_in_a_shipped_snapshot_is_named(path, data):
    _mutated_fails_naming_the_path(json.loads(path.read_text(encoding="utf-8")), data)


# ----------------------------------------------------------------------------------- doc and schema agree
@functools.lru_cache(maxsize=None)
def _documented():
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\| `([^`]+)` \| ([^|]+?) \| ([^|]+?) \|", line)
        if match:
            assert match.group(1) not in rows, "documented twice: %s" % match.group(1)
            rows[match.group(1)] = (match.group(2), match.group(3))
    return rows


def _schema_rows():
    return {path: (node.describe(), required) for path, node, required in state.field_paths()
            if not path.endswith(("[]", ">"))}


def test_every_schema_field_is_documented_with_its_type_and_absence():
    documented, schema = _documented(), _schema_rows()
    assert sorted(set(schema) - set(documented)) == [], "fields of state.SCHEMA missing in docs/state-format.md"
    assert sorted(set(documented) - set(schema)) == [], "docs/state-format.md documents fields the schema lacks"
    wrong = []
    for path, (kind, required) in schema.items():
        doc_kind, doc_absent = documented[path]
        if doc_kind != kind:
            wrong.append("%s: doc says %r, schema %r" % (path, doc_kind, kind))
        if doc_absent.startswith("no") != required:
            wrong.append("%s: doc says may be absent %r, schema required=%s" % (path, doc_absent, required))
    assert wrong == []


def test_every_error_links_to_a_section_of_the_doc():
    text = DOC.read_text(encoding="utf-8")
    anchors = {re.sub(r"[^\w\- ]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
               for line in text.splitlines() if line.startswith("#")}
    for path, _node, _required in state.field_paths():
        assert state._anchor(path) in anchors, path
    assert state._anchor("") in anchors


def test_the_doc_shows_the_managed_hosts_block():
    text = DOC.read_text(encoding="utf-8")
    from ansible_collections.sfb.edge.plugins.plugin_utils import _drift as drift
    assert drift.HOSTS_BEGIN in text and drift.HOSTS_END in text
    assert "`ip name [name...]`" in text


# ----------------------------------------------------------------------------------- edge_facts.ps1
def _list_fields():
    top, nested = set(), set()
    for path, node, _required in state.field_paths():
        inner = node.node if isinstance(node, state.Nullable) else node
        if isinstance(inner, state.ListOf) and not path.endswith("[]"):
            (nested if re.search(r"[.\[]", path) else top).add(path.rsplit(".", 1)[-1])
    return top, nested


def test_edge_facts_builds_every_list_field_as_a_list():
    """ConvertTo-Json (what Ansible.Basic serialises with) writes a one-item array that went through
    the pipeline or an ``if`` as the item: every list-typed field must be ``@(...)`` (or a variable
    assigned one), never a bare pipeline, ``if`` or cmdlet call."""
    text = EDGE_FACTS.read_text(encoding="utf-8")
    body = text[text.index("[Ansible.Basic.AnsibleModule]::Create"):]
    top, nested = _list_fields()
    cast = r"(?:\[[\w.\[\]]+\]\s*)?"  # [int[]]@(...), [object[]]@(...)
    arrays = set(re.findall(r"^\s*\$(\w+)\s*=\s*" + cast + r"@\(", body, re.M))
    found, bad = [], []
    # `$state.name = value` and hashtable entries `name = value` (at the start of a line, or after
    # `{` or `;` of a one-line hashtable)
    for match in re.finditer(r"(?:^|[{;])[ \t]*(\$state\.)?(\w+)[ \t]*=[ \t]*([^;\n]*)", body, re.M):
        is_top, name, value = bool(match.group(1)), match.group(2), match.group(3).strip().rstrip("}").strip()
        if name not in (top if is_top else nested):
            continue
        found.append(name)
        variable = re.match(r"^\$(\w+)$", value)
        if not (re.match(cast + r"@\(", value) or value.startswith(",") or (variable and variable.group(1) in arrays)):
            bad.append("%s = %s" % (name, value))
    assert {"adapters", "routes", "listeners", "connection", "addresses", "gateways", "dns_servers", "dns_names",
            "eku", "products", "services", "machines", "pending_reboot_reasons"} <= set(found)
    assert bad == []


# ----------------------------------------------------------------------------------- issue 18: strict snapshot parse
HINT = "Correct the file as docs/state-format.md describes, or capture it again with playbooks/capture.yml"


def _snapshot_text(tmp_path, text):
    path = tmp_path / "edge01.json"
    path.write_bytes(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    return path


def _load_refused(tmp_path, text):
    path = _snapshot_text(tmp_path, text)
    with pytest.raises(state.StateError) as info:
        state.load_snapshot(str(tmp_path), "edge01")
    return str(info.value).replace(str(path), "X")


def _converged_text():
    return (SNAPSHOTS / "converged" / "edge01.json").read_text(encoding="utf-8")


def test_a_duplicate_key_is_refused_naming_it(tmp_path):
    text = _converged_text()
    assert text.lstrip().startswith("{")
    assert _load_refused(tmp_path, '{"format": 2, ' + text.lstrip()[1:]) == (
        "snapshot X: format is given twice in one object (which value is meant is unknown); keep one. " + HINT)
    # a second listeners list hid a held port from the firewall proof: the first one is not silently dropped
    current = snap()
    current["listeners"] = [{"protocol": "TCP", "address": "0.0.0.0", "port": 443, "process": "svchost"}]
    body = json.dumps(current)
    assert _load_refused(tmp_path, body[:-1] + ', "listeners": []}') == (
        "snapshot X: listeners is given twice in one object (which value is meant is unknown); keep one. " + HINT)
    nested = json.dumps({"format": 1, "adapters": [{"name": "a"}, {"name": "b", "mac": "x"}]})
    assert _load_refused(tmp_path, nested.replace('"mac": "x"', '"mac": "x", "mac": "y"')) == (
        "snapshot X: adapters[1].mac is given twice in one object (which value is meant is unknown); keep one. " + HINT)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused_naming_the_field(tmp_path, constant):
    current = snap()
    current["connection"][0]["local_port"] = 12345
    text = json.dumps(current).replace("12345", constant)
    assert _load_refused(tmp_path, text) == (
        "snapshot X: connection[0].local_port is %s, which is not a JSON number; write a number or null. %s"
        % (constant, HINT))


def test_a_lone_surrogate_is_refused_naming_the_field(tmp_path):
    current = snap()
    current["computer"]["hostname"] = "EDGE01-MARK"
    text = json.dumps(current).replace("EDGE01-MARK", "EDGE\\ud800")
    assert _load_refused(tmp_path, text) == (
        "snapshot X: computer.hostname is a string with a lone UTF-16 surrogate ('EDGE\\ud800'), which is not text; "
        "write the character itself or its \\u escape pair. " + HINT)
    # a pair is one character and fine
    (tmp_path / "edge01.json").write_text(text.replace("\\ud800", "\\ud83d\\ude00"), encoding="utf-8")
    assert state.load_snapshot(str(tmp_path), "edge01")["computer"]["hostname"] == "EDGE\U0001F600"
    # the parse of text (not bytes) too, and a key
    with pytest.raises(state.StateError) as info:
        state.parse_snapshot('{"format": 1, "x\\udc00": 1}', "s/edge01.json")
    assert str(info.value) == ("snapshot s/edge01.json: the document has a key with a lone UTF-16 surrogate "
                               "('x\\udc00'), which is not text. " + HINT)


@pytest.mark.parametrize("depth", [33, 5000, 200000])
def test_deep_nesting_is_a_state_error_not_a_recursion_error(tmp_path, depth):
    text = '{"format": 1, "x": ' + "[" * depth + "]" * depth + "}"
    assert _load_refused(tmp_path, text) == (
        "snapshot X: nested more than 32 levels deep (line 1, column 51); a state is a few levels deep. " + HINT)
    # brackets inside strings do not count; 32 levels are read
    fine = '{"format": 1, "x": "' + "[" * 100 + '", "y": ' + "[" * 31 + "]" * 31 + "}"
    (tmp_path / "edge01.json").write_text(fine, encoding="utf-8")
    with pytest.raises(state.StateError, match="computer is missing"):
        state.load_snapshot(str(tmp_path), "edge01")


def test_not_utf8_and_not_json_name_the_file(tmp_path):
    assert _load_refused(tmp_path, b'{"format": 1, "x": "\xff"}') == (
        "cannot read the snapshot X: not UTF-8 text (byte 20); save it as UTF-8. " + HINT)
    assert _load_refused(tmp_path, '{"format": 1,}') == (
        "cannot read the snapshot X: Expecting property name enclosed in double quotes: line 1 column 14 (char 13)")


def test_a_secret_in_a_snapshot_never_reaches_the_message(tmp_path):
    """A snapshot that is some other JSON file (here an access key where the computer belongs) names the field and
    the fix, never the value."""
    current = snap()
    current["computer"] = "AKIAIOSFODNN7EXAMPLE"
    current["adapters"][0]["description"] = {"password": "LeakMe-789", "name": "x"}
    current["routes"][0]["gateway"] = "AKIA-ABCDEFGHIJKLMNOP"
    message = _load_refused(tmp_path, json.dumps(current))
    assert "AKIA" not in message and "LeakMe-789" not in message
    assert message.startswith("snapshot X: 3 problems: computer is a string (<hidden>), expected a mapping; ")
    assert "adapters[0].description is a mapping (keys password, name), expected a string" in message
    assert "routes[0].gateway is a string (<hidden>), expected an IPv4 address" in message
    assert message.endswith(HINT)
    # a field named like a secret
    assert state.actual("LeakMe-789", "password") == "a string (<hidden>)"


def test_a_long_or_odd_value_is_a_short_escaped_excerpt():
    current = snap()
    current["routes"][0]["gateway"] = "10.0.0." + "9" * 500
    message = refused(current)
    assert "routes[0].gateway is a string ('10.0.0.999999999999999999999999999999999...' (507 characters)), " \
           "expected an IPv4 address like 172.16.10.11" in message
    current = snap()
    current["routes"][0]["gateway"] = "10.0.0.1\n\u202e\x00"
    assert "routes[0].gateway is a string ('10.0.0.1\\n\\u202e\\x00'), expected an IPv4 address" in refused(current)


# ----------------------------------------------------------------------------------- issue 18: default routes
def test_an_active_default_route_must_be_one_of_the_gateways():
    current = snap()
    external = current["adapters"][1]
    assert external["name"] == "External" and external["gateways"] == ["192.0.2.1"]
    external["default_routes"] = [{"next_hop": "192.0.2.1", "active": True, "persistent": True},
                                  {"next_hop": "192.0.2.254", "active": True, "persistent": True}]
    assert refused(current) == (
        "snapshot x/edge01.json: adapters[1].default_routes[1].next_hop is '192.0.2.254', an active default route of "
        "the adapter 'External', but not one of its gateways ('192.0.2.1'): gateways lists the next hops of the active "
        "default routes; gather the state again, or correct gateways and default_routes together - see "
        "docs/state-format.md#adapters. " + state.HINT)
    # a persistent-only route is not in use, so not among the gateways (edge_facts.ps1)
    external["default_routes"][1]["active"] = False
    assert state.check(current) is current
    # the internal adapter, with no gateway at all
    current["adapters"][0]["default_routes"] = [{"next_hop": "172.16.10.1", "active": True, "persistent": False}]
    refused(current, "adapters[0].default_routes[0].next_hop is '172.16.10.1', an active default route of the "
                     "adapter 'Internal', but not one of its gateways (none)")
