# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure network and naming calculations for edge servers.

Everything here works on plain values (strings, lists, dicts) and raises ``ValueError`` with a
message that names the bad value.  The filters wrap these functions; the topology model uses them
to build the plan.  Nothing here talks to a host.
"""

from __future__ import annotations

import ipaddress
import re
import socket

from ansible_collections.sfb.edge.plugins.plugin_utils._excerpt import excerpt as _x

SERVICES = ("access", "webconf", "av")


class InvalidName(ValueError):
    """A DNS name is not valid."""


# \Z, not $: $ also matches before a final newline ("example.com\n" was a valid name, issue 18 point 8)
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)\Z")


def _reason(exc):
    """Why ipaddress refused a value, without the value (the message already shows its excerpt)."""
    text = re.sub(r" in '.*'\Z", "", str(exc), flags=re.S)
    return re.sub(r"'[^']*'", lambda match: _x(match.group()[1:-1], limit=20), text)


def parse_network(value, what="network"):
    """Return an ``IPv4Network`` for ``value`` (host bits are cleared: 10.1.2.3/16 -> 10.1.0.0/16)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("%s %s is not a CIDR string such as '10.20.0.0/16'" % (what, _x(value)))
    text = value.strip()
    if "/" not in text:
        raise ValueError("%s %s has no prefix length; write it as a CIDR such as '%s/24'" % (what, _x(value), text))
    block = _canonical_range(text)
    if block is not None:  # the canonical text: built from integers (inventories list thousands of networks)
        return ipaddress.IPv4Network(block)
    try:
        return ipaddress.IPv4Network(text, strict=False)
    except ValueError as exc:
        raise ValueError("%s %s is not a valid IPv4 CIDR (%s)" % (what, _x(value), _reason(exc))) from None


def host_bits(value, network=None):
    """For a CIDR string with host bits set ('10.1.2.3/16'), the address written (10.1.2.3); else None.

    Only meaningful for a value :func:`parse_network` accepts; ``network`` is what it returned (saves
    parsing the value again: ipaddress accepts only the canonical dotted quad, so equal text is equal).
    """
    if not isinstance(value, str):
        return None
    text = value.strip().split("/", 1)[0]
    if network is not None and text == str(network.network_address):
        return None
    try:
        address = ipaddress.IPv4Address(text)
        network = network or ipaddress.IPv4Network(value.strip(), strict=False)
    except ValueError:
        return None
    return address if address != network.network_address else None


def covering(networks):
    """Sort-and-sweep over IPv4 networks, O(n log n): ``(kept, covered)``.

    ``kept`` are the networks no other network of the list contains, sorted; ``covered`` is a list of
    ``(index, index_of_the_kept_network_that_contains_it)`` for every other item (a duplicate, or a
    network inside a larger one), indexes into ``networks``.  Two CIDR blocks either nest or are
    disjoint, so sorting by (first address, prefix length) puts every network right after the one
    that contains it.
    """
    order = sorted(range(len(networks)), key=lambda i: (int(networks[i].network_address), networks[i].prefixlen, i))
    kept, covered = [], []
    end = -1
    cover = None
    for i in order:
        net = networks[i]
        if cover is not None and int(net.network_address) <= end:
            covered.append((i, cover))
            continue
        cover, end = i, int(net.network_address) + (1 << (32 - net.prefixlen)) - 1  # the broadcast address
        kept.append(net)
    return kept, covered


def parse_interface(value, what="address"):
    """Return an ``IPv4Interface`` for "a.b.c.d/len"; the address must be a usable host address."""
    if not isinstance(value, str) or "/" not in value:
        raise ValueError("%s %s must be an address with its prefix length, such as '10.10.1.10/24'" % (what, _x(value)))
    try:
        iface = ipaddress.IPv4Interface(value.strip())
    except ValueError as exc:
        raise ValueError("%s %s is not a valid IPv4 address/prefix (%s)" % (what, _x(value), _reason(exc))) from None
    net = iface.network
    if net.prefixlen < 31 and iface.ip in (net.network_address, net.broadcast_address):
        raise ValueError("%s %s is the network or broadcast address of %s; use a host address" % (what, _x(value), net))
    if net.prefixlen == 32:
        raise ValueError("%s %s has a /32 prefix; give the NIC's real subnet prefix" % (what, _x(value)))
    return iface


