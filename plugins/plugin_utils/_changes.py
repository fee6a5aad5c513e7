# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The records every area of the diff engine returns (drift.py for Windows, cs.py for Lync/SfB)."""

from __future__ import annotations


def change(area, target, prop, action, before, after):
    return {"area": area, "target": target, "property": prop, "action": action, "before": before, "after": after}


def problem(area, variable, message):
    return {"area": area, "variable": variable, "message": message}


def result(area):
    return {"area": area, "changes": [], "problems": [], "notes": [], "calls": [], "blocked": []}
