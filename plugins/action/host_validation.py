# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of sfb.edge.host_validation: read the state, evaluate the checks, write and show the table."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail

from ansible_collections.sfb.edge.plugins.plugin_utils import _made, _steps, _checks as checks, _hoststate as hoststate
from ansible_collections.sfb.edge.plugins.plugin_utils._json import nice_json
from ansible_collections.sfb.edge.plugins.plugin_utils._plain import plain

ARGUMENT_SPEC = dict(hoststate.STATE_OPTIONS, **{
    "report_dir": {"type": "path"},
    "fail": {"type": "bool", "default": True},
    "probes": {"type": "list", "elements": "dict"},
    "replicas": {"type": "list", "elements": "dict", "default": []},
})


def failed_checks(report):
    return [row["target"] for row in report["rows"] if row["result"] == "fail"]


def stats(report, path):
    """This host's entry of sfb_validation_summary (set_stats): no secret, numbers stay numbers."""
    summary = report["summary"]
    return {"pool": report["pool"], "passed": report["passed"], "pass": summary["pass"], "fail": summary["fail"],
            "skip": summary["skip"], "warn": summary.get("warn", 0), "failed_checks": failed_checks(report),
            "report": path}


class ActionModule(hoststate.HostAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def evaluate(self, result, task_vars, host, args, facts):
        desired = facts["edge_state_desired"]
        try:
            report = _steps.validation(desired, facts["edge_state_current"],
                                       probes=plain(args["probes"]) if args["probes"] is not None else None,
                                       replication=hoststate.replica_of(plain(args["replicas"]), desired["cs"]["fqdn"]),
                                       frontend=facts["edge_state_frontend"], source=facts["edge_state_source"])
        except _steps.StepError as exc:
            raise AnsibleActionFail("%s: %s" % (host, exc)) from None
        made = self.made(args, host)
        report = dict(report, made=made)
        table = checks.table(report)
        report_dir = hoststate.report_directory(self._templar, task_vars, args["report_dir"])
        base = self.report_base(report_dir, report["pool"], "validate", host, what_if=_made.is_what_if(made["mode"]))
        # The reports are outputs, not changes of the host: written in check mode too, never changed.
        hoststate.write_reports([
            {"path": base + ".json", "content": nice_json(report) + "\n"},
            {"path": base + ".md", "content": "\n".join(table + ["", _made.line(made, report.get("source"))]) + "\n"}],
            host, report_dir, task_vars)
        result.update(msg=table, report=base + ".md", report_dir=report_dir, passed=report["passed"],
                      _ansible_verbose_always=True,
                      ansible_stats={"data": {"sfb_validation_summary": {host: stats(report, base + ".md")}},
                                     "per_host": False, "aggregate": True})
        if args["fail"] and not report["passed"]:
            result["fail_msg"] = "Validation of %s failed: %d check(s): %s; see %s" % (
                host, report["summary"]["fail"], ", ".join(failed_checks(report)), base + ".md")
        return result
