# -*- coding: utf-8 -*-
"""Prerequisites of the Lync/SfB installation (plugins/plugin_utils/_prereqs.py; issue 9 items 3, 5,
18, 20, 22): checked on the gathered state before any install step; states are the shipped
snapshots, copied and changed here (the snapshot files themselves are not edited)."""

from __future__ import annotations

import copy
import os
import re
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

import inventory_data  # noqa: E402

from ansible_collections.sfb.edge.plugins.plugin_utils import _desired as desired
from ansible_collections.sfb.edge.plugins.plugin_utils import _drift as drift
from ansible_collections.sfb.edge.plugins.plugin_utils import _model as model
from ansible_collections.sfb.edge.plugins.plugin_utils import _prereqs as prereqs
from ansible_collections.sfb.edge.plugins.plugin_utils import _state as state  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
SNAPSHOTS = os.path.join(ROOT, "tests", "snapshots")
OPTIONS = {"frontend": "fe01"}
_DESIRED = {}
GOOD = {
    "os_version": "10.0.17763", "os_build": 17763, "os_caption": "Microsoft Windows Server 2019 Standard",
    "dotnet_release": 528040, "local_account_token_filter_policy": None,
    "user": {"name": "EDGE01\\Administrator", "sid": "S-1-5-21-1-2-3-500", "builtin_administrator": True,
             "system": False, "elevated": True},
    "windows_update": {"au_options": 3, "no_auto_update": 0},
}
ADMIN = {"name": "EDGE01\\ansible", "sid": "S-1-5-21-1-2-3-1001", "builtin_administrator": False, "system": False,
         "elevated": False}


def want(version="sfb2019", **pool):
    key = (version, tuple(sorted(pool.items())))
    if key not in _DESIRED:
        inv = inventory_data.set_pool(inventory_data.example(), "sfb_edge_version", version)
        for name, value in pool.items():
            inventory_data.set_pool(inv, name, value)
        _DESIRED[key] = desired.build(inv, "edge01")
    return copy.deepcopy(_DESIRED[key])


def snap(scenario="cs-fresh", host="edge01", **computer):
    """A shipped snapshot, with the prerequisite fields of a good server unless told otherwise."""
    current = state.load_snapshot(os.path.join(SNAPSHOTS, scenario), host)
    for key, value in dict(GOOD, **computer).items():
        if value is ABSENT:
            current["computer"].pop(key, None)
        else:
            current["computer"][key] = copy.deepcopy(value)
    return current


ABSENT = object()


def findings(goal, current, steps=("core",)):
    return [(f["severity"], f["variable"], f["message"]) for f in prereqs.prerequisites(goal, current, steps)]


def install(goal, current):
    return drift.cs.cs_install(goal, current, OPTIONS)


# ----------------------------------------------------------------------------------- the gate
def test_a_good_fresh_server_plans_every_step_without_prerequisite_findings():
    res = install(want(), snap())
    assert res["problems"] == [] and res["notes"] == []
    assert [c["module"] for c in res["calls"]] == ["ansible.windows.win_feature", "sfb.edge.edge_cs"]


@pytest.mark.parametrize("scenario", ["converged", "cs-imported", "cs-stopped-service"])
def test_a_deployed_server_is_never_held_back_even_with_every_prerequisite_failing(scenario):
    """No install step planned: no prerequisite is looked at (fields absent, wrong OS, reboot pending...)."""
    current = snap(scenario, os_build=9600, dotnet_release=None, user=ADMIN, windows_update={"au_options": 4})
    current["computer"]["pending_reboot"] = True
    current["adapters"] = current["adapters"][:1]
    res = install(want(), current)
    assert res == dict(res, changes=[], problems=[], notes=[], calls=[])
    old = state.load_snapshot(os.path.join(SNAPSHOTS, scenario), "edge01")  # without the new fields at all
    assert install(want(), old)["notes"] == [] and install(want(), old)["problems"] == []


