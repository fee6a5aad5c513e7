# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: the steps the playbooks' actions run on the controller (issue 22, point 4).

Until 0.5.0 each was a filter plugin that carried this logic into the roles' Jinja: the desired state of one
host or of every host (``desired_state``, ``desired_states``), each area's part of both states
(``state_parts``), the areas to converge (``drift_areas``), the controller's connection port
(``connection_ports``), the report directory (``inventory_path``), site.yml's phase (``site_phase``) and the
post-install validation (``validation``, ``validation_table``). The actions call these functions; the filters
stay for one release as deprecated shims over them (meta/runtime.yml, docs/porting.md).

Each function takes and returns plain data and raises :class:`StepError` with the message the filter gave (the
filter's name first, what is wrong, where, and how to fix it); the callers turn it into their own failure.
"""

from __future__ import annotations

from ansible_collections.sfb.edge.plugins.plugin_utils import _phase
from ansible_collections.sfb.edge.plugins.plugin_utils import _parts as areas
from ansible_collections.sfb.edge.plugins.plugin_utils import _checks as checks
from ansible_collections.sfb.edge.plugins.plugin_utils import _desired as desired
from ansible_collections.sfb.edge.plugins.plugin_utils import _guard as guard
from ansible_collections.sfb.edge.plugins.plugin_utils import _model as model
from ansible_collections.sfb.edge.plugins.plugin_utils import _drift
from ansible_collections.sfb.edge.plugins.plugin_utils import _state
from ansible_collections.sfb.edge.plugins.plugin_utils import _store
from ansible_collections.sfb.edge.plugins.plugin_utils._plain import plain


class StepError(ValueError):
    """What a step refuses, as its filter said it (``sfb.edge.<name>: ...``)."""


def inventory_dict(inventory, name):
    """``inventory`` (the output of sfb.edge.edge_inventory) when it is a mapping, else StepError."""
    if not isinstance(inventory, dict):
        raise StepError("sfb.edge.%s: expected the output of sfb.edge.edge_inventory (a dict), got %s"
                        % (name, type(inventory).__name__))
    return inventory


def desired_state(inventory, host):
    """The desired state of ``host`` from the whole inventory (fails listing every error finding)."""
    try:
        return desired.build(inventory_dict(inventory, "desired_state"), str(host))
    except desired.DesiredError as exc:
        raise StepError("sfb.edge.desired_state: %s" % exc) from None


def handle(state, directory=None):
    """The store's handle of a desired state: its digest plus what the roles read directly (host, pool, cs)."""
    return _store.put(directory or _store.run_directory(), state, "desired",
                      host=state["host"], pool=state["pool"], cs=state["cs"])


def desired_states(inventory, hosts=None, read_certificates=True, store=False):
    """One validation of the whole inventory: ``{findings, hosts: {host: desired state}}``; the states only
    when there is no error finding (the caller shows the findings and stops). ``store``: each state kept in the
    controller's store of the run, its handle returned."""
    if hosts is not None and (isinstance(hosts, (str, bytes, dict)) or not hasattr(hosts, "__iter__")):
        raise StepError("sfb.edge.desired_states: hosts is a list of inventory hostnames, got %s"
                        % type(hosts).__name__)
    try:
        findings, states = desired.build_all(inventory_dict(inventory, "desired_states"), hosts,
                                             read_certificates=bool(read_certificates))
    except desired.DesiredError as exc:
        raise StepError("sfb.edge.desired_states: %s" % exc) from None
    if store:
        try:
            states = {host: handle(state) for host, state in states.items()}
        except (OSError, _store.StoreError) as exc:
            raise StepError("sfb.edge.desired_states: cannot keep the desired states in the controller's "
                            "store: %s" % exc) from None
    return {"findings": findings, "hosts": states}


def _part_handles(desired_state_, current):
    """Each area's part, where a state is a store handle: the handle naming the part (nothing read)."""
    if not _store.is_handle(desired_state_):
        desired_state_ = plain(desired_state_)
    if not _store.is_handle(current):
        current = plain(current)
    result = {}
    for area in areas.KEYS:
        want, have = areas.keys(area)
        result[area] = {
            "desired": (dict(plain(desired_state_), part=area) if _store.is_handle(desired_state_)
                        else areas.part(desired_state_, want)),
            "current": dict(plain(current), part=area) if _store.is_handle(current) else areas.part(current, have),
        }
    return result


def state_parts(desired_state_, current, source=None, check=True):
    """``{area: {desired: {section: ...}, current: {section: ...}}}``: each area's part of both states (a store
    handle naming the part where a state is a handle). ``check``: check the whole gathered state first."""
    if _store.is_handle(desired_state_) or _store.is_handle(current):
        if not isinstance(desired_state_, dict) or not isinstance(current, dict):
            raise StepError("sfb.edge.state_parts: expected the desired and the gathered state (mappings or "
                            "handles of the controller's store), got %s and %s"
                            % (type(desired_state_).__name__, type(current).__name__))
        if check and not _store.is_handle(current):
            try:
                current = _state.check(plain(current), where=_state.describe_source(desired_state_, source))
            except _state.StateError as exc:
                raise StepError("sfb.edge.state_parts: %s" % exc) from None
        return _part_handles(desired_state_, current)
    if not isinstance(desired_state_, dict):
        raise StepError("sfb.edge.state_parts: expected the desired state (a dict), got %s"
                        % type(desired_state_).__name__)
    if not check:
        if not isinstance(current, dict):
            raise StepError("sfb.edge.state_parts: %s is %s, expected a mapping (docs/state-format.md)"
                            % (_state.describe_source(desired_state_, source), type(current).__name__))
        return areas.split(desired_state_, current)
    try:
        current = _state.check(plain(current), where=_state.describe_source(desired_state_, source))
    except _state.StateError as exc:
        raise StepError("sfb.edge.state_parts: %s" % exc) from None
    return areas.split(plain(desired_state_), current)


def guard_inputs(name, ansible_host, connection_port):
    """``(port, addresses, resolve error)`` for the lockout guard, from a step's or filter's arguments (``name``
    names it in the error)."""
    try:
        port = int(connection_port) if connection_port not in (None, "") else None
    except (TypeError, ValueError):
        raise StepError("sfb.edge.%s: connection_port is %r, not a port number" % (name, connection_port)) from None
    addresses, error = guard.resolve_ipv4(ansible_host) if ansible_host else (None, None)
    return port, addresses, error


def drift_areas(desired_state_, current, ansible_host=None, connection_port=None, options=None):
    """The areas with something to do on the host, in the order site.yml applies them (sfb.edge.edge_apply's
    comparison for each); either state may be a store handle."""
    try:
        desired_state_, current, was_checked = _store.load_states(desired_state_, current, plain)
        if not was_checked:
            current = _state.check(current, where=_state.describe_source(desired_state_))
        port, addresses, error = guard_inputs("drift_areas", ansible_host, connection_port)
        return _drift.active_areas(desired_state_, current, ansible_host=ansible_host, options=plain(options or {}),
                                   port=port, host_addresses=addresses, resolve_error=error)
    except (_state.StateError, _store.StoreError) as exc:
        raise StepError("sfb.edge.drift_areas: %s" % exc) from None
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, StepError):
            raise
        raise StepError("sfb.edge.drift_areas: the desired state is not the output of sfb.edge.desired_state, "
                        "or the gathered state is malformed (%s: %s)" % (type(exc).__name__, exc)) from None


