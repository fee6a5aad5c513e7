# -*- coding: utf-8 -*-
"""The survivors of the mutation audit (issue 19, point 17): one test per surviving mutant, each with
literal expectations, so that the obvious mutation of the named line fails it.

- hostsfile.py: a managed block that needs rewriting and holds "entry + comment" (``if entry and not
  entry[2]``): a problem, nothing written;
- prereqs.py: no DNS suffix and none planned (``if have and have == planned`` / the severity): an error;
- csr.py: a certificate whose not-after is exactly now (``<=``): expired;
- csr.py: a PEM with two leaves where the CSR's key is not the first (the key match): the second leaf;
- fwproof.py: a listener on ``::`` (``WILDCARDS``): the port is in use;
- state.py: a prefix length of 33 (``high=32``): refused, 32 accepted;
- cs.py: local store present, roles missing, reboot pending (``_SETUP_STEPS`` holds edge_roles): held back.
"""

from __future__ import annotations

import base64
import copy
import datetime
import hashlib
import json
import os
import sys

import pytest
from cryptography.hazmat.primitives import serialization

sys.path.insert(0, os.path.dirname(__file__))

import certfactory  # noqa: E402
import inventory_data  # noqa: E402

from ansible_collections.sfb.edge.plugins.plugin_utils import (  # noqa: E402
    _cs as cs, _csr as csr, _desired as desired, _drift as drift, _fwproof as fwproof, _plan as plan, _prereqs as prereqs, _state as state)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SNAPSHOTS = os.path.join(ROOT, "tests", "snapshots")
UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
_CACHE = {}


def snap(scenario, host="edge01"):
    return state.load_snapshot(os.path.join(SNAPSHOTS, scenario), host)


def want(host="edge01"):
    if host not in _CACHE:
        _CACHE[host] = desired.build(inventory_data.example(), host)
    return copy.deepcopy(_CACHE[host])


# ----------------------------------------------------------------------------------- hostsfile.py
HOSTS = b"# Copyright (c) 1993-2009 Microsoft Corp.\r\n#\r\n"
BEGIN, END = b"# BEGIN sfb.edge managed entries\r\n", b"# END sfb.edge managed entries\r\n"


def test_an_entry_with_a_comment_inside_a_block_that_needs_rewriting_stops_the_rewrite():
    # the block's entry carries an operator's comment, and the plan has another address: the block must be
    # rewritten, which would lose the comment - a problem, and no edge_hosts_file call
    data = HOSTS + BEGIN + b"10.10.9.20 dirpool.corp.example.com # pinned by ops, ticket 4711\r\n" + END
    goal = {"hosts_file": {"entries": [{"ip": "10.10.1.20", "names": ["dirpool.corp.example.com"]}]}}
    current = {"hosts_file": {"path": "C:\\Windows\\System32\\drivers\\etc\\hosts", "exists": True,
                              "raw": base64.b64encode(data).decode("ascii"),
                              "sha256": hashlib.sha256(data).hexdigest().upper()}}
    res = drift.hosts_file(goal, current)
    assert res["calls"] == [] and res["changes"] == []
    assert [(p["variable"], p["message"]) for p in res["problems"]] == [(
        "sfb_edge_internal_hosts",
        "hosts file C:\\Windows\\System32\\drivers\\etc\\hosts: line 4 '10.10.9.20 dirpool.corp.example.com # pinned "
        "by ops, ticket 4711' is inside the managed block (lines 3-5) but was not written by this collection; the "
        "block has to be rewritten and that line would be lost, so nothing was written: move it out of the block "
        "(above '# BEGIN sfb.edge managed entries' or below '# END sfb.edge managed entries')")]


# ----------------------------------------------------------------------------------- prereqs.py
def test_no_dns_suffix_and_none_planned_is_an_error():
    goal = want()
    goal["identity"]["dns_suffix"] = None
    current = snap("cs-fresh")
    current["computer"]["dns_suffix"] = ""
    found = [f for f in prereqs.prerequisites(goal, current, ("core",)) if f["variable"] == "sfb_edge_dns_suffix"]
    assert [(f["severity"], f["message"]) for f in found] == [
        ("error", "edge01 has no primary DNS suffix and none is planned; set sfb_edge_dns_suffix")]
    # and the install waits for it: no call, the problem names the variable
    res = drift.cs.cs_install(goal, current, {"frontend": "fe01"})
    assert res["calls"] == []
    assert {"area": "cs_install", "variable": "sfb_edge_dns_suffix",
            "message": "edge01 has no primary DNS suffix and none is planned; set sfb_edge_dns_suffix"} \
        in res["problems"]


def test_the_planned_dns_suffix_in_effect_is_no_finding():
    current = snap("cs-fresh")
    current["computer"]["dns_suffix"] = "CORP.example.com"  # compared without case
    assert [f for f in prereqs.prerequisites(want(), current, ("core",)) if f["variable"] == "sfb_edge_dns_suffix"] \
        == []


# ----------------------------------------------------------------------------------- csr.py
ENTRY = {"subject": "sip.example.com", "san": ["sip.example.com"], "eku": ["Server Authentication"]}


