# -*- coding: utf-8 -*-
"""Open the HTML Edge Admin Report (report.html) in a real headless browser: Debian's chromium.

    python scripts/report_browser.py ensure [--no-install]
        find chromium; install the Debian package 'chromium' with apt-get when it is missing and we are root
    python scripts/report_browser.py screenshot REPORT PNG [--window-size=1400,2400]
    python scripts/report_browser.py dom REPORT
        the DOM after the page's script ran (stdout)

Every run blocks the network (no proxy reachable, every host name unresolvable), so a page that needs
the network shows it. Console messages (errors, Content-Security-Policy violations, uncaught
exceptions) are read from chromium's log (--enable-logging=stderr) and printed; the commands fail
(exit 1) when there is one. Standard library only: tests/integration/test_html_report_browser.py
imports this file.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

PACKAGE = "chromium"  # the Debian package
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT = 120
# chromium's log lines for the page's console: '[pid:tid:date:INFO:CONSOLE:3] "message", source: url (line)'
CONSOLE = re.compile(r":CONSOLE[:(]")
# A screenshot whose image data has this many distinct byte values or fewer is blank (a white page: 4).
BLANK = 16


class BrowserError(Exception):
    """chromium is missing or failed; the message says what to do."""


def find():
    """The chromium executable (SFB_EDGE_CHROMIUM, else the first of CANDIDATES on PATH), or None."""
    given = os.environ.get("SFB_EDGE_CHROMIUM")
    if given:
        return given if os.access(given, os.X_OK) else None
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def missing_message():
    return ("chromium not found: install the Debian package '%s' (apt-get install -y %s, as root), or set "
            "SFB_EDGE_CHROMIUM to a Chromium/Chrome executable" % (PACKAGE, PACKAGE))


def ensure(install=True, log=sys.stderr):
    """The chromium executable; when it is missing, install the Debian package as root (apt-get), else
    raise BrowserError naming the package."""
    given = os.environ.get("SFB_EDGE_CHROMIUM")
    if given and not os.access(given, os.X_OK):
        raise BrowserError("SFB_EDGE_CHROMIUM=%s is not an executable; unset it to use the Debian package '%s'"
                           % (given, PACKAGE))
    path = find()
    if path or not install:
        if not path:
            raise BrowserError(missing_message())
        return path
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise BrowserError(missing_message() + " (not installed here: %s)" % (
            "not root" if os.geteuid() != 0 else "no apt-get"))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "--no-install-recommends", PACKAGE]):
        print("[browser] %s" % " ".join(command), file=log)
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=900)
        if done.returncode != 0:
            output = (done.stderr or done.stdout).strip()[-2000:]
            raise BrowserError("%s failed (exit %d): %s" % (" ".join(command), done.returncode, output))
    path = find()
    if not path:
        raise BrowserError("apt-get installed %s but no chromium executable is on PATH" % PACKAGE)
    return path


def _args(chromium, profile):
    args = [chromium, "--headless", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--user-data-dir=%s" % profile,
            # no network: every name unresolvable, every connection through a proxy that is not there
            "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
            "--enable-logging=stderr", "--v=0"]
    if os.geteuid() == 0:
        args.append("--no-sandbox")  # chromium refuses to run as root with its sandbox
    return args


def run(page, *extra, chromium=None, timeout=TIMEOUT):
    """Run headless chromium on ``page`` (a file path) with ``extra`` arguments: ``(stdout, console lines)``."""
    chromium = chromium or ensure(install=False)
    url = "file://" + os.path.abspath(page)
    with tempfile.TemporaryDirectory(prefix="sfb-edge-chromium-") as profile:
        try:
            done = subprocess.run(_args(chromium, profile) + list(extra) + [url], capture_output=True, text=True,
                                  timeout=timeout, check=False, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise BrowserError("chromium did not finish %s within %d s" % (url, timeout)) from None
    if done.returncode != 0:
        raise BrowserError("chromium failed on %s (exit %d): %s" % (url, done.returncode, done.stderr.strip()[-2000:]))
    return done.stdout, [line for line in done.stderr.splitlines() if CONSOLE.search(line)]


def dom(page, chromium=None):
    """The DOM of ``page`` after its scripts ran (--dump-dom), and the console lines."""
    return run(page, "--dump-dom", chromium=chromium)


def screenshot(page, png, window_size="1400,2400", chromium=None):
    """A PNG of ``page`` (the window's size, from the top); the console lines."""
    if os.path.exists(png):
        os.unlink(png)
    _out, console = run(page, "--screenshot=%s" % os.path.abspath(png), "--window-size=%s" % window_size,
                        chromium=chromium)
    if not os.path.isfile(png):
        raise BrowserError("chromium wrote no screenshot %s" % png)
    return console


def png_info(png):
    """``(width, height, distinct byte values of the image data)``: a blank page has a handful (BLANK or fewer),
    a rendered one hundreds (read with zlib alone: no imaging library needed)."""
    with open(png, "rb") as handle:
        data = handle.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise BrowserError("%s is not a PNG" % png)
    offset, width, height, idat = 8, 0, 0, []
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        chunk = data[offset + 8:offset + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", chunk[:8])
        elif kind == b"IDAT":
            idat.append(chunk)
        offset += 12 + length
    return width, height, len(set(zlib.decompress(b"".join(idat))))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    sub = parser.add_subparsers(dest="command", required=True)
    need = sub.add_parser("ensure", help="find chromium, install the Debian package as root when it is missing")
    need.add_argument("--no-install", action="store_true", help="only find it (exit 2 when it is missing)")
    shot = sub.add_parser("screenshot", help="a PNG of a report")
    shot.add_argument("report")
    shot.add_argument("png")
    shot.add_argument("--window-size", default="1400,2400")
    show = sub.add_parser("dom", help="the DOM of a report after its script ran")
    show.add_argument("report")
    args = parser.parse_args(argv)
    try:
        if args.command == "ensure":
            print(ensure(install=not args.no_install))
            return 0
        if args.command == "screenshot":
            console = screenshot(args.report, args.png, args.window_size)
            width, height, colours = png_info(args.png)
            print("%s: %dx%d, %d distinct byte values" % (args.png, width, height, colours))
            if colours <= BLANK:
                console.append("the screenshot is blank")
        else:
            text, console = dom(args.report)
            sys.stdout.write(text)
    except BrowserError as exc:
        print("ERROR: %s" % exc, file=sys.stderr)
        return 2
    for line in console:
        print("console: %s" % line, file=sys.stderr)
    return 1 if console else 0


if __name__ == "__main__":
    sys.exit(main())
