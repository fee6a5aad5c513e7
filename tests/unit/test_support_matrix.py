# -*- coding: utf-8 -*-
"""One support matrix (issue 20, point 12): scripts/support_matrix.yml and _products.py generate README.md's
"Support matrix", meta/runtime.yml requires_ansible and every role's platforms / min_ansible_version, which the role
READMEs render; --check (the docs stage, scripts/role_docs.sh --check) fails when one drifts."""

from __future__ import annotations

import importlib.util
import os
import shutil

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WINDOWS = ["2016", "2019", "2022", "2025"]  # what ansible-core manages (PowerShell 5.1)


def _script():
    spec = importlib.util.spec_from_file_location("support_matrix", os.path.join(ROOT, "scripts", "support_matrix.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as handle:
        return handle.read()


ROLES = sorted(r for r in os.listdir(os.path.join(ROOT, "roles")) if os.path.isfile(os.path.join(ROOT, "roles", r, "meta", "main.yml")))


def test_the_checkout_is_generated_from_the_matrix(capsys):
    assert _script().main(["--check"]) == 0, capsys.readouterr().err


@pytest.mark.parametrize("role", ROLES)
def test_every_role_states_the_matrix(role):
    info = yaml.safe_load(_read("roles", role, "meta", "main.yml"))["galaxy_info"]
    assert info["min_ansible_version"] == "2.16"
    readme = _read("roles", role, "README.md")
    assert "- ansible-core 2.16 or later (the versions tested: the\n  [support matrix](../../README.md#support-matrix))" in readme
    if role == "plan":
        assert info["platforms"] == [{"name": "GenericLinux", "versions": ["all"]}]
        assert "- The controller only (no managed host)" in readme
    else:
        assert info["platforms"] == [{"name": "Windows", "versions": WINDOWS}]
        assert "- Windows Server 2016, 2019, 2022, 2025 (the versions ansible-core manages" in readme
    assert "2.19 or later" not in readme


def test_the_readme_and_runtime_agree_with_the_roles():
    assert yaml.safe_load(_read("meta", "runtime.yml"))["requires_ansible"] == ">=2.16.0"
    readme = _read("README.md")
    for row in (
            "| Lync Server 2013 (`lync2013`) | 2012, 2012 R2 with CU3+ (2008 R2: refused) | no: outside ansible-core's "
            "Windows support (2016, 2019, 2022, 2025) | model, validation, prerequisites | not planned |",
            "| Skype for Business Server 2015 (`sfb2015`) | 2012, 2012 R2, 2016 with CU5+, 2019 with CU9+ (2008 R2: refused) "
            "| 2016 and 2019 only |",
            "| Skype for Business Server 2019 (`sfb2019`) | 2016, 2019 (2022: warning, unverified) | yes |",
            "| Subscription Edition (`sfbse`) | 2019, 2022 (2025: warning, unverified) | yes |",
            "- **Managed hosts**: Windows Server 2016, 2019, 2022 and 2025,",
            "**ansible-core**: 2.16 (the oldest, `make compat`; `requires_ansible: \">=2.16.0\"`, every role's "
            "`min_ansible_version`) to 2.21 (the newest tested, `make newest`); `make test` runs 2.19."):
        assert row in readme, row
    # the oldest ansible-core is the series make compat pins
    assert 'COMPAT_ANSIBLE_CORE="${COMPAT_ANSIBLE_CORE:-ansible-core==2.16.' in _read("scripts", "compat.sh")


def test_check_names_what_drifted_and_the_writer_repairs_it(tmp_path, capsys):
    for path in ["README.md", os.path.join("meta", "runtime.yml"), os.path.join("scripts", "support_matrix.yml")] + [
            os.path.join("roles", r, "meta", "main.yml") for r in ROLES]:
        os.makedirs(os.path.dirname(str(tmp_path / path)), exist_ok=True)
        shutil.copy(os.path.join(ROOT, path), str(tmp_path / path))
    meta = tmp_path / "roles" / "validate" / "meta" / "main.yml"
    original = meta.read_text()
    meta.write_text(original.replace('min_ansible_version: "2.16"', 'min_ansible_version: "2.19"')
                    .replace('        - "2016"\n', ""))
    script = _script()
    assert script.main(["--check", "--root", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "stale (differs from scripts/support_matrix.yml and _products.py): roles/validate/meta/main.yml. " \
           "Run make role-docs" in err
    assert script.main(["--root", str(tmp_path)]) == 0
    assert meta.read_text() == original  # the rest of the file (comments, dependencies) kept
    # the data file is the source: a new newest series changes the README
    data = tmp_path / "scripts" / "support_matrix.yml"
    data.write_text(data.read_text().replace('newest: "2.21"', 'newest: "2.22"'))
    assert script.main(["--check", "--root", str(tmp_path)]) == 1
    assert script.main(["--root", str(tmp_path)]) == 0
    assert "to 2.22 (the newest tested, `make newest`)" in (tmp_path / "README.md").read_text()


# ------------------------------------------------ sfb_edge_cu_path for every version (issue 20, point 12)
VERSIONS = ["lync2013", "sfb2015", "sfb2019", "sfbse"]


def test_the_cu_path_is_documented_for_every_version():
    """Every version takes cumulative updates: the inventory contract, the argument spec and the plan role's README
    name each version's update installer and say that its file version is the target version."""
    from ansible_collections.sfb.edge.plugins.plugin_utils import _prereqs as prereqs

    assert sorted(prereqs.OS_SUPPORT) == VERSIONS
    [row] = [line for line in _read("docs", "inventory.md").splitlines() if line.startswith("| `sfb_edge_cu_path` |")]
    spec = yaml.safe_load(_read("roles", "plan", "meta", "argument_specs.yml"))
    [description] = [options["sfb_edge_cu_path"]["description"] for options in (
        entry["options"] for entry in spec["argument_specs"].values()) if "sfb_edge_cu_path" in options]
    [readme] = [line for line in _read("roles", "plan", "README.md").splitlines() if line.startswith("| `sfb_edge_cu_path` |")]
    for text in (row, description, readme):
        assert "Every version takes cumulative updates" in text or "**Every version takes cumulative updates**" in text
        assert "target version" in text
        assert "SkypeServerUpdateInstaller.exe" in text and "LyncServerUpdateInstaller.exe" in text
        for version in VERSIONS:
            assert version in text, (version, text)
