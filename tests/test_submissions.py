"""Contributions: validation of every kind, the bad-input table, the API and the form into the queue."""
# ruff: noqa: F811  (the desk fixtures are imported by name)

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from functools import partial

import pytest
from sqlalchemy import func, select

from crawler.errors import SubmissionInvalid
from crawler.intake import accept
from crawler.store import submissions as store
from crawler.store import tokens
from crawler.store.schema import Item, SubmissionRow, sha256_hex
from crawler.submissions import (
    KINDS,
    LANGUAGES,
    MAX_PDF_BYTES,
    criteria,
    good_practice_fields,
    is_public_link,
    kind_fields,
    plain_text,
    validate,
)
from tests.desklab import SQLITE_ONLY, Session, add_item, add_source, app, client_for, editor_client, engine  # noqa: F401
from tests.test_worker import make_pdf

SMALL_PDF = make_pdf(b"BT /F1 12 Tf 72 712 Td (Integration of migrants) Tj ET")
FORM_PERSON = {
    "contributor_name": "Ana Ruiz",
    "contributor_email": "ana@example.org",
    "contributor_organisation": "Red Acoge",
}
PERSON = {"name": "Ana Ruiz", "email": "Ana@Example.org", "organisation": "Red Acoge", "country": "ES"}
GOOD_PRACTICE = {
    "title": "Mentoring for newcomers",
    "country": "ES",
    "organisation": "Red Acoge",
    "target_group": "Young refugees",
    "aims": "Help young refugees into work through mentoring by local employees.",
    "activities": "Weekly mentoring sessions, job fairs and language cafés for migrants.",
    "links": "https://example.org/gp, https://example.org/gp2",
}
VALID: dict[str, dict[str, str]] = {
    "news": {
        "title": "New integration law",
        "summary": "Parliament passed a law on the integration of migrants.",
    },
    "document": {
        "title": "Annual report",
        "summary": "Report on migrant integration.",
        "link": "https://e.org/r",
    },
    "event": {
        "title": "Integration conference",
        "summary": "A conference on the integration of migrants and refugees.",
        "event_start": "2027-03-10T09:00+01:00",
        "event_end": "2027-03-11",
        "place_name": "City hall",
        "place_city": "Lyon",
        "place_country": "FR",
        "place_online": "1",
    },
    "funding": {
        "title": "Call for integration projects",
        "summary": "AMIF call for projects on the integration of third-country nationals.",
        "deadline": "2027-01-31",
        "programme": "AMIF",
        "call_id": "AMIF-2027-INTEG",
    },
    "good_practice": GOOD_PRACTICE,
}


# --- validation (pure) ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_validates(kind: str) -> None:
    sub = validate(kind, VALID[kind], PERSON)
    assert sub.kind == kind and sub.email == "ana@example.org" and sub.consent is False
    assert sub.title == VALID[kind]["title"]


def test_structured_fields_map_onto_item_fields() -> None:
    event = validate("event", VALID["event"], PERSON).item_fields()
    assert event["event_start"] == datetime(2027, 3, 10, 8, 0, tzinfo=UTC)
    assert event["event_end"] == datetime(2027, 3, 11, tzinfo=UTC)
    assert event["place"] == {"name": "City hall", "city": "Lyon", "country": "FR", "online": True}
    funding = validate("funding", VALID["funding"], PERSON).item_fields()
    assert funding == {
        "deadline": datetime(2027, 1, 31, tzinfo=UTC),
        "programme": "AMIF",
        "call_id": "AMIF-2027-INTEG",
    }
    assert validate("good_practice", GOOD_PRACTICE, PERSON).fields["links"] == [
        "https://example.org/gp",
        "https://example.org/gp2",
    ]


