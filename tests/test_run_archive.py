"""Raw archive per run (EWSI_ARCHIVE_URL): archive URLs, storing and fetching WARC files in a
directory or an S3-compatible bucket (moto's server on loopback), the store's locations of each
response, and a crawl that archives its run then `ewsi crawl --replay-run` replaying it offline."""

from __future__ import annotations

import gzip
import io
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from warcio.archiveiterator import ArchiveIterator

from crawler import archive
from crawler.commands import crawl as crawl_command
from crawler.config import Settings
from crawler.errors import ArchiveError, UsageError
from crawler.store import runs, warc_locations
from crawler.store.migrate import upgrade
from crawler.store.session import make_engine, session_factory
from tests.lab import LabServer, Route

ROOT = Path(__file__).resolve().parents[1]
BUCKET = "ewsi-archive"
S3_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}
FAST = {"EWSI_CLASSIFIER_MODEL": "", "EWSI_EXTRACT_IN_PROCESS": "1"}
"""Crawls of this module: rules-only classifier, extraction in the crawl process (faster start)."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def s3() -> Iterator[str]:
    """The endpoint URL of moto's S3 server on loopback, with the bucket `BUCKET` created."""
    moto_server = pytest.importorskip("moto.server")
    import boto3

    saved = {k: os.environ.get(k) for k in S3_ENV}
    os.environ.update(S3_ENV)
    port = _free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.mark.parametrize(
    ("url", "scheme", "location", "prefix"),
    [
        ("file:///var/archive", "file", "/var/archive", ""),
        ("file:///var/archive/", "file", "/var/archive", ""),
        ("file://localhost/srv/warc", "file", "/srv/warc", ""),
        ("file:///srv/with%20space", "file", "/srv/with space", ""),
        ("s3://bucket", "s3", "bucket", ""),
        ("s3://bucket/", "s3", "bucket", ""),
        ("s3://bucket/runs", "s3", "bucket", "runs"),
        ("s3://bucket/runs/2026/", "s3", "bucket", "runs/2026"),
        ("S3://bucket/a.b", "s3", "bucket", "a.b"),
        ("  s3://bucket/x  ", "s3", "bucket", "x"),
    ],
)
def test_archive_urls_parse(url: str, scheme: str, location: str, prefix: str) -> None:
    target = archive.parse_target(url)
    assert (target.scheme, target.location, target.prefix) == (scheme, location, prefix)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "/var/archive",
        "var/archive",
        "http://example.org/archive",
        "ftp://host/dir",
        "file://otherhost/dir",
        "file:///",
        "file:relative/dir",
        "s3://",
        "s3:///prefix-only",
        "s3://bucket/a//b",
        "s3://bucket/../up",
        "s3://bucket/./x",
        "s3://bucket/x?versionId=1",
    ],
)
def test_other_archive_urls_are_refused_with_a_usage_error(url: str) -> None:
    with pytest.raises(ArchiveError, match=r"file:|s3:|prefix") as info:
        archive.parse_target(url)
    assert isinstance(info.value, UsageError)  # ewsi prints it and exits 2


@pytest.mark.parametrize(
    ("url", "name", "expected"),
    [
        ("s3://b", "x.warc.gz", "s3://b/x.warc.gz"),
        ("s3://b/p/q", "x.warc.gz", "s3://b/p/q/x.warc.gz"),
        ("file:///d/e", "x.warc.gz", "file:///d/e/x.warc.gz"),
    ],
)
def test_url_of_a_stored_file(url: str, name: str, expected: str) -> None:
    assert archive.parse_target(url).url_of(name) == expected


def test_a_directory_keeps_the_file_and_gives_it_back_in_place(tmp_path: Path) -> None:
    local = tmp_path / "spool.warc.gz"
    local.write_bytes(b"warc bytes")
    target = archive.parse_target((tmp_path / "archive" / "deep").as_uri())
    url = target.put(local, "src-run7.warc.gz")
    assert url == (tmp_path / "archive" / "deep" / "src-run7.warc.gz").as_uri()
    assert not local.exists()
    assert archive.fetch(url, tmp_path).read_bytes() == b"warc bytes"
    with pytest.raises(ArchiveError, match="no such archive file"):
        archive.fetch((tmp_path / "archive" / "gone.warc.gz").as_uri(), tmp_path)


