# -*- coding: utf-8 -*-
"""Issue 19, points 5-11: Lync Server 2013's update path, and only the prerequisites Microsoft documents.

Every expected value here is written by hand from Microsoft's pages (the source named at each case),
never read from the tables under test:
- MicrosoftDocs/OfficeDocs-SkypeForBusiness Skype/SfbServer/plan-your-deployment/requirements-for-your-
  environment/server-requirements.md and its history: SfB 2015 works with .NET 4.5, 4.6.x; 4.7.1 from CU5,
  4.7.2 from CU6 (PR #1519), 4.8 from CU9 (issue #3589; PR #4919 removed "does not support .NET 4.8");
  Windows Server 2016 from CU5, 2019 from CU9; .NET 3.5 installs from Windows Update when online.
- Skype/SfbServer/manage/topology/disable-tls-1.0-1.1.md: CU5 = 6.0.9319.281 (first with .NET 4.7),
  CU6 HF2 = 6.0.9319.516 (March 2018), CU9 = 6.0.9319.548 (May 2019).
- Lync Server 2013: Windows Server 2012 R2 only with the October 2013 CU (CU3, 5.0.8308.556); the update
  installer is LyncServerUpdateInstaller.exe; uninstall entries read "Microsoft Lync Server 2013, ...".
"""

from __future__ import annotations

import copy
import os
import re
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

import inventory_data  # noqa: E402

from ansible_collections.sfb.edge.plugins.plugin_utils import _certs as certs
from ansible_collections.sfb.edge.plugins.plugin_utils import _cs as cs
from ansible_collections.sfb.edge.plugins.plugin_utils import _desired as desired
from ansible_collections.sfb.edge.plugins.plugin_utils import _model as model
from ansible_collections.sfb.edge.plugins.plugin_utils import _prereqs as prereqs
from ansible_collections.sfb.edge.plugins.plugin_utils import _state as state  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
SNAPSHOTS = os.path.join(ROOT, "tests", "snapshots")
OPTIONS = {"frontend": "fe01"}
GOOD = {
    "os_version": "10.0.17763", "os_build": 17763, "os_caption": "Microsoft Windows Server 2019 Standard",
    "dotnet_release": 528040, "local_account_token_filter_policy": None,
    "user": {"name": "EDGE01\\Administrator", "sid": "S-1-5-21-1-2-3-500", "builtin_administrator": True,
             "system": False, "elevated": True},
    "windows_update": {"au_options": 3, "no_auto_update": 0},
}
LYNC = "Microsoft Lync Server 2013, %s"
SFB2015 = "Skype for Business Server 2015, %s"
NET462, NET471, NET472, NET48 = 394802, 461308, 461814, 528040  # Release values (learn.microsoft.com)


def want(version, **pool):
    inv = inventory_data.set_pool(inventory_data.example(), "sfb_edge_version", version)
    for name, value in pool.items():
        inventory_data.set_pool(inv, name, value)
    return desired.build(inv, "edge01")


def deployed(goal, build, release, products):
    """The shipped converged server, with this product's components at the given versions."""
    current = state.load_snapshot(os.path.join(SNAPSHOTS, "converged"), "edge01")
    current["computer"].update(copy.deepcopy(GOOD), os_build=build, dotnet_release=release)
    current["cs"]["features"] = {name: True for name in goal["cs"]["features"]}
    current["cs"]["products"] = [{"name": name, "version": version} for name, version in products]
    return current


def fresh(goal, build, release):
    current = state.load_snapshot(os.path.join(SNAPSHOTS, "cs-fresh"), "edge01")
    current["computer"].update(copy.deepcopy(GOOD), os_build=build, dotnet_release=release)
    current["cs"]["features"] = {name: True for name in goal["cs"]["features"]}
    return current


def edge_cs(res):
    calls = [c for c in res["calls"] if c["module"] == "sfb.edge.edge_cs"]
    return calls[0]["args"] if calls else None


def cu_change(res):
    return [(c["before"], c["after"]) for c in res["changes"] if c["property"] == "cumulative update"]


def problems(res):
    return {p["variable"]: p["message"] for p in res["problems"]}


def sfb2015(build, release, core, cu_path=None):
    goal = want("sfb2015", **({"sfb_edge_cu_path": cu_path} if cu_path else {}))
    current = deployed(goal, build, release, [(SFB2015 % "Core Components", core), (SFB2015 % "Edge Server", core)])
    return goal, current, cs.cs_install(goal, current, OPTIONS)


