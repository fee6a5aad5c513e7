# -*- coding: utf-8 -*-
"""The example pool's report.html, written by playbooks/plan.yml, in a real headless browser (Debian's
chromium, scripts/report_browser.py): the diagram is rendered with every server's node, the tables sort,
nothing is logged on the console, nothing comes from the network, and a screenshot is not blank.

Skipped when chromium is missing; `scripts/test.sh browser` installs it first (as root).
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import ipaddress
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "unit"))

import html_check  # noqa: E402

_spec = importlib.util.spec_from_file_location("report_browser", os.path.join(ROOT, "scripts", "report_browser.py"))
browser = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(browser)

POOL = "edgepool.corp.example.com"
SERVERS = ("edge01", "edge02")
FIXED_NODES = ("diagram-internet", "diagram-external-firewall", "diagram-external-hlb", "diagram-internal-hlb",
               "diagram-internal-firewall", "diagram-next-hop", "diagram-internal-networks")

pytestmark = pytest.mark.skipif(browser.find() is None, reason=browser.missing_message()
                                + "; `scripts/test.sh browser` installs it when run as root")


def ansible_env():
    return dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1",
                ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".cache", "collections"),
                ANSIBLE_LOCAL_TEMP=os.path.join(ROOT, ".cache", "ansible-tmp"))


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """report.html of inventories/example, as playbooks/plan.yml writes it."""
    plan_dir = tmp_path_factory.mktemp("plan")
    done = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
                           os.path.join(ROOT, "playbooks", "plan.yml"), "-i", os.path.join(ROOT, "inventories", "example"),
                           "-e", "sfb_edge_plan_dir=%s" % plan_dir], cwd=ROOT, env=ansible_env(), capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    path = plan_dir / POOL / "report.html"
    assert path.is_file()
    return path


def with_script(report, tmp_path, script, extra=""):
    """A copy of the report with one more inline script at the end (allowed by its hash) and ``extra`` HTML."""
    text = report.read_text(encoding="utf-8")
    digest = "'sha256-%s'" % base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    head, rest = text.split("script-src ", 1)
    text = head + "script-src " + digest + " " + rest
    text = text.replace("</body>", "%s<script>%s</script></body>" % (extra, script))
    copy = tmp_path / "report.html"
    copy.write_text(text, encoding="utf-8")
    return copy


def body_attribute(dom, name):
    (value,) = [a[name] for t, a in html_check.Page(dom).tags if t == "body" and name in a]
    return json.loads(value)


def test_diagram_renders_every_server_and_no_console_message(report):
    dom, console = browser.dom(str(report))
    assert console == []  # no error, no CSP violation, no uncaught exception: nothing at all
    page = html_check.Page(dom)
    (root,) = [a for t, a in page.tags if t == "html"]
    assert root.get("data-report-ready") == "sortable" and "js" in root.get("class", "").split()  # the script ran
    assert [a.get("id") for t, a in page.tags if t == "svg"] == ["diagram"]
    nodes = {a["id"] for t, a in page.tags if t == "g" and "node" in a.get("class", "").split()}
    assert nodes == {"node-%s" % s for s in SERVERS} | set(FIXED_NODES)
    text = page.all_text()
    for address in ("192.0.2.21", "192.0.2.22", "192.0.2.23", "192.0.2.31", "192.0.2.33", "172.16.10.11/24",
                    "172.16.10.12/24"):
        assert address in text
    # every header of a sortable table became a sort control
    sortable = [a for t, a in page.tags if t == "th" and a.get("aria-sort") == "none"]
    assert len(sortable) >= 30


GEOMETRY_AND_SORT = """
(function () {
  var out = {nodes: {}};
  document.querySelectorAll("svg#diagram g.node").forEach(function (g) {
    var box = g.getBBox();
    out.nodes[g.id] = [box.x, box.y, box.width, box.height];
  });
  var svg = document.getElementById("diagram").getBoundingClientRect();
  out.svg = [svg.width, svg.height];
  var table = document.querySelector("tr.public-ip").closest("table");
  var header = table.tHead.rows[0].cells[0];
  function column() { return Array.prototype.map.call(table.tBodies[0].rows, function (r) { return r.cells[0].textContent; }); }
  out.before = column();
  header.click();
  out.ascending = column();
  out.ascendingState = header.getAttribute("aria-sort");
  header.click();
  out.descending = column();
  out.descendingState = header.getAttribute("aria-sort");
  var rules = document.querySelector("tr.fw-external").closest("table");
  var ports = rules.tHead.rows[0].cells[5];
  ports.click();
  out.ports = Array.prototype.map.call(rules.tBodies[0].rows, function (r) { return r.cells[5].textContent; });
  document.body.setAttribute("data-test", JSON.stringify(out));
})();
"""


def test_nodes_are_laid_out_and_tables_sort(report, tmp_path):
    dom, console = browser.dom(str(with_script(report, tmp_path, GEOMETRY_AND_SORT)))
    assert console == []
    out = body_attribute(dom, "data-test")
    # every node has a size, inside the drawing, and the servers do not overlap
    width, height = out["svg"]
    assert width > 600 and height > 200
    assert set(out["nodes"]) == {"node-%s" % s for s in SERVERS} | set(FIXED_NODES)
    for ident, (x, y, w, h) in out["nodes"].items():
        assert w > 50 and h > 30, ident
    (x1, y1, w1, h1), (x2, y2, w2, h2) = out["nodes"]["node-edge01"], out["nodes"]["node-edge02"]
    assert x1 == x2 and y1 + h1 <= y2
    # clicking the Address header sorts the public IPs by address (numbers as numbers), again reverses
    expected = sorted(out["before"], key=ipaddress.IPv4Address)
    assert out["before"] != expected
    assert out["ascending"] == expected and out["ascendingState"] == "ascending"
    assert out["descending"] == expected[::-1] and out["descendingState"] == "descending"
    assert out["ports"] == sorted(out["ports"], key=lambda p: int(p.split("-")[0]))


def test_the_console_check_sees_errors_and_blocked_requests(report, tmp_path):
    # the same report with a script that logs and throws, and an image from the network
    script = 'console.error("canary"); null.boom;'
    dom, console = browser.dom(str(with_script(report, tmp_path, script, extra='<img src="https://example.com/x.png">')))
    assert any('"canary"' in line for line in console)
    assert any("Uncaught TypeError" in line for line in console)
    # the page's Content-Security-Policy blocked the request before it left
    assert any("https://example.com/x.png" in line and "Content Security Policy" in line for line in console)


def test_no_network_access(report):
    text = report.read_text(encoding="utf-8")
    assert html_check.external_references(text) == []
    assert "default-src 'none'" in text


def test_screenshot_is_not_blank(report, tmp_path):
    png = tmp_path / "report.png"
    assert browser.screenshot(str(report), str(png), "1200,1600") == []
    width, height, values = browser.png_info(str(png))
    assert (width, height) == (1200, 1600)
    assert values > browser.BLANK
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html><body></body></html>")
    browser.screenshot(str(blank), str(tmp_path / "blank.png"), "1200,1600")
    assert browser.png_info(str(tmp_path / "blank.png"))[2] <= browser.BLANK  # the check can fail


def test_make_report_screenshot(tmp_path):
    done = subprocess.run(["make", "report-screenshot", "PLAN_DIR=%s" % tmp_path], cwd=ROOT, env=ansible_env(),
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    png = tmp_path / POOL / "report.png"
    width, _height, values = browser.png_info(str(png))
    assert width == 1400 and values > browser.BLANK
    assert str(png) in done.stdout
