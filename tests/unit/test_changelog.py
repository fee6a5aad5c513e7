# -*- coding: utf-8 -*-
"""The release notes list every module, plugin, role and playbook in the release that added it.

changelogs/changelog.yaml (rendered to CHANGELOG.rst) is made by antsibull-changelog from the
fragments and from each plugin's and role's ``version_added``; ``make changelog`` renders the
release of galaxy.yml's version again. Everything here is read from the files, so a plugin, role or
playbook added by anyone is checked. A failure names the file and the fix.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent.parent
CHANGES = yaml.safe_load((ROOT / "changelogs" / "changelog.yaml").read_text(encoding="utf-8"))
RELEASES = CHANGES.get("releases") or {}
GALAXY_VERSION = str(yaml.safe_load((ROOT / "galaxy.yml").read_text(encoding="utf-8"))["version"])
# Plugin directories whose files are documented plugins (action plugins are documented by their module).
NOT_PLUGINS = {"action", "doc_fragments", "module_utils", "plugin_utils"}
FIX = "set version_added in its documentation and run make changelog"


def _python_documentation(path):
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "DOCUMENTATION" for t in node.targets):
            return yaml.safe_load(ast.literal_eval(node.value))
    return None


def documented():
    """``[(kind, type, name, version_added, file)]``: kind is ``module``, ``plugin`` or ``object``."""
    found = []
    for directory in sorted(p for p in (ROOT / "plugins").iterdir() if p.is_dir() and p.name not in NOT_PLUGINS):
        for path in sorted(directory.iterdir()):
            if path.suffix == ".py" and not path.name.startswith("_"):
                doc = _python_documentation(path)
            elif path.suffix == ".yml":  # a PowerShell module's, or a filter's whose code holds several (sidecar)
                doc = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("DOCUMENTATION")
            else:
                continue
            if doc is None:
                continue  # a .py module whose documentation is its .yml sidecar
            kind = "module" if directory.name == "modules" else "plugin"
            found.append((kind, "module" if kind == "module" else directory.name, path.stem, doc.get("version_added"),
                          path.relative_to(ROOT)))
    for path in sorted(ROOT.glob("roles/*/meta/argument_specs.yml")):
        main = ((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("argument_specs") or {}).get("main") or {}
        found.append(("object", "role", path.parent.parent.name, main.get("version_added"), path.relative_to(ROOT)))
    return found


def released():
    """``{(kind, type, name): version}`` from changelogs/changelog.yaml."""
    where = {}
    for version, release in RELEASES.items():
        for module in release.get("modules") or []:
            where[("module", "module", module["name"])] = str(version)
        for ptype, plugins in (release.get("plugins") or {}).items():
            for plugin in plugins:
                where[("plugin", ptype, plugin["name"])] = str(version)
        for otype, objects in (release.get("objects") or {}).items():
            for obj in objects:
                where[("object", otype, obj["name"])] = str(version)
    return where


DOCUMENTED = documented()
RELEASED = released()


def test_the_files_are_read():
    kinds = {entry[:2] for entry in DOCUMENTED}
    assert {("module", "module"), ("plugin", "filter"), ("plugin", "lookup"), ("object", "role")} <= kinds
    assert {"0.1.0", "0.2.0", "0.3.0", "0.4.0", "0.5.0"} <= set(RELEASES)


def test_galaxy_version_is_the_latest_release():
    latest = max(RELEASES, key=Version)
    assert GALAXY_VERSION == latest, "galaxy.yml says version %s, the latest release in changelogs/changelog.yaml is " \
        "%s: run make changelog (it renders the release of galaxy.yml's version)" % (GALAXY_VERSION, latest)


def test_every_plugin_and_role_has_a_released_version_added():
    wrong = []
    for kind, ptype, name, added, path in DOCUMENTED:
        if added is None:
            wrong.append("%s has no version_added: %s" % (path, FIX))
        elif str(added) not in RELEASES:
            wrong.append("%s says version_added %s, which is not a release in changelogs/changelog.yaml (%s): use the "
                         "version of galaxy.yml (%s) for something new and run make changelog" % (
                             path, added, ", ".join(sorted(RELEASES, key=Version)), GALAXY_VERSION))
    assert not wrong, "\n".join(wrong)


def test_every_plugin_and_role_is_in_the_release_that_added_it():
    wrong = []
    for kind, ptype, name, added, path in DOCUMENTED:
        if added is None or str(added) not in RELEASES:
            continue  # reported above
        listed = RELEASED.get((kind, ptype, name))
        if listed is None:
            wrong.append("%s %s (%s, version_added %s) is not listed in changelogs/changelog.yaml: run make changelog" % (
                ptype, name, path, added))
        elif listed != str(added):
            wrong.append("%s %s (%s) says version_added %s, but the release notes list it in %s: version_added is the "
                         "release that added it (git log --diff-filter=A -- %s)" % (ptype, name, path, added, listed, path))
    assert not wrong, "\n".join(wrong)


def test_every_playbook_is_in_a_release():
    # Playbooks have no version_added: a fragment announces a new one in its `add object.playbook` section.
    missing = sorted(p.stem for p in ROOT.glob("playbooks/*.yml") if ("object", "playbook", p.stem) not in RELEASED)
    assert not missing, "\n".join(
        "playbooks/%s.yml is in no release of changelogs/changelog.yaml: add to your changelog fragment\n"
        "  add object.playbook:\n    - name: %s\n      description: <what it does>\nand run make changelog" % (n, n)
        for n in missing)


def test_nothing_released_is_missing():
    # A removed or renamed plugin, role or playbook stays in the history; but a name that never existed
    # in the tree (a typo in a fragment's `add` section) would be listed: each listed one exists or existed.
    present = {entry[:3] for entry in DOCUMENTED}
    present |= {("object", "playbook", p.stem) for p in ROOT.glob("playbooks/*.yml")}
    # a removed one is tombstoned in meta/runtime.yml (plugin_routing: <type>: <name>: tombstone)
    routing = (yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text()) or {}).get("plugin_routing") or {}
    present |= {("module", "module", name) if ptype == "modules" else ("plugin", ptype, name)
                for ptype, names in routing.items() for name, route in names.items() if "tombstone" in route}
    assert not sorted(set(RELEASED) - present), sorted(set(RELEASED) - present)


@pytest.mark.parametrize("version, plugins", [
    ("0.1.0", {("plugin", "filter", "routes"), ("object", "role", "plan"), ("object", "playbook", "plan")}),
    ("0.2.0", {("module", "module", "edge_facts"), ("plugin", "lookup", "edge_snapshot"), ("object", "role", "edge_state"),
               ("object", "playbook", "site"), ("object", "playbook", "capture")}),
    ("0.3.0", {("module", "module", "edge_cs"), ("plugin", "filter", "validation"), ("object", "role", "cs_install"),
               ("object", "playbook", "validate")}),
    ("0.4.0", {("module", "module", "report_files"), ("plugin", "filter", "state_parts")}),
])
def test_known_history(version, plugins):
    # From git history: the commits that added these files belong to these releases.
    assert {p: RELEASED.get(p) for p in plugins} == {p: version for p in plugins}
