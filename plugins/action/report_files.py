# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of sfb.edge.report_files: write report files on the controller, never a change."""

from __future__ import annotations

import json
import os

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.sfb.edge.plugins.plugin_utils import _files, html_report, outputs, report, store
from ansible_collections.sfb.edge.plugins.plugin_utils.plain import plain

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


def plan_json(pool_plan):
    """plan.json: what ``to_nice_json(indent=2)`` gives for the plan (sorted keys), with the final newline."""
    return json.dumps(pool_plan, indent=2, sort_keys=True, separators=(",", ": ")) + "\n"


def plan_files(plans, plan_dir):
    """plan.json, plan.md, firewall.csv and report.html of every pool, in the layout ``<plan_dir>/<pool FQDN>/``."""
    if not isinstance(plans, dict) or not all(isinstance(p, dict) for p in plans.values()):
        raise AnsibleActionFail("plans: give the output of sfb.edge.plan ({pool FQDN: plan}) or its store handle")
    if not plan_dir:
        raise AnsibleActionFail("plans: give plan_dir, the directory the pools' plans go to")
    files = []
    for pool in sorted(plans):
        try:
            base = _files.child(plan_dir, pool)
        except _files.FilesError as exc:
            raise AnsibleActionFail("plans: %s" % exc) from None
        try:
            files += [{"path": os.path.join(base, "plan.json"), "content": plan_json(plans[pool])},
                      {"path": os.path.join(base, "plan.md"), "content": report.markdown(plans[pool])},
                      {"path": os.path.join(base, "firewall.csv"), "content": report.firewall_csv(plans[pool]["firewall"])},
                      {"path": os.path.join(base, "report.html"),
                       "content": _html(os.path.join(base, "report.html"), {"plan": plans[pool]})}]
        except (KeyError, TypeError, AttributeError) as exc:
            raise AnsibleActionFail("plans: the plan of %s is incomplete (%s missing or malformed)" % (pool, exc)) from None
    return files


def _mode(value):
    try:
        mode = int(value, 8) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        mode = -1
    if not 0 <= mode <= 0o777:
        raise AnsibleActionFail("mode: give an octal file mode such as '0644' (got %r)" % (value,))
    return mode


def _html(path, spec):
    """report.html, generated when it is written (not at all in check mode)."""
    source = "the plan given" if spec.get("plan") is not None else "the plan.json beside it"
    try:
        text = html_report.pool_report(os.path.dirname(os.path.abspath(path)), plan=spec.get("plan"))
    except ValueError as exc:
        raise outputs.OutputError("%s: %s is not JSON (%s); run playbooks/plan.yml again" % (path, source, exc)) from None
    except (KeyError, TypeError, AttributeError) as exc:
        raise outputs.OutputError("%s: %s is not a pool plan of format %d (%s missing or malformed); run "
                                  "playbooks/plan.yml again" % (path, source, html_report.PLAN_FORMAT, exc)) from None
    except OSError as exc:
        raise outputs.OutputError("%s: could not read %s (%s)" % (path, source, exc.strerror or exc)) from None
    yield text


def _content(item):
    if item.get("content") is not None:
        return item["content"]
    if item.get("firewall_csv") is not None:
        return report.firewall_csv(item["firewall_csv"])
    return _html(item["path"], item["html_report"])


def _no_plan(item):
    """An html_report without a plan whose pool has no plan.json (the pool directory's, for the page of its what-if
    folder: html_report.page_inputs): nothing to report yet."""
    spec = item.get("html_report")
    return (spec is not None and spec.get("plan") is None
            and not os.path.isfile(html_report.page_inputs(os.path.dirname(os.path.abspath(item["path"])))[0]))


def _html_current(item):
    """A report.html refreshed from the files beside it (no plan given) that is newer than all of them."""
    spec = item.get("html_report")
    return (spec is not None and spec.get("plan") is None
            and html_report.up_to_date(item["path"], os.path.dirname(os.path.abspath(item["path"]))))


def prepare(given):
    """``(without_plan, current, files)`` for the file entries ``given``: the report.html entries whose pool has no
    plan.json yet (not written), those refreshed from the files on disk that are newer than all of them (the same
    page: not rendered) and the ``[{path, content}]`` to write."""
    without_plan = [os.path.abspath(f["path"]) for f in given if _no_plan(f)]
    current = [f["path"] for f in given if not _no_plan(f) and _html_current(f)]
    files = [{"path": f["path"], "content": _content(f)} for f in given if not _no_plan(f) and f["path"] not in current]
    return without_plan, current, files


def refresh_pages(paths, sources=()):
    """Refresh the report.html at each of ``paths`` (``<plan dir>/<pool>/report.html``) from the plan.json and the
    reports beside it, as a files entry ``html_report: {}`` does (the host actions' offline mode, after writing every
    host's report): ``{written, unchanged, without_plan}``. An output, written in check mode too.

    :raises outputs.OutputError: a page could not be rendered or written."""
    without_plan, current, files = prepare([{"path": path, "html_report": {}} for path in paths])
    written, unchanged = [], []
    for item in files:  # each inside its plan directory: the pool folder is checked, never followed
        done, same = outputs.write_files([item], base=os.path.dirname(os.path.dirname(item["path"])), sources=sources)
        written += done
        unchanged += same
    return {"written": written, "unchanged": unchanged + current, "without_plan": without_plan}


def place(given, base_dir):
    """The file entries with their ``path``: ``parts`` joined below ``base_dir`` (each name checked), a relative
    ``path`` taken relative to it."""
    placed = []
    for item in given:
        item = dict(item)
        parts = item.pop("parts", None)
        if parts is not None or (base_dir and not os.path.isabs(item.get("path") or "")):
            if not base_dir:
                raise AnsibleActionFail("files: parts %r needs base_dir, the folder they are below" % (parts,))
            try:
                path = os.path.join(base_dir, *[_files.check_name(p, base_dir) for p in parts]) if parts is not None \
                    else os.path.join(base_dir, item["path"])
            except _files.FilesError as exc:
                raise AnsibleActionFail("files: %s" % exc) from None
            item["path"] = path
        placed.append(item)
    return placed


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
        mode = _mode(args["mode"])
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
