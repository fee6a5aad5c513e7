# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: the edge inventory read from Ansible's ``hostvars``.

What the sfb.edge.edge_inventory filter returns (its documentation: plugins/filter/edge_inventory.py), and what
sfb.edge.plan_files, sfb.edge.plan_validation and the host actions read the inventory with.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible.release import __version__ as _CORE_VERSION

from ansible_collections.sfb.edge.plugins.plugin_utils import _model
from ansible_collections.sfb.edge.plugins.plugin_utils._plain import plain as _plain
from ansible_collections.sfb.edge.plugins.plugin_utils._plain import template_left as _template_left

# ansible-core 2.16 to 2.18 leave an expression with an undefined variable as it is when hostvars
# are read (2.19 raises): those versions get the check below.
_LENIENT_HOSTVARS = tuple(int(p) for p in _CORE_VERSION.split(".")[:2]) < (2, 19)
# What makes Ansible template a string: Jinja's start strings, or an overrides header at its start.
_TEMPLATE_STARTS = ("{{", "{%", "{#")
_JINJA2_OVERRIDE = "#jinja2:"


def _inventory_dir(variables):
    """The host's inventory_dir (None for hosts made by add_host or the implicit localhost)."""
    try:
        value = variables.get("inventory_dir")
    except Exception:  # pylint: disable=broad-except  # an undefined magic variable: no base directory
        return None
    return str(value) if isinstance(value, str) and value else None


def _raw(hostvars, host):
    """The host's variables as the inventory gives them, not templated (``HostVars.raw_get``), or None
    where ``hostvars`` cannot give them (not Ansible's hostvars, an unknown host)."""
    raw_get = getattr(hostvars, "raw_get", None)
    if raw_get is None:
        return None
    try:
        raw = raw_get(host)
    except Exception:  # pylint: disable=broad-except  # the templating view below says what is wrong
        return None
    return raw if isinstance(raw, Mapping) else None


def _literal(value):
    """True when ``value`` is plain data (mappings, lists, strings, numbers, booleans, None) in which no
    string (key or value) is a template: templating it gives it back unchanged, so it needs none. A
    vaulted value, an undefined one or any other type is not (Ansible templates it, as before)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "{" in item and any(m in item for m in _TEMPLATE_STARTS) or item.startswith(_JINJA2_OVERRIDE):
                return False
        elif isinstance(item, Mapping):
            if not isinstance(item, dict):
                return False
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif not (item is None or isinstance(item, (bool, int, float))):
            return False
    return True


def _variable(raw, name, shared):
    """The plain value of the variable ``name`` from the raw variables ``raw`` when it is a literal, else
    None. ``shared`` (one dict per call) keeps the plain copy of each raw value: a group's variables are
    the same object for every host of the group, converted once instead of once per host."""
    value = raw[name]
    known = shared.get(id(value))
    if known is not None and known[0] is value:
        return known
    if not _literal(value):
        return None
    shared[id(value)] = known = (value, _plain(value))  # the raw value is kept: its id is not reused meanwhile
    return known


_POOL = "sfb_edge_pool_fqdn"


def _group_pool(inventory, loader, group, cache):
    """``sfb_edge_pool_fqdn`` as ``group``'s own variables give it (inline, then the group_vars of the inventory
    sources, as Ansible merges them), or None; once per group."""
    if group.name not in cache:
        from ansible.vars.plugins import get_vars_from_inventory_sources  # pylint: disable=import-outside-toplevel

        value = group.get_vars().get(_POOL)
        sources = getattr(inventory, "_sources", None) or []
        for stage in ("inventory", "task"):  # the vars plugins run in one of them, as RUN_VARS_PLUGINS says
            found = get_vars_from_inventory_sources(loader, sources, [group], stage) if loader is not None else {}
            if _POOL in found:
                value = found[_POOL]
        cache[group.name] = value
    return cache[group.name]


def _pool_groups(hostvars, host, cache):
    """``{group: value}`` of the groups of ``host`` that give different sfb_edge_pool_fqdn values where Ansible's
    precedence decides between them (no group is the parent of another; the host sets none itself), else None.
    None too when ``hostvars`` is not Ansible's (no inventory to read)."""
    inventory, loader = getattr(hostvars, "_inventory", None), getattr(hostvars, "_loader", None)
    try:
        item = inventory.get_host(host) if inventory is not None else None
    except Exception:  # pylint: disable=broad-except  # not Ansible's inventory: nothing to compare
        return None
    if item is None:
        return None
    values = {}
    for group in item.get_groups():
        if group.name != "all":
            value = _group_pool(inventory, loader, group, cache)
            if value is not None:
                values[group] = value
    if len({str(v).lower().rstrip(".") for v in values.values()}) < 2:
        return None
    # a child group overrides its parent by design (depth): only groups unrelated to each other are ambiguous
    leaves = {g: v for g, v in values.items() if not any(g in o.get_ancestors() for o in values if o is not g)}
    if len({str(v).lower().rstrip(".") for v in leaves.values()}) < 2:
        return None
    from ansible.vars.plugins import get_vars_from_inventory_sources  # pylint: disable=import-outside-toplevel

    own = dict(item.get_vars())
    if loader is not None:
        for stage in ("inventory", "task"):
            own.update(get_vars_from_inventory_sources(loader, getattr(inventory, "_sources", None) or [], [item], stage))
    if _POOL in own:
        return None  # the host names its pool itself
    return {g.name: _plain(v) for g, v in sorted(leaves.items(), key=lambda kv: kv[0].name)}


