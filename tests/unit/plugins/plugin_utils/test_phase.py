# -*- coding: utf-8 -*-
"""The phases of site.yml (issue 20, point 4): sfb_edge_phase is the source of truth, the tags map onto it,
and anything not understood - or a variable and tags that disagree - is an error, never a wider run."""

from __future__ import annotations

import pytest

from ansible_collections.sfb.edge.plugins.plugin_utils import _phase

WINDOWS = ["routes", "network", "hosts_file", "identity", "certificates"]
INSTALL = ["cs_install", "cs_certificates", "cs_services"]


@pytest.mark.parametrize("phase, run_tags, skip_tags, parts", [
    (None, ["all"], [], ["windows", "install", "validate"]),
    ("", None, None, ["windows", "install", "validate"]),
    ("all", ["all"], [], ["windows", "install", "validate"]),
    ("windows", ["all"], [], ["windows"]),
    ("install", ["all"], [], ["install"]),
    ("cs", ["all"], [], ["install"]),
    ("validate", ["all"], [], ["validate"]),
    ("install,validate", ["all"], [], ["install", "validate"]),
    ("validate, install", ["all"], [], ["install", "validate"]),  # the order is site.yml's, not the variable's
    (["install", "validate"], ["all"], [], ["install", "validate"]),
    ("Windows", ["all"], [], ["windows"]),
    # the tags alone
    (None, ["windows"], [], ["windows"]),
    (None, ["install"], [], ["install"]),
    (None, ["cs"], [], ["install"]),
    (None, ["validate"], [], ["validate"]),
    (None, ["cs", "validate"], [], ["install", "validate"]),
    (None, ["all"], ["validate"], ["windows", "install"]),
    (None, ["all"], ["windows"], ["install", "validate"]),
    (None, ["windows", "install"], ["install"], ["windows"]),
    # all in the variable (an AWX survey's default) leaves the choice to the tags
    ("all", ["windows"], [], ["windows"]),
    # the variable and the tags agree
    ("windows", ["windows"], [], ["windows"]),
    ("install", ["cs"], [], ["install"]),
    ("install,validate", ["install", "validate"], [], ["install", "validate"]),
])
def test_parts(phase, run_tags, skip_tags, parts):
    result = _phase.site_parts(phase, run_tags, skip_tags)
    assert "error" not in result, result
    assert result["parts"] == parts


def test_areas_and_deferred():
    assert _phase.site_parts("windows", ["all"], []) == {
        "parts": ["windows"], "phase": "windows", "areas": WINDOWS, "deferred": INSTALL}
    assert _phase.site_parts(None, ["install"], []) == {
        "parts": ["install"], "phase": "install", "areas": INSTALL, "deferred": WINDOWS}
    assert _phase.site_parts("validate", None, None) == {
        "parts": ["validate"], "phase": "validate", "areas": [], "deferred": WINDOWS + INSTALL}
    assert _phase.site_parts(None, None, None) == {
        "parts": ["windows", "install", "validate"], "phase": "all", "areas": WINDOWS + INSTALL, "deferred": []}
    assert _phase.site_parts(None, ["all"], ["validate"])["phase"] == "windows,install"


@pytest.mark.parametrize("phase, run_tags, skip_tags, words", [
    ("windows", ["install"], [], ["sfb_edge_phase=windows", "tags (install)", "select different phases"]),
    ("install", ["windows", "install"], [], ["sfb_edge_phase=install", "select different phases"]),
    ("install", ["all"], ["install"], ["select different phases", "skip install"]),
    ("deploy", ["all"], [], ["unknown phase: 'deploy'", "windows, install or validate"]),
    ("windows,bogus", ["all"], [], ["unknown phase: 'bogus'"]),
    (5, ["all"], [], ["sfb_edge_phase is 5 (int)"]),
    ([1], ["all"], [], ["sfb_edge_phase holds 1 (int)"]),
    (None, ["foo"], [], ["does not know the tag(s) 'foo'", "windows, install (alias cs) and validate"]),
    (None, ["windows"], ["windows"], ["select no phase"]),
    (None, ["all"], ["all"], ["select no phase"]),
])
def test_errors_name_the_value_and_the_choices(phase, run_tags, skip_tags, words):
    result = _phase.site_parts(phase, run_tags, skip_tags)
    assert result["parts"] == [] and result["areas"] == []
    for word in words:
        assert word in result["error"], result["error"]
    assert result["error"].endswith("Nothing was run.")


def test_the_filter_returns_the_same():
    from ansible_collections.sfb.edge.plugins.filter.deprecated import FilterModule

    site_phase = FilterModule().filters()["site_phase"]
    assert site_phase("windows", ["all"], [])["parts"] == ["windows"]
    assert "error" in site_phase("nope", ["all"], [])


def test_a_skipped_tag_no_phase_carries_skips_nothing():
    """molecule runs converge with --skip-tags molecule-notest,notest: every phase still runs."""
    assert _phase.site_parts("all", ["all"], ["molecule-notest", "notest"]) == _phase.site_parts("all", ["all"], [])
    assert _phase.site_parts("all", ["all"], ["notest", "install"])["parts"] == ["windows", "validate"]
    assert "error" in _phase.site_parts("all", ["notest"], [])  # an unknown tag to run is still refused
