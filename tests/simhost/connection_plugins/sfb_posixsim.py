# -*- coding: utf-8 -*-
# Test-only: not part of the built collection (galaxy.yml build_ignore: tests).
"""The sfb_posixsim connection: a simulated Linux probe host (the firewall proof's ``edge_probes``).

The firewall proof probes the external rules - UDP too - from a Linux probe host with sfb.edge.port_probe, a
Python module: Ansible pipelines its AnsiballZ wrapper on stdin (``/bin/sh -c 'python3 && sleep 0'``). This
connection decodes it (payload.decode_ansiballz) and answers from the simulated network (simhost.Host.module),
as sfb_winsim does for the Windows hosts. Set ``ansible_python_interpreter`` on the host (no discovery).
"""

from __future__ import annotations

import importlib
import os
import sys

from ansible.errors import AnsibleConnectionFailure
from ansible.plugins.connection import ConnectionBase

DOCUMENTATION = """
name: sfb_posixsim
short_description: A simulated Linux probe host (sfb.edge tests only)
description:
  - Receives the AnsiballZ payload of a pipelined Python module and answers as the simulated host in
    C(SFB_EDGE_SIMHOST)/<inventory_hostname> would.
options:
  sim_host:
    description: The simulated host (see sfb_winsim).
    vars:
      - name: inventory_hostname
      - name: sfb_winsim_host
"""

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
payload = importlib.import_module("payload")  # tests/simhost/payload.py
simhost = importlib.import_module("simhost")  # tests/simhost/simhost.py


class Connection(ConnectionBase):
    """A POSIX host that only runs pipelined Python modules, answered by simhost."""

    transport = "sfb_posixsim"
    has_pipelining = True

    def __init__(self, *args, **kwargs):
        self.always_pipeline_modules = True
        super().__init__(*args, **kwargs)

    def _connect(self):
        self._connected = True
        return self

    def close(self):
        self._connected = False

    def exec_command(self, cmd, in_data=None, sudoable=True):
        super().exec_command(cmd, in_data=in_data, sudoable=sudoable)
        if not in_data:
            return 1, b"", b"the simulated probe host runs pipelined modules only: %s" % cmd.encode()
        try:
            with simhost.Host.open(self.get_option("sim_host")) as host:
                return host.execute(payload.decode_ansiballz(in_data), None)
        except simhost.Unreachable as exc:
            raise AnsibleConnectionFailure(str(exc)) from None

    def put_file(self, in_path, out_path):
        raise AnsibleConnectionFailure("the simulated probe host takes no files (pipelining only)")

    def fetch_file(self, in_path, out_path):
        raise AnsibleConnectionFailure("the simulated probe host gives no files (pipelining only)")
