#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: port_probe
author: sfb.edge contributors (!UNKNOWN)
version_added: 0.4.0
short_description: From a Linux (or any POSIX) host, test TCP ports and UDP echo responders of other hosts in one call
description:
  - For every target at once - TCP - opens a connection (and closes it again); UDP - sends one datagram and
    waits for the same bytes back, as the UDP responder of M(sfb.edge.edge_port_listener) sends them.
  - Waits up to O(timeout_ms) for all targets together and reports, per target, whether it answered.
  - Never changes anything; a closed port is a result, not a failure.
  - The probe host of the firewall proof outside the perimeter (group C(edge_probes)) when it is not Windows
    (Windows probe hosts use M(sfb.edge.tcp_probe)). Why not M(ansible.builtin.wait_for) - one host and port per
    call (a module run each, each waiting its own timeout), and no UDP; this module tests all targets in one call.
  - UDP has no handshake - a datagram that got no answer may have been dropped on the way in or on the way back
    (a stateful firewall lets the answer back), so C(open=false) on UDP means "no answer", as PortQry's
    "FILTERED"; an ICMP port unreachable answer is reported as C(refused).
options:
  targets:
    description: The hosts and ports to test.
    type: list
    elements: dict
    required: true
    suboptions:
      protocol:
        description: V(TCP) or V(UDP).
        type: str
        choices: [TCP, UDP]
        default: TCP
      host:
        description: A host name or IPv4 address.
        type: str
        required: true
      port:
        description: The port.
        type: int
        required: true
  timeout_ms:
    description: How long, in milliseconds, to wait for all targets together, 1 to 60000 (60 seconds).
    type: int
    default: 3000
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The probes are read-only and run in check mode too.
  diff_mode:
    support: none
  platform:
    platforms: posix
seealso:
  - module: sfb.edge.tcp_probe
  - module: sfb.edge.edge_port_listener
  - module: ansible.builtin.wait_for
"""

EXAMPLES = r"""
- name: Test the edge's public Access Edge and A/V ports from outside (one call)
  sfb.edge.port_probe:
    targets:
      - {protocol: TCP, host: 192.0.2.10, port: 443}
      - {protocol: TCP, host: 192.0.2.10, port: 5061}
      - {protocol: UDP, host: 192.0.2.12, port: 3478}
  register: probe_result
"""

RETURN = r"""
results:
  description:
    - One entry per O(targets), in that order, with C(protocol), C(host), C(port), C(open) and C(error) (why
      there was no answer; V(null) when open).
  returned: always
  type: list
  elements: dict
  sample:
    - {protocol: TCP, host: 192.0.2.10, port: 443, open: true, error: null}
    - {protocol: UDP, host: 192.0.2.12, port: 3478, open: false, error: no answer within 3000 ms}
"""

import errno
import os
import selectors
import socket
import time

from ansible.module_utils.basic import AnsibleModule

PAYLOAD_PREFIX = b"sfb.edge firewall proof "


def _start(target):
    """A non-blocking socket on its way to ``target``; returns (socket, payload or None, error or None)."""
    family = socket.AF_INET
    kind = socket.SOCK_STREAM if target["protocol"] == "TCP" else socket.SOCK_DGRAM
    sock = None
    try:
        address = socket.getaddrinfo(target["host"], target["port"], family, kind)[0][4]
        sock = socket.socket(family, kind)
        sock.setblocking(False)
        if kind == socket.SOCK_STREAM:
            code = sock.connect_ex(address)
            if code not in (0, errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EALREADY):
                raise OSError(code, os.strerror(code))
            return sock, None, None
        sock.connect(address)
        payload = PAYLOAD_PREFIX + os.urandom(8).hex().encode()
        sock.send(payload)
        return sock, payload, None
    except OSError as exc:
        if sock is not None:
            sock.close()
        return None, None, exc.strerror or str(exc)


TIMEOUT_MS_MIN = 1
TIMEOUT_MS_MAX = 60000


def probe(targets, timeout_ms):
    """[{protocol, host, port, open, error}] for ``targets`` ({protocol, host, port}), all within ``timeout_ms``."""
    results = [{"protocol": t["protocol"], "host": t["host"], "port": t["port"], "open": False, "error": None}
               for t in targets]
    selector = selectors.DefaultSelector()
    pending = 0
    for index, target in enumerate(targets):
        sock, payload, error = _start(target)
        if sock is None:
            results[index]["error"] = error
            continue
        events = selectors.EVENT_WRITE if payload is None else selectors.EVENT_READ
        selector.register(sock, events, (index, payload))
        pending += 1
    deadline = time.monotonic() + timeout_ms / 1000.0
    while pending and time.monotonic() < deadline:
        for key, _mask in selector.select(max(0.0, deadline - time.monotonic())):
            index, payload = key.data
            sock = key.fileobj
            try:
                if payload is None:
                    code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if code:
                        raise OSError(code, "refused" if code == errno.ECONNREFUSED else os.strerror(code))
                    results[index]["open"] = True
                else:
                    data = sock.recv(2048)
                    if data != payload:
                        continue  # not our answer: keep waiting
                    results[index]["open"] = True
            except OSError as exc:
                results[index]["error"] = "refused" if exc.errno == errno.ECONNREFUSED else (exc.strerror or str(exc))
            selector.unregister(sock)
            sock.close()
            pending -= 1
    for key in list(selector.get_map().values()):
        results[key.data[0]]["error"] = "no answer within %d ms" % timeout_ms
        selector.unregister(key.fileobj)
        key.fileobj.close()
    selector.close()
    return results


def main():
    module = AnsibleModule(
        argument_spec={
            "targets": {"type": "list", "elements": "dict", "required": True, "options": {
                "protocol": {"type": "str", "choices": ["TCP", "UDP"], "default": "TCP"},
                "host": {"type": "str", "required": True},
                "port": {"type": "int", "required": True},
            }},
            "timeout_ms": {"type": "int", "default": 3000},
        },
        supports_check_mode=True,
    )
    bad = [t for t in module.params["targets"] if not 0 < t["port"] < 65536]
    if bad:
        module.fail_json(msg="targets: port %d of %s is not a port (1 to 65535)" % (bad[0]["port"], bad[0]["host"]))
    if not TIMEOUT_MS_MIN <= module.params["timeout_ms"] <= TIMEOUT_MS_MAX:
        module.fail_json(msg="timeout_ms is %d: give the milliseconds to wait for all targets together, %d to %d "
                             "(60 seconds)" % (module.params["timeout_ms"], TIMEOUT_MS_MIN, TIMEOUT_MS_MAX))
    module.exit_json(changed=False, results=probe(module.params["targets"], module.params["timeout_ms"]))


if __name__ == "__main__":
    main()
