# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: one edge server's desired state compared with its gathered state.

The drift report of one host: what the sfb.edge.drift filter returns (its documentation: plugins/filter/drift.py)
and what sfb.edge.host_drift computes (the areas to converge, for sfb.edge.host_state: _steps.drift_areas).
Either state may be a handle of the controller's store. Failures raise AnsibleFilterError naming the filter, as
the filter always did.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.edge.plugins.plugin_utils import _parts as _areas
from ansible_collections.sfb.edge.plugins.plugin_utils import _drift
from ansible_collections.sfb.edge.plugins.plugin_utils import _state
from ansible_collections.sfb.edge.plugins.plugin_utils import _steps
from ansible_collections.sfb.edge.plugins.plugin_utils import _store
from ansible_collections.sfb.edge.plugins.plugin_utils._plain import plain


def drift(desired, current, ansible_host=None, source=None, options=None, connection_port=None, areas=None,
          replication=None):
    """The drift report of one host (the sfb.edge.drift filter)."""
    wanted = _drift.REPORT_AREAS if areas is None else tuple(areas) if isinstance(areas, (list, tuple)) else None
    if wanted is None or not set(wanted) <= set(_drift.REPORT_AREAS):
        raise AnsibleFilterError("sfb.edge.drift: areas is a list of %s, got %r" % (", ".join(_drift.REPORT_AREAS), areas))
    try:
        desired, current, was_checked = _store.load_states(desired, current, plain)
        if replication:
            current = dict(current, replication=plain(replication))
            was_checked = False
        if was_checked:
            pass  # checked whole when it was stored; the store gives exactly that content back
        elif areas is None:
            current = _state.check(current, where="the gathered state")
        else:  # the area's part of the state (sfb.edge.state_parts)
            for area in wanted:
                _areas.check_current(current, area, where="the gathered state")
        port, addresses, error = _steps.guard_inputs("drift", ansible_host, connection_port)
        return _drift.report(desired, current, ansible_host=ansible_host, source=source,
                             options=plain(options or {}), port=port, host_addresses=addresses,
                             resolve_error=error, areas=wanted)
    except _steps.StepError as exc:  # the connection port (names the filter itself)
        raise AnsibleFilterError(str(exc)) from None
    except (_state.StateError, _store.StoreError) as exc:
        raise AnsibleFilterError("sfb.edge.drift: %s" % exc) from None
    except (KeyError, TypeError, ValueError) as exc:
        raise AnsibleFilterError("sfb.edge.drift: the desired state is not the output of sfb.edge.desired_state, "
                                 "or the gathered state is malformed (%s: %s)" % (type(exc).__name__, exc)) from None
