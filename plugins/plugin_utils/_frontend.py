# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Why a task on the Front End failed, in words an operator can act on.

The Front End tasks (Export-CsConfiguration, Get-CsManagementStoreReplicationStatus, the TCP probes)
run over WinRM. A plain WinRM logon (NTLM, or Kerberos without delegation) holds no credentials the
Front End could pass on, so the Lync/SfB cmdlets reach Active Directory and, on an Enterprise pool,
the Central Management Store's SQL Server as a *second hop* - anonymously - and fail with the texts
matched below. The fix is in the Front End's inventory: become (runas) or Kerberos delegation or
CredSSP. Any other failure is passed on as it is, with the Front End and the task named.
"""

from __future__ import annotations

import re

# (pattern, what the second hop reached) - the texts the cmdlets and SQL Server give.
DOUBLE_HOP = (
    (re.compile(r"Active Directory operation failed", re.I), "Active Directory"),
    (re.compile(r"000004DC: LdapErr|a successful bind must be completed on the connection", re.I),
     "Active Directory"),
    (re.compile(r"Login failed for user '(NT AUTHORITY\\+ANONYMOUS LOGON|\(null\))?'", re.I),
     "the SQL Server of the Central Management Store"),
    (re.compile(r"Cannot generate SSPI context", re.I), "the SQL Server of the Central Management Store"),
)

MAX_ERROR = 500


def _text(result):
    """The error text of a failed task result (msg, then the PowerShell exception and stderr)."""
    if not isinstance(result, dict):
        return str(result or "")
    parts = [result.get("msg"), result.get("exception"), result.get("stderr")]
    return "\n".join(str(p) for p in parts if p)


def _first_line(text):
    line = next((l.strip() for l in str(text).splitlines() if l.strip()), "")
    return line if len(line) <= MAX_ERROR else line[:MAX_ERROR] + "..."


def double_hop(result):
    """What the Front End could not reach as a second hop (str), or None when this is not that failure."""
    text = _text(result)
    for pattern, target in DOUBLE_HOP:
        if pattern.search(text):
            return target
    return None


def _on(value):
    return str(value).strip().lower() in ("1", "true", "yes", "on", "y")


def describe(result, frontend, task, connection=None):
    """The message for a failed Front End task ``task`` on ``frontend``.

    ``connection``: the Front End's inventory variables (hostvars), to say what is set now:
    ansible_become, ansible_become_method, ansible_winrm_transport, ansible_winrm_kerberos_delegation.
    """
    connection = connection if isinstance(connection, dict) or hasattr(connection, "get") else {}
    frontend = frontend or "the Front End"
    error = _first_line(_text(result)) or "no error text"
    target = double_hop(result)
    if target is None:
        return "%s: '%s' failed on the Front End: %s" % (frontend, task, error)
    become = _on(connection.get("ansible_become", False))
    method = str(connection.get("ansible_become_method") or "sudo")
    transport = str(connection.get("ansible_winrm_transport") or "the default transport")
    delegation = _on(connection.get("ansible_winrm_kerberos_delegation", False))
    now = "now: %s, transport %s%s" % (
        "become %s" % method if become else "no become",
        transport, ", Kerberos delegation on" if delegation else "")
    return (
        "%s: '%s' could not reach %s - the WinRM double hop: the WinRM logon on the Front End holds no "
        "credentials it can pass on to a second server, so %s saw an anonymous logon (%s). Fix it in the "
        "Front End's inventory (group_vars/front_ends/main.yml of inventories/example): ansible_become: true, "
        "ansible_become_method: runas, ansible_become_user: the same domain account as ansible_user, "
        "ansible_become_password: its password from the vault (a runas logon can reach AD and SQL); or "
        "ansible_winrm_transport: kerberos with ansible_winrm_kerberos_delegation: true (the account must "
        "not be 'sensitive and cannot be delegated'); or ansible_winrm_transport: credssp (CredSSP enabled "
        "on the Front End). The error was: %s"
        % (frontend, task, target, target, now, error))
