# -*- coding: utf-8 -*-
"""The simulated Windows host (tests/simhost, issue 21): decoding ansible-core's exec wrapper payload,
the classification of execs, and module results with the keys the modules document."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml
from ansible.release import __version__ as ANSIBLE_VERSION

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "simhost"))

import payload  # noqa: E402  pylint: disable=wrong-import-position
import simhost  # noqa: E402  pylint: disable=wrong-import-position

# Builds, with the running ansible-core, the payload a task with become (runas as edgeadmin, logon flags),
# async (timeout 300) in check and diff mode sends for sfb.edge.edge_network, and prints the command line
# and the payload (JSON on stdout).
BUILD = r"""
import base64, json, sys
from ansible.executor.powershell import module_manifest
from ansible.plugins.loader import become_loader, shell_loader
from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder
_AnsibleCollectionFinder(paths=[sys.argv[1]])._install()  # the module's collection (its signed hash list)
become = become_loader.get("runas")
become.set_options(direct={"become_user": "EDGE01\\edgeadmin", "become_pass": "secret",
                           "become_flags": "logon_type=interactive logon_flags=with_profile"})
kwargs = dict(name="ansible_collections.sfb.edge.plugins.modules.edge_network", module_data=b"#!powershell\n",
              module_path="/x/edge_network.ps1",
              module_args={"adapters": [{"name": "Ethernet", "rename_to": "Internal"}], "_ansible_check_mode": True,
                           "_ansible_diff": True, "_ansible_module_name": "sfb.edge.edge_network"},
              environment={"ANSIBLE_ASYNC_DIR": "~\\.ansible_async"}, async_timeout=300, become_plugin=become,
              substyle="powershell", task_vars={})
try:
    data = module_manifest._create_powershell_wrapper(profile="legacy", **kwargs)
except TypeError:  # an older signature
    data = module_manifest._create_powershell_wrapper(**kwargs)
shell = shell_loader.get("powershell")
if hasattr(shell, "_encode_pwsh_script_as_command"):  # 2.20+: module_common encodes bootstrap_wrapper.ps1 itself
    cmd = shell._encode_pwsh_script_as_command(module_manifest._get_powershell_script("bootstrap_wrapper.ps1").decode())
else:  # 2.19: the pipelining bypass of build_module_command
    cmd = shell.build_module_command("", "#!powershell", "")
