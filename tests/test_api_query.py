"""POST queries and pagination of the api template (spiders.apiquery, crawler.sources.ApiPagination).

A loopback server plays the Funding & Tenders search API: it refuses anything but a POST whose
multipart/form-data (or form, or JSON) body carries the configured ``query``, ``languages`` and
``sort`` fields, and serves the recorded search answer (tests/data/funding_tenders_search_1.json,
six calls) cut into pages by the ``pageNumber``/``pageSize`` query parameters, as the real API does.
The spider's requests are sent to it as they are, and its answers parsed back into the spider.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from python_multipart.multipart import parse_options_header
from scrapy import Request
from scrapy.http import TextResponse

from crawler.errors import ConfigError
from crawler.sources import load_sources
from crawler.types import HarvestedItem
from spiders.apiquery import encode_body, next_page, page_capped, page_request_parts
from tests.lab import LabServer

DATA = Path(__file__).parent / "data"
ANSWER = json.loads((DATA / "funding_tenders_search_1.json").read_text(encoding="utf-8"))
QUERY = {"bool": {"must": [{"terms": {"type": ["1", "2"]}}, {"terms": {"status": ["31094501", "31094502"]}}]}}

YAML = """
sources:
- id: ft-search
  name: Funding & Tenders search
  publisher: European Commission
  content_type: funding
  kind: api
  urls: ["{url}"]
  api:
    method: POST
    body_format: {body_format}
    body:
      query: {query}
      languages: ["en"]
      sort: {{field: sortStatus, order: ASC}}
    pagination:
      page_param: pageNumber
      size_param: pageSize
      size: {size}
      total: totalResults
      max_pages: {cap}
    items: results
    title: "metadata.title[0]"
    link_template: "https://ec.europa.eu/topic-details/{{metadata.identifier[0]}}"
    fields:
      call_id: "metadata.identifier[0]"
