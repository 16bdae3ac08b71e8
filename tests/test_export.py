"""``ewsi export`` (crawler.web.export): published items only, JSON Lines and CSV, formula injection
neutralised, --since. Data from test_portal_api.populate."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from test_portal_api import NOW, PUBLISHED, make_item, portal_db, shared_db  # noqa: F401

from crawler.cli import main as ewsi
from crawler.commands.export import closing_line
from crawler.store.session import make_engine, session_factory
from crawler.web import export


def test_jsonl_has_published_items_only(shared_db, tmp_path):  # noqa: F811
    out = tmp_path / "items.jsonl"
    assert ewsi(["export", "--format", "jsonl", "--output", str(out), "--database-url", shared_db]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == sorted(PUBLISHED)
    two = next(r for r in rows if r["id"] == 2)
    assert two["title"] == "Editor title" and two["themes"] == ["education_culture"]
    assert two["published_at"].endswith("Z")
    assert "secret" not in out.read_text(encoding="utf-8").lower()


def test_csv_to_stdout_with_since(shared_db, capsys):  # noqa: F811
    since = (NOW - timedelta(hours=2, minutes=30)).isoformat()
    assert ewsi(["export", "--format", "csv", "--since", since, "--database-url", shared_db]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["id"] for r in rows] == ["1", "2"]  # modified_at = NOW - id hours
    assert rows[1]["themes"] == "education_culture"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("plain = text", "plain = text"),
        (None, ""),
    ],
)
def test_safe_cell(value, cell):
    assert export.safe_cell(value) == cell


def test_formula_titles_are_neutralised_in_the_file(portal_db, tmp_path):  # noqa: F811
    engine = make_engine(portal_db)
    with session_factory(engine)() as session:
        make_item(session, 30, title="=cmd|' /C calc'!A0", summary="@evil")
        session.commit()
    engine.dispose()
    out = tmp_path / "items.csv"
    assert ewsi(["export", "--format", "csv", "-o", str(out), "--database-url", portal_db]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM for spreadsheet programs
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))}
    assert rows["30"]["title"] == "'=cmd|' /C calc'!A0" and rows["30"]["summary"] == "'@evil"
    assert rows["11"]["url"] == ""  # the javascript: link is not exported
    assert set(rows) == {str(i) for i in [*PUBLISHED, 30]}


def test_bad_since_is_rejected(shared_db, capsys):  # noqa: F811
    assert ewsi(["export", "--since", "yesterday", "--database-url", shared_db]) == 2
    assert "--since" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("hours", "said"),
    [
        (
            0.5,
            "exported 0 published items: only approved items are exported; 2 items are pending review"
            " (ewsi queue, the desk: an item's language versions and near-duplicates share its row)",
        ),
        (1.5, "exported 1 published item"),
        (2.5, "exported 2 published items"),
    ],
)
def test_the_count_line_speaks_english_number(shared_db, capsys, hours: float, said: str):  # noqa: F811
    """Rule: the closing line names the count in the singular for 1 item, the plural otherwise."""
    since = (NOW - timedelta(hours=hours)).isoformat()
    assert ewsi(["export", "--format", "jsonl", "--since", since, "--database-url", shared_db]) == 0
    assert capsys.readouterr().err.splitlines()[-1] == said


@pytest.mark.parametrize(
    ("count", "pending", "said"),
    [
        (1, 0, "exported 1 published item"),
        (3, 40, "exported 3 published items"),
        (1200, 7, "exported 1,200 published items"),
        (0, 0, "exported 0 published items: only approved items are exported, and none is pending review"),
        (
            0,
            1,
            "exported 0 published items: only approved items are exported; 1 item is pending review"
            " (ewsi queue, the desk: an item's language versions and near-duplicates share its row)",
        ),
        (
            0,
            1534,
            "exported 0 published items: only approved items are exported; 1,534 items are pending review"
            " (ewsi queue, the desk: an item's language versions and near-duplicates share its row)",
        ),
    ],
)
def test_an_empty_export_says_only_approved_items_leave(count: int, pending: int, said: str) -> None:
    """Rule (crawler.commands.export.closing_line): the closing line counts the exported items; an
    export of none says that only approved items are exported and how many wait for review."""
    assert closing_line(count, pending) == said


@pytest.mark.parametrize(
    ("precision", "cell"),
    [
        ("year", "2025"),
        ("month", "2025-03"),
        ("day", "2025-03-04"),
        ("time", "2025-03-04T14:30:00Z"),
        (None, "2025-03-04T14:30:00Z"),
        ("fortnight", "2025-03-04T14:30:00Z"),
    ],
)
def test_csv_writes_a_published_date_as_precise_as_the_source_gave_it(precision, cell):
    """crawler.web.export: a month-only date is ``2025-03`` in CSV, not a made-up ``2025-03-01T00:00``;
    the precision has its own column; JSON Lines keeps the datetime beside it."""
    from datetime import UTC, datetime

    given = datetime(2025, 3, 4, 14, 30, tzinfo=UTC)
    if precision in ("year", "month", "day"):
        given = datetime(2025, 1 if precision == "year" else 3, 1 if precision != "day" else 4, tzinfo=UTC)
    record = {"id": 7, "published_at": given, "published_precision": precision}
    out = io.StringIO()
    assert export.write_csv([record], out) == 1
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["published_at"] == cell
    assert row["published_precision"] == (precision or "")
    jsonl = io.StringIO()
    export.write_jsonl([record], jsonl)
    assert json.loads(jsonl.getvalue())["published_at"] == given.strftime("%Y-%m-%dT%H:%M:%SZ")
