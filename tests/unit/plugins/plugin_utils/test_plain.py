# -*- coding: utf-8 -*-
"""plugin_utils._plain.template_left: what ansible-core 2.16-2.18 leave of an expression whose
variable is undefined when hostvars are read (make compat; 2.19 raises instead)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.sfb.edge.plugins.plugin_utils._plain import template_left


class Unsafe(str):
    """Like ansible.utils.unsafe_proxy.AnsibleUnsafeText (`!unsafe` in an inventory)."""

    __UNSAFE__ = True


def test_finds_an_expression_anywhere():
    assert template_left({"a": [1, {"b": "x {{ missing }}"}]}) == "x {{ missing }}"
    assert template_left(["{% if x %}y{% endif %}"]) == "{% if x %}y{% endif %}"
    assert template_left("corp.example.com") is None
    assert template_left({"ip": "10.0.0.1", "names": ["a.example.com"], "n": 3, "t": True, "z": None}) is None


def test_unsafe_values_are_data():
    assert template_left({"password": Unsafe("p{{w")}) is None


_plain = st.recursive(st.none() | st.booleans() | st.integers() | st.text(alphabet="abc.{} %-").filter(
    lambda s: "{{" not in s and "{%" not in s),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=3), children, max_size=4),
    max_leaves=20)


@given(_plain, st.sampled_from(["{{ x }}", "a {% raw %}", "{{y"]))
def test_a_planted_expression_is_found(data, expression):
    assert template_left(data) is None
    assert template_left([data, {"k": expression}]) == expression
