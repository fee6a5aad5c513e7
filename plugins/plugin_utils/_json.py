# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: the one JSON writer of the collection's report files.

Every JSON file the controller code writes (plan.json, the drift and validation reports ``drift/<host>.json`` and
``validate/<host>.json``) is :func:`nice_json`'s text and a final newline: what ``ansible.builtin.to_nice_json(indent=2)``
gives (sorted keys, ASCII escapes, ``": "`` between key and value), as the roles wrote these files before.
A speed path (Python's C encoder for the mappings and lists of scalars) gives the same text about three times faster
on a plan; anything it does not take goes through :func:`json.dumps` whole.
"""

from __future__ import annotations

import json
import math
from itertools import chain
from json import encoder as _je


def nice_json(data):
    """``json.dumps(data, indent=2, sort_keys=True, separators=(",", ": "))``, the same text, about three times
    faster on a plan: with an indent, Python's json module encodes every value in Python; here the mappings and
    lists of scalars, and the lists of such mappings (routes, hosts entries, rules), go through its C encoder."""
    out = []
    if _c_make is not None:
        try:
            _encode(data, 0, out)
            return "".join(out)
        except (_Unsupported, RecursionError, ValueError, TypeError):
            pass
    return json.dumps(data, indent=2, sort_keys=True, separators=(",", ": "))


_enc = _je.encode_basestring_ascii
_c_make = getattr(_je, "c_make_encoder", None)
_SCALARS = frozenset((str, int, float, bool, type(None)))


class _Unsupported(Exception):
    """A value the fast path does not take (a key that is not a string, a type JSON does not know): json.dumps
    encodes the whole value instead, and says what is wrong with it, if anything."""


def _default(o):
    raise _Unsupported


_C = {}


def _c(sep):
    """Python's C encoder (sorted keys, ": " between key and value) with the item separator ``sep``."""
    enc = _C.get(sep)
    if enc is None:
        enc = _C[sep] = _c_make(None, _default, _enc, None, ": ", sep, True, False, True)
    return enc


def _floatstr(o):
    """A float as json.dumps writes it."""
    if math.isnan(o):
        return "NaN"
    if o == float("inf"):
        return "Infinity"
    if o == -float("inf"):
        return "-Infinity"
    return float.__repr__(o)


def _scalar(v):
    """A scalar as json.dumps writes it."""
    if isinstance(v, str):
        return _enc(v)
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return int.__repr__(v)
    if isinstance(v, float):
        return _floatstr(v)
    raise _Unsupported


def _types(values):
    return set(map(type, values))


def _encode(o, depth, out):
    """Append the text of ``o`` at indentation ``depth`` to ``out``, as json.dumps(indent=2, sort_keys=True)."""
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(o, dict):
        if not o:
            out.append("{}")
            return
        if _types(o) == {str} and _types(o.values()) <= _SCALARS:
            # only scalars: one call of the C encoder, its item separator holding the newline and indent (a
            # newline never occurs in an encoded string)
            out.append("{\n" + inner + "".join(_c(",\n" + inner)(o, 0))[1:-1] + "\n" + pad + "}")
            return
        sep = "{\n" + inner
        for k in sorted(o):
            if not isinstance(k, str):
                raise _Unsupported
            out.append(sep + _enc(k) + ": ")
            _encode(o[k], depth + 1, out)
            sep = ",\n" + inner
        out.append("\n" + pad + "}")
    elif isinstance(o, (list, tuple)):
        if not o:
            out.append("[]")
            return
        kinds = _types(o)
        if kinds <= _SCALARS:
            out.append("[\n" + inner + "".join(_c(",\n" + inner)(o, 0))[1:-1] + "\n" + pad + "]")
            return
        if kinds == {dict} and all(o) and _types(chain.from_iterable(o)) == {str} \
                and _types(chain.from_iterable(map(dict.values, o))) <= _SCALARS:
            # mappings of scalars: the C encoder with the mappings' item separator, then the separators between
            # the mappings and their braces put right (a newline never occurs in an encoded string)
            deeper = "  " * (depth + 2)
            text = "".join(_c(",\n" + deeper)(o, 0))[2:-2]
            out.append("[\n" + inner + "{\n" + deeper
                       + text.replace("},\n" + deeper + "{", "\n" + inner + "},\n" + inner + "{\n" + deeper)
                       + "\n" + inner + "}\n" + pad + "]")
            return
        sep = "[\n" + inner
        for v in o:
            out.append(sep)
            _encode(v, depth + 1, out)
            sep = ",\n" + inner
        out.append("\n" + pad + "]")
    else:
        out.append(_scalar(o))
