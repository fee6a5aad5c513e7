# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of sfb.edge.preload: the collection's controller code, loaded once in the main process.

Ansible's collection loader compiles a collection's Python sources on every import (no bytecode
cache), and each task of each host runs in a freshly forked worker: every worker that templates one
of the collection's filters compiled plugin_utils again - about 0.1 s of CPU per host per task. The
linear strategy loads a task's action plugin in the main process before it forks the workers, so
importing the collection's filter and plugin_utils modules here, at module level, puts them in the
main process once, and every worker forked after this task inherits them.

Ansible's Jinja filter and test plugins are loaded here too (ansible-core 2.19 loads the built-in ones in
each worker the first time a template uses a filter).

No compiled code is read from or written to any cache: the sources are compiled by Python's own import
system, as Ansible's collection loader does (0.5.0 removed the bytecode cache of 0.4.0, issue 18).
"""

from __future__ import annotations

import importlib
import pkgutil

from ansible.plugins.action import ActionBase
from ansible.plugins.loader import filter_loader, test_loader

_PACKAGE = __name__.rsplit(".", 2)[0]  # ansible_collections.sfb.edge.plugins


def _load(package):
    """Import every module of ``<plugins>.<package>``; the names of the modules."""
    names = []
    base = importlib.import_module("%s.%s" % (_PACKAGE, package))
    for info in sorted(pkgutil.iter_modules(list(base.__path__)), key=lambda i: i.name):
        importlib.import_module("%s.%s.%s" % (_PACKAGE, package, info.name))
        names.append("%s.%s" % (package, info.name))
    return names


def _jinja_plugins():
    """Load Ansible's Jinja filter and test plugins; how many (0 when this ansible-core cannot list them)."""
    try:
        return len(list(filter_loader.all())) + len(list(test_loader.all()))
    except Exception:  # pylint: disable=broad-exception-caught  # a speed-up only: never stops the run
        return 0


LOADED = _load("plugin_utils") + _load("filter")
JINJA_PLUGINS = _jinja_plugins()


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars or {})
        result.update(changed=False, loaded=list(LOADED), jinja_plugins=JINJA_PLUGINS)
        return result
