# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The 'windows' scenario's own filter (loaded from beside converge.yml only): the desired state of the host under
test, written for tests/test_edge.py. It calls the collection's private code, as a test may; the collection's
public filter for it (sfb.edge.desired_state) is deprecated (docs/porting.md)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.edge.plugins.plugin_utils import _steps


def windows_desired_state(inventory, host):
    try:
        return _steps.desired_state(inventory, host)
    except _steps.StepError as exc:
        raise AnsibleFilterError(str(exc)) from None


class FilterModule:
    def filters(self):
        return {"windows_desired_state": windows_desired_state}
