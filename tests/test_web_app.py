"""The app's error handling (crawler.web.app): a database outage is a 503 and loses nothing (T35).

Runs on SQLite and PostgreSQL (`db_url`); HTTP goes through FastAPI's TestClient over
``https://testserver`` so the ``Secure`` session cookie is sent back (tests/desklab.py).
"""

from __future__ import annotations

import contextlib
import socket
import threading

import pytest
from desklab import SQLITE_ONLY, client_for, decide_form, editor_client
from sqlalchemy import func, select

from crawler.store.schema import (
    Item,
    ReviewDecision,
)
from crawler.web.app import create_app

# --- T35 database outage (PostgreSQL through a proxy the test can cut) ----------------------------


class CuttableProxy:
    """A TCP forwarder from 127.0.0.1:<port> to the database; `cut()` refuses and drops connections."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.up = False
        for s in self.conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self.conns.clear()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_t35_approve_during_outage_then_double_submit(db_url, engine, Session, seeded) -> None:
    from sqlalchemy.engine import make_url

    if not db_url.startswith("postgresql"):
        pytest.skip("T35 cuts a PostgreSQL connection")
    url = make_url(db_url)
    proxy = CuttableProxy((url.host or "127.0.0.1", url.port or 5432))
    try:
        app = create_app(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
        alice = editor_client(app, Session)
        form = decide_form(alice, seeded[0], "approve")
        proxy.cut()
        down = alice.post(f"/items/{seeded[0]}/decide", data=form, follow_redirects=False)
        assert down.status_code == 503 and down.headers["retry-after"] == "30"
        assert "Nothing was saved" in down.text
        with Session() as s:
            assert s.get(Item, seeded[0]).status == "pending"
        proxy.restore()
        results: list[int] = []
        threads = [
            threading.Thread(
                target=lambda: results.append(
                    alice.post(f"/items/{seeded[0]}/decide", data=form, follow_redirects=False).status_code
                )
            )
            for _ in range(2)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(results) == [303, 303]
        with Session() as s:
            assert s.scalar(select(func.count()).select_from(ReviewDecision)) == 1
            assert s.get(Item, seeded[0]).status == "approved"
    finally:
        proxy.close()


# (path, status) of feed requests the served app answers as plain text
SERVED_FEED_ERRORS = [
    ("/feeds/atom?theme=%ff", 400),
    ("/feeds/theme/zzz.atom", 404),
    ("/feeds/country/XX.atom", 404),
    ("/feeds/nothing-here", 404),
    ("/feeds/atom?country=" + "X" * 9, 400),
]


@pytest.mark.parametrize(("path", "status"), SERVED_FEED_ERRORS)
def test_served_feeds_answer_errors_as_plain_text(app, path: str, status: int) -> None:
    """Rule: in the served app too, a feed reader never gets the desk's HTML error page."""
    from desklab import client_for

    answer = client_for(app).get(path)
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("text/plain")
    assert answer.text.startswith(f"{status} ") and "<" not in answer.text


@SQLITE_ONLY
def test_favicon_is_no_404(app) -> None:
    """Rule: /favicon.ico answers 204 (cached), without a login; the pages name the SVG icon, served."""
    client = client_for(app)
    for method in ("GET", "HEAD"):
        r = client.request(method, "/favicon.ico")
        assert (r.status_code, r.content) == (204, b""), method
        assert "max-age=" in r.headers["cache-control"]
    login = client.get("/login").text
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in login
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
