# -*- coding: utf-8 -*-
"""One registry of product versions (issue 22, point 2): plugins/plugin_utils/_products.py holds every per-version
fact - names, paths, installer, product-name pattern, services, features, OS / .NET / CU support with the source of
each - no other module of the collection has a per-version table, and the YAML and Markdown that cannot import it
state what it holds."""

from __future__ import annotations

import ast
import os
import re

import yaml

from ansible_collections.sfb.edge.plugins.plugin_utils import _products, _cs as cs, _model as model, _prereqs as prereqs
from ansible_collections.sfb.edge.plugins.plugin_utils._products import PRODUCTS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
# The inventory's keys (docs/inventory.md), written out here.
KEYS = ["lync2013", "sfb2015", "sfb2019", "sfbse"]
DOCS = "https://github.com/MicrosoftDocs/OfficeDocs-SkypeForBusiness/blob/live/"


def _read(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as handle:
        return handle.read()


# ----------------------------------------------------------------------------------- real values
def test_the_registry_names_the_inventory_keys_and_products():
    assert list(PRODUCTS) == KEYS and list(model.VERSIONS) == KEYS
    assert [PRODUCTS[k]["product"] for k in KEYS] == [
        "Lync Server 2013", "Skype for Business Server 2015", "Skype for Business Server 2019",
        "Skype for Business Server Subscription Edition"]
    assert PRODUCTS["sfbse"]["short_name"] == "Subscription Edition"
    assert model.DEFAULTS["sfb_edge_version"] == _products.DEFAULT == "sfb2019"


def test_sfb2019_is_not_supported_on_windows_server_2012_r2_and_says_where_that_is_written():
    assert 9600 not in PRODUCTS["sfb2019"]["os"]  # not in the list: "If it's not on this list, it won't work properly"
    assert PRODUCTS["sfb2019"]["os_other"] == ("error", "Skype/SfBServer2019/plan/system-requirements.md")
    assert _products.source_link(PRODUCTS["sfb2019"]["os_other"][1]) == (
        "[system-requirements.md](%sSkype/SfBServer2019/plan/system-requirements.md)" % DOCS)
    want = {"version": "sfb2019", "product": "Skype for Business Server 2019"}
    [finding] = prereqs.check_os(want, "edge01", {"os_build": 9600})
    assert finding["severity"] == "error"
    assert "Windows Server 2012 R2 (build 9600): Skype for Business Server 2019 is not supported" in finding["message"]


def test_real_values_of_each_version():
    assert PRODUCTS["lync2013"]["update_installer"] == "LyncServerUpdateInstaller.exe"  # KB2809243
    assert {PRODUCTS[k]["update_installer"] for k in KEYS[1:]} == {"SkypeServerUpdateInstaller.exe"}  # KB3061064
    assert cs.cu_installer("C:\\media\\cu", "lync2013") == "C:\\media\\cu\\LyncServerUpdateInstaller.exe"
    assert PRODUCTS["lync2013"]["install_dir"] == "C:\\Program Files\\Microsoft Lync Server 2013"
    assert PRODUCTS["sfbse"]["install_dir"] == "C:\\Program Files\\Skype for Business Server"
    assert re.fullmatch(PRODUCTS["lync2013"]["entry_pattern"], "Microsoft Lync Server 2013, Core Components")
    assert not re.fullmatch(PRODUCTS["sfb2019"]["entry_pattern"], "Skype for Business Server 2015, Core Components")
    # SfB 2015 on Windows Server 2019: CU9 (6.0.9319.548); on 2016: CU5 (KB4015888); Lync 2013 on 2012 R2: CU3
    assert PRODUCTS["sfb2015"]["os"][17763] == {
        "support": "cu", "minimum": "6.0.9319.548", "update": "CU9",
        "source": "Skype/SfbServer/plan-your-deployment/requirements-for-your-environment/server-requirements.md"}
    assert PRODUCTS["sfb2015"]["os"][14393]["source"].endswith("server-requirements.md (KB4015888)")
    assert (PRODUCTS["lync2013"]["os"][9600]["minimum"], PRODUCTS["lync2013"]["os"][9600]["update"]) == ("5.0.8308.556", "CU3")
    assert PRODUCTS["lync2013"]["os"][7601]["support"] == "no"
    # .NET: SfB 2019 needs 4.7 (release 460798), an error; SE has no page: a warning without a source
    assert (PRODUCTS["sfb2019"]["dotnet"]["lowest"], PRODUCTS["sfb2019"]["dotnet"]["severity"]) == (460798, "error")
    assert (PRODUCTS["sfbse"]["dotnet"]["severity"], PRODUCTS["sfbse"]["dotnet"]["source"]) == ("warning", None)
    assert PRODUCTS["sfbse"]["os_other"] == ("warning", None)
    # features: .NET 3.5 for SfB 2015 only, HTTP Activation for every Skype for Business version, not Lync 2013
    assert [k for k in KEYS if "NET-Framework-Core" in PRODUCTS[k]["features"]] == ["sfb2015"]
    assert [k for k in KEYS if "NET-WCF-HTTP-Activation45" in PRODUCTS[k]["features"]] == KEYS[1:]
    # services, XMPP, OCS 2007 federation, the legacy CSP key, PFX encryption before gathering
    assert [n for n, _w in PRODUCTS["sfb2019"]["services"]] == [
        "REPLICA", "RTCCLSAGT", "RTCSRV", "RTCDATAPROXY", "RTCMEDIARELAY", "RTCMRAUTH"]
    assert _products.XMPP_VERSIONS == ("lync2013", "sfb2015") and _products.OCS2007_VERSIONS == ("lync2013",)
    assert [k for k in KEYS if PRODUCTS[k]["legacy_csp_key"]] == KEYS[1:]
    assert {k: v["severity"] for k, v in _products.PFX_PRODUCT_OS.items()} == {"lync2013": "error", "sfb2015": "warning"}


def test_every_blocking_fact_has_a_source_and_every_unsourced_one_is_a_warning():
    for key, product in PRODUCTS.items():
        for build, row in product["os"].items():
            if row["support"] in ("no", "cu"):
                assert row["source"], (key, build)
        severity, source = product["os_other"]
        assert source or severity == "warning", key
        assert product["dotnet"]["source"] or product["dotnet"]["severity"] == "warning", key
        assert all(rule[3] for rule in product["dotnet"]["cu"]), key
        assert product["pfx_aes"] is None or product["pfx_aes"]["source"], key
        assert set(product["os"]) <= set(_products.WINDOWS), key


def test_installed_versions_read_the_names_of_the_registry():
    assert cs.installed_versions([{"name": "Skype for Business Server Subscription Edition, Core Components"}]) == {"sfbse"}
    assert cs.installed_versions([{"name": "Microsoft Lync Server 2013, Edge Server"}]) == {"lync2013"}
    # not an entry of the pattern, but naming the product: the newest version named wins (fail closed)
    assert cs.installed_versions([{"name": "Skype for Business Server 2015 Debugging Tools (Lync Server 2013 too)"}]) \
        == {"sfb2015"}
    assert cs.installed_versions([{"name": "Lync Server 2013 Resource Kit"}]) == {"lync2013"}
    assert cs.installed_versions([{"name": "Skype for Business Online, Windows PowerShell Module"}]) == set()


# ----------------------------------------------------------------------------------- one table
def _version_literals(path):
    tree = ast.parse(_read(path), filename=path)
    facts = set(KEYS) | {p["product"] for p in PRODUCTS.values()} | {p["update_installer"] for p in PRODUCTS.values()}
    return sorted({(node.lineno, node.value) for node in ast.walk(tree)
                   if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in facts})


def test_no_other_module_has_a_per_version_table():
    """A version key ("sfb2019"), a product name or an update installer as a literal of its own - a dict key, a
    comparison, a default - is a per-version fact outside the registry."""
    found = {}
    for folder, _dirs, files in os.walk(os.path.join(ROOT, "plugins")):
        for name in files:
            path = os.path.relpath(os.path.join(folder, name), ROOT)
            if name.endswith(".py") and path != os.path.join("plugins", "plugin_utils", "_products.py"):
                literals = _version_literals(path)
                if literals:
                    found[path] = literals
    assert found == {}, "per-version facts belong in plugins/plugin_utils/_products.py: %s" % found
    # the check finds one
    assert _version_literals(os.path.join("plugins", "plugin_utils", "_products.py"))[0][1] == "lync2013"


# ----------------------------------------------------------------------------------- YAML and Markdown
def _plan_options():
    spec = yaml.safe_load(_read("roles", "plan", "meta", "argument_specs.yml"))
    return spec["argument_specs"]["main"]["options"]


def _installers_text(code):
    """``C(SkypeServerUpdateInstaller.exe) (C(sfb2015), ...) or C(LyncServerUpdateInstaller.exe) (C(lync2013))``."""
    by_installer = {}
    for key, product in PRODUCTS.items():
        by_installer.setdefault(product["update_installer"], []).append(key)
    return " or ".join("%s (%s)" % (code(installer), ", ".join(code(k) for k in keys))
                       for installer, keys in sorted(by_installer.items(), key=lambda item: -len(item[1])))


def test_the_argument_spec_states_the_registry():
    options = _plan_options()
    assert options["sfb_edge_version"]["choices"] == list(_products.VERSIONS)
    assert "default C(%s)" % _products.DEFAULT in options["sfb_edge_version"]["description"]
    assert "(%s only)" % " and ".join(_products.XMPP_VERSIONS) in options["sfb_edge_xmpp"]["description"]
    assert options["sfb_edge_ocs2007_federation"]["description"].startswith(
        "Pool level, %s only." % " and ".join(_products.OCS2007_VERSIONS))
    assert _installers_text(lambda text: "C(%s)" % text) in options["sfb_edge_cu_path"]["description"]


def test_the_docs_state_the_registry():
    inventory = _read("docs", "inventory.md")
    assert "| `sfb_edge_version` | | `%s` | %s. |" % (_products.DEFAULT, ", ".join("`%s`" % k for k in PRODUCTS)) \
        in inventory
    [row] = [line for line in inventory.splitlines() if line.startswith("| `sfb_edge_cu_path` |")]
    assert _installers_text(lambda text: "`%s`" % text) in row
    readme = _read("README.md")
    assert "sfb_edge_version: %s            # %s\n" % (_products.DEFAULT, " | ".join(PRODUCTS)) in readme
    # docs/cs-roles.md "Versions": one row per version, in the registry's order
    page = _read("docs", "cs-roles.md")
    table = page.split("\n## Versions\n", 1)[1].strip().split("\n\n", 1)[0]
    rows = table.splitlines()[2:]
    assert rows == ["| `%s` | %s | `%s` | `%s` | %s | %s |" % (
        key, p["product"], p["module"], p["install_dir"], ", ".join(p["features"]),
        "%s (with `sfb_edge_xmpp`)" % _products.XMPP_SERVICE[0] if p["xmpp"] else "none") for key, p in PRODUCTS.items()]
