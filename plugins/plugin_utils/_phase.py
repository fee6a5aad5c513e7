# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The phases of site.yml (issue 20, point 4): which parts of the playbook a run does.

site.yml has three parts, run in this order: ``windows`` (the areas routes, network, hosts_file, identity,
certificates), ``install`` (cs_install, cs_certificates, cs_services) and ``validate`` (the validation play).
The variable ``sfb_edge_phase`` is the source of truth: ``all`` (default), one part, or several (a list or a
comma-separated string); ``all`` leaves the choice to the tags (an AWX survey passes its default). The tags of
the same names (``cs`` is an alias of ``install``) map onto it: every task
of site.yml carries the tag ``always``, so Ansible's tag filter drops nothing and this function decides from
``ansible_run_tags``/``ansible_skip_tags``. A variable and tags that say different things are an error, as is
an unknown phase or tag to run: a phase that was not understood never runs more than was asked for (a skipped
tag no phase carries, such as molecule's ``notest``, skips nothing and is ignored).
"""

from __future__ import annotations

from ansible_collections.sfb.edge.plugins.plugin_utils._areas import _registry

PARTS = ("windows", "install", "validate")
# each area's part is in its record (plugins/plugin_utils/_areas/<area>.py)
PART_AREAS = dict(_registry.PHASES, validate=())
TAGS = {"windows": "windows", "install": "install", "cs": "install", "validate": "validate"}
_ALL = ("all",)


class PhaseError(ValueError):
    """A phase or tag that is not understood, or a variable and tags that disagree."""


def _names(value):
    """A list or a comma-separated string -> the lower-case names, in order, without blanks."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, (list, tuple)):
        raise PhaseError("sfb_edge_phase is %r (%s): give all, windows, install or validate, or several of them "
                         "as a list or a comma-separated string. Nothing was run." % (value, type(value).__name__))
    names = []
    for item in value:
        if not isinstance(item, str):
            raise PhaseError("sfb_edge_phase holds %r (%s): each phase is one of all, windows, install, validate. "
                             "Nothing was run."
                             % (item, type(item).__name__))
        if item.strip():
            names.append(item.strip().lower())
    return names


def _ordered(parts):
    return [p for p in PARTS if p in parts]


def from_variable(value):
    """The parts ``sfb_edge_phase`` names (``None``, empty or ``all``: every part)."""
    names = _names(value)
    unknown = [n for n in names if n not in PARTS + _ALL + ("cs",)]
    if unknown:
        raise PhaseError("sfb_edge_phase names an unknown phase: %s. Set it to all (default), windows, install or "
                         "validate, or several of them (e.g. install,validate). Nothing was run."
                         % ", ".join(repr(u) for u in unknown))
    if not names or "all" in names:
        return list(PARTS)
    return _ordered({TAGS[n] for n in names})


def from_tags(run_tags, skip_tags):
    """The parts ``--tags``/``--skip-tags`` select, or ``None`` when they select nothing in particular."""
    run = [t.lower() for t in run_tags or ["all"]]
    known = set(TAGS) | {"all"}
    # A skipped tag that no phase carries skips nothing (molecule passes --skip-tags molecule-notest,notest);
    # an unknown tag to run is refused: it would run no phase, or not the one meant.
    skip = [t for t in (t.lower() for t in skip_tags or []) if t in known]
    unknown = [t for t in run if t not in known]
    if unknown:
        raise PhaseError("site.yml does not know the tag(s) %s: its phases are the tags windows, install (alias cs) "
                         "and validate, the same as sfb_edge_phase (windows, install, validate, all). Nothing was run."
                         % ", ".join(repr(t) for t in unknown))
    if "all" in run and not skip:
        return None
    parts = set(PARTS) if "all" in run else {TAGS[t] for t in run}
    parts -= {TAGS[t] for t in skip if t != "all"}
    if "all" in skip:
        parts = set()
    return _ordered(parts)


def site_parts(phase=None, run_tags=None, skip_tags=None):
    """Never raises: a phase or tag not understood gives ``{"error": message}`` (site.yml fails with it before
    anything else runs).

    ``{"parts": [...], "phase": "windows,install" | "all", "areas": [...], "deferred": [...]}`` for a run of
    site.yml: the parts to run (in order), their converge areas, and the areas of the parts left out."""
    try:
        return _site_parts(phase, run_tags, skip_tags)
    except PhaseError as exc:
        return {"error": str(exc), "parts": [], "phase": "", "areas": [], "deferred": []}


def _site_parts(phase, run_tags, skip_tags):
    # all (the default, what an AWX survey passes when left alone) leaves the choice to the tags
    variable = from_variable(phase) if _names(phase) and "all" not in _names(phase) else None
    tags = from_tags(run_tags, skip_tags)
    if variable is not None and tags is not None and variable != tags:
        raise PhaseError("sfb_edge_phase=%s and the tags (%s) select different phases (%s, %s): use one of them "
                         "(AWX: the survey's sfb_edge_phase, or the job tags). Nothing was run."
                         % (",".join(_names(phase)), ",".join(run_tags or ["all"]) + (
                             " skip " + ",".join(skip_tags) if skip_tags else ""),
                            ",".join(variable) or "nothing", ",".join(tags) or "nothing"))
    parts = variable if variable is not None else (tags if tags is not None else list(PARTS))
    if not parts:
        raise PhaseError("the tags select no phase of site.yml (run: %s, skip: %s). Nothing was run."
                         % (",".join(run_tags or ["all"]), ",".join(skip_tags or []) or "none"))
    return {
        "parts": parts,
        "phase": "all" if parts == list(PARTS) else ",".join(parts),
        "areas": [a for p in parts for a in PART_AREAS[p]],
        "deferred": [a for p in PARTS if p not in parts for a in PART_AREAS[p]],
    }
