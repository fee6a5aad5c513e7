# -*- coding: utf-8 -*-
"""docs/getting-started.md cannot rot (issue 20, points 3 and 13).

Every ``sh`` block of the runbook is either run here, command by command, against the shipped snapshots
(nothing is contacted: each playbook command reads ``sfb_edge_facts_from=tests/snapshots/...`` or is the
controller-only plan, and writes to the scratch folder ``/tmp/sfb-edge-rehearsal``, replaced by a tmp
dir), or carries a line ``# live only`` - those are not run, but what they name is checked: the
playbooks, the ``-e`` variables, the phases and tags of site.yml, the AWX modes, the make targets and
the snapshot scenarios must exist. A wrong playbook name fails either way.
"""

from __future__ import annotations

import os
import re
import subprocess

import yaml

from test_plan_playbook import BIN, ROOT

from ansible_collections.sfb.edge.plugins.plugin_utils import _phase, _model as model

DOC = os.path.join(ROOT, "docs", "getting-started.md")
REHEARSAL = "/tmp/sfb-edge-rehearsal"
LIVE = "# live only"


def sh_blocks(text):
    """``[(line number, body)]`` of the fenced ```sh blocks."""
    blocks = []
    for match in re.finditer(r"^```sh\n(.*?)^```", text, re.M | re.S):
        blocks.append((text[:match.start()].count("\n") + 1, match.group(1)))
    return blocks


def is_live(body):
    return any(line.strip().startswith(LIVE) for line in body.splitlines())


def commands(body):
    """The commands of a block: continuation lines joined, comment-only and blank lines dropped."""
    out, current = [], ""
    for line in body.splitlines():
        if not current and (not line.strip() or line.strip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        out.append((current + line).strip())
        current = ""
    if current:
        out.append(current.strip())
    return out


def _known():
    playbooks = {n[:-4] for n in os.listdir(os.path.join(ROOT, "playbooks")) if n.endswith(".yml")}
    variables = set(model.KNOWN_VARS)
    roles = os.path.join(ROOT, "roles")
    for role in os.listdir(roles):
        spec = os.path.join(roles, role, "meta", "argument_specs.yml")
        if os.path.exists(spec):
            with open(spec, encoding="utf-8") as handle:
                for entry in (yaml.safe_load(handle).get("argument_specs") or {}).values():
                    variables.update((entry or {}).get("options") or {})
    with open(os.path.join(ROOT, "Makefile"), encoding="utf-8") as handle:
        targets = set(re.findall(r"^([A-Za-z][\w-]*):", handle.read(), re.M))
    with open(os.path.join(ROOT, "playbooks", "awx.yml"), encoding="utf-8") as handle:
        modes = set(re.findall(r"'(\w+)'", re.search(r"that: awx_mode in \[(.*?)\]", handle.read()).group(1)))
    scenarios = set(os.listdir(os.path.join(ROOT, "tests", "snapshots")))
    return playbooks, variables, targets, modes, scenarios


def problems(text):
    """What the ``sh`` blocks of ``text`` name that does not exist, one message per problem."""
    playbooks, variables, targets, modes, scenarios = _known()
    found = []
    for line, body in sh_blocks(text):
        for command in commands(body):
            where = "block at line %d, command %r" % (line, command[:90])
            for name in re.findall(r"\bplaybooks/([\w-]+)\.yml", command):
                if name not in playbooks:
                    found.append("%s: no playbook playbooks/%s.yml" % (where, name))
            for name in re.findall(r"ansible-playbook\s+sfb\.edge\.(\w+)", command):
                if name not in playbooks:
                    found.append("%s: no playbook sfb.edge.%s" % (where, name))
            for name, value in re.findall(r"-e\s+([A-Za-z_]\w*)=(\S*)", command):
                if name not in variables:
                    found.append("%s: unknown variable %s" % (where, name))
                elif name == "sfb_edge_phase" and "error" in _phase.site_parts(value, None, None):
                    found.append("%s: %s" % (where, _phase.site_parts(value, None, None)["error"]))
                elif name == "sfb_edge_awx_mode" and value not in modes:
                    found.append("%s: unknown AWX mode %s" % (where, value))
            for tags in re.findall(r"--tags[\s=]+(\S+)", command):
                result = _phase.site_parts(None, tags.split(","), [])
                if "error" in result:
                    found.append("%s: %s" % (where, result["error"]))
            for target in re.findall(r"(?:^|&&\s*|;\s*)make\s+([\w-]+)", command):
                if target not in targets:
                    found.append("%s: no make target %s" % (where, target))
            for scenario in re.findall(r"tests/snapshots/([\w-]+)", command):
                if scenario not in scenarios:
                    found.append("%s: no snapshot scenario tests/snapshots/%s" % (where, scenario))
    return found


def _doc():
    with open(DOC, encoding="utf-8") as handle:
        return handle.read()


def test_the_runbook_names_only_what_exists():
    text = _doc()
    assert problems(text) == []
    blocks = sh_blocks(text)
    runnable = [c for _line, body in blocks if not is_live(body) for c in commands(body)]
    live = [c for _line, body in blocks if is_live(body) for c in commands(body)]
    assert len(runnable) >= 7 and len(live) >= 10, (runnable, live)
    # the whole order, in the live steps: plan -> certificate requests -> Windows part -> firewall proof
    # -> install -> validate -> drift
    steps = [("plan", r"playbooks/plan\.yml"), ("certificate requests", r"playbooks/certificate_request\.yml"),
             ("Windows part", r"playbooks/site\.yml.*sfb_edge_phase=windows"),
             ("firewall proof", r"playbooks/firewall_proof\.yml"),
             ("install", r"playbooks/site\.yml.*sfb_edge_phase=install"),
             ("validate", r"playbooks/validate\.yml"), ("drift", r"playbooks/drift\.yml")]
    first = []
    for name, pattern in steps:
        at = [i for i, c in enumerate(live) if re.search(pattern, c)]
        assert at, "the live steps have no %s" % name
        first.append(at[0])
    assert first == sorted(set(first)), list(zip([s[0] for s in steps], first))
    # the same order in the rehearsal
    rehearsal = [next(i for i, c in enumerate(runnable) if re.search(p, c)) for _n, p in steps]
    assert rehearsal == sorted(rehearsal), rehearsal


def test_the_checker_catches_a_broken_command():
    text = _doc()
    broken = (text.replace("playbooks/firewall_proof.yml", "playbooks/firewall_prof.yml")
              .replace("-e sfb_edge_phase=windows", "-e sfb_edge_phase=window")
              .replace("-e sfb_edge_fail_on_drift=true", "-e sfb_edge_fail_on_drfit=true")
              .replace("tests/snapshots/cs-fresh", "tests/snapshots/cs_fresh")
              .replace("make plan INVENTORY", "make plans INVENTORY"))
    found = "\n".join(problems(broken))
    for word in ("no playbook playbooks/firewall_prof.yml", "unknown phase: 'window'",
                 "unknown variable sfb_edge_fail_on_drfit", "no snapshot scenario tests/snapshots/cs_fresh",
                 "no make target plans"):
        assert word in found, found
    # a command with a bad tag, and a block that is neither run nor marked
    assert "does not know the tag(s) 'windwos'" in "\n".join(problems(
        "```sh\n# live only\nansible-playbook playbooks/site.yml -i inv --tags windwos\n```\n"))
    assert problems("```sh\nansible-playbook sfb.edge.sites -i inv\n```\n") == [
        "block at line 1, command 'ansible-playbook sfb.edge.sites -i inv': no playbook sfb.edge.sites"]


def _env():
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".cache", "collections"),
               ANSIBLE_LOCAL_TEMP=os.path.join(ROOT, ".cache", "ansible-tmp"),
               PATH=BIN + os.pathsep + os.environ.get("PATH", ""),
               # the snapshots' certificates are judged at a fixed instant (they end on 2036-01-01)
               SFB_EDGE_NOW="2026-12-01T00:00:00Z")
    for key in ("ANSIBLE_CALLBACK_PLUGINS", "ANSIBLE_CALLBACKS_ENABLED"):
        env.pop(key, None)
    return env