@pytest.mark.parametrize("prefix", ["", "runs", "runs/2026/12"])
def test_a_bucket_keeps_the_file_and_gives_it_back(tmp_path: Path, s3: str, prefix: str) -> None:
    local = tmp_path / "spool.warc.gz"
    payload = os.urandom(70_000)
    local.write_bytes(payload)
    target = archive.parse_target(f"s3://{BUCKET}/{prefix}", s3)
    url = target.put(local, "src-run8.warc.gz")
    assert url == f"s3://{BUCKET}/{prefix + '/' if prefix else ''}src-run8.warc.gz"
    assert not local.exists(), "an uploaded file leaves the spool"
    back = archive.fetch(url, tmp_path, s3)
    assert back.read_bytes() == payload and back.parent == tmp_path
    with pytest.raises(ArchiveError, match="could not fetch"):
        archive.fetch(f"s3://{BUCKET}/missing.warc.gz", tmp_path, s3)


def test_a_bucket_that_cannot_be_reached_keeps_the_local_file(tmp_path: Path) -> None:
    local = tmp_path / "spool.warc.gz"
    local.write_bytes(b"kept")
    os.environ.update({k: os.environ.get(k) or v for k, v in S3_ENV.items()})
    target = archive.parse_target("s3://nobody/x", f"http://127.0.0.1:{_free_port()}")
    with pytest.raises(ArchiveError, match="could not store"):
        target.put(local, "a.warc.gz")
    assert local.read_bytes() == b"kept"


def test_locations_keep_the_first_record_of_a_url_and_find_the_newest_run(db_session: Any) -> None:
    first = runs.start_run(db_session, "src-a")
    second = runs.start_run(db_session, "src-a")
    warc1, warc2 = "s3://b/src-a-run1.warc.gz", "file:///d/src-a-run2.warc.gz"
    written = warc_locations.record(
        db_session,
        first,
        warc1,
        [
            ("https://x.test/a", 0, 900, 200),
            ("https://x.test/b", 900, 450, 404),
            ("https://x.test/a", 1350, 5, 200),
        ],
    )
    assert written == 2
    assert warc_locations.record(db_session, first, warc1, [("https://x.test/a", 9, 9, 200)]) == 0
    warc_locations.record(db_session, second, warc2, [("https://x.test/a", 0, 800, 200)])
    db_session.commit()
    assert [
        (loc.url, loc.offset, loc.length, loc.status) for loc in warc_locations.for_run(db_session, first)
    ] == [
        ("https://x.test/a", 0, 900, 200),
        ("https://x.test/b", 900, 450, 404),
    ]
    assert warc_locations.run_archive(db_session, first) == ("src-a", warc1)
    assert warc_locations.run_archive(db_session, 10_000) is None
    newest = warc_locations.locate(db_session, "https://x.test/a")
    assert newest is not None and (newest.run_id, newest.warc) == (second, warc2)
    assert warc_locations.locate(db_session, "https://x.test/none") is None


ARTICLE = (
    "<!doctype html><html lang='en'><head><title>{t}</title></head><body><article><h1>{t}</h1>"
    "<p>{b}</p><p>{b}</p></article></body></html>"
)
BODY = (
    "The municipality opens free language courses for newly arrived refugees and asylum seekers, "
    "with childcare during the lessons and a certificate recognised by the employment service."
)


def _ewsi(db: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "EWSI_DATABASE_URL": f"sqlite:///{db}", "EWSI_ALLOW_PRIVATE": "127.0.0.2", **env}
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args, "--log-file", "-"] if args[0] == "crawl" else
        [sys.executable, "-m", "crawler.cli", *args],
        cwd=ROOT, env=full, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.slow
