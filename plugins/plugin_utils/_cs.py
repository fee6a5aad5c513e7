# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lync Server 2013 / Skype for Business Server on the edge: version profiles, the desired CS state
of one server, and the CS areas of the diff engine.

The areas compare the desired CS state with the ``cs`` part of the gathered state
(docs/state-format.md) and return, like the Windows areas of :mod:`drift`, the changes, the problems
a run cannot fix, notes, and the remote calls - one ``sfb.edge.edge_cs`` call per area at most:

``cs_install``       Windows features, Core Components, local management store, configuration
                     import, replica, edge roles, Enable-CsComputer (in that order)
``cs_certificates``  Set-CsCertificate per use, by thumbprint, only where another one is assigned
``cs_services``      the edge services running
``cs_replication``   CMS replication up to date (reported; the Front End fixes it, not the edge)
"""

from __future__ import annotations

import re

from ansible_collections.sfb.edge.plugins.plugin_utils import _products
from ansible_collections.sfb.edge.plugins.plugin_utils import _changes as _records
from ansible_collections.sfb.edge.plugins.plugin_utils import _expiry as expiry
from ansible_collections.sfb.edge.plugins.plugin_utils import _model as model
from ansible_collections.sfb.edge.plugins.plugin_utils import _plan
from ansible_collections.sfb.edge.plugins.plugin_utils import _prereqs
from ansible_collections.sfb.edge.plugins.plugin_utils._excerpt import excerpt as _x

_change, _problem, _result = _records.change, _records.problem, _records.result

# Per version (plugins/plugin_utils/_products.py, the registry of product versions): the product name,
# the management shell module, the default install folder, the folder under Common Files, the update
# installer, the pattern of its uninstall entries and the Windows features the Edge Server needs.
PROFILES = _products.PRODUCTS
_ENTRY = {version: re.compile(prof["entry_pattern"], re.IGNORECASE) for version, prof in PROFILES.items()}
# Where Setup puts the management shell module: %CommonProgramFiles% of the system drive, whatever
# INSTALLDIR says (ocscore.msi installs the module and the Common Files part to fixed folders).
COMMON_FILES = "C:\\Program Files\\Common Files"

# Windows services of an edge server (_products.py: the first two come with the local management store).
EDGE_SERVICES = _products.EDGE_SERVICES
LOCAL_STORE_SERVICES = _products.LOCAL_STORE_SERVICES
XMPP_SERVICE = _products.XMPP_SERVICE

# The cumulative updates a product version needs: prereqs.cu_requirements (by OS build and .NET
# release, each with its source). The versions that have such a rule:
_REQUIRED_CU = {version for version, prof in PROFILES.items() if any(
    r["support"] == "cu" for r in prof["os"].values()) or prof["dotnet"]["cu"]}
# Setup steps that run installers: a pending reboot stops them before they start (SQL Express setup,
# which Bootstrapper runs, refuses to run with one pending).
_SETUP_STEPS = ("core", "cu", "local_management", "edge_roles")
# The exit-code policy of the installers (issue 19, point 3), decided here and passed to edge_cs as its
# option exit_codes, which applies it as given (it has no list of its own): per installer, the codes
# that mean success and the codes that mean "installed, reboot needed" (the run stops after the step,
# reboot_required). Windows Installer: 0 success, 3010 ERROR_SUCCESS_REBOOT_REQUIRED, 1641
# ERROR_SUCCESS_REBOOT_INITIATED (suppressed by /norestart), 1638 ERROR_PRODUCT_VERSION (this or a newer
# version is already installed: success for the prerequisite packages of the media only). Bootstrapper and
# the update installer run MSIs and pass their reboot codes on. core_prerequisites: vcredist_x64.exe,
# SQLSysClrTypes.msi and SharedManagementObjects.msi before ocscore.msi (the rest of core).
_SUCCESS, _REBOOT = (0,), (3010, 1641)
EXIT_CODES = {
    "core_prerequisites": {"success": _SUCCESS + (1638,), "reboot": _REBOOT},
    "core": {"success": _SUCCESS, "reboot": _REBOOT},
    "cu": {"success": _SUCCESS, "reboot": _REBOOT},
    "local_management": {"success": _SUCCESS, "reboot": _REBOOT},
    "edge_roles": {"success": _SUCCESS, "reboot": _REBOOT},
}
# The installers each edge_cs step runs, by their key in EXIT_CODES (cu_databases runs the update
# installer again when edge_roles ran in the same call).
STEP_INSTALLERS = {
    "core": ("core_prerequisites", "core"),
    "cu": ("cu",),
    "local_management": ("local_management",),
    "edge_roles": ("edge_roles",),
    "cu_databases": ("cu",),
}


def exit_codes(steps):
    """The part of :data:`EXIT_CODES` an edge_cs call of ``steps`` needs (its option exit_codes): one
    entry per installer its steps run, each ``{"success": [...], "reboot": [...]}``; {} when none."""
    wanted = set(run_steps(steps))
    return {key: {"success": list(EXIT_CODES[key]["success"]), "reboot": list(EXIT_CODES[key]["reboot"])}
            for step in RUN_ORDER + ("cu_databases",) if step in wanted for key in STEP_INSTALLERS.get(step, ())}


# Where each pending-reboot indicator edge_facts reports (computer.pending_reboot_reasons) lives.
REBOOT_INDICATORS = {
    "ComponentBasedServicing": r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending",
    "WindowsUpdate": r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired",
    "PendingFileRenameOperations": r"HKLM\SYSTEM\CurrentControlSet\Control\Session Manager\PendingFileRenameOperations",
    "ComputerRename": r"HKLM\SYSTEM\CurrentControlSet\Control\ComputerName: ActiveComputerName differs from ComputerName",
}

# Order in which edge_cs runs its steps (it enforces the same order).
INSTALL_STEPS = ("core", "cu", "local_management", "import_configuration", "enable_replica", "start_replica",
                 "edge_roles", "enable_computer")
_MEDIA_STEPS = ("core", "local_management", "edge_roles")
# Steps that need the management shell module (edge_cs imports it when the first of them runs).
MODULE_STEPS = ("import_configuration", "enable_replica", "start_replica", "enable_computer", "certificates",
                "start_services")
CS_AREAS = ("cs_install", "cs_certificates", "cs_services")
REPORT_AREAS = CS_AREAS + ("cs_replication",)
ARCHIVE = "<configuration export>"  # placeholder the edge_apply action replaces by the copied zip


def profile(version):
    return PROFILES[version]


def _version_key(text):
    parts = []
    for part in str(text or "").split("."):
        digits = "".join(ch for ch in part if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts + [0] * (4 - len(parts)))


def version_lower(version, minimum):
    """True when the dotted ``version`` is lower than ``minimum`` ("6.0.9319.272" < "6.0.9319.281")."""
    return _version_key(version) < _version_key(minimum)


def required_cu(version, os_build, dotnet_release=None):
    """The lowest product version ``version`` (a key of PROFILES) is supported with on a server with the
    Windows build ``os_build`` (int, e.g. 17763) and the .NET Framework release ``dotnet_release``
    (computer.dotnet_release), or None when its RTM is (or neither is known).

    The highest minimum of :func:`prereqs.cu_requirements`: e.g. SfB 2015 needs CU5 (6.0.9319.281) on
    Windows Server 2016 and CU9 (6.0.9319.548) on 2019 or with .NET Framework 4.8; Lync Server 2013 needs
    CU3 (5.0.8308.556) on Windows Server 2012 R2. Whether the OS is supported at all is another question
    (plugins/plugin_utils/_prereqs.py).
    """
    found = _required(version, os_build, dotnet_release)
    return found[-1]["minimum"] if found else None


def _required(version, os_build, dotnet_release):
    try:
        build = int(os_build) if os_build is not None else None
    except (TypeError, ValueError):
        build = None
    release = dotnet_release if isinstance(dotnet_release, int) and not isinstance(dotnet_release, bool) else None
    return sorted(_prereqs.cu_requirements(version, build, release), key=lambda r: _version_key(r["minimum"]))


def required_cu_name(version, os_build, dotnet_release=None):
    """The name of the update :func:`required_cu` returns ("CU9"), or None."""
    found = _required(version, os_build, dotnet_release)
    return found[-1]["update"] if found else None


def required_cu_reasons(version, os_build, dotnet_release=None):
    """Why :func:`required_cu` asks for an update: "CU9 on Windows Server 2019; CU9 with .NET Framework 4.8"."""
    return "; ".join("%s (%s) %s" % (r["update"], r["minimum"], r["why"])
                     for r in _required(version, os_build, dotnet_release))


def product_versions(products, version):
    """The versions of the installed components of ``version``'s product: [(name, version)], the
    uninstall entries whose name matches the version's ``entry_pattern`` in full."""
    pattern = _ENTRY[version]
    found = []
    for item in products or []:
        if not isinstance(item, dict):
            continue
        title = str(item.get("name") or "").strip()
        if pattern.fullmatch(title):
            found.append((title, str(item.get("version") or "")))
    return found


