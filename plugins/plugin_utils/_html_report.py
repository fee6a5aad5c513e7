# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTML Edge Admin Report (``<plan dir>/<pool fqdn>/report.html``) rendered from a pool plan.

One self-contained file: inline CSS, a small inline script (sortable tables; the page works without
it), an inline SVG network diagram drawn here, and a Content-Security-Policy that allows only that
style and that script (by hash) and no network access at all.  Like plan.md it presents what
plan.json holds and computes nothing of its own; when drift or validation reports exist beside it
(``drift/<host>.json``, ``validate/<host>.json``) their status per host is shown too.

Every value is escaped (:func:`esc`) before it goes into the page.  Generation is linear in the size
of the plan: long member lists are written once and collapsed (``<details>``), and a server's routes
or hosts entries that are the same as another server's are referred to, not repeated.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
from urllib.parse import quote

from ansible_collections.sfb.edge.plugins.plugin_utils import _files, _made, _text
from ansible_collections.sfb.edge.plugins.plugin_utils._drift import certificate_due, due_text
from ansible_collections.sfb.edge.plugins.plugin_utils._plan import PLAN_FORMAT
from ansible_collections.sfb.edge.plugins.plugin_utils._report import _LB, _SERVICE, _VERSION

__all__ = ["PLAN_FORMAT", "diagram_svg", "esc", "load_reports", "pool_report", "render", "slug", "visible"]

# Lists longer than this are collapsed in a <details> element (all items are still in the page).
COLLAPSE = 8
# How many internal networks / hosts entries the diagram names before "... and N more".
DIAGRAM_ITEMS = 6

SECTIONS = (("summary", "Summary"), ("diagram", "Network diagram"), ("status", "Host status"),
            ("public-ips", "Public IP addresses"), ("dns", "DNS records"), ("certificates", "Certificates"),
            ("firewall", "Firewall"), ("firewall-proof", "Firewall proof"), ("servers", "Servers"), ("findings", "Findings"))

_SERVICE_ORDER = ("access", "webconf", "av")
_SHORT = {"access": "Access", "webconf": "Web Conf", "av": "A/V"}


class Markup(str):
    """Text that is already HTML (built here from escaped parts): not escaped again."""


def visible(text):
    """``text`` with its control and format characters written out (``\\x1f``, ``\\u202e``; TAB and LF kept,
    HTML shows them as a space), as the report shows it: no character that the SVG (XML) refuses, that
    HTML turns into another one (CR) or that hides or turns text around (Unicode category Cf, issue 18)."""
    return _text.visible(text, tab_and_newline=True)


def esc(value):
    """One value as escaped HTML text: None as an em dash, lists joined with commas, booleans as yes/no;
    control characters (not allowed in the SVG) as ``\\xNN``."""
    if isinstance(value, Markup):
        return value
    if value is None:
        return "\u2014"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(esc(v) for v in value) if value else "\u2014"
    return html.escape(visible(str(value)), quote=True)


def slug(text):
    """A stable, unique HTML id part for a name: letters, digits, '.', '_' and '-' are kept, every other
    character becomes ``~`` and its code point in hex (so different names never share an id)."""
    return "".join(c if (c.isascii() and c.isalnum()) or c in "._-" else "~%x~" % ord(c) for c in str(text))


def _cell(value):
    return "<td>%s</td>" % esc(value)


