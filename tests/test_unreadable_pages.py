"""Followed pages whose bytes hold no document fail with their own key (spiders.pagebytes).

Rule under test: a followed page answering 2xx with an empty body (``parse.page_empty``) or bytes
that are no text by their content, whatever the Content-Type (``parse.page_not_text``), is a failed
page: counted ``ewsi/page_errors/<key>``, its item keeps the index's title (flagged
``page_<key>``), and a link text that is a file name is never its title (crawler.linklabels rule
3: the item is ``title_missing`` instead). Text in any charset, a PDF and a page with one stray
control character are read as before. Unit rows on `unreadable`, one real crawl over the lab.
"""

from __future__ import annotations

import codecs
import random
from pathlib import Path

import pytest

from crawler.linklabels import is_link_label
from spiders.pagebytes import EMPTY_PAGE, NOT_TEXT, unreadable
from tests.fetchlab import crawl, migrate
from tests.lab import LabServer, Route
from tests.test_cases import followed_listing

NOISE = random.Random(7).randbytes(3000)
TITLE = "Welcome centre opens for refugees"
PAGE = b"<html><head><title>Welcome centre opens for refugees</title></head><body><p>Text.</p></body></html>"
HTML = "text/html; charset=utf-8"

# (row, body, Content-Type, link text, key, stored title)
ROWS = [
    ("zero bytes", b"", HTML, "empty.html", EMPTY_PAGE, None),
    ("whitespace", b" \r\n\t\n", HTML, "Welcome centre opens", EMPTY_PAGE, "Welcome centre opens"),
    ("BOM only", codecs.BOM_UTF8 + b"\n", HTML, "Language cafe", EMPTY_PAGE, "Language cafe"),
    ("noise as html", NOISE, HTML, "garbage.html", NOT_TEXT, None),
    ("noise as text", NOISE, "text/plain; charset=utf-8", "Asylum data", NOT_TEXT, "Asylum data"),
    ("noise, no type", NOISE, "", "report_2025.pdf", NOT_TEXT, None),
    ("NUL bytes", b"\x00" * 600, HTML, "Housing for refugees", NOT_TEXT, "Housing for refugees"),
    ("UTF-16 page", PAGE.decode().encode("utf-16"), "text/html", "page.html", None, TITLE),
    ("stray control", PAGE.replace(b"Text.", b"T\x0bt."), HTML, "index.php", None, TITLE),
    ("plain page", PAGE, HTML, "Read more", None, TITLE),
]  # fmt: skip


@pytest.mark.parametrize(
    ("row", "body", "content_type", "text", "key", "title"), ROWS, ids=[r[0] for r in ROWS]
)
def test_unreadable(
    row: str, body: bytes, content_type: str, text: str, key: str | None, title: str | None
) -> None:
    charset = content_type.partition("charset=")[2] or None
    assert unreadable(body, charset) == key


FILE_NAMES = ("empty.html", "report_2024-final.PDF", "index.php", "Bericht.docx")
TITLES = ("Annual report 2024 (PDF)", "www.bamf.de", "Welcome centre opens", "Index of 2024")


@pytest.mark.parametrize("text", FILE_NAMES + TITLES)
def test_a_file_name_is_no_title(text: str) -> None:
    assert is_link_label(text) is (text in FILE_NAMES)


@pytest.mark.slow
def test_unreadable_pages_are_failed_pages_of_the_crawl(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    migrate(db_url)
    with LabServer("127.0.0.2") as lab:
        entries = []
        for n, (_row, body, content_type, text, _key, _title) in enumerate(ROWS):
            headers = {"Content-Type": content_type} if content_type else {}
            lab.routes[f"/p/{n}"] = Route(body, headers=headers)
            entries.append(f"<li class='n'><a href='/p/{n}'>{text}</a></li>")
        index = f"<html><body><ul>{''.join(entries)}</ul></body></html>".encode()
        lab.routes["/index.html"] = Route(index, headers={"Content-Type": HTML})
        source = followed_listing("lab-pages", lab.url("/index.html"))
        result = crawl(tmp_path, db_url, [source], timeout=150)
        assert result.returncode == 0, result.stderr[-3000:]
        by_path = {i["url"].rsplit("/", 1)[1]: i for i in result.items}
        flags = _flags(db_url)
    for n, (row, _body, _type, _text, key, title) in enumerate(ROWS):
        item = by_path[str(n)]
        assert item["title"] == title, row
        page_flags = [f for f in flags[item["url"]] if f.startswith("page_")]
        assert page_flags == ([f"page_{key}"] if key else []), row
        assert ("title_missing" in flags[item["url"]]) is (title is None), row
    stats = result.run("lab-pages")["stats"]
    failed = {k: v for k, v in stats.items() if k.startswith("ewsi/page_errors/")}
    assert failed == {f"ewsi/page_errors/{EMPTY_PAGE}": 3, f"ewsi/page_errors/{NOT_TEXT}": 4}


def _flags(db_url: str) -> dict[str, list[str]]:
    from sqlalchemy import select

    from crawler.store.schema import Item
    from crawler.store.session import session_scope

    with session_scope(db_url) as session:
        return {i.url: list(i.flags or []) for i in session.scalars(select(Item))}
