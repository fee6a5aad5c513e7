# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Documentation only: sfb.edge.preload runs on the controller (plugins/action/preload.py).

DOCUMENTATION = r"""
module: preload
author: sfb.edge contributors (!UNKNOWN)
version_added: 0.4.0
short_description: Internal, not a public API - load the collection's controller code once, before the hosts' tasks fork
description:
  - Internal to the collection's roles and playbooks, not a public API - a speed mechanism; no task of theirs calls it
    (the validation step, P(sfb.edge.plan_validation#module), does what it does). Its options and results may change
    in any release without a deprecation; use the playbooks or the roles instead.
  - Loads the collection's filter plugins and C(plugin_utils) in Ansible's main process, so each task of each
    host does not compile them again in its worker process (Ansible's collection loader keeps no bytecode cache;
    at 12 servers this is seconds of CPU per playbook). Changes nothing, contacts no host.
  - Reads and writes no cache; nothing is written anywhere (0.4.0's bytecode cache was removed in 0.5.0).
  - Loads Ansible's own Jinja filter and test plugins too, which each worker would otherwise load for itself.
  - The linear strategy (Ansible's default) loads a task's action plugin in the main process when the task
    starts, so the task helps every task after it in the run. The validation step of the collection's
    playbooks (the C(sfb.edge.plan) role's validate tasks) runs it first.
options: {}
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    support: full
    platforms: posix
    description: Runs on the controller only.
"""

EXAMPLES = r"""
- name: Load the collection's controller code once
  sfb.edge.preload:
  run_once: true
"""

RETURN = r"""
changed:
  description: Always V(false).
  returned: always
  type: bool
loaded:
  description: The modules loaded (C(plugin_utils.<name>), C(filter.<name>)).
  returned: always
  type: list
  elements: str
  sample: [plugin_utils.drift, filter.drift]
jinja_plugins:
  description: How many of Ansible's Jinja filter and test plugins were loaded (0 when this ansible-core cannot
    list them).
  returned: always
  type: int
"""
