# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: the validation of one installed edge server, a pass/fail row per check.

What the sfb.edge.validation filter returns (its documentation: plugins/filter/validation.py) and what
sfb.edge.host_validation computes. Either state may be a handle of the controller's store. Failures raise
AnsibleFilterError naming the filter, as the filter always did.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.edge.plugins.plugin_utils import checks
from ansible_collections.sfb.edge.plugins.plugin_utils import state as _state
from ansible_collections.sfb.edge.plugins.plugin_utils import store as _store
from ansible_collections.sfb.edge.plugins.plugin_utils.plain import plain


def validation(desired, current, probes=None, replication=None, frontend=None, source=None):
    """The validation report of one host, a row per check (the sfb.edge.validation filter)."""
    try:
        where = _state.describe_source(desired, source)
        desired, current, was_checked = _store.load_states(desired, current, plain)
        current = current if was_checked else _state.check(current, where=where)
        replication = _state.check_replication(plain(replication) if replication else None,
                                               where="the replication status from the Front End")
        return checks.report(desired, current, probes=plain(probes) if probes is not None else None,
                             replication=replication, frontend=frontend,
                             source=source)
    except (_state.StateError, _store.StoreError) as exc:
        raise AnsibleFilterError("sfb.edge.validation: %s" % exc) from None
    except (KeyError, TypeError, ValueError) as exc:
        raise AnsibleFilterError("sfb.edge.validation: the desired state is not the output of sfb.edge.desired_state "
                                 "(%s: %s)" % (type(exc).__name__, exc)) from None
