# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cs_certificates area: the certificates assigned to the edge's uses (edge_cs), and their expiry.
Its compare function lives in :mod:`cs`."""

from __future__ import annotations

from ansible_collections.sfb.edge.plugins.plugin_utils import _cs as cs
from ansible_collections.sfb.edge.plugins.plugin_utils._areas import Area

AREA = Area(name="cs_certificates", order=70, desired_sections=("cs", "certificates"),
            current_sections=("certificates", "cs"), function=cs.cs_certificates, modules=("sfb.edge.edge_cs",),
            role="sfb.edge.cs_certificates", phase="install", options=True, timed=True)
