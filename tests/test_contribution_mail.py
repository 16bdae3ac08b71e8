"""Contributions after intake: the mail outbox (receipt, decision, request for changes) delivered to
an aiosmtpd server on loopback, the amend link, the bad-input table at the HTTP edge, and the rate
limits shared by two app instances on one PostgreSQL database."""
# ruff: noqa: F811  (fixtures are imported by name)

from __future__ import annotations

import email
import re
import socket
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import Message
from functools import partial
from typing import Any

import pytest
from sqlalchemy import select

from crawler.errors import AmendLinkInvalid
from crawler.intake import Accepted, amend
from crawler.store import outbox
from crawler.store import submissions as store
from crawler.store.schema import Item, SubmissionMailRow, SubmissionRow
from crawler.submissions import criteria
from crawler.web import amend as amend_web
from crawler.web.app import create_app
from crawler.web.contributor_mail import send_due, texts
from crawler.web.digest import SmtpSettings
from tests.desklab import (  # noqa: F401
    SQLITE_ONLY,
    Session,
    add_item,
    add_source,
    app,
    client_for,
    decide_form,
    editor_client,
    engine,
)
from tests.test_submissions import (  # noqa: F401
    FORM_PERSON,
    SMALL_PDF,
    VALID,
    _counts,
    _form_token,
    _post,
    submit_app,
    token,
)
from tests.test_worker import _deflate_stream, make_pdf

pytest.importorskip("aiosmtpd")
from aiosmtpd.controller import Controller

PUBLIC = "https://portal.ewsi.invalid"


class Inbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, SmtpSettings]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, server_hostname="localhost")
    controller.start()
    try:
        yield inbox, SmtpSettings("127.0.0.1", port, None, None, "editors@ewsi.invalid", (), False)
    finally:
        controller.stop()


@pytest.fixture
def mail_app(submit_app, db_url):
    submit_app.state.amend = partial(amend, database_url=db_url)
    return submit_app


def body_of(message: Message) -> str:
    part = message.get_payload(decode=True)
    assert isinstance(part, bytes)
    return part.decode(message.get_content_charset() or "utf-8")


def deliver(Session, smtp_settings: SmtpSettings, now: datetime | None = None) -> dict[str, int]:
    return send_due(Session, smtp_settings, PUBLIC, now=now)


# --- receipt and decision --------------------------------------------------------------------------


RECEIPT_SUBJECTS = [
    (None, "Your contribution was received: Integration conference"),
    ("en", "Your contribution was received: Integration conference"),
    ("fr", "Votre contribution a été reçue : Integration conference"),
    ("de", "Ihr Beitrag ist eingegangen: Integration conference"),
    ("es", "Your contribution was received: Integration conference"),  # not a portal language: en
]


@SQLITE_ONLY
def test_receipt_in_the_contribution_language(mail_app, Session, token, smtp) -> None:
    """Table `RECEIPT_SUBJECTS`: the receipt's language is the contribution's, English otherwise."""
    inbox, settings = smtp
    for n, (language, _) in enumerate(RECEIPT_SUBJECTS):
        person = {
            "name": "Ana Ruiz",
            "email": f"Ana{n}@Example.org",
            **({"language": language} if language else {}),
        }
        client = client_for(mail_app, f"192.0.2.{n + 1}")
        assert _post(client, token, "event", VALID["event"], person).status_code == 201
    assert deliver(Session, settings) == {"sent": len(RECEIPT_SUBJECTS), "failed": 0, "dropped": 0}
    got = sorted((rcpt, m["To"], m["Subject"], "Ana Ruiz" in body_of(m)) for rcpt, m in inbox.messages)
    expected = [
        ([f"ana{n}@example.org"], f"ana{n}@example.org", subject, True)
        for n, (_, subject) in enumerate(RECEIPT_SUBJECTS)
    ]
    assert got == expected
    assert deliver(Session, settings) == {"sent": 0, "failed": 0, "dropped": 0}  # sent once


REJECTIONS = [
    ("current", "out of date", "en", criteria()[2]["en"]),
    ("current", "out of date", "de", criteria()[2]["de"]),
    ("respectful", "other", "fr", criteria()[4]["fr"]),
    ("", "duplicate", "en", "the portal already publishes the same information."),
    ("", "not relevant", "fr", "elle ne concerne pas l'intégration des migrants."),
]