def _connection(hostvars, host, raw, shared):
    """``(ansible_host, {connection variable: value})`` of ``host``: the values that are set and evaluate (a
    template that fails leaves that variable out: the plan then says what it assumed). Never a secret."""
    view = None
    found = {}
    for name in ("ansible_host",) + _model.CONNECTION_VARS:
        if raw is not None:
            if name not in raw:
                continue
            known = _variable(raw, name, shared)
            if known is not None:
                found[name] = known[1]
                continue
        try:
            if view is None:
                view = hostvars[host]
            if raw is None and name not in view:
                continue
            found[name] = _plain(view[name])
        except Exception:  # pylint: disable=broad-except  # unset or not evaluable: left out
            continue
    address = found.pop("ansible_host", None)
    connection = {k: v for k, v in found.items() if v not in (None, "")}
    return (str(address) if isinstance(address, (str, int)) and str(address) else str(host)), connection


def _management(hostvars, groups, result, shared):
    """The Front Ends (group front_ends and every sfb_edge_frontend_host) and probe hosts (group edge_probes) with
    their address and connection variables: :data:`model.MANAGEMENT`."""
    groups = groups if isinstance(groups, Mapping) else {}

    def hosts_of(group):
        value = groups.get(group) or []
        return [str(h) for h in value] if isinstance(value, (list, tuple)) else []

    front_ends = hosts_of("front_ends")
    chosen = sorted({d["sfb_edge_frontend_host"] for d in result.values()
                     if isinstance(d.get("sfb_edge_frontend_host"), str) and d["sfb_edge_frontend_host"]})
    frontend = chosen[0] if chosen else (front_ends[0] if front_ends else None)
    info = {"front_ends": [], "frontend": frontend, "probes": []}
    for key, names in (("front_ends", list(dict.fromkeys(front_ends + chosen))), ("probes", hosts_of("edge_probes"))):
        for name in names:
            raw = _raw(hostvars, name)
            try:
                address, connection = _connection(hostvars, name, raw, shared)
            except Exception:  # pylint: disable=broad-except  # not a host of hostvars (a typo): its name only
                address, connection = name, {}
            info[key].append({"name": name, "address": address, "connection": connection})
    return info


def edge_inventory(hostvars, hosts=None, groups=None):
    if hosts is None or isinstance(hosts, str) or not isinstance(hosts, (list, tuple)):
        raise AnsibleFilterError("sfb.edge.edge_inventory: hosts must be a list of inventory hostnames "
                                 "(groups['edge_servers']), got %r" % (hosts,))
    result = {}
    shared = {}
    groups_cache = {}
    first_raw = None
    for host in hosts:
        # A variable that holds no template is read as the inventory gives it; only the others are
        # templated (for each host, under its own variables), as hostvars[host][name] does.
        raw = _raw(hostvars, host)
        view = None
        if raw is None:
            try:
                view = hostvars[host]
            except KeyError:
                raise AnsibleFilterError("sfb.edge.edge_inventory: host %r is not in hostvars" % (host,)) from None
        data = {}
        for name in list((raw if raw is not None else view).keys()):
            if not str(name).startswith("sfb_edge_"):
                continue
            if raw is not None:
                known = _variable(raw, name, shared)
                if known is not None:
                    data[str(name)] = known[1]
                    continue
                if view is None:
                    view = hostvars[host]
            try:
                value = view[name]
                left = _template_left(value) if _LENIENT_HOSTVARS else None
                data[str(name)] = _plain(value)
            except Exception as exc:  # templating errors carry their own explanation
                raise AnsibleFilterError("sfb.edge.edge_inventory: host %s, variable %s cannot be evaluated: %s"
                                         % (host, name, exc)) from None
            if left is not None:
                raise AnsibleFilterError("sfb.edge.edge_inventory: host %s, variable %s cannot be evaluated: %r is "
                                         "still a template (a variable it uses is undefined?); define what it uses "
                                         "or give the value itself" % (host, name, left))
        base = _raw_inventory_dir(raw) if raw is not None else _inventory_dir(view)
        if base:
            data[_model.BASE_DIR] = base
        sources = _sources(raw if raw is not None else view)
        if sources:
            data[_model.SOURCES] = sources
        conflict = _pool_groups(hostvars, host, groups_cache)
        if conflict:
            data[_model.POOL_GROUPS] = conflict
        data[_model.CONNECTION] = _connection(hostvars, host, raw, shared)[1]
        if first_raw is None:
            first_raw = raw if raw is not None else {}
        result[str(host)] = data
    if groups is None and first_raw is not None:
        groups = first_raw.get("groups")
    management = _management(hostvars, groups, result, shared)
    for data in result.values():
        data[_model.MANAGEMENT] = management
    return result


def _sources(variables):
    """The run's inventory sources (``ansible_inventory_sources``, a magic variable: plain strings), or None."""
    try:
        value = variables.get("ansible_inventory_sources")
    except Exception:  # pylint: disable=broad-except  # no sources known: nothing is checked against them
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        return None
    return [str(s) for s in value if isinstance(s, str) and s] or None


def _raw_inventory_dir(raw):
    value = raw.get("inventory_dir")
    return str(value) if isinstance(value, str) and value and _literal(value) else None