def installed_versions(products):
    """The versions whose Core Components (or any component) the uninstall entries show: an entry that
    matches a version's ``entry_pattern``, or names the product anywhere (fail closed: another version
    installed stops the host)."""
    found = set()
    for item in products or []:
        name = str((item or {}).get("name") or "").strip()
        matched = {v for v, pattern in _ENTRY.items() if pattern.fullmatch(name)}
        if matched:
            found |= matched
            continue
        # newest version first: "Skype for Business Server 2015 ..." names 2015 even if it mentions Lync 2013
        marked = [v for v in reversed(_products.VERSIONS) if PROFILES[v]["name_marker"] in name]
        if marked:
            found.add(marked[0])
    return found


def desired(pool, server, certificates):
    """The ``cs`` part of a server's desired state (see :func:`desired.host_state`).

    :param certificates: the desired certificates (:func:`desired.certificates`); the internal and
        external PFX become the planned Set-CsCertificate assignments.
    """
    prof = PROFILES[pool.version]
    install_dir = pool.setting("sfb_edge_install_dir") or prof["install_dir"]
    features = pool.setting("sfb_edge_windows_features")
    services = [name for name, _what in prof["services"]] + ([XMPP_SERVICE[0]] if pool.xmpp else [])
    uses = {kind: list(spec["assign_to"]) for kind, spec in _plan.certificates(pool).items()}
    assignments = []
    for cert in certificates:
        kind = cert["variable"].rsplit(".", 1)[-1]
        if kind in uses:
            assignments.append({"kind": kind, "uses": uses[kind], "thumbprint": cert["thumbprint"],
                                "subject": cert["subject"], "variable": cert["variable"]})
    roll = pool.setting("sfb_edge_certificate_roll_date")
    listening = _plan.listening(pool, server)
    return {
        "version": pool.version,
        "product": prof["product"],
        "module": prof["module"],
        "install_dir": install_dir,
        # Setup puts the management shell module under Common Files\<product folder>, whatever the install dir.
        "module_path": "%s\\%s\\Modules\\%s\\%s.psd1" % (
            COMMON_FILES, prof["common_files"], prof["module"], prof["module"]),
        "media_path": pool.setting("sfb_edge_media_path"),
        "cu_path": pool.setting("sfb_edge_cu_path"),
        "feature_source": pool.setting("sfb_edge_windows_feature_source"),
        "fqdn": server.fqdn,
        "pool": pool.fqdn,
        "features": list(prof["features"] if features is None else features),
        "services": services,
        "certificate_uses": uses,
        "certificates": assignments,
        "certificate_warn_days": int(pool.setting("sfb_edge_certificate_warn_days") or 0),
        "roll_date": model.parse_roll_date(roll).isoformat() if roll else None,
        "listening": listening,
        # sfb.edge.tcp_probe targets, run on the Front End: the internal TCP sockets
        "probes": [{"host": s["address"], "port": s["port"]}
                   for s in listening if s["interface"] == "internal" and s["protocol"] == "TCP"],
    }


