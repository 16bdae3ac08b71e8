"""The OpenAPI contract of ``POST /api/v1/submissions`` (crawler.web.submit): request and answers.

The route reads its body itself (Content-Length checked and the token known before a byte is read),
so the request schema is declared with `REQUEST_BODY` (``openapi_extra``) instead of a body
parameter, which FastAPI would read before the route's guards ran. The models only document:
validation stays crawler.submissions.validate.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from crawler.submissions import KINDS
from crawler.web.schemas import ApiError


class Contributor(BaseModel):
    """Who submits: name and email required; credited by name on the item only with consent."""

    name: str = Field(max_length=200)
    email: str = Field(max_length=254, description="plain local@domain.tld; never published")
    organisation: str | None = Field(default=None, max_length=300)
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2 code, or EU")
    language: str | None = Field(default=None, description="ISO 639-1 code")
    consent: bool = Field(default=False, description="credit the contributor by name")


class SubmissionRequest(BaseModel):
    """One contribution: its kind, the kind's fields (``/submit?kind=`` lists them) and a PDF."""

    kind: str = Field(json_schema_extra={"enum": list(KINDS)})
    fields: dict[str, Any] = Field(description="the kind's fields (title, summary, link, ...)")
    contributor: Contributor
    pdf_base64: str | None = Field(default=None, description="a PDF of at most 10 MiB, base64")
    pdf_name: str | None = None


class SubmissionAccepted(BaseModel):
    """201: the stored submission and the item it became or joined."""

    id: int
    item_id: int | None
    outcome: str = Field(description="new, or duplicate when the link joined a harvested item")


class SubmissionRefused(BaseModel):
    """422: every offending field with a readable reason; nothing was stored."""

    error: str = "invalid_submission"
    errors: dict[str, str]


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with its ``$defs`` references written in place (they would resolve against the
    OpenAPI document's root, not the schema's)."""
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(dict(defs[ref.rsplit("/", 1)[1]]))
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(value) for value in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


REQUEST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": _inline(SubmissionRequest.model_json_schema())}},
    }
}
"""``openapi_extra`` of the route: the request body it reads by hand."""

RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {"model": SubmissionAccepted, "description": "Stored and queued for review"},
    401: {"model": ApiError, "description": "No API token, or an unknown one"},
    403: {"model": ApiError, "description": "The token has no submit scope"},
    411: {"model": ApiError, "description": "No Content-Length header"},
    413: {"model": ApiError, "description": "The body is larger than 10.25 MiB"},
    422: {"model": SubmissionRefused, "description": "Invalid contribution (every offending field)"},
    429: {"model": ApiError, "description": "Rate limit reached (see Retry-After)"},
    503: {"model": ApiError, "description": "This server accepts no contributions"},
}
"""The answers of the route, as documented in the OpenAPI document."""
