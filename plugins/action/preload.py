# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of sfb.edge.preload: the collection's controller code, loaded once in the main process.

Ansible's collection loader compiles a collection's Python sources on every import (no bytecode
cache), and each task of each host runs in a freshly forked worker: every worker that templates one
of the collection's filters compiled plugin_utils again - about 0.1 s of CPU per host per task. The
linear strategy loads a task's action plugin in the main process before it forks the workers, so
importing the collection's filter and plugin_utils modules here, at module level, puts them in the
main process once, and every worker forked after this task inherits them (plugin_utils/_preload.py).

Ansible's Jinja filter and test plugins are loaded here too (ansible-core 2.19 loads the built-in ones in
each worker the first time a template uses a filter).
"""

from __future__ import annotations

from ansible.plugins.action import ActionBase

from ansible_collections.sfb.edge.plugins.plugin_utils import _preload

LOADED = _preload.load(("plugin_utils", "filter"))
JINJA_PLUGINS = _preload.jinja_plugins()


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars or {})
        result.update(changed=False, loaded=list(LOADED), jinja_plugins=JINJA_PLUGINS)
        return result
