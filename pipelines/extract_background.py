"""The extract stage as the crawl runs it: extraction overlapped with the crawl process's other work.

Why: extraction runs in the bounded worker process (`crawler.worker`, one per crawl process). Called
from the crawl's thread, the crawl process sat idle while the worker extracted a page, and the
downloads, the parsing of feeds and the later stages (language, dedup, classification, store) of
the items already extracted waited behind it. Here the blocking call (`ExtractPipeline.run`: the CPU
slot, then the worker) runs on one extraction thread per process, so the worker extracts the next
page while the crawl process finishes the items before it: two busy processes instead of one at a
time (bench/harvest_replay.py).

Order rule: every item, with a body or not, passes the one extraction thread first in, first out,
and comes back to the crawl's thread in that order, where `ExtractPipeline.finish` (the source's
title and lead-in learners) and the later stages run without a break. Items therefore reach the
store in the order they reached this stage, as when the stage blocked; the learners see a source's
pages in the order the store numbers them (`pipelines.extract.DocumentFinisher`). With
``EWSI_EXTRACT_IN_PROCESS`` the extraction runs in the crawl's thread (debugging). Errors raised on
the thread come back as the item's failure, as they would from a blocking stage.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from crawler.types import HarvestedItem
from pipelines.extract import ExtractPipeline, shared_worker

T = TypeVar("T")
logger = logging.getLogger(__name__)

_EXECUTOR: ThreadPoolExecutor | None = None
_EXECUTOR_LOCK = threading.Lock()


def extraction_thread() -> ThreadPoolExecutor:
    """The process's one extraction thread (a single-worker executor: calls run in submission order)."""
    global _EXECUTOR
    with _EXECUTOR_LOCK:
        if _EXECUTOR is None:
            _EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ewsi-extract")
        return _EXECUTOR


def on_extraction_thread(
    call: Callable[..., T], *args: Any, post: Callable[..., Any] | None = None
) -> Deferred[T]:
    """Run `call(*args)` on the extraction thread; the Deferred fires on the reactor's thread, in the
    order the calls were submitted, with the result or the exception as a Failure. `post(f, arg)` hands
    a function to the reactor's thread (default: ``reactor.callFromThread``)."""
    if post is None:
        from twisted.internet import reactor

        post = reactor.callFromThread
        _drop_pending_at_shutdown(reactor)
    done: Deferred[T] = Deferred()

    def fire(future: Future[T]) -> None:
        error = future.exception()
        if error is not None:
            done.errback(Failure(error))
        else:
            done.callback(future.result())

    future = extraction_thread().submit(call, *args)
    future.add_done_callback(lambda f: None if f.cancelled() else post(fire, f))
    return done


_SHUTDOWN_HOOKED: set[int] = set()


def _drop_pending_at_shutdown(reactor: Any) -> None:
    """Once per reactor: when it shuts down, extractions not yet started are cancelled (a forced stop
    must not wait for the backlog; a graceful stop has none left, its items being finished first)."""
    if id(reactor) not in _SHUTDOWN_HOOKED:
        _SHUTDOWN_HOOKED.add(id(reactor))
        reactor.addSystemEventTrigger("before", "shutdown", drop_pending)


def drop_pending() -> None:
    """Cancel the extractions waiting for the thread (the running one ends within its time limit) and
    let the next call start a fresh thread."""
    global _EXECUTOR
    with _EXECUTOR_LOCK:
        executor, _EXECUTOR = _EXECUTOR, None
    if executor is not None:
        executor.shutdown(wait=False, cancel_futures=True)


def _start_worker() -> None:
    """Start the process's extraction worker ahead of the first page; a failure is left for the first
    extraction to meet and report."""
    try:
        shared_worker().ensure_started()
    except Exception:
        logger.debug("extraction worker did not start ahead of the first page", exc_info=True)


def _pass() -> None:
    """Nothing: an item without a body keeps its place in the thread's order."""


class BackgroundExtractPipeline:
    """Scrapy item pipeline: `pipelines.extract.ExtractPipeline` with the extraction on the extraction
    thread (module docstring). Same fields, flags, stats and drops as that stage."""

    def __init__(self, crawler: Crawler | None = None):
        self.crawler = crawler
        self.stage = ExtractPipeline(crawler)
        source = getattr(getattr(crawler, "spider", None), "source", None)
        if not self.stage.in_process and getattr(source, "follow", False):
            # a source that follows its links will extract: the worker starts while the crawl
            # process builds its other stages (the classifier's model loads meanwhile)
            extraction_thread().submit(_start_worker)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackgroundExtractPipeline:
        """Build the pipeline for a crawler (Scrapy entry point)."""
        return cls(crawler)

    async def process_item(self, item: HarvestedItem, spider: Spider | None = None) -> HarvestedItem:
        """Extract `item.body` (if any) off the crawl's thread, then finish it on the crawl's thread."""
        spider = spider or getattr(self.crawler, "spider", None)
        if self.stage.in_process:
            return self.stage.process_item(item, spider)
        if not self.stage.admit(item, spider):
            await maybe_deferred_to_future(on_extraction_thread(_pass))
            return item
        outcome, waited = await maybe_deferred_to_future(on_extraction_thread(self.stage.run, item))
        return self.stage.finish(item, spider, outcome, waited)
