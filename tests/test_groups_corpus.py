"""Corpus 2 replayed twice: the two European Parliament documents harvested from three sources
(EN, DE, FR) are two items with three language versions each, none dropped; the second run adds
nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_corpus_harvest import ewsi, queue_rows

pytestmark = [pytest.mark.corpus, pytest.mark.slow]


def test_ep_documents_are_one_item_with_three_versions(db_url: str, shared: Path) -> None:
    corpus = shared / "corpus2"
    if not (corpus / "snapshot.warc.gz").exists():
        pytest.skip("corpus2 snapshot not found")
    assert ewsi(db_url, "db", "upgrade").returncode == 0
    args = ("crawl", "--config", str(corpus / "sources.yaml"), "--replay", str(corpus / "snapshot.warc.gz"))
    ewsi(
        db_url,
        *args,
        "--source",
        "ep-plenary-documents-en",
        "--source",
        "ep-plenary-documents-de",
        "--source",
        "ep-plenary-documents-fr",
    )
    rows = [r for r in queue_rows(db_url) if r["source_id"].startswith("ep-plenary")]
    assert len(rows) == 2
    for row in rows:
        assert row["source_id"] == "ep-plenary-documents-en"
        assert sorted(v["language"] for v in row["versions"]) == ["de", "en", "fr"]
    second = ewsi(
        db_url,
        *args,
        "--source",
        "ep-plenary-documents-en",
        "--source",
        "ep-plenary-documents-de",
        "--source",
        "ep-plenary-documents-fr",
    )
    assert second.returncode == 0, second.stderr
    again = [r for r in queue_rows(db_url) if r["source_id"].startswith("ep-plenary")]
    assert [(r["id"], r["versions"]) for r in again] == [(r["id"], r["versions"]) for r in rows]
