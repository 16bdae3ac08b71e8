"""Response models of the portal read API: the OpenAPI contract of ``/api/v1`` and its errors.

Rules: the models describe what `crawler.web.public.public_record` returns (links http(s) or null,
strings cleaned, theme ids); `ERROR_RESPONSES` lists the error answers every portal and feed route
may give, each an `ApiError`; JSON goes out as `PortalJSONResponse`, UTF-8 with an explicit charset
(RELIABILITY.md T42).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field


class Attachment(BaseModel):
    """A linked document (http(s) only)."""

    url: str
    title: str | None = None
    media_type: str | None = None
    role: str | None = Field(
        default=None, description="a funding call's document: call document, guide, template, annex, ..."
    )


class AttachmentDetail(Attachment):
    """An attachment in the item detail: for a PDF fetched with the item's page, what was read of it
    (its own title, language, pages, text length, SHA-256: one document per digest); null otherwise."""

    document_title: str | None = None
    language: str | None = None
    page_count: int | None = None
    text_chars: int | None = None
    sha256: str | None = None


class Version(BaseModel):
    """A published language version of an item (the item itself included)."""

    id: int
    language: str | None = None
    title: str | None = None
    url: str | None = None
    api_url: str


class OtherSource(BaseModel):
    """Another source that published the same record (a near-duplicate of the item)."""

    source_id: str | None = None
    url: str | None = None


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
    published_precision: Literal["year", "month", "day", "time"] | None = Field(
        None,
        description="day: the source gave the day without a time of day (published_at is that day at"
        " 00:00 UTC; show the day alone); month, year: the source gave the month or the year alone"
        " (published_at is its first day at 00:00 UTC; show the month or the year alone); time:"
        " published_at is the instant; null when undated",
    )
    published_basis: Literal["source", "estimated", "fetched"] | None = Field(
        None,
        description='source: a date the source wrote; estimated: a span the page wrote ("2 days'
        ' ago") counted back from the fetch; fetched: the fetch time, standing in for a date that'
        " lay in the future (show no publication date); null when undated",
    )
    updated_at: datetime | None = None
    deadline: datetime | None = None
    approved_at: datetime | None = None
    attachments: list[Attachment] = Field(default_factory=list)


class Budget(BaseModel):
    """A call's budget as published."""

    amount: float | None = None
    currency: str | None = Field(None, description="ISO 4217 code")


class Place(BaseModel):
    """Where an event takes place."""

    venue: str | None = None
    city: str | None = None
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 code")
    online: bool = False


class FundingCall(PortalItem):
    """A published funding call with its structured fields; `call_status` holds at request time."""

    call_id: str | None = Field(None, description="Funding & Tenders topic or call identifier")
    programme: str | None = Field(None, description="AMIF, ESF+, CERV, Erasmus+, or a national fund")
    call_status: str | None = Field(None, description="forthcoming, open or closed (after the last deadline)")
    opens_at: datetime | None = None
    deadlines: list[datetime] = Field(default_factory=list, description="every cut-off, ascending")
    next_deadline: datetime | None = None
    final_deadline: datetime | None = None
    days_left: int | None = Field(None, description="whole days to the next deadline")
    budget: Budget | None = None
    eligible_countries: list[str] = Field(default_factory=list)


class EventOut(PortalItem):
    """A published event with its structured fields (end exclusive; all-day events span whole days)."""

    event_start: datetime | None = None
    event_end: datetime | None = None
    all_day: bool = False
    start_date: date | None = Field(None, description="an all-day event's first day, as published")
    end_date: date | None = Field(None, description="an all-day event's last day (inclusive), as published")
    timezone: str | None = Field(None, description="zone the times were published in")
    place: Place | None = None
    organiser: str | None = None
    registration_url: str | None = None
    registration_deadline: datetime | None = None


class FundingPage(BaseModel):
    """Funding calls, soonest last deadline first."""

    items: list[FundingCall]


class EventPage(BaseModel):
    """Events, soonest start first."""

    items: list[EventOut]


class EvidenceOut(BaseModel):
    """One term behind the relevance score; a negative weight pushed the score down."""

    term: str | None = None
    weight: float | None = None
    language: str | None = None
    count: int | None = None


class Contributor(BaseModel):
    """A credited contributor: name and organisation."""

    name: str | None = None
    organisation: str | None = None


class ItemDetail(PortalItem):
    """A published item with its language versions and the other sources of the same record."""

    versions: list[Version] = Field(default_factory=list)
    attachments: list[AttachmentDetail] = Field(default_factory=list)  # type: ignore[assignment]
    also_from: list[OtherSource] = Field(default_factory=list)
    relevance: float | None = Field(None, description="relevance to migrant integration in [0, 1]")
    relevance_evidence: list[EvidenceOut] = Field(
        default_factory=list, description="the terms behind the relevance score, strongest first"
    )
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
    languages: list[str] = Field(default_factory=list, description="languages of its published items")
    declared_languages: list[str] = Field(
        default_factory=list, description="languages its configuration declares ([] when none)"
    )
    published_items: int = 0


class ApiError(BaseModel):
    """An error answer: ``error`` (a key), ``message`` (a sentence naming each parameter at fault)
    and ``detail`` (the field errors, ``{"loc", "msg", "type"}`` each; [] when none)."""

    error: str | None = None
    message: str | None = None
    detail: Any = None


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ApiError, "description": "Malformed cursor; from a feed, any malformed query"},
    401: {"model": ApiError, "description": "Unknown or revoked API token"},
    422: {
        "model": ApiError,
        "description": "Malformed, unknown or wrongly repeated parameter, or a range whose start is "
        "after its end (message; detail: loc, msg, type of each error)",
    },
    429: {"model": ApiError, "description": "Rate limit reached (see Retry-After)"},
}


class PortalJSONResponse(JSONResponse):
    """JSON as UTF-8 with an explicit charset (T42)."""

    media_type = "application/json; charset=utf-8"


class CoverageCell(BaseModel):
    """Items of one (country, theme or language) cell over the period."""

    country: str
    key: str
    relevant: int | None
    """Items judged relevant, first seen in the period (None without the ``coverage`` scope)."""
    approved: int
    """Approved items (without the ``coverage`` scope: published items), approved in the period."""


class CoverageAlert(BaseModel):
    """A cell well below its own history, with the sources that used to fill it."""

    country: str
    key: str
    current: int
    usual: float
    sources: list[str]


class CoverageOut(BaseModel):
    """The coverage matrix (rows: 27 member states + EU) and its gap alerts."""

    axis: str
    scope: str
    """``all`` (a token with the ``coverage`` scope) or ``published`` (published items only)."""
    since: str
    until: str
    days: int
    rows: list[str]
    columns: list[str]
    cells: list[CoverageCell]
    alerts: list[CoverageAlert]
