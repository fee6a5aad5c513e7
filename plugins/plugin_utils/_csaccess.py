# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who may use the Lync / Skype for Business local configuration store (RTCLOCAL) - issue 19, point 15.

Setup (roles/cs_install) runs elevated as ``cs_install_become_user`` (runas SYSTEM by default); that account
creates RTCLOCAL and owns its databases (rtc, xds, lis). Every task that reads or writes the store - the state
read (sfb.edge.edge_facts in sfb.edge.host_state / host_drift / host_validation), Set-CsCertificate
(cs_certificates), the services (cs_services) - runs with the same ``become`` (:data:`BECOME`). When a call
still meets a permission error of the store, :func:`explain` turns it into a message naming the account and
the fix. Pure Python; the callers are the action plugins.
"""

from __future__ import annotations

import re

# The task keywords every task touching the CS store carries (tests/unit/plugins/plugin_utils/test_cs_become.py checks them).
BECOME = {
    "become": "{{ cs_install_become | default(true) | bool }}",
    "become_method": "{{ cs_install_become_method | default('ansible.builtin.runas') }}",
    "become_user": "{{ cs_install_become_user | default('SYSTEM') }}",
}

# What SQL Server and the CS cmdlets say when the account lacks rights on RTCLOCAL.
_DENIED = (
    re.compile(r"does not have permission to (alter|access|use) (the )?database", re.I),
    re.compile(r"permission was denied on (the )?(object|database)", re.I),
    re.compile(r"cannot open database \"?(rtc|xds|lis)\w*\"? requested by the login", re.I),
    re.compile(r"login failed for user", re.I),
)
_ACCESS_DENIED = re.compile(r"access (is )?denied|unauthorizedaccess", re.I)
_STORE = re.compile(r"rtclocal|local (configuration )?store|localstore|\bxds\b|\brtc\b|\blis\b", re.I)


def denied(text):
    """True when ``text`` (a module's message or warning) is a permission error of the local store."""
    text = str(text or "")
    if any(p.search(text) for p in _DENIED):
        return True
    return bool(_ACCESS_DENIED.search(text) and _STORE.search(text))


def account(become, become_user, remote_user):
    """The Windows account a task's module runs as: the become user when become is on, else the connection's."""
    if become:
        return str(become_user or "SYSTEM")
    return str(remote_user or "the connection user")


def explain(text, who, host, what):
    """The message for a permission error of the local store met by ``what`` on ``host`` as ``who``; None when
    ``text`` is not one."""
    if not denied(text):
        return None
    return ("host %s, %s: the account %s may not use the Lync/Skype for Business local configuration store "
            "(RTCLOCAL): %s. Setup created that store as the account of cs_install_become_user (runas SYSTEM by "
            "default), and every task that reads or writes it runs with that become: keep cs_install_become true "
            "with cs_install_become_method/cs_install_become_user as for setup (ansible.builtin.runas / SYSTEM), "
            "or grant %s the sysadmin role on the RTCLOCAL SQL Server instance of %s"
            % (host, what, who, " ".join(str(text).split()), who, host))
