# -*- coding: utf-8 -*-
"""The state schema's assumptions about Windows PowerShell 5.1 (docs/lab-checklist.md, "State
schema"), checked on the real host over WinRM (testinfra), as in test_edge.py.

Ansible.Basic returns a module's result through ``ConvertTo-Json -Depth 99``; edge_facts builds
every list-typed field with ``@(...)`` (tests/unit/plugins/plugin_utils/test_state.py checks the script) because
PowerShell unwraps a one-item pipeline result into the item, which ConvertTo-Json then writes as an
object or a string: exactly what plugins/plugin_utils/_state.py refuses.
"""

from __future__ import annotations

import json
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from test_edge import HOST, _ephemeral, desired, host, powershell  # noqa: E402,F401  # pylint: disable=unused-import

# What Ansible.Basic does with a module result (ToJson), applied to the constructs edge_facts uses.
PS_ONE_ITEM_LISTS = r"""
$one = @(Get-Service -Name WinRM | ForEach-Object { $_.Name })
$result = [ordered]@{
    array_subexpression = @(Get-Service -Name WinRM | ForEach-Object { $_.Name })
    variable = $one
    typed = [int[]]@(5986)
    empty = @()
    of_mappings = @(Get-Service -Name WinRM | ForEach-Object { [ordered]@{ name = $_.Name } })
    nested = [ordered]@{ inner = @(Get-Service -Name WinRM | ForEach-Object { $_.Name }) }
    bare_pipeline = Get-Service -Name WinRM | ForEach-Object { $_.Name }
    if_statement = if ($true) { @('WinRM') } else { @() }
}
@{ json = (ConvertTo-Json -InputObject $result -Depth 99 -Compress) }
"""


def test_convertto_json_keeps_one_item_arrays_built_with_array_subexpression(host):
    out = json.loads(powershell(host, PS_ONE_ITEM_LISTS)["json"])
    assert out["array_subexpression"] == ["WinRM"]
    assert out["variable"] == ["WinRM"]
    assert out["typed"] == [5986]
    assert out["empty"] == []
    assert out["of_mappings"] == [{"name": "WinRM"}]
    assert out["nested"] == {"inner": ["WinRM"]}
    # the trap the schema guards against: without @(...) a one-item list arrives as its item
    assert out["bare_pipeline"] == "WinRM"
    assert out["if_statement"] == "WinRM"


def test_the_live_state_passed_the_schema(desired):  # noqa: F811
    """converge.yml runs drift.yml after site.yml: the sfb.edge.drift filter writes the report only
    after state.check accepted the state edge_facts gathered on this host."""
    path = _ephemeral("plan", desired["pool"], "drift", HOST + ".json")
    if not os.path.exists(path):
        pytest.fail("%s is missing: the drift report of converge.yml (a state refused by the schema fails "
                    "drift.yml with the field path)" % path)
    with open(path, encoding="utf-8") as handle:
        report = json.load(handle)
    assert report["source"] == "live"
