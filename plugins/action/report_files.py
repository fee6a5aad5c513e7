# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of sfb.edge.report_files: write report files on the controller, never a change."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.sfb.edge.plugins.plugin_utils import outputs, report
from ansible_collections.sfb.edge.plugins.plugin_utils.plain import plain

ARGUMENT_SPEC = {
    "files": {"type": "list", "elements": "dict", "required": True,
              "options": {"path": {"type": "str", "required": True},
                          "content": {"type": "str"},
                          # a pool plan's firewall section: written as firewall.csv, streamed
                          "firewall_csv": {"type": "dict"}},
              "required_one_of": [["content", "firewall_csv"]],
              "mutually_exclusive": [["content", "firewall_csv"]]},
    "mode": {"type": "raw", "default": "0644"},
}


def _mode(value):
    try:
        mode = int(value, 8) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        mode = -1
    if not 0 <= mode <= 0o777:
        raise AnsibleActionFail("mode: give an octal file mode such as '0644' (got %r)" % (value,))
    return mode


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars or {})
        _valid, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        files = [{"path": f["path"], "content": f["content"] if f.get("content") is not None
                  else report.firewall_csv(f["firewall_csv"])} for f in plain(args["files"])]
        mode = _mode(args["mode"])
        # Outputs, not changes: never changed. In check mode nothing is written unless the task says
        # check_mode: false (the drift and validation reports of a check run are wanted).
        result["changed"] = False
        if self._task.check_mode:
            result.update(written=[], unchanged=[], not_written=[f["path"] for f in files],
                          msg="check mode: %d report file(s) not written" % len(files))
            return result
        try:
            written, unchanged = outputs.write_files(files, mode)
        except outputs.OutputError as exc:
            raise AnsibleActionFail(str(exc)) from None
        except (KeyError, TypeError, AttributeError) as exc:
            raise AnsibleActionFail("firewall_csv: give a pool plan's firewall section {groups, rules} (%s missing or "
                                    "malformed)" % exc) from None
        result.update(written=written, unchanged=unchanged, not_written=[])
        return result
