"""Contributions: ``POST /api/v1/submissions`` (portal relay) and the public form ``/submit``.

Contract:
- API: ``Authorization: Bearer <token>`` of a token with the ``submit`` scope (else 401 unknown /
  403 no scope); JSON ``{"kind", "fields": {...}, "contributor": {"name", "email", "organisation",
  "country", "language", "consent"}, "pdf_base64": str | null, "pdf_name": str | null}``.
  201 ``{"id", "item_id", "outcome"}``; 422 ``{"error": "invalid_submission", "errors": {field:
  reason}}``; 413 above `MAX_BODY_BYTES` (checked on Content-Length and while reading); 429 with
  ``Retry-After`` past the rate limits; 411 for a POST without Content-Length.
- Form: GET renders the kind's fields (the good practice from config/good_practice.yaml) and the
  criteria (config/criteria.yaml) in en/fr/de (``?lang=``); POST (multipart, CSRF token and Origin
  checked as on the desk; the contributor's fields are named ``contributor_<field>``) answers
  303 to ``/submit/thanks`` or 400 with the errors shown; an over-large form or field gets 413 with
  a plain sentence in the form's language (crawler.web.form_limits). The honeypot
  field `HONEYPOT` must stay empty: a filled one is answered like a success and nothing is stored.
- Rate limits: per client address `PER_ADDRESS_PER_MINUTE`, per email `PER_EMAIL_PER_HOUR`
  (crawler.web.ratelimit's `SharedLimiter`: token buckets in the database on PostgreSQL, so they
  hold across every `ewsi serve` process; keys ``submit-addr:<address>`` and
  ``submit-email:<SHA-256 of the address>``, never the address itself), on both channels; a
  refused request stores nothing.
- Validation is crawler.submissions.validate (and the intake refuses a PDF the bounded worker
  cannot read, with the same answers); storage is the intake callable the serving entry point
  puts on ``app.state.intake`` (crawler.intake.accept, which runs the harvest's stages). Without one
  the routes answer 503 and store nothing.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from crawler.errors import SubmissionInvalid, TooMany
from crawler.jsontext import JsonTooDeep, parse_json
from crawler.store import tokens
from crawler.store.submissions import email_hash
from crawler.submissions import (
    KINDS,
    LANGUAGES,
    MAX_BODY_BYTES,
    PDF_KINDS,
    Submission,
    criteria,
    kind_fields,
    validate,
)
from crawler.web.csrf import csrf_protect
from crawler.web.deps import DbSession
from crawler.web.form_limits import MAX_FORM_FIELDS, PDF_FIELD, form_pdf, public_form
from crawler.web.ratelimit import SharedLimiter, retry_after_header
from crawler.web.submit_schema import REQUEST_BODY, RESPONSES
from crawler.web.templating import render

PER_ADDRESS_PER_MINUTE = 5
PER_EMAIL_PER_HOUR = 10
HONEYPOT = "website"
CONTRIBUTOR_FIELDS = ("name", "email", "organisation", "country", "language", "consent")


def _limiter(request: Request) -> SharedLimiter:
    """The app's limiter of contributions (`SharedLimiter`: in the database on PostgreSQL, so the
    limits hold across every `ewsi serve` process; in this process on SQLite)."""
    state = request.app.state
    if getattr(state, "submit_limiter", None) is None:
        state.submit_limiter = SharedLimiter()
    limiter: SharedLimiter = state.submit_limiter
    return limiter


def _bind(request: Request) -> Any:
    return getattr(request.app.state, "engine", None)


def _check_address(request: Request) -> None:
    address = request.client.host if request.client else "unknown"
    ok, _, wait = _limiter(request).take(f"submit-addr:{address}", PER_ADDRESS_PER_MINUTE, _bind(request))
    if not ok:
        raise TooMany(wait)


def _check_email(request: Request, email: str) -> None:
    key = f"submit-email:{email_hash(email)}"
    ok, _, wait = _limiter(request).take(key, PER_EMAIL_PER_HOUR, _bind(request), window_s=3600.0)
    if not ok:
        raise TooMany(wait)


async def body_limit(request: Request) -> None:
    """413 when the body is larger than `MAX_BODY_BYTES` by its Content-Length (before any read);
    411 for a POST without Content-Length (a chunked body could not be refused before reading)."""
    length = request.headers.get("content-length")
    if length is None and request.method == "POST":
        raise HTTPException(411, "a Content-Length header is required")
    if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
        raise HTTPException(413, f"the request is larger than {MAX_BODY_BYTES // (1024 * 1024)} MiB")


async def _read_capped(request: Request) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise HTTPException(413, f"the request is larger than {MAX_BODY_BYTES // (1024 * 1024)} MiB")
        chunks.append(chunk)
    return b"".join(chunks)


def _intake(request: Request) -> Callable[..., Any]:
    intake = getattr(request.app.state, "intake", None)
    if intake is None:
        raise HTTPException(503, "contributions are not accepted by this server")
    return intake


def _too_many(exc: TooMany, as_json: bool) -> Response:
    headers = {"Retry-After": retry_after_header(exc.seconds)}
    message = "too many submissions; please retry later"
    if as_json:
        return JSONResponse({"error": "too_many_requests", "message": message}, 429, headers=headers)
    return HTMLResponse(f"<p>{message}</p>", 429, headers=headers)


# --- API --------------------------------------------------------------------------------------------

api_router = APIRouter(prefix="/api/v1", tags=["submissions"], dependencies=[Depends(body_limit)])


def _bearer_token(request: Request, session: DbSession) -> tokens.TokenInfo:
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    info = tokens.find_token(session, value.strip()) if scheme.lower() == "bearer" and value.strip() else None
    if info is None:
        raise HTTPException(401, "an API token with the submit scope is required")
    if "submit" not in info.scopes:
        raise HTTPException(403, "this API token has no submit scope")
    return info


@api_router.post(
    "/submissions",
    status_code=201,
    summary="Submit a contribution (portal relay)",
    response_class=JSONResponse,
    responses=RESPONSES,
    openapi_extra=REQUEST_BODY,
)
async def api_submit(
    request: Request, session: DbSession, token: Annotated[tokens.TokenInfo, Depends(_bearer_token)]
) -> Response:
    """Validate and queue one contribution for the editors' review. Needs ``Authorization: Bearer
    <token>`` of a token with the ``submit`` scope and a Content-Length; limited per client address
    and per contributor email (429 with Retry-After)."""
    intake = _intake(request)
    try:
        _check_address(request)
        raw = await _read_capped(request)
        try:
            data = parse_json(raw)
        except JsonTooDeep as exc:
            raise SubmissionInvalid({"body": str(exc)}) from None
        except (ValueError, UnicodeDecodeError):
            raise SubmissionInvalid({"body": "not a JSON document"}) from None
        if not isinstance(data, dict):
            raise SubmissionInvalid({"body": "a JSON object is expected"})
        fields, person = data.get("fields") or {}, data.get("contributor") or {}
        if not isinstance(fields, dict) or not isinstance(person, dict):
            raise SubmissionInvalid({"body": "fields and contributor must be objects"})
        pdf = None
        if data.get("pdf_base64"):
            try:
                pdf = base64.b64decode(str(data["pdf_base64"]), validate=True)
            except (binascii.Error, ValueError):
                raise SubmissionInvalid({"pdf": "not valid base64"}) from None
        sub = validate(str(data.get("kind") or ""), fields, person, pdf, data.get("pdf_name"))
        _check_email(request, sub.email)
    except SubmissionInvalid as exc:
        return JSONResponse({"error": "invalid_submission", "errors": exc.errors}, 422)
    except TooMany as exc:
        return _too_many(exc, True)
    session.commit()  # the intake writes in its own transaction: end this request's (SQLite's lock)
    try:
        accepted = intake(sub, channel=f"api:{token.name}"[:16])
    except SubmissionInvalid as exc:  # e.g. an unreadable PDF, found by the bounded worker
        return JSONResponse({"error": "invalid_submission", "errors": exc.errors}, 422)
    return JSONResponse(
        {"id": accepted.submission_id, "item_id": accepted.item_id, "outcome": accepted.outcome}, 201
    )


# --- form -------------------------------------------------------------------------------------------

form_router = APIRouter(dependencies=[Depends(public_form), Depends(csrf_protect)])


def _lang(value: str | None) -> str:
    return value if value in LANGUAGES else "en"


def _form_page(
    request: Request, kind: str, lang: str, errors: dict[str, str], values: dict[str, Any], status: int = 200
) -> HTMLResponse:
    context = {
        "kinds": KINDS,
        "kind": kind,
        "lang": lang,
        "languages": LANGUAGES,
        "fields": kind_fields(kind),
        "criteria": criteria(),
        "errors": errors,
        "values": values,
        "honeypot": HONEYPOT,
        "takes_pdf": kind in PDF_KINDS,
    }
    return render(request, "submit.html", context, status_code=status)


@form_router.get("/submit", response_class=HTMLResponse)
def submit_form(request: Request, kind: str = "news", lang: str = "en") -> HTMLResponse:
    """The public contribution form for `kind`, labels in `lang` (en, fr, de)."""
    return _form_page(request, kind if kind in KINDS else "news", _lang(lang), {}, {})


@form_router.get("/submit/thanks", response_class=HTMLResponse)
def submit_thanks(request: Request) -> HTMLResponse:
    return render(request, "submit_thanks.html", {})


@form_router.post("/submit")
async def submit_post(request: Request, session: DbSession) -> Response:
    """Validate and queue one contribution from the form (module docstring)."""
    intake = _intake(request)
    try:
        _check_address(request)
    except TooMany as exc:
        return _too_many(exc, False)
    form = await request.form(max_files=1, max_fields=MAX_FORM_FIELDS)  # parsed by public_form
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    kind = values.get("kind", "")
    lang = _lang(values.get("lang"))
    if values.get(HONEYPOT):
        return RedirectResponse("/submit/thanks", 303)
    pdf, pdf_name, pdf_error = await form_pdf(form)  # an empty file field is no file
    values.pop(PDF_FIELD, None)
    person = {k: values.get(f"contributor_{k}") for k in CONTRIBUTOR_FIELDS}
    skip = {"kind", "lang", "csrf_token", HONEYPOT, *(f"contributor_{k}" for k in CONTRIBUTOR_FIELDS)}
    fields = {k: v for k, v in values.items() if k not in skip}
    try:
        if pdf_error:
            raise SubmissionInvalid({PDF_FIELD: pdf_error})
        sub: Submission = validate(kind, fields, person, pdf, pdf_name)
        _check_email(request, sub.email)
    except SubmissionInvalid as exc:
        shown = kind if kind in KINDS else "news"
        return _form_page(request, shown, lang, exc.errors, values, status=400)
    except TooMany as exc:
        return _too_many(exc, False)
    session.commit()  # the intake writes in its own transaction: end this request's (SQLite's lock)
    try:
        intake(sub, channel="form")
    except SubmissionInvalid as exc:  # e.g. an unreadable PDF, found by the bounded worker
        return _form_page(request, kind, lang, exc.errors, values, status=400)
    return RedirectResponse("/submit/thanks", 303)
