# -*- coding: utf-8 -*-
"""The HTML Edge Admin Report (plugins/plugin_utils/_html_report.py) with the plans of the shipped inventories,
real drift and validation reports from the snapshots, hostile values and a 12 x 5,000 pool."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import re
import sys
from collections import Counter
import xml.etree.ElementTree as ET

import pytest
from hypothesis import example as hypothesis_example
from hypothesis import assume, given, settings
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

import html_check  # noqa: E402
import inventory_data  # noqa: E402
import scale_data  # noqa: E402

from ansible_collections.sfb.edge.plugins.plugin_utils import _checks as checks
from ansible_collections.sfb.edge.plugins.plugin_utils import _desired as desired
from ansible_collections.sfb.edge.plugins.plugin_utils import _drift as drift
from ansible_collections.sfb.edge.plugins.plugin_utils import _html_report as html_report
from ansible_collections.sfb.edge.plugins.plugin_utils import _plan as plan
from ansible_collections.sfb.edge.plugins.plugin_utils import _state as state  # noqa: E402

SNAPSHOTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__)))), "snapshots")
SVG = "{http://www.w3.org/2000/svg}"
POOL = "edgepool.corp.example.com"


def pool_plan(inv=None):
    (result,) = plan.build(inv or inventory_data.example(), read_certificates=False).values()
    return result


@pytest.fixture(scope="module")
def example():
    return pool_plan()


@pytest.fixture(scope="module")
def example_html(example):
    return html_report.render(example)


def snapshot(scenario, host):
    current = state.load_snapshot(os.path.join(SNAPSHOTS, scenario), host)
    current.setdefault("connection_ports", [5985, 5986])
    return current


def drift_report(scenario, host):
    return drift.report(desired.build(inventory_data.example(), host), snapshot(scenario, host),
                        source="snapshot %s" % scenario, options={"frontend": "fe01"})


def validation_report(scenario, host):
    return checks.report(desired.build(inventory_data.example(), host), snapshot(scenario, host),
                         source="snapshot %s" % scenario)


def rows_of(page, cls):
    return page.by_class("tr", cls)


# ------------------------------------------------------------------------------------ the example pool
def test_every_server_address_is_in_the_report(example, example_html):
    text = html_check.Page(example_html).all_text()
    for name, host in example["hosts"].items():
        assert name in text and host["fqdn"] in text
        for address in host["external_nic"]["addresses"] + host["internal_nic"]["addresses"]:
            assert address in text, address
        assert host["external_nic"]["mac"] in text and host["internal_nic"]["mac"] in text
    # the values themselves, not only that something was written
    assert "192.0.2.21/24" in text and "172.16.10.12/24" in text and "192.0.2.33/24" in text


def test_every_firewall_rule_is_a_row(example, example_html):
    page = html_check.Page(example_html)
    rules = example["firewall"]["rules"]
    assert len(rows_of(page, "fw-rule")) == len(rules) == 29  # 28 and the WinRM management rule
    assert len(rows_of(page, "fw-external")) == sum(1 for r in rules if r["firewall"] == "external")
    assert len(rows_of(page, "fw-internal")) == sum(1 for r in rules if r["firewall"] == "internal")
    # each rule as a row, in plan order: number, direction, groups, protocol, ports, note
    body = re.findall(r'<tr class="fw-rule fw-(?:external|internal)">(.*?)</tr>', example_html)
    assert len(body) == len(rules)
    by_number = {int(re.match(r"<td>(\d+)</td>", row).group(1)): row for row in body}
    for number, rule in enumerate(rules, 1):
        row = by_number[number]
        for value in (rule["direction"], rule["protocol"], rule["ports"], rule["note"], rule["source"],
                      rule["destination"]):
            assert html_report.esc(value) in row, (number, value)
    # groups: every group once, with all its members
    groups = rows_of(page, "fw-group")
    assert len(groups) == len(example["firewall"]["groups"])
    for name, group in example["firewall"]["groups"].items():
        assert 'id="fw-group-%s"' % name in example_html
        for member in group["members"]:
            assert member in example_html


def test_every_dns_record_and_public_ip(example, example_html):
    page = html_check.Page(example_html)
    for zone in ("external", "internal"):
        records = example["dns_records"][zone]
        found = re.findall(r'<tr class="dns-%s">(.*?)</tr>' % zone, example_html)
        assert len(found) == len(records) == {"external": 8, "internal": 3}[zone]
        for record, row in zip(records, found):
            cells = re.findall(r"<td>(.*?)</td>", row)
            assert cells[:3] == [record["type"], record["name"], record["value"]]
            assert cells[3] == str(record.get("port", "\u2014"))
    ips = rows_of(page, "public-ip")
    assert len(ips) == example["public_ips"]["count"] == 9
    for detail in example["public_ips"]["detail"]:
        assert "<td>%s</td>" % detail["address"] in example_html


def test_certificates_without_expiry_say_unknown(example, example_html):
    # the example inventory names no certificate file: the plan says not_after null, expiry status unknown
    assert [c["expiry"]["status"] for c in example["certificates"].values()] == ["unknown", "unknown"]
    rows = re.findall(r'<tr class="certificate">(.*?)</tr>', example_html)
    assert len(rows) == 2
    for row in rows:
        assert "<td>unknown</td>" in row and '<span class="expiry unknown">unknown, warning at 30 days</span>' in row
    assert "sip.example.com" in rows[0] and "webconf.example.com" in rows[0] and "sip.example.net" in rows[0]


def test_certificate_expiry_from_the_plan_is_shown():
    data = pool_plan()
    data["certificates"]["external"].update(not_after="2027-03-01T12:00:00Z",
                                            expiry={"status": "warning", "days_left": 12, "warn_days": 30})
    data["certificates"]["internal"].update(not_after="2026-11-01T00:00:00Z",
                                            expiry={"status": "expired", "days_left": -29, "warn_days": 30})
    page = html_report.render(data)
    external, internal = re.findall(r'<tr class="certificate">(.*?)</tr>', page)
    assert "<td>2027-03-01T12:00:00Z</td>" in external
    assert '<span class="expiry warning">warning (12 days left), warning at 30 days</span>' in external
    assert "<td>2026-11-01T00:00:00Z</td>" in internal
    assert '<span class="expiry expired">expired (29 days ago), warning at 30 days</span>' in internal


def test_findings_are_listed():
    data = pool_plan()
    data["findings"] = [{"severity": "warning", "code": "networks_overlap", "host": "edge01",
                         "variable": "sfb_edge_internal_networks", "message": "10.10.0.0/16 overlaps 10.10.1.0/24",
                         "pool": POOL}]
    page = html_report.render(data)
    (row,) = re.findall(r'<tr class="finding">(.*?)</tr>', page)
    assert row == ("<td>warning</td><td>networks_overlap</td><td>edge01</td><td>sfb_edge_internal_networks</td>"
                   "<td>10.10.0.0/16 overlaps 10.10.1.0/24</td>")
    assert "No warnings." in html_report.render(pool_plan())


def test_sortable_tables_and_their_script(example_html):
    page = html_check.Page(example_html)
    sortable = [a for t, a in page.tags if t == "table" and "sortable" in a.get("class", "").split()]
    assert len(sortable) >= 7  # public IPs, 2 DNS zones, certificates, groups, 2 firewalls, routes...
    (script,) = page.scripts
    assert "table.sortable" in script and "addEventListener(\"click\"" in script and "aria-sort" in script
    # the page allows exactly this script and this style, by hash, and nothing from the network
    csp = [a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert len(csp) == 1
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    style_digest = base64.b64encode(hashlib.sha256(page.styles[0].encode()).digest()).decode()
    assert csp[0] == ("default-src 'none'; style-src 'sha256-%s'; script-src 'sha256-%s'; img-src data:; "
                      "base-uri 'none'; form-action 'none'" % (style_digest, digest))


def test_self_contained(example_html):
    assert html_check.external_references(example_html) == []
    # the only hrefs: fragments and the files beside the report
    hrefs = {a["href"] for t, a in html_check.Page(example_html).tags if "href" in a}
    assert {h for h in hrefs if not h.startswith("#")} == {"plan.md", "plan.json", "firewall.csv"}
    assert "http://" not in example_html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in example_html


def test_print_stylesheet(example_html):
    style = html_check.Page(example_html).styles[0]
    printed = style.split("@media print{", 1)[1]
    assert "nav{display:none}" in printed and "thead th{position:static}" in printed
    assert "section{break-before:page" in printed


def test_the_checker_finds_external_references():
    # the check above can fail
    assert html_check.external_references('<img src="https://x/y.png">') == ["<img>", "<img src='https://x/y.png'>"]
    assert html_check.external_references('<a href="https://example.com/">x</a>') == [
        "<a href='https://example.com/'>"]
    assert html_check.external_references("<style>@import 'x.css';</style>") == ["style: url() or @import"]
    assert html_check.external_references('<div onclick="x()"></div>') == ["<div onclick>"]


# ------------------------------------------------------------------------------------ the diagram
def svg_nodes(svg):
    root = ET.fromstring(svg)  # well-formed XML
    assert root.tag == SVG + "svg"
    return {g.get("id"): " ".join(t.text or "" for t in g.iter(SVG + "text")) for g in root.iter(SVG + "g") if g.get("id")}


def test_diagram_has_every_server_with_its_addresses(example):
    nodes = svg_nodes(html_report.diagram_svg(example))
    assert {"node-edge01", "node-edge02", "diagram-internet", "diagram-external-firewall", "diagram-external-hlb",
            "diagram-internal-hlb", "diagram-internal-firewall", "diagram-next-hop",
            "diagram-internal-networks"} == set(nodes)
    assert nodes["node-edge01"] == ("edge01 edge01.corp.example.com Access 192.0.2.21 Web Conf 192.0.2.22 "
                                    "A/V 192.0.2.23 Internal 172.16.10.11/24")
    assert "Access VIP 192.0.2.10" in nodes["diagram-external-hlb"]
    assert "VIP 172.16.10.10" in nodes["diagram-internal-hlb"]
    assert "gateway 192.0.2.1" in nodes["diagram-external-firewall"]
    assert "routes via 172.16.10.1" in nodes["diagram-internal-firewall"]
    assert nodes["diagram-next-hop"].startswith("Next hop pool dirpool.corp.example.com 10.10.1.20 Lync servers "
                                                "(hosts file): 6")
    assert nodes["diagram-internal-networks"] == "Internal networks: 3 10.10.0.0/16 10.20.0.0/16 10.30.0.0/20"


def test_diagram_without_hlb_and_with_nat():
    data = pool_plan(inventory_data.nat_dns_pool())
    nodes = svg_nodes(html_report.diagram_svg(data))
    assert "diagram-external-hlb" not in nodes and "diagram-internal-hlb" not in nodes
    assert "Access 172.20.0.1 \u2192 NAT 203.0.113.1" in nodes["node-edge01"]
    assert "A/V 172.20.0.13 \u2192 NAT 203.0.113.13" in nodes["node-edge02"]


def test_diagram_single_ip_server():
    data = pool_plan(inventory_data.single())
    (server,) = data["hosts"]
    nodes = svg_nodes(html_report.diagram_svg(data))
    assert nodes["node-%s" % server].startswith("%s %s Access 172.31.0.10 \u2192 NAT 203.0.113.10" % (
        server, data["hosts"][server]["fqdn"]))


def test_diagram_status_from_reports():
    nodes = svg_nodes(html_report.diagram_svg(pool_plan(), {"edge01": ("in sync, validation passed", "good"),
                                                            "edge02": ("drifted", "bad")}))
    assert nodes["node-edge01"].endswith("in sync, validation passed")
    assert nodes["node-edge02"].endswith("drifted")


def test_long_lists_are_summed_up_in_the_diagram():
    data = pool_plan(scale_data.inventory(servers=3, networks=40, hosts=30))
    nodes = svg_nodes(html_report.diagram_svg(data))
    assert nodes["diagram-internal-networks"].startswith("Internal networks: 40 10.0.0.0/24 10.0.1.0/24")
    assert nodes["diagram-internal-networks"].endswith("\u2026 and 34 more (see Firewall)")
    assert "\u2026 and 24 more entries" in nodes["diagram-next-hop"]
    assert {"node-edge01", "node-edge02", "node-edge03"} <= set(nodes)


# ------------------------------------------------------------------------------------ drift and validation
def test_status_of_real_drift_and_validation_reports():
    reports = {h: drift_report("manual", h) for h in ("edge01", "edge02")}
    valid = {"edge01": validation_report("cs-stopped-service", "edge01")}
    page = html_report.render(pool_plan(), reports, valid)
    status = re.findall(r'<tr class="host-status">(.*?)</tr>', page)
    assert len(status) == 2
    changes = sum(reports["edge01"]["summary"].values())
    assert changes > 0 and not reports["edge01"]["in_sync"]
    assert ('<span class="badge bad">drifted: %d change(s), 0 problem(s)</span>' % changes) in status[0]
    summary = valid["edge01"]["summary"]
    assert summary["fail"] > 0
    assert ('<span class="badge bad">FAILED: %(pass)d pass, %(fail)d fail, %(skip)d skipped</span>' % summary) in status[0]
    assert '<span class="badge none">no report</span>' in status[1]  # no validation report of edge02
    # every change and every check row in the host's details
    assert len(re.findall(r'<tr class="change">', page)) == sum(sum(r["summary"].values()) for r in reports.values())
    assert len(re.findall(r'<tr class="check">', page)) == len(valid["edge01"]["rows"])
    assert '<span class="result fail">FAIL</span>' in page
    nodes = svg_nodes(re.search(r"<svg.*?</svg>", page).group(0))
    assert nodes["node-edge01"].endswith("drifted, validation FAILED")
    assert nodes["node-edge02"].endswith("drifted")


def test_converged_hosts_are_in_sync():
    reports = {h: drift_report("converged", h) for h in ("edge01", "edge02")}
    page = html_report.render(pool_plan(), reports)
    assert page.count('<span class="badge good">in sync</span>') == 2
    assert page.count("<p>In sync: nothing to change.</p>") == 2


def test_no_reports_say_how_to_get_them(example_html):
    assert "No drift or validation report beside this report yet." in example_html
    assert 'class="host-status"' not in example_html


def test_reports_are_read_from_the_pool_directory(tmp_path):
    pool_dir = tmp_path / POOL
    (pool_dir / "drift").mkdir(parents=True)
    (pool_dir / "validate").mkdir()
    data = pool_plan()
    (pool_dir / "plan.json").write_text(json.dumps(data))
    (pool_dir / "drift" / "edge01.json").write_text(json.dumps(drift_report("converged", "edge01")))
    (pool_dir / "drift" / "edge02.json").write_text("{not json")
    other = validation_report("cs-stopped-service", "edge01")
    (pool_dir / "validate" / "edge02.json").write_text(json.dumps(other))  # edge01's report under edge02's name
    (pool_dir / "validate" / "edge09.json").write_text(json.dumps(other))  # not a server of the plan: not read
    found, valid, notes = html_report.load_reports(str(pool_dir), sorted(data["hosts"]))
    assert list(found) == ["edge01"] and found["edge01"]["in_sync"] is True
    assert valid == {}
    assert len(notes) == 2
    assert notes[0].startswith("drift/edge02.json: the drift report could not be read (")
    assert notes[1] == ("validate/edge02.json: not the validation report of host edge02 in pool %s; ignored" % POOL)
    page = html_report.pool_report(str(pool_dir))
    assert page == html_report.render(data, found, valid, notes)
    assert '<p class="note">validate/edge02.json: not the validation report of host edge02' in page


# ------------------------------------------------------------------------------------ escaping
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>"\'&amp;'


def hostile_plan(value):
    data = pool_plan()
    data["pool"]["fqdn"] = value
    data["pool"]["sip_domains"].append(value)
    host = data["hosts"].pop("edge02")
    host["fqdn"] = value
    host["external_nic"]["name"] = value
    host["routes"].append({"destination": value, "gateway": value, "interface": value})
    data["hosts"][value] = host
    data["public_ips"]["detail"][0]["host"] = value
    data["dns_records"]["external"][0]["name"] = value
    data["firewall"]["rules"][0]["note"] = value
    data["firewall"]["groups"]["internal_networks"]["members"].append(value)
    data["firewall"]["groups"][value] = {"description": value, "members": [value] * 20}
    data["firewall"]["rules"][1]["source"] = value
    data["certificates"]["external"]["san"].append(value)
    data["certificates"]["external"]["not_after"] = value
    data["certificates"]["external"]["expiry"] = {"status": value, "days_left": None, "warn_days": 30}
    data["findings"] = [{"severity": "warning", "code": value, "host": value, "variable": value, "message": value}]
    return data


def hostile_reports(value):
    rep = drift_report("manual", "edge01")
    rep["notes"].append(value)
    rep["problems"].append({"area": value, "variable": value, "message": value})
    rep["source"] = value
    valid = validation_report("cs-stopped-service", "edge01")
    valid["rows"][0].update(check=value, target=value, expected=value, actual=value, result=value)
    return {"edge01": rep, value: dict(rep, host=value)}, {"edge01": valid}


def structure(page):
    """The tags of a page and their attribute names, without the values a test put in (ids, text) and their
    order (a host name sorts the servers)."""
    return Counter((tag, tuple(sorted(attrs))) for tag, attrs in html_check.Page(page).tags)


def test_hostile_values_are_escaped_everywhere():
    drifts, valid = hostile_reports(HOSTILE)
    page = html_report.render(hostile_plan(HOSTILE), drifts, valid, notes=[HOSTILE])
    parsed = html_check.Page(page)
    assert [t for t, _a in parsed.tags if t in ("img", "iframe", "object")] == []
    assert sum(1 for t, _a in parsed.tags if t == "script") == 1
    assert html_check.external_references(page) == []
    assert "<script>alert" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    # the text reads back as it was given, many times over
    assert parsed.all_text().count(HOSTILE) >= 20
    # a hostile host name still gives a node with an id of safe characters
    nodes = svg_nodes(re.search(r"<svg.*?</svg>", page).group(0))
    ident = "node-" + html_report.slug(HOSTILE)
    assert ident in nodes and re.fullmatch(r"[A-Za-z0-9._~-]+", ident)
    assert nodes[ident].startswith(HOSTILE[:20])
    # same tags as with harmless values: nothing was added by the values
    harmless_drifts, harmless_valid = hostile_reports("harmless")
    assert structure(page) == structure(html_report.render(hostile_plan("harmless"), harmless_drifts,
                                                           harmless_valid, notes=["harmless"]))


@settings(max_examples=40, deadline=None)
@given(st.text(min_size=1, max_size=30))
@hypothesis_example("a\rb\x00c\x1f")
@hypothesis_example("</svg><svg onload=alert(1)>")
@hypothesis_example("]]><!--")
def test_any_text_is_text(value):
    """Whatever a value holds, the page has the same tags as with a harmless value, and the text reads back."""
    # a value that names an existing group or host (e.g. 'edge_internal') replaces it: fewer rows, not an injection
    base = pool_plan()
    assume(value not in base["firewall"]["groups"] and value not in base["hosts"])
    page = html_report.render(hostile_plan(value))
    assert structure(page) == structure(html_report.render(hostile_plan("harmless")))
    assert html_check.Page(page).all_text().count(html_report.visible(value)) >= 10
    ET.fromstring(re.search(r"<svg.*?</svg>", page, re.S).group(0))  # the diagram stays well-formed XML


@given(st.text(max_size=20), st.text(max_size=20))
def test_slug_is_injective_and_safe(text, other):
    ident = html_report.slug(text)
    assert re.fullmatch(r"[A-Za-z0-9._~-]*", ident)
    assert (html_report.slug(other) == ident) == (other == text)
    if re.fullmatch(r"[A-Za-z0-9._-]*", text):
        assert ident == text  # plain inventory hostnames keep their name: node-edge01


def test_slug_examples():
    assert html_report.slug("edge01") == "edge01"
    assert html_report.slug("edge 01") == "edge~20~01"
    assert html_report.slug("edge~20~01") == "edge~7e~20~7e~01"


# ------------------------------------------------------------------------------------ scale
def counted_render(data, monkeypatch):
    calls = [0]
    real = html_report.esc

    def counting(value):
        calls[0] += 1
        return real(value)

    monkeypatch.setattr(html_report, "esc", counting)
    page = html_report.render(data)
    monkeypatch.setattr(html_report, "esc", real)
    return page, calls[0]


def test_twelve_servers_five_thousand_networks_linear(monkeypatch):
    small = pool_plan(scale_data.inventory(servers=12, networks=1000, hosts=500))
    large = pool_plan(scale_data.inventory(servers=12, networks=5000, hosts=500))
    small_page, small_calls = counted_render(small, monkeypatch)
    large_page, large_calls = counted_render(large, monkeypatch)
    # 4,000 more networks: about the same number of escapes and bytes per network, whatever the server count
    networks_delta = 4000
    per_network_calls = (large_calls - small_calls) / networks_delta
    per_network_bytes = (len(large_page) - len(small_page)) / networks_delta
    assert per_network_calls <= 5, per_network_calls  # the group member and the route row, once each
    assert per_network_bytes <= 120, per_network_bytes
    assert len(large_page) < 1_000_000
    # every network is in the page once as a firewall group member and once as a route destination
    assert large_page.count("<li>10.19.135.0/24</li>") == 1
    assert large_page.count("<td>10.19.135.0/24</td>") == 1
    # the other 11 servers refer to the first server's routes
    assert large_page.count('The same as <a href="#routes-edge01">edge01</a>.') == 11
    nodes = svg_nodes(re.search(r"<svg.*?</svg>", large_page).group(0))
    assert {"node-edge%02d" % n for n in range(1, 13)} <= set(nodes)
    assert "Internal networks: 5,000" in nodes["diagram-internal-networks"]


def test_different_routes_per_server_are_all_listed():
    data = pool_plan()
    data["hosts"]["edge02"]["routes"] = copy.deepcopy(data["hosts"]["edge02"]["routes"][:1])
    page = html_report.render(data)
    assert page.count('The same as <a href="#routes-edge01">edge01</a>.') == 0
    assert page.count('The same as <a href="#hosts-edge01">edge01</a>.') == 1
    assert '<div id="routes-edge02"><table class="sortable">' in page


# ------------------------------------------------------------ a refreshed report.html newer than its inputs
def _pool_dir(tmp_path):
    pool = tmp_path / "edgepool.corp.example.com"
    (pool / "drift").mkdir(parents=True)
    (pool / "plan.json").write_text("{}")
    (pool / "drift" / "edge01.json").write_text("{}")
    return pool


def _age(path, ns):
    os.utime(path, ns=(ns, ns))


def test_a_page_newer_than_every_input_is_up_to_date(tmp_path):
    pool = _pool_dir(tmp_path)
    page = pool / "report.html"
    assert not html_report.up_to_date(str(page), str(pool))  # no page yet
    base = 1_700_000_000 * 10**9
    for path in (pool / "plan.json", pool / "drift", pool / "drift" / "edge01.json"):
        _age(path, base)
    page.write_text("<html>")
    _age(page, base + 10**9)
    assert html_report.up_to_date(str(page), str(pool))
    from ansible_collections.sfb.edge.plugins.plugin_utils import _report_files as report_files
    assert report_files._html_current({"path": str(page), "html_report": {}})  # pylint: disable=protected-access
    # a page rendered from a plan given to the task is always rendered
    assert not report_files._html_current({"path": str(page), "html_report": {"plan": {}}})  # pylint: disable=protected-access


@pytest.mark.parametrize("change", ["report rewritten", "report added", "report removed", "plan rewritten",
                                    "validate folder made", "firewall proof written", "same tick"])
def test_any_newer_input_renders_the_page_again(tmp_path, change):
    pool = _pool_dir(tmp_path)
    page = pool / "report.html"
    page.write_text("<html>")
    later = os.stat(page).st_mtime_ns + 10**9
    for path in (pool / "plan.json", pool / "drift", pool / "drift" / "edge01.json"):
        _age(path, later - 10**9)
    _age(page, later)
    assert html_report.up_to_date(str(page), str(pool))
    newer = later + 10**9
    if change == "report rewritten":
        _age(pool / "drift" / "edge01.json", newer)
    elif change == "report added":
        (pool / "drift" / "edge02.json").write_text("{}")
        _age(pool / "drift" / "edge02.json", newer)
        _age(pool / "drift", later - 10**9)  # even if the folder's own time did not move
    elif change == "report removed":
        (pool / "drift" / "edge01.json").unlink()
        _age(pool / "drift", newer)
    elif change == "plan rewritten":
        _age(pool / "plan.json", newer)
    elif change == "validate folder made":
        (pool / "validate").mkdir()
        _age(pool / "validate", newer)
    elif change == "firewall proof written":
        (pool / "firewall-proof").mkdir()
        (pool / "firewall-proof" / "edge01.json").write_text("{}")
        _age(pool / "firewall-proof" / "edge01.json", newer)
        _age(pool / "firewall-proof", later - 10**9)
    else:  # written in the same clock tick as the page: not provably older
        _age(pool / "drift" / "edge01.json", later)
    assert not html_report.up_to_date(str(page), str(pool))


def test_no_plan_is_never_up_to_date(tmp_path):
    pool = _pool_dir(tmp_path)
    (pool / "plan.json").unlink()
    (pool / "report.html").write_text("<html>")
    _age(pool / "report.html", os.stat(pool / "drift").st_mtime_ns + 10**12)
    assert not html_report.up_to_date(str(pool / "report.html"), str(pool))


# ------------------------------------------------------------------------------------ invisible characters and plan.md
# Issue 18, point 9: format characters (U+202E turns the text after it around) are written out, never raw, in
# report.html and plan.md; plan.md escapes HTML, Markdown and Mermaid label text. Validation refuses such names in
# the inventory, so the rendering functions are called directly; snapshot values (drift and validation reports)
# are not validated and reach report.html as they are.
NASTY = '<svg onload=alert(1)></script>"|`x`\u202e'


def test_report_html_writes_format_characters_out():
    drifts, valid = hostile_reports(NASTY)
    page = html_report.render(hostile_plan(NASTY), drifts, valid, notes=[NASTY])
    assert "\u202e" not in page and "<svg onload" not in page
    assert page.count("</script>") == 1  # the page's own script
    shown = '&lt;svg onload=alert(1)&gt;&lt;/script&gt;&quot;|`x`\\u202e'
    assert "<title>Edge Admin Report: %s</title>" % shown in page
    assert page.count(shown) >= 20
    # the values from the snapshot reports too: a drift problem, a validation row
    assert "<td>%s</td>" % shown in page and '<p class="note">%s</p>' % shown in page


@pytest.mark.parametrize("char, shown", [("\u202e", "\\u202e"), ("\u200b", "\\u200b"), ("\u2066", "\\u2066"),
                                         ("\ufeff", "\\ufeff"), ("\u00ad", "\\xad"), ("\u2028", "\\u2028"),
                                         ("\U000e0041", "\\U000e0041"), ("\x1b", "\\x1b"), ("\r", "\\x0d"),
                                         ("\t", "\t"), ("\n", "\n"), ("é", "é"), ("\u00a0", "\u00a0")])
def test_visible_writes_out_what_cannot_be_seen(char, shown):
    assert html_report.visible("edge" + char + "01") == "edge" + shown + "01"


def test_visible_every_format_and_control_character():
    """A brute-force reference over every code point: each Cc (but TAB and LF in HTML), Cf, Cs, Zl and Zp character
    is written out, nothing else is touched."""
    import unicodedata

    from ansible_collections.sfb.edge.plugins.plugin_utils import _text

    hidden = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) in ("Cc", "Cf", "Cs", "Zl", "Zp")]
    assert "\u202e" in hidden and "\u200b" in hidden and "\x00" in hidden
    written = _text.visible("".join(hidden))
    assert written.isascii() and written.isprintable()
    assert written == "".join("\\x%02x" % ord(c) if ord(c) < 0x100 else "\\u%04x" % ord(c) if ord(c) < 0x10000
                              else "\\U%08x" % ord(c) for c in hidden)
    others = "".join(chr(c) for c in range(0x20, 0x3000) if chr(c) not in hidden and not 0x7f <= c <= 0x9f)
    assert _text.visible(others) == others


def md_plan(value):
    """The example plan with ``value`` as the pool name, a host name, an FQDN, an adapter name, an address, a route,
    a SAN, a firewall group member and a finding."""
    data = pool_plan()
    data["pool"]["fqdn"] = value
    host = data["hosts"].pop("edge02")
    host["fqdn"] = value
    host["external_nic"]["name"] = value
    host["internal_nic"]["addresses"] = [value]
    host["dns_suffix"] = value
    host["routes"].append({"destination": value, "gateway": value, "interface": value})
    data["hosts"][value] = host
    data["certificates"]["external"]["san"].append(value)
    data["firewall"]["groups"]["internal_networks"]["members"].append(value)
    data["firewall"]["groups"][value] = {"description": value, "members": [value]}
    data["firewall"]["rules"][1]["source"] = value
    data["findings"] = [{"severity": "warning", "code": value, "host": value, "variable": value, "message": value}]
    return data


def cells(line):
    """The cells of a Markdown table row (split at the pipes that are not escaped)."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]


