# -*- coding: utf-8 -*-
"""Certificate requests (plugin_utils/_csr.py): the certreq INF from the plan, the checks of an issued
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

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

import certfactory  # noqa: E402
import inventory_data  # noqa: E402

from ansible_collections.sfb.edge.plugins.plugin_utils import _csr as csr, _plan as plan  # noqa: E402

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


def root_file(request, cert, name="root-ca.cer"):
    """``cert`` written as PEM beside the plan (as an operator's sfb_edge_certificates.root_ca file); its path."""
    path = os.path.join(os.path.dirname(os.path.dirname(request["files"]["cer"])), name)
    write(path, cert.public_bytes(serialization.Encoding.PEM))
    return path


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
    result = csr.review(ext_request, None, now=NOW, status="pending", roots=[root_file(ext_request, ca[0])])
    assert result["findings"] == []
    assert result["chain"] == [base64.b64encode(ca[0].public_bytes(serialization.Encoding.DER)).decode("ascii")]
    assert base64.b64decode(result["accept"]) == cert.public_bytes(serialization.Encoding.DER)
    assert result["certificate"]["thumbprint"] == cert.fingerprint(hashes.SHA1()).hex().upper()
    assert result["certificate"]["not_after"] == (NOW + datetime.timedelta(days=365)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert any(line.startswith("next: export it with its private key on edge01") and "TripleDES_SHA1" in line
               and "every server of the pool (edge01, edge02)" in line for line in result["messages"])


def test_review_of_an_accepted_certificate_says_nothing_to_do(ext_request, ca, keys):
    write(ext_request["files"]["csr"], certreq_pem(make_csr(keys["edge"], "sip.example.com", GOOD_NAMES)).encode())
    cert = issue(ca, keys["edge"])
    write(ext_request["files"]["cer"], cert.public_bytes(serialization.Encoding.PEM))
    result = csr.review(ext_request, None, now=NOW, status="issued", installed=csr.thumbprint(cert),
                        roots=[root_file(ext_request, ca[0])])
    assert result["accept"] is None  # the module found this thumbprint installed: no accept call
    assert result["chain"] == []
    assert result["messages"][0].endswith("%s is accepted and installed (thumbprint %s); nothing to do"
                                          % (ext_request["files"]["cer"], csr.thumbprint(cert)))


def test_review_refuses_a_certificate_for_another_key(ext_request, ca, keys):
    write(ext_request["files"]["csr"], certreq_pem(make_csr(keys["edge"], "sip.example.com", GOOD_NAMES)).encode())
    write(ext_request["files"]["cer"], issue(ca, keys["other"]).public_bytes(serialization.Encoding.DER))
    result = csr.review(ext_request, None, now=NOW, status="pending", roots=[root_file(ext_request, ca[0])])
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


def run_role(host, requests, check_mode=False, roots=()):
    """One run of the role's tasks for one host: request, review, write the CSRs, accept."""
    made = [host.present(r["subject"], r["san"], r["inf"], check_mode) for r in requests]
    reviews = [csr.review(r, m["csr"], now=NOW, status=m["status"], check_mode=check_mode, installed=m["thumbprint"],
                          roots=roots) for r, m in zip(requests, made)]
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
    roots = [root_file(requests[0], ca[0])]
    made, reviews, accepted = run_role(host, requests, roots=roots)
    assert [a["changed"] for a in accepted] == [True] and list(host.my) == [csr.thumbprint(cert)]
    assert reviews[0]["findings"] == []
    # converged: the request call finds the certificate installed, no accept call, nothing changes
    host.calls.clear()
    made, reviews, accepted = run_role(host, requests, roots=roots)
    assert [(m["changed"], m["status"]) for m in made] == [(False, "issued"), (False, "pending")]
    assert accepted == [] and host.calls == ["present", "present"]
    assert "is accepted and installed" in reviews[0]["messages"][0]


# ------------------------------------------------------- the chain of the issued certificate (issue 19, point 12)
# certreq -accept on a DMZ edge cannot fetch intermediates by AIA: the controller refuses a chain that does not
# reach a root of sfb_edge_certificates.root_ca and hands the module the CA certificates to import first.
@pytest.fixture(scope="module")
def pki(keys):
    """A root, an issuing CA under it, an expired issuing CA, another root and a forged issuing CA (same name,
    other key)."""
    root_key, issuing_key, other_key = certfactory.rsa_key(2048), certfactory.rsa_key(2048), certfactory.rsa_key(2048)
    root = certfactory.certificate(root_key, "Corp Root CA", NOW - datetime.timedelta(days=900),
                                   NOW + datetime.timedelta(days=3000), ca=True, eku=None)
    issuing = certfactory.certificate(issuing_key, "Corp Issuing CA", NOW - datetime.timedelta(days=300),
                                      NOW + datetime.timedelta(days=1000), issuer=(root, root_key), ca=True, eku=None)
    expired = certfactory.certificate(issuing_key, "Corp Issuing CA", NOW - datetime.timedelta(days=800),
                                      NOW - datetime.timedelta(days=1), issuer=(root, root_key), ca=True, eku=None)
    other_root = certfactory.certificate(other_key, "Other Root CA", NOW - datetime.timedelta(days=900),
                                         NOW + datetime.timedelta(days=3000), ca=True, eku=None)
    forged = certfactory.certificate(other_key, "Corp Issuing CA", NOW - datetime.timedelta(days=300),
                                     NOW + datetime.timedelta(days=1000), issuer=(other_root, other_key), ca=True, eku=None)
    leaf = issue((issuing, issuing_key), keys["edge"])
    return {"root": root, "issuing": issuing, "expired": expired, "other_root": other_root, "forged": forged,
            "leaf": leaf}


def b64(cert):
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode("ascii")


def pem(*certs):
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def review_chain(ext_request, keys, data, roots):
    write(ext_request["files"]["csr"], certreq_pem(make_csr(keys["edge"], "sip.example.com", GOOD_NAMES)).encode())
    write(ext_request["files"]["cer"], data)
    return csr.review(ext_request, None, now=NOW, status="pending", roots=roots)


def p7(certs, encoding):
    from cryptography.hazmat.primitives.serialization import pkcs7

    return pkcs7.serialize_certificates(certs, encoding)


@pytest.mark.parametrize("encoding", [serialization.Encoding.DER, serialization.Encoding.PEM])
def test_a_pkcs7_with_the_intermediate_is_accepted_with_its_chain(ext_request, keys, pki, encoding):
    result = review_chain(ext_request, keys, p7([pki["leaf"], pki["issuing"]], encoding),
                          [root_file(ext_request, pki["root"])])
    assert result["findings"] == []
    assert result["accept"] == b64(pki["leaf"])
    assert result["chain"] == [b64(pki["issuing"]), b64(pki["root"])]  # issuer first, the root last


def test_a_pem_bundle_in_any_order_is_accepted(ext_request, keys, pki):
    result = review_chain(ext_request, keys, pem(pki["root"], pki["issuing"], pki["leaf"]),
                          [root_file(ext_request, pki["root"])])
    assert result["findings"] == [] and result["accept"] == b64(pki["leaf"])
    assert result["chain"] == [b64(pki["issuing"]), b64(pki["root"])]


def test_an_intermediate_from_root_ca_completes_the_chain(ext_request, keys, pki):
    roots = [root_file(ext_request, pki["root"]), root_file(ext_request, pki["issuing"], "issuing.cer")]
    result = review_chain(ext_request, keys, pem(pki["leaf"]), roots)
    assert result["findings"] == [] and result["chain"] == [b64(pki["issuing"]), b64(pki["root"])]


def chain_errors(result):
    assert result["accept"] is None and result["chain"] == []
    found = [f for f in result["findings"] if f["code"] == "issued_certificate_chain_untrusted"]
    assert found and all(f["severity"] == "error" and f["host"] == "edge01" for f in found)
    return [f["message"] for f in found]


def test_a_leaf_without_its_intermediate_is_refused(ext_request, keys, pki):
    result = review_chain(ext_request, keys, pem(pki["leaf"]), [root_file(ext_request, pki["root"])])
    (message,) = chain_errors(result)
    assert message == (
        "the chain of %s stops at CN=sip.example.com: its issuer CN=Corp Issuing CA is neither in the file nor in "
        "sfb_edge_certificates.root_ca of edge01, so it does not reach a trusted root; save the CA's full chain (PEM "
        "bundle or PKCS#7) as %s, or add the intermediate and root CA certificates to sfb_edge_certificates.root_ca"
        % (ext_request["files"]["cer"], ext_request["files"]["cer"]))
    assert "NOT accepted (1 problem(s), below)" in result["messages"][0]


def test_a_chain_to_another_root_is_refused(ext_request, keys, pki):
    data = pem(pki["leaf"], pki["issuing"], pki["root"])
    (message,) = chain_errors(review_chain(ext_request, keys, data, [root_file(ext_request, pki["other_root"])]))
    assert message.startswith("the chain of %s ends at the root CN=Corp Root CA, which is not in "
                              "sfb_edge_certificates.root_ca of edge01; add that root" % ext_request["files"]["cer"])


def test_an_intermediate_with_the_right_name_but_another_key_is_refused(ext_request, keys, pki):
    roots = [root_file(ext_request, pki["root"]), root_file(ext_request, pki["other_root"], "other.cer")]
    (message,) = chain_errors(review_chain(ext_request, keys, pem(pki["leaf"], pki["forged"]), roots))
    assert "stops at CN=sip.example.com: its issuer CN=Corp Issuing CA is neither" in message


def test_an_expired_intermediate_is_refused(ext_request, keys, pki):
    data = pem(pki["leaf"], pki["expired"])
    (message,) = chain_errors(review_chain(ext_request, keys, data, [root_file(ext_request, pki["root"])]))
    assert message.startswith("the chain of %s holds CN=Corp Issuing CA, which expired on %s"
                              % (ext_request["files"]["cer"], (NOW - datetime.timedelta(days=1)).isoformat()))


def test_without_root_ca_nothing_is_accepted(ext_request, keys, pki):
    data = pem(pki["leaf"], pki["issuing"], pki["root"])
    (message,) = chain_errors(review_chain(ext_request, keys, data, []))
    assert message.startswith("the chain of %s cannot be checked: sfb_edge_certificates.root_ca of edge01 names no "
                              "CA certificate" % ext_request["files"]["cer"])
    assert "add the root CA certificate (and intermediates) of the CA that issued it to sfb_edge_certificates.root_ca " \
        "of edge01" in message


def test_an_unreadable_root_ca_file_is_named(ext_request, keys, pki, tmp_path):
    missing = str(tmp_path / "nowhere.cer")
    (message,) = chain_errors(review_chain(ext_request, keys, pem(pki["leaf"], pki["issuing"]), [missing]))
    assert message.startswith("sfb_edge_certificates.root_ca[0] of edge01: ") and missing in message


def test_roots_of_resolves_paths_against_the_inventory_dir():
    inventory = {"edge01": {"sfb_edge_certificates": {"root_ca": ["files/root.cer", "/abs/ca.cer"]},
                            "inventory_dir": "/inv"},
                 "edge02": {"sfb_edge_certificates": {"root_ca": "one.cer"}, "inventory_dir": "/inv"},
                 "edge03": {}}
    assert csr.roots_of(inventory, "edge01") == ["/inv/files/root.cer", "/abs/ca.cer"]
    assert csr.roots_of(inventory, "edge02") == ["/inv/one.cer"]
    assert csr.roots_of(inventory, "edge03") == [] and csr.roots_of(inventory, "nobody") == []
