# -*- coding: utf-8 -*-
"""store.py: the controller's per-run store of large desired and gathered states (content-addressed).

The playbooks pass small handles instead of the states (issue 10, wall-time goals). What must hold:
a handle gives back exactly the data it was made from, keyed by content (a changed inventory value
gives another desired state, another digest), and a missing, changed or malformed stored file fails
closed with a message naming the file - never other data. The filters and edge_apply's area parts
give the same results on handles as on the states themselves.
"""

from __future__ import annotations

import copy
import json
import os
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

import inventory_data  # noqa: E402

from ansible.errors import AnsibleError, AnsibleFilterError  # noqa: E402

from ansible_collections.sfb.edge.plugins.filter.drift import drift as drift_filter  # noqa: E402
from ansible_collections.sfb.edge.plugins.plugin_utils._steps import StepError  # noqa: E402
from ansible_collections.sfb.edge.plugins.plugin_utils._steps import desired_states, drift_areas, state_parts  # noqa: E402
from ansible_collections.sfb.edge.plugins.plugin_utils._steps import validation as validation_filter  # noqa: E402
from ansible_collections.sfb.edge.plugins.lookup.edge_snapshot import LookupModule  # noqa: E402
from ansible_collections.sfb.edge.plugins.plugin_utils import _parts as areas, _drift as drift, _state as state, _store as store  # noqa: E402

SNAPSHOTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__)))), "snapshots")
OPTIONS = {"frontend": "fe01", "config_refresh": False}


@pytest.fixture(name="run_store")
def fixture_run_store(tmp_path, monkeypatch):
    """The run's store in a temporary directory (in a playbook run: Ansible's DEFAULT_LOCAL_TMP)."""
    directory = str(tmp_path / "store")
    monkeypatch.setattr(store, "run_directory", lambda: directory)
    return directory


def _snapshot(scenario, host="edge01"):
    return state.load_snapshot(os.path.join(SNAPSHOTS, scenario), host)


def _lookup(directory, **options):
    """The sfb.edge.edge_snapshot lookup with the options Ansible would set (no plugin loader here)."""
    lookup = LookupModule()
    lookup.set_options = lambda var_options=None, direct=None: None
    lookup.get_option = dict(options, directory=directory).get
    return lookup


def _desired(inventory=None):
    return desired_states(inventory or inventory_data.example(), ["edge01", "edge02"], read_certificates=False)


# ----------------------------------------------------------------------------------- store.py
JSON = st.recursive(st.none() | st.booleans() | st.integers(-10**9, 10**9) | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
                    max_leaves=20)


@settings(max_examples=60, deadline=None)
@given(data=st.dictionaries(st.text(max_size=6), JSON, max_size=5), other=st.dictionaries(st.text(max_size=6), JSON,
                                                                                          max_size=5))
def test_a_handle_gives_back_exactly_its_data_and_the_digest_is_the_content(tmp_path_factory, data, other):
    directory = str(tmp_path_factory.mktemp("s"))
    first, second = store.put(directory, data, "state"), store.put(directory, other, "state")
    assert store.get(directory, first) == data
    assert store.get(directory, second) == other
    assert json.dumps(store.get(directory, first)) == json.dumps(data)  # mappings keep their order
    # keyed by content: the same content, the same handle; other content, another one
    assert (first["digest"] == second["digest"]) == (store.encode(data) == store.encode(other))
    assert store.put(directory, copy.deepcopy(data), "state") == first


def test_a_handle_carries_its_summary_and_nothing_large(tmp_path):
    data = {"format": 1, "routes": ["10.%d.0.0/16" % i for i in range(200)]}
    handle = store.put(str(tmp_path), data, "desired", host="edge01", pool="p")
    assert handle == {"sfb_edge_store": 1, "kind": "desired", "digest": store.digest_of(data), "host": "edge01",
                      "pool": "p"}
    assert len(json.dumps(handle)) < 200
    assert os.stat(str(tmp_path)).st_mode & 0o777 == 0o700 or os.path.isdir(str(tmp_path))
    assert sorted(os.listdir(str(tmp_path))) == ["%s.json" % handle["digest"]]