@pytest.fixture(scope="module")
def keys():
    return {"edge": certfactory.rsa_key(2048), "other": certfactory.rsa_key(2048), "ca": certfactory.rsa_key(2048)}


def _leaf(keys, key, not_after, cn="sip.example.com"):
    ca = certfactory.certificate(keys["ca"], "Test Root CA", NOW - datetime.timedelta(days=365),
                                 NOW + datetime.timedelta(days=3650), ca=True, eku=None)
    return certfactory.certificate(keys[key], cn, NOW - datetime.timedelta(days=1), not_after,
                                   issuer=(ca, keys["ca"]), sans=("sip.example.com",))


def _request(keys):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID
    return (x509.CertificateSigningRequestBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sip.example.com")]))
            .sign(keys["edge"], hashes.SHA256()))


@pytest.mark.parametrize("seconds, expired", [(-1, True), (0, True), (1, False)])
def test_a_certificate_whose_not_after_is_now_is_expired(keys, seconds, expired):
    cert = _leaf(keys, "edge", NOW + datetime.timedelta(seconds=seconds))
    found = csr.check_issued(cert, ENTRY, "external", csr=_request(keys), now=NOW)
    codes = [f["code"] for f in found]
    assert codes == (["issued_certificate_expired"] if expired else [])
    if expired:
        assert found[0]["message"] == (
            "the issued certificate expired on %s; have the CA issue the request again"
            % {-1: "2026-11-30T11:59:59+00:00", 0: "2026-11-30T12:00:00+00:00"}[seconds])


def test_of_two_leaves_in_a_pem_the_one_with_the_requests_key_is_taken(keys):
    other = _leaf(keys, "other", NOW + datetime.timedelta(days=365), cn="first.example.com")
    mine = _leaf(keys, "edge", NOW + datetime.timedelta(days=365), cn="second.example.com")
    pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (other, mine))
    request = _request(keys)
    assert csr.load_issued(pem, request).serial_number == mine.serial_number
    assert csr.load_issued(pem, request).subject.rfc4514_string() == "CN=second.example.com"
    # without the request: the first that is no CA
    assert csr.load_issued(pem).subject.rfc4514_string() == "CN=first.example.com"


# ----------------------------------------------------------------------------------- fwproof.py
@pytest.mark.parametrize("wildcard", ["::", "[::]", "0.0.0.0", "*"])
def test_a_listener_on_a_wildcard_address_holds_the_port_on_every_address(wildcard):
    example = plan.build(inventory_data.example(), read_certificates=False)
    states = {}
    for host in ("edge01", "edge02"):
        with open(os.path.join(SNAPSHOTS, "cs-fresh", host + ".json"), encoding="utf-8") as handle:
            states[host] = json.load(handle)
    states["edge02"]["listeners"].append({"protocol": "UDP", "address": wildcard, "port": 3478,
                                          "process": "turnserver"})
    proof = fwproof.plan_all(example, ["edge01", "edge02"], states)
    assert proof["refusals"] == [
        "host edge02: UDP 172.16.10.12:3478 is already in use (listening: %s:3478 by turnserver)" % wildcard,
        "host edge02: UDP 192.0.2.33:3478 is already in use (listening: %s:3478 by turnserver)" % wildcard,
        "host edge02: stop the programs holding these ports for the proof, or test those rules by hand (PortQry)"]


# ----------------------------------------------------------------------------------- state.py
@pytest.mark.parametrize("length, ok", [(-1, False), (0, True), (24, True), (32, True), (33, False)])
def test_prefix_length_is_0_to_32(length, ok):
    current = snap("converged")
    current["adapters"][0]["addresses"][0]["prefix_length"] = length
    if ok:
        assert state.check(current, where="x") is current
        return
    with pytest.raises(state.StateError) as info:
        state.check(current, where="x")
    assert str(info.value).startswith("x: adapters[0].addresses[0].prefix_length is an integer (%d), expected an "
                                      "integer from 0 to 32 - see docs/state-format.md#" % length)


# ----------------------------------------------------------------------------------- cs.py
def test_local_store_present_roles_missing_and_a_reboot_pending_holds_back_edge_roles():
    current = snap("cs-imported")
    current["cs"]["products"] = [p for p in current["cs"]["products"] if not p["name"].endswith("Edge Server")]
    current["cs"]["services"] = [s for s in current["cs"]["services"] if s["name"] in ("REPLICA", "RTCCLSAGT")]
    current["computer"].update(pending_reboot=True, pending_reboot_reasons=["PendingFileRenameOperations"])
    res = cs.cs_install(want(), current, {"frontend": "fe01"})
    # the services start in the same call, after the roles (cs.folded): held back with it
    assert [c["args"]["steps"] for c in res["calls"] if c["module"] == "sfb.edge.edge_cs"] == [
        ["edge_roles", "start_services"]]
    assert res["reboot_required"] is True
    assert res["reboot_reasons"] == [
        "PendingFileRenameOperations (HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\"
        "PendingFileRenameOperations)"]
    assert res["notes"] == [
        "a reboot is pending (PendingFileRenameOperations (HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session "
        "Manager\\PendingFileRenameOperations)): edge_roles run only after it"]
