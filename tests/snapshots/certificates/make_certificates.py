# -*- coding: utf-8 -*-
"""Regenerate the test certificates of tests/snapshots/certificates/ (committed; run only to replace them).

    .venv/bin/python tests/snapshots/certificates/make_certificates.py

Throwaway keys for the documentation names of inventories/example (RFC 2606/5737): a test internal
root CA, the internal certificate of edgepool.corp.example.com issued by it, and the external
certificate of sip.example.com from a test "public" CA. The PFX password is the one in
tests/snapshots/inventory/group_vars/edge_pool_corp.yml. If you regenerate them, the thumbprints
change: update the snapshots that name them (tests/snapshots/README.md lists where).
"""

from __future__ import annotations

import datetime
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "unit"))

import certfactory as cf  # noqa: E402

PASSWORD = "sfb-edge-test"
START = datetime.datetime(2026, 1, 1, tzinfo=cf.UTC)


def main():
    root_key, public_key = cf.rsa_key(4096), cf.rsa_key(2048)
    root = cf.certificate(root_key, "Example Corp Test Root CA", START, START.replace(year=2046), eku=None, ca=True)
    public = cf.certificate(public_key, "Example Test Public CA", START, START.replace(year=2046), eku=None, ca=True)
    internal_key, external_key = cf.rsa_key(2048), cf.rsa_key(2048)
    internal = cf.certificate(internal_key, "edgepool.corp.example.com", START, START.replace(year=2036),
                              issuer=(root, root_key), ca=False,
                              sans=["edgepool.corp.example.com", "edge01.corp.example.com", "edge02.corp.example.com"])
    external = cf.certificate(external_key, "sip.example.com", START, START.replace(year=2036),
                              issuer=(public, public_key), ca=False,
                              sans=["sip.example.com", "webconf.example.com", "sip.example.net"],
                              eku=(cf.SERVER_AUTH, cf.CLIENT_AUTH))
    cf.write_der(HERE / "corp-root-ca.cer", root)
    cf.write_der(HERE / "public-ca.cer", public)
    cf.write_pfx(HERE / "edgepool-internal.pfx", internal, internal_key, PASSWORD)
    cf.write_pfx(HERE / "sip.example.com.pfx", external, external_key, PASSWORD)
    print("written to %s" % os.path.relpath(HERE))


if __name__ == "__main__":
    main()
