"""Let tests import the collection by its real name: ansible_collections.sfb.edge...

scripts/bootstrap.sh links .cache/collections/ansible_collections/sfb/edge to the checkout;
we make that link if it is missing and put .cache/collections on sys.path.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLLECTIONS = ROOT / ".cache" / "collections"

_link = COLLECTIONS / "ansible_collections" / "sfb" / "edge"
if not _link.exists():
    if _link.is_symlink():
        _link.unlink()
    _link.parent.mkdir(parents=True, exist_ok=True)
    _link.symlink_to(Path("..", "..", "..", ".."), target_is_directory=True)
if str(COLLECTIONS) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS))
# The simulated Windows host (tests/simhost, issue 21) holds the one model of the modules' effects, winsim.py,
# which the unit tests import as `winsim` too.
SIMHOST = ROOT / "tests" / "simhost"
if str(SIMHOST) not in sys.path:
    sys.path.append(str(SIMHOST))
# The unit tests mirror the plugin tree (tests/unit/plugins/<kind>/test_<module>.py, issue 22, point 8); the
# helpers they share (inventory_data, certfactory, html_check, ...) stay in tests/unit.
UNIT = ROOT / "tests" / "unit"
if str(UNIT) not in sys.path:
    sys.path.append(str(UNIT))
# A test module may import another one by its name, as in the flat layout (test_fwproof uses the PowerShell parser of
# test_powershell_syntax): every folder of the mirrored tree is on sys.path (the test file names are unique).
for _folder in sorted((UNIT / "plugins").glob("*")):
    if _folder.is_dir() and str(_folder) not in sys.path:
        sys.path.append(str(_folder))