def _cs_state(res, current):
    cs = current.get("cs")
    if not isinstance(cs, dict):
        res["problems"].append(_problem(
            res["area"], "sfb_edge_version", "the gathered state has no Lync/Skype for Business part ('cs'); gather "
            "it with the sfb.edge.edge_state role (it asks edge_facts for it), or add a 'cs' section to the snapshot "
            "(docs/state-format.md)"))
        return None
    return cs


def _services(cs):
    return {str(s.get("name", "")).upper(): s for s in cs.get("services") or [] if isinstance(s, dict)}


def _call(want, args):
    base = {"module_path": want["module_path"], "install_dir": want["install_dir"]}
    base.update(args)
    return {"module": "sfb.edge.edge_cs", "args": base}


# ----------------------------------------------------------------------------------- install
def cu_installer(cu_path, version=_products.DEFAULT):
    """The update installer of ``version`` (LyncServerUpdateInstaller.exe for Lync Server 2013,
    SkypeServerUpdateInstaller.exe else) in the folder ``cu_path``, or ``cu_path`` when it names an .exe."""
    if str(cu_path).lower().endswith(".exe"):
        return cu_path
    return str(cu_path).rstrip("\\") + "\\" + PROFILES[version]["update_installer"]


def feature_failure(message, args):
    """The message of a failed ansible.windows.win_feature call (``args`` its arguments), with the fix
    when Windows did not find a feature's payload (0x800f081f: NET-Framework-Core without a source and
    without Windows Update; issue 19, point 8)."""
    text = str(message)
    low = text.lower()
    if "0x800f081f" not in low and "source files could not be found" not in low:
        return text
    if args.get("source"):
        return ("%s - the source %s (sfb_edge_windows_feature_source) does not hold the payload: set it to "
                "<media>\\sources\\sxs of the mounted ISO of this server's own Windows Server release, e.g. "
                "D:\\sources\\sxs" % (text, args["source"]))
    return ("%s - Windows Update was not reachable and sfb_edge_windows_feature_source is not set: mount the Windows "
            "Server ISO on the edge and set sfb_edge_windows_feature_source to <media>\\sources\\sxs, e.g. "
            "D:\\sources\\sxs" % text)


def update_target(cs):
    """The target version of the update (issue 19, point 1): the file version of the update installer
    edge_facts read on the edge (``cs.update_installer.version``, gathered when sfb_edge_cu_path is set), or
    None when it was not read."""
    found = (cs or {}).get("update_installer")
    version = found.get("version") if isinstance(found, dict) else None
    return str(version) if version else None


def _cu(res, want, current, installing_core):
    """Whether the ``cu`` step runs: (before, after) for its change record, or None.

    The target is the higher of the update's own version (:func:`update_target`, the installer in
    sfb_edge_cu_path as the edge sees it) and the minimum a prerequisite requires (``minimum_version`` of
    the desired state, else :func:`required_cu` for the gathered OS build and .NET release). It runs with a fresh Core
    Components install when sfb_edge_cu_path is set (the media are older than any update), on an installed
    server when a component of the product (Core Components, Edge Server) is older than the target, and when
    an update ran without its second half (``cs.cu_databases_pending``: edge_cs stopped for a reboot before
    Install-CsDatabase -Update). Re-runs skip it because the gathered versions then reach the target.
    """
    cs = current.get("cs") or {}
    computer = current.get("computer") or {}
    release = computer.get("dotnet_release")
    required = want.get("minimum_version") or required_cu(want["version"], computer.get("os_build"), release)
    if not required and want["version"] in _REQUIRED_CU and computer.get("os_build") is None:
        res["notes"].append("the OS build was not read (computer.os_build): whether %s needs a cumulative update "
                            "on this server is unknown; re-gather with this collection's edge_facts" % want["product"])
    cu_path = want.get("cu_path")
    installer = cu_installer(cu_path, want["version"]) if cu_path else None
    found = cs.get("update_installer") if cu_path else None
    target = update_target(cs) if cu_path else None
    if target and required and version_lower(target, required):
        name = required_cu_name(want["version"], computer.get("os_build"), release)
        if required_cu(want["version"], computer.get("os_build"), release) != required:
            name = None  # minimum_version of the desired state
        res["problems"].append(_problem(
            "cs_install", "sfb_edge_cu_path", "the update installer %s is version %s, older than %s%s, which %s needs "
            "on this server (Windows build %s): put the update installer of that cumulative update or a later one "
            "in sfb_edge_cu_path" % (installer, target, ("%s, " % name) if name else "", required, want["product"],
                                     computer.get("os_build") or "not read")))
        return None
    minimum = max([v for v in (required, target) if v], key=_version_key, default=None)
    components = [(n, v) for n, v in product_versions(cs.get("products"), want["version"])
                  if n.endswith((", Core Components", ", Edge Server"))]
    below = [(n, v) for n, v in components if minimum and version_lower(v, minimum)]
    half = cs.get("cu_databases_pending") is True
    if installing_core:
        before = "not installed"
    elif below:
        before = ", ".join("%s %s" % (n, v or "(no version)") for n, v in below)
    elif half:
        before = "updated, without its second half (Install-CsDatabase -Update -LocalDatabases did not run)"
    else:
        return None
    if installing_core and not cu_path and not minimum:
        return None
    if not cu_path:
        if half and not below:
            res["problems"].append(_problem(
                "cs_install", "sfb_edge_cu_path", "a cumulative update was installed on this server without its "
                "second half (Install-CsDatabase -Update -LocalDatabases; the run stopped for a reboot): set "
                "sfb_edge_cu_path to the folder of that update's installer so that it completes"))
            return None
        name = required_cu_name(want["version"], computer.get("os_build"), release)
        why = required_cu_reasons(want["version"], computer.get("os_build"), release)
        res["problems"].append(_problem(
            "cs_install", "sfb_edge_cu_path", "%s needs %s%s or later on this server (Windows build %s%s; installed: "
            "%s%s): set sfb_edge_cu_path to the folder that holds %s of that cumulative update or a later one (the "
            "update installer from Microsoft's download page; docs/cs-roles.md#prerequisites)" % (
                want["product"], ("%s, " % name) if name else "", minimum, computer.get("os_build") or "not read",
                ", .NET Framework %s" % _prereqs.dotnet_name(release) if isinstance(release, int) else "", before,
                "; required: %s" % why if why else "", PROFILES[want["version"]]["update_installer"])))
        return None
    if isinstance(found, dict) and found.get("exists") is False:
        res["problems"].append(_problem(
            "cs_install", "sfb_edge_cu_path", "the cumulative update is due (installed: %s), but %s does not exist on "
            "the server: copy the update installer there, or correct sfb_edge_cu_path (a local folder that holds it, "
            "or the file itself)" % (before, installer)))
        return None
    return before, ("at least %s (%s)" % (minimum, installer)) if minimum else "updated by %s" % installer