def table(headers, rows, cls="sortable", row_class=None, caption=None):
    """A table; ``rows`` of values (escaped here) or Markup.  Sortable by its headers with the script."""
    out = ['<table class="%s">' % cls]
    if caption:
        out.append("<caption>%s</caption>" % esc(caption))
    out.append("<thead><tr>%s</tr></thead><tbody>" % "".join('<th scope="col">%s</th>' % esc(h) for h in headers))
    tr = '<tr class="%s">' % row_class if row_class else "<tr>"
    for row in rows:
        out.append(tr + "".join(_cell(v) for v in row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def item_list(items, what="items", anchor=None):
    """A list of values: inline when short, else collapsed in <details> with the count in the summary."""
    items = list(items)
    if not items:
        return Markup("\u2014")
    if len(items) <= COLLAPSE:
        return Markup("<br>".join(esc(i) for i in items))
    ident = ' id="%s"' % anchor if anchor else ""
    return Markup('<details class="list"%s><summary>%s %s: %s, \u2026</summary><ul class="cols">%s</ul></details>'
                  % (ident, "{:,}".format(len(items)), esc(what), esc(", ".join(str(i) for i in items[:3])),
                     "".join("<li>%s</li>" % esc(i) for i in items)))


# ---------------------------------------------------------------------------------------------- SVG diagram

_LINE = 16       # text line height in the diagram
_CHAR = 6.9      # average width of a 12px character, to shorten labels that would not fit
_GAP = 36        # horizontal gap between columns
_PAD = 20


def _fit(text, width):
    """``text`` shortened with an ellipsis to fit ``width`` pixels."""
    text = str(text)
    room = max(4, int((width - 16) / _CHAR))
    return text if len(text) <= room else text[:room - 1] + "\u2026"


def _box(ident, cls, x, y, width, lines, height=None, title=None):
    """A node: a rectangle with lines of text ((text, css class) pairs; the first is the heading)."""
    height = height or 12 + _LINE * len(lines)
    out = ['<g id="%s" class="node %s">' % (esc(ident), cls)]
    out.append("<title>%s</title>" % esc(title or " / ".join(str(t) for t, _c in lines)))
    out.append('<rect x="%d" y="%d" width="%d" height="%d" rx="6"/>' % (x, y, width, height))
    for number, (text, tcls) in enumerate(lines):
        out.append('<text x="%d" y="%d" class="%s">%s</text>' % (x + 8, y + 4 + _LINE * (number + 1), tcls,
                                                                 esc(_fit(text, width))))
    out.append("</g>")
    return "".join(out), height


def _more(items, limit, what):
    """The first ``limit`` items, then "... and N more <what>"."""
    items = list(items)
    shown = [(i, "") for i in items[:limit]]
    if len(items) > limit:
        shown.append(("\u2026 and {:,} more {}".format(len(items) - limit, what), "muted"))
    return shown


def _unique(values):
    seen, out = set(), []
    for value in values:
        if value not in seen:
            seen.add(value)
            out.append(value)
    return out


def _lync_servers(plan):
    """The hosts entries of every server, each (ip, names) once, in order."""
    return _unique((e["ip"], tuple(e["names"])) for h in plan["hosts"].values() for e in h["hosts_entries"])


def _internal_networks(plan):
    group = plan.get("firewall", {}).get("groups", {}).get("internal_networks")
    if group:
        return list(group["members"])
    return _unique(r["destination"] for h in plan["hosts"].values() for r in h["routes"])


def _server_lines(name, host, status):
    ext = host["external_nic"]
    lines = [(name, "head"), (host["fqdn"], "")]
    public = ext.get("public") or {}
    for service in _SERVICE_ORDER:
        address = ext["services"].get(service)
        if address is None:
            continue
        text = "%s %s" % (_SHORT[service], address)
        if public.get(service) and public[service] != address:
            text += " \u2192 NAT %s" % public[service]
        lines.append((text, "addr"))
    lines.append(("Internal %s" % ", ".join(host["internal_nic"]["addresses"]), "addr"))
    if status:
        lines.append((status[0], "status " + status[1]))
    return lines


def diagram_svg(plan, status=None):
    """The network diagram of a pool plan as an inline SVG element (a string), left to right: the
    internet, the external firewall, the external HLB (when there is one), each edge server with its
    external addresses and services (a node ``id="node-<inventory hostname>"``), the internal HLB, the
    internal firewall, the next hop pool and the Lync servers of the hosts entries, and a summary of the
    internal networks.  ``status``: ``{host: (text, css class)}`` shown on the server nodes."""
    status = status or {}
    pool = plan["pool"]
    hosts = plan["hosts"]
    hlb = pool["load_balancing"] == "hlb"
    server_w, bar_w, hlb_w, side_w, net_w = 300, 170, 200, 310, 110
    top = _PAD + 28
    parts, edges = [], []

    # servers: one column, one node each
    servers, y = [], top
    for name in sorted(hosts):
        lines = _server_lines(name, hosts[name], status.get(name))
        servers.append((name, lines, y))
        y += 12 + _LINE * len(lines) + 16
    servers_bottom = y - 16

    # internal side boxes
    nets = _internal_networks(plan)
    gateways = _unique(r["gateway"] for h in hosts.values() for r in h["routes"])
    lync = _lync_servers(plan)
    next_hop = pool["next_hop_fqdn"]
    hop_ips = [ip for ip, names in lync if next_hop in names]
    hop_lines = [("Next hop pool", "head"), (next_hop, ""), (", ".join(hop_ips) or "(no hosts entry)", "addr"),
                 ("Lync servers (hosts file): {:,}".format(len(lync)), "")]
    hop_lines += _more(["%s %s" % (names[0] if names else "", ip) for ip, names in lync], DIAGRAM_ITEMS,
                       "entries")
    net_lines = [("Internal networks: {:,}".format(len(nets)), "head")]
    net_lines += _more(nets, DIAGRAM_ITEMS, "(see Firewall)")
    if not nets:
        net_lines.append(("internal DMZ only", "muted"))
    side_h = (12 + _LINE * len(hop_lines)) + 20 + (12 + _LINE * len(net_lines))

    height = max(servers_bottom, top + side_h, top + 200) + _PAD
    bar_h = height - top - _PAD
    mid = top + bar_h // 2

    x = _PAD
    columns = {}
    for key, width in (("internet", net_w), ("extfw", bar_w), ("exthlb", hlb_w if hlb else 0), ("servers", server_w),
                       ("inthlb", hlb_w if hlb else 0), ("intfw", bar_w), ("side", side_w)):
        if width:
            columns[key] = (x, width)
            x += width + _GAP
    width = x - _GAP + _PAD

    # the internet
    ix, iw = columns["internet"]
    node, ih = _box("diagram-internet", "cloud", ix, mid - 30, iw, [("Internet", "head"), ("any address", "muted")])
    parts.append(node)

    # firewalls and HLBs: bars the height of the drawing
    ext_gw = _unique(h["external_nic"]["gateway"] for h in hosts.values())
    bars = [("extfw", "diagram-external-firewall", "firewall",
             [("External firewall", "head")] + _more(["gateway %s" % g for g in ext_gw], 3, "gateways"))]
    if hlb:
        vips = {d["service"]: d["address"] for d in plan["public_ips"]["detail"] if d["host"] == "hlb_vip"}
        internal_vip = [r["value"] for r in plan["dns_records"]["internal"] if r["name"] == pool["fqdn"]]
        vip_lines = [("%s VIP %s" % (_SHORT[s], vips[s]), "addr") for s in _SERVICE_ORDER if s in vips]
        bars.append(("exthlb", "diagram-external-hlb", "hlb", [("External HLB", "head")] + vip_lines
                     + [("A/V media also direct", "muted"), ("to each server", "muted")]))
        bars.append(("inthlb", "diagram-internal-hlb", "hlb",
                     [("Internal HLB", "head")] + [("VIP %s" % v, "addr") for v in internal_vip[:1]]))
    bars.append(("intfw", "diagram-internal-firewall", "firewall",
                 [("Internal firewall", "head")] + _more(["routes via %s" % g for g in gateways], 3, "gateways")
                 + ([] if gateways else [("on-link only", "muted")])))
    for key, ident, cls, lines in bars:
        bx, bw = columns[key]
        node, _h = _box(ident, "bar " + cls, bx, top, bw, lines, height=bar_h)
        parts.append(node)

    # edge servers
    sx, sw = columns["servers"]
    left_of_servers = columns["exthlb" if hlb else "extfw"]
    right_of_servers = columns["inthlb" if hlb else "intfw"]
    for name, lines, sy in servers:
        node, sh = _box("node-%s" % slug(name), "server", sx, sy, sw, lines)
        parts.append(node)
        cy = sy + sh // 2
        edges.append((left_of_servers[0] + left_of_servers[1], cy, sx, cy, ""))
        edges.append((sx + sw, cy, right_of_servers[0], cy, ""))
        if hlb:  # A/V media reaches each server's own address, past the HLB
            edges.append((columns["extfw"][0] + columns["extfw"][1], cy - 10, left_of_servers[0], cy - 10, "dashed"))

    # between the columns
    edges.append((ix + iw, mid, columns["extfw"][0], mid, ""))
    if hlb:
        edges.append((columns["extfw"][0] + columns["extfw"][1], mid, columns["exthlb"][0], mid, ""))
        edges.append((columns["inthlb"][0] + columns["inthlb"][1], mid, columns["intfw"][0], mid, ""))

    # the internal side
    hx, hw = columns["side"]
    node, hh = _box("diagram-next-hop", "internal", hx, top, hw, hop_lines)
    parts.append(node)
    node, nh = _box("diagram-internal-networks", "internal", hx, top + hh + 20, hw, net_lines)
    parts.append(node)
    fw_right = columns["intfw"][0] + columns["intfw"][1]
    edges.append((fw_right, top + hh // 2, hx, top + hh // 2, ""))
    edges.append((fw_right, top + hh + 20 + nh // 2, hx, top + hh + 20 + nh // 2, ""))

    title = "Network diagram of the edge pool %s (%s)" % (pool["fqdn"], _LB.get(pool["load_balancing"], ""))
    out = ['<svg xmlns="http://www.w3.org/2000/svg" class="diagram" id="diagram" role="img" '
           'aria-labelledby="diagram-title" viewBox="0 0 %d %d" width="%d" height="%d">' % (width, height, width, height)]
    out.append('<title id="diagram-title">%s</title>' % esc(title))
    out.append('<text x="%d" y="%d" class="caption">%s</text>' % (_PAD, _PAD + 8, esc(title)))
    out.append('<g class="edges">')
    for x1, y1, x2, y2, cls in edges:
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d"%s/>' % (x1, y1, x2, y2, ' class="%s"' % cls if cls else ""))
    out.append("</g>")
    out.extend(parts)
    out.append("</svg>")
    return "".join(out)


# ---------------------------------------------------------------------------------------------- reports on disk

def load_reports(pool_dir, hosts):
    """The drift and validation reports of ``hosts`` found in ``pool_dir`` (``drift/<host>.json``,
    ``validate/<host>.json``): ``(drift, validation, notes)``, the first two ``{host: report}``; a report
    that cannot be read, or that is about another host or pool, is left out and named in ``notes``. A report is a
    regular file of at most 64 MiB, never read through a symbolic link (a FIFO or a device is refused without
    blocking: _files.read_regular)."""
    drift, validation, notes = {}, {}, []
    pool = page_inputs(pool_dir)[1]
    for kind, folder, found in (("drift", "drift", drift), ("validation", "validate", validation)):
        for host in hosts:
            try:
                path = _files.child(os.path.join(pool_dir, folder), host, ".json")
                data = json.loads(_files.read_regular(path, _files.REPORT_LIMIT).decode("utf-8"))
            except FileNotFoundError:
                continue
            except (_files.FilesError, OSError, ValueError, RecursionError) as exc:
                notes.append("%s/%s.json: the %s report could not be read (%s)" % (folder, _files.shown(host), kind, exc))
                continue
            if not isinstance(data, dict) or data.get("host") != host or data.get("pool") != pool:
                notes.append("%s/%s.json: not the %s report of host %s in pool %s; ignored"
                             % (folder, host, kind, host, pool))
                continue
            found[host] = data
    return drift, validation, notes


# The folders of per-host reports a page shows (beside plan.json, or in the what-if folder).
REPORT_FOLDERS = ("drift", "validate", "firewall-proof")


def page_inputs(folder):
    """``(plan.json, pool FQDN, what_if)`` of the report.html in ``folder``: a pool's folder
    (``<plan dir>/<pool>``), or its what-if folder (``<plan dir>/<pool>/what-if``, _made), whose page shows the
    plan.json of the pool's folder with the what-if reports."""
    folder = os.path.normpath(os.path.abspath(folder))
    if os.path.basename(folder) == _made.WHAT_IF:
        pool_dir = os.path.dirname(folder)
        return os.path.join(pool_dir, "plan.json"), os.path.basename(pool_dir), True
    return os.path.join(folder, "plan.json"), os.path.basename(folder), False


def load_proofs(pool_dir, hosts):
    """The firewall proof reports of ``hosts`` in ``pool_dir`` (``firewall-proof/<host>.json``, written by
    roles/firewall_proof): ``(proofs, notes)``; one that cannot be read (a symbolic link, not a regular file,
    larger than _files.REPORT_LIMIT, not JSON: _files.read_regular) or that is about another host or pool is left
    out and named in ``notes``."""
    proofs, notes = {}, []
    pool = page_inputs(pool_dir)[1]
    for host in hosts:
        name = "firewall-proof/%s.json" % _files.shown(host)
        try:
            path = _files.child(os.path.join(pool_dir, "firewall-proof"), host, ".json")
            data = json.loads(_files.read_regular(path, _files.REPORT_LIMIT).decode("utf-8"))
        except FileNotFoundError:
            continue
        except (_files.FilesError, OSError, ValueError, RecursionError) as exc:
            notes.append("%s: the firewall proof report could not be read (%s)" % (name, _text.visible(str(exc))))
            continue
        if not isinstance(data, dict) or data.get("host") != host or data.get("pool") != pool \
                or not isinstance(data.get("rules"), list):
            notes.append("%s: not the firewall proof report of host %s in pool %s; ignored" % (name, host, pool))
            continue
        proofs[host] = data
    return proofs, notes


def _mtime_ns(path):
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def up_to_date(path, pool_dir):
    """True when ``path`` (the pool's report.html, refreshed from the files on disk) is newer than everything
    :func:`pool_report` reads: plan.json (the pool's, for a what-if page), the ``drift``/``validate``/
    ``firewall-proof`` folders (a report removed changes the folder) and every file in them. Strictly newer: a
    file written in the same clock tick as the page renders it again. A missing or unreadable file is never up to
    date. (playbooks/plan.yml renders the page whatever its age: after an upgrade of the collection, the next
    plan.yml run gives the new page.)"""
    page = _mtime_ns(path)
    if page is None:
        return False
    inputs = [page_inputs(pool_dir)[0]]
    for folder in REPORT_FOLDERS:
        where = os.path.join(pool_dir, folder)
        inputs.append(where)
        try:
            inputs.extend(entry.path for entry in os.scandir(where))
        except FileNotFoundError:
            continue
        except OSError:
            return False
    for source in inputs:
        when = _mtime_ns(source)
        if when is None:
            if source == inputs[0]:
                return False
            continue  # a folder that does not exist (yet), or a file removed while we looked: its folder tells
        if when >= page:
            return False
    return True


def pool_report(pool_dir, plan=None):
    """report.html of the pool whose directory is ``pool_dir``, from ``plan`` (else the pool's plan.json,
    :func:`page_inputs`) and the drift, validation and firewall proof reports in that directory; in a what-if
    folder, the page of the what-if reports, with its banner."""
    plan_json, _pool, what_if = page_inputs(pool_dir)
    if plan is None:
        try:
            raw = _files.read_regular(plan_json, _files.REPORT_LIMIT)
        except _files.FilesError as exc:
            raise OSError(str(exc)) from None
        plan = json.loads(raw.decode("utf-8"))
    drift, validation, notes = load_reports(pool_dir, sorted(plan["hosts"]))
    proofs, proof_notes = load_proofs(pool_dir, sorted(plan["hosts"]))
    return render(plan, drift, validation, notes + proof_notes, proofs=proofs, what_if=what_if)


# ---------------------------------------------------------------------------------------------- sections

def _due(rep):
    """'2 certificate(s) expired' (from the drift report's findings) or ''."""
    return due_text(rep) if isinstance(rep.get("findings"), list) else ""


def _drift_text(rep):
    if rep is None:
        return "no report"
    due = _due(rep)
    if rep.get("in_sync"):
        return "in sync; but " + due if due else "in sync"
    changes = sum((rep.get("summary") or {}).values())
    return "drifted: %d change(s), %d problem(s)%s" % (changes, len(rep.get("problems") or []), "; " + due if due else "")


def _validation_text(rep):
    if rep is None:
        return "no report"
    counts = rep.get("summary") or {}
    return "%s: %d pass, %d fail, %d skipped" % ("passed" if rep.get("passed") else "FAILED", counts.get("pass", 0),
                                                 counts.get("fail", 0), counts.get("skip", 0))


def _host_status(drift, validation):
    """``{host: (text, css class)}`` for the diagram."""
    status = {}
    for host in set(drift) | set(validation):
        d, v = drift.get(host), validation.get(host)
        expired = d is not None and isinstance(d.get("findings"), list) and bool(certificate_due(d)[0])
        bad = (d is not None and not d.get("in_sync")) or (v is not None and not v.get("passed")) or expired
        words = []
        if d is not None:
            words.append("in sync" if d.get("in_sync") else "drifted")
            if expired:
                words.append("certificate expired")
        if v is not None:
            words.append("validation passed" if v.get("passed") else "validation FAILED")
        status[host] = (", ".join(words), "bad" if bad else "good")
    return status


def _badge(text, kind):
    return Markup('<span class="badge %s">%s</span>' % (kind, esc(text)))


def _summary(plan):
    pool = plan["pool"]
    single = pool["single_ip"]
    rows = [
        ("Product", _VERSION.get(pool["version"], pool["version"])),
        ("Edge pool (internal FQDN)", pool["fqdn"]),
        ("Load balancing", _LB.get(pool["load_balancing"], pool["load_balancing"])),
        ("External IP mode", "single IP (Access %s, Web Conferencing %s, A/V %s)"
         % tuple(pool["service_ports"][s] for s in _SERVICE_ORDER) if single else "three IPs per server"),
        ("Servers", item_list(pool["servers"], "servers")),
        ("Next hop", pool["next_hop_fqdn"]),
        ("SIP domains", item_list(pool["sip_domains"], "domains")),
        ("External FQDNs", Markup("<br>".join("%s: %s" % (esc(_SERVICE[s]), esc(pool["external_fqdns"][s]))
                                              for s in _SERVICE_ORDER if s in pool["external_fqdns"]))),
        ("XMPP federation", pool["xmpp"]),
        ("Public IP addresses needed", plan["public_ips"]["count"]),
    ]
    return table(["Item", "Value"], rows, cls="kv")


def _status_section(plan, drift, validation, notes):
    out = []
    if not drift and not validation:
        out.append("<p>No drift or validation report beside this report yet. <code>playbooks/drift.yml</code> writes "
                   "<code>drift/&lt;host&gt;.json</code> and <code>playbooks/validate.yml</code> writes "
                   "<code>validate/&lt;host&gt;.json</code>; each refreshes this page.</p>")
    else:
        rows = []
        for host in sorted(plan["hosts"]):
            d, v = drift.get(host), validation.get(host)
            d_kind = "none" if d is None else ("good" if d.get("in_sync") else "bad")
            v_kind = "none" if v is None else ("good" if v.get("passed") else "bad")
            rows.append((Markup('<a href="#host-%s">%s</a>' % (slug(host), esc(host))),
                         _badge(_drift_text(d), d_kind), _source(d),
                         _badge(_validation_text(v), v_kind), _source(v)))
        out.append(table(["Host", "Drift", "Drift source", "Validation", "Validation source"], rows,
                         row_class="host-status"))
        for host in sorted(plan["hosts"]):
            d, v = drift.get(host), validation.get(host)
            if d is None and v is None:
                continue
            out.append('<details class="host-detail" id="host-%s"><summary>%s: %s; %s</summary>'
                       % (slug(host), esc(host), esc(_drift_text(d)), esc(_validation_text(v))))
            if d is not None:
                out.append(_drift_detail(host, d))
            if v is not None:
                out.append("<h4>Validation (<a href=\"validate/%s.md\">validate/%s.md</a>)</h4>"
                           % (esc(quote(host)), esc(host)))
                out.append(table(["Result", "Check", "Target", "Expected", "Actual"],
                                 ((_result(r.get("result")), r.get("check"), r.get("target"), r.get("expected"),
                                   r.get("actual")) for r in v.get("rows") or ()), row_class="check"))
            out.append("</details>")
    for note in notes:
        out.append('<p class="note">%s</p>' % esc(note))
    return "".join(out)


def _made_text(rep):
    """'made 2027-03-01T12:00:00Z (live)' of a report with ``made`` (_made), else ''."""
    made = rep.get("made") if isinstance(rep, dict) else None
    if not isinstance(made, dict):
        return ""
    return "made %s (%s)" % (made.get("at") or "at an unknown time", made.get("mode") or "unknown mode")


def _source(rep):
    """The source cell of a report: where its state came from, and when and how it was made."""
    if rep is None:
        return None
    made = _made_text(rep)
    if not made:
        return rep.get("source")
    return Markup("%s<br>%s" % (esc(rep.get("source")), esc(made)))


_VERDICT_CLASS = {"open": "good", "blocked": "bad", "answered by something else": "bad"}
_VERDICTS = ("open", "blocked", "answered by something else", "not tested", "would test")


def _proof_summary(rep):
    summary = rep.get("summary") if isinstance(rep.get("summary"), dict) else {}
    return ", ".join("%s %s" % (summary[v], v) for v in _VERDICTS if summary.get(v)) or "no rule"


def _proof_section(plan, proofs):
    """The firewall proof reports (``firewall-proof/<host>.json``): the verdicts per host, then per rule."""
    if not proofs:
        return ("<p>No firewall proof report beside this report. <code>playbooks/firewall_proof.yml</code> (before "
                "the install, docs/firewall-proof.md) writes <code>firewall-proof/&lt;host&gt;.json</code> and "
                "<code>.md</code>, and refreshes this page.</p>")
    out = []
    rows = []
    for host in sorted(proofs):
        rep = proofs[host]
        summary = rep.get("summary") if isinstance(rep.get("summary"), dict) else {}
        failing = any(summary.get(v) for v in ("blocked", "answered by something else"))
        proven = summary.get("open") and not failing and not any(summary.get(v) for v in ("not tested", "would test"))
        rows.append((Markup('<a href="#proof-%s">%s</a>' % (slug(host), esc(host))),
                     _badge(_proof_summary(rep), "bad" if failing else ("good" if proven else "none")),
                     rep.get("mode"), _source(rep)))
    out.append(table(["Host", "Verdicts", "Mode", "Source"], rows, row_class="proof-host"))
    for host in sorted(proofs):
        rep = proofs[host]
        out.append('<details class="proof-detail" id="proof-%s"><summary>%s: %s</summary>'
                   % (slug(host), esc(host), esc(_proof_summary(rep))))
        out.append('<h4>Firewall proof (<a href="firewall-proof/%s.md">firewall-proof/%s.md</a>)</h4>'
                   % (esc(quote(host)), esc(host)))
        out.append(table(["#", "Firewall", "Direction", "Source", "Destination", "Protocol", "Ports", "Verdict", "Probe",
                          "Why"],
                         ((r.get("id"), r.get("firewall"), r.get("direction"), r.get("source"), r.get("destination"),
                           r.get("protocol"), r.get("ports"),
                           Markup('<span class="result %s">%s</span>' % (
                               _VERDICT_CLASS.get(r.get("verdict"), "none"), esc(r.get("verdict")))),
                           r.get("probe"), r.get("reason")) for r in rep["rules"] if isinstance(r, dict)),
                         row_class="proof-rule"))
        out.append("</details>")
    return "".join(out)


def _what_if_banner(reports):
    """The banner of a what-if page: how and when its reports were made (_made), and where the live page is."""
    modes, dirs, times = set(), set(), []
    for rep in reports:
        made = rep.get("made") if isinstance(rep.get("made"), dict) else {}
        modes.add(made.get("mode") or "unknown")
        if isinstance(made.get("at"), str):
            times.append(made["at"])
        source = rep.get("source")
        if isinstance(source, str) and source.startswith("snapshot "):
            dirs.add(os.path.dirname(source[len("snapshot "):]))
    how = []
    if "snapshot" in modes:
        how.append("from the snapshots in %s" % (", ".join(sorted(dirs)) or "a snapshot folder"))
    if "check" in modes:
        how.append("in check mode (nothing tested)")
    when = ""
    if times:
        when = " at %s" % min(times) if min(times) == max(times) else " between %s and %s" % (min(times), max(times))
    return ('<div class="what-if" role="alert"><strong>WHAT-IF, NOT THE LIVE STATE.</strong> The reports on this page '
            'were made %s%s: no host was read. The page of the live runs is <a href="../report.html">'
            '../report.html</a>; a what-if run never writes there.</div>\n'
            % (esc(" and ".join(how) or "without reading the hosts"), esc(when)))


def _result(result):
    return Markup('<span class="result %s">%s</span>' % (esc(result), esc(str(result or "").upper())))


def _drift_detail(host, rep):
    out = ["<h4>Drift (<a href=\"drift/%s.json\">drift/%s.json</a>)</h4>" % (esc(quote(host)), esc(host))]
    changes = [c for area in (rep.get("changes") or {}).values() for c in area]
    if changes:
        out.append(table(["Area", "Action", "Target", "Property", "Now", "Wanted"],
                         ((c.get("area"), c.get("action"), c.get("target"), c.get("property"), _plain(c.get("before")),
                           _plain(c.get("after"))) for c in changes), row_class="change"))
    elif rep.get("in_sync"):
        out.append("<p>In sync: nothing to change.</p>")
    if rep.get("problems"):
        out.append(table(["Area", "Variable", "Problem"],
                         ((p.get("area"), p.get("variable"), p.get("message")) for p in rep["problems"]),
                         row_class="problem", caption="Problems (fix the inventory or the host)"))
    if rep.get("blocked"):
        out.append(table(["Area", "Target", "Property", "Why not applied"],
                         ((b.get("area"), b.get("target"), b.get("property"), b.get("reason")) for b in rep["blocked"]),
                         row_class="blocked", caption="Blocked by a guard"))
    if rep.get("notes"):
        out.append("<ul class=\"notes\">%s</ul>" % "".join("<li>%s</li>" % esc(n) for n in rep["notes"]))
    findings = [f for f in (rep.get("findings") or ()) if isinstance(f, dict)]
    if findings:
        out.append(table(["Severity", "Finding", "Certificate", "Not after (UTC)", "Days left", "What to do"],
                         ((f.get("severity"), f.get("id"), f.get("target"), f.get("not_after"), f.get("days_left"),
                           f.get("message")) for f in findings),
                         row_class="expiry-finding", caption="Certificates in use (at the time of the drift report)"))
    return "".join(out)


def _plain(value):
    if isinstance(value, (dict, list)) and not all(isinstance(v, (str, int, float)) for v in value):
        return json.dumps(value, sort_keys=True)
    return value


def _public_ips(plan):
    rows = ((d["address"], _SERVICE.get(d["service"], d["service"]), "HLB VIP" if d["host"] == "hlb_vip" else d["host"],
             d["nat"]) for d in plan["public_ips"]["detail"])
    return ("<p>{:,} public IP address(es).</p>".format(plan["public_ips"]["count"])
            + table(["Address", "Service", "Used by", "NAT"], rows, row_class="public-ip"))


def _dns(plan):
    out = []
    for zone in ("external", "internal"):
        out.append("<h3>%s DNS</h3>" % zone.capitalize())
        out.append(table(["Type", "Name", "Value", "Port", "Priority", "Weight"],
                         ((r["type"], r["name"], r["value"], r.get("port"), r.get("priority"), r.get("weight"))
                          for r in plan["dns_records"][zone]), row_class="dns-%s" % zone))
    return "".join(out)


def _expiry(cert):
    expiry = cert.get("expiry") or {}
    status = expiry.get("status") or "unknown"
    if status not in ("ok", "warning", "expired", "unknown"):
        status = "unknown"
    days = expiry.get("days_left")
    text = status
    if days is not None:
        text += " (%s day%s left)" % (days, "" if days in (1, -1) else "s") if days >= 0 else " (%s days ago)" % -days
    if expiry.get("warn_days") is not None:
        text += ", warning at %s days" % expiry["warn_days"]
    return Markup('<span class="expiry %s">%s</span>' % (status, esc(text)))


def _certificates(plan):
    rows = []
    for kind, title in (("external", "External (public CA)"), ("internal", "Internal (internal CA)")):
        cert = plan["certificates"].get(kind)
        if not cert:
            continue
        rows.append((title, cert.get("subject"), item_list(cert.get("san") or [], "names"), cert.get("san_bytes"),
                     cert.get("key"), cert.get("eku"), cert.get("issuer"), cert.get("assign_to"),
                     cert.get("not_after") or "unknown", _expiry(cert)))
    return table(["Certificate", "Subject", "Subject alternative names", "SAN bytes", "Key", "Enhanced key usage",
                  "Issuer", "Assigned to", "Expires (UTC)", "Expiry status"], rows, row_class="certificate")


def _group_ref(name, groups):
    members = groups.get(name, {}).get("members", [])
    inline = ": " + ", ".join(esc(m) for m in members) if 0 < len(members) <= 3 else " ({:,})".format(len(members))
    return Markup('<a href="#fw-group-%s"><code>%s</code></a>%s' % (slug(name), esc(name), inline))


def _firewall(fw):
    groups = fw["groups"]
    out = ["<p>Direction is as seen from the edge server; the last column says the rule as the team that owns that "
           "firewall reads it. Rules are between the address groups below; <a href=\"firewall.csv\">firewall.csv</a> "
           "lists every rule per address pair, with the same rule numbers (#). The rules with yes in the Management "
           "column are the tool's own traffic (WinRM, SSH from the Ansible controller).</p>",
           "<h3>Address groups</h3>"]
    out.append(table(["Group", "Description", "Count", "Members"],
                     ((Markup('<code id="fw-group-%s">%s</code>' % (slug(name), esc(name))), g["description"],
                       len(g["members"]), item_list(g["members"], "members")) for name, g in groups.items()),
                     row_class="fw-group"))
    for side, title in (("external", "External firewall"), ("internal", "Internal firewall")):
        out.append("<h3>%s</h3>" % title)
        out.append(table(["#", "Direction", "Source", "Destination", "Protocol", "Ports", "Service", "Note",
                          "Management", "For the firewall team"],
                         ((r.get("id", number), r["direction"], _group_ref(r["source"], groups),
                           _group_ref(r["destination"], groups), r["protocol"], r["ports"],
                           _SERVICE.get(r["service"], r["service"]), r["note"],
                           "yes" if r.get("management") else "", r.get("allow", ""))
                          for number, r in enumerate(fw["rules"], 1) if r["firewall"] == side),
                         row_class="fw-rule fw-%s" % side))
    return "".join(out)


def _servers(plan):
    out = []
    seen_routes, seen_entries = {}, {}
    for name, host in sorted(plan["hosts"].items()):
        ext, internal = host["external_nic"], host["internal_nic"]
        ident = slug(name)
        out.append('<h3 id="server-%s">%s (%s)</h3>' % (ident, esc(name), esc(host["fqdn"])))
        out.append(table(["NIC", "Name", "MAC", "Addresses", "Default gateway", "DNS servers"], [
            ("External", ext["name"], ext.get("mac"), item_list(ext["addresses"]), ext["gateway"],
             item_list(ext["dns_servers"])),
            ("Internal", internal["name"], internal.get("mac"), item_list(internal["addresses"]),
             internal["gateway"] or "none", item_list(internal["dns_servers"]) if internal["dns_servers"] else "none"),
        ], cls="plain"))
        public = ext.get("public") or {}
        out.append(table(["Service", "Address on the server", "Public address"],
                         ((_SERVICE[s], ext["services"][s], public.get(s)) for s in _SERVICE_ORDER
                          if s in ext["services"]), cls="plain", row_class="service"))
        out.append("<p>Primary DNS suffix <code>%s</code>; DNS registration and NetBIOS off on the external NIC.</p>"
                   % esc(host["dns_suffix"]))
        out.append(_shared_list("Persistent routes", "routes-" + ident, name, seen_routes,
                                tuple((r["destination"], r["gateway"], r["interface"]) for r in host["routes"]),
                                ["Destination", "Gateway", "Interface"]))
        out.append(_shared_list("Hosts file entries", "hosts-" + ident, name, seen_entries,
                                tuple((e["ip"], ", ".join(e["names"])) for e in host["hosts_entries"]),
                                ["Address", "Names"]))
        if host.get("listening"):
            out.append("<details><summary>Listening sockets expected after installation ({:,})</summary>"
                       .format(len(host["listening"])))
            out.append(table(["Address", "Port", "Protocol", "Interface", "Listener"],
                             ((s["address"], s["port"], s["protocol"], s["interface"], s["listener"])
                              for s in host["listening"])))
            out.append("</details>")
    return "".join(out)


def _shared_list(title, anchor, host, seen, rows, headers):
    """A server's routes or hosts entries; when another server has exactly the same, a reference to it."""
    head = "<h4>%s ({:,})</h4>".format(len(rows)) % esc(title)
    if not rows:
        return head + "<p>None.</p>"
    if rows in seen:
        first, first_anchor = seen[rows]
        return head + '<p id="%s">The same as <a href="#%s">%s</a>.</p>' % (anchor, first_anchor, esc(first))
    seen[rows] = (host, anchor)
    body = table(headers, rows)
    if len(rows) > COLLAPSE:
        return head + '<details id="%s"><summary>Show all {:,}</summary>%s</details>'.format(len(rows)) % (anchor, body)
    return head + '<div id="%s">%s</div>' % (anchor, body)


def _findings(plan):
    if not plan.get("findings"):
        return "<p>No warnings.</p>"
    return table(["Severity", "Code", "Host", "Variable", "Message"],
                 ((f.get("severity"), f.get("code"), f.get("host"), f.get("variable"), f.get("message"))
                  for f in plan["findings"]), row_class="finding")


# ---------------------------------------------------------------------------------------------- the page

STYLE = """
:root{--fg:#1b1f24;--muted:#5b6470;--line:#c9d1d9;--head:#eef2f6;--good:#1a7f37;--bad:#b42318;--warn:#9a6700}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans",Arial,sans-serif;color:var(--fg);
margin:0;background:#fff}
header{padding:16px 24px;border-bottom:2px solid var(--fg)}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;color:var(--muted)}
nav{position:sticky;top:0;background:#fff;border-bottom:1px solid var(--line);padding:6px 24px;z-index:2}
nav a{margin-right:14px;white-space:nowrap}
main{padding:0 24px 40px}
section{margin-top:28px}
h2{font-size:18px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
h4{font-size:14px;margin:12px 0 4px}
a{color:#0b57d0}
code{font:12.5px ui-monospace,"Cascadia Mono","DejaVu Sans Mono",Consolas,monospace}
table{border-collapse:collapse;margin:6px 0 12px;min-width:40%}
caption{text-align:left;font-weight:600;padding:4px 0}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
thead th{background:var(--head);position:sticky;top:34px;z-index:1;white-space:nowrap}
table.kv td:first-child{font-weight:600;background:var(--head)}
.js table.sortable thead th{cursor:pointer;user-select:none}
.js table.sortable thead th::after{content:" \\2195";color:var(--muted);font-size:11px}
.js table.sortable thead th[aria-sort=ascending]::after{content:" \\25B2";color:var(--fg)}
.js table.sortable thead th[aria-sort=descending]::after{content:" \\25BC";color:var(--fg)}
details summary{cursor:pointer}
ul.cols{columns:4 12em;margin:4px 0;padding-left:18px}
.badge,.result,.expiry{font-weight:600;padding:0 4px;border:1px solid currentColor;border-radius:3px;white-space:nowrap}
.good,.pass,.ok{color:var(--good)}
.bad,.fail,.expired{color:var(--bad)}
.warning{color:var(--warn)}
.none,.skip,.unknown{color:var(--muted)}
.note{color:var(--bad)}
.what-if{margin:0;padding:14px 24px;background:#fff4d6;border-top:4px solid var(--warn);border-bottom:4px solid var(--warn);
font-size:16px}
.figure{overflow-x:auto;border:1px solid var(--line);padding:8px}
svg.diagram{max-width:100%;height:auto;font:12px system-ui,"Segoe UI","Liberation Sans",Arial,sans-serif}
svg .node rect{fill:#fff;stroke:#1b1f24;stroke-width:1.5}
svg .bar rect{fill:#f3f5f8}
svg .firewall rect{stroke-width:3}
svg .hlb rect{stroke-dasharray:6 3}
svg .server rect{fill:#eef4ff}
svg .cloud rect{rx:24;fill:#fafafa}
svg .internal rect{fill:#f6fff8}
svg text{fill:#1b1f24}
svg text.head{font-weight:700}
svg text.caption{font-weight:700;font-size:14px}
svg text.addr{font-family:ui-monospace,"DejaVu Sans Mono",Consolas,monospace;font-size:11.5px}
svg text.muted{fill:#5b6470;font-style:italic}
svg text.status{font-weight:700}
svg text.good{fill:#1a7f37}
svg text.bad{fill:#b42318}
svg .edges line{stroke:#1b1f24;stroke-width:1.5}
svg .edges line.dashed{stroke-dasharray:5 4}
footer{padding:12px 24px;color:var(--muted);border-top:1px solid var(--line)}
@media print{
nav{display:none}
thead th{position:static}
body{font-size:11px}
main{padding:0}
header,footer{padding:8px 0}
section{break-before:page;margin-top:0}
section#summary{break-before:auto}
tr,.node{break-inside:avoid}
a{color:inherit;text-decoration:none}
.figure{border:0;overflow:visible}
.badge,.result,.expiry{border-width:1px}
svg .bar rect,svg .server rect,svg .internal rect,svg .cloud rect{fill:#fff}
}
"""

SCRIPT = """
(function () {
  "use strict";
  var order = new Intl.Collator(undefined, {numeric: true, sensitivity: "base"});
  function key(row, index) {
    var cell = row.cells[index];
    return cell ? cell.textContent.trim() : "";
  }
  function sortBy(table, index, header) {
    var body = table.tBodies[0];
    if (!body) { return; }
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var rows = Array.prototype.slice.call(body.rows);
    var keys = new Map();
    rows.forEach(function (row) { keys.set(row, key(row, index)); });
    rows.sort(function (a, b) {
      var c = order.compare(keys.get(a), keys.get(b));
      return ascending ? c : -c;
    });
    Array.prototype.forEach.call(header.parentNode.cells, function (th) { th.setAttribute("aria-sort", "none"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) { fragment.appendChild(row); });
    body.appendChild(fragment);
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    if (!table.tHead || !table.tHead.rows.length) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, index) {
      header.tabIndex = 0;
      header.setAttribute("aria-sort", "none");
      header.title = "Sort by this column";
      header.addEventListener("click", function () { sortBy(table, index, header); });
      header.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sortBy(table, index, header); }
      });
    });
  });
  document.documentElement.classList.add("js");
  document.documentElement.setAttribute("data-report-ready", "sortable");
})();
"""


def _hash(text):
    return "'sha256-%s'" % base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


# No network access at all: no default source, only this page's own style and script (by hash).
CSP = "default-src 'none'; style-src %s; script-src %s; img-src data:; base-uri 'none'; form-action 'none'" % (
    _hash(STYLE), _hash(SCRIPT))


def render(plan, drift=None, validation=None, notes=(), proofs=None, what_if=False):
    """The HTML report of one pool plan (a string); ``drift``, ``validation`` and ``proofs`` (firewall proof):
    ``{host: report}``; ``what_if``: the page of a pool's what-if folder (_made), with its banner, linking the
    pool's plan files one folder up."""
    drift, validation, proofs = drift or {}, validation or {}, proofs or {}
    fqdn = plan["pool"]["fqdn"]
    up = "../" if what_if else ""
    body = {
        "summary": _summary(plan),
        "diagram": '<div class="figure">%s</div>' % diagram_svg(plan, _host_status(drift, validation)),
        "status": _status_section(plan, drift, validation, notes),
        "public-ips": _public_ips(plan),
        "dns": _dns(plan),
        "certificates": _certificates(plan),
        "firewall": _firewall(plan["firewall"]).replace('href="firewall.csv"', 'href="%sfirewall.csv"' % up),
        "firewall-proof": _proof_section(plan, proofs),
        "servers": _servers(plan),
        "findings": _findings(plan),
    }
    out = ['<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
           '<meta http-equiv="Content-Security-Policy" content="%s">\n' % CSP,
           '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
           '<meta name="generator" content="sfb.edge">\n',
           "<title>%sEdge Admin Report: %s</title>\n" % ("What-if: " if what_if else "", esc(fqdn)),
           "<style>%s</style>\n</head>\n<body>\n" % STYLE,
           "<header><h1>%sEdge Admin Report: %s</h1>" % ("What-if: " if what_if else "", esc(fqdn)),
           "<p>Generated by the sfb.edge collection from the inventory (plan format %s). Do not edit: change the "
           "inventory and run the plan playbook again. %s: <a href=\"%splan.md\">plan.md</a>, "
           "<a href=\"%splan.json\">plan.json</a>, <a href=\"%sfirewall.csv\">firewall.csv</a>.</p></header>\n"
           % (esc(plan.get("format")), "In the pool's folder" if what_if else "Beside this file", up, up, up),
           _what_if_banner(list(drift.values()) + list(validation.values()) + list(proofs.values()))
           if what_if else "",
           "<nav>%s</nav>\n<main>\n" % "".join('<a href="#%s">%s</a>' % (key, title) for key, title in SECTIONS)]
    for key, title in SECTIONS:
        out.append('<section id="%s"><h2>%s</h2>\n%s\n</section>\n' % (key, title, body[key]))
    out.append("</main>\n<footer>Tables sort when a column header is clicked. Long lists are collapsed; "
               "open them to print them.</footer>\n")
    out.append("<script>%s</script>\n</body>\n</html>\n" % SCRIPT)
    return "".join(out)