BAD: list[tuple[str, str, dict, dict, bytes | None, str]] = [
    ("unknown kind", "poem", {}, PERSON, None, "kind"),
    ("no title", "news", {"summary": "x"}, PERSON, None, "title"),
    ("blank title", "news", {"title": "  ", "summary": "x"}, PERSON, None, "title"),
    ("title only markup", "news", {"title": "<script>x</script>", "summary": "x"}, PERSON, None, "title"),
    ("title too long", "news", {"title": "t" * 301, "summary": "x"}, PERSON, None, "title"),
    ("javascript link", "news", {**VALID["news"], "link": "javascript:alert(1)"}, PERSON, None, "link"),
    ("relative link", "news", {**VALID["news"], "link": "/page"}, PERSON, None, "link"),
    ("event without start", "event", {"title": "t", "summary": "s"}, PERSON, None, "event_start"),
    (
        "event bad date",
        "event",
        {**VALID["event"], "event_start": "next Tuesday"},
        PERSON,
        None,
        "event_start",
    ),
    ("end before start", "event", {**VALID["event"], "event_end": "2027-03-01"}, PERSON, None, "event_end"),
    ("funding no deadline", "funding", {"title": "t", "summary": "s"}, PERSON, None, "deadline"),
    ("document without link or pdf", "document", {"title": "t", "summary": "s"}, PERSON, None, "link"),
    ("unknown field", "news", {**VALID["news"], "price": "1"}, PERSON, None, "fields"),
    ("field as object", "news", {**VALID["news"], "summary": {"a": 1}}, PERSON, None, "summary"),
    ("gp without aims", "good_practice", {**GOOD_PRACTICE, "aims": ""}, PERSON, None, "aims"),
    ("gp bad link", "good_practice", {**GOOD_PRACTICE, "links": "ftp://x"}, PERSON, None, "links"),
    ("no email", "news", VALID["news"], {"name": "A"}, None, "email"),
    ("bad email", "news", VALID["news"], {"name": "A", "email": "a@b"}, None, "email"),
    ("markup email", "news", VALID["news"], {"name": "A", "email": "<a@b.org>"}, None, "email"),
    ("no name", "news", VALID["news"], {"email": "a@b.org"}, None, "name"),
    ("bad country", "news", VALID["news"], {**PERSON, "country": "Spain"}, None, "country"),
    ("unknown country code", "news", VALID["news"], {**PERSON, "country": "ZZ"}, None, "country"),
    ("Greece as EL", "news", VALID["news"], {**PERSON, "country": "el"}, None, "country"),
    ("United Kingdom as UK", "news", VALID["news"], {**PERSON, "country": "UK"}, None, "country"),
    ("bad language", "news", VALID["news"], {**PERSON, "language": "english"}, None, "language"),
    ("pdf too large", "document", VALID["news"], PERSON, b"%PDF-1.4" + b"0" * MAX_PDF_BYTES, "pdf"),
    ("not a pdf", "document", VALID["news"], PERSON, b"MZ\x90\x00 an executable", "pdf"),
]


@pytest.mark.parametrize(
    ("kind", "fields", "person", "pdf", "field"), [b[1:] for b in BAD], ids=[b[0] for b in BAD]
)
def test_bad_input_names_the_field(kind, fields, person, pdf, field) -> None:
    with pytest.raises(SubmissionInvalid) as raised:
        validate(kind, fields, person, pdf)
    assert field in raised.value.errors, raised.value.errors


HOSTILE = [
    ("<script>alert(1)</script>Plain", "Plain"),
    ('<img src=x onerror="alert(1)">Plain', "Plain"),
    ("<b>Plain</b>", "Plain"),
    ("&lt;script&gt;Plain", "scriptPlain"),
    ("Plain\x00\x1b", "Plain"),
    ('<a href="javascript:alert(1)">Plain</a>', "Plain"),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("hostile", "plain"), HOSTILE)