def test_prerequisite_errors_hold_back_every_install_call_and_keep_the_planned_changes():
    res = install(want(), snap(os_build=9600))
    assert res["calls"] == []
    assert [c["property"] for c in res["changes"]] == [
        "NET-WCF-HTTP-Activation45", "Windows-Identity-Foundation", "core components", "RTCLOCAL", "topology", "enabled", "status",
        "services"] + ["status"] * 5  # the services the setup call of a new edge starts (cs.folded)
    assert res["problems"] == [{
        "area": "cs_install", "variable": "sfb_edge_version",
        "message": "edge01 runs Windows Server 2012 R2 (build 9600): Skype for Business Server 2019 is not supported "
                   "on Windows Server 2012 R2 (build 9600). Skype for Business Server 2019 (sfb_edge_version 'sfb2019') "
                   "installs on Windows Server 2016, Windows Server 2019; install the edge on one of these, or choose "
                   "the sfb_edge_version this server supports"}]


def test_features_alone_are_install_calls_too():
    current = snap("converged", user=ADMIN)
    current["cs"]["features"]["Windows-Identity-Foundation"] = False
    res = install(want(), current)
    assert res["calls"] == [] and [p["variable"] for p in res["problems"]] == ["computer.user"]


def test_the_action_fails_the_host_with_the_message():
    """edge_apply turns the problems into the failure message: host, area, variable, message."""
    res = drift.host_drift(want(), snap(os_build=9600), areas=("cs_install",), options=OPTIONS)[0]["cs_install"]
    text = "; ".join("variable %s: %s" % (p["variable"], p["message"]) for p in res["problems"])
    assert text.startswith("variable sfb_edge_version: edge01 runs Windows Server 2012 R2 (build 9600)")


# ----------------------------------------------------------------------------------- 22: OS per product
OS_TABLE = [
    # version, build, expected: None (fine), "error", "warning"; with a cumulative update only (SfB 2015 on
    # 2016/2019) the OS is fine here: cs_install plans the cu step (test_sfb2015_on_2016_without_cu_path...)
    ("lync2013", 7601, "error"), ("lync2013", 9200, None), ("lync2013", 9600, None), ("lync2013", 14393, "error"),
    ("lync2013", 17763, "error"),
    ("sfb2015", 7601, "error"), ("sfb2015", 9200, None), ("sfb2015", 9600, None), ("sfb2015", 14393, None),
    ("sfb2015", 17763, None), ("sfb2015", 20348, "error"),
    ("sfb2019", 9600, "error"), ("sfb2019", 14393, None), ("sfb2019", 17763, None), ("sfb2019", 20348, "warning"),
    ("sfb2019", 26100, "error"),
    # Subscription Edition: no Microsoft requirement page was found, so no build is an error (issue 19, point 10)
    ("sfbse", 14393, "warning"), ("sfbse", 17763, None), ("sfbse", 20348, None), ("sfbse", 26100, "warning"),
    ("sfbse", 10240, "warning"),
]


# The products as Microsoft names them (the product pages; written out, not read from cs.PROFILES).
PRODUCTS = {"lync2013": "Lync Server 2013", "sfb2015": "Skype for Business Server 2015",
            "sfb2019": "Skype for Business Server 2019", "sfbse": "Skype for Business Server Subscription Edition"}


@pytest.mark.parametrize("version, build, expected", OS_TABLE)
def test_os_support_per_product_version(version, build, expected):
    goal = want(version)
    got = prereqs.check_os(dict(goal["cs"], _steps=("core",)), "edge01", dict(GOOD, os_build=build))
    product = PRODUCTS[version]
    if expected is None:
        assert got == []
        return
    assert len(got) == 1
    finding = got[0]
    assert finding["severity"] == ("warning" if expected == "warning" else "error")
    assert finding["message"].startswith("edge01 runs ")
    assert "(build %d)" % build in finding["message"] and product in finding["message"]
    assert finding["variable"] == "sfb_edge_version"
    if expected == "error":
        assert "'%s'" % version in finding["message"]


def test_os_messages_say_why_for_2008_r2():
    got = prereqs.check_os(dict(want("lync2013")["cs"]), "edge01", dict(GOOD, os_build=7601))
    assert got[0]["message"] == (
        "edge01 runs Windows Server 2008 R2 (build 7601): Lync Server 2013 supports Windows Server 2008 R2 SP1, but "
        "this collection does not: it needs the NetTCPIP cmdlets of Windows Server 2012 and later. Lync Server 2013 "
        "(sfb_edge_version 'lync2013') installs on Windows Server 2012, Windows Server 2012 R2 (with CU3, 5.0.8308.556, "
        "or later); install the edge on one of these, or choose the sfb_edge_version this server supports")
    got = prereqs.check_os(dict(want("sfb2015")["cs"]), "edge01", dict(GOOD, os_build=7601))
    assert "only for an in-place upgrade of a Lync Server 2013 server" in got[0]["message"]
    assert ("Windows Server 2016 (with CU5, 6.0.9319.281, or later), Windows Server 2019 (with CU9, 6.0.9319.548, or "
            "later)") in got[0]["message"]