# ----------------------------------------------------------------------------------- point 7: .NET for SfB 2015
def test_sfb2015_on_2019_with_net48_and_cu9_installed_passes():
    _goal, _current, res = sfb2015(17763, NET48, "6.0.9319.548")
    assert res["problems"] == [] and res["calls"] == [] and res["notes"] == []
    # with an install call planned (a feature missing), the prerequisites are looked at: still no finding
    goal = want("sfb2015")
    current = deployed(goal, 17763, NET48, [(SFB2015 % "Core Components", "6.0.9319.548"),
                                            (SFB2015 % "Edge Server", "6.0.9319.548")])
    current["cs"]["features"]["Windows-Identity-Foundation"] = False
    res = cs.cs_install(goal, current, OPTIONS)
    assert res["problems"] == [] and res["notes"] == [] and cu_change(res) == []
    assert res["calls"] == [{"module": "ansible.windows.win_feature",
                             "args": {"name": ["Windows-Identity-Foundation"], "state": "present"}}]


def test_sfb2015_net48_is_not_refused_by_the_prerequisites():
    goal = want("sfb2015")
    found = prereqs.check_dotnet(goal["cs"], "edge01", dict(GOOD, dotnet_release=NET48))
    assert found == []


def test_sfb2015_net48_without_cu9_and_without_cu_path_asks_for_the_cu():
    _goal, _current, res = sfb2015(9600, NET48, "6.0.9319.0")
    assert list(problems(res)) == ["sfb_edge_cu_path"]
    assert problems(res)["sfb_edge_cu_path"] == (
        "Skype for Business Server 2015 needs CU9, 6.0.9319.548 or later on this server (Windows build 9600, .NET "
        "Framework 4.8; installed: Skype for Business Server 2015, Core Components 6.0.9319.0, Skype for Business "
        "Server 2015, Edge Server 6.0.9319.0; required: CU9 (6.0.9319.548) with .NET Framework 4.8): set "
        "sfb_edge_cu_path to the folder that holds SkypeServerUpdateInstaller.exe of that cumulative update or a "
        "later one (the update installer from Microsoft's download page; docs/cs-roles.md#prerequisites)")


def test_sfb2015_net48_with_cu_path_plans_the_cu_to_cu9():
    _goal, _current, res = sfb2015(9600, NET48, "6.0.9319.281", cu_path="C:\\media\\cu")
    assert res["problems"] == []
    assert edge_cs(res)["steps"] == ["cu"]
    assert edge_cs(res)["cu_installer"] == "C:\\media\\cu\\SkypeServerUpdateInstaller.exe"
    assert cu_change(res)[0][1] == "at least 6.0.9319.548 (C:\\media\\cu\\SkypeServerUpdateInstaller.exe)"


def test_sfb2015_fresh_install_with_net48_needs_the_cu_path():
    goal = want("sfb2015", sfb_edge_windows_feature_source="D:\\sources\\sxs")
    res = cs.cs_install(goal, fresh(goal, 9600, NET48), OPTIONS)
    assert "needs CU9, 6.0.9319.548 or later" in problems(res)["sfb_edge_cu_path"]


@pytest.mark.parametrize("release, core, needed", [
    (NET471, "6.0.9319.0", "CU5, 6.0.9319.281"),       # 4.7.1 from CU5
    (NET471, "6.0.9319.281", None),
    (NET472, "6.0.9319.281", "6.0.9319.516"),          # 4.7.2 from CU6 (CU6 HF2 6.0.9319.516)
    (NET472, "6.0.9319.516", None),
    (NET48, "6.0.9319.516", "CU9, 6.0.9319.548"),      # 4.8 from CU9
    (NET462, "6.0.9319.0", None),                      # 4.6.x: the release to manufacturing is enough
])
@pytest.mark.parametrize("build", [9200, 9600])
def test_sfb2015_on_2012_and_2012_r2_net47x_needs_the_matching_cu(build, release, core, needed):
    _goal, _current, res = sfb2015(build, release, core)
    if needed is None:
        assert res["problems"] == [] and res["calls"] == []
    else:
        assert needed in problems(res)["sfb_edge_cu_path"]


def test_sfb2015_on_2016_with_net472_needs_cu6_not_only_cu5():
    _goal, _current, res = sfb2015(14393, NET472, "6.0.9319.281")
    assert "6.0.9319.516 or later" in problems(res)["sfb_edge_cu_path"]
    assert "CU5 (6.0.9319.281) on Windows Server 2016" in problems(res)["sfb_edge_cu_path"]


def test_required_cu_takes_the_net_release():
    assert cs.required_cu("sfb2015", 9600, NET48) == "6.0.9319.548"
    assert cs.required_cu("sfb2015", 9600, NET471) == "6.0.9319.281"
    assert cs.required_cu("sfb2015", 9600, NET472) == "6.0.9319.516"
    assert cs.required_cu("sfb2015", 14393, NET462) == "6.0.9319.281"
    assert cs.required_cu("sfb2015", 9600, NET462) is None
    assert cs.required_cu("sfb2019", 17763, NET48) is None
    assert cs.required_cu_name("sfb2015", 14393, NET48) == "CU9"


