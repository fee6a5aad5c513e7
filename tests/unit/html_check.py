# -*- coding: utf-8 -*-
"""Read an HTML page the way a browser's tokenizer does (html.parser) for the report tests: its tags with
their attributes, its text, and whether it could load anything from elsewhere."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Attributes that make a browser fetch or navigate.
URL_ATTRIBUTES = {"src", "href", "srcset", "action", "formaction", "poster", "data", "background", "xlink:href",
                  "ping", "manifest", "codebase", "cite", "longdesc", "lowsrc", "dynsrc"}


class Page(HTMLParser):
    """Every start tag as ``(tag, {attribute: value})``, the text of each tag, and the raw style/script text."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.text = []
        self.styles = []
        self.scripts = []
        self._in = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        while self._in:
            if self._in.pop() == tag:
                break

    def handle_data(self, data):
        current = self._in[-1] if self._in else ""
        if current == "style":
            self.styles.append(data)
        elif current == "script":
            self.scripts.append(data)
        else:
            self.text.append(data)

    def all_text(self):
        return "".join(self.text)

    def ids(self):
        return [a["id"] for _t, a in self.tags if "id" in a]

    def by_class(self, tag, cls):
        return [a for t, a in self.tags if t == tag and cls in (a.get("class") or "").split()]


def external_references(text):
    """What in the page could make a browser go to the network: URL attributes that are not a fragment or a
    relative path, event handler attributes, CSS url()/@import, <base>, <link>, <iframe>, <object>, <embed>."""
    page = Page(text)
    found = []
    for tag, attrs in page.tags:
        if tag in ("base", "link", "iframe", "object", "embed", "img", "audio", "video", "source", "frame"):
            found.append("<%s>" % tag)
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append("<%s %s>" % (tag, name))
            if name in URL_ATTRIBUTES and name not in ("href",):
                found.append("<%s %s=%r>" % (tag, name, value))
            if name == "href" and value is not None and (re.match(r"^\s*[a-zA-Z][a-zA-Z0-9+.-]*:", value)
                                                         or value.strip().startswith("//")):
                found.append("<%s href=%r>" % (tag, value))
    for style in page.styles:
        if re.search(r"url\s*\(|@import", style, re.I):
            found.append("style: url() or @import")
    for script in page.scripts:
        if re.search(r"\b(fetch|XMLHttpRequest|WebSocket|EventSource|importScripts|sendBeacon)\b|\bimport\s*\(", script):
            found.append("script: network API")
    return found