def parse_address(value, what="address"):
    """Return an ``IPv4Address`` for a plain dotted-quad string."""
    if not isinstance(value, str):
        raise ValueError("%s %s is not an IPv4 address string" % (what, _x(value)))
    try:
        return ipaddress.IPv4Address(value.strip())
    except ValueError:
        raise ValueError("%s %s is not a valid IPv4 address such as '192.0.2.1'" % (what, _x(value))) from None


_ADDRESS = re.compile(r"^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\Z")  # [0-9], \Z: \d takes any Unicode digit, $ a final newline


def address_text(value, what="address"):
    """The canonical text of a dotted-quad address (what ``str(parse_address(value))`` gives), read by
    one regular expression when it is canonical already; else through :func:`parse_address`."""
    match = _ADDRESS.match(value) if isinstance(value, str) else None
    if match and None not in [_octet(t) for t in match.groups()]:
        return value
    return str(parse_address(value, what))


def address_int(text):
    """The integer of a canonical dotted-quad (from :func:`address_text`)."""
    a, b, c, d = text.split(".")
    return int(a) << 24 | int(b) << 16 | int(c) << 8 | int(d)


def is_fqdn(value, min_labels=2):
    """True when ``value`` is a syntactically valid DNS name with at least ``min_labels`` labels."""
    if not isinstance(value, str) or not value or len(value) > 253 or not value.isascii():
        return False  # ASCII first: lower() makes the Kelvin sign U+212A a 'k'
    name = value.lower().rstrip(".")
    labels = name.split(".")
    if len(labels) < min_labels:
        return False
    if labels[-1].isdigit():
        return False
    return all(_LABEL.match(label) for label in labels)


def _octet(text):
    """An octet in canonical form (0-255, no leading zero), else None (ipaddress decides then)."""
    value = int(text)
    return value if value <= 255 and (text == "0" or text[0] != "0") else None


def network_range(value, what="network"):
    """``(first address as int, prefix length)`` of a CIDR string, host bits cleared.

    The canonical text ("10.1.0.0/16") is read by one regular expression; anything else (spaces, a
    netmask, a bad value) goes through :func:`parse_network`, so errors read the same.  An
    ``IPv4Network`` (already parsed) is taken as it is.
    """
    if isinstance(value, ipaddress.IPv4Network):
        return int(value.network_address), value.prefixlen
    block = _canonical_range(value) if isinstance(value, str) else None
    if block is not None:
        return block
    net = parse_network(value, what)
    return int(net.network_address), net.prefixlen


# The canonical texts (dotted quad without leading zeros, prefix length 0-32 without a leading zero; [0-9] and
# \Z: \d takes any Unicode digit, $ a final newline). ipaddress reads every one of them, and str() of what it
# reads is the text itself; the fast paths read these with integers and leave any other text to ipaddress.
_OCTET_RE = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
CANONICAL_ADDRESS = re.compile(r"%s\.%s\.%s\.%s\Z" % ((_OCTET_RE,) * 4))
CANONICAL_CIDR = re.compile(r"%s\.%s\.%s\.%s/(?:3[0-2]|[12]?[0-9])\Z" % ((_OCTET_RE,) * 4))
_PREFIXES = {str(plen): plen for plen in range(33)}
MASKS = tuple(0xFFFFFFFF ^ ((1 << (32 - plen)) - 1) for plen in range(33))


