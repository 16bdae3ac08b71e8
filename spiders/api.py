"""API template: JSON answers read with JMESPath expressions from the source's `api:` block.

Links come from `api.link` or from `api.link_template`, whose ``{field}`` names are record fields
(dotted paths allowed, e.g. ``{procedure.ref}``; filters such as ``{refCode|lower|replace(/,_)}``:
crawler.linktemplate). Dates are passed on as written; the normalise
stage reads them (day first, in the source's time zone).

Structured fields (`api.fields`: call id, programme, status, deadlines, budget, event times and
place) are copied as found into `HarvestedItem.structured_raw` for pipelines.funding and
pipelines.events; the call id doubles as the official id when `api.id` is not set, so a changed call
stays one item with versions. `fields.attachments` may give links or ``{url, title}`` objects.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import jmespath
from scrapy.http import Response

from crawler.linktemplate import fill, text_of
from crawler.types import Attachment
from spiders.base import SourceSpider

_text = text_of


MAX_INT_DIGITS = 4000
"""Integers longer than this are kept as text: Python refuses int() past 4,300 digits (T11)."""


def _parse_int(text: str) -> int | str:
    return int(text) if len(text.lstrip("-")) <= MAX_INT_DIGITS else text


def fill_template(template: str, record: dict[str, Any]) -> str | None:
    """Fill ``{field}`` (or ``{a.b}``, with ``|lower``-style filters: crawler.linktemplate) slots from
    a record; None when a field is missing or empty."""
    return fill(template, record)


class ApiSpider(SourceSpider):
    """Harvest a source of kind `api`: one item per record found by `api.items`."""

    name = "api"

    def parse(self, response: Response) -> Iterator[Any]:
        api = self.source.api
        assert api is not None  # guaranteed by Source validation
        try:
            data = json.loads(response.body, parse_int=_parse_int)
        except (ValueError, RecursionError) as exc:
            self.record_error("parse.json_invalid", f"{response.url}: {type(exc).__name__}: {str(exc)[:200]}")
            return
        try:
            records = jmespath.search(api.items, data)
        except (RecursionError, jmespath.exceptions.JMESPathError) as exc:
            self.record_error("parse.json_invalid", f"{response.url}: {exc}")
            return
        if not isinstance(records, list):
            self.record_error("parse.no_items", f"{response.url}: `{api.items}` is not a list")
            return
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
            published = _text(jmespath.search(api.published, record)) if api.published else None
            item = self.new_item(
                response.urljoin(link),
                title=_text(jmespath.search(api.title, record)),
                summary=_text(jmespath.search(api.summary, record)) if api.summary else None,
                official_id=_text(jmespath.search(api.id, record)) if api.id else None,
                published_raw=published,
                date_method="api" if published else None,
                record=record,
            )
            if api.fields is not None:
                self.structure(item, record)
            yield from self.emit(item)

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
            if isinstance(url, str) and url.strip():
                item.attachments.append(Attachment(url=urljoin(item.url, url.strip()), title=_text(title)))
        item.structured_raw = raw
        if not item.official_id and raw.get("call_id"):
            item.official_id = _text(
                raw["call_id"][0] if isinstance(raw["call_id"], list) else raw["call_id"]
            )
