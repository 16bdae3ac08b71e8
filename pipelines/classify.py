"""Classify stage: relevance to migrant integration and the six theme scores, with evidence.

The classifier itself is pure (`classifier`); this stage feeds it the item's best text and records
the outcome in stats (`ewsi/classify/relevant`, `ewsi/classify/not_relevant`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from scrapy import Spider
from scrapy.crawler import Crawler

import classifier
from classifier.themes import DEFAULT_PATH as THEMES_PATH
from crawler.types import HarvestedItem

MAX_CLASSIFY_CHARS = 20_000
"""Text beyond this many characters adds cost but rarely changes the decision."""


def shared_classifier(configured: str | None = None) -> classifier.Classifier:
    """`classifier.load_default(configured_model=configured)`, loaded once per process while its files
    stay as they are: every crawler of a run (one per source) builds this stage, and loading the model
    takes about a second. The classifier is pure, so crawlers may share one."""
    model = classifier.default_model_path(configured)
    return _load(configured, _stamp(THEMES_PATH), _stamp(model))


def _stamp(path: Path | None) -> tuple[str, int, int] | None:
    """(path, mtime, size) of a file, None when there is none: a changed file is loaded again."""
    if path is None:
        return None
    try:
        stat = path.stat()
    except OSError:
        return (str(path.resolve()), -1, -1)
    return (str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _load(configured: str | None, *_stamps: tuple[str, int, int] | None) -> classifier.Classifier:
    return classifier.load_default(configured_model=configured)


class ClassifyPipeline:
    """Set `item.classification` from title, summary and text."""

    def __init__(self, crawler: Crawler | None = None):
        self.crawler = crawler
        configured = crawler.settings.get("EWSI_CLASSIFIER_MODEL") if crawler is not None else None
        self.classifier = shared_classifier(configured)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClassifyPipeline:
        return cls(crawler)

    def process_item(self, item: HarvestedItem, spider: Spider | None = None) -> HarvestedItem:
        body = item.text or item.summary or ""
        language = item.language if item.language and item.language != "und" else None
        item.classification = self.classifier.classify(
            item.title, body[:MAX_CLASSIFY_CHARS], language, item.content_type
        )
        if self.crawler is not None and self.crawler.stats is not None:
            key = "relevant" if item.classification.relevant else "not_relevant"
            self.crawler.stats.inc_value(f"ewsi/classify/{key}")
        return item