# ----------------------------------------------------------------------------------- points 5, 6: Lync 2013
def lync(build, core, cu_path=None, release=NET462):
    goal = want("lync2013", **({"sfb_edge_cu_path": cu_path} if cu_path else {}))
    current = deployed(goal, build, release, [(LYNC % "Core Components", core), (LYNC % "Edge Server", core)])
    return goal, current, cs.cs_install(goal, current, OPTIONS)


def test_lync2013_entry_names_are_recognised():
    products = [{"name": "Microsoft Lync Server 2013, Core Components", "version": "5.0.8308.0"},
                {"name": "Microsoft Lync Server 2013, Edge Server", "version": "5.0.8308.0"},
                {"name": "Skype for Business Server 2015, Core Components", "version": "6.0.9319.0"},
                {"name": "Microsoft Lync Server 2013 Debugging Tools", "version": "5.0.8308.0"}]
    assert cs.product_versions(products, "lync2013") == [
        ("Microsoft Lync Server 2013, Core Components", "5.0.8308.0"),
        ("Microsoft Lync Server 2013, Edge Server", "5.0.8308.0")]
    assert cs.installed_versions(products[:1]) == {"lync2013"}


def test_lync2013_on_2012_r2_at_rtm_plans_the_cu_with_its_own_installer():
    _goal, _current, res = lync(9600, "5.0.8308.0", cu_path="C:\\media\\cu")
    assert res["problems"] == []
    assert edge_cs(res)["steps"] == ["cu"]
    assert edge_cs(res)["cu_installer"] == "C:\\media\\cu\\LyncServerUpdateInstaller.exe"
    assert cu_change(res) == [(
        "Microsoft Lync Server 2013, Core Components 5.0.8308.0, Microsoft Lync Server 2013, Edge Server 5.0.8308.0",
        "at least 5.0.8308.556 (C:\\media\\cu\\LyncServerUpdateInstaller.exe)")]


def test_lync2013_on_2012_r2_at_rtm_without_cu_path_is_a_problem():
    _goal, _current, res = lync(9600, "5.0.8308.0")
    message = problems(res)["sfb_edge_cu_path"]
    assert message.startswith("Lync Server 2013 needs CU3, 5.0.8308.556 or later on this server (Windows build 9600")
    assert "LyncServerUpdateInstaller.exe" in message


@pytest.mark.parametrize("build, core", [(9600, "5.0.8308.556"), (9600, "5.0.8308.992"), (9200, "5.0.8308.0")])
def test_lync2013_with_cu3_or_on_2012_needs_no_cu(build, core):
    _goal, _current, res = lync(build, core)
    assert res["problems"] == [] and res["calls"] == [] and cu_change(res) == []


def test_lync2013_net462_is_a_warning_naming_the_november_2016_update():
    goal = want("lync2013")
    found = prereqs.check_dotnet(goal["cs"], "edge01", dict(GOOD, dotnet_release=NET462))
    assert [f["severity"] for f in found] == ["warning"]
    assert "November 2016 cumulative update" in found[0]["message"]
    assert prereqs.check_dotnet(goal["cs"], "edge01", dict(GOOD, dotnet_release=379893)) == []  # 4.5.2


@pytest.mark.parametrize("version, path, expected", [
    ("lync2013", "C:\\media\\cu", "C:\\media\\cu\\LyncServerUpdateInstaller.exe"),
    ("sfb2015", "C:\\media\\cu\\", "C:\\media\\cu\\SkypeServerUpdateInstaller.exe"),
    ("sfb2019", "C:\\media\\cu", "C:\\media\\cu\\SkypeServerUpdateInstaller.exe"),
    ("lync2013", "D:\\x\\LyncServerUpdateInstaller.exe", "D:\\x\\LyncServerUpdateInstaller.exe"),
])
def test_update_installer_per_version(version, path, expected):
    assert cs.cu_installer(path, version) == expected


# ----------------------------------------------------------------------------------- point 9: Edge features
@pytest.mark.parametrize("version, features", [
    ("lync2013", ["NET-Framework-45-Core", "Windows-Identity-Foundation", "PowerShell"]),
    ("sfb2015", ["NET-Framework-Core", "NET-Framework-45-Core", "NET-WCF-HTTP-Activation45",
                 "Windows-Identity-Foundation"]),
    ("sfb2019", ["NET-Framework-45-Core", "NET-WCF-HTTP-Activation45", "Windows-Identity-Foundation"]),
    ("sfbse", ["NET-Framework-45-Core", "NET-WCF-HTTP-Activation45", "Windows-Identity-Foundation"]),
])
def test_edge_features_per_version_as_microsoft_lists_them(version, features):
    assert want(version)["cs"]["features"] == features