def test_plan_md_escapes_html_markdown_and_format_characters():
    from ansible_collections.sfb.edge.plugins.plugin_utils import _report as report

    md = report.markdown(md_plan(NASTY))
    assert "<svg" not in md and "</script>" not in md and "\u202e" not in md
    shown = '&lt;svg onload=alert(1)&gt;&lt;/script&gt;"\\|\\`x\\`\\\\u202e'
    lines = md.splitlines()
    assert lines[0] == "# Edge Admin Report: " + shown
    assert "| Edge pool (internal FQDN) | %s |" % shown in lines
    assert "### %s (%s)" % (shown, shown) in lines
    external = [line for line in lines if line.startswith("| External | %s |" % shown)]
    assert len(external) == 1 and len(cells(external[0])) == 5
    assert "Primary DNS suffix: %s. DNS registration and NetBIOS off on the external NIC." % shown in lines
    assert "| %s | %s | %s |" % (shown, shown, shown) in lines  # the route
    assert "| warning | %s | %s | %s | %s |" % ((shown,) * 4) in lines
    assert "| %s | %s | %s |" % (shown, shown, shown) in lines  # the firewall group, not as a code span
    # every table row keeps its columns
    for line in lines:
        if line.startswith("| ") and shown in line:
            header = lines[max(i for i in range(lines.index(line)) if lines[i].startswith("|---")) - 1]
            assert len(cells(line)) == len(cells(header)), line


