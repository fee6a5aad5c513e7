# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: the desired state of edge servers from the edge inventory.

What the sfb.edge.desired_state and sfb.edge.desired_states filters return (their documentation:
plugins/filter/desired_state.py, desired_states.py), and what sfb.edge.plan_validation and the host actions compute
the desired states with. Failures raise AnsibleFilterError naming the filter, as the filters always did.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.edge.plugins.plugin_utils import desired, store as _store


def inventory_dict(inventory, name):
    """``inventory`` when it is the output of sfb.edge.edge_inventory (a dict); else the filter ``name`` fails."""
    if not isinstance(inventory, dict):
        raise AnsibleFilterError("sfb.edge.%s: expected the output of sfb.edge.edge_inventory (a dict), "
                                 "got %s" % (name, type(inventory).__name__))
    return inventory


def desired_state(inventory, host):
    """The desired state of one edge server (the sfb.edge.desired_state filter)."""
    try:
        return desired.build(inventory_dict(inventory, "desired_state"), str(host))
    except desired.DesiredError as exc:
        raise AnsibleFilterError("sfb.edge.desired_state: %s" % exc) from None


def handle(state, directory=None):
    """The store's handle of a desired state: its digest plus what the roles read directly (host, pool, cs)."""
    return _store.put(directory or _store.run_directory(), state, "desired",
                      host=state["host"], pool=state["pool"], cs=state["cs"])


def desired_states(inventory, hosts=None, read_certificates=True, store=False):
    """One validation of the whole inventory: ``{findings, hosts: {host: desired state}}``; the states only
    when there is no error finding (the caller shows the findings and stops)."""
    if hosts is not None and (isinstance(hosts, (str, bytes, dict)) or not hasattr(hosts, "__iter__")):
        raise AnsibleFilterError("sfb.edge.desired_states: hosts is a list of inventory hostnames, got %s"
                                 % type(hosts).__name__)
    try:
        findings, states = desired.build_all(inventory_dict(inventory, "desired_states"), hosts,
                                             read_certificates=bool(read_certificates))
    except desired.DesiredError as exc:
        raise AnsibleFilterError("sfb.edge.desired_states: %s" % exc) from None
    if store:
        try:
            states = {host: handle(state) for host, state in states.items()}
        except (OSError, _store.StoreError) as exc:
            raise AnsibleFilterError("sfb.edge.desired_states: cannot keep the desired states in the controller's "
                                     "store: %s" % exc) from None
    return {"findings": findings, "hosts": states}
