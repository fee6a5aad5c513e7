# -*- coding: utf-8 -*-
"""plugin_utils/_frontend.py: a failed Front End task named, the double hop recognised (issue 9, item 3).

The error texts are those the Lync / Skype for Business cmdlets and SQL Server give when the WinRM
logon on the Front End has no credentials for a second hop, as the modules return them (FailJson:
msg, and the PowerShell error record in exception).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.sfb.edge.plugins.plugin_utils import _frontend as frontend

AD = ('Could not export the configuration to C:\\Users\\svc-lync\\AppData\\Local\\Temp\\sfb-edge-config-1.zip: '
      'Active Directory operation failed on "dc01.corp.example.com". You cannot retry this operation: '
      '"An operations error occurred. 000004DC: LdapErr: DSID-0C090A5C, comment: In order to perform this '
      'operation a successful bind must be completed on the connection., data 0, v4563"')
LDAP_ONLY = ("An operations error occurred. 000004DC: LdapErr: DSID-0C0906E8, comment: In order to perform this "
             "operation a successful bind must be completed on the connection., data 0, v1db1")
SQL = ('Cannot open database "xds" requested by the login. The login failed.\r\n'
       "Login failed for user 'NT AUTHORITY\\ANONYMOUS LOGON'.")
SQL_NULL = "Login failed for user '(null)'. Reason: Token-based server access validation failed"
SSPI = "The target principal name is incorrect.  Cannot generate SSPI context."
FE_VARS = {"ansible_winrm_transport": "kerberos", "ansible_user": "svc-lync@CORP.EXAMPLE.COM"}


@pytest.mark.parametrize("result, target", [
    ({"msg": AD}, "Active Directory"),
    ({"msg": "Command execution failed", "exception": LDAP_ONLY + "\nAt line:1 char:1"}, "Active Directory"),
    ({"msg": SQL}, "the SQL Server of the Central Management Store"),
    ({"msg": "Command execution failed: " + SQL_NULL}, "the SQL Server of the Central Management Store"),
    ({"msg": SSPI}, "the SQL Server of the Central Management Store"),
])
def test_double_hop_errors_are_recognised(result, target):
    assert frontend.double_hop(result) == target
    msg = frontend.describe(result, "fe01", "Export-CsConfiguration on the Front End", FE_VARS)
    assert msg.startswith("fe01: 'Export-CsConfiguration on the Front End' could not reach %s - the WinRM double hop"
                          % target)
    # the fix, in the Front End's inventory
    for words in ("ansible_become: true", "ansible_become_method: runas", "ansible_become_user",
                  "ansible_become_password", "ansible_winrm_kerberos_delegation: true",
                  "ansible_winrm_transport: credssp", "group_vars/front_ends/main.yml"):
        assert words in msg
    assert "(now: no become, transport kerberos)" in msg
    # the original error, first line only
    first = next(l for l in frontend._text(result).splitlines() if l.strip()).strip()
    assert msg.endswith("The error was: " + first)
    assert "\n" not in msg


def test_what_is_set_now_is_said():
    msg = frontend.describe({"msg": SQL}, "fe01", "Replication status", {
        "ansible_become": True, "ansible_become_method": "runas", "ansible_winrm_transport": "kerberos",
        "ansible_winrm_kerberos_delegation": "true"})
    assert "(now: become runas, transport kerberos, Kerberos delegation on)" in msg


@pytest.mark.parametrize("text", [
    "Login failed for user 'CORP\\svc-lync'.",   # a real account: rights or password, not the double hop
    "Access is denied.",
    "The term 'Export-CsConfiguration' is not recognized as the name of a cmdlet",
    "The module interpreter 'powershell' was not found.",
])
def test_other_errors_are_passed_on(text):
    assert frontend.double_hop({"msg": text}) is None
    assert frontend.describe({"msg": text}, "fe01", "Replication status of every edge", None) == (
        "fe01: 'Replication status of every edge' failed on the Front End: %s" % text)


def test_long_errors_are_cut_and_empty_results_named():
    msg = frontend.describe({"msg": "x" * 2000}, "fe01", "t")
    assert msg.endswith("x" * frontend.MAX_ERROR + "...")
    assert frontend.describe({}, "", "t") == "the Front End: 't' failed on the Front End: no error text"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)) | st.just("\n"), max_size=80), st.text(max_size=80),
       st.sampled_from(["Active Directory operation failed on \"dc01\"", SQL.splitlines()[1], SSPI, LDAP_ONLY]))
def test_recognised_wherever_the_text_is(before, after, error):
    assert frontend.double_hop({"msg": before + error + after}) is not None
    assert "double hop" in frontend.describe({"exception": before + error + after}, "fe01", "t")


# ------------------------------------------------------------------ issue 22, point 7: the action, and the filter's shim
EXPORT_SQL = ("fe01: 'Export-CsConfiguration on the Front End' could not reach the SQL Server of the Central Management "
              "Store - the WinRM double hop: the WinRM logon on the Front End holds no credentials it can pass on to a "
              "second server, so the SQL Server of the Central Management Store saw an anonymous logon (now: no become, "
              "transport kerberos). Fix it in the Front End's inventory (group_vars/front_ends/main.yml of "
              "inventories/example): ansible_become: true, ansible_become_method: runas, ansible_become_user: the same "
              "domain account as ansible_user, ansible_become_password: its password from the vault (a runas logon can "
              "reach AD and SQL); or ansible_winrm_transport: kerberos with ansible_winrm_kerberos_delegation: true (the "
              "account must not be 'sensitive and cannot be delegated'); or ansible_winrm_transport: credssp (CredSSP "
              "enabled on the Front End). The error was: Cannot open database \"xds\" requested by the login. The login "
              "failed.")


def test_the_deprecated_filter_still_returns_what_it_did():
    from ansible_collections.sfb.edge.plugins.filter import deprecated

    shim = deprecated.FilterModule().filters()["frontend_failure"]
    assert shim({"msg": SQL}, "fe01", "Export-CsConfiguration on the Front End", FE_VARS) == EXPORT_SQL
    assert shim({"msg": "WinRM: connection refused"}, "fe01", "Fetch the export to the controller") == (
        "fe01: 'Fetch the export to the controller' failed on the Front End: WinRM: connection refused")


class _Task:
    def __init__(self, args):
        self.args = args
        self.async_val = 0
        self.check_mode = False
        self.action = "sfb.edge.frontend_failure"


def _run_action(args, task_vars):
    from unittest import mock

    from ansible_collections.sfb.edge.plugins.action import frontend_failure

    action = frontend_failure.ActionModule(_Task(args), mock.MagicMock(), mock.MagicMock(), mock.MagicMock(),
                                           mock.MagicMock(), mock.MagicMock())
    return action.run(task_vars=task_vars)


def test_the_action_fails_with_the_message_from_the_rescues_failed_result():
    """The rescue's task (roles/common/tasks/frontend_failure.yml) gives no result: the action reads
    ansible_failed_result as it is - a result holding a template's text (a delegated task's become user) is not
    templated again - and the Front End's connection from hostvars."""
    failed = {"msg": SQL, "_ansible_delegated_vars": {"ansible_become_user": "{{ ansible_user }}"}}
    result = _run_action({"frontend": "fe01", "task": "Export-CsConfiguration on the Front End"},
                         {"ansible_failed_result": failed, "hostvars": {"fe01": FE_VARS}})
    assert (result["failed"], result["changed"], result["msg"]) == (True, False, EXPORT_SQL)
    # a result given, and a Front End the inventory does not hold (nothing said about its connection)
    given = _run_action({"frontend": "fe02", "task": "Probe", "result": {"msg": "timed out"}}, {"hostvars": {}})
    assert given["msg"] == "fe02: 'Probe' failed on the Front End: timed out"
