# -*- coding: utf-8 -*-
"""Certificate requests (plugin_utils/csr.py): the certreq INF from the plan, the checks of an issued
certificate against the plan and the request, and the controller-side review of the files."""

from __future__ import annotations

import base64
import configparser
import datetime
import os
import re
import sys

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(__file__))

import certfactory  # noqa: E402
import inventory_data  # noqa: E402

from ansible_collections.sfb.edge.plugins.plugin_utils import csr, plan  # noqa: E402

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
POOL = "edgepool.corp.example.com"

EXPECTED_EXTERNAL = """\
; certreq policy file of the external certificate of edge pool edgepool.corp.example.com
; written by sfb.edge.certificate_request from plan.json certificates.external; re-run the role instead of editing it
[Version]
Signature = "$Windows NT$"

[NewRequest]
Subject = "CN=sip.example.com"
FriendlyName = "sfb.edge external edgepool.corp.example.com"
KeySpec = 1
KeyLength = 2048
KeyUsage = 0xA0
HashAlgorithm = SHA256
Exportable = TRUE
MachineKeySet = TRUE
ProviderName = "Microsoft RSA SChannel Cryptographic Provider"
ProviderType = 12
RequestType = PKCS10
SMIME = FALSE
UseExistingKeySet = FALSE

[EnhancedKeyUsageExtension]
OID = 1.3.6.1.5.5.7.3.1 ; Server Authentication
OID = 1.3.6.1.5.5.7.3.2 ; Client Authentication

[Extensions]
2.5.29.17 = "{text}"
_continue_ = "dns=sip.example.com&"
_continue_ = "dns=webconf.example.com&"
_continue_ = "dns=sip.example.net"
"""


@pytest.fixture(scope="module")
def example_plans():
    return plan.build(inventory_data.example(), read_certificates=False)


@pytest.fixture(scope="module")
def keys():
    return {"edge": certfactory.rsa_key(2048), "other": certfactory.rsa_key(2048), "small": certfactory.rsa_key(1024),
            "ca": certfactory.rsa_key(2048)}


@pytest.fixture(scope="module")
def ca(keys):
    cert = certfactory.certificate(keys["ca"], "Test Root CA", NOW - datetime.timedelta(days=365),
                                   NOW + datetime.timedelta(days=3650), ca=True, eku=None)
    return cert, keys["ca"]


def make_csr(key, subject, names):
    return (x509.CertificateSigningRequestBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
            .sign(key, hashes.SHA256()))


def certreq_pem(request):
    """The CSR as certreq writes it (BEGIN NEW CERTIFICATE REQUEST, CRLF)."""
    pem = request.public_bytes(serialization.Encoding.PEM).decode("ascii")
    return pem.replace("CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST").replace("\n", "\r\n")


# ------------------------------------------------------------------------------------------ INF
def test_inf_of_the_example_pool_external(example_plans):
    entry = example_plans[POOL]["certificates"]["external"]
    assert csr.inf_text(entry, "external", POOL) == EXPECTED_EXTERNAL


def test_inf_of_the_example_pool_internal_has_server_auth_only(example_plans):
    text = csr.inf_text(example_plans[POOL]["certificates"]["internal"], "internal", POOL, key_length=4096)
    assert 'Subject = "CN=edgepool.corp.example.com"' in text
    assert "KeyLength = 4096" in text
    assert re.findall(r"^OID = (\S+)", text, re.M) == ["1.3.6.1.5.5.7.3.1"]
    assert text.endswith('[Extensions]\n2.5.29.17 = "{text}"\n_continue_ = "dns=edgepool.corp.example.com"\n')


def test_inf_of_the_single_inventory_keeps_the_plan_order_with_xmpp():
    p = plan.build(inventory_data.single(), read_certificates=False)["sfbedge01.corp.example.org"]
    text = csr.inf_text(p["certificates"]["external"], "external", "sfbedge01.corp.example.org")
    names = re.findall(r'^_continue_ = "dns=([^&"]+)', text, re.M)
    assert names == ["sip.example.org", "webconf.example.org", "example.org"]


@pytest.mark.parametrize("entry, kind, length, message", [
    ({"subject": 'sip.example.com"&x', "san": []}, "external", 2048, "not a DNS name"),
    ({"subject": "sip.example.com", "san": ["a b.example.com"]}, "external", 2048, "'a b.example.com'"),
    ({"subject": "sip.example.com", "san": [], "eku": ["Code Signing"]}, "external", 2048, "'Code Signing'"),
    ({"subject": "sip.example.com"}, "external", 1024, "1024 is not supported"),
    ({"subject": "sip.example.com"}, "xmpp", 2048, "'xmpp'"),
])
def test_inf_refuses_what_certreq_cannot_take(entry, kind, length, message):
    with pytest.raises(csr.CsrError, match=re.escape(message)):
        csr.inf_text(entry, kind, POOL, key_length=length)


LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
NAME = st.lists(LABEL, min_size=2, max_size=4).map(".".join)


@settings(max_examples=150, deadline=None)
@given(names=st.lists(NAME, min_size=1, max_size=40, unique=True), client=st.booleans())
def test_every_plan_san_once_in_the_extensions_and_the_inf_parses_as_ini(names, client):
    entry = {"subject": names[0], "san": names,
             "eku": ["Server Authentication"] + (["Client Authentication"] if client else [])}
    text = csr.inf_text(entry, "external", POOL)
    parser = configparser.ConfigParser(strict=False, interpolation=None, comment_prefixes=(";",),
                                       inline_comment_prefixes=(";",))
    parser.optionxform = str
    parser.read_string(text)
    assert parser.sections() == ["Version", "NewRequest", "EnhancedKeyUsageExtension", "Extensions"]
    assert parser["NewRequest"]["Subject"] == '"CN=%s"' % names[0]
    assert parser["NewRequest"]["ProviderType"] == "12"
    extensions = text.split("[Extensions]\n", 1)[1].splitlines()
    assert extensions[0] == '2.5.29.17 = "{text}"'
    found = [re.fullmatch(r'_continue_ = "dns=([^&"]+)(&?)"', line) for line in extensions[1:]]
    assert [m.group(1) for m in found] == names  # each once, in plan order
    assert [m.group(2) for m in found] == ["&"] * (len(names) - 1) + [""]  # '&' joins, none after the last
    assert re.findall(r"^OID = (\S+)", text, re.M) == ["1.3.6.1.5.5.7.3.1"] + (["1.3.6.1.5.5.7.3.2"] if client else [])


# ------------------------------------------------------------------------------------ requests
def test_requests_of_the_example_pool_on_its_first_server(example_plans, tmp_path):
    reqs = csr.requests(example_plans, str(tmp_path))
    assert [(r["pool"], r["kind"], r["host"], r["others"]) for r in reqs] == [
        (POOL, "external", "edge01", ["edge02"]), (POOL, "internal", "edge01", ["edge02"])]
    ext = reqs[0]
    assert ext["subject"] == "CN=sip.example.com"
    assert ext["san"] == ["sip.example.com", "webconf.example.com", "sip.example.net"]
    assert ext["files"] == {k: str(tmp_path / POOL / "certificates" / ("edge01-external." + k)) for k in ("inf", "csr", "cer")}
    assert ext["inf_file"] == {"path": ext["files"]["inf"], "content": EXPECTED_EXTERNAL}
    assert ext["shared_across_pool"] is True


def test_request_host_option(example_plans):
    reqs = csr.requests(example_plans, "plan", {POOL: "edge02"}, kinds=["internal"])
    assert [(r["kind"], r["host"], r["others"]) for r in reqs] == [("internal", "edge02", ["edge01"])]


@pytest.mark.parametrize("hosts, kinds, message", [
    ({POOL: "edge09"}, ["external"], "certificate_request_hosts[edgepool.corp.example.com]: 'edge09' is not a server of "
                                     "pool edgepool.corp.example.com (its servers: edge01, edge02)"),
    ({"other.example.com": "edge01"}, ["external"], "certificate_request_hosts: other.example.com is not an edge pool"),
    ({}, ["xmpp"], "certificate_request_kinds: ['xmpp']"),
])
def test_request_options_are_checked(example_plans, hosts, kinds, message):
    with pytest.raises(csr.CsrError, match=re.escape(message)):
        csr.requests(example_plans, "plan", hosts, kinds)


# ------------------------------------------------------------------------------ issued checks
ENTRY = {"subject": "sip.example.com", "san": ["sip.example.com", "webconf.example.com", "sip.example.net"],
         "eku": ["Server Authentication", "Client Authentication"]}
GOOD_NAMES = tuple(ENTRY["san"])
BOTH = (certfactory.SERVER_AUTH, certfactory.CLIENT_AUTH)