def canonical_block(text):
    """``(address as written, as an int; prefix length)`` of a canonical CIDR text (host bits kept), else None."""
    if not CANONICAL_CIDR.match(text):
        return None
    address, _slash, plen = text.partition("/")
    return int.from_bytes(socket.inet_aton(address), "big"), _PREFIXES[plen]  # inet_aton: a checked dotted quad


def _canonical_range(text):
    """``(first address, prefix length)`` of a canonical CIDR text, host bits cleared; None for any other text."""
    block = canonical_block(text)
    return None if block is None else (block[0] & MASKS[block[1]], block[1])


def cidr_text(start, plen):
    """'a.b.c.d/len' for an integer network address and a prefix length."""
    return "%d.%d.%d.%d/%d" % (start >> 24, start >> 16 & 255, start >> 8 & 255, start & 255, plen)


def cover_ranges(ranges):
    """Sort-and-sweep over ``(start, prefixlen)`` blocks, O(n log n): the blocks no other one contains,
    sorted by start (so disjoint); duplicates and blocks inside another one are left out."""
    kept = []
    end = -1
    for start, plen in sorted(ranges):
        if start <= end:
            continue  # inside (or equal to) the last kept block: CIDR blocks nest or are disjoint
        end = start + (1 << (32 - plen)) - 1
        kept.append((start, plen))
    return kept


def summarize_ranges(blocks, min_prefixlen=1):
    """Merge sorted disjoint ``(start, prefixlen)`` blocks into the fewest CIDR blocks covering the
    same addresses, never shorter than ``min_prefixlen`` (two /1 halves are not merged into a default
    route).  One pass with a stack, O(n): each push merges with the top while the two are the halves of
    one block; the union of disjoint sorted blocks has exactly one such decomposition."""
    stack = []
    for start, plen in blocks:
        while stack and plen > min_prefixlen:
            top_start, top_plen = stack[-1]
            size = 1 << (32 - plen)
            if top_plen != plen or top_start + size != start or top_start & (size << 1) - 1:
                break
            stack.pop()
            start, plen = top_start, plen - 1
        stack.append((start, plen))
    return stack


def routes(networks, nic_address, gateway, interface, summarize=False):
    """Compute persistent routes for the internal NIC.

    :param networks: list of CIDR strings (the internal networks to reach).
    :param nic_address: the internal NIC address "a.b.c.d/len"; its own subnet is on-link and never
        gets a route.
    :param gateway: the internal firewall's address (must be inside the NIC's subnet).
    :param interface: the internal NIC's name, pinned on every route.
    :param summarize: also merge adjacent networks into their supernet.
    :returns: ``[{destination, gateway, interface}]`` sorted by destination.

    O(n log n): every network is parsed once into integers, then sorted and swept once.
    """
    if not isinstance(networks, (list, tuple)):
        raise ValueError("networks must be a list of CIDR strings, got %s" % (_x(networks),))
    nic = parse_interface(nic_address, "internal NIC address")
    gw = parse_address(gateway, "internal gateway")
    if gw not in nic.network:
        raise ValueError("internal gateway %s is outside the internal NIC subnet %s" % (gw, nic.network))
    if not isinstance(interface, str) or not interface:
        raise ValueError("interface must be the internal NIC name, got %s" % (_x(interface),))
    return [{"destination": text, "gateway": str(gw), "interface": interface}
            for text in route_destinations(networks, nic.network, summarize)]


def route_destinations(networks, on_link, summarize=False):
    """The destinations (CIDR strings, sorted) :func:`routes` gives for ``networks`` beside the on-link
    subnet ``on_link`` (an ``IPv4Network``).  Plans compute this once for the servers sharing a subnet."""
    link_start = int(on_link.network_address)
    link_end = int(on_link.broadcast_address)
    wanted = []
    for item in networks:
        start, plen = network_range(item, "internal network")
        if plen == 0:
            raise ValueError("internal network %s is a default route; the only default gateway belongs on the external NIC" % (_x(item),))
        if plen >= on_link.prefixlen and link_start <= start <= link_end:
            continue  # on-link: reachable without a route
        wanted.append((start, plen))
    kept = cover_ranges(wanted)  # a network inside another one needs no route of its own
    if summarize:
        kept = summarize_ranges(kept)
    return [cidr_text(start, plen) for start, plen in kept]


