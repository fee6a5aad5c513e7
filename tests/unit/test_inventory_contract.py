# -*- coding: utf-8 -*-
"""The inventory contract agrees with itself (issue 11, item 3).

Three places name the ``sfb_edge_*`` variables a user sets: the tables of docs/inventory.md, the
model's known variables and defaults (plugins/plugin_utils/_model.py) and the role argument specs
(the plan role's spec lists every one, ``ansible-doc -t role sfb.edge.plan``). The roles, playbooks,
inventories, molecule scenarios and docs use them. Everything is read from the files, so a variable
added by anyone is checked; each failure names the variable, the file and the fix.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from ansible_collections.sfb.edge.plugins.plugin_utils import _model as model

ROOT = Path(__file__).resolve().parent.parent.parent
INVENTORY_MD = ROOT / "docs" / "inventory.md"
MODEL_PY = "plugins/plugin_utils/_model.py"
PLAN_SPEC = ROOT / "roles" / "plan" / "meta" / "argument_specs.yml"
VAR_RE = re.compile(r"(?<![A-Za-z0-9_])sfb_edge_[a-z0-9_]*[a-z0-9]")
ROW_RE = re.compile(r"^\|\s*`(sfb_edge_[a-z0-9_]+)`\s*\|")
# The caption line before each table of docs/inventory.md -> the model's tuple for that level.
LEVELS = {"Pool level": "POOL_VARS", "Host level": "HOST_VARS", "Playbook variables": "PLAYBOOK_VARS"}
# Where the variables are used (relative glob patterns). Tests are left out on purpose: they use
# misspelt names to test the validation.
# A quoted key of a Jinja dict in a role or playbook ({'sfb_edge_plan': ...}, the data of set_stats) names
# something the collection publishes, not a variable it reads: such names are outputs, not the contract.
PUBLISHED_RE = re.compile(r"""['"](sfb_edge_[a-z0-9_]+)['"]\s*:""")
USED_IN = ("roles/**/*.yml", "roles/**/*.j2", "playbooks/**/*.yml", "inventories/**/*", "extensions/molecule/**/*.yml",
           "docs/*.md", "README.md", "CONTRIBUTING.md")


def _cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def parse_inventory_md(text):
    """``{variable: {"level": caption or None, "line": n, **columns}}`` from the tables of docs/inventory.md."""
    rows = {}
    caption = None
    header = None
    for n, line in enumerate(text.splitlines(), 1):
        if not line.startswith("|"):
            if line.strip():
                caption = line.strip()
                header = None
            continue
        if header is None:
            header = [c.lower() for c in _cells(line)]
            continue
        match = ROW_RE.match(line)
        if not match:
            continue
        name = match.group(1)
        assert name not in rows, "docs/inventory.md line %d: %s has a second row (first on line %d); keep one" % (
            n, name, rows.get(name, {}).get("line", 0))
        level = next((lvl for prefix, lvl in LEVELS.items() if caption and caption.startswith(prefix)), None)
        rows[name] = dict(zip(header, _cells(line)), level=level, line=n)
    return rows


DOCS = parse_inventory_md(INVENTORY_MD.read_text(encoding="utf-8"))
# Old names the model still reads, with a warning ({old: new}); mentioned in the new name's row, no row of their own.
RENAMED = dict(getattr(model, "RENAMED_VARS", {}))
CONTRACT = frozenset(model.POOL_VARS + model.HOST_VARS + model.PLAYBOOK_VARS)


