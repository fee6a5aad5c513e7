# -*- coding: utf-8 -*-
"""Values in messages (plugins/plugin_utils/_excerpt.py, issue 18, point 6): a secret's value is never shown, anything
else is a short, escaped excerpt - in the validation findings, the certificate checks and the state schema."""

from __future__ import annotations

import os
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

import inventory_data  # noqa: E402

from ansible_collections.sfb.edge.plugins.plugin_utils import _validate as validate  # noqa: E402
from ansible_collections.sfb.edge.plugins.plugin_utils._excerpt import HIDDEN, excerpt, is_secret_key  # noqa: E402

SECRET = "LeakMe-789"


def _findings(inv, **kwargs):
    return [(f["code"], f["host"], f["variable"], f["message"]) for f in validate.validate(inv, **kwargs)]


# ----------------------------------------------------------------------------------- the cases
def test_a_root_ca_password_is_never_echoed():
    """``sfb_edge_certificates: {root_ca: {password: LeakMe-789}}`` gave "{'password': 'LeakMe-789'} must be a list"."""
    inv = inventory_data.example()
    inv["edge01"]["sfb_edge_certificates"] = {"root_ca": {"password": SECRET}}
    assert _findings(inv) == [
        ("invalid_value", "edge01", "sfb_edge_certificates.root_ca",
         "{'password': <hidden>} must be a list of CA certificate paths on the controller")]


def test_secrets_nested_anywhere_in_an_inventory_value_are_hidden():
    inv = inventory_data.example()
    inv["edge01"]["sfb_edge_external_fqdns"] = [{"token": SECRET}, {"a": {"client_secret": SECRET}}]
    inv["edge01"]["sfb_edge_internal_nic"] = {"name": "Internal", "address": "172.16.10.11/24",
                                              "gateway": {"api_key": SECRET}}
    found = _findings(inv, read_certificates=False)
    assert found and all(SECRET not in message for _c, _h, _v, message in found), found
    assert ("invalid_value", "edge01", "sfb_edge_external_fqdns",
            "[{'token': <hidden>}, {'a': {'client_secret': <hidden>}}] must be a dict {access, webconf, av}") in found


def test_a_long_value_is_cut_and_says_its_length():
    inv = inventory_data.example()
    for host in inv.values():
        host["sfb_edge_load_balancing"] = "dns" + "x" * 497
    found = _findings(inv, read_certificates=False)
    assert ("invalid_value", "edge01", "sfb_edge_load_balancing",
            "'dns" + "x" * 57 + "...' (500 characters) is not valid; use none (single server), dns or hlb") in found


def test_control_and_format_characters_are_escaped():
    inv = inventory_data.example()
    for host in inv.values():
        host["sfb_edge_version"] = "sfb2019\n\u202e\x00"
    found = _findings(inv, read_certificates=False)
    assert ("invalid_value", "edge01", "sfb_edge_version",
            "'sfb2019\\n\\u202e\\x00' is not supported; use one of lync2013, sfb2015, sfb2019, sfbse") in found


def test_an_address_error_does_not_repeat_the_value_whole():
    inv = inventory_data.example()
    inv["edge01"]["sfb_edge_internal_nic"]["address"] = "AKIAIOSFODNN7EXAMPLE/24"
    inv["edge02"]["sfb_edge_internal_nic"]["address"] = "10.0." + "1" * 300 + ".1/24"
    found = {(host, message) for _c, host, _v, message in _findings(inv, read_certificates=False)}
    assert ("edge01", "internal NIC address <hidden> is not a valid IPv4 address/prefix (Expected 4 octets)") in found
    # the value cut to 60 characters, and ipaddress's reason without the value (its octet cut too)
    assert any(host == "edge02" and "1" * 61 not in message and "(310 characters)" in message
               for host, message in found), found


# ----------------------------------------------------------------------------------- excerpt itself
def test_excerpt_literal_cases():
    assert excerpt("Internal") == "'Internal'"
    assert excerpt(SECRET, "password") == HIDDEN
    assert excerpt(SECRET, "sfb_edge_certificates.external.password") == HIDDEN
    assert excerpt({"password": SECRET, "pfx": "a.pfx"}) == "{'password': <hidden>, 'pfx': 'a.pfx'}"
    assert excerpt("x" * 61) == "'" + "x" * 60 + "...' (61 characters)"
    assert excerpt("x" * 60) == "'" + "x" * 60 + "'"
    assert excerpt("a\tb\u200b\ud800") == "'a\\tb\\u200b\\ud800'"
    assert excerpt("-----BEGIN RSA PRIVATE KEY-----\nMIIE") == HIDDEN
    assert excerpt("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc") == HIDDEN
    assert excerpt(5986) == "5986" and excerpt(None) == "None" and excerpt(True) == "True"
    assert excerpt([[[[[[1]]]]]]) == "[[[[[...]]]]]"


def test_secret_key_names():
    for name in ("password", "Password", "passwd", "pfx_password", "vault_pass", "client_secret", "api_key", "apiKey",
                 "token", "auth_token", "aws_secret_access_key", "private_key", "credential", "pfx_content", "key"):
        assert is_secret_key(name), name
    for name in ("pfx", "root_ca", "computer", "has_private_key", "key_size", "key_length", "key_algorithm", "bypass",
                 "passes", "hostname", "certificate_request_key_length", "password_file"):
        assert not is_secret_key(name), name


_KEYS = st.sampled_from(["password", "token", "secret", "name", "x", "Passwd", "api-key"])
_VALUES = st.recursive(st.text(max_size=80) | st.integers() | st.none() | st.booleans(),
                       lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
                       max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(value=_VALUES, limit=st.integers(10, 100))
def test_an_excerpt_is_short_printable_and_keeps_nested_secrets_out(value, limit):
    marker = "S3cr3t-Marker"

    def plant(item):
        if isinstance(item, dict):
            return {k: (marker if is_secret_key(k) else plant(v)) for k, v in item.items()}
        if isinstance(item, list):
            return [plant(v) for v in item]
        return item

    text = excerpt(plant(value), limit=limit)
    assert marker not in text and marker[:10] not in text
    assert len(text) <= limit + len(" (999 characters)") + 8
    assert text.isprintable()


def test_a_policy_named_after_a_token_is_no_secret():
    """computer.local_account_token_filter_policy is a registry setting, shown in schema messages."""
    assert not is_secret_key("computer.local_account_token_filter_policy")
    assert is_secret_key("api_token") and is_secret_key("token")
