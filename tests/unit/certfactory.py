# -*- coding: utf-8 -*-
"""Throwaway certificates for unit tests, made on the fly with ``cryptography``.

Nothing here is a fixture: test modules generate their keys once (RSA generation is slow) and
call these helpers to issue certificates and write PEM, DER and PFX files into ``tmp_path``.
"""

from __future__ import annotations

import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

UTC = datetime.timezone.utc
SERVER_AUTH = ExtendedKeyUsageOID.SERVER_AUTH
CLIENT_AUTH = ExtendedKeyUsageOID.CLIENT_AUTH


def rsa_key(bits=2048):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def ec_key():
    return ec.generate_private_key(ec.SECP256R1())


def certificate(key, common_name, not_before, not_after, issuer=None, sans=(), eku=(SERVER_AUTH,), ca=None):
    """Issue a certificate for ``key``.

    :param issuer: ``(ca_certificate, ca_key)``; None makes a self-signed certificate.
    :param sans: DNS names for a SubjectAlternativeName extension (none when empty).
    :param eku: ExtendedKeyUsage OIDs; None leaves the extension out (any purpose).
    :param ca: True/False adds BasicConstraints(ca=...); None leaves the extension out.
    """
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    issuer_name, signing_key = (subject, key) if issuer is None else (issuer[0].subject, issuer[1])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )
    if ca is not None:
        builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in sans]), critical=False)
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
    return builder.sign(signing_key, hashes.SHA256())


def write_pem(path, cert):
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(path)


def write_der(path, cert):
    path.write_bytes(cert.public_bytes(serialization.Encoding.DER))
    return str(path)


def write_pfx(path, cert, key, password, cas=(), encryption="aes"):
    """Write a PKCS#12 file; ``key=None`` makes a PFX that holds the certificate only.

    :param encryption: ``aes``: PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) with an SHA-256 MAC, what
        BestAvailableEncryption and OpenSSL 3 make (Windows Server 2019 and later only); ``3des``:
        pbeWithSHAAnd3-KeyTripleDES-CBC with an SHA-1 MAC, what ``openssl pkcs12 -legacy`` and the
        Windows 'TripleDES-SHA1' export make (every Windows).
    """
    if password in (None, ""):
        encryption = serialization.NoEncryption()
    elif encryption == "3des":
        encryption = (serialization.PrivateFormat.PKCS12.encryption_builder().kdf_rounds(2048)
                      .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC).hmac_hash(hashes.SHA1())
                      .build(str(password).encode("utf-8")))
    elif encryption == "aes":
        encryption = serialization.BestAvailableEncryption(str(password).encode("utf-8"))
    else:
        raise ValueError("encryption must be aes or 3des, not %r" % (encryption,))
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"sfb-edge-test", key, cert, list(cas) or None, encryption))
    return str(path)