def _pending_reboot(res, current, steps):
    """Setup steps do not start while Windows waits for a reboot (SQL Express setup, which Bootstrapper
    runs, refuses to): reboot_required with the indicators that are set, from the gathered state."""
    setup = [s for s in steps if s in _SETUP_STEPS]
    if not setup:
        return
    computer = current.get("computer")
    if not isinstance(computer, dict) or "pending_reboot" not in computer:
        res["notes"].append("whether a reboot is pending was not read (computer.pending_reboot): re-gather with "
                            "this collection's edge_facts; %s may fail if one is" % ", ".join(setup))
        return
    if not computer.get("pending_reboot"):
        return
    reasons = [str(r) for r in computer.get("pending_reboot_reasons") or []] or ["unknown indicator"]
    res["reboot_required"] = True
    res["reboot_reasons"] = ["%s (%s)" % (r, REBOOT_INDICATORS[r]) if r in REBOOT_INDICATORS else r for r in reasons]
    res["notes"].append("a reboot is pending (%s): %s run only after it" % (
        "; ".join(res["reboot_reasons"]), ", ".join(setup)))


def cs_install(desired_state, current, options=None):
    """The install steps (:func:`_cs_install`), held back by failed prerequisites (:mod:`prereqs`)."""
    return _prereqs.gate(_cs_install(desired_state, current, options), desired_state, current)


def _cs_install(desired_state, current, options=None):
    """Windows features and the install steps still missing, in the order edge_cs runs them.

    :param options: ``config_refresh`` (import even when the local store holds this server) and
        ``frontend`` (the Front End the export comes from; None when the inventory has none).
    """
    options = options or {}
    res = _result("cs_install")
    want = desired_state["cs"]
    cs = _cs_state(res, current)
    if cs is None:
        return res
    other = sorted(installed_versions(cs.get("products")) - {want["version"]})
    if other:
        names = ", ".join(PROFILES[v]["product"] for v in other)
        res["problems"].append(_problem("cs_install", "sfb_edge_version", "%s is installed but sfb_edge_version is %s "
                                        "(%s); this collection neither upgrades nor mixes versions: correct "
                                        "sfb_edge_version, or remove %s from the server" % (
                                            names, _x(want["version"]), want["product"], names)))
        return res

    features = cs.get("features") or {}
    missing = [f for f in want["features"] if not features.get(f)]
    for name in missing:
        res["changes"].append(_change("cs_install", "Windows feature", name, "install", "not installed", "installed"))
    if missing:
        feature_args = {"name": missing, "state": "present"}
        if want.get("feature_source"):
            # e.g. D:\sources\sxs: NET-Framework-Core (.NET 3.5) has no payload on the disk of 2012 R2/2016
            feature_args["source"] = want["feature_source"]
        res["calls"].append({"module": "ansible.windows.win_feature", "args": feature_args})

    steps = []

    def step(name, target, prop, before, after):
        steps.append(name)
        res["changes"].append(_change("cs_install", target, prop, "install" if name != "import_configuration"
                                      else "import", before, after))

    if not cs.get("bootstrapper"):
        step("core", want["product"], "core components", "not installed", "installed from the media")
    cu = _cu(res, want, current, "core" in steps)
    if cu:
        step("cu", want["product"], "cumulative update", cu[0], cu[1])
    if not cs.get("local_management"):
        step("local_management", "local management store", "RTCLOCAL", "not installed",
             "installed (Bootstrapper /BootstrapLocalMgmt)")
    topology = cs.get("topology") or {}
    machines = [str(m).lower() for m in topology.get("machines") or []]
    fqdn = want["fqdn"]
    if not topology.get("imported"):
        step("import_configuration", "local configuration store", "topology", "empty",
             "holds %s (Export-CsConfiguration from the Front End)" % fqdn)
    elif fqdn not in machines:
        step("import_configuration", "local configuration store", "topology", "a topology without %s" % fqdn,
             "holds %s (Export-CsConfiguration from the Front End)" % fqdn)
        res["notes"].append("the local configuration store holds a topology without %s: if the new export still "
                            "lacks it, publish the topology with this edge server first" % fqdn)
    elif options.get("config_refresh"):
        step("import_configuration", "local configuration store", "topology", "holds %s" % fqdn,
             "refreshed from a new export (sfb_edge_config_refresh)")
    if not (cs.get("replica") or {}).get("enabled"):
        step("enable_replica", "local replica", "enabled", False, True)
    services = _services(cs)
    replica = services.get("REPLICA")
    if not replica or replica.get("status") != "Running":
        step("start_replica", "REPLICA", "status", replica.get("status") if replica else "not installed", "Running")
    roles = [n for n in want["services"] if n not in LOCAL_STORE_SERVICES]
    absent = [n for n in roles if n not in services]
    if absent:
        step("edge_roles", "edge server roles", "services", [n for n in roles if n in services] or None, roles)
    disabled = [n for n in roles if (services.get(n) or {}).get("start_mode") == "Disabled"]
    if disabled and not absent:
        step("enable_computer", "edge server roles", "activated", "services disabled: %s" % ", ".join(disabled),
             "activated (Enable-CsComputer)")

    need_media = [s for s in steps if s in _MEDIA_STEPS]
    if need_media and not want["media_path"]:
        res["problems"].append(_problem(
            "cs_install", "sfb_edge_media_path", "%s need the installation media, and sfb_edge_media_path is not "
            "set: give the path the edge sees the %s media at (a mounted ISO such as D:\\ or a folder that holds "
            "Setup\\amd64; docs/cs-roles.md)" % (", ".join(need_media), want["product"])))
    if "import_configuration" in steps and not options.get("frontend"):
        res["problems"].append(_problem(
            "cs_install", "sfb_edge_frontend_host", "the local configuration store needs an import, and the inventory "
            "names no Front End to run Export-CsConfiguration on: put a Front End in the group front_ends or set "
            "sfb_edge_frontend_host to its inventory name"))
    _pending_reboot(res, current, steps)
    if "edge_roles" in steps:
        _fold(res, steps, folded(desired_state, current))
    if steps:
        args = {"steps": steps, "fqdn": fqdn}
        if need_media:
            args["media_path"] = want["media_path"]
        if "cu" in steps:
            args["cu_installer"] = cu_installer(want["cu_path"], want["version"])
        codes = exit_codes(steps)
        if codes:  # the exit-code policy of the installers these steps run (edge_cs applies it as given)
            args["exit_codes"] = codes
        if "import_configuration" in steps:
            args["configuration"] = ARCHIVE
        args.update(res.pop("_folded", {}))
        res["calls"].append(_call(want, args))
    res["config_import"] = "import_configuration" in steps
    return res


