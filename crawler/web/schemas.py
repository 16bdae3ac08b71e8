"""Response models of the portal read API: the OpenAPI contract of ``/api/v1`` and its errors.

Rules: the models describe what `crawler.web.public.public_record` returns (links http(s) or null,
strings cleaned, theme ids); `ERROR_RESPONSES` lists the error answers every portal and feed route
may give, each an `ApiError`; JSON goes out as `PortalJSONResponse`, UTF-8 with an explicit charset
(RELIABILITY.md T42).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field


class Attachment(BaseModel):
    """A linked document (http(s) only)."""

    url: str
    title: str | None = None
    media_type: str | None = None


class Version(BaseModel):
    """A published language version of an item (the item itself included)."""

    id: int
    language: str | None = None
    title: str | None = None
    url: str | None = None
    api_url: str


class PortalItem(BaseModel):
    """A published item, or in the sync a tombstone (``published`` false, only id and modified_at set)."""

    id: int
    published: bool
    modified_at: datetime | None = None
    url: str | None = Field(None, description="canonical link to the source page (http/https only)")
    source_url: str | None = None
    api_url: str | None = None
    title: str | None = None
    summary: str | None = None
    language: str | None = Field(None, description="ISO 639-1 code as detected")
    country: str | None = Field(None, description="country code (EU for EU-level items)")
    content_type: str | None = None
    themes: list[str] = Field(default_factory=list, description="theme ids, see /api/v1/themes")
    source_id: str | None = None
    source_name: str | None = None
    official_id: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    updated_at: datetime | None = None
    deadline: datetime | None = None
    approved_at: datetime | None = None
    attachments: list[Attachment] = Field(default_factory=list)


class Contributor(BaseModel):
    """A credited contributor: name and organisation."""

    name: str | None = None
    organisation: str | None = None


class ItemDetail(PortalItem):
    """A published item with its language versions."""

    versions: list[Version] = Field(default_factory=list)
    contributors: list[Contributor] = Field(default_factory=list)
    """Contributors who submitted it and consented to be credited (never an email address)."""


class ItemPage(BaseModel):
    """One page of items; pass `next_cursor` as ``cursor`` for the next page (null: last page)."""

    items: list[PortalItem]
    next_cursor: str | None = None


class ThemeOut(BaseModel):
    """One of the six themes with its labels (ISO 639-1 -> label, 24 EU languages)."""

    id: str
    name: str
    labels: dict[str, str]


class SourceOut(BaseModel):
    """Public metadata of a source."""

    id: str
    name: str | None = None
    publisher: str | None = None
    country: str | None = None
    content_type: str | None = None
    kind: str | None = None
    languages: list[str] = Field(default_factory=list)
    published_items: int = 0


class ApiError(BaseModel):
    """An error answer (401, 404, 429, 400 and 422 carry one of these fields or more)."""

    error: str | None = None
    message: str | None = None
    detail: Any = None


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ApiError, "description": "Malformed cursor or date"},
    401: {"model": ApiError, "description": "Unknown or revoked API token"},
    422: {
        "model": ApiError,
        "description": "Malformed parameter (detail: loc, msg, type of each error) or a control "
        "character in a filter (message)",
    },
    429: {"model": ApiError, "description": "Rate limit reached (see Retry-After)"},
}


class PortalJSONResponse(JSONResponse):
    """JSON as UTF-8 with an explicit charset (T42)."""

    media_type = "application/json; charset=utf-8"
