"""What the onboarding tests fetch with: the one-shot fetcher and robots reader of `ewsi sources
add|check` aimed at the loopback lab (127.0.0.2 stands for the public internet, tests.lab), and an
operator file holding one source."""

from __future__ import annotations

from crawler.fetch import oneshot
from crawler.fetch.addresses import Allowlist

UA = "ewsi-harvester/test (+tests; ops@example.eu)"
ALLOW = Allowlist.parse("127.0.0.2")
ONE_SOURCE_CONFIG = "sources:\n- id: ecre-news\n  name: ECRE\n  publisher: ECRE\n  kind: feed\n  urls: ['https://ecre.org/feed/']\n"


def fetcher(url: str) -> oneshot.Fetched:
    return oneshot.fetch(url, user_agent=UA, allow=ALLOW, timeout=5)


def robots(url: str) -> tuple[bool, str]:
    return oneshot.robots_allows(url, user_agent=UA, allow=ALLOW, timeout=5)