# ----------------------------------------------------------------------------------- one setup call for a new edge
def _roles_missing(desired_state, current):
    """True when cs_install plans ``edge_roles`` on ``current`` (see :func:`_cs_install`): an edge role service is
    not installed, and no other product version is (a problem of cs_install: nothing runs)."""
    want, cs = desired_state["cs"], current.get("cs")
    if not isinstance(cs, dict) or installed_versions(cs.get("products")) - {want["version"]}:
        return False
    services = _services(cs)
    return any(n not in services for n in want["services"] if n not in LOCAL_STORE_SERVICES)


def folded(desired_state, current):
    """What the setup call that installs the edge roles also does, right after them (and after the second half of
    ``cu``), in edge_cs's order (:data:`RUN_ORDER`): assign the planned certificates, then start the services
    (issue 10's budget of calls, issue 19 point 1's order). ``(certificates, services)`` - the results
    cs_certificates and cs_services would give on ``current`` without the fold - when the gathered state lacks an
    edge role service (cs_install plans ``edge_roles``), else None.

    Before the roles exist nothing is assigned and no role service runs, so both are known from the plan alone.
    None too when a planned certificate is refused (a CNG key): nothing is folded, and cs_certificates fails after
    the install as without the fold - the services never start before their certificates. On such a state
    cs_certificates and cs_services plan nothing of their own (their work is cs_install's); they decide from the
    state read again after the setup call (site.yml), which shows what it did."""
    if not _roles_missing(desired_state, current):
        return None
    certificates = _cs_certificates(desired_state, current)
    if certificates["problems"]:
        return None
    return certificates, _cs_services(desired_state, current)


def _fold(res, steps, fold):
    """Add the folded certificate assignment and service start (:func:`folded`) to cs_install's ``steps`` and
    ``res`` (its changes; ``res["_folded"]``: the call's arguments). REPLICA is left out when ``start_replica``
    runs in the same call (that step starts it and waits for it)."""
    if fold is None:
        return
    certificates, services = fold
    groups = [g for c in certificates["calls"] for g in c["args"]["certificates"]]
    start = [n for c in services["calls"] for n in c["args"]["services"]
             if not (n == "REPLICA" and "start_replica" in steps)]
    args = {}
    if groups:
        steps.append("certificates")
        args["certificates"] = groups
    if start:
        steps.append("start_services")
        args["services"] = start
    res["changes"].extend(dict(c, area="cs_install") for c in certificates["changes"])
    res["changes"].extend(dict(c, area="cs_install") for c in services["changes"] if c["target"] in start)
    res["_folded"] = args


# ----------------------------------------------------------------------------------- certificates
def cs_certificates(desired_state, current, options=None, now=None):
    """Set-CsCertificate for every use whose assigned thumbprint is not the planned one (:func:`_cs_certificates`);
    nothing of its own while the edge roles are missing and the setup call assigns them (:func:`folded`)."""
    res = _cs_certificates(desired_state, current, now)
    if not res["problems"] and _roles_missing(desired_state, current):
        res["changes"], res["calls"] = [], []
    return res


