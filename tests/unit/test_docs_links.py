# -*- coding: utf-8 -*-
"""The Markdown docs hang together: every relative link resolves, and the README's Documentation
section reaches every docs/*.md page and every role README (issue 11, item 3).

Read from the files, so a page, a role or a link added by anyone is checked; a failure names the
file, the link and the fix.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
LINK_RE = re.compile(r"\]\(([^)\s]+)\)")
FENCE_RE = re.compile(r"^```.*?^```", re.M | re.S)
PAGES = sorted({ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "CODE_OF_CONDUCT.md", *ROOT.glob("docs/*.md"),
                *ROOT.glob("roles/*/README.md"), *ROOT.glob("tests/snapshots/README.md"),
                *ROOT.glob("extensions/molecule/*/README.md")})


def relative_links(text):
    """The relative link targets of a Markdown text, without their #anchor; code blocks left out."""
    targets = []
    for match in LINK_RE.finditer(FENCE_RE.sub("", text)):
        target = match.group(1)
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # a URL (https:, mailto:) or an anchor in the same page
        targets.append(target.split("#", 1)[0])
    return targets


def _readme_links():
    return {(ROOT / t).resolve() for t in relative_links((ROOT / "README.md").read_text(encoding="utf-8"))}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(page):
    broken = [t for t in relative_links(page.read_text(encoding="utf-8")) if not (page.parent / t).exists()]
    assert not broken, "%s links to %s, which does not exist: fix the link or add the file" % (
        page.relative_to(ROOT), ", ".join(broken))


def test_readme_links_every_docs_page():
    missing = sorted(p.relative_to(ROOT) for p in ROOT.glob("docs/*.md") if p.resolve() not in _readme_links())
    assert not missing, "README.md does not link %s: add a link to its Documentation section (or the section " \
        "about the feature)" % ", ".join(map(str, missing))


def test_readme_links_every_role_readme_and_the_release_notes():
    wanted = sorted(ROOT.glob("roles/*/README.md")) + [ROOT / "CHANGELOG.rst", ROOT / "CONTRIBUTING.md"]
    missing = sorted(p.relative_to(ROOT) for p in wanted if p.resolve() not in _readme_links())
    assert not missing, "README.md does not link %s: add it to the Documentation and release notes section " \
        "(role READMEs: make role-docs writes them)" % ", ".join(map(str, missing))


def test_every_role_has_a_readme():
    # galaxy-importer refuses a collection with a role without README; make role-docs writes them.
    missing = sorted(d.name for d in ROOT.glob("roles/*") if d.is_dir() and not (d / "README.md").is_file())
    assert not missing, "roles without README.md: %s: run make role-docs" % ", ".join(missing)


@pytest.mark.parametrize("text, expected", [
    ("[a](docs/x.md) [b](https://example.org/y.md) [c](#here) [d](../e.md#part) [m](mailto:a@b.c)",
     ["docs/x.md", "../e.md"]),
    ("```sh\n[not](a/link.md)\n```\n[yes](b.md)", ["b.md"]),
])
def test_relative_links(text, expected):
    assert relative_links(text) == expected
