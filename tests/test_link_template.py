"""API link templates with filters (crawler.linktemplate) and the press corner's search API entry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from crawler.linktemplate import fill, parse
from crawler.sources import load_sources
from crawler.types import HarvestedItem
from spiders.api import ApiSpider

ROOT = Path(__file__).resolve().parents[1]
PRESS = "https://ec.europa.eu/commission/presscorner/detail/en/{refCode|lower|replace(/,_)}"


@pytest.mark.parametrize(
    ("template", "record", "expected"),
    [
        (PRESS, {"refCode": "IP/26/301"}, "https://ec.europa.eu/commission/presscorner/detail/en/ip_26_301"),
        (
            PRESS,
            {"refCode": "SPEECH/26/1765"},
            "https://ec.europa.eu/commission/presscorner/detail/en/speech_26_1765",
        ),
        (PRESS, {"refCode": ""}, None),  # empty: dropped
        (PRESS, {}, None),  # missing: dropped
        ("https://x.eu/{a}/{b.c}", {"a": 1, "b": {"c": "z"}}, "https://x.eu/1/z"),  # no filter, as before
        ("https://x.eu/{code|upper}", {"code": "amif-2025"}, "https://x.eu/AMIF-2025"),
        ("https://x.eu/s?q={t|quote}", {"t": "a b/c&d"}, "https://x.eu/s?q=a%20b%2Fc%26d"),
        ("https://x.eu/{t|replace(-,)|lower}", {"t": "AB-12-C"}, "https://x.eu/ab12c"),  # NEW may be empty
        ("https://x.eu/{ids[0]|lower}", {"ids": ["X1", "X2"]}, "https://x.eu/x1"),
        ("https://x.eu/{ids|lower}", {"ids": ["X1", "X2"]}, "https://x.eu/x1 x2"),  # lists joined
        ("https://x.eu/{a || b|lower}", {"b": "Q"}, "https://x.eu/q"),  # JMESPath `||` is not a filter
        ("https://x.eu/{flag}", {"flag": True}, None),  # booleans have no text
    ],
)
def test_fill(template: str, record: dict[str, Any], expected: str | None) -> None:
    assert fill(template, record) == expected


@pytest.mark.parametrize(
    "template",
    [
        "https://x.eu/static",  # no slot
        "https://x.eu/{a[}",  # invalid JMESPath
        "https://x.eu/{a|replace(/}",  # not a filter, and no JMESPath either
        "https://x.eu/{id|nosuchfilter}",  # a typo of a filter, not a JMESPath pipe into a field
        "https://x.eu/{id|lower|trim}",  # unknown after a known one
        "https://x.eu/{id|Lower}",  # filter names are lower case
        "https://x.eu/{id|replace(a)}",  # replace needs OLD,NEW
        "https://x.eu/{id | upper_case }",  # spaces around an unknown name
    ],
)
def test_invalid_templates_are_refused_by_the_config(template: str) -> None:
    with pytest.raises(ValueError):
        parse(template)
    entry = (
        "sources:\n- {id: api-x, name: X, publisher: P, country: EU, languages: [en], content_type: news,\n"
        '   kind: api, urls: ["https://x.eu/api"], schedule: "0 6 * * *",\n'
        f"   api: {{items: records, title: t, link_template: {json.dumps(template)}}}}}\n"
    )
    from crawler.errors import ConfigError

    with pytest.raises(ConfigError, match="link_template"):
        load_sources("sources.yaml", text=entry)


MALFORMED = [
    # (template, 1-based character of the fault, what is wrong, what is expected)
    ("https://x.eu/{id||lower}", 18, "empty filter name", "lower, upper, replace(OLD,NEW) or quote"),
    ("https://x.eu/{id|}", 18, "empty filter name", "lower, upper, replace(OLD,NEW) or quote"),
    ("https://x.eu/{id|lower|}", 24, "empty filter name", "lower, upper, replace(OLD,NEW) or quote"),
    ("https://x.eu/{id|nosuch}", 18, "unknown filter 'nosuch'", "lower, upper, replace(OLD,NEW) or quote"),
    ("https://x.eu/{id|replace(a)}", 18, "unknown filter 'replace(a)'", "replace(OLD,NEW)"),
    ("https://x.eu/{a|replace(/}", 17, "unknown filter 'replace(/'", "replace(OLD,NEW)"),
    ("https://x.eu/{id", 14, "'{' is never closed", "'}' closing the slot"),
    ("https://x.eu/{a{b}}", 14, "not closed before the next '{'", "'}' closing the slot"),
    ("https://x.eu/id}", 16, "'}' without an opening '{'", "a slot written {field}"),
    ("https://x.eu/{}", 15, "empty slot", "a field or JMESPath expression"),
    ("https://x.eu/{  }", 17, "empty slot", "a field or JMESPath expression"),
    ("https://x.eu/{|lower}", 15, "empty slot", "a field or JMESPath expression"),
    ("https://x.eu/{a[}", 15, "not a valid JMESPath", "a field or JMESPath expression"),
    ("https://x.eu/static", 20, "no slot", "at least one {field}"),
]


@pytest.mark.parametrize(("template", "position", "problem", "expected"), MALFORMED)
def test_a_malformed_template_names_itself_the_place_and_what_is_expected(
    template: str, position: int, problem: str, expected: str
) -> None:
    with pytest.raises(ValueError) as info:
        parse(template)
    message = str(info.value)
    assert message.startswith(f"link template {template!r}, character {position}: ")
    found, _, wanted = message.partition("; expected ")
    assert problem in found and expected in wanted
    entry = {"id": "api-x", "name": "X", "publisher": "P", "kind": "api", "urls": ["https://x.eu/api"]}
    entry["api"] = {"items": "records", "title": "t", "link_template": template}  # type: ignore[assignment]
    from crawler.errors import ConfigError

    with pytest.raises(ConfigError) as config_info:
        load_sources("sources.yaml", text=json.dumps({"sources": [entry]}))
    shown = str(config_info.value)
    assert f"{template!r}, character {position}: " in shown and problem in shown


def test_presscorner_search_api_entry_on_the_recorded_answer() -> None:
    """The shipped ec-presscorner-api entry on a built answer of the search API's shape: the
    integration-relevant records only, linked to their detail pages, with date, lead and ref."""
    source = next(
        s for s in load_sources(ROOT / "config" / "sources.yaml").sources if s.id == "ec-presscorner-api"
    )
    crawler = get_crawler(ApiSpider)
    spider = ApiSpider.from_crawler(crawler, source=source)
    crawler.stats.open_spider()
    body = (ROOT / "tests" / "data" / "presscorner" / "search.json").read_bytes()
    response = TextResponse(source.urls[0], body=body, headers={"Content-Type": "application/json"})
    response.request = Request(response.url)
    items = [o for o in spider.parse(response) if isinstance(o, HarvestedItem)]
    base = "https://ec.europa.eu/commission/presscorner/detail/en/"
    assert [(i.url, i.official_id, i.published_raw) for i in items] == [
        (base + "ip_26_2101", "IP/26/2101", "2026-12-02"),
        (base + "statement_26_2099", "STATEMENT/26/2099", "2026-12-01"),
        (base + "qanda_26_2090", "QANDA/26/2090", "2026-11-30"),  # relevant by its lead text
        (base + "speech_26_2075", "SPEECH/26/2075", "2026-11-27"),
    ]
    assert items[0].title == "Commission proposes an Action Plan on Integration and Inclusion for 2027-2030"
    assert items[0].summary and items[0].summary.startswith("The plan supports Member States")
    assert crawler.stats.get_value("ewsi/dropped/no_link") == 1  # the relevant record without refCode
    assert source.follow is False and "not fetched live" in (source.verified or "")


ABSOLUTE = [
    # (template, record, valid?, the link filled from the record or None)
    ("http://127.0.0.1:8765{path}", {"path": "/api/a1"}, True, "http://127.0.0.1:8765/api/a1"),
    ("https://www.bamf.de:8443{path}", {"path": "/api/a1"}, True, "https://www.bamf.de:8443/api/a1"),
    ("https://www.bamf.de{path}", {"path": "/api/a1"}, True, "https://www.bamf.de/api/a1"),
    ("https://[2001:db8::1]:8443{path}", {"path": "/n/7"}, True, "https://[2001:db8::1]:8443/n/7"),
    ("https://[2001:db8::1]{path}", {"path": "/n/7"}, True, "https://[2001:db8::1]/n/7"),
    ("https://x.eu:8080/item?id={id}", {"id": 42}, True, "https://x.eu:8080/item?id=42"),
    ("https://x.eu/page#{anchor}", {"anchor": "p3"}, True, "https://x.eu/page#p3"),
    ("https://{site}.example.org/n/{id}", {"site": "de", "id": "9"}, True, "https://de.example.org/n/9"),
    ("https://x.eu:{port}/n", {"port": 8081}, True, "https://x.eu:8081/n"),
    ("https://user:pw@x.eu/{id}", {"id": "1"}, False, None),  # user information
    ("https://user@x.eu:8443{path}", {"path": "/a"}, False, None),
    ("ftp://x.eu/{id}", {"id": "1"}, False, None),  # not a web scheme
    ("x.eu/{id}", {"id": "1"}, False, None),  # no scheme
    ("https://x.eu:99999{path}", {"path": "/a"}, False, None),  # port out of range
    ("https:///{id}", {"id": "1"}, False, None),  # no host
]


@pytest.mark.parametrize(("template", "record", "valid", "link"), ABSOLUTE)
def test_a_template_is_valid_when_a_sample_fill_gives_an_absolute_url(
    template: str, record: dict[str, Any], valid: bool, link: str | None
) -> None:
    """Rule (crawler.linktemplate `check_absolute`): valid when a sample in its slots gives an
    absolute http(s) URL without user information; the config loader keeps or refuses it alike."""
    from crawler.errors import ConfigError
    from crawler.linktemplate import check_absolute

    entry = {"id": "api-x", "name": "X", "publisher": "P", "kind": "api", "urls": ["https://x.eu/api"]}
    entry["api"] = {"items": "records", "title": "t", "link_template": template}  # type: ignore[assignment]
    text = json.dumps({"sources": [entry]})
    if valid:
        assert check_absolute(template) == template
        api = load_sources("sources.yaml", text=text).sources[0].api
        assert api is not None and api.link_template == template
        assert fill(template, record) == link
    else:
        with pytest.raises(ValueError, match="does not give an absolute"):
            check_absolute(template)
        with pytest.raises(ConfigError, match="link_template"):
            load_sources("sources.yaml", text=text)
