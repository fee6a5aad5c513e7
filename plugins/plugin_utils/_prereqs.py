# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Prerequisites of the Lync / Skype for Business installation, checked on the controller from the
one gathered state before any install step runs (issue 9, items 5, 18, 20 and 22). A pending reboot
and a missing cumulative update are not here: :func:`cs.cs_install` handles them (it stops setup with
``reboot_required`` naming the indicator, and plans the ``cu`` step or names ``sfb_edge_cu_path``).

:func:`prerequisites` returns findings, each a :func:`changes.problem` record with a ``severity``
(``error`` or ``warning``). :func:`gate` applies them to the ``cs_install`` area: they are looked at
only when that area plans an install call (Windows features or an ``edge_cs`` step) - a deployed
server is never blocked by them. Then the errors become the area's problems and its calls are
dropped (nothing of the area runs), the warnings become notes. docs/cs-roles.md#prerequisites.

State fields that a state does not have at all (a snapshot taken with an older ``edge_facts``) give
a warning "not read": this collection's ``edge_facts`` always returns them, so a live run has them;
a value it could not read is ``null`` and fails the check (fail closed).
"""

from __future__ import annotations

from ansible_collections.sfb.edge.plugins.plugin_utils import _products
from ansible_collections.sfb.edge.plugins.plugin_utils import _changes as _records
from ansible_collections.sfb.edge.plugins.plugin_utils._excerpt import excerpt as _x

AREA = "cs_install"
NOT_READ = "not read: re-gather with this collection's edge_facts"
# Severity of a check whose state field is absent (an older snapshot): see the module docstring.
NOT_READ_SEVERITY = "warning"

# The product versions' facts (plugins/plugin_utils/_products.py, with the source of each rule): the
# Windows Server releases by build number (computer.os_build), the sources, which Windows Server each
# version installs on (OS_SUPPORT; a build without a row gets the version's OS_OTHER severity) and the
# .NET Framework releases it supports (DOTNET_SUPPORT). A rule that blocks an installation (severity
# "error") always has a source; a fact without a Microsoft source is a warning, never an error
# (issue 19, points 10 and 11). source_link() makes the link.
WINDOWS = _products.WINDOWS
source_link = _products.source_link
OS_SUPPORT = _products.OS_SUPPORT
OS_OTHER = _products.OS_OTHER
DOTNET_SUPPORT = _products.DOTNET_SUPPORT

# .NET Framework 4.x "Release" values (HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full),
# the lowest of each version (learn.microsoft.com "How to: Determine which .NET Framework versions
# are installed").
DOTNET = ((378389, "4.5"), (378675, "4.5.1"), (379893, "4.5.2"), (393295, "4.6"), (394254, "4.6.1"),
          (394802, "4.6.2"), (460798, "4.7"), (461308, "4.7.1"), (461808, "4.7.2"), (528040, "4.8"),
          (533320, "4.8.1"))


def cu_requirements(version, os_build, dotnet_release=None):
    """The cumulative updates the OS build and the .NET release of a server need for ``version``:
    ``[{"minimum", "update", "why", "source"}]`` (empty: the release to manufacturing is enough)."""
    found = []
    row = OS_SUPPORT.get(version, {}).get(os_build) if _is_int(os_build) else None
    if row and row["support"] == "cu":
        found.append({"minimum": row["minimum"], "update": row["update"], "source": row["source"],
                      "why": "on %s" % WINDOWS.get(os_build, "Windows build %s" % os_build)})
    if _is_int(dotnet_release):
        rules = [r for r in DOTNET_SUPPORT.get(version, {}).get("cu", ()) if dotnet_release >= r[0]]
        if rules:
            _release, minimum, update, source = rules[-1]
            found.append({"minimum": minimum, "update": update, "source": source,
                          "why": "with .NET Framework %s" % dotnet_name(dotnet_release)})
    return found


def rules():
    """Every prerequisite rule as a flat row (the docs table and the source test read these):
    ``{"version", "check", "condition", "severity", "result", "source"}``."""
    rows = []
    for version, builds in OS_SUPPORT.items():
        for build, row in builds.items():
            severity = {"yes": "pass", "cu": "cu", "no": "error", "unverified": "warning"}[row["support"]]
            result = {"yes": "supported", "cu": "needs %s, %s, or later" % (row.get("update"), row.get("minimum")),
                      "no": row.get("why", ""), "unverified": "warning: not verified"}[row["support"]]
            rows.append({"version": version, "check": "os", "condition": "%s (build %d)" % (WINDOWS[build], build),
                         "severity": severity, "result": result, "source": row["source"]})
        severity, source = OS_OTHER[version]
        rows.append({"version": version, "check": "os", "condition": "any other build", "severity": severity,
                     "result": "not supported" if severity == "error" else "warning: no Microsoft page lists it",
                     "source": source})
    for version, spec in DOTNET_SUPPORT.items():
        rows.append({"version": version, "check": "dotnet", "condition": "older than %s (release %d)" % (
            dotnet_name(spec["lowest"]), spec["lowest"]), "severity": spec["severity"],
            "result": "needs .NET Framework %s or later" % dotnet_name(spec["lowest"]), "source": spec["source"]})
        for release, minimum, update, source in spec["cu"]:
            rows.append({"version": version, "check": "dotnet", "condition": "%s (release %d) or later" % (
                dotnet_name(release), release), "severity": "cu", "result": "needs %s, %s, or later" % (
                update, minimum), "source": source})
        for release, text, source in spec["notes"]:
            rows.append({"version": version, "check": "dotnet", "condition": "%s (release %d) or later" % (
                dotnet_name(release), release), "severity": "warning", "result": text, "source": source})
    for version, product in _products.PRODUCTS.items():
        if SXS_FEATURE in product["features"]:
            rows.append({"version": version, "check": "feature", "condition": "%s not installed, no "
                         "sfb_edge_windows_feature_source" % SXS_FEATURE, "severity": "warning",
                         "result": "installs from Windows Update when the server reaches it, else fails with 0x800f081f",
                         "source": product["features_source"]})
    return rows


def rules_markdown():
    """The table docs/cs-roles.md#prerequisites shows (a test holds the page to it).

    ``cu``: the rule is enforced through the ``cu`` step - a cumulative update of at least that version
    is planned (sfb_edge_cu_path) or, without sfb_edge_cu_path, asked for as an error of cs_install."""
    lines = ["| `sfb_edge_version` | check | condition | severity | result | source |",
             "|---|---|---|---|---|---|"]
    for row in rules():
        lines.append("| %s | %s | %s | %s | %s | %s |" % (
            ", ".join("`%s`" % v.strip() for v in row["version"].split(",")), row["check"], row["condition"],
            row["severity"], row["result"].replace("|", "\\|"), source_link(row["source"])))
    return "\n".join(lines) + "\n"


# The Windows Update policy values (HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU):
# AUOptions 4 = "auto download and schedule the install", which restarts the server on its schedule.
AU_SCHEDULED_INSTALL = 4

SXS_FEATURE = "NET-Framework-Core"


def dotnet_name(release):
    """``461814`` -> ``'4.7.2'`` (the highest version whose lowest release it reaches)."""
    name = None
    for lowest, version in DOTNET:
        if release >= lowest:
            name = version
    return name or "older than 4.5"


def _finding(severity, variable, message):
    return dict(_records.problem(AREA, variable, message), severity=severity)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


# ----------------------------------------------------------------------------------- checks
def check_os(want, host, computer):
    """Item 22: the OS is one the product version installs on."""
    version, product = want["version"], want["product"]
    if "os_build" not in computer:
        return [_finding(NOT_READ_SEVERITY, "computer.os_build", "%s: the Windows version was %s; whether %s supports it "
                         "was not checked" % (host, NOT_READ, product))]
    build = computer.get("os_build")
    if not _is_int(build):
        return [_finding("error", "computer.os_build", "%s: the Windows version could not be read (os_build %s); "
                         "without it %s cannot be shown to support this server. Check that WMI "
                         "(Win32_OperatingSystem) answers on %s and gather again" % (host, _x(build), product, host))]
    name = WINDOWS.get(build, computer.get("os_caption") or "Windows build %d" % build)
    shown = "%s (build %d)" % (name, build)
    rows = OS_SUPPORT[version]
    row = rows.get(build)
    supported = ", ".join(WINDOWS[b] + ("" if r["support"] == "yes" else " (with %s, %s, or later)" % (
        r["update"], r["minimum"])) for b, r in rows.items() if r["support"] in ("yes", "cu"))
    if row is None:
        severity, _source = OS_OTHER[version]
        if severity != "error":
            return [_finding("warning", "sfb_edge_version", "%s runs %s: no Microsoft requirement page for %s was "
                             "found, and the builds this collection knows it on are %s; check Microsoft's current "
                             "requirements" % (host, shown, product, supported))]
        row = {"support": "no", "why": "%s is not supported on %s" % (product, shown)}
    if row["support"] == "no":
        return [_finding("error", "sfb_edge_version", "%s runs %s: %s. %s (sfb_edge_version %s) installs on %s; "
                         "install the edge on one of these, or choose the sfb_edge_version this server supports"
                         % (host, shown, row["why"], product, _x(version), supported))]
    if row["support"] == "unverified":
        return [_finding("warning", "sfb_edge_version", "%s runs %s: support of %s on it is not in the requirement "
                         "pages this collection follows; check Microsoft's current requirements" % (host, shown, product))]
    # Supported with a cumulative update only: cs.cs_install plans the ``cu`` step from the installed
    # version (cs.required_cu) and names sfb_edge_cu_path when it is missing.
    return []


def check_dotnet(want, host, computer):
    """Item 20: the .NET Framework 4.x release is one the product version supports."""
    version, product = want["version"], want["product"]
    if "dotnet_release" not in computer:
        return [_finding(NOT_READ_SEVERITY, "computer.dotnet_release", "%s: the .NET Framework release was %s; whether %s "
                         "supports it was not checked" % (host, NOT_READ, product))]
    release = computer.get("dotnet_release")
    spec = DOTNET_SUPPORT[version]
    lowest, severity = spec["lowest"], spec["severity"]
    need = dotnet_name(lowest) + " or later"
    if release is None:
        return [_finding(severity, "computer.dotnet_release", "%s has no .NET Framework 4.5 or later (no Release under "
                         "HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full, or it could not be read: see the "
                         "warnings of edge_facts); %s needs .NET Framework %s: "
                         "install it, reboot, and run again" % (host, product, need))]
    if not _is_int(release):
        return [_finding("error", "computer.dotnet_release", "%s: the .NET Framework release %s is not a number; "
                         "gather again with this collection's edge_facts" % (host, _x(release)))]
    have = "%s (release %d)" % (dotnet_name(release), release)
    if release < lowest:
        return [_finding(severity, "computer.dotnet_release", "%s has .NET Framework %s; %s needs .NET Framework %s: "
                         "install it (offline installer from Microsoft), reboot, and run again"
                         % (host, have, product, need))]
    # A release that needs a cumulative update (SfB 2015: 4.7 and later) is not refused: cs.cs_install
    # plans the ``cu`` step for it (cs.required_cu) or asks for sfb_edge_cu_path.
    notes = [text for first, text, _source in spec["notes"] if release >= first]
    return [_finding("warning", "computer.dotnet_release", "%s has .NET Framework %s: %s" % (host, have, notes[-1]))] \
        if notes else []


def check_account(want, host, computer):
    """Item 18: the connecting account gets a full administrator token over WinRM.

    A local administrator other than the built-in one gets a filtered (non-elevated) token in a
    network logon unless LocalAccountTokenFilterPolicy is 1. Ansible's runas ``become`` cannot
    help then: elevating (or switching to SYSTEM) needs SeDebugPrivilege, which the filtered token
    lacks - so the check applies with and without become.
    """
    if "user" not in computer:
        return [_finding(NOT_READ_SEVERITY, "computer.user", "%s: the connecting account was %s; whether it gets a full "
                         "administrator token was not checked" % (host, NOT_READ))]
    user = computer.get("user")
    if not isinstance(user, dict):
        return [_finding("error", "computer.user", "%s: the connecting account could not be read (user %s), so it "
                         "cannot be shown to be an elevated administrator; gather again" % (host, _x(user)))]
    if user.get("system") is True or user.get("builtin_administrator") is True:
        return []
    name = user.get("name") or user.get("sid") or "?"
    if "local_account_token_filter_policy" not in computer:
        policy_text = "LocalAccountTokenFilterPolicy %s" % NOT_READ
    else:
        policy = computer.get("local_account_token_filter_policy")
        if policy == 1:
            if user.get("elevated") is True:
                return []
            return [_finding("error", "computer.user", "%s: the connecting account %s is not an administrator of the "
                             "server (no elevated token although LocalAccountTokenFilterPolicy is 1); the setup "
                             "steps need one: connect as a member of the local Administrators group"
                             % (host, name))]
        policy_text = "LocalAccountTokenFilterPolicy is %s" % ("not set" if policy is None else policy)
    if user.get("elevated") is True:
        return []  # UAC remote restrictions are off some other way (e.g. UAC disabled): a full token
    return [_finding("error", "computer.user", "%s: the connecting account %s is a local account other than the "
                     "built-in Administrator and %s, so over WinRM it gets a filtered token without administrator "
                     "rights (elevated: %s); Bootstrapper (SQL Express) and the other setup steps fail with it, and "
                     "become cannot elevate from it. Set HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies"
                     "\\System LocalAccountTokenFilterPolicy to 1 (DWORD), or connect as the built-in Administrator"
                     % (host, name, policy_text, _x(user.get("elevated"))))]


def check_nics(want, host, adapters):
    """Item 22: exactly two network adapters that are Up (internal and external).

    Get-NetAdapter lists the visible adapters (a team shows as one); adapters that are disabled or
    disconnected do not count - Lync binds to the addresses, not to every adapter.
    """
    up = [a.get("name") for a in adapters if isinstance(a, dict) and a.get("status") == "Up"]
    if len(up) == 2:
        return []
    listed = ", ".join("%s (%s)" % (a.get("name"), a.get("status")) for a in adapters if isinstance(a, dict)) or "none"
    return [_finding("error", "adapters", "%s has %d network adapter(s) that are Up (%s); an edge "
                     "server needs exactly two, the internal and the external one (a teamed pair counts as one). "
                     "Connect the missing adapter or disable the extra ones, then gather again" % (host, len(up), listed))]


def check_dns_suffix(want, host, computer):
    """Item 22: a primary DNS suffix. site.yml's identity role sets the planned one before cs_install
    in the same run, so a different or empty suffix is a note, not an error."""
    planned = (want.get("_dns_suffix") or "").lower()
    have = (computer.get("dns_suffix") or "").lower()
    if have and have == planned:
        return []
    if planned:
        return [_finding("warning", "sfb_edge_dns_suffix", "%s has the primary DNS suffix %s; the identity role "
                         "(site.yml, before cs_install) sets %s, and setup needs it in effect: with identity_reboot: "
                         "true it reboots and gathers the state again before cs_install, else reboot before setup "
                         "runs" % (host, _x(have), planned))]
    return [_finding("error", "sfb_edge_dns_suffix", "%s has no primary DNS suffix and none is planned; set "
                     "sfb_edge_dns_suffix" % host)]


def check_windows_update(want, host, computer):
    """Item 22: Windows Update not set to install and restart on its own schedule (AUOptions 4,
    NoAutoUpdate not 1). A warning: the server works, but may restart during setup or in service."""
    if "windows_update" not in computer:
        return [_finding(NOT_READ_SEVERITY, "computer.windows_update", "%s: the Windows Update policy was %s" % (host, NOT_READ))]
    wu = computer.get("windows_update")
    if not isinstance(wu, dict):
        return [_finding("warning", "computer.windows_update", "%s: the Windows Update policy could not be read "
                         "(%s)" % (host, _x(wu)))]
    if wu.get("au_options") == AU_SCHEDULED_INSTALL and wu.get("no_auto_update") != 1:
        return [_finding("warning", "computer.windows_update", "%s: Windows Update installs updates and restarts "
                         "on its own schedule (policy AUOptions 4, NoAutoUpdate %s), which can restart the server in "
                         "the middle of setup and stops the edge services at random; set the policy to download only "
                         "(AUOptions 3) and install updates in a maintenance window"
                         % (host, wu.get("no_auto_update") if wu.get("no_auto_update") is not None else "not set"))]
    return []


def check_feature_source(want, host, cs_state):
    """Item 5, issue 19 point 8: NET-Framework-Core (.NET 3.5) has no payload on Windows Server 2012 and
    later. Install-WindowsFeature takes it from Windows Update when the server reaches it (Microsoft's
    server requirements page), so a missing source is a warning; offline it fails with 0x800f081f
    (cs.feature_failure names the fix then)."""
    features = (cs_state or {}).get("features") or {}
    if SXS_FEATURE not in want["features"] or features.get(SXS_FEATURE) or want.get("feature_source"):
        return []
    return [_finding("warning", "sfb_edge_windows_feature_source", "%s: %s (.NET Framework 3.5) is not installed and "
                     "sfb_edge_windows_feature_source is not set; Windows Server has no payload for it, so "
                     "Install-WindowsFeature downloads it from Windows Update, and fails with 0x800f081f (source files "
                     "could not be found) when the server cannot reach Windows Update (a DMZ edge usually cannot). "
                     "Mount the Windows Server ISO on the edge and set sfb_edge_windows_feature_source to "
                     "<media>\\sources\\sxs, e.g. D:\\sources\\sxs" % (host, SXS_FEATURE))]


def prerequisites(desired, current, steps=()):
    """Every prerequisite finding of one server, errors first.

    :param desired: the desired state (:func:`desired.host_state`).
    :param current: the gathered state (docs/state-format.md).
    :param steps: the ``edge_cs`` steps planned (``core`` makes a needed cumulative update an error).
    """
    want = dict(desired["cs"], _steps=tuple(steps), _dns_suffix=(desired.get("identity") or {}).get("dns_suffix"))
    host = desired.get("host") or want.get("fqdn") or "this host"
    computer = current.get("computer") if isinstance(current.get("computer"), dict) else {}
    adapters = current.get("adapters") if isinstance(current.get("adapters"), list) else []
    found = (check_os(want, host, computer) + check_dotnet(want, host, computer)
             + check_account(want, host, computer)
             + check_nics(want, host, adapters) + check_dns_suffix(want, host, computer)
             + check_windows_update(want, host, computer) + check_feature_source(want, host, current.get("cs")))
    return [f for f in found if f["severity"] == "error"] + [f for f in found if f["severity"] != "error"]


def gate(res, desired, current):
    """Apply the prerequisites to a ``cs_install`` result: only when it plans an install call."""
    if not res["calls"]:
        return res
    steps = [s for c in res["calls"] if c["module"] == "sfb.edge.edge_cs" for s in c["args"].get("steps", [])]
    findings = prerequisites(desired, current, steps)
    errors = [f for f in findings if f["severity"] == "error"]
    res["notes"].extend("prerequisite: %s: %s" % (f["variable"], f["message"]) for f in findings
                        if f["severity"] != "error")
    if errors:
        res["problems"].extend(_records.problem(f["area"], f["variable"], f["message"]) for f in errors)
        res["calls"] = []
    return res
