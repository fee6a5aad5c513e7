# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Values shown in messages: one function, :func:`excerpt`, for every error, finding and problem that
quotes what the user (an inventory, a snapshot, a file) gave.

- the value of a key named like a secret (``password``, ``passwd``, ``secret``, ``token``, a private
  key, a credential, PFX content, ...) is never shown: :data:`HIDDEN` stands for it, also inside a
  mapping or list (a nested secret-named key's value is replaced);
- a string that looks like a credential (an AWS access key id, a PEM private key, a JWT) is not shown
  either, whatever its key;
- anything else is shown repr-style (quoted, control characters, Unicode format characters such as
  U+202E, lone surrogates and other non-printable characters escaped) and cut to about :data:`LIMIT`
  characters, with the full length said.
"""

from __future__ import annotations

import re

LIMIT = 60
HIDDEN = "<hidden>"

# a key (variable, field) whose value is a secret: matched anywhere in the normalised name
_SECRET_KEY = re.compile(
    r"passw(or)?d|passphrase|(^|_)pass($|_)|pwd|secret|token|credential|private_?key|privkey|api_?key|access_?key|"
    r"key_?material|pfx_?(content|data|base64|bytes|blob)|cookie|authori[sz]ation|"
    r"^auth$|bearer|^(key|ssh_key)$")
# about a secret, not one: has_private_key, key_size, key_algorithm, password_file, token_path,
# local_account_token_filter_policy
_NOT_SECRET = re.compile(r"^(has|is|no|use|uses)_|_(size|length|bits|algorithm|provider|path|file|count|days|policy)$")
# a value that is a credential whatever its key
_SECRET_VALUE = re.compile(
    r"\b(AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[A-Z0-9-]{8,}|-----BEGIN [A-Z ]*PRIVATE KEY|"
    r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}|\b(gh[pousr]_|xox[abprs]-|sk-)[A-Za-z0-9_-]{12,}|"
    r"\$ANSIBLE_VAULT;")


def is_secret_key(key):
    """True when ``key`` (a variable or field name) is named like a secret: its value is never shown."""
    if not isinstance(key, str):
        return False
    name = re.sub(r"[^a-z0-9]+", "_", re.sub(r"(\[\d*\])+$", "", key).rsplit(".", 1)[-1].lower()).strip("_")
    return not _NOT_SECRET.search(name) and _SECRET_KEY.search(name) is not None


def looks_secret(text):
    """True when the string ``text`` looks like a credential (an AWS key id, a PEM private key, a token)."""
    return isinstance(text, str) and _SECRET_VALUE.search(text[:4096]) is not None


def excerpt(value, key=None, limit=LIMIT):
    """``value`` for a message: :data:`HIDDEN` for a secret (``key`` named like one, or a string that
    looks like a credential), else repr-style, escaped and at most about ``limit`` characters (a longer
    one is cut and says its full length). Mappings and lists hide their secret-named keys' values."""
    if key is not None and is_secret_key(key):
        return HIDDEN
    if isinstance(value, str):
        if looks_secret(value):
            return HIDDEN
        text = repr(value[:limit])
        if len(value) <= limit and len(text) <= limit + 2:
            return text
        return "%s%s...%s (%d characters)" % (text[0], text[1:-1][:limit], text[0], len(value))
    out = []
    _render(value, out, [limit + 1], 0)
    text = "".join(out)
    if len(text) > limit:
        text = text[:limit] + "..."
    return text


def _string(text, budget):
    if looks_secret(text):
        return HIDDEN
    return repr(text[:budget + 1])


def _render(value, out, budget, depth):
    """Append the text of ``value`` to ``out`` until ``budget[0]`` characters are spent (never walks a whole
    large value: it stops at the budget; the depth is bounded)."""
    if budget[0] <= 0:
        return
    if isinstance(value, str):
        piece = _string(value, budget[0])
    elif isinstance(value, bytes):
        piece = repr(value[:budget[0] + 1])
    elif value is None or isinstance(value, (bool, int, float)):
        piece = repr(value)
    elif isinstance(value, dict):
        if depth >= 4:
            piece = "{...}"
        else:
            _emit(out, budget, "{")
            for number, (k, v) in enumerate(value.items()):
                if budget[0] <= 0:
                    return
                if number:
                    _emit(out, budget, ", ")
                _render(k if isinstance(k, (str, int, float, bool)) or k is None else str(k), out, budget, depth + 1)
                _emit(out, budget, ": ")
                if is_secret_key(k):
                    _emit(out, budget, HIDDEN)
                else:
                    _render(v, out, budget, depth + 1)
            _emit(out, budget, "}")
            return
    elif isinstance(value, (list, tuple, set, frozenset)):
        if depth >= 4:
            piece = "[...]"
        else:
            _emit(out, budget, "[")
            for number, item in enumerate(value):
                if budget[0] <= 0:
                    return
                if number:
                    _emit(out, budget, ", ")
                _render(item, out, budget, depth + 1)
            _emit(out, budget, "]")
            return
    else:
        piece = "<%s>" % type(value).__name__
    _emit(out, budget, piece)


def _emit(out, budget, piece):
    out.append(piece)
    budget[0] -= len(piece)
