# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cs_install area: the Windows features and the Lync/SfB setup steps (edge_cs), after the Windows
part.  Its compare function lives in :mod:`cs` with the product tables it reads."""

from __future__ import annotations

from ansible_collections.sfb.edge.plugins.plugin_utils import _cs as cs
from ansible_collections.sfb.edge.plugins.plugin_utils._areas import Area

# It reads the certificates too: the setup call that installs the edge roles assigns them and starts the services
# (cs.folded) unless a planned certificate is refused.
AREA = Area(name="cs_install", order=60, desired_sections=("cs", "identity"),
            current_sections=("computer", "adapters", "cs", "certificates"), function=cs.cs_install,
            modules=("ansible.windows.win_feature", "sfb.edge.edge_cs"), role="sfb.edge.cs_install", phase="install", options=True)
