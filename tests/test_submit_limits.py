"""The public contribution form past its size limits: a plain sentence in the form's language that
names the limit, never the multipart parser's message, and nothing stored."""
# ruff: noqa: F811  (the desk fixtures are imported by name)

from __future__ import annotations

import html
import re
from functools import partial

import pytest
from sqlalchemy import func, select

from crawler.intake import accept
from crawler.store.schema import Item, SubmissionRow
from crawler.submissions import MAX_BODY_BYTES, MAX_FIELD_BYTES
from crawler.web.form_limits import MAX_FORM_FIELDS, size_text
from tests.desklab import SQLITE_ONLY, Session, app, client_for, engine  # noqa: F401

PERSON = {"contributor_name": "Ana Ruiz", "contributor_email": "ana@example.org"}
NEWS = {"kind": "news", "title": "New integration law", "summary": "Parliament passed a law."}
MB = 1024 * 1024


@pytest.fixture
def submit_app(app, db_url):
    app.state.intake = partial(accept, database_url=db_url)
    return app


def _stored(Session) -> tuple[int, int]:
    with Session() as s:
        return (
            s.scalar(select(func.count()).select_from(SubmissionRow)) or 0,
            s.scalar(select(func.count()).select_from(Item)) or 0,
        )


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.mark.parametrize(
    ("size", "expected"),
    [(256 * 1024, "256 KB"), (10 * MB, "10 MB"), (MAX_BODY_BYTES, "10.2 MB"), (1536 * 1024, "1.5 MB")],
)
def test_sizes_read_in_kb_and_mb(size: int, expected: str) -> None:
    assert size_text(size) == expected
    assert size_text(size, "fr") == expected.replace(".", ",").replace("KB", "Ko").replace("MB", "Mo")


# (query of the form's action, Accept-Language, what is too large, status, words of the sentence)
CASES = [
    ("?lang=en", "", {"summary": "x" * (6 * MB)}, 413, ("too large", "256 KB", "nothing was saved")),
    ("?lang=fr", "", {"summary": "é" * (3 * MB)}, 413, ("trop volumineuse", "256 Ko", "rien n'a été")),
    ("", "de-DE,de;q=0.9", {"title": "x" * (MAX_FIELD_BYTES + 1)}, 413, ("zu groß", "256 KB")),
    ("?lang=de", "fr", {"pdf_pad": "x" * (MAX_BODY_BYTES + 10)}, 413, ("zu groß", "10,2 MB")),
    ("", "", {f"f{i}": "1" for i in range(MAX_FORM_FIELDS + 5)}, 400, ("too many fields", "at most 100")),
    ("?lang=fr", "", {f"f{i}": "1" for i in range(MAX_FORM_FIELDS + 5)}, 400, ("trop de champs",)),
]


@SQLITE_ONLY
@pytest.mark.parametrize(("query", "accept_language", "extra", "status", "words"), CASES)
def test_an_over_large_form_gets_a_plain_sentence_and_stores_nothing(
    submit_app, Session, query: str, accept_language: str, extra: dict, status: int, words: tuple[str, ...]
) -> None:
    client = client_for(submit_app)
    page = client.get("/submit?kind=news&lang=fr")
    assert 'action="/submit?lang=fr"' in page.text  # the language travels with the form
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    fields = {**NEWS, **PERSON, "csrf_token": token, **extra}
    headers = {"Accept-Language": accept_language} if accept_language else {}
    answer = client.post(
        "/submit" + query,
        files={name: (None, value) for name, value in fields.items()},
        headers=headers,
        follow_redirects=False,
    )
    assert answer.status_code == status
    shown = _text(answer.text)
    for word in words:
        assert word in shown, (word, shown[:400])
    assert "exceeded" not in shown.lower() and "maximum number" not in shown.lower()
    # Rule: an error page shows its sentence styled as an error (flash error), never as a success
    start = re.escape(html.escape(words[0], quote=True)[:6])
    assert re.search(r'class="flash error"[^>]*>[^<]*' + start, answer.text)
    assert 'class="flash ok"' not in answer.text
    assert _stored(Session) == (0, 0)


@SQLITE_ONLY
def test_a_field_under_the_limit_still_reaches_validation(submit_app, Session) -> None:
    """A long field under the byte limit is judged by its character limit, with the form shown again."""
    client = client_for(submit_app)
    page = client.get("/submit?kind=news&lang=en")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    fields = {**NEWS, **PERSON, "csrf_token": token, "summary": "x" * (MAX_FIELD_BYTES - 1024)}
    answer = client.post("/submit?lang=en", files={k: (None, v) for k, v in fields.items()})
    assert answer.status_code == 400 and "summary" in answer.text and 'name="csrf_token"' in answer.text
    assert _stored(Session) == (0, 0)
