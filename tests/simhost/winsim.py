# -*- coding: utf-8 -*-
"""A model of what each Windows module does to the gathered state, for tests.

``apply(state, calls)`` returns the state a host would report after the calls the diff engine
planned, following the modules' documented behaviour (sfb.edge.edge_network, edge_routes,
edge_hosts_file, edge_certificates, ansible.windows.win_dns_client, win_hostname, win_regedit,
community.windows.win_netbios).  Tests use it to check that one run converges a host: diffing the
result again must find nothing.  It is deliberately written from the module documentation, not
from drift.py, so a wrong decision in drift.py is not mirrored here.

Every state it returns is one edge_facts could return: ``apply`` checks each state against the
schema (``state.check``) when the state it was given passes it (tests/unit/test_winsim.py).
"""

from __future__ import annotations

import base64
import copy
import datetime
import hashlib

from ansible_collections.sfb.edge.plugins.plugin_utils._cs import RUN_ORDER, STEP_INSTALLERS, run_steps
from ansible_collections.sfb.edge.plugins.plugin_utils._model import normalize_mac
from ansible_collections.sfb.edge.plugins.plugin_utils._state import StateError, check


def _adapter(state, name=None, mac=None, index=None):
    for a in state["adapters"]:
        if index is not None and a["index"] == index:
            return a
        if mac and normalize_mac(a["mac"]) == normalize_mac(mac):
            return a
        if mac is None and index is None and a["name"].lower() == name.lower():
            return a
    raise AssertionError("simulated host has no adapter %r / %r / %r" % (name, mac, index))


def _network(state, args):
    for spec in args["adapters"]:
        a = _adapter(state, spec["name"], spec.get("mac"))
        if spec.get("rename_to"):
            old = a["name"]
            a["name"] = spec["rename_to"]
            for r in state["routes"]:
                if r["interface_index"] == a["index"]:
                    r["interface"] = a["name"]
            assert old != a["name"]
        if spec.get("dhcp") is False and a["dhcp"]:
            a["dhcp"] = False
            # Windows drops the DHCP lease's address and gateway when DHCP is turned off
            a["addresses"] = [x for x in a["addresses"] if x.get("origin") != "Dhcp"]
            a["gateways"] = []
            a["default_routes"] = []
            a["dns_servers"] = []  # DHCP-supplied DNS servers go with the lease
        added = [x["address"] for x in spec.get("add") or []]
        for add in spec.get("add") or []:
            have = [x for x in a["addresses"] if x["address"] == add["address"]]
            if not have:
                a["addresses"].append({"address": add["address"], "prefix_length": add["prefix_length"],
                                       "skip_as_source": bool(add.get("skip_as_source")), "origin": "Manual",
                                       "active": True, "persistent": True})
            for x in have:
                # present: the prefix length is set in place, a copy missing in one store is added
                x.update(prefix_length=add["prefix_length"], active=True, persistent=True)
        for ip, flag in (spec.get("skip_as_source") or {}).items():
            for x in a["addresses"]:
                if x["address"] == ip:
                    x["skip_as_source"] = flag
        if "gateway" in spec:
            # the only default route, in both stores
            a["gateways"] = [spec["gateway"]] if spec["gateway"] else []
            a["default_routes"] = [{"next_hop": g, "active": True, "persistent": True} for g in a["gateways"]]
        a["addresses"] = [x for x in a["addresses"]
                          if x["address"] not in (spec.get("remove") or []) or x["address"] in added]
        if "register_in_dns" in spec:
            a["register_in_dns"] = spec["register_in_dns"]


