# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options shared by the filters that take the whole edge inventory."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  _input:
    description: The output of the P(sfb.edge.edge_inventory#filter) filter.
    type: dict
    required: true
  read_certificates:
    description: Read the certificate files named in C(sfb_edge_certificates).
    type: bool
    default: true
"""