def _cs_certificates(desired_state, current, now=None):
    """Set-CsCertificate for every use whose assigned thumbprint is not the planned one.

    A planned certificate already in ``My`` with a CNG/KSP key is refused on Skype for Business
    Server 2015 and later (they need a legacy CSP key); files that fail the controller-side checks
    (SANs, key, expiry) never get this far: validation stops the run first.
    """
    res = _result("cs_certificates")
    want = desired_state["cs"]
    cs = _cs_state(res, current)
    if cs is None:
        return res
    assigned = {}
    for item in cs.get("certificates") or []:
        if isinstance(item, dict):
            assigned.setdefault(str(item.get("use")), []).append(item)
    store = {str(c.get("thumbprint", "")).upper(): c for c in (current.get("certificates") or {}).get("My") or []}
    planned_uses = set()
    groups = []
    for cert in want["certificates"]:
        thumb = cert["thumbprint"]
        planned_uses.update(cert["uses"])
        have = store.get(thumb)
        if have and have.get("legacy_csp") is False and PROFILES[want["version"]]["legacy_csp_key"]:
            res["problems"].append(_problem(
                "cs_certificates", cert["variable"], "%s (%s) has a CNG/KSP private key on the server; %s needs a "
                "legacy CSP key, so it is not assigned: re-import the PFX with a legacy CSP (e.g. certutil -importpfx "
                "-csp \"Microsoft RSA SChannel Cryptographic Provider\") or re-issue it" % (
                    cert["subject"], thumb, want["product"])))
            continue
        uses = []
        for use in cert["uses"]:
            entries = assigned.get(use, [])
            thumbs = [str(e.get("thumbprint", "")).upper() for e in entries]
            if thumb in thumbs:
                pending = [e for e in entries if str(e.get("thumbprint", "")).upper() == thumb and e.get("effective_date")
                           and len(entries) > 1]
                if pending:
                    res["notes"].append("%s: roll-over to %s is scheduled for %s"
                                        % (use, thumb, pending[0]["effective_date"]))
                continue
            res["changes"].append(_change("cs_certificates", use, "thumbprint", "set", ", ".join(thumbs) or None, thumb))
            uses.append(use)
        # A staged roll-over replaces an assigned certificate at the date; a use without one gets it now.
        rolled = [u for u in uses if want["roll_date"] and assigned.get(u)]
        at_once = [u for u in uses if u not in rolled]
        if at_once:
            groups.append({"uses": at_once, "thumbprint": thumb})
        if rolled:
            groups.append({"uses": rolled, "thumbprint": thumb, "roll": True, "effective_date": want["roll_date"]})
    for kind, uses in want["certificate_uses"].items():
        bare = [u for u in uses if u not in planned_uses and not assigned.get(u)]
        if bare:
            res["notes"].append("no certificate is assigned to %s and none is planned (sfb_edge_certificates.%s is "
                                "not set): the edge services do not start without one" % (", ".join(bare), kind))
    if groups:
        res["calls"].append(_call(want, {"steps": ["certificates"], "certificates": groups}))
    _assigned_expiry(res, want, assigned, store, now)
    return res


def _assigned_expiry(res, want, assigned, store, now):
    """``res["expiry"]``: the end of validity of each certificate assigned to a use (one entry per
    thumbprint, its uses listed), and ``res["findings"]``: ``certificate_expiring`` /
    ``certificate_expired`` for those that expire within the warning window or have expired."""
    now = expiry.utcnow(now)
    warn_days = want.get("certificate_warn_days", expiry.DEFAULT_WARN_DAYS)
    planned = {u: c["thumbprint"] for c in want["certificates"] for u in c["uses"]}
    by_thumb = {}
    for use, entries in assigned.items():  # in gathered order, as the validation rows
        for entry in entries:
            thumb = str(entry.get("thumbprint", "")).upper()
            if thumb:
                item = by_thumb.setdefault(thumb, {"uses": [], "not_after": entry.get("not_after")})
                item["uses"].append(use)
                item["not_after"] = item["not_after"] or entry.get("not_after")
    res["expiry"], res["findings"] = [], []
    for thumb, item in by_thumb.items():
        try:
            end = expiry.parse(item["not_after"] or (store.get(thumb) or {}).get("not_after"))
        except expiry.ExpiryError:
            end = None
        info = expiry.status(end, now, warn_days)
        subject = (store.get(thumb) or {}).get("subject") or "subject unknown"
        target = "%s: %s" % (", ".join(item["uses"]), thumb)
        res["expiry"].append({"area": "cs_certificates", "target": target, "thumbprint": thumb, "subject": subject,
                              "uses": item["uses"], "not_after": expiry.iso(end), "status": info["status"],
                              "warn_days": info["warn_days"]})
        replaced = [u for u in item["uses"] if planned.get(u) not in (None, thumb)]
        what = "the certificate %s (%s) assigned to %s" % (thumb, subject, ", ".join(item["uses"]))
        if replaced:
            what += " (the plan assigns another one to %s)" % ", ".join(replaced)
        kinds = {k for k, uses in want["certificate_uses"].items() if set(uses) & set(item["uses"])}
        found = expiry.finding(info, end, what, kind=kinds.pop() if len(kinds) == 1 else None, now=now,
                               area="cs_certificates", target=target, thumbprint=thumb, subject=subject)
        if found:
            res["findings"].append(found)


# ----------------------------------------------------------------------------------- services
def _event(error):
    if not isinstance(error, dict):
        return ""
    return " (%s event %s at %s: %s)" % (error.get("source"), error.get("id"), error.get("time"), error.get("message"))


def cs_services(desired_state, current, options=None):
    """Start every edge service that is not running (edge_cs waits until they run); nothing of its own while the
    edge roles are missing and the setup call starts them after the certificates (:func:`folded`)."""
    res = _cs_services(desired_state, current)
    if res["calls"] and folded(desired_state, current) is not None:
        res["changes"], res["calls"] = [], []
    return res


