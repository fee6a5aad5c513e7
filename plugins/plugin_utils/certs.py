# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side certificate checks (files named in ``sfb_edge_certificates``).

Passwords are used to open PFX files and never appear in a finding.
"""

from __future__ import annotations

import datetime
import os
import stat

from ansible_collections.sfb.edge.plugins.plugin_utils import netcalc

MIN_RSA_BITS = 2048
# A certificate, a CA bundle or a PFX with its chain is a few KiB; nothing sane comes near this.
MAX_FILE_BYTES = 1024 * 1024


class CertificateError(Exception):
    pass


_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _not_regular(mode):
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return "not a regular file"


def _size_text(size):
    return "%d MiB" % (size // 1048576) if size % 1048576 == 0 else "%d bytes" % size


def read_file(path, limit=MAX_FILE_BYTES):
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    A FIFO or a device would block the run or never end (/dev/zero): the path is checked with
    ``os.stat`` before it is opened, opened non-blocking (a FIFO without a writer does not wait)
    and checked again with ``fstat`` on the open descriptor, so a file swapped in between is caught.

    :raises CertificateError: naming the file, what it is, or the size limit.
    """
    def refuse(kind):
        return CertificateError("%s is %s, not a regular file; give the path of the certificate file itself" % (path, kind))

    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise refuse(_not_regular(info.st_mode))
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
                     | getattr(os, "O_BINARY", 0))
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise CertificateError("cannot read %r: %s" % (path, getattr(exc, "strerror", None) or exc)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise refuse(_not_regular(info.st_mode))
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise CertificateError("cannot read %r: %s" % (path, exc.strerror or exc)) from None
    finally:
        os.close(fd)
    if size > limit:
        raise CertificateError("%s is larger than %s, the limit for a certificate or PFX file (those are a few KiB); "
                               "check the path" % (path, _size_text(limit)))
    return b"".join(chunks)


def load_certificate(path, password=None):
    """Read a PFX (PKCS#12), PEM or DER file.

    :returns: ``(certificate, private_key_or_None)``
    :raises CertificateError: with a message naming the file (never the password).
    """
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import pkcs12

    if not isinstance(path, str) or not path:
        raise CertificateError("no file path given")
    data = read_file(path)
    if path.lower().endswith((".pfx", ".p12")):
        try:
            secret = None if password in (None, "") else str(password).encode("utf-8")
            key, cert, extra = pkcs12.load_key_and_certificates(data, secret)
        except (ValueError, TypeError):
            raise CertificateError("cannot open PFX %s: wrong password or not a PKCS#12 file" % path) from None
        if cert is None and key is None and extra:
            # a PFX exported without its key carries the certificate among the "additional" ones
            cert = extra[0]
        if cert is None:
            raise CertificateError("PFX %s holds no certificate" % path)
        return cert, key
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(data), None
        return x509.load_der_x509_certificate(data), None
    except ValueError:
        raise CertificateError("%s is not a PEM or DER certificate" % path) from None


def dns_names(cert):
    """The DNS names a TLS client checks: the SAN DNS names, or the subject CN only when the
    certificate has no SAN extension (clients ignore the CN when a SAN is present)."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return [str(a.value).lower() for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    return [n.lower() for n in ext.value.get_values_for_type(x509.DNSName)]


def san_names(cert):
    """The SAN DNS names only, lower-cased."""
    from cryptography import x509

    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    return [n.lower() for n in ext.value.get_values_for_type(x509.DNSName)]


def covers(names, wanted):
    """True when a certificate with DNS ``names`` is valid for ``wanted`` (one-label wildcards)."""
    wanted = wanted.lower()
    for name in names:
        if name == wanted:
            return True
        if name.startswith("*.") and "." in wanted and wanted.split(".", 1)[1] == name[2:]:
            return True
    return False


def _key_info(key_or_cert):
    from cryptography.hazmat.primitives.asymmetric import rsa

    public = key_or_cert.public_key()
    if isinstance(public, rsa.RSAPublicKey):
        return "RSA", public.key_size
    return type(public).__name__.replace("PublicKey", "").lstrip("_"), None


def _public_bytes(cert):
    from cryptography.hazmat.primitives import serialization

    return cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _has_eku(cert, oid):
    from cryptography import x509

    try:
        ext = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        return None
    return oid in ext.value


def check_pool(col, pool, today=None):
    """Check the certificate files of every server of ``pool`` and add findings to ``col``."""
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID

    now = today or datetime.datetime.now(datetime.timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=datetime.timezone.utc)
    warn_days = pool.setting("sfb_edge_cert_expiry_warn_days") or 0
    external_keys = {}
    wanted_external = None
    if pool.sip_domains and {"access", "webconf"} <= set(pool.external_fqdns):
        wanted_external = netcalc.san_list(
            pool.sip_domains, pool.external_fqdns, xmpp=pool.xmpp,
            include_av=bool(pool.setting("sfb_edge_san_include_av")) and "av" in pool.external_fqdns)

    for server in pool.servers:
        certs = server.certificates
        if not certs:
            continue
        h = server.name

        def err(code, var, msg, h=h):
            col.error(code, h, var, msg, pool=pool.fqdn)

        def warn(code, var, msg, h=h):
            col.warning(code, h, var, msg, pool=pool.fqdn)

        roots = certs.get("root_ca") or []
        if isinstance(roots, str):
            roots = [roots]
        if not isinstance(roots, list):
            err("invalid_value", "sfb_edge_certificates.root_ca", "%r must be a list of CA certificate paths on the "
                "controller" % (roots,))
            roots = []
        cas = []
        for i, path in enumerate(roots):
            var = "sfb_edge_certificates.root_ca[%d]" % i
            try:
                cert, _key = load_certificate(path)
            except CertificateError as exc:
                err("certificate_unreadable", var, "%s; give the path of the CA certificate (PEM or DER) on the "
                    "controller" % exc)
                continue
            try:
                is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
            except x509.ExtensionNotFound:
                is_ca = False
            if not is_ca:
                err("certificate_not_ca", var, "%s (%s) is not a CA certificate; give the internal root or "
                    "intermediate CA certificate" % (path, cert.subject.rfc4514_string()))
            else:
                cas.append(cert)
            _check_expiry(err, warn, var, path, cert, now, warn_days)

        for kind in ("internal", "external"):
            spec = certs.get(kind)
            if not spec:
                continue
            var = "sfb_edge_certificates.%s" % kind
            if not isinstance(spec, dict) or not spec.get("pfx"):
                err("invalid_value", var, "must be a dict {pfx: <path to .pfx>, password: <vaulted password>}")
                continue
            path = spec.get("pfx")
            try:
                cert, key = load_certificate(path, spec.get("password"))
            except CertificateError as exc:
                err("certificate_unreadable", var + ".pfx", "%s; check the path and sfb_edge_certificates.%s.password "
                    "(keep it in Ansible Vault)" % (exc, kind))
                continue
            if key is None:
                err("certificate_no_private_key", var + ".pfx", "%s holds no private key; export the certificate "
                    "with its private key (PFX) from the machine that made the request" % path)
            algo, bits = _key_info(cert)
            if algo != "RSA":
                err("certificate_key_too_small", var + ".pfx", "%s has a %s key; Lync/Skype for Business edge "
                    "certificates need an RSA key of at least %d bits" % (path, algo, MIN_RSA_BITS))
            elif bits < MIN_RSA_BITS:
                err("certificate_key_too_small", var + ".pfx", "%s has an RSA key of %d bits; request a new "
                    "certificate with at least %d bits" % (path, bits, MIN_RSA_BITS))
            _check_expiry(err, warn, var + ".pfx", path, cert, now, warn_days)
            if _has_eku(cert, ExtendedKeyUsageOID.SERVER_AUTH) is False:
                err("certificate_eku", var + ".pfx", "%s lacks the Server Authentication EKU; request it with the "
                    "web server / Lync template" % path)
            names = dns_names(cert)
            if kind == "internal":
                wanted = [pool.fqdn]
                if cas and not any(_issued_by(cert, ca) for ca in cas):
                    err("certificate_untrusted", var + ".pfx", "%s (issuer %s) was not issued by any CA in "
                        "sfb_edge_certificates.root_ca; add the issuing root and intermediate CA certificates, or "
                        "request the internal certificate from the internal CA" % (path, cert.issuer.rfc4514_string()))
            else:
                wanted = wanted_external or []
                if _has_eku(cert, ExtendedKeyUsageOID.CLIENT_AUTH) is False:
                    warn("certificate_no_client_auth", var + ".pfx", "%s lacks the Client Authentication EKU; "
                         "federation uses mutual TLS and some partners reject it (public CAs stopped issuing "
                         "clientAuth in 2025-2026)" % path)
                external_keys.setdefault(_public_bytes(cert), []).append(h)
            missing = [n for n in wanted if not covers(names, n)]
            if missing:
                err("certificate_san_missing", var + ".pfx", "%s does not cover %s (it has: %s); request a "
                    "certificate with the names of the plan's certificates.%s.san"
                    % (path, ", ".join(missing), ", ".join(names) or "no DNS names", kind))
    if len(external_keys) > 1:
        groups = "; ".join(", ".join(hosts) for hosts in external_keys.values())
        for hosts in external_keys.values():
            for h in hosts:
                col.error("certificate_key_mismatch", h, "sfb_edge_certificates.external.pfx", "the servers of pool "
                          "%s use different external keys (%s); every server of a pool needs the same external "
                          "certificate and private key: export one PFX and use it on all" % (pool.fqdn, groups),
                          pool=pool.fqdn)


def _issued_by(cert, ca):
    try:
        cert.verify_directly_issued_by(ca)
    except Exception:  # pylint: disable=broad-exception-caught  # any failure means "not this CA"
        return False
    return True


def _check_expiry(err, warn, var, path, cert, now, warn_days):
    not_after = cert.not_valid_after_utc
    not_before = cert.not_valid_before_utc
    if not_before > now:
        err("certificate_not_yet_valid", var, "%s is valid only from %s; wait, or have it reissued with a start date "
            "in the past" % (path, not_before.date().isoformat()))
    if not_after <= now:
        err("certificate_expired", var, "%s expired on %s; renew it" % (path, not_after.date().isoformat()))
    elif not_after <= now + datetime.timedelta(days=warn_days):
        warn("certificate_expiring", var, "%s expires on %s (within %d days); renew it soon"
             % (path, not_after.date().isoformat(), warn_days))