def test_a_changed_stored_file_fails_closed(tmp_path):
    directory = str(tmp_path)
    handle = store.put(directory, {"format": 1, "host": "edge01"}, "desired")
    path = store.path_of(directory, handle["digest"])
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('{"format": 1, "host": "edge99"}')  # valid JSON, other content
    with pytest.raises(store.StoreError, match="does not hold the content of its handle"):
        store.get(directory, handle, where="host edge01")
    with open(path, "wb") as fh:
        fh.write(b"\x00not json")
    with pytest.raises(store.StoreError, match=r"host edge01: .*%s.*changed or corrupted" % handle["digest"]):
        store.get(directory, handle, where="host edge01")


def test_a_missing_file_or_a_bad_handle_fails_closed(tmp_path):
    directory = str(tmp_path)
    handle = store.put(directory, {"a": 1}, "state")
    os.unlink(store.path_of(directory, handle["digest"]))
    with pytest.raises(store.StoreError, match="cannot be read .*one ansible-playbook run.*run the playbook again"):
        store.get(directory, handle)
    with pytest.raises(store.StoreError, match="not a SHA-256"):
        store.get(directory, dict(handle, digest="../../etc/passwd"))
    with pytest.raises(store.StoreError, match="not a handle"):
        store.get(directory, {"digest": handle["digest"]})
    with pytest.raises(store.StoreError, match="only a mapping"):
        store.put(directory, ["a"], "state")
    # a stored file the digest matches but that is not a mapping (written by something else) is refused
    raw = store.encode([1, 2])
    digest = store.hashlib.sha256(raw).hexdigest()
    with open(store.path_of(directory, digest), "wb") as fh:
        fh.write(raw)
    with pytest.raises(store.StoreError, match="does not hold a mapping"):
        store.get(directory, dict(handle, digest=digest))


def test_a_lone_surrogate_is_a_store_error_naming_the_field(tmp_path):
    """A lone surrogate has no UTF-8 bytes: refused with the field named, never a UnicodeEncodeError (issue 18,
    point 7: it crashed site.yml here)."""
    data = {"format": 1, "computer": {"hostname": "EDGE\ud800"}}
    with pytest.raises(store.StoreError) as info:
        store.put(str(tmp_path), data, "state")
    assert str(info.value) == (
        "computer.hostname: the string holds a lone UTF-16 surrogate ('EDGE\\ud800'), which is not text; nothing "
        "was stored. Correct the value where it comes from (an inventory variable, a snapshot, the gathered state)")
    assert os.listdir(str(tmp_path)) == []
    with pytest.raises(store.StoreError) as info:
        store.put(str(tmp_path), {"adapters": [{"x\udc00": 1}]}, "state")
    assert str(info.value).startswith("adapters[0]: a key holds a lone UTF-16 surrogate ('x\\udc00'), which is not text")


def test_a_snapshot_with_a_lone_surrogate_never_reaches_the_store(tmp_path, run_store):
    current = json.load(open(os.path.join(SNAPSHOTS, "converged", "edge01.json"), encoding="utf-8"))
    current["computer"]["hostname"] = "EDGE01-MARK"
    (tmp_path / "edge01.json").write_text(json.dumps(current).replace("EDGE01-MARK", "EDGE\\udfff"), encoding="utf-8")
    lookup = LookupModule()
    lookup.set_options = lambda var_options=None, direct=None: None
    lookup.get_option = {"directory": str(tmp_path), "store": True}.get
    with pytest.raises(AnsibleError) as info:
        lookup.run(["edge01"], variables={})
    assert str(info.value).startswith("sfb.edge.edge_snapshot: snapshot %s: computer.hostname is a string with a lone "
                                      "UTF-16 surrogate ('EDGE\\udfff')" % (tmp_path / "edge01.json"))


