# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The human edge report (Markdown with a Mermaid network diagram) rendered from a pool plan.

The report only presents what plan.json holds; it computes nothing of its own.
"""

from __future__ import annotations

import re

from ansible_collections.sfb.edge.plugins.plugin_utils import _products, _text, _expiry as expiry

_SERVICE = {"access": "Access Edge", "webconf": "Web Conferencing Edge", "av": "A/V Edge", "internal": "Internal",
            "management": "Management"}
_VERSION = {version: product["product"] for version, product in _products.PRODUCTS.items()}
_LB = {"none": "single server", "dns": "DNS load balancing", "hlb": "hardware load balancer"}


class Md(str):
    """Text that is already Markdown (built here from escaped parts): not escaped again."""


# Escaped in Markdown text (issue 18, point 9): HTML (a raw <svg onload=...> or </script> in plan.md runs in a
# viewer that renders HTML), the table's cell separator, code spans, emphasis and the backslash that escapes them.
# Every invisible character is written out first (_text.visible: \u202e, \x0a - a newline would end the row).
_MD_SPECIAL = re.compile(r"[\\`*|&<>]")
_MD_ESCAPES = {"\\": "\\\\", "`": "\\`", "*": "\\*", "|": "\\|", "&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MD_PLAIN = re.compile(r"[^\\`*|&<>\x00-\x1f\x7f-\U0010ffff]*\Z")  # printable ASCII but \ ` * | & < >: as it is


def _md_char(match):
    return _MD_ESCAPES[match.group(0)]


def text(value):
    """One value as Markdown text: shown as it is, never read as Markdown or HTML."""
    value = value if value.__class__ is str else str(value)
    if _MD_PLAIN.match(value):
        return value
    return _MD_SPECIAL.sub(_md_char, _text.visible(value))


def code(value):
    """A name as inline code (`edge_internal`) when it is a plain name, else as escaped text (a backtick in it
    would end the code span)."""
    value = str(value)
    return Md("`%s`" % value) if _NAME.match(value) else Md(text(value))


_NAME = re.compile(r"[A-Za-z0-9_.:/-]+\Z")


def _cell(value):
    if value is None:
        return "—"
    if isinstance(value, Md):
        return value
    if isinstance(value, (list, tuple)):
        return "<br>".join(_cell(v) for v in value) if value else "—"
    return text(value)


def _table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for header in headers) + "|"]
    # a plain string cell inline, the rest through _cell (at 12 servers x 5,000 networks plan.md has ~250,000 cells)
    plain = _MD_PLAIN.match
    lines += ["| " + " | ".join([v if v.__class__ is str and plain(v) else _cell(v) for v in row]) + " |"
              for row in rows]
    return lines


def _id(name):
    """A Mermaid node id that can never be a keyword (end, graph, subgraph...), one per name: ASCII letters and
    digits kept, any other character as _<hex>_."""
    return "srv_" + "".join(c if c.isascii() and c.isalnum() else "_%x_" % ord(c) for c in name)


# Mermaid label text (inside ["..."]): entity codes for what would end the label or be read as HTML or as a
# Markdown string, '#' itself too (a value "#quot;" stays that text); invisible characters written out.
_MERMAID_ESCAPES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "`": "#96;"}
_MERMAID_SPECIAL = re.compile('[#"<>&`]')


def _mermaid_char(match):
    return _MERMAID_ESCAPES[match.group(0)]


def label(value):
    """One value as Mermaid label text."""
    return _MERMAID_SPECIAL.sub(_mermaid_char, _text.visible(str(value)))


def mermaid(plan):
    """A Mermaid flowchart: internet, external firewall, edge servers (and HLB), internal firewall,
    internal networks."""
    pool = plan["pool"]
    lines = ["```mermaid", "flowchart LR"]
    lines.append('  internet(("Internet"))')
    ext_gw = sorted({h["external_nic"]["gateway"] for h in plan["hosts"].values()})
    lines.append('  extfw["External firewall<br>%s"]' % ", ".join(label(g) for g in ext_gw))
    lines.append("  internet --- extfw")
    internal_gw = sorted({r["gateway"] for h in plan["hosts"].values() for r in h["routes"]})
    lines.append('  intfw["Internal firewall<br>%s"]' % (", ".join(label(g) for g in internal_gw) or "on-link only"))
    nets = sorted({r["destination"] for h in plan["hosts"].values() for r in h["routes"]})
    lines.append('  lan["Internal networks<br>%s"]' % ("<br>".join(label(n) for n in nets) or "internal DMZ only"))
    lines.append("  intfw --- lan")
    hlb = pool["load_balancing"] == "hlb"
    if hlb:
        vips = [d["address"] for d in plan["public_ips"]["detail"] if d["host"] == "hlb_vip"]
        lines.append('  exthlb["External HLB VIPs<br>%s"]' % "<br>".join(label(v) for v in vips))
        lines.append('  inthlb["Internal HLB VIP<br>%s"]' % label(
            next((r["value"] for r in plan["dns_records"]["internal"] if r["name"] == pool["fqdn"]), "")))
        lines.append("  extfw --- exthlb")
        lines.append("  inthlb --- intfw")
    lines.append('  subgraph pool["Edge pool %s (%s)"]' % (label(pool["fqdn"]), _LB[pool["load_balancing"]]))
    for name, host in sorted(plan["hosts"].items()):
        ext = host["external_nic"]
        text_ = "%s<br>%s<br>ext %s: %s<br>int %s: %s" % (
            label(name), label(host["fqdn"]), label(ext["name"]), ", ".join(label(a) for a in ext["addresses"]),
            label(host["internal_nic"]["name"]), ", ".join(label(a) for a in host["internal_nic"]["addresses"]))
        lines.append('    %s["%s"]' % (_id(name), text_))
    lines.append("  end")
    for name in sorted(plan["hosts"]):
        lines.append("  %s --- %s" % ("exthlb" if hlb else "extfw", _id(name)))
        if hlb:
            lines.append("  extfw -. A/V media .- %s" % _id(name))
        lines.append("  %s --- %s" % (_id(name), "inthlb" if hlb else "intfw"))
    lines.append("```")
    return lines


def markdown(plan):
    """Render one pool plan as Markdown."""
    pool = plan["pool"]
    out = ["# Edge Admin Report: %s" % text(pool["fqdn"]), ""]
    out += ["Generated by the sfb.edge collection from the inventory. Do not edit: change the inventory "
            "and run the plan playbook again.", ""]
    out += ["## Summary", ""]
    out += _table(["Item", "Value"], [
        ("Product", _VERSION.get(pool["version"], pool["version"])),
        ("Edge pool (internal FQDN)", pool["fqdn"]),
        ("Load balancing", _LB[pool["load_balancing"]]),
        ("External IP mode", "single IP (Access %(access)s, Web Conferencing %(webconf)s, A/V %(av)s)"
         % pool["service_ports"] if pool["single_ip"] else "three IPs per server"),
        ("Servers", pool["servers"]),
        ("Next hop", pool["next_hop_fqdn"]),
        ("SIP domains", pool["sip_domains"]),
        ("XMPP federation", "yes" if pool["xmpp"] else "no"),
        ("Public IP addresses needed", plan["public_ips"]["count"]),
    ])
    out += ["", "## Public IP addresses", ""]
    out += _table(["Address", "Service", "Used by", "NAT"], [
        (d["address"], _SERVICE[d["service"]], "HLB VIP" if d["host"] == "hlb_vip" else d["host"],
         "yes" if d["nat"] else "no") for d in plan["public_ips"]["detail"]])
    out += ["", "## Certificates", ""]
    for kind, title in (("external", "External (public CA)"), ("internal", "Internal (internal CA)")):
        cert = plan["certificates"][kind]
        out += ["### %s" % title, ""]
        rows = [("Subject", cert["subject"]), ("Subject alternative names", cert["san"]),
                ("Key", cert["key"]), ("Enhanced key usage", cert["eku"]), ("Issuer", cert["issuer"]),
                ("Assigned to", cert["assign_to"])]
        if "san_bytes" in cert:
            rows.append(("SAN size (length + 2 per name)", "%d bytes" % cert["san_bytes"]))
        if "expiry" in cert:
            rows.append(("Expiry", expiry_text(cert, kind)))
        out += _table(["Field", "Value"], rows) + [""]
    out += ["## Network diagram", ""] + mermaid(plan) + [""]
    out += ["## Servers", ""]
    for name, host in sorted(plan["hosts"].items()):
        ext, internal = host["external_nic"], host["internal_nic"]
        out += ["### %s (%s)" % (text(name), text(host["fqdn"])), ""]
        out += _table(["NIC", "Name", "Addresses", "Default gateway", "DNS servers"], [
            ("External", ext["name"], ext["addresses"], ext["gateway"], ext["dns_servers"]),
            ("Internal", internal["name"], internal["addresses"], internal["gateway"] or "none",
             internal["dns_servers"] or "none"),
        ])
        out += ["", "Primary DNS suffix: %s. DNS registration and NetBIOS off on the external NIC." % code(host["dns_suffix"]), ""]
        out += ["Persistent routes:", ""]
        out += _table(["Destination", "Gateway", "Interface"],
                      [(r["destination"], r["gateway"], r["interface"]) for r in host["routes"]]) + [""]
        out += ["Hosts file entries:", ""]
        out += _table(["Address", "Names"], [(e["ip"], e["names"]) for e in host["hosts_entries"]]) + [""]
    out += ["## DNS records", ""]
    for zone in ("external", "internal"):
        out += ["### %s DNS" % zone.capitalize(), ""]
        out += _table(["Type", "Name", "Value", "Port"], [
            (r["type"], r["name"], r["value"], r.get("port")) for r in plan["dns_records"][zone]]) + [""]
    out += firewall_section(plan["firewall"])
    out += ["## Findings", ""]
    if plan["findings"]:
        out += _table(["Severity", "Code", "Host", "Variable", "Message"], [
            (f["severity"], f["code"], f["host"], f["variable"], f["message"]) for f in plan["findings"]])
    else:
        out += ["No warnings."]
    return "\n".join(out) + "\n"


_STATUS_NOTE = {"ok": "", "warning": " — **renew soon**: within the %d-day warning window",
                "expired": " — **EXPIRED**: renew it"}


def expiry_text(cert, kind):
    """'expires 2027-03-01T12:00:00Z (90 days)' of a plan certificate, or why there is no date."""
    info = cert["expiry"]
    if cert.get("not_after") is None:
        return "unknown: no certificate file in the inventory (sfb_edge_certificates.%s)" % kind
    note = _STATUS_NOTE.get(info["status"], "")
    return Md(text(expiry.when_text(cert["not_after"], info)) + (note % info["warn_days"] if "%d" in note else note))


def firewall_section(fw):
    """The grouped firewall table: the address groups (members listed once), then the rules between
    groups, per firewall, each with its number (the one firewall.csv, report.html and the firewall proof use)
    and the sentence for the team that owns that firewall.  Its length grows with the members, never with
    members x rules."""
    out = ["## Firewall", "", "Direction is as seen from the edge server; the last column says the rule as the team "
           "that owns that firewall reads it. Rules are between the address groups below; `firewall.csv` beside this "
           "report lists every rule per address pair, with the same rule numbers (`#`). The rules with yes in the "
           "Management column are the tool's own traffic (WinRM, SSH from the Ansible controller).", ""]
    out += ["### Address groups", ""]
    out += _table(["Group", "Description", "Members"], [
        (code(name), group["description"], group["members"]) for name, group in fw["groups"].items()]) + [""]
    for side, title in (("external", "External firewall"), ("internal", "Internal firewall")):
        out += ["### %s" % title, ""]
        out += _table(["#", "Direction", "Source", "Destination", "Protocol", "Ports", "Service", "Note", "Management",
                       "For the firewall team"], [
            (str(r.get("id", number)), r["direction"], code(r["source"]), code(r["destination"]), r["protocol"],
             r["ports"], _SERVICE.get(r["service"], r["service"]), r["note"], "yes" if r.get("management") else "",
             r.get("allow", ""))
            for number, r in enumerate(fw["rules"], 1) if r["firewall"] == side]) + [""]
    return out


# The columns of firewall.csv: rule, management and allow were added in 0.5.0 at the end (a reader by position
# keeps working).
CSV_HEADER = ("firewall", "direction", "protocol", "ports", "source_group", "source", "destination_group",
              "destination", "service", "note", "rule", "management", "allow")


def _csv_field(value):
    """One CSV field as the csv module writes it (minimal quoting)."""
    text = str(value)
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def firewall_csv(fw):
    """The flat per-address export of a firewall plan (firewall.csv) as text chunks: a header, then one
    line per (rule, source member, destination member), in rule order.  One chunk per (rule, source
    member): memory stays bounded by the largest group, time is linear in the number of lines, and
    every field is escaped once per group member, not once per line."""
    yield ",".join(CSV_HEADER) + "\n"
    groups = fw["groups"]
    escaped = {name: [_csv_field(m) for m in group["members"]] for name, group in groups.items()}
    for number, rule in enumerate(fw["rules"], 1):
        head = ",".join(_csv_field(rule[k]) for k in ("firewall", "direction", "protocol", "ports")) + ","
        tail = "," + ",".join(_csv_field(v) for v in (
            rule["service"], rule["note"], rule.get("id", number), "yes" if rule.get("management") else "no",
            rule.get("allow", ""))) + "\n"
        head += _csv_field(rule["source"]) + ","
        middle = "," + _csv_field(rule["destination"]) + ","
        destinations = escaped[rule["destination"]]
        for source in escaped[rule["source"]]:
            prefix = head + source + middle
            yield "".join([prefix + destination + tail for destination in destinations])