def _routes(state, args):
    def same(r, spec):
        index = spec.get("interface_index")
        on_if = r["interface_index"] == index if index is not None else r["interface"] == spec["interface"]
        return r["destination"] == spec["destination"] and r["gateway"] == spec["gateway"] and on_if

    for spec in args.get("remove") or []:
        state["routes"] = [r for r in state["routes"] if not same(r, spec)]
    for spec in args.get("add") or []:
        have = [r for r in state["routes"] if same(r, spec)]
        for r in have:
            r.update(active=True, persistent=True)  # the copy missing in one store is added
        if not have:
            a = _adapter(state, index=spec["interface_index"]) if spec.get("interface_index") is not None \
                else _adapter(state, spec["interface"])
            state["routes"].append({"destination": spec["destination"], "gateway": spec["gateway"],
                                    "interface": a["name"], "interface_index": a["index"], "metric": 256,
                                    "active": True, "persistent": True, "interface_exists": True})


def _hosts_file(state, args):
    """sfb.edge.edge_hosts_file as documented: the file's bytes are replaced by content_base64 when the
    SHA-256 of the bytes on disk (an absent file: no bytes) is expected_sha256; edge_facts then reads
    the bytes back as raw (base64) and sha256 (upper-case hex)."""
    info = state["hosts_file"]
    if "raw" in info:
        on_disk = base64.b64decode(info["raw"])
    else:  # a hand-written snapshot: content is the text of the file's UTF-8 bytes
        on_disk = info["content"].encode("utf-8")
    assert hashlib.sha256(on_disk).hexdigest().upper() == args["expected_sha256"].upper(), \
        "edge_hosts_file would refuse: the file changed since it was gathered"
    data = base64.b64decode(args["content_base64"], validate=True)
    info.pop("content", None)
    info.update(exists=True, raw=base64.b64encode(data).decode("ascii"),
                sha256=hashlib.sha256(data).hexdigest().upper())


ARCHIVE_PLACEHOLDER = "<configuration export>"  # edge_apply replaces it by the copied zip (edge_apply.py)
PFX_PASSWORD = "sfb-edge-test"  # of the test PFX files (tests/snapshots/certificates/make_certificates.py)
# The key provider edge_facts reports for an imported PFX key (a legacy CSP, as in the shipped snapshots).
PFX_PROVIDER = "Microsoft RSA SChannel Cryptographic Provider"
# Short names of the attributes as .NET's X500DistinguishedName.Name writes them (certificates' subject/issuer).
_DN_NAMES = {"2.5.4.3": "CN", "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "S",
             "1.2.840.113549.1.9.1": "E", "0.9.2342.19200300.100.1.25": "DC"}


