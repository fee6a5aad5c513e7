# -*- coding: utf-8 -*-
"""Certificate checks on files named in sfb_edge_certificates (certs.check_pool via validate).

Certificates are issued on the fly (certfactory) into tmp_path: a throwaway root CA, an internal
certificate for the pool FQDN signed by it and an external certificate whose names are the SAN
list computed by netcalc.san_list for the example pool.  Keys are generated once per module.
"""

from __future__ import annotations

import datetime
import os
import sys
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

import certfactory  # noqa: E402
import inventory_data  # noqa: E402
from findings_helpers import codes, keys  # noqa: E402
from certfactory import CLIENT_AUTH, SERVER_AUTH, UTC  # noqa: E402

from ansible_collections.sfb.edge.plugins.plugin_utils import _certs as certs, _netcalc as netcalc, _plan as plan, _validate as validate  # noqa: E402

E, W = "error", "warning"
POOL = "edgepool.corp.example.com"
HOSTS = ("edge01", "edge02")
PASSWORD = "Pfx-S3cret!pw"  # never appears in a path or a name below

NOW = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
NOT_BEFORE = NOW - datetime.timedelta(days=100)
NOT_AFTER = NOW + datetime.timedelta(days=365)

_EXAMPLE = inventory_data.example()["edge01"]
EXTERNAL_NAMES = netcalc.san_list(_EXAMPLE["sfb_edge_sip_domains"], _EXAMPLE["sfb_edge_external_fqdns"])


def run(inv, today=NOW, **kwargs):
    findings = validate.validate(inv, today=today, **kwargs)
    for f in findings:
        assert PASSWORD not in f["message"], f
    return findings


def check(inv, expected, needles=(), today=NOW):
    """The findings must be exactly ``expected``; findings like the first one mention every needle."""
    findings = run(inv, today=today)
    assert keys(findings) == sorted(expected)
    primary = [f for f in findings if (f["severity"], f["code"], f["host"], f["variable"]) == expected[0]]
    for f in primary:
        for needle in needles:
            assert needle in f["message"], (needle, f["message"])
    return primary


def spec(path, password=PASSWORD):
    return {"pfx": path, "password": password}


@pytest.fixture(scope="module")
def keys_():
    """Keys are slow to make: generate them once and reuse them in every test of the module."""
    return SimpleNamespace(
        ca=certfactory.rsa_key(), internal=certfactory.rsa_key(), external=certfactory.rsa_key(),
        other=certfactory.rsa_key(), weak=certfactory.rsa_key(1024), ec=certfactory.ec_key())


class Pki:
    """A root CA and the valid certificate set of the example pool, as files in ``directory``."""

    def __init__(self, directory, keys):
        self.dir = directory
        self.keys = keys
        self.ca = certfactory.certificate(keys.ca, "Example Test Root CA", NOT_BEFORE, NOW + datetime.timedelta(days=3650),
                                          eku=None, ca=True)
        self.root = certfactory.write_pem(directory / "root-ca.pem", self.ca)
        self.internal = self.pfx("internal.pfx")
        self.external = self.pfx("external.pfx", **self.external_defaults())

    def external_defaults(self):
        return dict(key=self.keys.external, cn=EXTERNAL_NAMES[0], sans=EXTERNAL_NAMES, eku=(SERVER_AUTH, CLIENT_AUTH))

    def cert(self, key=None, cn=POOL, sans=(POOL,), eku=(SERVER_AUTH,), ca=None, not_before=NOT_BEFORE,
             not_after=NOT_AFTER, self_signed=False):
        key = key or self.keys.internal
        issuer = None if self_signed else (self.ca, self.keys.ca)
        return certfactory.certificate(key, cn, not_before, not_after, issuer=issuer, sans=sans, eku=eku, ca=ca)

    def pfx(self, name, key=None, password=PASSWORD, with_key=True, encryption="aes", **cert_args):
        key = key or self.keys.internal
        cert = self.cert(key=key, **cert_args)
        return certfactory.write_pfx(self.dir / name, cert, key if with_key else None, password, cas=[self.ca],
                                     encryption=encryption)

    def ext_pfx(self, name, **overrides):
        return self.pfx(name, **dict(self.external_defaults(), **overrides))

    def pem(self, name, **cert_args):
        return certfactory.write_pem(self.dir / name, self.cert(**cert_args))

    def inventory(self):
        inv = inventory_data.example()
        for host in inv.values():
            host["sfb_edge_certificates"] = {"root_ca": [self.root], "internal": spec(self.internal),
                                             "external": spec(self.external)}
        return inv


@pytest.fixture
def pki(tmp_path, keys_):
    return Pki(tmp_path, keys_)


def set_cert(inv, kind, value, hosts=HOSTS):
    for host in hosts:
        inv[host]["sfb_edge_certificates"][kind] = value
    return inv


# --------------------------------------------------------------------------- the valid set

def test_valid_certificates_have_no_findings(pki):
    inv = pki.inventory()
    assert run(inv) == []
    assert POOL in plan.build(inv, today=NOW)


def test_external_certificate_has_the_computed_names(pki):
    cert, key = certs.load_certificate(pki.external, PASSWORD)
    assert certs.san_names(cert) == ["sip.example.com", "webconf.example.com", "sip.example.net"]
    assert key is not None
    assert plan.build(pki.inventory(), today=NOW)[POOL]["certificates"]["external"]["san"] == EXTERNAL_NAMES


def test_valid_certificates_with_naive_today_and_variants(pki, tmp_path):
    inv = pki.inventory()
    assert run(inv, today=NOW.replace(tzinfo=None)) == []
    # root_ca as a single path, in DER; the PFX password as an integer (what YAML makes of 1234)
    der = certfactory.write_der(tmp_path / "root-ca.cer", pki.ca)
    set_cert(inv, "root_ca", der)
    set_cert(inv, "internal", spec(pki.pfx("numeric.pfx", password="1234"), password=1234))
    assert run(inv) == []