def test_os_unknown_build_uses_the_caption():
    got = prereqs.check_os(dict(want()["cs"]), "edge01", dict(GOOD, os_build=10240, os_caption="Windows 10 Pro"))
    assert got[0]["message"].startswith("edge01 runs Windows 10 Pro (build 10240): Skype for Business Server 2019 is "
                                        "not supported on Windows 10 Pro (build 10240).")


def test_sfb2015_on_2016_without_cu_path_stops_a_fresh_install():
    res = install(want("sfb2015"), snap(os_build=14393, dotnet_release=394802))
    assert {p["variable"]: p["message"] for p in res["problems"]}["sfb_edge_cu_path"] == (
        "Skype for Business Server 2015 needs CU5, 6.0.9319.281 or later on this server (Windows build 14393, .NET "
        "Framework 4.6.2; installed: not installed; required: CU5 (6.0.9319.281) on Windows Server 2016): set "
        "sfb_edge_cu_path to the folder that holds SkypeServerUpdateInstaller.exe of that cumulative update or a "
        "later one (the update installer from Microsoft's download page; docs/cs-roles.md#prerequisites)")


# ----------------------------------------------------------------------------------- 20: .NET per product
DOTNET_TABLE = [
    # Hand-written from Microsoft's pages: (version, release, expected finding of check_dotnet). A release
    # that needs a cumulative update is not refused here: the cu step enforces it (tests below).
    ("lync2013", 378389, None), ("lync2013", 379893, None), ("lync2013", 378388, "error"),
    ("lync2013", 394802, "warning"), ("lync2013", 528040, "warning"),  # 4.6.2+: November 2016 CU (not checkable)
    ("sfb2015", 378389, None), ("sfb2015", 394802, None), ("sfb2015", 461814, None), ("sfb2015", 528040, None),
    ("sfb2015", 528049, None), ("sfb2015", 533325, "warning"), ("sfb2015", 378388, "error"),
    ("sfb2019", 394802, "error"), ("sfb2019", 460798, None), ("sfb2019", 461808, None), ("sfb2019", 528040, None),
    ("sfbse", 461308, None), ("sfbse", 394802, "warning"),  # SE: no Microsoft page (issue 19, point 10)
]


@pytest.mark.parametrize("version, release, expected", DOTNET_TABLE)
def test_dotnet_release_per_product_version(version, release, expected):
    got = prereqs.check_dotnet(dict(want(version)["cs"]), "edge01", dict(GOOD, dotnet_release=release))
    if expected is None:
        assert got == []
    else:
        assert [(f["severity"], f["variable"]) for f in got] == [(expected, "computer.dotnet_release")]
        assert "(release %d)" % release in got[0]["message"]


def test_dotnet_exact_messages():
    assert findings(want(), snap(dotnet_release=394802))[0] == (
        "error", "computer.dotnet_release",
        "edge01 has .NET Framework 4.6.2 (release 394802); Skype for Business Server 2019 needs .NET Framework 4.7 or "
        "later: install it (offline installer from Microsoft), reboot, and run again")
    assert findings(want(), snap(dotnet_release=None))[0] == (
        "error", "computer.dotnet_release",
        "edge01 has no .NET Framework 4.5 or later (no Release under HKLM\\SOFTWARE\\Microsoft\\NET Framework "
        "Setup\\NDP\\v4\\Full, or it could not be read: see the warnings of edge_facts); Skype for Business Server "
        "2019 needs .NET Framework 4.7 or later: install it, reboot, and run again")


# The lowest "Release" value of each .NET Framework 4.x, from Microsoft's page "How to: Determine which .NET
# Framework versions are installed" (learn.microsoft.com), written out here - not read from prereqs.DOTNET.
MICROSOFT_RELEASES = [(378389, "4.5"), (378675, "4.5.1"), (379893, "4.5.2"), (393295, "4.6"), (394254, "4.6.1"),
                      (394802, "4.6.2"), (460798, "4.7"), (461308, "4.7.1"), (461808, "4.7.2"), (528040, "4.8"),
                      (533320, "4.8.1")]