def connection_ports(variables, single=False):
    """The TCP ports the controller connects to the host on, from its connection variables (``single``: the one
    port, or None for a connection without a port)."""
    variables = plain(variables)
    if not isinstance(variables, dict):
        raise StepError("sfb.edge.connection_ports: expects a mapping of connection variables, got %s"
                        % type(variables).__name__)
    if single:
        return guard.connection_port(variables)
    return guard.gather_ports(variables)


def inventory_path(path, base=None, sources=None):
    """The absolute directory a report path means (:func:`model.report_dir`)."""
    if path is not None and not isinstance(path, (str, int, float)):
        raise StepError("sfb.edge.inventory_path: sfb_edge_plan_dir must be a directory path (a string), got "
                        "%r; set it to an absolute path or one relative to the inventory directory" % (path,))
    if isinstance(sources, str):
        sources = [sources]
    try:
        return model.report_dir(path, str(base) if base else None, [str(s) for s in sources or ()])
    except ValueError as exc:
        raise StepError(str(exc)) from None


def site_phase(phase, run_tags=None, skip_tags=None):
    """site.yml's parts for ``sfb_edge_phase`` and the run's tags (:func:`_phase.site_parts`; never raises)."""
    return _phase.site_parts(plain(phase), plain(run_tags), plain(skip_tags))


def validation(desired_state_, current, probes=None, replication=None, frontend=None, source=None):
    """The post-install validation report of one host: a pass/fail row per check (:func:`checks.report`)."""
    try:
        where = _state.describe_source(desired_state_, source)
        desired_state_, current, was_checked = _store.load_states(desired_state_, current, plain)
        current = current if was_checked else _state.check(current, where=where)
        replication = _state.check_replication(plain(replication) if replication else None,
                                               where="the replication status from the Front End")
        return checks.report(desired_state_, current, probes=plain(probes) if probes is not None else None,
                             replication=replication, frontend=frontend, source=source)
    except (_state.StateError, _store.StoreError) as exc:
        raise StepError("sfb.edge.validation: %s" % exc) from None
    except (KeyError, TypeError, ValueError) as exc:
        raise StepError("sfb.edge.validation: the desired state is not the output of sfb.edge.desired_state "
                        "(%s: %s)" % (type(exc).__name__, exc)) from None


def validation_table(report):
    """A validation report as the lines of a Markdown table (:func:`checks.table`)."""
    try:
        return checks.table(plain(report))
    except (KeyError, TypeError) as exc:
        raise StepError("sfb.edge.validation_table: the input is not the output of sfb.edge.validation "
                        "(%s: %s)" % (type(exc).__name__, exc)) from None