def test_read_certificates_false_reads_no_file(pki):
    inv = set_cert(pki.inventory(), "internal", spec("/nonexistent/internal.pfx"))
    set_cert(inv, "root_ca", ["/nonexistent/root.pem"])
    assert run(inv, read_certificates=False) == []
    assert codes(run(inv)) == ["certificate_unreadable"]


def test_certificates_are_optional():
    assert run(inventory_data.example()) == []


# --------------------------------------------------------------------------- certificate_unreadable

def test_certificate_unreadable_missing_file(pki, tmp_path):
    missing = str(tmp_path / "no-such-internal.pfx")
    inv = set_cert(pki.inventory(), "internal", spec(missing), hosts=["edge01"])
    check(inv, [(E, "certificate_unreadable", "edge01", "sfb_edge_certificates.internal.pfx")],
          needles=[missing, "cannot read", "check the path", "Ansible Vault"])


def test_certificate_unreadable_wrong_password(pki):
    inv = set_cert(pki.inventory(), "external", spec(pki.external, password="wrong-" + PASSWORD), hosts=["edge01"])
    [finding] = check(inv, [(E, "certificate_unreadable", "edge01", "sfb_edge_certificates.external.pfx")],
                      needles=[pki.external, "wrong password", "sfb_edge_certificates.external.password"])
    assert "wrong-" not in finding["message"]


def test_certificate_unreadable_no_password(pki):
    inv = set_cert(pki.inventory(), "internal", {"pfx": pki.internal}, hosts=["edge02"])
    check(inv, [(E, "certificate_unreadable", "edge02", "sfb_edge_certificates.internal.pfx")],
          needles=[pki.internal, "wrong password"])