# Per product: the lowest supported release and the first one that is refused (None: no upper bound), from the
# server requirement pages: Lync 2013 needs 4.5; SfB 2019 4.7 or later; SfB 2015 4.5 and later, the newer ones
# with a cumulative update (4.7/4.7.1 CU5, 4.7.2 CU6, 4.8 CU9: asked for by the cu step, never refused here,
# server-requirements.md since PR #4919). Subscription Edition has no Microsoft requirements page: below 4.7 is
# a warning, never an error (no hard block without a source).
SUPPORTED_RELEASES = {"lync2013": (378389, None), "sfb2015": (378389, None), "sfb2019": (460798, None)}


@pytest.mark.parametrize("release, name", [(0, "older than 4.5"), (378388, "older than 4.5")] + [
    case for number, (lowest, name) in enumerate(MICROSOFT_RELEASES)
    for case in ((lowest - 1, MICROSOFT_RELEASES[number - 1][1] if number else "older than 4.5"), (lowest, name))] + [
    (394806, "4.6.2"), (461814, "4.7.2"), (528049, "4.8"), (533325, "4.8.1")])
def test_dotnet_names_of_release_values(release, name):
    assert prereqs.dotnet_name(release) == name


@pytest.mark.parametrize("version, release, supported", [
    (version, release, supported) for version, (lowest, too_new) in sorted(SUPPORTED_RELEASES.items())
    for release, supported in ((lowest - 1, False), (lowest, True)) + (
        ((too_new - 1, True), (too_new, False)) if too_new else ((10 ** 7, True),))])
def test_dotnet_support_bounds_per_product_version(version, release, supported):
    got = prereqs.check_dotnet(dict(want(version)["cs"]), "edge01", dict(GOOD, dotnet_release=release))
    errors = [(f["severity"], f["variable"]) for f in got if f["severity"] == "error"]
    assert errors == ([] if supported else [("error", "computer.dotnet_release")])


@pytest.mark.parametrize("release", [378389, 460797, 460798, 528040])
def test_subscription_edition_dotnet_is_never_a_hard_block(release):
    got = prereqs.check_dotnet(dict(want("sfbse")["cs"]), "edge01", dict(GOOD, dotnet_release=release))
    assert [f["severity"] for f in got] == (["warning"] if release < 460798 else [])


@given(st.integers(min_value=0, max_value=10 ** 7))
def test_dotnet_name_is_the_highest_version_reached(release):
    # Literal lowest releases of each version (learn.microsoft.com "How to: Determine which .NET Framework
    # versions are installed"), not the table under test.
    lowest = [(378389, "4.5"), (378675, "4.5.1"), (379893, "4.5.2"), (393295, "4.6"), (394254, "4.6.1"),
              (394802, "4.6.2"), (460798, "4.7"), (461308, "4.7.1"), (461808, "4.7.2"), (528040, "4.8"),
              (533320, "4.8.1")]
    reached = [v for r, v in lowest if release >= r]
    assert prereqs.dotnet_name(release) == (reached[-1] if reached else "older than 4.5")


# ----------------------------------------------------------------------------------- 18: the account
ACCOUNT_TABLE = [
    # user, LocalAccountTokenFilterPolicy, expected error text (None: fine)
    (GOOD["user"], None, None),
    ({"name": "NT AUTHORITY\\SYSTEM", "sid": "S-1-5-18", "builtin_administrator": False, "system": True,
      "elevated": True}, None, None),
    (ADMIN, None, "LocalAccountTokenFilterPolicy is not set"),
    (ADMIN, 0, "LocalAccountTokenFilterPolicy is 0"),
    (dict(ADMIN, elevated=True), 1, None),
    (dict(ADMIN, elevated=True), None, None),  # UAC remote restrictions off another way
    (ADMIN, 1, "is not an administrator of the server"),
]


@pytest.mark.parametrize("user, policy, expected", ACCOUNT_TABLE)
def test_connecting_account(user, policy, expected):
    got = prereqs.check_account({}, "edge01", dict(GOOD, user=user, local_account_token_filter_policy=policy))
    if expected is None:
        assert got == []
    else:
        assert [(f["severity"], f["variable"]) for f in got] == [("error", "computer.user")]
        assert expected in got[0]["message"] and "EDGE01\\ansible" in got[0]["message"]


