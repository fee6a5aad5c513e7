# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sfb.edge.frontend_failure filter."""

from __future__ import annotations

DOCUMENTATION = r"""
name: frontend_failure
author: sfb.edge contributors
version_added: 0.4.0
short_description: Why a task on the Front End failed, and how to fix it
description:
  - Turns the result of a failed Front End task (P(sfb.edge.cs_config_export#module),
    P(sfb.edge.cs_replication#module), P(sfb.edge.tcp_probe#module), the fetch of the export) into one
    message naming the Front End and the task.
  - "When the error is the WinRM double hop - the Lync/SfB cmdlets reached Active Directory or the Central
    Management Store's SQL Server without credentials: C(Active Directory operation failed),
    C(LdapErr ... a successful bind must be completed), C(Login failed for user 'NT AUTHORITY\\ANONYMOUS LOGON'),
    C(Cannot generate SSPI context) - the message says so and gives the fix for the Front End's inventory:
    become with runas, Kerberos delegation or CredSSP. Any other error is passed on as it is."
  - Used by the roles in a C(rescue) with C(ansible_failed_result).
options:
  _input:
    description: The failed task result (C(ansible_failed_result)).
    type: dict
    required: true
  frontend:
    description: The inventory name of the Front End.
    type: str
    required: true
  task:
    description: What failed (the task name, or the cmdlet).
    type: str
    required: true
  connection:
    description: The Front End's variables (C(hostvars[frontend])), to say which of become, transport and
      delegation are set now.
    type: dict
"""

EXAMPLES = r"""
- name: Replication status from the Front End
  block:
    - name: Read it
      sfb.edge.cs_replication:
        replicas: [edge01.corp.example.com]
      delegate_to: fe01
  rescue:
    - name: Say why it failed
      ansible.builtin.fail:
        msg: "{{ ansible_failed_result | sfb.edge.frontend_failure('fe01', ansible_failed_task.name, hostvars['fe01']) }}"
"""

RETURN = r"""
_value:
  description: The message.
  type: str
"""

from ansible_collections.sfb.edge.plugins.plugin_utils import frontend


def frontend_failure(result, frontend_host, task, connection=None):
    return frontend.describe(result, frontend_host, task, connection)


class FilterModule:
    def filters(self):
        return {"frontend_failure": frontend_failure}