def test_resolve_passes_plain_data_through(tmp_path):
    assert store.resolve(str(tmp_path), {"format": 1}) == {"format": 1}
    assert store.load({"format": 1}) == {"format": 1}


# ----------------------------------------------------------------------------------- desired states
def test_a_changed_inventory_value_gives_another_stored_desired_state(run_store):
    before = desired_states(inventory_data.example(), ["edge01"], read_certificates=False, store=True)
    again = desired_states(inventory_data.example(), ["edge01"], read_certificates=False, store=True)
    changed = inventory_data.example()
    inventory_data.set_pool(changed, "sfb_edge_internal_networks",
                            changed["edge01"]["sfb_edge_internal_networks"] + ["10.99.0.0/16"])
    after = desired_states(changed, ["edge01"], read_certificates=False, store=True)
    assert [f for f in after["findings"] if f["severity"] == "error"] == []
    first, second = before["hosts"]["edge01"], after["hosts"]["edge01"]
    assert again["hosts"]["edge01"] == first  # same inventory, same content, same handle
    assert first["digest"] != second["digest"]
    assert store.load(first)["routes"] != store.load(second)["routes"]
    assert "10.99.0.0/16" in json.dumps(store.load(second)) and "10.99.0.0/16" not in json.dumps(store.load(first))
    # the handle carries what the roles read directly; the rest is in the store
    plain_state = _desired()["hosts"]["edge01"]
    assert store.load(first) == plain_state
    assert first["cs"] == plain_state["cs"] and first["pool"] == plain_state["pool"] and first["host"] == "edge01"
    assert "routes" not in first


# ----------------------------------------------------------------------------------- filters on handles
def _same(first, second):
    """Equal, and in the same order (reports and calls follow the order of the states)."""
    return json.dumps(first) == json.dumps(second)


@pytest.mark.parametrize("scenario", ["converged", "fresh", "stale", "cs-fresh"])
def test_filters_give_the_same_results_on_handles(run_store, scenario):
    want = _desired()["hosts"]["edge01"]
    have = _snapshot(scenario)
    want_h = store.put(run_store, want, "desired", host="edge01", pool=want["pool"], cs=want["cs"])
    have_h = _lookup(os.path.join(SNAPSHOTS, scenario), store=True).run(["edge01"])[0]
    assert have_h["checked"] is True and store.load(have_h) == have
    kwargs = {"ansible_host": "192.0.2.10", "source": "x", "options": OPTIONS, "connection_port": 5986}
    assert _same(drift_filter(want_h, have_h, **kwargs), drift_filter(want, have, **kwargs))
    replication = {"fqdn": want["cs"]["fqdn"], "up_to_date": False, "last_status_report": None, "last_update_creation": None}
    assert _same(drift_filter(want_h, have_h, replication=replication, **kwargs),
                 drift_filter(want, dict(have, replication=replication), **kwargs))
    assert _same(validation_filter(want_h, have_h, frontend="fe01", source="x"),
                 validation_filter(want, have, frontend="fe01", source="x"))
    # each area's part: the handle naming it, read back as exactly the part areas.split gives
    parts, handles = state_parts(want, have), state_parts(want_h, have_h, check=False)
    assert sorted(handles) == sorted(parts)
    for area, part in parts.items():
        assert handles[area]["desired"]["part"] == area and len(json.dumps(handles[area])) < 4000
        assert _same(store.load(handles[area]["desired"]), part["desired"])
        assert _same(store.load(handles[area]["current"]), part["current"])
    assert drift_filter(handles["cs_install"]["desired"], handles["cs_install"]["current"], areas=["cs_install"],
                        options=OPTIONS) == drift_filter(parts["cs_install"]["desired"], parts["cs_install"]["current"],
                                                         areas=["cs_install"], options=OPTIONS)


