# -*- coding: utf-8 -*-
"""Deprecated inventory variables (plugins/plugin_utils/_deprecated.py): what sfb.edge.plan_validation warns about."""

from __future__ import annotations

from ansible_collections.sfb.edge.plugins.plugin_utils import _deprecated

TEXT = ("it no longer has an effect: drift.yml, validate.yml and site.yml give every host a task of its own, live or "
        "from snapshots (sfb_edge_facts_from: only where the state comes from differs). Remove it from the inventory "
        "(docs/porting.md)")


def test_offline_one_task_is_deprecated_until_0_7_0_naming_the_hosts():
    inventory = {"edge02": {"sfb_edge_offline_one_task": False, "sfb_edge_pool_fqdn": "p"},
                 "edge01": {"sfb_edge_offline_one_task": True}, "edge03": {"sfb_edge_pool_fqdn": "p"}}
    assert _deprecated.deprecations(inventory) == [{
        "msg": "sfb_edge_offline_one_task (set for edge01, edge02): " + TEXT, "version": "0.7.0",
        "collection_name": "sfb.edge"}]


def test_many_hosts_are_counted_not_listed():
    inventory = {"edge%02d" % i: {"sfb_edge_offline_one_task": False} for i in range(1, 13)}
    assert _deprecated.deprecations(inventory)[0]["msg"].startswith(
        "sfb_edge_offline_one_task (set for edge01, edge02, edge03 and 9 more): it no longer has an effect")


def test_nothing_when_no_host_sets_it():
    assert _deprecated.deprecations({"edge01": {"sfb_edge_facts_from": "snaps"}, "edge02": None}) == []
    assert _deprecated.deprecations({}) == [] and _deprecated.deprecations(None) == []
