# -*- coding: utf-8 -*-
"""Small helpers shared by the validation and certificate tests."""

from __future__ import annotations


def codes(findings):
    """The distinct finding codes, sorted."""
    return sorted({f["code"] for f in findings})


def only(findings, code):
    """The findings with ``code``."""
    return [f for f in findings if f["code"] == code]


def keys(findings):
    """The findings as sorted ``(severity, code, host, variable)`` tuples (with repeats)."""
    return sorted((f["severity"], f["code"], f["host"], f["variable"]) for f in findings)
