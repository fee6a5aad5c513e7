# -*- coding: utf-8 -*-
"""Decode what ansible-core's ``powershell`` shell plugin sends to a Windows host.

A call reaches the connection as ``exec_command(cmd, in_data)``:

- ``cmd`` is ``PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand <b64>``
  (ShellModule._encode_script: the script as UTF-16-LE, base64). For a module, a temporary directory
  or the user's home the script is bootstrap_wrapper.ps1, which reads its stdin; raw commands
  (``Remove-Item`` of a temporary directory, ansible.windows.win_reboot's boot-time, shutdown and
  test commands) are the whole script.
- ``in_data`` (bootstrap_wrapper.ps1's stdin), ansible-core 2.19 - executor/powershell/module_manifest.py
  ``_get_bootstrap_input``: ``<bootstrap JSON>\\n\\0\\0\\0\\0\\n<exec manifest JSON>``; the bootstrap JSON is
  ``{name: exec_wrapper, script, params: {MinOSVersion, MinPSVersion, TempPath}}`` (2.20/2.21 add
  ``PwshPath``), the manifest ``{scripts: {name: {path, script}}, actions: [{name, params, secure_params}],
  signed_hashlist}``. The actions, in order (``_create_powershell_wrapper``): ``become_wrapper.ps1``
  (``BecomeUser``, flags as ``LogonType``/``LogonFlags``; the password in ``secure_params``) when the task
  becomes - or the module says ``#AnsibleRequires -Become`` (then ``BecomeUser: SYSTEM``);
  ``async_wrapper.ps1`` (``AsyncDir``, ``AsyncJid``, ``StartupTimeout``) and ``async_watchdog.ps1``
  (``Timeout``) for ``async``; ``coverage_wrapper.ps1`` when collecting coverage; last
  ``module_wrapper.ps1`` (``Script``: ``<module FQN>.ps1``, ``Variables``: ``complex_args`` - the module
  arguments with ``_ansible_check_mode``, ``_ansible_diff`` ...). Executor scripts alone
  (``powershell_mkdtemp.ps1``, ``powershell_expand_user.ps1``) have one action with their parameters.
  With ANSIBLE_KEEP_REMOTE_FILES a second payload line ``\\0\\0\\0\\0`` marks input (put_file of winrm);
  both separators are handled.

ansible-core 2.20 and 2.21 send the same manifest (the bootstrap ``params`` gain ``PwshPath``, the
wrapper scripts are stripped of comments); 2.16 sent a different one-JSON payload (``exec_wrapper`` with
``module_entry``, ``powershell_modules``, ``actions: [exec, become, async_wrapper, async_watchdog]`` and
``module_args`` at top level) - not decoded here: the collection's CI runs 2.19 and the newest.
"""

from __future__ import annotations

import base64
import json
import re

SEPARATOR = b"\n\0\0\0\0\n"
_ENCODED = re.compile(r"-EncodedCommand\s+(\S+)", re.IGNORECASE)
_MODULES = re.compile(r"^ansible_collections\.(\w+)\.(\w+)\.plugins\.modules\.(\w+)\.ps1$")


def script_of(cmd):
    """The PowerShell script a command line carries (its -EncodedCommand), else the command itself."""
    found = _ENCODED.search(cmd or "")
    if not found:
        return cmd or ""
    return base64.b64decode(found.group(1)).decode("utf-16-le")


def module_fqcn(script_name):
    """``ansible_collections.sfb.edge.plugins.modules.edge_facts.ps1`` -> ``sfb.edge.edge_facts``;
    a builtin (``ansible.modules.x.ps1`` / ``ansible.legacy.x.ps1``) -> ``ansible.builtin.x``."""
    found = _MODULES.match(script_name)
    if found:
        return "%s.%s.%s" % found.groups()
    return "ansible.builtin." + script_name[:-len(".ps1")].rsplit(".", 1)[-1]


def decode(cmd, in_data):
    """What one exec asks for: ``{kind, script, action, module, args, become, async, check_mode, diff}``.

    ``kind``: ``module`` (a module payload), ``executor`` (an executor script alone: mkdtemp,
    expand_user), ``raw`` (a PowerShell script with no payload)."""
    script = script_of(cmd)
    out = {"kind": "raw", "script": script, "action": None, "module": None, "args": None, "become": None,
           "async": None, "check_mode": False, "diff": False, "params": {}}
    if not in_data:
        return out
    parts = bytes(in_data).split(SEPARATOR)
    bootstrap = json.loads(parts[0])
    if bootstrap.get("name") != "exec_wrapper" or len(parts) < 2:
        raise ValueError("not an exec wrapper payload of ansible-core 2.17+ (bootstrap name %r)"
                         % bootstrap.get("name"))
    manifest = json.loads(parts[1])
    actions = manifest["actions"]
    names = [a["name"] for a in actions]
    out["wrappers"] = names
    for action in actions:
        name, params = action["name"], action.get("params") or {}
        if name == "become_wrapper.ps1":
            out["become"] = {"method": "runas", "user": params.get("BecomeUser"),
                             "logon_type": params.get("LogonType"), "logon_flags": params.get("LogonFlags"),
                             "password": bool((action.get("secure_params") or {}).get("BecomePassword"))}
        elif name == "async_wrapper.ps1":
            out["async"] = {"jid": params["AsyncJid"], "dir": params["AsyncDir"]}
        elif name == "async_watchdog.ps1":
            out["async"] = dict(out["async"] or {}, timeout=params["Timeout"])
        elif name == "module_wrapper.ps1":
            out["kind"] = "module"
            out["module"] = module_fqcn(params["Script"])
            args = {}
            for var in params.get("Variables") or []:
                if var["Name"] == "complex_args":
                    args = var["Value"]
            out["check_mode"] = bool(args.get("_ansible_check_mode"))
            out["diff"] = bool(args.get("_ansible_diff"))
            out["args"] = {k: v for k, v in args.items() if not k.startswith("_ansible_")}
        else:
            out["action"] = name
            out["params"] = params
    if out["kind"] != "module":
        out["kind"] = "executor"
    return out


def decode_ansiballz(in_data):
    """What a pipelined Python module (AnsiballZ, ansible-core 2.19+) sent to a POSIX host asks for: ``{kind:
    module, module, args, check_mode, diff, become, async}`` - from the ``_ansiballz_main(...)`` call at the end of
    the wrapper (module_common: ``module_fqn`` and ``params``, the JSON of ``ANSIBLE_MODULE_ARGS``)."""
    import ast  # pylint: disable=import-outside-toplevel

    tree = ast.parse(bytes(in_data).decode("utf-8"))
    call = None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_ansiballz_main" and node.keywords:
            call = node
    if call is None:
        raise ValueError("not an AnsiballZ payload of ansible-core 2.19+ (no _ansiballz_main call)")
    values = {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg in ("module_fqn", "params")}
    args = json.loads(values["params"])["ANSIBLE_MODULE_ARGS"]
    fqn = values["module_fqn"]  # ansible_collections.sfb.edge.plugins.modules.port_probe
    found = re.match(r"^ansible_collections\.(\w+)\.(\w+)\.plugins\.modules\.(\w+)$", fqn)
    module = "%s.%s.%s" % found.groups() if found else "ansible.builtin." + fqn.rsplit(".", 1)[-1]
    return {"kind": "module", "script": "", "action": None, "module": module, "become": None, "async": None,
            "args": {k: v for k, v in args.items() if not k.startswith("_ansible_")},
            "check_mode": bool(args.get("_ansible_check_mode")), "diff": bool(args.get("_ansible_diff")), "params": {}}
