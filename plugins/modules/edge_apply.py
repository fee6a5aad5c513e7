# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Documentation only: sfb.edge.edge_apply runs on the controller (plugins/action/edge_apply.py).

DOCUMENTATION = r"""
module: edge_apply
author: sfb.edge contributors (!UNKNOWN)
version_added: 0.2.0
short_description: Internal, not a public API - apply one area of an edge server's desired state, only where it differs
description:
  - Internal to the collection's roles and playbooks, not a public API - it takes the handles of the controller's store
    and the areas' parts of the states that the roles pass it. Its options and results may change in any release
    without a deprecation; use the playbooks or the roles instead.
  - Compares the desired state of one area (routes, network, hosts file, identity, certificates, and the
    Lync/Skype for Business areas cs_install, cs_certificates, cs_services) with
    the gathered state on the controller and calls the Windows host only when something differs - with
    one call per module for the whole area (for example all routes in one P(sfb.edge.edge_routes#module)
    call), never one per item. A converged area costs no remote call at all.
  - The modules it calls are P(sfb.edge.edge_network#module), P(sfb.edge.edge_routes#module),
    P(sfb.edge.edge_hosts_file#module), P(sfb.edge.edge_certificates#module),
    P(ansible.windows.win_dns_client#module), P(community.windows.win_netbios#module),
    P(ansible.windows.win_hostname#module), P(ansible.windows.win_regedit#module),
    P(ansible.windows.win_feature#module) and P(sfb.edge.edge_cs#module).
  - "Lockout guard: a change that removes the address the controller connects to, or the route or gateway
    its connection depends on, fails the task unless O(allow_connection_change=true). Then the network
    call, and the DNS-client and NetBIOS calls after it, are not made here but returned as RV(deferred), for
    the C(sfb.edge.network) role to run - the network call in the background before it reconnects on the
    new address, the others once it has finished."
  - "The connection is looked for in the gathered state on the port the connection plugin uses (or
    O(connection_port)), narrowed to the addresses O(connection_address) resolves to on the controller when
    the host has them. When it cannot be identified, the guard fails closed: every address, gateway and route
    removal or change (and a rename or DHCP-off of an adapter carrying them) is blocked, with the reason."
  - O(desired) and O(current) may be handles of the controller's store of the run (what the roles pass -
    from P(sfb.edge.plan_validation#module) and P(sfb.edge.edge_snapshot#lookup) with C(store=true), split into
    C(edge_state_parts) by P(sfb.edge.host_state#module)); the action reads them back and fails, naming the file, when the stored
    content is missing or is not the content of the handle.
  - Used by the roles of the collection; the decisions are documented in docs/windows-roles.md and
    docs/cs-roles.md.
options:
  area:
    description: The area to apply.
    type: str
    required: true
    choices: [routes, network, hosts_file, identity, certificates, cs_install, cs_certificates, cs_services]
  desired:
    description:
      - The desired state of the host (C(edge_state_desired) of P(sfb.edge.host_state#module)) - or only the
        area's part of it, C(edge_state_parts.<area>.desired) (what the roles pass).
    type: dict
    required: true
  current:
    description:
      - The gathered state (P(sfb.edge.edge_facts#module) or a snapshot; docs/state-format.md) - or only the
        area's part of it (C(edge_state_parts.<area>.current)). The sections the area reads are checked either way.
      - For C(routes) and C(network), the part holds what the lockout guard reads as well.
    type: dict
    required: true
  snapshot:
    description: The state comes from a snapshot; report the planned changes and never contact the host.
    type: bool
    default: false
  allow_connection_change:
    description: Apply changes the lockout guard would hold back (see RV(deferred)).
    type: bool
    default: false
  connection_address:
    description:
      - The address or host name the controller connects to (C(ansible_host)); its removal is guarded.
      - A host name is resolved (IPv4) on the controller. When it is not an address of the host (NAT, a
        load balancer), the connection is found by its port alone and the play reconnects on it.
    type: str
  connection_port:
    description:
      - The TCP port the controller connects on. Default - the port of the task's connection plugin
        (C(ansible_port), C(ansible_winrm_port), C(ansible_psrp_port), or the plugin's default).
    type: int
    version_added: 0.4.0
  frontend:
    description: C(cs_install) - the inventory name of the Front End the configuration export comes from.
      Without one, a needed import is a problem and nothing is changed.
    type: str
    version_added: 0.3.0
  config_refresh:
    description: C(cs_install) - import a new configuration export even when the local store already holds
      this server.
    type: bool
    default: false
    version_added: 0.3.0
  configuration_archive:
    description: C(cs_install) - the configuration export (zip) on the controller, copied to a temporary
      folder of the host for Import-CsConfiguration and removed afterwards. Needed only when an import is due.
    type: str
    version_added: 0.3.0
  call_options:
    description: "Options added to every P(sfb.edge.edge_cs#module) call, for example C({timeout: 900})."
    type: dict
    default: {}
    version_added: 0.3.0
  step_calls:
    description:
      - V(false) - the setup steps of an P(sfb.edge.edge_cs#module) call run in that one call. Before it, a
        line per step (its number, title and the log files its installers write on the host) is printed;
        after it, a line per step with its result, exit code and duration.
      - V(true) - one P(sfb.edge.edge_cs#module) call per step (O(sfb.edge.edge_cs#module:run)), each
        announced as it starts and reported when it ends; on a server with Lync/SfB services the update
        (C(cu) to C(cu_databases)) stays one call, since edge_cs restarts the services it stopped only within
        a call. RV(remote_calls) counts the calls either way.
    type: bool
    default: false
    version_added: 0.4.0
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    description: Decides on the controller and reports the changes without contacting the host.
  diff_mode:
    support: full
    description: Shows the area's gathered and planned values (the whole hosts file for C(hosts_file)).
  platform:
    support: full
    platforms: windows
    description: The decision runs on the controller; the calls go to the Windows host.
notes:
  - Certificate files and their passwords are read on the controller right before the one
    P(sfb.edge.edge_certificates#module) call; they are never part of a task argument or result.
"""

