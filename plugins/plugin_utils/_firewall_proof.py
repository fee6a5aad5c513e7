# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: the controller steps of the firewall proof role (roles/firewall_proof), run by the
sfb.edge.firewall_proof action and by the deprecated filters firewall_proof_plan, firewall_proof_probes,
firewall_proof_report and firewall_proof_table (plugins/filter/deprecated.py; removed in 0.7.0).

Each step takes what the role's task gives (Ansible's values made plain here) and returns plain data; an input it
cannot use raises :class:`StepError`, whose message says what is wrong and how to fix it (the action and the filters
add their own name). The decisions themselves are :mod:`fwproof`'s."""

from __future__ import annotations

from ansible_collections.sfb.edge.plugins.plugin_utils import _made, _fwproof as fwproof
from ansible_collections.sfb.edge.plugins.plugin_utils import _plan
from ansible_collections.sfb.edge.plugins.plugin_utils import _state
from ansible_collections.sfb.edge.plugins.plugin_utils import _store
from ansible_collections.sfb.edge.plugins.plugin_utils._plain import plain


class StepError(ValueError):
    """A step cannot use its input; the message says which input, why, and what to do."""


def _names(value):
    """A list of names, not a string or a mapping."""
    return not isinstance(value, (str, bytes, dict)) and hasattr(value, "__iter__")


def decide(inventory, hosts, states, frontend=None, probe=None, probe_connection=None, mode="live", duration=300,
           probe_timeout_ms=3000, inventory_hosts=None):
    """What the proof opens on each of ``hosts`` and probes from where (:func:`fwproof.plan_all`): ``{duration,
    probe_timeout_ms, hosts: {host: plan}, refusals, probes}``, from the edge inventory (the output of
    sfb.edge.edge_inventory) and the gathered state of each host (a state or its store handle)."""
    if not _names(hosts):
        raise StepError("hosts is a list of inventory hostnames, got %s" % type(hosts).__name__)
    if (frontend or probe) and not _names(inventory_hosts):
        raise StepError("with a Front End or a probe host, give inventory_hosts (groups['all']): the probe hosts must "
                        "be inventory hosts outside edge_servers")
    if not isinstance(inventory, dict):
        raise StepError("expected the output of sfb.edge.edge_inventory (a dict), got %s" % type(inventory).__name__)
    try:
        pools = fwproof.from_inventory(inventory)
        # a gathered state may be a handle of the run's store (sfb.edge.edge_state keeps large states there)
        states = {str(h): _state.check(plain(_store.load(s, where="the state of %s" % h)), where="the state of %s" % h)
                  for h, s in plain(states or {}).items()}
        return fwproof.plan_all(pools, [str(h) for h in hosts], states, frontend=frontend or None,
                                external_probe=probe or None,
                                external_probe_windows=fwproof.is_windows(plain(probe_connection or {})),
                                mode=str(mode), duration=duration, probe_timeout_ms=probe_timeout_ms,
                                inventory_hosts=None if inventory_hosts is None else [str(h) for h in inventory_hosts])
    except (_plan.PlanError, _state.StateError, _store.StoreError, fwproof.ProofError) as exc:
        raise StepError(str(exc)) from None


def _calls(plans):
    """``{probe host: [{protocol, host, port}]}`` of the proof plans (the ``hosts`` values of :func:`decide`)."""
    try:
        return fwproof.probe_calls(plain(list(plans or [])))
    except (KeyError, TypeError, ValueError) as exc:
        raise StepError("the input is not a list of proof plans of sfb.edge.firewall_proof_plan (%s: %s)"
                        % (type(exc).__name__, exc)) from None


def _tcp(targets):
    """The TCP targets as sfb.edge.tcp_probe takes them: ``[{host, port}]``."""
    return [{"host": t["host"], "port": t["port"]} for t in targets if t["protocol"] == "TCP"]


def probe_targets(plans, probe, tcp_only=False):
    """The address:port pairs the probe host ``probe`` tests for the proof plans ``plans`` - each once, sorted:
    ``[{protocol, host, port}]``, or ``[{host, port}]`` (TCP only) with ``tcp_only``."""
    targets = _calls(plans).get(str(probe), [])
    return _tcp(targets) if tcp_only else targets


def probes(plans, frontend=None, probe=None):
    """The targets of the role's three probe calls for the plans of the servers whose listeners are open:
    ``{internal: [{host, port}], external_tcp: [{host, port}], external: [{protocol, host, port}]}`` - the Front End's
    (sfb.edge.tcp_probe), the probe host's with sfb.edge.tcp_probe (Windows) and with sfb.edge.port_probe."""
    calls = _calls(plans)
    external = calls.get(str(probe), [])
    return {"internal": _tcp(calls.get(str(frontend), [])), "external_tcp": _tcp(external), "external": external}


def report(plan, probes=None, opened=None, received=None, source=None, duration=None):  # pylint: disable=redefined-outer-name
    """The verdict per firewall rule of one host (:func:`fwproof.report`) with ``made`` (when and in which mode)."""
    try:
        rep = fwproof.report(plain(plan), plain(probes or {}), opened=plain(opened or []),
                             received=plain(received or []), source=source, duration=duration)
    except (KeyError, TypeError, ValueError) as exc:
        raise StepError("the input is not a proof plan of sfb.edge.firewall_proof_plan (%s: %s)"
                        % (type(exc).__name__, exc)) from None
    try:
        rep["made"] = _made.made(rep["mode"])
    except ValueError as exc:
        raise StepError(str(exc)) from None
    return rep


def role_report(plan, frontend=None, probe=None, internal=None, external_windows=None, external_posix=None, opened=None,
                received=None, source=None, duration=None):
    """The role's report step for one host: ``{report, markdown}`` - :func:`report` and its :func:`table`.

    ``internal``, ``external_windows`` and ``external_posix`` are the registered results of the role's probe tasks
    (the Front End's, the probe host's with sfb.edge.tcp_probe and with sfb.edge.port_probe; None - not run): the
    probe host's is the one its connection chose (the plan's ``probes.external_windows``). ``duration`` is the
    decision's (a number, also as the text older ansible-core makes of it)."""
    skipped = {"skipped": True}
    try:
        windows = plain(plan)["probes"]["external_windows"]
        seconds = None if duration is None else fwproof.check_duration(duration)
    except (KeyError, TypeError) as exc:
        raise StepError("the input is not a proof plan of sfb.edge.firewall_proof_plan (%s: %s)"
                        % (type(exc).__name__, exc)) from None
    except fwproof.ProofError as exc:
        raise StepError(str(exc)) from None
    external = external_windows if windows else external_posix
    probes = {str(frontend): skipped if internal is None else internal,  # pylint: disable=redefined-outer-name
              str(probe): skipped if external is None else external}
    rep = report(plan, probes, opened=opened, received=received, source=source, duration=seconds)
    return {"report": rep, "markdown": table(rep)}


def table(rep):
    """A proof report as Markdown lines (:func:`fwproof.markdown`)."""
    try:
        return fwproof.markdown(plain(rep))
    except (KeyError, TypeError, ValueError) as exc:
        raise StepError("the input is not the output of sfb.edge.firewall_proof_report (%s: %s)"
                        % (type(exc).__name__, exc)) from None