def test_plan_md_mermaid_labels_use_entity_codes():
    from ansible_collections.sfb.edge.plugins.plugin_utils import _report as report

    md = report.markdown(md_plan(NASTY))
    diagram = md.split("```mermaid\n")[1].split("```")[0]
    assert all(line.count('"') in (0, 2) for line in diagram.splitlines())  # no label ends early
    label = "#lt;svg onload=alert(1)#gt;#lt;/script#gt;#quot;|#96;x#96;\\u202e"
    assert '  subgraph pool["Edge pool %s (hardware load balancer)"]' % label in diagram.splitlines()
    node = ("srv__3c_svg_20_onload_3d_alert_28_1_29__3e__3c__2f_script_3e__22__7c__60_x_60__202e_")
    assert '    %s["%s<br>%s<br>ext %s: 192.0.2.31/24, 192.0.2.32/24, 192.0.2.33/24<br>int Internal: %s"]' % (
        node, label, label, label, label) in diagram.splitlines()
    assert "  exthlb --- %s" % node in diagram.splitlines()
    assert '  lan["Internal networks<br>10.10.0.0/16<br>10.20.0.0/16<br>10.30.0.0/20<br>%s"]' % label \
        in diagram.splitlines()


def test_plan_md_mermaid_ids_differ_for_different_names():
    from ansible_collections.sfb.edge.plugins.plugin_utils import _report as report

    assert report._id("edge01") == "srv_edge01"  # pylint: disable=protected-access
    assert report._id("edge-01") != report._id("edge.01") != report._id("edge_01")  # pylint: disable=protected-access


