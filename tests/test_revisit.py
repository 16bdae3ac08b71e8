"""The revisit rule of followed pages (crawler.store.revisit, spiders.base "revisits"), end to end:
real `ewsi crawl` runs over the loopback lab into SQLite and PostgreSQL.

Table 1: a page behind a listing, a sitemap or an API that failed once for a transient reason (503,
timeout) is fetched again on the next run while its index is unchanged, and the stub becomes the
read item. Table 2: a funding call's or an event's page whose date is ahead is read again once the
revisit interval passed, and a corrigendum is a new version listing its change. Then: a date in the
past is not revisited, nor a known page within the interval, and a page that keeps failing is asked
`MAX_PAGE_TRIES` times in all, then flagged ``page_unreachable``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from crawler.store.revisit import MAX_PAGE_TRIES, UNREACHABLE_FLAG
from tests.lab import LabServer, Route
from tests.test_cases import crawl, items, lab, migrate, session, write_config

__all__ = ["lab"]

pytestmark = pytest.mark.slow

HTML = {"Content-Type": "text/html; charset=utf-8"}
BODY = "Mentoring for refugee women in Lyon pairs newcomers with local professionals for a year. " * 6
PAGE = (
    f"<html lang='en'><head><title>Mentoring for refugee women in Lyon</title></head>"
    f"<body><article><h1>Mentoring for refugee women in Lyon</h1><p>{BODY}</p></article></body></html>"
).encode()
FAST = {"EWSI_DOWNLOAD_DELAY": "0", "EWSI_RETRY_BACKOFF": "0.05", "EWSI_DOWNLOAD_TIMEOUT": "2"}


def _hits(lab: LabServer, path: str) -> int:
    return sum(1 for p in lab.paths() if p.split("?", 1)[0] == path)


def _slow(seconds: float) -> Callable[[BaseHTTPRequestHandler], None]:
    """A route that answers nothing for `seconds` (longer than the download timeout)."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        handler.send_response(503)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return answer


def _listing(lab: LabServer, anchor: str) -> dict[str, Any]:
    """A listing of one entry: `anchor` is the link's text, or the entry's HTML around ``<a>{}</a>``."""
    entry = (
        anchor.replace("<a>", '<a href="/a/1.html">')
        if "<a>" in anchor
        else f'<a href="/a/1.html">{anchor}</a>'
    )
    lab.routes["/list.html"] = Route(
        body=f'<html><body><ul class="n"><li>{entry}</li></ul></body></html>'.encode(),
        headers=HTML,
    )
    return {"kind": "listing", "urls": [lab.url("/list.html")], "listing": {"links": "ul.n a::attr(href)"}}


def _sitemap(lab: LabServer, anchor: str) -> dict[str, Any]:
    lab.routes["/sitemap.xml"] = Route(
        body=(
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{lab.url('/a/1.html')}</loc></url></urlset>"
        ).encode(),
        headers={"Content-Type": "application/xml"},
    )
    return {"kind": "sitemap", "urls": [lab.url("/sitemap.xml")]}


def _api(lab: LabServer, anchor: str) -> dict[str, Any]:
    lab.routes["/api.json"] = Route(
        body=json.dumps({"items": [{"title": anchor, "url": lab.url("/a/1.html")}]}).encode(),
        headers={"Content-Type": "application/json"},
    )
    return {
        "kind": "api",
        "urls": [lab.url("/api.json")],
        "api": {"items": "items", "link": "url", "title": "title"},
    }


# kind, how the index lists the page, first answer of the page, stored title of the stub; the read
# item's title is the page's, except an API record's own title, which the page does not replace
TRANSIENT = {
    "listing-read-more-503": (_listing, "Read more", Route(status=503, headers=HTML), None),
    "listing-numbered-timeout": (
        _listing,
        "<h3>Mentoring for refugee women in Lyon</h3><p>Teaser.</p><a>1</a>",
        _slow(3),
        "Mentoring for refugee women in Lyon",
    ),
    "listing-weiterlesen-503": (_listing, "weiterlesen »", Route(status=503, headers=HTML), None),
    "sitemap-503": (_sitemap, "", Route(status=503, headers=HTML), None),
    "api-503": (_api, "Mentoring (API)", Route(status=503, headers=HTML), "Mentoring (API)"),
}


@pytest.mark.parametrize("variant", list(TRANSIENT), ids=list(TRANSIENT))
def test_a_page_that_failed_once_is_read_on_the_next_run(
    variant: str, db_url: str, tmp_path: Path, lab: LabServer
) -> None:
    index, anchor, failing, stub_title = TRANSIENT[variant]
    source = {"id": "src", "languages": ["en"], "follow": True, **index(lab, anchor)}
    lab.routes["/a/1.html"] = failing
    config = write_config(tmp_path, [source])
    migrate(db_url)
    crawl(db_url, config, env=FAST)
    (stub,) = items(db_url, "src")
    assert stub.text is None and stub.title == stub_title
    assert any(f.startswith("page_fetch.") for f in stub.flags)
    lab.routes["/a/1.html"] = Route(body=PAGE, headers=HTML)
    lab.hits.clear()
    crawl(db_url, config, env=FAST)
    assert _hits(lab, "/a/1.html") == 1
    (read,) = items(db_url, "src")
    assert read.id == stub.id
    assert read.title == (stub_title if index is _api else "Mentoring for refugee women in Lyon")
    assert read.text_chars > 400 and not any(f.startswith("page_") for f in read.flags)
    lab.hits.clear()
    crawl(db_url, config, env=FAST)  # read now: not asked again
    assert _hits(lab, "/a/1.html") == 0


