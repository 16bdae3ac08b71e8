"""`ewsi sources status --config FILE` lists the sources of that file only, although the store may
also hold sources synced from another config (a store shared by two configs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _config(tmp_path: Path, name: str, ids: list[str]) -> Path:
    sources = [
        {"id": i, "name": i, "publisher": "P", "kind": "feed", "urls": [f"https://{i}.example.org/feed"]}
        for i in ids
    ]
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"sources": sources}), encoding="utf-8")
    return path


def _status(db_url: str, config: Path) -> list[str]:
    env = {**os.environ, "EWSI_DATABASE_URL": db_url}
    args = [sys.executable, "-m", "crawler.cli", "sources", "status", "--json", "--config", str(config)]
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True)
    return [json.loads(line)["id"] for line in result.stdout.splitlines() if line.startswith('{"id"')]


def test_status_lists_the_named_config_s_sources_only(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    env = {**os.environ, "EWSI_DATABASE_URL": db_url}
    args = [sys.executable, "-m", "crawler.cli", "db", "upgrade"]
    subprocess.run(args, cwd=ROOT, env=env, capture_output=True, timeout=120, check=True)
    first = _config(tmp_path, "first", ["alpha-news", "beta-news"])
    second = _config(tmp_path, "second", ["gamma-news"])
    assert _status(db_url, first) == ["alpha-news", "beta-news"]
    assert _status(db_url, second) == ["gamma-news"]
    assert _status(db_url, first) == ["alpha-news", "beta-news"]