def test_plan_md_keeps_plain_values_as_they_are(example):
    from ansible_collections.sfb.edge.plugins.plugin_utils import _report as report

    md = report.markdown(example)
    assert "| SRV | _sipfederationtls._tcp.example.net | sip.example.com | 5061 |" in md
    assert "Primary DNS suffix: `corp.example.com`." in md
    assert "| inbound | `internal_networks` | `edge_internal_vip` | UDP | 3478 | Internal |" in md
    assert '    srv_edge01["edge01<br>edge01.corp.example.com<br>ext External: ' in md


def test_validation_table_writes_out_invisible_characters():
    """validate/<host>.md: a value read from the host (here an adapter name) never carries a raw format character or
    a newline that ends the row."""
    rep = validation_report("cs-stopped-service", "edge01")
    rep["rows"][0].update(actual="Ext\u202eernal\n| x", target="edge\u200b01")
    row = checks.table(rep)[4]
    assert row.endswith(" | edge\\u200b01 | %s | Ext\\u202eernal\\x0a/ x |" % rep["rows"][0]["expected"])
    assert row.isprintable()


def test_an_expired_certificate_in_use_marks_the_host_in_sync_or_not():
    """issue 20, item 5: report.html said "in sync" while the certificates in use had expired."""
    from ansible_collections.sfb.edge.plugins.plugin_utils import _html_report as page

    finding = {"id": "certificate_expired", "severity": "error", "area": "cs_certificates",
               "target": "Internal: EAFC", "not_after": "2036-01-01T00:00:00Z", "days_left": -1,
               "message": "the certificate EAFC expired"}
    warning = dict(finding, id="certificate_expiring", severity="warning", days_left=12)
    synced = {"in_sync": True, "summary": {}, "problems": [], "findings": [finding, finding]}
    assert page._drift_text(synced) == "in sync; but 2 certificate(s) expired"
    assert page._drift_text(dict(synced, findings=[warning])) == "in sync; but 1 certificate(s) expiring"
    assert page._drift_text(dict(synced, findings=[])) == "in sync"
    assert page._drift_text({"in_sync": False, "summary": {"routes": 2}, "problems": [], "findings": [finding]}) == \
        "drifted: 2 change(s), 0 problem(s); 1 certificate(s) expired"
    assert page._host_status({"edge01": synced}, {}) == {"edge01": ("in sync, certificate expired", "bad")}
    assert page._host_status({"edge01": dict(synced, findings=[warning])}, {}) == {"edge01": ("in sync", "good")}
    detail = page._drift_detail("edge01", synced)
    assert "Certificates in use" in detail and "the certificate EAFC expired" in detail and "-1" in detail


