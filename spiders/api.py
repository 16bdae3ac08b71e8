"""API template: JSON answers read with JMESPath expressions from the source's `api:` block.

Links come from `api.link` or from `api.link_template`, whose ``{field}`` names are record fields
(dotted paths allowed, e.g. ``{procedure.ref}``; filters such as ``{refCode|lower|replace(/,_)}``:
crawler.linktemplate). Dates are passed on as written; the normalise
stage reads them (day first, in the source's time zone). Answers are decoded by `crawler.jsontext`
(UTF-8, a byte order mark, or the charset the Content-Type names for bytes that are not UTF-8).

Structured fields (`api.fields`: call id, programme, status, deadlines, budget, event times and
place) are copied as found into `HarvestedItem.structured_raw` for pipelines.funding and
pipelines.events; the call id doubles as the official id when `api.id` is not set, so a changed call
stays one item with versions. `fields.attachments` may give links or ``{url, title, role}`` objects
(a role the source does not give is read from the title and link: pipelines.calldocs).

Title-only lists (`api.detail`, crawler.sources.ApiDetail): each accepted record's detail answer is
fetched (``meta["ewsi_role"] = "detail"``: the same download stack as every request, no conditional
GET) and its text, as written, becomes `HarvestedItem.text` (pipelines.normalize makes it plain
text); its title and summary fill the item's when the list gave none. A record whose detail link
cannot be built, whose fetch fails or whose answer is not JSON or holds no text at `detail.text` is
still emitted with what the list gave, flagged ``detail_<error key>`` and counted
``ewsi/page_errors/<error key>`` (a warning in the log; the run does not fail).

Rule for a walk (spiders.base, "walks"): with `api.pagination`, every page may lead to the next, so a
page answering unchanged (the same body) is read all the same: its records are not emitted again
(nor their details asked for; they count against `max_items` as when they were stored) and the next
page is asked for as `apiquery.next_page` says. Records added on page 3 behind an unchanged page 1
are found; an unchanged last page ends the walk with one 304.

Rule for numbers JSON has no place for (`JSON_NUMBERS`): RFC 8259 section 6 permits no NaN or
Infinity, but Python's json reads ``NaN``, ``Infinity`` and ``-Infinity``, and a number too large
for a double (``1e400``) as infinity; their text ``nan``/``inf`` then became a record's title, its
id, and its link (``/project/nan``, one item for every such record), and PostgreSQL's JSON refuses
them (encode/django-rest-framework#5235, datagouv/hydra#72). A NaN or Infinity is read as null, no
value (a record whose link or title rests on one is dropped as without it); a finite number too
large for a double is kept as written, as text, like an integer of more than `MAX_INT_DIGITS`.

Rule for a page that repeats an earlier one (`page_digest`): an API that ignores the page parameter,
or answers every page past the last with the last one again, sends the same records whatever page is
asked for, and a walk that stops only at a short page asks for the same full page until `max_pages`
(significa/storyblok-assets-cleanup#12, Fedict/dcattools#242). A page whose records (as JSON, keys
sorted) are those of an earlier page of the same start URL is a repeat: its records are not emitted
again nor counted towards a total, and it is counted ``ewsi/api/page_repeated`` (a warning in the
log). One repeat is passed over and the walk goes on: an API that numbers its pages from 1 answers a
page 0 with page 1, so `first: 0` gives page 1 twice before the rest. `REPEATS_TO_STOP` repeats in a
row end the walk, and the page cap is not reported. A page without records never counts as a repeat.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin

import jmespath
from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.errors import RecordsError, error_key_for
from crawler.jsontext import JsonTooDeep, load_json, mixed_encoding_count
from crawler.linktemplate import fill, text_of
from crawler.types import Attachment, HarvestedItem
from spiders.apiquery import next_page, page_capped, page_request_parts
from spiders.base import SourceSpider

logger = logging.getLogger(__name__)

_text = text_of


MAX_INT_DIGITS = 4000
"""Integers longer than this are kept as text: Python refuses int() past 4,300 digits (T11)."""


def _parse_int(text: str) -> int | str:
    return int(text) if len(text.lstrip("-")) <= MAX_INT_DIGITS else text


def _parse_float(text: str) -> float | str:
    value = float(text)
    return value if math.isfinite(value) else text


def _no_number(_: str) -> None:
    return None


JSON_NUMBERS: dict[str, Any] = {
    "parse_int": _parse_int,
    "parse_float": _parse_float,
    "parse_constant": _no_number,
}
"""How an API answer's numbers are read (module docstring, "numbers JSON has no place for")."""


