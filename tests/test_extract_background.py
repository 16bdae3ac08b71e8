"""The extract stage on its own thread (pipelines.extract_background): results come back in the order
the items arrived, errors come back as the item's failure, and a harvest gives the same items in the
same order as extraction in the crawl's thread."""

from __future__ import annotations

import os
import queue
import random
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from pipelines.extract_background import extraction_thread, on_extraction_thread

ROOT = Path(__file__).resolve().parents[1]


class FakeReactor:
    """The reactor's thread in miniature: functions posted from other threads run when drained here."""

    def __init__(self) -> None:
        self.posted: queue.Queue[tuple[Any, tuple[Any, ...]]] = queue.Queue()
        self.thread = threading.get_ident()

    def post(self, function: Any, *args: Any) -> None:
        self.posted.put((function, args))

    def drain(self, count: int) -> None:
        for _ in range(count):
            function, args = self.posted.get(timeout=10)
            function(*args)


def slow_identity(value: int, seconds: float) -> int:
    time.sleep(seconds)
    return value


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_results_fire_in_submission_order_whatever_each_call_takes(seed: int) -> None:
    rng = random.Random(seed)
    reactor = FakeReactor()
    fired: list[tuple[int, int]] = []
    count = 25
    for n in range(count):
        delay = rng.choice([0.0, 0.0, 0.001, 0.004, 0.012])
        deferred = on_extraction_thread(slow_identity, n, delay, post=reactor.post)
        deferred.addCallback(lambda value, n=n: fired.append((n, value)))
    reactor.drain(count)
    assert fired == [(n, n) for n in range(count)]


@pytest.mark.parametrize(
    ("error", "kind"),
    [(ValueError("bad page"), ValueError), (MemoryError(), MemoryError), (KeyError("x"), KeyError)],
)
def test_an_error_on_the_thread_fails_that_item_only(error: BaseException, kind: type) -> None:
    reactor = FakeReactor()

    def boom() -> None:
        raise error

    outcomes: list[Any] = []
    before = on_extraction_thread(slow_identity, 1, 0.0, post=reactor.post)
    failing = on_extraction_thread(boom, post=reactor.post)
    after = on_extraction_thread(slow_identity, 3, 0.0, post=reactor.post)
    before.addCallback(outcomes.append)
    failing.addErrback(lambda failure: outcomes.append(failure.type))
    after.addCallback(outcomes.append)
    reactor.drain(3)
    assert outcomes == [1, kind, 3]


def test_calls_run_off_the_callers_thread_on_one_thread() -> None:
    reactor = FakeReactor()
    seen: list[int] = []
    for _ in range(5):
        on_extraction_thread(lambda: seen.append(threading.get_ident()), post=reactor.post)
    reactor.drain(5)
    assert len(set(seen)) == 1 and seen[0] != reactor.thread
    assert extraction_thread()._max_workers == 1


def _items(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT source_id, url, title, length(coalesce(text, '')), language, published_at,"
            " relevance, flags FROM items ORDER BY id"
        ).fetchall()
    by_source: dict[str, list[tuple[Any, ...]]] = {}
    for source_id, *rest in rows:
        by_source.setdefault(source_id, []).append(tuple(rest))
    return by_source


@pytest.mark.corpus
@pytest.mark.slow
def test_harvest_is_the_same_with_extraction_on_its_thread_or_in_the_crawls(
    tmp_path: Path, shared: Path
) -> None:
    corpus = shared / "corpus"
    if not (corpus / "snapshot.warc.gz").exists():
        pytest.skip("../shared/corpus/snapshot.warc.gz not found")
    results = {}
    for mode, extra in (("thread", {}), ("crawl", {"EWSI_EXTRACT_IN_PROCESS": "1"})):
        db = tmp_path / f"{mode}.sqlite"
        env = {**os.environ, "EWSI_DATABASE_URL": f"sqlite:///{db}", **extra}
        for args in (
            ["db", "upgrade"],
            ["crawl", "--config", str(corpus / "sources.yaml"), "--replay", str(corpus / "snapshot.warc.gz"),
             "--source", "de-at-public-bodies", "--source", "news-sitemap", "--source", "ep-documents"],
        ):  # fmt: skip
            done = subprocess.run(
                [sys.executable, "-m", "crawler.cli", *args],
                cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
            )  # fmt: skip
            assert done.returncode == 0, done.stdout + done.stderr
        results[mode] = _items(db)
    assert sorted(results["thread"]) == ["de-at-public-bodies", "ep-documents", "news-sitemap"]
    assert sum(len(rows) for rows in results["thread"].values()) == 32
    assert results["thread"] == results["crawl"]


@pytest.mark.parametrize(
    ("follow", "in_process", "started"), [(True, False, 1), (False, False, 0), (True, True, 0)]
)
def test_the_worker_starts_ahead_for_a_source_that_follows_its_links(
    monkeypatch, follow, in_process, started
) -> None:
    from types import SimpleNamespace

    from scrapy.utils.test import get_crawler

    import pipelines.extract_background as background

    calls: list[str] = []
    monkeypatch.setattr(
        background, "shared_worker", lambda: SimpleNamespace(ensure_started=lambda: calls.append("x"))
    )
    crawler = get_crawler(settings_dict={"EWSI_EXTRACT_IN_PROCESS": in_process})
    crawler.spider = SimpleNamespace(source=SimpleNamespace(follow=follow))
    background.BackgroundExtractPipeline(crawler)
    extraction_thread().submit(lambda: None).result(timeout=10)  # the thread has run what was before
    assert len(calls) == started


def test_a_forced_stop_drops_the_backlog_but_not_the_running_call() -> None:
    from pipelines.extract_background import drop_pending

    reactor = FakeReactor()
    release, began = threading.Event(), threading.Event()
    fired: list[int] = []

    def running_call() -> int:
        began.set()
        release.wait(10)
        return 0

    on_extraction_thread(running_call, post=reactor.post).addCallback(fired.append)
    for n in range(1, 6):
        on_extraction_thread(slow_identity, n, 0.0, post=reactor.post).addCallback(fired.append)
    assert began.wait(10)
    drop_pending()
    release.set()
    reactor.drain(1)
    time.sleep(0.2)
    assert fired == [0] and reactor.posted.empty()  # the five waiting calls never ran
    # the next call gets a fresh thread
    on_extraction_thread(slow_identity, 7, 0.0, post=reactor.post).addCallback(fired.append)
    reactor.drain(1)
    assert fired == [0, 7]