@SQLITE_ONLY
def test_rejection_mail_names_the_chosen_criterion(mail_app, Session, token, smtp) -> None:
    """Table `REJECTIONS`: (criterion chosen, desk reason, language) -> the reason the mail gives."""
    inbox, settings = smtp
    editor = editor_client(mail_app, Session)
    for n, (criterion, reason, language, _) in enumerate(REJECTIONS):
        person = {"name": "Ana Ruiz", "email": f"ana{n}@example.org", "language": language}
        news = {**VALID["news"], "title": f"News {n}"}
        item_id = _post(client_for(mail_app, f"192.0.2.{n + 1}"), token, "news", news, person).json()[
            "item_id"
        ]
        form = decide_form(editor, item_id, "reject", reason=reason, criterion=criterion)
        assert editor.post(f"/items/{item_id}/decide", data=form, follow_redirects=False).status_code == 303
    assert deliver(Session, settings)["sent"] == 2 * len(REJECTIONS)
    for n, (_, _, language, expected) in enumerate(REJECTIONS):
        [message] = [
            m
            for _, m in inbox.messages
            if m["To"] == f"ana{n}@example.org" and expected in " ".join(body_of(m).split())
        ]
        assert message["Subject"] == texts()["rejected"][language]["subject"].replace("$title", f"News {n}")


@SQLITE_ONLY
def test_unknown_criterion_is_refused_and_nothing_is_queued(mail_app, Session, token) -> None:
    item_id = _post(client_for(mail_app), token, "news", VALID["news"]).json()["item_id"]
    editor = editor_client(mail_app, Session)
    form = decide_form(editor, item_id, "reject", reason="other", criterion="<script>")
    assert editor.post(f"/items/{item_id}/decide", data=form).status_code == 400
    with Session() as s:
        assert [m.kind for m in s.scalars(select(SubmissionMailRow))] == ["receipt"]
        assert s.get(Item, item_id).status == "pending"


def test_approval_mails_the_contributor_once_and_harvested_items_none(mail_app, Session, token, smtp) -> None:
    inbox, settings = smtp
    item_id = _post(client_for(mail_app), token, "event", VALID["event"]).json()["item_id"]
    with Session() as s:
        add_source(s, "src-a")
        harvested = add_item(s, 1).id
        s.commit()
    editor = editor_client(mail_app, Session)
    for target in (item_id, harvested):
        form = decide_form(editor, target, "approve")
        assert editor.post(f"/items/{target}/decide", data=form, follow_redirects=False).status_code == 303
    form = decide_form(editor, item_id, "edit", editor_title="Edited title")  # not a new decision
    assert editor.post(f"/items/{item_id}/decide", data=form, follow_redirects=False).status_code == 303
    assert deliver(Session, settings)["sent"] == 2
    subjects = [m["Subject"] for _, m in inbox.messages]
    assert subjects == [
        "Your contribution was received: Integration conference",
        "Your contribution was published: Integration conference",
    ]
    assert f"{PUBLIC}/api/v1/items/{item_id}" in body_of(inbox.messages[1][1])


# --- the outbox keeps what fails ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attempts", "minutes"), [(1, 1), (2, 2), (3, 4), (6, 32), (9, 256), (10, 360), (50, 360)]
)
def test_retry_delay_doubles_up_to_six_hours(attempts: int, minutes: int) -> None:
    assert outbox.retry_delay(attempts) == timedelta(minutes=minutes)


@SQLITE_ONLY
def test_a_mail_that_fails_is_kept_and_sent_later(mail_app, Session, token, smtp) -> None:
    inbox, settings = smtp
    assert _post(client_for(mail_app), token, "news", VALID["news"]).status_code == 201
    down = SmtpSettings("127.0.0.1", free_port(), None, None, settings.sender, (), False)  # nobody listens
    now = datetime.now(UTC)
    assert deliver(Session, down, now) == {"sent": 0, "failed": 1, "dropped": 0}
    with Session() as s:
        [mail] = s.scalars(select(SubmissionMailRow)).all()
        assert mail.status == "pending" and mail.attempts == 1 and "Connection" in (mail.last_error or "")
        assert mail.next_attempt_at == now + timedelta(minutes=1)
        assert outbox.counts(s) == {"pending": 1, "sent": 0, "dropped": 0, "failing": 1}
    assert deliver(Session, settings, now + timedelta(seconds=30)) == {"sent": 0, "failed": 0, "dropped": 0}
    assert deliver(Session, settings, now + timedelta(minutes=1)) == {"sent": 1, "failed": 0, "dropped": 0}
    assert len(inbox.messages) == 1
    with Session() as s:
        assert outbox.counts(s) == {"pending": 0, "sent": 1, "dropped": 0, "failing": 0}