def test_filtered_token_exact_message():
    assert findings(want(), snap(user=ADMIN, local_account_token_filter_policy=0))[0] == (
        "error", "computer.user",
        "edge01: the connecting account EDGE01\\ansible is a local account other than the built-in Administrator and "
        "LocalAccountTokenFilterPolicy is 0, so over WinRM it gets a filtered token without administrator rights "
        "(elevated: False); Bootstrapper (SQL Express) and the other setup steps fail with it, and become cannot "
        "elevate from it. Set HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System "
        "LocalAccountTokenFilterPolicy to 1 (DWORD), or connect as the built-in Administrator")


# ----------------------------------------------------------------------------------- 22: the rest
def test_pending_reboot_is_left_to_cs_install_which_names_the_indicator():
    """A pending reboot is no prerequisite error: cs_install holds setup back with reboot_required (the
    role reboots when cs_install_reboot allows it, then resumes), naming each indicator."""
    current = snap()
    current["computer"].update(pending_reboot=True,
                               pending_reboot_reasons=["ComponentBasedServicing", "PendingFileRenameOperations"])
    assert [f for f in findings(want(), current) if f[1] == "computer.pending_reboot"] == []
    res = install(want(), current)
    assert res["problems"] == [] and res["reboot_required"] is True
    assert res["reboot_reasons"] == [
        "ComponentBasedServicing (HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing"
        "\\RebootPending)",
        "PendingFileRenameOperations (HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager"
        "\\PendingFileRenameOperations)"]


@pytest.mark.parametrize("statuses, up", [(["Up"], 1), (["Up", "Up", "Up"], 3), (["Up", "Disconnected"], 1)])
def test_exactly_two_adapters_up(statuses, up):
    current = snap()
    base = current["adapters"][0]
    current["adapters"] = [dict(base, name="NIC%d" % i, status=s) for i, s in enumerate(statuses)]
    listed = ", ".join("NIC%d (%s)" % (i, s) for i, s in enumerate(statuses))
    assert findings(want(), current) == [(
        "error", "adapters",
        "edge01 has %d network adapter(s) that are Up (%s); an edge server needs exactly two, the internal and the "
        "external one (a teamed pair counts as one). Connect the missing adapter or disable the extra ones, then "
        "gather again" % (up, listed))]


def test_a_third_adapter_that_is_disabled_does_not_count():
    current = snap()
    current["adapters"].append(dict(current["adapters"][0], name="Spare", status="Disabled"))
    assert findings(want(), current) == []


def test_dns_suffix_set_later_in_the_same_run_is_a_note_not_an_error():
    """site.yml runs identity (which sets the suffix) before cs_install: a fresh box is not blocked."""
    res = install(want(), snap("fresh"))
    assert res["problems"] == [] and res["calls"]
    assert res["notes"] == [
        "prerequisite: sfb_edge_dns_suffix: edge01 has the primary DNS suffix ''; the identity role (site.yml, before "
        "cs_install) sets corp.example.com, and setup needs it in effect: with identity_reboot: true it reboots and "
        "gathers the state again before cs_install, else reboot before setup runs"]


@pytest.mark.parametrize("policy, noted", [({"au_options": 4, "no_auto_update": 0}, True),
                                           ({"au_options": 4, "no_auto_update": None}, True),
                                           ({"au_options": 4, "no_auto_update": 1}, False),
                                           ({"au_options": 3, "no_auto_update": 0}, False),
                                           ({"au_options": None, "no_auto_update": None}, False)])
def test_windows_update_scheduled_install_is_a_warning(policy, noted):
    res = install(want(), snap(windows_update=policy))
    assert res["problems"] == [] and len(res["calls"]) == 2  # a warning never holds the install back
    if noted:
        assert res["notes"] == [
            "prerequisite: computer.windows_update: edge01: Windows Update installs updates and restarts on its own "
            "schedule (policy AUOptions 4, NoAutoUpdate %s), which can restart the server in the middle of setup and "
            "stops the edge services at random; set the policy to download only (AUOptions 3) and install updates in "
            "a maintenance window" % ("not set" if policy["no_auto_update"] is None else policy["no_auto_update"])]
    else:
        assert res["notes"] == []


