# -*- coding: utf-8 -*-
# Test-only: not part of the built collection (galaxy.yml build_ignore: tests).
"""The sfb_winsim connection: Ansible's Windows path against a simulated host (tests/simhost/simhost.py).

Why a connection plugin and not a WS-Management endpoint on loopback for pywinrm's ``basic`` transport:
everything the issue wants tested is decided above the transport - the tasks per host, the exec-wrapper
payload the ``powershell`` shell plugin builds (module, arguments, become, async, check mode, diff), the
reconnects, win_reboot's commands - and reaches a connection as ``exec_command(cmd, in_data)``, put_file
and fetch_file. A WSMan endpoint would add a SOAP/HTTP server, NTLM-less basic auth over HTTP and the
winrm plugin's own stream chunking, with nothing of the collection's behaviour behind it, and cost
seconds per call on the 2-core CI runner; the winrm plugin's transport is ansible-core's, tested there.
What the connection plugin does not see - the wire - is what only the lab (the ``windows`` molecule
scenario) shows anyway.

Use: ``ANSIBLE_CONNECTION_PLUGINS=tests/simhost/connection_plugins``, ``-e ansible_connection=sfb_winsim``,
``SFB_EDGE_SIMHOST=<dir>`` with one directory per simulated host (``simhost.create``).
"""

from __future__ import annotations

import datetime
import importlib
import os
import sys
import types

from ansible.errors import AnsibleConnectionFailure, AnsibleFileNotFound
from ansible.plugins.connection import ConnectionBase

DOCUMENTATION = """
name: sfb_winsim
short_description: A simulated Windows host (sfb.edge tests only)
description:
  - Receives what the powershell shell plugin sends - the exec wrapper's bootstrap and its payload - and
    answers as the simulated host in C(SFB_EDGE_SIMHOST)/<inventory_hostname> would.
options:
  sim_host:
    description:
      - The simulated host. A delegated task takes the variables of the host it is delegated to, but
        C(inventory_hostname) stays the one of the task's host; so each host of a test inventory names
        itself in C(sfb_winsim_host) (the last variable found wins).
    vars:
      - name: inventory_hostname
      - name: sfb_winsim_host
  remote_addr:
    description: The address the controller connects to.
    default: inventory_hostname
    vars:
      - name: inventory_hostname
      - name: ansible_host
  port:
    description: The WinRM port the simulated session uses (the lockout guard reads it).
    type: int
    default: 5986
    vars:
      - name: ansible_port
  connection_timeout:
    description: Accepted for ansible.windows.win_reboot, which sets it.
    type: int
    default: 30
"""

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
payload = importlib.import_module("payload")  # tests/simhost/payload.py
simhost = importlib.import_module("simhost")  # tests/simhost/simhost.py


class _FakeClock:
    """The waits of wait_for_connection and of ansible.windows.win_reboot on a simulated host: their sleeps between
    attempts (wait_for_connection's 1 s is not a role option; win_reboot backs off 1-12 s) and delays advance a
    fake clock, which their timeouts read too - no real sleeping, and a host that never answers again fails after
    ``timeout`` fake seconds."""

    offset = 0.0

    @classmethod
    def sleep(cls, seconds):
        cls.offset += seconds

    @staticmethod
    def time():
        return datetime.datetime.now().timestamp() + _FakeClock.offset


class _FakeDatetime(datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return datetime.datetime.now(tz) + datetime.timedelta(seconds=_FakeClock.offset)

    @classmethod
    def utcnow(cls):
        return cls.now(datetime.timezone.utc).replace(tzinfo=None)


_FAKE_DATETIME_MODULE = types.SimpleNamespace(datetime=_FakeDatetime, timedelta=datetime.timedelta,
                                              timezone=datetime.timezone)
# The modules that wait: ansible.builtin.wait_for_connection's action, ansible.windows' reboot helper.
_WAITING = (".wait_for_connection", ".plugin_utils._reboot")


def _fake_clock():
    """Give the loaded waiting modules the fake clock (an action is imported after the connection, before its
    first exec)."""
    for name, module in list(sys.modules.items()):
        if name.endswith(_WAITING) and getattr(module, "time", _FakeClock) is not _FakeClock:
            module.time = _FakeClock
            module.datetime = _FAKE_DATETIME_MODULE if isinstance(module.datetime, types.ModuleType) else _FakeDatetime


class Connection(ConnectionBase):
    """Ansible's Windows connection contract (as the winrm plugin states it), answered by simhost."""

    transport = "sfb_winsim"
    module_implementation_preferences = (".ps1", ".exe", "")
    allow_executable = False
    has_pipelining = True
    allow_extras = True

    def __init__(self, *args, **kwargs):
        self.always_pipeline_modules = True
        self.has_native_async = True
        self._shell_type = "powershell"
        super().__init__(*args, **kwargs)

    def _connect(self):
        self._connected = True
        return self

    def reset(self):
        self._connected = False

    def close(self):
        self._connected = False

    def _target(self):
        return self.get_option("sim_host"), self.get_option("remote_addr")

    def exec_command(self, cmd, in_data=None, sudoable=True):
        super().exec_command(cmd, in_data=in_data, sudoable=sudoable)
        name, address = self._target()
        _fake_clock()
        try:
            decoded = payload.decode(cmd, in_data)
            with simhost.Host.open(name) as host:
                return host.execute(decoded, address)
        except simhost.Unreachable as exc:
            raise AnsibleConnectionFailure(str(exc)) from None

    def put_file(self, in_path, out_path):
        super().put_file(in_path, out_path)
        name, _address = self._target()
        try:
            with simhost.Host.open(name) as host:
                host.put(in_path, self._shell._unquote(out_path))
        except simhost.Unreachable as exc:
            raise AnsibleConnectionFailure(str(exc)) from None

    def fetch_file(self, in_path, out_path):
        super().fetch_file(in_path, out_path)
        name, _address = self._target()
        try:
            with simhost.Host.open(name) as host:
                host.fetch(self._shell._unquote(in_path), out_path)
        except simhost.Unreachable as exc:
            raise AnsibleConnectionFailure(str(exc)) from None
        except FileNotFoundError:
            raise AnsibleFileNotFound("the simulated host %s has no file %s" % (name, in_path)) from None
