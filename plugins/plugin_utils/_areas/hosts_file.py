# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hosts file area: the managed block of the hosts file, applied by sfb.edge.edge_hosts_file.
Its compare function lives in :mod:`hostsfile` (with the rendering and parsing of the file)."""

from __future__ import annotations

from ansible_collections.sfb.edge.plugins.plugin_utils import _hostsfile as hostsfile
from ansible_collections.sfb.edge.plugins.plugin_utils._areas import Area

AREA = Area(name="hosts_file", order=30, desired_sections=("hosts_file",), current_sections=("hosts_file",),
            function=hostsfile.hosts_file, modules=("sfb.edge.edge_hosts_file",), role="sfb.edge.hosts_file", phase="windows")