def test_every_text_field_is_made_plain(kind: str, hostile: str, plain: str) -> None:
    """Rule: every text field of every kind, and the contributor's, keeps its text and loses markup."""
    fields = dict(VALID[kind])
    text_specs = [s for s in kind_fields(kind) if s.type in ("text", "textarea") and s.max_chars >= 100]
    for spec in text_specs:
        fields[spec.id] = hostile
    person = {**PERSON, "name": hostile, "organisation": hostile}
    sub = validate(kind, fields, person)
    for spec in text_specs:
        assert sub.fields[spec.id] == plain
    assert sub.name == plain and sub.organisation == plain
    assert all("<" not in str(v) for v in sub.fields.values())


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Report \u202egnp.exe", "Report exe.png"),  # right-to-left override: kept as it read
        ("\u2066isolate\u2069d", "isolated"),  # isolates
        ("a\u200fb\u200ec", "abc"),  # RLM, LRM
        ("&#x202E;entity", "ytitne"),  # the override written as an entity
        ("<b>\u202atitle</b>", "title"),  # embedding inside markup
    ],
)
def test_plain_text_drops_bidirectional_controls(value: str, expected: str) -> None:
    assert plain_text(value) == expected


def test_plain_text_keeps_ordinary_punctuation() -> None:
    assert plain_text("Rights & duties: 5 > 3") == "Rights & duties: 5  3"
    assert plain_text("Café für Zuwanderer") == "Café für Zuwanderer"


def test_template_and_criteria_have_every_interface_language() -> None:
    ids = [f.id for f in good_practice_fields()]
    assert ids[:4] == ["title", "country", "region", "organisation"]
    assert {"target_group", "themes", "duration", "funding_source", "aims", "activities", "results"} <= set(
        ids
    )
    assert {"transferability", "contact", "links"} <= set(ids)
    assert all(set(f.labels) == set(LANGUAGES) for f in good_practice_fields())
    assert good_practice_fields()[0].label("de") == "Titel"
    assert len(criteria()) >= 5 and all(set(LANGUAGES) <= set(c) for c in criteria())


# --- API and form into the queue --------------------------------------------------------------------


@pytest.fixture
def submit_app(app, db_url):
    app.state.intake = partial(accept, database_url=db_url)
    return app


@pytest.fixture
def token(Session) -> str:
    with Session() as s:
        value, _ = tokens.add_token(s, "portal", scopes=("submit",))
        s.commit()
    return value


def _counts(Session) -> tuple[int, int]:
    with Session() as s:
        return (
            s.scalar(select(func.count()).select_from(SubmissionRow)) or 0,
            s.scalar(select(func.count()).select_from(Item)) or 0,
        )


