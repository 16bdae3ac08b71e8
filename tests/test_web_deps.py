"""The request edge of the desk (crawler.web.deps): ids and revisions beyond the database's range.

Runs on SQLite and PostgreSQL (`db_url`); HTTP goes through FastAPI's TestClient over
``https://testserver`` so the ``Secure`` session cookie is sent back (tests/desklab.py).
"""

from __future__ import annotations

from desklab import csrf_of, editor_client
from sqlalchemy import func, select

from crawler.store.schema import (
    Item,
    ReviewDecision,
    User,
)

# --- request edges: huge numbers, control characters, reasons, dates, bidi --------------------------

BIG = "99999999999999999999999"
TOP = str(2**63 - 1)
"""The largest id a request may name (signed 64-bit); one more is refused at the edge."""


def test_huge_ids_and_revisions_are_refused_not_500(app, Session, seeded) -> None:
    """Every desk route that takes an integer from the request bounds it to 1..2**63-1: beyond, 400
    (SQLite used to raise OverflowError, a 500); at the top of the range, 404 as for any unknown id."""
    admin = editor_client(app, Session, "root", "admin")
    csrf = csrf_of(admin)
    gets = [
        (f"/items/{BIG}", 400),
        (f"/items/{2**63}", 400),
        ("/items/0", 400),
        (f"/items/{TOP}", 404),
        (f"/queue?after=1~1~{BIG}", 400),
        (f"/queue?after=0~2026-11-20T12:00:00Z~{BIG}", 400),
        ("/queue?after=1~1e999~5", 400),
        ("/queue?after=1~nan~5", 400),
        ("/queue?after=0~not-a-date~5", 400),
        ("/queue?after=garbage", 400),
        (f"/queue?after=1~0.5~{TOP}", 200),
        (f"/history?item={BIG}", 400),
        (f"/history?item={TOP}", 200),
        (f"/admin/audit?before={BIG}", 400),
        (f"/admin/audit?before={TOP}", 200),
    ]
    for path, status in gets:
        assert admin.get(path).status_code == status, path
    item = seeded[0]
    posts = [
        (f"/items/{BIG}/claim", {}, 400),
        (f"/items/{TOP}/claim", {}, 404),
        (f"/items/{BIG}/release", {}, 400),
        (f"/items/{item}/decide", {"action": "approve", "revision": BIG, "request_token": "e" * 32}, 400),
        (f"/items/{item}/decide", {"action": "approve", "revision": "-1", "request_token": "e" * 32}, 400),
        (f"/items/{BIG}/decide", {"action": "approve", "revision": "1"}, 400),
        (f"/items/{TOP}/decide", {"action": "approve", "revision": "1"}, 404),
        (f"/items/{TOP}/decide", {"action": "edit", "revision": "1", "editor_title": "x"}, 404),
        ("/queue/bulk", {"action": "approve", "item": [f"{BIG}:1"], "request_token": "f" * 32}, 400),
        ("/queue/bulk", {"action": "approve", "item": [f"{item}:{BIG}"], "request_token": "f" * 32}, 400),
        ("/queue/bulk", {"action": "approve", "item": [f"{item}:1", "x:1"], "request_token": "f" * 32}, 400),
        (f"/views/{BIG}/delete", {}, 400),
        (f"/views/{TOP}/delete", {}, 404),
        (f"/admin/users/{BIG}/role", {"role": "admin"}, 400),
        (f"/admin/users/{TOP}/role", {"role": "admin"}, 404),
    ]
    for path, data, status in posts:
        r = admin.post(path, data={"csrf_token": csrf, **data}, follow_redirects=False)
        assert r.status_code == status, (path, data, r.text[-300:])
    with Session() as s:
        assert s.scalar(select(func.count()).select_from(ReviewDecision)) == 0
        assert set(s.execute(select(Item.status, Item.revision))) == {("pending", 1)}
        assert s.scalar(select(User.role).where(User.name == "root")) == "admin"
