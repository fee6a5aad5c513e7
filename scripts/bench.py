# -*- coding: utf-8 -*-
"""Benchmark of sfb.edge on generated inventories (issue 10, item 6): ``make bench``.

For each size it generates (in a temporary directory) a valid inventory, converged and fresh
snapshots derived from the shipped tests/snapshots/converged and tests/snapshots/fresh (with the
generated routes, hosts entries and addresses), checks with drift.yml that the converged snapshot
really is converged, and measures:

* the wall time of plan.yml, site.yml (snapshot mode, converged) and drift.yml (converged), as a
  ratio to an empty play on the same inventory measured in the same run: --runs rounds of empty
  play, plan, site, drift; the median over the rounds of each run's time over its round's empty
  play (a run that exceeds --timeout is recorded as "timeout" and not repeated);
* remote calls per host of site.yml on the converged and on the fresh snapshots, counted from the
  tasks that reached each host (callback tests/integration/callbacks/task_log.py): a state gathering
  (in snapshot mode: the task that reads the snapshot instead), the calls each sfb.edge.edge_apply
  reports, the reconnect wait when a connection change went through, and any other task that ran on
  the host without being delegated and is not controller-only;
* the sfb.edge.routes filter at 1k/10k/100k networks, default and summarise modes (each timing in a
  child process with the same timeout).

It prints a table and writes JSON (--json, default .cache/bench.json).  It uses only the public
playbooks and filters, so it keeps working while their internals change.

    .venv/bin/python scripts/bench.py                 # all sizes, 5 runs (make bench)
    .venv/bin/python scripts/bench.py --quick         # 1x2 and 12x2000, 1 run, routes to 10k
    BENCH_RUNS=3 BENCH_SIZES=1x2,12x2000 make bench   # environment overrides
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SNAPSHOTS = os.path.join(ROOT, "tests", "snapshots")
CALLBACKS = os.path.join(ROOT, "tests", "integration", "callbacks")
COLLECTIONS = os.path.join(ROOT, ".cache", "collections")
BIN = os.path.dirname(sys.executable)

# name: (servers, pools, internal networks per pool, hosts entries per pool)
SIZES = {
    "1x2": (1, 1, 2, 2),
    "12x2000": (12, 1, 2000, 6),
    "12x5000": (12, 1, 5000, 500),
    "50x5pools": (50, 5, 500, 50),
}
QUICK_SIZES = ("1x2", "12x2000")
ROUTES_SIZES = (1000, 10000, 100000)
QUICK_ROUTES_SIZES = (1000, 10000)
ROUTES_INPUTS = ("disjoint", "mixed")
PLAYBOOKS = ("plan", "site", "drift")
# Tasks of an edge host that never reach it, whatever they are called.
CONTROLLER_ONLY = {"ansible.builtin.validate_argument_spec", "ansible.builtin.set_fact", "ansible.builtin.debug",
                   "ansible.builtin.include_role", "ansible.builtin.import_role", "ansible.builtin.include_tasks",
                   "ansible.builtin.assert", "ansible.builtin.fail", "ansible.builtin.meta", "ansible.builtin.set_stats",
                   "sfb.edge.edge_apply", "sfb.edge.report_files",
                   # read the state on the host only when the log says so (gathering: state_read live/snapshot)
                   "sfb.edge.host_state", "sfb.edge.host_drift", "sfb.edge.host_validation",
                   "sfb.edge.plan_validation", "sfb.edge.plan_files"}
GATHERING = "sfb.edge.edge_facts"
EMPTY_PLAY = "- name: Empty play\n  hosts: all\n  gather_facts: false\n  tasks: []\n"


# ----------------------------------------------------------------------------------- inventories
def _ip(base, offset):
    parts = [int(p) for p in base.split(".")]
    value = (parts[0] << 24 | parts[1] << 16 | parts[2] << 8 | parts[3]) + offset
    return ".".join(str(value >> s & 255) for s in (24, 16, 8, 0))


def internal_networks(count, pool):
    """``count`` distinct, non-adjacent /24 networks in 10.0.0.0/8 (none covers or touches another, so
    the inventory has no overlap warning), different per pool; the first holds the hosts entries."""
    start = pool * 4 * count
    return ["%s/24" % _ip("10.0.0.0", (start + 2 * k) * 256) for k in range(count)]


def hosts_entries(count, pool, networks):
    """Hosts entries (the next hop first), on addresses of the first networks of the pool."""
    entries = []
    for k in range(count):
        net = networks[k // 200].split("/")[0]
        name = "dirpool" if k == 0 else "srv%04d" % k
        entries.append({"ip": _ip(net, k % 200 + 10), "names": ["%s.p%d.corp.example.com" % (name, pool)]})
    return entries


def generate(servers, pools, networks, hosts):
    """``(inventory, layout)``: the YAML inventory as data and, per host, what its snapshots need."""
    edge_vars = yaml.safe_load(open(os.path.join(ROOT, "inventories", "example", "group_vars", "edge_servers", "main.yml"),
                                    encoding="utf-8"))
    children, layout = {}, {}
    per_pool = -(-servers // pools)
    index = 0
    for p in range(pools):
        nets = internal_networks(networks, p)
        entries = hosts_entries(hosts, p, nets)
        members = list(range(index, min(servers, index + per_pool)))
        index += len(members)
        dmz = "172.16.%d." % (10 + p)
        base = 10 + 40 * p
        suffix = "corp.example.com"
        pool_vars = {
            "sfb_edge_pool_fqdn": "edgepool%d.%s" % (p, suffix) if len(members) > 1 else "edge%02d.%s" % (members[0] + 1, suffix),
            "sfb_edge_version": "sfb2019",
            "sfb_edge_load_balancing": "hlb" if len(members) > 1 else "none",
            "sfb_edge_dns_suffix": suffix,
            "sfb_edge_sip_domains": ["example%d.com" % p],
            "sfb_edge_external_fqdns": {"access": "sip.example%d.com" % p, "webconf": "webconf.example%d.com" % p,
                                        "av": "av.example%d.com" % p},
            "sfb_edge_external_gateway": "192.0.2.1",
            "sfb_edge_external_dns_servers": ["198.51.100.53", "198.51.100.54"],
            "sfb_edge_internal_gateway": dmz + "1",
            "sfb_edge_internal_networks": nets,
            "sfb_edge_routes_purge": True,
            "sfb_edge_controller_addresses": ["10.10.5.0/28"],  # the management rules (no warning)
            "sfb_edge_next_hop_fqdn": entries[0]["names"][0],
            "sfb_edge_internal_hosts": entries,
            "sfb_edge_media_path": "D:\\",
        }
        if len(members) > 1:
            pool_vars["sfb_edge_hlb_vips"] = {"internal": dmz + "10", "access": "192.0.2.%d" % base,
                                              "webconf": "192.0.2.%d" % (base + 1), "av": "192.0.2.%d" % (base + 2)}
        hosts_map = {}
        for s, i in enumerate(members):
            name = "edge%02d" % (i + 1)
            ext = ["192.0.2.%d" % (base + 3 + 3 * s + k) for k in range(3)]
            mac = "00-15-5D-%02X-%02X-" % (p, s)
            hosts_map[name] = {
                "ansible_host": dmz + str(11 + s),
                "sfb_edge_internal_nic": {"name": "Internal", "mac": mac + "04", "address": dmz + "%d/24" % (11 + s)},
                "sfb_edge_external_nic": {"name": "External", "mac": mac + "05", "addresses": {
                    "access": ext[0] + "/24", "webconf": ext[1] + "/24", "av": ext[2] + "/24"}},
            }
            layout[name] = {"pool": p, "index": s, "fqdn": "%s.%s" % (name, suffix), "suffix": suffix,
                            "internal": dmz + str(11 + s), "dhcp": dmz + str(100 + s), "external": ext, "mac": mac,
                            "gateway": dmz + "1", "networks": nets, "entries": entries,
                            "pool_members": ["edge%02d.%s" % (m + 1, suffix) for m in members]}
        children["edge_pool_%d" % p] = {"vars": pool_vars, "hosts": hosts_map}
    inventory = {"all": {"children": {
        "edge_servers": {"vars": edge_vars, "children": children},
        # an address in the first pool's first internal network: the management rules know where WinRM goes
        "front_ends": {"hosts": {"fe01": {"ansible_host": "10.0.0.5"}}},
    }}}
    return inventory, layout


def _routes_filter():
    if COLLECTIONS not in sys.path:
        sys.path.insert(0, COLLECTIONS)
    from ansible_collections.sfb.edge.plugins.filter.routes import FilterModule  # pylint: disable=import-outside-toplevel

    return FilterModule().filters()["routes"]


def converged_snapshot(template, host, info):
    """The shipped converged snapshot of edge01, made converged for ``host`` of the generated inventory."""
    snap = copy.deepcopy(template)
    short = host.upper()
    comp = snap["computer"]
    comp["hostname"] = comp["pending_hostname"] = short
    comp["dns_suffix"] = info["suffix"]
    comp["user"]["name"] = "%s\\Administrator" % short
    internal, external = snap["adapters"]
    internal["mac"], external["mac"] = info["mac"] + "04", info["mac"] + "05"
    internal["addresses"][0]["address"] = info["internal"]
    for address, ip in zip(external["addresses"], info["external"]):
        address["address"] = ip
    routes = _routes_filter()(info["networks"], nic_address=info["internal"] + "/24", gateway=info["gateway"],
                              interface="Internal")
    route = snap["routes"][0]
    snap["routes"] = [dict(route, destination=r["destination"], gateway=r["gateway"]) for r in routes]
    content = snap["hosts_file"]["content"]
    head = content[:content.index("# BEGIN sfb.edge managed entries")]
    block = ["# BEGIN sfb.edge managed entries"] + ["%s %s" % (e["ip"], " ".join(e["names"])) for e in info["entries"]]
    snap["hosts_file"]["content"] = head + "\r\n".join(block + ["# END sfb.edge managed entries", ""])
    for conn in snap["connection"]:
        conn["local_address"] = info["internal"]
    old = {"172.16.10.11": info["internal"], "192.0.2.21": info["external"][0], "192.0.2.22": info["external"][1],
           "192.0.2.23": info["external"][2]}
    for listener in snap["listeners"]:
        listener["address"] = old.get(listener["address"], listener["address"])
    snap["cs"]["topology"]["machines"] = sorted(set(snap["cs"]["topology"]["machines"]) - {
        "edge01.corp.example.com", "edge02.corp.example.com"} | set(info["pool_members"]))
    snap["replication"]["fqdn"] = info["fqdn"]
    return snap


def fresh_snapshot(template, info):
    """The shipped fresh snapshot of edge01, with the host's MACs and DHCP address."""
    snap = copy.deepcopy(template)
    internal, external = snap["adapters"]
    internal["mac"], external["mac"] = info["mac"] + "04", info["mac"] + "05"
    internal["addresses"][0]["address"] = info["dhcp"]
    internal["gateways"] = [info["gateway"]]
    internal["default_routes"][0]["next_hop"] = info["gateway"]
    for conn in snap["connection"]:
        conn["local_address"] = info["dhcp"]
    return snap


