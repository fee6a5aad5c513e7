# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sfb.edge.edge_inventory filter."""

from __future__ import annotations

DOCUMENTATION = r"""
name: edge_inventory
author: sfb.edge contributors
version_added: 0.1.0
short_description: The sfb.edge inventory contract of a set of hosts, as plain data
description:
  - Reads the C(sfb_edge_*) variables of the given hosts from C(hostvars) and returns them as a
    plain mapping, the input of P(sfb.edge.validate#filter) and P(sfb.edge.plan#filter) filters.
  - Only C(sfb_edge_*) variables are read, so connection secrets such as C(ansible_password) are
    never templated or copied, plus C(inventory_dir), the directory relative certificate paths of the
    host are resolved against (docs/awx.md, "Paths").
options:
  _input:
    description: C(hostvars).
    type: dict
    required: true
  hosts:
    description: The edge servers, normally C(groups['edge_servers']).
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Read the edge inventory
  ansible.builtin.set_fact:
    plan_inventory: "{{ hostvars | sfb.edge.edge_inventory(groups['edge_servers'] | default([])) }}"
"""

RETURN = r"""
_value:
  description: "C({inventory_hostname: {sfb_edge_*: value, inventory_dir: path}}) (C(inventory_dir) only where the
    host has one)."
  type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible.release import __version__ as _CORE_VERSION

from ansible_collections.sfb.edge.plugins.plugin_utils import model as _model
from ansible_collections.sfb.edge.plugins.plugin_utils.plain import plain as _plain
from ansible_collections.sfb.edge.plugins.plugin_utils.plain import template_left as _template_left

# ansible-core 2.16 to 2.18 leave an expression with an undefined variable as it is when hostvars
# are read (2.19 raises): those versions get the check below.
_LENIENT_HOSTVARS = tuple(int(p) for p in _CORE_VERSION.split(".")[:2]) < (2, 19)


def _inventory_dir(variables):
    """The host's inventory_dir (None for hosts made by add_host or the implicit localhost)."""
    try:
        value = variables.get("inventory_dir")
    except Exception:  # pylint: disable=broad-except  # an undefined magic variable: no base directory
        return None
    return str(value) if isinstance(value, str) and value else None


def edge_inventory(hostvars, hosts=None):
    if hosts is None or isinstance(hosts, str) or not isinstance(hosts, (list, tuple)):
        raise AnsibleFilterError("sfb.edge.edge_inventory: hosts must be a list of inventory hostnames "
                                 "(groups['edge_servers']), got %r" % (hosts,))
    result = {}
    for host in hosts:
        try:
            variables = hostvars[host]
        except KeyError:
            raise AnsibleFilterError("sfb.edge.edge_inventory: host %r is not in hostvars" % (host,)) from None
        data = {}
        for name in list(variables.keys()):
            if not str(name).startswith("sfb_edge_"):
                continue
            try:
                value = variables[name]
                left = _template_left(value) if _LENIENT_HOSTVARS else None
                data[str(name)] = _plain(value)
            except Exception as exc:  # templating errors carry their own explanation
                raise AnsibleFilterError("sfb.edge.edge_inventory: host %s, variable %s cannot be evaluated: %s"
                                         % (host, name, exc)) from None
            if left is not None:
                raise AnsibleFilterError("sfb.edge.edge_inventory: host %s, variable %s cannot be evaluated: %r is "
                                         "still a template (a variable it uses is undefined?); define what it uses "
                                         "or give the value itself" % (host, name, left))
        base = _inventory_dir(variables)
        if base:
            data[_model.BASE_DIR] = base
        result[str(host)] = data
    return result


class FilterModule:
    def filters(self):
        return {"edge_inventory": edge_inventory}
