# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Edge port tables, as data.

Sources: Microsoft's edge port tables for Skype for Business Server 2015/2019 ("Edge Server
environmental requirements"), the Lync Server 2013 scaled consolidated edge (HLB) tables in
shared/seeds/001, and the field notes in shared/reference/edge-facts.md.  Direction is always as
seen from the edge server.  One table feeds the firewall plan and (later) the socket checks, so the
ports are written down exactly once.

Each rule template has:
  service    access | webconf | av (external) or internal
  protocol   TCP | UDP
  port       "443" or "50000-59999"
  direction  inbound | outbound
  peer       who is on the other side: any | internal_networks (external: any); internal rules from Lync servers
             name them as edge-facts.md ("Ports") and Microsoft's internal interface tables do:
             next_hop (the next hop pool and its servers: TCP 5061 in/out), front_ends (the Front End
             servers: 5062 A/V authentication, 8057 web conferencing, 4443 CMS replication, 23456 XMPP
             gateway), lync_servers (both: the Centralized Logging controller, 50001-50003)
  purpose    free text for the report
  when       optional condition: xmpp | multi_ip | single_ip | ocs2007
  endpoint   for HLB pools: vip (the rule applies to the VIP), servers (to each server's address),
             both
  listener   inbound rules a service listens for permanently: the Windows service (validate.yml
             checks that socket on the server's own address; media ranges are allocated on demand
             and have none)
"""

from __future__ import annotations

# Ports that change in single-IP mode (all three services on one address, distinct ports).
SINGLE_IP_PORTS = {"access": "5061", "webconf": "444", "av": "443"}

EXTERNAL_RULES = (
    # Access Edge
    dict(service="access", protocol="TCP", port="443", direction="inbound", peer="any", endpoint="vip", when="multi_ip",
         listener="Access Edge (RTCSRV)", purpose="SIP/TLS from remote users (client to server)"),
    dict(service="access", protocol="TCP", port="5061", direction="inbound", peer="any", endpoint="vip",
         listener="Access Edge (RTCSRV)", purpose="SIP/MTLS from federated partners and public IM (and remote users in single-IP mode)"),
    dict(service="access", protocol="TCP", port="5061", direction="outbound", peer="any", endpoint="vip",
         purpose="SIP/MTLS to federated partners and public IM"),
    dict(service="access", protocol="TCP", port="5269", direction="inbound", peer="any", endpoint="vip", when="xmpp",
         listener="XMPP proxy (RTCXMPPTGWPX)", purpose="XMPP from federated XMPP partners (XMPP proxy shares the Access Edge address)"),
    dict(service="access", protocol="TCP", port="5269", direction="outbound", peer="any", endpoint="vip", when="xmpp",
         purpose="XMPP to federated XMPP partners"),
    dict(service="access", protocol="TCP", port="80", direction="outbound", peer="any", endpoint="servers",
         purpose="Certificate revocation (CRL) checks and retrieval"),
    dict(service="access", protocol="TCP", port="53", direction="outbound", peer="any", endpoint="servers",
         purpose="DNS queries over TCP (public DNS servers)"),
    dict(service="access", protocol="UDP", port="53", direction="outbound", peer="any", endpoint="servers",
         purpose="DNS queries over UDP (public DNS servers)"),
    # Web Conferencing Edge
    dict(service="webconf", protocol="TCP", port="443", direction="inbound", peer="any", endpoint="vip",
         listener="Web Conferencing Edge (RTCDATAPROXY)", purpose="PSOM/TLS web conferencing media from remote users"),
    # A/V Edge
    dict(service="av", protocol="UDP", port="3478", direction="inbound", peer="any", endpoint="both",
         listener="A/V Edge (RTCMEDIARELAY)", purpose="STUN/MSTURN candidate negotiation over UDP"),
    dict(service="av", protocol="UDP", port="3478", direction="outbound", peer="any", endpoint="servers",
         purpose="STUN/MSTURN to peers and other edges (version detection, edge-to-edge media)"),
    dict(service="av", protocol="TCP", port="443", direction="inbound", peer="any", endpoint="both",
         listener="A/V Edge (RTCMEDIARELAY)", purpose="STUN/MSTURN candidate negotiation over TCP (fallback when UDP is blocked)"),
    dict(service="av", protocol="TCP", port="443", direction="outbound", peer="any", endpoint="servers",
         purpose="STUN/MSTURN over TCP to peers and other edges"),
    dict(service="av", protocol="TCP", port="50000-59999", direction="outbound", peer="any", endpoint="servers",
         purpose="RTP media to federated partners and remote users"),
    dict(service="av", protocol="UDP", port="50000-59999", direction="outbound", peer="any", endpoint="servers",
         purpose="RTP media to federated partners and remote users"),
    dict(service="av", protocol="TCP", port="50000-59999", direction="inbound", peer="any", endpoint="servers",
         when="ocs2007", purpose="RTP media from partners running OCS 2007 (Lync 2013 only, opt-in)"),
    dict(service="av", protocol="UDP", port="50000-59999", direction="inbound", peer="any", endpoint="servers",
         when="ocs2007", purpose="RTP media from partners running OCS 2007 (Lync 2013 only, opt-in)"),
)

INTERNAL_RULES = (
    dict(service="internal", protocol="TCP", port="5061", direction="inbound", peer="next_hop", endpoint="both",
         listener="Access Edge (RTCSRV)", purpose="SIP/MTLS from the next hop pool (Director or Front End) and its servers"),
    dict(service="internal", protocol="TCP", port="5061", direction="outbound", peer="next_hop", endpoint="servers",
         purpose="SIP/MTLS to the next hop pool (Director or Front End) and its servers"),
    dict(service="internal", protocol="TCP", port="5062", direction="inbound", peer="front_ends", endpoint="both",
         listener="A/V Authentication (RTCMRAUTH)", purpose="A/V authentication (MRAS) from Front End servers"),
    dict(service="internal", protocol="TCP", port="8057", direction="inbound", peer="front_ends", endpoint="servers",
         listener="Web Conferencing Edge (RTCDATAPROXY)", purpose="PSOM/MTLS web conferencing from Front End servers"),
    dict(service="internal", protocol="TCP", port="4443", direction="inbound", peer="front_ends", endpoint="servers",
         listener="Replica Replicator Agent (REPLICA)",
         purpose="Central Management Store replication (HTTPS) from the Front End pool that holds the CMS"),
    dict(service="internal", protocol="TCP", port="50001-50003", direction="inbound", peer="lync_servers",
         endpoint="servers", purpose="Centralized Logging Service (ClsController/ClsAgent) from the Lync servers"),
    dict(service="internal", protocol="TCP", port="23456", direction="inbound", peer="front_ends", endpoint="servers",
         when="xmpp", listener="XMPP proxy (RTCXMPPTGWPX)", purpose="XMPP gateway traffic from Front End servers (Lync 2013 / SfB 2015)"),
    dict(service="internal", protocol="UDP", port="3478", direction="inbound", peer="internal_networks", endpoint="both",
         listener="A/V Edge (RTCMEDIARELAY)", purpose="STUN/MSTURN media from internal clients and servers (preferred path)"),
    dict(service="internal", protocol="TCP", port="443", direction="inbound", peer="internal_networks", endpoint="both",
         listener="A/V Edge (RTCMEDIARELAY)", purpose="STUN/MSTURN over TCP from internal clients (fallback, file transfer, desktop sharing)"),
    dict(service="internal", protocol="TCP", port="443", direction="outbound", peer="internal_networks",
         endpoint="servers", purpose="STUN/MSTURN over TCP to internal clients (fallback)"),
)
