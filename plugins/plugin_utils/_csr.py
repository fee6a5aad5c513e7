# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Certificate requests with the plan's names (role sfb.edge.certificate_request).

Controller side only, pure Python: the certreq INF of the external and the internal certificate is
written from the plan's ``certificates.<kind>`` entry (the same SAN computation as plan.json, never
recomputed), and a certificate the CA issued is checked against that entry and the request (CSR)
before it is accepted on the edge. The edge creates the key (``certreq -new``), so the private key
never leaves it; see docs/certificate-requests.md.
"""

from __future__ import annotations

import base64
import datetime
import os
import re

from ansible_collections.sfb.edge.plugins.plugin_utils import _files, _certs as certs
from ansible_collections.sfb.edge.plugins.plugin_utils._excerpt import excerpt as _x

KINDS = ("external", "internal")
KEY_LENGTHS = (2048, 4096)
# Lync / Skype for Business need a legacy CryptoAPI key (not CNG/KSP); the SChannel provider is what
# Request-CsCertificate and the Deployment Wizard use (docs/certificate-requests.md).
PROVIDER_NAME = "Microsoft RSA SChannel Cryptographic Provider"
PROVIDER_TYPE = 12  # PROV_RSA_SCHANNEL
EKU_OIDS = {
    "Server Authentication": "1.3.6.1.5.5.7.3.1",
    "Client Authentication": "1.3.6.1.5.5.7.3.2",
}
SERVER_AUTH = EKU_OIDS["Server Authentication"]
CLIENT_AUTH = EKU_OIDS["Client Authentication"]
# A DNS name certreq can take inside "dns=<name>&" and a quoted Subject: letters, digits, '-', '.',
# and a leading '*.' label; nothing that could end the quoted value or start another SAN entry.
# \Z, not $: $ also matches before a final newline, which would end the INF's Subject line.
_DNS_NAME = re.compile(r"(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\Z")


class CsrError(ValueError):
    """A plan entry or an option that cannot make a request; the message names it and the fix."""


def _check_name(name, where):
    if not isinstance(name, str) or len(name) > 253 or not _DNS_NAME.match(name):
        raise CsrError("%s: %s is not a DNS name certreq can take (letters, digits, '-' and '.', an optional leading "
                       "'*.'); fix the inventory value it comes from (sfb_edge_external_fqdns, sfb_edge_sip_domains or "
                       "sfb_edge_pool_fqdn)" % (where, _x(name)))
    return name


def inf_text(entry, kind, pool, key_length=2048):
    """The certreq INF (policy file) of one plan certificate entry.

    :param entry: plan.json ``certificates.<kind>``: ``subject``, ``san`` (in plan order) and ``eku``
        (the plan's EKU names: Server Authentication, Client Authentication).
    :param kind: ``external`` or ``internal`` (for the header and the friendly name only).
    :param pool: the pool FQDN (header and friendly name).
    :param key_length: RSA key length, 2048 or 4096.
    :raises CsrError: on a name certreq cannot take, an unknown EKU or key length.
    """
    if kind not in KINDS:
        raise CsrError("certificate kind %s: use one of %s" % (_x(kind), ", ".join(KINDS)))
    if key_length not in KEY_LENGTHS:
        raise CsrError("certificate_request_key_length: %s is not supported; use 2048 or 4096 (Lync/Skype for Business "
                       "edges need RSA of at least 2048 bits)" % (_x(key_length),))
    where = "plan certificates.%s" % kind
    subject = _check_name(entry.get("subject"), where + ".subject")
    names = [_check_name(n, where + ".san") for n in dict.fromkeys(entry.get("san") or [subject])]
    oids = []
    for eku in entry.get("eku") or ["Server Authentication"]:
        if eku not in EKU_OIDS:
            raise CsrError("%s.eku: %s is not an EKU this collection requests (%s)" % (where, _x(eku), ", ".join(EKU_OIDS)))
        oids.append((EKU_OIDS[eku], eku))
    lines = [
        "; certreq policy file of the %s certificate of edge pool %s" % (kind, pool),
        "; written by sfb.edge.certificate_request from plan.json certificates.%s; re-run the role instead of "
        "editing it" % kind,
        "[Version]",
        'Signature = "$Windows NT$"',
        "",
        "[NewRequest]",
        'Subject = "CN=%s"' % subject,
        'FriendlyName = "sfb.edge %s %s"' % (kind, pool),
        "KeySpec = 1",
        "KeyLength = %d" % key_length,
        "KeyUsage = 0xA0",
        "HashAlgorithm = SHA256",
        "Exportable = TRUE",
        "MachineKeySet = TRUE",
        'ProviderName = "%s"' % PROVIDER_NAME,
        "ProviderType = %d" % PROVIDER_TYPE,
        "RequestType = PKCS10",
        "SMIME = FALSE",
        "UseExistingKeySet = FALSE",
        "",
        "[EnhancedKeyUsageExtension]",
    ]
    lines += ["OID = %s ; %s" % (oid, name) for oid, name in oids]
    lines += ["", "[Extensions]", '2.5.29.17 = "{text}"']
    lines += ['_continue_ = "dns=%s%s"' % (name, "&" if i < len(names) - 1 else "") for i, name in enumerate(names)]
    return "\n".join(lines) + "\n"


def requests(plans, plan_dir, request_hosts=None, kinds=KINDS, key_length=2048):
    """The certificate requests of every pool: one per pool and kind, made on one server of the pool.

    :param plans: ``{pool_fqdn: plan}`` (sfb.edge.plan).
    :param plan_dir: the plan directory; the files go to ``<plan_dir>/<pool>/certificates/``.
    :param request_hosts: ``{pool_fqdn: inventory hostname}``; default the pool's first server (by name).
    :returns: a list, sorted by pool and kind, of ``{pool, kind, host, others, subject, san, eku, inf, files:
        {inf, csr, cer}, inf_file: {path, content}, shared_across_pool}`` (``inf_file`` for
        sfb.edge.report_files); ``others`` are the pool's other servers, which get the
        certificate as a PFX exported from ``host`` (the same key on every server of a pool).
    :raises CsrError: on an unknown pool or host in ``request_hosts``, or a bad kind or key length.
    """
    request_hosts = dict(request_hosts or {})
    unknown = sorted(set(request_hosts) - set(plans))
    if unknown:
        verb = "is" if len(unknown) == 1 else "are"
        raise CsrError("certificate_request_hosts: %s %s not an edge pool of the inventory (pools: %s); key it by the "
                       "pool FQDN (sfb_edge_pool_fqdn)" % (", ".join(unknown), verb, ", ".join(sorted(plans)) or "none"))
    bad = [k for k in kinds if k not in KINDS]
    if bad or not kinds:
        raise CsrError("certificate_request_kinds: %s; give a non-empty list of %s" % (_x(list(kinds)), ", ".join(KINDS)))
    result = []
    for pool in sorted(plans):
        plan = plans[pool]
        servers = sorted(plan["pool"]["servers"])
        host = request_hosts.get(pool) or servers[0]
        if host not in servers:
            raise CsrError("certificate_request_hosts[%s]: %s is not a server of pool %s (its servers: %s); name one of "
                           "them, or leave the pool out to use the first" % (pool, _x(host), pool, ", ".join(servers)))
        try:  # the pool and host names become file names: plain names that stay in the plan directory
            folder = _files.child(_files.child(plan_dir, pool), "certificates")
            for kind in kinds:
                _files.child(folder, host, "-%s.inf" % kind)
        except _files.FilesError as exc:
            raise CsrError(str(exc)) from None
        for kind in sorted(set(kinds), key=KINDS.index):
            entry = plan["certificates"][kind]
            base = os.path.join(folder, "%s-%s" % (host, kind))
            result.append({
                "pool": pool,
                "kind": kind,
                "host": host,
                "others": [s for s in servers if s != host],
                "subject": "CN=%s" % entry["subject"],
                "san": list(dict.fromkeys(entry.get("san") or [entry["subject"]])),
                "eku": list(entry.get("eku") or ["Server Authentication"]),
                "inf": inf_text(entry, kind, pool, key_length),
                "files": {"inf": base + ".inf", "csr": base + ".csr", "cer": base + ".cer"},
                "inf_file": None,
                "shared_across_pool": len(servers) > 1,
            })
            result[-1]["inf_file"] = {"path": result[-1]["files"]["inf"], "content": result[-1]["inf"]}
    return result


# ------------------------------------------------------------------------------------------ checks
def load_csr(data):
    """A PKCS#10 request from PEM (certreq writes base64 with BEGIN NEW CERTIFICATE REQUEST) or DER."""
    from cryptography import x509

    if isinstance(data, str):
        data = data.encode("ascii", "replace")
    text = data.strip()
    if b"-----BEGIN" in text:
        # certreq writes "NEW CERTIFICATE REQUEST"; cryptography reads "CERTIFICATE REQUEST" only
        text = text.replace(b"BEGIN NEW CERTIFICATE REQUEST", b"BEGIN CERTIFICATE REQUEST")
        text = text.replace(b"END NEW CERTIFICATE REQUEST", b"END CERTIFICATE REQUEST")
        return x509.load_pem_x509_csr(text)
    try:
        return x509.load_der_x509_csr(data)
    except ValueError:
        return x509.load_der_x509_csr(base64.b64decode(text, validate=False))


def load_bundle(data):
    """Every certificate in ``data``: PEM certificates (a bundle), a PKCS#7 (PEM or DER, what a CA's
    .p7b holds) or one DER certificate, in file order. :raises ValueError: when it holds none."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import pkcs7

    if b"-----BEGIN" not in data:
        try:
            return [x509.load_der_x509_certificate(data)]
        except ValueError:
            return list(pkcs7.load_der_pkcs7_certificates(data))
    found = []
    if b"-----BEGIN PKCS7-----" in data:
        found += pkcs7.load_pem_pkcs7_certificates(data)
    if b"-----BEGIN CERTIFICATE-----" in data:
        found += x509.load_pem_x509_certificates(data)
    if not found:
        raise ValueError("no certificate")
    return found


def load_issued(data, csr=None):
    """The issued certificate in ``data`` (PEM, possibly with its chain, PKCS#7 or DER).

    With several certificates the one holding the request's public key is taken, else the first
    that is not a CA. :raises ValueError: when ``data`` holds no certificate.
    """
    return _leaf(load_bundle(data), csr)


def _leaf(found, csr=None):
    from cryptography import x509

    if csr is not None:
        for cert in found:
            if _spki(cert) == _spki(csr):
                return cert
    for cert in found:
        try:
            if not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca:
                return cert
        except x509.ExtensionNotFound:
            return cert
    return found[0]


def _self_signed(cert):
    return cert.subject == cert.issuer and certs._issued_by(cert, cert)  # pylint: disable=protected-access


def chain_path(cert, bundle, roots):
    """The CA certificates from the issuer of ``cert`` up to a self-signed root of ``roots``.

    :param bundle: the other certificates of the file the CA answered with (intermediates, maybe a root).
    :param roots: the certificates of ``sfb_edge_certificates.root_ca`` (roots and intermediates); only
        a self-signed one of them ends a chain.
    :returns: ``(path, None)`` when the chain reaches such a root (``path`` ends with it), else
        ``(path so far, the last certificate reached)``. Each step is a signature check; every candidate
        is tried at most once (linear in the number of certificates).
    """
    anchors = {_der(r) for r in roots if _self_signed(r)}
    by_subject = {}
    for ca in list(bundle) + list(roots):
        by_subject.setdefault(ca.subject.public_bytes(), {}).setdefault(_der(ca), ca)
    path, current, seen = [], cert, {_der(cert)}
    while _der(current) not in anchors or current is cert:
        candidates = [c for d, c in by_subject.get(current.issuer.public_bytes(), {}).items()
                      if d not in seen and certs._issued_by(current, c)]  # pylint: disable=protected-access
        if not candidates:
            return path, current
        nxt = next((c for c in candidates if _der(c) in anchors), candidates[0])
        seen.add(_der(nxt))
        path.append(nxt)
        current = nxt
    return path, None


def check_chain(cert, bundle, roots, now, where, host, fix_host=None):
    """Problems (strings naming ``where``, ``host`` and the fix) of the chain of ``cert``, and the CA
    certificates to put on the edge before ``certreq -accept`` (intermediates into CA, the root into Root).

    :returns: ``(problems, path)``.
    """
    fix_host = fix_host or host
    if not roots:
        return (["the chain of %s cannot be checked: sfb_edge_certificates.root_ca of %s names no CA certificate, "
                 "and a DMZ edge usually cannot fetch intermediates itself (AIA), so certreq -accept would fail; add "
                 "the root CA certificate (and intermediates) of the CA that issued it to sfb_edge_certificates.root_ca "
                 "of %s, or save the CA's full chain (PEM bundle or PKCS#7) as %s" % (where, host, fix_host, where)], [])
    path, stuck = chain_path(cert, bundle, roots)
    if stuck is not None:
        if _self_signed(stuck):
            return (["the chain of %s ends at the root %s, which is not in sfb_edge_certificates.root_ca of %s; add "
                     "that root CA certificate there if it is the CA you trust, or have the certificate issued by "
                     "the CA whose root is there" % (where, stuck.subject.rfc4514_string(), host)], path)
        return (["the chain of %s stops at %s: its issuer %s is neither in the file nor in "
                 "sfb_edge_certificates.root_ca of %s, so it does not reach a trusted root; save the CA's full chain "
                 "(PEM bundle or PKCS#7) as %s, or add the intermediate and root CA certificates to "
                 "sfb_edge_certificates.root_ca" % (where, stuck.subject.rfc4514_string() or "an empty subject",
                                                    stuck.issuer.rfc4514_string() or "an empty name", host, where)], path)
    problems = ["the chain of %s holds %s, which expired on %s; get the CA's current chain and save it with the "
                "certificate as %s (or in sfb_edge_certificates.root_ca)"
                % (where, ca.subject.rfc4514_string(), ca.not_valid_after_utc.isoformat(), where)
                for ca in path if ca.not_valid_after_utc <= now]
    return problems, path


def _spki(obj):
    from cryptography.hazmat.primitives import serialization

    return obj.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _eku(cert):
    from cryptography import x509

    try:
        return {oid.dotted_string for oid in cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value}
    except x509.ExtensionNotFound:
        return None  # no EKU extension: any purpose


def check_issued(cert, entry, kind, csr=None, now=None, host=None, pool=None, variable=None):
    """Findings of an issued certificate against the plan entry and the pending request's CSR.

    :param cert: the issued ``cryptography`` certificate.
    :param entry: plan.json ``certificates.<kind>`` (``subject``, ``san``, ``eku``).
    :param csr: the request (``cryptography`` CSR) it must answer; None adds
        ``issued_certificate_no_request`` (the key cannot be matched).
    :returns: findings (dicts as sfb.edge.validate makes them), errors first in check order; an
        error means the certificate is not accepted.
    """
    now = now or datetime.datetime.now(datetime.timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=datetime.timezone.utc)
    variable = variable or "%s certificate" % kind
    findings = []

    def add(severity, code, message):
        findings.append({"severity": severity, "code": code, "host": host, "pool": pool, "variable": variable,
                         "message": message})

    names = certs.dns_names(cert)
    wanted = list(dict.fromkeys(entry.get("san") or [entry["subject"]]))
    missing = [n for n in wanted if not certs.covers(names, n)]
    if missing:
        add("error", "issued_certificate_name_missing", "the issued certificate does not cover %s (it has: %s); the CA "
            "must issue the names of the request (plan.json certificates.%s.san)"
            % (", ".join(missing), ", ".join(names) or "no DNS names", kind))
    public = cert.public_key()
    bits = getattr(public, "key_size", None)
    from cryptography.hazmat.primitives.asymmetric import rsa
    if not isinstance(public, rsa.RSAPublicKey):
        add("error", "issued_certificate_key_too_small", "the issued certificate has a %s key; Lync/Skype for Business "
            "edges need RSA of at least %d bits" % (type(public).__name__.replace("PublicKey", "").lstrip("_"),
                                                    certs.MIN_RSA_BITS))
    elif bits < certs.MIN_RSA_BITS:
        add("error", "issued_certificate_key_too_small", "the issued certificate has an RSA key of %d bits; at least "
            "%d are needed: request it again" % (bits, certs.MIN_RSA_BITS))
    if csr is None:
        add("error", "issued_certificate_no_request", "no request (CSR) of this certificate is known here; run the "
            "role without the certificate file first, so that it fetches the CSR, and have the CA answer that CSR")
    elif _spki(cert) != _spki(csr):
        add("error", "issued_certificate_key_mismatch", "the issued certificate's public key is not the key of the "
            "request (CSR) made on %s; it answers another request and its private key is elsewhere: have the CA "
            "issue the CSR beside it" % (host or "the edge"))
    if cert.not_valid_after_utc <= now:
        add("error", "issued_certificate_expired", "the issued certificate expired on %s; have the CA issue the "
            "request again" % cert.not_valid_after_utc.isoformat())
    if cert.not_valid_before_utc > now:
        add("error", "issued_certificate_not_yet_valid", "the issued certificate is valid only from %s; accept it "
            "after that time (or check the controller's clock)" % cert.not_valid_before_utc.isoformat())
    ekus = _eku(cert)
    if ekus is not None and SERVER_AUTH not in ekus:
        add("error", "issued_certificate_eku_missing", "the issued certificate lacks the Server Authentication EKU "
            "(%s); have it issued with a web server / TLS server template" % SERVER_AUTH)
    if (ekus is not None and "Client Authentication" in (entry.get("eku") or []) and CLIENT_AUTH not in ekus):
        add("warning", "issued_certificate_no_client_auth", "the issued certificate lacks the Client Authentication "
            "EKU the plan asks for; federation uses mutual TLS and some partners reject it (many public CAs stopped "
            "issuing it in 2025-2026); it is accepted all the same")
    subject_cn = [a.value for a in cert.subject if a.oid.dotted_string == "2.5.4.3"]
    if [str(v).lower() for v in subject_cn] != [entry["subject"].lower()]:
        add("warning", "issued_certificate_subject_differs", "the issued certificate's subject is %s, not CN=%s as "
            "requested; the SANs decide what clients accept, so it is accepted all the same"
            % (cert.subject.rfc4514_string() or "empty", entry["subject"]))
    return [f for f in findings if f["severity"] == "error"] + [f for f in findings if f["severity"] != "error"]


def thumbprint(cert):
    """The Windows thumbprint (SHA-1 of the DER, upper-case hex)."""
    from cryptography.hazmat.primitives import hashes

    return cert.fingerprint(hashes.SHA1()).hex().upper()  # nosec - the Windows thumbprint, not a signature


def _der(cert):
    from cryptography.hazmat.primitives import serialization

    return cert.public_bytes(serialization.Encoding.DER)


def review(request, csr_pem=None, now=None, status=None, snapshot=False, check_mode=False, installed=None, roots=None):
    """Decide, on the controller, what to do with one request: the CSR to write and the issued
    certificate (``<host>-<kind>.cer`` beside the CSR) to accept, if any.

    :param request: one item of :func:`requests`.
    :param csr_pem: the CSR the edge returned (None: read ``files.csr`` when it exists).
    :param status: the module's ``status`` for the request (None: the host was not contacted).
    :param installed: with ``status`` issued, the thumbprint the module found installed.
    :param roots: the paths of ``sfb_edge_certificates.root_ca`` of the requesting host (resolved); the
        issued certificate's chain (the file's other certificates and these) must reach a self-signed root
        among them, else it is not accepted (``issued_certificate_chain_untrusted``).
    :returns: ``{kind, pool, host, csr, csr_file, certificate, findings, accept, chain, messages}`` where ``certificate``
        is ``{path, thumbprint, subject, not_after}`` of the issued certificate or None, ``accept`` the
        base64 DER to give sfb.edge.edge_certificate_request (None when there is nothing to accept, an
        error finding stops it, or the module found this certificate installed), ``chain`` the base64 DER of
        the CA certificates the module imports before it accepts (issuer first, the root last) and ``messages``
        the lines for the role's output (:func:`messages`).
    """
    result = _review(request, csr_pem, now, roots)
    if result["accept"] and status == "issued" and installed == result["certificate"]["thumbprint"]:
        result["accept"] = None  # accepted on an earlier run: no call
        result["chain"] = []
    # certreq writes CRLF; the controller's copy gets LF line ends (every CA portal takes either)
    csr_text = "\n".join(line.rstrip("\r") for line in result["csr"].strip().splitlines()) + "\n" if result["csr"] else None
    result["csr_file"] = {"path": request["files"]["csr"], "content": csr_text} if csr_text else None
    result["messages"] = messages(request, result, status, snapshot, check_mode, installed)
    return result


def _review(request, csr_pem, now, roots=None):
    files = request["files"]
    result = {"kind": request["kind"], "pool": request["pool"], "host": request["host"], "csr": csr_pem,
              "certificate": None, "findings": [], "accept": None, "chain": []}
    variable = os.path.join(os.path.basename(os.path.dirname(files["cer"])), os.path.basename(files["cer"]))

    def finding(code, message):
        result["findings"].append({"severity": "error", "code": code, "host": request["host"], "pool": request["pool"],
                                   "variable": variable, "message": message})

    # the CSR read back and the issued certificate the operator drops: regular files of at most 1 MiB, never read
    # through a symbolic link, a FIFO or a device refused without blocking (_files.read_regular)
    if csr_pem is None:
        try:
            result["csr"] = _files.read_regular(files["csr"], _files.CERTIFICATE_LIMIT).decode("ascii", "replace")
        except FileNotFoundError:
            pass
        except _files.FilesError as exc:
            finding("certificate_request_unreadable", "%s; delete it and run the role again to fetch the CSR from %s"
                    % (exc, request["host"]))
    try:
        issued = _files.read_regular(files["cer"], _files.CERTIFICATE_LIMIT)
    except FileNotFoundError:
        return result
    except _files.FilesError as exc:
        finding("issued_certificate_unreadable", "%s; put the certificate the CA issued there (PEM or DER)" % exc)
        return result
    csr = None
    if result["csr"]:
        try:
            csr = load_csr(result["csr"])
        except ValueError:
            finding("certificate_request_unreadable", "%s is not a PKCS#10 request; delete it and run the role again "
                    "to fetch the CSR from %s" % (files["csr"], request["host"]))
            return result
    try:
        bundle = load_bundle(issued)
        cert = _leaf(bundle, csr)
    except ValueError:
        finding("issued_certificate_unreadable", "%s is not a PEM or DER certificate; save the CA's answer as a .cer "
                "(Base64 or DER) there" % files["cer"])
        return result
    result["certificate"] = {"path": files["cer"], "thumbprint": thumbprint(cert),
                             "subject": cert.subject.rfc4514_string(),
                             "not_after": cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ")}
    entry = {"subject": request["subject"][3:], "san": request["san"], "eku": request.get("eku") or []}
    result["findings"] = check_issued(cert, entry, request["kind"], csr=csr, now=now, host=request["host"],
                                      pool=request["pool"], variable=variable)
    path = _chain_findings(result, cert, [c for c in bundle if c is not cert], roots, now, files["cer"], finding)
    if not [f for f in result["findings"] if f["severity"] == "error"]:
        result["accept"] = base64.b64encode(_der(cert)).decode("ascii")
        result["chain"] = [base64.b64encode(_der(ca)).decode("ascii") for ca in path]
    return result


def _chain_findings(result, cert, bundle, roots, now, where, finding):
    """Add ``issued_certificate_chain_untrusted`` findings (errors, after the certificate's own); the CA
    certificates of the chain."""
    host = result["host"]
    cas = []
    errors = len([f for f in result["findings"] if f["severity"] == "error"])
    found = []

    def problem(message):
        finding("issued_certificate_chain_untrusted", message)
        found.append(result["findings"].pop())

    for i, path in enumerate(roots or []):
        try:
            cas.append(certs.load_certificate(path)[0])
        except certs.CertificateError as exc:
            problem("sfb_edge_certificates.root_ca[%d] of %s: %s; give the path of the CA certificate (PEM or DER) on "
                    "the controller" % (i, host, exc))
    now = now or datetime.datetime.now(datetime.timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=datetime.timezone.utc)
    problems, path = check_chain(cert, bundle, cas, now, where, host) if not found else ([], [])
    for message in problems:
        problem(message)
    result["findings"][errors:errors] = found
    return path


def roots_of(inventory, host):
    """The resolved paths of ``sfb_edge_certificates.root_ca`` of ``host`` in ``inventory`` (the output of
    sfb.edge.edge_inventory: ``{host: {sfb_edge_*: value, inventory_dir: base}}``); [] when it names none."""
    from ansible_collections.sfb.edge.plugins.plugin_utils import _model as model

    variables = (inventory or {}).get(host) or {}
    spec = variables.get("sfb_edge_certificates")
    if not isinstance(spec, dict):
        return []
    roots = model.certificate_paths(spec, variables.get(model.BASE_DIR)).get("root_ca") or []
    return [roots] if isinstance(roots, str) else list(roots) if isinstance(roots, list) else []


EXPORT_COMMAND = ("$pw = Read-Host -AsSecureString -Prompt 'PFX password'; Get-Item Cert:\\LocalMachine\\My\\%s | "
                  "Export-PfxCertificate -FilePath C:\\%s-%s.pfx -Password $pw -ChainOption BuildChain "
                  "-CryptoAlgorithmOption TripleDES_SHA1")


def messages(request, reviewed, status=None, snapshot=False, check_mode=False, installed=None):
    """What happened to one request and what the operator does next, as lines for the role's output.

    :param status: the module's ``status`` (created, pending, issued) or None (not contacted).
    :param installed: with ``status`` issued, the thumbprint of the certificate installed on the host.
    """
    files, host, kind = request["files"], request["host"], request["kind"]
    head = "%s certificate of %s (%s), requested on %s: " % (kind, request["pool"], request["subject"], host)
    lines = []
    errors = [f for f in reviewed["findings"] if f["severity"] == "error"]
    cert = reviewed.get("certificate")
    if snapshot:
        lines.append(head + "snapshot mode - INF written to %s; no host contacted, no request made" % files["inf"])
    elif status == "created" and not reviewed.get("csr"):
        lines.append(head + "check mode - a request would be made from %s (certreq -new)" % files["inf"])
    elif status in ("created", "pending") and cert is None:
        lines.append(head + "%s; CSR at %s. Send it to the CA (%s), save the issued certificate as %s and run "
                     "again" % ("request made" if status == "created" else "request pending", files["csr"],
                                "public CA" if kind == "external" else "internal CA", files["cer"]))
    elif status == "issued" and cert is None:
        lines.append(head + "a valid certificate with these names and its private key is already installed; "
                     "nothing requested")
    if cert is not None:
        if errors:
            lines.append(head + "%s NOT accepted (%d problem(s), below); fix them and run again"
                         % (files["cer"], len(errors)))
        elif snapshot:
            lines.append(head + "%s passed the checks; it is accepted by a run against the host" % files["cer"])
        elif status == "issued" and installed == cert["thumbprint"]:
            lines.append(head + "%s is accepted and installed (thumbprint %s); nothing to do"
                         % (files["cer"], cert["thumbprint"]))
        else:
            lines.append(head + "%s %s (certreq -accept), thumbprint %s"
                         % (files["cer"], "would be accepted" if check_mode else "accepted", cert["thumbprint"]))
    if (cert is not None and not errors) or status == "issued":
        thumb = cert["thumbprint"] if cert is not None else "<thumbprint>"
        lines.append("next: export it with its private key on %s (%s), copy the PFX to the controller and set "
                     "sfb_edge_certificates.%s = {pfx: <path>, password: <vaulted>} for %s; the certificates and "
                     "cs_certificates roles then import and assign it (Set-CsCertificate)"
                     % (host, EXPORT_COMMAND % (thumb, host, kind), kind,
                        "every server of the pool (%s)" % ", ".join([host] + request["others"])
                        if request["others"] else host))
    if request["others"]:
        lines.append("pool of %d servers: every server needs the same certificate and private key, which per-server "
                     "certreq requests cannot give; the request is made on %s only and the others (%s) import the "
                     "PFX exported from it (docs/certificate-requests.md)"
                     % (len(request["others"]) + 1, host, ", ".join(request["others"])))
    return lines
