# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: sfb.edge.edge_apply - decide an area on the controller, call the host only for its
drift (one call per module for the whole area), with check mode, diff, the lockout guard and the CS steps' progress.

The action plugin (plugins/action/edge_apply.py) is this class; the decisions are the area modules' (_areas/) and
_cs.py's, the guard _guard.py's.
"""

from __future__ import annotations

import base64
import itertools
import os

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.sfb.edge.plugins.plugin_utils import _parts as _areas
from ansible_collections.sfb.edge.plugins.plugin_utils import _csaccess
from ansible_collections.sfb.edge.plugins.plugin_utils import _cs as cs
from ansible_collections.sfb.edge.plugins.plugin_utils import _drift as drift
from ansible_collections.sfb.edge.plugins.plugin_utils import _guard as guard
from ansible_collections.sfb.edge.plugins.plugin_utils import _hoststate as hoststate
from ansible_collections.sfb.edge.plugins.plugin_utils import _state as state
from ansible_collections.sfb.edge.plugins.plugin_utils import _store as store
from ansible_collections.sfb.edge.plugins.plugin_utils._plain import plain

display = Display()

ARGUMENT_SPEC = {
    "area": {"type": "str", "required": True, "choices": list(drift.AREAS)},
    "desired": {"type": "dict", "required": True},
    "current": {"type": "dict", "required": True},
    "snapshot": {"type": "bool", "default": False},
    "allow_connection_change": {"type": "bool", "default": False},
    "connection_address": {"type": "str"},
    "connection_port": {"type": "int"},
    "frontend": {"type": "str"},
    "config_refresh": {"type": "bool", "default": False},
    "configuration_archive": {"type": "str"},
    "call_options": {"type": "dict", "default": {}},
    "step_calls": {"type": "bool", "default": False},
}


# What edge_apply passes on from edge_cs's result: the steps, the services it waited for, and the services
# it stopped for an update and started again (services_restarted; issue 19, point 2).
_OUT_KEYS = ("steps", "services", "services_stopped", "services_restarted")


def _diff(area, res):
    if res.get("diff"):
        return res["diff"]
    lines_before, lines_after = [], []
    for c in res["changes"]:
        what = "%s %s" % (c["target"], c["property"])
        if c["before"] is not None:
            lines_before.append("%s: %s" % (what, c["before"]))
        if c["after"] is not None:
            lines_after.append("%s: %s" % (what, c["after"]))
    return {"before": "\n".join(lines_before) + "\n", "after": "\n".join(lines_after) + "\n",
            "before_header": "%s (gathered)" % area, "after_header": "%s (planned)" % area}


def _steps_text(calls, pending=False):
    names = []
    for c in calls:
        args = c if pending else c["args"]
        names.append(", ".join(args["steps"]) if args.get("steps") else c["module"])
    return ", ".join(names)


def _rest(call, progress, later):
    """The calls still to run after edge_cs stopped for a reboot, and the run steps of this call that did not
    run: its steps whose run step did not run - ``cu`` while its second half ``cu_databases`` (the update of the
    roles and Install-CsDatabase -Update) did not run, even when its first half did - then the calls after it.
    ``progress``: the call's :func:`cs.step_results` entries."""
    left = [e["step"] for e in progress if e.get("status") == "not run"]
    steps = call["args"].get("steps") or []
    rest = [s for s in steps if s in left or (s == "cu" and "cu_databases" in left)]
    pending = [dict(call["args"], steps=rest, module=call["module"])] if rest else []
    return pending + [dict(c["args"], module=c["module"]) for c in later], left


