# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of sfb.edge.report_files: write report files on the controller, never a change."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.sfb.edge.plugins.plugin_utils import _outputs as outputs, _store as store
from ansible_collections.sfb.edge.plugins.plugin_utils._report_files import file_mode, place, plan_files, prepare
from ansible_collections.sfb.edge.plugins.plugin_utils._plain import plain

ARGUMENT_SPEC = {
    "files": {"type": "list", "elements": "dict", "default": [],
              # path: absolute, or relative to base_dir; parts: the names below base_dir, each a plain file name
              # (a host or pool name is never split or resolved: _files.child's rules)
              "options": {"path": {"type": "str"},
                          "parts": {"type": "list", "elements": "str"},
                          "content": {"type": "str"},
                          # a pool plan's firewall section: written as firewall.csv, streamed
                          "firewall_csv": {"type": "dict"},
                          # a pool's report.html: from this plan, or the plan.json beside it, and the
                          # drift and validation reports on disk
                          "html_report": {"type": "dict", "options": {"plan": {"type": "dict"}}}},
              "required_one_of": [["content", "firewall_csv", "html_report"], ["path", "parts"]],
              "mutually_exclusive": [["content", "firewall_csv", "html_report"], ["path", "parts"]]},
    # the folder the user named (may be a symbolic link, resolved once): every file goes inside it, each folder
    # below it checked; refused inside an inventory source (default: each file's own folder)
    "base_dir": {"type": "str"},
    "plans": {"type": "raw"},
    "plan_dir": {"type": "str"},
    "mode": {"type": "raw", "default": "0644"},
}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars or {})
        _valid, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        if not args["files"] and args["plans"] is None:
            raise AnsibleActionFail("give files, plans (with plan_dir), or both")
        base_dir = args["base_dir"] or None
        given = place(plain(args["files"]), base_dir)
        # report.html of a pool that has no plan.json yet (drift or validation before any plan.yml run) is not written;
        # one refreshed from the files on disk that is newer than all of them is the same page, not rendered
        without_plan, current, files = prepare(given)
        if args["plans"] is not None:
            try:
                plans = store.load(plain(args["plans"]), where="plans")
            except store.StoreError as exc:
                raise AnsibleActionFail(str(exc)) from None
            planned = plan_files(plans, args["plan_dir"])
        else:
            planned = []
        mode = file_mode(args["mode"])
        result["without_plan"] = without_plan
        # Outputs, not changes: never changed. In check mode nothing is written unless the task says
        # check_mode: false (the drift and validation reports of a check run are wanted).
        result["changed"] = False
        if self._task.check_mode:
            result.update(written=[], unchanged=[], not_written=[f["path"] for f in files + planned],
                          msg="check mode: %d report file(s) not written" % len(files + planned))
            return result
        try:
            sources = task_vars.get("ansible_inventory_sources") if task_vars else None
            written, unchanged = outputs.write_files(files, mode, base_dir, sources)
            if planned:
                more, same = outputs.write_files(planned, mode, args["plan_dir"], sources)
                written, unchanged = written + more, unchanged + same
        except outputs.OutputError as exc:
            raise AnsibleActionFail(str(exc)) from None
        except (KeyError, TypeError, AttributeError) as exc:
            raise AnsibleActionFail("firewall_csv: give a pool plan's firewall section {groups, rules} (%s missing or "
                                    "malformed)" % exc) from None
        result.update(written=written, unchanged=unchanged + current, not_written=[])
        if without_plan:
            result["msg"] = "not written, no plan.json beside it yet (run playbooks/plan.yml): %s" % ", ".join(without_plan)
        return result