def _post(client, token: str, kind: str, fields: dict, person: dict = PERSON, **extra):
    body = {"kind": kind, "fields": fields, "contributor": {**person, "consent": True}, **extra}
    return client.post("/api/v1/submissions", json=body, headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("kind", ["news", "event", "funding", "good_practice"])
def test_api_queues_every_kind_as_a_pending_item(submit_app, Session, token, kind) -> None:
    client = client_for(submit_app)
    answer = _post(client, token, kind, VALID[kind])
    assert answer.status_code == 201, answer.text
    data = answer.json()
    assert data["outcome"] == "new" and data["item_id"]
    with Session() as s:
        item = s.get(Item, data["item_id"])
        assert item.status == "pending" and item.source_id == "submissions"
        assert item.content_type == kind and item.title == VALID[kind]["title"]
        assert item.language == "en" and item.relevance is not None and item.identity
        sub = s.get(SubmissionRow, data["id"])
        assert sub.email == "ana@example.org" and sub.consent is True and sub.item_id == item.id
        if kind == "funding":
            assert item.deadline == datetime(2027, 1, 31, tzinfo=UTC)
            assert item.record["structured"]["call_id"] == "AMIF-2027-INTEG"
        if kind == "event":
            assert item.record["structured"]["place"]["city"] == "Lyon"


@SQLITE_ONLY
def test_api_needs_a_token_with_the_submit_scope(submit_app, Session) -> None:
    with Session() as s:
        reader, _ = tokens.add_token(s, "reader")
        s.commit()
    client = client_for(submit_app)
    assert _post(client, "ewsi_unknown", "news", VALID["news"]).status_code == 401
    assert _post(client, reader, "news", VALID["news"]).status_code == 403
    assert _counts(Session) == (0, 0)


API_BAD = [b for b in BAD if b[0] not in ("pdf too large", "not a pdf")]


@SQLITE_ONLY
@pytest.mark.parametrize(("kind", "fields", "person", "field"), [(b[1], b[2], b[3], b[5]) for b in API_BAD])
def test_api_refuses_bad_input_and_stores_nothing(
    submit_app,
    Session,
    token,
    kind,
    fields,
    person,
    field,
) -> None:
    answer = _post(client_for(submit_app), token, kind, fields, person)
    assert answer.status_code == 422
    assert field in answer.json()["errors"]
    assert _counts(Session) == (0, 0)


@SQLITE_ONLY
def test_api_refuses_a_50_mb_upload_before_reading_it(submit_app, Session, token) -> None:
    pdf = base64.b64encode(b"%PDF-1.4\n" + b"0" * (50 * 1024 * 1024)).decode()
    answer = _post(client_for(submit_app), token, "document", VALID["news"], pdf_base64=pdf)
    assert answer.status_code == 413
    assert _counts(Session) == (0, 0)


@pytest.mark.slow
@SQLITE_ONLY
def test_one_address_100_times_a_minute_is_limited(submit_app, Session, token) -> None:
    client = client_for(submit_app, "203.0.113.9")
    codes = [
        _post(client, token, "news", {**VALID["news"], "title": f"News {n}"}).status_code for n in range(100)
    ]
    assert codes.count(201) == 5 and codes.count(429) == 95
    assert _counts(Session) == (5, 5)


@pytest.mark.slow
@SQLITE_ONLY
def test_one_email_from_many_addresses_is_limited(submit_app, Session, token) -> None:
    codes = [
        _post(
            client_for(submit_app, f"203.0.113.{n}"), token, "news", {**VALID["news"], "title": f"N {n}"}
        ).status_code
        for n in range(1, 15)
    ]
    assert codes.count(201) == 10 and codes.count(429) == 4


def test_a_submitted_link_already_harvested_joins_its_item(submit_app, Session, token) -> None:
    with Session() as s:
        add_source(s, "src-a", "Source A")
        identity = "url:example.org/news/1"
        harvested = add_item(
            s, 1, url="https://example.org/news/1", identity=identity, identity_hash=sha256_hex(identity)
        )
        s.commit()
        harvested_id = harvested.id
    fields = {**VALID["news"], "link": "https://www.example.org/news/1/?utm_source=x"}
    answer = _post(client_for(submit_app), token, "news", fields)
    assert answer.status_code == 201
    assert answer.json() == {"id": answer.json()["id"], "item_id": harvested_id, "outcome": "duplicate"}
    assert _counts(Session) == (1, 1)


# --- the public form ----------------------------------------------------------------------------------


def _form_token(client, kind: str = "event") -> str:
    page = client.get(f"/submit?kind={kind}&lang=fr")
    assert page.status_code == 200
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


@SQLITE_ONLY
def test_form_lists_criteria_and_the_template_in_the_chosen_language(submit_app) -> None:
    page = client_for(submit_app).get("/submit?kind=good_practice&lang=de")
    assert "Übertragbarkeit" in page.text and "Zielgruppe" in page.text
    assert criteria()[0]["de"] in page.text


@SQLITE_ONLY
@pytest.mark.parametrize("kind", KINDS)
def test_form_queues_every_kind(submit_app, Session, kind) -> None:
    client = client_for(submit_app)
    form = {
        "kind": kind,
        "csrf_token": _form_token(client, kind),
        **VALID[kind],
        **FORM_PERSON,
        "contributor_consent": "1",
    }
    files = {"pdf": ("doc.pdf", SMALL_PDF, "application/pdf")} if kind == "document" else None
    answer = client.post("/submit", data=form, files=files, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/submit/thanks"
    assert _counts(Session) == (1, 1)


@SQLITE_ONLY
def test_form_without_csrf_token_is_refused(submit_app, Session) -> None:
    client = client_for(submit_app)
    _form_token(client)
    answer = client.post(
        "/submit", data={"kind": "news", **VALID["news"], **FORM_PERSON}, follow_redirects=False
    )
    assert answer.status_code == 403
    assert _counts(Session) == (0, 0)


@SQLITE_ONLY
def test_form_honeypot_looks_accepted_and_stores_nothing(submit_app, Session) -> None:
    client = client_for(submit_app)
    form = {
        "kind": "news",
        "csrf_token": _form_token(client),
        "website": "http://spam",
        **VALID["news"],
        **FORM_PERSON,
    }
    answer = client.post("/submit", data=form, follow_redirects=False)
    assert answer.status_code == 303
    assert _counts(Session) == (0, 0)


@SQLITE_ONLY
def test_form_shows_errors_and_keeps_what_was_typed(submit_app, Session) -> None:
    client = client_for(submit_app)
    form = {
        "kind": "event",
        "csrf_token": _form_token(client),
        "title": "Café",
        "summary": "<b>s</b>",
        **FORM_PERSON,
    }
    answer = client.post("/submit", data=form, follow_redirects=False)
    assert answer.status_code == 400
    assert "event_start: required" in answer.text and 'value="Café"' in answer.text
    assert "<b>s</b>" not in answer.text
    assert _counts(Session) == (0, 0)


# --- contributors -------------------------------------------------------------------------------------


@SQLITE_ONLY
def test_report_counts_and_forget_keeps_the_content(submit_app, Session, token) -> None:
    client = client_for(submit_app)
    ids = [
        _post(client, token, "news", {**VALID["news"], "title": f"N {n}"}).json()["item_id"] for n in range(3)
    ]
    with Session() as s:
        s.get(Item, ids[0]).status = "approved"
        s.commit()
        year = datetime.now(UTC).year
        report = store.contributors_report(s, year)
        assert [(r["name"], r["submitted"], r["published"]) for r in report] == [("Ana Ruiz", 3, 1)]
        assert store.credits(s, ids[:1]) == {ids[0]: [{"name": "Ana Ruiz", "organisation": "Red Acoge"}]}
        assert store.forget(s, "ANA@example.org") == 3
        s.commit()
        assert store.credits(s, ids) == {}
        assert store.contributors_report(s, year)[0]["submitted"] == 3
        assert s.get(Item, ids[0]).title == "N 0"
        assert s.scalar(select(func.count()).where(SubmissionRow.email.is_not(None))) == 0


@SQLITE_ONLY
def test_contributors_cli_report_and_forget(submit_app, db_url, token, capsys) -> None:
    from crawler.cli import main

    client = client_for(submit_app)
    for n in range(2):
        assert _post(client, token, "news", {**VALID["news"], "title": f"N {n}"}).status_code == 201
    year = str(datetime.now(UTC).year)
    assert main(["contributors", "--database-url", db_url, "report", "--year", year, "--csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "name,organisation,country,consent,submitted,published",
        "Ana Ruiz,Red Acoge,ES,True,2,0",
    ]
    assert "example.org" not in out
    assert main(["contributors", "--database-url", db_url, "forget", "ana@example.org"]) == 0
    assert main(["contributors", "--database-url", db_url, "forget", "ana@example.org"]) == 0
    assert main(["contributors", "--database-url", db_url, "forget", "nobody@example.org"]) == 1
    assert main(["contributors", "--database-url", db_url, "report", "--year", year]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["name", "organisation", "country", "consent", "submitted", "published"]
    assert table[1].split() == ["-", "-", "ES", "False", "2", "0"]


@SQLITE_ONLY
def test_consenting_contributors_are_credited_on_the_published_item(submit_app, Session, token) -> None:
    client = client_for(submit_app)
    answer = _post(client, token, "news", VALID["news"])
    item_id = answer.json()["item_id"]
    assert client.get(f"/api/v1/items/{item_id}").status_code == 404  # pending: not public
    with Session() as s:
        s.get(Item, item_id).status = "approved"
        s.get(Item, item_id).approved_at = datetime.now(UTC)
        s.commit()
    detail = client.get(f"/api/v1/items/{item_id}")
    assert detail.status_code == 200, detail.text
    assert detail.json()["contributors"] == [{"name": "Ana Ruiz", "organisation": "Red Acoge"}]
    assert "example.org" not in detail.text.replace("https://example.org", "")
    assert "ana@" not in detail.text.lower()


@SQLITE_ONLY
def test_desk_item_shows_the_contributor_and_the_criteria(submit_app, Session, token) -> None:
    item_id = _post(client_for(submit_app, "203.0.113.50"), token, "event", VALID["event"]).json()["item_id"]
    page = editor_client(submit_app, Session).get(f"/items/{item_id}")
    assert page.status_code == 200
    assert "Ana Ruiz" in page.text and "ana@example.org" in page.text and "(credit consented)" in page.text
    assert criteria()[0]["en"] in page.text


# --- the form's file field as a browser sends it ------------------------------------------------------


def _browser_multipart(fields: dict[str, str], pdf: tuple[str, bytes, str] | str | None) -> tuple[bytes, str]:
    """A multipart body as a browser writes it: every text field, then the file field, which a
    browser sends even when no file was chosen (``filename=""``, application/octet-stream, empty);
    `pdf` a str: the field sent as a text part of that value instead (as some clients do)."""
    boundary = "----WebKitFormBoundaryE19zNvXGzXaLvS5C"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    if isinstance(pdf, str):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="pdf"\r\n\r\n{pdf}\r\n'.encode())
        return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"
    filename, content, media_type = pdf or ("", b"", "application/octet-stream")
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="pdf"; filename="{filename}"\r\n'
    parts.append(f"{head}Content-Type: {media_type}\r\n\r\n".encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


# (kind, the file part or None for "no file chosen", status, the error shown or "")
BROWSER_FILE_CASES = [
    *[(kind, None, 303, "") for kind in KINDS],
    *[(kind, "", 303, "") for kind in KINDS],
    ("news", "report.pdf", 400, "pdf: a PDF must be sent as a file"),
    ("document", ("report.pdf", SMALL_PDF, "application/pdf"), 303, ""),
    ("news", ("notes.txt", b"plain words", "text/plain"), 400, "pdf: not a PDF file"),
    ("event", ("empty.pdf", b"", "application/pdf"), 400, "pdf: not a PDF file"),
]


@SQLITE_ONLY
@pytest.mark.parametrize(("kind", "pdf", "status", "shown"), BROWSER_FILE_CASES)
def test_form_sent_by_a_browser_without_a_file_is_accepted(
    submit_app, Session, kind: str, pdf: tuple[str, bytes, str] | str | None, status: int, shown: str
) -> None:
    """Rule: an empty file field (no file name, no content) is no file, for every kind; a file that
    was chosen is validated as a PDF, and the field is never taken for one of the kind's fields."""
    client = client_for(submit_app)
    form = {"kind": kind, "csrf_token": _form_token(client, kind), **VALID[kind], **FORM_PERSON}
    body, content_type = _browser_multipart(form, pdf)
    answer = client.post(
        "/submit", content=body, headers={"Content-Type": content_type}, follow_redirects=False
    )
    assert answer.status_code == status, answer.text
    assert "unknown field" not in answer.text
    if status == 303:
        assert answer.headers["location"] == "/submit/thanks"
        assert _counts(Session) == (1, 1)
    else:
        assert shown in answer.text and _counts(Session) == (0, 0)


@SQLITE_ONLY
@pytest.mark.parametrize("kind", KINDS)
def test_a_pdf_for_a_kind_that_takes_none_is_refused_clearly(submit_app, Session, monkeypatch, kind) -> None:
    """Rule: a kind outside PDF_KINDS shows no file field and refuses a PDF naming ``pdf``."""
    monkeypatch.setattr("crawler.submissions.PDF_KINDS", tuple(k for k in KINDS if k != kind))
    monkeypatch.setattr("crawler.web.submit.PDF_KINDS", tuple(k for k in KINDS if k != kind))
    client = client_for(submit_app)
    token = _form_token(client, kind)
    assert 'type="file"' not in client.get(f"/submit?kind={kind}").text
    body, content_type = _browser_multipart(
        {"kind": kind, "csrf_token": token, **VALID[kind], **FORM_PERSON},
        ("a.pdf", SMALL_PDF, "application/pdf"),
    )
    answer = client.post("/submit", content=body, headers={"Content-Type": content_type})
    assert answer.status_code == 400
    assert f"pdf: a {kind.replace('_', ' ')} contribution takes no PDF" in answer.text
    assert _counts(Session) == (0, 0)
    # and without a file the same form goes through
    body, content_type = _browser_multipart(
        {"kind": kind, "csrf_token": token, **VALID[kind], **FORM_PERSON}, None
    )
    answer = client.post(
        "/submit", content=body, headers={"Content-Type": content_type}, follow_redirects=False
    )
    assert answer.status_code == 303 and _counts(Session) == (1, 1)


@pytest.mark.parametrize(
    ("link", "public"),
    [
        ("https://e.org/r", True),
        ("https://www.integration.gv.at/report.pdf", True),
        ("http://93.184.216.34/page", True),
        ("http://127.0.0.1:6379/", False),
        ("http://127.1/", False),
        ("http://2130706433/", False),  # 127.0.0.1 as one number
        ("http://0x7f.1/", False),
        ("http://[::1]/", False),
        ("http://[::ffff:10.0.0.1]/", False),
        ("http://169.254.169.254/latest/meta-data/", False),
        ("http://10.1.2.3/", False),
        ("http://192.168.0.1/admin", False),
        ("http://localhost:8000/queue", False),
        ("http://LOCALHOST./", False),
        ("http://desk.localhost/", False),
        ("http://hidden.onion/", False),
        ("http://x.invalid/", False),
    ],
)
def test_contributed_links_name_public_sites(link: str, public: bool) -> None:
    assert is_public_link(link) is public
    errors: dict[str, str] = {}
    try:
        validate("document", {**VALID["document"], "link": link}, PERSON)
    except SubmissionInvalid as exc:
        errors = exc.errors
    assert ("link" in errors) is not public


# --- a contributed deadline follows the placeholder rule (pipelines.deadlines) ---------------------
NOW = datetime(2026, 3, 20, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "deadline",
    ["9999-12-31", "9999-12-31T23:59:59", "9999-12-31T23:59:59-05:00", "2099-12-31T23:59:59+01:00",
     "0001-01-01", "1970-01-01"],
)  # fmt: skip
def test_a_contributed_placeholder_deadline_is_no_deadline(deadline: str) -> None:
    from crawler.intake import build_item

    sub = validate("funding", {**VALID["funding"], "deadline": deadline}, PERSON)
    item = build_item(sub, now=NOW)
    assert item.funding is not None and item.funding.deadlines == []
    assert item.deadline is None
    assert item.flags == ["deadline_implausible"]
    assert item.funding.call_id == "AMIF-2027-INTEG"  # the contribution is kept


def test_a_contributed_real_deadline_is_kept() -> None:
    from crawler.intake import build_item

    sub = validate("funding", {**VALID["funding"], "deadline": "2027-01-31T17:00+01:00"}, PERSON)
    item = build_item(sub, now=NOW)
    assert item.funding is not None
    assert item.funding.deadlines == [datetime(2027, 1, 31, 16, 0, tzinfo=UTC)]
    assert item.deadline == datetime(2027, 1, 31, 16, 0, tzinfo=UTC)
    assert item.flags == []


@SQLITE_ONLY
@pytest.mark.parametrize("depth", [513, 5_000, 100_000])
def test_api_refuses_json_nested_too_deep_with_its_own_reason(submit_app, Session, token, depth) -> None:
    """A body nested deeper than crawler.jsontext.MAX_DEPTH is refused as such (422), never a 500."""
    body = b'{"kind": "news", "fields": ' + b"[" * depth + b"]" * depth + b"}"
    answer = client_for(submit_app).post(
        "/api/v1/submissions",
        content=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert answer.status_code == 422
    assert "nested too deep: more than 512 levels" in answer.json()["errors"]["body"]
    assert _counts(Session) == (0, 0)