@pytest.mark.parametrize("content, needle", [
    (None, "cannot read"),
    (b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n", "is not a PEM or DER certificate"),
    (b"\x30\x03\x02\x01\x01", "is not a PEM or DER certificate"),
])
def test_certificate_unreadable_root_ca(pki, tmp_path, content, needle):
    path = tmp_path / "bad-root.pem"
    if content is not None:
        path.write_bytes(content)
    inv = set_cert(pki.inventory(), "root_ca", [pki.root, str(path)], hosts=["edge01"])
    check(inv, [(E, "certificate_unreadable", "edge01", "sfb_edge_certificates.root_ca[1]")],
          needles=[str(path), needle, "CA certificate (PEM or DER)"])


def test_certificate_unreadable_not_a_pfx(pki, tmp_path):
    path = tmp_path / "really-a-pem.pfx"
    path.write_bytes(open(pki.root, "rb").read())
    inv = set_cert(pki.inventory(), "internal", spec(str(path)), hosts=["edge01"])
    check(inv, [(E, "certificate_unreadable", "edge01", "sfb_edge_certificates.internal.pfx")],
          needles=[str(path), "not a PKCS#12 file"])


@pytest.mark.parametrize("pfx", [["a.pfx"], 42])
def test_certificate_unreadable_path_not_a_string(pki, pfx):
    inv = set_cert(pki.inventory(), "internal", spec(pfx), hosts=["edge01"])
    check(inv, [(E, "certificate_unreadable", "edge01", "sfb_edge_certificates.internal.pfx")],
          needles=["no file path given"])


def test_certificate_readable_with_the_right_password(pki):
    cert, key = certs.load_certificate(pki.internal, PASSWORD)
    assert POOL in certs.dns_names(cert) and certs.san_names(cert) == [POOL]
    with pytest.raises(certs.CertificateError) as info:
        certs.load_certificate(pki.internal, "nope")
    assert "nope" not in str(info.value) and pki.internal in str(info.value)


# --------------------------------------------------------------------------- certificate_not_ca

@pytest.mark.parametrize("ca", [False, None])
def test_certificate_not_ca(pki, ca):
    leaf = pki.pem("leaf.pem", ca=ca)
    inv = set_cert(pki.inventory(), "root_ca", [leaf], hosts=["edge02"])
    check(inv, [(E, "certificate_not_ca", "edge02", "sfb_edge_certificates.root_ca[0]")],
          needles=[leaf, "CN=" + POOL, "not a CA certificate", "root or intermediate CA"])


def test_certificate_not_ca_not_for_root_or_intermediate(pki):
    intermediate = pki.pem("intermediate.pem", key=pki.keys.other, cn="Example Issuing CA", sans=(), eku=None, ca=True)
    inv = set_cert(pki.inventory(), "root_ca", [pki.root, intermediate])
    assert run(inv) == []


# --------------------------------------------------------------------------- certificate_no_private_key

def test_certificate_no_private_key_in_a_pem(pki):
    path = pki.pem("internal.pem")
    inv = set_cert(pki.inventory(), "internal", spec(path), hosts=["edge01"])
    check(inv, [(E, "certificate_no_private_key", "edge01", "sfb_edge_certificates.internal.pfx")],
          needles=[path, "holds no private key", "export the certificate with its private key"])


# Regression: a PFX without its key was 'unreadable' (the certificate comes back among the additional ones).
def test_certificate_no_private_key(pki):
    path = pki.pfx("cert-only.pfx", with_key=False)
    inv = set_cert(pki.inventory(), "internal", spec(path), hosts=["edge01"])
    check(inv, [(E, "certificate_no_private_key", "edge01", "sfb_edge_certificates.internal.pfx")],
          needles=[path, "holds no private key", "export the certificate with its private key"])


def test_certificate_with_private_key(pki):
    assert certs.load_certificate(pki.pfx("with-key.pfx"), PASSWORD)[1] is not None
    assert run(set_cert(pki.inventory(), "internal", spec(pki.pfx("with-key.pfx")))) == []


# --------------------------------------------------------------------------- certificate_key_too_small

def test_certificate_key_too_small_rsa_1024(pki):
    path = pki.pfx("weak.pfx", key=pki.keys.weak)
    inv = set_cert(pki.inventory(), "internal", spec(path), hosts=["edge01"])
    check(inv, [(E, "certificate_key_too_small", "edge01", "sfb_edge_certificates.internal.pfx")],
          needles=[path, "RSA key of 1024 bits", "at least 2048 bits"])


def test_certificate_key_too_small_ec_key(pki):
    path = pki.pfx("ec.pfx", key=pki.keys.ec)
    inv = set_cert(pki.inventory(), "internal", spec(path), hosts=["edge01"])
    check(inv, [(E, "certificate_key_too_small", "edge01", "sfb_edge_certificates.internal.pfx")],
          needles=[path, "EC key", "need an RSA key of at least 2048 bits"])


def test_certificate_key_of_2048_bits_is_enough(pki):
    assert pki.keys.internal.key_size == 2048
    assert run(pki.inventory()) == []


# --------------------------------------------------------------------------- expiry

def test_certificate_expired(pki):
    path = pki.pfx("expired.pfx", not_after=NOW - datetime.timedelta(days=1))
    inv = set_cert(pki.inventory(), "internal", spec(path), hosts=["edge01"])
    check(inv, [(E, "certificate_expired", "edge01", "sfb_edge_certificates.internal.pfx")],
          needles=[path, "expired 2026-05-31T12:00:00Z (1 day ago)", "sfb.edge.certificate_request",
                   "sfb_edge_certificates.internal"])
    # the same file a while before it expires: fine
    assert run(inv, today=NOW - datetime.timedelta(days=60)) == []


def test_certificate_expired_at_the_exact_second(pki):
    path = pki.pfx("expires-now.pfx", not_after=NOW)
    inv = set_cert(pki.inventory(), "internal", spec(path), hosts=["edge01"])
    check(inv, [(E, "certificate_expired", "edge01", "sfb_edge_certificates.internal.pfx")],
          needles=["expired 2026-06-01T12:00:00Z (today)"])
    # one second before: the last second of its validity, a warning with 0 whole days left
    check(inv, [(W, "certificate_expiring", "edge01", "sfb_edge_certificates.internal.pfx")],
          needles=["expires 2026-06-01T12:00:00Z (0 days)"], today=NOW - datetime.timedelta(seconds=1))


def test_certificate_expired_root_ca(pki, tmp_path):
    old_ca = certfactory.certificate(pki.keys.ca, "Old Root CA", NOW - datetime.timedelta(days=4000),
                                     NOW - datetime.timedelta(days=10), eku=None, ca=True)
    path = certfactory.write_pem(tmp_path / "old-root.pem", old_ca)
    inv = set_cert(pki.inventory(), "root_ca", [path], hosts=["edge02"])
    # the old root did not issue the internal certificate either
    check(inv, [(E, "certificate_expired", "edge02", "sfb_edge_certificates.root_ca[0]"),
                (E, "certificate_untrusted", "edge02", "sfb_edge_certificates.internal.pfx")], needles=[path])


def test_certificate_expiring(pki):
    path = pki.pfx("expiring.pfx", not_after=NOW + datetime.timedelta(days=10))
    inv = set_cert(pki.inventory(), "internal", spec(path), hosts=["edge01"])
    check(inv, [(W, "certificate_expiring", "edge01", "sfb_edge_certificates.internal.pfx")],
          needles=[path, "expires 2026-06-11T12:00:00Z (10 days)", "30-day warning window", "sfb.edge.certificate_request",
                   "thumbprint %s" % certs.thumbprint(certs.load_certificate(path, PASSWORD)[0]),
                   "subject CN=edgepool.corp.example.com"])


def test_certificate_expiring_uses_the_warn_days_setting(pki):
    path = pki.pfx("expiring.pfx", not_after=NOW + datetime.timedelta(days=10))
    inv = inventory_data.set_pool(set_cert(pki.inventory(), "internal", spec(path)), "sfb_edge_certificate_warn_days", 9)
    assert run(inv) == []
    # exactly 10 days left with a 10-day window: a warning (the boundary belongs to the window)
    inventory_data.set_pool(inv, "sfb_edge_certificate_warn_days", 10)
    check(inv, [(W, "certificate_expiring", host, "sfb_edge_certificates.internal.pfx") for host in HOSTS],
          needles=["10-day warning window", "(10 days)"])


def test_the_old_warn_days_name_is_read_with_a_warning(pki):
    path = pki.pfx("expiring.pfx", not_after=NOW + datetime.timedelta(days=10))
    inv = inventory_data.set_pool(set_cert(pki.inventory(), "internal", spec(path)), "sfb_edge_cert_expiry_warn_days", 5)
    check(inv, [(W, "renamed_variable", host, "sfb_edge_cert_expiry_warn_days") for host in HOSTS],
          needles=["renamed to sfb_edge_certificate_warn_days", "its value 5 is used"])
    inventory_data.set_pool(inv, "sfb_edge_certificate_warn_days", 11)
    check(inv, [(W, "renamed_variable", host, "sfb_edge_cert_expiry_warn_days") for host in HOSTS]
          + [(W, "certificate_expiring", host, "sfb_edge_certificates.internal.pfx") for host in HOSTS],
          needles=["is ignored because sfb_edge_certificate_warn_days is set too"])


# --------------------------------------------------------------------------- EKU

def test_certificate_eku_without_server_auth(pki):
    path = pki.pfx("client-only.pfx", eku=(CLIENT_AUTH,))
    inv = set_cert(pki.inventory(), "internal", spec(path), hosts=["edge01"])
    check(inv, [(E, "certificate_eku", "edge01", "sfb_edge_certificates.internal.pfx")],
          needles=[path, "lacks the Server Authentication EKU", "web server / Lync template"])


def test_certificate_eku_external_client_only(pki):
    path = pki.ext_pfx("external-client-only.pfx", eku=(CLIENT_AUTH,))
    inv = set_cert(pki.inventory(), "external", spec(path))
    check(inv, [(E, "certificate_eku", host, "sfb_edge_certificates.external.pfx") for host in HOSTS], needles=[path])


def test_certificate_eku_absent_means_any_purpose(pki):
    inv = set_cert(pki.inventory(), "internal", spec(pki.pfx("no-eku.pfx", eku=None)))
    set_cert(inv, "external", spec(pki.ext_pfx("external-no-eku.pfx", eku=None)))
    assert run(inv) == []


def test_certificate_no_client_auth(pki):
    path = pki.ext_pfx("external-server-only.pfx", eku=(SERVER_AUTH,))
    inv = set_cert(pki.inventory(), "external", spec(path))
    check(inv, [(W, "certificate_no_client_auth", host, "sfb_edge_certificates.external.pfx") for host in HOSTS],
          needles=[path, "lacks the Client Authentication EKU", "mutual TLS"])
    assert validate.errors(run(inv)) == []


def test_certificate_no_client_auth_only_for_the_external_certificate(pki):
    cert, _key = certs.load_certificate(pki.internal, PASSWORD)
    assert certs._has_eku(cert, CLIENT_AUTH) is False  # the valid internal certificate is serverAuth only
    assert run(pki.inventory()) == []


# --------------------------------------------------------------------------- certificate_san_missing

def test_certificate_san_missing_external_sip_name(pki):
    path = pki.ext_pfx("external-short.pfx", sans=EXTERNAL_NAMES[:2])
    inv = set_cert(pki.inventory(), "external", spec(path))
    findings = check(inv, [(E, "certificate_san_missing", host, "sfb_edge_certificates.external.pfx") for host in HOSTS],
                     needles=[path, "does not cover sip.example.net (", "certificates.external.san"])
    assert "sip.example.com, webconf.example.com" in findings[0]["message"]  # what it has


def test_certificate_san_missing_internal_other_name(pki):
    path = pki.pfx("internal-other.pfx", cn="edge.corp.example.com", sans=("edge.corp.example.com",))
    inv = set_cert(pki.inventory(), "internal", spec(path), hosts=["edge01"])
    check(inv, [(E, "certificate_san_missing", "edge01", "sfb_edge_certificates.internal.pfx")],
          needles=[path, "does not cover " + POOL, "edge.corp.example.com", "certificates.internal.san"])


def test_certificate_san_missing_wildcard_covers_one_domain_only(pki):
    path = pki.ext_pfx("external-wildcard.pfx", sans=("*.example.com",))
    inv = set_cert(pki.inventory(), "external", spec(path))
    [finding] = check(inv, [(E, "certificate_san_missing", h, "sfb_edge_certificates.external.pfx") for h in HOSTS],
                      needles=["does not cover sip.example.net ("])
    assert "webconf.example.com" not in finding["message"].split("(")[0]


def test_certificate_names_covered_by_wildcards_in_any_order_and_case(pki):
    inv = set_cert(pki.inventory(), "external", spec(pki.ext_pfx("external-wildcards.pfx", cn="SIP.Example.com",
                                                                 sans=("*.EXAMPLE.NET", "*.example.com"))))
    set_cert(inv, "internal", spec(pki.pfx("internal-no-san.pfx", cn=POOL.upper(), sans=())))  # SAN not required
    assert run(inv) == []


@pytest.mark.parametrize("names, wanted, expected", [
    (["sip.example.com"], "SIP.example.com", True),
    (["*.example.com"], "sip.example.com", True),
    (["*.example.com"], "sip.example.net", False),
    (["*.example.com"], "example.com", False),
    (["*.example.com"], "a.sip.example.com", False),
    (["sip.example.com"], "webconf.example.com", False),
    ([], "sip.example.com", False),
])
def test_covers(names, wanted, expected):
    assert certs.covers(names, wanted) is expected


# Regression: the subject CN counted even with a SAN extension, which TLS clients ignore then.
def test_certificate_san_missing_when_the_access_fqdn_is_only_the_subject(pki):
    path = pki.ext_pfx("external-cn-only.pfx", sans=EXTERNAL_NAMES[1:])
    inv = set_cert(pki.inventory(), "external", spec(path))
    check(inv, [(E, "certificate_san_missing", h, "sfb_edge_certificates.external.pfx") for h in HOSTS],
          needles=["does not cover sip.example.com ("])


# --------------------------------------------------------------------------- certificate_key_mismatch

def test_certificate_key_mismatch(pki):
    other = pki.ext_pfx("external-other-key.pfx", key=pki.keys.other)
    inv = set_cert(pki.inventory(), "external", spec(other), hosts=["edge02"])
    check(inv, [(E, "certificate_key_mismatch", host, "sfb_edge_certificates.external.pfx") for host in HOSTS],
          needles=["pool " + POOL, "different external keys (edge01; edge02)", "export one PFX and use it on all"])


def test_certificate_key_mismatch_not_for_a_reissued_certificate_with_the_same_key(pki):
    reissued = pki.ext_pfx("external-reissued.pfx", not_before=NOW - datetime.timedelta(days=1))
    assert open(reissued, "rb").read() != open(pki.external, "rb").read()
    inv = set_cert(pki.inventory(), "external", spec(reissued), hosts=["edge02"])
    assert run(inv) == []


def test_certificate_key_mismatch_is_per_pool(pki):
    """A second pool has its own external certificate and key."""
    inv = pki.inventory()
    single = inventory_data.single()
    host = single["sfbedge01"]
    names = netcalc.san_list(host["sfb_edge_sip_domains"], host["sfb_edge_external_fqdns"], xmpp=True)
    host["sfb_edge_certificates"] = {
        "root_ca": [pki.root],
        # SfB 2015 (on Windows Server 2012 R2 / 2016): PFX files with the TripleDES encryption those can import
        "internal": spec(pki.pfx("single-internal.pfx", cn=host["sfb_edge_pool_fqdn"], sans=(), encryption="3des")),
        "external": spec(pki.ext_pfx("single-external.pfx", key=pki.keys.other, cn=names[0], sans=names,
                                     encryption="3des")),
    }
    inv.update(single)
    assert run(inv) == []


# --------------------------------------------------------------------------- invalid_value

@pytest.mark.parametrize("value", ["/etc/edge/internal.pfx", [PASSWORD], 42])
def test_invalid_value_certificates_not_a_dict(value):
    inv = inventory_data.example()
    inv["edge01"]["sfb_edge_certificates"] = value
    check(inv, [(E, "invalid_value", "edge01", "sfb_edge_certificates")],
          needles=["must be a dict {root_ca: [paths], internal: {pfx, password}, external: {pfx, password}}"])


@pytest.mark.parametrize("value", ["internal.pfx", {"password": PASSWORD}, [PASSWORD], {"pfx": ""}])
def test_invalid_value_certificate_spec(pki, value):
    inv = set_cert(pki.inventory(), "internal", value, hosts=["edge01"])
    check(inv, [(E, "invalid_value", "edge01", "sfb_edge_certificates.internal")],
          needles=["{pfx: <path to .pfx>, password: <vaulted password>}"])


def test_empty_certificate_variables_are_skipped(pki):
    inv = pki.inventory()
    inv["edge01"]["sfb_edge_certificates"] = {"root_ca": []}
    inv["edge02"]["sfb_edge_certificates"] = {}
    assert run(inv) == []
    inv["edge02"]["sfb_edge_certificates"] = None
    assert run(inv) == []


EMPTY = ("is present but empty, so no external certificate is configured; give {pfx: <path to .pfx>, password: "
         "<vaulted password>} indented under external:, or remove the key")


@pytest.mark.parametrize("empty", [None, {}])
def test_an_empty_external_or_internal_is_an_error(pki, empty):
    """``external:`` left empty gave rc 0 and no finding: the external certificate was silently not configured
    (issue 18, point 13)."""
    inv = pki.inventory()
    inv["edge01"]["sfb_edge_certificates"]["external"] = empty
    inv["edge02"]["sfb_edge_certificates"]["internal"] = empty
    findings = run(inv, read_certificates=False)
    assert [(f["severity"], f["code"], f["host"], f["variable"], f["message"]) for f in findings] == [
        (E, "invalid_value", "edge01", "sfb_edge_certificates.external", EMPTY),
        (E, "invalid_value", "edge02", "sfb_edge_certificates.internal", EMPTY.replace("external", "internal"))]
    assert keys(run(inv)) == sorted([(E, "invalid_value", "edge01", "sfb_edge_certificates.external"),
                                     (E, "invalid_value", "edge02", "sfb_edge_certificates.internal")])


MISPLACED = ("is directly under sfb_edge_certificates, where nothing reads it: pfx and password belong to one "
             "certificate; indent them under external: (the Access/Web Conferencing/A/V certificate) or internal:, as "
             "in sfb_edge_certificates: {external: {pfx: <path to .pfx>, password: <vaulted password>}, internal: "
             "{pfx: ..., password: ...}, root_ca: [<CA certificate paths>]}")


def test_a_pfx_and_password_one_level_too_high_are_errors(pki):
    """The YAML of the issue: pfx and password indented at the level of external:, which is left empty."""
    inv = pki.inventory()
    inv["edge01"]["sfb_edge_certificates"] = {"root_ca": [pki.root], "internal": spec(pki.internal), "external": None,
                                              "pfx": pki.external, "password": PASSWORD}
    findings = [f for f in run(inv) if f["host"] == "edge01"]
    assert [(f["code"], f["variable"], f["message"]) for f in findings] == [
        ("invalid_value", "sfb_edge_certificates.external",
         EMPTY.replace("configured;", "configured (its pfx/password are one level up, directly under "
                                      "sfb_edge_certificates?);")),
        ("invalid_value", "sfb_edge_certificates.password", MISPLACED),
        ("invalid_value", "sfb_edge_certificates.pfx", MISPLACED)]
    # the correct nesting passes
    inv["edge01"]["sfb_edge_certificates"] = {"root_ca": [pki.root], "internal": spec(pki.internal),
                                              "external": spec(pki.external)}
    assert run(inv) == []


# --------------------------------------------------------------------------- the password stays secret

def test_password_never_in_any_message_or_plan_error(pki, tmp_path):
    """Every certificate problem at once, each with the password nearby; run() checks every message."""
    inv = pki.inventory()
    certificates = inv["edge01"]["sfb_edge_certificates"]
    certificates["root_ca"] = [pki.pem("leaf.pem"), str(tmp_path / "missing-root.pem")]
    certificates["internal"] = spec(pki.pem("bad.pem", key=pki.keys.weak, eku=(CLIENT_AUTH,), cn="x.example.com",
                                            sans=(), not_after=NOW - datetime.timedelta(days=1)))
    certificates["external"] = spec(pki.external, password=PASSWORD + "x")
    inv["edge02"]["sfb_edge_certificates"]["internal"] = {"password": PASSWORD}
    inv["edge02"]["sfb_edge_certificates"]["external"] = spec(str(tmp_path / "missing.pfx"))
    findings = run(inv)
    assert codes(findings) == sorted(["certificate_expired", "certificate_eku", "certificate_key_too_small",
                                      "certificate_no_private_key", "certificate_not_ca", "certificate_san_missing",
                                      "certificate_unreadable", "invalid_value"])
    with pytest.raises(plan.PlanError) as info:
        plan.build(inv, today=NOW)
    assert PASSWORD not in str(info.value)
    assert PASSWORD[:-1] not in str(info.value)


# --------------------------------------------------------------------------- odd values are findings, not exceptions

# Regression: a scalar root_ca raised TypeError instead of a finding.
@pytest.mark.parametrize("root_ca", [5, True])
def test_root_ca_scalar_is_a_finding(pki, root_ca):
    inv = set_cert(pki.inventory(), "root_ca", root_ca, hosts=["edge01"])
    findings = run(inv)
    assert [(f["code"], f["host"], f["variable"]) for f in findings] == [
        ("invalid_value", "edge01", "sfb_edge_certificates.root_ca")]


# Regression: a NUL or a lone surrogate in a path or password raised ValueError out of validate().
@pytest.mark.parametrize("kind, value, variable", [
    ("internal", spec("bad\x00.pfx"), "sfb_edge_certificates.internal.pfx"),
    ("root_ca", ["bad\x00.pem"], "sfb_edge_certificates.root_ca[0]"),
    ("root_ca", ["\udd00.pem"], "sfb_edge_certificates.root_ca[0]"),
    ("internal", lambda pki: spec(pki.internal, password="\ud800"), "sfb_edge_certificates.internal.pfx"),
], ids=["nul-in-pfx-path", "nul-in-root-path", "surrogate-in-root-path", "surrogate-in-password"])
def test_unusable_characters_are_unreadable_not_raised(pki, kind, value, variable):
    inv = set_cert(pki.inventory(), kind, value(pki) if callable(value) else value, hosts=["edge01"])
    check(inv, [(E, "certificate_unreadable", "edge01", variable)])


# --------------------------------------------------------------------------- garbage never raises

TEXT = st.text(max_size=12)  # any code point, NUL and lone surrogates included
SCALARS = st.none() | st.booleans() | st.integers() | TEXT | st.sampled_from(["", "/nonexistent.pfx", "x.pem"])
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.sampled_from(["pfx", "password", "x"]) | TEXT, inner, max_size=3), max_leaves=8)
ROOTS = VALUES | st.lists(VALUES, max_size=3)


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_garbage_certificate_specs_never_raise(pki, data):
    inv = pki.inventory()
    for host in HOSTS:
        certificates = inv[host]["sfb_edge_certificates"]
        if data.draw(st.booleans(), label="replace root_ca"):
            certificates["root_ca"] = data.draw(ROOTS, label="root_ca")
        for kind in ("internal", "external"):
            choice = data.draw(st.sampled_from(["keep", "garbage", "pfx", "password"]), label=kind)
            if choice == "garbage":
                certificates[kind] = data.draw(VALUES, label=kind)
            elif choice in ("pfx", "password"):
                certificates[kind][choice] = data.draw(VALUES, label=kind + "." + choice)
    findings = run(inv)
    assert isinstance(findings, list)
    for f in findings:
        assert f["code"] in ("invalid_value", "certificate_unreadable"), f
        assert f["variable"].startswith("sfb_edge_certificates"), f
        assert f["host"] in HOSTS and f["pool"] == POOL and f["severity"] == E, f


