# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Values as the reports show them: every invisible character written out (issue 18, point 9).

Control characters (Unicode category Cc), format characters (Cf: U+202E turns the text after it
around, U+200B hides inside a name), surrogates, the line and paragraph separators (Zl, Zp) and the
non-characters U+FFFE/U+FFFF become ``\\xNN``, ``\\uNNNN`` or ``\\UNNNNNNNN`` text: what a reader sees
is what the value holds, and nothing in a value can turn a report's text around.
"""

from __future__ import annotations

import re
import unicodedata

# The controls (all of category Cc), surrogates and non-characters; beyond them the categories below.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# The same without TAB and LF: HTML shows them as a space.
_CONTROL_HTML = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_INVISIBLE = frozenset(("Cf", "Zl", "Zp"))  # none of them is ASCII or Latin-1 but U+00AD (Cf)


def code(char):
    """``\\xNN`` / ``\\uNNNN`` / ``\\UNNNNNNNN`` of one character."""
    number = ord(char)
    return "\\x%02x" % number if number < 256 else "\\u%04x" % number if number < 0x10000 else "\\U%08x" % number


def _code(match):
    return code(match.group(0))


def visible(text, tab_and_newline=False):
    """``text`` with every control and format character written out (see the module); TAB and LF kept
    when ``tab_and_newline`` (HTML text, where they are a space)."""
    text = (_CONTROL_HTML if tab_and_newline else _CONTROL).sub(_code, text)
    if text.isascii():
        return text
    return "".join(code(c) if unicodedata.category(c) in _INVISIBLE else c for c in text)
