# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plain Python values from Ansible's wrapper types (tagged strings, lazy containers)."""

from __future__ import annotations


def plain(value):
    """Drop Ansible's wrapper types so the model sees plain Python values."""
    return _plain(value)


# Values of these exact types are what plain() would make of them (str(), int(), float() of one give it back).
_AS_IS = frozenset([str, int, float, bool, type(None)])


def _plain(value):
    kind = type(value)
    if kind is dict:  # the common case first, and no call for a plain value (thousands of routes)
        return {k if type(k) is str else str(k): v if type(v) in _AS_IS else _plain(v)  # pylint: disable=unidiomatic-typecheck
                for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _AS_IS else _plain(v) for v in value]  # pylint: disable=unidiomatic-typecheck
    if kind in _AS_IS:
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


_MARKERS = ("{{", "{%")


def template_left(value):
    """The first string in ``value`` (walked through dicts and lists) that still holds a Jinja
    expression and is not marked unsafe (``!unsafe``), or None. ansible-core before 2.19 templates
    ``hostvars[host][name]`` without failing on undefined variables and hands back the expression
    itself; a value like that is an inventory mistake, not data."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, str) and not getattr(item, "__UNSAFE__", False) and any(m in item for m in _MARKERS):
            return str(item)
    return None