def test_certificate_not_yet_valid(pki):
    path = pki.pfx("future.pfx", not_before=NOW + datetime.timedelta(days=3))
    inv = set_cert(pki.inventory(), "internal", spec(path), hosts=["edge01"])
    check(inv, [(E, "certificate_not_yet_valid", "edge01", "sfb_edge_certificates.internal.pfx")],
          needles=[path, "valid only from"])
    # one day ago is fine
    path = pki.pfx("started.pfx", not_before=NOW - datetime.timedelta(days=1))
    check(set_cert(pki.inventory(), "internal", spec(path), hosts=["edge01"]), [])


def test_certificate_untrusted_internal(pki):
    path = pki.pfx("selfsigned.pfx", self_signed=True)
    inv = set_cert(pki.inventory(), "internal", spec(path), hosts=["edge02"])
    check(inv, [(E, "certificate_untrusted", "edge02", "sfb_edge_certificates.internal.pfx")],
          needles=[path, "root_ca", "issuer CN=" + POOL])
    # without root_ca there is nothing to check the chain against
    inv = set_cert(pki.inventory(), "internal", spec(path), hosts=["edge02"])
    inv["edge02"]["sfb_edge_certificates"].pop("root_ca")
    check(inv, [])


# --------------------------------------------------------------------------- issue 9, point 17: regular files only, bounded read

