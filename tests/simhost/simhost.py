# -*- coding: utf-8 -*-
"""A simulated Windows host behind the sfb_winsim connection (connection_plugins/sfb_winsim.py); the firewall
proof's Linux probe host behind sfb_posixsim (connection_plugins/sfb_posixsim.py: sfb.edge.port_probe only).

Each host is a directory ``<SFB_EDGE_SIMHOST>/<inventory_hostname>/`` holding

- ``state.json`` - the host as ``sfb.edge.edge_facts`` would read it (docs/state-format.md); every state
  written here passes ``state.check`` (checked after each call). A host without one (the Front End) has
  no gathered state: only the Front End modules run on it;
- ``meta.json`` - what the state does not hold: the boot time (Win32_OperatingSystem.LastBootUpTime as a
  FILETIME), the fake clock, the async jobs, the files put on the host, the connection outages left, the
  product version the media install (``cs_version``, ``xmpp``) and the faults asked for;
- ``calls.jsonl`` - one line per exec, put and fetch: ``{n, class, module, args, become, async, check_mode,
  diff, changed, failed, address}``. ``class`` is ``module`` (a module payload: a *call*), ``poll``
  (async_status, and the win_ping of wait_for_connection), ``reboot`` (ansible.windows.win_reboot's boot
  time, shutdown and test commands), ``transfer`` (put_file, fetch_file and the temporary directory they
  use), ``other``, or ``refused`` (an attempt the host did not answer: rebooting, or an address it no
  longer has).

The effects of the modules on the state are those of winsim.py beside this file (``winsim.apply``,
``edge_cs_run``, ``reboot``): ONE model of the .ps1 modules and of the maintained modules the roles call,
used here and by the unit tests (tests/conftest.py puts this folder on their path).
Processes: every Ansible fork opens its own connection, so each exec reads and writes the host's files
under an exclusive lock.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import fcntl
import hashlib
import io
import json
import os
import re
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import winsim  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.sfb.edge.plugins.plugin_utils._state import check  # noqa: E402

ENV = "SFB_EDGE_SIMHOST"
BOOT_TIME = 134000000000000000  # a FILETIME (2025-08-23): the simulated hosts' first boot
TEMP = "C:\\Users\\Administrator\\AppData\\Local\\Temp"
HOME = "C:\\Users\\Administrator"
EXPORT_PATH = "C:\\Users\\fe-admin\\AppData\\Local\\Temp\\sfb-edge-export\\CsConfigurationExport.zip"
# Modules whose effect is winsim.apply's (the maintained ones with the arguments the roles give them).
MODELLED = ("sfb.edge.edge_network", "sfb.edge.edge_routes", "sfb.edge.edge_hosts_file", "sfb.edge.edge_certificates",
            "sfb.edge.edge_cs", "ansible.windows.win_dns_client", "community.windows.win_netbios",
            "ansible.windows.win_hostname", "ansible.windows.win_regedit", "ansible.windows.win_feature")
POLLS = ("ansible.windows.async_status", "ansible.builtin.async_status", "ansible.windows.win_ping")
# What ansible.builtin.fetch and copy run around a file transfer.
TRANSFERS = ("ansible.windows.slurp", "ansible.windows.win_stat")


_BLANK = {"class": "transfer", "module": None, "become": None, "async": None, "check_mode": False, "diff": False,
          "address": None}


class Unreachable(Exception):
    """The host does not answer (rebooting, or its address changed): the connection fails."""


def root():
    directory = os.environ.get(ENV)
    if not directory:
        raise Unreachable("%s is not set: the directory of the simulated hosts (tests/simhost)" % ENV)
    return directory


def create(directory, host, state=None, **meta):
    """Set up a simulated host: its state (None: a host without gathered state, the Front End) and meta
    options (``cs_version``, ``xmpp``, ``down_after_reboot``, ``down_after_network`` - attempts refused after an
    edge_network change -, ``update_installer`` - the file version of the update installer edge_facts reads -,
    ``faults``; on the Front End ``topology``:
    ``{edge FQDN: {internal, access, webconf, av}}``, the addresses the published topology gives each edge
    server, which Export-CsConfiguration writes into the export)."""
    path = os.path.join(directory, host)
    os.makedirs(path, exist_ok=True)
    if state is not None:
        check(state, where="the simulated state of %s" % host)
        _write(os.path.join(path, "state.json"), state)
    base = {"boot_time": BOOT_TIME, "clock": 0, "jobs": {}, "files": {}, "down": 0, "cs_version": "sfb2019",
            "xmpp": False, "down_after_reboot": 1, "faults": {}, "reboots": 0, "topology": {}}
    base.update(meta)
    _write(os.path.join(path, "meta.json"), base)
    return path


def calls(directory, host):
    """The recorded execs of ``host``, in order."""
    path = os.path.join(directory, host, "calls.jsonl")
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def counts(directory, host):
    """``{module, poll, reboot, transfer, other}``: how many execs of each class ``host`` received."""
    out = {"module": 0, "poll": 0, "reboot": 0, "transfer": 0, "other": 0, "refused": 0}
    for entry in calls(directory, host):
        out[entry["class"]] += 1
    return out


def state_of(directory, host):
    with open(os.path.join(directory, host, "state.json"), encoding="utf-8") as handle:
        return json.load(handle)


def _write(path, data):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
    os.replace(tmp, path)


class Host:
    """One simulated host, loaded under its lock for one exec (``with Host.open(name) as host``)."""

    def __init__(self, path, name):
        self.path, self.name = path, name
        with open(os.path.join(path, "meta.json"), encoding="utf-8") as handle:
            self.meta = json.load(handle)
        spath = os.path.join(path, "state.json")
        self.state = None
        if os.path.exists(spath):
            with open(spath, encoding="utf-8") as handle:
                self.state = json.load(handle)

    @classmethod
    @contextlib.contextmanager
    def open(cls, name):
        path = os.path.join(root(), name)
        if not os.path.isdir(path):
            raise Unreachable("no simulated host %s in %s" % (name, root()))
        with open(os.path.join(path, "lock"), "w", encoding="utf-8") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            host = cls(path, name)
            try:
                yield host
            finally:  # an unreachable attempt counts too (a reboot's outage ends after down_after_reboot of them)
                host.save()

    def save(self):
        if self.state is not None:
            check(self.state, where="the simulated state of %s after call %d" % (self.name, self.meta["clock"]))
            _write(os.path.join(self.path, "state.json"), self.state)
        _write(os.path.join(self.path, "meta.json"), self.meta)

    def record(self, entry):
        entry = dict(entry, n=self.meta["clock"])
        with open(os.path.join(self.path, "calls.jsonl"), "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, sort_keys=True) + "\n")

    # ------------------------------------------------------------------------------- reachability
    def addresses(self):
        if self.state is None:
            return None
        return {a["address"] for nic in self.state["adapters"] for a in nic["addresses"] if a.get("active", True)}

    def reachable(self, address):
        """Down for ``meta.down`` more attempts after a reboot; unreachable on an address it no longer has."""
        self.meta["clock"] += 1
        if self.meta["down"] > 0:
            self.meta["down"] -= 1
            raise Unreachable("%s: the simulated host %s (connection refused)"
                              % (self.name, self.meta.get("down_reason") or "is rebooting"))
        have = self.addresses()
        if have is not None and re.match(r"^\d+\.\d+\.\d+\.\d+$", address or "") and address not in have:
            raise Unreachable("%s: no simulated host answers on %s (its addresses: %s)"
                              % (self.name, address, ", ".join(sorted(have))))

    # ------------------------------------------------------------------------------- exec
    def execute(self, decoded, address):
        """``(rc, stdout, stderr)`` for one decoded exec (payload.decode)."""
        try:
            self.reachable(address)
        except Unreachable as exc:
            self.record(dict(_BLANK, **{"class": "refused", "address": address, "msg": str(exc)}))
            raise
        self.address = address
        entry = {"address": address, "module": decoded["module"], "args": _redacted(decoded["args"]),
                 "become": decoded["become"], "async": decoded["async"], "check_mode": decoded["check_mode"],
                 "diff": decoded["diff"], "action": decoded["action"]}
        if decoded["kind"] == "module":
            module = decoded["module"]
            entry["class"] = "poll" if module in POLLS else "transfer" if module in TRANSFERS else "module"
            if decoded["async"]:
                result = self.start_async(decoded)
            else:
                result = self.module(module, decoded["args"], decoded["check_mode"], decoded["diff"])
        elif decoded["kind"] == "executor":
            entry["class"] = "transfer"
            result = self.executor(decoded["action"], decoded["params"])
        else:
            entry["class"], result = self.raw(decoded["script"])
        if isinstance(result, tuple):  # raw: (rc, stdout)
            rc, out = result
            entry.update(rc=rc)
            self.record(entry)
            return rc, out.encode("utf-8"), b""
        entry.update(changed=bool(result.get("changed")), failed=bool(result.get("failed")))
        self.record(entry)
        return (1 if result.get("failed") else 0), json.dumps(result).encode("utf-8"), b""

    def executor(self, action, params):
        if action == "powershell_mkdtemp.ps1":
            return 0, "%s\\%s\r\n" % (TEMP, params["Name"])
        if action == "powershell_expand_user.ps1":
            path = params["Path"]
            return 0, (HOME + path[1:] if path.startswith("~") else path) + "\r\n"
        return 1, "the simulated host does not run %s" % action

    def raw(self, script):
        """ansible.windows.win_reboot's commands, and the Remove-Item of a temporary directory."""
        if "LastBootUpTime" in script:
            return "reboot", (0, "%d\r\n" % self.meta["boot_time"])
        if "shutdown.exe /r" in script:
            self.reboot()
            return "reboot", (0, json.dumps({"stdout": "", "stderr": "", "rc": 0}))
        if "shutdown.exe /a" in script:
            return "reboot", (1, "Unable to abort the system shutdown because no shutdown was in progress.(1116)")
        token = re.search(r"'(success-[0-9a-f-]+)'", script)
        if token:
            return "reboot", (0, "LogonUI\r\n%s\r\n" % token.group(1))
        if script.lstrip().startswith("Remove-Item") or "Remove-Item '" in script:
            for path in list(self.meta["files"]):
                if path.lower().startswith(TEMP.lower()):
                    del self.meta["files"][path]
            return "transfer", (0, "")
        return "other", (1, "the simulated host does not run this script: %s" % script[:200])

    def reboot(self):
        """A restart: a new boot time, the pending name active, no pending-reboot indicator, the connection
        down for ``down_after_reboot`` attempts."""
        self.meta["boot_time"] += 10 ** 10 * (1 + self.meta["reboots"])
        self.meta["reboots"] += 1
        self.meta["down"] = self.meta["down_after_reboot"]
        self.meta["down_reason"] = "is rebooting"
        if self.state is not None:
            if hasattr(winsim, "reboot"):  # the automatic services start, no reboot is pending
                self.state = winsim.reboot(self.state)
                fqdn = self.meta.get("fqdn") or ""
                _listen(self.state, (self.meta.get("local_topology") or {}).get(fqdn.lower()) or {})
            computer = self.state["computer"]
            computer.update(hostname=computer["pending_hostname"], pending_reboot=False, pending_reboot_reasons=[])

    def start_async(self, decoded):
        """``async`` with ``poll: 0``: the module runs (here: at once) and async_status reads its result."""
        result = self.module(decoded["module"], decoded["args"], decoded["check_mode"], decoded["diff"])
        jid = "%s.%d" % (decoded["async"]["jid"], 4242)
        self.meta["jobs"][jid] = dict(result, finished=1, started=1, ansible_job_id=jid)
        return {"started": True, "finished": False, "ansible_job_id": jid, "_ansible_suppress_tmpdir_delete": True,
                "results_file": "%s\\%s" % (decoded["async"]["dir"], jid), "ansible_async_watchdog_pid": 4242,
                "changed": bool(result.get("changed"))}

    # ------------------------------------------------------------------------------- modules
    def module(self, module, args, check_mode, diff):
        fault = self.meta["faults"].get(module)
        if fault:
            return dict(fault, failed=True)
        if module == "ansible.windows.win_ping":
            return {"changed": False, "ping": args.get("data", "pong")}
        if module in ("ansible.windows.async_status", "ansible.builtin.async_status"):
            job = self.meta["jobs"].get(args["jid"])
            if job is None:
                return {"failed": True, "ansible_job_id": args["jid"], "started": 1, "finished": 1,
                        "msg": "could not find job at '%s'" % args.get("_async_dir")}
            return dict(job)
        if module in TRANSFERS:
            return self.file_module(module, args)
        if module == "sfb.edge.edge_facts":
            return self.edge_facts(args, self.address)
        if module == "sfb.edge.cs_config_export":
            data = _export_zip(self.meta["topology"])
            self._store(EXPORT_PATH, data)
            return {"changed": False, "path": EXPORT_PATH, "size": len(data)}
        if module == "ansible.windows.win_file":
            had = self.meta["files"].pop(args["path"], None) if args.get("state") == "absent" and not check_mode \
                else self.meta["files"].get(args["path"])
            return {"changed": had is not None}
        if module == "sfb.edge.port_probe":  # from the Linux probe host (connection_plugins/sfb_posixsim.py)
            return {"changed": False, "results": [self.probe(dict(t, protocol=t.get("protocol", "TCP")),
                                                             args.get("timeout_ms", 3000)) for t in args["targets"]]}
        if module == "sfb.edge.tcp_probe":
            return {"changed": False, "results": [self.probe(t, args.get("timeout_ms", 3000)) for t in args["targets"]]}
        if module == "sfb.edge.edge_certificate_request":
            return self.certificate_request(args, check_mode)
        if module == "sfb.edge.edge_port_listener":
            return self.port_listener(args, check_mode)
        if module == "sfb.edge.cs_replication":
            return {"changed": bool(args.get("invoke")), "invoked": list(args["replicas"]) if args.get("invoke") else [],
                    "replicas": [{"fqdn": r.lower(), "up_to_date": True, "last_status_report": "2026-12-01T00:00:00Z",
                                  "last_update_creation": "2026-12-01T00:00:00Z"} for r in args["replicas"]]}
        if module in MODELLED:
            return self.modelled(module, args, check_mode)
        return {"failed": True, "msg": "the simulated host has no model of %s" % module}

    def probe(self, target, timeout_ms):
        """A TCP connection (or with ``protocol`` UDP, port_probe's datagram that must come back) from this host to
        ``target``, through the simulated network: refused by a blocked rule (the target host's
        ``meta.network.blocked``), answered by a device on the path without reaching the host
        (``meta.network.device``), else answered when a temporary listener of the host that has the address
        listens there (a UDP one echoes) - and then it counts a hit - or, TCP only, a service listens there."""
        key = [target["host"], target["port"]]
        protocol = target.get("protocol", "TCP")
        no = {"host": target["host"], "port": target["port"], "open": False,
              "error": "no answer within %d ms" % timeout_ms}
        if "protocol" in target:  # sfb.edge.port_probe's results name it (tcp_probe's do not)
            no = dict(no, protocol=protocol)
        owner = _owner(root(), target["host"])
        if owner is None:  # a load balancer's virtual address: the first server behind it that answers
            for backend in _forward(root()).get(target["host"], []):
                answer = self.probe(dict(target, host=backend), timeout_ms)
                if answer["open"]:
                    return dict(answer, host=target["host"])
            return no
        with (contextlib.nullcontext(self) if owner == self.name else Host.open(owner)) as host:
            network = host.meta.get("network") or {}
            if key in network.get("blocked", []):
                return no
            answered = key in network.get("device", [])
            for item in host.meta.get("temp_listeners") or []:
                if item["protocol"] == protocol and [item["address"], item["port"]] == key and not answered:
                    item["hits"] += 1
                    answered = True
            answered = answered or (protocol == "TCP" and (target["host"], target["port"]) in _listening(root(), owner))
        return dict(no, open=True, error=None) if answered else no

    def certificate_request(self, args, check_mode):
        """sfb.edge.edge_certificate_request as documented: certreq -new makes the key pair on the host (kept in
        ``meta.requests``, the REQUEST store) and returns the CSR; a pending request for the same subject and
        names is returned again; -accept pairs the CA's certificate with its pending request and puts it, with the
        private key, into LocalMachine\\My."""
        from cryptography import x509  # pylint: disable=import-outside-toplevel
        from cryptography.hazmat.primitives import hashes, serialization  # pylint: disable=import-outside-toplevel
        from cryptography.hazmat.primitives.asymmetric import rsa  # pylint: disable=import-outside-toplevel
        from cryptography.x509.oid import NameOID  # pylint: disable=import-outside-toplevel

        requests = self.meta.setdefault("requests", [])
        der = serialization.Encoding.DER
        spki = serialization.PublicFormat.SubjectPublicKeyInfo
        if args.get("state") == "accepted":
            cert = x509.load_der_x509_certificate(base64.b64decode(args["certificate"]))
            mine = cert.public_key().public_bytes(der, spki)
            pending = [r for r in requests if base64.b64decode(r["public_key"]) == mine]
            if not pending:
                return {"failed": True, "msg": "certreq -accept: the certificate answers no pending request of this host"}
            info = winsim.certificate_info(cert, True)
            store = self.state["certificates"].setdefault("My", [])
            if not check_mode:
                store[:] = [c for c in store if c["thumbprint"] != info["thumbprint"]] + [info]
                requests.remove(pending[0])
            return {"changed": True, "status": "accepted", "csr": None, "thumbprint": info["thumbprint"],
                    "subject": args["subject"], "request_thumbprint": pending[0]["thumbprint"]}
        names = sorted(n.lower() for n in args.get("dns_names") or [])
        for item in requests:
            if item["subject"] == args["subject"] and item["names"] == names and not args.get("renew"):
                return {"changed": False, "status": "pending", "csr": item["csr"], "thumbprint": item["thumbprint"],
                        "subject": args["subject"]}
        if check_mode:
            return {"changed": True, "status": "created", "csr": None, "thumbprint": None, "subject": args["subject"]}
        length = re.search(r"KeyLength\s*=\s*(\d+)", args.get("inf") or "")
        key = rsa.generate_private_key(public_exponent=65537, key_size=int(length.group(1)) if length else 2048)
        builder = x509.CertificateSigningRequestBuilder().subject_name(x509.Name([
            x509.NameAttribute(NameOID.COMMON_NAME, args["subject"].split("=", 1)[1])]))
        if args.get("dns_names"):
            builder = builder.add_extension(x509.SubjectAlternativeName(
                [x509.DNSName(n) for n in args["dns_names"]]), critical=False)
        csr = builder.sign(key, hashes.SHA256())
        pem = csr.public_bytes(serialization.Encoding.PEM).decode("ascii").replace(
            "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST").replace("\n", "\r\n")
        item = {"subject": args["subject"], "names": names, "csr": pem,
                "thumbprint": hashlib.sha1(csr.public_bytes(der)).hexdigest().upper(),
                "public_key": base64.b64encode(key.public_key().public_bytes(der, spki)).decode("ascii")}
        requests.append(item)
        return {"changed": True, "status": "created", "csr": pem, "thumbprint": item["thumbprint"],
                "subject": args["subject"]}

    def port_listener(self, args, check_mode):
        """sfb.edge.edge_port_listener: temporary listeners (present), closed again with what they counted (absent)."""
        if args.get("state", "present") == "absent":
            received = self.meta.pop("temp_listeners", None) or []
            return {"changed": bool(received), "opened": [], "received": received}
        opened = [{"protocol": x["protocol"], "address": x["address"], "port": x["port"]} for x in args["listeners"]]
        if not check_mode:
            self.meta["temp_listeners"] = [dict(x, hits=0) for x in opened]
        return {"changed": bool(opened), "opened": opened, "pid": 4711, "until": "2026-12-01T00:05:00Z",
                "received": []}

    def edge_facts(self, args, address):
        if self.state is None:
            return {"failed": True, "msg": "%s has no simulated state" % self.name}
        state = copy.deepcopy(self.state)
        state.pop("replication", None)  # snapshots only: live, the Front End's cs_replication reports it
        ports = args.get("connection_ports") or state.get("connection_ports") or []
        state["connection_ports"] = list(ports)
        state["connection"] = [c for c in state.get("connection") or [] if c["local_port"] in ports]
        if address in (self.addresses() or ()):  # the controller's session is on the address it connected to
            for session in state["connection"]:
                session["local_address"] = address
        if not args.get("cs"):
            state.pop("cs", None)
        elif (args.get("cs") or {}).get("cu_installer"):
            # the update installer as the edge sees it (meta ``update_installer``: its file version; none: absent)
            version = self.meta.get("update_installer")
            state["cs"]["update_installer"] = {"path": args["cs"]["cu_installer"], "exists": version is not None,
                                               "version": version}
        return {"changed": False, "state": state}

    def modelled(self, module, args, check_mode):
        call = {"module": module, "args": dict(args)}
        topology = None
        if module == "sfb.edge.edge_cs" and args.get("configuration"):
            remote = args["configuration"]
            data = self._read(remote)
            if data is None:
                return {"failed": True, "msg": "Import-CsConfiguration: cannot find %s" % remote}
            topology = _topology(data)
            call["args"]["configuration"] = winsim.ARCHIVE_PLACEHOLDER  # the file put on the host (put_file)
        password = winsim.PFX_PASSWORD
        if module == "sfb.edge.edge_certificates":
            # edge_apply sends each file's bytes (data) and the PFX password; the model reads files
            os.makedirs(os.path.join(self.path, "certificates"), exist_ok=True)
            items = []
            for item in args["certificates"]:
                path = os.path.join(self.path, "certificates", "%s.%s" % (item["thumbprint"], "pfx" if item["pfx"] else "cer"))
                with open(path, "wb") as handle:
                    handle.write(base64.b64decode(item["data"]))
                items.append(dict(item, path=path))
                password = item.get("password") or password
            call["args"] = {"certificates": items}
        if module == "sfb.edge.edge_cs" and hasattr(winsim, "edge_cs_run"):
            return self.edge_cs(call, topology, check_mode)
        if module == "sfb.edge.edge_cs" and args.get("run"):
            call["args"]["steps"] = [s for s in args["steps"] if s in args["run"]]
        stop = self.meta["faults"].get("installer_exit") if module == "sfb.edge.edge_cs" else None
        if stop and stop["step"] in call["args"]["steps"]:
            # An installer of that step exits with 3010/1641 (edge_cs.yml): the run ends after the step, Windows
            # waits for a reboot. Once: the step is installed, a later run does not ask again.
            steps = call["args"]["steps"]
            call["args"]["steps"] = steps[:steps.index(stop["step"]) + 1]
            del self.meta["faults"]["installer_exit"]
        else:
            stop = None
        try:
            after = winsim.apply(self.state, [call], cs_version=self.meta["cs_version"], xmpp=self.meta["xmpp"],
                                 pfx_password=password)
        except AssertionError as exc:
            return {"failed": True, "msg": "%s (simulated): %s" % (module, exc)}
        if module == "sfb.edge.edge_cs":
            self._local_store(after, call["args"], topology)
        if stop:
            after["computer"].update(pending_reboot=True, pending_reboot_reasons=["PendingFileRenameOperations"])
        changed = after != self.state
        if not check_mode:
            self.state = after
        if module == "sfb.edge.edge_network" and changed and not check_mode and self.meta.get("down_after_network"):
            # the fault "a connection lost after an address change": the host does not answer for that many
            # attempts (the NIC re-initialises, a switch port relearns, a firewall on the path catches up)
            self.meta.update(down=self.meta["down_after_network"],
                             down_reason="does not answer after its address change")
        result = dict(_result(module, call["args"], after, check_mode), changed=changed)
        if stop:
            result["reboot_required"] = True
            result["steps"][-1].update(rc=stop["rc"], output="exit code %d: a reboot is required" % stop["rc"])
        return result

    def edge_cs(self, call, topology, check_mode):
        """sfb.edge.edge_cs through winsim.edge_cs_run (the .ps1's step loop with the controller's exit-code
        policy): the fault ``installer_exit`` ({step, rc}) is the exit code of that step's installer (once),
        ``step_fails`` the management shell step that fails."""
        args = call["args"]
        rcs = {}
        stop = self.meta["faults"].get("installer_exit")
        if stop and stop["step"] in winsim.run_steps(args["steps"]) and (not args.get("run") or stop["step"] in args["run"]):
            rcs[stop["step"]] = stop["rc"]
            del self.meta["faults"]["installer_exit"]
        try:
            out, after = winsim.edge_cs_run(self.state, args, rcs=rcs, fail=self.meta["faults"].get("step_fails"),
                                            cs_version=self.meta["cs_version"], xmpp=self.meta["xmpp"])
        except (AssertionError, KeyError) as exc:
            return {"failed": True, "msg": "sfb.edge.edge_cs (simulated): %s" % exc}
        self._local_store(after, args, topology)
        if out["reboot_required"]:
            after["computer"].update(pending_reboot=True, pending_reboot_reasons=["PendingFileRenameOperations"])
        status = {s["name"]: s for s in after["cs"]["services"]}
        if not out["services"]:
            out["services"] = [{"name": n, "status": (status.get(n) or {}).get("status", "Missing"), "last_error": None}
                               for n in args.get("services") or []]
        changed = after != self.state
        if check_mode:
            return dict(out, changed=changed, run_steps=[], steps=[dict(x, rc=None) for x in out["steps"]])
        self.state = after
        return dict(out, changed=changed)

    def _local_store(self, after, args, topology):
        """Import-CsConfiguration keeps the topology in the local store; the running services listen on the
        addresses it gives this server."""
        if topology is not None and "import_configuration" in args["steps"]:
            self.meta["local_topology"] = topology  # the local store's copy
            self.meta["fqdn"] = args["fqdn"]
        fqdn = args.get("fqdn") or self.meta.get("fqdn") or ""
        _listen(after, (self.meta.get("local_topology") or {}).get(fqdn.lower()) or {})

    # ------------------------------------------------------------------------------- files
    def _store(self, path, data):
        self.meta["files"][path] = {"sha1": hashlib.sha1(data).hexdigest(), "size": len(data),
                                    "data": base64.b64encode(data).decode("ascii")}

    def _read(self, path):
        info = self.meta["files"].get(path)
        return None if info is None else base64.b64decode(info["data"])

    def file_module(self, module, args):
        path = args.get("src") or args.get("path")
        data = self._read(path)
        if module == "ansible.windows.slurp":
            if data is None:
                return {"failed": True, "msg": "Path %s is not found" % path}
            return {"changed": False, "content": base64.b64encode(data).decode("ascii"), "encoding": "base64",
                    "source": path}
        if data is None:
            return {"changed": False, "stat": {"exists": False}}
        return {"changed": False, "stat": {"exists": True, "isdir": False, "size": len(data), "path": path,
                                           "checksum": hashlib.sha1(data).hexdigest()}}

    def put(self, in_path, out_path):
        self.reachable(None)
        with open(in_path, "rb") as handle:
            self._store(out_path, handle.read())
        self.record(dict(_BLANK, action="put_file", args={"dest": out_path}))

    def fetch(self, in_path, out_path):
        self.reachable(None)
        data = self._read(in_path)
        if data is None:
            raise FileNotFoundError(in_path)
        with open(out_path, "wb") as handle:
            handle.write(data)
        self.record(dict(_BLANK, action="fetch_file", args={"src": in_path}))