def read_records(body: bytes, content_type: str, items: str) -> tuple[Any, list[Any]]:
    """(the parsed answer, its records): the JSON of `body` (crawler.jsontext, integers of more than
    `MAX_INT_DIGITS` digits kept as text, NaN and Infinity read as null: `JSON_NUMBERS`) and the
    list the JMESPath `items` selects in it, as a crawl and ``ewsi sources check`` read an API
    answer alike. Raises `RecordsError`:
    ``parse.json_too_deep`` for JSON nested deeper than crawler.jsontext `MAX_DEPTH`,
    ``parse.json_invalid`` for text that is not JSON or an expression that fails on it,
    ``parse.no_items`` when `items` selects no list."""
    try:
        data = load_json(body, content_type, **JSON_NUMBERS)
    except JsonTooDeep as exc:
        raise RecordsError("parse.json_too_deep", str(exc)) from None
    except (ValueError, RecursionError) as exc:
        raise RecordsError("parse.json_invalid", f"{type(exc).__name__}: {str(exc)[:200]}") from None
    try:
        records = jmespath.search(items, data)
    except (RecursionError, jmespath.exceptions.JMESPathError) as exc:
        raise RecordsError("parse.json_invalid", str(exc)[:200]) from None
    if not isinstance(records, list):
        raise RecordsError("parse.no_items", f"`{items}` is not a list")
    return data, records


REPEATS_TO_STOP = 2
"""Pages in a row that repeat earlier ones and end a walk: one is an off-by-one first page (module
docstring), two an API that ignores the page parameter, answers past its end with its last page, or
starts over (each such walk asks for one page more than it would stop at on the first repeat)."""


