"""Cases built from public bug reports of HTTP clients, crawlers, API clients and calendar readers:
kinds of fault that tests/test_public_cases.py and tests/test_public_cases_extra.py do not cover.
Every row cites the report it was built from (owner/repo#N) and runs a small made-up input through
the product's own entry points: an API source's pages through `spiders.api.ApiSpider` against a
loopback server, headers through the fetch layer's readers, calendars through `spiders.ical`.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from scrapy import Request
from scrapy.http import TextResponse

from crawler.sources import load_sources
from crawler.types import HarvestedItem
from tests.lab import LabServer

# -- an API that repeats a page (significa/storyblok-assets-cleanup#12, Fedict/dcattools#242) ------

API_YAML = """
sources:
- id: api-repeats
  name: Integration projects
  publisher: Ministry of Integration
  content_type: news
  kind: api
  urls: ["{url}"]
  api:
    items: data
    title: name
    link_template: "https://projects.example.eu/project/{{id}}"
    pagination:
      page_param: page
      size_param: per_page
      size: 2
      max_pages: {cap}
"""

RECORDS = [{"id": n, "name": f"Integration project {n}: language courses for newcomers"} for n in range(1, 8)]

Pager = Callable[[int, int], list[dict[str, Any]]]
"""(page asked for, page size) -> the records the server answers with."""


def _honest(total: int) -> Pager:
    return lambda page, size: RECORDS[:total][(page - 1) * size : page * size]


def _ignores_page(page: int, size: int) -> list[dict[str, Any]]:
    return RECORDS[:size]


def _clamps_to_last(total: int) -> Pager:
    def pager(page: int, size: int) -> list[dict[str, Any]]:
        last = (total + size - 1) // size
        return _honest(total)(min(page, last), size)

    return pager


def _cycles(page: int, size: int) -> list[dict[str, Any]]:
    return RECORDS[:6][((page - 1) % 3) * size : ((page - 1) % 3 + 1) * size]


PAGERS: dict[str, tuple[Pager, int, list[int], int, bool]] = {
    # name: (server, max_pages, pages asked for, items, repeat counted)
    "ignores-page-parameter": (_ignores_page, 10, [1, 2], 2, True),
    "ignores-page-parameter-cap-3": (_ignores_page, 3, [1, 2], 2, True),
    "clamps-to-last-page": (_clamps_to_last(4), 10, [1, 2, 3], 4, True),
    "cycles-back-to-first-page": (_cycles, 10, [1, 2, 3, 4], 6, True),
    "honest-short-last-page": (_honest(5), 10, [1, 2, 3], 5, False),
    "honest-empty-last-page": (_honest(4), 10, [1, 2, 3], 4, False),
}


def _api_route(pager: Pager, asked: list[int]) -> Callable[[BaseHTTPRequestHandler], None]:
    def route(handler: BaseHTTPRequestHandler) -> None:
        params = {k: v[0] for k, v in parse_qs(urlsplit(handler.path).query).items()}
        page, size = int(params["page"]), int(params["per_page"])
        asked.append(page)
        # the envelope echoes the page asked for: only the records say whether it is a repeat
        body = json.dumps({"page": page, "data": pager(page, size)}).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return route


def _fetch(request: Request) -> TextResponse:
    with urllib.request.urlopen(request.url, timeout=5) as answer:  # loopback only
        body = answer.read()
    return TextResponse(request.url, body=body, encoding="utf-8", request=request)


def _harvest_api(url: str, cap: int) -> tuple[list[HarvestedItem], dict[str, Any]]:
    from scrapy.utils.test import get_crawler

    from spiders.api import ApiSpider

    source = load_sources("sources.yaml", text=API_YAML.format(url=url, cap=cap)).sources[0]
    crawler = get_crawler(ApiSpider)
    spider = ApiSpider.from_crawler(crawler, source=source)
    crawler.stats.open_spider()

    async def starts() -> list[Request]:
        return [r async for r in spider.start()]

    queue = asyncio.run(starts())
    items: list[HarvestedItem] = []
    while queue:
        for out in spider.parse(_fetch(queue.pop(0))):
            (items if isinstance(out, HarvestedItem) else queue).append(out)
    return items, crawler.stats.get_stats()


@pytest.mark.parametrize(("pager", "cap", "pages", "stored", "repeated"), PAGERS.values(), ids=PAGERS.keys())
def test_an_api_page_repeating_an_earlier_one_ends_the_walk(
    pager: Pager, cap: int, pages: list[int], stored: int, repeated: bool
) -> None:
    asked: list[int] = []
    with LabServer(routes={"/api/projects": _api_route(pager, asked)}) as lab:
        items, stats = _harvest_api(lab.url("/api/projects"), cap)
    assert asked == pages
    assert sorted(i.url for i in items) == sorted({i.url for i in items})
    assert len(items) == stored
    assert stats.get("ewsi/api/page_repeated", 0) == (1 if repeated else 0)
    assert "ewsi/api/page_cap" not in stats
