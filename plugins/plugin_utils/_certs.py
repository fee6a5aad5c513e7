# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side certificate checks (files named in ``sfb_edge_certificates``).

Passwords are used to open PFX files and never appear in a finding.
"""

from __future__ import annotations

import hashlib
import os
import stat

from ansible_collections.sfb.edge.plugins.plugin_utils import _products, _expiry as expiry, _netcalc as netcalc
from ansible_collections.sfb.edge.plugins.plugin_utils._excerpt import excerpt as _x

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


# Files read and certificates parsed, so that each file is read and each PFX opened once per run (per
# controller process), not once per server and check: keyed by the file's identity and change times,
# and by the content and a digest of the password.
_CACHE_ITEMS = 256
_READ = {}
_LOADED = {}


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
        seen = (path, info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns, limit)
        if seen in _READ:
            return _READ[seen]  # the same file unchanged: every server of a pool names the same PFX
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
                     | getattr(os, "O_BINARY", 0))
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise CertificateError("cannot read %s: %s" % (_x(path, limit=240), getattr(exc, "strerror", None) or exc)) from None
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
        raise CertificateError("cannot read %s: %s" % (_x(path, limit=240), exc.strerror or exc)) from None
    finally:
        os.close(fd)
    if size > limit:
        raise CertificateError("%s is larger than %s, the limit for a certificate or PFX file (those are a few KiB); "
                               "check the path" % (path, _size_text(limit)))
    data = b"".join(chunks)
    if (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns) == seen[1:6]:
        if len(_READ) >= _CACHE_ITEMS:
            _READ.clear()
        _READ[seen] = data
    return data


def load_certificate(path, password=None):
    """Read a PFX (PKCS#12), PEM or DER file.

    :returns: ``(certificate, private_key_or_None)``
    :raises CertificateError: with a message naming the file (never the password).
    """
    if not isinstance(path, str) or not path:
        raise CertificateError("no file path given")
    data = read_file(path)
    digest = hashlib.sha256(str(password).encode("utf-8", "surrogatepass")).digest() if password not in (None, "") else None
    seen = (path, data, digest)
    if seen not in _LOADED:
        if len(_LOADED) >= _CACHE_ITEMS:
            _LOADED.clear()
        try:
            _LOADED[seen] = _load(path, data, password)
        except CertificateError as exc:
            _LOADED[seen] = exc
    if isinstance(_LOADED[seen], CertificateError):
        raise CertificateError(str(_LOADED[seen]))
    return _LOADED[seen]


def _load(path, data, password):
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import pkcs12

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


# ----------------------------------------------------------------------------------- PFX encryption
# Windows before Windows 10 1709 / Server 2019 (build 16299; Server 2016 is 14393, 2019 is 17763) cannot
# decrypt PBES2 (PBKDF2 + AES, the default of OpenSSL 3 and of cryptography's BestAvailableEncryption)
# and says "The specified network password is not correct".  The PKCS#12 PBE (3DES, RC2, RC4) it can.
PBES2_MIN_BUILD = 16299
_PBES2 = "1.2.840.113549.1.5.13"
_PBKDF2 = "1.2.840.113549.1.5.12"
_OID_NAMES = {
    "1.2.840.113549.1.12.1.1": "pbeWithSHAAnd128BitRC4",
    "1.2.840.113549.1.12.1.2": "pbeWithSHAAnd40BitRC4",
    "1.2.840.113549.1.12.1.3": "pbeWithSHAAnd3-KeyTripleDES-CBC",
    "1.2.840.113549.1.12.1.4": "pbeWithSHAAnd2-KeyTripleDES-CBC",
    "1.2.840.113549.1.12.1.5": "pbeWithSHAAnd128BitRC2-CBC",
    "1.2.840.113549.1.12.1.6": "pbeWithSHAAnd40BitRC2-CBC",
    "1.2.840.113549.1.5.3": "pbeWithMD5AndDES-CBC",
    "1.2.840.113549.1.5.10": "pbeWithSHA1AndDES-CBC",
    "2.16.840.1.101.3.4.1.2": "AES-128-CBC",
    "2.16.840.1.101.3.4.1.22": "AES-192-CBC",
    "2.16.840.1.101.3.4.1.42": "AES-256-CBC",
    "1.2.840.113549.3.7": "DES-EDE3-CBC",
    "1.2.840.113549.2.7": "HMAC-SHA1",
    "1.2.840.113549.2.9": "HMAC-SHA256",
    "1.2.840.113549.2.10": "HMAC-SHA384",
    "1.2.840.113549.2.11": "HMAC-SHA512",
    "1.3.14.3.2.26": "SHA-1",
    "2.16.840.1.101.3.4.2.1": "SHA-256",
    "2.16.840.1.101.3.4.2.2": "SHA-384",
    "2.16.840.1.101.3.4.2.3": "SHA-512",
}
_DATA, _ENCRYPTED_DATA = "1.2.840.113549.1.7.1", "1.2.840.113549.1.7.6"
_KEY_BAG, _SHROUDED_KEY_BAG, _SAFE_CONTENTS_BAG = ("1.2.840.113549.1.12.10.1.1", "1.2.840.113549.1.12.10.1.2",
                                                   "1.2.840.113549.1.12.10.1.6")


class _Der:
    """A minimal DER reader: enough of PKCS#12 to find the algorithm identifiers (nothing is decrypted)."""

    @staticmethod
    def items(data, start=0, end=None):
        """``[(tag, content_start, content_end)]`` of the TLVs in ``data[start:end]``."""
        end = len(data) if end is None else end
        result = []
        pos = start
        while pos < end:
            if pos + 2 > end:
                raise ValueError("truncated")
            tag, length = data[pos], data[pos + 1]
            pos += 2
            if tag & 0x1F == 0x1F:
                raise ValueError("high tag numbers are not used in PKCS#12")
            if length == 0x80:
                raise ValueError("indefinite length")
            if length & 0x80:
                count = length & 0x7F
                if count == 0 or count > 4 or pos + count > end:
                    raise ValueError("bad length")
                length = int.from_bytes(data[pos:pos + count], "big")
                pos += count
            if pos + length > end:
                raise ValueError("truncated")
            result.append((tag, pos, pos + length))
            pos += length
        return result

    @classmethod
    def sequence(cls, data, item, tag=0x30):
        if item[0] != tag:
            raise ValueError("expected tag %#x, got %#x" % (tag, item[0]))
        return cls.items(data, item[1], item[2])

    @staticmethod
    def oid(data, item):
        if item[0] != 0x06:
            raise ValueError("expected an OID")
        raw = data[item[1]:item[2]]
        if not raw:
            raise ValueError("empty OID")
        arcs, value = [], 0
        for byte in raw:
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                arcs.append(value)
                value = 0
        first = min(arcs[0] // 40, 2)
        return ".".join(str(a) for a in [first, arcs[0] - 40 * first] + arcs[1:])

    @classmethod
    def octets(cls, data, item):
        """The bytes of an OCTET STRING, primitive or constructed (BER chunks)."""
        if item[0] == 0x04:
            return data[item[1]:item[2]]
        if item[0] == 0x24:
            return b"".join(cls.octets(data, sub) for sub in cls.items(data, item[1], item[2]))
        raise ValueError("expected an OCTET STRING")


def _algorithm(data, item):
    """``(name, pbes2)`` of an AlgorithmIdentifier."""
    parts = _Der.sequence(data, item)
    oid = _Der.oid(data, parts[0])
    if oid != _PBES2:
        return _OID_NAMES.get(oid, oid), False
    kdf, scheme = _Der.sequence(data, parts[1])[:2]
    kdf_parts = _Der.sequence(data, kdf)
    kdf_name = "PBKDF2" if _Der.oid(data, kdf_parts[0]) == _PBKDF2 else _Der.oid(data, kdf_parts[0])
    prf = "HMAC-SHA1"  # the default PRF of PBKDF2
    if kdf_name == "PBKDF2" and len(kdf_parts) > 1:
        for param in _Der.sequence(data, kdf_parts[1]):
            if param[0] == 0x30:
                prf = _OID_NAMES.get(_Der.oid(data, _Der.sequence(data, param)[0]), "?")
    cipher = _Der.oid(data, _Der.sequence(data, scheme)[0])
    return "PBES2 (%s-%s, %s)" % (kdf_name, prf, _OID_NAMES.get(cipher, cipher)), True


def _bags(data, safe_contents, found, depth=0):
    if safe_contents is None:  # the DER of a SafeContents: SEQUENCE OF SafeBag
        [whole] = _Der.items(data)
        safe_contents = _Der.sequence(data, whole)
    for bag in safe_contents:
        parts = _Der.sequence(data, bag)
        bag_id = _Der.oid(data, parts[0])
        if bag_id == _SHROUDED_KEY_BAG:
            [value] = _Der.sequence(data, parts[1], tag=0xA0)
            found["key"].append(_algorithm(data, _Der.sequence(data, value)[0]))
        elif bag_id == _KEY_BAG:
            found["key"].append(("none (a plain key bag)", False))
        elif bag_id == _SAFE_CONTENTS_BAG and depth < 4:
            [value] = _Der.sequence(data, parts[1], tag=0xA0)
            _bags(data, _Der.sequence(data, value), found, depth + 1)


def pfx_encryption(data):
    """The algorithms a PKCS#12 file is protected with, read from its ASN.1 (no password needed).

    :returns: ``{"key": [names], "certificates": [names], "mac": name or None, "pbes2": [names]}``
        where ``pbes2`` lists the PBES2 (PBKDF2 + AES) algorithms, which Windows before build 16299
        cannot decrypt; None when ``data`` is not DER PKCS#12 this reader understands.
    """
    found = {"key": [], "certificates": []}
    mac = None
    try:
        top = _Der.items(data)
        if len(top) != 1:
            raise ValueError("trailing data")
        pfx = _Der.sequence(data, top[0])
        auth_safe = _Der.sequence(data, pfx[1])
        if _Der.oid(data, auth_safe[0]) != _DATA:
            return None  # public-key integrity mode: not what a PFX export makes
        [content] = _Der.sequence(data, auth_safe[1], tag=0xA0)
        safes = _Der.octets(data, content)
        [authenticated_safe] = _Der.items(safes)  # SEQUENCE OF ContentInfo
        for info in _Der.sequence(safes, authenticated_safe):
            parts = _Der.sequence(safes, info)
            kind = _Der.oid(safes, parts[0])
            if kind == _DATA:
                [inner] = _Der.sequence(safes, parts[1], tag=0xA0)
                _bags(_Der.octets(safes, inner), None, found)
            elif kind == _ENCRYPTED_DATA:
                [encrypted] = _Der.sequence(safes, parts[1], tag=0xA0)
                content_info = _Der.sequence(safes, _Der.sequence(safes, encrypted)[1])
                found["certificates"].append(_algorithm(safes, content_info[1]))
        if len(pfx) > 2:
            digest_info = _Der.sequence(data, _Der.sequence(data, pfx[2])[0])
            oid = _Der.oid(data, _Der.sequence(data, digest_info[0])[0])
            mac = _OID_NAMES.get(oid, oid)
    except (ValueError, IndexError):
        return None
    return {
        "key": [name for name, _p in found["key"]],
        "certificates": [name for name, _p in found["certificates"]],
        "mac": mac,
        "pbes2": sorted({name for name, pbes2 in found["key"] + found["certificates"] if pbes2}),
    }


def pfx_file_encryption(path):
    """:func:`pfx_encryption` of the file ``path`` (None when it is not a .pfx/.p12 file)."""
    if not isinstance(path, str) or not path.lower().endswith((".pfx", ".p12")):
        return None
    return pfx_encryption(read_file(path))


def pfx_encryption_text(info):
    """'private key: X; certificates: Y; MAC: Z' for a message."""
    parts = []
    if info["key"]:
        parts.append("private key: %s" % ", ".join(info["key"]))
    if info["certificates"]:
        parts.append("certificates: %s" % ", ".join(info["certificates"]))
    if info["mac"]:
        parts.append("MAC: %s" % info["mac"])
    return "; ".join(parts)


def pfx_fix(path):
    return ("re-export it with the TripleDES encryption every Windows reads (OpenSSL 3: openssl pkcs12 -in %s -out "
            "tmp.pem, then openssl pkcs12 -export -legacy -macalg sha1 -in tmp.pem -out <new>.pfx, then delete tmp.pem; "
            "or export it again in Windows with 'TripleDES-SHA1' encryption) and point sfb_edge_certificates at the "
            "new file" % path)


# Validation runs before anything is gathered, so the target OS follows from the product version: the
# products whose Windows cannot import an AES-encrypted PFX, with the severity and the source of each
# (_products.py ``pfx_aes``; the others are left to the check against the gathered OS build before the
# import, drift area ``certificates``).
PFX_PRODUCT_OS = _products.PFX_PRODUCT_OS


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

    now = expiry.utcnow(today)
    warn_days = pool.setting("sfb_edge_certificate_warn_days") or 0
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
            err("invalid_value", "sfb_edge_certificates.root_ca", "%s must be a list of CA certificate paths on the "
                "controller" % (_x(roots, "root_ca"),))
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
            _check_pfx_encryption(err, warn, var + ".pfx", path, pool.version)
            algo, bits = _key_info(cert)
            if algo != "RSA":
                err("certificate_key_too_small", var + ".pfx", "%s has a %s key; Lync/Skype for Business edge "
                    "certificates need an RSA key of at least %d bits" % (path, algo, MIN_RSA_BITS))
            elif bits < MIN_RSA_BITS:
                err("certificate_key_too_small", var + ".pfx", "%s has an RSA key of %d bits; request a new "
                    "certificate with at least %d bits" % (path, bits, MIN_RSA_BITS))
            _check_expiry(err, warn, var + ".pfx", path, cert, now, warn_days, kind)
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


def _check_pfx_encryption(err, warn, var, path, version):
    if version not in PFX_PRODUCT_OS:
        return
    try:
        info = pfx_file_encryption(path)
    except CertificateError:
        return  # it was read a moment ago; a file that vanished since is reported on the next run
    if not info or not info["pbes2"]:
        return
    severity, where = PFX_PRODUCT_OS[version]["severity"], PFX_PRODUCT_OS[version]["message"]
    message = ("%s is encrypted with %s (%s), the default of OpenSSL 3; Windows before Server 2019 / Windows 10 1709 "
               "cannot import it and reports 'The specified network password is not correct'. %s: %s"
               % (path, " and ".join(info["pbes2"]), pfx_encryption_text(info), where, pfx_fix(path)))
    if severity == "error":
        err("pfx_encryption_unsupported", var, message)
    else:
        warn("pfx_encryption_unsupported", var, message)


def _issued_by(cert, ca):
    try:
        cert.verify_directly_issued_by(ca)
    except Exception:  # pylint: disable=broad-exception-caught  # any failure means "not this CA"
        return False
    return True


def thumbprint(cert):
    """The Windows thumbprint (SHA-1 of the DER, upper-case hex) of a certificate."""
    from cryptography.hazmat.primitives import hashes

    return cert.fingerprint(hashes.SHA1()).hex().upper()  # nosec: the Windows thumbprint is SHA-1


def planned_expiry(path, password, now, warn_days):
    """``(not_after, status)`` of the certificate file ``path`` (read once per run, see
    :func:`load_certificate`); ``(None, unknown)`` when it cannot be read (validation says why)."""
    try:
        cert, _key = load_certificate(path, password)
    except CertificateError:
        return None, expiry.status(None, now, warn_days)
    return cert.not_valid_after_utc, expiry.status(cert.not_valid_after_utc, now, warn_days)


def _check_expiry(err, warn, var, path, cert, now, warn_days, kind=None):
    not_after = cert.not_valid_after_utc
    not_before = cert.not_valid_before_utc
    if not_before > now:
        err("certificate_not_yet_valid", var, "%s is valid only from %s; wait, or have it reissued with a start date "
            "in the past" % (path, not_before.date().isoformat()))
    info = expiry.status(not_after, now, warn_days)
    if info["status"] in expiry.IDS:
        what = "the planned certificate %s (thumbprint %s, subject %s)" % (path, thumbprint(cert),
                                                                           cert.subject.rfc4514_string())
        message = expiry.describe(info, not_after, what, kind, now)
        if info["status"] == "expired":
            err("certificate_expired", var, message)
        else:
            warn("certificate_expiring", var, message)
