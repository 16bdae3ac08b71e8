"""Near-duplicate groups must not merge documents of one template (crawler.neardup, crawler.store.groups).

A 64-bit SimHash puts "Monthly statistics ..., January 2025" and "..., February 2025" 7 bits apart, and
two monthly reports written on one template (only the month and the figures differ) 6 bits apart: both
within `MAX_DISTANCE`, so they were grouped as one story across sources and one editor's decision
decided both. A republished copy (a corrected figure, a line added by the aggregator) and a title
with a fixed typo or a site's suffix must still be grouped. Each case asserts the fingerprints are
within the distance, so it is the figure and word rule that decides.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.neardup import figures, same_document
from crawler.store import groups
from crawler.store.items import upsert_item
from crawler.store.schema import Item
from tests.test_groups import _fingerprinted

DATA = Path(__file__).parent / "data" / "neardup"
JAN = (DATA / "asylum_2025_01.txt").read_text(encoding="utf-8")
FEB = (DATA / "asylum_2025_02.txt").read_text(encoding="utf-8")
JAN_COPY = (DATA / "asylum_2025_01_republished.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.450 applications, 1,032 minors, 41 per cent", {"12450", "1032", "41"}),
        ("12\u202f450 et 12\u00a0450", {"12450"}),
        ("from 2024 2025 to 2026", {"2024", "2025", "2026"}),  # a space does not join two numbers
        ("Regulation (EU) 2025/123", {"2025", "123"}),
        ("no figures here", set()),
    ],
)
def test_figures(text: str, expected: set[str]) -> None:
    assert figures(text) == expected


SAME_DOCUMENT = [
    # titles: another number, another month or another word is another document
    ("Monthly statistics on asylum applications in the EU January 2025",
     "Monthly statistics on asylum applications in the EU February 2025", False),
    ("Call for proposals AMIF-2025-TF2-AG-INTE-01 integration of third-country nationals",
     "Call for proposals AMIF-2025-TF2-AG-INTE-02 integration of third-country nationals", False),
    ("Council Regulation (EU) 2025/123 on the integration of migrants",
     "Council Regulation (EU) 2025/124 on the integration of migrants", False),
    ("Language course for refugee parents in Vienna", "Language course for refugee parents in Graz", False),
    # titles: a fixed typo, punctuation, a site's suffix, a date added on one side only are one document
    ("Integration council elects new chair", "Intergration council elects new chair", True),
    ("Webinar: language learning for adult refugees, 12 March 2025",
     "Webinar language learning for adult refugees 12 March 2025 - City of Example", True),
    ("Webinar: language learning for adult refugees",
     "Webinar: language learning for adult refugees (12 March)", True),
    ("Food is a Human Right for All!", "Food is a Human Right for All! ", True),
    # texts: the month's report is another document, a republished copy with a corrected figure is not
    (JAN, FEB, False),
    (JAN, JAN_COPY, True),
    (JAN, JAN + "\nRelated: 28 February 2025, 14 February 2025, 30 January 2024, 12 December 2024.", True),
    (JAN, JAN, True),
]  # fmt: skip


@pytest.mark.parametrize(("a", "b", "same"), SAME_DOCUMENT)
def test_same_document(a: str, b: str, same: bool) -> None:
    assert same_document(a, b) is same
    assert same_document(b, a) is same


# (first: source, title, text; second: source, title, text) -> grouped?
STORE_CASES = [
    (("a", "Monthly statistics on asylum applications in the EU January 2025", None),
     ("b", "Monthly statistics on asylum applications in the EU February 2025", None), False),
    (("a", "Asylum applications: monthly overview", JAN),
     ("b", "Asylum applications: monthly overview", FEB), False),
    (("a", "Asylum applications in January", JAN),
     ("b", "Asylum applications in January 2025", JAN_COPY), True),
    (("a", "Webinar: language learning for adult refugees, 12 March 2025", None),
     ("b", "Webinar language learning for adult refugees 12 March 2025 - City of Example", None), True),
]  # fmt: skip


@pytest.mark.parametrize(("first", "second", "grouped"), STORE_CASES)
def test_documents_of_one_template_are_not_grouped(db_session, first, second, grouped) -> None:
    a = _fingerprinted(1, *first)
    b = _fingerprinted(2, *second)
    assert a.fingerprint is not None and b.fingerprint is not None
    assert groups.hamming(a.fingerprint, b.fingerprint) <= groups.MAX_DISTANCE  # SimHash alone would group
    assert upsert_item(db_session, a) == "new"
    assert upsert_item(db_session, b) == "new"
    db_session.commit()
    rows = db_session.scalars(select(Item).order_by(Item.id)).all()
    assert [r.group_id for r in rows] == ([rows[0].id, rows[0].id] if grouped else [None, None])


def test_a_template_sibling_does_not_block_the_real_copy(db_session) -> None:
    """February (source b) is close to January (source a) but another document; January's copy from
    source c joins January's group, not February's, and February stays alone."""
    for n, (source, text) in enumerate((("a", JAN), ("b", FEB), ("c", JAN_COPY)), start=1):
        assert (
            upsert_item(db_session, _fingerprinted(n, source, "Asylum applications: monthly overview", text))
            == "new"
        )
    db_session.commit()
    rows = db_session.scalars(select(Item).order_by(Item.id)).all()
    assert [r.group_id for r in rows] == [rows[0].id, None, rows[0].id]
