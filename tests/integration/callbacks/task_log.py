# -*- coding: utf-8 -*-
"""Test helper callback: one JSON line per task result, for the round-trip tests.

Enabled by tests/integration/test_windows_playbooks.py with ANSIBLE_CALLBACK_PLUGINS pointing here,
ANSIBLE_CALLBACKS_ENABLED=task_log and SFB_EDGE_TASK_LOG=<file>.  Records the host, the task's
action, where it was delegated, whether it was skipped, the edge_apply result's remote_calls, and
whether the task is a state gathering (``gathering``: sfb.edge.edge_facts; a task of the host actions
sfb.edge.host_state, host_drift and host_validation that read the state - ``state_read`` ``live``, or in
snapshot mode ``snapshot``, the read that stands for the call; or a task that reads the snapshot through the
sfb.edge.edge_snapshot lookup) and how the state was read (``state_read``: ``kept`` when the state read
earlier in the run was still current, no call) - scripts/bench.py counts the calls a live run makes from
these lines.
"""

from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: task_log
type: aggregate
short_description: Log each task result as a JSON line (tests only)
description: Writes one JSON line per task result to the file named by SFB_EDGE_TASK_LOG.
"""


def _is_gathering(task, res):
    if res.get("state_read") in ("live", "snapshot"):
        return True
    action = task.resolved_action or task.action
    if action in ("sfb.edge.edge_facts", "edge_facts"):
        return True
    if action not in ("ansible.builtin.set_fact", "set_fact"):
        return False
    raw = getattr(task, "_ds", None) or {}
    return "edge_snapshot" in json.dumps(raw, default=str) or "Read the state from the snapshot" in task.get_name()


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "task_log"
    CALLBACK_NEEDS_ENABLED = True

    def _log(self, result, status):
        path = os.environ.get("SFB_EDGE_TASK_LOG")
        if not path:
            return
        task = result._task
        res = result._result
        entry = {
            "host": result._host.get_name(),
            "task": task.get_name(),
            "action": task.resolved_action or task.action,
            "delegate_to": task.delegate_to,
            "run_once": bool(task.run_once),
            "status": status,
            "changed": bool(res.get("changed")),
            "remote_calls": res.get("remote_calls"),
            "calls": res.get("calls"),
            "blocked": len(res.get("blocked") or []),
            "gathering": _is_gathering(task, res),
            "state_read": res.get("state_read"),
            "msg": str(res.get("msg", ""))[:2000],
        }
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, default=str) + "\n")

    def v2_runner_on_ok(self, result):
        self._log(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._log(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._log(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._log(result, "unreachable")
