"""`ewsi reprocess` right after a harvest changes nothing: the recorded corpus's German feed source
(whose pages exercise the learned lead-in step) replayed from its WARC archive into an empty store,
then a dry run reports "would change 0" and a real reprocess, twice, changes nothing either."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import SHARED

pytestmark = [pytest.mark.corpus, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[1]
SOURCE = "de-at-public-bodies"


@pytest.fixture(scope="module")
def corpus() -> Path:
    path = SHARED / "corpus"
    if not (path / "snapshot.warc.gz").exists() or not (path / "sources.yaml").exists():
        reason = f"../shared/corpus (snapshot.warc.gz, sources.yaml) not found at {path} (set EWSI_SHARED)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def ewsi(db_url: str, *args: str) -> str:
    env = {**os.environ, "EWSI_DATABASE_URL": db_url}
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_reprocess_after_replay_changes_nothing(corpus: Path, tmp_path: Path) -> None:
    config = yaml.safe_load((corpus / "sources.yaml").read_text(encoding="utf-8"))
    config["sources"] = [s for s in config["sources"] if s["id"] == SOURCE]
    sources = tmp_path / "sources.yaml"
    sources.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    db_url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    ewsi(db_url, "db", "upgrade")
    ewsi(db_url, "crawl", "--config", str(sources), "--replay", str(corpus / "snapshot.warc.gz"))

    dry = ewsi(db_url, "reprocess", "--dry-run", "--workers", "2").splitlines()
    summary = dry[-1]
    assert "reprocessed 0 items" not in summary, summary
    assert dry[:-1] == [] and summary.endswith("would change 0, errors 0"), dry
    for _ in range(2):
        real = ewsi(db_url, "reprocess", "--workers", "1").splitlines()
        assert real[:-1] == [] and real[-1].endswith("changed 0, errors 0"), real