def write_case(directory, servers, pools, networks, hosts):
    inventory, layout = generate(servers, pools, networks, hosts)
    os.makedirs(os.path.join(directory, "inventory"))
    with open(os.path.join(directory, "inventory", "hosts.yml"), "w", encoding="utf-8") as handle:
        yaml.safe_dump(inventory, handle, default_flow_style=False, sort_keys=False)
    with open(os.path.join(directory, "empty.yml"), "w", encoding="utf-8") as handle:
        handle.write(EMPTY_PLAY)
    for scenario in ("converged", "fresh"):
        with open(os.path.join(SNAPSHOTS, scenario, "edge01.json"), encoding="utf-8") as handle:
            template = json.load(handle)
        os.makedirs(os.path.join(directory, scenario))
        for host, info in layout.items():
            snap = converged_snapshot(template, host, info) if scenario == "converged" else fresh_snapshot(template, info)
            with open(os.path.join(directory, scenario, host + ".json"), "w", encoding="utf-8") as handle:
                json.dump(snap, handle)
    return sorted(layout)


# ----------------------------------------------------------------------------------- playbooks
def ansible_env(log=None):
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_HOME=os.path.join(ROOT, ".cache", "ansible-home"),
               ANSIBLE_LOCAL_TEMP=os.path.join(ROOT, ".cache", "ansible-tmp"), PY_COLORS="0",
               PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    for key in ("ANSIBLE_CALLBACK_PLUGINS", "ANSIBLE_CALLBACKS_ENABLED", "SFB_EDGE_TASK_LOG"):
        env.pop(key, None)
    if log:
        env.update(ANSIBLE_CALLBACK_PLUGINS=CALLBACKS, ANSIBLE_CALLBACKS_ENABLED="task_log", SFB_EDGE_TASK_LOG=log)
    return env


