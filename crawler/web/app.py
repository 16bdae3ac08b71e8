"""The web app factory: assembles the desk's and the portal's routers with the shared plumbing.

`create_app` sets up, in this order: settings and the database session factory (crawler.web.deps),
the security-headers middleware (per-request CSP nonce), error pages (401 login, 403, 404, 503 when
the database is down, T35), static files (``/favicon.ico`` answers 204), the Jinja2 environment
(crawler.web.templating), the desk's routers (login, queue, items, admin) and the portal
(crawler.web.portal.install: read API and feeds). Routers never import this module.

Content-Security-Policy of HTML pages (RELIABILITY.md T41, ASVS 14.4.3): ``default-src 'none'``;
scripts only with this response's nonce; styles and images from our own origin; forms post to our
own origin; no framing, no ``<base>``. Every response gets ``X-Content-Type-Options: nosniff``.
Errors: JSON ``{"error": key, "message": sentence, "detail": [field errors]}`` under ``/api/`` or
for clients asking for JSON (``detail`` [] when no field is at fault), else the error page; a
validation error is 422 under ``/api/`` (``message`` names each parameter: ``q: control characters
are not allowed``), else 400.
"""

from __future__ import annotations

import base64
import logging
import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from crawler.config import Settings as RuntimeSettings
from crawler.config import load as load_settings
from crawler.errors import DatabaseUnwritable
from crawler.store.session import DB_ERRORS, make_engine, session_factory
from crawler.store.session import database_url as resolve_database_url
from crawler.web import admin, amend, items, login, portal, queue, submit
from crawler.web.auth import LoginRequired, clear_session_cookie
from crawler.web.deps import Settings, errors_sentence, field_errors
from crawler.web.logsafe import protect
from crawler.web.templating import make_templates, render

log = protect(logging.getLogger(__name__))

HERE = Path(__file__).resolve().parent
DESK_ROUTERS = (login.router, queue.router, items.router, amend.desk, admin.router)
"""The editors' desk, in the order its routes are matched."""
RETRY_AFTER_S = 30
DB_DOWN_MESSAGE = "The database is not reachable right now. Nothing was saved; please retry in a minute."
DB_UNWRITABLE_MESSAGE = "The database cannot be written: {why}. Nothing was saved; tell the administrator."