# ----------------------------------------------------------------------------------- not read
@pytest.mark.parametrize("field, text", [
    ("os_build", "computer.os_build: edge01: the Windows version was not read: re-gather with this collection's "
                 "edge_facts; whether Skype for Business Server 2019 supports it was not checked"),
    ("dotnet_release", "computer.dotnet_release: edge01: the .NET Framework release was not read: re-gather with this "
                       "collection's edge_facts; whether Skype for Business Server 2019 supports it was not checked"),
    ("user", "computer.user: edge01: the connecting account was not read: re-gather with this collection's "
             "edge_facts; whether it gets a full administrator token was not checked"),
    ("windows_update", "computer.windows_update: edge01: the Windows Update policy was not read: re-gather with this "
                       "collection's edge_facts"),
])
def test_absent_fields_are_not_read_findings(field, text):
    res = install(want(), snap(**{field: ABSENT}))
    assert res["notes"] == ["prerequisite: " + text] and res["problems"] == []


def test_unreadable_values_fail_closed():
    got = findings(want(), snap(os_build=None, user=None))
    assert [(s, v) for s, v, _m in got] == [("error", "computer.os_build"), ("error", "computer.user")]
    assert "could not be read (os_build None)" in got[0][2] and "could not be read (user None)" in got[1][2]
    assert install(want(), snap(os_build=None))["calls"] == []


def test_a_filtered_token_with_the_policy_not_read_is_still_an_error():
    got = findings(want(), snap(user=ADMIN, local_account_token_filter_policy=ABSENT))
    assert got[0][1] == "computer.user" and "LocalAccountTokenFilterPolicy not read" in got[0][2]


# ----------------------------------------------------------------------------------- 5: feature source
def test_net35_without_a_source_is_a_warning_with_the_hint():
    """Issue 19, point 8: NET-Framework-Core installs from Windows Update when the server is online
    (Microsoft's server requirements page), so a missing source is a warning, not an error."""
    current = snap(os_build=9600, dotnet_release=394802)
    current["cs"]["features"]["NET-Framework-Core"] = False
    res = install(want("sfb2015"), current)
    assert res["problems"] == []
    assert [c["module"] for c in res["calls"]] == ["ansible.windows.win_feature", "sfb.edge.edge_cs"]
    assert "NET-Framework-Core" in res["calls"][0]["args"]["name"] and "source" not in res["calls"][0]["args"]
    assert res["notes"] == [
        "prerequisite: sfb_edge_windows_feature_source: edge01: NET-Framework-Core (.NET Framework 3.5) is not "
        "installed and sfb_edge_windows_feature_source is not set; Windows Server has no payload for it, so "
        "Install-WindowsFeature downloads it from Windows Update, and fails with 0x800f081f (source files could not "
        "be found) when the server cannot reach Windows Update (a DMZ edge usually cannot). Mount the Windows Server "
        "ISO on the edge and set sfb_edge_windows_feature_source to <media>\\sources\\sxs, e.g. D:\\sources\\sxs"]
    goal = want("sfb2015", sfb_edge_windows_feature_source="D:\\sources\\sxs")
    assert goal["cs"]["feature_source"] == "D:\\sources\\sxs"
    res = install(goal, current)
    assert res["problems"] == [] and res["notes"] == [] and res["calls"][0]["args"]["source"] == "D:\\sources\\sxs"
    current["cs"]["features"]["NET-Framework-Core"] = True  # installed already: no source needed
    assert install(want("sfb2015"), current)["notes"] == []


def test_sfb2019_does_not_need_net35():
    assert "NET-Framework-Core" not in want()["cs"]["features"]
    assert prereqs.check_feature_source(want()["cs"], "edge01", {"features": {}}) == []


# ----------------------------------------------------------------------------------- 3: UNC paths, new variables
PATH_VARS = ["sfb_edge_media_path", "sfb_edge_cu_path", "sfb_edge_windows_feature_source"]


@pytest.mark.parametrize("var", PATH_VARS)
@pytest.mark.parametrize("value", ["\\\\files\\media\\sfb2019", "//files/media/sfb2019", "\\\\files.corp.example.com\\m"])
def test_unc_path_is_rejected_with_the_reason(var, value):
    inv = inventory_data.set_pool(inventory_data.example(), var, value)
    _pools, found = model.load(inv)
    errs = [f for f in found if f.severity == "error"]
    assert [(f.code, f.host, f.variable) for f in errs] == [("invalid_value", "edge01", var)]
    message = errs[0].message
    assert message.startswith("%r is a UNC path, which an edge server cannot read while installing: it is in a "
                              "workgroup, so its WinRM logon (NTLM) cannot pass the credentials on to the file "
                              "server, and SYSTEM, which runs setup, reaches the network as an anonymous logon. Copy "
                              "the files to a local folder on the edge or mount the ISO, and set %s to " % (value, var))


