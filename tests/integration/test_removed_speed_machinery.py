# -*- coding: utf-8 -*-
"""issue 22, point 6: speed machinery that did not pay is gone (docs/performance.md, "Speed machinery").

sfb.edge.preload saved under 10% of a run's CPU time at 12 servers x 2,000 networks: the module was removed in
0.5.0 and a task that still calls it fails naming the removal and what to do (meta/runtime.yml tombstone).
"""

from __future__ import annotations

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)

PLAY = """- name: A play of a user's own that still loads the collection's code
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Preload
      sfb.edge.preload:
"""


def test_a_task_calling_the_removed_preload_fails_naming_the_removal(tmp_path):
    (tmp_path / "play.yml").write_text(PLAY)
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".cache", "collections"),
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"), PY_COLORS="0")
    done = subprocess.run([os.path.join(BIN, "ansible-playbook"), str(tmp_path / "play.yml"), "-i", "localhost,",
                           "-c", "local"], cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    out = " ".join((done.stdout + done.stderr).split())
    assert done.returncode != 0, out
    assert "sfb.edge.preload" in out and "has been removed" in out
    assert "remove the task, nothing replaces it" in out
    assert not os.path.exists(os.path.join(ROOT, "plugins", "action", "preload.py"))