def playbook_args(directory, name, scenario="converged"):
    book = os.path.join(directory, "empty.yml") if name == "empty" else os.path.join(ROOT, "playbooks", name + ".yml")
    args = [os.path.join(BIN, "ansible-playbook"), book, "-i", os.path.join(directory, "inventory"),
            "-e", "sfb_edge_plan_dir=%s" % os.path.join(directory, "plan")]
    if name in ("site", "drift"):
        args += ["-e", "sfb_edge_facts_from=%s" % os.path.join(directory, scenario)]
    if scenario == "fresh":
        # identity_reboot: the fresh box gets a new name, and the install waits for its reboot without it
        args += ["-e", "sfb_edge_allow_connection_change=true", "-e", "identity_reboot=true"]
    return args


def run_playbook(directory, name, timeout, scenario="converged", extra=(), log=None):
    """``(seconds or None on timeout, CompletedProcess or None)``."""
    return timed(playbook_args(directory, name, scenario) + list(extra), timeout, env=ansible_env(log))


def timed(args, timeout, env=None):
    """``(seconds or None on timeout, CompletedProcess or None)`` of ``args`` run in a new session: on
    timeout the whole process group is killed (ansible-playbook puts itself in its own process group
    and ignores SIGTERM while its workers run, so killing only the child would leave them running)."""
    start, cpu = time.monotonic(), _children_cpu()
    with subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          start_new_session=True) as proc:
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(proc)
            return None, None
    done = subprocess.CompletedProcess(args, proc.returncode, stdout, stderr)
    done.cpu_seconds = _children_cpu() - cpu
    return time.monotonic() - start, done