def _cs_services(desired_state, current):
    """The services of the plan that do not run, and the edge_cs call that starts them."""
    res = _result("cs_services")
    want = desired_state["cs"]
    cs = _cs_state(res, current)
    if cs is None:
        return res
    services = _services(cs)
    start = []
    for name in want["services"]:
        svc = services.get(name)
        status = svc.get("status") if svc else "not installed"
        if status == "Running":
            continue
        res["changes"].append(_change("cs_services", name, "status", "start", status, "Running"))
        start.append(name)
        if svc and svc.get("last_error"):
            res["notes"].append("%s is %s%s" % (name, status, _event(svc["last_error"])))
    if start:
        res["calls"].append(_call(want, {"steps": ["start_services"], "services": start}))
    return res


# ----------------------------------------------------------------------------------- replication
def cs_replication(desired_state, current, options=None):
    """CMS replication to this edge, from the Front End's Get-CsManagementStoreReplicationStatus
    (``replication`` of the state; absent when it was not gathered). Reported only: the fix,
    Invoke-CsManagementStoreReplication, runs on the Front End (playbooks/validate.yml)."""
    res = _result("cs_replication")
    status = current.get("replication")
    if not isinstance(status, dict):
        return res
    fqdn = desired_state["cs"]["fqdn"]
    if status.get("up_to_date") is False:
        res["changes"].append(_change("cs_replication", fqdn, "replication", "sync",
                                      "not up to date (last status report %s, last update %s)" % (
                                          status.get("last_status_report") or "never",
                                          status.get("last_update_creation") or "unknown"), "up to date"))
        res["notes"].append("replication to %s is not up to date: check TCP 4443 from the Front Ends to the edge's "
                            "internal address; playbooks/validate.yml -e sfb_edge_replication_invoke=true triggers "
                            "Invoke-CsManagementStoreReplication" % fqdn)
    elif status.get("up_to_date") is None:
        res["notes"].append("the Central Management Store reports no replication status for %s (not in the published "
                            "topology, or never replicated)" % fqdn)
    return res


AREA_FUNCTIONS = {"cs_install": cs_install, "cs_certificates": cs_certificates, "cs_services": cs_services,
                  "cs_replication": cs_replication}


# ----------------------------------------------------------------------------------- progress (issue 11, item 6)
# The order edge_cs.ps1 runs its steps in ($order there; the tests hold both to it).
RUN_ORDER = INSTALL_STEPS + ("certificates", "start_services")
# Where edge_cs writes the installers' logs when the role gives none (cs_install_log_dir).
LOG_DIR = "C:\\ProgramData\\sfb-edge\\logs"
# What each step of an edge_cs run does, as the progress line names it. cu_databases is the second half
# of cu, which edge_cs runs after edge_roles (the roles and local databases get the update).
STEP_TITLES = {
    "core": "Install Core Components (OCSCore.msi, with the Visual C++ runtime, SQL CLR types and SMO of the media)",
    "cu": "Cumulative update (SkypeServerUpdateInstaller.exe /silentmode)",
    "local_management": "Bootstrapper local management store (/BootstrapLocalMgmt: SQL Server Express RTCLOCAL)",
    "import_configuration": "Import-CsConfiguration -LocalStore (the Front End's export)",
    "enable_replica": "Enable-CsReplica",
    "start_replica": "Start the replica service (REPLICA)",
    "edge_roles": "Bootstrapper install roles (the edge roles of the topology)",
    "cu_databases": "Cumulative update of the roles, Install-CsDatabase -Update -LocalDatabases",
    "enable_computer": "Enable-CsComputer",
    "certificates": "Set-CsCertificate (assign the certificates)",
    "start_services": "Start the edge services (Start-CsWindowsService)",
}


def run_steps(steps):
    """The steps edge_cs runs for ``steps``, in its order, with ``cu_databases`` where it runs it (the
    same expansion as ``$runSteps`` in edge_cs.ps1): before enable_computer, else after the other
    steps but before certificates and start_services."""
    wanted = set(steps)
    ordered = [s for s in RUN_ORDER if s in wanted]
    result = []
    for step in ordered:
        if step == "enable_computer" and "cu" in wanted:
            result.append("cu_databases")
        result.append(step)
    if "cu" in wanted and "cu_databases" not in result:
        tail = [s for s in result if s in ("certificates", "start_services")]
        result = [s for s in result if s not in tail] + ["cu_databases"] + tail
    return result


def run_units(steps, step_calls=False):
    """The edge_cs calls a run of ``steps`` is made of: ``[[run step, ...], ...]`` (:func:`run_steps`).

    By default ONE call runs them all (the action names every step and its logs before it and reports
    each step's result after it). With ``step_calls`` (role option ``cs_install_step_calls``) each step is
    a call of its own, announced as it starts - with one exception that keeps a call whole: the first
    half of ``cu`` stops the running Lync services and the second half (``cu_databases``) starts them
    again, which edge_cs remembers within one call only. On a server that has Lync services (no ``core``
    step planned), ``cu`` through ``cu_databases`` is one call; on a fresh server (``core`` planned) no
    Lync service exists before ``cu``, so they are split.
    """
    order = run_steps(steps)
    if not order:
        return []
    if not step_calls:
        return [order]
    if "cu" in order and "core" not in order:
        first, last = order.index("cu"), order.index("cu_databases")
        return [[s] for s in order[:first]] + [order[first:last + 1]] + [[s] for s in order[last + 1:]]
    return [[s] for s in order]