def page_digest(records: list[Any]) -> str | None:
    """SHA-256 of a page's records as canonical JSON (keys sorted), what `ApiSpider` compares to find
    a page repeated (module docstring); None for a page without records."""
    if not records:
        return None
    text = json.dumps(records, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _content_type(response: Response) -> str:
    """The answer's Content-Type header as text ("" when it has none)."""
    return (response.headers.get(b"Content-Type") or b"").decode("latin-1")


def fill_template(template: str, record: dict[str, Any]) -> str | None:
    """Fill ``{field}`` (or ``{a.b}``, with ``|lower``-style filters: crawler.linktemplate) slots from
    a record; None when a field is missing or empty."""
    return fill(template, record)


class ApiSpider(SourceSpider):
    """Harvest a source of kind `api`: one item per record found by `api.items`.

    Each start URL is asked with `api.method` and `api.body` (spiders.apiquery); with
    `api.pagination` its pages follow one after the other until `apiquery.next_page` says the last
    one came (stats ``ewsi/api/pages``; ``ewsi/api/page_cap`` when `max_pages` stopped a source that
    had more).
    """

    name = "api"

    async def start(self) -> AsyncIterator[Request]:
        api = self.source.api
        assert api is not None  # guaranteed by Source validation
        first = api.pagination.first if api.pagination is not None else None
        for url in self.source.urls:
            yield self.page_request(url, first, seen=0)

    def page_request(
        self, url: str, page: int | None, *, seen: int, digests: tuple[str, ...] = (), repeats: int = 0
    ) -> Request:
        """The request of `page` (None: unpaged) of the start URL `url`; `seen` records so far,
        `digests` the `page_digest` of each page before it, `repeats` the pages right before it that
        repeated earlier ones."""
        assert self.source.api is not None
        parts = page_request_parts(self.source.api, url, page)
        meta = {
            "ewsi_api": {
                "start": url,
                "page": page,
                "seen": seen,
                "digests": list(digests),
                "repeats": repeats,
            }
        }
        return self.source_request(
            parts.url,
            callback=self.parse,
            walk=page is not None,
            method=parts.method,
            body=parts.body,
            headers=parts.headers,
            meta=meta,
        )

    def parse(self, response: Response) -> Iterator[Any]:
        api = self.source.api
        assert api is not None  # guaranteed by Source validation
        self.stat("ewsi/api/pages")
        try:
            data, records = read_records(response.body, _content_type(response), api.items)
        except RecordsError as exc:
            self.record_error(exc.key, f"{response.url}: {exc}")
            return
        self.count_mixed_encoding(response)
        repeated = self.repeated_page(response, records)
        if repeated is not None:
            if repeated < REPEATS_TO_STOP:
                for following in self.follow_pages(response, data, records, repeated=repeated):
                    self.led_on(response)
                    yield following
            return
        for following in self.follow_pages(response, data, records):
            self.led_on(response)
            yield following
        for record in records:
            if not isinstance(record, dict):
                self.stat("ewsi/dropped/bad_record")
                continue
            link = _text(jmespath.search(api.link, record)) if api.link else None
            if not link and api.link_template:
                link = fill_template(api.link_template, record)
            if not link:
                self.stat("ewsi/dropped/no_link")
                continue
            title = _text(jmespath.search(api.title, record))
            if not (title and title.strip()) and api.detail is None and not self.source.follow:
                # nothing later gives it one (no detail answer, no page followed): an untitled row
                # is no use to an editor; counted, so the summary shows it
                self.stat("ewsi/dropped/no_title")
                continue
            published = _text(jmespath.search(api.published, record)) if api.published else None
            item = self.new_item(
                response.urljoin(link),
                title=title,
                summary=_text(jmespath.search(api.summary, record)) if api.summary else None,
                declared_language=_text(jmespath.search(api.language, record)) if api.language else None,
                official_id=_text(jmespath.search(api.id, record)) if api.id else None,
                published_raw=published,
                date_method="api" if published else None,
                record=record,
            )
            if api.fields is not None:
                self.structure(item, record)
            if not self.due_again(item, response):
                continue
            if api.detail is None:
                yield from self.emit(item)
            elif self.accept(item):
                yield from self.detail_request(item, record)

    # -- record details (module docstring) -------------------------------------------------------
    def detail_request(self, item: HarvestedItem, record: dict[str, Any]) -> Iterator[Any]:
        """A request for the record's detail answer, or the item itself when no link can be built."""
        api = self.source.api
        assert api is not None and api.detail is not None
        url = fill_template(api.detail.url, record)
        if not url:
            self.detail_missing(
                item, "parse.detail_empty", f"{item.url}: no detail link from {api.detail.url}"
            )
            yield from self.deliver(item)
            return
        request = Request(
            url,
            callback=self.parse_detail,
            errback=self.detail_failed,
            cb_kwargs={"item": item},
            meta={"ewsi_role": "detail"},
            dont_filter=True,
        )
        if self.too_long(request.url):  # Scrapy would discard it silently: kept with its list fields
            self.detail_missing(
                item, "fetch.url_too_long", f"{request.url[:200]}...: {len(request.url)} characters"
            )
            yield from self.deliver(item)
            return
        yield request

    def count_mixed_encoding(self, response: Response) -> None:
        """Count the bytes of a UTF-8 answer read as Windows-1252 (crawler.jsontext, the source's
        ``parse.mixed_encoding`` warning)."""
        repaired = mixed_encoding_count(response.body, _content_type(response))
        if repaired:
            self.stat("ewsi/parse/mixed_encoding", repaired)

    def parse_detail(self, response: Response, item: HarvestedItem) -> Iterator[Any]:
        """Copy the detail answer's text (and title or summary where the list gave none) to the item."""
        detail = self.source.api.detail  # type: ignore[union-attr]
        assert detail is not None
        try:
            data = load_json(response.body, _content_type(response), **JSON_NUMBERS)
            text = _text(jmespath.search(detail.text, data))
            title = _text(jmespath.search(detail.title, data)) if detail.title else None
            summary = _text(jmespath.search(detail.summary, data)) if detail.summary else None
        except (ValueError, RecursionError, jmespath.exceptions.JMESPathError) as exc:
            key = "parse.json_too_deep" if isinstance(exc, JsonTooDeep) else "parse.json_invalid"
            detail = str(exc) if isinstance(exc, JsonTooDeep) else type(exc).__name__
            self.detail_missing(item, key, f"{response.url}: {detail}")
            yield from self.deliver(item)
            return
        self.count_mixed_encoding(response)
        if not (text and text.strip()):
            self.detail_missing(item, "parse.detail_empty", f"{response.url}: nothing at `{detail.text}`")
        else:
            item.text = text
            item.extraction_method = "api_detail"
            self.stat("ewsi/api/detail_text")
        if title and not item.title:
            item.title = title
        if summary and not item.summary:
            item.summary = summary
        yield from self.deliver(item)

    def detail_failed(self, failure: Failure) -> Iterator[Any]:
        """The detail fetch failed: the item goes on with what the list gave, flagged."""
        request = failure.request  # type: ignore[attr-defined]
        item: HarvestedItem = request.cb_kwargs["item"]
        key = error_key_for(failure.value)
        self.detail_missing(item, key, f"{request.url}: {failure.getErrorMessage()}")
        yield from self.deliver(item)

    def detail_missing(self, item: HarvestedItem, key: str, message: str) -> None:
        """Flag `item` ``detail_<key>``, count the page error and log a warning."""
        self.record_error(key, message, page=True)
        logger.warning(
            "[%s] record detail missing (%s), kept with its list title: %s", self.source.id, key, message
        )
        item.flags.append(f"detail_{key}")

    def repeated_page(self, response: Response, records: list[Any]) -> int | None:
        """How many pages in a row, this one included, repeat earlier pages of its walk (module
        docstring, "a page that repeats an earlier one"), or None when this one does not: counted and
        logged; the caller emits none of its records and ends the walk at `REPEATS_TO_STOP`."""
        state = response.meta.get("ewsi_api")
        digest = page_digest(records)
        if not state or state.get("page") is None or digest is None:
            return None
        if digest not in state.get("digests", ()):
            return None
        repeats = int(state.get("repeats") or 0) + 1
        self.stat("ewsi/api/page_repeated")
        if repeats >= REPEATS_TO_STOP:
            logger.warning(
                "[%s] page %s of %s repeats an earlier page, as the page before it did: the API "
                "ignores the page parameter or starts over; the walk ends here",
                self.source.id,
                state["page"],
                state["start"],
            )
        else:
            logger.warning(
                "[%s] page %s of %s repeats an earlier page (an API counting from 1 answers page 0 "
                "with page 1; check api.pagination.first): its records are skipped, the walk goes on",
                self.source.id,
                state["page"],
                state["start"],
            )
        return repeats

    def follow_pages(
        self, response: Response, data: Any, page_records: list[Any], repeated: int = 0
    ) -> Iterator[Request]:
        """The request of the next page, if `apiquery.next_page` finds one after this answer; a page
        `repeated` (pages in a row repeating earlier ones) adds no records to those seen."""
        api = self.source.api
        state = response.meta.get("ewsi_api")
        if api is None or api.pagination is None or not state or state.get("page") is None:
            return
        records = len(page_records)
        seen = state["seen"] + (0 if repeated else records)
        following = next_page(api, state["page"], records, data, seen)
        if following is not None:
            digest = page_digest(page_records)
            digests = (*state.get("digests", ()), *([digest] if digest and not repeated else []))
            yield self.page_request(state["start"], following, seen=seen, digests=digests, repeats=repeated)
        elif page_capped(api, state["page"], records, data, seen):
            self.stat("ewsi/api/page_cap")

    def structure(self, item: Any, record: dict[str, Any]) -> None:
        """Copy the mapped structured values of `record` into the item (see the module docstring)."""
        api = self.source.api
        assert api is not None and api.fields is not None
        raw: dict[str, Any] = {}
        for name, expression in api.fields.model_dump(exclude_none=True).items():
            try:
                value = jmespath.search(expression, record)
            except (RecursionError, jmespath.exceptions.JMESPathError):
                self.stat("ewsi/api/field_errors")
                continue
            if value not in (None, "", []):
                raw[name] = value
        links = raw.pop("attachments", None)
        for link in links if isinstance(links, list) else [links] if links else []:
            url = link.get("url") if isinstance(link, dict) else link
            title = link.get("title") if isinstance(link, dict) else None
            role = link.get("role") if isinstance(link, dict) else None
            if isinstance(url, str) and url.strip():
                item.attachments.append(
                    Attachment(url=urljoin(item.url, url.strip()), title=_text(title), role=_text(role))
                )
        item.structured_raw = raw
        if not item.official_id and raw.get("call_id"):
            item.official_id = _text(
                raw["call_id"][0] if isinstance(raw["call_id"], list) else raw["call_id"]
            )
