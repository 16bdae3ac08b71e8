"""Feed identity through a real crawl into the store (issue 12, class 2): feeds that repeat GUIDs or
links still give one stored item per article, and a second run stores nothing new.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import test_cases
from tests.desklab import SQLITE_ONLY
from tests.lab import LabServer, Route
from tests.test_cases import crawl, items, migrate, write_config

lab = test_cases.lab  # the loopback lab fixture

pytestmark = pytest.mark.slow


def _feed(entries: list[tuple[str, str | None]]) -> bytes:
    body = "".join(
        f"<item><title>Course {n}: language support for newcomers</title><link>{link}</link>"
        + (f'<guid isPermaLink="false">{guid}</guid>' if guid else "")
        + f"<pubDate>Tue, 0{n} Mar 2025 09:00:00 +0100</pubDate></item>"
        for n, (link, guid) in enumerate(entries, start=1)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>C</title>{body}</channel></rss>'.encode()


@SQLITE_ONLY
def test_repeated_guids_and_links_store_one_item_per_article_idempotently(
    db_url: str, tmp_path: Path, lab: LabServer
) -> None:
    rss = {"Content-Type": "application/rss+xml"}
    lab.routes["/same-guid.xml"] = Route(
        body=_feed([(f"https://city.example.eu/a/{n}", "news") for n in (1, 2, 3)]), headers=rss
    )
    lab.routes["/same-link.xml"] = Route(
        body=_feed([("https://town.example.eu/", f"t{n}") for n in (1, 2, 3)]), headers=rss
    )
    config = write_config(
        tmp_path,
        [{"id": "same-guid", "kind": "feed", "urls": [lab.url("/same-guid.xml")]},
         {"id": "same-link", "kind": "feed", "urls": [lab.url("/same-link.xml")]}],
    )  # fmt: skip
    migrate(db_url)
    crawl(db_url, config)
    first = items(db_url)
    assert sorted((r.source_id, r.version) for r in first) == [("same-guid", 1)] * 3 + [("same-link", 1)] * 3
    assert len({r.title for r in first if r.source_id == "same-guid"}) == 3
    crawl(db_url, config)
    second = items(db_url)
    assert [(r.id, r.identity, r.version, r.status) for r in second] == [
        (r.id, r.identity, r.version, r.status) for r in first
    ]
