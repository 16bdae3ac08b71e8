"""End to end on real input: the recorded corpus replayed from its WARC archive into an empty
store gives exactly the facts of ../shared/corpus/EXPECTED.yaml, and a second identical run adds
nothing (on SQLite: the facts are the extraction's; tests/test_groups_corpus.py replays real pages
into PostgreSQL twice)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from w3lib.url import canonicalize_url

from pipelines.titles import fold
from tests.desklab import SQLITE_ONLY

pytestmark = [pytest.mark.corpus, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[1]
HEADLINES = yaml.safe_load((ROOT / "tests" / "data" / "corpus_headlines.yaml").read_text(encoding="utf-8"))


def ewsi(db_url: str, *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "EWSI_DATABASE_URL": db_url}
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def queue_rows(db_url: str) -> list[dict[str, Any]]:
    result = ewsi(db_url, "queue", "--status", "any", "--json", "--limit", "100000", "--group-members")
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


@pytest.fixture(scope="module")
def corpus(request: pytest.FixtureRequest) -> Path:
    shared = request.getfixturevalue("shared")
    path = shared / "corpus"
    if not (path / "snapshot.warc.gz").exists():
        pytest.skip("../shared/corpus/snapshot.warc.gz not found")
    return path


def crawl(db_url: str, corpus: Path) -> subprocess.CompletedProcess[str]:
    result = ewsi(
        db_url,
        "crawl",
        "--config",
        str(corpus / "sources.yaml"),
        "--replay",
        str(corpus / "snapshot.warc.gz"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@SQLITE_ONLY
def test_replay_matches_expected_and_is_idempotent(db_url: str, corpus: Path) -> None:
    expected = yaml.safe_load((corpus / "EXPECTED.yaml").read_text(encoding="utf-8"))
    assert ewsi(db_url, "db", "upgrade").returncode == 0
    crawl(db_url, corpus)
    rows = queue_rows(db_url)

    by_source = Counter(r["source_id"] for r in rows)
    assert dict(by_source) == {sid: facts["items"] for sid, facts in expected["sources"].items()}
    assert len(rows) == 173

    by_canonical = {canonicalize_url(r["url"]): r for r in rows}
    for url, facts in expected["pages"].items():
        row = by_canonical.get(canonicalize_url(url.split(";")[0]))
        assert row is not None, f"missing page {url}"
        assert row["source_id"] == facts["source"]
        if facts["language"] is not None:
            assert row["language"] == facts["language"], url
        if facts["title_contains"]:
            # EXPECTED.yaml quotes the start of <title>, site name and all; the stored title is the
            # page's own headline as an editor reads it (tests/data/corpus_headlines.yaml)
            headlines = HEADLINES[Path(facts["path"]).name]
            assert fold(row["title"] or "") in {fold(h) for h in headlines}, (url, row["title"])
        if facts["path"].startswith("html/"):
            assert row["text_chars"] >= 200, (url, row["text_chars"])
        elif facts["path"].startswith(("pdf/", "documents/")):
            assert row["text_chars"] > 0, (url, row["text_chars"])

    # the ECI initiative in the register and in the third-party feed is one group
    grouped = sorted((r["source_id"], r["group"]) for r in rows if r["group"] is not None)
    assert [s for s, _ in grouped] == ["eci-ongoing", "eci-register"]
    assert len({g for _, g in grouped}) == 1

    # a second identical run adds nothing and duplicates nothing
    second = crawl(db_url, corpus)
    assert "duplicate" not in second.stdout.split("total")[-1]
    rows_again = queue_rows(db_url)
    assert len(rows_again) == 173
    assert {r["id"] for r in rows_again} == {r["id"] for r in rows}
    assert {(r["id"], r["group"]) for r in rows_again} == {(r["id"], r["group"]) for r in rows}
    assert max(Counter(canonicalize_url(r["url"]) for r in rows_again).values()) == 1


@SQLITE_ONLY
def test_awkward_corpus_inputs(db_url: str, corpus: Path) -> None:
    assert ewsi(db_url, "db", "upgrade").returncode == 0
    result = ewsi(
        db_url,
        "crawl",
        "--config",
        str(corpus / "sources.yaml"),
        "--replay",
        str(corpus / "snapshot.warc.gz"),
        "--source",
        "news-sitemap",
        "--source",
        "de-at-public-bodies",
        "--source",
        "eci-register",
    )
    assert result.returncode == 0, result.stderr
    rows = {r["url"]: r for r in queue_rows(db_url)}
    # ISO-8859-2 pages without a charset header come out as Polish text
    polish = [r for u, r in rows.items() if ".pl/" in u or "gazeta.pl" in u]
    assert len(polish) == 3
    assert any("najniższym" in (r["title"] or "") for r in polish)
    assert all("\ufffd" not in (r["title"] or "") for r in polish)
    # the ;jsessionid= URL is stored canonical
    police = [u for u in rows if "bundespolizei.de" in u]
    assert police == [
        "https://www.bundespolizei.de/Web/DE/04Aktuelles/01Meldungen/2021/10/staendige_aktualisierung_migrationslage.html"
    ]
    # API dates dd/mm/yyyy HH:MM are read day first in Europe/Brussels
    cohesion = rows["https://citizens-initiative.europa.eu/initiatives/details/2019/000007_en"]
    assert cohesion["published_at"] == "2025-09-03T12:59:00Z"
