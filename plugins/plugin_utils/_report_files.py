# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: what sfb.edge.report_files writes, and the refresh of a pool's report.html.

The file entries of sfb.edge.report_files (placed below ``base_dir``, their content made: a text, a pool plan's
firewall.csv streamed, a report.html rendered when it is written), the plan files of every pool (sfb.edge.plan_files
and report_files' ``plans``) and the refresh of the report.html pages after the host actions wrote their reports.
The files are written by :mod:`outputs` (atomically; a file with the same content is left alone).
"""

from __future__ import annotations

import os

from ansible.errors import AnsibleActionFail

from ansible_collections.sfb.edge.plugins.plugin_utils import _files, _html_report as html_report, _outputs as outputs, _report as report
from ansible_collections.sfb.edge.plugins.plugin_utils._json import nice_json


def plan_json(pool_plan):
    """plan.json: what ``to_nice_json(indent=2)`` gives for the plan (sorted keys), with the final newline."""
    return nice_json(pool_plan) + "\n"


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


def file_mode(value):
    """The octal file ``mode`` of sfb.edge.report_files as an integer; refused naming the value otherwise."""
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
