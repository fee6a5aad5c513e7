# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: one module per area (``_areas/<area>.py``), each exporting ONE record,
``AREA`` (:class:`Area`).  The registry (:mod:`._registry`) orders them and derives every list of areas
the collection has: drift's tables, the slicing keys (:mod:`areas`), the guarded set, edge_apply's
choices, site.yml's converge order and the areas whose applied change makes the state read before stale.

This file only defines the record: an area module imports it without loading the other areas."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Tuple


@dataclass(frozen=True)
class Area:
    """What the collection knows of one area.

    :param name: the area's name (edge_apply's ``area``, the drift report's keys).
    :param order: where it runs in site.yml (converge.yml) and is listed in reports: lowest first.
    :param desired_sections: the top-level sections of the desired state (:mod:`desired`) it reads.
    :param current_sections: the top-level sections of the gathered state (:mod:`state`) it reads.
    :param function: the compare function, ``(desired, current[, options][, now]) -> result``
        (:func:`changes.result`: the changes, the problems, the notes and the module calls that apply them).
    :param modules: the modules its calls name (what applies it on the host).
    :param role: the role site.yml runs for it; None: reported by drift.yml, never applied by site.yml.
    :param phase: the part of site.yml that applies it (``windows`` or ``install``, :mod:`_phase`); None: not applied.
    :param guarded: the lockout guard judges its changes (they may cut the controller's connection).
    :param options: ``function`` takes the CS options (``frontend``, ``config_refresh``).
    :param timed: ``function`` takes ``now`` (it judges certificate expiry).
    """

    name: str
    order: int
    desired_sections: Tuple[str, ...]
    current_sections: Tuple[str, ...]
    function: Callable
    modules: Tuple[str, ...]
    role: Optional[str]
    phase: Optional[str]
    guarded: bool = False
    options: bool = False
    timed: bool = False

    @property
    def applied(self):
        """site.yml applies it (an sfb.edge.edge_apply task of its role)."""
        return self.role is not None

    def desired(self, state):
        """This area's part of a desired state: the sections it reads that ``state`` has."""
        return {name: state[name] for name in self.desired_sections if name in state}

    def compare(self, desired, current, options=None, now=None):
        """The area's result for one host: desired state against gathered state."""
        args = (desired, current) + ((options,) if self.options else ()) + ((now,) if self.timed else ())
        return self.function(*args)