def _children_cpu():
    """User + system CPU seconds of the waited-for child processes (and theirs) so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def kill_group(proc):
    """SIGKILL ``proc`` and every process under it.  Ansible's workers start a session of their own
    (they detach from the terminal), so the process group is not enough: the tree is read from /proc
    first, then the parent and its group are killed, then the workers."""
    tree = _descendants(proc.pid)
    for pgid in {proc.pid, _pgid(proc.pid)} - {None}:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    for pid in tree:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    proc.kill()
    proc.communicate()


def _descendants(root):
    """Process ids under ``root`` (Linux /proc; an empty list elsewhere)."""
    children = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return []
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name, encoding="utf-8", errors="replace") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _pgid(pid):
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def _failure(name, proc):
    return RuntimeError("%s.yml failed (exit %d):\n%s\n%s" % (name, proc.returncode, proc.stdout[-3000:], proc.stderr[-2000:]))


def remote_calls(entries, hosts):
    """Calls a live run would make on each host, from the task_log entries of a snapshot-mode run:
    ``{host: {"total", "gatherings", "applied", "other", "reached": [task names]}}``."""
    calls = {h: {"total": 0, "gatherings": 0, "applied": 0, "other": 0, "reached": []} for h in hosts}
    for e in entries:
        count = calls.get(e["host"])
        if count is None or e["status"] == "skipped" or e.get("delegate_to"):
            continue
        if e.get("gathering") or e["action"] == GATHERING:
            count["gatherings"] += 1
            count["reached"].append(e["task"])
        elif e["action"] == "sfb.edge.edge_apply":
            # the calls it made (planned), and the reconnect wait after a connection change
            count["applied"] += (e.get("remote_calls") or 0) + (1 if e.get("blocked") else 0)
        elif e["action"] not in CONTROLLER_ONLY:
            count["other"] += 1
            count["reached"].append(e["task"])
    for count in calls.values():
        count["total"] = count["gatherings"] + count["applied"] + count["other"]
    return calls


def count_calls(directory, hosts, scenario, timeout):
    log = os.path.join(directory, "log-%s.jsonl" % scenario)
    if os.path.exists(log):
        os.remove(log)
    seconds, proc = run_playbook(directory, "site", timeout, scenario=scenario, log=log)
    if seconds is None:
        return "timeout"
    if proc.returncode != 0:
        raise _failure("site", proc)
    with open(log, encoding="utf-8") as handle:
        entries = [json.loads(line) for line in handle]
    calls = remote_calls(entries, hosts)
    values = sorted(c["total"] for c in calls.values())
    return {"per_host": {h: c["total"] for h, c in calls.items()}, "min": values[0], "max": values[-1],
            "detail": calls, "changed_tasks": sum(1 for e in entries if e.get("changed") and e["host"] in calls)}


def measure_size(name, spec, runs, timeout, keep=None):
    servers, pools, networks, hosts = spec
    result = {"servers": servers, "pools": pools, "networks": networks, "hosts_entries": hosts, "runs": runs}
    directory = tempfile.mkdtemp(prefix="sfb-edge-bench-%s-" % name, dir=keep)
    names = write_case(directory, servers, pools, networks, hosts)
    result["directory"] = directory
    times = {book: [] for book in ("empty",) + PLAYBOOKS}
    cpu = {book: [] for book in ("empty",) + PLAYBOOKS}
    for _run in range(runs):
        for book in ("empty",) + PLAYBOOKS:
            if times[book] and times[book][-1] is None:
                continue  # timed out once: not again
            # drift.yml fails on any drift: every timed run also checks that the generated converged
            # snapshot really is converged for the generated inventory
            extra = ("-e", "sfb_edge_fail_on_drift=true") if book == "drift" else ()
            seconds, proc = run_playbook(directory, book, timeout, extra=extra)
            if proc is not None and proc.returncode != 0:
                if book == "drift":
                    raise RuntimeError("the generated converged snapshot of %s is not converged (or drift.yml failed):\n%s"
                                       % (name, proc.stdout[-4000:]))
                raise _failure(book, proc)
            times[book].append(seconds)
            if proc is not None:
                cpu[book].append(proc.cpu_seconds)
    result["converged_verified"] = "timeout" if None in times["drift"] else True
    empty = statistics.median(times["empty"])
    result["empty_seconds"] = round(empty, 3)
    result["empty_samples"] = [round(t, 3) for t in times["empty"]]
    result["empty_cpu_seconds"] = round(statistics.median(cpu["empty"]), 3)
    for book in PLAYBOOKS:
        if None in times[book]:
            result[book] = {"seconds": "timeout", "ratio": "timeout", "timeout": timeout}
        else:
            # each run's time over the empty play of the same round (measured right before it, so
            # both see the same machine load), then the median of those ratios
            ratios = [t / e for t, e in zip(times[book], times["empty"])]
            result[book] = {"seconds": round(statistics.median(times[book]), 3), "ratio": round(statistics.median(ratios), 2),
                            "samples": [round(t, 3) for t in times[book]],
                            # CPU time (user + system, Ansible's workers included) over the empty
                            # play's: much less sensitive to other load on a shared machine
                            "cpu_seconds": round(statistics.median(cpu[book]), 3),
                            "cpu_ratio": round(statistics.median(cpu[book]) / statistics.median(cpu["empty"]), 2)}
    plan = os.path.join(directory, "plan")
    findings = None
    for pool in (os.listdir(plan) if os.path.isdir(plan) else []):
        path = os.path.join(plan, pool, "plan.json")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                findings = (findings or 0) + len(json.load(handle).get("findings") or [])
    result["plan_findings"] = findings
    if result["site"]["seconds"] == "timeout":
        result["calls"] = {scenario: "not run: site.yml timed out" for scenario in ("converged", "fresh")}
    else:
        result["calls"] = {scenario: count_calls(directory, names, scenario, timeout) for scenario in ("converged", "fresh")}
    if keep is None:
        shutil.rmtree(directory, ignore_errors=True)
        del result["directory"]
    return result


# ----------------------------------------------------------------------------------- routes filter
def routes_networks(count, kind, seed=10):
    """``count`` networks in 10.0.0.0/8, the same on every run.

    ``disjoint``: /26 networks none of which covers or touches another (the worst case for a
    pairwise comparison, and what an inventory of many branch networks looks like); ``mixed``: a
    pseudo-random mix of /24, /26 and /20 networks, some adjacent (summarisable), some covered by
    another entry, some duplicated.
    """
    if kind == "disjoint":
        return ["%s/26" % _ip("10.0.0.0", 2 * k * 64) for k in range(count)]
    rng = random.Random(seed + count)
    nets = []
    for _k in range(count):
        block = rng.randrange(1 << 18)  # a /26 number in 10/8
        pick = rng.random()
        if pick < 0.5:
            nets.append("%s/24" % _ip("10.0.0.0", (block >> 2) * 256))
        elif pick < 0.9:
            nets.append("%s/26" % _ip("10.0.0.0", block * 64))
        else:
            nets.append("%s/20" % _ip("10.0.0.0", (block >> 6) * 4096))
    return nets


def routes_child(count, kind, summarize):
    """Run in a child process: time one call of the routes filter, print JSON."""
    nets = routes_networks(count, kind)
    routes = _routes_filter()
    start = time.perf_counter()
    out = routes(nets, nic_address="172.16.10.11/24", gateway="172.16.10.1", interface="Internal", summarize=summarize)
    print(json.dumps({"seconds": time.perf_counter() - start, "routes": len(out)}))


def measure_routes(counts, timeout, kinds=ROUTES_INPUTS):
    """``{"<count>/<mode>/<input>": {networks, mode, input, seconds or "timeout", routes}}``; once a
    call times out, the larger counts of the same mode and input are not tried."""
    results = {}
    gave_up = set()
    for count in sorted(counts):
        for kind in kinds:
            for mode in ("default", "summarize"):
                key = "%d/%s/%s" % (count, mode, kind)
                entry = {"networks": count, "mode": mode, "input": kind}
                if (mode, kind) in gave_up:
                    results[key] = dict(entry, seconds="timeout", timeout=timeout, note="not run: a smaller count timed out")
                    continue
                args = [sys.executable, os.path.abspath(__file__), "--routes-child", str(count), "--routes-input", kind]
                if mode == "summarize":
                    args.append("--summarize")
                seconds, proc = timed(args, timeout)
                if seconds is None:
                    results[key] = dict(entry, seconds="timeout", timeout=timeout)
                    gave_up.add((mode, kind))
                    continue
                if proc.returncode != 0:
                    raise RuntimeError("routes filter failed at %d networks: %s" % (count, proc.stderr[-2000:]))
                data = json.loads(proc.stdout.strip().splitlines()[-1])
                results[key] = dict(entry, seconds=round(data["seconds"], 4), routes=data["routes"])
    return results


# ----------------------------------------------------------------------------------- output
def machine():
    mem = None
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    mem = "%.1f GiB" % (int(line.split()[1]) / 1024 / 1024)
    except OSError:
        pass
    proc = subprocess.run([os.path.join(BIN, "ansible-playbook"), "--version"], capture_output=True, text=True,
                          check=False, env=ansible_env())
    core = proc.stdout.splitlines()[0] if proc.stdout else "?"
    return {"nproc": os.cpu_count(), "memory": mem, "python": platform.python_version(),
            "ansible_core": core.rsplit("[core ", maxsplit=1)[-1].rstrip("]") if "[core " in core else core,
            "platform": platform.platform(), "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None}


def _fmt(value, suffix=""):
    return value if isinstance(value, str) else ("%.2f%s" % (value, suffix))


def _calls(value):
    if not isinstance(value, dict):
        return "-" if value.startswith("not run") else str(value)
    return str(value["min"]) if value["min"] == value["max"] else "%d-%d" % (value["min"], value["max"])


def table(report):
    lines = ["wall time / empty play's (median wall time, CPU time / empty play's); remote calls per host of site.yml",
             "size         empty s  %-29s %-29s %-29s calls conv/fresh  converged" % PLAYBOOKS]
    for name, res in report["sizes"].items():
        cols = []
        for book in PLAYBOOKS:
            cell = res[book]
            cols.append("timeout" if cell["ratio"] == "timeout" else "%sx (%ss, cpu %sx)" % (
                _fmt(cell["ratio"]), _fmt(cell["seconds"]), _fmt(cell.get("cpu_ratio", "?"))))
        lines.append("%-12s %7.2f  %-29s %-29s %-29s %-17s %s" % (
            name, res["empty_seconds"], cols[0], cols[1], cols[2],
            "%s / %s" % (_calls(res["calls"]["converged"]), _calls(res["calls"]["fresh"])), res["converged_verified"]))
    if report.get("routes"):
        lines.append("")
        lines.append("sfb.edge.routes  networks  input     default          summarize")
        rows = sorted({(v["networks"], v["input"]) for v in report["routes"].values()})
        for count, kind in rows:
            cells = [report["routes"]["%d/%s/%s" % (count, m, kind)]["seconds"] for m in ("default", "summarize")]
            lines.append("                 %8d  %-9s %-16s %s" % (count, kind, *(
                "timeout" if c == "timeout" else "%.4f s" % c for c in cells)))
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--quick", action="store_true", help="sizes %s, 1 run, routes up to 10k" % ",".join(QUICK_SIZES))
    parser.add_argument("--runs", type=int, default=None, help="runs per playbook (median; default 5, env BENCH_RUNS)")
    parser.add_argument("--sizes", default=None, help="comma-separated subset of %s (env BENCH_SIZES)" % ",".join(SIZES))
    parser.add_argument("--routes", default=None, help="comma-separated network counts for the routes filter, "
                        "'none' to skip (env BENCH_ROUTES; default 1000,10000,100000)")
    parser.add_argument("--timeout", type=float, default=None, help="seconds per playbook run or filter call "
                        "(env BENCH_TIMEOUT, default 600)")
    parser.add_argument("--json", default=None, help="where to write the JSON report (default .cache/bench.json)")
    parser.add_argument("--keep", default=None, help="create the generated cases under this directory and keep them")
    parser.add_argument("--routes-child", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--routes-input", default="disjoint", choices=ROUTES_INPUTS, help=argparse.SUPPRESS)
    parser.add_argument("--summarize", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.routes_child is not None:
        routes_child(args.routes_child, args.routes_input, args.summarize)
        return 0
    runs = args.runs or int(os.environ.get("BENCH_RUNS") or (1 if args.quick else 5))
    sizes = (args.sizes or os.environ.get("BENCH_SIZES") or (",".join(QUICK_SIZES) if args.quick else ",".join(SIZES))).split(",")
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error("unknown size(s) %s; known: %s" % (", ".join(unknown), ", ".join(SIZES)))
    routes_arg = args.routes or os.environ.get("BENCH_ROUTES") or ",".join(
        str(c) for c in (QUICK_ROUTES_SIZES if args.quick else ROUTES_SIZES))
    route_counts = [] if routes_arg == "none" else [int(c) for c in routes_arg.split(",")]
    timeout = args.timeout or float(os.environ.get("BENCH_TIMEOUT") or 600)
    out = args.json or os.path.join(ROOT, ".cache", "bench.json")
    report = {"format": 1, "machine": machine(), "runs": runs, "timeout": timeout, "sizes": {}, "routes": {}}
    started = time.monotonic()
    for name in sizes:
        print("== %s (%d server(s) in %d pool(s), %d networks, %d hosts entries per pool), %d run(s)" % (
            (name,) + SIZES[name] + (runs,)), flush=True)
        report["sizes"][name] = measure_size(name, SIZES[name], runs, timeout, keep=args.keep)
    if route_counts:
        print("== sfb.edge.routes at %s networks" % ", ".join(str(c) for c in route_counts), flush=True)
        report["routes"] = measure_routes(route_counts, timeout)
    report["total_seconds"] = round(time.monotonic() - started, 1)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=2)
    print()
    print(table(report))
    print()
    print("machine: %(nproc)s CPU, %(memory)s, Python %(python)s, ansible-core %(ansible_core)s" % report["machine"])
    print("JSON: %s" % out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