@pytest.mark.parametrize("var, value", [
    ("sfb_edge_media_path", "D:\\"), ("sfb_edge_media_path", "C:\\media\\sfb2019"),
    ("sfb_edge_cu_path", "C:\\media\\cu"), ("sfb_edge_cu_path", "C:\\media\\cu\\SkypeServerUpdateInstaller.exe"),
    ("sfb_edge_windows_feature_source", "D:\\sources\\sxs"),
])
def test_local_paths_are_accepted_and_reach_the_desired_state(var, value):
    inv = inventory_data.set_pool(inventory_data.example(), var, value)
    _pools, found = model.load(inv)
    assert [f for f in found if f.severity == "error" or f.variable == var] == []
    goal = desired.build(inv, "edge01")["cs"]
    key = {"sfb_edge_media_path": "media_path", "sfb_edge_cu_path": "cu_path",
           "sfb_edge_windows_feature_source": "feature_source"}[var]
    assert goal[key] == value


@pytest.mark.parametrize("var", ["sfb_edge_cu_path", "sfb_edge_windows_feature_source"])
# wim:<file>:<index>: Install-WindowsFeature takes it, ansible.windows.win_feature does not (Test-Path on the
# source): refused (issue 19, point 8)
@pytest.mark.parametrize("value", ["sources/sxs", 5, ["D:\\"], "wim:install.wim", "wim:D:\\sources\\install.wim:2"])
def test_new_path_variables_reject_other_values(var, value):
    inv = inventory_data.set_pool(inventory_data.example(), var, value)
    _pools, found = model.load(inv)
    errs = [f for f in found if f.severity == "error"]
    assert [(f.variable, f.host) for f in errs] == [(var, "edge01")]
    assert errs[0].message.startswith("%r is not an absolute Windows path on the edge's own disks; give " % (value,))


def test_new_variables_are_known_and_default_to_none():
    assert {"sfb_edge_cu_path", "sfb_edge_windows_feature_source"} <= model.KNOWN_VARS
    goal = want()["cs"]
    assert goal["cu_path"] is None and goal["feature_source"] is None


# ----------------------------------------------------------------------------------- edge_facts contract
def test_edge_facts_returns_every_computer_field_the_checks_read():
    with open(os.path.join(ROOT, "plugins", "modules", "edge_facts.ps1"), encoding="utf-8") as handle:
        source = handle.read()
    computer = source[source.index("$state.computer = [ordered]@{"):source.index("# ---", source.index("$state.computer"))]
    keys = set(re.findall(r"^    ([a-z_]+) = ", computer, re.M))
    assert {"os_version", "os_build", "os_caption", "dotnet_release", "local_account_token_filter_policy", "user",
            "windows_update", "pending_reboot", "pending_reboot_reasons", "dns_suffix"} <= keys
    for name in ("builtin_administrator", "system", "elevated", "au_options", "no_auto_update"):
        assert re.search(r"^\s+%s = " % name, source, re.M), name


def test_identity_gathers_again_after_its_reboot_so_cs_install_decides_on_the_rebooted_server():
    """A reboot that identity makes (identity_reboot: true) is not seen by cs_install's prerequisites
    as still pending: the state is gathered again right after it."""
    import yaml

    with open(os.path.join(ROOT, "roles", "identity", "tasks", "main.yml"), encoding="utf-8") as handle:
        tasks = yaml.safe_load(handle)
    reboot = [i for i, t in enumerate(tasks) if "ansible.windows.win_reboot" in t]
    gather = [i for i, t in enumerate(tasks) if (t.get("ansible.builtin.include_role") or {}).get("name")
              == "sfb.edge.edge_state"]
    # between them only the mark that the state read before the reboot is stale (issue 22, point 1)
    assert len(reboot) == 1 and len(gather) == 1 and gather[0] == reboot[0] + 2
    assert tasks[reboot[0] + 1]["ansible.builtin.set_fact"] == {"edge_state_stale": True}
    assert tasks[gather[0]]["when"] == "%s is not skipped" % tasks[reboot[0]]["register"]