def _page(title: str, line: str) -> bytes:
    text = f"{line}. The programme supports the integration of migrants and refugees in local schools. " * 4
    head = f"<html lang='en'><head><title>{title}</title></head>"
    return f"{head}<body><article><h1>{title}</h1><p>{text}</p></article></body></html>".encode()


# content type, page before, page after, stored column, value before, value after (ISO, UTC), the
# changed field the version lists
CORRIGENDA = {
    "funding-deadline-extended": (
        "funding",
        _page("Call for proposals: AMIF integration", "Deadline: 12 May 2031 17:00 CEST"),
        _page("Call for proposals: AMIF integration", "Deadline: 2 June 2031 17:00 CEST (extended)"),
        "deadline",
        "2031-05-12T15:00:00",
        "2031-06-02T15:00:00",
        "deadlines",
    ),
    "event-moved": (
        "event",
        _page("Integration forum Vienna", "Date: 24 March 2031"),
        _page("Integration forum Vienna", "Date: 7 April 2031"),
        "event_start",
        "2031-03-24T00:00:00",
        "2031-04-07T00:00:00",
        "event_start",
    ),
}


def _iso(value: Any) -> str:
    return value.replace(tzinfo=None).isoformat() if value is not None else "-"


@pytest.mark.parametrize("variant", list(CORRIGENDA), ids=list(CORRIGENDA))
def test_a_corrigendum_behind_an_unchanged_listing_is_a_new_version(
    variant: str, db_url: str, tmp_path: Path, lab: LabServer
) -> None:
    from crawler.store.items import item_versions

    content_type, before, after, column, old, new, changed = CORRIGENDA[variant]
    source = {
        "id": "cfp",
        "languages": ["en"],
        "follow": True,
        "content_type": content_type,
        "revisit_hours": 0.0003,  # about a second: the interval has passed by the next run
        **_listing(lab, "Read more"),
    }
    lab.routes["/a/1.html"] = Route(body=before, headers=HTML)
    config = write_config(tmp_path, [source])
    migrate(db_url)
    crawl(db_url, config, env=FAST)
    (first,) = items(db_url, "cfp")
    assert _iso(getattr(first, column)) == old and first.version == 1
    lab.routes["/a/1.html"] = Route(body=after, headers=HTML)
    time.sleep(1.5)
    lab.hits.clear()
    crawl(db_url, config, env=FAST)
    assert _hits(lab, "/a/1.html") == 1
    (second,) = items(db_url, "cfp")
    assert _iso(getattr(second, column)) == new and second.version == 2
    with session(db_url) as s:
        (earlier,) = item_versions(s, second.id)
    assert changed in earlier["changed_fields"]
    assert any(change.get("field") == changed for change in earlier["field_changes"] or []), earlier


@pytest.mark.parametrize(
    ("deadline", "hours", "asked"),
    [
        ("12 May 2020 17:00 CEST", 0.0003, 0),  # past: never again
        ("12 May 2031 17:00 CEST", 24, 0),  # ahead, but read within the interval
        ("12 May 2031 17:00 CEST", 0.0003, 1),  # ahead and due
    ],
    ids=["past-deadline", "within-interval", "due"],
)
def test_a_known_call_page_is_revisited_only_while_ahead_and_due(
    deadline: str, hours: float, asked: int, db_url: str, tmp_path: Path, lab: LabServer
) -> None:
    source = {
        "id": "cfp",
        "languages": ["en"],
        "follow": True,
        "content_type": "funding",
        "revisit_hours": hours,
        **_listing(lab, "Read more"),
    }
    lab.routes["/a/1.html"] = Route(body=_page("Call for proposals", f"Deadline: {deadline}"), headers=HTML)
    config = write_config(tmp_path, [source])
    migrate(db_url)
    crawl(db_url, config, env=FAST)
    (first,) = items(db_url, "cfp")
    assert first.deadline is not None and first.text
    time.sleep(1.5)
    lab.hits.clear()
    crawl(db_url, config, env=FAST)
    assert _hits(lab, "/a/1.html") == asked
    assert "/list.html" in lab.paths()


def test_a_page_that_keeps_failing_is_given_up_and_flagged(
    db_url: str, tmp_path: Path, lab: LabServer
) -> None:
    source = {"id": "src", "languages": ["en"], "follow": True, **_listing(lab, "Read more")}
    lab.routes["/a/1.html"] = Route(status=503, headers=HTML)
    config = write_config(tmp_path, [source])
    migrate(db_url)
    runs_asked = []
    for _ in range(MAX_PAGE_TRIES + 1):
        lab.hits.clear()
        crawl(db_url, config, env=FAST)
        runs_asked.append(_hits(lab, "/a/1.html") > 0)
    assert runs_asked == [True] * MAX_PAGE_TRIES + [False]
    (stub,) = items(db_url, "src")
    assert stub.text is None and stub.title is None
    assert UNREACHABLE_FLAG in stub.flags and "title_missing" in stub.flags
