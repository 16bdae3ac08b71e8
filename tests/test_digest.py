"""Digests (crawler.web.digest) delivered to an aiosmtpd server on loopback and checked: headers,
both parts of multipart/alternative, absolute links. Data from test_portal_api.populate."""

from __future__ import annotations

import email
import email.policy
import re
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

pytest.importorskip("aiosmtpd")
from aiosmtpd.controller import Controller
from test_portal_api import make_item, portal_db  # noqa: F401

from crawler.cli import main as ewsi
from crawler.config import Settings
from crawler.store import portal, queue
from crawler.store.schema import Item, ItemTheme
from crawler.store.session import make_engine, session_factory
from crawler.web import digest

PUBLIC = "https://portal.example.eu"


class Inbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, smtp: tuple[Inbox, int], portal_db: str) -> str:  # noqa: F811
    _, port = smtp
    for name, value in {
        "EWSI_SMTP_HOST": "127.0.0.1",
        "EWSI_SMTP_PORT": str(port),
        "EWSI_SMTP_FROM": "digest@ewsi.example.eu",
        "EWSI_DIGEST_TO": "editors@ewsi.example.eu, chief@ewsi.example.eu",
        "EWSI_PUBLIC_URL": PUBLIC + "/",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("EWSI_SMTP_STARTTLS", raising=False)
    engine = make_engine(portal_db)
    with session_factory(engine)() as session:
        session.add(ItemTheme(item_id=3, theme="Economic Participation", score=0.8, assigned=True))
        session.get(Item, 4).language = "fr"
        make_item(
            session, 20, status="pending", language="fr", title="Offre & <b>", first_seen_at=datetime.now(UTC)
        )
        session.commit()
    engine.dispose()
    return portal_db


def parts(raw: bytes) -> tuple[email.message.EmailMessage, str, str]:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    return message, plain.get_content(), html.get_content()


def links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def test_daily_digest_is_delivered(env, smtp):
    inbox, _ = smtp
    assert ewsi(["digest", "send", "--kind", "daily", "--database-url", env]) == 0
    assert len(inbox.messages) == 1
    sender, recipients, raw = inbox.messages[0]
    assert sender == "digest@ewsi.example.eu"
    assert recipients == ["editors@ewsi.example.eu", "chief@ewsi.example.eu"]
    message, text, html = parts(raw)
    assert message["From"] == "digest@ewsi.example.eu"
    assert message["To"] == "editors@ewsi.example.eu, chief@ewsi.example.eu"
    assert message["Subject"].startswith("EWSI digest ")
    assert "3 waiting, 1 source needs attention" in message["Subject"]
    assert message["Message-ID"] and message["Date"]
    # pending: item 3 (de, Economic Participation), item 4 (fr, claimed), item 20 (fr, new today)
    assert "Waiting for review: 3 items" in text
    assert re.search(r"de\s+1 / 0", text) and re.search(r"fr\s+2 / 1", text)
    assert "Economic Participation" in text and "Economic Participation" in html
    assert "src-de (broken)" in text and "src-de (broken)" in html
    assert "src-eu" not in text  # healthy ("new") sources are not listed
    hrefs = links(html)
    assert f"{PUBLIC}/queue" in hrefs and f"{PUBLIC}/sources" in hrefs
    assert f"{PUBLIC}/queue?language=fr" in hrefs
    assert f"{PUBLIC}/queue?theme=Economic+Participation" in hrefs
    assert all(h.startswith(PUBLIC + "/") for h in hrefs)
    assert f"{PUBLIC}/queue?language=fr" in text


def test_newsletter_is_delivered_with_escaped_html(env, smtp):
    inbox, _ = smtp
    argv = ["digest", "send", "--kind", "newsletter", "--database-url", env, "--to", "one@example.eu"]
    assert ewsi(argv) == 0
    _, recipients, raw = inbox.messages[0]
    assert recipients == ["one@example.eu"]
    message, text, html = parts(raw)
    assert message["Subject"].startswith("EWSI newsletter draft")
    # the week's published items (approved in the last hours) and the open call within 30 days
    assert "Published this week: 7" in text
    assert "Editor title" in text and "Harvested title" not in text
    assert "Deadline calendar: " + PUBLIC + "/feeds/funding.ics" in text
    calls = text.split("Funding deadlines in the next 30 days:")[1]
    assert "AMIF call open" in calls and "AMIF call closed" not in calls
    assert "Pending secret" not in text and "Withdrawn" not in text
    # hostile title: escaped in HTML, no live script element, no javascript: link
    assert "<script>" not in html and "&lt;/title&gt;&lt;script&gt;" in html
    hrefs = links(html)
    assert not any(h.lower().startswith("javascript:") for h in hrefs)
    assert f"{PUBLIC}/api/v1/items/11" in hrefs  # its javascript: link was replaced by the API URL
    assert "https://example.org/news/2" in hrefs
    for href in hrefs:
        assert href.startswith(("https://", "http://")), href


def test_dry_run_prints_and_sends_nothing(env, smtp, capsys):
    inbox, _ = smtp
    assert ewsi(["digest", "send", "--dry-run", "--database-url", env]) == 0
    out = capsys.readouterr().out
    assert "Subject: EWSI digest" in out and "multipart/alternative" in out
    assert inbox.messages == []


def test_missing_smtp_host_is_an_error(env, monkeypatch, capsys):
    monkeypatch.delenv("EWSI_SMTP_HOST")
    assert ewsi(["digest", "send", "--database-url", env]) == 2
    assert "EWSI_SMTP_HOST" in capsys.readouterr().err


def test_settings_from_env():
    env = {"EWSI_SMTP_HOST": "mx", "EWSI_SMTP_STARTTLS": "yes"}
    settings = digest.SmtpSettings.from_settings(Settings.from_env(env))
    assert (settings.host, settings.port, settings.starttls, settings.recipients) == ("mx", 587, True, ())
    assert digest.SmtpSettings.from_settings(Settings.from_env({})).port == 25


@pytest.mark.parametrize(
    ("kin", "expected"),
    [
        # no kin: every pending item waits (de, fr, it)
        ({}, {"de": 1, "fr": 2, "it": 1}),
        # the German and Italian items are language versions of the French one: one row
        ({21: {"version_of": 22}, 23: {"version_of": 22}}, {"fr": 2}),
        # a near-duplicate group of three shows its first item once
        ({21: {"group_id": 21}, 22: {"group_id": 21}, 23: {"group_id": 21}}, {"de": 1, "fr": 1}),
        # a decided item does not wait, whatever its kin
        ({21: {"status": "rejected"}, 23: {"version_of": 21}}, {"fr": 2}),
    ],
)
def test_the_digest_counts_what_waits_as_the_queue_lists_it(
    portal_db: str,  # noqa: F811
    kin: dict[int, dict[str, Any]],
    expected: dict[str, int],
) -> None:
    engine = make_engine(portal_db)
    now = datetime.now(UTC)
    with session_factory(engine)() as session:
        before = portal.pending_summary(session, now)["by_language"]
        for id_, language in ((20, "fr"), (21, "de"), (22, "fr"), (23, "it")):
            fields = {"status": "pending", "language": language, "first_seen_at": now, **kin.get(id_, {})}
            make_item(session, id_, **fields)
        session.flush()
        summary = portal.pending_summary(session, now)
        rows, _ = queue.queue_page(session, queue.QueueFilters.from_query({}))
    engine.dispose()
    added = {lang: n - before.get(lang, 0) for lang, n in summary["by_language"].items()}
    assert {lang: n for lang, n in added.items() if n} == expected
    assert summary["new"] == sum(expected.values())
    assert summary["total"] == len(rows)