# ----------------------------------------------------------------------------------- point 8: .NET 3.5 source
def test_feature_0x800f081f_failure_names_the_variable_and_the_fix():
    raw = ("Failed to install Windows Feature: Installation of one or more roles, role services, or features failed. "
           "The source files could not be found. Error: 0x800f081f")
    text = cs.feature_failure(raw, {"name": ["NET-Framework-Core"], "state": "present"})
    assert text.startswith(raw)
    assert "sfb_edge_windows_feature_source" in text and "\\sources\\sxs" in text
    text = cs.feature_failure(raw, {"name": ["NET-Framework-Core"], "source": "E:\\sources\\sxs"})
    assert "E:\\sources\\sxs (sfb_edge_windows_feature_source) does not hold the payload" in text
    assert cs.feature_failure("Failed to install Windows Feature: access denied", {}) == (
        "Failed to install Windows Feature: access denied")


def test_the_action_passes_a_win_feature_failure_through_feature_failure():
    with open(os.path.join(ROOT, "plugins", "plugin_utils", "_edge_apply.py"), encoding="utf-8") as handle:
        source = handle.read()
    assert 'cs.feature_failure(why, call["args"])' in source


def test_wim_source_is_refused_because_win_feature_cannot_use_it():
    inv = inventory_data.set_pool(inventory_data.example(), "sfb_edge_windows_feature_source",
                                  "wim:D:\\sources\\install.wim:2")
    _pools, found = model.load(inv)
    errs = [f for f in found if f.severity == "error"]
    assert [f.variable for f in errs] == ["sfb_edge_windows_feature_source"]
    assert "sources\\sxs" in errs[0].message


# ----------------------------------------------------------------------------------- point 10: SE
def test_subscription_edition_on_2016_is_a_warning_not_an_error():
    goal = want("sfbse")
    found = prereqs.check_os(goal["cs"], "edge01", dict(GOOD, os_build=14393))
    assert [(f["severity"], f["variable"]) for f in found] == [("warning", "sfb_edge_version")]
    found = prereqs.check_dotnet(goal["cs"], "edge01", dict(GOOD, dotnet_release=NET462))
    assert [f["severity"] for f in found] == ["warning"]
    current = fresh(goal, 14393, NET48)
    goal["cs"]["media_path"] = "D:\\"
    res = cs.cs_install(goal, current, OPTIONS)
    assert res["problems"] == [] and res["calls"]
    assert any(n.startswith("prerequisite: sfb_edge_version: edge01 runs Windows Server 2016") for n in res["notes"])


# ----------------------------------------------------------------------------------- point 11: sources
def test_every_hard_block_carries_its_source():
    rows = prereqs.rules()
    blocking = [r for r in rows if r["severity"] in ("error", "cu")]
    assert len(blocking) >= 10
    assert [r for r in blocking if not str(r["source"] or "").strip()] == []
    assert [r for r in rows if not r["source"] and r["severity"] not in ("warning", "pass")] == []
    for version, entry in certs.PFX_PRODUCT_OS.items():
        assert entry["severity"] != "error" or entry["source"].strip(), version


def test_a_rule_without_a_source_is_never_an_error():
    assert {r["severity"] for r in prereqs.rules() if not r["source"]} <= {"warning", "pass"}


def test_sources_are_microsoft_pages_or_kbs():
    for row in prereqs.rules():
        head = str(row["source"] or "").split(" ", maxsplit=1)[0]
        if head:
            assert (head.startswith(("Skype/", "Lync/")) or head.startswith("https://learn.microsoft.com/")
                    or re.fullmatch(r"KB[0-9]+", head)), head


def test_the_docs_show_the_table_with_its_links():
    with open(os.path.join(ROOT, "docs", "cs-roles.md"), encoding="utf-8") as handle:
        page = handle.read()
    start, end = "<!-- prerequisite rules: generated by prereqs.rules_markdown() -->\n", "<!-- end of prerequisite rules -->"
    assert start in page and end in page
    table = page.split(start, 1)[1].split(end, 1)[0]
    assert table == prereqs.rules_markdown()
    assert "(https://github.com/MicrosoftDocs/OfficeDocs-SkypeForBusiness/blob/live/Skype/SfbServer/" \
           "plan-your-deployment/requirements-for-your-environment/server-requirements.md)" in table
    assert "| `sfbse` | os | any other build | warning |" in table
    assert "| `sfb2015` | dotnet | 4.8 (release 528040) or later | cu | needs CU9, 6.0.9319.548, or later |" in table