print(json.dumps({"cmd": cmd, "in_data": base64.b64encode(data).decode()}))
"""
# A Python with the newest ansible-core (2.21 under python3.12 on the build machine, a venv of its own: not .venv)
NEWEST = os.environ.get("SFB_EDGE_NEWEST_PYTHON", "/tmp/winsim-conn-v312/bin/python")


def built(python):
    out = subprocess.run([python, "-c", BUILD, os.path.join(ROOT, ".cache", "collections")], capture_output=True, text=True, check=True, timeout=120)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    import base64  # pylint: disable=import-outside-toplevel
    return data["cmd"], base64.b64decode(data["in_data"])


# make compat runs this on ansible-core 2.16, whose payload is not decoded (payload.py): only the newer cores
PYTHONS = ([sys.executable] if tuple(int(x) for x in ANSIBLE_VERSION.split(".")[:2]) >= (2, 17) else []) + (
    [NEWEST] if os.path.exists(NEWEST) else [])


@pytest.mark.parametrize("python", PYTHONS)
def test_decodes_module_become_async_check_diff(python):
    cmd, in_data = built(python)
    decoded = payload.decode(cmd, in_data)
    assert decoded["kind"] == "module"
    assert decoded["module"] == "sfb.edge.edge_network"
    assert decoded["args"] == {"adapters": [{"name": "Ethernet", "rename_to": "Internal"}]}
    assert decoded["check_mode"] is True and decoded["diff"] is True
    assert decoded["become"] == {"method": "runas", "user": "EDGE01\\edgeadmin", "logon_type": "Interactive",
                                 "logon_flags": "WithProfile", "password": True}
    assert decoded["async"]["timeout"] == 300 and decoded["async"]["dir"] == "~\\.ansible_async"
    assert decoded["async"]["jid"].startswith("j")
    assert decoded["wrappers"][-1] == "module_wrapper.ps1"
    assert "$input" in decoded["script"].lower()  # bootstrap_wrapper.ps1, which reads the payload from stdin


def test_raw_commands_and_module_names():
    import base64  # pylint: disable=import-outside-toplevel
    script = "(Get-CimInstance -ClassName Win32_OperatingSystem -Property LastBootUpTime).LastBootUpTime.ToFileTime()"
    cmd = "PowerShell -NoProfile -EncodedCommand " + base64.b64encode(script.encode("utf-16-le")).decode()
    assert payload.decode(cmd, None)["script"] == script and payload.decode(cmd, None)["kind"] == "raw"
    assert payload.module_fqcn("ansible_collections.ansible.windows.plugins.modules.win_ping.ps1") == \
        "ansible.windows.win_ping"
    with pytest.raises(ValueError, match="not an exec wrapper payload"):
        payload.decode(cmd, json.dumps({"name": "something else"}).encode())


def _documented(module):
    with open(os.path.join(ROOT, "plugins", "modules", module + ".yml"), encoding="utf-8") as handle:
        return set(yaml.safe_load(handle)["RETURN"])


def test_results_carry_the_documented_keys(tmp_path, monkeypatch):
    """Each simulated result of our modules has every key its .yml sidecar says is returned always."""
    monkeypatch.setenv(simhost.ENV, str(tmp_path))
    with open(os.path.join(ROOT, "tests", "snapshots", "fresh", "edge01.json"), encoding="utf-8") as handle:
        state = json.load(handle)
    simhost.create(str(tmp_path), "edge01", state)
    host = simhost.Host(str(tmp_path / "edge01"), "edge01")
    host.address = "172.16.10.137"
    facts = host.module("sfb.edge.edge_facts", {"connection_ports": [5986], "cs": {}}, False, False)
    assert set(facts) - {"changed"} == _documented("edge_facts")
    routes = host.module("sfb.edge.edge_routes", {"add": [{"destination": "10.10.0.0/16", "gateway": "172.16.10.1",
                                                           "interface": "Ethernet"}]}, False, False)
    assert set(routes) - {"changed"} == _documented("edge_routes") and routes["changed"] is True
    assert host.state["routes"][-1]["destination"] == "10.10.0.0/16"
    spec = {"name": "Ethernet", "mac": "00-15-5D-1E-8C-04", "rename_to": "Internal", "register_in_dns": False}
    network = host.module("sfb.edge.edge_network", {"adapters": [spec]}, False, False)
    assert set(network) - {"changed"} == _documented("edge_network") and network["adapters"] == ["Internal"]
    assert [a["name"] for a in host.state["adapters"]] == ["Internal", "Ethernet 2"]
    import base64  # pylint: disable=import-outside-toplevel
    import hashlib  # pylint: disable=import-outside-toplevel
    on_disk = host.state["hosts_file"]["content"].encode("utf-8")  # a hand-written snapshot: the text of the file
    text = b"127.0.0.1 localhost\r\n"
    hosts = host.module("sfb.edge.edge_hosts_file", {"content_base64": base64.b64encode(text).decode(),
                                                     "expected_sha256": hashlib.sha256(on_disk).hexdigest()}, False, False)
    assert set(hosts) - {"changed"} == _documented("edge_hosts_file")
    assert hosts["sha256"] == hashlib.sha256(text).hexdigest().upper() == host.state["hosts_file"]["sha256"]
    from ansible_collections.sfb.edge.plugins.plugin_utils import _cs as controller  # pylint: disable=import-outside-toplevel
    install = {"steps": ["core"], "media_path": "D:\\"}
    if hasattr(controller, "exit_codes"):  # the exit-code policy the controller gives edge_cs (issue 19, point 3)
        install["exit_codes"] = controller.exit_codes(["core"])
    cs = host.module("sfb.edge.edge_cs", install, True, False)
    assert set(cs) - {"changed"} == _documented("edge_cs") and cs["changed"] is True
    assert host.state["cs"]["bootstrapper"] is False  # check mode: the state is unchanged
    fe = simhost.Host(str(tmp_path / "edge01"), "edge01")
    assert set(fe.module("sfb.edge.cs_config_export", {}, False, False)) - {"changed"} == _documented("cs_config_export")
    assert set(fe.module("sfb.edge.cs_replication", {"replicas": ["a"]}, False, False)) - {"changed"} == \
        _documented("cs_replication")
    probe = fe.module("sfb.edge.tcp_probe", {"targets": [{"host": "172.16.10.137", "port": 5986},
                                                         {"host": "172.16.10.137", "port": 5061}]}, False, False)
    assert set(probe) - {"changed"} == _documented("tcp_probe")
    # a probe reaches a listener of a simulated host (WinRM on 0.0.0.0), and nothing else
    assert [(r["open"], r["error"]) for r in probe["results"]] == [(True, None), (False, "no answer within 3000 ms")]


def test_reboot_changes_boot_time_clears_pending_and_drops_the_connection(tmp_path):
    with open(os.path.join(ROOT, "tests", "snapshots", "fresh", "edge01.json"), encoding="utf-8") as handle:
        state = json.load(handle)
    state["computer"].update(pending_hostname="EDGE01", pending_reboot=True, pending_reboot_reasons=["ComputerRename"])
    simhost.create(str(tmp_path), "edge01", state)
    host = simhost.Host(str(tmp_path / "edge01"), "edge01")
    kind, (rc, before) = host.raw("(Get-CimInstance Win32_OperatingSystem).LastBootUpTime.ToFileTime()")
    assert kind == "reboot" and rc == 0
    assert host.raw("C:\\Windows\\System32\\shutdown.exe /r /t 2 /c 'x'")[1][0] == 0
    assert host.state["computer"]["pending_reboot"] is False and host.state["computer"]["pending_reboot_reasons"] == []
    assert host.state["computer"]["hostname"] == "EDGE01"
    with pytest.raises(simhost.Unreachable, match="rebooting"):
        host.reachable("172.16.10.137")
    host.reachable("172.16.10.137")  # back after one failed attempt
    after = host.raw("LastBootUpTime")[1][1]
    assert int(after) > int(before)
    with pytest.raises(simhost.Unreachable, match="no simulated host answers on 172.16.10.99"):
        host.reachable("172.16.10.99")  # an address the host does not have


def _maintained(collection, module):
    """The RETURN keys of a module of ansible.windows / community.windows, from its documentation."""
    from ansible.parsing.plugin_docs import read_docstring  # pylint: disable=import-outside-toplevel

    base = os.path.join(ROOT, ".cache", "collections", "ansible_collections", *collection.split("."), "plugins", "modules")
    path = os.path.join(base, module + ".py")
    if not os.path.exists(path):
        with open(os.path.join(base, module + ".yml"), encoding="utf-8") as handle:
            return set(yaml.safe_load(handle)["RETURN"] or {})
    docs = read_docstring(path)["returndocs"] or {}
    return set(yaml.safe_load(docs) if isinstance(docs, str) else docs)


@pytest.mark.parametrize("module, args, changes", [
    ("ansible.windows.win_feature", {"name": ["NET-WCF-HTTP-Activation45"]}, True),
    ("ansible.windows.win_hostname", {"name": "EDGE01"}, True),
    ("ansible.windows.win_regedit", {"path": "HKLM:\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters",
                                     "name": "NV Domain", "data": "corp.example.com", "type": "string"}, True),
    ("ansible.windows.win_dns_client", {"adapter_names": "Ethernet", "dns_servers": ["10.10.0.10"]}, True),
    ("community.windows.win_netbios", {"adapter_names": ["Ethernet"], "state": "disabled"}, True),
])
def test_maintained_modules_answer_with_their_documented_keys(tmp_path, module, args, changes):
    with open(os.path.join(ROOT, "tests", "snapshots", "fresh", "edge01.json"), encoding="utf-8") as handle:
        state = json.load(handle)
    simhost.create(str(tmp_path), "edge01", state)
    host = simhost.Host(str(tmp_path / "edge01"), "edge01")
    result = host.module(module, args, False, False)
    collection = module.rsplit(".", 1)[0]
    assert set(result) - {"changed"} == _maintained(collection, module.rsplit(".", 1)[1]) - {"changed"}, result
    assert result["changed"] is changes and host.state != state
    if module == "ansible.windows.win_hostname":  # the new name is active after the reboot only
        assert result["reboot_required"] is True and host.state["computer"]["hostname"] == state["computer"]["hostname"]


WAIT_KEYS = ("delay", "sleep", "timeout", "reboot_timeout", "post_reboot_delay", "pre_reboot_delay", "connect_timeout")


def _tasks(items):
    for task in items or []:
        if isinstance(task, dict):
            yield task
            for key in ("block", "rescue", "always"):
                yield from _tasks(task.get(key))


def test_every_wait_of_the_roles_is_an_option():
    """(issue 21, point 4) No wait of a role or playbook is a literal number: each is a role option (declared in
    the role's meta/argument_specs.yml), so a test sets it low and a scenario runs in seconds. On 0.4's roles the
    reconnect waited a fixed 15 s (wait_for_connection delay) and polled every fixed 5 s (async_status delay)."""
    import glob  # pylint: disable=import-outside-toplevel
    import re  # pylint: disable=import-outside-toplevel

    literal = []
    for path in sorted(glob.glob(os.path.join(ROOT, "roles", "*", "tasks", "*.yml"))
                       + glob.glob(os.path.join(ROOT, "playbooks", "*.yml"))
                       + glob.glob(os.path.join(ROOT, "playbooks", "tasks", "*.yml"))):
        with open(path, encoding="utf-8") as handle:
            plays = yaml.safe_load(handle) or []
        role = path.split(os.sep)[-3] if os.sep + "roles" + os.sep in path else None
        options = {}
        if role:
            with open(os.path.join(ROOT, "roles", role, "meta", "argument_specs.yml"), encoding="utf-8") as handle:
                options = yaml.safe_load(handle)["argument_specs"]["main"]["options"]
        tasks = [t for p in plays for key in ("tasks", "pre_tasks", "post_tasks") for t in _tasks(p.get(key))] \
            if plays and "hosts" in plays[0] else list(_tasks(plays))
        for task in tasks:
            waits = [(k, task[k]) for k in ("delay",) if k in task]
            for value in task.values():
                if isinstance(value, dict):
                    waits += [(k, value[k]) for k in WAIT_KEYS if k in value]
            for key, value in waits:
                names = re.findall(r"{{\s*([a-z_]+)", str(value))
                if not names or (role and not all(n in options for n in names)):
                    literal.append("%s: %s %s: %r" % (os.path.relpath(path, ROOT), task.get("name"), key, value))
    assert literal == []


def _converged(tmp_path, **meta):
    with open(os.path.join(ROOT, "tests", "snapshots", "converged", "edge01.json"), encoding="utf-8") as handle:
        state = json.load(handle)
    simhost.create(str(tmp_path), "edge01", state, **meta)
    host = simhost.Host(str(tmp_path / "edge01"), "edge01")
    host.address = "172.16.10.11"
    return host


def test_edge_facts_reads_the_update_installer_only_when_asked(tmp_path):
    """cs.update_installer (docs/state-format.md): only with the edge_facts option cs.cu_installer; its version is
    meta ``update_installer``, and a host without one has no such file."""
    host = _converged(tmp_path, update_installer="7.0.2046.530")
    path = "C:\\media\\sfb-cu\\SkypeServerUpdateInstaller.exe"
    facts = host.module("sfb.edge.edge_facts", {"cs": {"cu_installer": path}}, False, False)
    assert facts["state"]["cs"]["update_installer"] == {"path": path, "exists": True, "version": "7.0.2046.530"}
    assert "update_installer" not in host.module("sfb.edge.edge_facts", {"cs": {"version": "sfb2019"}}, False,
                                                 False)["state"]["cs"]
    absent = _converged(tmp_path / "other").module("sfb.edge.edge_facts", {"cs": {"cu_installer": path}}, False, False)
    assert absent["state"]["cs"]["update_installer"] == {"path": path, "exists": False, "version": None}


def test_update_installer_1603_fails_and_starts_the_stopped_services_again(tmp_path):
    """The fault installer_exit on the update (cu, an installed server): edge_cs stops the running REPLICA and RTC*
    services for it, the installer exits 1603 (in neither list of the controller's policy), the call fails with
    Invoke-Program's message and the .ps1's ending, and the services run again."""
    from ansible_collections.sfb.edge.plugins.plugin_utils import _cs as controller  # pylint: disable=import-outside-toplevel

    host = _converged(tmp_path, faults={"installer_exit": {"step": "cu", "rc": 1603}})
    installer = "C:\\media\\sfb-cu\\SkypeServerUpdateInstaller.exe"
    out = host.module("sfb.edge.edge_cs", {"steps": ["cu"], "cu_installer": installer, "fqdn": "edge01.corp.example.com",
                                           "exit_codes": controller.exit_codes(["cu"])}, False, False)
    assert out["failed"] is True
    assert out["msg"] == ("The step cu failed: C:\\media\\sfb-cu\\SkypeServerUpdateInstaller.exe exited with 1603 "
                          "(success: 0; reboot: 3010, 1641); the services stopped for the update were started again: "
                          "REPLICA, RTCCLSAGT, RTCSRV, RTCDATAPROXY, RTCMEDIARELAY, RTCMRAUTH")  # REPLICA, RTC*
    assert {s["name"]: s["status"] for s in host.state["cs"]["services"]} == dict.fromkeys(
        ("REPLICA", "RTCCLSAGT", "RTCSRV", "RTCDATAPROXY", "RTCMEDIARELAY", "RTCMRAUTH"), "Running")
    assert "installer_exit" not in host.meta["faults"]  # once


def test_connection_lost_after_an_address_change(tmp_path):
    """down_after_network: after an edge_network call that changed the host, that many attempts are refused
    (on any address), then it answers again; a call that changes nothing does not cut it."""
    host = _converged(tmp_path, down_after_network=2)
    spec = {"name": "Internal", "register_in_dns": False}
    host.module("sfb.edge.edge_network", {"adapters": [spec]}, False, False)  # as it is: no change
    host.reachable("172.16.10.11")
    spec = {"name": "Internal", "add": [{"address": "172.16.10.21", "prefix_length": 24}]}
    assert host.module("sfb.edge.edge_network", {"adapters": [spec]}, False, False)["changed"] is True
    for _attempt in range(2):
        with pytest.raises(simhost.Unreachable, match="does not answer after its address change"):
            host.reachable("172.16.10.21")
    host.reachable("172.16.10.21")


def test_fake_clock_of_the_waits():
    """The waiting modules a simulated host meets (wait_for_connection's action, ansible.windows' reboot helper)
    get the connection's fake clock: a sleep advances it, their deadlines read it, nothing sleeps."""
    import datetime  # pylint: disable=import-outside-toplevel
    import time  # pylint: disable=import-outside-toplevel
    import types  # pylint: disable=import-outside-toplevel

    sys.path.insert(0, os.path.join(ROOT, "tests", "simhost", "connection_plugins"))
    import sfb_winsim  # pylint: disable=import-outside-toplevel,import-error

    waits = types.ModuleType("fake.plugins.action.wait_for_connection")
    waits.time, waits.datetime = time, datetime.datetime
    reboot = types.ModuleType("fake.plugins.plugin_utils._reboot")
    reboot.time, reboot.datetime = time, datetime
    other = types.ModuleType("fake.plugins.action.other")
    other.time = time
    sys.modules.update({m.__name__: m for m in (waits, reboot, other)})
    try:
        sfb_winsim._fake_clock()  # pylint: disable=protected-access
        start, deadline = reboot.datetime.datetime.utcnow(), waits.datetime.now(datetime.timezone.utc)
        began = time.monotonic()
        waits.time.sleep(600)
        reboot.time.sleep(12)
        assert time.monotonic() - began < 1
        assert (waits.datetime.now(datetime.timezone.utc) - deadline).total_seconds() >= 612
        assert (reboot.datetime.datetime.utcnow() - start).total_seconds() >= 612
        assert other.time is time
    finally:
        for module in (waits, reboot, other):
            del sys.modules[module.__name__]


def test_decode_a_python_module_payload():
    """A pipelined Python module (AnsiballZ, ansible-core 2.19+: module_common writes ``_ansiballz_main(key=repr,
    ...)`` at the end of the wrapper): module and arguments, for the simulated Linux probe host."""
    data = ("def _ansiballz_main(**kwargs):\n    pass\n\n\nif __name__ == \"__main__\":\n    _ansiballz_main(\n"
            "ansible_module='port_probe',\nmodule_fqn='ansible_collections.sfb.edge.plugins.modules.port_probe',\n"
            "profile='legacy',\ndate_time=datetime.datetime(2026, 12, 1, 0, 0),\n"
            "params='{\"ANSIBLE_MODULE_ARGS\": {\"targets\": [{\"protocol\": \"UDP\", \"host\": \"192.0.2.12\", "
            "\"port\": 3478}], \"_ansible_check_mode\": false, \"_ansible_diff\": true}}',\n"
            "zip_data='UEsDBA==',\n)\n").encode()
    decoded = payload.decode_ansiballz(data)
    assert (decoded["module"], decoded["args"], decoded["check_mode"], decoded["diff"]) == (
        "sfb.edge.port_probe", {"targets": [{"protocol": "UDP", "host": "192.0.2.12", "port": 3478}]}, False, True)
    with pytest.raises(ValueError, match="not an AnsiballZ payload"):
        payload.decode_ansiballz(b"print('hello')\n")