def test_a_run_archived_in_a_bucket_is_located_and_replayed_offline(tmp_path: Path, s3: str) -> None:
    routes: dict[str, Any] = {
        f"/news/{n}": Route(ARTICLE.format(t=f"Courses {n}", b=BODY).encode(),
                            headers={"Content-Type": "text/html; charset=utf-8"})
        for n in (1, 2, 3)
    }  # fmt: skip
    with LabServer("127.0.0.2", routes) as lab:
        items = "".join(
            f"<item><title>Courses {n}</title><link>{lab.url(f'/news/{n}')}</link></item>" for n in (1, 2, 3)
        )
        rss = f"<?xml version='1.0'?><rss version='2.0'><channel><title>c</title>{items}</channel></rss>"
        lab.routes["/feed.xml"] = Route(
            rss.encode(),
            headers={"Content-Type": "application/rss+xml"},
        )
        config = tmp_path / "sources.yaml"
        config.write_text(
            "sources:\n- {id: town, name: Town, publisher: T, languages: [en], kind: feed, follow: true,\n"
            f"   urls: ['{lab.url('/feed.xml')}']}}\n",
            encoding="utf-8",
        )
        db = tmp_path / "ewsi.sqlite"
        env = {"EWSI_ARCHIVE_URL": f"s3://{BUCKET}/runs", "EWSI_ARCHIVE_ENDPOINT": s3, **S3_ENV, **FAST}
        upgrade(f"sqlite:///{db}")
        live = _ewsi(db, "crawl", "--config", str(config), env=env)
        assert live.returncode == 0, live.stderr
        asked = len(lab.hits)
        assert asked >= 4  # robots.txt, the feed, three pages

        engine = make_engine(f"sqlite:///{db}")
        with session_factory(engine)() as session:
            run_id = session.execute(text("SELECT id FROM crawl_runs")).scalar_one()
            located = warc_locations.for_run(session, run_id)
        engine.dispose()
        assert {loc.warc for loc in located} == {f"s3://{BUCKET}/runs/town-run{run_id}.warc.gz"}
        assert {loc.url for loc in located} >= {
            lab.url("/feed.xml"),
            *(lab.url(f"/news/{n}") for n in (1, 2, 3)),
        }
        warc = archive.fetch(located[0].warc, tmp_path, s3).read_bytes()
        for loc in located:  # each location is one gzip member holding that URL's response record
            member = gzip.decompress(warc[loc.offset : loc.offset + loc.length])
            record = next(iter(ArchiveIterator(io.BytesIO(member))))
            assert record.rec_headers.get_header("WARC-Target-URI") == loc.url
            assert record.http_headers.get_statuscode() == str(loc.status)

        replay = _ewsi(db, "crawl", "--config", str(config), "--replay-run", str(run_id), env=env)
        assert replay.returncode == 0, replay.stderr
        assert len(lab.hits) == asked, "a replayed run does not touch the network"
        assert "unchanged" in replay.stdout and "town" in replay.stdout


def test_replaying_a_run_that_archived_nothing_exits_2(tmp_path: Path, capsys: Any) -> None:
    url = f"sqlite:///{tmp_path / 'ewsi.sqlite'}"
    upgrade(url)
    config = tmp_path / "sources.yaml"
    config.write_text(
        "sources:\n- {id: town, name: Town, publisher: T, kind: feed, urls: ['https://x.test/f']}\n",
        encoding="utf-8",
    )
    args = ["--config", str(config), "--replay-run", "999"]
    with pytest.raises(UsageError, match="run 999 has no archive"):
        crawl_command.main(args, Settings(database_url=url))


@pytest.mark.parametrize(
    ("archive_url", "replay", "enabled"),
    [
        (None, None, False),
        ("file:///srv/warc", None, True),
        ("s3://bucket/runs", None, True),
        ("s3://bucket/runs", "recorded.warc.gz", False),  # a replay archives nothing
    ],
)
def test_the_run_archive_is_on_exactly_when_a_url_is_set_and_not_replaying(
    archive_url: str | None, replay: str | None, enabled: bool
) -> None:
    from crawler.settings import build_settings

    runtime = Settings(archive_url=archive_url, archive_endpoint="http://127.0.0.1:9")
    built = build_settings(database_url="sqlite://", replay=replay, runtime=runtime)
    on = "crawler.fetch.run_archive.RunArchiveMiddleware" in built["DOWNLOADER_MIDDLEWARES"]
    assert on is enabled
    if enabled:
        assert built["EWSI_ARCHIVE_URL"] == archive_url
        assert built["EWSI_ARCHIVE_ENDPOINT"] == "http://127.0.0.1:9"


def test_a_bad_archive_url_stops_the_crawl_at_start() -> None:
    from crawler.settings import build_settings

    with pytest.raises(ArchiveError, match="archive URL"):
        build_settings(database_url="sqlite://", runtime=Settings(archive_url="http://x.test/a"))
