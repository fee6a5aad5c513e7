# -*- coding: utf-8 -*-
"""playbooks/certificate_request.yml end to end on the example inventory, in snapshot mode (no host is
contacted): the INF files are written from the plan, check mode creates nothing, an issued certificate
beside its CSR is checked on the controller and a bad one stops the run with its findings."""

from __future__ import annotations

import datetime
import os
import sys

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

from test_plan_playbook import run
from test_windows_playbooks import EXAMPLE, inventory_copy, playbook, recap

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "unit"))

import certfactory  # noqa: E402
from test_csr import EXPECTED_EXTERNAL  # noqa: E402

POOL = "edgepool.corp.example.com"
# What a task may be in snapshot mode: nothing that reaches a host.
CONTROLLER_ONLY = {"ansible.builtin.validate_argument_spec", "ansible.builtin.set_fact", "ansible.builtin.debug",
                   "ansible.builtin.include_role", "ansible.builtin.fail", "sfb.edge.report_files",
                   "sfb.edge.certificate_request"}  # the role's controller steps


def run_csr(tmp_path, *extra, inventory=EXAMPLE):
    result, entries = playbook("certificate_request", inventory, tmp_path, *extra, snapshot="converged")
    ran = [e for e in entries if e["status"] != "skipped"]
    assert sorted({e["action"] for e in ran} - CONTROLLER_ONLY) == [], "tasks that would reach a host in snapshot mode"
    return result, entries


def flat(text):
    """The output with the YAML callback's line wrapping undone."""
    return " ".join(text.split())


def folder(tmp_path):
    return tmp_path / "plan" / POOL / "certificates"


@pytest.mark.parametrize("mode", [(), ("--check", "--diff")])
def test_snapshot_mode_writes_the_inf_files_and_requests_nothing(tmp_path, mode):
    result, entries = run_csr(tmp_path, *mode)
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in folder(tmp_path).iterdir()) == ["edge01-external.inf", "edge01-internal.inf"]
    assert (folder(tmp_path) / "edge01-external.inf").read_text() == EXPECTED_EXTERNAL
    internal = (folder(tmp_path) / "edge01-internal.inf").read_text()
    assert 'Subject = "CN=edgepool.corp.example.com"' in internal
    assert recap(result.stdout, "edge01")["changed"] == 0
    assert recap(result.stdout, "edge02")["changed"] == 0
    assert "snapshot mode - INF written to" in result.stdout
    assert "edge02 makes no request" in result.stdout
    made = [e for e in entries if e["action"] == "sfb.edge.edge_certificate_request"]
    assert made and all(e["status"] == "skipped" for e in made)
    assert result.validations == 1  # one validation of the inventory for the whole run
    # a second run leaves everything as it is
    again, _entries = run_csr(tmp_path, *mode)
    assert again.returncode == 0 and recap(again.stdout, "edge01")["changed"] == 0


def _csr_and_certificate(tmp_path, cert_key, chain=True):
    """The CSR and the issued certificate beside it, and an inventory copy whose root_ca names the CA (a file
    under the inventory, relative path); ``chain=False``: an issuing CA that is in neither the file nor root_ca."""
    now = datetime.datetime.now(datetime.timezone.utc)
    edge_key = certfactory.rsa_key(2048)
    ca_key = certfactory.rsa_key(2048)
    ca = certfactory.certificate(ca_key, "Test CA", now - datetime.timedelta(days=10), now + datetime.timedelta(days=900),
                                 ca=True, eku=None)
    names = ["sip.example.com", "webconf.example.com", "sip.example.net"]
    request = (x509.CertificateSigningRequestBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sip.example.com")]))
               .sign(edge_key, hashes.SHA256()))
    issuer = (ca, ca_key)
    if not chain:
        issuing_key = certfactory.rsa_key(2048)
        issuer = (certfactory.certificate(issuing_key, "Test Issuing CA", now - datetime.timedelta(days=10),
                                          now + datetime.timedelta(days=900), issuer=(ca, ca_key), ca=True, eku=None),
                  issuing_key)
    cert = certfactory.certificate(edge_key if cert_key == "edge" else certfactory.rsa_key(2048), "sip.example.com",
                                   now - datetime.timedelta(days=1), now + datetime.timedelta(days=365),
                                   issuer=issuer, sans=names,
                                   eku=(certfactory.SERVER_AUTH, certfactory.CLIENT_AUTH))
    folder(tmp_path).mkdir(parents=True)
    (folder(tmp_path) / "edge01-external.csr").write_bytes(request.public_bytes(serialization.Encoding.PEM))
    (folder(tmp_path) / "edge01-external.cer").write_bytes(cert.public_bytes(serialization.Encoding.DER))
    inventory = inventory_copy(tmp_path, pool={"sfb_edge_certificates": {"root_ca": ["files/corp-root-ca.cer"]}})
    (inventory / "files").mkdir(exist_ok=True)
    (inventory / "files" / "corp-root-ca.cer").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return cert, inventory


