# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: load the collection's controller code once, in Ansible's main process.

Ansible's collection loader compiles a collection's Python sources on every import (no bytecode cache), and each
task of each host runs in a freshly forked worker. The linear strategy loads a task's action plugin in the main
process before it forks the workers: an action that calls :func:`load` at module level (sfb.edge.preload,
sfb.edge.plan_validation) puts the packages it names in the main process once, and every worker forked after it
inherits them. A speed mechanism, not a dependency: which packages are loaded is the calling action's choice.

No compiled code is read from or written to any cache: the sources are compiled by Python's own import system, as
Ansible's collection loader does (0.5.0 removed the bytecode cache of 0.4.0, issue 18).
"""

from __future__ import annotations

import importlib
import pkgutil

_PLUGINS = __name__.rsplit(".", 2)[0]  # ansible_collections.sfb.edge.plugins
_LOADED = {}


def load(packages):
    """Import every module of each ``<plugins>.<package>`` of ``packages`` (once per process); the names of the
    modules, ``<package>.<module>``."""
    names = []
    for package in packages:
        if package not in _LOADED:
            found = []
            base = importlib.import_module("%s.%s" % (_PLUGINS, package))
            for info in sorted(pkgutil.iter_modules(list(base.__path__)), key=lambda i: i.name):
                importlib.import_module("%s.%s.%s" % (_PLUGINS, package, info.name))
                found.append("%s.%s" % (package, info.name))
            _LOADED[package] = found
        names += _LOADED[package]
    return names


def jinja_plugins():
    """Load Ansible's Jinja filter and test plugins (ansible-core 2.19 loads the built-in ones in each worker the
    first time a template uses a filter); how many (0 when this ansible-core cannot list them)."""
    from ansible.plugins.loader import filter_loader, test_loader  # pylint: disable=import-outside-toplevel

    try:
        return len(list(filter_loader.all())) + len(list(test_loader.all()))
    except Exception:  # pylint: disable=broad-exception-caught  # a speed-up only: never stops the run
        return 0