def guarded(func, seconds=20):
    """Run ``func()`` in a forked child with an alarm and an address-space limit, return its result.

    A FIFO path used to block ``open()`` for ever and /dev/zero to read until memory ran out: the
    child is killed by SIGALRM (or gets MemoryError) instead of hanging or swapping the test machine.
    """
    import multiprocessing
    import resource
    import signal

    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)

    def target():
        try:
            with open("/proc/self/status", encoding="ascii") as handle:
                vm_kib = int([line for line in handle if line.startswith("VmSize:")][0].split()[1])
            limit = vm_kib * 1024 + 512 * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (OSError, IndexError, ValueError):
            pass
        signal.alarm(seconds)
        try:
            sender.send(("ok", func()))
        except BaseException as exc:  # pylint: disable=broad-exception-caught
            sender.send(("raised", repr(exc)))

    proc = ctx.Process(target=target)
    proc.start()
    sender.close()
    try:
        if not receiver.poll(seconds + 10):
            pytest.fail("still running after %d s (hangs on a FIFO or a device?)" % seconds)
        status, value = receiver.recv()
    except EOFError:
        pytest.fail("the check died (exit code %s): it hung until SIGALRM or ran out of memory" % proc.exitcode)
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
    assert status == "ok", value
    return value


def test_certificate_path_that_is_a_fifo(pki, tmp_path):
    (tmp_path / "special").mkdir()
    fifo = tmp_path / "special" / "internal.pfx"
    os.mkfifo(fifo)
    inv = set_cert(pki.inventory(), "internal", spec(str(fifo)), hosts=["edge01"])
    findings = guarded(lambda: run(inv))
    assert keys(findings) == [(E, "certificate_unreadable", "edge01", "sfb_edge_certificates.internal.pfx")]
    assert findings[0]["message"] == (
        "%s is a FIFO (named pipe), not a regular file; give the path of the certificate file itself; check the path "
        "and sfb_edge_certificates.internal.password (keep it in Ansible Vault)" % fifo)