def _csp(nonce: str) -> str:
    return (
        "default-src 'none'; "
        f"script-src 'nonce-{nonce}'; "
        f"style-src 'self' 'nonce-{nonce}'; "
        "img-src 'self'; connect-src 'self'; font-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


FEED_PREFIX = "/feeds/"


def _is_feed(request: Request) -> bool:
    """Rule: a feed reader gets its errors as plain text (never an HTML page) with the right status."""
    return request.url.path.startswith(FEED_PREFIX)


def _error(
    request: Request,
    status: int,
    message: str,
    headers: dict[str, str] | None = None,
    detail: list[dict[str, Any]] | None = None,
) -> Response:
    """The error answer: plain text for a feed, JSON ``{"error", "message", "detail"}`` under
    ``/api/`` (detail: the field errors, [] when none), else the error page."""
    if _is_feed(request):
        return PlainTextResponse(f"{status} {message}\n", status_code=status, headers=headers)
    if _wants_json(request):
        key = {
            503: "database_unavailable",
            429: "too_many_requests",
            422: "invalid_request",
            404: "not_found",
            403: "forbidden",
            401: "unauthorized",
            400: "bad_request",
        }
        body = {"error": key.get(status, "error"), "message": message, "detail": detail or []}
        return JSONResponse(body, status_code=status, headers=headers)
    # the sentence travels as ``failure``: base.html shows ``message`` as a success notice (flash ok),
    # and an error must read as an error, never as a success
    context: dict[str, Any] = {"status": status, "failure": message}
    if status == 503:  # the CSRF key may have to come from the database that is down
        context["csrf_token"] = lambda: ""
    response = render(request, "error.html", context, status_code=status)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    """The errors of `exc` as JSON-safe dicts ``{"loc": [...], "msg": str, "type": str}``.

    pydantic's own error dicts carry the raised exception object under ``ctx`` (a ValueError for a
    malformed date) and the rejected input; neither is sent back: the message names the problem as a
    plain sentence (`crawler.web.deps.field_errors`).
    """
    return jsonable_encoder(field_errors(exc.errors()))


def _install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if request.method == "GET" and not exc.expired and not _wants_json(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        message = "Your session has ended: please log in again." if exc.expired else "Please log in."
        response = _error(request, 401, message)
        if exc.expired:
            clear_session_cookie(response)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        messages = {404: "Not found.", 405: "Method not allowed."}
        message = exc.detail if isinstance(exc.detail, str) else messages.get(exc.status_code, "Error.")
        return _error(request, exc.status_code, message, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/api/"):
            details = validation_details(exc)
            return _error(request, 422, errors_sentence(details), detail=details)
        return _error(request, 400, "The request was not understood (a field is missing or malformed).")

    async def db_down(request: Request, exc: Exception) -> Response:
        log.warning(
            "database unavailable during %s %s: %s", request.method, request.url.path, type(exc).__name__
        )
        message = DB_DOWN_MESSAGE
        if isinstance(exc, DatabaseUnwritable):  # storage refusing writes: say why, no retry advice
            message = DB_UNWRITABLE_MESSAGE.format(why=exc.why)
        return _error(request, 503, message, {"Retry-After": str(RETRY_AFTER_S)})

    for cls in DB_ERRORS:
        app.add_exception_handler(cls, db_down)  # type: ignore[arg-type]


HEAD_PREFIXES = ("/api/", "/feeds/", "/static/", "/submit", "/login")
"""Paths answered to HEAD as to GET without the body (RFC 9110 9.3.2): the read API, the feeds and
the public pages, which link checkers, feed readers and uptime monitors probe with HEAD. Desk pages
are left out: opening an item there claims it."""


class HeadAsGet:
    """ASGI middleware: a HEAD request to `HEAD_PREFIXES` runs as GET; the status and headers
    (Content-Length included) are GET's, the body is dropped."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "HEAD"
            or not scope["path"].startswith(HEAD_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Any) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


FAVICON_MAX_AGE_S = 7 * 24 * 3600
"""How long a browser may keep the answer to ``/favicon.ico``."""


def _install_favicon(app: FastAPI) -> None:
    @app.api_route("/favicon.ico", methods=["GET", "HEAD"], include_in_schema=False)
    async def favicon() -> Response:
        """Rule: ``/favicon.ico`` answers 204, cached for a week, never a logged 404; the pages name
        their icon, /static/favicon.svg (base.html), so browsers showing them ask for that."""
        return Response(status_code=204, headers={"Cache-Control": f"public, max-age={FAVICON_MAX_AGE_S}"})


def _install_security_headers(app: FastAPI) -> None:
    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        nonce = base64.urlsafe_b64encode(secrets.token_bytes(16)).decode().rstrip("=")
        request.state.csp_nonce = nonce
        started = time.perf_counter()
        response: Response = await call_next(request)
        headers = response.headers
        # server-side time to the first byte of the body (what bench/review_queue.py reports)
        headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        headers["X-Content-Type-Options"] = "nosniff"
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if headers.get("content-type", "").startswith("text/html"):
            headers["Content-Security-Policy"] = _csp(nonce)
            headers.setdefault("Cache-Control", "no-store")
        else:
            headers.setdefault("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
        return response


def create_app(
    database_url: str | None = None, *, testing: bool = False, settings: RuntimeSettings | None = None
) -> Any:
    """Build the FastAPI app for the database at `database_url` (default: the runtime settings'
    ``EWSI_DATABASE_URL`` or the SQLite file; see `crawler.store.session.database_url`).

    `settings`: the runtime settings (crawler.config; None: read from the environment here, the
    app factory being an entry point). `testing`: a test app (same behaviour; errors are not
    hidden by the server's error page). The database is not contacted here: the first request
    connects. Returns a `fastapi.FastAPI`.
    """
    runtime = settings if settings is not None else load_settings()
    url = resolve_database_url(database_url or runtime.database_url)
    web_settings = Settings.from_runtime(url, runtime, testing=testing)
    # no trailing-slash redirects: Starlette builds their absolute Location from the Host header
    app = FastAPI(
        title="ewsi-harvester", docs_url=None, redoc_url=None, openapi_url=None, redirect_slashes=False
    )
    app.state.settings = web_settings
    app.state.runtime = runtime
    # SQLite: BEGIN IMMEDIATE so a read-then-write request waits for the writer instead of failing
    # PostgreSQL: no JIT; it adds 100-200 ms of compilation to queue queries the planner misjudges
    # as expensive, which short interactive queries never win back (bench/review_queue.py)
    extra = {"connect_args": {"options": "-c jit=off"}} if url.startswith("postgresql") else {}
    app.state.engine = make_engine(url, sqlite_immediate=True, **extra)
    app.state.session_factory = session_factory(app.state.engine)
    app.state.templates = make_templates()
    app.state.counts_cache = {}
    _install_security_headers(app)
    _install_error_pages(app)
    app.add_middleware(HeadAsGet)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _install_favicon(app)
    for router in DESK_ROUTERS:
        app.include_router(router)
    app.include_router(submit.form_router)
    app.include_router(amend.public)
    portal.install(app, api_routers=(submit.api_router,))  # in the API's OpenAPI document
    return app