def test_a_corrupted_stored_state_fails_the_filters_closed(run_store):
    want = _desired()["hosts"]["edge01"]
    have_h = _lookup(os.path.join(SNAPSHOTS, "converged"), store=True).run(["edge01"])[0]
    with open(store.path_of(run_store, have_h["digest"]), "a", encoding="utf-8") as fh:
        fh.write(" ")
    for call in (lambda: drift_filter(want, have_h), lambda: validation_filter(want, have_h),
                 lambda: drift_areas(want, have_h)):
        with pytest.raises((AnsibleFilterError, StepError), match="the gathered state: .*changed or corrupted"):
            call()


# ----------------------------------------------------------------------------------- drift_areas
def _reference_areas(want, have):
    """What site.yml must run: an area whose edge_apply has any change, problem, note or call (a simple
    reading of the drift report), identity also with a pending reboot."""
    rep = drift.report(want, have, ansible_host="192.0.2.10", options=OPTIONS, port=5986, areas=drift.AREAS)
    found = {a for a, n in rep["summary"].items() if n} | {p["area"] for p in rep["problems"]}
    found |= {a for a, calls in rep["remote_calls"].items() if calls}
    if (have.get("computer") or {}).get("pending_reboot"):
        found.add("identity")
    return found


@pytest.mark.parametrize("scenario", sorted(d for d in os.listdir(SNAPSHOTS)
                                            if os.path.isfile(os.path.join(SNAPSHOTS, d, "edge01.json"))))
def test_drift_areas_lists_what_edge_apply_would_act_on(run_store, scenario):
    for host in ("edge01", "edge02"):
        want = _desired()["hosts"][host]
        have = _snapshot(scenario, host)
        found = drift_areas(want, have, ansible_host="192.0.2.10", connection_port=5986, options=OPTIONS)
        assert found == [a for a in drift.AREAS if a in found]  # site.yml's order
        assert _reference_areas(want, have) <= set(found)
        # an area it leaves out really has nothing to do: edge_apply's own computation on that area's part
        parts = areas.split(want, have)
        for area in set(drift.AREAS) - set(found):
            results, _verdict = drift.host_drift(parts[area]["desired"], parts[area]["current"],
                                                 ansible_host="192.0.2.10", options=OPTIONS, port=5986,
                                                 areas=(area,) + (areas.GUARDED if area in areas.GUARDED else ()))
            assert not any(results[area][k] for k in ("changes", "problems", "notes", "calls")), (scenario, host, area)
    if scenario == "converged":
        assert drift_areas(want, have, ansible_host="192.0.2.10", options=OPTIONS) == []
    if scenario == "fresh":
        assert found[:2] == ["routes", "network"]


# ----------------------------------------------------------------------------------- plans
def test_stored_plans_are_written_as_the_template_wrote_them(run_store, tmp_path):
    """sfb.edge.report_files' ``plans``: plan.json is what ``to_nice_json(indent=2)`` gave, plan.md what
    sfb.edge.plan_report gives, in the layout <plan dir>/<pool>/, from the store's handle."""
    from ansible.plugins.filter.core import to_nice_json

    from ansible_collections.sfb.edge.plugins.action.report_files import plan_files
    from ansible_collections.sfb.edge.plugins.filter.plan import plan as plan_filter
    from ansible_collections.sfb.edge.plugins.filter.plan_report import plan_report

    plans = plan_filter(inventory_data.example(), read_certificates=False)
    handle = plan_filter(inventory_data.example(), read_certificates=False, store=True)
    assert handle["pools"] == sorted(plans) and "firewall" not in json.dumps(handle)
    files = plan_files(store.load(handle), str(tmp_path))
    pool = sorted(plans)[0]
    assert [f["path"] for f in files[:3]] == [str(tmp_path / pool / name) for name in ("plan.json", "plan.md", "firewall.csv")]
    assert files[0]["content"] == to_nice_json(plans[pool], indent=2) + "\n"
    assert files[1]["content"] == plan_report(plans[pool])
