"""Requests for changes: the editor's action on a contributed item and the contributor's amend page.

Contract:
- ``POST /items/{id}/ask-changes`` (desk, editor, CSRF-checked; form ``message`` 1-2000
  characters of plain text, ``revision`` and ``request_token`` as for a decision): defers the item
  (a decision in its history), gives each of its contributions still holding an address a fresh
  amend nonce and queues the ``changes`` mail with the link ``<public URL>/submit/amend/<token>``
  (crawler.store.outbox). 400 for a missing message or an item that is not a contribution, 409 for
  a stale revision, 404 for an unknown item.
- The token is ``itsdangerous`` URL-safe, timed and signed with the application secret
  (crawler.web.csrf.application_secret) under its own salt: ``{"s": contribution id, "n": nonce}``.
  It is refused (404, nothing shown) when the signature is wrong, when it is older than
  `AMEND_DAYS` days, when a newer request replaced it, once it was used, and once the item was
  approved or rejected.
- ``GET /submit/amend/{token}`` shows the contribution's form filled with what was sent, the
  editors' message and the criteria; ``POST`` (CSRF as the public form) validates like a new
  contribution (crawler.submissions.validate; the contributor is unchanged) and hands it to
  ``app.state.amend`` (crawler.intake.amend: the harvest's stages, then the item's content
  replaced and the item back in the queue as pending, its old fields kept for the desk).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from crawler.errors import AmendLinkInvalid, NotFound, SubmissionInvalid
from crawler.store import decisions, outbox, submissions
from crawler.submissions import LANGUAGES, criteria, kind_fields, plain_text, validate
from crawler.web.auth import address_of
from crawler.web.contributor_mail import AMEND_DAYS
from crawler.web.csrf import application_secret, csrf_protect
from crawler.web.deps import DbSession, PathId, parse_db_int
from crawler.web.desk import Editor, desk_router, log_decision
from crawler.web.form_limits import MAX_FORM_FIELDS, PDF_FIELD, form_pdf, public_form
from crawler.web.public import portal_state
from crawler.web.templating import render

SALT = "ewsi-amend-link"
MAX_MESSAGE_CHARS = 2000

desk = desk_router()
public = APIRouter(dependencies=[Depends(public_form), Depends(csrf_protect)])


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=SALT)


def make_token(secret: str, submission_id: int, nonce: str) -> str:
    """The signed amend token of contribution `submission_id` with its current `nonce`."""
    return _serializer(secret).dumps({"s": submission_id, "n": nonce})


def read_token(secret: str, token: str, max_age_s: int = AMEND_DAYS * 86400) -> tuple[int, str]:
    """(contribution id, nonce) of a token `make_token` signed at most `max_age_s` seconds ago;
    AmendLinkInvalid otherwise (bad signature, expired, malformed)."""
    try:
        data = _serializer(secret).loads(token[:500], max_age=max_age_s)
    except BadSignature:  # SignatureExpired is a BadSignature
        raise AmendLinkInvalid("this link is not valid or has expired") from None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int) or not isinstance(data.get("n"), str):
        raise AmendLinkInvalid("this link is not valid")
    return data["s"], data["n"]


def _public_url(request: Request) -> str:
    return str(portal_state(request).config.public_url).rstrip("/")


@desk.post("/items/{item_id}/ask-changes")
async def ask_changes(item_id: PathId, request: Request, session: DbSession, user: Editor) -> Response:
    """Defer the item and mail its contributors a signed, expiring amend link (module docstring)."""
    form = await request.form()
    message = plain_text(form.get("message") or "")
    if not message or len(message) > MAX_MESSAGE_CHARS:
        raise HTTPException(400, f"write what should change (1 to {MAX_MESSAGE_CHARS} characters)")
    revision = parse_db_int(form.get("revision"))
    if revision is None:
        raise HTTPException(400, "the form has no valid revision: reload the item")
    rows = [row for row in submissions.for_item(session, item_id) if row.email]
    if not rows:
        raise HTTPException(400, "this item has no contributor to ask")
    try:
        decision = decisions.decide(
            session,
            item_id,
            user.name,
            "defer",
            revision=revision,
            request_token=str(form.get("request_token", ""))[:64] or None,
            user_id=user.id,
            address=address_of(request),
        )
    except NotFound:
        raise HTTPException(404, "no such item") from None
    except decisions.ReviewConflict as exc:
        session.rollback()
        raise HTTPException(409, str(exc)) from None
    if not decision.repeated:
        secret, base = application_secret(request), _public_url(request)
        for row in rows:
            token = make_token(secret, row.id, submissions.start_amend(session, row.id))
            context = {"title": decision.title, "message": message, "link": f"{base}/submit/amend/{token}"}
            outbox.enqueue(session, row.id, "changes", context)
    session.commit()
    log_decision(user, decision)
    return RedirectResponse(f"/items/{item_id}?msg=asked", status_code=303)


def _open(request: Request, session: Any, token: str) -> tuple[Any, str]:
    try:
        submission_id, nonce = read_token(application_secret(request), token)
        return submissions.amendable(session, submission_id, nonce), nonce
    except (AmendLinkInvalid, NotFound) as exc:
        raise HTTPException(404, str(exc)) from None


def _page(
    request: Request, session: Any, row: Any, token: str, values: dict[str, Any], errors: dict[str, str]
) -> HTMLResponse:
    asked = [m for m in outbox.mails_of(session, row.id) if m.kind == "changes"]
    lang = row.language if row.language in LANGUAGES else "en"
    context = {
        "kind": row.kind,
        "lang": lang,
        "fields": kind_fields(row.kind),
        "criteria": criteria(),
        "errors": errors,
        "values": values,
        "action": f"/submit/amend/{token}",  # the template adds ?lang= (crawler.web.form_limits)
        "amend": {"message": (asked[-1].context or {}).get("message") if asked else None},
    }
    return render(request, "submit.html", context, status_code=400 if errors else 200)


@public.get("/submit/amend/{token}", response_class=HTMLResponse)
def amend_form(token: str, request: Request, session: DbSession) -> HTMLResponse:
    """The contribution's form, filled with what was sent, and the editors' request."""
    row, _ = _open(request, session, token)
    values = {k: ", ".join(v) if isinstance(v, list) else v for k, v in (row.fields or {}).items()}
    return _page(request, session, row, token, values, {})


@public.post("/submit/amend/{token}")
async def amend_post(token: str, request: Request, session: DbSession) -> Response:
    """Validate the amended fields and put the item back in the queue (module docstring)."""
    amend = getattr(request.app.state, "amend", None)
    if amend is None:
        raise HTTPException(503, "contributions are not accepted by this server")
    row, nonce = _open(request, session, token)
    form = await request.form(max_files=1, max_fields=MAX_FORM_FIELDS)  # parsed by public_form
    skip = ("csrf_token", "kind", "lang", PDF_FIELD)
    values = {k: v for k, v in form.items() if isinstance(v, str) and k not in skip}
    pdf, _, pdf_error = await form_pdf(form)  # an empty file field is no file
    if pdf_error or pdf is not None:  # an amendment changes the fields; the PDF stays the one sent
        return _page(
            request, session, row, token, values, {PDF_FIELD: pdf_error or "an amendment takes no PDF"}
        )
    person = {"name": row.name, "email": row.email, "organisation": row.organisation, "country": row.country}
    person.update(language=row.language, consent=row.consent)
    try:
        sub = validate(row.kind, values, person)
        submission_id = row.id
        session.commit()  # the amendment writes in its own transaction: end this request's
        amend(submission_id, nonce, sub)
    except SubmissionInvalid as exc:
        return _page(request, session, row, token, values, exc.errors)
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from None
    return RedirectResponse("/submit/thanks", 303)