@pytest.mark.parametrize("device, kind", [("/dev/zero", "a character device"), ("/dev/null", "a character device")])
def test_certificate_path_that_is_a_device(pki, device, kind):
    if not os.path.exists(device):
        pytest.skip("no %s here" % device)
    inv = set_cert(pki.inventory(), "root_ca", [pki.root, device], hosts=["edge02"])
    findings = guarded(lambda: run(inv))
    assert keys(findings) == [(E, "certificate_unreadable", "edge02", "sfb_edge_certificates.root_ca[1]")]
    assert findings[0]["message"] == ("%s is %s, not a regular file; give the path of the certificate file itself; give "
                                      "the path of the CA certificate (PEM or DER) on the controller" % (device, kind))


def test_certificate_path_that_is_a_directory_or_a_link_to_a_fifo(pki, tmp_path):
    tmp_path = tmp_path / "special"
    tmp_path.mkdir()
    os.mkfifo(tmp_path / "pipe")
    os.symlink(tmp_path / "pipe", tmp_path / "external.pfx")
    inv = set_cert(pki.inventory(), "internal", spec(str(tmp_path)), hosts=["edge01"])
    set_cert(inv, "external", spec(str(tmp_path / "external.pfx")), hosts=["edge01"])
    findings = guarded(lambda: run(inv))
    assert [(f["variable"], f["message"].split(";")[0]) for f in findings] == [
        ("sfb_edge_certificates.external.pfx", "%s is a FIFO (named pipe), not a regular file" % (tmp_path / "external.pfx")),
        ("sfb_edge_certificates.internal.pfx", "%s is a directory, not a regular file" % tmp_path)]


