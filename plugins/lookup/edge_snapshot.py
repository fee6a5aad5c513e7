# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sfb.edge.edge_snapshot lookup."""

from __future__ import annotations

DOCUMENTATION = r"""
name: edge_snapshot
author: sfb.edge contributors (!UNKNOWN)
version_added: 0.2.0
short_description: Read an edge server's state from a snapshot directory
description:
  - Reads C(<directory>/<host>.json), written by the collection's C(capture.yml) playbook, and checks
    that it is in the documented state format (docs/state-format.md). Runs on the controller; the host
    is not contacted.
  - Fails with a message naming the file when it is missing or malformed.
options:
  _terms:
    description: Inventory hostnames.
    type: list
    elements: str
    required: true
  directory:
    description: The snapshot directory (what C(sfb_edge_facts_from) names).
    type: str
    required: true
  store:
    description:
      - Keep the checked state in the controller's store of this run and return a small handle of it (the
        SHA-256 C(digest) of the stored content, C(host), C(checked=true), C(computer.pending_reboot)) instead of the state - so that
        Ansible never copies a large state between tasks. The filters and actions of the collection that take
        a gathered state take the handle as well.
    type: bool
    default: false
    version_added: 0.4.0
"""

EXAMPLES = r"""
- name: Use the snapshot instead of gathering
  ansible.builtin.set_fact:
    my_state: "{{ lookup('sfb.edge.edge_snapshot', inventory_hostname, directory=sfb_edge_facts_from) }}"
"""

RETURN = r"""
_raw:
  description: One state dict per term.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.sfb.edge.plugins.plugin_utils import _hoststate as hoststate, _state as state, _store as store


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        directory = self.get_option("directory")
        try:
            states = [state.load_snapshot(directory, str(term)) for term in terms]
            if self.get_option("store"):
                states = [hoststate.store_state(data, str(term)) for term, data in zip(terms, states)]
            return states
        except OSError as exc:
            raise AnsibleLookupError("sfb.edge.edge_snapshot: cannot keep the state in the controller's store: %s"
                                     % exc) from None
        except (state.StateError, store.StoreError) as exc:
            raise AnsibleLookupError("sfb.edge.edge_snapshot: %s" % exc) from None