class EdgeApply(ActionBase):
    """The action sfb.edge.edge_apply: plugins/action/edge_apply.py is this class, plugins/modules/edge_apply.py its documentation."""

    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = self._apply(tmp, task_vars)
        # The re-read-after-change rule (hoststate.still_current): a change applied, or planned from snapshots.
        facts = hoststate.stale_facts(result)
        if facts:
            result["ansible_facts"] = facts
        return result

    def _apply(self, tmp, task_vars):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        _valid, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        area = args["area"]
        host = task_vars.get("inventory_hostname", "this host")
        # desired and current are the area's part (edge_state_parts of sfb.edge.host_state) or the whole states; the sections
        # the area reads are checked as strictly either way. The guarded areas (routes, network) are
        # computed together with the guard's inputs.
        # Either may be a handle of the controller's store (sfb.edge.plan_validation, sfb.edge.edge_snapshot with
        # store=true, or its area's part in edge_state_parts): read back here, never copied by Ansible.
        try:
            current = store.load(plain(args["current"]), where="host %s, %s: the gathered state" % (host, area))
            desired = store.load(plain(args["desired"]), where="host %s, %s: the desired state" % (host, area))
            current = _areas.check_current(current, area, where="the gathered state of %s" % host)
        except (state.StateError, store.StoreError) as exc:
            raise AnsibleActionFail(str(exc)) from None
        areas = tuple(dict.fromkeys((area,) + (_areas.GUARDED if area in _areas.GUARDED else ())))
        port = args["connection_port"] or self._connection_port(task_vars)
        addresses, resolve_error = guard.resolve_ipv4(args["connection_address"])
        try:
            results, verdict = drift.host_drift(desired, current, ansible_host=args["connection_address"],
                                                areas=areas, options={"frontend": args["frontend"],
                                                                      "config_refresh": args["config_refresh"]},
                                                port=port, host_addresses=addresses, resolve_error=resolve_error)
        except (KeyError, TypeError, ValueError) as exc:
            raise AnsibleActionFail("%s: the desired state is not the one sfb.edge.host_state sets (edge_state_desired), "
                                    "or not its part of %s (edge_state_parts.%s) (%s: %s)"
                                    % (host, area, area, type(exc).__name__, exc)) from None
        res = results[area]
        calls = res["calls"]
        result.update({
            "changed": bool(res["changes"]),
            "changes": res["changes"],
            "notes": res["notes"],
            "blocked": res["blocked"],
            "calls": [c["module"] for c in calls],
            # an edge_cs call is one call, or one per step with step_calls (progress, below): counted as it runs
            "remote_calls": cs.remote_calls(calls, args["step_calls"]),
            "reboot_required": bool(res.get("reboot_required")),
            "snapshot": args["snapshot"],
        })
        if res["changes"]:
            result["diff"] = _diff(area, res)
        log_dir = args["call_options"].get("log_dir")
        progress = [entry for c in calls if c["module"] == "sfb.edge.edge_cs"
                    for entry in cs.progress(c["args"].get("steps") or [], log_dir, args["step_calls"],
                                             c["args"].get("cu_installer"))]
        if progress:
            result["progress"] = progress  # each setup step, the call that runs it and the logs it writes
        if res["problems"]:
            result["failed"] = True
            result["msg"] = "host %s, %s: %s" % (host, area, "; ".join(
                "variable %s: %s" % (p["variable"], p["message"]) for p in res["problems"]))
            return result
        if res["blocked"]:
            result["connection"] = verdict["connection"]
        if res["blocked"] and not args["allow_connection_change"]:
            result["failed"] = True
            head = ("it would cut the controller's connection" if verdict["connection"]["identified"] else
                    "the controller's connection (port %s) could not be identified in the gathered state, so it "
                    "may cut it" % (port or "unknown"))
            result["msg"] = ("host %s, %s: not applied, %s: %s. Nothing of "
                             "this area was changed. To apply it anyway, set sfb_edge_allow_connection_change: true "
                             "(the change then runs in the background and the play reconnects on %s)" % (
                                 host, area, head, "; ".join("%s %s (%s)" % (b["target"], b["property"], b["reason"])
                                                             for b in res["blocked"]),
                                 verdict["new_address"] or "the new address"))
            return result
        if args["snapshot"] or self._task.check_mode or not calls:
            result["applied"] = False
            if calls:
                result["msg"] = "%d change(s) planned in %d call(s); not applied (%s)" % (
                    len(res["changes"]), len(calls), "snapshot mode" if args["snapshot"] else "check mode")
            return result
        # An allowed change of the connection: the edge_network call runs in the background (the
        # sfb.edge.network role), and the calls that name the adapters it renames run after it.
        try:
            deferred = drift.split_deferred(calls)[1] if res["blocked"] else []
        except ValueError as exc:
            raise AnsibleActionFail("host %s, %s: %s" % (host, area, exc)) from None
        for number, call in enumerate(calls[:len(calls) - len(deferred)]):
            if result["reboot_required"] and call["module"] == "sfb.edge.edge_cs":
                # Setup cannot run before the reboot Windows waits for (a pending-reboot indicator of the
                # gathered state, or a Windows feature just installed): stop here.
                result["pending"] = [dict(c["args"], module=c["module"]) for c in calls[number:]]
                why = "; ".join(res.get("reboot_reasons") or []) or "a Windows feature asked for it"
                result["msg"] = "host %s, %s: Windows waits for a reboot (%s) before %s can run" % (
                    host, area, why, _steps_text(calls[number:]))
                break
            if call["module"] == "sfb.edge.edge_cs":
                out = self._run_edge_cs(call, args, task_vars)
                result["progress"] = out.pop("progress")
            else:
                out = self._run_call(call, args, task_vars)
            if out.get("failed"):
                result["failed"] = True
                why = out.get("msg", out)
                if call["module"] == "ansible.windows.win_feature":
                    why = cs.feature_failure(why, call["args"])  # 0x800f081f: names the source variable and fix
                result["msg"] = _csaccess.explain(out.get("msg"), _csaccess.account(
                    self._play_context.become, self._play_context.become_user, self._play_context.remote_user),
                    host, "%s (%s)" % (area, call["module"])) if call["module"] == "sfb.edge.edge_cs" else None
                result["msg"] = result["msg"] or "host %s, %s: %s failed: %s" % (host, area, call["module"], why)
                for key in _OUT_KEYS:
                    if key in out:
                        result[key] = out[key]
                return result
            result["reboot_required"] = result["reboot_required"] or bool(out.get("reboot_required"))
            for key in _OUT_KEYS:
                if key in out:
                    result[key] = out[key]
            if call["module"] == "sfb.edge.edge_cs" and out.get("reboot_required"):
                # An installer exited with 3010/1641: edge_cs stopped after that step. The rest runs after
                # the reboot; the role gathers again, so it is decided from the state then (resume).
                result["pending"], left = _rest(call, result["progress"], calls[number + 1:])
                ran = [s for s in out.get("steps") or [] if isinstance(s, dict)]
                last = ran[-1] if ran else {}
                later = _steps_text(result["pending"][1:] if left else result["pending"], pending=True)
                after = left + ([later] if later else [])
                down = [n for n in out.get("services_stopped") or [] if n not in (out.get("services_restarted") or [])]
                result["msg"] = "host %s, %s: the step %s asked for a reboot (exit code %s)%s%s" % (
                    host, area, last.get("name", "?"), last.get("rc"), "; %s run after it" % ", ".join(after)
                    if after else "", "; the services stopped for the update (%s) start with Windows after the "
                    "reboot" % ", ".join(down) if down else "")
                break
        result["applied"] = True
        if deferred:
            result["deferred"] = {"module": deferred[0]["module"], "args": deferred[0]["args"],
                                  "new_address": verdict["new_address"],
                                  "after": [{"module": c["module"], "args": c["args"]} for c in deferred[1:]]}
            result["remote_calls"] = cs.remote_calls(calls[:len(calls) - len(deferred)], args["step_calls"])
        return result

    def _connection_port(self, task_vars):
        """The port the connection plugin uses (its resolved option), else from the variables."""
        variables = dict(task_vars)
        plugin = getattr(self._connection, "_load_name", None) or variables.get("ansible_connection")
        variables["ansible_connection"] = plugin
        if guard.connection_port(variables) is None:
            return None  # local and other connections: no TCP port to guard
        try:
            port = self._connection.get_option("port")
        except (KeyError, AttributeError):
            port = None
        if port:
            try:
                return int(port)
            except (TypeError, ValueError):
                pass
        return guard.connection_port(variables)

    def _run_edge_cs(self, call, args, task_vars):
        """An edge_cs call as cs.run_units makes it: one call for every step (default), or one per step
        (step_calls). Before each call a line per step it runs names the step and the logs its installers
        write; after it a line per step gives its result and duration. The outputs are merged as one call's,
        with ``progress`` (cs.step_results). Stops at the first failure or reboot request (the steps after it
        are the pending ones, as before)."""
        host = task_vars.get("inventory_hostname", "this host")
        merged = {"changed": False, "steps": [], "services": [], "services_stopped": [], "services_restarted": [],
                  "reboot_required": False, "progress": []}
        entries = cs.progress(call["args"].get("steps") or [], args["call_options"].get("log_dir"), args["step_calls"],
                              call["args"].get("cu_installer"))
        units = [list(unit) for _call, unit in itertools.groupby(entries, key=lambda e: e["call"])]
        for unit in units:
            for line in cs.call_lines(host, unit):
                display.display(line)
            unit_args = dict(call["args"])
            if len(units) > 1:
                unit_args["run"] = [e["step"] for e in unit]
                if "import_configuration" not in unit_args["run"]:
                    unit_args.pop("configuration", None)  # the export is copied only for the call that imports it
            out = self._run_call({"module": call["module"], "args": unit_args}, args, task_vars)
            done = cs.step_results(unit, out)
            for line in cs.result_lines(host, done):
                display.display(line)
            merged["progress"].extend(done)
            merged["changed"] = merged["changed"] or bool(out.get("changed"))
            for key in _OUT_KEYS:
                merged[key].extend(out.get(key) or [])
            if out.get("failed"):
                merged.update(failed=True, msg=out.get("msg", out))
                break
            if out.get("reboot_required"):
                merged["reboot_required"] = True
                break
        ran = {e["number"] for e in merged["progress"]}
        merged["progress"].extend(dict(e, status="not run", rc=None, seconds=None) for e in entries
                                  if e["number"] not in ran)
        return merged

    def _run_call(self, call, args, task_vars):
        if call["module"] != "sfb.edge.edge_cs":
            return self._execute_module(module_name=call["module"], module_args=self._resolve_secrets(call, task_vars),
                                        task_vars=task_vars)
        module_args = dict(call["args"], **args["call_options"])
        if module_args.get("configuration") != cs.ARCHIVE:
            return self._execute_module(module_name=call["module"], module_args=module_args, task_vars=task_vars)
        # The configuration export travels as a file, never as an argument or a result.
        archive = args["configuration_archive"]
        if not archive or not os.path.isfile(archive):
            raise AnsibleActionFail("%s: the local configuration store needs an import, but no configuration export "
                                    "is at %r; the sfb.edge.cs_install role exports it on the Front End first"
                                    % (task_vars.get("inventory_hostname"), archive))
        tmp = self._make_tmp_path()
        try:
            remote = self._connection._shell.join_path(tmp, "sfb-edge-configuration.zip")
            self._transfer_file(archive, remote)
            module_args["configuration"] = remote
            return self._execute_module(module_name=call["module"], module_args=module_args, task_vars=task_vars)
        finally:
            self._remove_tmp_path(tmp)

    def _resolve_secrets(self, call, task_vars):
        """Certificate files are read here, right before the call, so their bytes and passwords are
        never part of a task argument, a fact or a result."""
        if call["module"] != "sfb.edge.edge_certificates":
            return call["args"]
        spec = plain(self._templar.template(task_vars.get("sfb_edge_certificates") or {}))
        items = []
        for cert in call["args"]["certificates"]:
            kind = cert["variable"].rsplit(".", 1)[-1]
            try:
                with open(cert["path"], "rb") as handle:
                    data = base64.b64encode(handle.read()).decode("ascii")
            except OSError as exc:
                raise AnsibleActionFail("cannot read %s (%s): %s" % (cert["path"], cert["variable"], exc.strerror)) \
                    from None
            item = {"store": cert["store"], "thumbprint": cert["thumbprint"], "data": data, "pfx": cert["pfx"]}
            if cert["pfx"]:
                item["password"] = (spec.get(kind) or {}).get("password") or ""
            items.append(item)
        return {"certificates": items}
