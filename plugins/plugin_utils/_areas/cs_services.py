# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cs_services area: the Lync/SfB services started (edge_cs).  Its compare function lives in :mod:`cs`."""

from __future__ import annotations

from ansible_collections.sfb.edge.plugins.plugin_utils import _cs as cs
from ansible_collections.sfb.edge.plugins.plugin_utils._areas import Area

AREA = Area(name="cs_services", order=80, desired_sections=("cs",), current_sections=("cs", "certificates"),
            function=cs.cs_services, modules=("sfb.edge.edge_cs",), role="sfb.edge.cs_services", phase="install", options=True)
