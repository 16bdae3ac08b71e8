"""The API template's requests: method, encoded body and page parameters (`api.method`, `api.body`,
`api.body_format`, `api.pagination` of crawler.sources.ApiConfig).

- `page_request_parts(api, url, page)` -> `RequestParts` (url, method, body bytes or None, headers).
  Page parameters go in the URL query (replacing a parameter of the same name already there) or,
  with ``send_in: body``, into the body's fields. ``page=None`` means "no pagination".
- `next_page(api, page, records, answer, seen)` -> the next page number, or None when this page was
  the last: fewer records than the page size (an empty page included), `seen` records reached the
  answer's `total`, or `max_pages` pages fetched; `page_capped(...)` tells when the cap alone stopped
  a source that had more.

Body encodings (where the rule comes from: the Funding & Tenders search API, whose public clients
POST ``query``, ``languages`` and ``sort`` as multipart/form-data parts holding JSON documents):
``json`` is one JSON document of the body mapping (UTF-8, ``application/json``); ``form`` is
``application/x-www-form-urlencoded`` with mapping/list values as JSON text; ``multipart`` is
``multipart/form-data`` where a text or number is a plain part and a mapping or list is a part named
``blob`` of type ``application/json`` (what a browser's ``FormData`` sends for a JSON ``Blob``). The
multipart boundary is derived from the body itself, so the same config always gives the same bytes
(stable request fingerprints; a recorded archive replays).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote_plus, urlencode, urlsplit, urlunsplit

import jmespath
from urllib3 import encode_multipart_formdata

from crawler.sources import ApiConfig


@dataclass(frozen=True)
class RequestParts:
    """What one API request sends: absolute URL, method, body bytes (None for GET) and headers."""

    url: str
    method: str = "GET"
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _as_text(value: Any) -> str:
    if isinstance(value, dict | list):
        return _json(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def encode_body(fields: dict[str, Any], body_format: str) -> tuple[bytes, str]:
    """(body bytes, Content-Type) of `fields` in `body_format` (json, form or multipart; see above)."""
    if body_format == "json":
        return _json(fields).encode("utf-8"), "application/json"
    if body_format == "form":
        pairs = [(name, _as_text(value)) for name, value in fields.items()]
        return urlencode(pairs).encode("ascii"), "application/x-www-form-urlencoded"
    parts: list[tuple[str, Any]] = []
    for name, value in fields.items():
        if isinstance(value, dict | list):
            parts.append((name, ("blob", _json(value).encode("utf-8"), "application/json")))
        else:
            parts.append((name, _as_text(value)))
    boundary = "ewsi" + hashlib.sha256(_json(fields).encode("utf-8")).hexdigest()[:28]
    return encode_multipart_formdata(parts, boundary=boundary)


def with_parameters(url: str, params: dict[str, str]) -> str:
    """`url` with `params` set in its query: a parameter of the same name is replaced, every other
    one is kept exactly as written (``text=***`` stays unescaped, as the operator wrote it)."""
    parts = urlsplit(url)
    kept = [p for p in parts.query.split("&") if p and unquote_plus(p.split("=", 1)[0]) not in params]
    added = [f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in params.items()]
    return urlunsplit(parts._replace(query="&".join(kept + added)))


def page_request_parts(api: ApiConfig, url: str, page: int | None) -> RequestParts:
    """The request for `page` of the API at `url` (see the module docstring)."""
    paging = api.pagination
    params: dict[str, str] = {}
    if paging is not None and page is not None:
        params[paging.page_param] = str(page)
        if paging.size_param:
            params[paging.size_param] = str(paging.size)
    in_body = paging is not None and paging.send_in == "body"
    if params and not in_body:
        url = with_parameters(url, params)
    if api.method == "GET":
        return RequestParts(url=url)
    fields = dict(api.body or {})
    if in_body:
        fields.update(params)
    body, content_type = encode_body(fields, api.body_format)
    return RequestParts(url=url, method="POST", body=body, headers={"Content-Type": content_type})


def next_page(api: ApiConfig, page: int, records: int, answer: Any, seen: int) -> int | None:
    """The page after `page`, or None when `page` was the last (see the module docstring).

    `records` is how many records `page` held, `seen` how many all pages so far held, `answer` the
    decoded JSON of `page` (for the `total` expression; a total that is not a number is ignored).
    """
    paging = api.pagination
    if paging is None or records < paging.size or _total_reached(api, answer, seen):
        return None
    if page - paging.first + 1 >= paging.max_pages:
        return None
    return page + 1


def page_capped(api: ApiConfig, page: int, records: int, answer: Any, seen: int) -> bool:
    """True when `max_pages` alone stopped a source that had more: `page` was full, was the last the
    cap allows, and the answer's total (when known) was not reached."""
    paging = api.pagination
    if paging is None or records < paging.size or _total_reached(api, answer, seen):
        return False
    return page - paging.first + 1 >= paging.max_pages


def _total_reached(api: ApiConfig, answer: Any, seen: int) -> bool:
    """`seen` records reach the total the answer states (a total that is not a number: unknown)."""
    expression = api.pagination.total if api.pagination else None
    if not expression:
        return False
    try:
        total = jmespath.search(expression, answer)
    except (RecursionError, jmespath.exceptions.JMESPathError):
        return False
    return isinstance(total, int | float) and not isinstance(total, bool) and seen >= total