def _specs():
    """``[(role, entry point, option name, option spec)]`` of every role argument spec."""
    found = []
    for path in sorted(ROOT.glob("roles/*/meta/argument_specs.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry, spec in (data.get("argument_specs") or {}).items():
            for name, option in ((spec or {}).get("options") or {}).items():
                found.append((path.parent.parent.name, entry, name, option or {}))
    return found


SPECS = _specs()


def _yaml_text(value):
    """A default as docs/inventory.md writes it: YAML flow style (``false``, ``[]``, ``100``)."""
    return yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()


def test_inventory_md_has_the_tables():
    # The parser must see every level's table, or the checks below would pass on nothing.
    levels = {row["level"] for row in DOCS.values()}
    assert levels >= set(LEVELS.values()), "docs/inventory.md: tables found for %s; expected a table after a line " \
        "starting with each of %s" % (sorted(levels - {None}), list(LEVELS))
    assert len(DOCS) >= 40


def test_every_documented_variable_is_known_to_the_model():
    unknown = sorted(set(DOCS) - CONTRACT)
    assert not unknown, "\n".join(
        "docs/inventory.md line %d documents %s, which the model does not know: add it to POOL_VARS, HOST_VARS or "
        "PLAYBOOK_VARS in %s (validated there, default in DEFAULTS), or remove the row%s" % (
            DOCS[n]["line"], n, MODEL_PY, " (it was renamed to %s: say so in that row)" % RENAMED[n] if n in RENAMED else "")
        for n in unknown)


def test_renamed_variables_are_mentioned_in_their_new_row():
    wrong = ["docs/inventory.md: %s was renamed to %s (RENAMED_VARS in %s); say so in the row of %s" % (old, new, MODEL_PY, new)
             for old, new in sorted(RENAMED.items()) if old not in DOCS.get(new, {}).get("meaning", "")]
    assert not wrong, "\n".join(wrong)


def test_model_known_variables_are_the_levels_and_renamed_names():
    assert model.KNOWN_VARS == CONTRACT | set(RENAMED), "KNOWN_VARS in %s is not POOL_VARS + HOST_VARS + PLAYBOOK_VARS " \
        "(+ RENAMED_VARS): %s" % (MODEL_PY, sorted(model.KNOWN_VARS ^ (CONTRACT | set(RENAMED))))
    assert all(new in CONTRACT for new in RENAMED.values()), RENAMED


def test_every_known_variable_is_documented():
    missing = sorted(CONTRACT - set(DOCS))
    assert not missing, "\n".join(
        "%s is known to the model (%s) but has no row in docs/inventory.md: add one to the %s table" % (
            n, MODEL_PY, "pool" if n in model.POOL_VARS else "host" if n in model.HOST_VARS else "playbook") for n in missing)


def test_each_variable_is_documented_at_its_level():
    wrong = []
    for name, row in sorted(DOCS.items()):
        if row["level"] is None or name not in model.KNOWN_VARS:
            continue  # a table of another kind; unknown names fail above
        if name not in getattr(model, row["level"]):
            actual = next(lvl for lvl in LEVELS.values() if name in getattr(model, lvl))
            wrong.append("docs/inventory.md line %d: %s is in the %s table, but the model has it in %s (%s): move the row "
                         "or the variable" % (row["line"], name, row["level"], actual, MODEL_PY))
    assert not wrong, "\n".join(wrong)


def test_documented_defaults_are_the_model_defaults():
    wrong = []
    for name, value in sorted(model.DEFAULTS.items()):
        row = DOCS.get(name)
        if row is None:
            continue  # reported by test_every_known_variable_is_documented
        expected = "`%s`" % _yaml_text(value)
        if row.get("default") != expected:
            wrong.append("docs/inventory.md line %d: %s documents the default %r; the model's default is %s (%s DEFAULTS)"
                         % (row["line"], name, row.get("default"), expected, MODEL_PY))
    for name, row in sorted(DOCS.items()):
        # A plain literal (`x`) is a fixed default; a computed one (`none` (1 server) / `dns`) is described.
        if name in CONTRACT and name not in model.DEFAULTS and re.fullmatch(r"`[^`]+`", row.get("default", "")) \
                and row.get("level") == "POOL_VARS":
            wrong.append("docs/inventory.md line %d: %s documents the default %s, which the model does not apply: add it "
                         "to DEFAULTS in %s or describe the behaviour instead" % (row["line"], name, row["default"], MODEL_PY))
    assert not wrong, "\n".join(wrong)


def test_documented_required_pool_variables_are_the_model_ones():
    documented = {n for n, row in DOCS.items() if row["level"] == "POOL_VARS" and row.get("required") == "yes"}
    required = set(model.REQUIRED_POOL_VARS)
    assert documented == required, (
        "docs/inventory.md marks as required (yes) but the model does not require: %s; the model requires "
        "(REQUIRED_POOL_VARS in %s) but docs/inventory.md does not say yes: %s" % (
            sorted(documented - required), MODEL_PY, sorted(required - documented)))


def test_role_specs_name_only_known_variables_without_defaults():
    wrong = []
    for role, entry, name, option in SPECS:
        if not name.startswith("sfb_edge_"):
            continue
        where = "roles/%s/meta/argument_specs.yml (%s)" % (role, entry)
        if name in RENAMED:
            wrong.append("%s: option %s was renamed to %s (RENAMED_VARS in %s): rename the option" % (
                where, name, RENAMED[name], MODEL_PY))
        elif name not in model.KNOWN_VARS:
            wrong.append("%s: option %s is not a variable the model knows (%s); fix the name or add the variable there "
                         "and to docs/inventory.md" % (where, name, MODEL_PY))
        if "default" in option:
            wrong.append("%s: option %s has default %r; the model applies the defaults of sfb_edge_* variables (%s "
                         "DEFAULTS): remove it and say the default in the description" % (where, name, option["default"], MODEL_PY))
    assert not wrong, "\n".join(wrong)


def test_plan_spec_lists_every_known_variable_with_the_type_of_its_default():
    # docs/inventory.md promises it: `ansible-doc -t role sfb.edge.plan` lists every variable with its type.
    plan = {name: option for role, entry, name, option in SPECS if role == "plan" and entry == "main"}
    missing = sorted(CONTRACT - set(plan))
    assert not missing, "\n".join(
        "roles/plan/meta/argument_specs.yml does not list %s (known to %s, documented in docs/inventory.md): add it to "
        "the main entry point's options with its type and description" % (n, MODEL_PY) for n in missing)
    types = {bool: "bool", int: "int", str: "str", list: "list", dict: "dict"}
    wrong = ["roles/plan/meta/argument_specs.yml: %s has type %r, but the model's default %r is a %s" % (
        name, plan[name].get("type"), value, types[type(value)])
        for name, value in sorted(model.DEFAULTS.items()) if plan[name].get("type") != types[type(value)]]
    assert not wrong, "\n".join(wrong)


def test_roles_set_no_inventory_variable_defaults():
    wrong = []
    for path in sorted(ROOT.glob("roles/*/defaults/main.yml")) + sorted(ROOT.glob("roles/*/vars/main.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        wrong += ["%s sets %s: defaults of sfb_edge_* variables belong to the model (%s DEFAULTS), not to a role" % (
            path.relative_to(ROOT), name, MODEL_PY) for name in data if name.startswith("sfb_edge_")]
    assert not wrong, "\n".join(wrong)


def _used():
    used = {}
    for pattern in USED_IN:
        for path in sorted(ROOT.glob(pattern)):
            if not path.is_file() or "/.cache/" in str(path):
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue  # a binary file (certificates)
            for n, line in enumerate(text.splitlines(), 1):
                for match in VAR_RE.finditer(line):
                    used.setdefault(match.group(0), "%s line %d" % (path.relative_to(ROOT), n))
    return used


def published():
    """``{name: where}`` of the sfb_edge_* names roles and playbooks publish (quoted Jinja dict keys)."""
    found = {}
    for pattern in ("roles/**/*.yml", "playbooks/**/*.yml"):
        for path in sorted(ROOT.glob(pattern)):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                for match in PUBLISHED_RE.finditer(line):
                    found.setdefault(match.group(1), "%s line %d" % (path.relative_to(ROOT), n))
    return found


def test_published_names_are_not_inventory_variables():
    clash = sorted(set(published()) & model.KNOWN_VARS)
    assert not clash, "\n".join("%s publishes %s, the name of an inventory variable: use another name" % (
        published()[n], n) for n in clash)


def test_every_variable_used_is_known_and_documented():
    used = _used()
    # The scan must see the files: the plan playbook's variable and a role's use of the contract.
    assert {"sfb_edge_plan_dir", "sfb_edge_pool_fqdn", "sfb_edge_facts_from"} <= set(used)
    unknown = sorted(set(used) - model.KNOWN_VARS - set(published()))
    assert not unknown, "\n".join(
        "%s uses %s, which the model does not know (%s) and docs/inventory.md does not document: fix the name, or add "
        "the variable to both" % (used[n], n, MODEL_PY) for n in unknown)


@pytest.mark.parametrize("text, expected", [
    ("Pool level:\n\n| Variable | Required | Default | Meaning |\n|---|---|---|---|\n| `sfb_edge_a` | yes | `[]` | x |\n",
     {"sfb_edge_a": {"variable": "`sfb_edge_a`", "required": "yes", "default": "`[]`", "meaning": "x",
                     "level": "POOL_VARS", "line": 5}}),
    ("Host level:\n\n| Variable | Required | Meaning |\n|---|---|---|\n| `sfb_edge_b` | | y \\| z |\n"
     "\nOther:\n\n| Variable | Meaning |\n|---|---|\n| `sfb_edge_c` | w |\n",
     {"sfb_edge_b": {"variable": "`sfb_edge_b`", "required": "", "meaning": "y \\", "level": "HOST_VARS", "line": 5},
      "sfb_edge_c": {"variable": "`sfb_edge_c`", "meaning": "w", "level": None, "line": 11}}),
])
def test_parse_inventory_md(text, expected):
    # zip() stops at the header's width: an escaped pipe in the last column does not shift the others.
    assert parse_inventory_md(text) == expected


def test_parse_inventory_md_refuses_a_second_row():
    text = "Pool level:\n\n| Variable | Meaning |\n|---|---|\n| `sfb_edge_a` | x |\n| `sfb_edge_a` | y |\n"
    with pytest.raises(AssertionError, match="sfb_edge_a has a second row"):
        parse_inventory_md(text)


def test_the_plan_readme_marks_the_required_variables():
    """issue 20, item 12: the plan role's README said "Required: no" for the variables the validation requires."""
    readme = (ROOT / "roles" / "plan" / "README.md").read_text(encoding="utf-8")
    required = {}
    for line in readme.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 4 and cells[1].startswith("`sfb_edge_"):
            required.setdefault(cells[1].strip("`"), cells[3])
    assert {var: required.get(var) for var in model.REQUIRED_POOL_VARS} == {
        var: "yes (validated)" for var in model.REQUIRED_POOL_VARS}
    assert required["sfb_edge_hlb_vips"] == "with `hlb` (validated)"
    assert required["sfb_edge_version"] == "no"
