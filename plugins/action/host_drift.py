# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of sfb.edge.host_drift: read the state, compute the drift, write and show the report."""

from __future__ import annotations

from ansible_collections.sfb.edge.plugins.plugin_utils import _made
from ansible_collections.sfb.edge.plugins.plugin_utils import _drift
from ansible_collections.sfb.edge.plugins.plugin_utils import _hoststate as hoststate
from ansible_collections.sfb.edge.plugins.plugin_utils._compare import drift
from ansible_collections.sfb.edge.plugins.plugin_utils._json import nice_json
from ansible_collections.sfb.edge.plugins.plugin_utils._plain import plain

ARGUMENT_SPEC = dict(hoststate.STATE_OPTIONS, **{
    "report_dir": {"type": "path"},
    "fail": {"type": "bool"},
    "replicas": {"type": "list", "elements": "dict", "default": []},
})


def stats(report, path):
    """This host's entry of sfb_drift_summary (set_stats): no secret, numbers stay numbers."""
    expired, expiring = _drift.certificate_due(report)
    return {"pool": report["pool"], "in_sync": report["in_sync"],
            "areas": {area: count for area, count in report["summary"].items() if count},
            "problems": len(report["problems"]), "certificates_expired": len(expired),
            "certificates_expiring": len(expiring), "report": path}


def failure(report, lines, path, fail, fail_on_warning):
    """The failure message of a host for cron/AWX, or None: drifted, a certificate in use expired (with
    ``fail``), a certificate inside the warning window (with ``fail_on_warning``)."""
    expired, expiring = _drift.certificate_due(report)
    why = []
    if fail and not report["in_sync"]:
        why.append("Drift: %s; see %s. To fix it: %s." % (lines[0], path, _drift.fix_text(report)))
    if fail and expired:
        why.append("Expired: %s; see %s. %s" % ("; ".join(f["message"] for f in expired), path,
                                                "Renew it before anything else: clients cannot connect."))
    if fail_on_warning and expiring:
        why.append("Expiring (sfb_edge_fail_on_expiry_warning): %s; see %s." % (
            "; ".join(f["message"] for f in expiring), path))
    return " ".join(why) or None


class ActionModule(hoststate.HostAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def evaluate(self, result, task_vars, host, args, facts):
        desired = facts["edge_state_desired"]
        report = drift(desired, facts["edge_state_current"],
                       replication=hoststate.replica_of(plain(args["replicas"]), desired["cs"]["fqdn"]),
                       ansible_host=self.guard_inputs(task_vars, self._templar),
                       connection_port=facts["edge_state_connection_port"], source=facts["edge_state_source"],
                       options={"frontend": facts["edge_state_frontend"]})
        made = self.made(args, host)
        report = dict(report, made=made)
        lines = _drift.format_report(report)
        report_dir = hoststate.report_directory(self._templar, task_vars, args["report_dir"])
        path = self.report_base(report_dir, report["pool"], "drift", host, what_if=_made.is_what_if(made["mode"])) + ".json"
        # The report is an output, not a change of the host: written in check mode too, never changed.
        hoststate.write_reports([{"path": path, "content": nice_json(report) + "\n"}], host, report_dir, task_vars)
        result.update(msg=lines, report=path, report_dir=report_dir, in_sync=report["in_sync"], _ansible_verbose_always=True,
                      ansible_stats={"data": {"sfb_drift_summary": {host: stats(report, path)}},
                                     "per_host": False, "aggregate": True})
        fail = args["fail"] if args["fail"] is not None else hoststate.inventory_bool(
            self._templar, task_vars, "sfb_edge_fail_on_drift", host)
        message = failure(report, lines, path, fail, hoststate.inventory_bool(
            self._templar, task_vars, "sfb_edge_fail_on_expiry_warning", host))
        if message:
            result["fail_msg"] = message
        return result
