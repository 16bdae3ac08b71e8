"""robots.txt per RFC 9309 (issue 12, class 6) on `crawler.fetch.robots.rules_for`: status classes, byte
order marks and line endings.
"""

from __future__ import annotations

import pytest

from crawler.errors import error_key_for
from crawler.fetch.refusals import FetchRefused
from crawler.fetch.robots import Unreachable, rules_for

AGENT = "ewsi-harvester"
RULES = "User-agent: *\nDisallow: /private\nAllow: /private/open\n"


@pytest.mark.parametrize(
    "body",
    [
        RULES.encode(),
        RULES.replace("\n", "\r\n").encode(),
        RULES.replace("\n", "\r").encode(),
        b"\xef\xbb\xbf" + RULES.encode(),
        b"\xef\xbb\xbf" + RULES.replace("\n", "\r").encode(),
        b"\xef\xbb\xbf\xef\xbb\xbf" + RULES.replace("\n", "\r\n").encode(),
        RULES.replace("User-agent: *", "User-agent: ewsi-harvester").replace("\n", "\r").encode(),
    ],
    ids=["lf", "crlf", "cr", "bom-lf", "bom-cr", "two-boms-crlf", "named-agent-cr"],
)
def test_bom_and_line_endings_change_nothing(body: bytes) -> None:
    rules = rules_for(200, body)
    assert not rules.allowed("https://e.eu/private/report", AGENT)
    assert rules.allowed("https://e.eu/private/open/page", AGENT)
    assert rules.allowed("https://e.eu/news", AGENT)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 451])
def test_4xx_means_no_rules(status: int) -> None:
    rules = rules_for(status, b"User-agent: *\nDisallow: /")  # the error page's body is not rules
    assert rules.allowed("https://e.eu/private/report", AGENT)


@pytest.mark.parametrize("status", [500, 502, 503, 504, 599])
def test_5xx_means_complete_disallow_with_the_reason(status: int) -> None:
    rules = rules_for(status, b"", "https://e.eu/robots.txt")
    assert isinstance(rules, Unreachable)
    assert not rules.allowed("https://e.eu/news", AGENT)
    assert rules.key == "fetch.robots_unreachable" and str(status) in rules.reason
    refusal = FetchRefused(rules.key, rules.reason)
    assert error_key_for(refusal) == "fetch.robots_unreachable"
