"""The desk shows an item's language versions and the other sources of its near-duplicate group,
on the queue row and on the item page; the version and group rows are not queue rows of their own."""

from __future__ import annotations

from desklab import SQLITE_ONLY, editor_client
from sqlalchemy import update

from crawler.store.schema import Item


@SQLITE_ONLY
def test_queue_and_item_page_show_versions_and_also_from(app, Session, seeded) -> None:
    head, german, other = seeded
    with Session() as s:
        s.execute(update(Item).where(Item.id == german).values(version_of=head))
        s.execute(update(Item).where(Item.id.in_([head, other])).values(group_id=head))
        s.commit()
    client = editor_client(app, Session)
    queue = client.get("/queue?status=any")
    assert queue.status_code == 200
    assert queue.text.count('class="title"') == 1
    assert "also from: src-b" in queue.text
    assert "versions: " in queue.text
    page = client.get(f"/items/{head}")
    assert page.status_code == 200
    assert "Also from" in page.text and "src-b" in page.text
    assert 'class="versions"' in page.text and ">de</a>" in page.text
