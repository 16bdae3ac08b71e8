"""An interruption is never a strike against a page (crawler.worker's rule on interruptions).

Rule: the extraction worker ignores SIGINT (the crawl decides when it stops and tells it); once
told (`stop_all`), a call whose child dies, is killed or does not answer is ``interrupted``, never
``timeout`` or ``memory``, and a dead child is not started again; a child ended by SIGINT or SIGTERM
is ``interrupted`` too. An interrupted extraction counts no kill and flags its item
``extract.interrupted``, whose text is unread (crawler.store.items.document_unread).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any

from crawler.store.items import document_unread
from crawler.types import HarvestedItem
from crawler.worker import BoundedWorker, WorkerResult, resume_all, stop_all
from pipelines.extract import extract_bounded


def _call_in_thread(worker: BoundedWorker, *args: Any, timeout: float) -> tuple[threading.Thread, list[Any]]:
    results: list[Any] = []
    thread = threading.Thread(target=lambda: results.append(worker.call(*args, timeout=timeout)))
    thread.start()
    time.sleep(0.3)  # the child has the arguments and sleeps on them
    return thread, results


def test_a_sigint_to_the_child_leaves_the_extraction_in_flight_to_finish() -> None:
    with BoundedWorker("time:sleep") as worker:
        worker.ensure_started()
        pid = worker.pid
        assert pid is not None
        thread, results = _call_in_thread(worker, 1.0, timeout=10)
        os.kill(pid, signal.SIGINT)  # what a Ctrl-C sends the whole process group
        thread.join(10)
        assert [(r.error, r.detail) for r in results] == [(None, None)]
        assert (worker.pid, worker.restarts) == (pid, 0)


def test_a_child_ended_by_sigterm_is_interrupted_not_out_of_memory() -> None:
    with BoundedWorker("time:sleep") as worker:
        worker.ensure_started()
        assert worker.pid is not None
        thread, results = _call_in_thread(worker, 30, timeout=20)
        os.kill(worker.pid, signal.SIGTERM)
        thread.join(10)
        assert [r.error for r in results] == ["interrupted"]


def test_a_forced_stop_ends_the_call_in_flight_at_once_and_starts_no_child() -> None:
    with BoundedWorker("time:sleep") as worker:
        worker.ensure_started()
        started = time.monotonic()
        thread, results = _call_in_thread(worker, 30, timeout=20)
        try:
            stop_all(at_once=True)
            thread.join(10)
            assert [r.error for r in results] == ["interrupted"]
            assert time.monotonic() - started < 5
            after = worker.call(0, timeout=10)
            assert (after.error, worker.pid) == ("interrupted", None)
        finally:
            resume_all()
        assert worker.call(0, timeout=10).error is None  # a process that goes on counts again


def test_a_call_that_outlives_its_limit_while_the_crawl_stops_is_no_timeout() -> None:
    with BoundedWorker("time:sleep") as worker:
        worker.ensure_started()
        worker.stop()
        result = worker.call(30, timeout=0.5)
        assert (result.error, result.detail) == ("interrupted", "the crawl is shutting down")


class _Interrupted:
    """A worker whose every call was interrupted by the crawl's shutdown."""

    def __init__(self) -> None:
        self.calls = 0

    def call(self, *_args: Any, timeout: float, label: str | None = None) -> WorkerResult:
        self.calls += 1
        return WorkerResult(error="interrupted", detail="the crawl is shutting down", seconds=0.1)


def test_an_interrupted_extraction_counts_no_kill_and_leaves_the_text_unread() -> None:
    fake = _Interrupted()
    body = b"<html><head><title>Integration report</title></head><body><p>x</p></body></html>"
    outcome = extract_bounded(body, "https://x.eu/a", "text/html", worker=fake)  # type: ignore[arg-type]
    assert (outcome.kill, outcome.kills, fake.calls) == (None, 0, 1)
    assert outcome.document.warnings == ("extract.interrupted", "extract.html_failed")
    assert outcome.document.title == "Integration report"
    item = HarvestedItem(source_id="s", url="https://x.eu/a", title="Feed title")
    item.flags = list(outcome.document.warnings)
    assert document_unread(item)


class _MemoryThenRead:
    """A worker killed for memory on the first call that reads the page on the retry."""

    def __init__(self) -> None:
        self.calls = 0

    def call(
        self, body: bytes, url: str, *_args: Any, timeout: float, label: str | None = None
    ) -> WorkerResult:
        from pipelines.extract import extract_document

        self.calls += 1
        if self.calls == 1:
            return WorkerResult(error="memory", detail="killed past its memory limit", seconds=0.1)
        return WorkerResult(value=extract_document(body, url, "text/html"), seconds=0.1)


def test_a_page_read_after_a_memory_kill_leaves_a_strike_of_memory() -> None:
    """The retry after a memory kill reads the page: one kill, and its reason is memory (the store's
    quarantine strike had said "timeout", as no extract.memory flag is left on a page that was read)."""
    from pipelines.extract import ExtractPipeline

    fake = _MemoryThenRead()
    body = b"<html><head><title>Integration report</title></head><body><p>Refugees find work.</p></body>"
    outcome = extract_bounded(body, "https://x.eu/a", "text/html", worker=fake)  # type: ignore[arg-type]
    assert (outcome.kill, outcome.kills, fake.calls) == ("memory", 1, 2)
    assert "extract.memory" not in outcome.document.warnings
    item = HarvestedItem(source_id="s", url="https://x.eu/a", title="Feed title")
    ExtractPipeline().finish(item, None, outcome, 0.0)
    assert (item.ewsi_worker_kills, item.ewsi_worker_kill) == (1, "memory")  # type: ignore[attr-defined]
