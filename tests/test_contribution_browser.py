"""A contribution end to end in a real browser (Debian's headless Chromium driven by Playwright): an
event submitted through the public form, seen in the desk queue, approved, then found in
/feeds/events.ics and the portal API, with the receipt and the decision delivered to an aiosmtpd
server on loopback. Set-up as tests/test_web_browser.py (uvicorn in a thread on 127.0.0.1)."""
# ruff: noqa: F811  (fixtures are imported by name)

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial

import httpx
import pytest
from sqlalchemy import select

from crawler.intake import accept, amend
from crawler.store import users
from crawler.store.migrate import upgrade
from crawler.store.schema import SubmissionRow
from crawler.store.session import make_engine, session_factory
from crawler.web.contributor_mail import send_due
from crawler.web.passwords import hash_password
from tests.test_contribution_mail import body_of, free_port, smtp  # noqa: F401
from tests.test_web_browser import ARGS, CHROMIUM, PASSWORD, _login, sync_api

pytestmark = [pytest.mark.browser, pytest.mark.slow]

START = (datetime.now(UTC) + timedelta(days=12)).date()
TITLE = "Welcome café for newcomers in Lyon"


@pytest.fixture
def server(tmp_path) -> Iterator[tuple[str, str]]:
    import uvicorn

    from crawler.web.app import create_app

    url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    engine = make_engine(url)
    upgrade(engine=engine, revision="heads")
    with session_factory(engine)() as s:
        users.create_user(s, "alice", "editor", hash_password(PASSWORD))
        s.commit()
    engine.dispose()
    app = create_app(url)
    app.state.intake = partial(accept, database_url=url)
    app.state.amend = partial(amend, database_url=url)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", url
    server.should_exit = True
    thread.join(10)


def _send(url: str, settings, base: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        return send_due(session_factory(engine), settings, base)
    finally:
        engine.dispose()


def test_event_from_the_form_to_the_calendar_with_both_mails(server, smtp) -> None:
    base, url = server
    inbox, settings = smtp
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1200, "height": 1000})
            form = context.new_page()
            form.goto(f"{base}/submit?kind=event&lang=fr")
            form.fill('input[name="title"]', TITLE)
            form.fill('textarea[name="summary"]', "A weekly café where migrants and neighbours meet.")
            form.fill('input[name="event_start"]', START.isoformat())
            form.fill('input[name="event_end"]', (START + timedelta(days=1)).isoformat())
            form.fill('input[name="place_name"]', "Maison des associations")
            form.fill('input[name="place_city"]', "Lyon")
            form.fill('input[name="contributor_name"]', "Ana Ruiz")
            form.fill('input[name="contributor_email"]', "ana@example.org")
            form.fill('input[name="contributor_language"]', "fr")
            form.check('input[name="contributor_consent"]')
            form.click('form.submission button[type="submit"]')
            form.wait_for_url(f"{base}/submit/thanks")
            assert _send(url, settings, base)["sent"] == 1
            desk = _login(browser.new_context(), base, "alice")
            assert TITLE in desk.locator("a.title").all_inner_texts()
            desk.click(f"text={TITLE}")
            desk.wait_for_selector("#claim-banner[data-claimed='mine']")
            assert "Ana Ruiz" in desk.inner_text(".contributions")
            item_id = int(desk.url.rsplit("/", 1)[1])
            desk.keyboard.press("a")
            desk.wait_for_url("**msg=approve")  # the desk moves on to the next item (or the queue)
            desk.goto(f"{base}/items/{item_id}")
            assert desk.inner_text("#status") == "approved"
        finally:
            browser.close()
    assert _send(url, settings, base)["sent"] == 1
    calendar = httpx.get(f"{base}/feeds/events.ics")
    assert calendar.status_code == 200 and f"SUMMARY:{TITLE}" in calendar.text.replace("\r\n ", "")
    assert f"DTSTART;VALUE=DATE:{START:%Y%m%d}" in calendar.text or f"DTSTART:{START:%Y%m%d}" in calendar.text
    events = httpx.get(f"{base}/api/v1/events").json()
    [event] = [e for e in events["items"] if e["id"] == item_id]
    assert event["title"] == TITLE and event["place"]["city"] == "Lyon"
    detail = httpx.get(f"{base}/api/v1/items/{item_id}")
    assert detail.json()["contributors"] == [{"name": "Ana Ruiz", "organisation": None}]
    assert "ana@example.org" not in calendar.text + detail.text + httpx.get(f"{base}/api/v1/events").text
    subjects = [message["Subject"] for _, message in inbox.messages]
    assert subjects == [
        f"Votre contribution a été reçue : {TITLE}",
        f"Votre contribution a été publiée : {TITLE}",
    ]
    assert all(rcpt == ["ana@example.org"] for rcpt, _ in inbox.messages)
    assert f"{base}/api/v1/items/{item_id}" in body_of(inbox.messages[1][1])


# (kind, the fields typed; no file is chosen in any of them)
NO_FILE_FORMS = [
    ("news", {"title": "New integration law", "summary": "Parliament passed a law on integration."}),
    (
        "document",
        {"title": "Annual report", "summary": "Report on migrant integration.", "link": "https://e.org/r"},
    ),
    (
        "funding",
        {"title": "AMIF call", "summary": "A call for integration projects.", "deadline": "2031-01-31"},
    ),
]


def test_the_form_is_sent_without_a_file_for_every_kind(server) -> None:
    """Rule: the empty file part a browser sends when no file was chosen is no file: the form goes
    through for each kind, and the request really carried that part."""
    base, url = server
    engine = make_engine(url)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_context().new_page()
            bodies: list[bytes] = []
            page.on(
                "request", lambda r: bodies.append(r.post_data_buffer or b"") if r.method == "POST" else None
            )
            for n, (kind, fields) in enumerate(NO_FILE_FORMS):
                page.goto(f"{base}/submit?kind={kind}&lang=en")
                for name, value in fields.items():
                    page.fill(f'[name="{name}"]', value)
                page.fill('input[name="contributor_name"]', "Ana Ruiz")
                page.fill('input[name="contributor_email"]', f"ana{n}@example.org")
                page.click('form.submission button[type="submit"]')
                page.wait_for_url(f"{base}/submit/thanks")
                assert b'name="pdf"; filename=""' in bodies[-1], kind
        finally:
            browser.close()
    try:
        with session_factory(engine)() as s:
            assert sorted(s.scalars(select(SubmissionRow.kind))) == sorted(k for k, _ in NO_FILE_FORMS)
    finally:
        engine.dispose()