# ------------------------------------------------------------ what-if pages and firewall proofs (issue 20, item 6)
MADE = {"at": "2027-03-01T12:00:00Z", "mode": "snapshot"}


def _proof_report():
    """edge01's firewall proof: rule 23 (TCP 50001-50003 from the Front End) open, rule 17 (TCP 5061) blocked, the
    26 others not tested (no answer from the external probe host)."""
    from ansible_collections.sfb.edge.plugins.plugin_utils import _fwproof as fwproof

    states = {"edge01": snapshot("cs-fresh", "edge01")}
    proof = fwproof.plan_all({POOL: pool_plan()}, ["edge01"], states, frontend="fe01", external_probe="probe1")
    cls = [("TCP", "172.16.10.11", port) for port in (50001, 50002, 50003)]
    answers = {"results": [{"protocol": p, "host": h, "port": n, "open": True, "error": None} for p, h, n in cls]
               + [{"protocol": "TCP", "host": "172.16.10.11", "port": 5061, "open": False, "error": "timed out"}]}
    received = [{"protocol": p, "address": a, "port": n, "hits": 1} for p, a, n in cls]
    rep = fwproof.report(proof["hosts"]["edge01"], {"fe01": answers}, received=received, source="live", duration=300)
    return dict(rep, made={"at": "2027-03-01T12:00:00Z", "mode": "live"})


