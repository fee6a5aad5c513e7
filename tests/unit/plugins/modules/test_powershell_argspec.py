# -*- coding: utf-8 -*-
"""The options documented in each plugins/modules/<name>.yml match the module's $spec.

ansible-test validate-modules compares them by running the module under pwsh, which is not
available here (scripts/sanity.sh excludes the .ps1 files from that test). This test does the
comparison without pwsh: it reads the `$spec = @{ ... }` literal of each module with
tree-sitter-pwsh and evaluates it (only literals: hashtables, arrays, strings, integers,
$true / $false / $null - a module whose spec needs more fails here and should be simplified).
Compared per option, recursively through suboptions: the names, type, required, default,
elements and choices (Ansible.Basic's defaults: type str, required false); supports_check_mode
against the check_mode attribute; and every option whose name suggests a secret has no_log.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import tree_sitter_pwsh
import yaml
from tree_sitter import Language, Parser

ROOT = Path(__file__).resolve().parent.parent.parent.parent.parent
MODULES = sorted((ROOT / "plugins" / "modules").glob("*.ps1"))
PARSER = Parser(Language(tree_sitter_pwsh.language()))
WRAPPERS = {"pipeline", "pipeline_chain", "unary_expression", "string_literal", "integer_literal",
            "assignment_value", "parenthesized_expression", "statement_list"}
SECRET_WORDS = ("password", "passphrase", "secret", "token")


class SpecError(Exception):
    pass


def _named(node):
    return [c for c in node.children if c.is_named and c.type != "comment"]


def evaluate(node, source):
    """The Python value of a PowerShell literal expression node."""
    text = source[node.start_byte:node.end_byte].decode("utf-8")
    kind = node.type
    if kind == "hash_literal_expression":
        body = [c for c in node.children if c.type == "hash_literal_body"]
        result = {}
        for entry in (_named(body[0]) if body else []):
            key_node, value_node = _named(entry)[0], _named(entry)[-1]
            key = evaluate(key_node, source) if key_node.type != "key_expression" else \
                source[key_node.start_byte:key_node.end_byte].decode("utf-8").strip("'\"")
            result[key] = evaluate(value_node, source)
        return result
    if kind == "array_literal_expression":
        return [evaluate(c, source) for c in _named(node)]
    if kind == "array_expression":
        inner = _named(node)
        if not inner:
            return []
        value = evaluate(inner[0], source)
        return value if isinstance(value, list) else [value]
    if kind == "variable":
        values = {"$true": True, "$false": False, "$null": None}
        if text.lower() not in values:
            raise SpecError("variable %s in $spec (only literals are read)" % text)
        return values[text.lower()]
    if kind == "decimal_integer_literal":
        return int(text)
    if kind == "verbatim_string_characters":
        return text[1:-1].replace("''", "'")
    if kind == "expandable_string_literal":
        if "$" in text or "`" in text:
            raise SpecError("expandable string %s in $spec (only literals are read)" % text)
        return text[1:-1]
    if kind in WRAPPERS and len(_named(node)) == 1:
        return evaluate(_named(node)[0], source)
    raise SpecError("cannot read %s %r in $spec" % (kind, text[:60]))


def read_spec(source, name):
    tree = PARSER.parse(source)
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "assignment_expression":
            left = source[node.children[0].start_byte:node.children[0].end_byte].decode("utf-8").strip()
            if left.lower() == "$spec":
                return evaluate(node.children[-1], source)
        stack.extend(node.children)
    raise SpecError("%s has no `$spec = @{ ... }`" % name)


def compare(spec_options, doc_options, where):
    problems = []
    spec_options, doc_options = spec_options or {}, doc_options or {}
    for name in sorted(set(spec_options) ^ set(doc_options)):
        problems.append("%s%s: only in the %s" % (where, name, "$spec" if name in spec_options else "documentation"))
    for name in sorted(set(spec_options) & set(doc_options)):
        spec, doc = spec_options[name], doc_options[name]
        for key, default in (("type", "str"), ("required", False), ("default", None), ("elements", None),
                             ("choices", None)):
            if spec.get(key, default) != doc.get(key, default):
                problems.append("%s%s: %s is %r in $spec, %r in the documentation"
                                % (where, name, key, spec.get(key, default), doc.get(key, default)))
        if any(word in name for word in SECRET_WORDS) and not spec.get("no_log"):
            problems.append("%s%s: a secret without no_log = $true" % (where, name))
        problems += compare(spec.get("options"), doc.get("suboptions"), "%s%s." % (where, name))
    return problems


def test_spec_reader():
    source = (b"$spec = @{\n    options = @{\n        a = @{ type = 'list'; elements = 'str'; default = @() }\n"
              b"        b = @{ type = \"str\"; choices = 'x', 'y'; no_log = $true }\n"
              b"        c = @{ type = 'int'; default = 5; choices = @(5, 6) }\n    }\n"
              b"    supports_check_mode = $false\n}\n")
    assert read_spec(source, "snippet") == {
        "options": {"a": {"type": "list", "elements": "str", "default": []},
                    "b": {"type": "str", "choices": ["x", "y"], "no_log": True},
                    "c": {"type": "int", "default": 5, "choices": [5, 6]}},
        "supports_check_mode": False}
    with pytest.raises(SpecError, match="only literals"):
        read_spec(b"$spec = @{ options = @{ a = @{ default = $env:TEMP } } }\n", "snippet")


def test_compare_reports_differences():
    spec = {"a": {"type": "int", "required": True}, "b": {}, "password": {},
            "l": {"type": "list", "elements": "dict", "options": {"x": {"type": "bool"}}}}
    doc = {"a": {"type": "int"}, "c": {}, "password": {},
           "l": {"type": "list", "elements": "dict", "suboptions": {"x": {"type": "bool", "default": False}}}}
    assert compare(spec, doc, "") == [
        "b: only in the $spec",
        "c: only in the documentation",
        "a: required is True in $spec, False in the documentation",
        "l.x: default is None in $spec, False in the documentation",
        "password: a secret without no_log = $true",
    ]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_documented_options_match_spec(path):
    spec = read_spec(path.read_bytes(), path.name)
    sidecar = yaml.safe_load(path.with_suffix(".yml").read_text(encoding="utf-8"))
    doc = sidecar["DOCUMENTATION"]
    assert doc["module"] == path.stem
    problems = compare(spec.get("options"), doc.get("options"), "")
    check_mode = (doc.get("attributes") or {}).get("check_mode", {}).get("support", "none")
    if bool(spec.get("supports_check_mode")) != (check_mode in ("full", "partial")):
        problems.append("supports_check_mode is %r in $spec, check_mode support is %r in the documentation"
                        % (spec.get("supports_check_mode"), check_mode))
    assert not problems, "%s:\n%s" % (path.name, "\n".join(problems))