def _utc_text(when):
    """yyyy-MM-ddTHH:mm:ssZ, as edge_facts writes dates (ConvertTo-SfbEdgeUtcText); a naive date is the
    host's local time, and the simulated host runs on UTC."""
    if when.tzinfo is not None:
        when = when.astimezone(datetime.timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _dn(name):
    return ", ".join("%s=%s" % (_DN_NAMES.get(a.oid.dotted_string, "OID." + a.oid.dotted_string), a.value)
                     for rdn in reversed(name.rdns) for a in rdn)


def certificate_info(cert, has_private_key):
    """The entry edge_facts writes for ``cert`` (a cryptography certificate), written from what its
    Get-CertificateInfo reads: Subject, Issuer, DnsNameList (the SAN DNS names),
    NotBefore/NotAfter, HasPrivateKey, the public key and the EKU OIDs."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa

    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
            x509.DNSName)
    except x509.ExtensionNotFound:
        names = []  # as the shipped snapshots and docs/state-format.md have it: the SAN DNS names only
    try:
        eku = [oid.dotted_string for oid in cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value]
    except x509.ExtensionNotFound:
        eku = []
    public = cert.public_key()
    return {"thumbprint": cert.fingerprint(hashes.SHA1()).hex().upper(), "subject": _dn(cert.subject),
            "issuer": _dn(cert.issuer), "dns_names": list(names), "not_before": _utc_text(cert.not_valid_before_utc),
            "not_after": _utc_text(cert.not_valid_after_utc), "has_private_key": has_private_key,
            "key_algorithm": "RSA" if isinstance(public, rsa.RSAPublicKey) else "ECC", "key_size": public.key_size,
            "key_provider": PFX_PROVIDER if has_private_key else None, "legacy_csp": True if has_private_key else None,
            "eku": eku}


def _certificates(state, args, pfx_password):
    """sfb.edge.edge_certificates as documented: each file (read by edge_apply from ``path``) goes into its
    LocalMachine store unless that store holds the thumbprint already (in My: with its private key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import pkcs12

    for item in args["certificates"]:
        with open(item["path"], "rb") as handle:
            data = handle.read()
        if item["pfx"]:
            _key, cert, _chain = pkcs12.load_key_and_certificates(data, pfx_password.encode("utf-8"))
        elif b"-----BEGIN" in data:
            cert = x509.load_pem_x509_certificate(data)
        else:
            cert = x509.load_der_x509_certificate(data)
        info = certificate_info(cert, bool(item["pfx"]))
        assert info["thumbprint"] == item["thumbprint"].upper(), "edge_certificates would import another certificate"
        store = state["certificates"].setdefault(item["store"], [])
        present = [c for c in store if c["thumbprint"] == info["thumbprint"]
                   and (item["store"] != "My" or c["has_private_key"])]
        if not present:
            store[:] = [c for c in store if c["thumbprint"] != info["thumbprint"]] + [info]


def apply(state, calls, cs_version="sfb2019", xmpp=False, pfx_password=PFX_PASSWORD):
    """The state after ``calls``; ``cs_version`` and ``xmpp`` say which product the media install,
    ``pfx_password`` opens the PFX files edge_certificates imports.

    When the given state passes the schema (``state.check``), so does the state after each call: the
    simulator never returns what edge_facts could not."""
    state = copy.deepcopy(state)
    try:
        check(state)
        valid = True
    except StateError:
        valid = False  # a test's deliberately broken state: simulate it as it is
    for call in calls:
        module, args = call["module"], call["args"]
        if module == "sfb.edge.edge_network":
            _network(state, args)
        elif module == "sfb.edge.edge_routes":
            _routes(state, args)
        elif module == "sfb.edge.edge_hosts_file":
            _hosts_file(state, args)
        elif module == "ansible.windows.win_dns_client":
            _adapter(state, args["adapter_names"])["dns_servers"] = list(args["dns_servers"])
        elif module == "community.windows.win_netbios":
            for name in args["adapter_names"]:
                _adapter(state, name)["netbios"] = args["state"]
        elif module == "ansible.windows.win_hostname":
            state["computer"]["pending_hostname"] = args["name"]
        elif module == "ansible.windows.win_regedit":
            assert args["name"] == "NV Domain"
            state["computer"]["dns_suffix"] = args["data"]
        elif module == "sfb.edge.edge_certificates":
            _certificates(state, args, pfx_password)
        elif module == "ansible.windows.win_feature":
            for name in args["name"]:
                state["cs"]["features"][name] = True
        elif module == "sfb.edge.edge_cs":
            _cs(state, args, cs_version, xmpp)
        else:
            raise AssertionError("no simulation for %s" % module)
        if valid:  # a state edge_facts could return stays one: the convergence tests diff possible states
            check(state, where="the simulated state after %s" % module)
    return state


# ------------------------------------------------------------------------------------------- CS
# The Lync / Skype for Business side, written from Microsoft's documentation and NOT from
# plugins/plugin_utils/_cs.py, so that a wrong production list is caught (tests/unit/plugins/plugin_utils/test_cs.py) - except
# what edge_cs receives from the controller or shares with it (issue 19, points 3 and 19): the step order
# (cs.RUN_ORDER, cs.run_steps, the .ps1's $order), the installers each step runs (cs.STEP_INSTALLERS, the
# .ps1's $installers) and the exit-code policy, which edge_cs_run reads from the call's exit_codes as the
# .ps1 does;
# - "Install the Edge Server" (Bootstrapper /BootstrapLocalMgmt installs the local management store
#   and its services: the Replica Replicator Agent and the Centralized Logging Service Agent);
# - the edge server's services per version ("Ports and protocols for internal servers" / "Edge
#   Server environmental requirements": Access Edge, Web Conferencing Edge, A/V Edge, A/V
#   Authentication; XMPP Translating Gateway Proxy on Lync Server 2013 and Skype for Business
#   Server 2015 only, when XMPP federation is in the topology).
SIM_STEP_ORDER = RUN_ORDER
SIM_LOCAL_STORE_SERVICES = ("REPLICA", "RTCCLSAGT")
SIM_ROLE_SERVICES = {
    "lync2013": ("RTCSRV", "RTCDATAPROXY", "RTCMEDIARELAY", "RTCMRAUTH"),
    "sfb2015": ("RTCSRV", "RTCDATAPROXY", "RTCMEDIARELAY", "RTCMRAUTH"),
    "sfb2019": ("RTCSRV", "RTCDATAPROXY", "RTCMEDIARELAY", "RTCMRAUTH"),
    "sfbse": ("RTCSRV", "RTCDATAPROXY", "RTCMEDIARELAY", "RTCMRAUTH"),
}
SIM_XMPP_SERVICE = {"lync2013": "RTCXMPPTGWPX", "sfb2015": "RTCXMPPTGWPX"}
# Product names in "Programs and Features", the RTM build of each version's media, and the build a
# recent cumulative update brings (SfB 2015: CU15 HF, 6.0.9319.x; written by hand, not from cs.py).
SIM_PRODUCTS = {"lync2013": ("Lync Server 2013", "5.0.8308.0", "5.0.8308.1001"),
                "sfb2015": ("Skype for Business Server 2015", "6.0.9319.0", "6.0.9319.613"),
                "sfb2019": ("Skype for Business Server 2019", "7.0.2046.0", "7.0.2046.530"),
                "sfbse": ("Skype for Business Server Subscription Edition", "8.0.0.0", "8.0.0.1")}


def sim_services(version, xmpp=False):
    """Every Windows service a deployed edge server of ``version`` runs, per the simulator's own lists."""
    names = SIM_LOCAL_STORE_SERVICES + SIM_ROLE_SERVICES[version]
    if xmpp and version in SIM_XMPP_SERVICE:
        names += (SIM_XMPP_SERVICE[version],)
    return names


def deployed(state, version="sfb2019", xmpp=False):
    """Whether the simulated host is a working edge server: what is missing, [] when nothing."""
    cs = state["cs"]
    missing = [what for what, ok in (("core components", cs.get("bootstrapper")),
                                     ("local management store", cs.get("local_management")),
                                     ("topology", (cs.get("topology") or {}).get("imported")),
                                     ("replica", (cs.get("replica") or {}).get("enabled"))) if not ok]
    status = {s["name"]: s for s in cs["services"]}
    missing += ["%s not running" % n for n in sim_services(version, xmpp) if (status.get(n) or {}).get("status") != "Running"]
    return missing


def _service(cs, name, status):
    for svc in cs["services"]:
        if svc["name"] == name:
            svc["status"] = status
            return svc
    svc = {"name": name, "display_name": name, "status": status, "start_mode": "Auto", "last_error": None}
    cs["services"].append(svc)
    return svc


def _cs(state, args, version="sfb2019", xmpp=False):
    """sfb.edge.edge_cs as its documentation says, steps in its fixed order. Services exist only once
    the step that installs them ran: a start of anything else leaves it missing."""
    cs = state["cs"]
    steps = args["steps"]
    assert steps == [s for s in SIM_STEP_ORDER if s in steps], steps
    product, rtm, updated = SIM_PRODUCTS[version]
    if "core" in steps:
        assert args["media_path"]
        cs["bootstrapper"] = True
        cs["products"].append({"name": product + ", Core Components", "version": rtm})
    if "cu" in steps:
        assert args["cu_installer"].endswith("SkypeServerUpdateInstaller.exe"), args
        assert cs["bootstrapper"], "the update installer runs after the Core Components"
    if "local_management" in steps:
        cs["local_management"] = True
        for name in SIM_LOCAL_STORE_SERVICES:
            _service(cs, name, "Stopped")
    if "import_configuration" in steps:
        assert args["configuration"] == ARCHIVE_PLACEHOLDER
        cs["topology"] = {"imported": True, "machines": [args["fqdn"]]}
    if "enable_replica" in steps:
        cs["replica"]["enabled"] = True
    if "start_replica" in steps:
        _service(cs, "REPLICA", "Running")
    if "edge_roles" in steps:
        for name in SIM_ROLE_SERVICES[version] + ((SIM_XMPP_SERVICE[version],) if xmpp and version in SIM_XMPP_SERVICE
                                                  else ()):
            _service(cs, name, "Stopped")
        cs["products"].append({"name": product + ", Edge Server", "version": rtm})
    if "cu" in steps:  # both halves: every installed component is updated, the databases too
        for item in cs["products"]:
            if item["name"].startswith(product):
                item["version"] = updated
        cs["cu_databases_pending"] = False
    if "enable_computer" in steps:
        for svc in cs["services"]:
            svc["start_mode"] = "Auto"
    for item in args.get("certificates") or []:
        _assign(state, item)
    installed = {svc["name"] for svc in cs["services"]}
    for name in args.get("services") or []:
        if name in installed:  # Start-CsWindowsService of a service that does not exist fails; edge_cs reports it
            _service(cs, name, "Running")


def _assign(state, item):
    """Set-CsCertificate -Type <uses> -Thumbprint <thumbprint> [-Roll -EffectiveDate <date>], and what
    Get-CsCertificate (edge_facts' cs.certificates) lists afterwards: the certificate must be in the
    LocalMachine My store; without -Roll it replaces every assignment of the uses at once; with -Roll
    it is staged beside the current assignment (which stays until the date; a roll staged before
    is replaced) and listed with its EffectiveDate."""
    cs = state["cs"]
    thumb = item["thumbprint"].upper()
    mine = [c for c in state["certificates"].get("My") or [] if c["thumbprint"] == thumb and c["has_private_key"]]
    assert mine, "Set-CsCertificate fails: %s is not in LocalMachine\\My with its private key" % thumb
    uses = set(item["uses"])
    if item.get("roll"):
        assert item.get("effective_date"), "edge_cs refuses roll without effective_date"
        effective = _utc_text(datetime.datetime.fromisoformat(item["effective_date"]))
        cs["certificates"] = [c for c in cs["certificates"] if c["use"] not in uses or not c["effective_date"]]
    else:
        effective = None
        cs["certificates"] = [c for c in cs["certificates"] if c["use"] not in uses]
    cs["certificates"] += [{"use": u, "thumbprint": thumb, "effective_date": effective,
                            "not_after": mine[0]["not_after"]} for u in item["uses"]]


# ------------------------------------------------------------------------------------------- edge_cs calls
def _policy_outcome(args, key, rc):
    """What edge_cs.ps1 makes of an installer's exit code: the call's exit_codes (the controller's policy),
    nothing of its own - "success", "reboot", or "failed"."""
    policy = args["exit_codes"][key]  # the .ps1 refuses an installer step without it
    if rc in policy["success"]:
        return "success"
    return "reboot" if rc in policy["reboot"] else "failed"


def _stop_for_update(cs, stopped):
    for svc in cs["services"]:
        if svc["status"] == "Running" and (svc["name"] == "REPLICA" or svc["name"].startswith("RTC")):
            svc["status"] = "Stopped"
            if svc["name"] not in stopped:
                stopped.append(svc["name"])


def edge_cs_run(state, args, rcs=None, fail=None, cs_version="sfb2019", xmpp=False):
    """One sfb.edge.edge_cs call as edge_cs.ps1 runs it: (its result, the state after it).

    Run steps in the controller's order (``run_steps``; ``args["run"]`` when given). Each installer exits with
    ``rcs[run step]`` (default: the first success code of its policy) and the call's ``exit_codes`` decides what
    that means; the run stops after a step that asked for a reboot and fails in a step whose code is in neither
    list, or in ``fail`` (a management shell step). ``cu`` marks its second half due
    (``cu_databases_pending``) and stops the running REPLICA/RTC* services; ``cu_databases`` clears the mark
    after Install-CsDatabase and starts them again - and the finally of the step loop starts them on every other
    way out, unless a reboot follows."""
    state = copy.deepcopy(state)
    cs = state["cs"]
    rcs = rcs or {}
    steps = args["steps"]
    out = {"changed": False, "reboot_required": False, "steps": [], "services": [], "run_steps": [],
           "services_stopped": [], "services_restarted": []}
    stopped = out["services_stopped"]
    product, _rtm, updated = SIM_PRODUCTS[cs_version]
    for step in [s for s in run_steps(steps) if not args.get("run") or s in args["run"]]:
        if out["reboot_required"]:
            break
        out["run_steps"].append({"name": step, "seconds": 1.0})
        out["changed"] = True
        keys = STEP_INSTALLERS.get(step, ()) if step != "cu_databases" or "edge_roles" in steps else ()
        if step == "cu":
            cs["cu_databases_pending"] = True
        if step in ("cu", "cu_databases") and keys:
            _stop_for_update(cs, stopped)
        name = "cu" if step == "cu_databases" else step
        if keys:
            rc = rcs.get(step, args["exit_codes"][keys[-1]]["success"][0])
            outcome = _policy_outcome(args, keys[-1], rc)
            out["steps"].append({"name": name, "rc": rc, "output": "", "run": step})
            if outcome == "failed":  # Invoke-Program's message
                policy = args["exit_codes"][keys[-1]]
                path = args.get("cu_installer") if name == "cu" else "the installer of %s" % name
                out.update(failed=True, msg="The step %s failed: %s exited with %s (success: %s; reboot: %s)" % (
                    name, path, rc, ", ".join(str(c) for c in policy["success"]),
                    ", ".join(str(c) for c in policy["reboot"])))
                break
            out["reboot_required"] = outcome == "reboot"
        if step == fail:
            out["steps"].append({"name": step, "rc": None, "output": "failed", "run": step})
            out.update(failed=True, msg="The step %s failed: failed" % step)
            break
        if step in ("cu", "cu_databases"):
            if keys:
                for item in cs["products"]:
                    if item["name"].startswith(product):
                        item["version"] = updated
            if step == "cu_databases" and not out["reboot_required"] and cs["local_management"]:
                out["steps"].append({"name": step, "rc": None, "output": "", "run": step})
                cs["cu_databases_pending"] = False
                for name in list(stopped):
                    _service(cs, name, "Running")
                    out["services_restarted"].append(name)
        else:
            if not keys:
                out["steps"].append({"name": step, "rc": None, "output": "", "run": step})
            sub = {k: v for k, v in args.items() if k not in ("certificates", "services")}
            sub.update({k: args[k] for k in {"certificates": ("certificates",), "start_services": ("services",)}.get(
                step, ()) if k in args})
            _cs(state, dict(sub, steps=[step]), cs_version, xmpp)
    if not out["reboot_required"]:  # the finally of the step loop
        for name in stopped:
            if name not in out["services_restarted"]:
                _service(cs, name, "Running")
                out["services_restarted"].append(name)
    if out.get("failed") and out["services_restarted"]:  # as the .ps1 ends its message
        out["msg"] += "; the services stopped for the update were started again: %s" % ", ".join(out["services_restarted"])
    return out, state


def reboot(state):
    """The state after a reboot: Windows starts the automatic services and no reboot is pending."""
    state = copy.deepcopy(state)
    for svc in (state.get("cs") or {}).get("services") or []:
        if svc.get("start_mode") == "Auto" and svc.get("status") != "Running":
            svc["status"] = "Running"
    state["computer"].update(pending_reboot=False, pending_reboot_reasons=[])
    return state
