"""Title-only API sources (`api.detail`): each record's detail answer gives the item its text.

tests/data/eci holds three records of the ECI register's recorded search answer
(../shared/corpus/api, 2025-09-17) and detail answers in the shape of the register's
``/core/api/register/details/{year}/{number}`` (the corpus recorded the search answer only): one
with objectives in English and French, one whose only language version has no objectives.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.sources import Source
from crawler.types import HarvestedItem
from pipelines.normalize import NormalizePipeline
from tests.test_spiders import make_spider, run, stats

DATA = Path(__file__).resolve().parent / "data" / "eci"
SEARCH_URL = "https://register.eci.ec.europa.eu/core/api/register/search/ALL/EN/0/1000"
DETAIL = "https://register.eci.ec.europa.eu/core/api/register/details/{year}/{number}"
OBJECTIVES_EN = "linguisticVersions[?languageCode=='EN'].objectives | [0]"
ECI_API: dict[str, Any] = {
    "items": "entries",
    "title": "title",
    "id": "pubRegNum",
    "published": "latestUpdateDate",
    "link_template": "https://citizens-initiative.europa.eu/initiatives/details/{year}/{number}_en",
    "detail": {"url": DETAIL, "text": OBJECTIVES_EN, "summary": "linguisticVersions[0].subjectMatter"},
}


def eci_spider(**api: Any) -> Any:
    return make_spider(id="eci-register", kind="api", urls=[SEARCH_URL], api={**ECI_API, **api})


def json_response(url: str, body: bytes, status: int = 200) -> TextResponse:
    return TextResponse(url, body=body, status=status, headers={"Content-Type": "application/json"})


def detail_of(spider: Any, item: HarvestedItem, body: bytes) -> HarvestedItem:
    response = json_response("https://register.eci.ec.europa.eu/core/api/register/details/x", body)
    response.request = Request(response.url)
    out = list(spider.parse_detail(response, item=item))
    assert out == [item]
    return item


def test_each_record_asks_for_its_detail_through_the_crawl() -> None:
    spider = eci_spider()
    items, requests = run(
        spider, json_response(SEARCH_URL, (DATA / "search_ALL_EN_0_1000.json").read_bytes())
    )
    assert items == []
    assert sorted(r.url for r in requests) == [
        DETAIL.format(year="2019", number="000007"),
        DETAIL.format(year="2023", number="000001"),
        DETAIL.format(year="2023", number="000002"),
    ]
    request = next(r for r in requests if r.url.endswith("2023/000002"))
    item = request.cb_kwargs["item"]
    assert item.title == "Ensuring a dignified reception of migrants in Europe" and item.text is None
    assert item.official_id == "ECI(2023)000002" and request.meta["ewsi_role"] == "detail"
    assert stats(spider)["ewsi/items/yielded"] == 3


def test_max_items_counts_records_before_their_detail_is_fetched() -> None:
    spider = make_spider(id="eci-register", kind="api", urls=[SEARCH_URL], api=ECI_API, max_items=1)
    _, requests = run(spider, json_response(SEARCH_URL, (DATA / "search_ALL_EN_0_1000.json").read_bytes()))
    assert len(requests) == 1 and stats(spider)["ewsi/items/truncated"] == 2


@pytest.mark.parametrize(
    ("api", "body", "text", "summary", "flags"),
    [
        # the register's answer: the English objectives as written, HTML and all (normalised later)
        (
            {},
            (DATA / "details_2023_000002.json").read_bytes(),
            "<p>We call on the Commission",
            "Garantir",
            [],
        ),
        # the original language's text when asked for it
        (
            {"detail": {**ECI_API["detail"], "text": "linguisticVersions[?original].objectives | [0]"}},
            (DATA / "details_2023_000002.json").read_bytes(),
            "<p>Nous demandons",
            "Garantir",
            [],
        ),
        # no objectives in the only version: title only, flagged
        ({}, (DATA / "details_2019_000007.json").read_bytes(), None, None, ["detail_parse.detail_empty"]),
        # an HTML error page answered 200, an empty body, a JSON string, a list: title only, flagged
        ({}, b"<html><body>Maintenance</body></html>", None, None, ["detail_parse.json_invalid"]),
        ({}, b"", None, None, ["detail_parse.json_invalid"]),
        ({}, b'"objectives"', None, None, ["detail_parse.detail_empty"]),
        ({}, b"[1, 2]", None, None, ["detail_parse.detail_empty"]),
        # whitespace only is no text
        (
            {},
            b'{"linguisticVersions": [{"languageCode": "EN", "objectives": "  \\n "}]}',
            None,
            None,
            ["detail_parse.detail_empty"],
        ),
        # a list of paragraphs is joined
        (
            {},
            b'{"linguisticVersions": [{"languageCode": "EN", "objectives": ["One.", "Two."]}]}',
            "One. Two.",
            None,
            [],
        ),
    ],
)
def test_detail_answer_gives_the_text_or_a_flag(
    api: dict[str, Any], body: bytes, text: str | None, summary: str | None, flags: list[str]
) -> None:
    spider = eci_spider(**api)
    item = spider.new_item("https://citizens-initiative.europa.eu/x", title="Listed title")
    detail_of(spider, item, body)
    assert (item.text or "").startswith(text or "") and (item.text is None) == (text is None)
    assert (item.summary or "").startswith(summary or "") and (item.summary is None) == (summary is None)
    assert item.flags == flags and item.title == "Listed title"
    assert item.extraction_method == ("api_detail" if text else None)


def test_detail_title_fills_an_untitled_record_only() -> None:
    spider = eci_spider(detail={"url": DETAIL, "text": OBJECTIVES_EN, "title": "linguisticVersions[0].title"})
    body = (DATA / "details_2023_000002.json").read_bytes()
    untitled = detail_of(spider, spider.new_item("https://x.eu/1", title=None), body)
    titled = detail_of(spider, spider.new_item("https://x.eu/2", title="From the list"), body)
    assert (
        untitled.title == "Pour un accueil digne des migrants en Europe" and titled.title == "From the list"
    )


@pytest.mark.parametrize("status", [404, 500, 403])
def test_failed_detail_keeps_the_item_with_its_list_title(status: int) -> None:
    spider = eci_spider()
    item = spider.new_item("https://citizens-initiative.europa.eu/x", title="Listed title")
    request = Request("https://register.eci.ec.europa.eu/d", cb_kwargs={"item": item})
    response = Response(request.url, status=status, request=request)
    failure = Failure(HttpError(response))
    failure.request = request  # type: ignore[attr-defined]
    assert list(spider.detail_failed(failure)) == [item]
    key = {404: "fetch.http_404", 500: "fetch.http_5xx", 403: "fetch.http_403"}[status]
    assert item.flags == [f"detail_{key}"] and item.text is None
    assert stats(spider)[f"ewsi/page_errors/{key}"] == 1


def test_record_without_the_template_fields_is_kept_without_detail() -> None:
    spider = eci_spider()
    body = json.dumps({"entries": [{"title": "No number", "year": "2024", "pubRegNum": "X"}]}).encode()
    spider.source = Source(**{**spider.source.model_dump(), "api": {**ECI_API, "link": "pubRegNum"}})
    items, requests = run(spider, json_response(SEARCH_URL, body))
    assert requests == [] and [i.title for i in items] == ["No number"]
    assert items[0].flags == ["detail_parse.detail_empty"]


def test_detail_text_is_made_plain_multi_line_text() -> None:
    spider = eci_spider()
    item = detail_of(
        spider,
        spider.new_item("https://citizens-initiative.europa.eu/x", title="t"),
        (DATA / "details_2023_000002.json").read_bytes(),
    )
    NormalizePipeline().process_item(item)
    assert item.text is not None
    lines = item.text.splitlines()
    assert lines[0].startswith("We call on the Commission") and lines[0].endswith("arriving in the Union:")
    assert "language courses and recognition of qualifications to support their integration;" in lines
    assert "<" not in item.text and "alert" not in item.text


@pytest.mark.parametrize(
    ("detail", "error"),
    [
        ({"url": DETAIL, "text": OBJECTIVES_EN}, None),
        ({"url": "https://x.eu/details/{a.b}?lang={lang}", "text": "t"}, None),
        ({"url": "https://x.eu/details/fixed", "text": "t"}, "at least one {field}"),
        ({"url": "ftp://x.eu/{id}", "text": "t"}, "absolute http"),
        ({"url": "/details/{id}", "text": "t"}, "absolute http"),
        ({"url": "https://x.eu/{id", "text": "t"}, "character 14: '{' is never closed"),
        ({"url": "https://x.eu/{a..b}", "text": "t"}, "'a..b' is not a valid JMESPath"),
        ({"url": DETAIL, "text": "a[?"}, "invalid JMESPath"),
        ({"url": DETAIL}, "Field required"),
        ({"url": DETAIL, "text": "t", "follow": True}, "Extra inputs"),
    ],
)
def test_detail_config_is_validated(detail: dict[str, Any], error: str | None) -> None:
    fields = {"id": "xx", "name": "x", "publisher": "x", "kind": "api", "urls": [SEARCH_URL]}
    api = {"items": "entries", "title": "title", "link": "l", "detail": detail}
    if error is None:
        assert Source(**fields, api=api).api.detail.url == detail["url"]  # type: ignore[union-attr]
        return
    with pytest.raises(ValidationError, match=error.replace("[", r"\[")):
        Source(**fields, api=api)


@pytest.mark.parametrize(
    ("record_language", "path", "declared", "title", "language", "method"),
    [
        ("EN", "languageCode", "EN", "A dignified reception of migrants in Europe", "en", "detected"),
        ("FR", "languageCode", "FR", "Accueil digne des migrants en Europe et inclusion", "fr", "detected"),
        ("de-AT", "languageCode", "de-AT", "2024–2025", "de", "declared_page"),
        ("FR", "languageCode", "FR", "2024–2025", "fr", "declared_page"),
        (None, "languageCode", None, "2024–2025", "und", "undetermined"),
        ("EN", None, None, "2024–2025", "und", "undetermined"),
        ("fr", "meta.lang", "fr", "2024–2025", "fr", "declared_page"),
    ],
)
def test_a_record_s_own_language_field_is_the_item_s_declared_language(
    record_language: str | None,
    path: str | None,
    declared: str | None,
    title: str,
    language: str,
    method: str,
) -> None:
    """`api.language` reads a record's language code as a page's `<html lang>` is read: a hint the
    text outweighs, decisive when the title has no words (case and region ignored)."""
    from pipelines.language import LanguagePipeline

    record: dict[str, Any] = {"title": title, "year": "2024", "number": "000001"}
    if record_language is not None:
        if path == "meta.lang":
            record["meta"] = {"lang": record_language}
        else:
            record["languageCode"] = record_language
    api = {k: v for k, v in ECI_API.items() if k != "detail"}
    if path is not None:
        api["language"] = path
    spider = make_spider(
        id="eci-register", kind="api", urls=[SEARCH_URL], languages=["en", "fr", "de"], api=api
    )
    (item,), _ = run(spider, json_response(SEARCH_URL, json.dumps({"entries": [record]}).encode()))
    assert item.declared_language == declared
    LanguagePipeline().process_item(item)
    assert (item.language, item.language_method) == (language, method)


def test_a_bad_language_path_is_refused_with_its_field() -> None:
    with pytest.raises(ValidationError, match=r"api\.language"):
        eci_spider(language="languageCode[")


@pytest.mark.parametrize(
    ("title", "follow", "detail", "kept"),
    [
        (None, False, False, False),  # nothing will give it a title: dropped, counted
        ("  ", False, False, False),
        (None, True, False, True),  # the followed page gives the title
        (None, False, True, True),  # the detail answer gives the title
        ("A title", False, False, True),
    ],
)
def test_an_untitled_record_is_dropped_and_counted_unless_a_title_will_come(
    title: str | None, follow: bool, detail: bool, kept: bool
) -> None:
    record: dict[str, Any] = {"year": "2024", "number": "000001"}
    if title is not None:
        record["title"] = title
    api = {k: v for k, v in ECI_API.items() if detail or k != "detail"}
    spider = make_spider(id="eci-register", kind="api", urls=[SEARCH_URL], api=api, follow=follow)
    items, requests = run(spider, json_response(SEARCH_URL, json.dumps({"entries": [record]}).encode()))
    assert bool(items or requests) is kept
    assert stats(spider).get("ewsi/dropped/no_title") == (None if kept else 1)