def test_certificate_file_larger_than_the_limit(pki, tmp_path):
    big = tmp_path / "huge.pfx"
    with open(big, "wb") as handle:
        handle.truncate(certs.MAX_FILE_BYTES + 1)  # sparse: costs no disk
    inv = set_cert(pki.inventory(), "internal", spec(str(big)), hosts=["edge01"])
    findings = guarded(lambda: run(inv))
    assert keys(findings) == [(E, "certificate_unreadable", "edge01", "sfb_edge_certificates.internal.pfx")]
    assert findings[0]["message"].startswith(
        "%s is larger than 1 MiB, the limit for a certificate or PFX file (those are a few KiB); check the path" % big)


def test_certificate_file_at_the_limit_is_read(pki, tmp_path):
    assert certs.MAX_FILE_BYTES == 1024 * 1024
    path = tmp_path / "padded.pem"
    pem = open(pki.root, "rb").read()
    path.write_bytes(pem + b"\n" * (certs.MAX_FILE_BYTES - len(pem)))
    assert certs.read_file(str(path)) == path.read_bytes()
    assert certs.load_certificate(str(path))[0].subject.rfc4514_string() == "CN=Example Test Root CA"


# --------------------------------------------------------------------------- issue 9, point 6: PFX encryption vs the target OS

AES = "PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC)"
TDES = "pbeWithSHAAnd3-KeyTripleDES-CBC"


def test_pfx_encryption_is_read_from_the_asn1(pki):
    aes = certs.pfx_file_encryption(pki.pfx("aes.pfx", encryption="aes"))
    assert aes == {"key": [AES], "certificates": [AES], "mac": "SHA-256", "pbes2": [AES]}
    legacy = certs.pfx_file_encryption(pki.pfx("legacy.pfx", encryption="3des"))
    assert legacy == {"key": [TDES], "certificates": [TDES], "mac": "SHA-1", "pbes2": []}
    # a certificate-only PFX, and one without a password (plain key bag, no encrypted certificates)
    assert certs.pfx_file_encryption(pki.pfx("cert-only.pfx", with_key=False)) == {
        "key": [], "certificates": [AES], "mac": "SHA-256", "pbes2": [AES]}
    assert certs.pfx_file_encryption(pki.pfx("no-password.pfx", password=None)) == {
        "key": ["none (a plain key bag)"], "certificates": [], "mac": "SHA-256", "pbes2": []}
    assert certs.pfx_file_encryption(pki.root) is None  # not a .pfx
    assert certs.pfx_encryption(open(pki.root, "rb").read()) is None


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_pfx_encryption_never_raises_on_damaged_files(pki, data):
    original = open(pki.internal, "rb").read()
    cut = data.draw(st.integers(0, len(original)), label="cut")
    flips = data.draw(st.lists(st.tuples(st.integers(0, len(original) - 1), st.integers(0, 255)), max_size=4),
                      label="flips")
    damaged = bytearray(original[:cut])
    for pos, value in flips:
        if pos < len(damaged):
            damaged[pos] = value
    result = certs.pfx_encryption(bytes(damaged))
    assert result is None or set(result) == {"key", "certificates", "mac", "pbes2"}
    noise = certs.pfx_encryption(data.draw(st.binary(max_size=64), label="noise"))
    assert noise is None or set(noise) == {"key", "certificates", "mac", "pbes2"}


def pfx_inventory(pki, version, encryption):
    inv = inventory_data.set_pool(pki.inventory(), "sfb_edge_version", version)
    set_cert(inv, "internal", spec(pki.pfx("internal-%s.pfx" % encryption, encryption=encryption)))
    set_cert(inv, "external", spec(pki.ext_pfx("external-%s.pfx" % encryption, encryption=encryption)))
    return inv