"""


def source(url: str, *, body_format: str = "multipart", size: int = 4, cap: int = 10) -> Any:
    text = YAML.format(url=url, body_format=body_format, query=json.dumps(QUERY), size=size, cap=cap)
    return load_sources("sources.yaml", text=text).sources[0]


def form_fields(content_type: str, body: bytes) -> dict[str, Any]:
    """The fields of a request body, decoded the way the server side of the API would."""
    kind, _ = parse_options_header(content_type)
    if kind == b"application/json":
        return dict(json.loads(body))
    if kind == b"application/x-www-form-urlencoded":
        return {k: json.loads(v[0]) for k, v in parse_qs(body.decode("ascii")).items()}
    assert kind == b"multipart/form-data"
    import email.parser
    import email.policy

    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields = {}
    for part in message.iter_parts():
        assert part.get_content_type() == "application/json" and part.get_filename() == "blob"
        fields[part.get_param("name", header="content-disposition")] = json.loads(part.get_content())
    return fields


class SearchApi:
    """The route of the loopback search API; remembers every page asked for."""

    def __init__(self) -> None:
        self.pages: list[tuple[int, int]] = []
        self.refused: list[str] = []

    def __call__(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        params = {k: v[0] for k, v in parse_qs(urlsplit(handler.path).query).items()}
        problem = None
        if handler.command != "POST":
            problem = f"method {handler.command}"
        elif form_fields(handler.headers["Content-Type"], body) != {
            "query": QUERY,
            "languages": ["en"],
            "sort": {"field": "sortStatus", "order": "ASC"},
        }:
            problem = "body"
        if problem:
            self.refused.append(problem)
            answer, status = b'{"error": "bad request"}', 400
        else:
            page, size = int(params["pageNumber"]), int(params["pageSize"])
            self.pages.append((page, size))
            results = ANSWER["results"][(page - 1) * size : page * size]
            answer = json.dumps({**ANSWER, "pageNumber": page, "pageSize": size, "results": results}).encode()
            status = 200
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(answer)))
        handler.end_headers()
        handler.wfile.write(answer)


@pytest.fixture(scope="module")
def api() -> Iterator[tuple[LabServer, SearchApi]]:
    search = SearchApi()
    with LabServer(routes={"/search-api/prod/rest/search": search}) as lab:
        yield lab, search


def fetch(request: Request) -> TextResponse:
    """Send a Scrapy request as it is (method, headers, body) and wrap the answer for the spider."""
    headers = {k.decode(): v[0].decode() for k, v in request.headers.items()}
    sent = urllib.request.Request(
        request.url, data=request.body or None, headers=headers, method=request.method
    )
    with urllib.request.urlopen(sent, timeout=5) as answer:  # loopback only
        body = answer.read()
    return TextResponse(request.url, body=body, encoding="utf-8", request=request)


def harvest(src: Any) -> tuple[list[HarvestedItem], dict[str, Any]]:
    """Run the api spider against the loopback API: start requests, then every page it asks for."""
    from scrapy.utils.test import get_crawler

    from spiders.api import ApiSpider

    crawler = get_crawler(ApiSpider)
    spider = ApiSpider.from_crawler(crawler, source=src)
    crawler.stats.open_spider()

    async def starts() -> list[Request]:
        return [r async for r in spider.start()]

    queue = asyncio.run(starts())
    items: list[HarvestedItem] = []
    while queue:
        for out in spider.parse(fetch(queue.pop(0))):
            (items if isinstance(out, HarvestedItem) else queue).append(out)
    return items, crawler.stats.get_stats()


@pytest.mark.parametrize(
    ("body_format", "size", "cap", "pages", "calls"),
    [
        ("multipart", 4, 10, [(1, 4), (2, 4)], 6),  # the second page is short: the last one
        ("form", 3, 10, [(1, 3), (2, 3)], 6),  # full pages, but totalResults (6) reached
        ("json", 6, 10, [(1, 6)], 6),  # one full page reaches the total
        ("multipart", 50, 10, [(1, 50)], 6),  # one short page
        ("multipart", 2, 2, [(1, 2), (2, 2)], 4),  # the hard page cap stops a source with more
    ],
)
def test_post_query_pages_through_the_recorded_answer(
    api: tuple[LabServer, SearchApi], body_format: str, size: int, cap: int, pages: list[Any], calls: int
) -> None:
    lab, search = api
    search.pages.clear()
    items, stats = harvest(
        source(
            lab.url("/search-api/prod/rest/search?apiKey=SEDIA&text=***"),
            body_format=body_format,
            size=size,
            cap=cap,
        )
    )
    assert search.refused == []
    assert search.pages == pages
    ids = [i.official_id for i in items]
    assert ids == [r["metadata"]["identifier"][0] for r in ANSWER["results"][:calls]]
    assert stats.get("ewsi/api/pages") == len(pages)
    assert stats.get("ewsi/api/page_cap", 0) == (1 if calls < len(ANSWER["results"]) else 0)


def test_the_server_refuses_a_get_and_a_wrong_body(api: tuple[LabServer, SearchApi]) -> None:
    """The loopback API really checks: the same query as a GET, or with another body, is refused."""
    lab, search = api
    url = lab.url("/search-api/prod/rest/search?pageNumber=1&pageSize=5")
    search.refused.clear()
    for method, body in (("GET", None), ("POST", b'{"query": {}}')):
        sent = urllib.request.Request(
            url, data=body, method=method, headers={"Content-Type": "application/json"}
        )
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(sent, timeout=5)  # loopback only
    assert search.refused == ["method GET", "body"]


@pytest.mark.parametrize(
    ("url", "page", "expected"),
    [
        (
            "https://x.eu/s?apiKey=SEDIA&text=***",
            1,
            "https://x.eu/s?apiKey=SEDIA&text=***&pageNumber=1&pageSize=4",
        ),
        ("https://x.eu/s?pageNumber=9&pageSize=100", 2, "https://x.eu/s?pageNumber=2&pageSize=4"),
        ("https://x.eu/s", None, "https://x.eu/s"),
    ],
)
def test_page_parameters_go_in_the_query(url: str, page: int | None, expected: str) -> None:
    parts = page_request_parts(source("https://x.eu/s").api, url, page)
    assert (parts.url, parts.method) == (expected, "POST")
    assert parts.headers["Content-Type"].startswith("multipart/form-data; boundary=ewsi")


def test_page_parameters_in_the_body_and_a_get_without_body() -> None:
    text = YAML.format(url="https://x.eu/s", body_format="json", query="{}", size=5, cap=3).replace(
        "max_pages: 3", "max_pages: 3\n      send_in: body"
    )
    api = load_sources("s.yaml", text=text).sources[0].api
    parts = page_request_parts(api, "https://x.eu/s", 2)
    assert parts.url == "https://x.eu/s"
    assert json.loads(parts.body or b"") == {
        "query": {},
        "languages": ["en"],
        "sort": {"field": "sortStatus", "order": "ASC"},
        "pageNumber": "2",
        "pageSize": "5",
    }
    get = load_sources("s.yaml", text=_get_yaml()).sources[0].api
    assert page_request_parts(get, "https://x.eu/s?a=1", None) == page_request_parts(
        get, "https://x.eu/s?a=1", None
    )
    assert page_request_parts(get, "https://x.eu/s?a=1", None).body is None


def _get_yaml(extra: str = "") -> str:
    return f"""
sources:
- id: plain
  name: Plain
  publisher: P
  kind: api
  urls: ["https://x.eu/s"]
  api:
    items: results
    title: t
    link: u{extra}
