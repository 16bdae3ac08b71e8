"""HEAD requests (crawler.web.app.HeadAsGet): the read API, the feeds and the public pages answer
HEAD as GET without the body; desk pages do not run for HEAD (opening an item claims it)."""

from __future__ import annotations

import pytest
from desklab import add_item, add_source, client_for, editor_client

PUBLIC = [
    "/api/v1/items",
    "/api/v1/items?limit=2",
    "/api/v1/items?limit=0",
    "/api/v1/themes",
    "/api/v1/items/999999999",
    "/feeds/atom",
    "/feeds/funding.ics",
    "/feeds/country/XX.atom",
    "/submit",
    "/login",
    "/static/app.css",
    "/static/none.css",
]


@pytest.mark.parametrize("path", PUBLIC)
def test_head_is_answered_as_get_without_the_body(app, Session, path: str) -> None:
    with Session() as s:
        add_source(s, "src-a")
        add_item(s, 1, title="An item")
        s.commit()
    client = client_for(app)
    got = client.get(path)
    head = client.head(path)
    assert head.status_code == got.status_code and head.content == b""
    assert head.headers.get("content-type") == got.headers.get("content-type")
    if "content-length" in got.headers:
        assert int(head.headers["content-length"]) == len(got.content)


@pytest.mark.parametrize("path", ["/queue", "/items/1", "/logout"])
def test_head_does_not_run_desk_pages(app, Session, path: str) -> None:
    with Session() as s:
        add_source(s, "src-a")
        item_id = add_item(s, 1, title="An item").id
        s.commit()
    alice = editor_client(app, Session)
    response = alice.head(path.replace("/1", f"/{item_id}"), follow_redirects=False)
    assert response.status_code == 405 and response.content == b""