def _write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))


def test_firewall_proof_verdicts_are_shown(tmp_path):
    pool_dir = tmp_path / POOL
    _write(pool_dir / "plan.json", pool_plan())
    page = html_report.pool_report(str(pool_dir))
    assert "No firewall proof report beside this report." in page and 'href="#firewall-proof"' in page
    _write(pool_dir / "firewall-proof" / "edge01.json", _proof_report())
    page = html_report.pool_report(str(pool_dir))
    (host_row,) = re.findall(r'<tr class="proof-host">(.*?)</tr>', page)
    assert '<span class="badge bad">1 open, 1 blocked, 27 not tested</span>' in host_row
    assert "made 2027-03-01T12:00:00Z (live)" in host_row
    rules = re.findall(r'<tr class="proof-rule">(.*?)</tr>', page)
    assert len(rules) == 29  # 28 port-table rules and the management rule (WinRM to the edge, issue 20 point 8)
    assert rules[22].startswith("<td>23</td><td>internal</td>") and '<span class="result good">open</span>' in rules[22]
    assert rules[16].startswith("<td>17</td><td>internal</td>") and '<span class="result bad">blocked</span>' in rules[16]
    assert '<a href="firewall-proof/edge01.md">firewall-proof/edge01.md</a>' in page
    assert html_check.external_references(page) == []