"""


@pytest.mark.parametrize(
    ("fields", "encoded"),
    [
        ({"a": "x y", "n": 3, "flag": True}, b"a=x+y&n=3&flag=true"),
        ({"q": {"k": [1, 2]}}, b"q=%7B%22k%22%3A%5B1%2C2%5D%7D"),
        ({"text": "Integration & Teilhabe"}, b"text=Integration+%26+Teilhabe"),
    ],
)
def test_form_encoding(fields: dict[str, Any], encoded: bytes) -> None:
    assert encode_body(fields, "form") == (encoded, "application/x-www-form-urlencoded")


def test_multipart_is_stable_and_plain_values_are_text_parts() -> None:
    body, content_type = encode_body({"text": "Zuwanderung", "query": {"a": 1}}, "multipart")
    assert (body, content_type) == encode_body({"text": "Zuwanderung", "query": {"a": 1}}, "multipart")
    assert b'name="text"\r\n\r\nZuwanderung\r\n' in body
    assert b'name="query"; filename="blob"\r\nContent-Type: application/json\r\n\r\n{"a":1}\r\n' in body


@pytest.mark.parametrize(
    ("page", "records", "answer", "seen", "expected"),
    [
        (1, 4, {"totalResults": 100}, 4, 2),  # full page, more to come
        (1, 3, {"totalResults": 100}, 3, None),  # short page
        (1, 0, {}, 0, None),  # empty page
        (2, 4, {"totalResults": 8}, 8, None),  # total reached
        (2, 4, {"totalResults": "many"}, 8, 3),  # a total that is no number is ignored
        (10, 4, {"totalResults": 100}, 40, None),  # page 10 of max_pages 10: the hard cap
    ],
)
def test_next_page_rules(page: int, records: int, answer: Any, seen: int, expected: int | None) -> None:
    api = source("https://x.eu/s", size=4, cap=10).api
    assert next_page(api, page, records, answer, seen) == expected


@pytest.mark.parametrize(
    ("page", "records", "answer", "seen", "capped"),
    [
        (10, 4, {"totalResults": 100}, 40, True),  # full last allowed page, more to come
        (10, 4, {"totalResults": 40}, 40, False),  # the total is reached on the last allowed page
        (10, 4, {}, 40, True),  # no total: a full page means there may be more
        (10, 3, {"totalResults": 100}, 39, False),  # a short page is the last anyway
        (9, 4, {"totalResults": 100}, 36, False),  # the cap allows one more page
    ],
)
def test_page_cap_is_reported_only_when_it_cut_a_source_short(
    page: int, records: int, answer: Any, seen: int, capped: bool
) -> None:
    api = source("https://x.eu/s", size=4, cap=10).api
    assert page_capped(api, page, records, answer, seen) is capped


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("method: POST", "method: PUT"), "sources[0].api.method: expected one of GET or POST, got 'PUT'"),
        (
            ("body_format: multipart", "body_format: xml"),
            "sources[0].api.body_format: expected one of json, form or multipart, got 'xml'",
        ),
        (("method: POST", "method: GET"), "sources[0].api.body: a request body needs `method: POST`"),
        (
            ("size: 4", "size: 0"),
            "sources[0].api.pagination.size: expected a whole number at least 1, got 0",
        ),
        (
            ("max_pages: 10", "max_pages: 500"),
            "sources[0].api.pagination.max_pages: expected a whole number at most 100, got 500",
        ),
        (("total: totalResults", "total: 'a.['"), "sources[0].api.pagination.total: invalid JMESPath"),
        (("page_param: pageNumber", "page: 1"), "sources[0].api.pagination.page: unknown field"),
    ],
)
def test_config_errors_name_file_line_and_field(edit: tuple[str, str], message: str) -> None:
    text = YAML.format(url="https://x.eu/s", body_format="multipart", query="{}", size=4, cap=10)
    assert edit[0] in text
    text = text.replace(*edit)
    with pytest.raises(ConfigError) as err:
        load_sources("sources.yaml", text=text)
    (problem,) = err.value.problems
    assert message in problem
    line = int(problem.split(":")[1])
    key = message.split(": ")[0].rsplit(".", 1)[1]
    assert key in text.splitlines()[line - 1] or (key == "body" and "body:" in text.splitlines()[line - 2])


def test_page_parameters_in_the_body_need_a_post() -> None:
    with pytest.raises(ConfigError) as err:
        load_sources("s.yaml", text=_get_yaml("\n    pagination: {send_in: body}"))
    (problem,) = err.value.problems
    assert problem.startswith("s.yaml:12: sources[0].api.pagination: page parameters in the body")


@pytest.mark.parametrize(
    "source_id", ["eu-funding-tenders-amif", "eu-funding-tenders-esf", "eu-funding-tenders-cerv"]
)
def test_shipped_funding_sources_post_the_query_as_public_clients_do(source_id: str) -> None:
    """config/sources.yaml: the first request of each Funding & Tenders source is a multipart POST
    whose parts are the JSON query, languages and sort, page 1 of 50 in the URL."""
    shipped = {s.id: s for s in load_sources().sources}[source_id]
    assert shipped.api is not None
    parts = page_request_parts(shipped.api, shipped.urls[0], 1)
    assert parts.method == "POST" and parts.url.endswith("&pageNumber=1&pageSize=50")
    fields = form_fields(parts.headers["Content-Type"], parts.body or b"")
    assert set(fields) == {"query", "languages", "sort"}
    assert fields["languages"] == ["en"] and fields["query"]["bool"]["must"]