def issue(ca, key, names=GOOD_NAMES, cn="sip.example.com", days=(-1, 365), eku=BOTH):
    return certfactory.certificate(key, cn, NOW + datetime.timedelta(days=days[0]), NOW + datetime.timedelta(days=days[1]),
                                   issuer=ca, sans=names, eku=eku)


def codes(findings):
    return [(f["severity"], f["code"]) for f in findings]


def test_a_good_certificate_has_no_finding(ca, keys):
    request = make_csr(keys["edge"], "sip.example.com", GOOD_NAMES)
    assert csr.check_issued(issue(ca, keys["edge"]), ENTRY, "external", csr=request, now=NOW) == []


@pytest.mark.parametrize("case, expected", [
    ("names", [("error", "issued_certificate_name_missing")]),
    ("small", [("error", "issued_certificate_key_too_small"), ("error", "issued_certificate_key_mismatch")]),
    ("other_key", [("error", "issued_certificate_key_mismatch")]),
    ("expired", [("error", "issued_certificate_expired")]),
    ("future", [("error", "issued_certificate_not_yet_valid")]),
    ("no_server_auth", [("error", "issued_certificate_eku_missing"), ("warning", "issued_certificate_no_client_auth")]),
    ("server_auth_only", [("warning", "issued_certificate_no_client_auth")]),
    ("other_cn", [("warning", "issued_certificate_subject_differs")]),
])
def test_issued_certificate_findings(ca, keys, case, expected):
    request = make_csr(keys["edge"], "sip.example.com", GOOD_NAMES)
    cert = {
        "names": lambda: issue(ca, keys["edge"], names=["sip.example.com", "webconf.example.com"]),
        "small": lambda: issue(ca, keys["small"]),
        "other_key": lambda: issue(ca, keys["other"]),
        "expired": lambda: issue(ca, keys["edge"], days=(-400, -1)),
        "future": lambda: issue(ca, keys["edge"], days=(2, 400)),
        "no_server_auth": lambda: issue(ca, keys["edge"], eku=(x509.oid.ExtendedKeyUsageOID.CODE_SIGNING,)),
        "server_auth_only": lambda: issue(ca, keys["edge"], eku=(certfactory.SERVER_AUTH,)),
        "other_cn": lambda: issue(ca, keys["edge"], cn="webconf.example.com"),
    }[case]()
    findings = csr.check_issued(cert, ENTRY, "external", csr=request, now=NOW, host="edge01", pool=POOL,
                                variable="certificates/edge01-external.cer")
    assert codes(findings) == expected
    assert all(f["host"] == "edge01" and f["pool"] == POOL and f["variable"] == "certificates/edge01-external.cer"
               for f in findings)


def test_missing_names_are_named(ca, keys):
    request = make_csr(keys["edge"], "sip.example.com", GOOD_NAMES)
    cert = issue(ca, keys["edge"], names=["sip.example.com"])
    [finding] = csr.check_issued(cert, ENTRY, "external", csr=request, now=NOW)
    assert "does not cover webconf.example.com, sip.example.net (it has: sip.example.com)" in finding["message"]


def test_a_wildcard_covers_one_label(ca, keys):
    request = make_csr(keys["edge"], "sip.example.com", GOOD_NAMES)
    cert = issue(ca, keys["edge"], names=["sip.example.com", "*.example.com", "*.example.net"])
    assert csr.check_issued(cert, ENTRY, "external", csr=request, now=NOW) == []


def test_without_a_request_the_key_cannot_be_matched(ca, keys):
    findings = csr.check_issued(issue(ca, keys["edge"]), ENTRY, "external", csr=None, now=NOW)
    assert codes(findings) == [("error", "issued_certificate_no_request")]


# -------------------------------------------------------------------------------------- review
@pytest.fixture()
def ext_request(example_plans, tmp_path):
    return csr.requests(example_plans, str(tmp_path))[0]


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)


def test_review_without_files_asks_for_nothing(ext_request):
    result = csr.review(ext_request, None, now=NOW, snapshot=True)
    assert (result["csr"], result["certificate"], result["accept"], result["findings"]) == (None, None, None, [])
    assert result["messages"][0].endswith("snapshot mode - INF written to %s; no host contacted, no request made"
                                          % ext_request["files"]["inf"])
    assert "the others (edge02) import the PFX" in result["messages"][1]


def test_review_writes_the_csr_the_edge_returned(ext_request, keys):
    pem = certreq_pem(make_csr(keys["edge"], "sip.example.com", GOOD_NAMES))
    result = csr.review(ext_request, pem, now=NOW, status="created")
    assert result["csr_file"] == {"path": ext_request["files"]["csr"], "content": pem.replace("\r\n", "\n")}
    assert "request made; CSR at %s. Send it to the CA (public CA), save the issued certificate as %s" % (
        ext_request["files"]["csr"], ext_request["files"]["cer"]) in result["messages"][0]