def san_list(sip_domains, external_fqdns, xmpp=False, include_av=False):
    """Names of the external (public) certificate, subject first.

    Order: the Access Edge FQDN (subject), the Web Conferencing FQDN, ``sip.<domain>`` for every SIP
    domain, the bare SIP domains when XMPP is on, and the A/V FQDN only when ``include_av``.
    Lower-cased, without duplicates.
    """
    if isinstance(sip_domains, str) or not isinstance(sip_domains, (list, tuple)) or not sip_domains:
        raise ValueError("sip_domains must be a non-empty list of domain names, got %s" % (_x(sip_domains),))
    if not isinstance(external_fqdns, dict):
        raise ValueError("external_fqdns must be a dict with access, webconf and av FQDNs, got %s" % (_x(external_fqdns),))
    for key in ("access", "webconf") + (("av",) if include_av else ()):
        if not is_fqdn(external_fqdns.get(key)):
            raise ValueError("external_fqdns.%s %s is not a valid FQDN" % (key, _x(external_fqdns.get(key))))
    for domain in sip_domains:
        if not is_fqdn(domain):
            raise ValueError("SIP domain %s is not a valid domain name" % (_x(domain),))
    names = [external_fqdns["access"], external_fqdns["webconf"]]
    names += ["sip." + d for d in sip_domains]
    if xmpp:
        names += list(sip_domains)
    if include_av:
        names.append(external_fqdns["av"])
    return list(dict.fromkeys(name.lower().rstrip(".") for name in names))  # first seen kept, in order


def san_size(names):
    """Bytes the SAN extension needs by the field rule: each name counts its length + 2."""
    return sum(len(n) + 2 for n in names)


def hosts_entries(entries):
    """Normalise hosts-file entries: ``[{ip, names}]`` with lower-case unique names, one entry per
    IP (entries for the same IP merged, first-seen order kept)."""
    if not isinstance(entries, (list, tuple)):
        raise ValueError("hosts entries must be a list of {ip, names}, got %s" % (_x(entries),))
    merged = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or "ip" not in entry or "names" not in entry:
            raise ValueError("hosts entry #%d %s must be a dict with 'ip' and 'names'" % (index, _x(entry)))
        ip = address_text(entry["ip"], "hosts entry #%d ip" % index)
        names = entry["names"]
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, (list, tuple)) or not names:
            raise ValueError("hosts entry #%d names %s must be a non-empty list of FQDNs" % (index, _x(names)))
        bucket = merged.setdefault(ip, {})  # a dict as an ordered set: one IP may carry thousands of names
        for name in names:
            if not is_fqdn(name):
                raise InvalidName("hosts entry #%d name %s is not a valid FQDN" % (index, _x(name)))
            bucket[name.lower().rstrip(".")] = None
    return [{"ip": ip, "names": list(names)} for ip, names in merged.items()]


# RFC 1918 private ranges plus shared (CGNAT, RFC 6598) and link-local space: none of these is
# reachable from the internet.  The documentation ranges (RFC 5737) are NOT in this list, so
# example inventories that use 192.0.2.0/24, 198.51.100.0/24 and 203.0.113.0/24 count as public.
NON_PUBLIC = tuple(ipaddress.IPv4Network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16"))


def is_private(address):
    """True when ``address`` is in RFC 1918, CGNAT (RFC 6598) or link-local space."""
    ip = ipaddress.IPv4Address(str(address).split("/", 1)[0])
    return any(ip in net for net in NON_PUBLIC)