def _redacted(args):
    """The arguments as recorded: a certificate's bytes and password never reach the calls log."""
    if not isinstance(args, dict) or "certificates" not in args:
        return args
    items = [dict(c, **{k: "<%d characters>" % len(c[k]) for k in ("data", "password") if c.get(k)})
             if isinstance(c, dict) else c for c in args["certificates"] or []]
    return dict(args, certificates=items)


def _export_zip(topology):
    """What Export-CsConfiguration -AsBytes writes: a zip (the collection never reads it). Here it carries the
    simulated topology - the addresses of each edge server - which Import-CsConfiguration gives the edge."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("DocItemSet.xml", "<DocItemSet/>")
        archive.writestr("simhost-topology.json", json.dumps(topology, sort_keys=True))
    return buf.getvalue()


def _topology(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return json.loads(archive.read("simhost-topology.json"))


# What each edge service listens on once running, on the addresses the topology gives the server (as in the
# shipped converged snapshots, from Microsoft's "Ports and protocols for internal servers" and the Edge
# Server's port tables; process names as Get-NetTCPConnection / Get-Process show them).
LISTENERS = {
    "REPLICA": (("TCP", None, 4443, "ReplicaReplicatorAgent"),),
    "RTCSRV": (("TCP", "internal", 5061, "RTCSrv"), ("TCP", "access", 443, "RTCSrv"), ("TCP", "access", 5061, "RTCSrv")),
    "RTCDATAPROXY": (("TCP", "internal", 8057, "DataProxy"), ("TCP", "webconf", 443, "DataProxy")),
    "RTCMEDIARELAY": (("TCP", "internal", 443, "MediaRelaySvc"), ("UDP", "internal", 3478, "MediaRelaySvc"),
                      ("TCP", "av", 443, "MediaRelaySvc"), ("UDP", "av", 3478, "MediaRelaySvc")),
    "RTCMRAUTH": (("TCP", "internal", 5062, "MRASSvc"),),
    # XMPP federation (Lync 2013 / SfB 2015): the XMPP Translating Gateway Proxy takes the federated servers on
    # the Access Edge address (5269) and the Front End's XMPP gateway on the internal address (23456)
    "RTCXMPPTGWPX": (("TCP", "internal", 23456, "XmppTGWProxy"), ("TCP", "access", 5269, "XmppTGWProxy")),
}


def _listen(state, addresses):
    """The listeners of the running edge services (``addresses``: the server's entry of the topology)."""
    running = {s["name"] for s in state["cs"]["services"] if s["status"] == "Running"}
    have = {(x["protocol"], x["address"], x["port"]) for x in state["listeners"]}
    for name in sorted(running):
        for protocol, role, port, process in LISTENERS.get(name, ()):
            address = "0.0.0.0" if role is None else addresses.get(role)
            if address and (protocol, address, port) not in have:
                state["listeners"].append({"protocol": protocol, "address": address, "port": port, "process": process})
                have.add((protocol, address, port))


def network(directory, forward):
    """The simulated network between the hosts: ``forward`` - {virtual address: [addresses behind it]}, the
    hardware load balancers of a pool (a probe of a virtual address reaches the first server that answers)."""
    _write(os.path.join(directory, "network.json"), {"forward": forward})


def _forward(directory):
    path = os.path.join(directory, "network.json")
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)["forward"]


