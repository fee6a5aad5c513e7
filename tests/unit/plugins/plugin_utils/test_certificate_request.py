# -*- coding: utf-8 -*-
"""The certificate request role's controller steps (plugin_utils/_certificate_request.py, the role's internal action
sfb.edge.certificate_request) and the filters certificate_requests and certificate_request_review they replace,
deprecated until 0.7.0 (issue 22, point 4): each filter still returns what it returned, and meta/runtime.yml says it
is deprecated."""

from __future__ import annotations

import base64
import datetime
import os
import re
import sys
from unittest import mock

import pytest
import yaml
from ansible.errors import AnsibleActionFail, AnsibleFilterError
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
from ansible.template import Templar
from cryptography.hazmat.primitives import serialization

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

import certfactory  # noqa: E402
import inventory_data  # noqa: E402
from test_csr import EXPECTED_EXTERNAL, GOOD_NAMES, POOL, certreq_pem, make_csr  # noqa: E402
from test_firewall_proof import _documentation, _yaml_files  # noqa: E402
from test_fwproof import ROOT  # noqa: E402

from ansible_collections.sfb.edge.plugins.action import certificate_request as action  # noqa: E402
from ansible_collections.sfb.edge.plugins.filter.deprecated import (  # noqa: E402
    certificate_request_review, certificate_requests)
from ansible_collections.sfb.edge.plugins.plugin_utils import _plan as plan  # noqa: E402

DEPRECATED = ("certificate_requests", "certificate_request_review")


@pytest.fixture(name="plans", scope="module")
def fixture_plans():
    return plan.build(inventory_data.example(), read_certificates=False)


# ------------------------------------------------------------------ the deprecated filters still work
def test_requests_filter_gives_one_request_per_pool_and_kind(plans, tmp_path):
    reqs = certificate_requests(plans, str(tmp_path))
    assert [(r["pool"], r["kind"], r["host"], r["others"]) for r in reqs] == [
        (POOL, "external", "edge01", ["edge02"]), (POOL, "internal", "edge01", ["edge02"])]
    assert reqs[0]["inf_file"] == {"path": str(tmp_path / POOL / "certificates" / "edge01-external.inf"),
                                   "content": EXPECTED_EXTERNAL}
    # the options as the role's variables give them (a number as text on older ansible-core)
    reqs = certificate_requests(plans, "plan", request_hosts={POOL: "edge02"}, kinds=["internal"], key_length="4096")
    assert [(r["kind"], r["host"]) for r in reqs] == [("internal", "edge02")]
    assert "KeyLength = 4096\n" in reqs[0]["inf"]


def test_review_filter_says_what_happened_and_what_next(plans, tmp_path):
    reqs = certificate_requests(plans, str(tmp_path))
    reviews = certificate_request_review(reqs, snapshot=True)
    assert [(r["csr"], r["certificate"], r["accept"], r["findings"]) for r in reviews] == [(None, None, None, [])] * 2
    assert reviews[0]["messages"][0] == (
        "external certificate of %s (CN=sip.example.com), requested on edge01: snapshot mode - INF written to %s; no "
        "host contacted, no request made" % (POOL, tmp_path / POOL / "certificates" / "edge01-external.inf"))
    # the CSR the edge returned is written beside the INF
    pem = certreq_pem(make_csr(certfactory.rsa_key(2048), "sip.example.com", GOOD_NAMES))
    made = certificate_request_review(reqs[:1], [{"csr": pem, "status": "created"}])
    assert made[0]["csr_file"] == {"path": str(tmp_path / POOL / "certificates" / "edge01-external.csr"),
                                   "content": pem.replace("\r\n", "\n")}


@pytest.mark.parametrize("call, message", [
    (lambda plans: certificate_requests([], "plan"),
     "sfb.edge.certificate_requests: expected the output of sfb.edge.plan (a dict), got list"),
    (lambda plans: certificate_requests(plans, "plan", request_hosts="edge01"),
     "sfb.edge.certificate_requests: certificate_request_hosts must be a dict {pool FQDN: inventory hostname}, got "
     "'edge01'"),
    (lambda plans: certificate_requests(plans, "plan", request_hosts={POOL: "fe01"}),
     "sfb.edge.certificate_requests: certificate_request_hosts[%s]: 'fe01' is not a server of pool %s (its servers: "
     "edge01, edge02)" % (POOL, POOL)),
    (lambda plans: certificate_request_review({}),
     "sfb.edge.certificate_request_review: expected a list of requests from sfb.edge.certificate_requests, got dict"),
    (lambda plans: certificate_request_review(certificate_requests(plans, "plan"), [{}]),
     "sfb.edge.certificate_request_review: 1 results for 2 requests; give the results of the loop over the same "
     "requests"),
    (lambda plans: certificate_request_review([{}]),
     "sfb.edge.certificate_request_review: expected requests from sfb.edge.certificate_requests ('host' missing or "
     "malformed)"),
])
def test_filters_fail_as_before_naming_themselves(plans, call, message):
    with pytest.raises(AnsibleFilterError) as caught:
        call(plans)
    assert str(caught.value).startswith(message)