EXAMPLES = r"""
- name: Persistent routes on the internal NIC (one call, only when they differ)
  sfb.edge.edge_apply:
    area: routes
    desired: "{{ edge_state_desired }}"
    current: "{{ edge_state_current }}"
    connection_address: "{{ ansible_host | default(inventory_hostname) }}"
"""

RETURN = r"""
changes:
  description: The changes of the area, each with C(area), C(target), C(property), C(action) (add, remove, set),
    C(before) and C(after).
  returned: always
  type: list
  elements: dict
notes:
  description: Differences left alone on purpose (for example unmanaged routes when purging is off).
  returned: always
  type: list
  elements: str
blocked:
  description: Changes held back by the lockout guard, each with a C(reason).
  returned: always
  type: list
  elements: dict
connection:
  description:
    - How the lockout guard identified the controller's connection - C(identified), C(ipv6), C(port),
      C(connections) (C(local_address), C(remote_address), C(local_port)), C(addresses) (the host's
      addresses of O(connection_address)) and C(reason) (why it could not be identified).
  returned: when a change is blocked
  type: dict
  version_added: 0.4.0
calls:
  description: The modules the area needs (made, or planned in check and snapshot mode).
  returned: always
  type: list
  elements: str
remote_calls:
  description: How many calls reached, or would reach, the host.
  returned: always
  type: int
applied:
  description: Whether the calls were made.
  returned: when there was no error
  type: bool
reboot_required:
  description:
    - The change needs a reboot to take effect (new name or primary DNS suffix, Windows features), or, for
      C(cs_install), Windows waits for one before the setup steps - a pending-reboot indicator in the gathered
      state (named in the message) or an installer of P(sfb.edge.edge_cs#module) that exited with 3010/1641.
  returned: always
  type: bool
pending:
  description:
    - The calls not made because Windows waits for a reboot first (each the call's arguments plus C(module));
      for an P(sfb.edge.edge_cs#module) call that stopped after an installer asked for a reboot, its C(steps)
      are the ones that did not run. After the reboot, gather again and apply the area - the rest is decided
      from the new state.
  returned: when a reboot stopped the area
  type: list
  elements: dict
  version_added: 0.3.0
progress:
  description:
    - The setup steps of the P(sfb.edge.edge_cs#module) call, in the order it runs them - C(number), C(total),
      C(step), C(title), C(logs) (the files or folder its installers write on the host), C(call) and C(calls)
      (which edge_cs call runs it, of how many; see O(step_calls)).
    - After the call, each also has C(status) (C(ok), C(failed), C(reboot) - its installer asked for one and
      the run stopped after it - or C(not run)), C(rc) (the last exit code, V(null) for management shell
      commands) and C(seconds) (how long it took, V(null) when not reported).
  returned: when the area has an edge_cs call
  type: list
  elements: dict
  version_added: 0.4.0
  sample:
    - {number: 1, total: 6, step: core, title: "Install Core Components (...)", call: 1, calls: 1, status: ok,
       rc: 0, seconds: 212.4, logs: ['C:\ProgramData\sfb-edge\logs\sfb-edge-ocscore.msi.log']}
steps:
  description: The steps P(sfb.edge.edge_cs#module) ran, as it returns them.
  returned: when edge_cs ran
  type: list
  elements: dict
  version_added: 0.3.0
services:
  description: The services P(sfb.edge.edge_cs#module) started and their status (with the Windows event
    explaining a failure).
  returned: when edge_cs started services
  type: list
  elements: dict
  version_added: 0.3.0
deferred:
  description:
    - With O(allow_connection_change=true), the network call that would cut the connection, not made
      here - C(module), C(args) and C(new_address), the address to reconnect on.
    - C(after) - the calls that must follow it (C(module), C(args)), in order, also not made here - the
      P(ansible.windows.win_dns_client#module) and P(community.windows.win_netbios#module) calls name the
      adapters by the names the deferred call gives them. The C(sfb.edge.network) role runs them once the
      deferred call has finished.
  returned: when a network change touches the connection and it is allowed
  type: dict
ansible_facts:
  description: Facts the task sets on the host.
  returned: when a change was applied, or planned in snapshot mode
  type: dict
  version_added: 0.5.0
  contains:
    edge_state_stale:
      description:
        - The state read earlier in the run is no longer the host's, so the next P(sfb.edge.host_state#module)
          (and the other host actions) read it again. The value names the run; a value kept from another run by a
          fact cache is ignored. The reboot tasks of the roles set it too (to V(true)).
      type: str
      returned: when a change was applied, or planned in snapshot mode
"""
