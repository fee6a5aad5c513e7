# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The certificates area: the planned certificates imported into LocalMachine (sfb.edge.edge_certificates),
and the expiry of the installed ones."""

from __future__ import annotations

from ansible_collections.sfb.edge.plugins.plugin_utils import _changes as _records
from ansible_collections.sfb.edge.plugins.plugin_utils import _expiry as expiry
from ansible_collections.sfb.edge.plugins.plugin_utils._areas import Area

_change, _problem, _result = _records.change, _records.problem, _records.result


_WINDOWS_BUILDS = ((7601, "Windows Server 2008 R2"), (9200, "Windows Server 2012"), (9600, "Windows Server 2012 R2"),
                   (14393, "Windows Server 2016"))


def _pfx_unreadable_here(res, cert, computer):
    """True when the host's Windows cannot decrypt the PFX (PBES2/AES before build 16299): a problem, no import."""
    from ansible_collections.sfb.edge.plugins.plugin_utils import _certs as certs

    info = cert.get("pfx_encryption")
    if not cert.get("pfx") or not info or not info.get("pbes2"):
        return False
    build = computer.get("os_build")
    if build is None or isinstance(build, bool) or not isinstance(build, int):
        res["notes"].append("%s (%s) is encrypted with %s, which Windows before Server 2019 cannot import, and this "
                            "host's OS build was not read: re-gather with this collection's edge_facts"
                            % (cert["path"], cert["variable"], " and ".join(info["pbes2"])))
        return False
    if build >= certs.PBES2_MIN_BUILD:
        return False
    name = [n for b, n in _WINDOWS_BUILDS if b <= build]
    res["problems"].append(_problem("certificates", cert["variable"] + ".pfx", "%s is encrypted with %s (%s); this "
                                    "host runs %s (build %d), which cannot import it (Windows reports 'The specified "
                                    "network password is not correct'), so it is not imported: %s"
                                    % (cert["path"], " and ".join(info["pbes2"]), certs.pfx_encryption_text(info),
                                       name[-1] if name else "Windows", build, certs.pfx_fix(cert["path"]))))
    return True


def _installed_expiry(res, cert, installed, now):
    """The expiry entry and finding of the installed copy of a planned certificate (its gathered
    ``not_after``, else the file's)."""
    try:
        end = expiry.parse(installed.get("not_after") or cert.get("not_after"))
    except expiry.ExpiryError:
        end = None
    info = expiry.status(end, now, cert.get("warn_days", expiry.DEFAULT_WARN_DAYS))
    target = "%s\\%s" % (cert["store"], cert["thumbprint"])
    res["expiry"].append({"area": "certificates", "target": target, "thumbprint": cert["thumbprint"],
                          "subject": cert["subject"], "variable": cert["variable"], "not_after": expiry.iso(end),
                          "status": info["status"], "warn_days": info["warn_days"]})
    kind = cert["variable"].rsplit(".", 1)[-1]
    what = "the certificate %s (%s, %s) installed in LocalMachine\\%s" % (
        cert["thumbprint"], cert["subject"], cert["variable"], cert["store"])
    found = expiry.finding(info, end, what, kind=kind if kind in ("internal", "external") else None, now=now,
                           area="certificates", target=target, thumbprint=cert["thumbprint"], subject=cert["subject"])
    if found:
        res["findings"].append(found)


def certificates(desired, current, now=None):
    """Import the planned certificates that are missing; ``res["expiry"]`` / ``res["findings"]``: the
    end of validity of the installed ones and ``certificate_expiring`` / ``certificate_expired``
    (:mod:`expiry`, at ``now``; None: the current time)."""
    res = _result("certificates")
    res["expiry"], res["findings"] = [], []
    now = expiry.utcnow(now)
    stores = current.get("certificates") or {}
    computer = current.get("computer") if isinstance(current.get("computer"), dict) else {}
    todo = []
    for cert in desired["certificates"]:
        found = [c for c in stores.get(cert["store"]) or []
                 if str(c.get("thumbprint", "")).upper() == cert["thumbprint"]]
        ok = [c for c in found if cert["store"] != "My" or c.get("has_private_key")]
        if ok:
            _installed_expiry(res, cert, ok[0], now)
            if cert["store"] == "My" and ok[0].get("legacy_csp") is False:
                res["notes"].append("%s (%s) has a CNG/KSP private key; Skype for Business Server 2015 and later "
                                    "need a legacy CSP key: re-import the PFX with a CSP (%s)"
                                    % (cert["subject"], cert["thumbprint"], cert["variable"]))
            continue
        if _pfx_unreadable_here(res, cert, computer):
            continue
        res["changes"].append(_change("certificates", "%s\\%s" % (cert["store"], cert["thumbprint"]), "certificate",
                                      "add", "present without private key" if found else None,
                                      "%s (%s)" % (cert["subject"], cert["variable"])))
        todo.append({"store": cert["store"], "thumbprint": cert["thumbprint"], "pfx": cert["pfx"],
                     "variable": cert["variable"], "path": cert["path"]})
    if todo:
        res["calls"].append({"module": "sfb.edge.edge_certificates", "args": {"certificates": todo}})
    return res


AREA = Area(name="certificates", order=50, desired_sections=("certificates",),
            current_sections=("certificates", "computer"), function=certificates,
            modules=("sfb.edge.edge_certificates",), role="sfb.edge.certificates", phase="windows", timed=True)