# ------------------------------------------------------------------ deprecated, and no longer used
@pytest.mark.parametrize("name", DEPRECATED)
def test_runtime_and_documentation_say_the_filter_is_deprecated(name):
    with open(os.path.join(ROOT, "meta", "runtime.yml"), encoding="utf-8") as handle:
        routing = yaml.safe_load(handle)["plugin_routing"]["filter"]
    deprecation = routing[name]["deprecation"]
    assert deprecation["removal_version"] == "0.7.0"
    assert "sfb.edge.certificate_request role" in deprecation["warning_text"]  # the replacement
    assert "docs/porting.md" in deprecation["warning_text"]
    assert _documentation(name)["deprecated"]["removed_in"] == "0.7.0"  # what ansible-test sanity compares


@pytest.mark.parametrize("name", DEPRECATED)
def test_no_role_or_playbook_uses_the_deprecated_filter(name):
    users = []
    for path in _yaml_files("roles", "playbooks", "extensions"):
        with open(path, encoding="utf-8") as handle:
            if re.search(r"\bsfb\.edge\.%s\b" % name, handle.read()):
                users.append(os.path.relpath(path, ROOT))
    assert users == []


# ------------------------------------------------------------------ the role's action
def _run(args, check_mode=False):
    task = Task()
    task.args = args
    task.check_mode = check_mode
    loader = DataLoader()
    module = action.ActionModule(task, mock.MagicMock(), PlayContext(), loader, Templar(loader), None)
    return module.run(task_vars={"inventory_hostname": "edge01"})


def _issued(request, tmp_path):
    """A CSR and the certificate a CA issued for it beside the INF, and the CA as the host's root_ca; the inventory
    (the output of sfb.edge.edge_inventory) naming it."""
    now = datetime.datetime.now(datetime.timezone.utc)
    edge_key, ca_key = certfactory.rsa_key(2048), certfactory.rsa_key(2048)
    ca = certfactory.certificate(ca_key, "Test CA", now - datetime.timedelta(days=10), now + datetime.timedelta(days=900),
                                 ca=True, eku=None)
    cert = certfactory.certificate(edge_key, "sip.example.com", now - datetime.timedelta(days=1),
                                   now + datetime.timedelta(days=365), issuer=(ca, ca_key), sans=GOOD_NAMES,
                                   eku=(certfactory.SERVER_AUTH, certfactory.CLIENT_AUTH))
    os.makedirs(os.path.dirname(request["files"]["csr"]), exist_ok=True)
    with open(request["files"]["csr"], "w", encoding="ascii") as handle:
        handle.write(certreq_pem(make_csr(edge_key, "sip.example.com", GOOD_NAMES)))
    with open(request["files"]["cer"], "wb") as handle:
        handle.write(cert.public_bytes(serialization.Encoding.DER))
    with open(tmp_path / "root.cer", "wb") as handle:
        handle.write(ca.public_bytes(serialization.Encoding.PEM))
    return cert, {"edge01": {"sfb_edge_certificates": {"root_ca": ["root.cer"]}, "inventory_dir": str(tmp_path)}}


@pytest.mark.parametrize("check_mode, verb", [(False, "accepted"), (True, "would be accepted")])
def test_action_makes_the_requests_and_reviews_them_in_the_runs_mode(plans, tmp_path, check_mode, verb):
    made = _run({"step": "requests", "plans": plans, "plan_dir": str(tmp_path), "key_length": "2048"})
    assert made["changed"] is False
    assert [(r["kind"], r["host"]) for r in made["requests"]] == [("external", "edge01"), ("internal", "edge01")]
    assert made["requests"][0]["inf"] == EXPECTED_EXTERNAL
    cert, inventory = _issued(made["requests"][0], tmp_path)
    reviewed = _run({"step": "review", "requests": made["requests"][:1], "results": [{"status": "pending"}],
                     "snapshot": False, "inventory": inventory}, check_mode=check_mode)
    assert reviewed["changed"] is False
    review = reviewed["reviews"][0]
    assert review["findings"] == []
    assert base64.b64decode(review["accept"]) == cert.public_bytes(serialization.Encoding.DER)
    assert review["messages"][0].endswith("%s %s (certreq -accept), thumbprint %s" % (
        made["requests"][0]["files"]["cer"], verb, review["certificate"]["thumbprint"]))


def test_action_failure_names_the_option_and_the_fix(plans):
    with pytest.raises(AnsibleActionFail, match=re.escape(
            "certificate_request_hosts[%s]: 'fe01' is not a server of pool %s" % (POOL, POOL))):
        _run({"step": "requests", "plans": plans, "plan_dir": "plan", "request_hosts": {POOL: "fe01"}})
