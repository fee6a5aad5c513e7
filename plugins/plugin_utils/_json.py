# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: the one JSON writer of the collection's report files.

Every JSON file the controller code writes (plan.json, the drift and validation reports ``drift/<host>.json`` and
``validate/<host>.json``) is :func:`nice_json`'s text and a final newline: what ``ansible.builtin.to_nice_json(indent=2)``
gives (sorted keys, ASCII escapes, ``": "`` between key and value), as the roles wrote these files before.
(Until 0.5.0 a faster encoder of its own was here; it saved under 25% of any playbook's time and went:
docs/performance.md, "Speed machinery".)
"""

from __future__ import annotations

import json


def nice_json(data):
    """``data`` as ``to_nice_json(indent=2)`` writes it, without the final newline."""
    return json.dumps(data, indent=2, sort_keys=True, separators=(",", ": "))
