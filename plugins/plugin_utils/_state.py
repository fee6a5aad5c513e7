# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The gathered state of an edge server (docs/state-format.md): loading snapshots and checking,
against one declarative schema, that a state dict has the types the diff engine relies on.

The schema (``SCHEMA``) is a tree of small type descriptions: :class:`Map` (a mapping with
required and optional keys; unknown keys are allowed, readers ignore them), :class:`ListOf`,
:class:`DictOf` (a mapping with free keys), :class:`Scalar` (``string``, ``int``, ``bool``) and
:class:`Nullable`. Type rules, the same everywhere:

- ``bool`` is not an ``int`` and ``int`` is not a ``bool`` (``true`` for a port, ``1`` for a flag
  are errors, although Python's ``bool`` is an ``int`` subclass);
- the state has no floating-point field: a float is never accepted, not even ``5986.0``;
- ``null`` is accepted only where the schema says ``... or null``; an optional key may be absent,
  which means "not read" (never "fine").

:func:`check` validates a whole state and raises :class:`StateError` naming the file or host and
the path of every wrong field (the first :data:`MAX_ERRORS`), e.g.
``snapshot x/edge01.json: connection is a mapping (keys local_address, local_port, ...), expected
a list (a one-item list written as an object by ConvertTo-Json?) - see docs/state-format.md#connection``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import itertools
import json
import operator
import re

from ansible_collections.sfb.edge.plugins.plugin_utils import _files, _netcalc as netcalc
from ansible_collections.sfb.edge.plugins.plugin_utils._excerpt import excerpt

STATE_FORMAT = 1
DOC = "docs/state-format.md"
MAX_ERRORS = 8


class StateError(ValueError):
    """A state (or snapshot file) is not in the documented format."""


# ----------------------------------------------------------------------------------- type descriptions
def _short(text, limit=40):
    return excerpt(text, limit=limit)


def _key_text(key):
    if isinstance(key, str) and key.isprintable() and len(key) <= 40:
        return key
    return excerpt(key, limit=40)


def actual(value, key=None):
    """What a value is, for messages: 'a mapping (keys a, b)', 'an integer (4)', 'null', ... (a string as
    :func:`_excerpt.excerpt` shows it: never a secret's value - ``key``: the field's name)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean (%s)" % ("true" if value else "false")
    if isinstance(value, int):
        return "an integer (%s)" % excerpt(value, key)
    if isinstance(value, float):
        return "a number (%s)" % excerpt(value, key)
    if isinstance(value, str):
        return "a string (%s)" % excerpt(value, key, limit=40)
    if isinstance(value, dict):
        keys = [_key_text(k) for k in itertools.islice(value, 5)]
        return "a mapping (%s)" % ("keys " + ", ".join(keys[:4]) + (", ..." if len(value) > 4 else "")
                                   if keys else "empty")
    if isinstance(value, (list, tuple)):
        return "a list"
    return "a %s" % type(value).__name__


def _leaf(path):
    """The name of the field at ``path`` (``a.b[2]`` -> ``b``): a secret-named field's value is never shown."""
    return re.sub(r"(\[\d+\])+$", "", path).rsplit(".", 1)[-1]


class Node:
    """One type description. ``describe()`` is the type as docs/state-format.md writes it,
    ``expected()`` the same for messages."""

    def describe(self):
        raise NotImplementedError

    def expected(self):
        raise NotImplementedError

    def matches_type(self, value):
        raise NotImplementedError

    def validate(self, value, path, add):
        """Call ``add(path, message)`` for every problem of ``value``."""
        raise NotImplementedError

    def ok_all(self, values):
        """The fast path: True only when :meth:`validate` finds no problem in any of ``values`` (a list).

        It looks at the values a field at a time (a column of a long list of routes or hosts entries) with
        C-level passes: the exact types (``type(v) is str``; a subclass is left to :meth:`validate`),
        choices as a set, bounds as ``min``/``max``, and a text check once per distinct value, read by a
        regular expression first when the node has one. False means "not proven": :meth:`validate`
        decides, and its messages name the field paths as before."""
        return False

    def _wrong_type(self, value, path, add):
        add(path, "is %s, expected %s%s" % (actual(value, _leaf(path)), self.expected(), self.hint(value)))

    def hint(self, value):
        return ""


_KINDS = {
    # kind: (test, documented name, article form)
    "string": (lambda v: isinstance(v, str), "string", "a string"),
    "int": (lambda v: isinstance(v, int) and not isinstance(v, bool), "int", "an integer"),
    "bool": (lambda v: isinstance(v, bool), "bool", "a boolean"),
}


# The exact type of each kind's plain values, for the fast path (bool is its own type, not an int).
_EXACT = {"string": frozenset([str]), "int": frozenset([int]), "bool": frozenset([bool])}


def _exact_types(values, allowed):
    return set(map(type, values)) <= allowed


class Scalar(Node):
    """A string, int or bool; optionally restricted (``choices``, ``low``/``high``, or ``check``:
    a function returning None when the value is acceptable, else what it should be; ``fast``: a regular
    expression whose full match proves that ``check`` accepts the value)."""

    def __init__(self, kind, choices=None, low=None, high=None, check=None, fast=None):
        self.kind = kind
        self.choices = tuple(choices) if choices else None
        self.low, self.high, self.check = low, high, check
        self.fast = fast.fullmatch if fast is not None else None

    def describe(self):
        return _KINDS[self.kind][1]

    def expected(self):
        if self.choices:
            return "one of %s" % ", ".join(str(c) for c in self.choices)
        return _KINDS[self.kind][2]

    def matches_type(self, value):
        return _KINDS[self.kind][0](value)

    def validate(self, value, path, add):
        if not self.matches_type(value):
            self._wrong_type(value, path, add)
        elif self.choices and value not in self.choices:
            add(path, "is %s, expected one of %s" % (actual(value, _leaf(path)), ", ".join(str(c) for c in self.choices)))
        elif (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
            add(path, "is %s, expected an integer from %s to %s" % (
                actual(value, _leaf(path)), self.low if self.low is not None else "-inf",
                self.high if self.high is not None else "inf"))
        elif self.check is not None:
            problem = self.check(value)
            if problem:
                add(path, "is %s, expected %s" % (actual(value, _leaf(path)), problem))

    def ok_all(self, values):
        if not values:
            return True
        if not _exact_types(values, _EXACT[self.kind]):
            return False
        if self.choices and not set(values) <= set(self.choices):
            return False
        if self.low is not None and min(values) < self.low:
            return False
        if self.high is not None and max(values) > self.high:
            return False
        if self.check is not None:
            fast, check = self.fast, self.check
            distinct = set(values)
            if fast is not None and all(map(fast, distinct)):
                return True
            for value in distinct:
                if (fast is None or fast(value) is None) and check(value):
                    return False
        return True


class Nullable(Node):
    """``node`` or null."""

    def __init__(self, node):
        self.node = node

    def describe(self):
        return "%s or null" % self.node.describe()

    def expected(self):
        return "%s or null" % self.node.expected()

    def matches_type(self, value):
        return value is None or self.node.matches_type(value)

    def validate(self, value, path, add):
        if value is None:
            return
        if not self.node.matches_type(value):
            self._wrong_type(value, path, add)
            return
        self.node.validate(value, path, add)

    def hint(self, value):
        return self.node.hint(value)

    def ok_all(self, values):
        if None in values:
            values = [v for v in values if v is not None]
        return self.node.ok_all(values)


class ListOf(Node):
    def __init__(self, item):
        self.item = item

    def describe(self):
        return "list of %s" % self.item.describe()

    def expected(self):
        return "a list"

    def matches_type(self, value):
        return isinstance(value, list)

    def hint(self, value):
        if value is not None and self.item.matches_type(value):
            if isinstance(value, dict):
                return " (a one-item list written as an object by ConvertTo-Json?)"
            return " (a one-item list unwrapped by PowerShell? write [%s])" % _short(json.dumps(value))
        return ""

    def validate(self, value, path, add):
        if not isinstance(value, list):
            self._wrong_type(value, path, add)
            return
        if self.item.ok_all(value):
            return
        for number, item in enumerate(value):
            self.item.validate(item, "%s[%d]" % (path, number), add)

    def ok_all(self, values):
        if not _exact_types(values, _LIST):
            return False
        return self.item.ok_all(list(itertools.chain.from_iterable(values)))


class DictOf(Node):
    """A mapping with free (string) keys, every value of type ``value``."""

    def __init__(self, value, key_name="key"):
        self.value, self.key_name = value, key_name

    def describe(self):
        return "mapping of string to %s" % self.value.describe()

    def expected(self):
        return "a mapping"

    def matches_type(self, value):
        return isinstance(value, dict)

    def validate(self, value, path, add):
        if not isinstance(value, dict):
            self._wrong_type(value, path, add)
            return
        if self.value.ok_all(list(value.values())):
            return
        for key, item in value.items():
            self.value.validate(item, "%s.%s" % (path, key), add)

    def ok_all(self, values):
        if not _exact_types(values, _DICT):
            return False
        return self.value.ok_all(list(itertools.chain.from_iterable(map(dict.values, values))))


_LIST, _DICT = frozenset([list]), frozenset([dict])


_ABSENT = object()  # an optional key that is not there


def _type_only(node):
    """The exact types a value of ``node`` may have when its type is all :meth:`Node.validate` checks (a
    :class:`Scalar` without choices, bounds or check, or such a scalar or null), else None."""
    inner = node.node if isinstance(node, Nullable) else node
    if not isinstance(inner, Scalar) or inner.choices or inner.low is not None or inner.high is not None \
            or inner.check is not None:
        return None
    return _EXACT[inner.kind] | (frozenset([type(None)]) if inner is not node else frozenset())


class Field:
    def __init__(self, node, required):
        self.node, self.required = node, required


def req(node):
    """A key that must be present."""
    return Field(node, True)


def opt(node):
    """A key that may be absent (absent = not read, e.g. a snapshot of an older version)."""
    return Field(node, False)


class Map(Node):
    """A mapping with known keys (``fields``: name -> :func:`req`/:func:`opt`); unknown keys are
    allowed. ``rules``: functions ``rule(value, path, add)`` for what types cannot say."""

    def __init__(self, fields, rules=()):
        self.fields, self.rules = fields, tuple(rules)

    def describe(self):
        return "mapping"

    def expected(self):
        return "a mapping"

    def matches_type(self, value):
        return isinstance(value, dict)

    def hint(self, value):
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
            return " (a mapping wrapped in a one-item list?)"
        return ""

    def validate(self, value, path, add):
        if not isinstance(value, dict):
            self._wrong_type(value, path, add)
            return
        for name, field in self.fields.items():
            sub = "%s.%s" % (path, name) if path else name
            if name not in value:
                if field.required:
                    add(sub, "is missing, expected %s" % field.node.expected())
                continue
            field.node.validate(value[name], sub, add)
        for rule in self.rules:
            rule(value, path, add)

    def ok_all(self, values):
        if not _exact_types(values, _DICT):
            return False
        for name, field in self.fields.items():
            try:
                column = list(map(operator.itemgetter(name), values))
            except KeyError:  # absent somewhere: a required field is missing; an optional one is skipped there
                if field.required:
                    return False
                column = [v for v in map(operator.methodcaller("get", name, _ABSENT), values) if v is not _ABSENT]
            types = _type_only(field.node)
            if types is not None:  # a type is all there is to check
                if not set(map(type, column)) <= types:
                    return False
            elif not field.node.ok_all(column):
                return False
        for rule in self.rules:
            found = []
            for value in values:
                rule(value, "", lambda where, message: found.append(message))
                if found:
                    return False
        return True


def _ipv4(value):
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return "an IPv4 address like 172.16.10.11"
    return None


def _ipv4_network(value):
    try:
        ipaddress.IPv4Network(value, strict=False)
    except ValueError:
        return "an IPv4 network like 10.10.0.0/16"
    return None if "/" in value else "an IPv4 network with a prefix length, like 10.10.0.0/16"


STRING = Scalar("string")
INT = Scalar("int")
BOOL = Scalar("bool")
# (the canonical texts: ipaddress accepts every one of them)
IPV4 = Scalar("string", check=_ipv4, fast=netcalc.CANONICAL_ADDRESS)
PORT = Scalar("int", low=1, high=65535)
STRINGS = ListOf(STRING)


def _hosts_file_rule(value, path, add):
    # Neither raw nor content: the file was not read (edge_facts leaves both out); the hosts file
    # area reports that. Both: which one is the file?
    if "raw" in value and "content" in value:
        add(path, "has both raw and content, expected at most one (raw: base64 of the file's bytes, from edge_facts; "
                  "content: the text, in hand-written snapshots)")
    raw, digest = value.get("raw"), value.get("sha256")
    data = None
    if isinstance(raw, str):
        try:
            data = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            add(path + ".raw", "is %s, expected base64 of the file's bytes" % actual(raw))
    if isinstance(digest, str):
        if not re.match(r"[0-9A-Fa-f]{64}\Z", digest):
            add(path + ".sha256", "is %s, expected 64 hex digits (SHA-256)" % actual(digest))
        elif data is not None and hashlib.sha256(data).hexdigest().upper() != digest.upper():
            add(path + ".sha256", "is %s, but the bytes in raw have the SHA-256 %s (change raw and sha256 together)"
                % (actual(digest), hashlib.sha256(data).hexdigest().upper()))


# ----------------------------------------------------------------------------------- the schema
COMPUTER = Map({
    "hostname": req(STRING),
    "pending_hostname": req(Nullable(STRING)),
    "dns_suffix": req(STRING),
    "part_of_domain": req(Nullable(BOOL)),
    "domain": req(Nullable(STRING)),
    "workgroup": req(Nullable(STRING)),
    "pending_reboot": req(BOOL),
    "pending_reboot_reasons": req(STRINGS),
    "os_version": opt(Nullable(STRING)),
    "os_build": opt(Nullable(INT)),
    "os_caption": opt(Nullable(STRING)),
    "dotnet_release": opt(Nullable(INT)),
    "local_account_token_filter_policy": opt(Nullable(INT)),
    "user": opt(Nullable(Map({
        "name": req(STRING),
        "sid": req(STRING),
        "builtin_administrator": req(BOOL),
        "system": req(BOOL),
        "elevated": req(BOOL),
    }))),
    "windows_update": opt(Map({
        "au_options": req(Nullable(INT)),
        "no_auto_update": req(Nullable(INT)),
    })),
})

ADDRESS = Map({
    "address": req(IPV4),
    "prefix_length": req(Scalar("int", low=0, high=32)),
    "skip_as_source": req(BOOL),
    "origin": req(STRING),
    "active": opt(BOOL),
    "persistent": opt(BOOL),
})


def _default_routes_rule(value, path, add):
    # gateways: the next hops of the adapter's active default routes (edge_facts); an active default route whose
    # next hop is not among them is a state that cannot be (hand-edited, or another tool's): refused, not planned
    routes, gateways = value.get("default_routes"), value.get("gateways")
    if not isinstance(routes, list) or not isinstance(gateways, list):
        return
    known = {g for g in gateways if isinstance(g, str)}
    for number, route in enumerate(routes):
        if not isinstance(route, dict) or route.get("active") is not True:
            continue
        hop = route.get("next_hop")
        if isinstance(hop, str) and hop not in known:
            add("%s.default_routes[%d].next_hop" % (path, number),
                "is %s, an active default route of the adapter %s, but not one of its gateways (%s): gateways lists "
                "the next hops of the active default routes; gather the state again, or correct gateways and "
                "default_routes together" % (excerpt(hop), excerpt(value.get("name")),
                                             ", ".join(excerpt(g) for g in gateways[:8]) or "none"))


ADAPTER = Map({
    "name": req(STRING),
    "description": req(STRING),
    "mac": req(STRING),
    "index": req(INT),
    "status": req(STRING),
    "dhcp": req(Nullable(BOOL)),
    "addresses": req(ListOf(ADDRESS)),
    "gateways": req(ListOf(IPV4)),
    "default_routes": opt(ListOf(Map({
        "next_hop": req(IPV4),
        "active": req(BOOL),
        "persistent": req(BOOL),
    }))),
    "dns_servers": req(ListOf(IPV4)),
    "register_in_dns": req(Nullable(BOOL)),
    "netbios": req(Nullable(Scalar("string", choices=("default", "enabled", "disabled")))),
}, rules=(_default_routes_rule,))

ROUTE = Map({
    "destination": req(Scalar("string", check=_ipv4_network, fast=netcalc.CANONICAL_CIDR)),
    "gateway": req(IPV4),
    "interface": req(Nullable(STRING)),
    "interface_index": req(INT),
    "metric": req(INT),
    "active": opt(BOOL),
    "persistent": opt(BOOL),
    "interface_exists": opt(BOOL),
})

HOSTS_FILE = Map({
    "path": req(STRING),
    "exists": opt(BOOL),
    "raw": opt(STRING),
    "sha256": opt(STRING),
    "content": opt(STRING),
}, rules=(_hosts_file_rule,))

CERTIFICATE = Map({
    "thumbprint": req(STRING),
    "subject": req(STRING),
    "issuer": req(STRING),
    "dns_names": req(STRINGS),
    "not_before": req(STRING),
    "not_after": req(STRING),
    "has_private_key": req(BOOL),
    "key_algorithm": req(Nullable(STRING)),
    "key_size": req(Nullable(INT)),
    "key_provider": req(Nullable(STRING)),
    "legacy_csp": req(Nullable(BOOL)),
    "eku": req(STRINGS),
})

CONNECTION = Map({
    "local_address": req(STRING),
    "local_port": req(PORT),
    "remote_address": req(STRING),
    "remote_port": opt(Nullable(PORT)),
})

LISTENER = Map({
    "protocol": req(Scalar("string", choices=("TCP", "UDP"))),
    "address": req(STRING),
    "port": req(Scalar("int", low=0, high=65535)),
    "process": req(Nullable(STRING)),
})

CS = Map({
    "products": req(ListOf(Map({
        "name": req(STRING),
        "version": req(Nullable(STRING)),
    }))),
    "features": req(DictOf(BOOL, key_name="feature")),
    "bootstrapper": req(BOOL),
    "local_management": req(BOOL),
    "module": req(Map({
        "loaded": req(BOOL),
        "error": req(Nullable(STRING)),
    })),
    "topology": req(Map({
        "imported": req(BOOL),
        "machines": req(STRINGS),
    })),
    "replica": req(Map({
        "enabled": req(BOOL),
    })),
    "certificates": req(ListOf(Map({
        "use": req(STRING),
        "thumbprint": req(STRING),
        "effective_date": req(Nullable(STRING)),
        "not_after": req(Nullable(STRING)),
    }))),
    # the update installer in sfb_edge_cu_path as the edge sees it (gathered when it is set): its file version is
    # the target of the cu step; and the mark edge_cs keeps while the update's second half is due (issue 19, point 1)
    "update_installer": opt(Map({
        "path": req(STRING),
        "exists": req(BOOL),
        "version": req(Nullable(STRING)),
    })),
    "cu_databases_pending": opt(BOOL),
    "services": req(ListOf(Map({
        "name": req(STRING),
        "display_name": req(STRING),
        "status": req(STRING),
        "start_mode": req(Nullable(STRING)),
        "last_error": req(Nullable(Map({
            "time": req(STRING),
            "source": req(STRING),
            "id": req(INT),
            "message": req(STRING),
        }))),
    }))),
})

REPLICATION = Map({
    "fqdn": req(STRING),
    "up_to_date": req(Nullable(BOOL)),
    "last_status_report": req(Nullable(STRING)),
    "last_update_creation": req(Nullable(STRING)),
})

SCHEMA = Map({
    "format": req(INT),
    "computer": req(COMPUTER),
    "adapters": req(ListOf(ADAPTER)),
    "routes": req(ListOf(ROUTE)),
    "hosts_file": req(HOSTS_FILE),
    "certificates": req(Map({
        "My": req(ListOf(CERTIFICATE)),
        "Root": req(ListOf(CERTIFICATE)),
        "CA": req(ListOf(CERTIFICATE)),
    })),
    "connection": req(ListOf(CONNECTION)),
    "connection_ports": opt(ListOf(PORT)),
    "listeners": opt(ListOf(LISTENER)),
    "cs": opt(CS),
    "replication": opt(REPLICATION),
})


def field_paths(node=SCHEMA, prefix="", seen=None):
    """Every field of the schema as ``(path, node, required)``: ``cs.services[].last_error.id``;
    list items are ``[]``, free keys of a :class:`DictOf` ``.<key name>``. A :class:`Map` reached a
    second time (the certificate of the stores ``Root`` and ``CA``) is not descended into again."""
    seen = set() if seen is None else seen
    inner = node.node if isinstance(node, Nullable) else node
    if isinstance(inner, Map):
        if id(inner) in seen:
            return
        seen.add(id(inner))
        for name, field in inner.fields.items():
            path = "%s.%s" % (prefix, name) if prefix else name
            yield path, field.node, field.required
            yield from field_paths(field.node, path, seen)
    elif isinstance(inner, ListOf):
        yield prefix + "[]", inner.item, True
        yield from field_paths(inner.item, prefix + "[]", seen)
    elif isinstance(inner, DictOf):
        path = "%s.<%s>" % (prefix, inner.key_name)
        yield path, inner.value, True
        yield from field_paths(inner.value, path, seen)


# ----------------------------------------------------------------------------------- checking
# docs/state-format.md has a section per top-level field, except these
_SECTION_OF = {"connection_ports": "connection"}


def _anchor(path):
    top = re.split(r"[.\[]", path, maxsplit=1)[0]
    return _SECTION_OF.get(top, top) or "types-absence-and-the-schema"


def problems(value, node=SCHEMA, path=""):
    """Every problem of ``value`` against ``node`` as ``(field path, message)``, in document order."""
    if node.ok_all([value]):
        return []
    found = []
    node.validate(value, path, lambda where, message: found.append((where, message)))
    return found


def _depth(path):
    return len(re.findall(r"[.\[]", path))


def _fail(where, found, hint):
    found = sorted(found, key=lambda item: _depth(item[0]))  # a missing section before its fields
    shown = ["%s %s" % (path or "the state", message) for path, message in found[:MAX_ERRORS]]
    anchors = list(dict.fromkeys(_anchor(path) for path, _message in found[:MAX_ERRORS]))
    if len(shown) == 1:
        text = shown[0]
    else:
        more = len(found) - len(shown)
        text = "%d problems: %s%s" % (len(found), "; ".join(shown), "; and %d more" % more if more else "")
    raise StateError("%s: %s - see %s#%s. %s" % (where, text, DOC, ", #".join(anchors), hint))


HINT = ("Gather it again with this collection's sfb.edge.edge_facts (playbooks/capture.yml for a snapshot), "
        "or correct it as docs/state-format.md describes")


def check(state, where="state", hint=HINT):
    """Return ``state`` when every field has its documented type; else raise :class:`StateError`
    naming ``where`` (the file or host) and the path of each wrong field (the first
    :data:`MAX_ERRORS`)."""
    if not isinstance(state, dict):
        raise StateError("%s is %s, expected a mapping (the state dict of docs/state-format.md). %s"
                         % (where, actual(state), hint))
    fmt = state.get("format")
    if fmt != STATE_FORMAT or isinstance(fmt, bool) or not isinstance(fmt, int):
        raise StateError("%s has format %s; this collection reads format %d (docs/state-format.md). %s"
                         % (where, "(none)" if "format" not in state else excerpt(fmt), STATE_FORMAT, hint))
    found = problems(state)
    if found:
        _fail(where, found, hint)
    return state


def describe_source(desired, source=None):
    """'the state of edge01 (snapshot x/edge01.json)' for messages, from the desired state's host
    and the role's ``edge_state_source``."""
    host = desired.get("host") if isinstance(desired, dict) else None
    text = "the state of %s" % host if host else "the gathered state"
    return "%s (%s)" % (text, source) if source else text


def check_replication(status, where="the replication status"):
    """Check one replication status (``replication`` of the state, or what sfb.edge.cs_replication
    returns for one edge); None passes (not queried)."""
    if status is None:
        return status
    found = problems(status, REPLICATION, "replication")
    if found:
        _fail(where, found, "It is the output of sfb.edge.cs_replication for one edge server (docs/state-format.md)")
    return status


def snapshot_path(directory, host):
    """``<directory>/<host>.json``: ``host`` a plain file name that stays in the folder (_files.child).

    :raises StateError: naming the host and the folder."""
    try:
        return _files.child(directory, host, ".json")
    except _files.FilesError as exc:
        raise StateError("no snapshot for %s: %s" % (_files.shown(host), exc)) from None


SNAPSHOT_HINT = "Correct the file as docs/state-format.md describes, or capture it again with playbooks/capture.yml"


def load_snapshot(directory, host):
    """Read ``<directory>/<host>.json`` and check it (:func:`parse_snapshot`): a regular file (never through a
    symbolic link, a FIFO or a device refused without blocking) of at most 64 MiB (_files.SNAPSHOT_LIMIT).

    :raises StateError: naming the file and what is wrong with it.
    """
    path = snapshot_path(directory, host)
    try:
        data = _files.read_regular(path, _files.SNAPSHOT_LIMIT)
    except FileNotFoundError:
        raise StateError("no snapshot for %s: %s does not exist; run playbooks/capture.yml with "
                         "sfb_edge_capture_dir=%s, or unset sfb_edge_facts_from" % (host, path, directory)) from None
    except _files.FilesError as exc:
        raise StateError("cannot read the snapshot: %s" % exc) from None
    except OSError as exc:
        raise StateError("cannot read the snapshot %s: %s" % (path, exc.strerror or exc)) from None
    return parse_snapshot(data, path)


def parse_snapshot(data, path):
    """The checked state in the snapshot text ``data`` (bytes or str) of the file ``path``: parsed strictly
    (:func:`parse_json`), then :func:`check`.

    :raises StateError: naming the file and the field."""
    where = "snapshot %s" % path
    return check(parse_json(data, where, SNAPSHOT_HINT, "cannot read the snapshot %s" % path), where=where,
                 hint=SNAPSHOT_HINT)


# ----------------------------------------------------------------------------------- strict JSON
MAX_DEPTH = 32  # a state is at most 5 levels deep (cs.services[].last_error)
_OTHER_BYTES = bytes(set(range(256)) - set(b"[]{}"))
_STEP = [0] * 256
_STEP[ord("[")] = _STEP[ord("{")] = 1
_STEP[ord("]")] = _STEP[ord("}")] = -1
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class _Constant:
    """NaN, Infinity or -Infinity where the text has it (refused once its path is known)."""

    def __init__(self, name):
        self.name = name


def _too_deep(raw, text):
    """None, or ``(line, column)`` of the first bracket of the document ``text`` (``raw``: its UTF-8 bytes) nested
    deeper than :data:`MAX_DEPTH`. Counting every bracket is a bound found with C-level passes (no recursion, a
    few milliseconds for megabytes); only when it is over the limit are the strings left out, to be exact."""
    brackets = raw.translate(None, _OTHER_BYTES)
    if not brackets or max(itertools.accumulate(map(_STEP.__getitem__, brackets))) <= MAX_DEPTH:
        return None
    depth = 0
    for match in re.finditer(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[{]|[\]}]', text):
        char = match.group()
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line = text.count("\n", 0, match.start()) + 1
                return line, match.start() - text.rfind("\n", 0, match.start())
        elif char in "]}":
            depth -= 1
    return None


def walk(value):
    """``(path, value)`` of every value of a parsed JSON document (the document itself first, path ``""``), in
    document order; iterative, so no depth makes it recurse."""
    stack = [("", value)]
    while stack:
        path, item = stack.pop()
        yield path, item
        if isinstance(item, dict):
            children = []
            for key, sub in item.items():
                children.append(("%s.%s" % (path, _key_text(key)) if path else _key_text(key), sub))
            stack.extend(reversed(children))
        elif isinstance(item, list):
            stack.extend(reversed([("%s[%d]" % (path, number), sub) for number, sub in enumerate(item)]))


def _refuse(where, path, text, hint):
    raise StateError("%s: %s %s. %s" % (where, path or "the document", text, hint))


def parse_json(data, where, hint, unreadable):
    """The JSON document in ``data`` (bytes: UTF-8; or str), parsed strictly: a key given twice in one object,
    NaN/Infinity, a string with a lone UTF-16 surrogate (not text: it cannot be written as UTF-8) and nesting
    deeper than :data:`MAX_DEPTH` are refused with :class:`StateError` naming ``where`` and the field
    (``unreadable``: the start of the message when the text is no JSON at all)."""
    if isinstance(data, (bytes, bytearray)):
        raw, surrogates = bytes(data), False  # strict UTF-8 has no surrogate: only an escape can make one
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise StateError("%s: not UTF-8 text (byte %d); save it as UTF-8. %s" % (unreadable, exc.start, hint)) from None
    else:
        text, raw = data, data.encode("utf-8", "surrogatepass")
        surrogates = _SURROGATE.search(text) is not None
    deep = _too_deep(raw, text)
    if deep:
        raise StateError("%s: nested more than %d levels deep (line %d, column %d); a state is a few levels deep. %s"
                         % (where, MAX_DEPTH, deep[0], deep[1], hint))
    twice, constants = [], []

    def pairs(items):
        result = dict(items)
        if len(result) != len(items):
            seen = set()
            for key, _value in items:
                if key in seen:
                    twice.append((result, key))
                    break
                seen.add(key)
        return result

    def constant(name):
        made = _Constant(name)
        constants.append(made)
        return made

    try:
        document = json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except RecursionError:
        raise StateError("%s: nested too deep to read. %s" % (where, hint)) from None
    except ValueError as exc:
        raise StateError("%s: %s" % (unreadable, exc)) from None
    if twice:
        owner, key = twice[0]
        for path, item in walk(document):
            if item is owner:
                _refuse(where, "%s.%s" % (path, _key_text(key)) if path else _key_text(key),
                        "is given twice in one object (which value is meant is unknown); keep one", hint)
    if constants:
        for path, item in walk(document):
            if isinstance(item, _Constant):
                _refuse(where, path, "is %s, which is not a JSON number; write a number or null" % item.name, hint)
    if surrogates or (b"\\u" in raw and _SURROGATE_ESCAPE.search(raw)):
        for path, item in walk(document):
            keys = [k for k in item if isinstance(k, str)] if isinstance(item, dict) else []
            for key in keys:
                if _SURROGATE.search(key):
                    _refuse(where, path or "the document", "has a key with a lone UTF-16 surrogate (%s), which is not "
                            "text" % excerpt(key), hint)
            if isinstance(item, str) and _SURROGATE.search(item):
                _refuse(where, path, "is a string with a lone UTF-16 surrogate (%s), which is not text; write the "
                        "character itself or its \\u escape pair" % excerpt(item), hint)
    return document
