"""The desk's Jinja2 environment and `render`, the one way a page is produced.

Rules: autoescape is always on (HTML of every page and of strings); harvested links pass `safe_url`
(absolute http(s) only, no spaces or control characters, else None: ``javascript:``, ``data:`` and
obfuscated variants never become an href, RELIABILITY.md T41); the ``<title>`` uses ``nobidi`` and
page text puts harvested titles in ``<bdi>``. `render` adds request, csp_nonce, user and
``csrf_token()`` to every context and sets a newly generated CSRF cookie on the response
(crawler.web.csrf). Templates live in templates/ next to this module.

Rule for an item's quality flags shown to editors (the item page's meta list and the item's queue
row, in the same words, so an editor sees in the queue what the item page explains): a followed page
that was not fetched (``page_<error key>``: "not fetched", `page_errors`); a page whose extraction was
stopped (`EXTRACTION_STOPPED`: "text missing", `text_missing`, not shown with "not fetched", which
says it already); an item without a title (flag ``title_missing``, crawler.types: a listing link whose
text is no title, whose page gave none or was not read yet: "title missing", `title_missing`) while
no title shows, neither harvested nor an editor's (an editor's title settles it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from crawler.text import counted, strip_bidi_controls, when
from crawler.themes import THEME_CODES
from crawler.types import TITLE_MISSING
from crawler.urls import web_url
from crawler.web.csrf import csrf_token_for, set_pending_csrf_cookie
from crawler.web.rows import REASONS_ON_ITEM, published_line, reasons, weighing

TEMPLATES = Path(__file__).resolve().parent / "templates"


def safe_url(value: Any) -> str | None:
    """`value` when it is a web URL (crawler.urls), else None.

    Used for every harvested link (item URL, attachments) so ``javascript:``, ``data:`` and obfuscated
    variants (``jav&#x09;ascript:``) never become an href (T41).
    """
    return web_url(value)


def is_page_error(flag: str) -> bool:
    """An item flag saying its followed page failed (``page_<error key>``, spiders.base)."""
    return flag.startswith("page_") and "." in flag


def page_errors(flags: Any) -> list[str]:
    """Jinja filter: the error keys of an item's followed page that was not fetched (its
    `is_page_error` flags without ``page_``), as the item page and its queue row show them."""
    return [f.removeprefix("page_") for f in flags or [] if isinstance(f, str) and is_page_error(f)]


EXTRACTION_STOPPED = ("extract.timeout", "extract.memory")
"""Item flags of a followed page whose text extraction was stopped (pipelines.extract): the item has the
page's head (title, description) but not its text."""


def text_missing(flags: Any) -> list[str]:
    """Jinja filter: the `EXTRACTION_STOPPED` flags of an item, as the item page and its queue row show
    them ("text missing": check the page before approving)."""
    return [f for f in flags or [] if f in EXTRACTION_STOPPED]


def title_missing(flags: Any, title: Any = None) -> bool:
    """Jinja filter: whether the item of `flags` shows as without a title (module rule): flagged
    ``title_missing`` and `title` (the title the desk shows, the editor's or the harvested one) empty."""
    return TITLE_MISSING in (flags or []) and not (isinstance(title, str) and title.strip())


def _show(value: Any) -> str:
    """A recorded value for the history: lists joined with commas, None as a dash."""
    if value is None or value == []:
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _pct(value: Any) -> str:
    return "—" if value is None else f"{100 * float(value):.0f}%"


def score(value: Any) -> str:
    """A relevance score as ``ewsi queue`` and the read API give it: two decimals ("0.76"), "—" for none."""
    return "—" if value is None else f"{float(value):.2f}"


LANGUAGE_METHODS: dict[str, str] = {
    "detected": "detected",
    "title_and_page": "title and page agree",
    "declared_page": "declared by the page",
    "source_default": "the source's language",
    "undetermined": "undetermined",
}
"""How the item page names each way the harvest chose an item's language (pipelines.language
``METHODS``); an unknown method is shown as stored, underscores as spaces."""


def language_line(language: Any, confidence: Any = None, method: Any = None, declared: Any = None) -> str:
    """The item page's language line: ``fr (detected, 100%); document declares fr``.

    Rules: the code, then how it was chosen (`LANGUAGE_METHODS`) and the detector's confidence in
    brackets, each only when known (a confidence of 0 means no detector was asked, so none is
    shown); an undetermined language (``und`` or none) reads "undetermined"; then the language the
    document declares ("document declares none" when it declares none: the source's configured
    languages are not a declaration), left out when the page's declaration is the language. No word
    appears twice."""
    code = str(language or "").strip()
    undetermined = code in ("", "und")
    how = [] if undetermined or not method else [LANGUAGE_METHODS.get(method, str(method).replace("_", " "))]
    try:
        share = float(confidence) if confidence is not None else 0.0
    except (TypeError, ValueError):
        share = 0.0
    if share > 0 and not undetermined:
        how.append(_pct(share))
    head = "undetermined" if undetermined else code + (f" ({', '.join(how)})" if how else "")
    if method == "declared_page" and declared == code:
        return head  # the declaration is the language: said once
    return f"{head}; document declares " + (str(declared) if declared else "none")


def theme_code(name: Any) -> str:
    """Jinja filter: the two-letter code of a theme (crawler.themes `THEME_CODES`, as ``ewsi queue``
    prints them); a name it does not know gives its first two letters, upper case."""
    text = str(name or "")
    return THEME_CODES.get(text) or text[:2].upper()


def make_templates() -> Environment:
    """The Jinja2 environment of the desk: templates/, autoescape always on, filters safe_url, dt
    (crawler.text `when`: every date and time the desk shows), pct, score (relevance as the CLI shows
    it), show, page_errors, reasons (the
    relevance evidence an item shows, crawler.web.rows `reasons`), weighing (theme evidence without
    weights that round to 0.00), theme_code (``SC`` for Social Cohesion), counted
    (``n|counted("item")``: "1 item", "2 items"; crawler.text) and nobidi (bidi controls removed, for
    the ``<title>``; in the page, harvested titles sit in ``<bdi>`` elements so an override cannot
    reorder the text around them); the function `language_line`."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["safe_url"] = safe_url
    env.filters["dt"] = when
    env.filters["pct"] = _pct
    env.filters["score"] = score
    env.filters["show"] = _show
    env.filters["counted"] = counted
    env.filters["nobidi"] = lambda value: strip_bidi_controls(str(value))
    env.filters["page_errors"] = page_errors
    env.filters["text_missing"] = text_missing
    env.filters["title_missing"] = title_missing
    env.filters["reasons"] = lambda evidence, shown=REASONS_ON_ITEM, relevant=None: reasons(
        evidence, shown, relevant
    )
    env.filters["weighing"] = weighing
    env.filters["theme_code"] = theme_code
    env.globals["language_line"] = language_line
    env.globals["published_line"] = published_line
    return env


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """Render templates/`name` with `context` plus request, csp_nonce, user (may be None) and
    ``csrf_token()``, a function the page's forms call for the CSRF token (`csrf_token_for`: only
    pages with a form need the application secret); a newly generated token's cookie is set on the
    response."""
    env: Environment = request.app.state.templates
    full = {
        "request": request,
        "csp_nonce": getattr(request.state, "csp_nonce", ""),
        "user": getattr(request.state, "user", None),
        "csrf_token": lambda: csrf_token_for(request),
        **context,
    }
    response = HTMLResponse(env.get_template(name).render(full), status_code=status_code)
    set_pending_csrf_cookie(request, response)
    return response