@pytest.mark.parametrize("version, severity", [("lync2013", E), ("sfb2015", W), ("sfb2019", None), ("sfbse", None)])
@pytest.mark.parametrize("encryption", ["aes", "3des"])
def test_pfx_encryption_unsupported_by_the_products_os(pki, version, severity, encryption):
    inv = pfx_inventory(pki, version, encryption)
    expected = []
    if severity and encryption == "aes":
        expected = [(severity, "pfx_encryption_unsupported", host, "sfb_edge_certificates.%s.pfx" % kind)
                    for host in HOSTS for kind in ("internal", "external")]
    assert keys(run(inv)) == sorted(expected)


def test_pfx_encryption_unsupported_message(pki):
    inv = pfx_inventory(pki, "lync2013", "aes")
    path = inv["edge01"]["sfb_edge_certificates"]["internal"]["pfx"]
    [finding] = [f for f in run(inv) if f["host"] == "edge01" and f["variable"] == "sfb_edge_certificates.internal.pfx"]
    assert finding["message"] == (
        "%s is encrypted with PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) (private key: PBES2 (PBKDF2-HMAC-SHA256, "
        "AES-256-CBC); certificates: PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC); MAC: SHA-256), the default of OpenSSL 3; "
        "Windows before Server 2019 / Windows 10 1709 cannot import it and reports 'The specified network password is "
        "not correct'. Lync Server 2013 runs on Windows Server 2008 R2, 2012 or 2012 R2, none of which can import it: "
        "re-export it with the TripleDES encryption every Windows reads (OpenSSL 3: openssl pkcs12 -in %s -out tmp.pem, "
        "then openssl pkcs12 -export -legacy -macalg sha1 -in tmp.pem -out <new>.pfx, then delete tmp.pem; or export it "
        "again in Windows with 'TripleDES-SHA1' encryption) and point sfb_edge_certificates at the new file"
        % (path, path))
    with pytest.raises(plan.PlanError):
        plan.build(inv, today=NOW)
    # SfB 2015: a warning with its own reason; the plan is built
    inv = pfx_inventory(pki, "sfb2015", "aes")
    inv = {h: v for h, v in inv.items() if h == "edge01"}
    inventory_data.set_pool(inv, "sfb_edge_load_balancing", "none")
    inventory_data.set_pool(inv, "sfb_edge_hlb_vips", None)
    found = [f for f in run(inv) if f["code"] == "pfx_encryption_unsupported"]
    assert [f["severity"] for f in found] == [W, W]
    assert ("Skype for Business Server 2015 usually runs on Windows Server 2012 R2 or 2016, which cannot import it "
            "(only Windows Server 2019, supported from CU9 on, can): re-export it") in found[0]["message"]
    assert POOL in plan.build(inv, today=NOW)


def _import_plan(pki, encryption, computer):
    from ansible_collections.sfb.edge.plugins.plugin_utils import _desired as desired, _drift as drift

    inv = pfx_inventory(pki, "sfb2019", encryption)  # SfB 2019: no validation finding, the gathered build decides
    assert run(inv) == []
    goal = desired.build(inv, "edge01", today=NOW)
    res = drift.certificates(goal, {"certificates": {"Root": [], "CA": [], "My": []}, "computer": computer})
    imported = [c["variable"] for call in res["calls"] for c in call["args"]["certificates"]]
    return res, imported


@pytest.mark.parametrize("build", [9600, 14393, 16298])
def test_aes_pfx_is_not_imported_on_an_old_windows_build(pki, build):
    res, imported = _import_plan(pki, "aes", {"os_build": build})
    assert imported == ["sfb_edge_certificates.root_ca[0]"]
    assert [p["variable"] for p in res["problems"]] == [
        "sfb_edge_certificates.internal.pfx", "sfb_edge_certificates.external.pfx"]
    name = {9600: "Windows Server 2012 R2", 14393: "Windows Server 2016", 16298: "Windows Server 2016"}[build]
    path = str(pki.dir / "internal-aes.pfx")
    assert res["problems"][0]["message"].startswith(
        "%s is encrypted with PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) (private key: PBES2 (PBKDF2-HMAC-SHA256, "
        "AES-256-CBC); certificates: PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC); MAC: SHA-256); this host runs %s (build "
        "%d), which cannot import it (Windows reports 'The specified network password is not correct'), so it is not "
        "imported: re-export it with the TripleDES encryption every Windows reads (OpenSSL 3: openssl pkcs12 -in %s "
        % (path, name, build, path))
    assert PASSWORD not in repr(res)


@pytest.mark.parametrize("encryption, computer", [("aes", {"os_build": 16299}), ("aes", {"os_build": 17763}),
                                                  ("3des", {"os_build": 9600}), ("3des", {}), ("3des", {"os_build": None})])
def test_pfx_is_imported_where_windows_can_read_it(pki, encryption, computer):
    res, imported = _import_plan(pki, encryption, computer)
    assert imported == ["sfb_edge_certificates.root_ca[0]", "sfb_edge_certificates.internal",
                        "sfb_edge_certificates.external"]
    assert res["problems"] == [] and res["notes"] == []


@pytest.mark.parametrize("computer", [{}, {"os_build": None}, {"os_build": "14393"}, {"os_build": True}])
def test_aes_pfx_with_the_os_build_not_read_is_a_note(pki, computer):
    res, imported = _import_plan(pki, "aes", computer)
    assert len(imported) == 3 and res["problems"] == []
    assert res["notes"] == [
        "%s (sfb_edge_certificates.%s) is encrypted with PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC), which Windows before "
        "Server 2019 cannot import, and this host's OS build was not read: re-gather with this collection's edge_facts"
        % (pki.dir / ("%s-aes.pfx" % kind), kind) for kind in ("internal", "external")]
