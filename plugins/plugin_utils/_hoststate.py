# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One edge server's state, read on the controller by the actions of the host playbooks.

The actions ``sfb.edge.host_state``, ``sfb.edge.host_drift`` and ``sfb.edge.host_validation`` each do in one
task what the roles edge_state, drift and validate did in several (Ansible spends about as much per task and
host - a fork and the host's variables - whatever the task does). They share :class:`HostAction`:

* the desired state: the handle of the play's one validation (``plan_validation.hosts[host]``, the
  playbooks' validation step), else this host's alone, computed from the whole inventory;
* the gathered state, in this order: the one read earlier in this run when it is still the host's state
  (:func:`still_current`), the snapshot (``<facts_from>/<host>.json``, kept in the controller's store as
  the ``sfb.edge.edge_snapshot`` lookup does with ``store=true``: :func:`snapshot_handle`), or one
  ``sfb.edge.edge_facts`` call on the host, with the arguments the edge_state role gave it.

Each result says how the state was read (``state_read``: ``kept``, ``snapshot`` or ``live``), so that the
test callback and scripts/bench.py count a gathering where the host was read.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from ansible.errors import AnsibleActionFail, AnsibleError
from ansible.plugins.action import ActionBase

try:  # ansible-core >= 2.21: actions register the variables they set, at the layer they choose
    from ansible.plugins.action import VariableLayer
except ImportError:  # older cores: an action's ansible_facts are facts
    VariableLayer = None

from ansible_collections.sfb.edge.plugins.plugin_utils import _csaccess
from ansible_collections.sfb.edge.plugins.plugin_utils import _files
from ansible_collections.sfb.edge.plugins.plugin_utils import _made
from ansible_collections.sfb.edge.plugins.plugin_utils import _steps
from ansible_collections.sfb.edge.plugins.plugin_utils import _guard as guard
from ansible_collections.sfb.edge.plugins.plugin_utils import _outputs as outputs
from ansible_collections.sfb.edge.plugins.plugin_utils import _state as state
from ansible_collections.sfb.edge.plugins.plugin_utils import _store as store
from ansible_collections.sfb.edge.plugins.plugin_utils import _cs
from ansible_collections.sfb.edge.plugins.plugin_utils._excerpt import excerpt as _x

# The re-read-after-change rule: sfb.edge.edge_apply, whatever its area, sets this fact when it applied a change (or,
# from snapshots, planned one: a live run would have applied it), with the run's marker as its value
# (:func:`stale_facts`); the roles' reboot tasks set it to true (set_fact). Either way the state read before is no
# longer the host's (:func:`still_current`). A marker of another run (a fact cache that outlives the run) is not.
STALE_FACT = "edge_state_stale"
# The variables the connection plugins take the port from (guard.connection_port).
CONNECTION_VARS = ("ansible_connection", "ansible_port", "ansible_winrm_port", "ansible_winrm_scheme",
                   "ansible_psrp_port", "ansible_psrp_protocol", "ansible_ssh_port")
READ_KINDS = ("kept", "snapshot", "live")
# The options of every host action (plugins/doc_fragments/host_state.py documents them). facts_from unset (None):
# the host's sfb_edge_facts_from, as the playbooks' tasks leave it (a task argument that is a template costs a
# template compilation per host in its worker; a plain inventory value is read as it is).
STATE_OPTIONS = {"facts_from": {"type": "str"}, "again": {"type": "bool", "default": False}}


def store_state(data, host):
    """Keep a checked gathered state in the controller's store of the run; its handle (``host``, ``checked``,
    ``computer.pending_reboot``, the digest). The sfb.edge.edge_snapshot lookup (``store=true``) uses it too."""
    return store.put(store.run_directory(), data, "state", host=host, checked=True,
                     computer={"pending_reboot": (data.get("computer") or {}).get("pending_reboot")})


def snapshot_handle(directory, host):
    """``<directory>/<host>.json``, checked (docs/state-format.md) and kept in the controller's store of the
    run, as the sfb.edge.edge_snapshot lookup does with ``store=true``: its handle."""
    return store_state(state.load_snapshot(directory, host), host)


def still_current(task_vars, again=False):
    """True when the state read earlier in this run (``edge_state_current``) is still the host's state: it
    was read in this run (``edge_state_run``), the caller does not ask to read it again, and nothing was
    applied to the host since - no change applied by an edge_apply task, no reboot. From snapshots, a change
    a live run would have applied reads the snapshot again (the same calls as the live run).
    A state the host actions read in another run (a fact cache that outlives the run) is never kept; one
    set by a play of the run itself (``edge_state_current`` without ``edge_state_run``) is. What was applied is read
    from :data:`STALE_FACT`."""
    if again or "edge_state_current" not in task_vars:
        return False
    if task_vars.get("edge_state_run") not in (None, run_marker()):
        return False
    marker, facts = run_marker(), task_vars.get("ansible_facts")
    if isinstance(facts, Mapping) and facts.get(STALE_FACT) == marker:
        return False  # an edge_apply task changed the host in this run (read as a fact: no top-level fact read)
    mark = task_vars.get(STALE_FACT)  # a reboot task's set_fact (true); the fact itself where facts are variables
    return not (mark is True or mark == marker)


def stale_facts(result):
    """The ``ansible_facts`` an sfb.edge.edge_apply result adds: :data:`STALE_FACT` (this run's marker) when it changed
    the host - a change it applied (``applied`` not False: a call that ran) or, from snapshots, planned - else none
    (check mode, nothing to change)."""
    if result.get("changed") and (result.get("applied") is not False or result.get("snapshot") is True):
        return {STALE_FACT: run_marker()}
    return {}


def run_marker():
    """What names this ansible-playbook run (its store directory): a state kept in a fact cache from an
    earlier run is never taken for this run's."""
    return store.run_directory()


def replica_of(replicas, fqdn):
    """This edge's entry of sfb.edge.cs_replication's ``replicas`` (None when it has none)."""
    for entry in replicas or ():
        if isinstance(entry, dict) and entry.get("fqdn") == fqdn:
            return entry
    return None


def write_reports(files, host, report_dir=None, task_vars=None):
    """Write ``[{path, content}]`` (sfb.edge.report_files' writer: atomic, a file with the same content is left
    alone) inside ``report_dir``, refused inside an inventory source of the run; ``(written, unchanged)``."""
    try:
        return outputs.write_files(files, base=report_dir,
                                   sources=(task_vars or {}).get("ansible_inventory_sources"))
    except outputs.OutputError as exc:
        raise AnsibleActionFail("%s: %s" % (host, exc)) from None


def variable(templar, task_vars, name, default=None):
    """A variable of the host, templated (inventory values may be templates); ``default`` when unset or null."""
    if name not in task_vars:
        return default
    value = templar.template(task_vars[name])
    return default if value is None else value


def inventory_bool(templar, task_vars, name, host, default=False):
    """The boolean inventory variable ``name`` of the host (``default`` when unset); a value that is not a boolean
    fails naming the host, the variable and the value."""
    from ansible.module_utils.parsing.convert_bool import boolean  # pylint: disable=import-outside-toplevel

    value = variable(templar, task_vars, name, default)
    try:
        return boolean(value, strict=True)
    except TypeError:
        raise AnsibleActionFail("%s: %s is %s, not a boolean; set it to true or false" % (host, name, _x(value, name))) from None


def report_directory(templar, task_vars, given=None):
    """Where the host actions write their reports: ``given`` (the action's ``report_dir``), else the plan directory
    the playbooks' validation step decided for the run (``plan_validation.plan_dir``: the one plan.yml writes), else
    the host's ``sfb_edge_plan_dir`` resolved as plan.yml resolves it."""
    if given:
        return given
    validation = task_vars.get("plan_validation")
    decided = validation.get("plan_dir") if isinstance(validation, dict) else None
    if isinstance(decided, str) and decided:
        return decided
    from ansible_collections.sfb.edge.plugins.plugin_utils._plan_dir import plan_directory  # pylint: disable=import-outside-toplevel

    return plan_directory(templar, task_vars, None, {})


def frontend_host(templar, task_vars):
    """The Front End that exports the configuration, probes and reports replication: ``sfb_edge_frontend_host``,
    else the first host of the group ``front_ends``; ``""`` when the inventory has none. The one place this is
    decided: the host actions' ``edge_state_frontend`` and sfb.edge.plan_validation's ``frontend`` (which the
    playbooks' run-once Front End tasks delegate to)."""
    name = variable(templar, task_vars, "sfb_edge_frontend_host")
    groups = task_vars.get("groups") or {}
    if name:
        return check_frontend(str(name), groups, "sfb_edge_frontend_host (%r)" % (str(name),))
    front_ends = groups.get("front_ends") or []
    if not front_ends:
        return ""
    return check_frontend(str(front_ends[0]), groups, "the first host of the group front_ends (%r)" % (str(front_ends[0]),))


def check_frontend(name, groups, what):
    """``name`` when it is an inventory host outside the group edge_servers (docs/inventory.md), else
    AnsibleActionFail naming the variable, the value and the fix - before any host is touched."""
    if name in (groups.get("edge_servers") or []):
        raise AnsibleActionFail(
            "%s is an edge server (group edge_servers), not a Front End: the Front End exports the configuration and "
            "probes the edges' internal firewall rules, so it must be an inventory host outside edge_servers. Set "
            "sfb_edge_frontend_host to the Front End's inventory name, or put the Front End (and no edge) in the group "
            "front_ends" % what)
    if name not in (groups.get("all") or []):
        raise AnsibleActionFail(
            "%s is not a host of the inventory: the Front End must be an inventory host outside edge_servers "
            "(not localhost, not an address or FQDN the inventory does not list). Add the Front End to the inventory "
            "(the group front_ends) and set sfb_edge_frontend_host to its inventory name, or leave it unset" % what)
    return name


class HostAction(ActionBase):
    """The base of the host actions: read the host's state (see the module's docstring)."""

    TRANSFERS_FILES = False
    ARGUMENT_SPEC = {}
    # The action passes the state read on to later tasks (sfb.edge.host_state's facts): a snapshot goes to the
    # controller's store and the facts carry its handle. The others keep a snapshot in memory (store.CheckedState).
    KEEPS_STATE = False

    def run(self, tmp=None, task_vars=None):
        """Check the options, read the state, then :meth:`evaluate` (the action's own work) - or return the failed
        gathering (``state_read`` says the host was called)."""
        return self._run(tmp, task_vars or {})

    def _run(self, tmp, task_vars):
        result = super().run(tmp, task_vars)
        host = task_vars["inventory_hostname"]
        return self.as_variables(self._one(result, task_vars, host, self._args(host)))

    def as_variables(self, result):
        """The ``ansible_facts`` of ``result`` set as the host's variables - what ``set_fact`` sets - not as facts:
        ansible-core 2.20+ deprecates reading a fact as a top-level variable (INJECT_FACTS_AS_VARS), which is how the
        roles, the playbooks and plays of the users' own read ``edge_state_*``. Where the core lets an action choose
        (2.21+); before, they stay facts (read the same way; 2.20 prints that deprecation, 2.16 to 2.19 do not)."""
        facts = result.get("ansible_facts")
        register = getattr(self, "register_host_variables", None)
        if VariableLayer is not None and register is not None and facts:
            register({}, VariableLayer.CACHEABLE_FACT)  # not the facts of the result too (as set_fact does)
            register(dict(facts), VariableLayer.EPHEMERAL_FACT)
        return result

    def _one(self, result, task_vars, host, args):
        """The action for one host (``task_vars``: its variables)."""
        if args["facts_from"] is None:
            args = dict(args, facts_from=str(self._var(task_vars, "sfb_edge_facts_from", "") or ""))
        facts, read, failure = self.read_state(task_vars, args["facts_from"], args["again"])
        if failure is not None:
            failure.update(state_read=read, changed=False)
            return failure
        result.update(changed=False, state_read=read)
        try:
            return self.evaluate(result, task_vars, host, args, facts)
        except AnsibleError as exc:
            if isinstance(exc, AnsibleActionFail):
                raise
            raise AnsibleActionFail("%s: %s" % (host, exc.message)) from None

    def evaluate(self, result, task_vars, host, args, facts):
        """The action's work on the state read: update and return ``result``."""
        raise NotImplementedError

    def _args(self, host):
        try:
            _valid, args = self.validate_argument_spec(argument_spec=self.ARGUMENT_SPEC)
        except AnsibleActionFail as exc:
            raise AnsibleActionFail("%s on %s: %s" % (self._task.action, host, exc.message)) from None
        return args

    def _var(self, task_vars, name, default=None):
        """A variable of the host, templated (inventory values may be templates)."""
        return variable(self._templar, task_vars, name, default)

    def _frontend(self, task_vars):
        return frontend_host(self._templar, task_vars)

    def _desired(self, task_vars, host):
        validation = task_vars.get("plan_validation")
        hosts = validation.get("hosts") if isinstance(validation, dict) else None
        if isinstance(hosts, dict) and host in hosts:
            return hosts[host]
        # a play without the playbooks' validation step: this host's alone, from the whole inventory
        from ansible_collections.sfb.edge.plugins.plugin_utils._edge_inventory import edge_inventory  # pylint: disable=import-outside-toplevel

        inventory = edge_inventory(task_vars["hostvars"], list((task_vars.get("groups") or {}).get("edge_servers") or []))
        try:
            return _steps.desired_state(inventory, host)
        except _steps.StepError as exc:
            raise AnsibleError(str(exc)) from None

    def read_state(self, task_vars, facts_from="", again=False):
        """``(facts, read, failure)``: the edge_state_* facts of the host, how the state was read (``kept``,
        ``snapshot``, ``live``), and the failed result of the gathering (None when it worked)."""
        host = task_vars["inventory_hostname"]
        connection = {name: self._var(task_vars, name, "") for name in CONNECTION_VARS}
        try:
            desired = self._desired(task_vars, host)
            port = guard.connection_port(connection)
        except AnsibleError as exc:
            raise AnsibleActionFail("%s: %s" % (host, exc.message)) from None
        reuse = still_current(task_vars, again)
        facts = {"edge_state_desired": desired, "edge_state_snapshot": bool(facts_from),
                 "edge_state_frontend": self._frontend(task_vars), "edge_state_connection_port": port,
                 "edge_state_reuse": reuse, "edge_state_run": run_marker()}
        if reuse:
            facts.update(edge_state_current=task_vars["edge_state_current"],
                         edge_state_source=task_vars.get("edge_state_source", "live"))
            return facts, "kept", None
        if facts_from:
            try:
                current = (snapshot_handle(facts_from, host) if self.KEEPS_STATE
                           else store.CheckedState(state.load_snapshot(facts_from, host)))
            except (state.StateError, store.StoreError) as exc:
                raise AnsibleActionFail("sfb.edge.edge_snapshot: %s" % exc) from None
            except OSError as exc:
                raise AnsibleActionFail("%s: cannot keep the state in the controller's store: %s" % (host, exc)) from None
            facts.update(edge_state_current=current, edge_state_source="snapshot %s/%s.json" % (facts_from, host))
            return facts, "snapshot", None
        cs = desired["cs"]
        module_args = {"connection_ports": guard.gather_ports(connection),
                       "cs": {"module_path": cs["module_path"], "install_dir": cs["install_dir"],
                              "services": cs["services"], "features": cs["features"]}}
        if cs.get("cu_path"):  # the update's own version is the target of the cu step (issue 19, point 1)
            module_args["cs"]["cu_installer"] = _cs.cu_installer(cs["cu_path"], cs["version"])
        check_mode = self._task.check_mode
        self._task.check_mode = False  # reading changes nothing: the state of a check run is the real one
        try:
            gathered = self._execute_module(module_name="sfb.edge.edge_facts", module_args=module_args,
                                            task_vars=task_vars)
        finally:
            self._task.check_mode = check_mode
        if gathered.get("failed") or gathered.get("unreachable") or "state" not in gathered:
            failure = dict(gathered, failed=True)
            failure["msg"] = (self._store_denied(gathered, [gathered.get("msg")], host) or
                              "%s: reading the state with sfb.edge.edge_facts failed: %s" % (
                                  host, gathered.get("msg") or "the module returned no state"))
            return facts, "live", failure
        # The CS store refused the account: the state of its part would be wrong (an import planned on every
        # run), so the read fails, naming the account and the fix (issue 19, point 15).
        message = self._store_denied(gathered, gathered.get("warnings") or [], host)
        if message:
            return facts, "live", dict(gathered, failed=True, msg=message)
        facts.update(edge_state_current=gathered["state"], edge_state_source="live")
        return facts, "live", None

    def _store_denied(self, gathered, texts, host):
        """The message of the first permission error of the CS local store among ``texts``, else None."""
        for text in texts:
            user = ((gathered.get("state") or {}).get("computer") or {}).get("user") or {}
            who = user.get("name") if isinstance(user, dict) and user.get("name") else _csaccess.account(
                self._play_context.become, self._play_context.become_user, self._play_context.remote_user)
            message = _csaccess.explain(text, who, host, "reading the state (sfb.edge.edge_facts)")
            if message:
                return message
        return None

    @staticmethod
    def guard_inputs(task_vars, templar):
        """``ansible_host`` (else the inventory name): the address the controller connects to."""
        value = templar.template(task_vars.get("ansible_host")) if task_vars.get("ansible_host") else None
        return str(value) if value else str(task_vars["inventory_hostname"])

    def made(self, args, host):
        """``made: {at, mode}`` of this host's report (_made): ``snapshot`` when its state came from snapshots
        (``facts_from``), else ``check`` in a check run, else ``live``."""
        try:
            return _made.made(_made.mode(bool(args["facts_from"]), self._task.check_mode))
        except ValueError as exc:
            raise AnsibleActionFail("%s: %s" % (host, exc)) from None

    @staticmethod
    def report_base(report_dir, pool, kind, host, what_if=False):
        """``<report_dir>/<pool>/<kind>/<host>`` (the caller adds the suffix); ``what_if``:
        ``<report_dir>/<pool>/what-if/<kind>/<host>`` (a report made from snapshots, _made). The pool and the host
        plain file names (_files.child), refused naming the host otherwise."""
        try:
            folder = _files.child(os.path.realpath(report_dir), pool)
            if what_if:
                folder = _files.child(folder, _made.WHAT_IF)
            return _files.child(_files.child(folder, kind), host)
        except _files.FilesError as exc:
            raise AnsibleActionFail("%s: %s" % (_files.shown(host), exc)) from None
