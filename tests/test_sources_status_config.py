"""`ewsi sources status --config FILE` lists the sources of that file and every other source the
store knows by its work (a run or an item: a replay of another config), marking those as not in the
config; a source only synced from another config, never run, is left out."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from crawler.commands.sources import status_rows
from crawler.store import runs
from crawler.store import session as store_session
from crawler.types import CrawlReport

ROOT = Path(__file__).resolve().parents[1]


def _config(tmp_path: Path, name: str, ids: list[str], disabled: tuple[str, ...] = ()) -> Path:
    sources = [
        {"id": i, "name": i, "publisher": "P", "kind": "feed", "urls": [f"https://{i}.example.org/feed"]}
        | ({"enabled": False} if i in disabled else {})
        for i in ids
    ]
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"sources": sources}), encoding="utf-8")
    return path


def _status(db_url: str, config: Path, *, json_lines: bool = True) -> Any:
    env = {**os.environ, "EWSI_DATABASE_URL": db_url, "COLUMNS": "250"}
    args = [sys.executable, "-m", "crawler.cli", "sources", "status", "--config", str(config)]
    args += ["--json"] if json_lines else []
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True)
    if not json_lines:
        return result.stdout
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith('{"id"')]
    return [row["id"] if row["in_config"] else f"{row['id']} (not in config)" for row in rows]


def test_status_lists_the_config_and_the_sources_that_worked(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    env = {**os.environ, "EWSI_DATABASE_URL": db_url}
    args = [sys.executable, "-m", "crawler.cli", "db", "upgrade"]
    subprocess.run(args, cwd=ROOT, env=env, capture_output=True, timeout=120, check=True)
    first = _config(tmp_path, "first", ["alpha-news", "beta-news"], disabled=("beta-news",))
    second = _config(tmp_path, "second", ["gamma-news"])
    assert _status(db_url, first) == ["alpha-news", "beta-news"]
    assert _status(db_url, second) == ["gamma-news"]  # synced, never run: not listed elsewhere
    assert _status(db_url, first) == ["alpha-news", "beta-news"]
    with store_session.session_scope(db_url) as session:  # gamma-news runs (as in a replay)
        runs.finish_run(session, runs.start_run(session, "gamma-news"), _report("gamma-news"))
    assert _status(db_url, first) == ["alpha-news", "beta-news", "gamma-news (not in config)"]
    assert _status(db_url, second) == ["gamma-news"]
    table = _status(db_url, first, json_lines=False)
    gamma = next(line for line in table.splitlines() if "gamma-news" in line)
    assert "not in config" in gamma and re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", gamma)
    alpha = next(line for line in table.splitlines() if "alpha-news" in line)
    assert "not in config" not in alpha and "in config" in alpha and "disabled" not in alpha
    beta = next(line for line in table.splitlines() if "beta-news" in line)
    assert "in config, disabled" in beta


def _report(source_id: str) -> CrawlReport:
    now = datetime.now(UTC)
    return CrawlReport(source_id=source_id, started_at=now, finished_at=now, status="ok")


def _row(source_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": source_id, "last_run_at": None, "last_run_status": None, "items_total": 0, **fields}


@pytest.mark.parametrize(
    ("row", "listed"),
    [
        pytest.param(_row("in-config"), "in-config", id="configured-never-run"),
        pytest.param(_row("other"), None, id="other-config-never-run"),
        pytest.param(_row("other", last_run_at="2026-01-01T00:00:00Z"), "other (not in config)", id="ran"),
        pytest.param(_row("other", last_run_status="running"), "other (not in config)", id="running"),
        pytest.param(_row("other", items_total=3), "other (not in config)", id="holds-items"),
    ],
)
def test_status_rows_rule(row: dict[str, Any], listed: str | None) -> None:
    rows = status_rows([row], {"in-config"})
    assert [r["id"] if r["in_config"] else f"{r['id']} (not in config)" for r in rows] == (
        [listed] if listed else []
    )


def test_status_rows_put_the_config_first() -> None:
    rows = status_rows([_row("a-other", items_total=1), _row("b-conf"), _row("c-conf")], {"b-conf", "c-conf"})
    listed = [(r["id"], r["in_config"]) for r in rows]
    assert listed == [("b-conf", True), ("c-conf", True), ("a-other", False)]