@pytest.mark.parametrize("bad, note", [
    ("symlink", "remove the symbolic link"),
    ("fifo", "is a FIFO (named pipe), not a regular file"),
    ("other host", "not the firewall proof report of host edge01 in pool %s; ignored" % POOL),
    ("not json", "could not be read ("),
])
def test_a_firewall_proof_report_that_cannot_be_trusted_is_named_not_read(tmp_path, bad, note):
    pool_dir = tmp_path / POOL
    _write(pool_dir / "plan.json", pool_plan())
    target = pool_dir / "firewall-proof" / "edge01.json"
    target.parent.mkdir()
    if bad == "symlink":
        _write(tmp_path / "elsewhere.json", _proof_report())
        target.symlink_to(tmp_path / "elsewhere.json")
    elif bad == "fifo":
        os.mkfifo(target)  # read without blocking: refused
    elif bad == "other host":
        _write(target, dict(_proof_report(), host="edge02"))
    else:
        target.write_text("{")
    proofs, notes = html_report.load_proofs(str(pool_dir), ["edge01", "edge02"])
    assert proofs == {} and len(notes) == 1 and notes[0].startswith("firewall-proof/edge01.json: ") and note in notes[0]
    assert '<p class="note">firewall-proof/edge01.json: ' in html_report.pool_report(str(pool_dir))


