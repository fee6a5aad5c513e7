# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cs_replication area: whether the Central Management Store replicated to the edge.  Reported by
drift.yml, never applied by site.yml (replication is pushed from the Front End: validate.yml).  Its compare
function lives in :mod:`cs`."""

from __future__ import annotations

from ansible_collections.sfb.edge.plugins.plugin_utils import _cs as cs
from ansible_collections.sfb.edge.plugins.plugin_utils._areas import Area

AREA = Area(name="cs_replication", order=90, desired_sections=("cs",), current_sections=("replication",),
            function=cs.cs_replication, modules=(), role=None, phase=None, options=True)
