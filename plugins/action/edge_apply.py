# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of sfb.edge.edge_apply: decide on the controller, call the host only for drift
(plugins/plugin_utils/_edge_apply.py; the documentation: plugins/modules/edge_apply.py)."""

from __future__ import annotations

from ansible_collections.sfb.edge.plugins.plugin_utils._edge_apply import EdgeApply


class ActionModule(EdgeApply):
    pass