def step_logs(step, log_dir=None, installer=None):
    """The log files (or the folder) the installers of ``step`` write on the edge, named before it runs;
    [] for the management shell steps (their output is in the task result).

    The update installer (``installer``, the call's cu_installer) writes only LCSSetup_Commands.log into its
    TEMP (the log folder, edge_cs sets it); the log of each package it applies is in its own folder."""
    where = str(log_dir or LOG_DIR).rstrip("\\")
    if step == "core":
        return [where + "\\sfb-edge-vcredist_x64.log", where + "\\sfb-edge-SQLSysClrTypes.msi.log",
                where + "\\sfb-edge-SharedManagementObjects.msi.log", where + "\\sfb-edge-ocscore.msi.log"]
    if step in ("cu", "cu_databases"):
        return [where + "\\LCSSetup_Commands.log",
                "the log of each package: in the folder of %s" % (installer or "the update installer")]
    if step in ("local_management", "edge_roles"):
        return [where + "\\ (Bootstrapper's and SQL Server Express setup's logs: its TEMP folder)"]
    return []


def progress(steps, log_dir=None, step_calls=False, installer=None):
    """What a run of ``steps`` does, one entry per run step in edge_cs's order:
    ``[{number, total, step, title, logs, call, calls}]`` - ``call`` is the number of the edge_cs call
    (:func:`run_units`) that runs it, of ``calls``; ``installer``: the call's cu_installer."""
    units = run_units(steps, step_calls)
    total = sum(len(unit) for unit in units)
    entries = []
    for call, unit in enumerate(units, 1):
        for step in unit:
            entries.append({"number": len(entries) + 1, "total": total, "step": step, "title": STEP_TITLES[step],
                            "logs": step_logs(step, log_dir, installer), "call": call, "calls": len(units)})
    return entries


def step_results(entries, out):
    """``entries`` (:func:`progress`, the steps of one edge_cs call) with what the call returned for them.

    ``out`` is edge_cs's result: ``run_steps`` (the run steps it started, in order, each with ``name`` and
    ``seconds``), ``steps`` (each with ``name``, ``rc``, ``output`` and ``run``, the run step it belongs to:
    the second update run of ``cu_databases`` is named ``cu``), ``failed`` and ``reboot_required``. Without
    ``run_steps`` (an older edge_cs) the started steps are read from ``steps``.

    Each entry gets ``status`` - ``ok``; ``failed`` (the call failed in it: the last step started);
    ``reboot`` (an installer of it asked for one, the run stopped after it) or ``not run`` - with ``rc``
    (the last exit code, None for management shell commands) and ``seconds`` (None when not reported)."""
    out = out if isinstance(out, dict) else {}
    ran = [item for item in out.get("steps") or [] if isinstance(item, dict)]
    timed = [item for item in out.get("run_steps") or [] if isinstance(item, dict)]
    started = [str(item.get("name")) for item in timed] or list(dict.fromkeys(
        str(item.get("run") or item.get("name")) for item in ran))
    seconds = {str(item.get("name")): item.get("seconds") for item in timed}
    last = started[-1] if started else None
    results = []
    for entry in entries:
        step = entry["step"]
        rcs = [item.get("rc") for item in ran if (item.get("run") or item.get("name")) == step
               and item.get("rc") is not None]
        if step not in started:
            status = "not run"
        elif step == last and out.get("failed"):
            status = "failed"
        elif step == last and out.get("reboot_required"):
            status = "reboot"
        else:
            status = "ok"
        took = seconds.get(step)
        results.append(dict(entry, status=status, rc=rcs[-1] if rcs else None,
                            seconds=took if isinstance(took, (int, float)) and not isinstance(took, bool) else None))
    return results


def _seconds(entry, word="in"):
    return "" if entry.get("seconds") is None else " %s %.1f s" % (word, entry["seconds"])


def _rc(entry):
    return "" if entry.get("rc") is None else " (rc %s)" % entry["rc"]


def _logs(entry):
    return "; ".join(entry["logs"]) or "no installer log (the output is in the result)"


def call_lines(host, entries):
    """What the action prints before the edge_cs call that runs ``entries`` (:func:`progress`, one call's
    steps): a line per step with its number, title and the logs its installers write - after a line
    saying that the steps share the call, when they are more than one."""
    lines = []
    if len(entries) > 1:
        lines.append("%s: setup steps %d-%d of %d run in one edge_cs call (%d/%d); a line per step follows when it "
                     "ends" % (host, entries[0]["number"], entries[-1]["number"], entries[0]["total"],
                               entries[0]["call"], entries[0]["calls"]))
    for entry in entries:
        lines.append("%s: setup step %d/%d: %s - log: %s" % (host, entry["number"], entry["total"], entry["title"],
                                                             _logs(entry)))
    return lines


def result_lines(host, results):
    """What the action prints after an edge_cs call: a line per step (:func:`step_results`)."""
    lines = []
    for entry in results:
        head = "%s: setup step %d/%d" % (host, entry["number"], entry["total"])
        if entry["status"] == "ok":
            lines.append("%s done%s%s: %s" % (head, _seconds(entry), _rc(entry), entry["title"]))
        elif entry["status"] == "reboot":
            lines.append("%s done%s%s, and asks for a reboot before the next step: %s" % (
                head, _seconds(entry), _rc(entry), entry["title"]))
        elif entry["status"] == "failed":
            lines.append("%s FAILED%s%s: %s - log: %s" % (head, _seconds(entry, "after"), _rc(entry), entry["title"],
                                                          _logs(entry)))
        else:
            lines.append("%s not run: %s" % (head, entry["title"]))
    return lines


def remote_calls(calls, step_calls=False):
    """The round trips ``calls`` take: one per call; an edge_cs call one per unit (:func:`run_units`):
    one by default, one per step with ``step_calls``."""
    return sum(len(run_units(c["args"].get("steps") or [], step_calls)) or 1 if c["module"] == "sfb.edge.edge_cs"
               else 1 for c in calls)