def test_review_accepts_a_good_pem_chain_beside_the_csr(ext_request, ca, keys):
    pem = certreq_pem(make_csr(keys["edge"], "sip.example.com", GOOD_NAMES))
    write(ext_request["files"]["csr"], pem.encode("ascii"))
    cert = issue(ca, keys["edge"])
    chain = ca[0].public_bytes(serialization.Encoding.PEM) + cert.public_bytes(serialization.Encoding.PEM)
    write(ext_request["files"]["cer"], chain)
    result = csr.review(ext_request, None, now=NOW, status="pending")
    assert result["findings"] == []
    assert base64.b64decode(result["accept"]) == cert.public_bytes(serialization.Encoding.DER)
    assert result["certificate"]["thumbprint"] == cert.fingerprint(hashes.SHA1()).hex().upper()
    assert result["certificate"]["not_after"] == (NOW + datetime.timedelta(days=365)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert any(line.startswith("next: export it with its private key on edge01") and "TripleDES_SHA1" in line
               and "every server of the pool (edge01, edge02)" in line for line in result["messages"])


def test_review_of_an_accepted_certificate_says_nothing_to_do(ext_request, ca, keys):
    write(ext_request["files"]["csr"], certreq_pem(make_csr(keys["edge"], "sip.example.com", GOOD_NAMES)).encode())
    cert = issue(ca, keys["edge"])
    write(ext_request["files"]["cer"], cert.public_bytes(serialization.Encoding.PEM))
    result = csr.review(ext_request, None, now=NOW, status="issued", installed=csr.thumbprint(cert))
    assert result["accept"] is None  # the module found this thumbprint installed: no accept call
    assert result["messages"][0].endswith("%s is accepted and installed (thumbprint %s); nothing to do"
                                          % (ext_request["files"]["cer"], csr.thumbprint(cert)))


def test_review_refuses_a_certificate_for_another_key(ext_request, ca, keys):
    write(ext_request["files"]["csr"], certreq_pem(make_csr(keys["edge"], "sip.example.com", GOOD_NAMES)).encode())
    write(ext_request["files"]["cer"], issue(ca, keys["other"]).public_bytes(serialization.Encoding.DER))
    result = csr.review(ext_request, None, now=NOW, status="pending")
    assert codes(result["findings"]) == [("error", "issued_certificate_key_mismatch")]
    assert result["accept"] is None
    assert result["findings"][0]["variable"] == "certificates/edge01-external.cer"
    assert "NOT accepted (1 problem(s), below)" in result["messages"][0]


def test_review_of_garbage_names_the_file(ext_request):
    write(ext_request["files"]["cer"], b"not a certificate")
    result = csr.review(ext_request, None, now=NOW)
    assert codes(result["findings"]) == [("error", "issued_certificate_unreadable")]
    assert ext_request["files"]["cer"] in result["findings"][0]["message"]
    assert result["accept"] is None


def test_load_csr_reads_certreq_output(keys):
    request = make_csr(keys["edge"], "sip.example.com", GOOD_NAMES)
    assert csr.load_csr(certreq_pem(request)).public_bytes(serialization.Encoding.DER) == \
        request.public_bytes(serialization.Encoding.DER)


def test_requests_scale_linearly():
    """Ten times a large inventory: 120 pools of 12 servers each, every request built."""
    import time

    plans = {"pool%03d.example.com" % i: {
        "pool": {"servers": ["edge%03d-%02d" % (i, j) for j in range(12)]},
        "certificates": {"external": dict(ENTRY, subject="sip%d.example.com" % i,
                                          san=["sip%d.example.com" % i] + ["sip.d%d-%d.example.com" % (i, k) for k in range(90)]),
                         "internal": {"subject": "pool%03d.example.com" % i, "san": ["pool%03d.example.com" % i],
                                      "eku": ["Server Authentication"]}}} for i in range(120)}
    start = time.perf_counter()
    reqs = csr.requests(plans, "plan")
    assert len(reqs) == 240
    assert time.perf_counter() - start < 5


# ------------------------------------------------------------------ the whole flow, simulated host
class SimHost:
    """The certificate stores of one Windows host as sfb.edge.edge_certificate_request documents them
    (plugins/modules/edge_certificate_request.yml), written from that documentation: REQUEST holds
    pending requests with their key, My the accepted certificates with theirs."""

    def __init__(self):
        self.request, self.my, self.calls = {}, {}, []

    def present(self, subject, dns_names, inf, check_mode=False):
        self.calls.append("present")
        for thumb, cert in self.my.items():
            if set(dns_names) <= set(certs_names(cert)):
                return {"changed": False, "status": "issued", "thumbprint": thumb, "csr": None}
        for thumb, (req_subject, names, _key, pem) in self.request.items():
            if req_subject == subject and sorted(names) == sorted(dns_names):
                return {"changed": False, "status": "pending", "thumbprint": thumb, "csr": pem}
        if check_mode:
            return {"changed": True, "status": "created", "thumbprint": None, "csr": None}
        assert "MachineKeySet = TRUE" in inf and "KeyLength = 2048" in inf
        key = certfactory.rsa_key(2048)
        request = make_csr(key, subject[3:], dns_names)
        thumb = "REQ%d" % len(self.request)
        self.request[thumb] = (subject, list(dns_names), key, certreq_pem(request))
        return {"changed": True, "status": "created", "thumbprint": thumb, "csr": self.request[thumb][3]}

    def accepted(self, certificate, check_mode=False):
        self.calls.append("accepted")
        cert = x509.load_der_x509_certificate(base64.b64decode(certificate))
        thumb = csr.thumbprint(cert)
        if thumb in self.my:
            return {"changed": False, "status": "accepted", "thumbprint": thumb}
        match = [t for t, (_s, _n, key, _p) in self.request.items()
                 if key.public_key().public_numbers() == cert.public_key().public_numbers()]
        assert match, "certificate answers no pending request"
        if not check_mode:
            self.my[thumb] = cert
            del self.request[match[0]]
        return {"changed": True, "status": "accepted", "thumbprint": thumb}


def certs_names(cert):
    return cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)


