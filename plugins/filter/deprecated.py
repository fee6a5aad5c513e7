# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The deprecated filters of sfb.edge, kept working for one release (meta/runtime.yml plugin_routing).

Each is documented in plugins/filter/<name>.yml. They live in this file, not in files named after them: ansible-core
(2.19) loads every filter file of the collection by its file name, through the plugin routing, when it looks up any
sfb.edge filter - a deprecated filter in a file of its own name would print its deprecation on every run that uses
another sfb.edge filter. Here the deprecation is printed only where the deprecated name is used.
"""

from __future__ import annotations

from ansible_collections.sfb.edge.plugins.plugin_utils import _frontend as frontend


def frontend_failure(result, frontend_host, task, connection=None):
    """Deprecated shim: what the module sfb.edge.frontend_failure fails with."""
    return frontend.describe(result, frontend_host, task, connection)


class FilterModule:
    def filters(self):
        return {"frontend_failure": frontend_failure}