def test_every_snapshot_command_of_the_runbook_runs(tmp_path):
    """The rehearsal of the runbook, as written, against the shipped snapshots: each command must succeed."""
    scratch = str(tmp_path / "rehearsal")
    runnable = [c for _line, body in sh_blocks(_doc()) if not is_live(body) for c in commands(body)]
    assert runnable
    for command in runnable:
        if "ansible-playbook" in command:
            # nothing contacted, nothing written into the checkout
            assert "sfb_edge_facts_from=tests/snapshots/" in command or "playbooks/plan.yml" in command, command
            assert "-e sfb_edge_plan_dir=%s" % REHEARSAL in command, command
        result = subprocess.run(["bash", "-c", command.replace(REHEARSAL, scratch)], cwd=ROOT, env=_env(),
                                capture_output=True, text=True, timeout=600, check=False)
        assert result.returncode == 0, "%s\n%s\n%s" % (command, result.stdout[-3000:], result.stderr[-2000:])
        assert "Traceback" not in result.stdout + result.stderr
    pool = tmp_path / "rehearsal" / "edgepool.corp.example.com"
    # reports made from snapshots are what-if reports: <pool>/what-if/ (they never overwrite a live run's pages)
    for name in ("report.html", "plan.md", "firewall.csv", "certificates/edge01-external.inf",
                 "what-if/firewall-proof/edge01.md", "what-if/validate/edge01.md", "what-if/drift/edge01.json",
                 "what-if/report.html"):
        assert (pool / name).is_file(), name
