# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Firewall proof before installing (docs/firewall-proof.md): the decisions, as plain functions.

From a pool's plan (plan.json format 2: ``firewall {groups, rules}`` and ``hosts``) and a server's
gathered state (docs/state-format.md):

- :func:`host_plan`: which temporary listeners the server opens (the inbound rules whose destination
  is an edge group, on the server's *own* address for that group), which probe host tests each rule
  and against which address (the public, NAT or VIP address the rule names), or why a rule cannot be
  tested; and the refusals - a planned port already in use, a planned address the server does not
  have - which stop the whole run before anything is opened anywhere.
- :func:`probe_calls`: the probe targets of every host, one list per probe host (one call each).
- :func:`report`: the verdict per rule from the probe results and the listeners' hit counts - ``open``
  (every sampled address:port answered **and** a listener behind it counted the connection: the
  server's own listener, or for a VIP shared by the pool's servers any of theirs), ``blocked`` (a probe
  ran and at least one did not answer), ``answered by something else`` (every target answered but no
  listener behind one of them saw it: a device on the path answered for the address), ``not tested``
  (no probe host could test it, or the run was from a snapshot), ``would test`` (check mode).

Port ranges are sampled (:func:`sample_ports`): a range of at most :data:`SAMPLE_ALL_UP_TO` ports is
tested whole, a larger one (the media range 50000-59999) at :data:`SAMPLE_POINTS` evenly spaced ports,
first and last included - the report says so.
"""

from __future__ import annotations

import ipaddress

PROOF_FORMAT = 1
MODES = ("live", "check", "snapshot")
# A probe that connected while no listener behind the target counted it: something on the path (a firewall, a
# NAT device, a load balancer, a proxy) answered for the address. It fails the host like "blocked".
ANSWERED_BY_OTHER = "answered by something else"
VERDICTS = ("open", "blocked", ANSWERED_BY_OTHER, "not tested", "would test")
# The verdicts that fail the host under firewall_proof_fail (roles/firewall_proof/vars/main.yml: firewall_proof_failing).
FAILING = ("blocked", ANSWERED_BY_OTHER)
PROBE_TIMEOUT_MIN, PROBE_TIMEOUT_MAX = 1, 60000
SAMPLE_ALL_UP_TO = 8
SAMPLE_POINTS = 5
DURATION_MIN, DURATION_MAX = 30, 3600
WILDCARDS = ("0.0.0.0", "::", "[::]", "*")
WINDOWS_CONNECTIONS = ("winrm", "psrp", "ansible.builtin.winrm", "ansible.builtin.psrp", "ansible.windows.psrp")
SAMPLING_NOTE = ("port ranges of more than %d ports are sampled at %d evenly spaced ports, first and last included "
                 "(50000-59999: 50000, 52499, 54999, 57499, 59999); a range is open only when every sampled port "
                 "answered, which does not prove the ports between them" % (SAMPLE_ALL_UP_TO, SAMPLE_POINTS))


class ProofError(ValueError):
    """A proof cannot be planned (bad option or input); the message names what and how to fix it."""


# ------------------------------------------------------------------------------------------ helpers
def sample_ports(ports):
    """The ports tested for a rule's ``ports`` ("443" or "50000-59999"), ascending."""
    text = str(ports).strip()
    if "-" not in text:
        return [int(text)]
    low, high = (int(p) for p in text.split("-", 1))
    if high - low + 1 <= SAMPLE_ALL_UP_TO:
        return list(range(low, high + 1))
    return sorted({low + (high - low) * k // (SAMPLE_POINTS - 1) for k in range(SAMPLE_POINTS)})


def range_size(ports):
    """How many ports ``ports`` ("443" or "50000-59999") names."""
    text = str(ports).strip()
    if "-" not in text:
        return 1
    low, high = (int(p) for p in text.split("-", 1))
    return high - low + 1


def check_duration(value, variable="firewall_proof_duration"):
    """``value`` as int seconds within the bounds, else :class:`ProofError`."""
    try:
        seconds = int(value)
        if isinstance(value, bool) or str(value).strip() != str(seconds):
            raise ValueError
    except (TypeError, ValueError):
        seconds = None
    if seconds is None or not DURATION_MIN <= seconds <= DURATION_MAX:
        raise ProofError("%s is %r: give the seconds the listeners stay open, a whole number from %d to %d "
                         "(the listener process closes itself after it, even if the run dies)"
                         % (variable, value, DURATION_MIN, DURATION_MAX))
    return seconds


def check_timeout(value, variable="firewall_proof_probe_timeout_ms"):
    """``value`` as int milliseconds within 1 to 60,000, else :class:`ProofError`."""
    try:
        millis = int(value)
        if isinstance(value, bool) or str(value).strip() != str(millis):
            raise ValueError
    except (TypeError, ValueError):
        millis = None
    if millis is None or not PROBE_TIMEOUT_MIN <= millis <= PROBE_TIMEOUT_MAX:
        raise ProofError("%s is %r: give the milliseconds each probe call waits for all its targets together, a whole "
                         "number from %d to %d (60 seconds)" % (variable, value, PROBE_TIMEOUT_MIN, PROBE_TIMEOUT_MAX))
    return millis


def check_probe_hosts(frontend, external_probe, edge_servers, inventory_hosts=None):
    """Refuse a probe host that is not an inventory host outside the group edge_servers (:class:`ProofError`).

    :param edge_servers: the inventory names of the edge servers (every pool of the inventory).
    :param inventory_hosts: every inventory host (``groups['all']``); None - only the edge servers are checked.
    """
    edges = set(edge_servers)
    known = None if inventory_hosts is None else {str(h) for h in inventory_hosts}
    for variable, name, what in (
            ("sfb_edge_frontend_host", frontend, "the Front End that probes the internal rules (sfb_edge_frontend_host, "
             "else the first host of the group front_ends)"),
            ("firewall_proof_probe_host", external_probe, "the probe host outside the perimeter that probes the external "
             "rules (firewall_proof_probe_host, default the first host of the group edge_probes)")):
        if not name:
            continue
        if name in edges:
            raise ProofError("%s is %r, an edge server (group edge_servers): %s must be another inventory host - a probe "
                             "from an edge to its own pool crosses no firewall and proves nothing. Set %s to an "
                             "inventory host outside edge_servers" % (variable, name, what, variable))
        if known is not None and name not in known:
            raise ProofError("%s is %r, which is not a host of the inventory: %s must be an inventory host outside "
                             "edge_servers (not localhost, not a bare address). Add it to the inventory (the group %s) "
                             "and set %s to its inventory name" % (
                                 variable, name, what, "front_ends" if variable == "sfb_edge_frontend_host"
                                 else "edge_probes", variable))


def is_windows(connection):
    """Whether a probe host is Windows, from its connection variables (ansible_connection, ansible_shell_type)."""
    connection = connection or {}
    shell = str(connection.get("ansible_shell_type") or "").lower()
    return str(connection.get("ansible_connection") or "").lower() in WINDOWS_CONNECTIONS or shell in ("powershell", "cmd")


def own_addresses(state):
    """The IPv4 addresses of the gathered state's adapters (active ones; an address without ``active`` counts)."""
    found = set()
    for adapter in state.get("adapters") or []:
        for item in adapter.get("addresses") or []:
            if item.get("active", True) is not False:
                found.add(str(item.get("address")))
    return found


def _in_use(state):
    """{(protocol, port): [(address, process)]} of the gathered listeners."""
    used = {}
    for item in state.get("listeners") or []:
        used.setdefault((str(item.get("protocol")).upper(), int(item.get("port"))), []).append(
            (str(item.get("address")), item.get("process")))
    return used


def _installed_product(state):
    products = ((state.get("cs") or {}).get("products")) or []
    names = [str(p.get("name")) for p in products if isinstance(p, dict) and p.get("name")]
    return names[0] if names else None


def _endpoint(group, hplan, groups):
    """(own address to listen on, address to probe) for an edge destination group, or None."""
    internal = hplan["internal_nic"]["addresses"][0].split("/")[0]
    external = hplan["external_nic"]
    if group == "edge_internal":
        return internal, internal
    if group == "edge_internal_vip":
        return internal, groups[group]["members"][0]
    if group.startswith("edge_") and group[5:] in external.get("services", {}):
        service = group[5:]
        return external["services"][service], external.get("public", {}).get(service, external["services"][service])
    if group.startswith("vip_") and group[4:] in external.get("services", {}):
        return external["services"][group[4:]], groups[group]["members"][0]
    return None


def _behind(pool_plan):
    """``{group: {target: [(host, listen address)]}}``: for every edge destination group of the pool's inbound
    rules, the servers whose listener a probe to each target can reach (one server for its own or NAT address;
    every server of the pool for a VIP they share). One pass over the pool's servers per group."""
    groups = pool_plan["firewall"]["groups"]
    wanted = {r["destination"] for r in pool_plan["firewall"]["rules"] if r["direction"] == "inbound"}
    table = {}
    for name in sorted(pool_plan["hosts"]):
        hplan = pool_plan["hosts"][name]
        for group in wanted:
            endpoint = _endpoint(group, hplan, groups)
            if endpoint is not None:
                table.setdefault(group, {}).setdefault(endpoint[1], []).append((name, endpoint[0]))
    return table


def _key(protocol, address, port):
    return "%s %s:%d" % (protocol, address, port)


# ------------------------------------------------------------------------------------------- decide
def host_plan(pool_plan, host, state, frontend=None, external_probe=None, external_probe_windows=False, mode="live",
              behind=None):
    """What the proof does on ``host`` (an inventory hostname of ``pool_plan``).

    :param state: the host's gathered state (checked against the state schema by the caller).
    :param frontend: inventory name of the Front End that probes the internal rules, or None.
    :param external_probe: inventory name of the probe host outside the perimeter (group edge_probes), or None.
    :param external_probe_windows: the external probe host is Windows (TCP only, sfb.edge.tcp_probe).
    :param mode: live | check | snapshot.
    :param behind: :func:`_behind` of ``pool_plan`` (computed when None; :func:`plan_all` computes it once per pool).
    :returns: ``{host, pool, mode, probes {internal, external}, listeners [{protocol, address, port}],
        rules [...], refusals [text]}``. Each rule carries ``tests`` (the sampled address:ports with the
        listener, the probe target and ``behind`` - the listeners ``{host, address}`` a probe to the target can
        reach: this server's, or every pool server's for a shared VIP) and either ``probe`` (the probe host) or
        ``reason`` (why not tested).
    """
    if mode not in MODES:
        raise ProofError("mode is %r, expected one of %s" % (mode, ", ".join(MODES)))
    if host not in pool_plan["hosts"]:
        raise ProofError("host %s is not a server of the pool %s (servers: %s)"
                         % (host, pool_plan["pool"]["fqdn"], ", ".join(sorted(pool_plan["hosts"]))))
    hplan = pool_plan["hosts"][host]
    groups = pool_plan["firewall"]["groups"]
    behind = _behind(pool_plan) if behind is None else behind
    own = own_addresses(state)
    used = _in_use(state)
    listeners, refusals, rules, busy = {}, [], [], 0
    for number, rule in enumerate(pool_plan["firewall"]["rules"], 1):
        # the plan's own number (plan.md, firewall.csv, report.html); a plan written before 0.5.0 has none
        item = dict(rule, id=rule.get("id", number), tests=[], probe=None, reason=None, sampled=False)
        rules.append(item)
        if rule.get("management"):
            item["reason"] = ("management rule: the tool's own connection (WinRM, SSH) proves it when the run reaches "
                              "the host; a listener would collide with it")
            continue
        edge_group = rule["destination"] if rule["direction"] == "inbound" else rule["source"]
        endpoint = _endpoint(edge_group, hplan, groups)
        if rule["direction"] != "inbound" or endpoint is None:
            item["reason"] = ("outbound rule: a listener on the edge cannot prove it (test it from the edge to a "
                              "listener outside, e.g. PortQry)")
            continue
        ports = sample_ports(rule["ports"])
        item["sampled"] = len(ports) < range_size(rule["ports"])
        listen, target = endpoint
        reach = [{"host": h, "address": a} for h, a in behind.get(edge_group, {}).get(target, [(host, listen)])]
        for port in ports:
            item["tests"].append({"protocol": rule["protocol"], "listener": listen, "target": target, "port": port,
                                  "behind": reach})
            listeners[(rule["protocol"], listen, port)] = True
        if rule["firewall"] == "internal":
            if frontend:
                item["probe"] = frontend
            else:
                item["reason"] = ("no Front End to probe from (group front_ends or sfb_edge_frontend_host): "
                                  "internal rules are not tested")
        elif external_probe:
            item["probe"] = external_probe
        else:
            item["reason"] = "no probe host outside the perimeter (group edge_probes): external rules are not tested"
        if item["probe"] and rule["protocol"] == "UDP" and (item["probe"] == frontend or external_probe_windows):
            item["probe"] = None
            item["reason"] = ("UDP from a Windows probe host is not supported (sfb.edge.tcp_probe is TCP only): "
                              "add a Linux host to edge_probes for the UDP rules")
    for protocol, address, port in sorted(listeners, key=lambda k: (ipaddress.ip_address(k[1]), k[0], k[2])):
        if address not in own:
            refusals.append("host %s: %s - %s is not an address of this server (it has %s); the proof listens only on "
                            "the server's own addresses: converge the NICs first (playbooks/site.yml, role "
                            "sfb.edge.network) or fix sfb_edge_internal_nic / sfb_edge_external_nic"
                            % (host, _key(protocol, address, port), address, ", ".join(sorted(own)) or "none"))
            continue
        holders = [(a, p) for a, p in used.get((protocol, port), []) if a == address or a in WILDCARDS]
        if holders:
            busy += 1
            refusals.append("host %s: %s is already in use (listening: %s)"
                            % (host, _key(protocol, address, port),
                               ", ".join("%s:%d by %s" % (a, port, p or "unknown process") for a, p in holders)))
    if busy:
        product = _installed_product(state)
        refusals.append("host %s: %s" % (host, (
            "%s is installed - check an installed edge with playbooks/validate.yml; the firewall proof is for a "
            "server before the install" % product) if product else (
            "stop the programs holding these ports for the proof, or test those rules by hand (PortQry)")))
    if "listeners" not in state:
        refusals.append("host %s: the gathered state has no listeners, so the proof cannot show that the planned ports "
                        "are free; gather it with sfb.edge.edge_state (edge_facts reads them) or add 'listeners' to "
                        "the snapshot (docs/state-format.md)" % host)
    return {
        "host": host,
        "pool": pool_plan["pool"]["fqdn"],
        "mode": mode,
        "probes": {"internal": frontend or None, "external": external_probe or None,
                   "external_windows": bool(external_probe and external_probe_windows)},
        "listeners": [] if refusals else [
            {"protocol": p, "address": a, "port": n}
            for p, a, n in sorted(listeners, key=lambda k: (ipaddress.ip_address(k[1]), k[0], k[2]))],
        "rules": rules,
        "refusals": refusals,
    }


def plan_all(pool_plans, hosts, states, frontend=None, external_probe=None, external_probe_windows=False,
             mode="live", duration=300, probe_timeout_ms=3000, inventory_hosts=None):
    """:func:`host_plan` for each of ``hosts`` (``{pool: plan}``, ``{host: state}``): ``{duration, probe_timeout_ms,
    hosts {host: plan}, refusals [every host's], probes (:func:`probe_calls`)}``.

    Refuses (:class:`ProofError`) a duration or probe timeout out of bounds, and a Front End or probe host that
    is an edge server or (with ``inventory_hosts``, ``groups['all']``) not an inventory host."""
    duration = check_duration(duration)
    probe_timeout_ms = check_timeout(probe_timeout_ms)
    owner = {h: plan for plan in pool_plans.values() for h in plan["hosts"]}
    check_probe_hosts(frontend, external_probe, owner, inventory_hosts)
    behind = {}
    plans, refusals = {}, []
    for host in hosts:
        if host not in owner:
            raise ProofError("host %s is not an edge server of the inventory (pools: %s)"
                             % (host, ", ".join(sorted(pool_plans)) or "none"))
        if host not in states:
            raise ProofError("host %s: no gathered state (run the sfb.edge.edge_state role first)" % host)
        pool = owner[host]["pool"]["fqdn"]
        if pool not in behind:
            behind[pool] = _behind(owner[host])
        plans[host] = host_plan(owner[host], host, states[host], frontend, external_probe, external_probe_windows, mode,
                                behind=behind[pool])
        refusals.extend(plans[host]["refusals"])
    return {"duration": duration, "probe_timeout_ms": probe_timeout_ms, "hosts": plans, "refusals": refusals,
            "probes": probe_calls(plans.values())}


def from_inventory(inventory):
    """``{pool: plan}`` of the validated inventory (the output of sfb.edge.edge_inventory), computed by the
    plan itself (plan.build, without reading certificate files: the proof needs no certificate)."""
    from ansible_collections.sfb.edge.plugins.plugin_utils import _plan

    return _plan.build(inventory, read_certificates=False)


def probe_calls(plans, hosts=None):
    """``{probe host: [{protocol, host, port}]}``: every target of the rules each probe host tests, each once,
    sorted; only for the ``hosts`` given (those whose listeners opened), all when None."""
    calls = {}
    for plan in plans:
        if hosts is not None and plan["host"] not in hosts:
            continue
        for rule in plan["rules"]:
            if rule["probe"]:
                for test in rule["tests"]:
                    calls.setdefault(rule["probe"], set()).add((test["protocol"], test["target"], test["port"]))
    return {probe: [{"protocol": p, "host": h, "port": n}
                    for p, h, n in sorted(targets, key=lambda t: (ipaddress.ip_address(t[1]), t[0], t[2]))]
            for probe, targets in sorted(calls.items())}


# ------------------------------------------------------------------------------------------ verdict
def _results(probe_results):
    """{probe host: {(protocol, host, port): (answered, error)}} from ``{probe host: module result}`` (the
    result of sfb.edge.tcp_probe - TCP - or sfb.edge.port_probe); a failed call gives ``{'failed': msg}``."""
    table = {}
    for probe, result in (probe_results or {}).items():
        if not isinstance(result, dict):
            continue
        if result.get("skipped"):
            continue
        if result.get("failed"):
            table[probe] = str(result.get("msg") or "the probe task failed")
            continue
        entries = {}
        for item in result.get("results") or []:
            key = (str(item.get("protocol") or "TCP").upper(), str(item.get("host")), int(item.get("port")))
            entries[key] = (bool(item.get("open")), item.get("error"))
        table[probe] = entries
    return table


def _hit_table(received, host):
    """``{(host, protocol, address, port): hits}`` from ``received``: the ``received`` of
    sfb.edge.edge_port_listener (state=absent) of ``host`` (a list), or ``{host: that list}`` of every server."""
    per_host = received if isinstance(received, dict) else {host: received}
    table = {}
    for name, items in (per_host or {}).items():
        for item in items or []:
            if isinstance(item, dict):
                table[(str(name), str(item.get("protocol")), str(item.get("address")), int(item.get("port")))] = \
                    int(item.get("hits") or 0)
    return table


def verdict(rule, mode, results, hits=None, host=None):
    """(verdict, reason, tests with ``answered``/``error``/``hits``) of one planned rule (see :func:`host_plan`).

    :param hits: :func:`_hit_table` - what each listener counted. A target that answered is proven only by a hit
        on a listener behind it (``behind``: this server's, or any pool server's for a VIP they share); an
        answer without one is :data:`ANSWERED_BY_OTHER`.
    :param host: the server of the rule (its listener when a test names no ``behind``).
    """
    hits = hits or {}
    tests = [dict(t, answered=None, error=None, hits=None) for t in rule["tests"]]
    for test in tests:
        test.setdefault("behind", [{"host": host, "address": test["listener"]}])
    if not rule["probe"]:
        return "not tested", rule["reason"], tests
    if mode == "snapshot":
        return "not tested", "snapshot run: no host was contacted (a live run probes it from %s)" % rule["probe"], tests
    if mode == "check":
        return "would test", "check mode: nothing was opened; a live run probes it from %s" % rule["probe"], tests
    got = results.get(rule["probe"])
    if got is None:
        return "not tested", "the probe from %s did not run" % rule["probe"], tests
    if isinstance(got, str):
        return "not tested", "the probe from %s failed: %s" % (rule["probe"], got), tests
    missing = False
    for test in tests:
        found = got.get((test["protocol"], test["target"], test["port"]))
        if found is None:
            missing = True
        else:
            test["answered"], test["error"] = found
        counted = [hits[key] for key in ((b["host"], test["protocol"], b["address"], test["port"]) for b in test["behind"])
                   if key in hits]
        test["hits"] = sum(counted) if counted else None
    if any(t["answered"] is False for t in tests):
        bad = ["%s:%d" % (t["target"], t["port"]) for t in tests if t["answered"] is False]
        return "blocked", "no answer from %s (probed from %s)" % (", ".join(bad), rule["probe"]), tests
    if missing:
        return "not tested", "the probe from %s returned no result for some targets" % rule["probe"], tests
    unseen = [t for t in tests if not t["hits"]]
    if unseen:
        return ANSWERED_BY_OTHER, (
            "%s answered but no listener behind %s counted a connection (%s): something else on the path (a firewall, "
            "NAT device, load balancer or proxy) answered for the address, so the rule is not proven (probed from %s)"
            % (", ".join("%s:%d" % (t["target"], t["port"]) for t in unseen), "it" if len(unseen) == 1 else "them",
               "; ".join(_listeners_text(t) for t in unseen), rule["probe"])), tests
    return "open", ("every tested address:port answered and a listener behind it counted the connection (probed "
                    "from %s)" % rule["probe"]), tests


def _listeners_text(test):
    return ", ".join("%s%s:%d" % ("%s " % b["host"] if b.get("host") else "", b["address"], test["port"])
                     for b in test["behind"]) + (" - 0 hits" if test["hits"] == 0 else " - no hit count returned")


def report(plan, probe_results=None, opened=None, received=None, source=None, duration=None):
    """The proof report of one host: ``{format, host, pool, mode, source, duration, probes, sampling,
    listeners, opened, summary {verdict: count}, rules [...]}``; one verdict per rule.

    :param probe_results: ``{probe host: registered result of its probe task}``.
    :param opened: what sfb.edge.edge_port_listener opened; ``received``: what it counted (state=absent),
        shown per listener as ``hits`` (a UDP datagram that arrived but whose answer got lost shows here) -
        this host's list, or ``{host: list}`` of every server of the play (a probe to a VIP the pool's servers
        share may land on any of them: a hit on any listener behind the VIP proves it).
    """
    results = _results(probe_results)
    table = _hit_table(received, plan["host"])
    hits = {(p, a, n): c for (h, p, a, n), c in table.items() if h == plan["host"]}
    rows = []
    for rule in plan["rules"]:
        result, reason, tests = verdict(rule, plan["mode"], results, table, plan["host"])
        row = {k: rule[k] for k in ("id", "firewall", "direction", "source", "destination", "protocol", "ports",
                                    "service", "note", "sampled")}
        row.update(verdict=result, probe=rule["probe"] if result in ("open", "blocked", ANSWERED_BY_OTHER, "would test")
                   else None, reason=reason, tests=tests)
        rows.append(row)
    summary = {v: sum(1 for r in rows if r["verdict"] == v) for v in VERDICTS}
    return {
        "format": PROOF_FORMAT,
        "host": plan["host"],
        "pool": plan["pool"],
        "mode": plan["mode"],
        "source": source,
        "duration": duration,
        "probes": plan["probes"],
        "sampling": SAMPLING_NOTE,
        "listeners": [dict(l, hits=hits.get((l["protocol"], l["address"], l["port"]))) for l in plan["listeners"]],
        "opened": list(opened) if opened is not None else [],
        "summary": summary,
        "rules": rows,
    }


def _answer_text(test):
    if test["answered"] is False:
        return " no answer"
    if test["answered"] is True:
        return " ok" if test.get("hits") else " answered, no listener hit"
    return ""


def markdown(rep):
    """The report as Markdown lines (title, what ran, the rule table, the sampling note)."""
    probes = rep["probes"]
    lines = [
        "# Firewall proof: %s (%s)" % (rep["host"], rep["pool"]),
        "",
        "- mode: %s%s%s" % (rep["mode"], " (%s)" % rep["source"] if rep.get("source") else "",
                            ", made %s" % rep["made"]["at"] if isinstance(rep.get("made"), dict) else ""),
        "- internal rules probed from: %s" % (probes["internal"] or "no Front End (not tested)"),
        "- external rules probed from: %s" % (probes["external"] or "no probe host in edge_probes (not tested)"),
        "- temporary listeners: %d%s" % (len(rep["listeners"]), ", open for %s s at most" % rep["duration"]
                                         if rep.get("duration") else ""),
        "- summary: %s" % ", ".join("%d %s" % (rep["summary"][v], v) for v in VERDICTS if rep["summary"][v]),
        "",
        "| # | firewall | direction | source | destination | protocol | ports | verdict | probe | tested | why |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rep["rules"]:
        tested = ", ".join("%s:%d%s" % (t["target"], t["port"], _answer_text(t)) for t in row["tests"]) or "-"
        lines.append("| %d | %s | %s | %s | %s | %s | %s%s | **%s** | %s | %s | %s |" % (
            row["id"], row["firewall"], row["direction"], row["source"], row["destination"], row["protocol"],
            row["ports"], " (sampled)" if row["sampled"] else "", row["verdict"], row["probe"] or "-", tested,
            str(row["reason"]).replace("|", "/")))
    lines += ["", "Sampling: %s." % rep["sampling"], "",
              "Listeners (on this server's own addresses; the probes go to the public, NAT or VIP address the rule names):", ""]
    lines += ["- %s %s:%d%s" % (l["protocol"], l["address"], l["port"], "" if l.get("hits") is None else
                                " (%d received)" % l["hits"]) for l in rep["listeners"]] or ["- none"]
    return lines
