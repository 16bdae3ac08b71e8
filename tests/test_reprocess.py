"""`ewsi reprocess`: re-extraction from the kept raw body, without fetching; editors' decisions
and edited fields stay; --dry-run writes nothing; one and two workers give the same result."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update

from crawler.commands import reprocess
from crawler.config import Settings
from crawler.sources import load_sources
from crawler.store.items import RawResponse, reprocess_records, upsert_item
from crawler.store.schema import Item
from crawler.store.session import session_scope
from crawler.store.sources import sync_sources
from tests.storedata import make_item

PAGE = (Path(__file__).parent / "data" / "reprocess_page.html").read_bytes()


def _seed(db_url: str, status: str) -> int:
    item = make_item(1, text=None, title="Welcome centre for newcomers opens")
    raw = RawResponse(url=item.url, body=PAGE, status=200, media_type="text/html")
    with session_scope(db_url) as session:
        upsert_item(session, item, raw=raw)
        session.flush()
        session.execute(
            update(Item).values(text="stale menu text", language="de", status=status, editor_title="Edited")
        )
        return session.query(Item.id).scalar()


# (dry run?, workers, status before) -> text re-extracted and language fixed, editor's state kept
CASES = [(False, 1, "approved"), (True, 1, "pending"), (False, 2, "rejected"), (False, 1, "pending")]


@pytest.mark.parametrize(("dry_run", "workers", "status"), CASES)
def test_reprocess_keeps_decisions_and_rewrites_harvested_fields(
    db_session, db_url: str, capsys, dry_run: bool, workers: int, status: str
) -> None:
    item_id = _seed(db_url, status)
    argv = ["--database-url", db_url, "--workers", str(workers)] + (["--dry-run"] if dry_run else [])
    assert reprocess.main(argv, Settings()) == 0
    out = capsys.readouterr().out
    assert f"item {item_id}:" in out and "language 'de' -> 'en'" in out
    with session_scope(db_url) as session:
        row = session.get(Item, item_id)
        assert row is not None
        assert row.status == status and row.editor_title == "Edited"
        if dry_run:
            assert (row.text, row.language) == ("stale menu text", "de")
        else:
            assert row.language == "en"
            assert row.text is not None and "twelve languages" in row.text and "Home" not in row.text
    # a second run changes nothing more
    if not dry_run:
        assert reprocess.main(argv, Settings()) == 0
        assert "changed 0" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["--workers", "0"], ["--since", "yesterday"]])
def test_reprocess_bad_arguments(argv: list[str], db_url: str) -> None:
    from crawler.cli import main as ewsi

    try:  # --workers 0 is refused when the command line is read (argparse: SystemExit 2)
        code = ewsi(["reprocess", "--database-url", db_url, *argv])
    except SystemExit as exc:
        code = int(exc.code or 0)
    assert code == 2


SOURCE = """\
sources:
- id: src-a
  name: A city
  publisher: A city
  languages: [de, en]
  timezone: Europe/Vienna
  kind: feed
  urls: [https://city.example.eu/feed]
"""


def test_reprocess_reads_items_with_the_sources_languages_and_zone(db_session, db_url: str) -> None:
    """The harvest's inputs: the language step gets the source's declared languages (not the page's
    language in their place) and the page's own, dates are read in the source's zone."""
    item = make_item(1, declared_language="en-GB")
    raw = RawResponse(url=item.url, body=PAGE, status=200, media_type="text/html")
    with session_scope(db_url) as session:
        sync_sources(session, load_sources("sources.yaml", text=SOURCE).sources)
        upsert_item(session, item, raw=raw)
    with session_scope(db_url) as session:
        (record,) = reprocess_records(session)
    assert record["declared_languages"] == ["de", "en"]
    assert (record["declared_language"], record["timezone"]) == ("en-GB", "Europe/Vienna")