def test_what_if_page_has_a_banner_and_the_live_page_is_left_alone(tmp_path):
    pool_dir = tmp_path / POOL
    data = pool_plan()
    _write(pool_dir / "plan.json", data)
    live = dict(drift_report("converged", "edge01"), source="live", made={"at": "2027-02-01T08:00:00Z", "mode": "live"})
    _write(pool_dir / "drift" / "edge01.json", live)
    what_if = dict(drift_report("manual", "edge01"), source="snapshot /srv/snaps/edge01.json", made=MADE)
    _write(pool_dir / "what-if" / "drift" / "edge01.json", what_if)
    page = html_report.pool_report(str(pool_dir / "what-if"))
    assert "<title>What-if: Edge Admin Report: %s</title>" % POOL in page
    assert ('<div class="what-if" role="alert"><strong>WHAT-IF, NOT THE LIVE STATE.</strong> The reports on this page '
            'were made from the snapshots in /srv/snaps at 2027-03-01T12:00:00Z: no host was read. The page of the live '
            'runs is <a href="../report.html">../report.html</a>; a what-if run never writes there.</div>') in page
    # the pool's plan files are one folder up; the reports beside the page
    assert '<a href="../plan.md">plan.md</a>' in page and '<a href="../firewall.csv">firewall.csv</a>' in page
    assert 'href="firewall.csv"' not in page and '<a href="drift/edge01.json">drift/edge01.json</a>' in page
    (row, _edge02) = re.findall(r'<tr class="host-status">(.*?)</tr>', page)
    assert '<span class="badge bad">drifted: ' in row and "made 2027-03-01T12:00:00Z (snapshot)" in row
    # the live page: its own report, no banner
    page = html_report.pool_report(str(pool_dir))
    (row, _edge02) = re.findall(r'<tr class="host-status">(.*?)</tr>', page)
    assert '<span class="badge good">in sync</span>' in row and "made 2027-02-01T08:00:00Z (live)" in row
    assert 'class="what-if"' not in page and "<title>Edge Admin Report: %s</title>" % POOL in page


def test_what_if_page_follows_the_pools_plan_and_its_own_reports(tmp_path):
    pool_dir = tmp_path / POOL
    _write(pool_dir / "plan.json", {})
    _write(pool_dir / "what-if" / "drift" / "edge01.json", {})
    page = pool_dir / "what-if" / "report.html"
    assert html_report.page_inputs(str(pool_dir / "what-if")) == (str(pool_dir / "plan.json"), POOL, True)
    assert html_report.page_inputs(str(pool_dir)) == (str(pool_dir / "plan.json"), POOL, False)
    base = os.stat(pool_dir / "plan.json").st_mtime_ns
    page.write_text("<html>")
    _age(page, base + 10**9)
    for path in (pool_dir / "what-if" / "drift", pool_dir / "what-if" / "drift" / "edge01.json"):
        _age(path, base)
    assert html_report.up_to_date(str(page), str(pool_dir / "what-if"))
    _age(pool_dir / "plan.json", base + 2 * 10**9)  # the pool's plan changed: the what-if page renders again
    assert not html_report.up_to_date(str(page), str(pool_dir / "what-if"))
    from ansible_collections.sfb.edge.plugins.plugin_utils import _report_files as report_files
    assert not report_files._no_plan({"path": str(page), "html_report": {}})  # pylint: disable=protected-access
    (pool_dir / "plan.json").unlink()
    assert report_files._no_plan({"path": str(page), "html_report": {}})  # pylint: disable=protected-access