def run_role(host, requests, check_mode=False):
    """One run of the role's tasks for one host: request, review, write the CSRs, accept."""
    made = [host.present(r["subject"], r["san"], r["inf"], check_mode) for r in requests]
    reviews = [csr.review(r, m["csr"], now=NOW, status=m["status"], check_mode=check_mode, installed=m["thumbprint"])
               for r, m in zip(requests, made)]
    for item in reviews:
        if item["csr_file"]:
            write(item["csr_file"]["path"], item["csr_file"]["content"].encode("ascii"))
    accepted = [host.accepted(item["accept"], check_mode) for item in reviews if item["accept"]]
    return made, reviews, accepted


def test_request_accept_and_rerun_converge(example_plans, tmp_path, ca):
    requests = csr.requests(example_plans, str(tmp_path))
    host = SimHost()
    # check mode: nothing requested, nothing written
    made, _reviews, _accepted = run_role(host, requests, check_mode=True)
    assert [m["status"] for m in made] == ["created", "created"] and host.request == {}
    assert not os.path.exists(requests[0]["files"]["csr"])
    # first run: one request per kind, the CSRs written beside the INF
    made, _reviews, _accepted = run_role(host, requests)
    assert [m["changed"] for m in made] == [True, True] and len(host.request) == 2
    # second run: the pending requests are found again, nothing new
    made, _reviews, _accepted = run_role(host, requests)
    assert [(m["changed"], m["status"]) for m in made] == [(False, "pending"), (False, "pending")]
    assert len(host.request) == 2
    # the operator has the external CSR issued and drops the certificate beside it
    request = csr.load_csr(open(requests[0]["files"]["csr"], "rb").read())
    key_holder = [v for v in host.request.values() if v[0] == "CN=sip.example.com"][0][2]
    cert = issue(ca, key_holder)
    assert request.public_key().public_numbers() == key_holder.public_key().public_numbers()
    write(requests[0]["files"]["cer"], cert.public_bytes(serialization.Encoding.PEM))
    made, reviews, accepted = run_role(host, requests)
    assert [a["changed"] for a in accepted] == [True] and list(host.my) == [csr.thumbprint(cert)]
    assert reviews[0]["findings"] == []
    # converged: the request call finds the certificate installed, no accept call, nothing changes
    host.calls.clear()
    made, reviews, accepted = run_role(host, requests)
    assert [(m["changed"], m["status"]) for m in made] == [(False, "issued"), (False, "pending")]
    assert accepted == [] and host.calls == ["present", "present"]
    assert "is accepted and installed" in reviews[0]["messages"][0]