def test_a_good_issued_certificate_passes_the_checks(tmp_path):
    cert, inventory = _csr_and_certificate(tmp_path, "edge")
    result, entries = run_csr(tmp_path, inventory=inventory)
    assert result.returncode == 0, result.stdout + result.stderr
    out = flat(result.stdout)
    assert "edge01-external.cer passed the checks; it is accepted by a run against the host" in out
    thumbprint = cert.fingerprint(hashes.SHA1()).hex().upper()
    assert "next: export it with its private key on edge01" in out
    # the JSON result format (ansible-core 2.16 in make compat) doubles the backslashes of the message
    assert "Get-Item Cert:\\LocalMachine\\My\\%s | Export-PfxCertificate -FilePath C:\\edge01-external.pfx" % thumbprint in \
        out.replace("\\\\", "\\")
    accepted = [e for e in entries if e["action"] == "sfb.edge.edge_certificate_request"]
    assert all(e["status"] == "skipped" for e in accepted)


def test_a_certificate_for_another_key_stops_the_run(tmp_path):
    _cert, inventory = _csr_and_certificate(tmp_path, "other")
    result, _entries = run_csr(tmp_path, inventory=inventory)
    assert result.returncode != 0
    out = flat(result.stdout)
    assert "ERROR [issued_certificate_key_mismatch] host edge01, variable certificates/edge01-external.cer" in out
    assert "The issued certificate(s) of edge01 were not accepted:" in out


def test_a_certificate_whose_chain_misses_the_intermediate_stops_the_run(tmp_path):
    """Issue 19, point 12: the edge in the DMZ cannot fetch the intermediate; the controller refuses the file,
    naming the host, the file and the fix."""
    _cert, inventory = _csr_and_certificate(tmp_path, "edge", chain=False)
    result, _entries = run_csr(tmp_path, inventory=inventory)
    assert result.returncode != 0
    out = flat(result.stdout)
    assert "ERROR [issued_certificate_chain_untrusted] host edge01, variable certificates/edge01-external.cer" in out
    assert "its issuer CN=Test Issuing CA is neither in the file nor in sfb_edge_certificates.root_ca of edge01" in out
    assert "save the CA's full chain (PEM bundle or PKCS#7) as %s" % (folder(tmp_path) / "edge01-external.cer") in out


def test_request_host_option_and_kinds(tmp_path):
    result, _entries = run_csr(tmp_path, "-e", '{"certificate_request_hosts": {"%s": "edge02"}}' % POOL,
                               "-e", '{"certificate_request_kinds": ["internal"], "certificate_request_key_length": 4096}')
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in folder(tmp_path).iterdir()) == ["edge02-internal.inf"]
    assert "KeyLength = 4096" in (folder(tmp_path) / "edge02-internal.inf").read_text()
    assert "edge01 makes no request: the internal certificate(s) of pool %s are requested on edge02" % POOL in \
        flat(result.stdout)


def test_request_host_outside_the_pool_is_refused(tmp_path):
    result, _entries = run_csr(tmp_path, "-e", '{"certificate_request_hosts": {"%s": "fe01"}}' % POOL)
    assert result.returncode != 0
    assert "certificate_request_hosts[%s]: 'fe01' is not a server of pool %s (its servers: edge01, edge02)" % (
        POOL, POOL) in flat(result.stdout)
    assert not (tmp_path / "plan").exists()


def test_bad_inventory_stops_before_anything(tmp_path):
    inv = inventory_copy(tmp_path, hosts={"edge02": {"sfb_edge_internal_nic": {
        "name": "Internal", "address": "172.16.10.12/24", "gateway": "172.16.10.1"}}})
    result, entries = run_csr(tmp_path, inventory=inv)
    assert result.returncode != 0
    out = flat(result.stdout)
    assert "Nothing was contacted or requested." in out
    assert "host edge02, variable sfb_edge_internal_nic.gateway" in out
    assert not (tmp_path / "plan").exists()
    assert [e["task"] for e in entries if e["status"] == "failed"] == [
        "sfb.edge.certificate_request : Validate the inventory and compute the plan of every pool",
        "sfb.edge.certificate_request : Stop (nothing was contacted or requested)"]
    assert not [e for e in entries if e["task"].startswith("sfb.edge.certificate_request : Write")]


@pytest.mark.parametrize("kind, name", [
    ("module", "edge_certificate_request"), ("role", "certificate_request"),
    ("filter", "certificate_requests"), ("filter", "certificate_request_review"),
])
def test_docs_render(kind, name):
    result = run("ansible-doc", "-t", kind, "sfb.edge.%s" % name)
    assert result.returncode == 0, result.stderr
    assert name in result.stdout
