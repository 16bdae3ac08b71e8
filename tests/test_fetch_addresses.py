"""SSRF rules (crawler.fetch.addresses), pure, T18-T22: every spelling of an address is read,
non-public networks and embedded IPv4 are refused, only http(s), exact allowlist entries.
"""

from __future__ import annotations

import ipaddress

import pytest

from crawler.config import Settings
from crawler.errors import error_key_for
from crawler.fetch import addresses

SPELLINGS = {
    "127.1": "127.0.0.1",
    "2130706433": "127.0.0.1",
    "0x7f000001": "127.0.0.1",
    "0177.0.0.1": "127.0.0.1",
    "0x7f.1": "127.0.0.1",
    "127.0.0.1.": "127.0.0.1",
    "0": "0.0.0.0",
    "[::ffff:127.0.0.1]": "::ffff:7f00:1",
    "[::1]": "::1",
    "[fe80::1%eth0]": "fe80::1",
}


@pytest.mark.parametrize(("spelling", "address"), SPELLINGS.items())
def test_every_spelling_of_an_address_is_read(spelling: str, address: str) -> None:
    assert addresses.parse_ip(spelling) == ipaddress.ip_address(address)


@pytest.mark.parametrize("name", ["example.org", "127.0.0.1.example.org", "0x7g.1", "1.2.3.4.5", "256.1.1.1"])
def test_names_are_not_addresses(name: str) -> None:
    assert addresses.parse_ip(name) is None


NON_PUBLIC = [
    "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "0.0.0.0", "[::1]", "[::ffff:127.0.0.1]", "[::]",
    "169.254.169.254", "100.64.0.1", "[64:ff9b::7f00:1]", "[fd00::1]", "[fe80::1]", "10.0.0.1",
    "172.16.0.1", "192.168.1.1", "224.0.0.1", "240.0.0.1", "198.18.0.1", "192.0.0.8", "[2002:7f00:1::]",
    "[ff02::1]", "127.0.0.2",
]  # fmt: skip


@pytest.mark.parametrize("host", NON_PUBLIC)
def test_non_public_addresses_are_refused(host: str) -> None:
    assert not addresses.is_public(host)
    with pytest.raises(addresses.BlockedAddress) as info:
        addresses.check_url(f"http://{host}:8080/admin", addresses.Allowlist())
    assert error_key_for(info.value) == "fetch.blocked_address"


@pytest.mark.parametrize(
    "host", ["93.184.215.14", "[2606:4700::1111]", "8.8.8.8", "172.32.0.1", "100.128.0.1"]
)
def test_public_addresses_pass(host: str) -> None:
    assert addresses.is_public(host)
    assert addresses.check_url(f"https://{host}/feed", addresses.Allowlist())[2] is not None


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "data:text/html,<b>x</b>", "ftp://127.0.0.2/", "s3://bucket/key",
            "gopher://127.0.0.1:70/", "javascript:alert(1)", "http:///nohost"],
)  # fmt: skip
def test_only_http_and_https(url: str) -> None:
    with pytest.raises(addresses.BlockedScheme) as info:
        addresses.check_url(url, addresses.Allowlist())
    assert error_key_for(info.value) == "fetch.blocked_scheme"


def test_allowlist_is_exact_host_or_host_port() -> None:
    allow = addresses.Allowlist.parse("127.0.0.2, intranet.example:8443, [::1]:9000")
    assert addresses.check_url("http://127.0.0.2:1234/", allow)[2] == ipaddress.ip_address("127.0.0.2")
    with pytest.raises(addresses.BlockedAddress):  # another spelling of another address
        addresses.check_url("http://127.0.0.1/", allow)
    assert addresses.check_addresses("intranet.example", 8443, ["10.1.2.3"], allow) == ["10.1.2.3"]
    with pytest.raises(addresses.BlockedAddress):  # same host, other port
        addresses.check_addresses("intranet.example", 443, ["10.1.2.3"], allow)
    assert addresses.check_addresses("v6.test", 9000, ["::1"], allow) == ["::1"]
    with pytest.raises(addresses.BlockedAddress):
        addresses.check_addresses("v6.test", 9001, ["::1"], allow)
    # a name resolving to an allowlisted address is allowed; mixed answers keep the allowed ones
    assert addresses.check_addresses("pub.test", 80, ["127.0.0.1", "127.0.0.2"], allow) == ["127.0.0.2"]
    unset = Settings.from_env({"EWSI_ALLOW_PRIVATE": ""}).allow_private
    assert addresses.Allowlist.parse(unset).entries == frozenset()


@pytest.mark.parametrize(
    ("host", "never"),
    [
        ("news.example.invalid", True),
        ("invalid", True),
        ("NEWS.EXAMPLE.INVALID.", True),
        ("a.b.c.invalid", True),
        ("integrationnews.onion", True),
        ("invalid.example.eu", False),
        ("news.invalid.eu", False),
        ("example.invalidate", False),
        ("news.example.eu", False),
        ("127.0.0.1", False),
        ("", False),
    ],
)
def test_special_use_names_never_resolve(host: str, never: bool) -> None:
    """RFC 6761 §6.4 (.invalid) and RFC 7686 (.onion): refused as fetch.dns without a lookup."""
    assert addresses.never_resolves(host) is never
