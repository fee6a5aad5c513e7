# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Documentation only: sfb.edge.frontend_failure runs on the controller (plugins/action/frontend_failure.py).

DOCUMENTATION = r"""
module: frontend_failure
author: sfb.edge contributors (!UNKNOWN)
version_added: 0.5.0
short_description: Fail saying why a task on the Front End failed, and how to fix it
description:
  - For a C(rescue) after a Front End task (P(sfb.edge.cs_config_export#module), P(sfb.edge.cs_replication#module),
    P(sfb.edge.tcp_probe#module), the fetch of the export) - the collection's roles and playbooks run it there
    (the C(sfb.edge.common) role's C(frontend_failure.yml)). Always fails, with one message naming the Front End
    and the task.
  - "When the error is the WinRM double hop - the Lync/SfB cmdlets reached Active Directory or the Central
    Management Store's SQL Server without credentials: C(Active Directory operation failed),
    C(LdapErr ... a successful bind must be completed), C(Login failed for user 'NT AUTHORITY\\ANONYMOUS LOGON'),
    C(Cannot generate SSPI context) - the message says so, says which of become, transport and Kerberos delegation
    the Front End's inventory sets now, and gives the fix: become with runas, Kerberos delegation or CredSSP. Any
    other error is passed on as it is (its first line)."
  - Replaces the filter C(sfb.edge.frontend_failure), deprecated in 0.5.0 (docs/porting.md).
options:
  result:
    description:
      - The failed task result; its C(msg), C(exception) and C(stderr) are read.
      - When not given, C(ansible_failed_result) of the rescue, as it is (giving it as a template would template
        the whole result again).
    type: raw
  frontend:
    description: The inventory name of the Front End; its variables (C(hostvars)) say what its connection sets now.
    type: str
    required: true
  task:
    description: What failed (C(ansible_failed_task.name), or the cmdlet).
    type: str
    required: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    support: full
    platforms: posix
    description: Runs on the controller only.
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
      sfb.edge.frontend_failure:  # result: ansible_failed_result
        frontend: fe01
        task: "{{ ansible_failed_task.name }}"
"""

RETURN = r"""
msg:
  description: Why the Front End task failed, and how to fix it.
  returned: always
  type: str
"""