def _owner(directory, address):
    """The simulated host that has ``address``, else None."""
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name, "state.json")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                state = json.load(handle)
            if address in {a["address"] for nic in state["adapters"] for a in nic["addresses"]}:
                return name
    return None


def _listening(directory, only=None):
    """(address, port) of every TCP listener of the simulated hosts' services (0.0.0.0: on each of the host's
    addresses)."""
    out = set()
    for name in sorted(os.listdir(directory)) if only is None else [only]:
        path = os.path.join(directory, name, "state.json")
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as handle:
            state = json.load(handle)
        mine = {a["address"] for nic in state["adapters"] for a in nic["addresses"]}
        for item in state.get("listeners") or []:
            if item["protocol"] == "TCP":
                for address in (mine if item["address"] == "0.0.0.0" else (item["address"],)):
                    out.add((address, item["port"]))
    return out


def _result(module, args, state, check_mode):
    """The module's documented RETURN (its .yml sidecar, or ansible.windows' documentation)."""
    if module == "sfb.edge.edge_network":
        return {"adapters": [spec.get("rename_to") or spec["name"] for spec in args["adapters"]]}
    if module == "sfb.edge.edge_routes":
        return {"added": list(args.get("add") or []), "removed": list(args.get("remove") or [])}
    if module == "sfb.edge.edge_hosts_file":
        return {"sha256": state["hosts_file"]["sha256"]}
    if module == "sfb.edge.edge_certificates":
        return {"imported": [c["thumbprint"] for c in args["certificates"]]}
    if module == "sfb.edge.edge_cs":
        steps = [s for s in args["steps"] if not args.get("run") or s in args["run"]]
        status = {s["name"]: s for s in (state.get("cs") or {}).get("services") or []}
        return {"steps": [{"name": s, "rc": None if check_mode else 0, "output": "", "run": s} for s in steps],
                "run_steps": [] if check_mode else [{"name": s, "seconds": 0.1} for s in steps],
                "reboot_required": False,
                "services": [{"name": n, "status": (status.get(n) or {}).get("status", "Missing"), "last_error": None}
                             for n in args.get("services") or []]}
    if module == "ansible.windows.win_feature":
        return {"exitcode": "Success", "reboot_required": False,
                "feature_result": [{"id": 0, "display_name": n, "message": [], "reboot_required": False,
                                    "skip_reason": "NoReason", "success": True, "restart_needed": False}
                                   for n in args["name"]]}
    if module == "ansible.windows.win_hostname":
        computer = state["computer"]  # the active name stays until the reboot
        return {"old_name": computer["hostname"], "reboot_required": computer["pending_hostname"] != computer["hostname"]}
    if module == "community.windows.win_netbios":
        return {"reboot_required": False}
    if module == "ansible.windows.win_regedit":
        return {"data_changed": True, "data_type_changed": False}
    return {}
