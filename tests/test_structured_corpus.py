"""The AMIF call document of the recorded corpus, replayed from its WARC archive through the whole
harvest, is a funding item that knows its call id and programme (`ewsi queue --json`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_corpus_harvest import ewsi, queue_rows

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

AMIF_ID = "AMIF-2025-TF2-AG-INTE-04-PATHWAYS"


def test_amif_call_document_gets_call_id_and_programme(shared: Path, tmp_path: Path) -> None:
    corpus = shared / "corpus"
    if not (corpus / "snapshot.warc.gz").exists():
        pytest.skip("../shared/corpus/snapshot.warc.gz not found")
    db_url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    assert ewsi(db_url, "db", "upgrade").returncode == 0
    result = ewsi(
        db_url,
        "crawl",
        "--config",
        str(corpus / "sources.yaml"),
        "--source",
        "amif-call-documents",
        "--replay",
        str(corpus / "snapshot.warc.gz"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (row,) = [r for r in queue_rows(db_url) if r["source_id"] == "amif-call-documents"]
    assert row["content_type"] == "funding"
    assert (row["call_id"], row["programme"]) == (AMIF_ID, "AMIF")
    assert row["deadline"] is None and row["call_status"] is None  # the rules document names no deadline
    assert AMIF_ID in row["url"]
