"""`ewsi crawl` against a loopback server: failing sources are recorded with their error while the
others complete; a malformed feed is reported, not swallowed; record then replay gives the same
harvest offline; bad config and an unreachable database exit 2 with a clear line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.lab import LabServer, Route, free_port

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow

ARTICLE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head><body>
<nav>Home | News</nav><article><h1>{title}</h1>
<p>{body}</p><p>{body}</p><p>The city council presented the results to the integration advisory board.</p>
</article><footer>Contact</footer></body></html>"""

FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>City news</title>
<item><title>Language courses for newly arrived refugees</title><link>{base}/news/1</link><guid>n-1</guid>
<pubDate>Tue, 04 Mar 2025 09:00:00 +0100</pubDate></item>
<item><title>Mentoring programme for migrant entrepreneurs</title><link>{base}/news/2</link><guid>n-2</guid>
<pubDate>Wed, 05 Mar 2025 10:30:00 +0100</pubDate></item>
</channel></rss>"""

BODY_1 = (
    "The municipality opens free German language courses for newly arrived refugees and asylum seekers, "
    "with childcare during the lessons and a certificate recognised by the employment service."
)
BODY_2 = (
    "A new mentoring programme pairs migrant entrepreneurs with local business owners to help them "
    "register companies, find financing and understand tax rules in their first year."
)


def ewsi(db: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "EWSI_DATABASE_URL": f"sqlite:///{db}", "EWSI_ALLOW_PRIVATE": "127.0.0.2"}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def write_config(path: Path, sources: list[dict[str, Any]]) -> Path:
    base = {"publisher": "Test", "languages": ["en"], "schedule": "0 6 * * *"}
    path.write_text(yaml.safe_dump({"sources": [{**base, **s} for s in sources]}), encoding="utf-8")
    return path


def rows(db: Path) -> list[dict[str, Any]]:
    result = ewsi(db, "queue", "--status", "any", "--json", "--limit", "1000")
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def status(db: Path) -> dict[str, dict[str, Any]]:
    result = ewsi(db, "sources", "status", "--json", "--config", str(db.parent / "sources.yaml"))
    assert result.returncode == 0, result.stderr
    return {r["id"]: r for r in map(json.loads, result.stdout.splitlines())}


@pytest.fixture
def lab() -> Any:
    routes: dict[str, Any] = {
        "/news/1": Route(
            ARTICLE.format(title="Language courses for refugees", body=BODY_1).encode(),
            headers={"Content-Type": "text/html; charset=utf-8"},
        ),
        "/news/2": Route(
            ARTICLE.format(title="Mentoring for migrant entrepreneurs", body=BODY_2).encode(),
            headers={"Content-Type": "text/html; charset=utf-8"},
        ),
        "/broken.xml": Route(b"oops", status=500),
        "/malformed.xml": Route(
            b"<?xml version='1.0'?><rss><channel><title>x</title><item><title>a",
            headers={"Content-Type": "application/rss+xml"},
        ),
    }
    with LabServer("127.0.0.2", routes) as server:
        server.routes["/feed.xml"] = Route(
            FEED.format(base=server.base).encode(), headers={"Content-Type": "application/rss+xml"}
        )
        yield server


def test_failing_sources_are_recorded_while_others_complete(tmp_path: Path, lab: LabServer) -> None:
    db = tmp_path / "ewsi.sqlite"
    dead = f"http://127.0.0.2:{free_port()}/feed.xml"
    write_config(
        tmp_path / "sources.yaml",
        [
            {"id": "good", "name": "Good", "kind": "feed", "urls": [lab.url("/feed.xml")], "follow": True},
            {"id": "dead", "name": "Dead host", "kind": "feed", "urls": [dead]},
            {"id": "server-error", "name": "500", "kind": "feed", "urls": [lab.url("/broken.xml")]},
            {"id": "malformed", "name": "Bozo", "kind": "feed", "urls": [lab.url("/malformed.xml")]},
        ],
    )
    assert ewsi(db, "db", "upgrade").returncode == 0
    result = ewsi(db, "crawl", "--config", str(tmp_path / "sources.yaml"))
    assert result.returncode == 0, result.stderr
    assert "1/4 ok" in result.stdout

    stored = rows(db)
    assert sorted(r["title"] for r in stored) == [
        "Language courses for newly arrived refugees",
        "Mentoring programme for migrant entrepreneurs",
    ]
    assert all(r["text_chars"] >= 200 and r["language"] == "en" for r in stored)
    assert {r["published_at"] for r in stored} == {"2025-03-04T08:00:00Z", "2025-03-05T09:30:00Z"}

    health = status(db)
    assert health["good"]["state"] == "healthy" and health["good"]["last_error_key"] is None
    assert health["dead"]["last_error_key"] == "fetch.connect"
    assert health["server-error"]["last_error_key"] == "fetch.http_5xx"
    assert health["malformed"]["last_error_key"] == "parse.feed_malformed"
    assert "SAXParseException" in (health["malformed"]["last_error"] or "")
    for sid in ("dead", "server-error", "malformed"):
        assert health[sid]["state"] == "failing" and health[sid]["consecutive_failures"] == 1


def test_record_then_replay_reproduces_the_harvest(tmp_path: Path, lab: LabServer) -> None:
    config = write_config(
        tmp_path / "sources.yaml",
        [
            {"id": "good", "name": "Good", "kind": "feed", "urls": [lab.url("/feed.xml")], "follow": True},
        ],
    )
    archive = tmp_path / "harvest.warc.gz"
    live, offline = tmp_path / "live.sqlite", tmp_path / "offline.sqlite"
    for db in (live, offline):
        assert ewsi(db, "db", "upgrade").returncode == 0
    assert ewsi(live, "crawl", "--config", str(config), "--record", str(archive)).returncode == 0
    asked = len(lab.hits)
    assert archive.stat().st_size > 0
    result = ewsi(offline, "crawl", "--config", str(config), "--replay", str(archive))
    assert result.returncode == 0, result.stderr
    assert len(lab.hits) == asked, "replay must not touch the network"

    def facts(db: Path) -> list[tuple[Any, ...]]:
        return sorted(
            (r["url"], r["title"], r["language"], r["text_chars"], r["published_at"]) for r in rows(db)
        )

    assert facts(offline) == facts(live) and len(facts(live)) == 2


def test_replay_answers_404_for_unrecorded_urls(tmp_path: Path, shared: Path) -> None:
    db = tmp_path / "ewsi.sqlite"
    config = write_config(
        tmp_path / "sources.yaml",
        [
            {
                "id": "missing",
                "name": "Not recorded",
                "kind": "feed",
                "urls": ["https://corpus.ewsi.test/feeds/none.xml"],
            },
        ],
    )
    assert ewsi(db, "db", "upgrade").returncode == 0
    result = ewsi(
        db, "crawl", "--config", str(config), "--replay", str(shared / "corpus" / "snapshot.warc.gz")
    )
    assert result.returncode == 0
    assert status(db)["missing"]["last_error_key"] == "fetch.http_404"


def test_no_reachable_host_names_the_replay_option(tmp_path: Path) -> None:
    db = tmp_path / "ewsi.sqlite"
    config = write_config(
        tmp_path / "sources.yaml",
        [
            {"id": sid, "name": "Dead", "kind": "feed", "urls": [f"http://127.0.0.2:{free_port()}/x.xml"]}
            for sid in ("nowhere", "nowhere-else")  # two servers, neither answers
        ],
    )
    assert ewsi(db, "db", "upgrade").returncode == 0
    result = ewsi(db, "crawl", "--config", str(config))
    assert result.returncode == 0
    lines = [
        line
        for line in result.stdout.splitlines()
        if "To harvest without a network, replay an archive" in line
    ]
    assert len(lines) == 1 and "--replay" in lines[0]


def test_bad_config_exits_2_naming_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "sources:\n- id: x1\n  name: X\n  publisher: P\n  kind: feed\n  urls: [https://a.eu/f]\n"
        "  schedule: '* * * *'\n",
        encoding="utf-8",
    )
    result = ewsi(tmp_path / "db.sqlite", "crawl", "--config", str(bad))
    assert result.returncode == 2
    assert f"{bad}:7: sources[0].schedule: expected 5 cron fields, got 4" in result.stderr


def test_unreachable_database_exits_2(tmp_path: Path) -> None:
    result = ewsi(
        tmp_path / "unused.sqlite",
        "queue",
        env={"EWSI_DATABASE_URL": "postgresql+psycopg2://postgres@127.0.0.1:1/nothing"},
    )
    assert result.returncode == 2
    assert "cannot connect to postgresql://127.0.0.1:1/nothing" in result.stderr


def test_unmigrated_database_says_how_to_fix(tmp_path: Path) -> None:
    result = ewsi(tmp_path / "empty.sqlite", "queue")
    assert result.returncode == 2
    assert "ewsi db upgrade" in result.stderr