@SQLITE_ONLY
def test_a_claimed_mail_is_not_sent_by_a_second_sender(mail_app, Session, token) -> None:
    assert _post(client_for(mail_app), token, "news", VALID["news"]).status_code == 201
    now = datetime.now(UTC)
    with Session() as s:
        assert len(outbox.claim_due(s, now)) == 1
        s.commit()
    with Session() as s:
        assert outbox.claim_due(s, now) == []  # leased
        assert len(outbox.claim_due(s, now + outbox.LEASE)) == 1  # a killed sender's mail comes back


@SQLITE_ONLY
def test_forgotten_contributor_gets_no_mail(mail_app, Session, token, smtp) -> None:
    inbox, settings = smtp
    assert _post(client_for(mail_app), token, "news", VALID["news"]).status_code == 201
    with Session() as s:
        store.forget(s, "ana@example.org")
        s.commit()
    assert deliver(Session, settings) == {"sent": 0, "failed": 0, "dropped": 1}
    assert inbox.messages == []


@SQLITE_ONLY
def test_mail_cli_sends_and_reports(mail_app, Session, token, smtp, db_url, monkeypatch, capsys) -> None:
    from crawler.cli import main

    inbox, settings = smtp
    assert _post(client_for(mail_app), token, "news", VALID["news"]).status_code == 201
    monkeypatch.delenv("EWSI_SMTP_HOST", raising=False)
    assert main(["mail", "--database-url", db_url, "send"]) == 2
    monkeypatch.setenv("EWSI_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("EWSI_SMTP_PORT", str(settings.port))
    assert main(["mail", "--database-url", db_url, "status"]) == 0
    assert "pending 1  sent 0" in capsys.readouterr().out
    assert main(["mail", "--database-url", db_url, "send"]) == 0
    assert "sent 1, failed 0" in capsys.readouterr().out
    assert len(inbox.messages) == 1


# --- ask for changes --------------------------------------------------------------------------------


def _ask(editor, item_id: int, message: str = "Please add the venue's address.") -> Any:
    form = decide_form(editor, item_id, "")
    form.pop("action")
    return editor.post(
        f"/items/{item_id}/ask-changes", data={**form, "message": message}, follow_redirects=False
    )


def _amend_link(Session, settings, inbox) -> str:
    assert deliver(Session, settings)["sent"] >= 1
    body = body_of(inbox.messages[-1][1])
    link = re.search(r"https?://\S+?(/submit/amend/[A-Za-z0-9._-]+)", body)
    assert link, body
    return link.group(1)


@SQLITE_ONLY
def test_ask_for_changes_then_amend_returns_the_item_to_the_queue(mail_app, Session, token, smtp) -> None:
    inbox, settings = smtp
    item_id = _post(client_for(mail_app), token, "event", VALID["event"]).json()["item_id"]
    editor = editor_client(mail_app, Session)
    assert _ask(editor, item_id).status_code == 303
    with Session() as s:
        assert s.get(Item, item_id).status == "deferred"
    path = _amend_link(Session, settings, inbox)
    assert inbox.messages[-1][1]["Subject"] == "Please complete your contribution: Integration conference"
    contributor = client_for(mail_app, "192.0.2.44")
    page = contributor.get(path)
    assert (
        page.status_code == 200 and "Please add the venue" in page.text and 'value="City hall"' in page.text
    )
    assert "contributor_email" not in page.text and "ana@example.org" not in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    fields = {**VALID["event"], "place_name": "Hôtel de ville, 1 place de la Comédie", "title": "<b>Conf</b>"}
    answer = contributor.post(path, data={"csrf_token": csrf, **fields}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    with Session() as s:
        item = s.get(Item, item_id)
        assert item.status == "pending" and item.title == "Conf"
        assert item.event_venue == "Hôtel de ville, 1 place de la Comédie"
        sub = s.scalars(select(SubmissionRow)).one()
        assert sub.previous_fields["place_name"] == "City hall" and sub.amend_nonce is None
    desk = editor.get(f"/items/{item_id}").text
    assert "Amended by the contributor" in desk and "place_name: City hall → Hôtel de ville" in desk
    assert contributor.get(path).status_code == 404  # used once


@SQLITE_ONLY
def test_ask_for_changes_needs_a_message_and_a_contribution(mail_app, Session, token) -> None:
    item_id = _post(client_for(mail_app), token, "news", VALID["news"]).json()["item_id"]
    with Session() as s:
        add_source(s, "src-a")
        harvested = add_item(s, 1).id
        s.commit()
    editor = editor_client(mail_app, Session)
    assert _ask(editor, item_id, "  ").status_code == 400
    assert _ask(editor, harvested).status_code == 400
    with Session() as s:
        assert s.get(Item, item_id).status == "pending"
        assert [m.kind for m in s.scalars(select(SubmissionMailRow))] == ["receipt"]


TOKENS = [
    ("tampered", lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB")),
    ("another key", lambda t: amend_web.make_token("another-secret-of-32-characters-x", 1, "n")),
    ("garbage", lambda t: "not-a-token"),
]


@SQLITE_ONLY
def test_a_forged_amend_link_shows_nothing(mail_app, Session, token, smtp) -> None:
    """Table `TOKENS`: every change to a genuine link is refused without showing the contribution."""
    inbox, settings = smtp
    item_id = _post(client_for(mail_app), token, "news", VALID["news"]).json()["item_id"]
    assert _ask(editor_client(mail_app, Session), item_id).status_code == 303
    path = _amend_link(Session, settings, inbox)
    contributor = client_for(mail_app)
    for name, change in TOKENS:
        page = contributor.get("/submit/amend/" + change(path.rsplit("/", 1)[1]))
        assert page.status_code == 404 and "New integration law" not in page.text, name
    assert contributor.get(path).status_code == 200  # the genuine one still works


def test_amend_tokens_expire() -> None:
    secret = "s" * 40
    value = amend_web.make_token(secret, 7, "abc")
    assert amend_web.read_token(secret, value) == (7, "abc")
    with pytest.raises(AmendLinkInvalid):
        amend_web.read_token(secret, value, max_age_s=-1)


@SQLITE_ONLY
def test_a_decided_or_replaced_link_no_longer_amends(mail_app, Session, token, smtp) -> None:
    inbox, settings = smtp
    item_id = _post(client_for(mail_app), token, "news", VALID["news"]).json()["item_id"]
    editor = editor_client(mail_app, Session)
    assert _ask(editor, item_id).status_code == 303
    first = _amend_link(Session, settings, inbox)
    assert _ask(editor, item_id, "And a link, please.").status_code == 303
    second = _amend_link(Session, settings, inbox)
    contributor = client_for(mail_app)
    assert contributor.get(first).status_code == 404 and contributor.get(second).status_code == 200
    form = decide_form(editor, item_id, "approve")
    assert editor.post(f"/items/{item_id}/decide", data=form, follow_redirects=False).status_code == 303
    assert contributor.get(second).status_code == 404


# --- bad input at the HTTP edge -------------------------------------------------------------------

TEXT = b"BT /F1 12 Tf 72 712 Td (Integration of migrants) Tj ET"
PDF_BOMBS = [
    ("deeply nested arrays", make_pdf(TEXT, trailer_extra=b"/X " + b"[" * 60000 + b"]" * 60000 + b" "), 422),
    (
        "decompression bomb stream",
        make_pdf(zlib.compress(_deflate_stream(160), 9), filters="/Filter [/FlateDecode /FlateDecode]"),
        422,
    ),
    ("cyclic page tree", make_pdf(TEXT).replace(b"/Kids [3 0 R]", b"/Kids [2 0 R]"), 422),
    ("a billion pages declared", make_pdf(TEXT).replace(b"/Count 1", b"/Count 999999999"), 201),
]


@SQLITE_ONLY
@pytest.mark.parametrize(("pdf", "status"), [b[1:] for b in PDF_BOMBS], ids=[b[0] for b in PDF_BOMBS])
def test_pdf_bombs_are_extracted_bounded_with_a_clear_answer(mail_app, Session, token, pdf, status) -> None:
    """Rule: a PDF the bounded worker cannot read refuses the contribution (422 naming ``pdf``,
    nothing stored); one it reads is queued with what it could read, whatever the PDF declares."""
    import base64

    started = time.monotonic()
    answer = _post(
        client_for(mail_app), token, "document", VALID["document"], pdf_base64=base64.b64encode(pdf).decode()
    )
    assert time.monotonic() - started < 20
    assert answer.status_code == status, answer.text
    if status == 422:
        assert "could not be read" in answer.json()["errors"]["pdf"]
        assert _counts(Session) == (0, 0)
    else:
        with Session() as s:
            assert "Integration of migrants" in (s.get(Item, answer.json()["item_id"]).text or "")


@SQLITE_ONLY
def test_form_refuses_a_50_mb_upload_early_and_stores_nothing(mail_app, Session) -> None:
    client = client_for(mail_app)
    form = {
        "kind": "document",
        "csrf_token": _form_token(client, "document"),
        **VALID["document"],
        **FORM_PERSON,
    }
    big = b"%PDF-1.4\n" + b"0" * (50 * 1024 * 1024)
    answer = client.post("/submit", data=form, files={"pdf": ("big.pdf", big, "application/pdf")})
    assert answer.status_code == 413 and "the PDF at most 10 MB" in answer.text
    assert _counts(Session) == (0, 0)


@SQLITE_ONLY
def test_a_post_without_content_length_is_refused(mail_app, Session) -> None:
    client = client_for(mail_app)
    token = _form_token(client, "news")

    def chunks() -> Iterator[bytes]:
        yield f"kind=news&csrf_token={token}&title=T&summary=S".encode()

    answer = client.post(
        "/submit", content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert answer.status_code == 411
    assert _counts(Session) == (0, 0)


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>Text'


@SQLITE_ONLY
def test_markup_in_every_form_field_is_stored_as_plain_text(mail_app, Session) -> None:
    """Rule: every text field of every kind's form, and the contributor's, reaches the store
    without markup, and its text is kept."""
    for n, kind in enumerate(["news", "event", "funding", "good_practice"]):
        client = client_for(mail_app, f"192.0.2.{n + 1}")
        text_fields = {
            k: f"{HOSTILE} {k}"
            for k, v in VALID[kind].items()
            if not re.match(r"^(https?:|\d{4}-|1$|[A-Z]{2}$)", v)
        }
        person = {k: f"{HOSTILE} {v}" for k, v in FORM_PERSON.items() if k != "contributor_email"}
        person["contributor_email"] = f"ana{n}@example.org"
        form = {"kind": kind, "csrf_token": _form_token(client, kind), **VALID[kind], **text_fields, **person}
        assert client.post("/submit", data=form, follow_redirects=False).status_code == 303
        with Session() as s:
            sub = s.scalars(select(SubmissionRow).where(SubmissionRow.kind == kind)).one()
            item = s.get(Item, sub.item_id)
            values = (
                item.title,
                item.summary,
                item.text,
                item.record,
                sub.fields,
                sub.name,
                sub.organisation,
            )
            stored = " ".join(str(x) for x in values)
            assert "<" not in stored and "alert" not in stored and "onerror" not in stored, kind
            assert sub.name == "Text Ana Ruiz" and item.title == "Text title"
            assert {k: sub.fields[k] for k in text_fields} == {k: f"Text {k}" for k in text_fields}


# --- rate limits across server processes ----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_two_servers_share_the_submission_limits(db_url, engine, Session, token) -> None:
    """Rule: PER_ADDRESS_PER_MINUTE (5) and PER_EMAIL_PER_HOUR (10) hold across `ewsi serve`
    processes on one PostgreSQL database (the buckets live in the database)."""
    apps = [create_app(db_url, testing=True), create_app(db_url, testing=True)]
    accepted: list[str] = []

    def intake(sub, channel: str) -> Accepted:  # the stages are not under test: keep the posts fast
        accepted.append(sub.title)
        return Accepted(len(accepted), None, "new")

    for one in apps:
        one.state.intake = intake
    clients = [client_for(one, "203.0.113.77") for one in apps]
    codes = [
        _post(clients[n % 2], token, "news", {**VALID["news"], "title": f"N {n}"}).status_code
        for n in range(8)
    ]
    assert codes == [201] * 5 + [429] * 3
    assert accepted == [f"N {n}" for n in range(5)]
    spread = [
        _post(client_for(apps[n % 2], f"198.51.100.{n}"), token, "news", {**VALID["news"], "title": f"M {n}"})
        for n in range(7)
    ]
    assert [r.status_code for r in spread] == [201] * 5 + [429] * 2  # the same email: 10 an hour
    assert int(spread[-1].headers["Retry-After"]) > 60
